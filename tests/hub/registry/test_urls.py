"""The URL policy from settings: http in development only, bounded name lookups."""

from __future__ import annotations

import threading
import time

import pytest

from connectors.urlguard import (
    HostUnresolved,
    UrlPolicy,
    UrlRefused,
    check_url,
    resolve_checked,
)
from hub.config import Settings
from hub.pulls.cli import run_every
from hub.registry.urls import bounded_resolver, url_policy


@pytest.mark.parametrize(("env", "allow_http", "accepted"), [
    ("development", None, True), ("test", None, True), ("production", None, False),
    ("development", False, False)])
def test_http_is_accepted_only_in_development_by_default(env, allow_http, accepted):
    policy = url_policy(Settings(env=env, connector_allow_http=allow_http), [])
    if accepted:
        check_url("http://127.0.0.1/c", policy)
    else:
        with pytest.raises(UrlRefused) as info:
            check_url("http://127.0.0.1/c", policy)
        assert info.value.code == "insecure_url"


def test_deadlines_and_size_follow_the_settings():
    policy = url_policy(Settings(pull_timeout=2.0, pull_max_bytes=1000), ["Host.Example."])
    assert (policy.connect_timeout, policy.read_timeout, policy.total_timeout) == (2, 2, 2)
    assert policy.max_bytes == 1000 and policy.allowed_hosts == frozenset({"host.example"})


def test_a_name_lookup_that_hangs_gives_up_in_bounded_time():
    release = threading.Event()

    def hanging(host: str, port: int) -> list[str]:
        release.wait(10)
        return ["127.0.0.1"]

    resolve = bounded_resolver(0.2, hanging)
    started = time.monotonic()
    with pytest.raises(OSError):
        resolve("connector.example", 443)
    assert time.monotonic() - started < 1
    release.set()


def test_names_resolving_to_private_addresses_are_refused_unless_allowed():
    def private(host: str, port: int) -> list[str]:
        return ["10.0.0.8"]

    def silent(host: str, port: int) -> list[str]:
        time.sleep(1)
        return []

    target = check_url("https://connector.example/c", UrlPolicy())
    with pytest.raises(UrlRefused):
        resolve_checked(target, UrlPolicy(resolver=private))
    allowed = UrlPolicy(resolver=private, allowed_hosts=frozenset({"connector.example"}))
    assert resolve_checked(target, allowed) == "10.0.0.8"
    with pytest.raises(HostUnresolved):
        resolve_checked(target, UrlPolicy(resolver=bounded_resolver(0.1, silent)))


def test_the_embedded_schedule_runs_the_refresh_every_interval():
    calls, stop = [], threading.Event()

    def task() -> None:
        calls.append(time.monotonic())
        if len(calls) == 3:
            stop.set()

    run_every(0.01, task, stop)
    assert len(calls) == 3
