"""The pull jobs: plain functions given ids, run by rq workers or in-process, safe to run twice.

They find the hub through the app context the worker runs them in (`hub jobs worker`, or the
embedded queue), never through live objects passed in.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from hub.pulls.extension import Pulls, get_pulls
from hub.pulls.queue import REFRESH_TIMEOUT
from hub.pulls.refresh import RETRYING, Target, backoff, plan, refresh
from hub.pulls.service import Transient, unfinished

log = logging.getLogger(__name__)


def pull_job(connector_id: int, dataset: str, period: str, attempt: int = 1,
             actor: str = "job:pull", attempt_id: int | None = None) -> dict[str, Any]:
    """Pull one extract; a transient failure is queued again after a backoff, then recorded.

    ``attempt_id`` is the row of a pull accepted on request: it ends with this job's outcome,
    whatever that is, so an accepted pull is never silently dropped.
    """
    pulls = get_pulls()
    try:
        result = pulls.puller.pull(connector_id, dataset, period, attempt=attempt,
                                   final=attempt > pulls.settings.pull_retries, actor=actor,
                                   attempt_id=attempt_id)
    except Transient as exc:
        if attempt_id is not None:
            pulls.puller.retrying(attempt_id, exc.error.code, exc.error.reason, attempt)
        retry_later(pulls, Target(connector_id, dataset, exc.target.period), exc, attempt, actor,
                    attempt_id)
        return {**asdict(exc.target), "outcome": RETRYING, "error_code": exc.error.code}
    except Exception as exc:
        if attempt_id is not None:
            pulls.puller.failed_unexpectedly(attempt_id, exc)
        raise
    return asdict(result)


def refresh_job(region: str | None = None, periods: Sequence[str] = (),
                actor: str = "job:refresh", stop: threading.Event | None = None
                ) -> dict[str, int]:
    """Pull every enabled connector (of ``region``) concurrently; counts by outcome.

    ``stop`` (in-process only) leaves the pulls not yet started for the next refresh.
    """
    pulls = get_pulls()
    with pulls.puller.database.session() as session:
        targets = plan(session, region, periods)
    results = refresh(pulls.puller, targets, pulls.settings.pull_concurrency,
                      lambda target, exc: retry_later(pulls, target, exc, 1, actor), actor=actor,
                      stop=stop)
    return dict(Counter(r.outcome for r in results))


def retry_later(pulls: Pulls, target: Target, exc: Transient, attempt: int, actor: str,
                attempt_id: int | None = None) -> str:
    """Queue try ``attempt + 1`` of ``target`` after the backoff; returns the job's id."""
    delay = backoff(pulls.settings.pull_backoff, attempt, exc.error.retry_after)
    log.info("pull of connector %s %s %s failed (%s); try %d in %.0f s", target.connector_id,
             target.dataset, target.period, exc, attempt + 1, delay)
    return pulls.queue.enqueue(pull_job, target.connector_id, target.dataset, target.period,
                               attempt + 1, actor, attempt_id, delay=delay)


def enqueue_refresh(pulls: Pulls, region: str | None = None, periods: Sequence[str] = (),
                    actor: str = "job:refresh") -> str:
    """Queue a refresh; returns the job's id."""
    return pulls.queue.enqueue(refresh_job, region, tuple(periods), actor,
                               timeout=REFRESH_TIMEOUT)


def queue_pull(pulls: Pulls, connector_id: int, dataset: str, period: str, actor: str,
               attempt_id: int | None = None) -> str:
    """Queue a pull of one extract (completing an accepted attempt); returns the job's id."""
    return pulls.queue.enqueue(pull_job, connector_id, dataset, period, 1, actor, attempt_id)


def resume_unfinished(pulls: Pulls, actor: str = "job:resume") -> int:
    """Queue again every accepted pull that no job finished (the process that held it
    stopped); how many. For the embedded queue only: rq keeps its own jobs."""
    with pulls.puller.database.session() as session:
        pending = [(a.id, a.connector_id, a.dataset, a.period, max(a.attempts, 1))
                   for a in unfinished(session)]
    for attempt_id, connector_id, dataset, period, attempt in pending:
        pulls.queue.enqueue(pull_job, connector_id, dataset, period, attempt, actor, attempt_id)
    return len(pending)
