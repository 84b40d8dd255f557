"""The connector registry API: an LA registers and changes its own connector; admins see all."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from hub.db import get_session
from hub.identity.protect import current_principal, protected
from hub.registry import service
from hub.registry.checks import ConnectorDetails
from hub.registry.schemas import ConnectorSchema, ConnectorUpdateSchema, NewConnectorSchema
from hub.registry.urls import policy_for

blp = Blueprint("connectors", __name__, url_prefix="/api/v1",
                description="Each LA's connector: where the hub pulls its extracts from")


def _box():  # type: ignore[no-untyped-def]
    return current_app.extensions["hub.secret_box"]


@blp.route("/connectors")
class Connectors(MethodView):
    @protected(blp, "connectors:read")
    @blp.response(200, ConnectorSchema(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """The connectors the caller may see, with health and last pull: all for admins."""
        return service.listed_for(get_session(), current_principal())

    @protected(blp, "connectors:write")
    @blp.arguments(NewConnectorSchema)
    @blp.response(201, ConnectorSchema)
    @blp.alt_response(409, response="409")
    @blp.alt_response(422, response="422")
    def post(self, args):  # type: ignore[no-untyped-def]
        """Register the caller's LA's connector, once it passes the check.

        The hub checks each URL, fetches and pins the JWKS, obtains a token and reads a signed
        `/datasets`; any failure is a 422 saying which, and nothing is stored.
        """
        principal = current_principal()
        session = get_session()
        connector = service.register(session, _box(), policy_for(), service.Actor.of(principal),
                                     ConnectorDetails(la_code=principal.org_code, **args))
        session.commit()
        return connector


@blp.route("/connectors/<int(max=2147483647):connector_id>")
class ConnectorById(MethodView):
    @protected(blp, "connectors:read")
    @blp.response(200, ConnectorSchema)
    @blp.alt_response(404, response="404")
    def get(self, connector_id: int):  # type: ignore[no-untyped-def]
        """One connector: the caller's own LA's, or any for admins."""
        return service.visible_to(get_session(), current_principal(), connector_id)

    @protected(blp, "connectors:write")
    @blp.arguments(ConnectorUpdateSchema)
    @blp.response(200, ConnectorSchema)
    @blp.alt_response(400, response="400")
    @blp.alt_response(404, response="404")
    @blp.alt_response(422, response="422")
    def patch(self, args, connector_id: int):  # type: ignore[no-untyped-def]
        """Change the caller's own connector: new details are checked again; `enabled: false`
        stops its pulls.

        A new `token_url` or `base_url` (where the secret, and the tokens it obtains, are sent)
        needs `client_secret` in the same request, or the answer is 400: the stored secret is
        never sent to a new URL.
        """
        principal = current_principal()
        session = get_session()
        connector = service.writable_by(session, principal, connector_id)
        connector = service.update(session, _box(), policy_for(), service.Actor.of(principal),
                                   connector, args)
        session.commit()
        return connector
