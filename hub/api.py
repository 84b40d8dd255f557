"""The flask-smorest Api: the OpenAPI document, the offline docs page, the HTTP error body."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Flask, request, send_from_directory
from flask_smorest import Api, abort
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import HTTPException

from hub.errors import ErrorSchema, http_error_response
from hub.identity.protect import SECURITY_SCHEME
from hub.identity.scopes import SCOPES

API_PREFIX = "/api/v1"
DOCS_ASSETS = f"{API_PREFIX}/docs/assets/"
#: No request body of the hub nests deeper than a few levels; far deeper ones would make the
#: parsers recurse until Python gives up (a 500).
MAX_JSON_DEPTH = 32
#: Longest path and query string the hub answers, as connector URLs are bounded; gunicorn's
#: own limit on the request line (4094 bytes) sits above this, so the hub's body is the one seen.
MAX_URL_LENGTH = 2048

#: Every error status the API answers with, documented once as a reusable response.
ERROR_STATUSES = {
    400: "The request is malformed.",
    401: "No valid access token: missing, expired, revoked or not for this hub.",
    403: "The token's scope or organisation does not allow this.",
    404: "No such resource, or not one the caller may know of.",
    405: "The method is not allowed on this path.",
    409: "The change conflicts with the current state.",
    413: "The request body is larger than the hub accepts.",
    414: "The URL is longer than the hub accepts.",
    422: "The request's parameters or body failed validation.",
    429: "Too many requests; retry after the number of seconds in Retry-After.",
    500: "The hub failed to answer; the error has been logged.",
    503: "A service the hub depends on is unavailable.",
}


class HubApi(Api):
    """flask-smorest's Api with the hub's error body, which always carries a message."""

    ERROR_SCHEMA = ErrorSchema

    def _register_pagination_header(self) -> None:
        # flask-smorest documents X-Pagination as an object, but sends it JSON-encoded; a
        # client reading the document must be told it is a JSON string.
        self.spec.components.header("PAGINATION", {
            "description": "Pagination metadata, JSON-encoded: total, total_pages, "
                           "first_page, last_page, page, previous_page, next_page.",
            "schema": {"type": "string"},
        }, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Any:
        return http_error_response(error)


def _api_config(app: Flask) -> None:
    app.config.update(
        API_TITLE="Workforce data-sharing hub",
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=DOCS_ASSETS,
        API_SPEC_OPTIONS={
            "info": {"description": (
                "Children's social-worker workforce data shared between England's local "
                "authorities, their regions and NARE under each region's data-sharing "
                "agreement. Every error response has the body described by `Error`.")},
        },
    )


def _docs_assets() -> FlaskBlueprint:
    # Swagger UI's scripts are served by the hub itself, so the docs page works offline.
    assets = FlaskBlueprint("docs_assets", __name__)

    @assets.get(f"{DOCS_ASSETS}<path:filename>")
    def docs_asset(filename: str):  # type: ignore[no-untyped-def]
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return assets


def _refuse_oversized_bodies() -> None:
    # Before routing, so every path answers 413 the same way whatever its method; werkzeug
    # still bounds bodies sent without a Content-Length as they are read.
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        abort(413, message=f"The request body is larger than {limit} bytes.")


def _refuse_nul_in_path() -> None:
    # Path segments reach the database as text; PostgreSQL refuses NUL characters in text.
    if "\x00" in request.path or any("\x00" in str(v) for v in (request.view_args or {}).values()):
        abort(400, message="NUL characters are not allowed in the path.")


def _refuse_long_urls() -> None:
    length = len(request.environ.get("RAW_URI") or request.full_path)
    if length > MAX_URL_LENGTH:
        abort(414, message=f"The URL is longer than {MAX_URL_LENGTH} characters.")


def _refuse_deep_json() -> None:
    # Parsed once here with the C parser (a RecursionError is its "too deep"), then measured
    # without recursion; views parse the same bytes again, known to be shallow.
    if not request.is_json or not request.content_length:
        return
    try:
        value = json.loads(request.get_data(cache=True))
    except RecursionError:
        value = None
        depth = MAX_JSON_DEPTH + 1
    except ValueError:
        return  # not JSON at all: the view's parser says so in its own words
    else:
        depth = json_depth(value, MAX_JSON_DEPTH + 1)
    if depth > MAX_JSON_DEPTH:
        abort(400, message=f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.")


def json_depth(value: Any, stop_at: int) -> int:
    """How deeply ``value``'s lists and objects nest (a scalar is 0), counted up to ``stop_at``."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest >= stop_at:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def init_app(app: Flask, token_url: str) -> HubApi:
    """Create the Api on ``app`` with the error responses and the security scheme documented."""
    _api_config(app)
    app.before_request(_refuse_long_urls)
    app.before_request(_refuse_oversized_bodies)
    app.before_request(_refuse_deep_json)
    app.before_request(_refuse_nul_in_path)
    api = HubApi(app)
    for status, description in ERROR_STATUSES.items():
        api.spec.components.response(str(status), {
            "description": description,
            "content": {"application/json": {"schema": "Error"}},
        })
    api.spec.components.security_scheme(SECURITY_SCHEME, {
        "type": "oauth2",
        "description": "JWT access tokens from the hub's token endpoint (client credentials; "
                       "client_secret_basic or private_key_jwt). Send as `Authorization: "
                       "Bearer <token>`.",
        "flows": {"clientCredentials": {"tokenUrl": token_url, "scopes": {
            name: scope.description for name, scope in SCOPES.items()}}},
    })
    app.register_blueprint(_docs_assets())
    return api
