"""Every table of the dashboard as CSV or XLSX: the figures as the page shows them, a marker
in place of a withheld figure with its reason in the row's notes, nothing before the header
row (a spreadsheet reads the first row as the columns' names)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook

from hub.web.breakdowns import ByCategory
from hub.web.panels import Panel
from hub.web.tables import Cell, Table

FORMATS = {"csv": "text/csv",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def items_in(content: Any) -> Iterator[Panel | Table]:
    """Every chart (as its Panel) and table of a page's content (its dict of tables, panels,
    lists of panels) in the order the page shows them."""
    if isinstance(content, Panel | Table):
        yield content
    elif isinstance(content, ByCategory):
        yield content.table
        yield content.panel
    elif isinstance(content, dict):
        for value in content.values():
            yield from items_in(value)
    elif isinstance(content, list | tuple):
        for value in content:
            yield from items_in(value)


def tables_in(content: Any) -> Iterator[Table]:
    """Every Table in a page's content, a chart's own table included."""
    for item in items_in(content):
        yield item.table if isinstance(item, Panel) else item


def find(content: Any, slug: str) -> Table | None:
    """The table of ``content`` whose slug is ``slug``."""
    return next((t for t in tables_in(content) if t.slug == slug), None)


#: A cell starting with one of these is read by spreadsheet programs as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(text: str) -> str:
    # Text (an audit event's target, say) is shown as text, never run as a formula: the
    # apostrophe is how spreadsheets mark a cell as text (OWASP's advice for CSV injection).
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _value(cell: Cell) -> str | float:
    # The number as the page rounds it (12.4%, not 12.4138...), or the marker in its place.
    if cell.marker:
        return cell.marker
    if cell.value is None:
        return _text(cell.text)
    text = cell.text.replace(",", "").rstrip("%")
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return _text(cell.text)


def _rows(table: Table) -> Iterable[list[str | float]]:
    yield [*table.columns, "Notes"]
    for label, cells in table.rows:
        notes = "; ".join(f"{column}: {c.marker} ({c.reason})" for column, c in
                          zip(table.columns[1:], cells, strict=False) if c.marker)
        yield [_text(label), *(_value(c) for c in cells), notes]


def to_csv(table: Table) -> bytes:
    """The table as CSV (UTF-8 with a byte-order mark, which Excel needs to read it as such)."""
    out = io.StringIO()
    csv.writer(out).writerows(_rows(table))
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(table: Table) -> bytes:
    """The table as one worksheet, its caption as the sheet's title property."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = (table.slug or "figures")[:31]
    for row in _rows(table):
        sheet.append(row)
    book.properties.title = table.caption
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(table: Table, fmt: str) -> bytes:
    """The table in ``fmt`` (csv or xlsx)."""
    return to_csv(table) if fmt == "csv" else to_xlsx(table)
