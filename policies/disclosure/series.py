"""Disclosure control of one measure across LAs, with group (region) totals and a total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from policies.disclosure.aggregates import aggregate_objection
from policies.disclosure.released import Released, Supplied
from policies.disclosure.secondary import as_count, release_cells, total_of
from policies.rules import DisclosureRules


@dataclass(frozen=True)
class ReleasedSeries:
    """LA values, group totals (empty without groups) and the total, as released."""

    values: Mapping[str, Released]
    total: Released
    group_totals: Mapping[str, Released] = field(default_factory=dict)


def apply_rules_to_series(
    values: Mapping[str, Supplied],
    rules: DisclosureRules,
    groups: Mapping[str, Sequence[str]] | None = None,
    carried: ReleasedSeries | None = None,
) -> ReleasedSeries:
    """Counts of one measure by LA released with their total, and with each group's total when
    ``groups`` (group -> its LAs, every LA in exactly one) is given: nothing withheld can be
    recovered from the released figures at either level.

    Totals are sums of the supplied values and, being aggregates over LAs, pass the contributor
    minimum and dominance limit too. ``carried`` is an earlier release of the same series whose
    totals this pass keeps (used to re-apply the rules to released output).
    """
    las = list(values)
    names = [] if groups is None else list(groups)
    node_of = {la: 1 for la in las}
    if groups is not None:
        node_of = {la: 2 + g for g, name in enumerate(names) for la in groups[name]}
        if node_of.keys() != set(las) or len(node_of) != sum(len(groups[n]) for n in names):
            raise ValueError("every LA must be in exactly one group")
    figures = [values[la] for la in las]
    parts = [[values[la] for la in groups[name]] for name in names] if groups else []
    if carried is None:
        group_totals: list[Supplied] = [total_of(p) for p in parts]
        total: Supplied = total_of(figures)
        objections = [_objection(p, rules) for p in [*parts, figures]]
    else:
        group_totals = [carried.group_totals[name] for name in names]
        total = carried.total
        objections = [None] * (len(names) + 1)
    # Without groups, each LA and the total join nodes 0 and 1: "sum of LAs - total = 0".
    # With groups, each LA joins node 0 to its group's node, each group total joins that node
    # to node 1, and the total joins node 1 back to node 0: one equation per group, one for
    # the groups' totals, and one for the whole.
    ends = [(0, node_of[la]) for la in las]
    ends += [(2 + g, 1) for g in range(len(names))] + [(1, 0)]
    labels = [f"the value of {la}" for la in las]
    labels += [f"the total of {name}" for name in names] + ["the total"]
    released = release_cells(
        2 + len(names),
        ends,
        [*figures, *group_totals, total],
        [None] * len(las) + objections,
        labels,
        rules,
    )
    return ReleasedSeries(
        dict(zip(las, released, strict=False)),
        released[-1],
        dict(zip(names, released[len(las) :], strict=False)),
    )


def _objection(parts: Sequence[Supplied], rules: DisclosureRules) -> str | None:
    supplied = [v for v in (as_count(p).value for p in parts) if v is not None]
    return aggregate_objection(supplied, rules) if supplied else None
