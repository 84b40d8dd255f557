"""`hub report`: the governance pack as HTML and PDF, with every section and the right figures."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from hub.benchmarks.extension import get_benchmarks
from hub.decisions.store import get_policy_store
from hub.identity.tokens import Principal
from hub.web.reading import Reading
from hub.web.report import SECTIONS
from tests.web.conftest import LONDON, PERIOD


def pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext reads it (pypdf where poppler is not installed)."""
    try:
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True, timeout=60).stdout
    except FileNotFoundError:
        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def london_answer(app, measure: str) -> dict:
    """London's benchmark of ``measure``, read through the service as the region."""
    with app.app_context(), app.extensions["hub.db"].sessions() as session:
        reading = Reading(session, get_benchmarks(app), get_policy_store(app).current(),
                          Principal("test", LONDON, "region", frozenset(), "t", 0))
        answer = reading.one(measure, PERIOD)
        assert answer is not None
        return answer


def expected_figures(app) -> list[str]:
    """Figures the pack must show: London's and England's agency rate, and LA conversions."""
    rate = london_answer(app, "agency_rate")
    london = next(r for r in rate["regions"] if r["code"] == LONDON)
    figures = [f"{london['value']:.1f}%", f"{rate['national']['value']:.1f}%"]
    conversions = london_answer(app, "agency_conversions")
    figures += [f"{la['value']:,.0f}" for la in conversions["local_authorities"]
                if la["value"] is not None][:3]
    return figures


def breaches_by_type_rows(app) -> list[str]:
    """Rows of the pack's breaches-by-type table as its text reads: a few LAs whose figures
    are all released (a marker would read with its note's number) and whose names fit on
    one line."""
    split = london_answer(app, "mou_breaches")["breakdown"]

    def text(figure: dict) -> str:
        return f"{figure['value']:,.0f}"

    whole = [r for r in split["local_authorities"] if len(r["name"]) < 12
             and all(c["value"] is not None for c in (r["total"], *r["cells"].values()))]
    assert whole, "some LA's breaches by type should be released in full"
    return [" ".join([r["name"], *(text(r["cells"][c]) for c in split["categories"]),
                      text(r["total"])]) for r in whole[:3]]


def test_the_pack_has_every_section_and_the_right_figures(web_app, runner_for, tmp_path,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner_for(web_app).invoke(args=["report", "--region", LONDON,
                                              "--period", PERIOD])
    assert result.exit_code == 0, result.output
    html = (tmp_path / f"governance-pack-{LONDON}-{PERIOD}.html").read_text()
    pdf = tmp_path / f"governance-pack-{LONDON}-{PERIOD}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdf_text(pdf)
    for _, heading in SECTIONS:
        assert heading in html and heading in text, heading
    for figure in expected_figures(web_app):
        assert figure in text, figure
    assert "32 of 33 local authorities have supplied data for 2024-Q4." in " ".join(
        text.split())
    assert "Westminster" in text and "not yet" in text
    assert "Breaches by type" in text and "not yet released" not in text
    for heading in ("Price cap", "Non-solicitation", "Notice period", "References", "Other",
                    "Type not given"):
        assert heading in text, heading
    for row in breaches_by_type_rows(web_app):
        assert row in " ".join(text.split()), row
    assert "Newcastle upon Tyne" not in text  # another region's LA
    assert html.count('role="img"') >= 7 and "<script" not in html


@pytest.mark.parametrize("name", ["pack.html", "pack.pdf"])
def test_one_file_is_written_when_named(web_app, runner_for, tmp_path, name):
    out = tmp_path / "out"
    result = runner_for(web_app).invoke(args=["report", "--region", LONDON, "-o",
                                              str(out / name)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == [name]
    assert f"wrote {out / name}" in result.output


@pytest.mark.parametrize("args, message", [
    (["--region", "E12000099"], "No region has the code 'E12000099'."),
    (["--region", "E09000007"], "No region has the code 'E09000007'."),
    (["--region", LONDON, "--period", "2031-Q1"], "No figures for the period '2031-Q1'."),
    (["--region", LONDON, "-o", "pack.docx"], "the output file must end in .pdf or .html."),
])
def test_bad_arguments_say_what_is_wrong(web_app, runner_for, args, message):
    result = runner_for(web_app).invoke(args=["report", *args])
    assert result.exit_code != 0
    assert message in result.output
