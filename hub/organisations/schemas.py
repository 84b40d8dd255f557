"""Marshmallow schemas of the organisations API."""

from __future__ import annotations

import marshmallow as ma

from hub.schemas import InputSchema

REGION_CODE = r"^E12[0-9]{6}$"


class AuthoritySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "ONS code",
                                                     "example": "E09000001"})
    dfe_code = ma.fields.String(allow_none=True, metadata={
        "description": "DfE three-digit LA code, where DfE has one", "example": "201"})
    name = ma.fields.String(required=True, metadata={"example": "City of London"})
    region_code = ma.fields.String(required=True, metadata={"example": "E12000007"})


class RegionSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "ONS code",
                                                     "example": "E12000007"})
    name = ma.fields.String(required=True, metadata={"example": "London"})
    authority_count = ma.fields.Method("_authority_count", dump_only=True,
                                       metadata={"type": "integer"})

    def _authority_count(self, region) -> int:  # type: ignore[no-untyped-def]
        return len(region.authorities)


class RegionDetailSchema(RegionSchema):
    authorities = ma.fields.List(ma.fields.Nested(AuthoritySchema), required=True)


class AuthorityQuerySchema(InputSchema):
    region = ma.fields.String(
        validate=ma.validate.Regexp(REGION_CODE, error="must be a region's ONS code (E12…)"),
        metadata={"description": "Only the LAs of this region (ONS code)"})
