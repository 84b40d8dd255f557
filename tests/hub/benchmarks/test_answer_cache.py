"""Kept answers: released once per (figures version, PolicySet, regions) and reader, and given
up on the next request after a recompute, a consent change or its revocation."""

from __future__ import annotations

import pytest

from hub.benchmarks import figures as figures_module
from hub.benchmarks import service as service_module
from tests.hub.benchmarks.conftest import (
    CAMDEN,
    HACKNEY,
    PERIODS,
    recompute,
    simulated_extract,
    store_extracts,
)

FIRST, LAST = PERIODS
TREND = f"/api/v1/benchmarks/agency_rate/trend?from={FIRST}&to={LAST}"
ONE = "/api/v1/benchmarks/agency_rate?period={period}"


@pytest.fixture
def released(monkeypatch) -> list[tuple[str, str]]:
    """Each (reader, period) released from figures, in order."""
    calls: list[tuple[str, str]] = []
    real = service_module.release_period

    def counted(policy_set, subject, period, *args, **kwargs):
        calls.append((subject.org_code, period))
        return real(policy_set, subject, period, *args, **kwargs)

    monkeypatch.setattr(service_module, "release_period", counted)
    return calls


@pytest.fixture
def loaded(monkeypatch) -> list[list[str]]:
    """The periods of each read of stored figures."""
    calls: list[list[str]] = []
    real = figures_module.load_periods

    def counted(session, dataset, periods):
        calls.append(sorted(periods))
        return real(session, dataset, periods)

    monkeypatch.setattr(figures_module, "load_periods", counted)
    return calls


def trend(client) -> dict[str, dict]:
    response = client.get(TREND)
    assert response.status_code == 200, response.json
    return {point["period"]: point for point in response.json["periods"]}


def hackney(client, period: str) -> dict:
    response = client.get(ONE.format(period=period))
    assert response.status_code == 200, response.json
    return next(la for la in response.json["local_authorities"] if la["code"] == HACKNEY)


def test_a_trend_reads_every_period_in_one_query_and_releases_each_once(as_org, released,
                                                                         loaded):
    camden = as_org(CAMDEN)
    first = trend(camden)
    assert loaded == [sorted(PERIODS)]
    assert released == [(CAMDEN, FIRST), (CAMDEN, LAST)]
    assert trend(camden) == first
    # The trend's releases made every measure of both periods: the single answers are kept.
    assert camden.get(ONE.format(period=FIRST)).status_code == 200
    assert released == [(CAMDEN, FIRST), (CAMDEN, LAST)] and len(loaded) == 1


def test_a_new_figures_version_gives_up_that_periods_answers_only(as_org, figures_app,
                                                                  released, loaded):
    camden = as_org(CAMDEN)
    before = trend(camden)
    store_extracts(figures_app, [simulated_extract(CAMDEN, LAST)], revision=2)
    version = recompute(figures_app, LAST)
    assert version == before[LAST]["figures_version"] + 1
    after = trend(camden)
    assert after[LAST]["figures_version"] == version
    assert after[FIRST] == before[FIRST]
    # The newest quarter alone was read and released again; the older one was kept.
    assert loaded == [sorted(PERIODS), [LAST]]
    assert released == [(CAMDEN, FIRST), (CAMDEN, LAST), (CAMDEN, LAST)]


def test_a_consent_change_and_its_revocation_each_change_the_next_kept_answer(as_org,
                                                                              released):
    camden = as_org(CAMDEN)
    trend(camden)  # both periods released and kept
    assert hackney(camden, FIRST)["value"] is not None
    created = as_org(HACKNEY).post("/api/v1/consents", json={
        "kind": "withhold", "org_code": HACKNEY, "audience": "region_parties",
        "measure": "agency_rate", "reason": "board decision"})
    assert created.status_code == 201, created.json
    withheld = hackney(camden, FIRST)
    assert withheld["value"] is None and withheld["marker"] == "x"
    revoked = as_org(HACKNEY).post(f"/api/v1/consents/{created.json['id']}/revoke",
                                   json={"reason": "board reversed"})
    assert revoked.status_code == 200, revoked.json
    assert hackney(camden, FIRST)["value"] is not None
    # Each policy change was honoured by releasing again, not by serving what was kept.
    assert released.count((CAMDEN, FIRST)) == 3
