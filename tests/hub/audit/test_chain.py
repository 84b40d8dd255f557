"""The audit chain: appends link to their predecessor; verify finds each kind of tampering."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from hub.audit import service
from hub.audit.models import AuditEvent
from hub.db import Database


def _append(database: Database, count: int, actor: str = "cli:test") -> None:
    for i in range(count):
        with database.session() as session:
            service.record(session, actor=actor, action="test.event", target=f"thing:{i}",
                           org_code="HUB-ADMIN", details={"i": i, "nested": {"b": 1, "a": [1.5]}})


def _verify(database: Database) -> service.Verification:
    with database.session() as session:
        return service.verify(session)


def _ids(database: Database) -> list[int]:
    with database.engine.connect() as connection:
        return list(connection.scalars(text("SELECT id FROM audit_events ORDER BY id")))


def _sql(database: Database, *statements: str, **params: object) -> None:
    with database.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), params)


def test_an_empty_log_verifies(database):
    result = _verify(database)
    assert result.ok and result.count == 0 and result.head == service.GENESIS


def test_appends_link_to_their_predecessor(database):
    _append(database, 3)
    with database.session() as session:
        events = session.query(AuditEvent).order_by(AuditEvent.id).all()
        assert events[0].prev_hash == service.GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    result = _verify(database)
    assert result.ok and result.count == 3 and result.head == events[-1].hash
    assert str(result) == f"OK: 3 events, head {events[-1].hash}"


def test_a_rolled_back_append_leaves_no_trace(database):
    _append(database, 1)
    with pytest.raises(RuntimeError), database.session() as session:
        service.record(session, actor="a", action="x", target="t")
        raise RuntimeError
    _append(database, 1)
    assert _verify(database).ok


def test_a_changed_event_is_found(database):
    _append(database, 4)
    target = _ids(database)[2]
    _sql(database, "UPDATE audit_events SET actor = 'someone else' WHERE id = :id", id=target)
    result = _verify(database)
    assert not result.ok and result.broken_at == target
    assert result.problem.startswith("changed")


def test_a_changed_and_rehashed_event_breaks_the_next_link(database):
    _append(database, 4)
    ids = _ids(database)
    _sql(database, "UPDATE audit_events SET hash = :h WHERE id = :id", h="f" * 64, id=ids[1])
    result = _verify(database)
    # The rewritten event's own hash no longer matches its fields either way.
    assert result.broken_at == ids[1] and result.problem.startswith("changed")


def test_a_deleted_event_is_found(database):
    _append(database, 5)
    ids = _ids(database)
    _sql(database, "DELETE FROM audit_events WHERE id = :id", id=ids[2])
    result = _verify(database)
    assert result.broken_at == ids[3] and result.problem.startswith("deleted")
    assert result.count == 2


def test_an_inserted_event_is_found(database):
    _append(database, 4)
    ids = _ids(database)
    # Make room after the second event, then insert one correctly hashed onto it.
    _sql(database, "UPDATE audit_events SET id = id + 100 WHERE id > :id", id=ids[1])
    with database.session() as session:
        prev = session.get(AuditEvent, ids[1])
        forged = AuditEvent(id=ids[1] + 1, at=prev.at, actor="intruder", org_code=None,
                            action="agreement.load", target="x", details={},
                            prev_hash=prev.hash)
        forged.hash = service.chain_hash(prev.hash, forged)
        session.add(forged)
    result = _verify(database)
    assert result.broken_at == ids[1] + 1 and result.problem.startswith("inserted")


def test_reordered_events_are_found(database):
    _append(database, 4)
    ids = _ids(database)
    _sql(database, "UPDATE audit_events SET id = -1 WHERE id = :a",
         "UPDATE audit_events SET id = :a WHERE id = :b",
         "UPDATE audit_events SET id = :b WHERE id = -1", a=ids[1], b=ids[2])
    result = _verify(database)
    assert result.broken_at == ids[1] and result.problem.startswith("reordered")


def test_the_cli_says_ok_or_where_it_breaks(app, runner_for):
    database = app.extensions["hub.db"]
    _append(database, 3)
    runner = runner_for(app)
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and ok.output.startswith("OK: 3 events, head ")
    target = _ids(database)[0]
    _sql(database, "UPDATE audit_events SET details = '{}' WHERE id = :id", id=target)
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"audit chain broken at event {target}: changed" in broken.output


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_concurrent_appends_from_two_threads_keep_one_chain(database):
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            _append(database, 40, actor=name)
        except BaseException as exc:  # noqa: BLE001 -- reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"thread-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = _verify(database)
    assert result.ok and result.count == 80


def test_a_batch_is_appended_in_order_under_one_lock(database):
    _append(database, 1)
    with database.session() as session:
        appended = service.record_many(session, [
            {"actor": "reader", "action": "benchmark.read", "target": f"t{i}",
             "details": {"i": i}} for i in range(5)])
    assert appended == 5
    with database.session() as session:
        batch = session.scalars(select(AuditEvent).where(AuditEvent.actor == "reader")
                                .order_by(AuditEvent.id)).all()
    assert [e.target for e in batch] == [f"t{i}" for i in range(5)]
    result = _verify(database)
    assert result.ok and result.count == 6 and result.head == batch[-1].hash
