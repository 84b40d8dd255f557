"""Wiring of pulls into the app: the puller, its shared token cache, and the job queue."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from connectors.client import MemoryTokenCache, TokenCache
from hub.config import Settings
from hub.crypto import SecretBox
from hub.db import get_db
from hub.observability import metrics
from hub.pulls.queue import EmbeddedJobQueue, JobQueue, RqJobQueue
from hub.pulls.service import Puller
from hub.pulls.tokens import RedisTokenCache
from hub.redis_client import get_redis


@dataclass
class Pulls:
    puller: Puller
    queue: JobQueue

    @property
    def settings(self) -> Settings:
        return self.puller.settings


def init_app(app: Flask, settings: Settings, box: SecretBox) -> Pulls:
    """Pull through Redis and rq when configured, in this process otherwise."""
    redis = get_redis(app)
    cache: TokenCache = RedisTokenCache(redis, box) if redis is not None else MemoryTokenCache()
    queue: JobQueue = RqJobQueue(redis) if redis is not None else EmbeddedJobQueue(app)
    pulls = Pulls(Puller(get_db(app), box, settings, cache), queue)
    app.extensions["hub.pulls"] = pulls
    if isinstance(queue, RqJobQueue):
        rq_queue = queue.queue
        metrics.before_scrape(f"queue:{rq_queue.name}", lambda: metrics.QUEUE_DEPTH.labels(
            rq_queue.name).set(rq_queue.count))
    return pulls


def get_pulls(app: Flask | None = None) -> Pulls:
    """The app's Pulls."""
    pulls: Pulls = (app or current_app).extensions["hub.pulls"]
    return pulls
