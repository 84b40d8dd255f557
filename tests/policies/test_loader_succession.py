"""Versions of one region's agreement must increase and must not overlap in time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from policies.agreement import Agreement
from policies.compiler import compile_policies
from policies.loader import load_agreement, load_agreements
from policies.succession import in_force
from tests.policies.conftest import SMALL, SMALL_REFERENCE, edit


def version(number: int, start: str, end: str | None = None) -> str:
    text = edit(edit(SMALL, "version: 1", f"version: {number}"),
                "effective_from: 2025-04-01", f"effective_from: {start}")
    return text if end is None else edit(text, "owner:", f"effective_to: {end}\nowner:")


def loaded(*texts: str) -> list[Agreement]:
    accepted, problems = load_agreements([(f"v{i}.yaml", t) for i, t in enumerate(texts)],
                                         SMALL_REFERENCE)
    assert problems == []
    return accepted


def test_a_later_version_supersedes_from_its_start() -> None:
    v1, v2 = loaded(version(1, "2025-04-01"), version(2, "2025-10-01"))
    assert in_force([v1, v2], date(2025, 9, 30))["E12000001"] is v1
    assert in_force([v1, v2], date(2025, 10, 1))["E12000001"] is v2
    assert in_force([v1, v2], date(2025, 3, 31)) == {}


def test_an_explicit_end_leaves_a_gap() -> None:
    v1, v2 = loaded(version(1, "2025-04-01", "2025-06-30"), version(2, "2025-10-01"))
    assert in_force([v1, v2], date(2025, 6, 30))["E12000001"] is v1
    assert in_force([v1, v2], date(2025, 7, 1)) == {}
    policy = compile_policies([v1, v2], [], datetime(2025, 8, 1, tzinfo=UTC))
    assert policy.agreements == ()


@pytest.mark.parametrize(("number", "start", "line", "path", "message"), [
    pytest.param(1, "2025-10-01", 2, "version", "does not follow version 1", id="same-version"),
    pytest.param(0 + 1, "2026-01-01", 2, "version", "versions must increase", id="not-higher"),
    pytest.param(2, "2025-04-01", 3, "effective_from", "which starts 2025-04-01",
                 id="same-start"),
    pytest.param(2, "2025-01-01", 3, "effective_from", "must start after", id="earlier-start"),
])
def test_non_increasing_or_overlapping_versions(number: int, start: str, line: int, path: str,
                                                message: str) -> None:
    (v1,) = loaded(version(1, "2025-04-01"))
    problems = load_agreement(version(number, start), "v2.yaml", SMALL_REFERENCE, [v1])
    assert isinstance(problems, list)
    assert any(p.line == line and p.path == path and message in p.message
               for p in problems), [str(p) for p in problems]


def test_an_explicit_end_after_the_next_start_overlaps() -> None:
    (v1,) = loaded(version(1, "2025-04-01", "2025-12-31"))
    problems = load_agreement(version(2, "2025-10-01"), "v2.yaml", SMALL_REFERENCE, [v1])
    assert isinstance(problems, list)
    assert [(p.line, p.path) for p in problems] == [(3, "effective_from")]
    assert "in force until 2025-12-31" in problems[0].message


def test_other_regions_versions_do_not_interfere() -> None:
    (v1,) = loaded(version(3, "2025-04-01"))
    other = edit(edit(SMALL, "region: E12000001", "region: E12000002"),
                 "  - E06000001\n  - E06000002\n  - E06000003\n", "  - E06000010\n")
    assert isinstance(load_agreement(other, "other.yaml", SMALL_REFERENCE, [v1]), Agreement)
