"""Aggregates over LAs: released only when enough LAs contribute and none dominates.

A contributor is an LA that supplied every component the measure needs (zeros included).
Dominance is judged on the numerator total for a count; for a rate or ratio on the numerator
total and on the denominator total, each on its own, since either can be read back from a
published rate when the other is known. A total of zero has no dominant contributor.
Reasons name neither the dominant LA nor its share: the aggregate is withheld, and its size
should not leak through the explanation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from policies.disclosure.primary import counts_reader, is_within, release_count, release_rate
from policies.disclosure.released import AGGREGATE, NOT_SUPPLIED, Count, Released, withheld
from policies.measures import Kind, Measure
from policies.rules import DisclosureRules


def aggregate_objection(
    parts: Sequence[float], rules: DisclosureRules, of: str = "the total"
) -> str | None:
    """Why an aggregate of ``parts`` (one per contributing LA) may not be released, or None."""
    if len(parts) < rules.min_contributors:
        return (
            f"{AGGREGATE}: {len(parts)} contributors below minimum {rules.min_contributors}"
        )
    total = sum(parts)
    if total > 0 and max(parts) > rules.dominance_share * total:
        return (
            f"{AGGREGATE}: one LA makes up more than the {rules.dominance_share:.0%} "
            f"dominance limit of {of}"
        )
    return None


def release_aggregate(
    contributions: Mapping[str, Mapping[str, float | None]],
    measure: Measure,
    rules: DisclosureRules,
) -> Released:
    """``measure`` over the LAs in ``contributions`` (LA code -> its components), released
    only with enough contributors and no dominant one, then primary-suppressed and rounded."""
    read = counts_reader(measure)
    counts = [read(components) for components in contributions.values()]
    return release_contributions(Contributions.of(counts), measure, rules)


@dataclass(frozen=True)
class Contributions:
    """What each contributing LA adds to an aggregate: numerators, denominators (rates only)
    and the sums of the figures governing them."""

    numerators: tuple[float, ...] = ()
    denominators: tuple[float, ...] = ()
    numerator_governing: float = 0.0
    denominator_governing: float = 0.0

    @classmethod
    def of(cls, counts: Iterable[tuple[Count, Count | None]]) -> Contributions:
        """The contributions of the LAs that supplied a numerator and any denominator."""
        numerators: list[float] = []
        denominators: list[float] = []
        governing = [0.0, 0.0]
        for numerator, denominator in counts:
            if numerator.value is None:
                continue
            if denominator is not None:
                if denominator.value is None:
                    continue
                denominators.append(denominator.value)
                people = denominator.people
                governing[1] += denominator.value if people is None else people
            numerators.append(numerator.value)
            people = numerator.people
            governing[0] += numerator.value if people is None else people
        return cls(tuple(numerators), tuple(denominators), governing[0], governing[1])

    @classmethod
    def merged(cls, parts: Iterable[Contributions]) -> Contributions:
        """The contributions of several disjoint sets of LAs together."""
        parts = list(parts)
        return cls(
            tuple(x for p in parts for x in p.numerators),
            tuple(x for p in parts for x in p.denominators),
            sum(p.numerator_governing for p in parts),
            sum(p.denominator_governing for p in parts),
        )


def release_contributions(
    contributions: Contributions, measure: Measure, rules: DisclosureRules
) -> Released:
    """``measure`` over ``contributions`` released as ``release_aggregate`` describes."""
    kind = measure.kind
    numerators = contributions.numerators
    if not numerators:
        return NOT_SUPPLIED
    objection = aggregate_objection(numerators, rules, "the numerator")
    if kind is not Kind.COUNT:
        denominators = contributions.denominators
        objection = objection or aggregate_objection(denominators, rules, "the denominator")
    if objection:
        return withheld(objection)
    numerator = Count(sum(numerators), contributions.numerator_governing)
    if kind is Kind.COUNT:
        return release_count(numerator, rules)
    denominator = Count(sum(contributions.denominators), contributions.denominator_governing)
    return release_rate(numerator, denominator, kind, rules, is_within(measure))
