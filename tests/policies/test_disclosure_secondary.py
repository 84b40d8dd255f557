"""Secondary suppression: nothing withheld can be recovered exactly from what is released.

The checker here is independent of the production algorithm: it writes down the linear
equations of the released table, moves the released figures to the right-hand side, and asks
with exact (Fraction) Gaussian elimination whether any withheld unknown is pinned down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.disclosure import (
    Count,
    CountTable,
    Released,
    ReleasedTable,
    apply_rules_to_series,
    smallest_released_count,
    suppress_table,
)
from policies.disclosure.aggregates import aggregate_objection
from policies.rules import DisclosureRules, Marker

Equation = dict[str, int]


def recoverable(equations: Sequence[Equation], unknowns: set[str]) -> set[str]:
    """The unknowns whose value the equations fix, given every other variable is known."""
    order = sorted(unknowns)
    rows = [[Fraction(eq.get(name, 0)) for name in order] for eq in equations]
    pivots: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = _reduce(row, pivots)
        lead = next((k for k, x in enumerate(row) if x != 0), None)
        if lead is not None:
            pivots.append((lead, [x / row[lead] for x in row]))
    found = set()
    for k, name in enumerate(order):
        unit = [Fraction(int(i == k)) for i in range(len(order))]
        if not any(_reduce(unit, pivots)):
            found.add(name)
    return found


def _reduce(row: list[Fraction], pivots: list[tuple[int, list[Fraction]]]) -> list[Fraction]:
    row = list(row)
    for lead, pivot in pivots:
        if row[lead] != 0:
            factor = row[lead]
            row = [x - factor * p for x, p in zip(row, pivot, strict=True)]
    return row


def table_equations(values: Sequence[Sequence[int | None]]) -> list[Equation]:
    """Row, column and grand-total equations over the supplied cells of a grid."""
    n_rows, n_cols = len(values), len(values[0])
    equations: list[Equation] = []
    row_has = [any(v is not None for v in line) for line in values]
    col_has = [any(values[i][j] is not None for i in range(n_rows)) for j in range(n_cols)]
    for i in range(n_rows):
        if row_has[i]:
            eq = {f"{i},{j}": 1 for j in range(n_cols) if values[i][j] is not None}
            equations.append(eq | {f"r{i}": -1})
    for j in range(n_cols):
        if col_has[j]:
            eq = {f"{i},{j}": 1 for i in range(n_rows) if values[i][j] is not None}
            equations.append(eq | {f"c{j}": -1})
    if any(row_has):
        equations.append({f"r{i}": 1 for i in range(n_rows) if row_has[i]} | {"g": -1})
        equations.append({f"c{j}": 1 for j in range(n_cols) if col_has[j]} | {"g": -1})
    return equations


def table_released(out: ReleasedTable) -> dict[str, Released]:
    named = {f"{i},{j}": c for i, line in enumerate(out.cells) for j, c in enumerate(line)}
    named |= {f"r{i}": c for i, c in enumerate(out.row_totals)}
    named |= {f"c{j}": c for j, c in enumerate(out.column_totals)}
    return named | {"g": out.grand_total}


def withheld_names(released: Mapping[str, Released]) -> set[str]:
    return {name for name, value in released.items() if value.is_suppressed}


rules_strategy = st.builds(
    DisclosureRules,
    min_cell_count=st.integers(2, 10),
    rounding_base=st.integers(1, 10),
    min_contributors=st.integers(1, 4),
    dominance_share=st.sampled_from([0.34, 0.5, 0.6, 0.75, 0.9, 1.0]),
    rate_decimals=st.integers(0, 2),
)
cell_strategy = st.one_of(
    st.none(), st.integers(0, 12), st.integers(0, 12), st.integers(0, 12), st.integers(0, 300)
)


@st.composite
def grids(draw: st.DrawFn) -> list[list[int | None]]:
    n_rows, n_cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return [[draw(cell_strategy) for _ in range(n_cols)] for _ in range(n_rows)]


def make_table(values: Sequence[Sequence[int | None]]) -> CountTable:
    rows = [f"E0{i}" for i in range(len(values))]
    return CountTable.of(rows, [f"k{j}" for j in range(len(values[0]))], values)


@settings(max_examples=400, deadline=None)
@given(grids(), rules_strategy)
def test_no_withheld_table_cell_is_recoverable(
    values: list[list[int | None]], rules: DisclosureRules
) -> None:
    released = table_released(suppress_table(make_table(values), rules))
    hidden = withheld_names(released)
    assert recoverable(table_equations(values), hidden) == set()


@settings(max_examples=300, deadline=None)
@given(grids(), rules_strategy)
def test_released_table_counts_are_safe_multiples_of_the_base(
    values: list[list[int | None]], rules: DisclosureRules
) -> None:
    out = suppress_table(make_table(values), rules)
    floor = smallest_released_count(rules)
    for line, released_line in zip(values, out.cells, strict=True):
        for value, released in zip(line, released_line, strict=True):
            if value is None:
                assert released.value is Marker.NOT_AVAILABLE
                continue
            assert released.value is not Marker.NOT_AVAILABLE
            if 0 < value < rules.min_cell_count:
                assert released.is_suppressed
            if released.is_number:
                assert released.number % rules.rounding_base == 0
                assert released.number == 0 or released.number >= max(floor, 1)
                assert (released.number == 0) == (value == 0)
    for total in (*out.row_totals, *out.column_totals, out.grand_total):
        if total.is_number:
            assert total.number % rules.rounding_base == 0
            assert total.number == 0 or total.number >= rules.min_cell_count


@settings(max_examples=300, deadline=None)
@given(grids(), rules_strategy)
def test_released_column_totals_respect_the_aggregate_rules(
    values: list[list[int | None]], rules: DisclosureRules
) -> None:
    out = suppress_table(make_table(values), rules)
    for j, total in enumerate(out.column_totals):
        parts = [v for v in (line[j] for line in values) if v is not None]
        if total.is_number:
            assert len(parts) >= rules.min_contributors
            assert aggregate_objection([float(p) for p in parts], rules) is None
            assert sum(parts) == 0 or max(parts) <= rules.dominance_share * sum(parts)


@settings(max_examples=300, deadline=None)
@given(grids(), rules_strategy)
def test_reapplying_the_rules_to_a_released_table_changes_nothing(
    values: list[list[int | None]], rules: DisclosureRules
) -> None:
    out = suppress_table(make_table(values), rules)
    assert suppress_table(out.as_input(), rules) == out
    assert suppress_table(make_table(values), rules) == out


series_strategy = st.lists(cell_strategy, min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(series_strategy, st.integers(1, 4), rules_strategy)
def test_no_withheld_series_figure_is_recoverable(
    values: list[int | None], n_groups: int, rules: DisclosureRules
) -> None:
    las = [f"E{i:02d}" for i in range(len(values))]
    groups = {f"R{g}": las[g::n_groups] for g in range(min(n_groups, len(las)))}
    out = apply_rules_to_series(dict(zip(las, map(Count, values), strict=True)), rules, groups)
    supplied = {la for la, v in zip(las, values, strict=True) if v is not None}
    live = {g: [la for la in m if la in supplied] for g, m in groups.items()}
    equations = [{la: 1 for la in m} | {g: -1} for g, m in live.items() if m]
    if supplied:
        equations.append({g: 1 for g, m in live.items() if m} | {"total": -1})
        equations.append({la: 1 for la in supplied} | {"total": -1})
    released = dict(out.values) | dict(out.group_totals) | {"total": out.total}
    assert recoverable(equations, withheld_names(released)) == set()
    for la, value in zip(las, values, strict=True):
        if value is not None and 0 < value < rules.min_cell_count:
            assert out.values[la].is_suppressed
        if value is None:
            assert out.values[la].value is Marker.NOT_AVAILABLE
    again = apply_rules_to_series(dict(out.values), rules, groups, carried=out)
    assert again == out


@settings(max_examples=300, deadline=None)
@given(series_strategy, rules_strategy)
def test_a_single_withheld_value_never_stands_alone_beside_a_released_total(
    values: list[int | None], rules: DisclosureRules
) -> None:
    las = [f"E{i:02d}" for i in range(len(values))]
    out = apply_rules_to_series(dict(zip(las, map(Count, values), strict=True)), rules)
    hidden = [v for v in out.values.values() if v.is_suppressed]
    assert len(hidden) != 1 or out.total.is_suppressed


@st.composite
def fte_grids(draw: st.DrawFn) -> tuple[list[list[float]], list[list[int]]]:
    n_rows, n_cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    people = [[draw(st.integers(0, 15)) for _ in range(n_cols)] for _ in range(n_rows)]
    fte = [[p * draw(st.sampled_from([0.5, 0.8, 1.0])) for p in line] for line in people]
    return fte, people


@settings(max_examples=200, deadline=None)
@given(fte_grids(), rules_strategy)
def test_fte_tables_are_governed_by_headcounts(
    grid: tuple[list[list[float]], list[list[int]]], rules: DisclosureRules
) -> None:
    fte, people = grid
    table = CountTable.of(
        [f"E{i}" for i in range(len(fte))], [f"k{j}" for j in range(len(fte[0]))], fte, people
    )
    out = suppress_table(table, rules)
    for heads, line in zip(people, out.cells, strict=True):
        for head, released in zip(heads, line, strict=True):
            if 0 < head < rules.min_cell_count:
                assert released.is_suppressed
            if released.is_number:
                assert released.number % rules.rounding_base == 0
                assert (released.number == 0) == (head == 0)
    equations = table_equations([[1 for _ in line] for line in fte])
    assert recoverable(equations, withheld_names(table_released(out))) == set()
    assert suppress_table(out.as_input(), rules) == out
