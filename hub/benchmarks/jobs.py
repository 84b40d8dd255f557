"""The recompute job, queued when an extract lands: a plain function given ids, safe to rerun."""

from __future__ import annotations

import logging
from typing import Any

from flask import has_app_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.benchmarks import service
from hub.benchmarks.extension import get_benchmarks
from hub.pulls.models import ExtractRevision
from policies.measures import DATASET_WORKFORCE

log = logging.getLogger(__name__)

# Two first computations of one period may race to insert its version row; the loser retries.
_TRIES = 3


def recompute_job(dataset: str, period: str) -> dict[str, Any]:
    """Recompute the figures of ``dataset`` and ``period`` from the latest revisions."""
    benchmarks = get_benchmarks()
    benchmarks.release(dataset, period)
    for tried in range(1, _TRIES + 1):
        try:
            with benchmarks.database.session() as session:
                version = service.recompute(session, benchmarks, dataset, period)
                return {"dataset": dataset, "period": period, "version": version.version}
        except IntegrityError:
            if tried == _TRIES:
                raise
    raise AssertionError("unreachable")


def extract_landed(la_code: str, dataset: str, period: str) -> None:
    """The pulls' hook: queue one recompute of the period, unless one is already queued."""
    if not has_app_context():
        log.warning("extract of %s %s %s landed outside the hub; figures not recomputed",
                    la_code, dataset, period)
        return
    benchmarks = get_benchmarks()
    if benchmarks.claim(dataset, period):
        benchmarks.queue.enqueue(recompute_job, dataset, period)


def recompute_every_period(dataset: str = DATASET_WORKFORCE) -> int:
    """Queue a recompute of every period with extracts (each does nothing when its inputs
    are unchanged): a process stopped before its queued recomputes ran leaves none stale."""
    benchmarks = get_benchmarks()
    with benchmarks.database.session() as session:
        periods = list(session.scalars(select(ExtractRevision.period).where(
            ExtractRevision.dataset == dataset).distinct()))
    queued = [p for p in periods if benchmarks.claim(dataset, p)]
    for period in queued:
        benchmarks.queue.enqueue(recompute_job, dataset, period)
    return len(queued)
