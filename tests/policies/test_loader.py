"""One test per validation failure: each problem names its file, line, field path and cause."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policies.agreement import Agreement
from policies.compiler import compile_policies
from policies.decision import Resource, Subject
from policies.loader import Problem, load_agreement, load_agreements
from tests.policies.conftest import NOW, SMALL, SMALL_REFERENCE, edit


def test_the_small_agreement_loads(load_small: Callable[..., object]) -> None:
    agreement = load_small()
    assert isinstance(agreement, Agreement)
    assert agreement.parties == SMALL_REFERENCE["E12000001"]
    assert agreement.permissions[0].measures == agreement.measures  # `all` expands
    assert agreement.permissions[1].constraints is not None
    assert agreement.permissions[1].constraints.rate_decimals == 1


FAILURES = [
    pytest.param("owner: Directors", "owner: a: Directors", 4, "document", "YAML syntax error",
                 id="yaml-syntax"),
    pytest.param("retention:\n", "colour: blue\nretention:\n", 14, "colour", "unknown field",
                 id="unknown-field"),
    pytest.param("    grain: la\n", "    grain: la\n    colour: blue\n", 24,
                 "permissions[1].colour", "unknown field", id="unknown-nested-field"),
    pytest.param("owner: Directors of Children's Services, Test\n", "", 1, "owner",
                 "missing field", id="missing-field"),
    pytest.param("  extract_months: 24", "  months: 24", 15, "retention.extract_months",
                 "missing field", id="missing-nested-field"),
    pytest.param("version: 1", "version: one", 2, "version", "expected a whole number",
                 id="wrong-type"),
    pytest.param("version: 1", "version: true", 2, "version", "expected a whole number",
                 id="bool-is-not-int"),
    pytest.param("effective_from: 2025-04-01", "effective_from: April", 3, "effective_from",
                 "expected a date", id="wrong-type-date"),
    pytest.param("purposes:\n  - Benchmarking", "purposes: Benchmarking", 9, "purposes",
                 "expected a list", id="wrong-type-list"),
    pytest.param("  - agency_above_cap\n", "  - agency_ratee\n", 13, "measures[1]",
                 "unknown measure 'agency_ratee'", id="unknown-measure"),
    pytest.param("      - agency_rate\n    constraints", "      - absence_rate\n    constraints",
                 25, "permissions[1].measures", "'absence_rate' is not among the agreement",
                 id="measure-not-covered"),
    pytest.param("audience: region_parties", "audience: everyone", 22,
                 "permissions[1].audience", "unknown audience 'everyone'",
                 id="unknown-audience"),
    pytest.param("grain: la", "grain: borough", 23, "permissions[1].grain",
                 "unknown grain 'borough'", id="unknown-grain"),
    pytest.param("grain: la", "grain: national", 23, "permissions[1].grain",
                 "grain 'national' is not allowed here", id="national-grain-in-region"),
    pytest.param("    audience: other_regions", "    audience: self", 33,
                 "prohibitions[0].audience", "audience 'self' is not allowed here",
                 id="prohibition-of-self"),
    pytest.param("  - E06000002", "  - E06000010", 7, "parties[1]",
                 "'E06000010' is not a local authority of region E12000001",
                 id="party-not-in-region"),
    pytest.param("      min_cell_count: 5", "      min_cell_count: 1", 27,
                 "permissions[1].constraints.min_cell_count", "must be between 2 and",
                 id="threshold-below-2"),
    pytest.param("dominance_share: 0.5", "dominance_share: 1.5", 30,
                 "permissions[1].constraints.dominance_share", "must be above 0 and at most 1",
                 id="bad-dominance-share"),
    pytest.param("dominance_share: 0.5", "dominance_share: 0", 30,
                 "permissions[1].constraints.dominance_share", "must be above 0 and at most 1",
                 id="zero-dominance-share"),
    pytest.param("effective_from: 2025-04-01", "effective_from: 2025-04-01\n"
                 "effective_to: 2025-03-31", 4, "effective_to",
                 "2025-03-31 is before effective_from 2025-04-01", id="ends-before-start"),
    pytest.param("region: E12000001", "region: E12000099", 1, "region",
                 "unknown region 'E12000099'", id="unknown-region"),
    pytest.param("  - id: d1\n    action: audit-reads", "  - id: d1\n    action: shred", 37,
                 "duties[0].action", "unknown duty 'shred'", id="unknown-duty"),
    pytest.param("  - id: x1", "  - id: p1", 32, "prohibitions[0].id",
                 "clause id 'p1' is already used by permissions[0]", id="duplicate-clause-id"),
    pytest.param("  - id: p2", "  - id: P 2", 21, "permissions[1].id", "lower-case",
                 id="malformed-clause-id"),
    pytest.param("version: 1\n", "version: 1\nversion: 2\n", 3, "version", "duplicate field",
                 id="duplicate-field"),
    pytest.param("    grain: own\n", "    grain: own\n    constraints: {}\n", 20,
                 "permissions[0].constraints", "own grain is unrounded", id="own-with-rules"),
    pytest.param("    grain: own", "    grain: region", 19, "permissions[0].grain",
                 "audience 'self' cannot read at grain 'region'", id="self-at-region"),
    pytest.param("prohibitions:\n", "  - id: p3\n    audience: region_parties\n    grain: la\n"
                 "    measures: all\n    constraints: {min_cell_count: 3, rounding_base: 1, "
                 "min_contributors: 3, dominance_share: 0.5}\nprohibitions:\n", 31,
                 "permissions[2]", "'agency_rate' is already granted to region_parties at grain "
                 "la by permission p2", id="duplicate-grant"),
]


@pytest.mark.parametrize(("old", "new", "line", "path", "message"), FAILURES)
def test_each_failure_is_reported_with_line_and_path(
        load_small: Callable[..., object], old: str, new: str, line: int, path: str,
        message: str) -> None:
    problems = load_small(edit(SMALL, old, new))
    assert isinstance(problems, list), problems
    assert any(p.line == line and p.path == path and message in p.message
               for p in problems), [str(p) for p in problems]


def test_missing_constraints_for_a_controlled_grain(load_small: Callable[..., object]) -> None:
    text = SMALL.replace("    constraints:\n      min_cell_count: 5\n      rounding_base: 5\n"
                         "      min_contributors: 3\n      dominance_share: 0.5\n", "")
    problems = load_small(text)
    assert isinstance(problems, list)
    assert [(p.line, p.path) for p in problems] == [(23, "permissions[1].constraints")]


def test_problem_reads_as_file_line_path_message() -> None:
    problem = Problem("london.yaml", 27, "permissions[1].constraints.min_cell_count",
                      "must be between 2 and 10000, got 1")
    assert str(problem) == ("london.yaml:27: permissions[1].constraints.min_cell_count: "
                            "must be between 2 and 10000, got 1")


def test_all_problems_are_reported_not_just_the_first(load_small: Callable[..., object]) -> None:
    text = edit(edit(edit(SMALL, "version: 1", "version: zero"), "grain: la", "grain: x"),
                "  - E06000002", "  - E09999999")
    problems = load_small(text)
    assert isinstance(problems, list)
    assert [p.path for p in problems] == ["version", "parties[1]", "permissions[1].grain"]


def test_an_empty_file_is_a_problem(load_small: Callable[..., object]) -> None:
    assert load_small("") == [Problem("small.yaml", 1, "document", "the file is empty")]


def test_a_list_at_the_top_is_a_problem(load_small: Callable[..., object]) -> None:
    problems = load_small("- region: E12000001\n")
    assert isinstance(problems, list)
    assert problems[0].path == "document" and "expected a mapping" in problems[0].message


def test_an_impossible_date_is_a_wrong_type(load_small: Callable[..., object]) -> None:
    problems = load_small(edit(SMALL, "2025-04-01", "2025-02-30"))
    assert isinstance(problems, list)
    assert [(p.line, p.path) for p in problems] == [(3, "effective_from")]


def test_an_invalid_file_leaves_what_was_loaded_alone() -> None:
    first = load_agreement(SMALL, "v1.yaml", SMALL_REFERENCE)
    assert isinstance(first, Agreement)
    before = compile_policies([first], [], NOW)
    broken = edit(edit(SMALL, "version: 1", "version: 2"), "min_cell_count: 5",
                  "min_cell_count: 1")
    accepted, problems = load_agreements([("v2.yaml", broken)], SMALL_REFERENCE, [first])
    assert accepted == [] and problems
    after = compile_policies([first, *accepted], [], NOW)
    subject = Subject("E06000002", "local_authority", "E12000001")
    resource = Resource("agency_rate", "la", la_code="E06000001")
    assert after.decide(subject, "read", resource) == before.decide(subject, "read", resource)
    assert after.agreements == before.agreements
