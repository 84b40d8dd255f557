"""The rules for contacting connectors: the URL policy from settings and the admin allow-list."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import current_app

from connectors.urlguard import Resolver, UrlPolicy, system_resolver
from hub.config import Settings

#: Longest a connection may take to open; a pull's whole deadline may be shorter.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
# Name lookups run here so a resolver that hangs costs a bounded wait, not a stuck pull.
_LOOKUPS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="connector-dns")


def bounded_resolver(timeout: float, resolver: Resolver = system_resolver) -> Resolver:
    """``resolver`` (default: the system's), giving up after ``timeout`` seconds."""

    def resolve(host: str, port: int) -> list[str]:
        future = _LOOKUPS.submit(resolver, host, port)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            raise socket.gaierror(f"no answer for {host!r} within {timeout:g} s") from None

    return resolve


def url_policy(settings: Settings, allowed_hosts: Iterable[str]) -> UrlPolicy:
    """What a connector request may contact under ``settings`` and the allow-list."""
    total = settings.pull_timeout
    connect = min(CONNECT_TIMEOUT, total)
    return UrlPolicy(allow_http=settings.connectors_allow_http,
                     allowed_hosts=frozenset(allowed_hosts), connect_timeout=connect,
                     read_timeout=min(READ_TIMEOUT, total), total_timeout=total,
                     max_bytes=settings.pull_max_bytes, resolver=bounded_resolver(connect))


def policy_for(settings: Settings | None = None) -> Callable[[Sequence[str]], UrlPolicy]:
    """A function from the allow-list to the policy, under ``settings`` (default: the app's)."""
    bound = settings or current_app.config["HUB_SETTINGS"]
    return lambda hosts: url_policy(bound, hosts)
