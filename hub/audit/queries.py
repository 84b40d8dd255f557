"""Reading the audit log: filtered, in chain order, for the API and exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub.audit.models import AuditEvent

EXPORT_BATCH = 500
CSV_FIELDS = ("id", "at", "actor", "org_code", "action", "target", "details", "prev_hash",
              "hash")


def filtered(args: Mapping[str, Any]) -> Select[tuple[AuditEvent]]:
    """The events matching ``args`` (action or action prefix, actor, org, target, time)."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    action = args.get("action")
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True)
                            if action.endswith(".") else AuditEvent.action == action)
    for field, column in (("actor", AuditEvent.actor), ("org", AuditEvent.org_code),
                          ("target", AuditEvent.target)):
        if args.get(field):
            query = query.where(column == args[field])
    if args.get("since"):
        query = query.where(AuditEvent.at >= args["since"])
    if args.get("until"):
        query = query.where(AuditEvent.at < args["until"])
    return query


def _as_row(event: AuditEvent) -> dict[str, Any]:
    return {"id": event.id, "at": event.at.isoformat(), "actor": event.actor,
            "org_code": event.org_code, "action": event.action, "target": event.target,
            "details": event.details, "prev_hash": event.prev_hash, "hash": event.hash}


def _batches(session: Session, query: Select[tuple[AuditEvent]]) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = session.scalars(query.where(AuditEvent.id > last).limit(EXPORT_BATCH)).all()
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        last = batch[-1].id


def export(session: Session, query: Select[tuple[AuditEvent]], fmt: str) -> Iterator[str]:
    """The events as JSON lines or CSV, a batch at a time, with the hashes to re-verify them."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, CSV_FIELDS)
        writer.writeheader()
        for event in _batches(session, query):
            row = _as_row(event)
            writer.writerow({**row, "details": json.dumps(row["details"], sort_keys=True)})
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
        return
    for event in _batches(session, query):
        yield json.dumps(_as_row(event), sort_keys=True) + "\n"
