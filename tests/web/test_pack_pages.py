"""The governance pack as a board reads it: every page of the PDF drawn (pdftoppm) and looked
at, and the editable copy opened as Word would."""

from __future__ import annotations

import io
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from docx import Document
from PIL import Image

from hub.web.report import SECTIONS
from tests.web.conftest import PERIOD
from tests.web.test_pages import REGION_USER

#: A page with less ink than this share of its pixels, or fewer lines of text than
#: STUB_LINES besides its running header and footer, holds only a stub (a row, a footnote).
STUB_INK = 0.004
STUB_LINES = 4
CHART_INK = 0.03
#: A chart alone (a PNG of the editable copy) has at least this share of ink: a few lines.
PICTURE_INK = 0.01
DPI = 40


def _pages(pdf: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(pdf.with_suffix(""))],
                   check=True, timeout=120)
    return [Image.open(p).convert("L") for p in sorted(
        pdf.parent.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))]


def _ink(page: Image.Image) -> float:
    histogram = page.histogram()
    return sum(histogram[:200]) / (page.width * page.height)


def _text(pdf: Path, number: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number),
                           str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=60).stdout


@pytest.fixture
def pack(web_client, sign_in, tmp_path: Path) -> Path:
    sign_in(REGION_USER)
    response = web_client.get(f"/region/E12000007/pack.pdf?period={PERIOD}")
    assert response.status_code == 200
    path = tmp_path / "pack.pdf"
    path.write_bytes(response.data)
    return path


def test_every_page_of_the_pack_carries_content_its_marking_and_its_number(pack: Path):
    pages = _pages(pack)
    assert len(pages) >= 10
    texts = [_text(pack, n) for n in range(1, len(pages) + 1)]
    for number, (page, text) in enumerate(zip(pages, texts, strict=True), 1):
        assert _ink(page) > STUB_INK, f"page {number} holds only a stub ({_ink(page):.3f})"
        lines = [line for line in text.splitlines() if line.strip()
                 and "OFFICIAL-SENSITIVE" not in line and not line.strip().startswith("Page")]
        # A page of a chart has few lines of text (its labels are drawn) but much ink.
        assert len(lines) >= STUB_LINES or _ink(page) > CHART_INK, \
            f"page {number} holds only a stub: {lines}"
        assert text.count("OFFICIAL-SENSITIVE") >= 2, number  # top and bottom
        if number > 1:
            assert f"Page {number} of {len(pages)}" in text, number
    cover = " ".join(texts[0].split())
    assert "London: quarterly governance pack" in cover
    assert re.search(r"Agreements .*E12000007 v\d.* Figures version \d+", cover)
    assert "OFFICIAL-SENSITIVE: for the members of the governance group" in cover
    # The contents give each section's page, and the section starts there.
    contents = texts[1]
    for _, heading in SECTIONS:
        found = re.search(rf"{re.escape(heading)}[ .]*(\d+)\s*$", contents, re.M)
        assert found, heading
        assert heading in texts[int(found.group(1)) - 1].split("\n", 3)[-1], heading
    assert "Summary: what changed since 2024-Q3" in "".join(texts[2:4])


def test_each_chart_title_sits_on_its_charts_page_above_it(pack: Path):
    pages = _pages(pack)
    texts = [_text(pack, n) for n in range(1, len(pages) + 1)]
    titles = ["Agency worker rate by region, 2024-Q4", "MoU breaches recorded, London's LAs",
              "Agency worker rate over time"]
    for title in titles:
        found = [n for n, t in enumerate(texts) if title in " ".join(t.split())]
        assert found, title
        # The chart is drawn on its title's page (the title, its first words, above it).
        for number in found:
            assert _ink(pages[number]) > CHART_INK, (title, number + 1)


def test_the_editable_copy_has_the_cover_summary_sections_and_tables(web_client, sign_in):
    sign_in(REGION_USER)
    response = web_client.get(f"/region/E12000007/pack.docx?period={PERIOD}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.docx"')
    document = Document(io.BytesIO(response.data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for _, heading in SECTIONS:
        assert heading in headings
    assert document.sections[0].header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    assert len(document.tables) >= 8
    summary = document.tables[0]
    assert [c.text for c in summary.rows[0].cells] == ["Measure", "2024-Q3", "2024-Q4",
                                                       "Change"]


def _body(document) -> list[tuple[str, object]]:
    """The document's body in order: ("p", paragraph) and ("table", table)."""
    paragraphs = {p._p: p for p in document.paragraphs}
    grids = {t._tbl: t for t in document.tables}
    return [("p", paragraphs[e]) if e in paragraphs else ("table", grids[e])
            for e in document.element.body.iterchildren() if e in paragraphs or e in grids]


def test_the_editable_copy_draws_each_chart_above_its_table_with_its_title(web_client,
                                                                           sign_in):
    sign_in(REGION_USER)
    html = web_client.get(f"/region/E12000007/pack.html?period={PERIOD}").get_data(as_text=True)
    titles = [unescape(t) for t in re.findall(
        r'<figcaption class="[^"]*hub-panel__title">([^<]+)</figcaption>', html)]
    document = Document(io.BytesIO(web_client.get(
        f"/region/E12000007/pack.docx?period={PERIOD}").data))
    # One picture per chart of the PDF, each a PNG in the package.
    assert titles and len(document.inline_shapes) == len(titles)
    images = [r.target_part for r in document.part.rels.values() if "image" in r.reltype]
    assert len(images) == len(titles)
    for part in images:
        assert part.content_type == "image/png" and part.blob.startswith(b"\x89PNG")
        with Image.open(io.BytesIO(part.blob)) as image:
            picture = image.convert("L")
        # Drawn, not blank nor a block: bars or lines and their labels, sharp in print.
        assert picture.width >= 1000 and PICTURE_INK < _ink(picture) < 0.5
    body = _body(document)
    drawn = [i for i, (kind, p) in enumerate(body)
             if kind == "p" and p._p.xpath(".//w:drawing")]
    assert len(drawn) == len(titles)
    for at, title in zip(drawn, titles, strict=True):
        heading = next(p for kind, p in reversed(body[:at]) if p.style.name == "Heading 3")
        assert heading.text == title  # its title above it, kept with it
        assert heading.paragraph_format.keep_with_next
        described = body[at + 1][1]
        shape = body[at][1]._p.xpath(".//wp:docPr")[0]
        assert shape.get("descr") == described.text and shape.get("title") == title
        # Its table follows: caption, then the grid of the same figures.
        assert body[at + 2][1].style.name == "Caption" and body[at + 3][0] == "table"


def test_the_editable_copy_ends_with_the_definitions_of_its_measures(web_client, sign_in):
    sign_in(REGION_USER)
    document = Document(io.BytesIO(web_client.get(
        f"/region/E12000007/pack.docx?period={PERIOD}").data))
    texts = [p.text for p in document.paragraphs]
    at = texts.index("Definitions of the measures")
    assert document.paragraphs[at].style.name == "Heading 1"
    defined = [p.text for p in document.paragraphs[at:] if p.style.name == "Heading 3"]
    assert "Agency worker rate" in defined and "MoU breaches recorded" in defined
    facts = texts[at:]
    assert "Which way is better: Lower is better" in facts
    assert any(t.startswith("Source fields: DfE agency_fte, inpost_fte") for t in facts)
    # Each table of figures points to them; the data collection table has no measure.
    pointers = [t for t in texts[:at] if t.startswith("What th")]
    captions = [t for t in texts[:at] if t.startswith("Extracts received")]
    assert len(pointers) == len(document.tables) - len(captions)
