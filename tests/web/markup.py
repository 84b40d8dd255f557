"""Reading the dashboard's HTML in tests as a reader would: tables by id, as rows of text,
a marker cell read as its marker and its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Shown:
    """A cell as read: its text, and its marker's reason where a marker stands in it."""

    text: str
    reason: str | None = None


@dataclass
class Parsed:
    """A table: its caption, its column headings, and each row's heading and cells."""

    caption: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[Shown]]] = field(default_factory=list)

    def row(self, label: str) -> list[Shown]:
        return next(cells for heading, cells in self.rows if heading == label)

    def texts(self, label: str) -> list[str]:
        return [c.text for c in self.row(label)]


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, Parsed] = {}
        self._table: Parsed | None = None
        self._where: str | None = None  # caption, col, row, cell
        self._text: list[str] = []
        self._reason: str | None = None
        self._hidden = 0
        self._in_sup = False
        self._row: list[Shown] | None = None
        self._label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._table = Parsed()
            self.tables[a.get("id") or f"table-{len(self.tables)}"] = self._table
        if self._table is None:
            return
        if tag == "caption":
            self._start("caption")
        elif tag == "tr":
            self._row, self._label = [], ""
        elif tag == "th":
            self._start("col" if a.get("scope") == "col" else "row")
        elif tag == "td":
            self._start("cell")
        elif tag == "span" and "hub-marker" in (a.get("class") or "").split():
            self._reason = a.get("title")
        elif tag == "sup":
            self._in_sup = True

    def _start(self, where: str) -> None:
        self._where, self._text, self._reason = where, [], None

    def handle_endtag(self, tag: str) -> None:
        if self._table is None:
            return
        text = " ".join("".join(self._text).split())
        if tag == "sup":
            self._in_sup = False
        elif tag == "caption" and self._where == "caption":
            self._table.caption, self._where = text, None
        elif tag == "th" and self._where == "col":
            self._table.columns.append(text)
            self._where = None
        elif tag == "th" and self._where == "row":
            self._label, self._where = text, None
        elif tag == "td" and self._where == "cell" and self._row is not None:
            self._row.append(Shown(text, self._reason))
            self._where = None
        elif tag == "tr" and self._row is not None:
            if self._label or self._row:
                self._table.rows.append((self._label, self._row))
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._where and not self._in_sup:
            self._text.append(data)


def tables(page: str) -> dict[str, Parsed]:
    """Every table of ``page`` by its id (``table-N`` for one without)."""
    parser = _Tables()
    parser.feed(page)
    return parser.tables


@dataclass
class Defined:
    """The definitions folded beside a table or chart: each measure's title and its facts."""

    facts: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: str = ""


class _Order(HTMLParser):
    """The page's figures tables (by id) and definition blocks, in the order they come."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | Defined]] = []
        self._defined: Defined | None = None
        self._where: str | None = None  # summary, title, key, value
        self._text: list[str] = []
        self._title = self._key = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "table" and (a.get("id") or "").startswith("t-"):
            self.found.append(("table", a["id"] or ""))
        elif tag == "details" and "hub-definitions" in classes:
            self._defined = Defined()
        elif self._defined is None:
            return
        elif tag == "summary":
            self._start("summary")
        elif "hub-definition__title" in classes:
            self._start("title")
        elif tag in ("dt", "dd"):
            self._start("key" if tag == "dt" else "value")

    def _start(self, where: str) -> None:
        self._where, self._text = where, []

    def handle_endtag(self, tag: str) -> None:
        if self._defined is None:
            return
        text = " ".join("".join(self._text).split())
        if tag == "details":
            self.found.append(("defined", self._defined))
            self._defined = None
        elif tag == "summary" and self._where == "summary":
            self._defined.summary = text
        elif self._where == "title" and tag in ("p", "h3"):
            self._title = text
            self._defined.facts[text] = {}
        elif tag == "dt" and self._where == "key":
            self._key = text
        elif tag == "dd" and self._where == "value":
            self._defined.facts[self._title][self._key] = text
        else:
            return
        self._where = None

    def handle_data(self, data: str) -> None:
        if self._where:
            self._text.append(data)


def tables_and_definitions(page: str) -> list[tuple[str, str | Defined]]:
    """("table", id) and ("defined", Defined) in the order they come on ``page``."""
    parser = _Order()
    parser.feed(page)
    return parser.found
