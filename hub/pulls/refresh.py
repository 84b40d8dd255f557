"""A refresh: every enabled connector (of a region, if asked) pulled concurrently.

The landing hooks hear of the extracts a refresh stored once its pulls are all in, not one by
one as they land: the figures of a period are recomputed once per refresh, after it, instead of
over and over beside the pulls they would slow down.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.organisations.models import Organisation
from hub.pulls.hooks import extract_landed
from hub.pulls.models import INGESTED, RETRYING
from hub.pulls.service import LATEST, Puller, PullResult, Transient
from hub.registry.models import Connector
from policies.measures import DATASETS

#: No retry waits longer than this, whatever the backoff doubles to.
MAX_BACKOFF = 3600.0


@dataclass(frozen=True)
class Target:
    """One extract to pull."""

    connector_id: int
    dataset: str
    period: str


def plan(session: Session, region: str | None = None, periods: Sequence[str] = ()
         ) -> list[Target]:
    """Every enabled connector's extracts for ``periods`` (default: the newest each lists)."""
    query = select(Connector.id).where(Connector.enabled.is_(True)).order_by(Connector.la_code)
    if region is not None:
        query = query.join(Organisation, Organisation.code == Connector.la_code).where(
            Organisation.region_code == region)
    return [Target(connector_id, dataset, period)
            for connector_id in session.scalars(query)
            for dataset in DATASETS for period in (periods or (LATEST,))]


def backoff(base: float, attempt: int, retry_after: float | None = None) -> float:
    """Seconds before try ``attempt + 1``: doubling from ``base``, jittered, >= Retry-After."""
    delay = min(MAX_BACKOFF, base * 2 ** (attempt - 1))
    # Jitter spreads the retries of connectors that failed together (one outage, one refresh).
    jittered = delay * random.uniform(0.5, 1.5)  # noqa: S311 - timing, not security
    return min(MAX_BACKOFF, max(jittered, retry_after or 0.0))


def refresh(puller: Puller, targets: Iterable[Target], concurrency: int,
            retry: Callable[[Target, Transient], object],
            progress: Callable[[PullResult], None] | None = None, actor: str = "job:refresh",
            retries: bool = True, stop: threading.Event | None = None) -> list[PullResult]:
    """Pull ``targets`` ``concurrency`` at a time; transient failures go to ``retry``.

    Without ``retries`` (or with HUB_PULL_RETRIES=0) a transient failure is recorded at once.
    Once ``stop`` is set, targets not yet started are left for the next refresh.
    """
    final = not retries or puller.settings.pull_retries == 0
    # The pulls run in the caller's app context, if any, so hooks can reach the hub.
    app = current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]

    def pull(target: Target) -> PullResult | None:
        if stop is not None and stop.is_set():
            return None
        with app.app_context() if app is not None else nullcontext():
            return puller.pull(target.connector_id, target.dataset, target.period,
                               final=final, actor=actor, announce=False)

    results: list[PullResult] = []
    try:
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="pull") as pool:
            futures = {pool.submit(pull, t): t for t in targets}
            for future in as_completed(futures):
                target = futures[future]
                try:
                    result = future.result()
                except Transient as exc:
                    retry(target, exc)
                    result = PullResult(target.connector_id, exc.target.la_code,
                                        target.dataset, exc.target.period, RETRYING,
                                        error_code=exc.error.code, reason=exc.error.reason)
                if result is None:
                    continue
                results.append(result)
                if progress is not None:
                    progress(result)
    finally:
        # Whatever stopped the refresh, what it stored is announced.
        with app.app_context() if app is not None else nullcontext():
            for landed in results:
                if landed.outcome == INGESTED:
                    extract_landed(landed.la_code, landed.dataset, landed.period)
    return results
