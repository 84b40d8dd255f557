"""Benchmark: disclosure control of 153 LAs x 20 measures x 8 periods, against plain rounding;
and one reader's whole period (every measure, the rule across measures) for the largest region.

Run with ``python -m tests.bench.bench_disclosure``. Count measures go through the full
pipeline across LAs, the nine region totals and the national total (primary, aggregate and
secondary suppression, rounding); rate measures through primary suppression per LA and the
aggregate rules per region and for the nation (``release_measure_series``). The baseline,
timed in the same run on the same figures, only rounds every LA value and every region and
national sum.

The second measurement releases everything London's region (33 LAs, the largest) reads of one
period with ``policies.release.release_period``, under the shipped agreements, in one pass
over all 15 measures; the baseline, timed in the same run, releases each measure alone (one
call per measure, no rule across measures), which is what the hub did before the pass.

The third releases three readers' periods (London's region, Camden, NARE) of the simulator's
figures, breakdowns included, loaded as the hub loads them, for ten simulated LAs per real one
(1,530, as ``bench_growth``'s largest size); its baseline is the same at the real 153 LAs, so
its ratio is how the release grows with ten times the LAs.
"""

from __future__ import annotations

import csv
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from policies.compiler import compile_policies
from policies.decision import Subject
from policies.disclosure import Grouping, release_measure_series, round_count, round_rate
from policies.loader import load_agreements
from policies.measures import COMPONENTS, MEASURES, Kind, Measure
from policies.policyset import PolicySet
from policies.release import Figures, Geography, release_period
from policies.release.inputs import Breakdowns, Components
from policies.rules import DisclosureRules
from tests.bench.bench_growth import clone_code

REGION_SIZES = (12, 24, 15, 10, 14, 11, 33, 19, 15)
PERIODS = tuple(f"{2023 + q // 4}-Q{q % 4 + 1}" for q in range(8))
MEASURE_COUNT = 20
REPEATS = 15
RULES = DisclosureRules()


@dataclass(frozen=True)
class Workload:
    """Every LA's components for each period, and the regions the LAs belong to."""

    regions: Grouping
    measures: list[Measure]
    components: dict[str, dict[str, dict[str, float | None]]]  # period -> LA -> components


def build_workload(seed: int = 20241001) -> Workload:
    """Seeded, plausible figures: large permanent workforces, many small agency counts."""
    rng = random.Random(seed)
    regions = {
        f"R{r}": [f"E{r}{i:03d}" for i in range(size)] for r, size in enumerate(REGION_SIZES)
    }
    catalogue = list(MEASURES.values())
    # 20 measures: the 15 in the catalogue and five more count measures over the same data.
    extra = [
        Measure(f"{m.code}_again_{n}", m.title, m.unit, m.kind, m.numerator)
        for n, m in enumerate(m for m in catalogue if m.kind is Kind.COUNT)
    ]
    measures = (catalogue + extra)[:MEASURE_COUNT]
    components = {
        period: {la: _la_components(rng) for members in regions.values() for la in members}
        for period in PERIODS
    }
    return Workload(Grouping.of(regions), measures, components)


def _la_components(rng: random.Random) -> dict[str, float | None]:
    permanent = rng.randint(25, 400)
    agency = int(rng.lognormvariate(2.3, 1.0))
    leavers = rng.randint(0, permanent // 6)
    starters = rng.randint(0, permanent // 6)
    return {
        "permanent_headcount": permanent,
        "permanent_fte": round(permanent * rng.uniform(0.82, 0.98), 1),
        "agency_headcount": agency,
        "agency_fte": round(agency * rng.uniform(0.85, 1.0), 1),
        "vacancy_fte": round(rng.uniform(0, permanent * 0.25), 1),
        "starters_headcount": starters,
        "starters_fte": round(starters * 0.93, 1),
        "leavers_headcount": leavers,
        "leavers_fte": round(leavers * 0.92, 1),
        # Turnover is over the twelve months to the census: about four quarters' leavers.
        "leavers_12m_headcount": leavers * 4,
        "leavers_12m_fte": round(leavers * 4 * 0.92, 1),
        "agency_conversions": rng.choice((0, 0, 1, 1, 2, 3, 4, 6, 9)),
        "agency_above_cap": rng.randint(0, agency),
        "mou_breaches": rng.choice((0, 0, 0, 1, 2, 3, 5, 8)),
        "cases": None if rng.random() < 0.2 else rng.randint(200, 5000),
        "case_holders_fte": round(permanent * 0.7, 1),
        "working_days_lost": rng.randint(50, 3000),
        "working_days_available": permanent * 220,
    }


def disclose(work: Workload) -> int:
    """The full pipeline over the workload; returns how many figures were released."""
    released = 0
    for by_la in work.components.values():
        for m in work.measures:
            series = release_measure_series(m, by_la, RULES, work.regions)
            released += len(series.values) + len(series.group_totals) + 1
    return released


def withheld_by_stage(work: Workload) -> Counter[str]:
    """How many figures the pipeline released as numbers, and withheld at each stage (untimed)."""
    stages: Counter[str] = Counter()
    for by_la in work.components.values():
        for m in work.measures:
            series = release_measure_series(m, by_la, RULES, work.regions)
            for value in (*series.values.values(), *series.group_totals.values(), series.total):
                stages[value.reason.split(":")[0] if value.reason else "released"] += 1
    return stages


def round_only(work: Workload) -> int:
    """The baseline: round every LA value and every region and national sum, nothing else."""
    released = 0
    for by_la in work.components.values():
        for m in work.measures:
            plain = round_count if m.kind is Kind.COUNT else round_rate
            sums = []
            for _, group in work.regions.groups:
                values = [_plain(m, by_la[la]) for la in group]
                for value in values:
                    plain(value, RULES)
                sums.append(sum(values))
                plain(sums[-1], RULES)
            plain(sum(sums), RULES)
            released += len(by_la) + len(sums) + 1
    return released


def _plain(m: Measure, components: dict[str, float | None]) -> float:
    numerator = components[m.numerator] or 0.0
    if m.kind is Kind.COUNT:
        return numerator
    denominator = sum(components[c] or 0.0 for c in m.denominator)
    ratio = numerator / denominator if denominator else 0.0
    return ratio * 100 if m.kind is Kind.RATE else ratio


def best_of(run: Callable[[Workload], int], work: Workload) -> float:
    """The fastest of several runs, in milliseconds."""
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run(work)
        timings.append((time.perf_counter() - start) * 1000)
    return min(timings)


ROOT = Path(__file__).resolve().parents[2]
LONDON = "E12000007"
#: A moment at which every shipped agreement is in force.
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Period:
    """The shipped agreements compiled, every real LA's figures of one period, the regions."""

    policy_set: PolicySet
    geo: Geography
    figures: dict[str, Figures]


def build_period(seed: int = 20241001, copies: int = 1) -> Period:
    """Seeded figures for every LA of the reference data, under the shipped agreements;
    ``copies`` > 1 simulates that many LAs per real one (the copies parties to their region's
    agreement, as in ``bench_growth``), for a national-size world."""
    rng = random.Random(seed)
    regions: dict[str, set[str]] = defaultdict(set)
    with (ROOT / "hub" / "data" / "local_authorities.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            for copy in range(copies):
                regions[row["region_code"]].add(clone_code(row["ons_code"], copy))
    reference = {code: frozenset(las) for code, las in regions.items()}
    files = [(p.name, _with_copies(p.read_text(), regions))
             for p in sorted((ROOT / "agreements").glob("*.yaml"))]
    agreements, problems = load_agreements(files, reference)
    assert not problems, problems
    geo = Geography({}, {code: tuple(sorted(las)) for code, las in sorted(regions.items())})
    supplied = {la: _la_components(rng) for las in geo.regions.values() for la in las}
    figures = {}
    for code, m in MEASURES.items():
        needed = (*m.components, *(p for c in m.components if (p := COMPONENTS[c].people)))
        figures[code] = Figures({la: {c: v for c in needed if (v := comps.get(c)) is not None}
                                 for la, comps in supplied.items()
                                 if all(comps.get(c) is not None for c in m.components)})
    return Period(compile_policies(agreements, [], NOW), geo, figures)


def build_simulated_period(copies: int) -> Period:
    """The simulator's figures of 2024-Q4 (breakdowns too) for ``copies`` LAs per real one,
    loaded as the hub loads them: the tables behind the largest answers at national size."""
    from hub.benchmarks.figures import breakdowns_of, needed
    from tests.bench.bench_growth import _las
    from tests.hub.benchmarks.conftest import simulated_extract

    base = build_period(copies=copies)
    las: dict[str, dict[str, Components]] = {code: {} for code in MEASURES}
    splits: dict[str, dict[str, Breakdowns]] = {code: {} for code in MEASURES}
    for la, real, _ in _las(sum(len(v) for v in base.geo.regions.values())):
        extract = simulated_extract(real, "2024-Q4")
        for code, m in MEASURES.items():
            if not all(c in extract.components for c in m.components):
                continue
            own = {c: float(v) for c in needed(m) if (v := extract.components.get(c)) is not None}
            las[code][la] = own
            split = breakdowns_of(m, extract.breakdowns or {}, own) if m.breakdowns else None
            if split:
                splits[code][la] = split
    figures = {code: Figures(las[code], splits[code]) for code in MEASURES}
    return Period(base.policy_set, base.geo, figures)


READERS = {"London's region": Subject(LONDON, "region", LONDON),
           "Camden": Subject("E09000007", "local_authority", LONDON),
           "NARE": Subject("NARE", "nare", None)}


def every_reader(period: Period) -> int:
    """London's region, one of its LAs and NARE each read every measure of the period."""
    for subject in READERS.values():
        release_period(period.policy_set, subject, "2024-Q4", 1, period.figures, period.geo)
    return len(READERS)


def _with_copies(text: str, regions: dict[str, set[str]]) -> str:
    """An agreement's text with its region's simulated LAs among its parties."""
    document = yaml.safe_load(text)
    if not isinstance(document.get("parties"), list):
        return text
    parties = set(document["parties"])
    extra = sorted(la for la in regions.get(document["region"], ()) if la not in parties)
    if not extra:
        return text
    document["parties"] = document["parties"] + extra
    return yaml.safe_dump(document, sort_keys=False)


def whole_period(period: Period) -> int:
    """London's region reads every measure of the period: one pass."""
    released = release_period(period.policy_set, Subject(LONDON, "region", LONDON), "2024-Q4",
                              1, period.figures, period.geo)
    return len(released.answers)


def measure_by_measure(period: Period) -> int:
    """The baseline: each measure released alone, as the hub did before the one pass."""
    subject = Subject(LONDON, "region", LONDON)
    for code in MEASURES:
        release_period(period.policy_set, subject, "2024-Q4", 1, period.figures, period.geo,
                       [code])
    return len(MEASURES)


def best_of_period(run: Callable[[Period], int], period: Period) -> float:
    """The fastest of several runs, in milliseconds."""
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run(period)
        timings.append((time.perf_counter() - start) * 1000)
    return min(timings)


def main() -> list[dict[str, object]]:
    """Time the pipeline and the baseline on the same workload; print and return the rows."""
    work = build_workload()
    stages = withheld_by_stage(work)
    figures = sum(stages.values())
    value, baseline = best_of(disclose, work), best_of(round_only, work)
    name = (
        f"disclosure control, {sum(REGION_SIZES)} LAs x {len(work.measures)} measures x "
        f"{len(PERIODS)} periods ({figures} figures)"
    )
    rows: list[dict[str, object]] = [
        {"name": name, "value": value, "baseline": baseline, "ratio": value / baseline,
         "unit": "ms"},
    ]
    for row in rows:
        print(
            f"{row['name']}: {value:.1f} {row['unit']} "
            f"(round only: {baseline:.1f} {row['unit']}, ratio {value / baseline:.1f}x)"
        )
    print("  figures by outcome: " + ", ".join(f"{k} {n}" for k, n in sorted(stages.items())))
    period = build_period()
    one_pass = best_of_period(whole_period, period)
    alone = best_of_period(measure_by_measure, period)
    name = (f"one reader's period: London's region, {len(MEASURES)} measures, "
            f"{len(period.geo.regions[LONDON])} LAs (aim: under 20 ms)")
    rows.append({"name": name, "value": one_pass, "baseline": alone,
                 "ratio": one_pass / alone, "unit": "ms"})
    print(f"{name}: {one_pass:.1f} ms (each measure alone: {alone:.1f} ms, "
          f"ratio {one_pass / alone:.2f}x)")
    # How the release grows: the simulator's figures (with their breakdowns, whose tables
    # secondary suppression works hardest on) for the real LAs and for ten per real LA.
    real, national = build_simulated_period(1), build_simulated_period(10)
    small, large = best_of_period(every_reader, real), best_of_period(every_reader, national)
    size = sum(len(v) for v in national.geo.regions.values())
    name = (f"three readers' periods ({', '.join(READERS)}), simulated figures, {size} LAs "
            f"(aim: each under 200 ms)")
    rows.append({"name": name, "value": large, "baseline": small, "ratio": large / small,
                 "unit": "ms"})
    real_size = sum(len(v) for v in real.geo.regions.values())
    print(f"{name}: {large:.1f} ms for the three (at {real_size} LAs: {small:.1f} ms, "
          f"ratio {large / small:.1f}x)")
    return rows


if __name__ == "__main__":
    main()
