"""Fixtures for the agreement, loader and decision tests: reference data and agreements."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policies.agreement import Agreement
from policies.compiler import compile_policies
from policies.loader import load_agreement, load_agreements
from policies.policyset import PolicySet

ROOT = Path(__file__).resolve().parents[2]
AGREEMENTS = ROOT / "agreements"
#: A moment at which every shipped agreement is in force.
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def read_reference() -> dict[str, frozenset[str]]:
    regions: dict[str, set[str]] = defaultdict(set)
    with (ROOT / "hub" / "data" / "local_authorities.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            regions[row["region_code"]].add(row["ons_code"])
    return {code: frozenset(las) for code, las in regions.items()}


def agreement_files() -> list[tuple[str, str]]:
    return [(p.name, p.read_text()) for p in sorted(AGREEMENTS.glob("*.yaml"))]


@pytest.fixture(scope="session")
def reference() -> dict[str, frozenset[str]]:
    return read_reference()


@pytest.fixture(scope="session")
def agreements(reference: dict[str, frozenset[str]]) -> list[Agreement]:
    loaded, problems = load_agreements(agreement_files(), reference)
    assert problems == []
    return loaded


@pytest.fixture(scope="session")
def policy_set(agreements: list[Agreement]) -> PolicySet:
    return compile_policies(agreements, [], NOW)


#: Reference data of the small agreement below: two regions, three LAs in the first.
SMALL_REFERENCE = {
    "E12000001": frozenset({"E06000001", "E06000002", "E06000003"}),
    "E12000002": frozenset({"E06000010", "E06000011"}),
}

#: A valid agreement whose line numbers the loader tests rely on (see the comments).
SMALL = """\
region: E12000001
version: 1
effective_from: 2025-04-01
owner: Directors of Children's Services, Test
parties:
  - E06000001
  - E06000002
  - E06000003
purposes:
  - Benchmarking
measures:
  - agency_rate
  - agency_above_cap
retention:
  extract_months: 24
permissions:
  - id: p1
    audience: self
    grain: own
    measures: all
  - id: p2
    audience: region_parties
    grain: la
    measures:
      - agency_rate
    constraints:
      min_cell_count: 5
      rounding_base: 5
      min_contributors: 3
      dominance_share: 0.5
prohibitions:
  - id: x1
    audience: other_regions
    measures: [agency_above_cap]
duties:
  - id: d1
    action: audit-reads
"""


def edit(text: str, old: str, new: str) -> str:
    """``text`` with exactly one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


@pytest.fixture
def load_small() -> Callable[..., object]:
    def load(text: str = SMALL, loaded: tuple[Agreement, ...] = ()) -> object:
        return load_agreement(text, "small.yaml", SMALL_REFERENCE, loaded)
    return load
