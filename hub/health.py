"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import marshmallow as ma
import redis
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy.exc import SQLAlchemyError

from hub.db import get_db

blp = Blueprint("health", __name__, description="Probes for load balancers and orchestrators")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})
    checks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())


@blp.route("/healthz")
class Liveness(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):  # type: ignore[no-untyped-def]
        """The process is alive."""
        return {"status": "ok", "checks": {}}


@blp.route("/readyz")
class Readiness(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, response="503")
    def get(self):  # type: ignore[no-untyped-def]
        """The database, and Redis when configured, answer: the hub can serve requests."""
        checks = {}
        try:
            get_db().ping()
            checks["database"] = "ok"
        except SQLAlchemyError:
            abort(503, message="The database is not reachable.")
        redis_url = current_app.config["HUB_SETTINGS"].redis_url
        if redis_url:
            try:
                redis.Redis.from_url(redis_url, socket_connect_timeout=2,
                                     socket_timeout=2).ping()
                checks["redis"] = "ok"
            except redis.RedisError:
                abort(503, message="Redis is not reachable.")
        return {"status": "ok", "checks": checks}
