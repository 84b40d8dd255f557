"""Per-request observability: request id, access log, metrics, and the /metrics route."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Blueprint, Flask, Response, g, request

from hub.identity.protect import require_oauth
from hub.observability import metrics
from hub.observability.context import accepted_or_new, reset_request_id, set_request_id

log = logging.getLogger("hub.access")
blp = Blueprint("metrics", __name__)


@blp.get("/metrics")
@require_oauth("metrics:read")
def prometheus_metrics() -> Response:
    """Prometheus scrape target, for clients holding metrics:read (Prometheus' oauth2 block)."""
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = accepted_or_new(request.headers.get("X-Request-ID"))
    g.request_id_token = set_request_id(g.request_id)


def _finish(response: Response) -> Response:
    started = g.pop("request_started", None)
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if started is None:
        return response
    elapsed = time.perf_counter() - started
    # The route's pattern, not the path: /authorities/{code}, so metrics stay bounded.
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    metrics.REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    metrics.LATENCY.labels(request.method, route).observe(elapsed)
    log.info("%s %s %s", request.method, route, response.status_code,
             extra={"status": response.status_code, "duration_ms": round(elapsed * 1000, 2),
                    "method": request.method, "route": route})
    return response


def _teardown(_exc: BaseException | None) -> None:
    token: Any = g.pop("request_id_token", None)
    if token is not None:
        reset_request_id(token)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_teardown)
    app.register_blueprint(blp)
