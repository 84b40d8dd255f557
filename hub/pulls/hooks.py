"""Callbacks run when a new extract revision lands (benchmarks recompute from here)."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Landed = Callable[[str, str, str], None]
_CALLBACKS: list[Landed] = []


def on_extract_landed(callback: Landed) -> Landed:
    """Register ``callback(la_code, dataset, period)``; usable as a decorator."""
    if callback not in _CALLBACKS:
        _CALLBACKS.append(callback)
    return callback


def remove(callback: Landed) -> None:
    """Unregister ``callback``."""
    if callback in _CALLBACKS:
        _CALLBACKS.remove(callback)


def extract_landed(la_code: str, dataset: str, period: str) -> None:
    """Run every callback; one that fails is logged and does not undo the stored revision."""
    for callback in list(_CALLBACKS):
        try:
            callback(la_code, dataset, period)
        except Exception:
            log.exception("on_extract_landed callback %r failed", callback)
