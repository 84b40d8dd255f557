"""The connector service an LA runs: a token endpoint, its datasets, signed extracts, its JWKS."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Protocol

from flask import Blueprint, Flask, Response, current_app, jsonify
from werkzeug.exceptions import HTTPException

from connectors.contract import DatasetsDocument, Extract, datasets_to_json, extract_to_json
from connectors.oauth import (
    DEFAULT_TOKEN_TTL,
    SCOPE,
    OAuthProblem,
    RegisteredClient,
    TokenStore,
    init_oauth,
)
from connectors.signing import SIGNATURE_HEADER, SigningKey, sign_detached
from policies.measures import DATASET_WORKFORCE, is_period


class ExtractSource(Protocol):
    """Where the service's extracts come from (an LA's records, or the simulator)."""

    def periods(self) -> tuple[str, ...]: ...

    def extract(self, period: str) -> Extract | None: ...


@dataclass(frozen=True)
class ConnectorSettings:
    """Everything one LA's connector serves with."""

    la_code: str
    source: ExtractSource
    signing_key: SigningKey
    clients: tuple[RegisteredClient, ...]
    token_ttl: int = DEFAULT_TOKEN_TTL


def create_app(settings: ConnectorSettings) -> Flask:
    """A connector Flask app for one LA; nothing is computed until a request asks."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=16 * 1024, CONNECTOR=settings,
                      TOKEN_STORE=TokenStore())
    server, protector = init_oauth(app, settings.clients, app.config["TOKEN_STORE"],
                                   settings.token_ttl)
    bp = Blueprint("connector", __name__)

    @bp.post("/oauth/token")
    def issue_token() -> Response:
        """Issue a short-lived bearer token to the registered hub (client credentials)."""
        return server.create_token_response()  # type: ignore[no-any-return]

    @bp.get("/datasets")
    @protector(SCOPE)
    def list_datasets() -> Response:
        """The datasets this connector serves and the periods of each."""
        document = DatasetsDocument(settings.la_code,
                                    {DATASET_WORKFORCE: settings.source.periods()})
        return _signed(datasets_to_json(document))

    @bp.get("/extracts/<dataset>/<period>")
    @protector(SCOPE)
    def get_extract(dataset: str, period: str) -> Response:
        """The signed extract of ``dataset`` for ``period``."""
        if dataset != DATASET_WORKFORCE:
            return _error(404, "unknown dataset")
        extract = settings.source.extract(period) if is_period(period) else None
        if extract is None:
            return _error(404, "no extract for that period")
        return _signed(extract_to_json(extract))

    @bp.get("/.well-known/jwks.json")
    def jwks() -> Response:
        """The public key extracts are signed with."""
        return jsonify(settings.signing_key.public_jwks())

    app.register_blueprint(bp)
    app.register_error_handler(OAuthProblem, _oauth_problem)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _http_error)
    return app


def _signed(body: bytes) -> Response:
    settings: ConnectorSettings = current_app.config["CONNECTOR"]
    response = Response(body, mimetype="application/json")
    response.headers[SIGNATURE_HEADER] = sign_detached(body, settings.signing_key)
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(status: int, message: str) -> Response:
    response = jsonify(code=status, status=HTTPStatus(status).phrase, message=message)
    response.status_code = status
    return response


def _oauth_problem(problem: OAuthProblem) -> Response:
    response = jsonify(problem.body)
    response.status_code = problem.status
    response.headers.extend(problem.headers)
    return response


def _http_error(exc: HTTPException) -> Response:
    response = _error(exc.code or 500, exc.description or "error")
    # Keep what the status itself needs (Allow on a 405), never werkzeug's HTML content type.
    response.headers.extend((k, v) for k, v in exc.get_headers() if k.lower() != "content-type")
    return response
