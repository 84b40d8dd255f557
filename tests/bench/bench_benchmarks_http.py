"""Benchmark: GET /api/v1/benchmarks/… under gunicorn against a bare Flask endpoint.

Run with ``python -m tests.bench.bench_benchmarks_http``. Both servers run gunicorn with the
same settings (2 gthread workers, 8 threads each, 127.0.0.1, an ephemeral port); the hub serves a
prepared PostgreSQL database (SQLite when PostgreSQL is not reachable) holding every LA's
simulated extract with figures computed, with Redis when reachable, and is called with a valid
token; the bare app returns the hub's own answer (the same JSON, re-serialised per request).
Both are driven by ``wrk`` (``apt-get install -y wrk``) when installed, else by a Python
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
from flask import Flask, jsonify

SECONDS = 10
ROUNDS = 2
CONNECTIONS = 16
PERIOD = "2024-Q4"
READER = "E09000007"  # Camden: its own figure, London's LAs, every region, the nation
PATH = f"/api/v1/benchmarks/agency_headcount?period={PERIOD}"
POSTGRES_URL = os.environ.get(
    "HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("HUB_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
GUNICORN = ["-k", "gthread", "-w", "2", "--threads", "8", "--keep-alive", "5",
            "--log-level", "warning"]


def bare_app() -> Flask:
    """The baseline: one route answering the payload in $BENCH_PAYLOAD, serialised each time."""
    app = Flask(__name__)
    payload = json.loads(Path(os.environ["BENCH_PAYLOAD"]).read_text())

    @app.get("/payload")
    def answer():  # type: ignore[no-untyped-def]
        return jsonify(payload)

    return app


def _free_port() -> int:
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


def _prepare(env: dict[str, str]) -> str:
    """Migrate, load reference data and agreements, store extracts, compute; a reader token."""
    from connectors.simrecords import profiles
    from hub import create_app
    from hub.agreements import service as agreements
    from hub.config import load_settings
    from hub.decisions.store import get_policy_store
    from hub.identity import service as identity
    from hub.organisations import service as organisations
    from tests.hub.agreements.conftest import shipped
    from tests.hub.benchmarks.conftest import recompute, simulated_extract, store_extracts

    app = create_app(load_settings(env))
    database = app.extensions["hub.db"]
    database.upgrade()
    with app.app_context(), database.session() as session:
        organisations.load_reference(session, organisations.read_reference())
        agreements.load(session, shipped(), "cli:bench", get_policy_store(app))
    store_extracts(app, [simulated_extract(la, PERIOD) for la in profiles()])
    recompute(app, PERIOD)
    with database.session() as session:
        created = identity.create_client(session, READER, "benchmark reader", None, None)
        client_id, secret = created.client.client_id, created.client_secret
    token = app.test_client().post("/oauth/token", data={"grant_type": "client_credentials"},
                                   auth=(client_id, secret)).json["access_token"]
    database.dispose()
    return str(token)


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


def _measure(hub: tuple[str, dict[str, str]], bare: tuple[str, dict[str, str]]
             ) -> tuple[float, float]:
    """Requests/s of each, alternating in ROUNDS turns so both see the same machine load."""
    for url, headers in (hub, bare):
        for _ in range(20):  # warm up: each worker's cache, policy set and connections
            requests.get(url, headers=headers, timeout=10).raise_for_status()
    turn = SECONDS // ROUNDS
    rates: tuple[list[float], list[float]] = ([], [])
    for _ in range(ROUNDS):
        for (url, headers), measured in zip((hub, bare), rates, strict=True):
            measured.append(_load(url, headers, turn))
    return sum(rates[0]) / ROUNDS, sum(rates[1]) / ROUNDS


def main() -> list[dict[str, object]]:
    """Measure both servers in this run; print and return the row."""
    made = _postgres_database()
    work = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    database_url = made[0] if made else f"sqlite:///{work / 'hub.sqlite3'}"
    redis_url = _redis_url()
    env = {**os.environ, "HUB_ENV": "test", "HUB_DATABASE_URL": database_url,
           "HUB_SECRET_KEY": "bench", "HUB_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
           "HUB_LOG_LEVEL": "WARNING", "BENCH_PAYLOAD": str(work / "payload.json")}
    if redis_url:
        env["HUB_REDIS_URL"] = redis_url
    try:
        token = _prepare(env)
        auth = {"Authorization": f"Bearer {token}"}
        with _gunicorn("hub.wsgi:app", env) as hub_base:
            response = requests.get(hub_base + PATH, headers=auth, timeout=10)
            response.raise_for_status()
            (work / "payload.json").write_bytes(response.content)
            with _gunicorn("tests.bench.bench_benchmarks_http:bare_app()", env) as bare_base:
                hub, bare = _measure((hub_base + PATH, auth), (bare_base + "/payload", {}))
    finally:
        if made:
            with psycopg.connect(made[1], autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{made[0].rsplit("/", 1)[-1]}" '  # type: ignore[arg-type]
                                   "WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)
    tool = "wrk" if shutil.which("wrk") else "python keep-alive client"
    storage = ("PostgreSQL" if made else "SQLite") + (" + Redis" if redis_url else "")
    print(f"GET {PATH} as {READER} ({len(response.content)} bytes), {storage}, gunicorn 2 "
          f"workers x 8 threads, {tool}, {CONNECTIONS} connections, {SECONDS} s each in "
          f"{ROUNDS} alternating turns")
    print(f"hub: {hub:.0f} req/s; bare Flask, same payload: {bare:.0f} req/s; "
          f"ratio {hub / bare:.2f} (aim >= 0.5)")
    return [{"name": "benchmarks_http: GET /benchmarks vs bare Flask", "value": hub,
             "baseline": bare, "ratio": hub / bare, "unit": "req/s"}]


if __name__ == "__main__":
    main()
