"""An LA hidden from the reader but counted in its region's total (as an agreement may allow)."""

from __future__ import annotations

from dataclasses import dataclass

from policies.decision import Clause, Decision, Resource, Subject
from policies.measures import MEASURES
from policies.release import Figures, Geography
from policies.release.asking import Asker, Deciding
from policies.release.measure import region_block
from policies.rules import DisclosureRules

RULES = DisclosureRules(min_cell_count=5, rounding_base=5, min_contributors=3,
                        dominance_share=0.5)
REGION = "R1"
LAS = ("A", "B", "C", "D", "E")
GEO = Geography({la: la for la in LAS}, {REGION: LAS})
FIGURES = Figures({la: {"agency_headcount": 20.0 + i} for i, la in enumerate(LAS)})


@dataclass
class Policies:
    """Permits everything but the LA grain for the LAs in ``unseen``."""

    unseen: frozenset[str]

    def decide(self, subject: Subject, action: str, resource: Resource) -> Decision:
        if resource.grain == "la" and resource.la_code in self.unseen:
            return Decision(False, "la", (Clause("test", "not at this grain"),))
        return Decision(True, resource.grain, (Clause("test", "permitted"),), RULES)


def block(unseen: set[str]):
    deciding = Deciding(Policies(frozenset(unseen)), Subject("R1", "region", REGION), "2024-Q4")
    return region_block(Asker(deciding, MEASURES["agency_headcount"]), FIGURES, GEO, REGION,
                        None)


def test_a_hidden_la_counted_in_the_total_withholds_the_total():
    result = block({"C"})
    shown = result.las
    assert shown["C"].value == "x" and "not at this grain" in shown["C"].reason
    assert all(shown[la].is_number for la in LAS if la != "C")
    assert "C" in result.total.counted
    assert result.total.value.is_suppressed  # else the total less the others gives C back


def test_a_total_over_only_hidden_las_is_an_ordinary_aggregate():
    result = block(set(LAS))
    assert all(value.value == "x" for value in result.las.values())
    assert result.total.value.number == 110  # 20 + 21 + 22 + 23 + 24, rounded to 5
