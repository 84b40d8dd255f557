"""The pulls of a connector: its history for the LA and admins, and a pull on demand."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from hub.db import get_session
from hub.identity.protect import current_principal, protected
from hub.organisations.service import count
from hub.pulls import history
from hub.pulls.extension import get_pulls
from hub.pulls.jobs import queue_pull
from hub.pulls.schemas import PullAttemptSchema, PullRequestSchema, QueuedPullSchema
from hub.pulls.service import accept
from hub.registry import service as registry

blp = Blueprint("pulls", __name__, url_prefix="/api/v1",
                description="Pulls of extracts from connectors, and why any failed")


@blp.route("/connectors/<int(max=2147483647):connector_id>/pulls")
class ConnectorPulls(MethodView):
    @protected(blp, "connectors:read")
    @blp.response(200, PullAttemptSchema(many=True))
    @blp.alt_response(404, response="404")
    @blp.paginate()
    def get(self, connector_id: int, pagination_parameters):  # type: ignore[no-untyped-def]
        """The connector's pulls, newest first, each with its outcome and any error's reason."""
        session = get_session()
        registry.visible_to(session, current_principal(), connector_id)
        query = history.attempts_query(connector_id)
        pagination_parameters.item_count = total = count(session, query)
        if pagination_parameters.first_item >= total:
            return []  # past the last page; also keeps huge page numbers out of SQL
        return session.scalars(query.offset(pagination_parameters.first_item).limit(
            pagination_parameters.page_size)).all()

    @protected(blp, "connectors:write")
    @blp.arguments(PullRequestSchema)
    @blp.response(202, QueuedPullSchema)
    @blp.alt_response(404, response="404")
    def post(self, args, connector_id: int):  # type: ignore[no-untyped-def]
        """Pull one extract of the caller's own connector now (default: the latest period)."""
        principal, session = current_principal(), get_session()
        connector = registry.writable_by(session, principal, connector_id)
        # Recorded before it is queued: whatever happens to the job, the attempt says so.
        attempt = accept(session, connector.id, args["dataset"], args["period"])
        session.commit()
        job_id = queue_pull(get_pulls(), connector.id, args["dataset"], args["period"],
                            f"client:{principal.client_id}", attempt.id)
        return {"job_id": job_id, "attempt_id": attempt.id, "connector_id": connector.id,
                **args}
