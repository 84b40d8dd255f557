"""Marshmallow schemas of the audit log API."""

from __future__ import annotations

import marshmallow as ma

from hub.schemas import InputSchema


class AuditEventSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    at = ma.fields.DateTime(required=True)
    actor = ma.fields.String(required=True)
    org_code = ma.fields.String(allow_none=True)
    action = ma.fields.String(required=True, metadata={"example": "consent.create"})
    target = ma.fields.String(required=True)
    details = ma.fields.Dict(required=True)
    prev_hash = ma.fields.String(required=True)
    hash = ma.fields.String(required=True, metadata={
        "description": "sha256 of prev_hash and the event's canonical JSON: the chain link"})


class AuditQuerySchema(InputSchema):
    action = ma.fields.String(validate=ma.validate.Length(1, 64), metadata={
        "description": "An action, or a prefix ending in '.': `consent.` for every consent event"})
    actor = ma.fields.String(validate=ma.validate.Length(1, 200))
    org = ma.fields.String(validate=ma.validate.Length(1, 16))
    target = ma.fields.String(validate=ma.validate.Length(1, 200))
    since = ma.fields.AwareDateTime(metadata={"description": "From this time (inclusive)"})
    until = ma.fields.AwareDateTime(metadata={"description": "Before this time"})


class AuditExportQuerySchema(AuditQuerySchema):
    format = ma.fields.String(load_default="jsonl", validate=ma.validate.OneOf(["jsonl", "csv"]))
