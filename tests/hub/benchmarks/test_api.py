"""The benchmark routes: what each kind of caller sees, refusals, CSV, trend and audit."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from connectors.simrecords import profiles
from hub.audit import service as audit
from hub.audit.models import AuditEvent
from hub.benchmarks import figures as figures_module
from hub.benchmarks.extension import get_benchmarks
from policies.measures import MEASURES, derive
from tests.hub.benchmarks.conftest import (
    CAMDEN,
    CITY,
    LONDON,
    PERIOD,
    recompute,
    simulated_extract,
    store_extracts,
)

URL = "/api/v1/benchmarks/{measure}?period={period}"
LONDON_LAS = {la for la, p in profiles().items() if p.region_code == LONDON}


def get(client, measure: str = "agency_headcount", period: str = PERIOD, **kwargs):
    return client.get(URL.format(measure=measure, period=period), **kwargs)


def test_an_la_sees_its_own_value_unrounded(as_org):
    body = get(as_org(CAMDEN), "agency_rate").json
    components = simulated_extract(CAMDEN, PERIOD).components
    # Not disclosure-controlled, and given to the places of its unit, as DfE publishes it.
    assert body["own"]["value"] == round(derive(MEASURES["agency_rate"], components), 1)
    assert body["own"]["numerator"] == round(components["agency_fte"], 1)
    assert body["position"]["of"] >= 2 and 1 <= body["position"]["quartile"] <= 4


def test_an_la_sees_its_regions_las_disclosure_controlled_and_no_others(as_org):
    body = get(as_org(CAMDEN)).json
    listed = {la["code"]: la for la in body["local_authorities"]}
    assert set(listed) == LONDON_LAS
    others = [la for la in listed.values() if not la["own"]]
    for la in others:
        if la["value"] is not None:
            assert la["value"] == 0 or la["value"] >= 5
            assert la["value"] % 5 == 0
        else:
            assert la["marker"] in ("c", "x") and la["reason"]
    # The City's small count is withheld, and one more cell protects it from the total.
    assert listed[CITY]["marker"] == "c"
    assert sum(1 for la in others if la["marker"] == "c") >= 2
    assert len(body["regions"]) == 9 and body["national"]["value"] is not None
    assert "E12000007 v3" in body["agreements"] and "national v1" in body["agreements"]
    assert {(r["grain"], r["area"]) for r in body["rules"]} >= {("la", LONDON),
                                                                 ("region", LONDON)}


def test_a_region_sees_its_las_and_every_regions_aggregate(as_org):
    body = get(as_org(LONDON), "agency_rate").json
    assert {la["code"] for la in body["local_authorities"]} == LONDON_LAS
    assert not any(la["own"] for la in body["local_authorities"])
    assert body["own"] is None and body["position"] is None
    assert all(r["value"] is not None for r in body["regions"])
    assert body["summary"]["count"] <= len(LONDON_LAS)


def test_nare_sees_national_and_every_region(as_org):
    body = as_org("NARE").get(f"/api/v1/national/agency_rate?period={PERIOD}").json
    assert len(body["regions"]) == 9 and body["national"]["value"] is not None
    assert "local_authorities" not in body
    assert body["agreements"] == ["national v1"]


@pytest.mark.parametrize(("org", "url"), [
    ("NARE", URL.format(measure="agency_rate", period=PERIOD)),
    ("HUB-ADMIN", URL.format(measure="agency_rate", period=PERIOD)),
    (CAMDEN, f"/api/v1/national/agency_rate?period={PERIOD}"),
    ("HUB-ADMIN", f"/api/v1/national/agency_rate?period={PERIOD}"),
])
def test_wrong_kinds_of_caller_are_refused(as_org, org, url):
    assert as_org(org).get(url).status_code == 403


def test_unknown_measure_missing_period_and_malformed_period(as_org):
    client = as_org(CAMDEN)
    missing = get(client, "head_count")
    assert missing.status_code == 404 and "head_count" in missing.json["message"]
    assert get(client, period="2019-Q1").status_code == 404
    bad = get(client, period="2024-Q5")
    assert bad.status_code == 422 and "period" in bad.json["errors"]["query"]


def test_csv_names_the_agreements_and_rules_and_shows_markers(as_org):
    response = get(as_org(CAMDEN), headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.text.splitlines()
    header = [line for line in lines if line.startswith("#")]
    assert any("E12000007 v3" in line for line in header if line.startswith("# agreements"))
    assert any(line.startswith("# rules la E12000007") for line in header)
    rows = list(csv.DictReader(io.StringIO("\n".join(x for x in lines if not x.startswith("#")))))
    city = next(r for r in rows if r["code"] == CITY)
    assert city["value"] == "c" and city["reason"]
    assert {r["level"] for r in rows} == {"own", "la", "region", "national"}


def test_trend_runs_over_the_periods_in_order(as_org):
    body = as_org(CAMDEN).get("/api/v1/benchmarks/agency_rate/trend?from=2024-Q1").json
    assert [p["period"] for p in body["periods"]] == ["2024-Q3", "2024-Q4"]
    assert all(p["own"]["value"] is not None and p["region"]["code"] == LONDON
               for p in body["periods"])
    only = as_org(CAMDEN).get("/api/v1/benchmarks/agency_rate/trend?to=2024-Q3").json
    assert [p["period"] for p in only["periods"]] == ["2024-Q3"]
    nare = as_org("NARE").get("/api/v1/national/agency_rate/trend").json
    assert [len(p["regions"]) for p in nare["periods"]] == [9, 9]


def test_every_read_is_audited_cached_or_not(as_org, figures_app):
    get_benchmarks(figures_app).reads.interval = 3600  # the test flushes, not the thread
    client = as_org(CAMDEN)
    for _ in range(3):
        assert get(client).status_code == 200
    assert get(client, "agency_rate").status_code == 200
    assert get_benchmarks(figures_app).reads.flush() == 4
    with figures_app.extensions["hub.db"].session() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "benchmarks.read").order_by(AuditEvent.id)).all()
        assert audit.verify(session).ok  # appended as one batch, still one chain
    # The same answer read three times in one interval: one event that counts the reads.
    assert [(e.target, e.details["reads"]) for e in events] == [
        (f"agency_headcount@{PERIOD}", 3), (f"agency_rate@{PERIOD}", 1)]
    assert events[0].org_code == CAMDEN and events[0].details["periods"] == {PERIOD: 1}


def test_an_api_request_is_one_event_however_many_periods_it_reads(as_org, figures_app):
    get_benchmarks(figures_app).reads.interval = 3600  # the test flushes, not the thread
    body = as_org(CAMDEN).get("/api/v1/benchmarks/agency_rate/trend").json
    assert len(body["periods"]) == 2
    assert as_org("NARE").get(f"/api/v1/national/agency_rate?period={PERIOD}").status_code \
        == 200
    assert get_benchmarks(figures_app).reads.flush() == 2
    with figures_app.extensions["hub.db"].session() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(("benchmarks.read", "national.read"))).order_by(
            AuditEvent.id)).all()
    assert [(e.action, e.org_code, e.target) for e in events] == [
        ("benchmarks.read", CAMDEN, "agency_rate@first..last"),
        ("national.read", "NARE", f"agency_rate@{PERIOD}")]
    assert events[0].details["periods"] == {p["period"]: p["figures_version"]
                                            for p in body["periods"]}


def test_reads_kept_when_the_audit_cannot_be_written_are_counted_once(as_org, figures_app,
                                                                      monkeypatch):
    reads = get_benchmarks(figures_app).reads
    reads.interval = 3600  # the test flushes, not the thread
    client = as_org(CAMDEN)
    assert get(client).status_code == 200

    def unavailable(session, batch):
        raise RuntimeError("database down")

    with monkeypatch.context() as patched:
        patched.setattr("hub.benchmarks.readlog._append", unavailable)
        with pytest.raises(RuntimeError):
            reads.flush()
    assert get(client).status_code == 200  # queued while the first read waits for a retry
    assert reads.flush() == 2
    with figures_app.extensions["hub.db"].session() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "benchmarks.read")).all()
    assert [e.details["reads"] for e in events] == [2]


def test_las_keep_their_own_rules_beside_the_regions_total(as_org):
    # The London Pledge shows each borough's breaches unrounded (min count 2, base 1); the
    # region's total keeps its own rules (min count 5, base 5).
    body = get(as_org(CAMDEN), "mou_breaches").json
    rules = {(r["grain"], r["audience"]): r for r in body["rules"] if r["area"] == LONDON}
    assert rules[("la", "region_parties")]["rounding_base"] == 1
    assert rules[("region", "region_parties")]["rounding_base"] == 5
    values = [la["value"] for la in body["local_authorities"] if la["value"] is not None]
    assert values and all(v == 0 or v >= 2 for v in values)
    london = next(r for r in body["regions"] if r["code"] == LONDON)
    assert london["value"] is None or london["value"] % 5 == 0


def test_figures_are_read_once_per_recompute_for_every_reader(as_org, figures_app, monkeypatch):
    loads: list[str] = []
    real_load = figures_module.load_periods

    def counted(session, dataset, periods):
        loads.extend(periods)
        return real_load(session, dataset, periods)

    monkeypatch.setattr(figures_module, "load_periods", counted)
    for org in (CAMDEN, CITY, LONDON):  # three callers, three answers: one read of the figures
        assert get(as_org(org), "agency_rate").status_code == 200
        # The reader's other measures of the period were released with it: no read either.
        assert get(as_org(org), "agency_headcount").status_code == 200
    assert loads == [PERIOD]
    store_extracts(figures_app, [simulated_extract(CAMDEN, PERIOD)], revision=2)
    recompute(figures_app, PERIOD)
    assert get(as_org(CITY), "agency_rate").status_code == 200
    assert loads == [PERIOD, PERIOD]


def test_latest_is_the_latest_period_on_every_figure_route(as_org):
    camden, nare = as_org(CAMDEN), as_org("NARE")
    assert get(camden, "agency_rate", "latest").json == get(camden, "agency_rate").json
    assert nare.get("/api/v1/national/agency_rate?period=latest").json["period"] == PERIOD
    trend = camden.get("/api/v1/benchmarks/agency_rate/trend?from=latest").json
    assert [p["period"] for p in trend["periods"]] == [PERIOD]
    upto = nare.get("/api/v1/national/agency_rate/trend?to=latest").json
    assert upto["periods"][-1]["period"] == PERIOD
    bad = get(camden, "agency_rate", "newest")
    assert bad.status_code == 422
    assert bad.json["errors"]["query"]["period"] == [
        "Not a period such as 2024-Q3, nor 'latest'."]


def test_csv_without_metadata_opens_as_a_spreadsheet_with_the_facts_in_headers(as_org):
    response = get(as_org(CAMDEN), headers={"Accept": "text/csv"},
                   period=f"{PERIOD}&metadata=false")
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert lines[0] == "period,level,code,name,region_code,value,reason"
    assert not any(line.startswith("#") for line in lines)
    with_metadata = get(as_org(CAMDEN), headers={"Accept": "text/csv"})
    assert with_metadata.text.startswith("# measure: agency_headcount")
    for answer in (response, with_metadata):
        assert answer.headers["Hub-Measure"] == "agency_headcount"
        assert answer.headers["Hub-Figures-Versions"].startswith(f"{PERIOD}=")
        assert "E12000007 v3" in answer.headers["Hub-Agreements"]
    trend = as_org(CAMDEN).get("/api/v1/benchmarks/agency_rate/trend?metadata=false",
                               headers={"Accept": "text/csv"})
    assert trend.text.startswith("period,level,")
