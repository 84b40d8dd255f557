"""Pages that fit a governance meeting: one figure one value, numbers for people, positions
said in one direction, totals apart from the LAs' bars."""

from __future__ import annotations

import re

from hub.web.report import SECTIONS
from policies.measures import MEASURES
from tests.web.conftest import LONDON, PERIOD
from tests.web.markup import tables
from tests.web.test_pages import LA_USER, REGION_USER, _api_answer

#: A figure as people read it: a whole number or one decimal place, maybe a per cent.
FORMATTED = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d)?%?$")


def _region_pages(client) -> dict[str, str]:
    return {anchor: client.get(f"/region/E12000007?section={anchor}").get_data(as_text=True)
            for anchor, _ in SECTIONS}


def test_londons_breaches_are_one_number_everywhere(web_app, web_client, sign_in):
    sign_in(REGION_USER)
    pages = _region_pages(web_client)
    api = _api_answer(web_app, LONDON, f"/api/v1/benchmarks/mou_breaches?period={PERIOD}")
    london = next(r for r in api["regions"] if r["code"] == LONDON)
    expected = f"{london['value']:,.0f}"
    assert api["breakdown"]["total"]["value"]["value"] == london["value"]
    by_type = tables(pages["breaches"])["t-breaches-by-type"]
    assert by_type.texts("London (all LAs)")[-1] == expected
    updates = next(t for i, t in tables(pages["la-updates"]).items() if i.startswith("t-region"))
    column = updates.columns.index(MEASURES["mou_breaches"].title) - 1
    assert updates.texts("London (all LAs)")[column] == expected
    regional = tables(pages["regional"])["t-regional-headline"]
    assert regional.texts(MEASURES["mou_breaches"].title)[0] == expected
    # And the total stands apart from the LAs' bars, said in words above the chart.
    assert f"London (all LAs): {expected}" in re.sub(r"<[^>]+>|\s+", " ", pages["breaches"]) \
        .replace("  ", " ").replace(" :", ":")
    breaches = re.search(r'id="breaches-title">.*?</svg>', pages["breaches"], re.S).group(0)
    assert "London (all LAs)" not in breaches


def test_every_figure_on_the_pages_is_formatted_for_people(web_client, sign_in):
    sign_in(REGION_USER)
    for anchor, page in _region_pages(web_client).items():
        for table in tables(page).values():
            for _, cells in table.rows:
                for cell in cells:
                    if cell.reason is None and re.fullmatch(r"[\d.,%-]+", cell.text):
                        assert FORMATTED.match(cell.text), (anchor, table.caption, cell.text)


def test_an_las_position_is_said_in_one_direction(web_app, web_client, sign_in):
    sign_in(LA_USER)
    page = web_client.get("/la/E09000007").get_data(as_text=True)
    overview = tables(page)["t-overview"]
    api = _api_answer(web_app, "E09000007", f"/api/v1/benchmarks/agency_rate?period={PERIOD}")
    position = overview.texts("Agency worker rate")[-1]
    rank, of = api["position"]["rank"], api["position"]["of"]
    assert re.match(rf"(joint )?{rank}(st|nd|rd|th) highest of {of}", position), position
    quarter = {4: "top quarter (highest values)", 3: "second quarter from the top",
               2: "third quarter from the top",
               1: "bottom quarter (lowest values)"}[api["position"]["quartile"]]
    assert position.endswith(quarter)
    assert "lowest quarter" not in page and "rank " not in position
