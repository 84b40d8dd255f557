"""`hub demo`: the simulated connectors of every LA, registered and pulled, then the hub served."""

from __future__ import annotations

import logging
import os
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from hub.db import get_db
from hub.pulls.cli import run_every, run_refresh, summary_table
from hub.pulls.extension import get_pulls
from hub.pulls.jobs import refresh_job
from hub.registry import service
from hub.registry.cli import import_connectors

SIMULATOR_HOST = "127.0.0.1"


def _announce_accounts(settings) -> None:  # type: ignore[no-untyped-def]
    from hub.demo_accounts import ensure_demo_accounts

    path = settings.var_dir / "demo-accounts.json"
    accounts = ensure_demo_accounts(get_db(), path)
    base = f"http://{settings.host}:{settings.port}"
    people = ", ".join(p["email"] for p in accounts["people"])
    click.echo(f"dashboard: sign in at {base}/sign-in as {people}")
    click.echo(f"API clients (one per kind of organisation) and every password: {path}")


@click.command("demo", help="Start the simulated connectors of all 153 LAs, register them, "
               "pull the newest period, then serve the hub while the earlier periods and "
               "the scheduled refreshes are pulled in the background.")
@click.option("--port", default=5100, show_default=True, help="Port of the simulator.")
@click.option("--seed", default=1, show_default=True, help="Seed of the simulated records.")
@with_appcontext
def demo(port: int, seed: int) -> None:
    from connectors.simulator import PERIODS, start_simulator
    from hub.server import serve

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = app.config["HUB_SETTINGS"]
    if not settings.development:
        raise click.UsageError("the demo runs in development only (HUB_ENV=development)")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per simulated request
    running = start_simulator(seed, SIMULATOR_HOST, port)
    click.echo(f"simulated connectors at {running.base_url}/la/<ONS code>")
    with get_db().session() as session:
        service.allow_host(session, service.Actor("demo"),
                           f"{SIMULATOR_HOST}:{running.server.server_port}",
                           "the demo's simulated connectors")
    entries = [vars(c) for c in running.simulator.credentials.values()]
    counts = import_connectors(entries)
    click.echo(f"connectors: {counts['registered']} registered, {counts['updated']} updated, "
               f"{counts['unchanged']} unchanged")
    _announce_accounts(settings)
    newest, earlier = PERIODS[-1], PERIODS[:-1]
    click.echo(summary_table(run_refresh(get_pulls(), None, [newest], "demo")))
    database = get_db()
    # gunicorn forks its worker from this process; pooled connections must not cross.
    os.register_at_fork(after_in_child=lambda: database.engine.dispose(close=False))

    def in_background() -> None:
        with app.app_context():
            # The earlier periods fill in while the hub already serves the newest one.
            refresh_job(periods=earlier, actor="demo")
            if settings.embedded:
                run_every(settings.pull_interval, lambda: refresh_job(actor="schedule"),
                          threading.Event())

    threading.Thread(target=in_background, name="hub-demo-pulls", daemon=True).start()
    click.echo(f"pulling {', '.join(earlier)} in the background; "
               + (f"refreshing every {settings.pull_interval} s" if settings.embedded
                  else "run `hub jobs worker` and `hub jobs schedule` for the refreshes"))
    serve(app, settings.host, settings.port, workers=1, threads=8)
