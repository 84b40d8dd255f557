"""What a release is made from: the period's figures per measure, and the regions' LAs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

Components = Mapping[str, float]
#: An LA's breakdowns of one measure: dimension -> category -> components.
Breakdowns = Mapping[str, Mapping[str, Mapping[str, float]]]


class MeasureFigures(Protocol):
    """One measure's figures in one period, unrounded, as disclosure control reads them."""

    @property
    def las(self) -> Mapping[str, Components]:
        """LA -> the components of the measure (and their headcounts) it supplied."""

    @property
    def breakdowns(self) -> Mapping[str, Breakdowns]:
        """LA -> its breakdowns of the measure, for the LAs that gave any."""


@dataclass(frozen=True)
class Figures:
    """A plain ``MeasureFigures``."""

    las: Mapping[str, Components]
    breakdowns: Mapping[str, Breakdowns] = field(default_factory=dict)


@dataclass(frozen=True)
class Geography:
    """The regions and their LAs, with names, as the reference data holds them."""

    names: Mapping[str, str]
    #: Region code -> its LA codes, by LA name.
    regions: Mapping[str, tuple[str, ...]]

    @property
    def region_of(self) -> dict[str, str]:
        return {la: region for region, las in self.regions.items() for la in las}
