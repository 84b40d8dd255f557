"""A panel is a chart and the table of the same figures: every chart has its data beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hub.web import charts
from hub.web.tables import Cell, Table
from policies.measures import MEASURES

#: Picks one figure (value, marker, reason) out of a whole benchmark answer.
Pick = Callable[[dict[str, Any]], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    """A chart with its data table, and the total it is drawn apart from (a region's, say)."""

    chart: charts.Chart
    table: Table
    total: tuple[str, Cell] | None = None


def _bar_row(label: str, cell: Cell) -> tuple[str, float | None, str]:
    return label, cell.value, cell.text


def bar_panel(slug: str, title: str, measure: str,
              rows: Sequence[tuple[str, dict[str, Any] | None]],
              highlight: frozenset[str] = frozenset(), label: str = "Area") -> Panel:
    """Bars of ``measure``, one per (label, figure) row, with the table of the same figures
    (``label`` heads the column of the rows' labels)."""
    m = MEASURES[measure]
    table = Table(title, [label, m.title], slug=slug, measures=(measure,))
    for label, shown in rows:
        table.add(label, [table.figure(shown, measure, emphasis=label in highlight)])
    chart = charts.bars(slug, title, m.unit, tuple(_bar_row(label, c) for label, c in
                                                   table.column(0)), highlight)
    return Panel(chart, table)


def trend_panel(slug: str, title: str, measure: str, answers: list[dict[str, Any]],
                series: Sequence[tuple[str, Pick]]) -> Panel:
    """Lines of ``measure`` over the periods of ``answers``, one per (name, pick) series."""
    m = MEASURES[measure]
    table = Table(title, ["Period", *(name for name, _ in series)], slug=slug,
                  measures=(measure,))
    for answer in answers:
        table.add(answer["period"], [table.figure(pick(answer), measure) for _, pick in series])
    periods = tuple(answer["period"] for answer in answers)
    lines = tuple((name, tuple(cells[i].value for _, cells in table.rows))
                  for i, (name, _) in enumerate(series))
    return Panel(charts.lines(slug, title, m.unit, periods, lines), table)
