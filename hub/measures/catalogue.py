"""Each measure of the catalogue (policies.measures) described once, as the API answers it
and as the dashboard and the pack show it beside the figures."""

from __future__ import annotations

from typing import Any

from policies.measures import COMPONENTS, MEASURES, Measure


def _component(code: str) -> dict[str, Any]:
    component = COMPONENTS[code]
    return {"code": code, "title": component.title, "unit": component.unit.value}


def describe(measure: Measure) -> dict[str, Any]:
    """One measure: definition, unit, how it is built, source fields, which way is better."""
    return {"code": measure.code, "title": measure.title, "definition": measure.description,
            "unit": measure.unit.value, "kind": measure.kind.value,
            "numerator": _component(measure.numerator),
            "denominator": [_component(c) for c in measure.denominator],
            "better": measure.better.value, "sources": list(measure.sources),
            "optional": measure.optional, "breakdowns": list(measure.breakdowns)}


#: Every measure described, in the catalogue's order.
CATALOGUE: dict[str, dict[str, Any]] = {code: describe(m) for code, m in MEASURES.items()}
