"""A count's breakdown (breaches by type, FTE by role) in the reader's home region: released
as one table with the LAs' figures, and answered beside them. No I/O.

Only the home region's LAs are broken down: other regions' aggregates are released whole,
never by category. The reader's own LA is shown apart, unrounded, as its own figure is; so an
LA reader's column totals are those of the other LAs of its region. The table's totals are
released under the LAs' rules, but they add up to the region's total (with the reader's own
figure): where the region's total is withheld under its own rules, so are they.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from policies.disclosure import ReleasedTable, breakdown_columns, breakdown_table, suppress_table
from policies.disclosure.breakdowns import breakdown_row
from policies.disclosure.released import AGGREGATE, NOT_SUPPLIED, Released, withheld
from policies.measures import Measure
from policies.release.asking import shown
from policies.release.inputs import MeasureFigures
from policies.rules import DisclosureRules

Components = Mapping[str, float]
#: What the column totals are of, for a region reader and for an LA reader.
OF_REGION, OF_OTHERS = "region", "other local authorities of the region"
_FIGURE = ("value", "marker", "reason")
#: A total of the table where the region's total is withheld. It protects nothing the reader
#: cannot see (it may see each LA's row); it keeps the answer from contradicting itself.
WITH_REGION = withheld(f"{AGGREGATE}: withheld with the region's total")


def release_breakdown(measure: Measure, figures: MeasureFigures,
                      visible: Mapping[str, Components | None], rules: DisclosureRules,
                      withheld: Mapping[str, Released] | None = None) -> ReleasedTable:
    """The ``visible`` LAs' ``measure`` by its first breakdown dimension, as one table
    released under ``rules``; its row totals are the LAs' figures. ``withheld``: rows among
    ``visible`` whose figure the reader may not see (LA -> the refusal shown in each of its
    cells): counted in the column totals, and protected as small cells would be."""
    dimension = measure.breakdowns[0]
    given = {la: split[dimension] for la in visible
             if (split := figures.breakdowns.get(la)) and dimension in split}
    table = breakdown_table(measure, dimension, visible, given)
    if not withheld:
        return suppress_table(table, rules)
    released = suppress_table(table, rules, {la: v.reason for la, v in withheld.items()})
    rows = [withheld.get(la) for la in released.rows]
    return replace(
        released,
        cells=tuple(line if v is None else (v,) * len(line)
                    for line, v in zip(released.cells, rows, strict=True)),
        row_totals=tuple(t if v is None else v
                         for t, v in zip(released.row_totals, rows, strict=True)))


def answer(measure: Measure, figures: MeasureFigures, table: ReleasedTable,
           las: list[dict[str, Any]], own: dict[str, Any] | None, region_total: Released
           ) -> dict[str, Any]:
    """The breakdown as the API answers it: a row per LA, in the order of ``las`` (the LA
    list of the same answer), and the totals of the table's LAs unless ``region_total`` (as
    the same answer releases it) is withheld. ``own``: the LA reader's own figure (None for a
    region reader)."""
    dimension = measure.breakdowns[0]
    columns = table.columns
    index = {la: i for i, la in enumerate(table.rows)}
    rows = []
    for la in las:
        code = la["code"]
        if code in index:
            i = index[code]
            total = shown(table.row_totals[i])
            cells = {c: shown(v) for c, v in zip(columns, table.cells[i], strict=True)}
        elif la["own"] and own is not None:
            total, cells = _own_row(measure, dimension, figures, code, own)
        else:
            # Withheld from the reader: the LA list's marker, in every cell too.
            total = {k: la[k] for k in _FIGURE}
            cells = dict.fromkeys(columns, total)
        rows.append({"code": code, "name": la["name"], "own": la["own"], "total": total,
                     "cells": cells})
    column_totals, grand_total = list(table.column_totals), table.grand_total
    if own is None and region_total.is_number:
        # One figure, one value: the region's total is the figure its LA list gives, not the
        # table's own controlled sum (which rounds its cells apart and can differ by one).
        grand_total = region_total
    if not region_total.is_number:
        column_totals = [WITH_REGION if t.is_number else t for t in column_totals]
        grand_total = WITH_REGION if grand_total.is_number else grand_total
    return {
        "dimension": dimension,
        "categories": list(columns),
        "local_authorities": rows,
        "total": {"of": OF_REGION if own is None else OF_OTHERS,
                  "cells": {c: shown(v) for c, v in zip(columns, column_totals, strict=True)},
                  "value": shown(grand_total)},
    }


def _own_row(measure: Measure, dimension: str, figures: MeasureFigures, la: str,
             own: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The reader's own row, unrounded; refused or not supplied as its own figure is."""
    columns = breakdown_columns(dimension)
    if own["value"] is None:
        figure = {k: own[k] for k in _FIGURE}
        return figure, dict.fromkeys(columns, figure)
    given = figures.breakdowns.get(la, {}).get(dimension)
    cells = breakdown_row(measure, dimension, figures.las.get(la), given)
    return _plain(own["value"]), {
        c: shown(NOT_SUPPLIED) if cell.value is None else _plain(cell.value)
        for c, cell in zip(columns, cells, strict=True)}


def _plain(value: float) -> dict[str, Any]:
    return {"value": value, "marker": None, "reason": None}
