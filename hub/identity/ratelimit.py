"""Rate limits on the OAuth endpoints, per address and per authenticated client, shared through
Redis.

A client's own limit counts only requests that authenticated as it: counting the id a request
merely claims would let anyone lock a client out by sending its id with a wrong secret.
Guessing is limited instead by the failed authentications of each address.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many, storage, strategies


@dataclass(frozen=True)
class Refusal:
    """A request over a limit, and how long to wait before the next one is allowed."""

    limit: str
    retry_after: int


class TokenRateLimiter:
    """Moving-window limits; in memory in embedded mode, in Redis when configured."""

    def __init__(self, storage_uri: str, per_client: str, per_address: str,
                 failures_per_address: str) -> None:
        self._storage = storage.storage_from_string(storage_uri)
        self._strategy = strategies.MovingWindowRateLimiter(self._storage)
        self._per_client: list[RateLimitItem] = parse_many(per_client)
        self._per_address: list[RateLimitItem] = parse_many(per_address)
        self._failures: list[RateLimitItem] = parse_many(failures_per_address)

    def hit_address(self, address: str) -> Refusal | None:
        """Count one token request from ``address``; a Refusal when it is over its limit or
        has failed to authenticate too often."""
        for item in self._per_address:
            if not self._strategy.hit(item, "token", "address", address):
                return self._refusal(item, "address", address)
        return self.check_failures(address)

    def check_failures(self, address: str) -> Refusal | None:
        """A Refusal while ``address`` is over its limit of failed authentications."""
        for item in self._failures:
            if not self._strategy.test(item, "token", "failures", address):
                return self._refusal(item, "failures", address)
        return None

    def failed(self, address: str) -> None:
        """Count one failed client authentication from ``address``."""
        for item in self._failures:
            self._strategy.hit(item, "token", "failures", address)

    def hit_client(self, client_id: str) -> Refusal | None:
        """Count one token request of an authenticated client; a Refusal when over its limit."""
        for item in self._per_client:
            if not self._strategy.hit(item, "token", "client", client_id):
                return self._refusal(item, "client", client_id)
        return None

    def _refusal(self, item: RateLimitItem, kind: str, identity: str) -> Refusal:
        reset_at, _remaining = self._strategy.get_window_stats(item, "token", kind, identity)
        return Refusal(f"{item} per {kind}", max(1, math.ceil(reset_at - time.time())))

    def reset(self) -> None:
        self._storage.reset()
