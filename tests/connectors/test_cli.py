"""The connector command and its configuration file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from connectors.app import create_app
from connectors.cli import main
from connectors.config import ConfigError, load_config
from connectors.records import RecordsError
from connectors.signing import generate_signing_key, save_signing_key
from connectors.wsgi import create
from tests.connectors.conftest import CAPS, HUB_SECRET, LA, WORKERS_CSV


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    (tmp_path / "records.csv").write_text(WORKERS_CSV)
    save_signing_key(generate_signing_key(), tmp_path / "key.jwk")
    (tmp_path / "hub-secret").write_text(HUB_SECRET + "\n")
    return tmp_path


def write_config(directory: Path, **overrides: Any) -> Path:
    config = {"la_code": LA, "records": "records.csv", "signing_key": "key.jwk",
              "price_caps": dict(CAPS.hourly), "vacancies": {"2024-Q1": 4.2},
              "hub_client": {"client_id": "hub", "secret_file": "hub-secret"},
              "host": "127.0.0.1", "port": 0, **overrides}
    path = directory / "connector.yaml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def test_a_config_file_gives_a_working_connector(config_dir: Path) -> None:
    config = load_config(write_config(config_dir))
    assert config.settings.la_code == LA and config.port == 0
    assert config.settings.source.periods() == ("2024-Q1",)
    client = create_app(config.settings).test_client()
    issued = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                         auth=("hub", HUB_SECRET))
    assert issued.status_code == 200


def test_the_hashed_secret_form_is_accepted(config_dir: Path) -> None:
    hashed = CliRunner().invoke(main, ["hash-secret"], input=HUB_SECRET + "\n").output.strip()
    config = load_config(write_config(config_dir, hub_client={"client_id": "hub",
                                                              "secret_hash": hashed}))
    assert config.settings.clients[0].check_client_secret(HUB_SECRET)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"la_code": "8400"}, "la_code: not an ONS"),
    ({"la_code": "999"}, "la_code: no LA has the DfE code 999"),
    ({"la_code": "E10000021"}, r"la_code: Northamptonshire \(E10000021\) was split into North "
                               r"Northamptonshire \(E06000061\) and West Northamptonshire "
                               r"\(E06000062\) on 1 April 2021"),
    ({"la_code": "E06000028"}, r"Bournemouth \(E06000028\) was reorganised into"),
    ({"price_caps": {"social_worker": 40}}, "price caps missing"),
    ({"signing_key": "missing.jwk"}, "No such file"),
    ({"vacancies": {"2024-Q1": -1}}, "vacancies: '2024-Q1'"),
    ({"hub_client": {"client_id": "hub"}}, "give secret_hash"),
    ({"hub_client": {"client_id": "hub", "secret_hash": "plaintext"}}, "not a hash"),
    ({"token_ttl": 86400}, "token_ttl"),
], ids=["la code", "dfe code", "split la", "merged la", "caps", "key", "vacancies",
        "no secret", "plain secret", "ttl"])
def test_bad_configs_are_refused_with_a_reason(config_dir: Path, overrides: dict[str, Any],
                                               message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(config_dir, **overrides))


def test_bad_records_stop_the_connector_at_start(config_dir: Path) -> None:
    (config_dir / "records.csv").write_text("period,worker_id,role,agency,fte,start_date\n"
                                            "2024-Q1,SW1,boss,0,1,2020-01-01\n")
    with pytest.raises(RecordsError, match="line 2, role"):
        load_config(write_config(config_dir))
    result = CliRunner().invoke(main, ["serve", "--config", str(config_dir / "connector.yaml")])
    assert result.exit_code == 1 and "line 2, role" in result.output


def test_keygen_writes_a_private_key_and_prints_the_public_jwks(tmp_path: Path) -> None:
    out = tmp_path / "key.jwk"
    result = CliRunner().invoke(main, ["keygen", "--out", str(out)])
    assert result.exit_code == 0
    (public,) = json.loads(result.output)["keys"]
    assert "d" not in public and json.loads(out.read_text())["kid"] == public["kid"]
    again = CliRunner().invoke(main, ["keygen", "--out", str(out)])
    assert again.exit_code == 1 and "not overwriting" in again.output


def test_hash_secret_refuses_short_secrets() -> None:
    result = CliRunner().invoke(main, ["hash-secret"], input="short\n")
    assert result.exit_code == 1 and "16 characters" in result.output


def test_simulate_serves_all_las_within_seconds(tmp_path: Path) -> None:
    out = tmp_path / "connectors.json"
    process = subprocess.Popen(
        [sys.executable, "-c", "from connectors.cli import main; main()", "simulate",
         "--seed", "4", "--port", "0", "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        document = json.loads(out.read_text())
        assert len(document["connectors"]) == 153
        first = document["connectors"][0]
        assert requests.get(first["jwks_url"], timeout=2).json() == first["jwks"]
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_the_wsgi_factory_reads_the_config_named_in_the_environment(
        config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONNECTOR_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="CONNECTOR_CONFIG"):
        create()
    monkeypatch.setenv("CONNECTOR_CONFIG", str(write_config(config_dir)))
    assert create().config["CONNECTOR"].la_code == LA
