"""Two answers around a consent change, read together (issue 14, item 1, its last part).

The same reader reads the same period before and after one override (an LA withholds a measure
or everything from it, or lifts a withholding; an admin suspends an LA, or lifts it). Both
answers go into one LP model over the same figures (``release_model``), and no count withheld
in either answer, and not released as such in the other, may be pinned to one value.

What leaked before: the LA that withholds was left out of the aggregates of the second answer,
so a region or national total of the first answer minus the same total of the second was that
LA's figure, withheld as small (``c``) in the first answer. An override now withholds the LA's
own figures, never the LA from an aggregate: it stays counted, its figure is a withheld cell
that secondary suppression protects on top of the pattern the answer has without it.

The random search over worlds runs by hand (``python -m tests.policies.consent_leak_search``):
it still finds a rare world that leaks (README, "Disclosure control across measures"), so it
would fail CI at random. This file keeps the fixed world it first found.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import pytest

from policies.compiler import compile_policies
from policies.decision import READ, Decision, Resource, Subject
from policies.loader import load_agreements
from policies.overrides import ConsentOverride
from policies.policyset import PolicySet
from policies.release import Figures, Geography, release_period
from tests.policies.conftest import NOW, agreement_files, read_reference
from tests.policies.release_model import Model, Reader
from tests.policies.release_worlds import released_elsewhere

# A fixed world under the real agreements: London's region reads agency_above_cap. Before
# overrides kept the LA counted, Sutton left the second answer's totals and the two answers
# pinned its 1 (for a withholding and a suspension alike).
LONDON, SUTTON = "E12000007", "E09000029"
PERIOD = "2024-Q4"
MEASURED = ("agency_headcount", "agency_above_cap", "agency_above_cap_share")
_REGION_READER = Subject(LONDON, "region", LONDON)


@cache
def _geography() -> Geography:
    regions = read_reference()
    return Geography({}, {code: tuple(sorted(las)) for code, las in sorted(regions.items())})


def _components(la: str) -> dict[str, float]:
    """Every LA 40 agency workers, 12 above the cap; Sutton 1 above, withheld as small."""
    return {"agency_headcount": 40.0, "agency_above_cap": 1.0 if la == SUTTON else 12.0}


def _figures() -> dict[str, Figures]:
    las = [la for members in _geography().regions.values() for la in members]
    return {code: Figures({la: _components(la) for la in las}) for code in MEASURED}


def _override(kind: str) -> ConsentOverride:
    if kind == "suspend":
        return ConsentOverride(f"s-{SUTTON}", 1, "suspend", SUTTON, "unsigned agreement",
                               "hub admin", NOW - timedelta(hours=1))
    return ConsentOverride(f"w-{SUTTON}", 1, "withhold", SUTTON, "board decision",
                           "dcs@example.org", NOW - timedelta(days=1),
                           audience="region_parties", measure="agency_above_cap")


def _answer(policy_set: PolicySet, model: Model, tag: str) -> tuple[Reader, dict]:
    def decide(measure: str, grain: str, region: str | None, la: str | None) -> Decision:
        return policy_set.decide(_REGION_READER, READ,
                                 Resource(measure, grain, region, la, PERIOD))

    released = release_period(policy_set, _REGION_READER, PERIOD, 1, _figures(), _geography(),
                              MEASURED)
    reader = Reader(model, decide, _geography(), None, LONDON)
    for answer in released.answers.values():
        reader.add_answer(answer.payload, tag)
    return reader, released.answers["agency_above_cap"].payload


@pytest.mark.parametrize("kind", ["withhold", "suspend"])
def test_sutton_is_not_the_difference_of_london_totals_around_its_override(kind: str) -> None:
    agreements, problems = load_agreements(agreement_files(), read_reference())
    assert not problems
    truth = {la: _components(la) for members in _geography().regions.values()
             for la in members}
    model = Model(truth, {}, {la: r for r, las in _geography().regions.items() for la in las})
    before, first = _answer(compile_policies(agreements, [], NOW), model, "a")
    after, second = _answer(compile_policies(agreements, [_override(kind)], NOW), model, "b")

    def sutton(payload: dict) -> dict:
        return next(r for r in payload["local_authorities"] if r["code"] == SUTTON)

    assert sutton(first)["marker"] == "c"  # 1 is below the Pledge's minimum of 2
    assert sutton(second)["marker"] == "x"  # not permitted: the override
    assert kind in sutton(second)["reason"] or "withholds" in sutton(second)["reason"]
    # Sutton stays counted: London's and the nation's totals are the same figures both times.
    for key in ("regions", "national"):
        rows = first[key] if key == "regions" else [first[key]]
        again = second[key] if key == "regions" else [second[key]]
        assert [(r["value"], r["marker"], r["counted"]) for r in rows] == [
            (r["value"], r["marker"], r["counted"]) for r in again]
    assert SUTTON in second["national"]["counted"]
    withheld = {**before.withheld, **after.withheld}
    assert ("la", "agency_above_cap", SUTTON) in withheld
    assert model.pinned(released_elsewhere(model, withheld)) == {}
