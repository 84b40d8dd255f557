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
from collections.abc import Iterable, Sequence

from policies.disclosure.primary import release_count
from policies.disclosure.released import SECONDARY, Count, Released, Supplied, withheld
from policies.rules import DisclosureRules

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
    costs: Sequence[float | None],
) -> dict[int, int]:
    """Cells to withhold besides ``withheld`` so no withheld cell is a bridge, each mapped to
    the cell it was added to protect.

    ``costs[e]`` is what withholding released cell ``e`` loses (None: ``e`` cannot be withheld,
    it is not part of any equation). Repeatedly takes the first bridge and withholds the
    cheapest path of cells joining its two ends without it (already withheld cells cost
    nothing), which puts it on a cycle. Greedy, not a minimum-cost solution, but deterministic.
    """
    hidden = set(withheld)
    added: dict[int, int] = {}
    adjacent: list[list[tuple[int, int]]] = [[] for _ in range(node_count)]
    for e, (u, v) in enumerate(ends):
        if e in hidden or costs[e] is not None:
            adjacent[u].append((v, e))
            adjacent[v].append((u, e))
    while True:
        found = bridges(node_count, ends, hidden)
        if not found:
            return added
        bridge = found[0]
        path = _cheapest_path(adjacent, ends, bridge, hidden, costs)
        if path is None:
            raise ValueError(f"cell {bridge} is determined by the table's structure itself")
        for e in path:
            if e not in hidden:
                hidden.add(e)
                added[e] = bridge


def _cheapest_path(
    adjacent: list[list[tuple[int, int]]],
    ends: Sequence[Edge],
    bridge: int,
    hidden: set[int],
    costs: Sequence[float | None],
) -> list[int] | None:
    source, target = ends[bridge]
    best: dict[int, float] = {source: 0.0}
    reached_by: dict[int, int] = {}
    queue: list[tuple[float, int]] = [(0.0, source)]
    done: set[int] = set()
    while queue:
        distance, node = heapq.heappop(queue)
        if node in done:
            continue
        done.add(node)
        if node == target:
            break
        for nxt, e in adjacent[node]:
            if e == bridge or nxt in done:
                continue
            cost = 0.0 if e in hidden else costs[e]
            if cost is None:
                continue
            candidate = distance + cost
            if candidate < best.get(nxt, float("inf")):
                best[nxt] = candidate
                reached_by[nxt] = e
                heapq.heappush(queue, (candidate, nxt))
    if target not in done:
        return None
    path: list[int] = []
    node = target
    while node != source:
        e = reached_by[node]
        path.append(e)
        u, v = ends[e]
        node = u if v == node else v
    return path


def release_cells(
    node_count: int,
    ends: Sequence[Edge],
    figures: Sequence[Supplied],
    objections: Sequence[str | None],
    labels: Sequence[str],
    rules: DisclosureRules,
) -> list[Released]:
    """Every cell of a linked table released: primary suppression and rounding, withholding
    where ``objections`` (aggregate rules) say so, then complementary suppression."""
    released = [
        withheld(objection) if objection else release_count(figure, rules)
        for figure, objection in zip(figures, objections, strict=True)
    ]
    costs = [_cost(figure) for figure in figures]
    # A withheld zero hides almost nothing (beside a small cell it pins that cell to the line
    # total), so zeros are the last choice as complements, after any non-zero cell.
    penalty = 1 + sum(c for c in costs if c is not None)
    costs = [penalty if c == 0 else c for c in costs]
    hidden = [e for e, value in enumerate(released) if value.is_suppressed]
    for e, protected in complementary_cells(node_count, ends, hidden, costs).items():
        released[e] = withheld(f"{SECONDARY}: protects {labels[protected]}")
    return released


def total_of(figures: Iterable[Supplied]) -> Count:
    """The sum of the supplied figures, governed by the sum of their governing figures."""
    value = 0.0
    governing = 0.0
    supplied = False
    for figure in figures:
        count = as_count(figure)
        if count.value is None:
            continue
        supplied = True
        value += count.value
        governing += count.value if count.people is None else count.people
    return Count(value, governing) if supplied else Count(None)


def as_count(figure: Supplied) -> Count:
    """``figure`` as a Count to sum into a total; ValueError for a withheld figure."""
    if isinstance(figure, Count):
        return figure
    if figure.is_number:
        return Count(figure.number)
    if figure.is_suppressed:
        raise ValueError("a total over withheld figures must be carried from their release")
    return Count(None)


def _cost(figure: Supplied) -> float | None:
    if isinstance(figure, Count):
        return figure.value
    return figure.number if figure.is_number else None
