"""Redis keys every request reads, fetched in the same round trip as the token check.

A protected request already asks Redis whether its token was revoked; other per-request reads
(the policy epoch) ride along in that one MGET instead of costing a round trip each.
"""

from __future__ import annotations

from flask import g, has_request_context

_keys: list[str] = []


def want(key: str) -> None:
    """Fetch ``key`` with every request's token check from now on."""
    if key not in _keys:
        _keys.append(key)


def keys() -> tuple[str, ...]:
    return tuple(_keys)


def remember(values: dict[str, bytes | None]) -> None:
    """Keep what was fetched for the rest of the current request."""
    if has_request_context():
        g.redis_prefetched = values


def prefetched(key: str) -> tuple[bool, bytes | None]:
    """(True, value) when ``key`` was fetched for this request, else (False, None)."""
    if has_request_context():
        values: dict[str, bytes | None] | None = g.get("redis_prefetched")
        if values is not None and key in values:
            return True, values[key]
    return False, None
