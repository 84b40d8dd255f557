"""Consent overrides over the API: list, withhold or suspend, revoke, and their versions."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from hub.consents import service
from hub.consents.schemas import ConsentCreateSchema, ConsentRevokeSchema, ConsentSchema
from hub.db import get_session
from hub.decisions.store import get_policy_store
from hub.identity.protect import current_principal, protected
from hub.organisations.models import Organisation
from hub.organisations.service import count

blp = Blueprint("consents", __name__, url_prefix="/api/v1/consents",
                description="Consent overrides: LAs withholding their data, parties suspended")


def _actor() -> service.Actor:
    principal = current_principal()
    return service.Actor(principal.client_id,
                         get_session().get(Organisation, principal.org_code))


def _caller_org() -> Organisation:
    org = _actor().org
    assert org is not None  # a token is only issued to a client of an organisation
    return org


@blp.route("")
class Consents(MethodView):
    @protected(blp, "policies:read")
    @blp.response(200, ConsentSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):  # type: ignore[no-untyped-def]
        """The latest version of each override the caller may see, newest first."""
        session = get_session()
        query = service.visible_latest(_caller_org())
        pagination_parameters.item_count = total = count(session, query)
        if pagination_parameters.first_item >= total:
            return []
        return session.scalars(query.offset(pagination_parameters.first_item).limit(
            pagination_parameters.page_size)).all()

    @protected(blp, "consents:write")
    @blp.arguments(ConsentCreateSchema)
    @blp.response(201, ConsentSchema)
    def post(self, body):  # type: ignore[no-untyped-def]
        """Withhold an LA's measure from an audience, or suspend a party; effective next request.

        An override withholds the LA's own figures (the LA grain), never the LA from an
        aggregate: it stays counted in every region and national aggregate and breakdown
        total, where its figure is a cell withheld by disclosure control, so no reader can
        difference the answers before and after the change to isolate it. An audience that
        sees only aggregates (other regions, NARE) therefore sees nothing change unless an
        agreement grants it LA-level figures. A suspended party still reads nothing of others;
        an LA always sees its own figures.
        """
        session = get_session()
        row = service.create(session, _actor(), get_policy_store(), **body)
        session.commit()
        return row


@blp.route("/<string:override_id>/revoke")
class ConsentRevoke(MethodView):
    @protected(blp, "consents:write")
    @blp.arguments(ConsentRevokeSchema)
    @blp.response(200, ConsentSchema)
    @blp.alt_response(404, response="404")
    @blp.alt_response(409, response="409")
    def post(self, body, override_id: str):  # type: ignore[no-untyped-def]
        """Revoke an override from now: a new version with revoked_at."""
        session = get_session()
        row = service.revoke(session, _actor(), get_policy_store(), override_id, body["reason"])
        session.commit()
        return row


@blp.route("/<string:override_id>/versions")
class ConsentVersions(MethodView):
    @protected(blp, "policies:read")
    @blp.response(200, ConsentSchema(many=True))
    @blp.alt_response(404, response="404")
    def get(self, override_id: str):  # type: ignore[no-untyped-def]
        """Every version of one override, oldest first."""
        return service.versions(get_session(), override_id, _caller_org())
