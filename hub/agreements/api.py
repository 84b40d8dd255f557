"""Read-only API over the stored agreements: those in force, and every version of one."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from hub.agreements import service
from hub.agreements.schemas import AgreementSchema, AgreementVersionSchema, VersionStatusSchema
from hub.db import get_session
from hub.decisions.store import get_policy_set
from hub.identity.protect import protected

blp = Blueprint("agreements", __name__, url_prefix="/api/v1/agreements",
                description="Data-sharing agreements: the versions in force and their history")


@blp.route("")
class Agreements(MethodView):
    @protected(blp, "policies:read")
    @blp.response(200, AgreementVersionSchema(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """The agreement version in force for each region (and the national one)."""
        return service.in_force(get_session(), get_policy_set())


@blp.route("/<string:region>")
class AgreementByRegion(MethodView):
    @protected(blp, "policies:read")
    @blp.response(200, AgreementSchema)
    @blp.alt_response(404, response="404")
    def get(self, region: str):  # type: ignore[no-untyped-def]
        """The version of a region's agreement in force, with its text."""
        return service.in_force_for(get_session(), region, get_policy_set())


@blp.route("/<string:region>/versions")
class AgreementVersions(MethodView):
    @protected(blp, "policies:read")
    @blp.response(200, VersionStatusSchema(many=True))
    @blp.alt_response(404, response="404")
    def get(self, region: str):  # type: ignore[no-untyped-def]
        """Every version of a region's agreement ever loaded, oldest first, with its status."""
        return service.versions(get_session(), region, get_policy_set())
