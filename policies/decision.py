"""Who asks (Subject), for what (Resource), and the explained answer (Decision)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from policies.agreement import AgreementRef
from policies.overrides import ConsentOverride
from policies.rules import DisclosureRules

__all__ = ["ADMIN", "LOCAL_AUTHORITY", "NARE_ORG", "READ", "REGION_ORG", "SUBJECT_KINDS",
           "Clause", "ConsentOverride", "Decision", "Resource", "Subject"]

LOCAL_AUTHORITY = "local_authority"
REGION_ORG = "region"
NARE_ORG = "nare"
ADMIN = "admin"
SUBJECT_KINDS: tuple[str, ...] = (LOCAL_AUTHORITY, REGION_ORG, NARE_ORG, ADMIN)

#: The only action defined so far.
READ = "read"


@dataclass(frozen=True, slots=True)
class Subject:
    """The organisation a request is made for: an LA, a region, NARE, or the hub's admins."""

    org_code: str
    kind: str
    #: The region an LA belongs to, or the region a region organisation is; None otherwise.
    region_code: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SUBJECT_KINDS:
            raise ValueError(f"kind must be one of {SUBJECT_KINDS}, got {self.kind!r}")
        if self.kind in (LOCAL_AUTHORITY, REGION_ORG) and not self.region_code:
            raise ValueError(f"a {self.kind} subject needs its region_code")


@dataclass(frozen=True, slots=True)
class Resource:
    """A measure at a grain: one LA's figure (la_code) or a region's or the nation's aggregate.

    For the aggregate grains an ``la_code`` asks whether that LA's figures may be counted in the
    aggregate the subject sees. ``period`` is carried for the audit record; the agreement in force
    when the PolicySet was compiled governs reads of every period.
    """

    measure: str
    grain: str
    region_code: str | None = None
    la_code: str | None = None
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Clause:
    """One reason behind a decision: the clause or override it rests on, in words."""

    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    """Permit or deny, the disclosure rules that go with a permit, and every reason for it."""

    permit: bool
    grain: str
    clauses: tuple[Clause, ...]
    #: The disclosure rules to apply; None for a deny and for the unrounded own grain.
    rules: DisclosureRules | None = None
    agreements: tuple[AgreementRef, ...] = ()
    #: The reader's audience relative to the figures, where one could be established.
    audience: str | None = None
    #: For a deny of one LA's figure by a consent override (a withholding, a suspension): the
    #: rules the figure would have been released under. The LA stays counted in every
    #: aggregate, so disclosure control withholds its figure as a primary cell under these
    #: rules and protects it with secondary suppression, as it would a small one.
    withheld_under: DisclosureRules | None = None

    @property
    def reason(self) -> str:
        """The clauses' reasons as one sentence for a log line or an error message."""
        return "; ".join(c.reason for c in self.clauses)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready explanation of this decision."""
        return {
            "permit": self.permit,
            "grain": self.grain,
            "audience": self.audience,
            "rules": asdict(self.rules) if self.rules is not None else None,
            "agreements": [str(ref) for ref in self.agreements],
            "clauses": [{"id": c.id, "reason": c.reason} for c in self.clauses],
        }


def deny(grain: str, clause_id: str, reason: str, agreements: tuple[AgreementRef, ...] = (),
         audience: str | None = None) -> Decision:
    """A deny resting on one clause."""
    return Decision(False, grain, (Clause(clause_id, reason),), None, agreements, audience)
