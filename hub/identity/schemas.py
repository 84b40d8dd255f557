"""Marshmallow schemas of the clients API."""

from __future__ import annotations

import marshmallow as ma

from hub.identity.scopes import SCOPES
from hub.schemas import InputSchema


class ClientSchema(ma.Schema):
    client_id = ma.fields.String(required=True)
    org_code = ma.fields.String(required=True, metadata={"example": "E09000001"})
    name = ma.fields.String(required=True)
    scopes = ma.fields.List(ma.fields.String(), attribute="scope_list", required=True)
    auth_method = ma.fields.String(required=True,
                                   metadata={"enum": ["client_secret_basic", "private_key_jwt"]})
    created_at = ma.fields.DateTime(required=True)
    disabled_at = ma.fields.DateTime(allow_none=True)


class CreatedClientSchema(ma.Schema):
    """A client just created or given a new secret, read from a ``CreatedClient``."""

    client_id = ma.fields.String(required=True, attribute="client.client_id")
    org_code = ma.fields.String(required=True, attribute="client.org_code")
    name = ma.fields.String(required=True, attribute="client.name")
    scopes = ma.fields.List(ma.fields.String(), attribute="client.scope_list", required=True)
    auth_method = ma.fields.String(required=True, attribute="client.auth_method")
    created_at = ma.fields.DateTime(required=True, attribute="client.created_at")
    disabled_at = ma.fields.DateTime(allow_none=True, attribute="client.disabled_at")
    client_secret = ma.fields.String(allow_none=True, metadata={
        "description": "Shown once, for secret clients; the hub keeps only a slow hash."})


class ClientCreateSchema(InputSchema):
    org = ma.fields.String(required=True, validate=ma.validate.Length(1, 16),
                           metadata={"description": "Code of the client's organisation",
                                     "example": "E09000001"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    scopes = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(sorted(SCOPES))),
                            validate=ma.validate.Length(max=len(SCOPES)), metadata={
        "description": "Default: every scope the organisation's kind may hold"})
    jwks = ma.fields.Dict(metadata={
        "description": "Public JWKS for private_key_jwt; omit for a generated secret"})


class ClientQuerySchema(InputSchema):
    org = ma.fields.String(validate=ma.validate.Length(1, 16),
                           metadata={"description": "Only this organisation's clients"})
