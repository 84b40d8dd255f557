"""Marshmallow schemas of the connector registry API."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from hub.schemas import InputSchema


def _details(required: bool) -> dict[str, ma.fields.Field]:
    """The connector's details, required to register and optional to update."""

    def url(description: str, example: str) -> ma.fields.String:
        return ma.fields.String(required=required, validate=ma.validate.Length(min=1, max=2048),
                                metadata={"description": description, "example": example})

    root = "https://connector.example.gov.uk"
    return {
        "base_url": url("Root of the connector's API (https outside development)", root),
        "token_url": url("The connector's OAuth2 token endpoint", f"{root}/oauth/token"),
        "jwks_url": url("Where the connector publishes its signing keys",
                        f"{root}/.well-known/jwks.json"),
        "client_id": ma.fields.String(required=required,
                                      validate=ma.validate.Length(min=1, max=255),
                                      metadata={"example": "hub"}),
        "client_secret": ma.fields.String(required=required, load_only=True,
                                          validate=ma.validate.Length(min=1, max=1024),
                                          metadata={"description": "Stored encrypted; never "
                                                                   "shown. Required again in "
                                                                   "an update that changes "
                                                                   "token_url or base_url"}),
    }


class NewConnectorSchema(InputSchema.from_dict(_details(True))):  # type: ignore[misc]
    """What an LA submits to register its connector."""


class ConnectorUpdateSchema(InputSchema.from_dict(_details(False))):  # type: ignore[misc]
    """Changes to a connector; new details are checked again before they are kept."""

    enabled = ma.fields.Boolean(metadata={"description": "false disables pulls; true "
                                                         "re-checks and enables"})

    @ma.validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ma.ValidationError("Send at least one field to change.")


class ConnectorSchema(ma.Schema):
    """A registered connector with its health and last pull."""

    id = ma.fields.Integer(required=True)
    la_code = ma.fields.String(required=True, metadata={"example": "E09000001"})
    base_url = ma.fields.String(required=True)
    token_url = ma.fields.String(required=True)
    jwks_url = ma.fields.String(required=True)
    client_id = ma.fields.String(required=True)
    key_ids = ma.fields.Method("_key_ids", metadata={
        "type": "array", "items": {"type": "string"},
        "description": "kids of the keys pinned at registration"})
    enabled = ma.fields.Boolean(required=True)
    health = ma.fields.Method("_health", metadata={
        "type": "string", "enum": ["disabled", "never_pulled", "ok", "failing"]})
    last_pull_at = ma.fields.DateTime(allow_none=True)
    last_outcome = ma.fields.String(allow_none=True,
                                    metadata={"enum": ["ingested", "unchanged", "failed"]})
    last_error = ma.fields.String(allow_none=True, metadata={"example": "timeout"})
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)

    def _key_ids(self, connector: Any) -> list[str]:
        return [str(k.get("kid", "")) for k in connector.jwks.get("keys", [])]

    def _health(self, connector: Any) -> str:
        if not connector.enabled:
            return "disabled"
        if connector.last_outcome is None:
            return "never_pulled"
        return "failing" if connector.last_outcome == "failed" else "ok"
