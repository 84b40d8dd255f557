"""Prometheus metrics: requests and latencies by route, pulls, queue depth, policy decisions.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (deploy/ does) so every worker's
counts are collected together.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

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

_PERMITS, _DENIES = DECISIONS.labels("permit"), DECISIONS.labels("deny")


def count_decision(decision: Any) -> None:
    """Count one policy decision by outcome (label children resolved once: a hot path)."""
    (_PERMITS if decision.permit else _DENIES).inc()


def count_decisions(permits: int, denies: int) -> None:
    """Count the policy decisions a whole release made, by outcome."""
    if permits:
        _PERMITS.inc(permits)
    if denies:
        _DENIES.inc(denies)


#: Callables that refresh gauges right before a scrape (the queue depth, say), by name: an app
#: built again in the same process replaces its refresher rather than adding one.
_before_scrape: dict[str, Callable[[], None]] = {}


def before_scrape(name: str, refresh: Callable[[], None]) -> None:
    _before_scrape[name] = refresh


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, gathered from every worker when multiprocess."""
    for refresh in list(_before_scrape.values()):
        refresh()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
