"""Tables of figures as pages and the pack show them: numbers formatted by unit, markers with
their reasons numbered as notes, so a reason is readable on paper as well as on hover."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.benchmarks.numbers import decimals, to_places
from policies.measures import MEASURES, Unit

#: What each of DfE's markers stands for, for the legend under every table that uses one.
MARKERS = {"c": "confidential: withheld by disclosure control",
           "x": "not available: not supplied, or not permitted",
           "z": "not applicable"}


def format_value(value: float | None, unit: Unit) -> str:
    """A released number as a reader expects it, to the same places as the API gives it:
    12.4%, 230.5 FTE, 14."""
    if value is None:
        return ""
    places = decimals(unit)
    text = f"{to_places(value, places):,.{places}f}"
    return f"{text}%" if unit is Unit.PERCENT else text


@dataclass(frozen=True)
class Cell:
    """One figure: its text, its number (None when a marker stands in), and its note."""

    text: str
    value: float | None = None
    marker: str | None = None
    reason: str | None = None
    note: int | None = None
    emphasis: bool = False


@dataclass
class Table:
    """A captioned table whose markers' reasons are collected as numbered notes."""

    caption: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    slug: str = ""
    #: The measures whose figures it holds: their definitions are shown beside it.
    measures: tuple[str, ...] = ()

    def figure(self, shown: dict[str, Any] | None, measure: str, emphasis: bool = False
               ) -> Cell:
        """The cell of a figure as the benchmark service answers it (value, marker, reason)."""
        if shown is None:
            return self.marker("x", "not available: no figures for this period", emphasis)
        if shown.get("marker"):
            return self.marker(shown["marker"], shown.get("reason") or MARKERS[shown["marker"]],
                               emphasis)
        value = shown.get("value")
        return Cell(format_value(value, MEASURES[measure].unit), value, emphasis=emphasis)

    def marker(self, marker: str, reason: str, emphasis: bool = False) -> Cell:
        """A marker cell whose reason becomes (or reuses) a numbered note."""
        if reason not in self.notes:
            self.notes.append(reason)
        return Cell(marker, None, marker, reason, self.notes.index(reason) + 1, emphasis)

    def add(self, label: str, cells: list[Cell]) -> None:
        self.rows.append((label, cells))

    def column(self, index: int) -> list[tuple[str, Cell]]:
        """Each row's label with its cell in column ``index`` (the first figure column is 0)."""
        return [(label, cells[index]) for label, cells in self.rows]

    @property
    def markers(self) -> list[tuple[str, str]]:
        """The markers this table uses, with their meaning, for its legend."""
        used = sorted({c.marker for _, cells in self.rows for c in cells if c.marker})
        return [(m, MARKERS[m]) for m in used]
