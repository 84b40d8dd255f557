"""Asking the PolicySet about each figure a reader may see, and noting what shaped the answer.

One ``Deciding`` serves a whole release (every measure of one reader's period), so a decision
asked for two measures' sake is made once. A rate or ratio is permitted only where each count
measure it is built from (``linked_counts``) is permitted too: a rate beside its denominator
would otherwise give back a numerator the reader may not see.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from typing import Any, Protocol

from policies.agreement import OWN
from policies.decision import READ, Clause, Decision, Resource, Subject
from policies.disclosure import Released
from policies.measures import MEASURES, Kind, Measure
from policies.policyset import PolicySet
from policies.rules import DisclosureRules, Marker


class Decides(Protocol):
    """What a release needs of a PolicySet."""

    def decide(self, subject: Subject, action: str, resource: Resource) -> Decision: ...


@cache
def linked_counts(measure: Measure) -> tuple[str, ...]:
    """The count measures ``measure`` is built from (none for a count): a rate's numerator and
    denominator components that the catalogue also releases as counts of their own."""
    if measure.kind is Kind.COUNT:
        return ()
    return tuple(code for code in measure.components
                 if (count := MEASURES.get(code)) is not None and count.kind is Kind.COUNT
                 and count.numerator == code and not count.denominator)


@dataclass
class Deciding:
    """The decisions of one reader in one period, each asked of the PolicySet once."""

    policy_set: Decides
    subject: Subject
    period: str
    permits: int = 0
    denies: int = 0
    _known: dict[tuple[str, str, str | None, str | None], Decision] = field(default_factory=dict)
    _many: dict[tuple[str, str, str | None, tuple[str, ...]], tuple[Decision, ...]] = field(
        default_factory=dict)

    def decide(self, measure: str, grain: str, region: str | None, la: str | None) -> Decision:
        key = (measure, grain, region, la)
        decision = self._known.get(key)
        if decision is None:
            decision = self._known[key] = self.policy_set.decide(
                self.subject, READ, Resource(measure, grain, region, la, self.period))
            self._count(decision)
        return decision

    def contributions(self, measure: str, grain: str, region: str | None,
                      las: tuple[str, ...]) -> tuple[Decision, ...]:
        """The decision for each of ``las`` counted in one aggregate: in one call where the
        PolicySet can (the aggregate's own decision made once), else one by one."""
        key = (measure, grain, region, las)
        decisions = self._many.get(key)
        if decisions is None:
            if isinstance(self.policy_set, PolicySet):
                decisions = self.policy_set.contributions(
                    self.subject, READ, Resource(measure, grain, region, None, self.period), las)
                for decision in decisions:
                    self._count(decision)
            else:
                decisions = tuple(self.decide(measure, grain, region, la) for la in las)
            self._many[key] = decisions
        return decisions

    def _count(self, decision: Decision) -> None:
        if decision.permit:
            self.permits += 1
        else:
            self.denies += 1


@dataclass
class Asker:
    """Decides for one measure of a release; keeps the agreements, rules and refusals."""

    deciding: Deciding
    measure: Measure
    agreements: dict[str, None] = field(default_factory=dict)
    rules: dict[tuple[str, str, str | None], dict[str, Any]] = field(default_factory=dict)
    refused: list[dict[str, Any]] = field(default_factory=list)

    def ask(self, grain: str, region: str | None = None, la: str | None = None) -> Decision:
        """The decision for one figure (``la``: for an aggregate, may that LA be counted)."""
        decision = self.deciding.decide(self.measure.code, grain, region, la)
        if decision.permit and grain != OWN:
            for code in linked_counts(self.measure):
                count = self.deciding.decide(code, grain, region, la)
                if not count.permit:
                    decision = _with_count(self.measure.code, code, count)
                    break
        if not decision.permit:
            self.refused.append({"grain": grain, "region": region, "la": la,
                                 "clauses": [c.id for c in decision.clauses]})
        return decision

    def counted(self, grain: str, region: str | None, las: tuple[str, ...],
                supplied: Container[str]) -> list[str]:
        """Those of ``las`` that ``supplied`` figures and may be counted in an aggregate at
        ``grain`` (a rate's only where each count it is built from may be too); the others'
        refusals noted. (Decided for all of ``las``: the same call serves every measure.)"""
        codes = (self.measure.code, *linked_counts(self.measure))
        by_code = [self.deciding.contributions(code, grain, region, las) for code in codes]
        kept = []
        for i, la in enumerate(las):
            if la not in supplied:
                continue
            decision = by_code[0][i]
            if decision.permit:
                for code, decisions in zip(codes[1:], by_code[1:], strict=True):
                    if not decisions[i].permit:
                        decision = _with_count(self.measure.code, code, decisions[i])
                        break
            if decision.permit:
                kept.append(la)
            else:
                self.refused.append({"grain": grain, "region": region, "la": la,
                                     "clauses": [c.id for c in decision.clauses]})
        return kept

    def applied(self, decision: Decision, grain: str, area: str) -> None:
        """Note that ``decision``'s agreements and rules shaped the figures of ``area``."""
        for ref in decision.agreements:
            self.agreements[str(ref)] = None
        key = (grain, area, decision.audience)
        if key not in self.rules:
            rules = _fields(decision.rules) if decision.rules is not None else None
            self.rules[key] = {"grain": grain, "area": area, "audience": decision.audience,
                               "agreements": [str(r) for r in decision.agreements],
                               "unrounded": rules is None, **(rules or {})}


@lru_cache(maxsize=256)
def _fields(rules: DisclosureRules) -> dict[str, Any]:
    """The rules as the answer lists them (``asdict`` copies deeply: once per rules object;
    the caller spreads the dict into its own)."""
    return asdict(rules)


def _with_count(measure: str, count: str, refused: Decision) -> Decision:
    """A rate's permit turned into a deny because the reader may not see ``count``."""
    clause = Clause(f"linked:{count}", f"{measure} is withheld with {count}: {refused.reason}")
    return Decision(False, refused.grain, (clause,), None, refused.agreements, refused.audience)


def rules_of(decision: Decision) -> DisclosureRules:
    """The disclosure rules of a permit at any grain but the LA's own, which has none."""
    if decision.rules is None:
        raise ValueError(f"a permit at grain {decision.grain} carries no disclosure rules")
    return decision.rules


def refusal(decision: Decision) -> Released:
    """The marker standing for a figure the reader may not see, with the decision's reason."""
    return Released(Marker.NOT_AVAILABLE, f"not permitted: {decision.reason}")


def shown(value: Released) -> dict[str, Any]:
    """A released figure as the API answers it: a number, or a marker and its reason.

    Reasons never say whether a withheld cell was small or protects one that is; the reader
    is never the supplier here (an LA's own figures are answered unrounded, apart).
    """
    if value.is_number:
        return {"value": value.number, "marker": None, "reason": None}
    marker = value.value
    assert isinstance(marker, Marker)
    return {"value": None, "marker": marker.value, "reason": value.reason_for_others}
