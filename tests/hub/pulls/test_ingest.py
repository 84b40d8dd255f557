"""Ingest: the same figures change nothing, new figures are a new revision, the old kept."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import timedelta

from hub.pulls import hooks
from hub.pulls.models import ExtractRevision, PullAttempt
from hub.pulls.service import LATEST
from tests.hub.pulls.conftest import CITY, PERIOD, attempts, count, revisions


def test_the_same_extract_twice_changes_nothing(app, puller, fake, connector_id):
    first = puller.pull(connector_id, "workforce", PERIOD)
    second = puller.pull(connector_id, "workforce", PERIOD)
    assert (first.outcome, first.revision) == ("ingested", 1)
    assert (second.outcome, second.revision) == ("unchanged", 1)
    [(revision, sha256, body)] = revisions(app)
    assert sha256 == hashlib.sha256(body).hexdigest() == hashlib.sha256(fake.body()).hexdigest()
    assert [a.outcome for a in attempts(app)] == ["ingested", "unchanged"]


def test_a_re_stamped_extract_with_the_same_figures_is_unchanged(app, puller, fake,
                                                                 connector_id):
    puller.pull(connector_id, "workforce", PERIOD)
    fake.generated += timedelta(days=1)  # a connector restart re-stamps generated_at
    assert puller.pull(connector_id, "workforce", PERIOD).outcome == "unchanged"
    assert len(revisions(app)) == 1


def test_new_figures_are_a_new_revision_and_the_old_one_is_kept(app, puller, fake,
                                                                connector_id):
    puller.pull(connector_id, "workforce", PERIOD)
    old = revisions(app)
    fake.components = {**fake.components, "mou_breaches": 5}
    result = puller.pull(connector_id, "workforce", PERIOD)
    assert (result.outcome, result.revision) == ("ingested", 2)
    stored = revisions(app)
    assert stored[0] == old[0] and [r[0] for r in stored] == [1, 2]
    with app.extensions["hub.db"].session() as session:
        latest = session.query(ExtractRevision).filter_by(revision=2).one()
        assert latest.components["mou_breaches"] == 5
        assert latest.measures["mou_breaches"]["numerator"] == 5
        assert latest.la_code == CITY and latest.connector_id == connector_id


def test_latest_takes_the_newest_period_the_connector_lists(app, puller, connector_id):
    result = puller.pull(connector_id, "workforce", LATEST)
    assert (result.outcome, result.period) == ("ingested", PERIOD)


def test_concurrent_pulls_of_new_figures_store_one_revision(app, puller, fake, connector_id):
    puller.pull(connector_id, "workforce", PERIOD)
    fake.components = {**fake.components, "mou_breaches": 7}
    barrier, results = threading.Barrier(6), []

    def pull() -> None:
        barrier.wait()
        results.append(puller.pull(connector_id, "workforce", PERIOD))

    threads = [threading.Thread(target=pull) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(r.outcome for r in results) == ["ingested"] + ["unchanged"] * 5
    assert [r[0] for r in revisions(app)] == [1, 2]
    assert count(app, PullAttempt) == 7


def test_landing_calls_the_hooks_once_per_new_revision(app, puller, fake, connector_id):
    landed = []

    def record(la_code: str, dataset: str, period: str) -> None:
        landed.append((la_code, dataset, period))

    def broken(la_code: str, dataset: str, period: str) -> None:
        raise RuntimeError("a hook that fails does not undo the revision")

    hooks.on_extract_landed(broken)
    hooks.on_extract_landed(record)
    try:
        puller.pull(connector_id, "workforce", PERIOD)
        puller.pull(connector_id, "workforce", PERIOD)
    finally:
        hooks.remove(broken)
        hooks.remove(record)
    assert landed == [(CITY, "workforce", PERIOD)]
    assert len(revisions(app)) == 1


def test_every_outcome_is_audited(app, puller, fake, connector_id):
    from sqlalchemy import select

    from hub.audit.models import AuditEvent

    puller.pull(connector_id, "workforce", PERIOD)
    fake.mode = "tampered"
    puller.pull(connector_id, "workforce", PERIOD)
    with app.extensions["hub.db"].session() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("pull.%")).order_by(AuditEvent.id)).all()
        assert [(e.action, e.details["error_code"]) for e in events] == [
            ("pull.ingested", None), ("pull.failed", "bad_signature")]


def test_latest_fetches_the_period_held_beside_the_listing(app, puller, fake, connector_id):
    from flask import Response

    assert puller.pull(connector_id, "workforce", LATEST).outcome == "ingested"
    asked, overlapped = threading.Event(), []
    listing, served = fake.app.view_functions["datasets"], fake.extract

    def datasets() -> Response:
        overlapped.append(asked.wait(5))  # the extract is asked for before the listing ends
        return listing()

    def extract(dataset: str, period: str) -> Response:
        asked.set()
        return served(dataset, period)

    fake.app.view_functions.update(datasets=datasets, extract=extract)
    before = fake.extract_requests
    result = puller.pull(connector_id, "workforce", LATEST)
    assert (result.outcome, result.period) == ("unchanged", PERIOD)
    assert overlapped == [True]
    assert fake.extract_requests == before + 1  # the held period was still the newest


def test_latest_moves_on_when_the_connector_lists_a_newer_period(app, puller, fake,
                                                                connector_id):
    from flask import Response

    puller.pull(connector_id, "workforce", LATEST)
    listed = json.dumps({"contract": "workforce-extract/1", "la_code": CITY,
                         "datasets": [{"dataset": "workforce", "periods": [PERIOD, "2024-Q2"]}]})
    fake.app.view_functions["datasets"] = lambda: fake.signed(listed.encode())
    fake.mode = "tampered"  # the held period's extract now fails: it is not the newest
    served = fake.extract

    def extract(dataset: str, period: str) -> Response:
        fake.mode = "tampered" if period == PERIOD else "ok"
        return served(dataset, period)

    fake.app.view_functions["extract"] = extract
    result = puller.pull(connector_id, "workforce", LATEST)
    assert (result.outcome, result.period, result.revision) == ("ingested", "2024-Q2", 1)
