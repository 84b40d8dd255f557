"""The WSGI entry point for gunicorn: `hub.wsgi:app`, configured from the environment."""

from __future__ import annotations

import sys

from hub import create_app
from hub.config import ConfigError


def _build():  # type: ignore[no-untyped-def]
    try:
        application = create_app()
    except ConfigError as exc:
        # One sentence for the operator, not a traceback per worker.
        print(f"hub: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # X-Forwarded-* are believed only from HUB_TRUSTED_PROXIES (create_app wires that).
    return application


app = _build()
