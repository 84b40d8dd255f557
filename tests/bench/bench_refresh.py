"""Benchmark: a refresh of all 153 connectors, each adding 200 ms to every answer.

Run with ``python -m tests.bench.bench_refresh``. The simulated connectors run in a process of
their own (as real connectors run elsewhere), every request delayed by ``LATENCY``; the hub
refreshes them with its own code (``hub.pulls.refresh``, HUB_PULL_CONCURRENCY at a time) inside
its app, as the refresh job runs, on PostgreSQL (as in production; a scratch database on the
test server, skipped if it is down) and on SQLite (as ``make run``). The baseline, counted in
the same run, is the serial sum of the latencies the connectors added: what pulling one
connector after another would spend waiting.

Each database is refreshed twice. Cold: no token cached and every extract new, so every
connector also issues a token and every pull lands. Warm: tokens cached and every extract
unchanged, as when tokens outlive the refresh interval. The recompute the landings queue is
timed apart (it runs on its own worker), and so is the simulator: it shares the machine's two
cores with the hub, so its client-secret checks (scrypt, about 0.1 s of CPU each) are done once
before timing and its CPU is printed apart, the figure being the hub's.

Where the hub's time goes is printed under each row: thread-seconds and CPU seconds (summed
over the pull threads) of token requests, extract requests (both include the added latency),
signature checks, parsing and ingest transactions, and the recompute.
Aim: the cold refresh under 5 s and the warm one under 2 s on a 2-core machine.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import multiprocessing
import os
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from sqlalchemy.engine import make_url

from hub.config import Settings
from hub.db import Database
from hub.organisations import service as organisations
from hub.pulls.refresh import plan, refresh
from hub.registry import service as registry
from hub.registry.models import Connector

LATENCY = 0.2
AIMS_MS = {"cold": 5000.0, "warm": 2000.0}
POSTGRES_URL = os.environ.get(
    "HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: Not a connector path: the simulator's own CPU seconds, for the bench only.
_CPU_PATH = "/_bench/cpu"


class Costs:
    """Calls, wall seconds and CPU seconds (of the calling thread) by what was called."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spent: dict[str, list[float]] = {}

    def add(self, name: str, wall: float, cpu: float) -> None:
        with self.lock:
            calls, walls, cpus = self.spent.get(name, [0, 0.0, 0.0])
            self.spent[name] = [calls + 1, walls + wall, cpus + cpu]

    def timed(self, name: str | Callable[..., str], func: Callable[..., Any]
              ) -> Callable[..., Any]:
        """``func``, its calls counted under ``name`` (or ``name(*args)``)."""
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return func(*args, **kwargs)
            finally:
                self.add(name(*args, **kwargs) if callable(name) else name,
                         time.perf_counter() - wall, time.thread_time() - cpu)
        return wrapper

    def take(self) -> dict[str, list[float]]:
        with self.lock:
            spent, self.spent = self.spent, {}
        return spent


@contextmanager
def _patched(owner: Any, attribute: str, replacement: Any) -> Iterator[None]:
    original = getattr(owner, attribute)
    setattr(owner, attribute, replacement)
    try:
        yield
    finally:
        setattr(owner, attribute, original)


@contextmanager
def _profiled(costs: Costs) -> Iterator[None]:
    """Count where the hub's pulls spend their time, by wrapping what they call."""
    import connectors.client as client
    from hub.benchmarks import service as benchmarks
    from hub.pulls.service import Puller

    def request(_client: Any, method: str, url: str, **_: Any) -> str:
        return "token requests" if method == "POST" else \
            "listing requests" if url.endswith("/datasets") else "extract requests"

    with ExitStack() as stack:
        for owner, attribute, name in (
                (client.ConnectorClient, "_send", request),
                (client.ConnectorClient, "_read", "reading bodies"),
                (client, "verify_detached", "signature checks"),
                (client, "parse_extract", "parsing extracts"),
                (client, "parse_datasets", "parsing listings"),
                (Puller, "_ingest", "ingest transactions"),
                (Puller, "_failed", "failure transactions"),
                (benchmarks, "recompute", "recomputes")):
            stack.enter_context(_patched(owner, attribute,
                                         costs.timed(name, getattr(owner, attribute))))
        yield


class Delayed:
    """WSGI middleware adding ``LATENCY`` to every request and counting the requests."""

    def __init__(self, app: Any, counter: Any, costs: Costs) -> None:
        self.app, self.counter, self.costs = app, counter, costs

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == _CPU_PATH:
            body = json.dumps({"cpu": time.process_time(), "spent": self.costs.take()}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        with self.counter.get_lock():
            self.counter.value += 1
        time.sleep(LATENCY)
        return self.app(environ, start_response)


def _serve(ready: Any, stop: Any, counter: Any, out: str) -> None:
    import connectors.app
    import connectors.oauth
    from connectors.simulator import start_simulator

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request
    costs = Costs()
    scrypt = connectors.oauth.verify_secret
    verified: dict[str, bytes] = {}

    def preverified(secret: str, stored: str) -> bool:
        # The connector's scrypt check, done once per client before timing: the simulator's
        # CPU, not the hub's, and on this machine the two share the same two cores.
        known = verified.get(stored)
        if known is None:
            return bool(checked(secret, stored))
        return hmac.compare_digest(hashlib.sha256(secret.encode()).digest(), known)

    connectors.oauth.verify_secret = preverified
    connectors.app.sign_detached = costs.timed("extract signing", connectors.app.sign_detached)
    running = start_simulator(seed=1)
    checked = costs.timed("client-secret checks (scrypt)", scrypt)
    for code, creds in running.simulator.credentials.items():
        app = running.simulator.app_for(code)  # records generated, extracts built before timing
        stored = app.config["CONNECTOR"].clients[0].secret_hash
        if checked(creds.client_secret, stored):
            verified[stored] = hashlib.sha256(creds.client_secret.encode()).digest()
    running.server.app = Delayed(running.simulator, counter, costs)
    running.simulator.write_credentials(Path(out))
    ready.set()
    stop.wait(600)
    running.stop()


def _simulator_costs(base_url: str) -> dict[str, Any]:
    """The simulator's CPU seconds so far and its costs since the last asked."""
    with urllib.request.urlopen(base_url + _CPU_PATH, timeout=10) as response:  # noqa: S310 - loopback
        return dict(json.load(response))


@contextmanager
def _postgres() -> Iterator[str | None]:
    """A scratch PostgreSQL database's URL, dropped afterwards; None if the server is down."""
    admin = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(
        hide_password=False)
    name = f"hub_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    except psycopg.OperationalError:
        yield None
        return
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def _settings(directory: Path, database_url: str) -> Settings:
    settings = Settings(env="test", database_url=database_url, var_dir=directory / "var",
                        log_level="WARNING")
    chosen = os.environ.get("HUB_PULL_CONCURRENCY")  # to measure other concurrencies
    if chosen:
        from dataclasses import replace
        settings = replace(settings, pull_concurrency=int(chosen))
    return settings


def _hub(directory: Path, database_url: str, credentials: list[dict[str, Any]]) -> Any:
    from hub import create_app

    app = create_app(_settings(directory, database_url))
    database: Database = app.extensions["hub.db"]
    database.upgrade()
    box, now = app.extensions["hub.secret_box"], datetime.now(UTC)
    with database.session() as session:
        organisations.load_reference(session, organisations.read_reference())
        registry.allow_host(session, registry.Actor("bench"),
                            urlsplit(credentials[0]["base_url"]).netloc, "benchmark")
        for c in credentials:
            # Registered as the check leaves them; registration is not what is measured.
            session.add(Connector(la_code=c["la_code"], base_url=c["base_url"],
                                  token_url=c["token_url"], jwks_url=c["jwks_url"],
                                  jwks=c["jwks"], client_id=c["client_id"],
                                  client_secret=box.encrypt(c["client_secret"].encode()),
                                  enabled=True, created_at=now, updated_at=now))
    return app


def _timed_refresh(app: Any, counter: Any, base_url: str) -> dict[str, Any]:
    """One refresh in the app's context, as the refresh job runs it, and where time went."""
    puller = app.extensions["hub.pulls"].puller
    recomputes = app.extensions["hub.benchmarks"].queue
    with puller.database.session() as session:
        targets = plan(session)
    costs = Costs()
    before, simulator_before = counter.value, _simulator_costs(base_url)
    with app.app_context(), _profiled(costs):
        cpu, start = time.process_time(), time.perf_counter()
        results = refresh(puller, targets, puller.settings.pull_concurrency,
                          lambda target, exc: None, retries=False)
        elapsed = time.perf_counter() - start
        recomputes.wait()  # the recompute the landings queued, on its own worker
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
    simulator = _simulator_costs(base_url)
    outcomes: dict[str, int] = {}
    for result in results:
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    requests = counter.value - before
    return {"ms": elapsed * 1000, "baseline_ms": requests * LATENCY * 1000,
            "outcomes": outcomes, "requests": requests, "total_ms": total * 1000,
            "hub_cpu": cpu, "spent": costs.take(),
            "simulator_cpu": simulator["cpu"] - simulator_before["cpu"],
            "simulator_spent": simulator["spent"],
            "concurrency": puller.settings.pull_concurrency}


def _breakdown(run: dict[str, Any]) -> list[str]:
    """Lines saying where the refresh's time went, the hub's then the simulator's."""
    lines = [f"  hub: {run['hub_cpu']:.2f} s CPU over {run['ms'] / 1000:.2f} s "
             f"({run['concurrency']} pulls at once); with the queued recompute done "
             f"{run['total_ms'] / 1000:.2f} s",
             f"  latency waits: {run['requests']} requests x {LATENCY * 1000:.0f} ms = "
             f"{run['requests'] * LATENCY:.1f} thread-s (a warm pull fetches the period it "
             f"holds beside the listing: one round trip on its path)"]
    for name, (calls, wall, cpu) in sorted(run["spent"].items(), key=lambda kv: -kv[1][1]):
        lines.append(f"  {name}: {calls:.0f} calls, {wall:.2f} thread-s, {cpu:.2f} s CPU")
    lines.append(f"  simulator, apart: {run['simulator_cpu']:.2f} s CPU")
    for name, (calls, _, cpu) in sorted(run["simulator_spent"].items()):
        lines.append(f"    {name}: {calls:.0f} calls, {cpu:.2f} s CPU")
    return lines


def _rows(app: Any, counter: Any, base_url: str, database: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for kind in ("cold", "warm"):
        run = _timed_refresh(app, counter, base_url)
        rows.append({"name": f"refresh 153 connectors, {database}, {kind} ({run['outcomes']})",
                     "value": run["ms"], "baseline": run["baseline_ms"],
                     "ratio": run["ms"] / run["baseline_ms"], "unit": "ms",
                     "baseline_name": "serial sum of latencies", "aim": AIMS_MS[kind],
                     "breakdown": _breakdown(run)})
    app.extensions["hub.db"].dispose()
    return rows


def main() -> list[dict[str, object]]:
    """Refresh cold then warm on each database; print and return the rows."""
    context = multiprocessing.get_context("spawn")
    ready, stop, counter = context.Event(), context.Event(), context.Value("i", 0)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        out = directory / "connectors.json"
        server = context.Process(target=_serve, args=(ready, stop, counter, str(out)))
        server.start()
        try:
            if not ready.wait(300):
                raise RuntimeError("the simulator did not start")
            credentials = json.loads(out.read_text())["connectors"]
            base_url = "{0.scheme}://{0.netloc}".format(urlsplit(credentials[0]["base_url"]))
            setup = _simulator_costs(base_url)["spent"]
            with _postgres() as url:
                if url is not None:
                    rows += _rows(_hub(directory / "pg", url, credentials), counter, base_url,
                                  "PostgreSQL")
            sqlite = f"sqlite:///{directory}/hub.sqlite3"
            rows += _rows(_hub(directory / "sqlite", sqlite, credentials), counter, base_url,
                          "SQLite")
        finally:
            stop.set()
            server.join(30)
    for row in rows:
        aim = "met" if row["value"] < row["aim"] else "not met"  # type: ignore[operator]
        print(f"{row['name']}: {row['value']:.0f} {row['unit']} ({row['baseline_name']}: "
              f"{row['baseline']:.0f} {row['unit']}, ratio {row['ratio']:.3f}; "
              f"aim under {row['aim']:.0f} ms {aim})")
        print("\n".join(row.pop("breakdown")))  # type: ignore[arg-type]
    for name, (calls, _, cpu) in setup.items():
        print(f"simulator before timing: {name}: {calls:.0f} calls, {cpu:.2f} s CPU "
              f"({cpu / max(calls, 1) * 1000:.0f} ms each), left out of every figure")
    return rows


if __name__ == "__main__":
    main()
