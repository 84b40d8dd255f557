"""Disclosure control of one measure across LAs, with group (region) totals and a total.

Counts are additive, so a withheld LA value could be read off its region's total: they get
secondary suppression over the whole hierarchy. Rates and ratios are not additive and get
none; what could give a withheld rate away is its numerator or denominator, which the hub
releases (where it does) as count measures of their own, protected there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from policies.disclosure.aggregates import Contributions, release_contributions
from policies.disclosure.linked import is_supplied, parts_of, release_cells, total_of
from policies.disclosure.primary import counts_reader, is_within, release_rate
from policies.disclosure.released import NOT_SUPPLIED, Count, Released, Supplied
from policies.disclosure.secondary import Edge
from policies.measures import Kind, Measure
from policies.rules import DisclosureRules


@dataclass(frozen=True)
class Grouping:
    """LAs in named groups (regions), each LA in exactly one: the shape of a series.

    Build it once (``Grouping.of(regions)``) and pass it for every measure and period; a flat
    grouping (``Grouping.flat(las)``) is one list of LAs released with its total only.
    """

    groups: tuple[tuple[str, tuple[str, ...]], ...]
    nested: bool = True

    def __post_init__(self) -> None:
        if len(set(self.las)) != len(self.las):
            raise ValueError("every LA must be in exactly one group")

    @classmethod
    def of(cls, groups: Mapping[str, Sequence[str]]) -> Grouping:
        """Groups (group -> its LAs) with a total for each and one for all."""
        return cls(tuple((name, tuple(members)) for name, members in groups.items()))

    @classmethod
    def flat(cls, las: Iterable[str]) -> Grouping:
        """One list of LAs with a total for all of them."""
        return cls((("", tuple(las)),), nested=False)

    @cached_property
    def las(self) -> tuple[str, ...]:
        """Every LA, group by group."""
        return tuple(la for _, members in self.groups for la in members)

    @cached_property
    def members(self) -> frozenset[str]:
        """Every LA, as a set."""
        return frozenset(self.las)

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The groups released with a total of their own (none when flat)."""
        return tuple(name for name, _ in self.groups) if self.nested else ()

    @cached_property
    def ends(self) -> tuple[Edge, ...]:
        """The table's cells as edges: LAs, then group totals, then the total.

        Flat: each LA and the total join nodes 0 and 1 ("sum of LAs - total = 0"). Nested:
        each LA joins node 0 to its group's node, each group total joins that node to node 1,
        the total joins node 1 to node 0; one equation per group, one for the groups' totals,
        one for the whole.
        """
        if not self.nested:
            return ((0, 1),) * len(self.las) + ((1, 0),)
        las = [(0, 2 + g) for g, (_, members) in enumerate(self.groups) for _ in members]
        totals = [(2 + g, 1) for g in range(len(self.groups))]
        return (*las, *totals, (1, 0))

    def label(self, e: int) -> str:
        """How a reason names cell ``e``."""
        if e < len(self.las):
            return f"the value of {self.las[e]}"
        if e < len(self.las) + len(self.names):
            return f"the total of {self.names[e - len(self.las)]}"
        return "the total"


@dataclass(frozen=True)
class ReleasedSeries:
    """LA values, group totals (empty without groups) and the total, as released."""

    values: Mapping[str, Released]
    total: Released
    group_totals: Mapping[str, Released] = field(default_factory=dict)


def apply_rules_to_series(
    values: Mapping[str, Supplied],
    rules: DisclosureRules,
    groups: Grouping | Mapping[str, Sequence[str]] | None = None,
    carried: ReleasedSeries | None = None,
    withheld: Mapping[str, str] | None = None,
) -> ReleasedSeries:
    """Counts of one measure by LA released with their total, and with each group's total when
    ``groups`` (group -> its LAs, every LA in exactly one) is given: nothing withheld can be
    recovered from the released figures at either level.

    Totals are sums of the supplied values and, being aggregates over LAs, pass the contributor
    minimum and dominance limit too. ``carried`` is an earlier release of the same series whose
    totals this pass keeps (used to re-apply the rules to released output). With groups, the
    released values come group by group, and an LA of a group missing from ``values`` is
    released as not supplied; an LA in no group is a ValueError. ``withheld``: LAs whose value
    is withheld whatever it is (LA -> the reason), counted in the totals and protected by
    secondary suppression as a small value would be.
    """
    grouping = _grouping(groups, values)
    if not values.keys() <= grouping.members:
        raise ValueError(f"LAs in no group: {sorted(values.keys() - grouping.members)}")
    figures = [values.get(la, NOT_SUPPLIED) for la in grouping.las]
    return _release_series(grouping, figures, rules, carried, withheld or {})


def _release_series(
    grouping: Grouping,
    figures: list[Supplied],
    rules: DisclosureRules,
    carried: ReleasedSeries | None,
    withheld: Mapping[str, str] | None = None,
) -> ReleasedSeries:
    las = grouping.las
    forced = [
        (reason, (e,))
        for e, (la, figure) in enumerate(zip(las, figures, strict=True))
        if withheld and (reason := withheld.get(la)) and is_supplied(figure)
    ]
    if carried is None:
        by_group = []
        start = 0
        for _, members in grouping.groups:
            by_group.append(parts_of(figures[start : start + len(members)]))
            start += len(members)
        everything = ([p for parts, _ in by_group for p in parts], sum(g for _, g in by_group))
        sums = [total_of(*summed, rules, True) for summed in by_group[: len(grouping.names)]]
        sums.append(total_of(*everything, rules, True))
        totals: list[Supplied] = [total for total, _ in sums]
        objections: list[str | None] = [None] * len(las)
        objections += [objection for _, objection in sums]
    else:
        totals = [*(carried.group_totals[name] for name in grouping.names), carried.total]
        objections = [None] * (len(las) + len(totals))
    node_count = 2 + len(grouping.names)
    released = release_cells(
        node_count,
        grouping.ends,
        [*figures, *totals],
        objections,
        grouping.label,
        rules,
        forced,
    )
    return ReleasedSeries(
        dict(zip(las, released, strict=False)),
        released[-1],
        dict(zip(grouping.names, released[len(las) :], strict=False)),
    )


def release_measure_series(
    measure: Measure,
    components: Mapping[str, Mapping[str, float | None]],
    rules: DisclosureRules,
    groups: Grouping | Mapping[str, Sequence[str]] | None = None,
) -> ReleasedSeries:
    """``measure`` for each LA (LA code -> its components), for each group and in total; an
    LA of a group missing from ``components`` is released as not supplied.

    Counts go through ``apply_rules_to_series``. Rates and ratios are released per LA by
    primary suppression, and per group and in total as aggregates of the LAs' numerators and
    denominators; they get no secondary suppression (see the module documentation).
    """
    grouping = _grouping(groups, components)
    read = counts_reader(measure)
    if not components.keys() <= grouping.members:
        raise ValueError(f"LAs in no group: {sorted(components.keys() - grouping.members)}")
    counts = {la: read(components.get(la, {})) for la in grouping.las}
    if measure.kind is Kind.COUNT:
        return _release_series(grouping, [n for n, _ in counts.values()], rules, None)
    within = is_within(measure)
    values = {
        la: release_rate(n, d or Count(None), measure.kind, rules, within)
        for la, (n, d) in counts.items()
    }
    parts = [Contributions.of(counts[la] for la in members) for _, members in grouping.groups]
    group_totals = {
        name: release_contributions(part, measure, rules)
        for name, part in zip(grouping.names, parts, strict=False)
    }
    total = release_contributions(Contributions.merged(parts), measure, rules)
    return ReleasedSeries(values, total, group_totals)


def _grouping(
    groups: Grouping | Mapping[str, Sequence[str]] | None, las: Iterable[str]
) -> Grouping:
    if isinstance(groups, Grouping):
        return groups
    return Grouping.flat(las) if groups is None else Grouping.of(groups)
