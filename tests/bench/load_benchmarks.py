"""Load test: 200 concurrent clients for 60 s on the benchmark endpoints, with valid tokens.

Run with ``make load`` (or ``python -m tests.bench.load_benchmarks [SECONDS] [CONNECTIONS]``).
The hub runs under gunicorn (deploy/gunicorn.conf.py's gthread workers, two per core) on a
prepared PostgreSQL database with Redis, holding every LA's simulated extracts. wrk drives it
with 200 connections, each request from one of many readers (LAs, regions, NARE) for one of
several measures, through /benchmarks, /benchmarks/…/trend and /national. It prints
throughput, p50 and p99 latency, and fails when any answer is a 5xx or a connection error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
from cryptography.fernet import Fernet

from tests.bench.bench_benchmarks_http import (
    _gunicorn,
    _postgres_database,
    _redis_url,
    prepared_hub,
    reader_token,
)

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


def run(seconds: int = 60, connections: int = 200) -> dict[str, float]:
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
        with _gunicorn("hub.wsgi:app", env) as base:
            out = subprocess.run(  # noqa: S603 - wrk with our own arguments
                ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                 "-s", str(script), base], capture_output=True, text=True, env=env,
                timeout=seconds + 120, check=True).stdout
    finally:
        with psycopg.connect(made[1], autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{made[0].rsplit("/", 1)[-1]}" '  # type: ignore[arg-type]
                               "WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)
    found = {key: float(value) for key, value in re.findall(r"^(\w+) (\d+)$", out, re.M)}
    found["requests_per_s"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    found["non_2xx"] = float(non_2xx[1]) if non_2xx else 0.0
    print(out)
    return found


def main(argv: list[str]) -> int:
    seconds = int(argv[0]) if argv else 60
    connections = int(argv[1]) if len(argv) > 1 else 200
    found = run(seconds, connections)
    failures = found["errors_connect"] + found["errors_timeout"]
    print(json.dumps({"connections": connections, "seconds": seconds,
                      "requests_per_s": found["requests_per_s"],
                      "p50_ms": found["p50_us"] / 1000, "p99_ms": found["p99_us"] / 1000,
                      "non_2xx": found["non_2xx"], "connection_errors": failures}))
    # A 4xx here would be a wrong request list; any non-2xx answer, 5xx above all, fails.
    return 0 if found["non_2xx"] == 0 and failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
