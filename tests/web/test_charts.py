"""Charts and tables: SVG that stands alone in a page, text alternatives, markers as notes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from hub.web import charts
from hub.web.tables import Table, format_value
from policies.measures import Unit

SVG = "{http://www.w3.org/2000/svg}"
ROWS = (("Camden", 12.4, "12.4%"), ("Hackney", None, "c"), ("Islington", 20.0, "20.0%"))


def test_a_bar_chart_is_accessible_svg_with_ids_of_its_own():
    chart = charts.bars("rate", "Agency worker rate", Unit.PERCENT, ROWS,
                        frozenset({"Camden"}))
    root = ET.fromstring(str(chart.svg))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "rate-title rate-desc"
    assert root.find(f"{SVG}title").text == "Agency worker rate"
    assert root.find(f"{SVG}desc").text == (
        "Agency worker rate: 2 figures, highest Islington at 20.0%, lowest Camden at 12.4%; "
        "1 withheld or not available.")
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert ids and all(i.startswith("rate-") for i in ids)
    assert root.get("width") is None  # scales to its box
    assert "<script" not in str(chart.svg)


def test_two_charts_on_one_page_share_no_id():
    first = charts.bars("one", "A", Unit.PERCENT, ROWS)
    second = charts.bars("two", "A", Unit.PERCENT, ROWS)
    ids = re.findall(r'\bid="([^"]+)"', f"{first.svg}{second.svg}")
    assert len(ids) == len(set(ids))


def test_a_line_chart_describes_each_series_and_leaves_gaps():
    chart = charts.lines("trend", "Vacancy rate over time", Unit.PERCENT,
                         ("2024-Q1", "2024-Q2", "2024-Q3"),
                         (("Camden", (20.0, None, 24.1)), ("London", (None, None, None))))
    assert chart.description == ("Vacancy rate over time, 2024-Q1 to 2024-Q3: Camden from 20.0% "
                                 "in 2024-Q1 to 24.1% in 2024-Q3; London not available.")
    ET.fromstring(str(chart.svg))


def test_a_chart_of_nothing_says_so():
    chart = charts.bars("none", "Breaches", Unit.COUNT, (("Camden", None, "x"),))
    assert chart.description == "Breaches: no figure can be shown (1 withheld or not available)."


@pytest.mark.parametrize("value, unit, text", [
    (12.345, Unit.PERCENT, "12.3%"), (1234.56, Unit.FTE, "1,234.6"),
    (1234.0, Unit.HEADCOUNT, "1,234"), (14.25, Unit.CASES_PER_FTE, "14.2"),
    (None, Unit.COUNT, ""),
])
def test_values_are_formatted_by_unit(value, unit, text):
    assert format_value(value, unit) == text


def test_markers_share_numbered_notes_by_reason():
    table = Table("t", ["Area", "Rate"])
    first = table.figure({"value": None, "marker": "c", "reason": "small"}, "agency_rate")
    second = table.figure({"value": None, "marker": "x", "reason": "not permitted"},
                          "agency_rate")
    again = table.figure({"value": None, "marker": "c", "reason": "small"}, "agency_rate")
    number = table.figure({"value": 12.0, "marker": None, "reason": None}, "agency_rate")
    assert (first.note, second.note, again.note, number.note) == (1, 2, 1, None)
    assert table.notes == ["small", "not permitted"]
    assert number.text == "12.0%" and first.text == "c"
    assert table.figure(None, "agency_rate").marker == "x"


def test_a_withheld_bar_and_a_zero_bar_do_not_look_alike():
    chart = charts.bars("zero", "Breaches", Unit.COUNT,
                        (("Camden", 0.0, "0"), ("Hackney", None, "c"), ("Brent", None, "x"),
                         ("Ealing", 4.0, "4")))
    texts = [t.text.strip() for t in ET.fromstring(str(chart.svg)).iter(f"{SVG}text")
             if t.text]
    assert "c: withheld" in texts and "x: not available" in texts
    assert "0" in texts
