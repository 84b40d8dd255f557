"""The workforce data-sharing hub: a Flask application built by create_app()."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from hub import api, db, errors, health
from hub.config import Settings, load_settings


def create_app(settings: Settings | None = None, overrides: Mapping[str, Any] | None = None,
               ) -> Flask:
    """Build the hub from ``settings`` (default: the environment); nothing runs at import."""
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        HUB_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(level=settings.log_level)

    db.init_app(app, db.Database(settings.database_url))
    errors.init_app(app)
    hub_api = api.init_app(app)

    from hub.organisations.api import blp as organisations_blp

    hub_api.register_blueprint(health.blp)
    hub_api.register_blueprint(organisations_blp)
    return app
