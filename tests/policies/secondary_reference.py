"""The secondary suppression of policies.disclosure.secondary as it was before its rewrite for
national-size tables (one bridge search per withheld cell, a scan of each pair's cells per
step): the oracle the rewrite is checked against, cell for cell, in
test_disclosure_secondary_oracle.py. Test code only; not imported by the hub."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence

Edge = tuple[int, int]


def bridges(node_count: int, ends: Sequence[Edge], edges: Iterable[int]) -> list[int]:
    """The edges among ``edges`` that lie on no cycle of the graph they form, in ascending order."""
    adjacent: list[list[tuple[int, int]]] = [[] for _ in range(node_count)]
    for e in edges:
        u, v = ends[e]
        adjacent[u].append((v, e))
        adjacent[v].append((u, e))
    order = [-1] * node_count
    low = [0] * node_count
    found: list[int] = []
    clock = 0
    for start in range(node_count):
        if order[start] != -1 or not adjacent[start]:
            continue
        order[start] = low[start] = clock
        clock += 1
        # Iterative Tarjan: (node, edge it was reached by, position in its adjacency list).
        stack = [(start, -1, 0)]
        while stack:
            node, via, position = stack[-1]
            if position < len(adjacent[node]):
                stack[-1] = (node, via, position + 1)
                nxt, e = adjacent[node][position]
                if e == via:  # the same edge back; a parallel edge is a real cycle
                    continue
                if order[nxt] == -1:
                    order[nxt] = low[nxt] = clock
                    clock += 1
                    stack.append((nxt, e, 0))
                else:
                    low[node] = min(low[node], order[nxt])
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.append(via)
    return sorted(found)


def complementary_cells(
    node_count: int,
    ends: Sequence[Edge],
    withheld: Iterable[int],
    costs: Callable[[], Sequence[float | None]],
) -> dict[int, int]:
    """Cells to withhold besides ``withheld`` so no withheld cell is a bridge, each mapped to
    the cell it was added to protect.

    ``costs()[e]`` is what withholding released cell ``e`` loses (None: ``e`` cannot be
    withheld, it is not part of any equation); it is only called when some cell needs help.
    Repeatedly takes the first bridge and withholds the cheapest path of cells joining its two
    ends without it (already withheld cells cost nothing), which puts it on a cycle. Greedy,
    not a minimum-cost solution, but deterministic.
    """
    hidden = set(withheld)
    added: dict[int, int] = {}
    found = bridges(node_count, ends, _representatives(ends, hidden))
    if not found:
        return added
    network = _Network(node_count, ends, hidden, costs())
    while found:
        bridge = found[0]
        path = network.cheapest_path(bridge)
        if path is None:
            raise ValueError(f"cell {bridge} is determined by the table's structure itself")
        for e in path:
            if e not in hidden:
                network.hide(e)
                added[e] = bridge
        found = bridges(node_count, ends, _representatives(ends, hidden))
    return added


def _pair(edge: Edge) -> Edge:
    u, v = edge
    return (u, v) if u < v else (v, u)


def _representatives(ends: Sequence[Edge], hidden: set[int]) -> list[int]:
    # Lists of LAs put many cells between the same two nodes; two of them already make a
    # cycle, so bridge detection only needs up to two per pair of nodes.
    seen: dict[Edge, int] = {}
    kept = []
    for e in sorted(hidden):
        pair = _pair(ends[e])
        if seen.get(pair, 0) < 2:
            seen[pair] = seen.get(pair, 0) + 1
            kept.append(e)
    return kept


class _Network:
    """Every cell that is or could be withheld, grouped by the pair of nodes it joins."""

    def __init__(
        self,
        node_count: int,
        ends: Sequence[Edge],
        hidden: set[int],
        costs: Sequence[float | None],
    ) -> None:
        self.ends, self.hidden, self.costs = ends, hidden, costs
        self.withheld: dict[Edge, list[int]] = {}
        self.released: dict[Edge, list[int]] = {}
        eligible = sorted(
            (cost, e) for e, cost in enumerate(costs) if cost is not None and e not in hidden
        )
        for _, e in eligible:
            self.released.setdefault(_pair(ends[e]), []).append(e)
        for e in sorted(hidden):
            self.withheld.setdefault(_pair(ends[e]), []).append(e)
        # Each node's neighbours, with the pair of nodes that names the cells between them.
        self.neighbours: list[list[tuple[int, Edge]]] = [[] for _ in range(node_count)]
        for u, v in sorted(self.released.keys() | self.withheld.keys()):
            self.neighbours[u].append((v, (u, v)))
            self.neighbours[v].append((u, (u, v)))

    def hide(self, e: int) -> None:
        self.hidden.add(e)
        self.withheld.setdefault(_pair(self.ends[e]), []).append(e)

    def cheapest_between(self, pair: Edge, bridge: int) -> tuple[float, int] | None:
        for e in self.withheld.get(pair, ()):
            if e != bridge:
                return 0.0, e
        for e in self.released.get(pair, ()):
            if e not in self.hidden:
                cost = self.costs[e]
                assert cost is not None
                return cost, e
        return None

    def cheapest_path(self, bridge: int) -> list[int] | None:
        """Dijkstra between the bridge's ends, avoiding it; withheld cells cost nothing."""
        source, target = self.ends[bridge]
        best: dict[int, float] = {source: 0.0}
        reached_by: dict[int, tuple[int, int]] = {}
        queue: list[tuple[float, int]] = [(0.0, source)]
        done: set[int] = set()
        while queue:
            distance, node = heapq.heappop(queue)
            if node in done:
                continue
            done.add(node)
            if node == target:
                break
            for nxt, pair in self.neighbours[node]:
                if nxt in done:
                    continue
                step = self.cheapest_between(pair, bridge)
                if step is None:
                    continue
                candidate = distance + step[0]
                if candidate < best.get(nxt, float("inf")):
                    best[nxt] = candidate
                    reached_by[nxt] = (node, step[1])
                    heapq.heappush(queue, (candidate, nxt))
        if target not in done:
            return None
        path: list[int] = []
        node = target
        while node != source:
            node, e = reached_by[node]
            path.append(e)
        return path
