"""Group commit: pulls ready together share a transaction, each still whole, none lost."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.audit.service import verify
from hub.pulls.landing import GroupCommit
from hub.pulls.refresh import Target, refresh
from tests.hub.pulls.conftest import CITY, PERIOD, add_connector, attempts, revisions
from tests.hub.registry.conftest import WESTMINSTER


def test_items_that_wait_during_a_commit_share_the_next_one():
    first_started, let_go, batches = threading.Event(), threading.Event(), []

    def store(items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        if len(batches) == 1:
            first_started.set()
            let_go.wait(10)
        return [item * 10 for item in items]

    group = GroupCommit(store)
    results: dict[int, int | None] = {}

    def submit(item: int) -> None:
        results[item] = group.submit(item)

    first = threading.Thread(target=submit, args=(0,))
    first.start()
    assert first_started.wait(10)
    others = [threading.Thread(target=submit, args=(i,)) for i in range(1, 6)]
    for thread in others:
        thread.start()
    while len(group._current().pending) < 5:  # all five queued behind the first commit
        threading.Event().wait(0.01)
    let_go.set()
    for thread in [first, *others]:
        thread.join(10)
    assert batches[0] == [0] and sorted(batches[1]) == [1, 2, 3, 4, 5] and len(batches) == 2
    assert results == {i: i * 10 for i in range(6)}


def test_a_batch_no_bigger_than_its_limit():
    batches: list[list[int]] = []

    def store(items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        return list(items)

    group = GroupCommit(store, most=2)
    locks = group._current()
    locks.writer.acquire()  # as if a commit were under way while five arrive
    threads = [threading.Thread(target=group.submit, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    while len(locks.pending) < 5:
        threading.Event().wait(0.01)
    locks.writer.release()
    for thread in threads:
        thread.join(10)
    assert sorted(i for batch in batches for i in batch) == [0, 1, 2, 3, 4]
    assert all(len(batch) <= 2 for batch in batches)


def test_a_failed_batch_leaves_each_caller_to_store_alone():
    def store(items: Sequence[int]) -> list[int]:
        raise RuntimeError("one bad item fails the transaction")

    assert GroupCommit(store).submit(1) is None


def test_a_refresh_stores_every_pull_with_its_attempt_and_an_intact_audit_chain(
        app, puller, fake, fake_url, connector_id):
    # Two LAs served by one fake: Westminster's extract names the City, so it fails whole
    # while the City's is stored, whether or not the two shared a transaction.
    other = add_connector(app, fake_url, fake.key.public_jwks(), la_code=WESTMINSTER)
    targets = [Target(connector_id, "workforce", PERIOD), Target(other, "workforce", PERIOD)]
    results = refresh(puller, targets, 2, lambda target, exc: None, retries=False)
    by_la = {r.la_code: (r.outcome, r.error_code) for r in results}
    assert by_la == {CITY: ("ingested", None), WESTMINSTER: ("failed", "wrong_la")}
    again = refresh(puller, targets[:1] * 4, 4, lambda target, exc: None, retries=False)
    assert [r.outcome for r in again] == ["unchanged"] * 4
    assert [r[0] for r in revisions(app)] == [1]
    assert sorted(a.outcome for a in attempts(app)) == ["failed", "ingested"] + ["unchanged"] * 4
    with app.extensions["hub.db"].session() as session:
        assert verify(session).ok
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("pull.%"))).all()
        assert sorted(actions) == ["pull.failed", "pull.ingested"] + ["pull.unchanged"] * 4
