"""Marshmallow schemas of the consents API."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import marshmallow as ma

from hub.schemas import InputSchema
from policies.agreement import RESTRICTABLE_AUDIENCES
from policies.measures import MEASURES
from policies.overrides import OVERRIDE_KINDS, SUSPEND, WITHHOLD


class ConsentSchema(ma.Schema):
    """One version of a consent override."""

    id = ma.fields.String(required=True, metadata={"example": "w-3f9a1c2b7d10"})
    version = ma.fields.Integer(required=True, metadata={"example": 1})
    kind = ma.fields.String(required=True, metadata={"enum": list(OVERRIDE_KINDS)})
    org_code = ma.fields.String(required=True, metadata={
        "description": "The LA withholding, or the party suspended", "example": "E09000001"})
    audience = ma.fields.String(allow_none=True, metadata={
        "enum": [*RESTRICTABLE_AUDIENCES, None], "description": "A withholding's audience"})
    measure = ma.fields.String(allow_none=True, metadata={
        "description": "The measure withheld; null: every measure"})
    reason = ma.fields.String(required=True)
    author = ma.fields.String(required=True, metadata={"description": "Client id of who made "
                                                       "this version, or cli:<user>"})
    author_org = ma.fields.String(allow_none=True)
    effective_at = ma.fields.AwareDateTime(required=True)
    revoked_at = ma.fields.AwareDateTime(allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)


class ConsentCreateSchema(InputSchema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(OVERRIDE_KINDS))
    org_code = ma.fields.String(required=True, validate=ma.validate.Length(1, 16), metadata={
        "description": "withhold: the LA whose data is withheld; suspend: the party suspended",
        "example": "E09000001"})
    audience = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(
        RESTRICTABLE_AUDIENCES), metadata={"description": "Required to withhold; not with "
                                           "suspend"})
    measure = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(sorted(MEASURES)),
                               metadata={"description": "withhold: one measure, or null for "
                                         "all; not with suspend"})
    reason = ma.fields.String(required=True, validate=ma.validate.Length(1, 2000))
    effective_at = ma.fields.AwareDateTime(metadata={
        "description": "When it takes effect (timezone required); default: now"})

    @ma.validates("reason")
    def _not_blank(self, value: str, **kwargs: Any) -> None:
        if not value.strip():
            raise ma.ValidationError("Must not be blank.")

    @ma.validates_schema
    def _kind_fields(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("kind") == WITHHOLD and not data.get("audience"):
            raise ma.ValidationError({"audience": ["Required to withhold."]})
        if data.get("kind") == SUSPEND and (data.get("audience") or data.get("measure")):
            raise ma.ValidationError({"audience": ["A suspension covers every audience and "
                                                   "measure."]})

    @ma.post_load
    def _utc(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("effective_at") is not None:
            data["effective_at"] = data["effective_at"].astimezone(UTC)
        return data


class ConsentRevokeSchema(InputSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(1, 2000))

    @ma.validates("reason")
    def _not_blank(self, value: str, **kwargs: Any) -> None:
        if not value.strip():
            raise ma.ValidationError("Must not be blank.")
