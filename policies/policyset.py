"""The compiled, immutable policy set: decide() is a handful of dictionary look-ups.

Every answer that does not depend on who exactly is asking is precomputed by the compiler
(policies.compiler). decide() works out the reader's audience relative to the figures, then looks
up, in this order, suspensions, withholdings, and the agreement's grant. A consent override
withholds an LA's own figures (the LA grain), never the LA from an aggregate: an aggregate
recomputed without one LA would give that LA back as the difference of two releases around the
change. A contributor to an aggregate is checked against the agreements only (a region's
prohibition keeps its LAs out). Deny answers are shared Decision objects, so a request that is
refused costs no more than one that is permitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from policies.agreement import (
    LA,
    NARE,
    NATIONAL,
    NATIONAL_GRAIN,
    OTHER_REGIONS,
    OWN,
    REGION,
    REGION_PARTIES,
    SELF,
    Agreement,
)
from policies.decision import (
    ADMIN,
    LOCAL_AUTHORITY,
    NARE_ORG,
    READ,
    Decision,
    Resource,
    Subject,
    deny,
)
from policies.measures import MEASURES
from policies.overrides import ConsentOverride

#: (scope, audience, grain, measure); scope is a region code or NATIONAL.
GrantKey = tuple[str, str, str, str]
#: (org or region code, audience, measure, grain).
BlockKey = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Agreements and overrides in force at ``at``, compiled for look-up; never mutated."""

    at: datetime
    agreements: tuple[Agreement, ...]
    overrides: tuple[ConsentOverride, ...]
    grants: Mapping[GrantKey, Decision]
    #: Per LA's region: contributions its agreement does not allow (not covered, prohibited).
    blocked: Mapping[BlockKey, Decision]
    #: (LA, audience, measure, LA grain): an LA's own figure withheld by a consent override.
    withheld: Mapping[BlockKey, Decision]
    #: (org, grain): a suspended party reading others' figures.
    suspended_readers: Mapping[tuple[str, str], Decision]
    #: (org, LA grain): a suspended LA's own figures read by anyone else.
    suspended_sources: Mapping[tuple[str, str], Decision]
    la_region: Mapping[str, str]
    national_parties: frozenset[str]

    def decide(self, subject: Subject, action: str, resource: Resource) -> Decision:
        """Whether ``subject`` may ``action`` the ``resource``, with the rules and the reasons."""
        grain = resource.grain
        if action != READ:
            return deny(grain, "action", f"only {READ!r} is defined; {action!r} is not")
        kind = subject.kind
        if kind == ADMIN:
            return deny(grain, "admin", "admin subjects manage agreements, consents and "
                        "clients; they read no data")
        org = subject.org_code
        home = subject.region_code
        if kind == LOCAL_AUTHORITY:
            actual = self.la_region.get(org)
            # An LA whose regional agreement has lapsed still reads the national aggregate.
            if actual != home and (actual is not None or grain != NATIONAL_GRAIN
                                   or org not in self.national_parties):
                return self._stranger(subject, grain)
        if grain in (LA, OWN):
            return self._la_figure(subject, home, resource)
        if grain == REGION:
            region = resource.region_code
            if region is None:
                return deny(grain, "resource", "a region aggregate needs a region_code")
            audience = NARE if kind == NARE_ORG else (
                REGION_PARTIES if home == region else OTHER_REGIONS)
            decision = self.grants.get((region, audience, grain, resource.measure))
        elif grain == NATIONAL_GRAIN:
            audience = NARE if kind == NARE_ORG else REGION_PARTIES
            decision = self.grants.get((NATIONAL, audience, grain, resource.measure))
        else:
            return deny(grain, "resource", f"unknown grain {grain!r}")
        if decision is None:
            return self._uncovered(resource, audience)
        if not decision.permit:
            return decision
        suspended = self.suspended_readers.get((org, grain))
        if suspended is not None:
            return suspended
        if resource.la_code is None:
            return decision
        return self._contribution(subject, home, resource, resource.la_code, decision)

    def contributions(self, subject: Subject, action: str, resource: Resource,
                      las: tuple[str, ...]) -> tuple[Decision, ...]:
        """``decide`` for each of ``las`` counted in the aggregate ``resource`` names (its
        ``la_code`` unset): the aggregate's decision is made once, then one look-up per LA."""
        aggregate = self.decide(subject, action, resource)
        if not aggregate.permit or resource.grain not in (REGION, NATIONAL_GRAIN):
            return (aggregate,) * len(las)
        home = subject.region_code
        return tuple(self._contribution(subject, home, resource, la, aggregate) for la in las)

    def _la_figure(self, subject: Subject, home: str | None, resource: Resource) -> Decision:
        grain, la, measure = resource.grain, resource.la_code, resource.measure
        if la is None:
            return deny(grain, "resource", f"grain {grain!r} needs an la_code")
        region = self.la_region.get(la)
        if region is None:
            return deny(grain, "default-deny", f"{la} is not a party to any agreement in force")
        if resource.region_code is not None and resource.region_code != region:
            return deny(grain, "resource", f"{la} is in {region}, not {resource.region_code}")
        org = subject.org_code
        if subject.kind == LOCAL_AUTHORITY and org == la:
            audience = SELF
        elif grain == OWN:
            return deny(grain, "default-deny", f"own figures of {la} are for {la} alone")
        else:
            audience = NARE if subject.kind == NARE_ORG else (
                REGION_PARTIES if home == region else OTHER_REGIONS)
            suspended = self.suspended_readers.get((org, grain))
            if suspended is not None:
                return suspended
            override = (self.suspended_sources.get((la, grain))
                        or self.withheld.get((la, audience, measure, grain)))
            if override is not None:
                grant = self.grants.get((region, audience, grain, measure))
                # An unrounded grant (no rules) releases every other cell exactly: nothing to
                # protect the LA's figure with, so the release withholds the total beside it.
                if grant is None or grant.rules is None:
                    return override
                return _withheld_under(override, grant)
        decision = self.grants.get((region, audience, grain, measure))
        return decision if decision is not None else self._uncovered(resource, audience)

    def _contribution(self, subject: Subject, home: str | None, resource: Resource, la: str,
                      aggregate: Decision) -> Decision:
        """May this LA's figures be counted in the (permitted) aggregate the subject sees."""
        grain, measure = resource.grain, resource.measure
        region = self.la_region.get(la)
        if region is None or (grain == REGION and region != resource.region_code) or (
                grain == NATIONAL_GRAIN and la not in self.national_parties):
            scope = resource.region_code if grain == REGION else "the national agreement"
            return deny(grain, "default-deny", f"{la} is not a party to {scope}")
        if subject.kind == LOCAL_AUTHORITY and subject.org_code == la:
            return aggregate
        audience = NARE if subject.kind == NARE_ORG else (
            REGION_PARTIES if home == region else OTHER_REGIONS)
        # Consent overrides are not looked at: they withhold the LA's own figure, never the LA
        # from an aggregate (see the module's documentation).
        refused = self.blocked.get((region, audience, measure, grain))
        return aggregate if refused is None else refused

    def _stranger(self, subject: Subject, grain: str) -> Decision:
        actual = self.la_region.get(subject.org_code)
        if actual is None:
            return deny(grain, "default-deny", f"{subject.org_code} is not a party to any "
                        "agreement in force")
        return deny(grain, "subject", f"{subject.org_code} belongs to {actual}, not "
                    f"{subject.region_code}")

    def _uncovered(self, resource: Resource, audience: str) -> Decision:
        grain = resource.grain
        if resource.measure not in MEASURES:
            return deny(grain, "resource", f"unknown measure {resource.measure!r}", (), audience)
        scope = NATIONAL if grain == NATIONAL_GRAIN else resource.region_code
        return deny(grain, "default-deny", f"no agreement for {scope} is in force at "
                    f"{self.at.isoformat()}", (), audience)


@lru_cache(maxsize=1024)
def _withheld_under(override: Decision, grant: Decision) -> Decision:
    """An override's deny of an LA's figure, carrying the rules the agreement's ``grant``
    releases the other LAs' figures under; a refusing grant's deny stands as it is."""
    if not grant.permit:
        return override
    return Decision(False, override.grain, override.clauses, None, override.agreements,
                    override.audience, withheld_under=grant.rules)
