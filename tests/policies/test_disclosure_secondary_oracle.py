"""The rewrite of secondary suppression for national-size tables withholds exactly the cells
the earlier implementation did (kept in ``secondary_reference`` as the oracle), each for the
same bridge, on random graphs and on random grids with margins, and fails where it failed."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.disclosure.secondary import Edge, complementary_cells
from tests.policies import secondary_reference

costs_strategy = st.one_of(
    st.none(), st.just(0.0), st.integers(-2, 6).map(float), st.floats(0.5, 50.0))


def outcome(function: object, node_count: int, ends: Sequence[Edge], withheld: list[int],
            costs: list[float | None]) -> tuple[str, object]:
    calls = []

    def costed() -> list[float | None]:
        calls.append(1)
        return costs

    try:
        added = function(node_count, ends, withheld, costed)  # type: ignore[operator]
    except ValueError as error:
        return "error", (str(error), len(calls))
    return "added", (list(added.items()), len(calls))


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[Edge], list[int], list[float | None]]:
    node_count = draw(st.integers(2, 9))
    node = st.integers(0, node_count - 1)
    ends = draw(st.lists(st.tuples(node, node), min_size=1, max_size=30))
    withheld = draw(st.lists(st.integers(0, len(ends) - 1), max_size=len(ends)))
    costs = draw(st.lists(costs_strategy, min_size=len(ends), max_size=len(ends)))
    return node_count, ends, withheld, costs


@st.composite
def grids(draw: st.DrawFn) -> tuple[int, list[Edge], list[int], list[float | None]]:
    """A table's graph as ``tables`` builds it: cells, row totals, column totals, grand total."""
    rows, columns = draw(st.integers(1, 12)), draw(st.integers(1, 6))
    total_row, total_col = rows, rows + 1 + columns
    ends = [(i, rows + 1 + j) for i in range(rows) for j in range(columns)]
    ends += [(i, total_col) for i in range(rows)]
    ends += [(total_row, rows + 1 + j) for j in range(columns)]
    ends.append((total_row, total_col))
    withheld = draw(st.lists(st.integers(0, len(ends) - 1), max_size=len(ends) // 2))
    costs = draw(st.lists(costs_strategy, min_size=len(ends), max_size=len(ends)))
    return total_col + 1, ends, withheld, costs


@settings(max_examples=1500, deadline=None)
@given(graphs())
def test_the_same_cells_are_withheld_on_any_graph(
        graph: tuple[int, list[Edge], list[int], list[float | None]]) -> None:
    assert outcome(complementary_cells, *graph) == outcome(
        secondary_reference.complementary_cells, *graph)


@settings(max_examples=800, deadline=None)
@given(grids())
def test_the_same_cells_are_withheld_in_any_table(
        graph: tuple[int, list[Edge], list[int], list[float | None]]) -> None:
    assert outcome(complementary_cells, *graph) == outcome(
        secondary_reference.complementary_cells, *graph)
