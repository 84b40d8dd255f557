"""Schemas of the catalogue route: each measure with its definition, and each component."""

from __future__ import annotations

import marshmallow as ma

from policies.measures import Better, Kind, Unit


class ComponentSchema(ma.Schema):
    """A count or sum an LA's extract carries; measures are built from them."""

    code = ma.fields.String(required=True, metadata={"example": "leavers_12m_fte"})
    title = ma.fields.String(required=True)
    unit = ma.fields.String(required=True, validate=ma.validate.OneOf([u.value for u in Unit]))


class MeasureSchema(ma.Schema):
    """A figure the benchmarks serve: definition, unit, source fields and better direction."""

    code = ma.fields.String(required=True, metadata={"example": "turnover_rate"})
    title = ma.fields.String(required=True)
    definition = ma.fields.String(required=True)
    unit = ma.fields.String(required=True, validate=ma.validate.OneOf([u.value for u in Unit]))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf([k.value for k in Kind]),
                            metadata={"description": "count: a component as it is; rate: "
                                      "numerator over denominator x 100; ratio: numerator "
                                      "over denominator"})
    numerator = ma.fields.Nested(ComponentSchema, required=True)
    denominator = ma.fields.List(ma.fields.Nested(ComponentSchema), required=True, metadata={
        "description": "Summed; empty for a count"})
    better = ma.fields.String(required=True, validate=ma.validate.OneOf(
        [b.value for b in Better]), metadata={"description": "Which direction reads as an "
                                              "improvement; neither for sizes"})
    sources = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "Where the components come from: DfE's published columns, the "
                       "census return's fields, or the LA's own records"})
    optional = ma.fields.Boolean(required=True, metadata={
        "description": "Only some LAs supply it; x for the others"})
    breakdowns = ma.fields.List(ma.fields.String(), required=True)
