"""Rate limits on the token endpoint, per client and per address, shared through Redis."""

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

    def __init__(self, storage_uri: str, per_client: str, per_address: str) -> None:
        self._storage = storage.storage_from_string(storage_uri)
        self._strategy = strategies.MovingWindowRateLimiter(self._storage)
        self._per_client: list[RateLimitItem] = parse_many(per_client)
        self._per_address: list[RateLimitItem] = parse_many(per_address)

    def hit(self, client_id: str | None, address: str) -> Refusal | None:
        """Count one token request; a Refusal when it is over any limit."""
        checks = [(item, "address", address) for item in self._per_address]
        if client_id:
            checks += [(item, "client", client_id) for item in self._per_client]
        for item, kind, identity in checks:
            if not self._strategy.hit(item, "token", kind, identity):
                reset_at, _remaining = self._strategy.get_window_stats(item, "token", kind,
                                                                       identity)
                return Refusal(f"{item} per {kind}", max(1, math.ceil(reset_at - time.time())))
        return None

    def reset(self) -> None:
        self._storage.reset()
