"""`GET /api/v1/measures`: the catalogue, so a reader sees what each figure means."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from hub.identity.protect import protected
from hub.measures.catalogue import CATALOGUE
from hub.measures.schemas import MeasureSchema

blp = Blueprint("measures", __name__, url_prefix="/api/v1",
                description="The measure catalogue: definitions, units, sources, direction")


@blp.route("/measures")
class Measures(MethodView):
    @protected(blp)
    @blp.response(200, MeasureSchema(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """Every measure: its definition, unit, source fields and which direction is better."""
        return list(CATALOGUE.values())
