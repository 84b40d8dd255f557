"""Administrators' API over API clients."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from hub.db import get_session
from hub.errors import Forbidden
from hub.identity import service
from hub.identity.protect import current_principal, protected
from hub.identity.schemas import (
    ClientCreateSchema,
    ClientQuerySchema,
    ClientSchema,
    CreatedClientSchema,
)
from hub.organisations.models import OrgKind

blp = Blueprint("clients", __name__, url_prefix="/api/v1/clients",
                description="API clients: each belongs to one organisation (administrators)")


def _require_admin() -> None:
    if current_principal().org_kind != OrgKind.ADMIN.value:
        raise Forbidden("Only the hub's administrators manage API clients.")


def _actor() -> service.Actor:
    principal = current_principal()
    return service.Actor(principal.client_id, principal.org_code)


def _token_lifetime() -> int:
    return int(current_app.config["HUB_SETTINGS"].token_lifetime)


@blp.route("")
class Clients(MethodView):
    @protected(blp, "clients:admin")
    @blp.arguments(ClientQuerySchema, location="query")
    @blp.response(200, ClientSchema(many=True))
    def get(self, args):  # type: ignore[no-untyped-def]
        """Every API client, optionally of one organisation."""
        _require_admin()
        return service.list_clients(get_session(), args.get("org"))

    @protected(blp, "clients:admin")
    @blp.arguments(ClientCreateSchema)
    @blp.response(201, CreatedClientSchema)
    @blp.alt_response(404, response="404")
    def post(self, body):  # type: ignore[no-untyped-def]
        """Register a client for an organisation; a secret client's secret is shown once."""
        _require_admin()
        session = get_session()
        created = service.create_client(session, body["org"], body["name"],
                                        body.get("scopes"), body.get("jwks"), actor=_actor())
        session.commit()
        return created


@blp.route("/<string:client_id>")
class ClientById(MethodView):
    @protected(blp, "clients:admin")
    @blp.response(200, ClientSchema)
    @blp.alt_response(404, response="404")
    def get(self, client_id: str):  # type: ignore[no-untyped-def]
        """One API client."""
        _require_admin()
        return service.get_client(get_session(), client_id)


@blp.route("/<string:client_id>/disable")
class ClientDisable(MethodView):
    @protected(blp, "clients:admin")
    @blp.response(200, ClientSchema)
    @blp.alt_response(404, response="404")
    def post(self, client_id: str):  # type: ignore[no-untyped-def]
        """Disable a client: no new tokens, and the ones it holds are refused at once."""
        _require_admin()
        session = get_session()
        client = service.disable_client(session, client_id,
                                        current_app.extensions["hub.identity"].spent,
                                        _token_lifetime(), actor=_actor())
        session.commit()
        return client


@blp.route("/<string:client_id>/revoke-tokens")
class ClientTokensRevoke(MethodView):
    @protected(blp, "clients:admin")
    @blp.response(200, ClientSchema)
    @blp.alt_response(404, response="404")
    def post(self, client_id: str):  # type: ignore[no-untyped-def]
        """Refuse every token the client holds, from the next request on; the client stays
        enabled and may ask for new tokens."""
        _require_admin()
        session = get_session()
        client = service.revoke_tokens(session, client_id,
                                       current_app.extensions["hub.identity"].spent,
                                       _token_lifetime(), actor=_actor())
        session.commit()
        return client


@blp.route("/<string:client_id>/rotate-secret")
class ClientRotateSecret(MethodView):
    @protected(blp, "clients:admin")
    @blp.response(200, CreatedClientSchema)
    @blp.alt_response(404, response="404")
    @blp.alt_response(409, response="409")
    def post(self, client_id: str):  # type: ignore[no-untyped-def]
        """A new secret for a secret client (shown once); the old one stops working."""
        _require_admin()
        session = get_session()
        created = service.rotate_secret(session, client_id,
                                        current_app.extensions["hub.identity"].spent,
                                        _token_lifetime(), actor=_actor())
        session.commit()
        return created
