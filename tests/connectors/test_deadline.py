"""A whole-response deadline on connector I/O, against real servers that drip bytes on loopback.

Each server keeps every socket wait short (a byte every 0.1 s, read timeout 0.5 s), so only a
deadline over the whole exchange stops it; without one each call would take 10 s or more.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from connectors.client import (
    CachedToken,
    ConnectorClient,
    MemoryTokenCache,
    PullError,
    TransientPullError,
)
from connectors.deadline import deadline
from connectors.signing import SigningKey
from connectors.urlguard import UrlPolicy
from hub.registry.checks import ConnectorDetails, check_connector, fetch_jwks
from tests.connectors.conftest import LA
from tests.connectors.dripping import dripping_body, dripping_headers

TOTAL = 1.0
#: Well past TOTAL, well short of the drip: the call was cut off, not left to finish.
CUT_OFF_BY = TOTAL + 3.0


@pytest.fixture
def policy() -> UrlPolicy:
    return UrlPolicy(allow_http=True, allowed_hosts=frozenset({"127.0.0.1"}),
                     connect_timeout=1.0, read_timeout=0.5, total_timeout=TOTAL,
                     max_bytes=64 * 1024)


def _times_out(call: Callable[[], Any]) -> PullError:
    start = time.monotonic()
    with pytest.raises(TransientPullError) as info:
        call()
    assert time.monotonic() - start < CUT_OFF_BY
    assert info.value.code == "timeout"
    return info.value


def _jwks(key: SigningKey) -> bytes:
    return json.dumps(key.public_jwks()).encode()


def test_a_jwks_dripping_its_body_is_cut_off_at_the_deadline(signing_key, policy):
    with dripping_body(_jwks(signing_key), interval=0.1) as server:
        error = _times_out(lambda: fetch_jwks(f"{server.url}/jwks.json", policy))
        assert not server.finished.is_set()
    assert f"not whole within {TOTAL:g} s" in error.reason


def test_a_jwks_dripping_its_headers_is_cut_off_at_the_deadline(signing_key, policy):
    with dripping_headers(_jwks(signing_key), interval=0.1) as server:
        _times_out(lambda: fetch_jwks(f"{server.url}/jwks.json", policy))
        assert not server.finished.is_set()


def test_a_token_endpoint_dripping_its_answer_is_cut_off(signing_key, policy):
    token = json.dumps({"access_token": "t" * 100, "token_type": "Bearer",
                        "expires_in": 60}).encode()
    with dripping_body(token, interval=0.1) as server:
        client = ConnectorClient(server.url, f"{server.url}/oauth/token",
                                 signing_key.public_jwks(), "hub", "secret", policy, la_code=LA,
                                 token_cache=MemoryTokenCache())
        with client:
            _times_out(lambda: client.fetch_extract("workforce", "2024-Q1"))
        assert not server.finished.is_set()


def test_an_extract_dripping_its_body_is_cut_off(signing_key, policy):
    with dripping_body(b'{"contract": "workforce-extract/1", "pad": "' + b"x" * 200 + b'"}',
                       interval=0.1) as server:
        cache = MemoryTokenCache()
        client = ConnectorClient(server.url, f"{server.url}/oauth/token",
                                 signing_key.public_jwks(), "hub", "secret", policy, la_code=LA,
                                 token_cache=cache)
        cache.put(client._cache_key, CachedToken("cached", time.time() + 60))
        with client:
            _times_out(lambda: client.fetch_extract("workforce", "2024-Q1"))


def test_the_registration_check_has_one_deadline_for_all_its_requests(signing_key, policy):
    # Each server alone answers within the deadline (0.7 s); together they would not.
    jwks = _jwks(signing_key)
    with dripping_body(jwks, interval=0.7 / len(jwks)) as slow_jwks, \
            dripping_body(b'{"access_token": "' + b"t" * 40 + b'", "token_type": "Bearer"}',
                          interval=0.7 / 70) as slow_token:
        details = ConnectorDetails(LA, slow_token.url, f"{slow_token.url}/oauth/token",
                                   f"{slow_jwks.url}/jwks.json", "hub", "secret")
        _times_out(lambda: check_connector(details, policy))
        assert slow_jwks.finished.is_set() and not slow_token.finished.is_set()


def test_an_inner_deadline_never_outlasts_the_outer_one():
    with deadline(1.0) as outer, deadline(60.0) as inner:
        assert inner.expires_at <= outer.expires_at
