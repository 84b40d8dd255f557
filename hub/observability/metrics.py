"""Prometheus metrics: requests and latencies by route, pulls, queue depth, policy decisions.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (deploy/ does) so every worker's
counts are collected together.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("hub_http_requests_total", "HTTP requests answered.",
                   ["method", "route", "status"])
LATENCY = Histogram("hub_http_request_duration_seconds", "Time to answer a request.",
                    ["method", "route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
PULLS = Counter("hub_pulls_total", "Extract pulls, by outcome.", ["outcome"])
DECISIONS = Counter("hub_policy_decisions_total", "Policy decisions, by outcome.", ["outcome"])
QUEUE_DEPTH = Gauge("hub_queue_depth", "Jobs waiting in each queue.", ["queue"],
                    multiprocess_mode="max")

#: Callables that refresh gauges right before a scrape (the queue depth, say).
_before_scrape: list[Callable[[], None]] = []


def before_scrape(refresh: Callable[[], None]) -> None:
    _before_scrape.append(refresh)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, gathered from every worker when multiprocess."""
    for refresh in _before_scrape:
        refresh()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
