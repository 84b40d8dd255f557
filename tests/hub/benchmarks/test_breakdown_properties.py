"""Properties of a released breakdown, for any breaches by type and any consent overrides,
under the London Pledge's rules and the North East's: small cells never reach other LAs,
released counts are multiples of the base, each LA's figure is its row's total, and nothing
withheld can be recovered from the cells, the row totals and the column totals together."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from connectors.simrecords import profiles
from policies.compiler import compile_policies
from policies.decision import READ, Resource, Subject
from policies.disclosure import NOT_GIVEN, round_count
from policies.measures import BREACH_TYPES, MEASURES
from policies.overrides import ConsentOverride
from policies.release import Figures
from policies.release.breakdowns import OF_OTHERS, OF_REGION, WITH_REGION
from tests.hub.benchmarks.conftest import LONDON, NORTH_EAST, PERIOD
from tests.hub.benchmarks.test_reading_properties import agreements, geography, read
from tests.policies.test_disclosure_secondary import recoverable, table_equations

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
BREACHES = MEASURES["mou_breaches"]
COLUMNS = (*BREACH_TYPES, NOT_GIVEN)
LAS = [la for la, p in profiles().items() if p.region_code in (LONDON, NORTH_EAST)]
READERS = [Subject(la, "local_authority", profiles()[la].region_code) for la in LAS[::5]] + [
    Subject(LONDON, "region", LONDON), Subject(NORTH_EAST, "region", NORTH_EAST)]
#: An LA's breaches by type as supplied: a split (types left out are zero), its total given
#: whole (no split), or nothing supplied.
Supplied = tuple[float | None, dict[str, float] | None]
counts = st.one_of(st.just(0), st.integers(0, 3), st.integers(0, 12))


@st.composite
def supplied(draw: st.DrawFn) -> Supplied:
    kind = draw(st.sampled_from(["split", "split", "split", "whole", "none"]))
    if kind == "none":
        return None, None
    if kind == "whole":
        return float(draw(counts)), None
    split = {t: float(draw(counts)) for t in draw(st.lists(st.sampled_from(BREACH_TYPES),
                                                           unique=True))}
    return math.fsum(split.values()), split


def period_figures(data: dict[str, Supplied]) -> Figures:
    las, breakdowns = {}, {}
    for la, (total, split) in data.items():
        if total is None:
            continue
        las[la] = {"mou_breaches": total}
        if split is not None:
            breakdowns[la] = {"breach_type": {t: {"mou_breaches": v} for t, v in split.items()}}
    return Figures(las, breakdowns)


def truth(entry: Supplied) -> dict[str, float | None]:
    """What each cell of an LA's row holds before disclosure control (None: x)."""
    total, split = entry
    if total is None:
        return dict.fromkeys(COLUMNS)
    if split is None:
        return dict.fromkeys(BREACH_TYPES) | {NOT_GIVEN: total}
    return {t: split.get(t, 0.0) for t in BREACH_TYPES} | {NOT_GIVEN: 0.0}


overrides = st.lists(st.builds(
    lambda i, la, measure: ConsentOverride(
        f"w-{i}", 1, "withhold", la, "test", "test", NOW, audience="region_parties",
        measure=measure),
    st.integers(0, 10**6), st.sampled_from(LAS), st.sampled_from([None, "mou_breaches"])),
    max_size=4, unique_by=lambda o: o.id)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.fixed_dictionaries({la: supplied() for la in LAS}), withholdings=overrides,
       reader=st.sampled_from(READERS))
def test_a_released_breakdown_gives_nothing_withheld_away(data, withholdings, reader):
    policy_set = compile_policies(agreements(), withholdings, NOW)
    payload, _ = read(policy_set, reader, BREACHES, PERIOD, period_figures(data), geography())
    region = reader.region_code
    listed = payload["local_authorities"]
    split = payload["breakdown"]
    decisions = {la["code"]: policy_set.decide(reader, READ, Resource(
        "mou_breaches", "la", region, la["code"], PERIOD)) for la in listed}
    visible = [la["code"] for la in listed if not la["own"] and decisions[la["code"]].permit]
    # Withheld by a consent: still rows of the table (counted in its totals), cells withheld.
    overridden = [la["code"] for la in listed
                  if not la["own"] and decisions[la["code"]].withheld_under is not None]
    if not visible and not overridden:
        assert split is None
        return
    assert [r["code"] for r in split["local_authorities"]] == [la["code"] for la in listed]
    assert split["total"]["of"] == (OF_OTHERS if reader.kind == "local_authority" else OF_REGION)
    rules = (decisions[visible[0]].rules if visible
             else decisions[overridden[0]].withheld_under)
    assert rules is not None
    forced: set[str] = set()
    k, base = rules.min_cell_count, rules.rounding_base
    rows = []
    for row, la in zip(split["local_authorities"], listed, strict=True):
        cells = [row["cells"][c] for c in COLUMNS]
        expected = truth(data[la["code"]])
        if la["own"]:  # its own figures, unrounded
            assert [c["value"] for c in cells] == [expected[c] for c in COLUMNS]
            continue
        # The LA list and the breakdown are one release: the figure is the row's total.
        assert row["total"] == {key: la[key] for key in ("value", "marker", "reason")}
        if not decisions[la["code"]].permit:
            assert all(c == row["total"] and c["marker"] == "x" for c in cells)
            if la["code"] in overridden:
                # Unknown to the reader; a zero is not protected (released wherever it stands).
                i = len(rows)
                rows.append((row, expected))
                forced |= {f"{i},{j}" for j, c in enumerate(COLUMNS) if expected[c]}
                forced |= {f"r{i}"} if data[la["code"]][0] else set()
            continue
        rows.append((row, expected))
        for cell, value in zip((*cells, row["total"]), (*expected.values(), data[la["code"]][0]),
                               strict=True):
            assert (cell["marker"] == "x") == (value is None)
            if value is not None and 0 < value < k:
                assert cell["marker"] == "c"  # never a small count
            if cell["value"] is not None:
                assert cell["value"] == round_count(value, rules)
                assert cell["value"] % base == 0
    # Exact elimination over the released table: no withheld unknown is pinned down.
    grid = [[None if v is None else 1 for v in expected.values()] for _, expected in rows]
    released = {f"{i},{j}": row["cells"][c] for i, (row, _) in enumerate(rows)
                for j, c in enumerate(COLUMNS)}
    released |= {f"r{i}": row["total"] for i, (row, _) in enumerate(rows)}
    released |= {f"c{j}": split["total"]["cells"][c] for j, c in enumerate(COLUMNS)}
    released["g"] = split["total"]["value"]
    # Totals withheld with the region's total are sums of rows the reader may see.
    hidden = forced | {name for name, shown in released.items()
                       if shown["marker"] == "c"
                       and shown["reason"] != WITH_REGION.reason_for_others}
    event(f"{region} {reader.kind}: {len(hidden)} withheld")
    assert recoverable(table_equations(grid), hidden) == set()
    # They add up to the region's total: withheld under its own rules, it withholds them.
    home = next(r for r in payload["regions"] if r["code"] == region)
    if home["value"] is None:
        event("region total withheld")
        assert all(t["value"] is None for t in (*split["total"]["cells"].values(),
                                                split["total"]["value"]))
    # Column totals are of the table's LAs: the reader's own is never in them.
    for c in COLUMNS:
        total = split["total"]["cells"][c]
        if total["value"] is not None:
            parts = [e[c] for _, e in rows if e[c] is not None]
            assert total["value"] == round_count(math.fsum(parts), rules)
