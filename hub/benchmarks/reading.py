"""The shapes of a trend's periods, from the answers ``policies.release`` makes."""

from __future__ import annotations

from typing import Any

from policies.decision import LOCAL_AUTHORITY, NARE_ORG, REGION_ORG

#: The kinds of organisation each route answers.
BENCHMARK_READERS = (LOCAL_AUTHORITY, REGION_ORG)
NATIONAL_READERS = (NARE_ORG,)


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
