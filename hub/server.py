"""Running the hub under gunicorn from the `hub serve` and `hub demo` commands.

gunicorn forks its worker from the process that built the app. Nothing that process opened is
used after the fork: its pooled database connections are closed before the worker is forked
(an SQLite connection copied while it holds the write lock would block every write of the
worker for good), the worker forgets any it inherited, and background work starts in the
worker itself once it is running, never in the parent.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from hub.config import in_use
from hub.db import get_db

#: Seconds gunicorn gives a stopping worker before it is killed; with the master's own stop,
#: the whole hub is down well within ten seconds of SIGTERM or Ctrl-C.
GRACEFUL_SECONDS = 5

WorkerHook = Callable[[Flask], Callable[[], None] | None]


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app


def refuse_if_taken(host: str, port: int) -> None:
    """Stop with a clear message where something already listens on ``host:port``.

    Several workers bind with SO_REUSEPORT, which would let a second hub started on the same
    port share it silently (each answering some of the requests) instead of failing. A plain
    bind fails wherever any socket listens there; SO_REUSEADDR lets it pass over connections
    of a hub just stopped (TIME_WAIT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise click.ClickException(
                f"{host}:{port} is already in use ({error.strerror}): is a hub already running "
                "there? Stop it, or set HUB_PORT to another port.") from None


def serve(app: Flask, host: str, port: int, *, workers: int, threads: int,
          worker_started: WorkerHook | None = None,
          on_exit: Callable[[], None] | None = None) -> None:
    """Serve ``app`` until interrupted.

    ``worker_started(app)`` runs in each worker once it serves (the place for background
    work); the callable it returns, if any, runs when that worker stops. ``on_exit`` runs in
    this process when gunicorn has stopped.
    """
    database = get_db(app)
    # The first token would otherwise create the signing key, a write racing the first pulls.
    with app.app_context():
        app.extensions["hub.identity"].keys.signing_key()
    stops: list[Callable[[], None]] = []

    def pre_fork(_server: Any, _worker: Any) -> None:
        if database.engine.pool.checkedout():  # type: ignore[attr-defined]
            # A connection in use here would be copied into the worker mid-transaction.
            raise RuntimeError("a database connection is in use in the process gunicorn "
                               "forks its worker from; refusing to fork")
        database.dispose()

    def post_fork(_server: Any, _worker: Any) -> None:
        database.after_fork()

    def post_worker_init(_worker: Any) -> None:
        stop = worker_started(app) if worker_started is not None else None
        if stop is not None:
            stops.append(stop)

    def worker_exit(_server: Any, _worker: Any) -> None:
        for stop in stops:
            stop()

    if workers > 1:
        refuse_if_taken(host, port)
    click.echo(f"hub: {in_use(app.config['HUB_SETTINGS'])}")
    database.dispose()
    _Server(app, {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread", "accesslog": "-", "timeout": 60,
        # Each worker its own listening socket, so the kernel spreads connections over them
        # (deploy/gunicorn.conf.py says what `make load` measured).
        "reuse_port": workers > 1,
        "graceful_timeout": GRACEFUL_SECONDS,
        # The longest request line gunicorn takes: longer URLs than the hub's own limit
        # (2048) then get the hub's JSON 414, not gunicorn's HTML.
        "limit_request_line": 8190,
        # The app is built here, before the fork: these hooks keep what it opened out of the
        # worker, and start the worker's own background work.
        "pre_fork": pre_fork,
        "post_fork": post_fork, "post_worker_init": post_worker_init,
        "worker_exit": worker_exit,
        "on_exit": lambda _server: on_exit() if on_exit is not None else None,
    }).run()
