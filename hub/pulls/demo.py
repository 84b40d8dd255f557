"""`hub demo`: the simulated connectors of every LA, registered and pulled, then the hub served.

The simulator runs as a process of its own. This process registers its connectors, pulls the
newest period once when it is not there yet, then hands over to gunicorn with nothing open:
the worker gunicorn forks pulls the other periods and the scheduled refreshes itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from hub.db import get_db
from hub.pulls import background
from hub.pulls.cli import run_refresh, summary_table
from hub.pulls.extension import get_pulls
from hub.pulls.models import ExtractRevision
from hub.pulls.queue import embedded_queues
from hub.registry import service
from hub.registry.cli import import_connectors
from hub.registry.models import Connector

SIMULATOR_HOST = "127.0.0.1"
#: Seconds the simulator has to bind its port and write its credentials.
SIMULATOR_START_SECONDS = 60


class SimulatorProcess:
    """The demo's simulated connectors, served by a process of their own."""

    def __init__(self, process: subprocess.Popen[bytes], credentials: dict[str, Any],
                 log: Path) -> None:
        self.process = process
        self.credentials = credentials
        self.log = log

    @classmethod
    def start(cls, seed: int, port: int, var_dir: Path) -> SimulatorProcess:
        """Start it and wait until it serves; a ClickException saying why when it cannot."""
        out, log = var_dir / "demo-connectors.json", var_dir / "demo-connectors.log"
        out.unlink(missing_ok=True)
        with log.open("wb") as log_file:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "connectors.cli", "simulate", "--seed", str(seed),
                 "--host", SIMULATOR_HOST, "--port", str(port), "--out", str(out),
                 # The same credentials every start: the registry stays unchanged.
                 "--secret-file", str(var_dir / "demo-simulator.key"), "--exit-with-parent"],
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + SIMULATOR_START_SECONDS
        while not out.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                said = log.read_text(errors="replace").strip().splitlines()
                raise click.ClickException(
                    f"the simulated connectors did not start on {SIMULATOR_HOST}:{port}: "
                    f"{said[-1] if said else 'no reason given'} (another demo running? "
                    "HUB_DEMO_CONNECTOR_PORT sets the port)")
            time.sleep(0.05)
        return cls(process, json.loads(out.read_text()), log)

    def stop(self) -> None:
        """Stop it, at once if it does not stop when asked."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _announce_accounts(settings: Any) -> None:
    from hub.demo_accounts import ensure_demo_accounts

    path = settings.var_dir / "demo-accounts.json"
    accounts = ensure_demo_accounts(get_db(), path)
    base = settings.issuer
    people = ", ".join(p["email"] for p in accounts["people"])
    click.echo(f"dashboard: sign in at {base}/sign-in as {people}")
    click.echo(f"API clients (one per kind of organisation) and every password: {path}")


def _pulled_everywhere(period: str) -> bool:
    """True when every enabled connector's LA has an extract of ``period`` already."""
    with get_db().session() as session:
        connectors = session.scalar(select(func.count()).select_from(Connector).where(
            Connector.enabled.is_(True)))
        pulled = session.scalar(select(func.count(func.distinct(ExtractRevision.la_code)))
                                .where(ExtractRevision.period == period))
    return bool(connectors) and pulled == connectors


def _quiesce(app: Flask) -> None:
    """Let this process's jobs finish (the recomputes the first pulls queued) before serving:
    the worker is forked from here, and must find no thread of ours mid-write."""
    for queue in embedded_queues(app):
        queue.wait()


@click.command("demo", help="Start the simulated connectors of all 153 LAs, register them, "
               "pull the newest period, then serve the hub while the earlier periods and "
               "the scheduled refreshes are pulled in the background.")
@click.option("--seed", default=1, show_default=True, help="Seed of the simulated records.")
@with_appcontext
def demo(seed: int) -> None:
    from connectors.simulator import PERIODS
    from hub.server import serve

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = app.config["HUB_SETTINGS"]
    if not settings.development:
        raise click.UsageError("the demo runs in development only (HUB_ENV=development)")
    if not settings.embedded:
        raise click.UsageError("the demo runs embedded (no HUB_REDIS_URL): with Redis, run "
                               "`hub serve` beside `hub jobs worker` instead")
    simulator = SimulatorProcess.start(seed, settings.demo_connector_port, settings.var_dir)
    try:
        click.echo(f"simulated connectors at http://{SIMULATOR_HOST}:"
                   f"{settings.demo_connector_port}/la/<ONS code> (log: {simulator.log})")
        with get_db().session() as session:
            service.allow_host(session, service.Actor("demo"),
                               f"{SIMULATOR_HOST}:{settings.demo_connector_port}",
                               "the demo's simulated connectors")
        counts = import_connectors(simulator.credentials["connectors"])
        click.echo(f"connectors: {counts['registered']} registered, {counts['updated']} "
                   f"updated, {counts['unchanged']} unchanged")
        _announce_accounts(settings)
        newest = PERIODS[-1]
        if _pulled_everywhere(newest):
            later = tuple(PERIODS)
            click.echo(f"{newest} is pulled already; serving now")
        else:
            later = tuple(PERIODS[:-1])
            click.echo(summary_table(run_refresh(get_pulls(), None, [newest], "demo")))
        _quiesce(app)
        click.echo(f"pulling {', '.join(later)} in the background; refreshing every "
                   f"{settings.pull_interval} s")
        serve(app, settings.host, settings.port, workers=1, threads=settings.web_threads,
              worker_started=lambda served: background.start(served, later, schedule=True),
              on_exit=simulator.stop)
    finally:
        simulator.stop()
