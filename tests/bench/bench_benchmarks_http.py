"""Benchmark: GET /api/v1/benchmarks/… under gunicorn against a bare Flask endpoint.

Run with ``python -m tests.bench.bench_benchmarks_http``. Both servers run gunicorn with the
same settings (2 gthread workers, 8 threads each, 127.0.0.1, an ephemeral port); the hub serves a
prepared PostgreSQL database (SQLite when PostgreSQL is not reachable) holding every LA's
simulated extract with figures computed, with Redis when reachable, and is called with a valid
token. The bare app answers the hub's own response for the same question two ways: as a plain
Flask endpoint does, ``jsonify`` of the payload (the baseline of the aim), and as the bytes read
once at start, the least Flask can do to send that many bytes (a stricter reference). Two
answers are measured: a rate (no breakdown) and a count broken down by role, whose payload is
larger. All are driven by ``wrk`` (``apt-get install -y wrk``) when installed, else by a Python
keep-alive client, for the same time and connections; the rows say which.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
import requests
from cryptography.fernet import Fernet
from flask import Flask, Response, jsonify

SECONDS = 20
ROUNDS = 4
CONNECTIONS = 16
PERIOD = "2024-Q4"
READER = "E09000007"  # Camden: its own figure, London's LAs, every region, the nation
#: The measures asked for: a rate without breakdown, and a count with one (a larger answer).
MEASURES = ("agency_rate", "agency_headcount")
POSTGRES_URL = os.environ.get(
    "HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("HUB_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
GUNICORN = ["-k", "gthread", "-w", "2", "--threads", "8", "--keep-alive", "5",
            "--log-level", "warning"]


def _path(measure: str) -> str:
    return f"/api/v1/benchmarks/{measure}?period={PERIOD}"


def bare_app() -> Flask:
    """The baselines, for each <name>.json in $BENCH_PAYLOADS: /json/<name> serialises its
    payload per request, /bytes/<name> answers its bytes."""
    app = Flask(__name__)
    files = {f.stem: f.read_bytes() for f in Path(os.environ["BENCH_PAYLOADS"]).glob("*.json")}
    payloads = {name: json.loads(body) for name, body in files.items()}

    @app.get("/json/<name>")
    def as_json(name: str) -> Response:
        return jsonify(payloads[name])

    @app.get("/bytes/<name>")
    def as_bytes(name: str) -> Response:
        return Response(files[name], mimetype="application/json")

    return app


#: Ports already handed out in this process: with HUB_BENCH_PORT, the next servers take the
#: ports after it (gunicorn binds with SO_REUSEPORT, so two servers on one port would share it).
_handed_out: list[int] = []


def _free_port() -> int:
    if os.environ.get("HUB_BENCH_PORT"):  # ports set aside for the run, on a shared machine
        port = int(os.environ["HUB_BENCH_PORT"]) + len(_handed_out)
        _handed_out.append(port)
        return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_database() -> tuple[str, str] | None:
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            name = f"hub_bench_{uuid.uuid4().hex[:10]}"
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    except psycopg.OperationalError:
        return None
    return url.set(database=name).render_as_string(hide_password=False), admin


def _redis_url() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError:
        return None
    return REDIS_URL


def prepared_hub(env: dict[str, str], periods: tuple[str, ...]) -> Flask:
    """The hub of ``env``, migrated, with the reference data, the shipped agreements and every
    LA's simulated extract for ``periods``, figures computed."""
    from connectors.simrecords import profiles
    from hub import create_app
    from hub.agreements import service as agreements
    from hub.config import load_settings
    from hub.decisions.store import get_policy_store
    from hub.organisations import service as organisations
    from tests.hub.agreements.conftest import shipped
    from tests.hub.benchmarks.conftest import recompute, simulated_extract, store_extracts

    app = create_app(load_settings(env))
    database = app.extensions["hub.db"]
    database.upgrade()
    with app.app_context(), database.session() as session:
        organisations.load_reference(session, organisations.read_reference())
        agreements.load(session, shipped(), "cli:bench", get_policy_store(app))
    for period in periods:
        store_extracts(app, [simulated_extract(la, period) for la in profiles()])
        recompute(app, period)
    return app


def reader_token(app: Flask, org: str) -> str:
    """An access token of a new API client of ``org``."""
    from hub.identity import service as identity

    with app.extensions["hub.db"].session() as session:
        created = identity.create_client(session, org, "benchmark reader", None, None)
        client_id, secret = created.client.client_id, created.client_secret
    return str(app.test_client().post("/oauth/token", data={"grant_type": "client_credentials"},
                                      auth=(client_id, secret)).json["access_token"])


def _prepare(env: dict[str, str]) -> str:
    """The prepared hub's database, and a token of READER."""
    app = prepared_hub(env, (PERIOD,))
    token = reader_token(app, READER)
    app.extensions["hub.db"].dispose()
    return token


@contextmanager
def _gunicorn(target: str, env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", *GUNICORN, "-b", f"127.0.0.1:{port}", target],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()) from None  # type: ignore[union-attr]
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wrk(url: str, headers: dict[str, str], seconds: int) -> float:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True,  # noqa: S603
                         timeout=seconds + 30).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"errors under load:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]


def _python_load(url: str, headers: dict[str, str], seconds: int) -> float:
    def worker(_: int) -> int:
        done = 0
        with requests.Session() as session:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                response = session.get(url, headers=headers, timeout=5)
                response.raise_for_status()
                done += 1
        return done

    start = time.monotonic()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        total = sum(pool.map(worker, range(CONNECTIONS)))
    return total / (time.monotonic() - start)


def _load(url: str, headers: dict[str, str], seconds: int) -> float:
    return _wrk(url, headers, seconds) if shutil.which("wrk") else _python_load(
        url, headers, seconds)


def _measure(*targets: tuple[str, dict[str, str]]) -> list[float]:
    """Requests/s of each target, alternating in ROUNDS turns so all see the same machine load."""
    for url, headers in targets:
        for _ in range(20):  # warm up: each worker's cache, policy set and connections
            requests.get(url, headers=headers, timeout=10).raise_for_status()
    turn = SECONDS // ROUNDS
    rates: list[list[float]] = [[] for _ in targets]
    for _ in range(ROUNDS):
        for (url, headers), measured in zip(targets, rates, strict=True):
            measured.append(_load(url, headers, turn))
    return [sum(r) / ROUNDS for r in rates]


def main() -> list[dict[str, object]]:
    """Measure both servers in this run; print and return the row."""
    made = _postgres_database()
    work = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    database_url = made[0] if made else f"sqlite:///{work / 'hub.sqlite3'}"
    redis_url = _redis_url()
    env = {**os.environ, "HUB_ENV": "test", "HUB_DATABASE_URL": database_url,
           "HUB_SECRET_KEY": "bench", "HUB_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
           "HUB_LOG_LEVEL": "WARNING", "BENCH_PAYLOADS": str(work)}
    if redis_url:
        env["HUB_REDIS_URL"] = redis_url
    try:
        token = _prepare(env)
        auth = {"Authorization": f"Bearer {token}"}
        results: dict[str, list[float]] = {}
        sizes: dict[str, int] = {}
        with _gunicorn("hub.wsgi:app", env) as hub_base:
            for measure in MEASURES:
                response = requests.get(hub_base + _path(measure), headers=auth, timeout=10)
                response.raise_for_status()
                (work / f"{measure}.json").write_bytes(response.content)
                sizes[measure] = len(response.content)
            with _gunicorn("tests.bench.bench_benchmarks_http:bare_app()", env) as bare_base:
                for measure in MEASURES:
                    results[measure] = _measure((hub_base + _path(measure), auth),
                                                (f"{bare_base}/json/{measure}", {}),
                                                (f"{bare_base}/bytes/{measure}", {}))
    finally:
        if made:
            with psycopg.connect(made[1], autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{made[0].rsplit("/", 1)[-1]}" '  # type: ignore[arg-type]
                                   "WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)
    tool = "wrk" if shutil.which("wrk") else "python keep-alive client"
    storage = ("PostgreSQL" if made else "SQLite") + (" + Redis" if redis_url else "")
    print(f"as {READER}, {storage}, gunicorn 2 workers x 8 threads, {tool}, {CONNECTIONS} "
          f"connections, {SECONDS} s each in {ROUNDS} alternating turns")
    rows: list[dict[str, object]] = []
    for measure, (hub, bare, least) in results.items():
        print(f"GET {_path(measure)} ({sizes[measure]} bytes): hub {hub:.0f} req/s; bare Flask "
              f"jsonify {bare:.0f} req/s, ratio {hub / bare:.2f} (aim >= 0.5); bare Flask "
              f"answering the bytes {least:.0f} req/s, ratio {hub / least:.2f}")
        rows.append({"name": f"benchmarks_http: GET /benchmarks/{measure} vs bare jsonify",
                     "value": hub, "baseline": bare, "ratio": hub / bare, "unit": "req/s"})
        rows.append({"name": f"benchmarks_http: GET /benchmarks/{measure} vs bare bytes",
                     "value": hub, "baseline": least, "ratio": hub / least, "unit": "req/s"})
    return rows


if __name__ == "__main__":
    main()
