"""Administrators' API over the audit log: filtered pages, and exports to keep elsewhere."""

from __future__ import annotations

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from hub.audit import queries
from hub.audit.schemas import AuditEventSchema, AuditExportQuerySchema, AuditQuerySchema
from hub.audit.service import record
from hub.db import get_db, get_session
from hub.errors import Forbidden
from hub.identity.protect import current_principal, protected
from hub.organisations.models import OrgKind
from hub.organisations.service import count

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit",
                description="The hash-chained audit log (administrators)")


def _require_admin() -> None:
    if current_principal().org_kind != OrgKind.ADMIN.value:
        raise Forbidden("Only the hub's administrators read the audit log.")


def _record_read(action: str, args: dict[str, object]) -> None:
    principal = current_principal()
    with get_db().session() as session:
        record(session, actor=principal.client_id, org_code=principal.org_code, action=action,
               target="audit_events", details={k: str(v) for k, v in args.items()})


@blp.route("")
class AuditEvents(MethodView):
    @protected(blp, "audit:read")
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):  # type: ignore[no-untyped-def]
        """Audit events in chain order, filtered by action (or prefix), actor, org, time."""
        _require_admin()
        _record_read("audit.read", args)
        session = get_session()
        query = queries.filtered(args)
        pagination_parameters.item_count = total = count(session, query)
        if pagination_parameters.first_item >= total:
            return []
        return session.scalars(query.offset(pagination_parameters.first_item).limit(
            pagination_parameters.page_size)).all()


@blp.route("/export")
class AuditExport(MethodView):
    @protected(blp, "audit:read")
    @blp.arguments(AuditExportQuerySchema, location="query")
    @blp.response(200, {"type": "string"}, content_type="application/x-ndjson")
    @blp.alt_response(200, schema={"type": "string"}, content_type="text/csv",
                      success=True)
    def get(self, args):  # type: ignore[no-untyped-def]
        """Every matching event as JSON lines or CSV, with hashes, for keeping off the hub."""
        _require_admin()
        fmt = args.pop("format")
        _record_read("audit.export", {**args, "format": fmt})
        query = queries.filtered(args)
        session = get_db().sessions()

        def stream():  # type: ignore[no-untyped-def]
            try:
                yield from queries.export(session, query, fmt)
            finally:
                session.close()

        media = "text/csv" if fmt == "csv" else "application/x-ndjson"
        response = Response(stream_with_context(stream()), mimetype=media)
        response.headers["Content-Disposition"] = f'attachment; filename="audit.{fmt}"'
        return response
