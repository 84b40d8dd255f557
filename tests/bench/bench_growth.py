"""Benchmark: how the hub's costs grow with its work, one dimension at a time.

Run with ``python -m tests.bench.bench_growth [--quick]`` (``make bench BENCH=growth``). From
a base of 153 LAs, 8 quarters of history and one return a quarter, each dimension is scaled on
its own: LAs up to 1,530 (ten simulated per real LA, in its region and party to its agreement),
quarters up to 40 (ten years), returns up to 4 a quarter (each a new revision of the extract).
For each size, on a fresh embedded hub (SQLite) in a process of its own:

- refresh: the newest quarter's return of every LA ingested through the hub's own ingest (one
  transaction each: revision, pull attempt, audit event), over the history already stored (the
  network and signature parts of a refresh are measured by bench_refresh);
- recompute: that quarter's figures, as a refresh triggers;
- database: the file's size;
- the largest answers (London's region page, an LA's trend over all quarters, NARE's national
  trend), each read three ways: cold (a process that has kept nothing: a new worker, or every
  answer after a consent or agreement change), first after a recompute (one LA sends a revised
  return for the newest quarter, its figures are recomputed, and the answer is read: what a
  reader meets every quarter), and warm (the median of repeated reads).

It prints each cost against size and the growth exponent (the log-log slope from the
smallest size to the largest: 1 grows as the data does, 0 not at all), beside the exponent of
the data itself, flags every answer over 200 ms at the largest size, and says where the time
of each first read after a recompute went at the largest size (a profile: figures loaded,
release by disclosure control, charts, templates, serialisation).
"""

from __future__ import annotations

import cProfile
import math
import multiprocessing
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from connectors.contract import Extract, build_extract, extract_to_json
from connectors.simrecords import PERIODS as SIMULATED_PERIODS
from connectors.simrecords import profiles
from hub.pulls.models import ExtractRevision

#: Each dimension's sizes: the base first, the largest last.
SIZES = {"LAs": (153, 459, 1530), "quarters": (8, 16, 40), "returns": (1, 2, 4)}
QUICK_SIZES = {"LAs": (153, 1530), "quarters": (8, 40), "returns": (1, 4)}
BASE = {"LAs": 153, "quarters": 8, "returns": 1}
#: The aim: no single answer slower than this at the largest size.
ANSWER_AIM_MS = 200.0
LONDON, CAMDEN = "E12000007", "E09000007"
MEASURE = "agency_rate"
PASSWORD = "growth-bench-password"
#: Warm reads of each answer, their median kept: answers of a few ms need several on a busy host.
WARM_READS = 9
#: The two digits after the E of each simulated LA's code, by the real code's and the copy's.
_CLONE_PREFIX = {kind: {k: f"{base + k}" for k in range(1, 10)}
                 for kind, base in (("06", 20), ("08", 30), ("09", 40), ("10", 50))}


@dataclass(frozen=True)
class Scale:
    las: int
    quarters: int
    returns: int


def quarters(count: int) -> list[str]:
    """``count`` quarters ending 2024-Q4, oldest first."""
    out, year, quarter = [], 2024, 4
    for _ in range(count):
        out.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return out[::-1]


def clone_code(la_code: str, copy: int) -> str:
    """The code of the ``copy``-th simulated LA made from the real ``la_code`` (0: itself)."""
    return la_code if copy == 0 else f"E{_CLONE_PREFIX[la_code[1:3]][copy]}{la_code[3:]}"


def _las(count: int) -> list[tuple[str, str, str]]:
    """(code, real code, region) of ``count`` LAs: the real ones, then copies of each."""
    real = list(profiles().values())
    return [(clone_code(p.la_code, copy), p.la_code, p.region_code)
            for copy in range(math.ceil(count / len(real))) for p in real][:count]


def _extract(real: Extract, la_code: str, period: str, ret: int) -> Extract:
    """``real``'s figures as ``la_code``'s return ``ret`` for ``period`` (each return a little
    different, so that each is a new revision)."""
    components = {**real.components, "vacancy_fte": real.components["vacancy_fte"] + ret * 0.1}
    return build_extract(la_code, period, components, real.breakdowns,
                         datetime(2025, 1, 15, 9, 0, tzinfo=UTC))


def _agreements(las: list[tuple[str, str, str]]) -> list[Any]:
    """The shipped agreements, each region's with its simulated LAs among its parties."""
    from hub.agreements.service import SourceFile
    from tests.hub.agreements.conftest import shipped

    extra: dict[str, list[str]] = {}
    for code, real, region in las:
        if code != real:
            extra.setdefault(region, []).append(code)
    files = []
    for source in shipped():
        document = yaml.safe_load(source.text)
        if isinstance(document.get("parties"), list):
            document["parties"] = document["parties"] + extra.get(document["region"], [])
        files.append(SourceFile(source.name, yaml.safe_dump(document, sort_keys=False)))
    return files


@contextmanager
def _hub(directory: Path) -> Iterator[Flask]:
    from hub import create_app
    from hub.config import Settings

    app = create_app(Settings(env="test", database_url=f"sqlite:///{directory}/hub.sqlite3",
                              var_dir=directory / "var", secret_key="growth",
                              log_level="WARNING"))
    app.extensions["hub.db"].upgrade()
    try:
        yield app
    finally:
        from hub.benchmarks.extension import get_benchmarks

        get_benchmarks(app).reads.close()
        app.extensions["hub.db"].dispose()


def _populate(app: Flask, scale: Scale, periods: list[str],
              las: list[tuple[str, str, str]]) -> dict[str, int]:
    """Reference data, agreements, the simulated LAs and every return before the newest
    quarter's last one, stored as an ingest would have left them; connector id by LA."""
    from hub.agreements import service as agreements
    from hub.decisions.store import get_policy_store
    from hub.organisations import service as organisations
    from hub.organisations.models import Organisation, OrgKind
    from hub.registry.models import Connector
    from tests.hub.benchmarks.conftest import revision_of, simulated_extract

    database = app.extensions["hub.db"]
    now = datetime.now(UTC)
    with database.session() as session:
        organisations.load_reference(session, organisations.read_reference())
        names = dict(session.execute(select(Organisation.code, Organisation.name)).all())
        session.add_all(Organisation(code=code, kind=OrgKind.LOCAL_AUTHORITY.value,
                                     name=f"{names[real]} (simulated {code})", region_code=region)
                        for code, real, region in las if code != real)
    with app.app_context(), database.session() as session:
        result = agreements.load(session, _agreements(las), "cli:bench", get_policy_store(app))
        assert not result.problems, result.problems
    with database.session() as session:
        connectors = {code: Connector(
            la_code=code, base_url="https://example.invalid",
            token_url="https://example.invalid/token", jwks_url="https://example.invalid/jwks",
            jwks={"keys": []}, client_id="hub", client_secret=b"-", enabled=True,
            created_at=now, updated_at=now) for code, _, _ in las}
        session.add_all(connectors.values())
        session.flush()
        ids = {code: c.id for code, c in connectors.items()}
    # One revision per (real LA, simulated quarter, return), its row copied for every LA and
    # quarter that reuses it (the simulator has eight quarters of records; older quarters
    # reuse their figures), inserted in bulk: what is stored is what an ingest stores.
    made: dict[tuple[str, str, int], dict[str, Any]] = {}
    for index, period in enumerate(periods):
        simulated = SIMULATED_PERIODS[index % len(SIMULATED_PERIODS)]
        last = period == periods[-1]
        rows = []
        for code, real, _ in las:
            for ret in range(1, scale.returns + (0 if last else 1)):
                key = (real, simulated, ret)
                if key not in made:
                    made[key] = _row(revision_of(_extract(
                        simulated_extract(real, simulated), real, simulated, ret), 0, ret))
                row = made[key]
                rows.append({**row, "la_code": code, "period": period,
                             "connector_id": ids[code],
                             "body": row["body"].replace(real.encode(), code.encode()).replace(
                                 simulated.encode(), period.encode())})
        if rows:
            with database.session() as session:
                session.execute(insert(ExtractRevision), rows)
    return ids


def _row(revision: Any) -> dict[str, Any]:
    return {column.key: getattr(revision, column.key)
            for column in ExtractRevision.__table__.columns if column.key != "id"}


def _recompute(app: Flask, period: str) -> None:
    from hub.benchmarks import service
    from hub.benchmarks.extension import get_benchmarks
    from policies.measures import DATASET_WORKFORCE

    with app.app_context(), app.extensions["hub.db"].session() as session:
        service.recompute(session, get_benchmarks(app), DATASET_WORKFORCE, period)


def _refresh(app: Flask, scale: Scale, periods: list[str], las: list[tuple[str, str, str]],
             ids: dict[str, int]) -> None:
    """The newest quarter's last return of every LA, through the hub's ingest."""
    from hub.pulls.models import INGESTED
    from hub.pulls.service import Fetched, PullResult
    from tests.hub.benchmarks.conftest import simulated_extract

    puller = app.extensions["hub.pulls"].puller
    period, simulated = periods[-1], SIMULATED_PERIODS[(len(periods) - 1)
                                                       % len(SIMULATED_PERIODS)]
    extracts = [_extract(simulated_extract(real, simulated), code, period, scale.returns)
                for code, real, _ in las]
    started = datetime.now(UTC)
    for extract in extracts:
        base = PullResult(ids[extract.la_code], extract.la_code, extract.dataset, period,
                          "failed")
        result = puller._ingest(Fetched(base, extract, extract_to_json(extract), "unsigned",
                                        started, "job:bench"))
        assert result.outcome == INGESTED, result


def _signed_in(app: Flask, org: str) -> FlaskClient:
    from hub.identity import service as identity

    with app.extensions["hub.db"].session() as session:
        identity.create_user(session, org, f"reader@{org.lower()}.example", "viewer", PASSWORD)
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    response = client.post("/sign-in", data={
        "email": f"reader@{org.lower()}.example", "password": PASSWORD,
        "csrf_token": page[start:page.index('"', start)]})
    assert response.status_code == 302, response.status_code
    return client


def _with_token(app: Flask, org: str) -> FlaskClient:
    from tests.bench.bench_benchmarks_http import reader_token

    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {reader_token(app, org)}"
    return client


def _forget_everything(app: Flask) -> None:
    """Drop everything the process keeps: answers, figures, regions, drawn charts."""
    from hub.benchmarks.extension import ResponseCache, get_benchmarks
    from hub.web import charts

    benchmarks = get_benchmarks(app)
    benchmarks.cache = ResponseCache()
    benchmarks._figures.clear()
    benchmarks._per_epoch.clear()
    charts.bars.cache_clear()
    charts.lines.cache_clear()


def _revise(app: Flask, scale: Scale, periods: list[str], ids: dict[str, int],
            revision: int) -> None:
    """Camden sends a revised return for the newest quarter; that quarter is recomputed."""
    from hub.pulls.service import Fetched, PullResult
    from tests.hub.benchmarks.conftest import simulated_extract

    period = periods[-1]
    simulated = SIMULATED_PERIODS[(len(periods) - 1) % len(SIMULATED_PERIODS)]
    extract = _extract(simulated_extract(CAMDEN, simulated), CAMDEN, period,
                       scale.returns + revision)
    base = PullResult(ids[CAMDEN], CAMDEN, extract.dataset, period, "failed")
    app.extensions["hub.pulls"].puller._ingest(Fetched(
        base, extract, extract_to_json(extract), "unsigned", datetime.now(UTC), "job:bench"))
    _recompute(app, period)


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


#: Where a first read's time goes: a label, and the functions whose cumulative time is its.
_PARTS = (
    ("figures loaded (SQL)", ("hub/benchmarks/figures.py", "load_periods")),
    ("release (policies/release)", ("policies/release/period.py", "release_period")),
    ("  of which secondary suppression", ("policies/disclosure/secondary.py",
                                          "complementary_cells")),
    ("charts drawn (matplotlib)", ("hub/web/charts.py", "_render")),
    ("page templates (Jinja)", ("flask/templating.py", "render_template")),
    ("JSON serialisation (marshmallow)", ("marshmallow/schema.py", "dump")),
)


def _where(profile: cProfile.Profile) -> dict[str, float]:
    """Milliseconds of each of _PARTS in ``profile``, and of the whole read."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    spent = {label: 0.0 for label, _ in _PARTS}
    total = 0.0
    for (path, _, name), (_, _, _, cumulative, _) in stats.items():
        total = max(total, cumulative)
        for label, (ending, function) in _PARTS:
            if name == function and path.endswith(ending):
                spent[label] += cumulative * 1000
    return {**spent, "whole read": total * 1000}


ASKED = ("region page", "LA trend, all quarters", "NARE national trend")


def _answers(app: Flask, scale: Scale, periods: list[str], ids: dict[str, int],
             profile: bool) -> tuple[dict[str, tuple[float, float, float]],
                                     dict[str, dict[str, float]]]:
    """Milliseconds of each largest answer: cold, first after a recompute, and the median of
    its warm reads; with ``profile``, where each first read after a recompute spent its time."""
    region, la, nare = _signed_in(app, LONDON), _with_token(app, CAMDEN), \
        _with_token(app, "NARE")
    span = f"from={periods[0]}&to={periods[-1]}"
    asks = dict(zip(ASKED, (
        (region, f"/region/{LONDON}?period={periods[-1]}"),
        (la, f"/api/v1/benchmarks/{MEASURE}/trend?{span}"),
        (nare, f"/api/v1/national/{MEASURE}/trend?{span}")), strict=True))
    # Unrelated reads first: the process's one-off costs (policy compile, templates, the chart
    # library's first figure) are not an answer's, nor the first size's.
    la.get(f"/api/v1/benchmarks/vacancy_rate?period={periods[0]}").close()
    region.get(f"/region/{LONDON}?period={periods[0]}").close()
    out, profiles = {}, {}
    revision = 0
    for name, (client, path) in asks.items():
        def ask(client: FlaskClient = client, path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            response.close()

        _forget_everything(app)
        cold = _timed(ask)
        revision += 1
        _revise(app, scale, periods, ids, revision)
        after = _timed(ask)
        warm = sorted(_timed(ask) for _ in range(WARM_READS))[WARM_READS // 2]
        out[name] = (cold, after, warm)
        if profile:
            revision += 1
            _revise(app, scale, periods, ids, revision)
            profiler = cProfile.Profile()
            profiler.runcall(ask)
            profiles[name] = _where(profiler)
    return out, profiles


def measure(scale: Scale, profile: bool = False) -> dict[str, Any]:
    """Every cost at ``scale``, in milliseconds (the database in MB); with ``profile``, where
    the first reads after a recompute spent their time (under "profiles")."""
    periods, las = quarters(scale.quarters), _las(scale.las)
    with tempfile.TemporaryDirectory() as directory, _hub(Path(directory)) as app:
        ids = _populate(app, scale, periods, las)
        for period in periods[:-1]:
            _recompute(app, period)
        costs: dict[str, Any] = {
            "refresh (ingest)": _timed(lambda: _refresh(app, scale, periods, las, ids)),
            "recompute": _timed(lambda: _recompute(app, periods[-1]))}
        answers, profiles = _answers(app, scale, periods, ids, profile)
        for name, (cold, after, warm) in answers.items():
            costs[f"{name} (cold)"] = cold
            costs[f"{name} (after recompute)"] = after
            costs[f"{name} (warm)"] = warm
        database = Path(directory) / "hub.sqlite3"
        costs["database MB"] = sum(p.stat().st_size for p in (
            database, database.with_name("hub.sqlite3-wal")) if p.exists()) / 1e6
        if profile:
            costs["profiles"] = profiles
    return costs


def _isolated(scale: Scale, profile: bool = False) -> dict[str, Any]:
    """measure(scale) in a process forked for it: the heap left by the sizes measured before
    (whose garbage collections a first read would pay for) is not this size's."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(measure, (scale, profile))  # type: ignore[no-any-return]


def _simulate() -> None:
    """Every real LA's simulated extracts, made once here and inherited by each fork."""
    from tests.hub.benchmarks.conftest import simulated_extract

    for la_code in profiles():
        for period in SIMULATED_PERIODS:
            simulated_extract(la_code, period)


def exponent(sizes: tuple[int, ...], values: list[float]) -> float:
    """The log-log slope from the smallest size to the largest."""
    return math.log(max(values[-1], 1e-3) / max(values[0], 1e-3)) / math.log(
        sizes[-1] / sizes[0])


def _print_profiles(dimension: str, size: int, profiles: dict[str, dict[str, float]]
                    ) -> None:
    print(f"  where each first read after a recompute spent its time at {dimension}={size} "
          "(a profiled read; shares of the whole):")
    for name, spent in profiles.items():
        whole = spent["whole read"] or 1.0
        parts = ", ".join(f"{label.strip()} {ms / whole:.0%}" for label, ms in spent.items()
                          if label != "whole read" and ms >= 0.005 * whole)
        print(f"    {name}: {parts or 'nothing named'}")


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    """Measure every dimension; print the curves, exponents, answers over the aim and where
    the largest answers spend their time; return the table's rows."""
    quick = "--quick" in (argv if argv is not None else sys.argv[1:]) or \
        os.environ.get("BENCH_QUICK") == "1"
    sizes = QUICK_SIZES if quick else SIZES
    rows: list[dict[str, object]] = []
    over: list[str] = []
    largest_answers: dict[str, float] = {}
    _simulate()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
          flush=True)
    for dimension, steps in sizes.items():
        # The base is measured again beside each dimension's sizes: the machine's load drifts.
        measured: dict[Scale, dict[str, Any]] = {}
        results = []
        for size in steps:
            values = {**BASE, dimension: size}
            scale = Scale(values["LAs"], values["quarters"], values["returns"])
            started = time.monotonic()
            if scale not in measured:
                measured[scale] = _isolated(scale, profile=size == steps[-1])
                print(f"  {scale}: measured in {time.monotonic() - started:.0f} s, load "
                      f"average {os.getloadavg()[0]:.1f}", flush=True)
            results.append(measured[scale])
        # Stored data grows with every dimension; the figures a quarter holds only with LAs.
        print(f"\n{dimension}: " + " -> ".join(map(str, steps))
              + f" (data x{steps[-1] / steps[0]:g})")
        print(f"  {'cost':<42}" + "".join(f"{s:>10}" for s in steps) + "  exponent")
        for name in results[0]:
            if name == "profiles":
                continue
            curve = [r[name] for r in results]
            slope = exponent(steps, curve)
            unit = "" if name == "database MB" else " ms"
            answer = name.split(" (")[0] in ASKED
            flag = "  OVER 200 ms" if answer and curve[-1] > ANSWER_AIM_MS else ""
            print(f"  {name + unit:<42}" + "".join(f"{v:>10.1f}" for v in curve)
                  + f"  {slope:>8.2f}{flag}")
            rows.append({"name": f"growth: {name}, {dimension} x{steps[-1] / steps[0]:g}",
                         "value": curve[-1], "baseline": curve[0],
                         "ratio": curve[-1] / curve[0] if curve[0] else float("inf"),
                         "unit": "MB" if name == "database MB" else "ms",
                         "exponent": slope})
            if answer:
                largest_answers[f"{name}, {dimension}={steps[-1]}"] = curve[-1]
                if flag:
                    over.append(f"{name}, {dimension}={steps[-1]}: {curve[-1]:.0f} ms")
        _print_profiles(dimension, steps[-1], results[-1]["profiles"])
    slowest = max(largest_answers, key=largest_answers.__getitem__)
    print(f"\nslowest answer at the largest sizes: {slowest}, "
          f"{largest_answers[slowest]:.0f} ms (aim <= {ANSWER_AIM_MS:.0f} ms: "
          f"{'met' if largest_answers[slowest] <= ANSWER_AIM_MS else 'NOT met'})")
    for line in over:
        print(f"  over {ANSWER_AIM_MS:.0f} ms: {line}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return rows


if __name__ == "__main__":
    main()
