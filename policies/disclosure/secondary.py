"""Secondary suppression on the graph of a table's linear constraints.

Every table the hub releases (a grid with margins, a list of LAs with a total, LAs within
regions within the nation) is a set of cells, each an edge between two nodes, and one equation
per node: the signed cells meeting there sum to zero. A grid with row and column totals is the
(R+1)x(C+1) bipartite case: cell (i, j) joins row node i and column node j, the total row and
column are nodes too. Given the released cells, the withheld ones are fixed up to the cycle
space of the graph they form, so a withheld cell can be recovered exactly iff its edge is a
bridge of that graph. ``complementary_cells`` withholds more cells until no withheld edge is a
bridge. (The common "two withheld per line" rule is not enough: two cycles joined by a single
withheld cell leave that cell a bridge.)
"""

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
    joined = _TwoEdgeConnected(node_count)
    for e in sorted(hidden):
        joined.add(*ends[e])
    # Withholding more cells never makes a withheld cell a bridge again, and the cells a path
    # adds lie on a cycle with the bridge it protects: the bridges left after each path are
    # those of the first search still bridges, so the first of them is the next one to protect
    # (rather than a search of the whole table after every path, at national size).
    for bridge in found:
        if not joined.bridge(*ends[bridge]):
            continue
        path = network.cheapest_path(bridge)
        if path is None:
            raise ValueError(f"cell {bridge} is determined by the table's structure itself")
        for e in path:
            if e not in hidden:
                network.hide(e)
                joined.add(*ends[e])
                added[e] = bridge
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


class _TwoEdgeConnected:
    """The two-edge-connected components of a graph that only gains edges (the online bridge
    search: a forest of components, each tree rerooted into the larger when two join, and the
    components on the tree path between an edge's ends merged when the edge closes a cycle).
    An edge is a bridge iff its ends are in different components."""

    def __init__(self, node_count: int) -> None:
        self.component = list(range(node_count))  # union-find of two-edge-connected parts
        self.tree = list(range(node_count))  # union-find of connected parts
        self.size = [1] * node_count  # a connected part's size, at its representative
        self.parent = [-1] * node_count  # a component's parent in its tree (-1: the root)
        self.visit = [0] * node_count
        self.visits = 0

    def bridge(self, u: int, v: int) -> bool:
        """Would an edge already added between ``u`` and ``v`` be a bridge."""
        return self._part(u) != self._part(v)

    def add(self, u: int, v: int) -> None:
        a, b = self._part(u), self._part(v)
        if a == b:
            return
        ta, tb = self._tree(a), self._tree(b)
        if ta != tb:
            if self.size[ta] > self.size[tb]:
                a, b, ta, tb = b, a, tb, ta
            self._reroot(a)
            self.parent[a] = self.tree[a] = b
            self.size[tb] += self.size[a]
        else:
            self._merge_path(a, b)

    def _part(self, v: int) -> int:
        component = self.component
        root = v
        while component[root] != root:
            root = component[root]
        while component[v] != root:
            component[v], v = root, component[v]
        return root

    def _tree(self, v: int) -> int:
        v = self._part(v)
        path = []
        tree = self.tree
        while tree[v] != v:
            path.append(v)
            v = self._part(tree[v])
        for w in path:
            tree[w] = v
        return v

    def _reroot(self, v: int) -> None:
        root, child = v, -1
        while v != -1:
            up = self._part(self.parent[v]) if self.parent[v] != -1 else -1
            self.parent[v] = child
            self.tree[v] = root
            child, v = v, up
        self.size[root] = self.size[child]

    def _merge_path(self, a: int, b: int) -> None:
        # Climb from both ends in turn, marking the components passed, until one end reaches
        # a component the other passed: everything climbed up to it becomes one component.
        self.visits += 1
        mark, visit = self.visits, self.visit
        climbs: list[tuple[list[int], list[int]]] = [([a], []), ([b], [])]
        meet = -1
        while meet == -1:
            for at, path in climbs:
                if at[0] == -1:
                    continue
                v = at[0] = self._part(at[0])
                path.append(v)
                if visit[v] == mark:
                    meet = v
                    break
                visit[v] = mark
                at[0] = self.parent[v]
        for _, path in climbs:
            for v in path:
                self.component[v] = meet
                if v == meet:
                    break


class _Step:
    """The cheapest cell between a pair of nodes (updated in place as cells are withheld)."""

    __slots__ = ("cost", "cell")

    def __init__(self, cost: float, cell: int) -> None:
        self.cost, self.cell = cost, cell


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
        self.node_count = node_count
        self.withheld: dict[Edge, list[int]] = {}
        self.released: dict[Edge, list[int]] = {}
        eligible = sorted(
            (cost, e) for e, cost in enumerate(costs) if cost is not None and e not in hidden
        )
        for _, e in eligible:
            self.released.setdefault(_pair(ends[e]), []).append(e)
        for e in sorted(hidden):
            self.withheld.setdefault(_pair(ends[e]), []).append(e)
        # The cheapest step between each pair of nodes, kept as cells are withheld: the first
        # withheld cell for nothing, else the cheapest released one (none of which is withheld
        # while the pair has no withheld cell). Only the bridge's own pair is searched per path.
        self.steps: dict[Edge, _Step] = {}
        # Each node's neighbours, with the step to each.
        self.neighbours: list[list[tuple[int, _Step]]] = [[] for _ in range(node_count)]
        for u, v in sorted(self.released.keys() | self.withheld.keys()):
            withheld = self.withheld.get((u, v))
            cell = withheld[0] if withheld else self.released[(u, v)][0]
            cost = 0.0 if withheld else costs[cell]
            assert cost is not None
            step = self.steps[(u, v)] = _Step(cost, cell)
            self.neighbours[u].append((v, step))
            self.neighbours[v].append((u, step))

    def hide(self, e: int) -> None:
        self.hidden.add(e)
        pair = _pair(self.ends[e])
        cells = self.withheld.setdefault(pair, [])
        cells.append(e)
        step = self.steps[pair]
        step.cost, step.cell = 0.0, cells[0]

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
        own_pair = _pair((source, target))
        own = self.steps[own_pair]
        kept = own.cost, own.cell
        # The bridge's own pair, for this search, without the bridge (no step at all: an
        # infinite cost is never an improvement).
        avoiding = self.cheapest_between(own_pair, bridge)
        own.cost, own.cell = avoiding if avoiding is not None else (float("inf"), -1)
        try:
            reached_by = self._search(source, target)
        finally:
            own.cost, own.cell = kept
        if reached_by is None:
            return None
        path: list[int] = []
        node = target
        while node != source:
            node, e = reached_by[node]
            path.append(e)
        return path

    def _search(self, source: int, target: int) -> dict[int, tuple[int, int]] | None:
        neighbours = self.neighbours
        best = [float("inf")] * self.node_count
        best[source] = 0.0
        reached_by: dict[int, tuple[int, int]] = {}
        queue: list[tuple[float, int]] = [(0.0, source)]
        done = [False] * self.node_count
        pop, push = heapq.heappop, heapq.heappush
        while queue:
            distance, node = pop(queue)
            if done[node]:
                continue
            done[node] = True
            if node == target:
                return reached_by
            for nxt, step in neighbours[node]:
                if done[nxt]:
                    continue
                candidate = distance + step.cost
                if candidate < best[nxt]:
                    best[nxt] = candidate
                    reached_by[nxt] = (node, step.cell)
                    push(queue, (candidate, nxt))
        return None
