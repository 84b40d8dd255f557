"""What disclosure control takes in (a supplied count) and gives out (a released value)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

from policies.rules import Marker

#: Where in the pipeline a value was withheld; a reason starts with one of these.
PRIMARY = "primary"
SECONDARY = "secondary"
AGGREGATE = "aggregate"
# Knowing which withheld cell is small (1 to k-1) and which is not, a reader who also knows
# their sum from a released total can sometimes pin both down; this reason does not tell.
_CONFIDENTIAL = "confidential: withheld by disclosure control"


@dataclass(frozen=True, slots=True)
class Count:
    """A count or sum as supplied (None when not supplied), with the headcount that governs it.

    ``people`` is given for FTE figures: 3.5 FTE may be two people, and small-count suppression
    is about people. Without it the value itself is compared with the minimum cell count.
    Negative figures are refused where they are released (ValueError), not here: big tables
    create many Counts, and one check at release covers them all.
    """

    value: float | None
    people: float | None = None

    @property
    def governing(self) -> float | None:
        """What is compared with the minimum cell count: the people where known, else the value."""
        return self.people if self.people is not None else self.value


@dataclass(frozen=True, slots=True)
class Released:
    """A figure as it leaves the hub: a number, or a DfE marker with the reason it stands there.

    Reasons never quote the withheld value. They do say whether a cell was small (primary) or
    withheld to protect one (secondary), which narrows what a reader can infer from a line
    total; ``reason_for_others`` leaves that out, for readers other than the supplier.
    """

    value: float | Marker
    reason: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.value, Marker) and not self.reason:
            raise ValueError(f"marker {self.value.value!r} needs a reason")
        if not isinstance(self.value, Marker) and self.reason:
            raise ValueError("a released number carries no reason")

    @property
    def is_number(self) -> bool:
        """True when a number is released."""
        return not isinstance(self.value, Marker)

    @property
    def number(self) -> float:
        """The released number; ValueError when a marker stands in its place."""
        if isinstance(self.value, Marker):
            raise ValueError(f"no number released: {self.value.value} ({self.reason})")
        return self.value

    @property
    def is_suppressed(self) -> bool:
        """True when disclosure control withheld the figure (marker ``c``)."""
        return self.value is Marker.SUPPRESSED

    @property
    def reason_for_others(self) -> str:
        """The reason, without saying whether a withheld cell is small or protects one that is."""
        if self.reason.startswith((f"{PRIMARY}:", f"{SECONDARY}:")):
            return _CONFIDENTIAL
        return self.reason

    def __str__(self) -> str:
        return self.value.value if isinstance(self.value, Marker) else str(self.value)


Supplied: TypeAlias = Count | Released
"""A figure entering disclosure control: as supplied, or as released earlier under these rules."""

NOT_SUPPLIED = Released(Marker.NOT_AVAILABLE, "not supplied")
ZERO_DENOMINATOR = Released(Marker.NOT_APPLICABLE, "zero denominator")


@lru_cache(maxsize=1024)
def withheld(reason: str) -> Released:
    """A value withheld by disclosure control for ``reason`` (instances shared: reasons repeat)."""
    return Released(Marker.SUPPRESSED, reason)
