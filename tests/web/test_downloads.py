"""Every table on the dashboard downloads as CSV and XLSX with the figures the page shows."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook

from hub.web.report import SECTIONS
from tests.web.conftest import PERIOD
from tests.web.markup import tables
from tests.web.test_pages import LA_USER, NARE_USER, REGION_USER

PAGES = {LA_USER: ["/la/E09000007"],
         REGION_USER: [f"/region/E12000007?section={a}" for a, _ in SECTIONS] + ["/compare"],
         NARE_USER: ["/national"]}


def _links(page: str) -> dict[str, str]:
    """Each table's CSV download link on ``page``, by the table's id."""
    found = re.findall(r'href="([^"]*/tables/([\w-]+)\.csv\?[^"]*)"', page)
    return {f"t-{slug}": html.unescape(url) for url, slug in found}


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("email", list(PAGES))
def test_every_table_downloads_with_the_figures_the_page_shows(web_client, sign_in, email):
    sign_in(email)
    for path in PAGES[email]:
        page = web_client.get(path).get_data(as_text=True)
        shown = {i: t for i, t in tables(page).items() if i.startswith("t-")}
        links = _links(page)
        assert set(links) == set(shown), path
        for table_id, url in links.items():
            table = shown[table_id]
            response = web_client.get(url)
            assert response.status_code == 200 and response.mimetype == "text/csv", url
            rows = _csv_rows(response.data)
            assert rows[0] == [*table.columns, "Notes"]
            assert [r[0] for r in rows[1:]] == [label for label, _ in table.rows]
            for row, (_, cells) in zip(rows[1:], table.rows, strict=True):
                for value, cell in zip(row[1:], cells, strict=False):
                    expected = cell.text.replace(",", "").rstrip("%")
                    assert value in (cell.text, expected) or float(value) == float(expected), \
                        (url, value)
                    if cell.reason:
                        assert f"({cell.reason})" in row[-1]
            book = load_workbook(io.BytesIO(web_client.get(url.replace(".csv?", ".xlsx?"))
                                            .data))
            sheet = [[("" if v is None else str(v)) for v in r]
                     for r in book.active.iter_rows(values_only=True)]
            assert sheet[0] == rows[0] and len(sheet) == len(rows)
            assert [r[0] for r in sheet] == [r[0] for r in rows]


def test_a_download_is_only_of_ones_own_tables(web_client, sign_in):
    sign_in(REGION_USER)
    assert web_client.get("/region/E12000007/tables/nothing.csv").status_code == 404
    assert web_client.get("/region/E12000007/tables/change.pdf").status_code == 404
    assert web_client.get("/region/E12000001/tables/regional-headline.csv").status_code == 403
    assert web_client.get("/national/tables/regions.csv").status_code == 403
    assert web_client.get("/la/E09000007/tables/overview.csv").status_code == 403


#: Each table route as each other kind of reader asks for it: refused like the page it is on.
@pytest.mark.parametrize("email, path, status", [
    (LA_USER, "/region/E12000007/tables/collection.csv", 403),  # its region's
    (LA_USER, "/la/E09000012/tables/overview.xlsx", 403),  # another LA's
    (LA_USER, "/compare/tables/regions.csv", 403),
    (LA_USER, "/national/tables/regions.csv", 403),
    (REGION_USER, "/region/E12000001/tables/collection.xlsx", 403),  # another region's
    (REGION_USER, "/la/E09000007/tables/overview.csv", 403),  # one of its own LAs'
    (REGION_USER, "/national/tables/trend-agency_rate.csv", 403),
    (NARE_USER, "/region/E12000007/tables/la-updates.csv", 403),
    (NARE_USER, "/compare/tables/regions.xlsx", 403),
    (NARE_USER, "/la/E09000007/tables/overview.csv", 403),
    (REGION_USER, "/region/E12000007/tables/overview.csv", 404),  # the LA page's table
    (LA_USER, "/la/E09000007/tables/collection.csv", 404),  # a region page's table
    (NARE_USER, "/national/tables/regions.ods", 404),
])
def test_each_table_route_is_refused_to_other_readers(web_client, sign_in, email, path,
                                                      status):
    sign_in(email)
    assert web_client.get(f"{path}?period={PERIOD}").status_code == status


def test_the_data_collection_table_downloads_with_who_has_not_supplied(web_client, sign_in):
    sign_in(REGION_USER)
    page = web_client.get("/region/E12000007?section=collection").get_data(as_text=True)
    assert f"/region/E12000007/tables/collection.csv?period={PERIOD}" in html.unescape(page)
    rows = _csv_rows(web_client.get(
        f"/region/E12000007/tables/collection.csv?period={PERIOD}").data)
    assert rows[0] == ["Local authority", "Supplied", "Revision", "Received", "Notes"]
    supplied = {r[0]: r[1:3] for r in rows[1:]}
    assert len(supplied) == 33 and supplied["Westminster"] == ["not yet", ""]
    assert supplied["Camden"] == ["yes", "1"]
    book = load_workbook(io.BytesIO(web_client.get(
        f"/region/E12000007/tables/collection.xlsx?period={PERIOD}").data))
    sheet = list(book.active.iter_rows(values_only=True))
    assert sheet[0] == ("Local authority", "Supplied", "Revision", "Received", "Notes")
    assert next(r for r in sheet if r[0] == "Camden")[1:3] == ("yes", 1)  # a number, not text
    # Nothing before the header: no line a spreadsheet would take for data.
    assert not any(r[0].startswith("#") for r in rows)
