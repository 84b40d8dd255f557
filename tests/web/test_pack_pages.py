"""The governance pack as a board reads it: every page of the PDF drawn (pdftoppm) and looked
at, and the editable copy opened as Word would."""

from __future__ import annotations

import io
import re
import subprocess
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
