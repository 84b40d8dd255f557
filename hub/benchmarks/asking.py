"""Asking the PolicySet about each figure a reader may see, and noting what shaped the answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from hub.observability.metrics import count_decision
from policies.decision import READ, Decision, Resource, Subject
from policies.disclosure import Released
from policies.policyset import PolicySet
from policies.rules import DisclosureRules, Marker


@dataclass
class Asker:
    """Decides for one reader, measure and period; keeps the agreements, rules and refusals."""

    policy_set: PolicySet
    subject: Subject
    measure: str
    period: str
    agreements: dict[str, None] = field(default_factory=dict)
    rules: dict[tuple[str, str, str | None], dict[str, Any]] = field(default_factory=dict)
    refused: list[dict[str, Any]] = field(default_factory=list)

    def ask(self, grain: str, region: str | None = None, la: str | None = None) -> Decision:
        """The decision for one figure (``la``: for an aggregate, may that LA be counted)."""
        decision = self.policy_set.decide(
            self.subject, READ, Resource(self.measure, grain, region, la, self.period))
        count_decision(decision)
        if not decision.permit:
            self.refused.append({"grain": grain, "region": region, "la": la,
                                 "clauses": [c.id for c in decision.clauses]})
        return decision

    def applied(self, decision: Decision, grain: str, area: str) -> None:
        """Note that ``decision``'s agreements and rules shaped the figures of ``area``."""
        for ref in decision.agreements:
            self.agreements[str(ref)] = None
        key = (grain, area, decision.audience)
        if key not in self.rules:
            rules = asdict(decision.rules) if decision.rules is not None else None
            self.rules[key] = {"grain": grain, "area": area, "audience": decision.audience,
                               "agreements": [str(r) for r in decision.agreements],
                               "unrounded": rules is None, **(rules or {})}


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
