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

from policies.disclosure.primary import measure_counts, release_measure
from policies.disclosure.released import AGGREGATE, NOT_SUPPLIED, Count, Released, withheld
from policies.measures import COMPONENTS, Kind, Measure
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
    supplied = {
        la: components
        for la, components in contributions.items()
        if all(components.get(code) is not None for code in measure.components)
    }
    if not supplied:
        return NOT_SUPPLIED
    counts = [measure_counts(measure, components) for components in supplied.values()]
    numerators = [_value(numerator) for numerator, _ in counts]
    objection = aggregate_objection(numerators, rules, "the numerator")
    if objection is None and measure.kind is not Kind.COUNT:
        denominators = [_value(d) for _, d in counts if d is not None]
        objection = aggregate_objection(denominators, rules, "the denominator")
    if objection is not None:
        return withheld(objection)
    return release_measure(measure, summed_components(measure, supplied.values()), rules)


def summed_components(
    measure: Measure, contributions: Iterable[Mapping[str, float | None]]
) -> dict[str, float | None]:
    """The measure's components summed over contributors, each headcount summed as the
    figure governing its component (the LA's headcount where supplied, else its value)."""
    rows = list(contributions)
    summed: dict[str, float | None] = {}
    for code in measure.components:
        people_code = COMPONENTS[code].people if code in COMPONENTS else None
        total = 0.0
        governing = 0.0
        for components in rows:
            value = components[code]
            assert value is not None
            total += value
            people = components.get(people_code) if people_code else None
            governing += value if people is None else people
        summed[code] = total
        if people_code:
            summed[people_code] = governing
    return summed


def _value(count: Count | None) -> float:
    assert count is not None and count.value is not None
    return count.value
