"""The governance pack as an editable Word document (python-docx), for the meeting's own
papers: the same cover facts, summary, commentary, charts and tables as the PDF. Each chart is
a PNG drawn by the same code as the pages' SVG, its title above it and its table after it, and
the definitions of the measures close the document as they close the PDF."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt
from PIL import Image
from sqlalchemy.orm import Session

from hub.web import charts, cover, downloads, report
from hub.web.definitions import Definition
from hub.web.models import PackCommentary
from hub.web.panels import Panel
from hub.web.reading import Reading
from hub.web.tables import Table

MARKERS = ("Markers: c confidential (withheld by disclosure control), x not available (not "
           "supplied, or not permitted), z not applicable. A zero is printed as 0.")
DEFINITIONS = "Definitions of the measures"
#: A4 with 2 cm margins; a chart is as wide as the text, or shorter when a tall one would not
#: fit on a page with its title, total and description.
TEXT_WIDTH, CHART_HEIGHT = Cm(17), Cm(19)


def _table(document: Any, table: Table) -> None:
    document.add_paragraph(table.caption, style="Caption").paragraph_format.keep_with_next = \
        True
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
    if table.measures:
        what = "this measure means" if len(table.measures) == 1 else "these measures mean"
        document.add_paragraph(f"What {what}: see {DEFINITIONS}, at the end.")


def _chart(document: Any, panel: Panel) -> None:
    """The chart's title, the region's total, the picture and its description, kept on one
    page; its table follows."""
    chart = panel.chart
    kept = [document.add_paragraph(chart.title, style="Heading 3")]
    if panel.total:
        label, cell = panel.total
        kept.append(document.add_paragraph())
        kept[-1].add_run(f"{label}: {cell.text}" + (f" ({cell.reason})" if cell.marker else "")
                         ).bold = True
    picture = charts.png(chart)
    with Image.open(io.BytesIO(picture)) as image:
        width, height = image.size
    kept.append(document.add_paragraph())
    size = {"width": TEXT_WIDTH} if TEXT_WIDTH * height / width <= CHART_HEIGHT \
        else {"height": CHART_HEIGHT}
    shape = kept[-1].add_run().add_picture(io.BytesIO(picture), **size)
    # The description is the picture's alternative text too, as screen readers read it.
    shape._inline.docPr.set("descr", chart.description)  # noqa: SLF001
    shape._inline.docPr.set("title", chart.title)  # noqa: SLF001
    for paragraph in kept:
        paragraph.paragraph_format.keep_with_next = True
    document.add_paragraph(chart.description)
    _table(document, panel.table)


def _definitions(document: Any, defined: list[Definition]) -> None:
    document.add_heading(DEFINITIONS, level=1)
    document.add_paragraph("What each measure in this pack means, where its figures come from "
                           "and which way is better: the hub's measure catalogue, which its "
                           "API also gives (GET /api/v1/measures).")
    for definition in defined:
        document.add_heading(definition.title, level=3)
        for key, value in definition.facts:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{key}: ").bold = True
            paragraph.add_run(value)


def build(session: Session, reading: Reading, region: tuple[str, str], period: str,
          known: list[str], commentary: dict[str, PackCommentary]) -> bytes:
    """The pack as a .docx document."""
    document = Document()
    page = document.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.left_margin = page.right_margin = page.top_margin = page.bottom_margin = Cm(2)
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
    shown: list[Any] = [change]
    for anchor, heading in report.SECTIONS:
        document.add_page_break()
        document.add_heading(heading, level=1)
        if anchor in commentary:
            document.add_heading("Programme manager's commentary", level=3)
            for text in commentary[anchor].text.split("\n\n"):
                document.add_paragraph(text)
        content = report.region_sections(session, reading, region, period, known, only=anchor)
        shown.append(content)
        if anchor == "collection":
            supplied = sum(1 for s in content["collection"] if s.revision)
            document.add_paragraph(f"{supplied} of {len(content['collection'])} local "
                                   f"authorities have supplied data for {period}.")
        for item in downloads.items_in(content):
            if isinstance(item, Panel):
                _chart(document, item)
            else:
                _table(document, item)
    document.add_page_break()
    _definitions(document, report.defined_in(shown))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
