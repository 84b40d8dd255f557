"""`hub pull` (a refresh from the command line) and `hub jobs` (the rq worker and schedule)."""

from __future__ import annotations

import getpass
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence

import click
import redis
from flask import current_app
from flask.cli import with_appcontext

from hub.db import get_db
from hub.pulls.extension import Pulls, get_pulls
from hub.pulls.jobs import refresh_job, retry_later
from hub.pulls.queue import QUEUE_NAME, REFRESH_TIMEOUT
from hub.pulls.refresh import RETRYING, plan, refresh
from hub.pulls.service import PullResult
from hub.redis_client import get_redis
from policies.measures import is_period

_REGION = "E12"


def run_refresh(pulls: Pulls, region: str | None, periods: Sequence[str], actor: str
                ) -> list[PullResult]:
    """A refresh in this process with a progress bar; transient failures retried by rq."""
    with pulls.puller.database.session() as session:
        targets = plan(session, region, periods)
    with click.progressbar(length=len(targets), label="pulling", file=sys.stderr) as bar:
        return refresh(pulls.puller, targets, pulls.settings.pull_concurrency,
                       lambda target, exc: retry_later(pulls, target, exc, 1, actor),
                       progress=lambda _result: bar.update(1), actor=actor,
                       # Embedded, this command ends with the refresh: nothing would run a retry.
                       retries=not pulls.settings.embedded)


def summary_table(results: Sequence[PullResult]) -> str:
    """Counts by outcome, then one line per pull that did not succeed."""
    counts = Counter(r.outcome for r in results)
    lines = [f"{'outcome':<10} {'pulls':>5}"]
    lines += [f"{outcome:<10} {counts[outcome]:>5}"
              for outcome in ("ingested", "unchanged", RETRYING, "failed") if counts[outcome]]
    problems = sorted((r for r in results if r.outcome in ("failed", RETRYING)),
                      key=lambda r: (r.la_code, r.period))
    if problems:
        lines += ["", f"{'LA':<10} {'period':<8} {'outcome':<9} {'error':<20} reason"]
        lines += [f"{r.la_code:<10} {r.period:<8} {r.outcome:<9} {r.error_code or '':<20} "
                  f"{r.reason or ''}" for r in problems]
    return "\n".join(lines)


@click.command("pull", help="Refresh every enabled connector now, or those of one region.")
@click.option("--region", help="Only the LAs of this region (ONS code, E12…).")
@click.option("--period", "periods", multiple=True,
              help="Pull this period (repeatable); default: the newest each connector lists.")
@with_appcontext
def pull_command(region: str | None, periods: tuple[str, ...]) -> None:
    if region is not None and not (region.startswith(_REGION) and len(region) == 9):
        raise click.BadParameter("must be a region's ONS code (E12…)", param_hint="--region")
    for period in periods:
        if not is_period(period):
            raise click.BadParameter(f"{period!r} is not a period such as 2024-Q3",
                                     param_hint="--period")
    results = run_refresh(get_pulls(), region, periods, f"cli:{getpass.getuser()}")
    click.echo(summary_table(results))
    if any(r.outcome == "failed" for r in results):
        sys.exit(1)


@click.group("jobs", help="Background jobs: the rq worker and the refresh schedule.")
def jobs_group() -> None:
    """Job commands."""


@jobs_group.command("worker", help="Run an rq worker for pulls (with rq's scheduler, which "
                    "runs delayed retries).")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def jobs_worker(burst: bool) -> None:
    from rq import Queue

    from hub.pulls.queue import HubWorker

    connection = _redis_or_fail()
    database = get_db()
    # rq forks a process per job; a pooled connection must not be shared across the fork.
    os.register_at_fork(after_in_child=lambda: database.engine.dispose(close=False))
    while True:
        try:
            HubWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(
                burst=burst, with_scheduler=True)
            return
        except redis.ConnectionError as exc:
            # Redis restarted or failed over: wait for it rather than exit; a job in hand
            # finishes on its own (pulls are idempotent) and queued ones are there again.
            click.echo(f"hub jobs worker: Redis unreachable ({exc}); retrying in 2 s", err=True)
            time.sleep(2)


@jobs_group.command("schedule", help="Queue a refresh of every connector every "
                    "HUB_PULL_INTERVAL seconds (in embedded mode: run them here).")
@with_appcontext
def jobs_schedule() -> None:
    pulls = get_pulls()
    interval = pulls.settings.pull_interval
    connection = get_redis()
    if connection is None:
        click.echo(f"refreshing every {interval} s in this process; Ctrl-C stops")
        run_every(interval, lambda: refresh_job(actor="schedule"), threading.Event())
        return
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=connection)
    scheduler.register(refresh_job, QUEUE_NAME, kwargs={"actor": "schedule"},
                       interval=interval, job_timeout=REFRESH_TIMEOUT)
    scheduler.start()


def run_every(interval: float, task: Callable[[], object], stop: threading.Event) -> None:
    """Call ``task`` every ``interval`` seconds, the first time after one, until ``stop``."""
    while not stop.wait(interval):
        try:
            task()
        except Exception:
            current_app.logger.exception("scheduled refresh failed")


def _redis_or_fail():  # type: ignore[no-untyped-def]
    connection = get_redis()
    if connection is None:
        raise click.UsageError("no HUB_REDIS_URL: in embedded mode jobs run in the hub's own "
                               "process, with no worker to start.")
    return connection


COMMANDS = (pull_command, jobs_group)
