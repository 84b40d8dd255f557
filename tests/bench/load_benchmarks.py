"""Load test: 200 concurrent clients for 60 s on the benchmark endpoints, with valid tokens.

Run with ``make load`` (or ``python -m tests.bench.load_benchmarks [SECONDS] [CONNECTIONS]``).
The hub runs under gunicorn with deploy/gunicorn.conf.py, the settings it is deployed with, on
a prepared PostgreSQL database with Redis, holding every LA's simulated extracts. wrk drives it
with 200 connections, each request from one of many readers (LAs, regions, NARE) for one of
several measures, through /benchmarks, /benchmarks/…/trend and /national. It prints
throughput, p50 and p99 latency and their ratio (aim: p99 within 3x p50), how many requests
each gunicorn worker answered (warm-up included), and the machine's load average, and fails
when any answer is a 5xx or a connection error. Measured after every worker has booted and
after 10 s of the same load unmeasured (each worker's first read of each answer computes it).

``LOAD_GUNICORN_ARGS`` adds gunicorn options after the deployed ones (``--keep-alive 0``,
``-w 2 --threads 8``), to compare settings on the same data; ``LOAD_PORT`` fixes gunicorn's
port (default: any free one).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import requests
from cryptography.fernet import Fernet

from tests.bench.bench_benchmarks_http import (
    _free_port,
    _postgres_database,
    _redis_url,
    prepared_hub,
    reader_token,
)

DEPLOY_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
#: The deployed settings, plus: how many workers the master runs, each worker's readiness,
#: and a count of the requests each worker answered, written as it exits.
COUNTING_CONFIG = """
import itertools as _itertools
import os as _os

_config = {deploy!r}
exec(compile(open(_config).read(), _config, "exec"))
_served = _itertools.count()


def _write(name, text):
    with open(_os.path.join({counts!r}, name), "w") as out:
        out.write(text)


def when_ready(server):
    _write("workers", str(server.num_workers))


def post_worker_init(worker):
    _write(f"ready-{{worker.pid}}", "")


def post_request(worker, req, environ, resp):
    next(_served)


def worker_exit(server, worker):
    _write(f"served-{{worker.pid}}", str(next(_served)))
"""
#: Seconds of load before the measured run, unmeasured (``LOAD_WARM_UP`` changes it).
WARM_UP = int(os.environ.get("LOAD_WARM_UP", 10))
#: The aim: the slowest 1% of answers within this many times the median.
TAIL_AIM = 3.0

PERIODS = ("2024-Q3", "2024-Q4")
MEASURES = ("agency_rate", "agency_headcount", "vacancy_rate", "turnover_rate",
            "agency_above_cap", "mou_breaches")
LA_READERS = ("E09000007", "E06000047", "E08000025", "E10000003", "E06000023", "E09000033",
              "E08000035", "E10000011", "E06000018", "E10000024")
REGION_READERS = ("E12000007", "E12000002", "E12000009")

LUA = """
local requests = {}
local count = 0
local statuses = {}
function init(args)
  for line in io.lines(os.getenv("LOAD_REQUESTS")) do
    local path, token = line:match("([^\\t]+)\\t([^\\t]+)")
    table.insert(requests, wrk.format("GET", path, {["Authorization"] = "Bearer " .. token}))
  end
end
function request()
  count = count + 1
  return requests[(count % #requests) + 1]
end
function response(status, headers, body)
  if status >= 500 then statuses[status] = (statuses[status] or 0) + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("p50_us %d\\np99_us %d\\n", latency:percentile(50),
                         latency:percentile(99)))
  io.write(string.format("errors_connect %d\\nerrors_timeout %d\\nerrors_status %d\\n",
                         summary.errors.connect, summary.errors.timeout, summary.errors.status))
end
"""


def _prepare(env: dict[str, str], work: Path) -> Path:
    """Data and one token per reader; writes the request list (path, token) wrk rotates."""
    app = prepared_hub(env, PERIODS)
    lines = []
    for org in (*LA_READERS, *REGION_READERS, "NARE"):
        token = reader_token(app, org)
        for measure in MEASURES:
            if org == "NARE":
                paths = [f"/api/v1/national/{measure}?period={PERIODS[-1]}"]
            else:
                paths = [f"/api/v1/benchmarks/{measure}?period={p}" for p in PERIODS]
                paths.append(f"/api/v1/benchmarks/{measure}/trend?from={PERIODS[0]}"
                             f"&to={PERIODS[-1]}")
            lines += [f"{path}\t{token}" for path in paths]
    app.extensions["hub.db"].dispose()
    listing = work / "requests.tsv"
    listing.write_text("\n".join(lines) + "\n")
    return listing


@contextmanager
def _serve(env: dict[str, str], work: Path) -> Iterator[str]:
    """gunicorn on the deployed settings (plus ``LOAD_GUNICORN_ARGS``) until the block ends,
    when it stops gracefully and each worker writes its count."""
    counts = work / "counts"
    counts.mkdir()
    config = work / "gunicorn.conf.py"
    config.write_text(COUNTING_CONFIG.format(deploy=str(DEPLOY_CONFIG), counts=str(counts)))
    port = int(env.get("LOAD_PORT") or _free_port())
    extra = shlex.split(env.get("LOAD_GUNICORN_ARGS", ""))
    with (work / "gunicorn.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "gunicorn", "-c", str(config), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", *extra], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        # Every worker ready before the first connection: a load test started while some
        # still boot measures the boot, not the settings.
        deadline = time.monotonic() + 120
        while not _ready(counts):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((work / "gunicorn.log").read_text())
            time.sleep(0.2)
        requests.get(f"{base}/healthz", timeout=10).raise_for_status()
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _ready(counts: Path) -> bool:
    workers = counts / "workers"
    return workers.exists() and bool(workers.read_text()) and \
        len(list(counts.glob("ready-*"))) >= int(workers.read_text())


def _worker_counts(work: Path) -> list[int]:
    return sorted((int(f.read_text() or 0) for f in (work / "counts").glob("served-*")),
                  reverse=True)


def run(seconds: int = 60, connections: int = 200) -> dict[str, object]:
    """Prepare, serve, load; the measurements, raising when anything failed."""
    if not shutil.which("wrk"):
        raise SystemExit("the load test needs wrk: apt-get install -y wrk")
    made = _postgres_database()
    redis_url = _redis_url()
    if not made or not redis_url:
        raise SystemExit("the load test needs the PostgreSQL and Redis servers")
    work = Path(tempfile.mkdtemp(prefix="hub-load-"))
    env = {**os.environ, "HUB_ENV": "test", "HUB_DATABASE_URL": made[0],
           "HUB_REDIS_URL": redis_url, "HUB_SECRET_KEY": "load",
           "HUB_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "HUB_LOG_LEVEL": "WARNING",
           "LOAD_REQUESTS": ""}
    try:
        env["LOAD_REQUESTS"] = str(_prepare(env, work))
        script = work / "load.lua"
        script.write_text(LUA)
        with _serve(env, work) as base:
            load = ["wrk", "-t2", f"-c{connections}", "--timeout", "10s", "-s", str(script)]
            # Warm first: each worker computes each answer once, on its first read; those
            # first reads are the cold start, not the steady state measured.
            subprocess.run([*load, f"-d{WARM_UP}s", base], capture_output=True,  # noqa: S603
                           env=env, timeout=WARM_UP + 120, check=True)
            out = subprocess.run([*load, f"-d{seconds}s", base],  # noqa: S603
                                 capture_output=True, text=True, env=env,
                                 timeout=seconds + 120, check=True).stdout
        counts = _worker_counts(work)
    finally:
        with psycopg.connect(made[1], autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{made[0].rsplit("/", 1)[-1]}" '  # type: ignore[arg-type]
                               "WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)
    found: dict[str, object] = {
        key: float(value) for key, value in re.findall(r"^(\w+) (\d+)$", out, re.M)}
    found["requests_per_s"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    found["non_2xx"] = float(non_2xx[1]) if non_2xx else 0.0
    found["worker_counts"] = counts
    print(out)
    return found


def main(argv: list[str]) -> int:
    seconds = int(argv[0]) if argv else 60
    connections = int(argv[1]) if len(argv) > 1 else 200
    found = run(seconds, connections)
    failures = float(found["errors_connect"]) + float(found["errors_timeout"])  # type: ignore[arg-type]
    p50, p99 = float(found["p50_us"]) / 1000, float(found["p99_us"]) / 1000  # type: ignore[arg-type]
    counts: list[int] = found["worker_counts"]  # type: ignore[assignment]
    total = sum(counts) or 1
    print("requests answered per gunicorn worker: " + ", ".join(
        f"{n} ({n / total:.0%})" for n in counts))
    print(f"p50 {p50:.1f} ms, p99 {p99:.1f} ms: p99 = {p99 / p50:.2f} x p50 (aim <= "
          f"{TAIL_AIM:.0f}: {'met' if p99 <= TAIL_AIM * p50 else 'NOT met'})")
    print("load average (1, 5, 15 min) after the run: " + ", ".join(
        f"{v:.1f}" for v in os.getloadavg()) + f" on {os.cpu_count()} cores")
    print(json.dumps({"connections": connections, "seconds": seconds,
                      "requests_per_s": found["requests_per_s"], "p50_ms": p50,
                      "p99_ms": p99, "p99_over_p50": p99 / p50, "worker_requests": counts,
                      "non_2xx": found["non_2xx"], "connection_errors": failures,
                      "gunicorn_args": os.environ.get("LOAD_GUNICORN_ARGS", "")}))
    # A 4xx here would be a wrong request list; any non-2xx answer, 5xx above all, fails.
    return 0 if found["non_2xx"] == 0 and failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
