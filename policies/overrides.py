"""Consent overrides: an LA withholding measures from an audience, or an admin suspending a party.

Overrides sit on top of the agreements and can only take permissions away. Each override has an
id and a version: a change is a new version of the same id, and the latest version that has taken
effect is the one that counts, unless it has been revoked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from policies.agreement import RESTRICTABLE_AUDIENCES
from policies.measures import MEASURES

WITHHOLD = "withhold"
SUSPEND = "suspend"
OVERRIDE_KINDS: tuple[str, ...] = (WITHHOLD, SUSPEND)


@dataclass(frozen=True)
class ConsentOverride:
    """One version of a withholding or suspension, with who made it, why, and when."""

    id: str
    version: int
    kind: str
    #: The LA that withholds, or the party (LA or region organisation) that is suspended.
    org_code: str
    reason: str
    author: str
    effective_at: datetime
    revoked_at: datetime | None = None
    #: For a withholding: the audience it is withheld from.
    audience: str | None = None
    #: For a withholding: the measure withheld, or None for every measure.
    measure: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in OVERRIDE_KINDS:
            raise ValueError(f"kind must be one of {OVERRIDE_KINDS}, got {self.kind!r}")
        if self.version < 1:
            raise ValueError("version must be at least 1")
        if not self.reason.strip() or not self.author.strip():
            raise ValueError("an override needs a reason and an author")
        # Naive and aware datetimes cannot be compared: insist on aware ones everywhere.
        if self.effective_at.tzinfo is None or (
                self.revoked_at is not None and self.revoked_at.tzinfo is None):
            raise ValueError("override times must be timezone-aware")
        if self.revoked_at is not None and self.revoked_at < self.effective_at:
            raise ValueError("revoked_at is before effective_at")
        if self.kind == WITHHOLD and self.audience not in RESTRICTABLE_AUDIENCES:
            raise ValueError(f"a withholding needs an audience among {RESTRICTABLE_AUDIENCES}")
        if self.kind == SUSPEND and (self.audience is not None or self.measure is not None):
            raise ValueError("a suspension covers every audience and measure")
        if self.measure is not None and self.measure not in MEASURES:
            raise ValueError(f"unknown measure {self.measure!r}")

    @property
    def clause_id(self) -> str:
        """The citation of this override in a decision, e.g. ``override w-17 v2 withhold``."""
        return f"override {self.id} v{self.version} {self.kind}"

    def active(self, at: datetime) -> bool:
        """True when this version has taken effect at ``at`` and is not revoked by then."""
        return self.effective_at <= at and (self.revoked_at is None or at < self.revoked_at)


def overrides_in_force(overrides: Iterable[ConsentOverride], at: datetime
                       ) -> tuple[ConsentOverride, ...]:
    """Per override id, the latest version effective at ``at``, if it is not revoked."""
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    latest: dict[str, ConsentOverride] = {}
    for override in overrides:
        if override.effective_at > at:
            continue
        current = latest.get(override.id)
        if current is None or override.version > current.version:
            latest[override.id] = override
    return tuple(o for _, o in sorted(latest.items()) if o.active(at))
