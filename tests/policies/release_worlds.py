"""Random worlds for the leak search of the whole release (``test_release_leaks``): LA figures,
disclosure rules per grain, consents and a reader; and the reader's answers as LP constraints
(``release_model``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from policies.decision import Clause, Decision, Resource, Subject
from policies.measures import BREACH_TYPES, COMPONENTS, MEASURES, ROLES
from policies.release import Figures, Geography, release_period
from policies.rules import DisclosureRules
from tests.policies.release_model import Expr, Model, Reader

PERIOD = "2024-Q4"
HOME = "R0"
#: The measures read: counts with breakdowns and the rates built from them.
CHOSEN = ("permanent_headcount", "agency_headcount", "permanent_fte", "agency_fte",
          "agency_rate", "agency_above_cap", "agency_above_cap_share", "mou_breaches")
SPLIT = {"agency_above_cap": ("role", ROLES), "mou_breaches": ("breach_type", BREACH_TYPES)}


@dataclass(frozen=True)
class Policy:
    """Rules per grain; consents: (LA, measure or None for all) withheld from the reader."""

    rules: dict[str, DisclosureRules]
    withheld: frozenset[tuple[str, str | None]]

    def decide(self, subject: Subject, action: str, resource: Resource) -> Decision:
        grain, la = resource.grain, resource.la_code
        if grain == "own":
            return Decision(True, grain, (Clause("own", "its own figures"),))
        # As the PolicySet: a consent withholds the LA's own figure, never the LA from an
        # aggregate; its figure goes into disclosure control as a withheld cell.
        if grain == "la" and la != subject.org_code and (
                (la, None) in self.withheld or (la, resource.measure) in self.withheld):
            return Decision(False, grain, (Clause("consent", f"{la} withholds it"),),
                            withheld_under=self.rules[grain])
        return Decision(True, grain, (Clause("grant", "granted"),), self.rules[grain])


rules = st.builds(DisclosureRules, min_cell_count=st.sampled_from([2, 3, 5]),
                  rounding_base=st.sampled_from([1, 2, 5]),
                  min_contributors=st.sampled_from([1, 2, 3]),
                  dominance_share=st.sampled_from([0.5, 0.7, 1.0]),
                  rate_decimals=st.sampled_from([0, 1, 2]))


@st.composite
def split_of(draw: st.DrawFn, total: int, categories: tuple[str, ...]) -> dict[str, int]:
    """``total`` split across some of ``categories`` (the others zero)."""
    split = dict.fromkeys(categories, 0)
    for _ in range(total):
        split[draw(st.sampled_from(categories))] += 1
    return {c: v for c, v in split.items() if v}


@st.composite
def la_figures(draw: st.DrawFn) -> tuple[dict[str, float], dict[str, Any]] | None:
    if draw(st.integers(0, 11)) == 0:
        return None  # supplied nothing
    small = st.integers(0, 12)
    permanent = draw(st.one_of(small, st.integers(0, 40)))
    agency = draw(st.one_of(small, st.integers(0, 30)))
    above = draw(st.integers(0, agency))
    breaches = draw(st.integers(0, 8))
    fte = st.integers(80, 100)
    components = {
        "permanent_headcount": float(permanent), "agency_headcount": float(agency),
        "permanent_fte": round(permanent * draw(fte) / 100, 1),
        "agency_fte": round(agency * draw(fte) / 100, 1),
        "agency_above_cap": float(above), "mou_breaches": float(breaches)}
    splits: dict[str, Any] = {}
    for measure, (dimension, categories) in SPLIT.items():
        if draw(st.booleans()):
            split = draw(split_of(int(components[measure]), categories))
            splits[measure] = {dimension: {c: {measure: float(v)} for c, v in split.items()}}
    return components, splits


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    sizes = [draw(st.integers(3, 7)), draw(st.integers(2, 4)), draw(st.integers(2, 4))]
    regions = {f"R{r}": tuple(f"L{r}{i}" for i in range(n)) for r, n in enumerate(sizes)}
    las = [la for members in regions.values() for la in members]
    supplied = {la: f for la in las if (f := draw(la_figures())) is not None}
    withholdings = draw(st.lists(st.tuples(st.sampled_from(las),
                                           st.sampled_from([None, *CHOSEN])), max_size=3))
    reader = draw(st.sampled_from([*regions[HOME], HOME]))
    return {"geo": Geography({}, regions), "supplied": supplied,
            "rules": {"la": draw(rules), "region": draw(rules), "national": draw(rules)},
            "withheld": frozenset(withholdings),
            "subject": (Subject(reader, "region", HOME) if reader == HOME
                        else Subject(reader, "local_authority", HOME))}


def needed(code: str) -> tuple[str, ...]:
    measure = MEASURES[code]
    people = [p for c in measure.components if (p := COMPONENTS[c].people)]
    return (*measure.components, *people)


def figures_of(supplied: dict[str, Any]) -> dict[str, Figures]:
    out = {}
    for code in CHOSEN:
        measure = MEASURES[code]
        las = {la: {c: comps[c] for c in needed(code)} for la, (comps, _) in supplied.items()}
        splits = {la: split[code] for la, (_, split) in supplied.items() if code in split}
        out[code] = Figures(las, splits if measure.kind.value == "count" else {})
    return out


def read(world: dict[str, Any], policy: Policy, model: Model, tag: str) -> Reader:
    """The reader's answers under ``policy`` added to ``model``."""
    subject = world["subject"]

    def decide(measure: str, grain: str, region: str | None, la: str | None) -> Decision:
        return policy.decide(subject, "read", Resource(measure, grain, region, la, PERIOD))

    released = release_period(policy, subject, PERIOD, 1, figures_of(world["supplied"]),
                              world["geo"], CHOSEN)
    own = subject.org_code if subject.kind == "local_authority" else None
    reader = Reader(model, decide, world["geo"], own, HOME)
    reader.know_own()
    for answer in released.answers.values():
        reader.add_answer(answer.payload, tag)
    return reader


def model_of(world: dict[str, Any]) -> Model:
    supplied = world["supplied"]
    return Model({la: comps for la, (comps, _) in supplied.items()},
                 {la: split for la, (_, split) in supplied.items()}, world["geo"].region_of)


@st.composite
def consent_changes(draw: st.DrawFn) -> tuple[dict[str, Any], frozenset[tuple[str, str | None]]]:
    """A world and the consents after one change: an LA withholds a measure (or everything)
    from the reader, or lifts one of its withholdings."""
    world = draw(worlds())
    before = world["withheld"]
    las = [la for members in world["geo"].regions.values() for la in members
           if la != world["subject"].org_code]
    if before and draw(st.booleans()):
        return world, before - {draw(st.sampled_from(sorted(before, key=repr)))}
    change = (draw(st.sampled_from(las)), draw(st.sampled_from([None, *CHOSEN])))
    return world, before | {change}


def released_elsewhere(model: Model, withheld: dict[tuple[Any, ...], Expr]
                       ) -> dict[tuple[Any, ...], Expr]:
    """``withheld`` without the counts one of the answers released as such: a figure shown
    before a withholding was shown; only what differencing gives back is a leak."""
    shown = {frozenset(expr.items()) for expr, *_ in model.rows}
    return {name: expr for name, expr in withheld.items()
            if frozenset(expr.items()) not in shown}
