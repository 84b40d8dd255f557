"""The WSGI entry point for gunicorn: `hub.wsgi:app`, configured from the environment."""

from __future__ import annotations

import sys

from werkzeug.middleware.proxy_fix import ProxyFix

from hub import create_app
from hub.config import ConfigError


def _build():  # type: ignore[no-untyped-def]
    try:
        application = create_app()
    except ConfigError as exc:
        # One sentence for the operator, not a traceback per worker.
        print(f"hub: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # Behind exactly one reverse proxy (deploy/nginx): take the client address and scheme
    # from its X-Forwarded-* headers, so rate limits count real clients.
    application.wsgi_app = ProxyFix(application.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return application


app = _build()
