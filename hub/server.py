"""Running the hub under gunicorn from the `hub serve` command."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


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


def serve(app: Flask, host: str, port: int, *, workers: int, threads: int) -> None:
    """Serve ``app`` until interrupted."""
    # The first token would otherwise create the signing key, a write that may queue behind
    # the embedded hub's background pulls.
    with app.app_context():
        app.extensions["hub.identity"].keys.signing_key()
    _Server(app, {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                  "worker_class": "gthread", "accesslog": "-", "timeout": 60,
                  "graceful_timeout": 10}).run()
