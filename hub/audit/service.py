"""Append to the audit log inside the caller's transaction, and verify the chain end to end.

Each event's hash covers its predecessor's hash and its own fields (not its id, so the chain,
not the numbering, fixes the order). Appends are serialised across processes, so two events
never claim the same predecessor: PostgreSQL takes a transaction-scoped advisory lock, SQLite
takes its database write lock. A hash chain without an outside anchor cannot show that events
were cut from its end: verify() reports the head hash so operators can record it elsewhere.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from hub.audit.models import AuditEvent

#: The predecessor of the first event.
GENESIS = "0" * 64
#: The advisory lock key of the audit chain (any constant shared by every process will do).
_LOCK_KEY = 0x617564697463
_BATCH = 1000
#: The fields an event's hash covers, besides its predecessor's hash.
_HASHED = ("at", "actor", "org_code", "action", "target", "details")


def operator() -> str:
    """``cli:<user>``: who ran a command on the server, as the audit log names them."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli:unknown"


def canonical(event: AuditEvent | Mapping[str, Any]) -> str:
    """The event's hashed fields as canonical JSON: sorted keys, no spaces, UTC microseconds."""
    fields = event if isinstance(event, Mapping) else {
        name: getattr(event, name) for name in _HASHED}
    return json.dumps({
        "at": fields["at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": fields["actor"], "org_code": fields["org_code"], "action": fields["action"],
        "target": fields["target"], "details": fields["details"],
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, event: AuditEvent | Mapping[str, Any]) -> str:
    """sha256 of the predecessor's hash followed by the event's canonical JSON."""
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def _serialise(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    else:
        # A write statement takes SQLite's database lock now, before the head is read, and
        # holds it until the caller's transaction ends.
        session.execute(text("UPDATE audit_events SET id = id WHERE 1 = 0"))


def record(session: Session, *, actor: str, action: str, target: str,
           org_code: str | None = None, details: dict[str, Any] | None = None) -> None:
    """Append one event in the caller's transaction; it is in the log when the caller commits."""
    record_many(session, [{"actor": actor, "action": action, "target": target,
                           "org_code": org_code, "details": details}])


def record_many(session: Session, events: Sequence[Mapping[str, Any]]) -> int:
    """Append events (each with record()'s keywords) in order, under one lock and head read;
    how many were appended."""
    if not events:
        return 0
    _serialise(session)
    head = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    prev_hash = head or GENESIS
    rows = []
    for fields in events:
        # Round-tripped through JSON so the hash covers exactly what the database hands back.
        row = {"at": datetime.now(UTC), "actor": fields["actor"],
               "org_code": fields.get("org_code"), "action": fields["action"],
               "target": fields["target"],
               "details": json.loads(json.dumps(fields.get("details") or {})),
               "prev_hash": prev_hash}
        row["hash"] = prev_hash = chain_hash(prev_hash, row)
        rows.append(row)
    # A Core insert of plain rows: reads are audited in batches of thousands, where building
    # ORM objects cost more than the insert. Ids, which order the chain, follow the rows.
    session.execute(insert(AuditEvent), rows)
    return len(rows)


@dataclass(frozen=True)
class Verification:
    """The outcome of walking the chain: intact, or where and how it first breaks."""

    count: int
    head: str
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.count} events, head {self.head}"
        return f"audit chain broken at event {self.broken_at}: {self.problem}"


def _events(session: Session) -> Iterable[AuditEvent]:
    last = None
    while True:
        query = select(AuditEvent).order_by(AuditEvent.id).limit(_BATCH)
        if last is not None:
            query = query.where(AuditEvent.id > last)
        batch = session.scalars(query).all()
        yield from batch
        if len(batch) < _BATCH:
            return
        last = batch[-1].id


def verify(session: Session) -> Verification:
    """Walk the chain in id order; report the first changed, deleted, inserted or moved event."""
    # Every hash, to tell a moved or inserted event from a deleted one.
    position = {h: i for i, h in enumerate(session.scalars(
        select(AuditEvent.hash).order_by(AuditEvent.id)))}
    expected, before, count, previous_id = GENESIS, GENESIS, 0, 0
    for index, event in enumerate(_events(session)):
        if chain_hash(event.prev_hash, event) != event.hash:
            return Verification(count, expected, event.id,
                                "changed: its fields no longer match its hash")
        if event.prev_hash != expected:
            found = position.get(event.prev_hash)
            if found is not None and found > index:
                return Verification(count, expected, event.id,
                                    "reordered: it follows an event that now comes after it")
            if event.prev_hash == before:
                return Verification(count - 1, before, previous_id,
                                    f"inserted: event {event.id} after it follows the same "
                                    "predecessor, so it was not in the chain")
            if found is not None:
                return Verification(count, expected, event.id,
                                    "inserted: events were added between it and the event "
                                    "it follows")
            return Verification(count, expected, event.id,
                                "deleted: no event in the log has the hash it follows")
        before, expected, count, previous_id = expected, event.hash, count + 1, event.id
    return Verification(count, expected)
