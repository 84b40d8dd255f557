"""The simulator: deterministic records at DfE's levels, and one process serving many LAs."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest
import requests

from connectors.client import ConnectorClient, PermanentPullError
from connectors.extract import quarter_bounds
from connectors.simrecords import profiles, simulated_la
from connectors.simulator import PERIODS, Simulator, simulated_records, start_simulator
from connectors.urlguard import UrlPolicy

DURHAM, CITY, KENSINGTON, NORTH_NORTHANTS = "E06000047", "E09000001", "E09000020", "E06000061"
LONDON_AGENCY_FTE = 1679.0  # connectors/data/csww_indicators_2023.csv, London 2023
LOOPBACK = UrlPolicy(allow_http=True, allowed_hosts=frozenset({"127.0.0.1"}),
                     read_timeout=2, total_timeout=3)


def test_the_same_seed_gives_the_same_records_and_another_seed_does_not() -> None:
    fresh = simulated_la.__wrapped__
    assert fresh(DURHAM, 5) == fresh(DURHAM, 5)
    assert fresh(DURHAM, 5).records != fresh(DURHAM, 6).records
    assert simulated_records(DURHAM, 5) == fresh(DURHAM, 5).records


def test_every_la_has_a_profile_with_regional_fallbacks() -> None:
    every = profiles()
    assert len(every) == 153
    assert every[DURHAM].inpost_fte == 337.2  # County Durham's own 2023 row
    # Kensington and Chelsea's agency FTE is "x" in 2023: London's average per LA stands in.
    assert every[KENSINGTON].agency_fte == pytest.approx(LONDON_AGENCY_FTE / 33)
    # North and West Northamptonshire returned jointly: the levels are shared.
    assert every[NORTH_NORTHANTS].inpost_fte == every["E06000062"].inpost_fte


@pytest.mark.parametrize("la", [DURHAM, "E10000016", "E08000025", CITY])
def test_levels_are_near_dfes(la: str) -> None:
    sim = simulated_la(la, 1)
    first, last = quarter_bounds("2023-Q3")
    rows = [a for a in sim.records.assignments if a.period == "2023-Q3"
            and (a.leave_date is None or a.leave_date > last)]
    permanent = math.fsum(a.fte for a in rows if not a.agency)
    agency = math.fsum(a.fte for a in rows if a.agency)
    assert permanent == pytest.approx(sim.profile.inpost_fte, rel=0.2, abs=3)
    assert agency == pytest.approx(sim.profile.agency_fte, rel=0.3, abs=3)


def test_some_agency_workers_are_over_the_cap_and_breaches_are_recorded() -> None:
    sims = [simulated_la(code, 1) for code in list(profiles())[:10]]
    over = [a for s in sims for a in s.records.assignments
            if a.agency and (a.hourly_rate or 0) > s.caps.hourly[a.role]]
    breaches = {a.breach_type for s in sims for a in s.records.assignments if a.breach_type}
    assert over and "price_cap" in breaches and len(breaches) >= 3


def test_the_extract_matches_totals_computed_from_the_raw_records() -> None:
    sim = Simulator(3, "http://127.0.0.1:1", [DURHAM])
    records = simulated_records(DURHAM, 3)
    for period in ("2023-Q1", "2024-Q4"):
        _, last = quarter_bounds(period)
        in_post = [a for a in records.assignments if a.period == period
                   and (a.leave_date is None or a.leave_date > last)]
        client = sim.app_for(DURHAM).test_client()
        creds = sim.credentials[DURHAM]
        token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(creds.client_id, creds.client_secret)).json["access_token"]
        body = client.get(f"/extracts/workforce/{period}",
                          headers={"Authorization": f"Bearer {token}"}).json
        assert body["components"]["permanent_fte"] == pytest.approx(
            math.fsum(a.fte for a in in_post if not a.agency))
        assert body["components"]["agency_headcount"] == \
            len({a.worker_id for a in in_post if a.agency})


def test_153_connectors_start_fast() -> None:
    started = time.monotonic()
    sim = Simulator(1, "http://127.0.0.1:8700")
    assert time.monotonic() - started < 3
    assert len(sim.credentials) == 153
    creds = sim.credentials[CITY]
    assert creds.base_url == f"http://127.0.0.1:8700/la/{CITY}"
    assert creds.token_url == f"{creds.base_url}/oauth/token"
    assert creds.jwks_url == f"{creds.base_url}/.well-known/jwks.json"
    assert len({c.client_secret for c in sim.credentials.values()}) == 153
    assert len({c.jwks["keys"][0]["kid"] for c in sim.credentials.values()}) == 153


def test_one_process_serves_each_la_with_its_own_keys_and_credentials(tmp_path: Path) -> None:
    running = start_simulator(11, la_codes=[DURHAM, CITY])
    try:
        out = tmp_path / "connectors.json"
        running.simulator.write_credentials(out)
        assert out.stat().st_mode & 0o777 == 0o600
        document = json.loads(out.read_text())
        assert document["seed"] == 11 and document["periods"] == list(PERIODS)
        entries = {c["la_code"]: c for c in document["connectors"]}
        durham, city = entries[DURHAM], entries[CITY]
        assert set(durham) == {"la_code", "name", "region_code", "base_url", "token_url",
                               "jwks_url", "client_id", "client_secret", "jwks"}
        assert requests.get(durham["jwks_url"], timeout=2).json() == durham["jwks"]

        def client(entry: dict[str, str], creds: dict[str, str], jwks: dict[str, object]) \
                -> ConnectorClient:
            return ConnectorClient(entry["base_url"], entry["token_url"], jwks,
                                   creds["client_id"], creds["client_secret"], LOOPBACK,
                                   la_code=entry["la_code"])

        extract, _, _ = client(durham, durham, durham["jwks"]).fetch_extract("workforce",
                                                                             "2024-Q4")
        assert extract.la_code == DURHAM
        assert client(city, city, city["jwks"]).fetch_datasets().datasets["workforce"] == PERIODS

        with pytest.raises(PermanentPullError) as info:
            client(city, durham, city["jwks"]).fetch_extract("workforce", "2024-Q4")
        assert info.value.code == "credentials_refused"
        with pytest.raises(PermanentPullError) as info:
            client(city, city, durham["jwks"]).fetch_extract("workforce", "2024-Q4")
        assert info.value.code == "bad_signature"

        missing = requests.get(f"{running.base_url}/la/E99999999/datasets", timeout=2)
        assert missing.status_code == 404 and missing.json()["message"] == "no such connector"
    finally:
        running.stop()


def test_two_simulators_with_one_seed_serve_the_same_bytes() -> None:
    bodies = []
    for _ in range(2):
        sim = Simulator(21, "http://127.0.0.1:1", [CITY])
        creds = sim.credentials[CITY]
        client = sim.app_for(CITY).test_client()
        token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(creds.client_id, creds.client_secret)).json["access_token"]
        bodies.append(client.get("/extracts/workforce/2023-Q2",
                                 headers={"Authorization": f"Bearer {token}"}).data)
    assert bodies[0] == bodies[1]
