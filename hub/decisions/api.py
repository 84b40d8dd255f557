"""`GET /api/v1/policies/explain`: a decision and the reasons behind it."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from hub.db import get_session
from hub.decisions import service
from hub.decisions.schemas import DecisionSchema, ExplainQuerySchema
from hub.decisions.store import get_policy_set
from hub.identity.protect import current_principal, protected
from policies.decision import Resource

blp = Blueprint("policies", __name__, url_prefix="/api/v1/policies",
                description="Policy decisions, explained")


@blp.route("/explain")
class Explain(MethodView):
    @protected(blp, "policies:read")
    @blp.arguments(ExplainQuerySchema, location="query")
    @blp.response(200, DecisionSchema)
    @blp.alt_response(404, response="404")
    def get(self, args):  # type: ignore[no-untyped-def]
        """Whether an organisation may read a measure at a grain, and which clauses say so."""
        principal = current_principal()
        session = get_session()
        decision = service.explain(
            session, get_policy_set(), actor=principal.client_id,
            actor_org=principal.org_code, may_explain_others=principal.has("policies:admin"),
            org_code=args.get("org"),
            resource=Resource(args["measure"], args["grain"], args.get("region"),
                              args.get("la"), args.get("period")))
        session.commit()
        return {**decision.as_dict(), "reason": decision.reason}
