"""Marshmallow schemas of the agreements API."""

from __future__ import annotations

import marshmallow as ma


class AgreementVersionSchema(ma.Schema):
    """One stored version of a region's agreement, without its text."""

    region = ma.fields.String(required=True, metadata={
        "description": "Region ONS code, or `national`", "example": "E12000007"})
    version = ma.fields.Integer(required=True, metadata={"example": 3})
    title = ma.fields.String(required=True)
    effective_from = ma.fields.Date(required=True)
    effective_to = ma.fields.Date(allow_none=True, metadata={
        "description": "Last day in force (inclusive); null: until superseded"})
    file_name = ma.fields.String(required=True, metadata={"example": "london.yaml"})
    sha256 = ma.fields.String(required=True, metadata={"description": "Of the source text"})
    loaded_at = ma.fields.DateTime(required=True)
    loaded_by = ma.fields.String(required=True)


class AgreementSchema(AgreementVersionSchema):
    """The version in force, with the agreement's text as loaded."""

    source_text = ma.fields.String(required=True, metadata={"description": "The YAML loaded"})


class VersionStatusSchema(ma.Schema):
    """A stored version and where it stands today."""

    region = ma.fields.String(required=True, attribute="row.region")
    version = ma.fields.Integer(required=True, attribute="row.version")
    title = ma.fields.String(required=True, attribute="row.title")
    effective_from = ma.fields.Date(required=True, attribute="row.effective_from")
    effective_to = ma.fields.Date(allow_none=True, attribute="row.effective_to")
    file_name = ma.fields.String(required=True, attribute="row.file_name")
    sha256 = ma.fields.String(required=True, attribute="row.sha256")
    loaded_at = ma.fields.DateTime(required=True, attribute="row.loaded_at")
    loaded_by = ma.fields.String(required=True, attribute="row.loaded_by")
    status = ma.fields.String(required=True, metadata={
        "enum": ["in_force", "scheduled", "superseded", "ended"],
        "description": "in_force: decisions rest on it; scheduled: starts later; superseded: "
                       "a later version has started; ended: its effective_to has passed"})
