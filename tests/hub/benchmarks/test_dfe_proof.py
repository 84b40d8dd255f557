"""Proof against DfE: every LA row of DfE's published indicators (2017 to 2023) served by a
connector reading DfE's own file, pulled over HTTP by the hub's puller, and the hub's
unsuppressed regional and national agency, vacancy and turnover rates and FTE in post equal to
DfE's published regional and national rows, to DfE's rounding, wherever DfE's rows can be
reproduced from its LA rows. Each comparison that cannot be made is listed with its cause.

The file is a copy of ``shared/data/dfe/`` kept in ``tests/data/dfe/`` (225 KB), so the test
needs nothing beside the repository.
"""

from __future__ import annotations

import csv
import logging
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from connectors.app import ConnectorSettings, create_app
from connectors.extract import RecordsSource
from connectors.oauth import RegisteredClient, hash_secret
from connectors.records import parse_records
from connectors.reference import dfe_codes
from connectors.simrecords import profiles
from connectors.simulator import GENERATED_AT, RunningSimulator, Simulator
from hub.benchmarks.extension import get_benchmarks
from hub.benchmarks.models import BenchmarkFigure
from hub.pulls.extension import get_pulls
from hub.pulls.refresh import Target, refresh
from policies.geography import ReorganisedLA, resolve
from tests.hub.registry.conftest import allow_loopback, register  # noqa: F401 -- fixtures

DFE_FILE = Path(__file__).parents[2] / "data" / "dfe" / "csww_indicators_2017_to_2023.csv"
DFE_TEXT = DFE_FILE.read_text(encoding="utf-8-sig")
YEARS = tuple(range(2017, 2024))
LONDON = "E12000007"
#: Hub rate -> DfE's published column of it.
RATES = {"agency_rate": ("agency_rate_fte",), "vacancy_rate": ("vacancy_rate_fte",),
         "turnover_rate": ("turnover_rate_fte",)}
#: DfE's column -> the hub's component it is read as.
COMPONENT_OF = {"inpost_fte": "permanent_fte", "agency_fte": "agency_fte",
                "vacancy_fte": "vacancy_fte", "leavers_fte": "leavers_12m_fte"}
#: Hub measure -> the DfE columns its figure is made of (the first is the FTE total compared).
MEASURE_COLUMNS = {"permanent_fte": ("inpost_fte",),
                   "agency_rate": ("agency_fte", "inpost_fte"),
                   "vacancy_rate": ("vacancy_fte", "inpost_fte"),
                   "turnover_rate": ("leavers_fte", "inpost_fte")}


def _rows() -> list[dict[str, str]]:
    return list(csv.DictReader(DFE_TEXT.splitlines()))


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


class DfeConnectors(Simulator):
    """A connector per LA whose records are DfE's own file, read for that LA."""

    def _build(self, la_code: str) -> Flask:
        creds = self.credentials[la_code]
        source = RecordsSource(la_code, parse_records(DFE_TEXT, la_code),
                               clock=lambda: GENERATED_AT)
        client = RegisteredClient(creds.client_id, hash_secret(creds.client_secret))
        return create_app(ConnectorSettings(la_code, source, self._keys[la_code], (client,),
                                            self.token_ttl))


@pytest.fixture
def dfe_connectors() -> Iterator[RunningSimulator]:
    """Every LA's connector over DfE's file, on one loopback port."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    base_url = f"http://127.0.0.1:{server.server_port}"
    server.app = DfeConnectors(1, base_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    running = RunningSimulator(server.app, server, thread, base_url)
    yield running
    running.stop()


@dataclass(frozen=True)
class Expected:
    """What DfE publishes for one area and year, and why a comparison cannot be made."""

    published: dict[str, str]
    causes: dict[str, list[str]]  # DfE column -> causes that stop its comparison


def expected(year: int) -> dict[str, Expected]:
    """DfE's region and national rows of ``year`` (region code or "national"), and for each
    column the LA rows that stop the hub reproducing it: an LA merged or split since, or a
    marker in DfE's LA row where the region's total counts a number."""
    rows = [r for r in _rows() if r["time_period"] == str(year)]
    out: dict[str, Expected] = {}
    for row in rows:
        if row["geographic_level"] == "National":
            out["national"] = Expected(row, defaultdict(list))
        elif row["geographic_level"] == "Regional" and row["region_code"].startswith("E12"):
            out[row["region_code"]] = Expected(row, defaultdict(list))
    region_of = {code: p.region_code for code, p in profiles().items()}
    for row in (r for r in rows if r["geographic_level"] == "Local authority"):
        lead = row["new_la_code"].split(" / ")[0]
        try:
            code = resolve(lead, dfe_codes()).code
            region = region_of[code]
            cause = None
        except ReorganisedLA as exc:
            region = LONDON if row["region_code"].startswith("E13") else row["region_code"]
            cause = f"{row['la_name']}: {exc}"
        for column in COMPONENT_OF:
            why = cause or (f"{row['la_name']}: DfE's LA row has {row[column]!r} for {column}"
                            if _number(row[column]) is None else None)
            if why:
                out[region].causes[column].append(why)
                out["national"].causes[column].append(why)
    return out


@pytest.fixture
def backend() -> str:
    """PostgreSQL only: the pull path is the same on SQLite, and a thousand pulls take time."""
    return "postgres"


def _no_retry(target: Target, error: Exception) -> None:
    raise AssertionError(f"{target} failed transiently: {error}")


def _tolerance(contributors: int) -> float:
    # DfE rounds each LA's FTE to 0.1 and its totals, made from unrounded figures, to 0.1.
    return 0.05 * (contributors + 1) + 1e-6


def test_the_hub_reproduces_dfes_regional_and_national_rows(
        app, dfe_connectors, allow_loopback, register):  # noqa: F811
    allow_loopback(dfe_connectors.base_url)
    las = sorted(profiles())
    ids = {la: register(dfe_connectors.simulator.credentials[la]) for la in las}
    targets = [Target(connector, "workforce", period) for la, connector in ids.items()
               for period in RecordsSource(la, parse_records(DFE_TEXT, la)).periods()]
    with app.app_context():
        # The hub's own refresh: every extract pulled, verified and stored, 8 at a time.
        results = refresh(get_pulls(app).puller, targets, 8, retry=_no_retry, retries=False)
        assert {r.outcome for r in results} == {"ingested"}, [
            (r.la_code, r.period, r.reason) for r in results if r.outcome != "ingested"]
        get_benchmarks(app).queue.wait()
    with app.extensions["hub.db"].session() as session:
        figures = {(f.period, f.measure, f.area_code): f for f in session.scalars(
            select(BenchmarkFigure).where(BenchmarkFigure.grain != "la"))}
    compared, exceptions = 0, []
    for year in YEARS:
        period = f"{year}-Q3"
        for area, dfe in expected(year).items():
            for measure, columns in MEASURE_COLUMNS.items():
                causes = sorted({c for column in columns for c in dfe.causes[column]})
                if causes:
                    exceptions.append(f"{year} {area} {measure}: {'; '.join(causes)}")
                    continue
                figure = figures[(period, measure, area)]
                # The FTE total, then the rate made from it.
                column = columns[0]
                published = float(dfe.published[column])
                assert abs(figure.components[COMPONENT_OF[column]] - published) <= _tolerance(
                    len(figure.contributors)), (year, area, column)
                compared += 1
                if measure in RATES:
                    rate_column = RATES[measure][0]
                    rate = figure.numerator / figure.denominator * 100
                    # DfE's rate is from unrounded FTE, ours from its LA rows rounded to 0.1:
                    # equal once rounded as DfE rounds, give or take its last digit.
                    assert abs(round(rate, 1) - float(dfe.published[rate_column])) <= 0.1 + 1e-9, \
                        (year, area, measure, rate, dfe.published[rate_column])
                    compared += 1
    print(f"\n{compared} of DfE's regional and national figures reproduced; "
          f"{len(exceptions)} not comparable:\n" + "\n".join(exceptions))
    # Every year, every region and the nation: most of DfE's figures are reproduced.
    assert compared >= 0.7 * len(YEARS) * 10 * (len(MEASURE_COLUMNS) + len(RATES))
    assert all(": " in e for e in exceptions)
