"""The pull jobs: plain functions given ids, run by rq workers or in-process, safe to run twice.

They find the hub through the app context the worker runs them in (`hub jobs worker`, or the
embedded queue), never through live objects passed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from hub.pulls.extension import Pulls, get_pulls
from hub.pulls.queue import REFRESH_TIMEOUT
from hub.pulls.refresh import RETRYING, Target, backoff, plan, refresh
from hub.pulls.service import Transient


def pull_job(connector_id: int, dataset: str, period: str, attempt: int = 1,
             actor: str = "job:pull") -> dict[str, Any]:
    """Pull one extract; a transient failure is queued again after a backoff, then recorded."""
    pulls = get_pulls()
    try:
        result = pulls.puller.pull(connector_id, dataset, period, attempt=attempt,
                                   final=attempt > pulls.settings.pull_retries, actor=actor)
    except Transient as exc:
        retry_later(pulls, Target(connector_id, dataset, exc.target.period), exc, attempt, actor)
        return {**asdict(exc.target), "outcome": RETRYING, "error_code": exc.error.code}
    return asdict(result)


def refresh_job(region: str | None = None, periods: Sequence[str] = (),
                actor: str = "job:refresh") -> dict[str, int]:
    """Pull every enabled connector (of ``region``) concurrently; counts by outcome."""
    pulls = get_pulls()
    with pulls.puller.database.session() as session:
        targets = plan(session, region, periods)
    results = refresh(pulls.puller, targets, pulls.settings.pull_concurrency,
                      lambda target, exc: retry_later(pulls, target, exc, 1, actor), actor=actor)
    return dict(Counter(r.outcome for r in results))


def retry_later(pulls: Pulls, target: Target, exc: Transient, attempt: int, actor: str) -> str:
    """Queue try ``attempt + 1`` of ``target`` after the backoff; returns the job's id."""
    delay = backoff(pulls.settings.pull_backoff, attempt, exc.error.retry_after)
    return pulls.queue.enqueue(pull_job, target.connector_id, target.dataset, target.period,
                               attempt + 1, actor, delay=delay)


def enqueue_refresh(pulls: Pulls, region: str | None = None, periods: Sequence[str] = (),
                    actor: str = "job:refresh") -> str:
    """Queue a refresh; returns the job's id."""
    return pulls.queue.enqueue(refresh_job, region, tuple(periods), actor,
                               timeout=REFRESH_TIMEOUT)


def queue_pull(pulls: Pulls, connector_id: int, dataset: str, period: str, actor: str) -> str:
    """Queue a pull of one extract; returns the job's id."""
    return pulls.queue.enqueue(pull_job, connector_id, dataset, period, 1, actor)
