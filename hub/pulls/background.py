"""The embedded hub's background work, started in the web worker that owns it.

Embedded (no Redis), jobs run on threads of the one web worker. They start there once it
serves, never in the process that forks it, and stop with it: jobs not yet started are left
as their accepted attempts, which the next start queues again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from flask import Flask

from hub.benchmarks.jobs import recompute_every_period
from hub.pulls.cli import run_every
from hub.pulls.extension import get_pulls
from hub.pulls.jobs import refresh_job, resume_unfinished
from hub.pulls.queue import embedded_queues

log = logging.getLogger(__name__)


def start(app: Flask, periods: Sequence[str] = (), schedule: bool = False
          ) -> Callable[[], None]:
    """Queue again the accepted pulls no job finished, refresh ``periods`` once, then (with
    ``schedule``) every HUB_PULL_INTERVAL seconds; returns what stops all of it."""
    settings = app.config["HUB_SETTINGS"]
    stop = threading.Event()

    def work() -> None:
        with app.app_context():
            resumed = resume_unfinished(get_pulls(app))
            if resumed:
                log.info("queued again %d accepted pulls that had not finished", resumed)
            recompute_every_period()
            if periods:
                counts = refresh_job(periods=periods, actor="demo", stop=stop)
                log.info("background refresh of %s: %s", ", ".join(periods), counts)
            if schedule:
                run_every(settings.pull_interval,
                          lambda: refresh_job(actor="schedule", stop=stop), stop)

    thread = threading.Thread(target=work, name="hub-background", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        for queue in embedded_queues(app):
            queue.stop()
        thread.join(timeout=2)

    return halt
