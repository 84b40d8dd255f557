"""One pull: fetch and verify an extract, then store it, or record why not, in one transaction.

Nothing is written until the extract has been fetched, verified and parsed; the revision, the
pull attempt, the connector's last outcome and the audit event then commit together or not at
all, so a pull killed at any point leaves no partial extract behind. Pulls of this process that
are ready to store at the same moment share that transaction (``hub.pulls.landing``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.client import ConnectorClient, PullError, TokenCache, TransientPullError
from connectors.contract import Extract
from hub.audit.service import record, record_many
from hub.config import Settings
from hub.crypto import SecretBox
from hub.db import Database
from hub.observability import metrics
from hub.pulls.hooks import extract_landed
from hub.pulls.landing import GroupCommit
from hub.pulls.models import (
    FAILED,
    INGESTED,
    QUEUED,
    RETRYING,
    UNCHANGED,
    ExtractRevision,
    PullAttempt,
)
from hub.registry.models import Connector
from hub.registry.service import allowed_hosts, details_of
from hub.registry.urls import url_policy

log = logging.getLogger(__name__)

#: The period a pull asks for when it should take the newest one the connector lists.
LATEST = "latest"
# Two pulls of the same extract may race for the next revision number; the loser tries again.
_INGEST_TRIES = 3


class Transient(Exception):
    """A pull failed in a way worth retrying; nothing was recorded."""

    def __init__(self, error: TransientPullError, target: PullResult) -> None:
        super().__init__(f"{error.code}: {error.reason}")
        self.error = error
        self.target = target


@dataclass(frozen=True)
class Fetched:
    """An extract fetched, verified and parsed, ready to store."""

    base: PullResult
    extract: Extract
    body: bytes
    signature: str
    started: datetime
    actor: str


@dataclass(frozen=True)
class PullResult:
    """How one pull ended."""

    connector_id: int
    la_code: str
    dataset: str
    period: str
    outcome: str
    revision: int | None = None
    error_code: str | None = None
    reason: str | None = None
    attempts: int = 1
    #: The accepted attempt this pull completes, if it was accepted before it ran.
    attempt_id: int | None = None


class Puller:
    """Pulls extracts with the hub's settings, secrets and shared token cache."""

    def __init__(self, database: Database, box: SecretBox, settings: Settings,
                 token_cache: TokenCache) -> None:
        self.database = database
        self.box = box
        self.settings = settings
        self.token_cache = token_cache
        self._landing: GroupCommit[Fetched, PullResult] = GroupCommit(self._store_together)

    def pull(self, connector_id: int, dataset: str, period: str, *, attempt: int = 1,
             final: bool = True, actor: str = "job:pull", attempt_id: int | None = None,
             announce: bool = True) -> PullResult:
        """Pull one extract; raises Transient instead of recording when not ``final``.

        With ``attempt_id`` (a pull accepted earlier), the outcome completes that attempt's
        row instead of adding one. Without ``announce`` the caller tells the landing hooks
        (a refresh does, once all its pulls are in).
        """
        started = datetime.now(UTC)
        with self.database.session() as session:
            connector = session.get(Connector, connector_id)
            if connector is None:
                raise LookupError(f"no connector {connector_id}")
            la_code, enabled = connector.la_code, connector.enabled
            details = details_of(connector, self.box)
            jwks, policy = connector.jwks, url_policy(self.settings, allowed_hosts(session))
            held = session.scalar(select(func.max(ExtractRevision.period)).where(
                ExtractRevision.la_code == la_code, ExtractRevision.dataset == dataset)) \
                if period == LATEST else None
        base = PullResult(connector_id, la_code, dataset, period, FAILED, attempts=attempt,
                          attempt_id=attempt_id)
        if not enabled:
            return self._failed(base, "disabled", "connector is disabled", started, actor)
        try:
            with ConnectorClient(details.base_url, details.token_url, jwks, details.client_id,
                                 details.client_secret, policy, la_code=la_code,
                                 token_cache=self.token_cache) as client:
                if period == LATEST:
                    # The newest period this hub holds is most often still the newest.
                    newest = client.fetch_newest(dataset, held)
                    if newest is None:
                        return self._failed(base, "not_found", f"connector lists no period of "
                                            f"{dataset}", started, actor)
                    extract, body, signature = newest
                    period = extract.period
                    base = _with(base, FAILED, period=period)
                else:
                    extract, body, signature = client.fetch_extract(dataset, period)
        except TransientPullError as exc:
            if not final:
                raise Transient(exc, base) from None
            return self._failed(base, exc.code, exc.reason, started, actor)
        except PullError as exc:
            return self._failed(base, exc.code, exc.reason, started, actor)
        result = self._ingest(Fetched(base, extract, body, signature, started, actor))
        if result.outcome == INGESTED and announce:
            extract_landed(la_code, dataset, period)
        return result

    def _ingest(self, fetched: Fetched) -> PullResult:
        stored = self._landing.submit(fetched)
        return stored if stored is not None else self._ingest_alone(fetched)

    def _store_together(self, batch: Sequence[Fetched]) -> list[PullResult]:
        with self.database.session() as session:
            return _store(session, batch)

    def _ingest_alone(self, fetched: Fetched) -> PullResult:
        base = fetched.base
        for tried in range(1, _INGEST_TRIES + 1):
            try:
                with self.database.session() as session:
                    return _store(session, [fetched])[0]
            except IntegrityError:
                if tried == _INGEST_TRIES:
                    raise
                log.info("revision of %s %s %s taken by a concurrent pull; trying again",
                         base.la_code, base.dataset, base.period)
        raise AssertionError("unreachable")

    def _failed(self, base: PullResult, code: str, reason: str, started: datetime,
                actor: str) -> PullResult:
        result = _with(base, FAILED, error_code=code, reason=reason)
        with self.database.session() as session:
            _record(session, _locked(session, base.connector_id), result, started, actor)
        return result

    def retrying(self, attempt_id: int, code: str, reason: str, attempts: int) -> None:
        """Say on an accepted attempt that it failed transiently and will be tried again."""
        with self.database.session() as session:
            row = session.get(PullAttempt, attempt_id)
            if row is not None:
                row.outcome, row.error_code, row.reason = RETRYING, code, reason[:200]
                row.attempts = attempts

    def failed_unexpectedly(self, attempt_id: int, error: BaseException) -> None:
        """Close an accepted attempt that its job could not finish, with the reason."""
        with self.database.session() as session:
            row = session.get(PullAttempt, attempt_id)
            if row is not None and row.finished_at is None:
                row.outcome, row.error_code = FAILED, "internal_error"
                row.reason = f"the pull stopped: {type(error).__name__}"[:200]
                row.finished_at = datetime.now(UTC)


def accept(session: Session, connector_id: int, dataset: str, period: str) -> PullAttempt:
    """Record a pull asked for now, before it is queued: it is never lost, only finished."""
    now = datetime.now(UTC)
    attempt = PullAttempt(connector_id=connector_id, dataset=dataset, period=period,
                          outcome=QUEUED, attempts=0, started_at=now, finished_at=None)
    session.add(attempt)
    session.flush()
    return attempt


def unfinished(session: Session) -> list[PullAttempt]:
    """Accepted attempts no job has finished: queued, or waiting for a retry."""
    return list(session.scalars(select(PullAttempt).where(
        PullAttempt.finished_at.is_(None)).order_by(PullAttempt.id)))


def content_digest(extract: Extract) -> str:
    """sha256 of the extract's figures, whatever time the connector stamped on it."""
    figures = {"dataset": extract.dataset, "la_code": extract.la_code,
               "period": extract.period, "components": dict(extract.components),
               "measures": {code: asdict(m) for code, m in extract.measures.items()},
               "breakdowns": extract.breakdowns}
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()


def _store(session: Session, batch: Sequence[Fetched]) -> list[PullResult]:
    """Store ``batch`` in the caller's transaction: each extract a new revision, or unchanged
    when its figures are those of the latest; a statement per step, not per pull."""
    connectors = _locked_all(session, {f.base.connector_id for f in batch})
    latest: dict[tuple[str, str, str], tuple[int, str]] = {}
    for row in session.execute(select(
            ExtractRevision.la_code, ExtractRevision.dataset, ExtractRevision.period,
            ExtractRevision.revision, ExtractRevision.content_sha256).where(
            tuple_(ExtractRevision.la_code, ExtractRevision.dataset, ExtractRevision.period)
            .in_(sorted({(f.base.la_code, f.base.dataset, f.base.period) for f in batch})))):
        key = (row.la_code, row.dataset, row.period)
        if key not in latest or latest[key][0] < row.revision:
            latest[key] = (row.revision, row.content_sha256)
    results, events = [], []
    for fetched in batch:
        base, extract, body = fetched.base, fetched.extract, fetched.body
        key, digest = (base.la_code, base.dataset, base.period), content_digest(extract)
        revision, content = latest.get(key, (0, ""))
        if content == digest:
            result = _with(base, UNCHANGED, revision=revision)
        else:
            # Two pulls of one extract in a batch: the second sees the first's revision.
            latest[key] = (revision + 1, digest)
            session.add(ExtractRevision(
                la_code=base.la_code, dataset=base.dataset, period=base.period,
                revision=revision + 1, sha256=hashlib.sha256(body).hexdigest(),
                content_sha256=digest, body=body, signature=fetched.signature,
                components=dict(extract.components),
                measures={code: asdict(m) for code, m in extract.measures.items()},
                breakdowns=json.loads(json.dumps(extract.breakdowns)),
                generated_at=extract.generated_at, received_at=datetime.now(UTC),
                connector_id=base.connector_id))
            result = _with(base, INGESTED, revision=revision + 1)
        events.append(_noted(session, connectors[base.connector_id], result, fetched.started,
                             fetched.actor))
        results.append(result)
    session.flush()
    # Last, so the audit chain's lock is held for as short a time as possible.
    record_many(session, events)
    return results


def _locked_all(session: Session, ids: set[int]) -> dict[int, Connector]:
    """The connectors ``ids``, locked as ``_locked`` does, in id order: a pull elsewhere that
    holds one of them while it waits for the audit chain cannot be waiting for us too."""
    in_order = select(Connector.id).where(Connector.id.in_(sorted(ids))).order_by(
        Connector.id).with_for_update()
    session.execute(update(Connector).where(Connector.id.in_(in_order)).values(
        id=Connector.id))
    found = {c.id: c for c in session.scalars(select(Connector).where(Connector.id.in_(ids)))}
    if set(found) != ids:
        raise LookupError(f"no connector {sorted(ids - set(found))}")
    return found


def _locked(session: Session, connector_id: int) -> Connector:
    # Writing first makes SQLite take its write lock before any read (two readers that both
    # upgrade to writers deadlock) and locks the row on PostgreSQL until commit, so pulls of
    # one LA store one at a time.
    session.execute(update(Connector).where(Connector.id == connector_id).values(
        id=Connector.id))
    connector = session.get(Connector, connector_id)
    assert connector is not None
    return connector


def _with(base: PullResult, outcome: str, **changes: object) -> PullResult:
    return PullResult(**{**asdict(base), "outcome": outcome, **changes})  # type: ignore[arg-type]


def _record(session: Session, connector: Connector, result: PullResult, started: datetime,
            actor: str) -> None:
    event = _noted(session, connector, result, started, actor)
    # Last, so the audit chain's lock is held for as short a time as possible.
    record(session, **event)


def _noted(session: Session, connector: Connector, result: PullResult, started: datetime,
           actor: str) -> dict[str, Any]:
    """The pull's attempt and the connector's last outcome noted; its audit event returned."""
    now = datetime.now(UTC)
    values = {"connector_id": result.connector_id, "dataset": result.dataset,
              "period": result.period, "outcome": result.outcome, "revision": result.revision,
              "error_code": result.error_code, "reason": result.reason,
              "attempts": result.attempts, "finished_at": now}
    accepted = session.get(PullAttempt, result.attempt_id) if result.attempt_id else None
    if accepted is not None:
        for key, value in values.items():
            setattr(accepted, key, value)
    else:
        session.add(PullAttempt(started_at=started, **values))
    connector.last_pull_at, connector.last_outcome = now, result.outcome
    connector.last_error = result.error_code
    metrics.PULLS.labels(result.outcome).inc()
    return {"actor": actor, "org_code": None, "action": f"pull.{result.outcome}",
            "target": f"connector:{result.connector_id}",
            "details": {"la_code": result.la_code, "dataset": result.dataset,
                        "period": result.period, "revision": result.revision,
                        "error_code": result.error_code, "attempts": result.attempts}}
