"""The region's commentary on its pack: written on the dashboard, kept as versions, audited,
read by the region's parties and printed in the pack."""

from __future__ import annotations

from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.web.commentary import MAX_LENGTH
from hub.web.models import PackCommentary
from tests.web.conftest import PASSWORD, PERIOD, csrf_token
from tests.web.test_pages import LA_USER, REGION_USER

PAGE = f"/region/E12000007?period={PERIOD}&section=breaches"
POST = f"/region/E12000007/commentary?period={PERIOD}&section=breaches"


def _write(client, text: str, url: str = POST):
    return client.post(url, data={"csrf_token": csrf_token(client, PAGE), "text": text})


def test_the_programme_manager_writes_and_every_party_reads_it(web_app, web_client, sign_in):
    sign_in(REGION_USER)
    first = _write(web_client, "Breaches fell in Q4.\r\n\r\nTwo boroughs still sign off above cap.")
    assert first.status_code == 302 and first.headers["Location"].endswith("section=breaches")
    _write(web_client, "Breaches fell in Q4 for the second quarter running.")
    page = web_client.get(PAGE).get_data(as_text=True)
    assert "Breaches fell in Q4 for the second quarter running." in page
    assert "Version 2, by region@london.example" in page
    pack = web_client.get(f"/region/E12000007/pack.html?period={PERIOD}").get_data(as_text=True)
    assert "Breaches fell in Q4 for the second quarter running." in pack
    with web_app.extensions["hub.db"].session() as session:
        versions = session.scalars(select(PackCommentary).order_by(PackCommentary.version)).all()
        assert [(v.version, v.section) for v in versions] == [(1, "breaches"), (2, "breaches")]
        assert versions[0].text == "Breaches fell in Q4.\n\nTwo boroughs still sign off above cap."
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "pack.commentary")).all()
        assert [e.details["version"] for e in events] == [1, 2]
        assert {e.actor for e in events} == {f"user:{REGION_USER}"}
    camden = web_app.test_client()
    camden.post("/sign-in", data={"email": LA_USER, "password": PASSWORD,
                                  "csrf_token": csrf_token(camden)})
    la_page = camden.get(f"/la/E09000007?period={PERIOD}").get_data(as_text=True)
    assert "Breaches fell in Q4 for the second quarter running." in la_page
    # An LA reads it but does not write it.
    assert camden.post(POST, data={"csrf_token": csrf_token(camden, "/la/E09000007"),
                                   "text": "ours"}).status_code == 403


def test_bad_commentary_is_refused_with_the_error_summary_and_nothing_stored(
        web_app, web_client, sign_in):
    sign_in(REGION_USER)
    long = _write(web_client, "x" * (MAX_LENGTH + 1))
    assert long.status_code == 422
    body = long.get_data(as_text=True)
    assert "There is a problem" in body and f"{MAX_LENGTH:,} characters or fewer" in body
    assert 'href="#commentary"' in body and "x" * 100 in body  # the text is not lost
    nowhere = _write(web_client, "text", POST.replace("breaches", "nowhere"))
    assert nowhere.status_code == 404
    other = _write(web_client, "text", POST.replace("E12000007", "E12000001"))
    assert other.status_code == 403
    forged = web_client.post(POST, data={"csrf_token": "forged", "text": "text"})
    assert forged.status_code == 400
    with web_app.extensions["hub.db"].session() as session:
        assert session.scalars(select(PackCommentary)).all() == []
