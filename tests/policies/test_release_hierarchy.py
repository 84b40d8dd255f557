"""Regression (issue 14, finding 1): a withheld national count came back as the sum of region
totals released under looser region rules, and a released national count gave back the one
region total withheld beside the reader's own figure. Fixed worlds the leak search found; each
leaked before ``policies.release.hierarchy`` and is checked with the same LP model."""

from __future__ import annotations

from typing import Any

from policies.decision import Subject
from policies.release import Geography, release_period
from policies.rules import DisclosureRules
from tests.policies.release_worlds import CHOSEN, PERIOD, Policy, figures_of, model_of, read

REGIONS = {"R0": ("L00", "L01", "L02"), "R1": ("L10", "L11"), "R2": ("L20", "L21")}
BREACHES = "mou_breaches"


def world(breaches: dict[str, float], rules: dict[str, DisclosureRules],
          subject: Subject) -> dict[str, Any]:
    """LAs that supplied only breaches (every other count zero)."""
    zero = dict.fromkeys(("permanent_headcount", "agency_headcount", "permanent_fte",
                          "agency_fte", "agency_above_cap"), 0.0)
    return {"geo": Geography({}, REGIONS),
            "supplied": {la: ({**zero, BREACHES: n}, {}) for la, n in breaches.items()},
            "rules": rules, "withheld": frozenset(), "subject": subject}


def rules(dominance: float, min_cell_count: int = 2) -> DisclosureRules:
    return DisclosureRules(min_cell_count=min_cell_count, rounding_base=1, min_contributors=1,
                           dominance_share=dominance, rate_decimals=0)


REGION_READER = Subject("R0", "region", "R0")


def breaches(w: dict[str, Any]) -> dict[str, Any]:
    released = release_period(Policy(w["rules"], w["withheld"]), w["subject"], PERIOD, 1,
                              figures_of(w["supplied"]), w["geo"], CHOSEN)
    payload = released.answers[BREACHES].payload
    return {"national": payload["national"]["marker"] or payload["national"]["value"],
            **{r["code"]: r["marker"] or r["value"] for r in payload["regions"]}}


def pinned(w: dict[str, Any]) -> dict[Any, float]:
    model = model_of(w)
    reader = read(w, Policy(w["rules"], w["withheld"]), model, "a")
    return model.pinned(reader.withheld)


def test_national_withheld_is_not_the_one_region_total_released():
    # Only R1 supplied: 6 and 4, one LA 60% of the total. The nation's dominance limit (50%)
    # withholds it; R1's (70%) releases 10, the same sum. R1's total is withheld with it.
    w = world({"L10": 6.0, "L11": 4.0},
              {"la": rules(1.0), "region": rules(0.7), "national": rules(0.5)}, REGION_READER)
    assert breaches(w) == {"national": "c", "R0": "x", "R1": "c", "R2": "x"}
    assert pinned(w) == {}


def test_national_withheld_is_not_the_sum_of_released_region_totals():
    # The nation counts exactly the LAs of R1 (7 + 4) and R2 (1 + 1): 13, one LA 54%, withheld
    # under 50%; both region totals pass 70%. The smaller, R2's, is withheld with it.
    w = world({"L10": 7.0, "L11": 4.0, "L20": 1.0, "L21": 1.0},
              {"la": rules(1.0), "region": rules(0.7), "national": rules(0.5)}, REGION_READER)
    assert breaches(w) == {"national": "c", "R0": "x", "R1": 11.0, "R2": "c"}
    assert pinned(w) == {}


def test_national_released_does_not_give_back_a_region_beside_the_readers_own_figure():
    # L00 reads: its own 1 breach, R2's 1 withheld as small (below 2), the nation's 2 released,
    # would leave R2's 1 as 2 - 1. The reader's own figure is a known part: the nation is
    # withheld.
    w = world({"L00": 1.0, "L20": 0.0, "L21": 1.0},
              {grain: rules(0.5) for grain in ("la", "region", "national")},
              Subject("L00", "local_authority", "R0"))
    assert breaches(w)["national"] == "c"
    assert pinned(w) == {}
