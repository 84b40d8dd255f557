"""The workforce data-sharing hub: a Flask application built by create_app()."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from hub import api, change_counter, db, errors, health, redis_client
from hub.config import Settings, load_settings, with_development_secrets
from hub.crypto import SecretBox
from hub.observability import web as observability
from hub.observability.logs import configure_logging


def create_app(settings: Settings | None = None, overrides: Mapping[str, Any] | None = None,
               ) -> Flask:
    """Build the hub from ``settings`` (default: the environment); nothing runs at import."""
    settings = with_development_secrets(settings or load_settings())
    app = Flask(__name__)
    app.config.update(
        HUB_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
    )
    if overrides:
        app.config.update(overrides)
    configure_logging(settings.log_level, settings.logs_as)

    box = SecretBox(settings.encryption_keys)
    app.extensions["hub.secret_box"] = box
    db.init_app(app, db.Database(settings.database_url, settings.database_connections))
    redis_client.init_app(app, settings.redis_url)
    change_counter.init_app(app, settings.database_url, settings.embedded)
    # First, so every response (413s and 401s included) gets a request id and is counted.
    observability.init_app(app)
    errors.init_app(app)
    hub_api = api.init_app(app, token_url=f"{settings.issuer}/oauth/token")

    from hub.agreements.api import blp as agreements_blp
    from hub.audit.api import blp as audit_blp
    from hub.benchmarks import extension as benchmarks
    from hub.benchmarks.api import blp as benchmarks_blp
    from hub.consents.api import blp as consents_blp
    from hub.decisions import service as decisions
    from hub.decisions.api import blp as policies_blp
    from hub.identity import extension as identity
    from hub.identity.api import blp as clients_blp
    from hub.measures.api import blp as measures_blp
    from hub.organisations.api import blp as organisations_blp
    from hub.pulls import extension as pulls
    from hub.pulls.api import blp as pulls_blp
    from hub.registry.api import blp as connectors_blp

    identity.init_app(app, settings, box)
    pulls.init_app(app, settings, box)
    decisions.init_app(app)
    for blueprint in (health.blp, organisations_blp, clients_blp):
        hub_api.register_blueprint(blueprint)
    for blueprint in (agreements_blp, consents_blp, policies_blp):
        hub_api.register_blueprint(blueprint)
    for blueprint in (connectors_blp, pulls_blp):
        hub_api.register_blueprint(blueprint)
    benchmarks.init_app(app)
    hub_api.register_blueprint(benchmarks_blp)
    hub_api.register_blueprint(measures_blp)
    hub_api.register_blueprint(audit_blp)

    from hub import web

    web.init_app(app, settings)
    if settings.trusted_proxies:
        from hub.proxies import TrustedProxies

        # Outermost, so every layer inside sees the client's address, not the proxy's.
        app.wsgi_app = TrustedProxies(app.wsgi_app, settings.trusted_proxies)  # type: ignore[method-assign]
    return app
