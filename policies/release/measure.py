"""What one reader sees of one measure in one period, before it is checked against the other
measures of the same release (see ``linked``): a decision per LA and grain, then disclosure
control with the rules each permit carries.

An LA withheld from the reader is a marker with its reason, and is left out of every aggregate
that reader sees unless that aggregate's own decision counts it (a consent override's always
does: the LA's figure is then a withheld cell of the LA list or breakdown table). Count
measures are additive, so an LA list and its region's total are released together with
secondary suppression; the total an LA reads must stay releasable without its own figure
(which it knows exactly), and a national total is checked against the region totals as one
sum (``hierarchy``). A count with a breakdown (breaches by type, FTE by role) is released
as one table of the LAs by category instead of a list, so the list and the breakdown cannot
be differenced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.agreement import LA, NATIONAL_GRAIN, OWN, REGION
from policies.decision import Decision
from policies.disclosure import (
    Grouping,
    Released,
    ReleasedTable,
    Supplied,
    aggregate_objection,
    apply_rules_to_series,
    release_aggregate,
    release_measure,
)
from policies.disclosure.primary import measure_counts
from policies.disclosure.released import NOT_SUPPLIED, SECONDARY, withheld
from policies.measures import Kind, Measure, derive
from policies.release.asking import Asker, refusal, rules_of, shown
from policies.release.breakdowns import release_breakdown
from policies.release.hierarchy import second_unknown, unknown_parts
from policies.release.inputs import Components, Geography, MeasureFigures
from policies.rules import DisclosureRules

_PROTECTS_LAS = withheld(f"{SECONDARY}: protects the figures of LAs counted in it")
_PROTECTS_REGION = withheld(f"{SECONDARY}: protects the total of a region")


@dataclass(frozen=True)
class Aggregate:
    """A released aggregate and the LAs counted in it."""

    value: Released
    counted: frozenset[str]


@dataclass(frozen=True)
class RegionBlock:
    """A region's LAs as the reader may see them (LA code -> released), and the region's total.

    ``table``: for a count with a breakdown, the release of the visible LAs' breakdown (the
    reader's own LA apart), whose row totals are those LAs' figures in ``las``.
    """

    las: dict[str, Released]
    total: Aggregate
    table: ReleasedTable | None = None


def _counts(measure: Measure, components: Components | None) -> Supplied:
    return NOT_SUPPLIED if components is None else measure_counts(measure, components)[0]


def aggregate(asker: Asker, figures: MeasureFigures, las: tuple[str, ...], grain: str,
              region: str | None = None) -> Aggregate:
    """A region's or the nation's aggregate over the LAs the reader's decisions let count."""
    measure = asker.measure
    decision = asker.ask(grain, region)
    if not decision.permit:
        return Aggregate(refusal(decision), frozenset())
    supplied = figures.las
    counted = {la: supplied[la] for la in asker.counted(grain, region, las, supplied)}
    asker.applied(decision, grain, region or NATIONAL_GRAIN)
    value = release_aggregate(counted, measure, rules_of(decision)) if counted else NOT_SUPPLIED
    return Aggregate(value, frozenset(counted))


def region_block(asker: Asker, figures: MeasureFigures, geo: Geography, region: str,
                 reader_la: str | None) -> RegionBlock:
    """Each LA of ``region`` as permitted (the reader's own apart) beside the region's total.

    An LA whose figure a consent override withholds (``Decision.withheld_under``) stays counted
    in the total; for a count it enters the LA list (or breakdown table) as a withheld cell,
    so secondary suppression protects it as it would a small one, on top of the cells withheld
    without the override (see ``policies.disclosure.linked.release_cells``).
    """
    measure = asker.measure
    total_decision = asker.ask(REGION, region)
    shown_las: dict[str, Released] = {}
    visible: dict[str, Components | None] = {}
    hidden: list[Components] = []
    #: Counted LAs withheld by an override: their refusal, shown in their cells' place.
    overridden: dict[str, Released] = {}
    counted: dict[str, Components] = {}
    la_rules: list[DisclosureRules | None] = []
    la_decision: Decision | None = None
    for la in geo.regions.get(region, ()):
        components = figures.las.get(la)
        decision = asker.ask(LA, region, la)
        if components is not None and total_decision.permit and asker.ask(
                REGION, region, la).permit:
            counted[la] = components
        if la == reader_la:
            shown_las[la] = _released(asker, decision, components, region)
        elif decision.permit:
            visible[la] = components
            la_rules.append(decision.rules)
            la_decision = la_decision or decision
        else:
            shown_las[la] = refusal(decision)
            if la in counted and measure.kind is Kind.COUNT and (
                    decision.withheld_under is not None):
                overridden[la] = shown_las[la]
                la_rules.append(decision.withheld_under)
            elif la in counted:
                hidden.append(counted[la])
    if la_decision is not None:
        asker.applied(la_decision, LA, region)
    if total_decision.permit:
        asker.applied(total_decision, REGION, region)
    cell_rules = la_rules[0] if la_rules else None
    table = None
    cells = {la: c for la, c in (*visible.items(), *((la, counted[la]) for la in overridden))}
    if measure.kind is Kind.COUNT and cells and cell_rules is not None:
        # The cells keep their own rules (a Pledge's unrounded breaches stay unrounded); the
        # total goes out under its own rules below, and only where the series' total may.
        withheld = {la: value.reason for la, value in overridden.items()}
        if measure.breakdowns:
            # The LA list and the breakdown are one release: each LA's figure is its row.
            table = release_breakdown(measure, figures, cells, cell_rules, overridden)
            shown_las.update(zip(table.rows, table.row_totals, strict=True))
            others_total = table.grand_total
        else:
            series = apply_rules_to_series(
                {la: _counts(measure, c) for la, c in cells.items()}, cell_rules,
                Grouping.flat(la for la in geo.regions[region] if la in cells),
                withheld=withheld)
            shown_las.update(series.values)
            shown_las.update(overridden)
            others_total = series.total
    else:
        for la, components in visible.items():
            assert la_decision is not None
            shown_las[la] = _released(asker, la_decision, components, region)
        others_total = None
    total = _region_total(measure, total_decision, counted, hidden, bool(cells),
                          others_total)
    ordered = {la: shown_las[la] for la in geo.regions[region]}
    return RegionBlock(ordered, Aggregate(total, frozenset(counted)), table)


def _region_total(measure: Measure, decision: Decision, counted: Mapping[str, Components],
                  hidden: list[Components], any_visible: bool, others_total: Released | None
                  ) -> Released:
    """The region's total: refused, not supplied, or released unless it would expose an LA."""
    if not decision.permit:
        return refusal(decision)
    if not counted:
        return NOT_SUPPLIED
    rules = rules_of(decision)
    if measure.kind is Kind.COUNT and _exposes(measure, hidden, any_visible, others_total, rules):
        return _PROTECTS_LAS
    return release_aggregate(counted, measure, rules)


def _exposes(measure: Measure, hidden: list[Components], any_visible: bool,
             others_total: Released | None, rules: DisclosureRules) -> bool:
    """Would the total give away an LA shown as a marker: one counted in it but not shown
    (beside others that are, or as too small a group), or one secondary suppression hid."""
    if hidden:
        parts = [measure_counts(measure, c)[0].value or 0.0 for c in hidden]
        return any_visible or aggregate_objection(parts, rules) is not None
    return others_total is not None and not others_total.is_number


def _released(asker: Asker, decision: Decision, components: Components | None,
              region: str) -> Released:
    if not decision.permit:
        return refusal(decision)
    if components is None:
        return NOT_SUPPLIED
    asker.applied(decision, decision.grain, region)
    return release_measure(asker.measure, components, rules_of(decision))


def national(asker: Asker, figures: MeasureFigures, geo: Geography,
             regions: dict[str, Aggregate], known: frozenset[str] = frozenset(),
             home: str | None = None) -> Aggregate:
    """The national aggregate, kept from giving away a region's part of it or being given
    back by the region totals (see ``hierarchy``); ``regions`` (released totals) may have one
    withheld beside a withheld national total.

    ``known``: the LAs whose figure the reader knows (its own, and those of its region released
    to it as numbers). Only counts are additive; rates and ratios get no secondary suppression
    of their own (see policies.disclosure.series): they are withheld with their counts (see
    ``linked``).
    """
    every = tuple(la for las in geo.regions.values() for la in las)
    result = aggregate(asker, figures, every, NATIONAL_GRAIN)
    if asker.measure.kind is not Kind.COUNT or not (
            result.value.is_number or result.value.is_suppressed):
        return result
    totals = {code: (r.value, r.counted) for code, r in regions.items()}
    unknown = unknown_parts(result.counted, geo.regions, totals, known)
    if result.value.is_number:
        return Aggregate(_PROTECTS_REGION, result.counted) if len(unknown) == 1 else result
    if not unknown:
        second = second_unknown(result.counted, geo.regions, totals, known, home)
        if second is not None:
            code, marker = second
            regions[code] = Aggregate(marker, regions[code].counted)
    return result


def own_figure(asker: Asker, figures: MeasureFigures, la: str, region: str) -> dict[str, Any]:
    """The LA's own figure, unrounded, with the counts it is derived from."""
    measure = asker.measure
    decision = asker.ask(OWN, region, la)
    components = figures.las.get(la)
    if not decision.permit:
        return {"numerator": None, "denominator": None, **shown(refusal(decision))}
    asker.applied(decision, OWN, la)
    if components is None:
        return {"numerator": None, "denominator": None, **shown(NOT_SUPPLIED)}
    numerator, denominator = measure_counts(measure, components)
    counts = {"numerator": numerator.value,
              "denominator": denominator.value if denominator is not None else None}
    value = derive(measure, {c: components.get(c, 0.0) for c in measure.components})
    if value is None:
        return {**counts, "value": None, "marker": "z", "reason": "zero denominator"}
    return {**counts, "value": value, "marker": None, "reason": None}
