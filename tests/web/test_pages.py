"""What each kind of person sees: their own organisation's pages, the figures its policies
allow (the same as the API's), markers with reasons, and nothing else."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hub.identity import service as identity
from hub.web.report import SECTIONS
from policies.measures import MEASURES
from tests.web.conftest import CAMDEN, LONDON, PERIOD, SILENT_LA, csrf_token
from tests.web.markup import tables

LA_USER, REGION_USER = "la@camden.example", "region@london.example"
NARE_USER, ADMIN_USER = "nare@nare.example", "admin@hub.example"
#: LAs of other regions, which no London reader may see by name.
NEWCASTLE, LEEDS = "Newcastle upon Tyne", "Leeds"

PAGES = {
    LA_USER: ["/la/E09000007"],
    REGION_USER: ["/region/E12000007", "/compare"],
    NARE_USER: ["/national"],
    ADMIN_USER: ["/admin/agreements", "/admin/consents", "/admin/clients", "/admin/connectors",
                 "/admin/audit"],
}


def _api_answer(app: Flask, org: str, path: str) -> dict:
    """What an API client of ``org`` gets from ``path``."""
    with app.extensions["hub.db"].session() as session:
        created = identity.create_client(session, org, f"client of {org}", None, None)
    client = app.test_client()
    token = client.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(
        created.client.client_id, created.client_secret)).json["access_token"]
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize("email, home", [
    (LA_USER, "/la/E09000007"), (REGION_USER, "/region/E12000007"),
    (NARE_USER, "/national"), (ADMIN_USER, "/admin/agreements")])
def test_each_person_lands_on_their_organisations_page(web_client, sign_in, email, home):
    assert sign_in(email).headers["Location"] == home
    assert web_client.get("/").headers["Location"] == home


@pytest.mark.parametrize("email", list(PAGES))
def test_each_person_sees_their_pages_and_no_one_elses(web_client: FlaskClient, sign_in,
                                                        email: str):
    sign_in(email)
    own = PAGES[email]
    for path in own:
        assert web_client.get(path).status_code == 200, path
    others = [p for e, paths in PAGES.items() if e != email for p in paths if p not in own]
    others += ["/la/E09000012", "/region/E12000001"]  # another LA's, another region's
    for path in others:
        response = web_client.get(path)
        assert response.status_code == 403, path
        assert "Your organisation may not see this page." in response.get_data(as_text=True)


def test_an_la_sees_its_own_figure_as_the_api_answers_it(web_app, web_client, sign_in):
    sign_in(LA_USER)
    page = web_client.get("/la/E09000007").get_data(as_text=True)
    api = _api_answer(web_app, CAMDEN, f"/api/v1/benchmarks/agency_rate?period={PERIOD}")
    own, region = api["own"]["value"], next(r for r in api["regions"] if r["code"] == LONDON)
    cells = tables(page)["t-overview"].texts("Agency worker rate")
    assert cells[:3] == [f"{own:.1f}%", f"{region['value']:.1f}%",
                         f"{api['national']['value']:.1f}%"]
    assert f"of {api['position']['of']}" in cells[-1]
    assert NEWCASTLE not in page and LEEDS not in page


def test_a_region_sees_its_las_as_its_agreement_permits(web_app, web_client, sign_in):
    sign_in(REGION_USER)
    page = web_client.get("/region/E12000007?section=la-updates").get_data(as_text=True)
    api = _api_answer(web_app, LONDON, f"/api/v1/benchmarks/mou_breaches?period={PERIOD}")
    updates = next(t for i, t in tables(page).items() if i.startswith("t-region-"))
    column = updates.columns.index(MEASURES["mou_breaches"].title) - 1
    for la in api["local_authorities"]:
        shown = updates.row(la["name"])[column]
        assert (shown.text, shown.reason) == _expected(la), la["name"]
    assert any(la["marker"] == "c" for la in api["local_authorities"]), \
        "the seeded data should have a suppressed LA figure"
    for anchor, heading in SECTIONS:
        section = web_client.get(f"/region/E12000007?section={anchor}").get_data(as_text=True)
        assert f'id="{anchor}-heading">{heading}</h2>' in section
        assert NEWCASTLE not in section and LEEDS not in section
    assert "32 of 33 local authorities have supplied data" in web_client.get(
        "/region/E12000007?section=collection").get_data(as_text=True)
    assert web_client.get("/region/E12000007?section=nowhere").status_code == 404
    assert 'href="/region/E12000007/pack.html?period=2024-Q4"' in page


BREACH_TYPE_HEADINGS = ["Price cap", "Non-solicitation", "Notice period", "References",
                        "Other", "Type not given"]


def _expected(figure: dict) -> tuple[str, str | None]:
    if figure["value"] is None:
        return figure["marker"], figure["reason"]
    return f"{figure['value']:,.0f}", None


def test_a_region_sees_its_breaches_by_type_as_the_api_answers_them(web_app, web_client,
                                                                     sign_in):
    sign_in(REGION_USER)
    section = web_client.get("/region/E12000007?section=breaches").get_data(as_text=True)
    api = _api_answer(web_app, LONDON, f"/api/v1/benchmarks/mou_breaches?period={PERIOD}")
    split = api["breakdown"]
    assert "Breaches by type" in section
    table = tables(section)["t-breaches-by-type"]
    assert table.columns == ["Local authority", *BREACH_TYPE_HEADINGS, "Total"]
    rows = {label: [(c.text, c.reason) for c in cells] for label, cells in table.rows}
    assert list(rows) == [r["name"] for r in split["local_authorities"]] + ["London (all LAs)"]
    for row in split["local_authorities"]:
        assert rows[row["name"]] == [*(_expected(row["cells"][c]) for c in split["categories"]),
                                     _expected(row["total"])], row["name"]
    assert rows["London (all LAs)"] == [
        *(_expected(split["total"]["cells"][c]) for c in split["categories"]),
        _expected(split["total"]["value"])]
    assert any(marker == "c" for r in rows.values() for marker, _ in r)
    # Each LA's total is its figure in the list of LAs.
    listed = {la["name"]: _expected(la) for la in api["local_authorities"]}
    assert all(listed[r["name"]] == _expected(r["total"]) for r in split["local_authorities"])
    # And a chart of the totals by type, with its table and text alternative.
    chart = section[section.index('id="panel-breaches-by-type-totals"'):]
    assert '<title id="breaches-by-type-totals-title">' in chart
    assert 'id="t-breaches-by-type-totals"' in chart
    assert "not yet released" not in section


def test_nare_sees_regions_and_england_but_no_la(web_app, web_client, sign_in):
    sign_in(NARE_USER)
    page = web_client.get("/national").get_data(as_text=True)
    api = _api_answer(web_app, "NARE", f"/api/v1/national/agency_rate?period={PERIOD}")
    assert f"{api['national']['value']:.1f}%" in page
    for region in api["regions"]:
        assert region["name"] in page
    assert "Camden" not in page and NEWCASTLE not in page
    assert tables(page)["t-regions"].caption == f"England and its regions, {PERIOD}"


def test_a_region_compares_every_region_in_one_table(web_client, sign_in):
    sign_in(REGION_USER)
    page = web_client.get("/compare").get_data(as_text=True)
    table = tables(page)["t-regions"]
    assert len(table.rows) == 10  # nine regions and England
    assert "London" in dict(table.rows) and NEWCASTLE not in page


def test_another_period_is_shown_when_asked_for_and_refused_when_unknown(web_client, sign_in):
    sign_in(LA_USER)
    assert "Camden beside London and England, 2024-Q2" in web_client.get(
        "/la/E09000007?period=2024-Q2").get_data(as_text=True)
    response = web_client.get("/la/E09000007?period=2031-Q1")
    assert response.status_code == 404
    assert "No figures for the period" in response.get_data(as_text=True)


def test_every_chart_has_a_text_alternative_and_a_table_beside_it(web_client, sign_in):
    sign_in(REGION_USER)
    page = "".join(web_client.get(f"/region/E12000007?section={anchor}").get_data(as_text=True)
                   for anchor, _ in SECTIONS)
    charts = re.findall(r'<svg [^>]*class="chart" role="img"'
                        r'[^>]*aria-labelledby="([\w-]+)-title \1-desc">', page)
    assert len(charts) >= 7
    for slug in charts:
        assert f'<title id="{slug}-title">' in page and f'<desc id="{slug}-desc">' in page
        # Its figures in a table of its own, or in the section's table of LAs it names.
        figure = page[page.index(f'id="panel-{slug}"'):]
        figure = figure[:figure.index("</figure>")]
        assert f'id="t-{slug}"' in page or "table below" in figure, slug
    for anchor, _ in SECTIONS:
        one = web_client.get(f"/region/E12000007?section={anchor}").get_data(as_text=True)
        ids = re.findall(r'\bid="([^"]+)"', one)
        assert len(ids) == len(set(ids)), "ids must be unique on a page"


def test_pages_fetch_nothing_from_elsewhere(web_client, sign_in):
    sign_in(REGION_USER)
    page = web_client.get("/region/E12000007").get_data(as_text=True)
    # GOV.UK's page template carries one inline line (it marks the body js-enabled); the
    # pages' policy lets no script run, and every page reads without one.
    scripts = re.findall(r"<script\b.*?</script>", page, re.S)
    assert all("js-enabled" in script for script in scripts) and len(scripts) <= 1
    assert "script-src 'none'" in web_client.get("/region/E12000007").headers[
        "Content-Security-Policy"]
    # Nothing is fetched from elsewhere: no source, and no stylesheet or icon link, off the hub.
    assert not re.search(r'src="(https?:)?//', page)
    assert not re.search(r'<link [^>]*href="(https?:)?//', page)
    with web_client.get("/web/static/hub.css") as css:
        assert css.status_code == 200 and b"@media" in css.data
    with web_client.get("/web/static/govuk/govuk-frontend.min.css") as govuk:
        assert govuk.status_code == 200 and b"govuk-template" in govuk.data
        # GOV.UK's typeface is licensed for gov.uk only: Arial-family fonts, no font files.
        assert b"GDS Transport" not in govuk.data and b"@font-face" not in govuk.data


def _camden_update(page: str) -> str:
    """Camden's row in the region page's section of LA updates."""
    table = next(t for i, t in tables(page).items() if i.startswith("t-region-"))
    return " ".join(f"{c.text} {c.reason or ''}" for c in table.row("Camden"))


def test_an_admin_withholding_changes_what_the_region_sees_next(web_app, web_client,
                                                                sign_in):
    sign_in(ADMIN_USER)
    response = web_client.post("/admin/consents", data={
        "csrf_token": csrf_token(web_client, "/admin/consents"), "kind": "withhold",
        "org_code": CAMDEN, "audience": "region_parties", "measure": "",
        "reason": "board review"}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "board review" in page
    # Names and words, not codes and enum values.
    overrides = tables(page)["overrides"]
    assert [c.text for c in overrides.rows[0][1][:3]] == [
        "Withholding", "Camden", "the region's own parties"]
    override = re.search(r'action="/admin/consents/([\w-]+)/revoke"', page).group(1)
    region = web_app.test_client()
    region.post("/sign-in", data={"email": REGION_USER, "password": "correct horse battery "
                                  "staple", "csrf_token": csrf_token(region)})
    row = _camden_update(region.get("/region/E12000007?section=la-updates").get_data(
        as_text=True))
    assert "c not permitted:" in row or "x not permitted:" in row
    web_client.post(f"/admin/consents/{override}/revoke", data={
        "csrf_token": csrf_token(web_client, "/admin/consents"), "reason": "done"})
    row = _camden_update(region.get("/region/E12000007?section=la-updates").get_data(
        as_text=True))
    assert "not permitted" not in row


def test_only_the_admin_role_changes_overrides(web_app, web_client):
    with web_app.extensions["hub.db"].session() as session:
        identity.create_user(session, "HUB-ADMIN", "viewer@hub.example", "viewer",
                             "another long password")
    web_client.post("/sign-in", data={"email": "viewer@hub.example",
                                      "password": "another long password",
                                      "csrf_token": csrf_token(web_client)})
    page = web_client.get("/admin/consents").get_data(as_text=True)
    assert "Make an override" not in page
    response = web_client.post("/admin/consents", data={
        "csrf_token": csrf_token(web_client, "/admin/consents"), "kind": "suspend",
        "org_code": CAMDEN, "reason": "r"})
    assert response.status_code == 403


def test_admin_pages_show_agreements_connectors_and_the_audit_log(web_client, sign_in):
    sign_in(ADMIN_USER)
    agreements = web_client.get("/admin/agreements").get_data(as_text=True)
    assert "London" in agreements and "in force" in agreements
    # Each agreement in force in words beside its YAML: parties by name, rules as sentences.
    assert "London, version" in agreements and "Camden" in agreements
    assert "counts below 5 are withheld" in agreements and "region: E12000007" in agreements
    connectors = web_client.get("/admin/connectors").get_data(as_text=True)
    assert "152 connectors registered; 0 failing or disabled." in connectors
    audit = web_client.get("/admin/audit?action=web.sign_in&verify=1").get_data(as_text=True)
    assert "user:admin@hub.example" in audit
    assert 'id="verification">OK:' in audit
    mine = tables(web_client.get("/admin/audit?who=admin@hub&org=HUB-ADMIN").get_data(
        as_text=True))["audit"]
    assert mine.rows and all(cells[1].text == "user:admin@hub.example" for _, cells in mine.rows)
    assert all(cells[2].text != "HUB-ADMIN" for _, cells in mine.rows)  # its name, not code
    assert tables(web_client.get("/admin/audit?who=nobody%25").get_data(
        as_text=True))["audit"].rows == []


def test_an_la_with_no_extract_is_shown_as_not_supplied(web_client, sign_in):
    sign_in(REGION_USER)
    page = web_client.get("/region/E12000007?section=collection").get_data(as_text=True)
    row = re.search(r'<tr class="govuk-table__row missing"><th scope="row" [^>]*>(.*?)</th>',
                    page)
    assert row is not None and row.group(1) == "Westminster"
    assert SILENT_LA


@pytest.mark.parametrize("email, path", [
    (REGION_USER, "/region/E12000001/pack.pdf"),  # another region's pack
    (LA_USER, "/region/E12000007/pack.html"),  # an LA asking for its region's
    (NARE_USER, "/region/E12000007/pack.pdf"),
])
def test_a_pack_is_only_its_regions(web_client, sign_in, email, path):
    sign_in(email)
    assert web_client.get(path).status_code == 403


def test_the_pack_downloads_from_the_region_page(web_client, sign_in):
    sign_in(REGION_USER)
    response = web_client.get(f"/region/E12000007/pack.html?period={PERIOD}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="governance-pack-E12000007-2024-Q4.html"'
    assert "London: quarterly governance pack" in response.get_data(as_text=True)
