"""The flask-smorest Api: the OpenAPI document, the offline docs page, the HTTP error body."""

from __future__ import annotations

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

#: Every error status the API answers with, documented once as a reusable response.
ERROR_STATUSES = {
    400: "The request is malformed.",
    401: "No valid access token: missing, expired, revoked or not for this hub.",
    403: "The token's scope or organisation does not allow this.",
    404: "No such resource, or not one the caller may know of.",
    405: "The method is not allowed on this path.",
    409: "The change conflicts with the current state.",
    413: "The request body is larger than the hub accepts.",
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


def init_app(app: Flask, token_url: str) -> HubApi:
    """Create the Api on ``app`` with the error responses and the security scheme documented."""
    _api_config(app)
    app.before_request(_refuse_oversized_bodies)
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
