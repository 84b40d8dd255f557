"""Compile the agreements and consent overrides in force at a moment into a PolicySet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import UTC, datetime
from functools import lru_cache
from types import MappingProxyType

from policies.agreement import (
    AUDIENCES,
    GRAINS,
    LA,
    NARE,
    NATIONAL,
    NATIONAL_GRAIN,
    REGION,
    REGIONAL_GRAINS,
    RESTRICTABLE_AUDIENCES,
    Agreement,
    Permission,
)
from policies.decision import Clause, Decision, deny
from policies.measures import MEASURES, Kind
from policies.overrides import SUSPEND, WITHHOLD, ConsentOverride, overrides_in_force
from policies.policyset import BlockKey, GrantKey, PolicySet
from policies.rules import DisclosureRules
from policies.succession import in_force

__all__ = ["compile_policies", "strictest"]

_AGGREGATE_GRAINS = (REGION, NATIONAL_GRAIN)
#: An agreement beside its permissions grouped by (audience, grain).
_Indexed = tuple[Agreement, dict[tuple[str, str], tuple[Permission, ...]]]


def compile_policies(agreements: Iterable[Agreement], overrides: Iterable[ConsentOverride],
                     at: datetime) -> PolicySet:
    """The policy set in force at ``at`` (timezone-aware); the inputs are left untouched."""
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    # Agreements run by calendar day; the day is taken in UTC so every process agrees on it.
    force = in_force(agreements, at.astimezone(UTC).date())
    active = overrides_in_force(overrides, at)
    national = force.get(NATIONAL)
    regional = {region: a for region, a in force.items() if region != NATIONAL}
    grants: dict[GrantKey, Decision] = {}
    blocked: dict[BlockKey, Decision] = {}
    for agreement in force.values():
        grants.update(_grants(agreement, None if agreement is national else national))
    for agreement in regional.values():
        blocked.update(_blocked(agreement))
    withheld, suspended_readers, suspended_sources = _overrides(active)
    return PolicySet(
        at=at,
        agreements=tuple(force[region] for region in sorted(force)),
        overrides=active,
        grants=MappingProxyType(grants),
        blocked=MappingProxyType(blocked),
        withheld=MappingProxyType(withheld),
        suspended_readers=MappingProxyType(suspended_readers),
        suspended_sources=MappingProxyType(suspended_sources),
        la_region=MappingProxyType({la: region for region, a in regional.items()
                                    for la in a.parties}),
        national_parties=national.parties if national else frozenset(),
    )


def strictest(rules: Iterable[DisclosureRules]) -> DisclosureRules:
    """One set of rules at least as strict as each given set, parameter by parameter."""
    rules = tuple(rules)
    return DisclosureRules(
        min_cell_count=max(r.min_cell_count for r in rules),
        rounding_base=max(r.rounding_base for r in rules),
        min_contributors=max(r.min_contributors for r in rules),
        dominance_share=min(r.dominance_share for r in rules),
        rate_decimals=min(r.rate_decimals for r in rules),
    )


def _grant(sources: list[_Indexed], audience: str, grain: str, measure: str) -> Decision:
    """What the agreements say, together, about one audience reading one measure at one grain."""
    refs = tuple(a.ref for a, _ in sources)
    refusals = [clause for a, _ in sources for clause in _refusals(a, audience, measure)]
    if refusals:
        return Decision(False, grain, tuple(refusals), None, refs, audience)
    permits = [(a, permission) for a, by_key in sources
               for permission in by_key.get((audience, grain), ())
               if measure in permission.measures]
    if not permits:
        names = " or ".join(str(ref) for ref in refs)
        return deny(grain, "default-deny", f"no permission of {names} lets {audience} read "
                    f"{measure} at grain {grain}", refs, audience)
    constraints = [p.constraints for _, p in permits if p.constraints is not None]
    return Decision(
        True, grain,
        tuple(Clause(a.clause_id("permission", p.id), f"{a.ref} lets {audience} read {measure} "
                     f"at grain {grain}{_describe(p.constraints)}") for a, p in permits),
        strictest(constraints) if constraints else None,
        tuple(dict.fromkeys(a.ref for a, _ in permits)), audience)


def _refusals(a: Agreement, audience: str, measure: str) -> list[Clause]:
    """Why ``a`` keeps ``measure`` from ``audience`` at every grain: not covered, or prohibited."""
    if measure not in a.measures:
        return [Clause(a.clause_id("measures", measure),
                       f"{measure} is not among the measures of {a.ref}")]
    return [Clause(a.clause_id("prohibition", p.id), f"{a.ref} prohibits {measure} to "
                   f"{audience}" + (f": {p.reason}" if p.reason else ""))
            for p in a.prohibitions if p.audience == audience and measure in p.measures]


def _index(a: Agreement) -> _Indexed:
    """The agreement with its permissions grouped by (audience, grain)."""
    by_key: dict[tuple[str, str], list[Permission]] = {}
    for p in a.permissions:
        by_key.setdefault((p.audience, p.grain), []).append(p)
    return a, {key: tuple(permissions) for key, permissions in by_key.items()}


@lru_cache(maxsize=256)
def _describe(rules: DisclosureRules | None) -> str:
    if rules is None:
        return ", unrounded"
    return " (" + ", ".join(f"{f.name} {getattr(rules, f.name)}" for f in fields(rules)) + ")"


# Agreements change rarely and consent overrides often: caching the per-agreement tables (keyed
# by the immutable Agreement values) makes a recompile after a consent change cheap.
@lru_cache(maxsize=64)
def _grants(agreement: Agreement, national: Agreement | None) -> Mapping[GrantKey, Decision]:
    """Every (audience, grain, measure) answer of one agreement (NARE's adding national)."""
    grants: dict[GrantKey, Decision] = {}
    indexed = _index(agreement)
    with_national = [indexed] if national is None else [indexed, _index(national)]
    # decide() looks the national grain up under NATIONAL only, the others under a region.
    grains = (NATIONAL_GRAIN,) if agreement.is_national else REGIONAL_GRAINS
    for audience in AUDIENCES:
        for grain in grains:
            # NARE reads a region's aggregate under the national agreement as well.
            sources = with_national if audience == NARE and grain == REGION else [indexed]
            for measure in MEASURES:
                grants[(agreement.region, audience, grain, measure)] = _grant(
                    sources, audience, grain, measure)
    return MappingProxyType(grants)


@lru_cache(maxsize=64)
def _blocked(agreement: Agreement) -> Mapping[BlockKey, Decision]:
    """Contributions to aggregates that an LA's own regional agreement does not allow.

    A region's prohibition also keeps its LAs out of the national aggregate that audience sees:
    otherwise the region's total could be recovered by differencing national and regional ones.
    """
    blocked: dict[BlockKey, Decision] = {}
    for audience in RESTRICTABLE_AUDIENCES:
        for measure in MEASURES:
            refusals = tuple(_refusals(agreement, audience, measure))
            for grain in _AGGREGATE_GRAINS if refusals else ():
                blocked[(agreement.region, audience, measure, grain)] = Decision(
                    False, grain, refusals, None, (agreement.ref,), audience)
    return MappingProxyType(blocked)


def withheld_with(code: str) -> tuple[str, ...]:
    """What withholding ``code`` withholds: the measure, and for a rate whose every component
    the catalogue also releases as a count of its own (the agency rate from agency and
    permanent FTE), its numerator's count, without which the rate cannot be worked out. (A
    rate built on a count is already withheld wherever that count is.)"""
    measure = MEASURES[code]
    if measure.kind is Kind.COUNT:
        return (code,)
    as_counts = {c for c in measure.components if (count := MEASURES.get(c)) is not None
                 and count.kind is Kind.COUNT and count.numerator == c and not count.denominator}
    return (code, measure.numerator) if as_counts == set(measure.components) else (code,)


def _overrides(active: tuple[ConsentOverride, ...]) -> tuple[
        dict[BlockKey, Decision], dict[tuple[str, str], Decision],
        dict[tuple[str, str], Decision]]:
    withheld: dict[BlockKey, list[Clause]] = {}
    readers: dict[tuple[str, str], Decision] = {}
    sources: dict[tuple[str, str], Decision] = {}
    for o in active:
        why = f"{o.reason} ({o.author}, {o.effective_at.isoformat()})"
        if o.kind == SUSPEND:
            for grain in GRAINS:
                readers[(o.org_code, grain)] = deny(
                    grain, o.clause_id, f"{o.org_code} is suspended and reads nothing of others "
                    f"while suspended: {why}")
            # Its own figures only: it stays counted in the aggregates (see policies.policyset).
            sources[(o.org_code, LA)] = deny(
                LA, o.clause_id, f"{o.org_code} is suspended; its figures are shared "
                f"with no one but itself: {why}")
        elif o.kind == WITHHOLD and o.audience is not None:
            for asked in (o.measure,) if o.measure else tuple(MEASURES):
                for measure in withheld_with(asked):
                    with_it = "" if measure == asked else (
                        f", and with it {measure}, which beside the other counts it is built "
                        "from would give it back")
                    withheld.setdefault((o.org_code, o.audience, measure, LA), []).append(
                        Clause(o.clause_id, f"{o.org_code} withholds {asked} from "
                               f"{o.audience}{with_it}: {why}"))
    return ({key: Decision(False, key[3], tuple(clauses), None, (), key[1])
             for key, clauses in withheld.items()}, readers, sources)
