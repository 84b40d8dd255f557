"""`GET /api/v1/measures`: the catalogue, so a reader sees what each figure means."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from hub.identity.protect import protected
from hub.measures.schemas import MeasureSchema
from policies.measures import COMPONENTS, MEASURES, Measure

blp = Blueprint("measures", __name__, url_prefix="/api/v1",
                description="The measure catalogue: definitions, units, sources, direction")


def _component(code: str) -> dict[str, Any]:
    component = COMPONENTS[code]
    return {"code": code, "title": component.title, "unit": component.unit.value}


def describe(measure: Measure) -> dict[str, Any]:
    """One measure as the API answers it."""
    return {"code": measure.code, "title": measure.title, "definition": measure.description,
            "unit": measure.unit.value, "kind": measure.kind.value,
            "numerator": _component(measure.numerator),
            "denominator": [_component(c) for c in measure.denominator],
            "better": measure.better.value, "sources": list(measure.sources),
            "optional": measure.optional, "breakdowns": list(measure.breakdowns)}


_CATALOGUE = [describe(m) for m in MEASURES.values()]


@blp.route("/measures")
class Measures(MethodView):
    @protected(blp)
    @blp.response(200, MeasureSchema(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """Every measure: its definition, unit, source fields and which direction is better."""
        return _CATALOGUE
