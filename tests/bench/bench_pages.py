"""Benchmark: time to first byte of the region page and the governance pack under load, and
the region page's height at 1400 px wide.

Run with ``python -m tests.bench.bench_pages`` (or ``make bench BENCH=pages``). The hub runs
under gunicorn as in bench_benchmarks_http (prepared PostgreSQL with Redis, two quarters of
every LA's simulated extracts); while wrk drives the load test's mix of API requests
(load_benchmarks' readers and measures, LOAD_CONNECTIONS connections), a signed-in London
reader asks for each page SAMPLES times. The baseline, measured in the same turns, is
/healthz on the same server: the ratio is what the page costs over the least a request costs.
Before the load, one view of each page is counted in the audit log: the events it wrote
(against one, the baseline: a page view should be one event).
Debian's Chromium then draws the region page (its first section, and every section as the
HTML pack holds them) 1400 px wide and reports each height; screenshots go to test-output/.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import requests
from cryptography.fernet import Fernet

from tests.bench.bench_benchmarks_http import _gunicorn, _postgres_database, _redis_url
from tests.bench.load_benchmarks import LUA, _prepare

SAMPLES = 12
LOAD_CONNECTIONS = 50
EMAIL, PASSWORD = "board@london.example", "a long benchmark password"
PAGES = {"region page (one section)": "/region/E12000007?period=2024-Q4",
         "region page (LA updates)": "/region/E12000007?period=2024-Q4&section=la-updates",
         "pack (HTML)": "/region/E12000007/pack.html?period=2024-Q4",
         "pack (PDF)": "/region/E12000007/pack.pdf?period=2024-Q4"}
#: Seconds after which a worker's read log has written what a request queued (it writes every
#: 0.5 s).
FLUSHED = 1.5
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def _ttfb(session: requests.Session, url: str) -> float:
    start = time.perf_counter()
    with session.get(url, stream=True, timeout=120) as response:
        response.raise_for_status()
        next(response.iter_content(1), None)
        return time.perf_counter() - start


def _signed_in(base: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/sign-in", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]  # type: ignore[index]
    session.post(f"{base}/sign-in", data={"email": EMAIL, "password": PASSWORD,
                                          "csrf_token": token}, timeout=30).raise_for_status()
    return session


def _events_per_view(base: str, session: requests.Session, database: str) -> dict[str, int]:
    """How many audit events one view of each page writes (its reader's events, counted once
    the read log has flushed)."""
    from sqlalchemy.engine import make_url

    url = make_url(database).set(drivername="postgresql").render_as_string(hide_password=False)
    counted = {}
    with psycopg.connect(url, autocommit=True) as connection:
        def events() -> int:
            row = connection.execute("SELECT count(*) FROM audit_events WHERE actor = %s",
                                     (f"user:{EMAIL}",)).fetchone()
            return int(row[0]) if row else 0

        for name, page in PAGES.items():
            time.sleep(FLUSHED)
            before = events()
            _ttfb(session, f"{base}{page}")
            time.sleep(FLUSHED)
            counted[name] = events() - before
    return counted


def _heights(base: str, session: requests.Session) -> dict[str, int]:
    from playwright.sync_api import sync_playwright

    from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

    SHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_cookies([{"name": c.name, "value": c.value or "", "url": base}
                             for c in session.cookies])
        page = context.new_page()
        pack = Path(tempfile.mkdtemp()) / "pack.html"
        pack.write_bytes(session.get(f"{base}{PAGES['pack (HTML)']}", timeout=120).content)
        region = f"{base}{PAGES['region page (one section)']}"
        for name, url in (("region page, one section", region),
                          ("every section on one page (the HTML pack)", pack.as_uri())):
            page.goto(url)
            found[name] = page.evaluate("document.documentElement.scrollHeight")
            page.screenshot(path=SHOTS / f"bench-{name.split(',')[0].replace(' ', '-')}.png",
                            full_page=True)
        browser.close()
    return found


def main() -> list[dict[str, object]]:
    made, redis_url = _postgres_database(), _redis_url()
    if not made or not redis_url or not shutil.which("wrk"):
        raise SystemExit("bench_pages needs PostgreSQL, Redis and wrk")
    work = Path(tempfile.mkdtemp(prefix="hub-pages-"))
    env = {**os.environ, "HUB_ENV": "test", "HUB_DATABASE_URL": made[0],
           "HUB_REDIS_URL": redis_url, "HUB_SECRET_KEY": "bench-pages",
           "HUB_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "HUB_LOG_LEVEL": "WARNING"}
    rows: list[dict[str, object]] = []
    try:
        env["LOAD_REQUESTS"] = str(_prepare(env, work))
        from hub import create_app
        from hub.config import load_settings
        from hub.identity import service as identity

        app = create_app(load_settings(env))
        with app.extensions["hub.db"].session() as session:
            identity.create_user(session, "E12000007", EMAIL, "viewer", PASSWORD)
        app.extensions["hub.db"].dispose()
        (work / "load.lua").write_text(LUA)
        with _gunicorn("hub.wsgi:app", env) as base:
            reader = _signed_in(base)
            for url in PAGES.values():
                _ttfb(reader, f"{base}{url}")  # warm each worker's caches
            for name, count in _events_per_view(base, reader, made[0]).items():
                rows.append({"name": f"pages: audit events per view, {name}", "value": count,
                             "baseline": 1, "ratio": count, "unit": "events (baseline: one)"})
            load = subprocess.Popen(  # noqa: S603 - wrk with our own arguments
                ["wrk", "-t1", f"-c{LOAD_CONNECTIONS}", "-d600s", "--timeout", "10s",
                 "-s", str(work / "load.lua"), base], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                time.sleep(2)
                times: dict[str, list[float]] = {name: [] for name in PAGES}
                baseline: list[float] = []
                for _ in range(SAMPLES):
                    for name, url in PAGES.items():
                        baseline.append(_ttfb(reader, f"{base}/healthz"))
                        times[name].append(_ttfb(reader, f"{base}{url}"))
            finally:
                load.terminate()
                load.wait(timeout=30)
            floor = statistics.median(baseline)
            for name, measured in times.items():
                value = statistics.median(measured)
                rows.append({"name": f"pages: TTFB {name}, median s", "value": value,
                             "baseline": floor, "ratio": value / floor, "unit": "s"})
            heights = _heights(base, reader)
        one, every = heights.values()
        rows.append({"name": "pages: region page height at 1400 px", "value": one,
                     "baseline": every, "ratio": one / every, "unit": "px (baseline: every "
                     "section on one page)"})
    finally:
        with psycopg.connect(made[1], autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{made[0].rsplit("/", 1)[-1]}" '  # type: ignore[arg-type]
                               "WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)
    for row in rows:
        print(row)
    return rows


if __name__ == "__main__":
    main()
