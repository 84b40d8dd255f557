"""Disclosure control of a grid with margins: rows are contributing LAs, columns a breakdown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from policies.disclosure.linked import is_supplied, parts_of, release_cells, total_of
from policies.disclosure.released import Count, Released, Supplied
from policies.rules import DisclosureRules


@dataclass(frozen=True)
class CountTable:
    """Counts by row (LA) and column (breakdown category), with the margins to release.

    Totals are the sums of the supplied cells, as aggregates are over contributing LAs; a line
    with nothing supplied has an ``x`` total. Totals are given only when carried over from an
    earlier release of the same table (see ``ReleasedTable.as_input``).
    """

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Supplied, ...], ...]
    row_totals: tuple[Released, ...] | None = None
    column_totals: tuple[Released, ...] | None = None
    grand_total: Released | None = None

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.rows) or any(
            len(line) != len(self.columns) for line in self.cells
        ):
            raise ValueError("cells must have one line per row and one cell per column")
        carried = (self.row_totals, self.column_totals, self.grand_total)
        if any(t is None for t in carried) and any(t is not None for t in carried):
            raise ValueError("carry all the totals of an earlier release, or none")
        if self.row_totals is not None and len(self.row_totals) != len(self.rows):
            raise ValueError("one row total per row")
        if self.column_totals is not None and len(self.column_totals) != len(self.columns):
            raise ValueError("one column total per column")

    @classmethod
    def of(
        cls,
        rows: Sequence[str],
        columns: Sequence[str],
        values: Sequence[Sequence[float | None]],
        people: Sequence[Sequence[float | None]] | None = None,
    ) -> CountTable:
        """A table from plain values (None = not supplied) and, for FTE, the headcounts."""
        return cls(
            tuple(rows),
            tuple(columns),
            tuple(
                tuple(
                    Count(value, None if people is None else people[i][j])
                    for j, value in enumerate(line)
                )
                for i, line in enumerate(values)
            ),
        )


@dataclass(frozen=True)
class ReleasedTable:
    """A table as released: every cell and total a number or a marker with its reason."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Released, ...], ...]
    row_totals: tuple[Released, ...]
    column_totals: tuple[Released, ...]
    grand_total: Released

    def as_input(self) -> CountTable:
        """This release as the input of another pass, which must change nothing."""
        return CountTable(
            self.rows,
            self.columns,
            self.cells,
            self.row_totals,
            self.column_totals,
            self.grand_total,
        )


def suppress_table(
    table: CountTable, rules: DisclosureRules, withheld: Mapping[str, str] | None = None
) -> ReleasedTable:
    """``table`` with every cell and total released so that no withheld one can be recovered
    exactly from the released ones: primary, aggregate and secondary suppression, rounding.

    Column totals and the grand total are aggregates over the rows' LAs, so they also pass the
    contributor minimum and dominance limit; a row total is one LA's own sum. ``withheld``:
    rows (row -> the reason) whose cells and total are withheld whatever they are, counted in
    the column totals and protected by secondary suppression as small cells would be.
    """
    n_rows, n_cols = len(table.rows), len(table.columns)
    cells = [figure for line in table.cells for figure in line]
    objections: list[str | None] = [None] * (n_rows * n_cols)
    if table.row_totals is None:
        rows = [total_of(*parts_of(line), rules, False)[0] for line in table.cells]
        columns = [
            total_of(*parts_of(line[j] for line in table.cells), rules, True)
            for j in range(n_cols)
        ]
        grand = total_of(*parts_of(rows), rules, True)
        row_totals: list[Supplied] = list(rows)
        column_totals: list[Supplied] = [total for total, _ in columns]
        objections += [None] * n_rows
        objections += [objection for _, objection in columns] + [grand[1]]
        grand_total: Supplied = grand[0]
    else:
        assert table.column_totals is not None and table.grand_total is not None
        row_totals, column_totals = list(table.row_totals), list(table.column_totals)
        grand_total = table.grand_total
        objections += [None] * (n_rows + n_cols + 1)
    # Nodes: rows, the total row, columns, the total column. Edges: cells, then row totals,
    # column totals and the grand total, each joining its row node to its column node.
    total_row, total_col = n_rows, n_rows + 1 + n_cols
    ends = [(i, n_rows + 1 + j) for i in range(n_rows) for j in range(n_cols)]
    ends += [(i, total_col) for i in range(n_rows)]
    ends += [(total_row, n_rows + 1 + j) for j in range(n_cols)]
    ends.append((total_row, total_col))

    def label(e: int) -> str:
        row, column = ends[e]
        if row < n_rows and column < total_col:
            return f"the cell in row {table.rows[row]}, column {table.columns[column - n_rows - 1]}"
        if row < n_rows:
            return f"the total of row {table.rows[row]}"
        if column < total_col:
            return f"the total of column {table.columns[column - n_rows - 1]}"
        return "the grand total"

    figures = [*cells, *row_totals, *column_totals, grand_total]
    # A withheld row: its cells and its total, those that take part in the equations (a cell
    # not supplied is in none).
    forced = [
        (reason, [e for e in (*range(i * n_cols, (i + 1) * n_cols), n_rows * n_cols + i)
                  if is_supplied(figures[e])])
        for i, row in enumerate(table.rows)
        if withheld and (reason := withheld.get(row))
    ]
    released = release_cells(total_col + 1, ends, figures, objections, label, rules, forced)
    interior = n_rows * n_cols
    return ReleasedTable(
        table.rows,
        table.columns,
        tuple(tuple(released[i * n_cols : (i + 1) * n_cols]) for i in range(n_rows)),
        tuple(released[interior : interior + n_rows]),
        tuple(released[interior + n_rows : interior + n_rows + n_cols]),
        released[-1],
    )
