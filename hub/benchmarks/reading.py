"""The benchmark each kind of reader gets for one measure and period, from the stored figures."""

from __future__ import annotations

from typing import Any

from hub.benchmarks import breakdowns
from hub.benchmarks.asking import Asker, shown
from hub.benchmarks.figures import Geography, PeriodFigures
from hub.benchmarks.views import (
    Aggregate,
    aggregate,
    national,
    own_figure,
    position,
    region_block,
    summary,
)
from policies.agreement import REGION
from policies.decision import LOCAL_AUTHORITY, NARE_ORG, REGION_ORG, Subject
from policies.measures import Measure
from policies.policyset import PolicySet

#: The kinds of organisation each route answers.
BENCHMARK_READERS = (LOCAL_AUTHORITY, REGION_ORG)
NATIONAL_READERS = (NARE_ORG,)


def read(policy_set: PolicySet, subject: Subject, measure: Measure, period: str,
         figures: PeriodFigures, geo: Geography) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The benchmark ``subject`` may see, and the refusals behind it (for the audit)."""
    asker = Asker(policy_set, subject, measure.code, period)
    home = subject.region_code
    reader_la = subject.org_code if subject.kind == LOCAL_AUTHORITY else None
    regions: dict[str, Aggregate] = {}
    las: list[dict[str, Any]] = []
    block = None
    if home is not None and home in geo.regions:
        block = region_block(asker, measure, figures, geo, home, reader_la)
        las, regions[home] = block.las, block.total
    for code, members in geo.regions.items():
        if code not in regions:
            regions[code] = aggregate(asker, measure, figures, members, REGION, code)
    region_rows = [{"code": code, "name": geo.names.get(code, code), **counted(r)}
                   for code, r in regions.items()]
    payload: dict[str, Any] = {
        "measure": measure.code,
        "period": period,
        "figures_version": figures.version,
        "caller": {"org_code": subject.org_code, "kind": subject.kind,
                   "region_code": subject.region_code},
        "own": None,
        "local_authorities": las,
        "regions": region_rows,
        "national": counted(national(asker, measure, figures, geo, regions)),
        # Over the LAs where the reader sees any, else (NARE) over the regions.
        "summary": summary(las or region_rows),
        "position": None,
        "breakdown": None,
    }
    if reader_la is not None and home is not None:
        payload["own"] = own_figure(asker, measure, figures, reader_la, home)
        payload["position"] = position(payload["own"], las)
    if block is not None and block.table is not None:
        payload["breakdown"] = breakdowns.answer(measure, figures, block.table, las,
                                                 payload["own"], block.total.value)
    payload["agreements"] = sorted(asker.agreements)
    payload["rules"] = list(asker.rules.values())
    return payload, asker.refused


def counted(aggregate: Aggregate) -> dict[str, Any]:
    """An aggregate as the API answers it: its figure and the LAs it counts."""
    return {**shown(aggregate.value), "counted": sorted(aggregate.counted)}


def trend_point(payload: dict[str, Any]) -> dict[str, Any]:
    """One period of a trend: the reader's own figure, its region's, the nation's, the spread."""
    home = payload["caller"]["region_code"]
    region = next((r for r in payload["regions"] if r["code"] == home), None)
    return {key: payload[key] for key in (
        "period", "figures_version", "own", "national", "summary", "position", "agreements")
    } | {"region": region}


def national_point(payload: dict[str, Any]) -> dict[str, Any]:
    """One period of NARE's series: the nation's figure and every region's."""
    return {key: payload[key] for key in (
        "period", "figures_version", "national", "regions", "summary", "agreements")}
