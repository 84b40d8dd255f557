"""Data-sharing agreements as values: who shares which measures with whom, at what grain.

The vocabulary follows ODRL without depending on it: a *permission* lets an audience (the
assignee) read measures (the target) at a grain under disclosure constraints; a *prohibition*
takes measures away from an audience whatever the permissions say; a *duty* is an obligation the
hub or the parties carry out (auditing reads, publishing breaches, deleting after retention).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from policies.rules import DisclosureRules

#: The region code of the national agreement, under which NARE reads and the nation is totalled.
NATIONAL = "national"

SELF = "self"
REGION_PARTIES = "region_parties"
OTHER_REGIONS = "other_regions"
NARE = "nare"
#: Who reads, relative to whose figures: the LA itself, its own region, other regions, NARE.
AUDIENCES: tuple[str, ...] = (SELF, REGION_PARTIES, OTHER_REGIONS, NARE)
#: Audiences that a prohibition or a withholding may target (an LA is never barred from itself).
RESTRICTABLE_AUDIENCES: tuple[str, ...] = (REGION_PARTIES, OTHER_REGIONS, NARE)

OWN = "own"
LA = "la"
REGION = "region"
NATIONAL_GRAIN = "national"
#: Levels of detail: the LA's own raw figures, each LA's controlled figure, region, nation.
GRAINS: tuple[str, ...] = (OWN, LA, REGION, NATIONAL_GRAIN)
#: Grains a regional agreement may grant; the national aggregate is the national agreement's.
REGIONAL_GRAINS: tuple[str, ...] = (OWN, LA, REGION)
#: Grains the national agreement may grant: per-region and national aggregates only.
NATIONAL_GRAINS: tuple[str, ...] = (REGION, NATIONAL_GRAIN)

#: Obligations an agreement may impose.
DUTIES: tuple[str, ...] = ("audit-reads", "publish-breaches", "delete-after-retention")


@dataclass(frozen=True)
class AgreementRef:
    """Names one version of one region's agreement, as decisions cite it."""

    region: str
    version: int

    def __str__(self) -> str:
        return f"{self.region} v{self.version}"


@dataclass(frozen=True)
class Permission:
    """An audience may read these measures at this grain under these disclosure rules."""

    id: str
    audience: str
    grain: str
    measures: frozenset[str]
    #: None only for the `own` grain: an LA's own figures are not disclosure-controlled.
    constraints: DisclosureRules | None = None


@dataclass(frozen=True)
class Prohibition:
    """An audience may not read these measures, at any grain, whatever a permission says."""

    id: str
    audience: str
    measures: frozenset[str]
    reason: str = ""


@dataclass(frozen=True)
class Duty:
    """An obligation attached to the agreement, such as auditing every read."""

    id: str
    action: str
    note: str = ""


@dataclass(frozen=True)
class Retention:
    """How long data received under the agreement is kept."""

    extract_months: int


@dataclass(frozen=True)
class Agreement:
    """One version of a region's (or the national) data-sharing agreement."""

    region: str
    version: int
    effective_from: date
    effective_to: date | None
    owner: str
    parties: frozenset[str]
    purposes: tuple[str, ...]
    measures: frozenset[str]
    retention: Retention
    permissions: tuple[Permission, ...] = ()
    prohibitions: tuple[Prohibition, ...] = ()
    duties: tuple[Duty, ...] = ()
    title: str = ""

    @property
    def ref(self) -> AgreementRef:
        return AgreementRef(self.region, self.version)

    @property
    def is_national(self) -> bool:
        return self.region == NATIONAL

    def clause_id(self, kind: str, clause: str) -> str:
        """The stable citation of a clause, e.g. ``E12000007 v3 permission p2``."""
        return f"{self.region} v{self.version} {kind} {clause}"

    def ends_before(self, day: date) -> bool:
        """True when an explicit effective_to has passed by ``day`` (effective_to is inclusive)."""
        return self.effective_to is not None and self.effective_to < day
