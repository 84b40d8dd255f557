"""Read-only API over the reference data: regions and local authorities."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from hub.db import get_session
from hub.identity.protect import protected
from hub.organisations import service
from hub.organisations.models import OrgKind
from hub.organisations.schemas import (
    AuthorityQuerySchema,
    AuthoritySchema,
    RegionDetailSchema,
    RegionSchema,
)

blp = Blueprint("organisations", __name__, url_prefix="/api/v1",
                description="England's regions and local authorities with children's services")


@blp.route("/regions")
class Regions(MethodView):
    @protected(blp)
    @blp.response(200, RegionSchema(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """The nine regions, with how many LAs each has."""
        return service.list_regions(get_session())


@blp.route("/regions/<string:code>")
class RegionByCode(MethodView):
    @protected(blp)
    @blp.response(200, RegionDetailSchema)
    @blp.alt_response(404, response="404")
    def get(self, code: str):  # type: ignore[no-untyped-def]
        """One region and its LAs."""
        return service.get_organisation(get_session(), code, OrgKind.REGION)


@blp.route("/authorities")
class Authorities(MethodView):
    @protected(blp)
    @blp.arguments(AuthorityQuerySchema, location="query")
    @blp.response(200, AuthoritySchema(many=True))
    @blp.alt_response(404, response="404")
    @blp.paginate()
    def get(self, args, pagination_parameters):  # type: ignore[no-untyped-def]
        """The local authorities, optionally of one region, by name, a page at a time."""
        session = get_session()
        region = args.get("region")
        if region is not None:
            service.get_organisation(session, region, OrgKind.REGION)
        query = service.authorities_query(region)
        pagination_parameters.item_count = total = service.count(session, query)
        if pagination_parameters.first_item >= total:
            return []  # past the last page; also keeps huge page numbers out of SQL
        page = query.offset(pagination_parameters.first_item).limit(
            pagination_parameters.page_size)
        return session.scalars(page).all()


@blp.route("/authorities/<string:code>")
class AuthorityByCode(MethodView):
    @protected(blp)
    @blp.response(200, AuthoritySchema)
    @blp.alt_response(404, response="404")
    def get(self, code: str):  # type: ignore[no-untyped-def]
        """One local authority, by any code DfE's files have used for it (ONS old or new,
        DfE's three digits); 404 saying why for an LA merged or split since."""
        return service.find_authority(get_session(), code)
