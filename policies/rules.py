"""Disclosure rules: the parameters an agreement sets and a permit carries to disclosure control."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Marker(StrEnum):
    """DfE's symbols that stand in place of a value that is not released."""

    SUPPRESSED = "c"  # confidential: withheld by disclosure control
    NOT_AVAILABLE = "x"  # not supplied, or not permitted at this grain
    NOT_APPLICABLE = "z"  # cannot exist (a rate over a zero denominator)


@dataclass(frozen=True)
class DisclosureRules:
    """Statistical disclosure control parameters of one agreement clause."""

    #: Counts from 1 to k-1 are suppressed; rates with a numerator or denominator below k too.
    min_cell_count: int = 5
    #: Released counts are rounded to a multiple of this base (1 = no rounding).
    rounding_base: int = 5
    #: Aggregates need at least this many contributing LAs.
    min_contributors: int = 3
    #: No single LA may make up more than this share (0 < share <= 1) of an aggregate.
    dominance_share: float = 0.5
    #: Decimal places rates and ratios are rounded to after computing from unrounded figures.
    rate_decimals: int = 1

    def __post_init__(self) -> None:
        if self.min_cell_count < 2:
            raise ValueError("min_cell_count must be at least 2")
        if self.rounding_base < 1:
            raise ValueError("rounding_base must be at least 1")
        if self.min_contributors < 1:
            raise ValueError("min_contributors must be at least 1")
        if not 0 < self.dominance_share <= 1:
            raise ValueError("dominance_share must be above 0 and at most 1")
        if not 0 <= self.rate_decimals <= 4:
            raise ValueError("rate_decimals must be between 0 and 4")
