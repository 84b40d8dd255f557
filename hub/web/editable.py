"""The governance pack as an editable Word document (python-docx), for the meeting's own
papers: the same cover facts, summary, commentary and tables as the PDF; each chart as its
title and text alternative, since its figures are in the table that follows it."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Pt
from sqlalchemy.orm import Session

from hub.web import cover, downloads, report
from hub.web.models import PackCommentary
from hub.web.panels import Panel
from hub.web.reading import Reading
from hub.web.tables import Table

MARKERS = ("Markers: c confidential (withheld by disclosure control), x not available (not "
           "supplied, or not permitted), z not applicable. A zero is printed as 0.")


def _table(document: Any, table: Table) -> None:
    document.add_paragraph(table.caption, style="Caption")
    grid = document.add_table(rows=1, cols=len(table.columns), style="Table Grid")
    for cell, heading in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = heading
        cell.paragraphs[0].runs[0].bold = True
    for label, cells in table.rows:
        row = grid.add_row().cells
        row[0].text = label
        for target, figure in zip(row[1:], cells, strict=False):
            target.text = f"{figure.marker} ({figure.note})" if figure.marker else figure.text
    for number, note in enumerate(table.notes, 1):
        document.add_paragraph(f"{number}. {note}")


def _panels(content: dict[str, Any]) -> list[Panel]:
    found: list[Panel] = []
    for value in content.values():
        if isinstance(value, Panel):
            found.append(value)
        elif isinstance(value, list):
            found += [v for v in value if isinstance(v, Panel)]
    return found


def build(session: Session, reading: Reading, region: tuple[str, str], period: str,
          known: list[str], commentary: dict[str, PackCommentary]) -> bytes:
    """The pack as a .docx document."""
    document = Document()
    page = document.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.header.paragraphs[0].text = cover.MARKING
    page.footer.paragraphs[0].text = cover.MARKING
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)
    basis = cover.basis(reading, period)
    document.add_heading(f"{region[1]}: quarterly governance pack", level=0)
    document.add_paragraph(f"Children's social-worker workforce, {period}. {cover.MARKING}: "
                           "for the members of the governance group and the parties to the "
                           "agreements; not for publication.")
    for key, value in (("Region", f"{region[1]} ({region[0]})"), ("Period", period),
                       ("Agreements", ", ".join(basis.agreements) or "none"),
                       ("Figures version", str(basis.figures_version or "none yet"))):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{key}: ").bold = True
        paragraph.add_run(value)
    document.add_heading("Disclosure rules behind these figures", level=2)
    for rule in basis.rules:
        document.add_paragraph(rule, style="List Bullet")
    document.add_paragraph(MARKERS)
    change, previous = cover.change_since_last_quarter(reading, region, period, known)
    document.add_page_break()
    document.add_heading(f"Summary: what changed since {previous or 'the last quarter'}", 1)
    _table(document, change)
    for anchor, heading in report.SECTIONS:
        document.add_page_break()
        document.add_heading(heading, level=1)
        if anchor in commentary:
            document.add_heading("Programme manager's commentary", level=3)
            for paragraph in commentary[anchor].text.split("\n\n"):
                document.add_paragraph(paragraph)
        content = report.region_sections(session, reading, region, period, known, only=anchor)
        for panel in _panels(content):
            document.add_paragraph(panel.chart.title, style="Heading 3")
            document.add_paragraph(panel.chart.description)
        for table in {id(t): t for t in downloads.tables_in(content)}.values():
            _table(document, table)
        if anchor == "collection":
            supplied = sum(1 for s in content["collection"] if s.revision)
            document.add_paragraph(f"{supplied} of {len(content['collection'])} local "
                                   f"authorities have supplied data for {period}.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
