"""Where pull jobs run: rq workers when Redis is configured, threads in this process otherwise.

Both run the same job functions from ``hub.pulls.jobs``, with the same arguments.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, Protocol

import redis
from flask import Flask
from rq import Queue, Retry, Worker
from rq.job import Job

from hub.observability.context import current_request_id, reset_request_id, set_request_id

log = logging.getLogger(__name__)

QUEUE_NAME = "pulls"
#: A refresh of every connector may take minutes when many are slow; a single pull less.
REFRESH_TIMEOUT = 1800
PULL_TIMEOUT = 300
# A job whose worker died (killed, host lost) is run again by rq this many times.
_ABANDONED_RETRIES = Retry(max=2, interval=[5, 30])


class JobQueue(Protocol):
    """Runs a job function now or after ``delay`` seconds."""

    def enqueue(self, func: Callable[..., Any], *args: Any, delay: float = 0.0,
                timeout: int = PULL_TIMEOUT) -> str: ...


class HubWorker(Worker):
    """rq's worker, logging each job under the request id of the request that queued it."""

    def perform_job(self, job: Job, queue: Queue, *args: Any, **kwargs: Any) -> bool:
        token = set_request_id(job.meta.get("request_id") or f"job-{job.id}")
        try:
            return bool(super().perform_job(job, queue, *args, **kwargs))
        finally:
            reset_request_id(token)


class RqJobQueue:
    """rq's queue; delayed jobs need a worker started with its scheduler (`hub jobs worker`)."""

    def __init__(self, connection: redis.Redis, name: str = QUEUE_NAME) -> None:
        self.queue = Queue(name, connection=connection)

    def enqueue(self, func: Callable[..., Any], *args: Any, delay: float = 0.0,
                timeout: int = PULL_TIMEOUT) -> str:
        options: dict[str, Any] = {"job_timeout": timeout, "retry": _ABANDONED_RETRIES,
                                   "result_ttl": 86400, "failure_ttl": 7 * 86400,
                                   # The worker logs the job under the request that queued it.
                                   "meta": {"request_id": current_request_id()}}
        if delay > 0:
            job = self.queue.enqueue_in(timedelta(seconds=delay), func, *args, **options)
        else:
            job = self.queue.enqueue(func, *args, **options)
        return str(job.id)


class EmbeddedJobQueue:
    """Runs jobs on a few threads of this process, each inside the app's context.

    The threads belong to the process that started them: a forked child (gunicorn's worker)
    starts its own on its first job rather than queue work for threads that are not there.
    """

    def __init__(self, app: Flask, workers: int = 4) -> None:
        self._app = app
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pid = 0
        self._timers: set[threading.Timer] = set()
        self._count = 0
        self._lock = threading.Lock()

    def enqueue(self, func: Callable[..., Any], *args: Any, delay: float = 0.0,
                timeout: int = PULL_TIMEOUT) -> str:
        with self._lock:
            self._count += 1
            job_id = f"embedded-{self._count}"
        request_id = current_request_id()
        if delay > 0:
            timer = threading.Timer(delay, self._submit_later, (func, args, request_id))
            timer.daemon = True
            with self._lock:
                self._timers.add(timer)
            timer.start()
        else:
            self._executor().submit(self._run, func, args, request_id)
        return job_id

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ThreadPoolExecutor(max_workers=self._workers,
                                                thread_name_prefix="hub-job")
                self._pid = os.getpid()
            return self._pool

    def _submit_later(self, func: Callable[..., Any], args: tuple[Any, ...],
                      request_id: str | None) -> None:
        with self._lock:
            self._timers.discard(threading.current_thread())  # type: ignore[arg-type]
        self._executor().submit(self._run, func, args, request_id)

    def _run(self, func: Callable[..., Any], args: tuple[Any, ...],
             request_id: str | None = None) -> None:
        set_request_id(request_id)  # a fresh context per pool task: nothing to reset
        with self._app.app_context():
            try:
                func(*args)
            except Exception:
                log.exception("embedded job %s failed", getattr(func, "__name__", func))

    def wait(self) -> None:
        """Finish the jobs submitted so far (not delayed ones); for commands and tests."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None and self._pid == os.getpid():
            pool.shutdown(wait=True)

    def stop(self) -> None:
        """Drop jobs not yet started and delayed ones; jobs running finish on their own.

        A pull dropped here was accepted with an attempt row, which the next start queues
        again (``hub.pulls.jobs.resume_unfinished``).
        """
        with self._lock:
            pool, self._pool = self._pool, None
            timers, self._timers = self._timers, set()
        for timer in timers:
            timer.cancel()
        if pool is not None and self._pid == os.getpid():
            pool.shutdown(wait=False, cancel_futures=True)


def embedded_queues(app: Flask) -> list[EmbeddedJobQueue]:
    """The app's in-process job queues (pulls, recomputes); none when jobs go to rq."""
    queues = (app.extensions[name].queue for name in ("hub.pulls", "hub.benchmarks"))
    return [queue for queue in queues if isinstance(queue, EmbeddedJobQueue)]
