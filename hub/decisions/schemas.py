"""Marshmallow schemas of the policy explanation API."""

from __future__ import annotations

import marshmallow as ma

from hub.schemas import InputSchema
from policies.agreement import GRAINS
from policies.measures import MEASURES


class ExplainQuerySchema(InputSchema):
    org = ma.fields.String(validate=ma.validate.Regexp(r"^[A-Z0-9-]{1,16}$"), metadata={
        "description": "Who asks (organisation code); default: the caller's own. Only "
                       "policies:admin callers may name another organisation.",
        "example": "E09000002"})
    measure = ma.fields.String(required=True, validate=ma.validate.OneOf(sorted(MEASURES)),
                               metadata={"example": "agency_rate"})
    grain = ma.fields.String(required=True, validate=ma.validate.OneOf(GRAINS),
                             metadata={"example": "la"})
    region = ma.fields.String(validate=ma.validate.Regexp(r"^E12[0-9]{6}$"), metadata={
        "description": "Region ONS code: the region of an LA figure, or of a region aggregate",
        "example": "E12000007"})
    la = ma.fields.String(validate=ma.validate.Regexp(r"^E[0-9]{8}$"), metadata={
        "description": "LA ONS code: whose figure, or a contributor to an aggregate",
        "example": "E09000001"})
    period = ma.fields.String(validate=ma.validate.Regexp(r"^20[0-9]{2}-Q[1-4]$"),
                              metadata={"example": "2025-Q2"})


class ClauseSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"example": "E12000007 v3 permission p3"})
    reason = ma.fields.String(required=True)


class DecisionSchema(ma.Schema):
    """A decision, with every clause or override it rests on."""

    permit = ma.fields.Boolean(required=True)
    grain = ma.fields.String(required=True)
    audience = ma.fields.String(allow_none=True, metadata={
        "description": "The reader's audience relative to the figures, where established"})
    rules = ma.fields.Dict(allow_none=True, metadata={
        "description": "Disclosure rules that go with a permit; null for a deny or own figures"})
    agreements = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "Agreement versions cited, e.g. `E12000007 v3`"})
    clauses = ma.fields.List(ma.fields.Nested(ClauseSchema), required=True)
    reason = ma.fields.String(required=True, metadata={"description": "The clauses' reasons "
                                                       "as one sentence"})
