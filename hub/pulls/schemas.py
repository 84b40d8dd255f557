"""Marshmallow schemas of the pulls API."""

from __future__ import annotations

import marshmallow as ma

from hub.pulls.service import LATEST
from hub.schemas import InputSchema
from policies.measures import DATASETS

PERIOD = r"^(20[0-9]{2}-Q[1-4]|latest)$"


class PullAttemptSchema(ma.Schema):
    """One pull of one extract and how it ended."""

    id = ma.fields.Integer(required=True)
    connector_id = ma.fields.Integer(required=True)
    dataset = ma.fields.String(required=True, metadata={"example": "workforce"})
    period = ma.fields.String(required=True, metadata={
        "example": "2024-Q3", "description": "`latest` when the connector's list of periods "
                                             "could not be read"})
    outcome = ma.fields.String(required=True, metadata={
        "enum": ["queued", "retrying", "ingested", "unchanged", "failed"],
        "description": "`queued` and `retrying` until the pull ends (`finished_at` then set)"})
    revision = ma.fields.Integer(allow_none=True, metadata={
        "description": "The revision stored, or found unchanged"})
    error_code = ma.fields.String(allow_none=True, metadata={"example": "bad_signature"})
    reason = ma.fields.String(allow_none=True,
                              metadata={"example": "signature rejected: signature does not "
                                                   "match the body"})
    attempts = ma.fields.Integer(required=True)
    started_at = ma.fields.DateTime(required=True)
    finished_at = ma.fields.DateTime(allow_none=True, required=True)


class PullRequestSchema(InputSchema):
    """Which extract to pull now."""

    dataset = ma.fields.String(load_default=DATASETS[0], validate=ma.validate.OneOf(DATASETS))
    period = ma.fields.String(load_default=LATEST, validate=ma.validate.Regexp(
        PERIOD, error="must be a period such as 2024-Q3, or latest"))


class QueuedPullSchema(ma.Schema):
    """A pull accepted: its attempt is in the connector's pulls from now on."""

    job_id = ma.fields.String(required=True)
    attempt_id = ma.fields.Integer(required=True, metadata={
        "description": "The attempt in `GET /connectors/{id}/pulls`: `queued` until it ends"})
    connector_id = ma.fields.Integer(required=True)
    dataset = ma.fields.String(required=True)
    period = ma.fields.String(required=True)
