"""Fixtures shared by the agreement, consent and decision tests: the shipped agreements loaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from hub.agreements import service
from hub.decisions.store import get_policy_store

AGREEMENTS_DIR = Path(__file__).resolve().parents[3] / "agreements"
LONDON = "E12000007"


def shipped() -> list[service.SourceFile]:
    return [service.SourceFile(p.name, p.read_text())
            for p in sorted(AGREEMENTS_DIR.glob("*.yaml"))]


def london_v4(old: str | None = None, new: str | None = None) -> str:
    """London's agreement as a version 4 starting 2026-06-01, with one edit."""
    text = (AGREEMENTS_DIR / "london.yaml").read_text()
    text = text.replace("version: 3", "version: 4", 1).replace(
        "effective_from: 2025-04-01", "effective_from: 2026-06-01", 1)
    if old is not None and new is not None:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    return text


@pytest.fixture
def load_into() -> Callable[[Flask], service.LoadResult]:
    """Loads the shipped agreements into an app's database, as `hub agreements load` does."""

    def load(application: Flask) -> service.LoadResult:
        with application.app_context(), application.extensions["hub.db"].session() as session:
            return service.load(session, shipped(), "cli:test", get_policy_store(application))

    return load


@pytest.fixture
def loaded_app(app: Flask, load_into: Callable[[Flask], service.LoadResult]) -> Flask:
    """The test's app with every shipped agreement loaded."""
    assert not load_into(app).problems
    return app
