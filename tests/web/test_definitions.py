"""Each measure's definition beside its figures, on every figures page and in the pack, as
`GET /api/v1/measures` gives it: one catalogue behind both."""

from __future__ import annotations

import re

import pytest

from hub.web.definitions import definition
from hub.web.report import SECTIONS
from policies.measures import MEASURES
from tests.web.conftest import CAMDEN, PERIOD
from tests.web.markup import Defined, tables, tables_and_definitions
from tests.web.test_pages import LA_USER, NARE_USER, REGION_USER, _api_answer

PAGES = {LA_USER: ["/la/E09000007"],
         REGION_USER: [f"/region/E12000007?section={a}" for a, _ in SECTIONS] + ["/compare"],
         NARE_USER: ["/national"]}
#: Tables of something other than a measure's figures.
UNDEFINED = {"t-collection"}
BETTER = {"lower": "Lower is better", "higher": "Higher is better",
          "neither": "Neither: it is a size, not a judgement"}
UNITS = {"percent": "Per cent", "fte": "Full-time equivalent (FTE)",
         "headcount": "People (headcount)", "count": "Number", "days": "Days",
         "cases_per_fte": "Cases per full-time equivalent"}
TITLES = {m.title for m in MEASURES.values()}


@pytest.fixture
def catalogue(web_app) -> dict[str, dict]:
    """What the API says each measure is, by its title."""
    return {m["title"]: m for m in _api_answer(web_app, CAMDEN, "/api/v1/measures")}


def _named(table) -> set[str]:
    """The measures a table names: in its columns, its rows' labels or its caption."""
    names = set(table.columns) | {label for label, _ in table.rows}
    return {t for t in TITLES if t in names or table.caption.startswith(t)}


def _as_the_api_says(defined: Defined, catalogue: dict[str, dict]) -> None:
    for title, facts in defined.facts.items():
        api = catalogue[title]
        assert facts["What it is"] == api["definition"] and api["definition"]
        assert facts["Unit"] == UNITS[api["unit"]]
        assert facts["Source fields"] == "; ".join(api["sources"])
        assert facts["Which way is better"] == BETTER[api["better"]]
        assert api["numerator"]["title"] in facts["How it is worked out"]
        for component in api["denominator"]:
            assert component["title"] in facts["How it is worked out"]


@pytest.mark.parametrize("email", list(PAGES))
def test_every_table_of_figures_has_its_measures_defined_beside_it(web_client, sign_in,
                                                                   catalogue, email):
    sign_in(email)
    for path in PAGES[email]:
        page = web_client.get(path).get_data(as_text=True)
        shown = tables(page)
        order = tables_and_definitions(page)
        for at, (kind, table_id) in enumerate(order):
            if kind != "table" or table_id in UNDEFINED:
                continue
            # Beside it: folded just after a table, or between a chart and its table.
            near = [d for k, d in order[max(0, at - 1):at + 2] if k == "defined"]
            assert near, (path, table_id)
            defined = {title for d in near for title in d.facts}
            assert _named(shown[table_id]) <= defined, (path, table_id)
        blocks = [d for k, d in order if k == "defined"]
        assert blocks or set(shown) <= UNDEFINED, path
        for block in blocks:
            assert block.summary.startswith(("What this measure means",
                                             "What these measures mean")), path
            _as_the_api_says(block, catalogue)
        # Folded: a page keeps its height, and opens a definition on demand.
        assert not re.search(r'<details class="govuk-details hub-definitions"[^>]* open', page)


def test_the_overview_defines_each_of_its_measures_once(web_client, sign_in, catalogue):
    sign_in(LA_USER)
    page = web_client.get("/la/E09000007").get_data(as_text=True)
    order = tables_and_definitions(page)
    at = order.index(("table", "t-overview"))
    kind, defined = order[at + 1]
    assert kind == "defined" and isinstance(defined, Defined)
    rows = [label for label, _ in tables(page)["t-overview"].rows]
    assert list(defined.facts) == rows  # the table's order, each once
    assert defined.facts["Average caseload"]["Who supplies it"] == \
        "Only some local authorities; the others show x."


def test_the_pack_points_each_table_to_its_definitions_at_the_end(web_client, sign_in,
                                                                  catalogue):
    sign_in(REGION_USER)
    pack = web_client.get(f"/region/E12000007/pack.html?period={PERIOD}").get_data(as_text=True)
    assert '<a class="govuk-link" href="#definitions">Definitions of the measures</a></li>' \
        in pack  # in the contents
    # Nothing folded on paper: each table is followed by a pointer to the appendix.
    assert "hub-definitions\"" not in pack
    body, appendix = pack.split('id="definitions"', 1)
    shown = tables(body)
    named = set().union(*(_named(t) for i, t in shown.items() if i not in UNDEFINED))
    pointers = body.count('class="govuk-body-s hub-definitions-ref"')
    assert pointers == len([i for i in shown if i not in UNDEFINED])
    titles = re.findall(r'<h3 class="[^"]*hub-definition__title">([^<]+)</h3>', appendix)
    assert named <= set(titles) and len(titles) == len(set(titles))
    for title in titles:
        definition = catalogue[title]["definition"]
        assert definition.replace("'", "&#39;") in appendix or definition in appendix, title


@pytest.mark.parametrize("code", list(MEASURES))
def test_every_measure_of_the_catalogue_can_be_said_in_words(code):
    said = definition(code)
    facts = dict(said.facts)
    assert said.title == MEASURES[code].title
    assert facts["What it is"] == MEASURES[code].description != ""
    assert facts["Source fields"] and facts["Unit"] and facts["Which way is better"]
    assert ("Who supplies it" in facts) == MEASURES[code].optional
