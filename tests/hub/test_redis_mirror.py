"""The per-process copy of hot Redis keys: exact after every announced write, never trusted
beyond what its subscription vouches for. Against the machine's real Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from hub.redis_mirror import MAX_AGE, KeyMirror, write_and_announce
from tests.conftest import bearer
from tests.hub.identity.conftest import token_response

KEY = "hub:test:mirrored"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def connection(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mirror(connection: redis.Redis, clock: Clock) -> Iterator[KeyMirror]:
    made = KeyMirror(connection, clock=clock)
    yield made
    made.close()


def _announce(connection: redis.Redis, value: str) -> None:
    write_and_announce(connection, [KEY], lambda pipe: pipe.set(KEY, value))


def _warm(mirror: KeyMirror, connection: redis.Redis) -> None:
    """Have the mirror keep KEY as "kept" while Redis holds "unannounced", a write nobody
    announced. Nothing is kept before the subscription is confirmed, which may come between
    two reads, so the mirror may keep the unannounced value first: announcing "kept" drops it."""
    _announce(connection, "kept")
    for _ in range(50):
        mirror.mget([KEY])
        connection.set(KEY, "unannounced")
        if mirror.mget([KEY]) == [b"kept"]:
            return
        _announce(connection, "kept")
    pytest.fail("the mirror never kept a value")


def test_a_kept_value_is_answered_without_asking_redis(mirror, connection):
    _warm(mirror, connection)
    assert mirror.mget([KEY]) == [b"kept"]  # Redis holds "unannounced"


def test_an_announced_write_is_seen_by_the_next_read(mirror, connection, redis_url):
    _warm(mirror, connection)
    other_process = redis.Redis.from_url(redis_url)
    _announce(other_process, "changed")
    assert mirror.mget([KEY]) == [b"changed"]
    other_process.close()


def test_missing_keys_are_kept_and_announced_too(mirror, connection):
    missing = "hub:test:absent"
    for _ in range(3):
        assert mirror.mget([missing]) == [None]
    write_and_announce(connection, [missing], lambda pipe: pipe.set(missing, "now"))
    assert mirror.mget([missing]) == [b"now"]


def test_a_value_read_while_a_change_is_announced_is_not_kept(mirror, connection):
    _warm(mirror, connection)
    _announce(connection, "before")
    real_mget = connection.mget

    def racing_mget(keys):  # the read lands, then a write is announced before it is kept
        values = real_mget(keys)
        _announce(connection, "after")
        return values

    connection.mget = racing_mget
    assert mirror.mget([KEY]) == [b"before"]
    connection.mget = real_mget
    assert mirror.mget([KEY]) == [b"after"]


def test_nothing_is_kept_longer_than_max_age(mirror, connection, clock):
    _warm(mirror, connection)
    clock.now += MAX_AGE
    assert mirror.mget([KEY]) == [b"unannounced"]


def test_a_lost_subscription_forgets_the_copy(mirror, connection):
    _warm(mirror, connection)
    db = connection.connection_pool.connection_kwargs["db"]
    subscribers = [c for c in connection.client_list(_type="pubsub") if c["db"] == str(db)]
    assert subscribers
    for client in subscribers:  # this test's Redis database: only this mirror subscribes
        connection.client_kill_filter(_id=client["id"])
    # Whatever was written while nobody listened is read from Redis, not the copy.
    assert mirror.mget([KEY]) == [b"unannounced"]
    connection.set(KEY, "later")
    assert mirror.mget([KEY]) == [b"later"]


def test_a_revocation_in_one_process_is_refused_by_another_at_once(make_app, redis_url,
                                                                   register_client):
    first, second = make_app(redis_url=redis_url), make_app(redis_url=redis_url)
    registered = register_client("E09000001")
    token = token_response(first.test_client(), registered).json["access_token"]
    for _ in range(3):  # the second hub now answers this token from its copy
        assert second.test_client().get("/api/v1/regions",
                                         headers=bearer(token)).status_code == 200
    revoked = first.test_client().post("/oauth/revoke", data={"token": token},
                                       auth=(registered.client_id, registered.client_secret))
    assert revoked.status_code == 200
    assert second.test_client().get("/api/v1/regions",
                                    headers=bearer(token)).status_code == 401


def test_every_one_of_many_announcements_arriving_together_is_seen(mirror, connection):
    _warm(mirror, connection)  # confirmed: what is read from now on is kept
    keys = [f"hub:test:many:{i}" for i in range(20)]
    assert mirror.mget(keys) == [None] * 20
    for key in keys:  # twenty messages waiting, which redis-py reads in one go
        write_and_announce(connection, [key], lambda pipe, key=key: pipe.set(key, "new"))
    assert [mirror.mget([key]) for key in keys] == [[b"new"]] * 20
