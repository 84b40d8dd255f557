"""A page view is one audit event: who, which organisation, which page and period, and every
figure the page read; the admin audit page shows it in words."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hub.audit import service as audit
from hub.audit.models import AuditEvent
from hub.benchmarks import service
from hub.benchmarks.extension import Cached, get_benchmarks
from hub.web.report import SECTIONS
from tests.web.conftest import CAMDEN, LONDON, PERIOD, csrf_token
from tests.web.markup import tables
from tests.web.test_pages import ADMIN_USER, LA_USER, NARE_USER, REGION_USER

#: Every figures page, as whom, and the route its reads go through.
PAGES = [(LA_USER, f"/la/{CAMDEN}?period={PERIOD}", "benchmarks"),
         (REGION_USER, f"/compare?period={PERIOD}", "benchmarks"),
         (REGION_USER, f"/region/{LONDON}/pack.html?period={PERIOD}", "benchmarks"),
         (REGION_USER, f"/region/{LONDON}/tables/regions-agency_rate.csv?period={PERIOD}",
          "benchmarks"),
         (NARE_USER, f"/national?period={PERIOD}", "national")]
PAGES += [(REGION_USER, f"/region/{LONDON}?period={PERIOD}&section={anchor}", "benchmarks")
          for anchor, _ in SECTIONS if anchor != "collection"]


@pytest.fixture
def reads(web_app):
    """The read log, written when the test says (not by its thread), emptied of the seed's."""
    log = get_benchmarks(web_app).reads
    log.interval = 3600
    log.flush()
    return log


@pytest.fixture
def answered(monkeypatch) -> list[Cached]:
    """Every answer the benchmark service hands out, as it hands it out."""
    seen: list[Cached] = []
    answers = service._answers

    def watched(session, benchmarks, reader, measure, periods, epoch):
        found = answers(session, benchmarks, reader, measure, periods, epoch)
        seen.extend(a for a in found.values() if all(a is not s for s in seen))
        return found

    monkeypatch.setattr(service, "_answers", watched)
    return seen


def _events(web_app, actor: str) -> list[AuditEvent]:
    with web_app.extensions["hub.db"].session() as session:
        assert audit.verify(session).ok
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.actor == actor, AuditEvent.action.not_like("web.%")).order_by(
            AuditEvent.id)))


@pytest.mark.parametrize("email, path, route", PAGES)
def test_a_page_view_is_one_event_listing_every_figure_it_read(
        web_app, web_client, sign_in, reads, answered, email, path, route):
    sign_in(email)
    response = web_client.get(path)
    assert response.status_code == 200
    assert reads.flush() == 1
    [event] = _events(web_app, f"user:{email}")
    assert event.action == f"{route}.page_view" and event.target == path
    assert event.org_code == {LA_USER: CAMDEN, REGION_USER: LONDON, NARE_USER: "NARE"}[email]
    details = event.details
    assert details["period"] == PERIOD and details["reads"] == 1
    assert details["page"].startswith("web.")
    # Nothing the service answered goes unrecorded: each figure once, by measure and period,
    # with its figures version, its agreements and the refusals behind it.
    assert answered, "the page should read figures"
    payloads = [a.payload for a in answered]
    assert details["figures"] == sorted({f"{p['measure']}@{p['period']}" for p in payloads})
    assert details["periods"] == {p["period"]: p["figures_version"] for p in payloads}
    assert details["agreements"] == sorted({g for p in payloads for g in p["agreements"]})
    assert details["refused"] == json.loads(json.dumps(
        [r for a in answered for r in a.refused]))


def test_a_page_without_figures_writes_no_read_event(web_app, web_client, sign_in, reads):
    sign_in(REGION_USER)
    assert web_client.get(f"/region/{LONDON}?section=collection").status_code == 200
    assert reads.flush() == 0
    assert _events(web_app, f"user:{REGION_USER}") == []


def test_the_same_page_twice_in_one_batch_is_one_event_counting_both(
        web_app, web_client, sign_in, reads):
    sign_in(LA_USER)
    for _ in range(2):
        assert web_client.get(f"/la/{CAMDEN}?period={PERIOD}").status_code == 200
    assert web_client.get(f"/la/{CAMDEN}").status_code == 200  # another address: its own
    assert reads.flush() == 3
    events = _events(web_app, f"user:{LA_USER}")
    assert [(e.target, e.details["reads"]) for e in events] == [
        (f"/la/{CAMDEN}?period={PERIOD}", 2), (f"/la/{CAMDEN}", 1)]


def test_the_admin_audit_page_shows_a_page_view_in_words(web_app, web_client, sign_in, reads):
    sign_in(REGION_USER)
    web_client.get(f"/region/{LONDON}?period={PERIOD}&section=la-updates")
    reads.flush()
    web_client.post("/sign-out", data={"csrf_token": csrf_token(web_client, "/contact")})
    sign_in(ADMIN_USER)
    page = web_client.get("/admin/audit?action=benchmarks.page_view").get_data(as_text=True)
    assert "benchmarks.page_view" in page
    [(_, cells)] = tables(page)["audit"].rows
    who, organisation, action, what = (c.text for c in cells[1:])
    assert who == f"user:{REGION_USER}" and organisation == "London"
    assert action == "benchmarks.page_view"
    target = f"/region/{LONDON}?period={PERIOD}&section=la-updates"
    assert what.startswith(f"{target}7 figures read for {PERIOD}")
    # The figures by name, on demand.
    assert f"<li>Agency worker rate, {PERIOD}</li>" in page
    assert f"<li>MoU breaches recorded, {PERIOD}</li>" in page
