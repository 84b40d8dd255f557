"""The audit log downloads as its page filters it: admins only, every event the filter selects,
text that a spreadsheet shows as text."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook
from sqlalchemy import select

from hub.audit import service as audit
from hub.audit.models import AuditEvent
from tests.web.test_pages import ADMIN_USER, REGION_USER


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_audit_log_downloads_with_the_filters_of_its_page(web_app, web_client, sign_in):
    sign_in(ADMIN_USER)
    page = web_client.get("/admin/audit?action=web.sign_in").get_data(as_text=True)
    assert "/admin/audit/download.csv?action=web.sign_in" in page
    rows = _rows(web_client.get("/admin/audit/download.csv?action=web.sign_in"))
    assert rows[0][:7] == ["Event", "When (UTC)", "Who", "Organisation", "Action", "Target",
                           "Details"]
    with web_app.extensions["hub.db"].session() as session:
        expected = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "web.sign_in").order_by(AuditEvent.id.desc())).all()
        assert [int(r[0]) for r in rows[1:]] == [e.id for e in expected]
        newest = expected[0]
        assert rows[1][2] == newest.actor and rows[1][4] == "web.sign_in"
        assert json.loads(rows[1][6] or "null") == newest.details
    book = load_workbook(io.BytesIO(web_client.get(
        "/admin/audit/download.xlsx?action=web.sign_in").data))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["Event", "When (UTC)", "Who"]
    assert sheet.max_row == len(rows)
    assert web_client.get("/admin/audit/download.pdf").status_code == 404


def test_a_target_that_looks_like_a_formula_downloads_as_text(web_app, web_client, sign_in):
    with web_app.extensions["hub.db"].session() as session:
        audit.record(session, actor="=HYPERLINK(\"http://evil.example\")", org_code=None,
                     action="test.formula", target="+cmd|' /C calc'!A0", details=None)
        session.commit()
    sign_in(ADMIN_USER)
    rows = _rows(web_client.get("/admin/audit/download.csv?action=test.formula"))
    assert rows[1][2] == "'=HYPERLINK(\"http://evil.example\")"
    assert rows[1][5] == "'+cmd|' /C calc'!A0"
    sheet = load_workbook(io.BytesIO(web_client.get(
        "/admin/audit/download.xlsx?action=test.formula").data)).active
    assert sheet.cell(2, 3).data_type == "s" and sheet.cell(2, 3).value.startswith("'=")


def test_only_administrators_download_the_audit_log(web_client, sign_in):
    sign_in(REGION_USER)
    assert web_client.get("/admin/audit/download.csv").status_code == 403
    assert web_client.get("/admin/audit/download.xlsx").status_code == 403
