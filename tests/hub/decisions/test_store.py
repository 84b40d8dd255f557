"""The policy store: recompiles on an epoch change or at a scheduled moment, swapping whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import text

from hub.consents import service as consents
from hub.decisions.service import policy_inputs
from hub.decisions.store import MAX_AGE, REDIS_KEY, RETRY_AFTER, PolicyStore
from policies.decision import READ, Resource, Subject

CITY, BARKING, LONDON = "E09000001", "E09000002", "E12000007"
READER = Subject(BARKING, "local_authority", LONDON)
CITY_FIGURE = Resource("agency_rate", "la", LONDON, CITY)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(loaded_app, clock) -> PolicyStore:
    calls = []

    def counted(session):  # type: ignore[no-untyped-def]
        calls.append(1)
        return policy_inputs(session)

    made = PolicyStore(loaded_app.extensions["hub.db"], None, counted, clock)
    made.compiles = calls  # type: ignore[attr-defined]
    return made


def _permit(store: PolicyStore) -> bool:
    return store.current().decide(READER, READ, CITY_FIGURE).permit


def test_the_same_policy_set_serves_until_the_epoch_moves(store, loaded_app):
    first = store.current()
    assert store.current() is first and len(store.compiles) == 1
    with loaded_app.extensions["hub.db"].session() as session:
        store.changed(session)
    second = store.current()
    assert second is not first and len(store.compiles) == 2


def test_a_failed_recompile_leaves_the_previous_policy_set_serving(store, loaded_app, clock):
    before = store.current()
    database = loaded_app.extensions["hub.db"]
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE agreement_versions SET source_text = 'region: ['"
                                " WHERE region = :r"), {"r": LONDON})
    with database.session() as session:
        store.changed(session)

    assert store.current() is before and _permit(store)
    assert store.current() is before and len(store.compiles) == 2  # waits before retrying
    clock.now += RETRY_AFTER
    assert store.current() is before and len(store.compiles) == 3


def test_a_scheduled_withholding_takes_effect_at_its_time_without_an_epoch_change(
        store, loaded_app, clock):
    starts = clock.now + timedelta(hours=1)
    with loaded_app.extensions["hub.db"].session() as session:
        consents.create(session, consents.Actor("cli:test", None), store, kind="withhold",
                        org_code=CITY, reason="from next hour", audience="region_parties",
                        measure="agency_rate", effective_at=starts)
    assert _permit(store)
    compiles = len(store.compiles)
    clock.now = starts
    assert not _permit(store)
    assert len(store.compiles) == compiles + 1


def test_the_epoch_falls_back_to_the_database_when_redis_fails(loaded_app, clock):
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    store = PolicyStore(loaded_app.extensions["hub.db"], dead, policy_inputs, clock)
    assert store.read_epoch() == "1"  # the shipped agreements' load bumped it once
    assert _permit(store)


def test_redis_without_the_epoch_is_given_the_databases_once(loaded_app, clock, redis_url):
    connection = redis.Redis.from_url(redis_url)  # emptied: a new hub, or a restarted Redis
    store = PolicyStore(loaded_app.extensions["hub.db"], connection, policy_inputs, clock)
    assert store.read_epoch() == "1"
    assert connection.get(REDIS_KEY) == b"1"
    with loaded_app.extensions["hub.db"].session() as session:
        store.changed(session)
    assert store.read_epoch() == "2" and connection.get(REDIS_KEY) == b"2"
    connection.close()


def test_an_empty_database_compiles_to_deny_everything(app, clock):
    store = PolicyStore(app.extensions["hub.db"], None, policy_inputs, clock)
    assert store.current().agreements == ()
    assert not _permit(store)


def test_a_policy_set_is_recompiled_after_max_age_whatever_the_epoch(store, clock):
    first = store.current()
    clock.now += MAX_AGE
    assert store.current() is not first
