"""Domain errors, and the one JSON error body every 4xx and 5xx response carries."""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from flask import Flask
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)


class HubError(Exception):
    """A failure a caller can act on; services raise these, the API maps them to statuses."""

    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


class InvalidInput(HubError):
    status = 422


class NotFound(HubError):
    status = 404


class Conflict(HubError):
    status = 409


class Forbidden(HubError):
    status = 403


class ErrorSchema(ma.Schema):
    """The body of every error response."""

    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = ma.fields.String(required=True, metadata={"description": "HTTP status name"})
    message = ma.fields.String(required=True,
                               metadata={"description": "What was wrong, for a person"})
    errors = ma.fields.Dict(metadata={
        "description": "Per-location validation errors: {location: {field: [messages]}}"})


ErrorResponse = tuple[dict[str, Any], int, dict[str, str]]


def error_response(code: int, message: str, errors: Any = None,
                   headers: dict[str, str] | None = None) -> ErrorResponse:
    """The error body for ``code``, as a Flask response tuple."""
    payload: dict[str, Any] = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error"),
                               "message": message}
    if errors:
        payload["errors"] = errors
    return payload, code, headers or {}


def http_error_response(error: HTTPException) -> ErrorResponse:
    """The error body for a werkzeug or flask-smorest ``abort`` exception."""
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    # Keep werkzeug's own headers: Allow on 405, WWW-Authenticate on 401.
    headers.update((k, v) for k, v in error.get_headers() if k != "Content-Type")
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or (_summarise(errors) if errors else error.description)
    return error_response(error.code or 500, message or "", errors, headers)


def _summarise(errors: Any) -> str:
    """One sentence naming each invalid field: ``query.page: Not a valid integer.``"""
    parts: list[str] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            parts.append(f"{prefix}: {' '.join(value)}")
        else:
            parts.append(f"{prefix}: {value}")

    walk("", errors)
    return "Invalid request: " + "; ".join(parts[:10])


def init_app(app: Flask) -> None:
    """Map domain errors and unexpected exceptions to the error body."""

    @app.errorhandler(HubError)
    def handle_hub_error(error: HubError):  # type: ignore[no-untyped-def]
        return error_response(error.status, error.message, error.errors)

    @app.errorhandler(DBAPIError)
    def handle_database_error(error: DBAPIError):  # type: ignore[no-untyped-def]
        # A lost or refused database connection is the service being unavailable, not a bug:
        # 503 tells clients and load balancers to retry; the pool reconnects by itself.
        if not error.connection_invalidated and not isinstance(error, OperationalError):
            log.error("database error", exc_info=error)
            return error_response(500, "The hub failed to answer; the error has been logged.")
        log.warning("database unavailable: %s", type(error.orig).__name__)
        return error_response(503, "The database is unavailable; retry shortly.",
                              headers={"Retry-After": "5"})

    @app.errorhandler(RedisError)
    def handle_redis_unavailable(error: RedisError):  # type: ignore[no-untyped-def]
        log.warning("redis unavailable: %s", type(error).__name__)
        return error_response(503, "A service the hub depends on is unavailable; retry "
                              "shortly.", headers={"Retry-After": "5"})

    @app.errorhandler(InternalServerError)
    def handle_internal_error(error: InternalServerError):  # type: ignore[no-untyped-def]
        if error.original_exception is not None:
            log.error("unhandled error", exc_info=error.original_exception)
        return error_response(500, "The hub failed to answer; the error has been logged.")
