"""The extract contract: a valid extract round-trips, and each way of breaking it is named."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.contract import (
    BREAKDOWN_COMPONENTS,
    MAX_EXTRACT_BYTES,
    ContractError,
    DatasetsDocument,
    build_extract,
    datasets_to_json,
    extract_to_json,
    parse_datasets,
    parse_extract,
)
from tests.connectors.conftest import GENERATED, LA

COMPONENTS = {
    "permanent_fte": 2.8, "permanent_headcount": 3, "agency_fte": 2.0, "agency_headcount": 2,
    "vacancy_fte": 4.2, "starters_fte": 1.8, "starters_headcount": 2, "leavers_fte": 0.5,
    "leavers_headcount": 1, "leavers_12m_fte": 1.5, "leavers_12m_headcount": 2,
    "starters_12m_fte": 2.6, "starters_12m_headcount": 3,
    "agency_conversions": 1, "agency_above_cap": 2, "mou_breaches": 2,
    "cases": 33, "case_holders_fte": 3.8, "working_days_lost": 5,
    "working_days_available": 182,
}
BREAKDOWNS = {"breach_type": {"price_cap": {"mou_breaches": 1},
                              "non_solicitation": {"mou_breaches": 1}},
              "role": {"social_worker": {"permanent_fte": 2.8, "agency_fte": 0.0},
                       "team_manager": {"agency_fte": 1.0},
                       "advanced_practitioner": {"agency_fte": 1.0}}}


def valid_doc() -> dict[str, Any]:
    extract = build_extract(LA, "2024-Q1", COMPONENTS, BREAKDOWNS, GENERATED)
    return json.loads(extract_to_json(extract))


def test_a_valid_extract_round_trips() -> None:
    raw = json.dumps(valid_doc()).encode()
    extract = parse_extract(raw)
    assert extract.la_code == LA and extract.period == "2024-Q1"
    assert extract.generated_at == GENERATED
    assert extract.measures["agency_rate"].value == pytest.approx(2 / 4.8 * 100)
    assert extract.measures["agency_rate"].denominator == pytest.approx(4.8)
    assert extract.measures["permanent_fte"].denominator is None
    assert extract.measures["caseload"].unit == "cases_per_fte"
    assert parse_extract(extract_to_json(extract)) == extract


def test_any_component_may_be_not_supplied_with_its_reason_and_its_measures_go_with_it(
) -> None:
    components = {k: v for k, v in COMPONENTS.items()
                  if k not in ("cases", "agency_above_cap", "vacancy_fte")}
    extract = build_extract(LA, "2024-Q1", components, {}, GENERATED,
                            not_supplied={"vacancy_fte": "c: confidential"})
    assert "caseload" not in extract.measures and "vacancy_rate" not in extract.measures
    assert "agency_above_cap_share" not in extract.measures
    assert "agency_rate" in extract.measures and "turnover_rate" in extract.measures
    assert extract.not_supplied == {"vacancy_fte": "c: confidential",
                                    "agency_above_cap": "x: not in the LA's records",
                                    "cases": "x: not in the LA's records"}
    assert parse_extract(extract_to_json(extract)) == extract


def test_an_extract_without_reasons_is_still_valid() -> None:
    doc = valid_doc()
    del doc["components"]["cases"], doc["measures"]["caseload"]
    doc.pop("not_supplied", None)
    assert parse_extract(json.dumps(doc).encode()).not_supplied == {}


def test_a_zero_denominator_gives_a_null_value() -> None:
    components = dict(COMPONENTS, permanent_fte=0, permanent_headcount=0, leavers_fte=0,
                      working_days_available=0)
    extract = build_extract(LA, "2024-Q1", components, {}, GENERATED)
    assert extract.measures["turnover_rate"].value is None
    assert extract.measures["turnover_rate"].denominator == 0
    assert extract.measures["absence_rate"].value is None


def test_breakdown_components_follow_the_catalogue() -> None:
    assert set(BREAKDOWN_COMPONENTS["role"]) == {
        "permanent_fte", "agency_fte", "permanent_headcount", "agency_headcount",
        "agency_conversions", "agency_above_cap"}
    assert BREAKDOWN_COMPONENTS["breach_type"] == ("mou_breaches",)


def _set(path: list[str], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _delete(path: list[str]) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


def _without_cases(reasons: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        del doc["components"]["cases"], doc["measures"]["caseload"]
        doc["not_supplied"] = reasons
    return mutate


BROKEN = [
    ("wrong contract", _set(["contract"], "workforce-extract/2"), "/contract", "must be"),
    ("unknown dataset", _set(["dataset"], "fostering"), "/dataset", "unknown dataset"),
    ("bad LA code", _set(["la_code"], "840"), "/la_code", "not an ONS"),
    ("bad period", _set(["period"], "2024-Q5"), "/period", "YYYY-Qn"),
    ("local time", _set(["generated_at"], "2024-04-10T12:00:00+01:00"), "/generated_at",
     "RFC 3339"),
    ("missing field", _delete(["measures"]), "/measures", "is required"),
    ("extra field", _set(["workers"], []), "/workers", "not part of the contract"),
    ("unknown component", _set(["components", "social_workers"], 1),
     "/components/social_workers", "unknown component"),
    ("reason for an unknown component", _set(["not_supplied"], {"wizards": "x"}),
     "/not_supplied/wizards", "unknown component"),
    ("reason for a supplied component", _set(["not_supplied"], {"vacancy_fte": "x"}),
     "/not_supplied/vacancy_fte", "is supplied"),
    ("empty reason", _without_cases({"cases": ""}), "/not_supplied/cases",
     "1 to 200 characters"),
    ("reason not text", _without_cases({"cases": 0}), "/not_supplied/cases",
     "1 to 200 characters"),
    ("reasons not an object", _set(["not_supplied"], []), "/not_supplied", "must be an object"),
    ("negative", _set(["components", "vacancy_fte"], -1), "/components/vacancy_fte",
     "zero or more"),
    ("string number", _set(["components", "vacancy_fte"], "4.2"), "/components/vacancy_fte",
     "must be a number"),
    ("boolean number", _set(["components", "mou_breaches"], True), "/components/mou_breaches",
     "must be a number"),
    ("fractional headcount", _set(["components", "agency_headcount"], 2.5),
     "/components/agency_headcount", "whole number"),
    ("measure disagrees", _set(["measures", "agency_rate", "value"], 12.0),
     "/measures/agency_rate/value", "disagrees"),
    ("numerator disagrees", _set(["measures", "vacancy_rate", "numerator"], 1.0),
     "/measures/vacancy_rate/numerator", "disagrees"),
    ("wrong unit", _set(["measures", "agency_rate", "unit"], "fte"),
     "/measures/agency_rate/unit", "must be"),
    ("measure missing", _delete(["measures", "caseload"]), "/measures/caseload", "is required"),
    ("unknown measure", _set(["measures", "happiness"], {}), "/measures/happiness",
     "not part of the contract"),
    ("null count value", _set(["measures", "agency_fte", "value"], None),
     "/measures/agency_fte/value", "disagrees"),
    ("unknown dimension", _set(["breakdowns", "gender"], {}), "/breakdowns/gender",
     "unknown breakdown"),
    ("unknown role", _set(["breakdowns", "role", "director"], {}), "/breakdowns/role/director",
     "unknown role"),
    ("component not split by role", _set(["breakdowns", "role", "team_manager", "cases"], 3),
     "/breakdowns/role/team_manager/cases", "cannot be broken down"),
    ("breakdown does not sum", _set(["breakdowns", "role", "team_manager", "agency_fte"], 2.0),
     "/breakdowns/role", "agency_fte sums to"),
    ("breach types do not sum", _set(["breakdowns", "breach_type", "other"],
                                     {"mou_breaches": 1}), "/breakdowns/breach_type",
     "mou_breaches sums to"),
    ("too deep", _set(["breakdowns", "role", "team_manager", "agency_fte"], [[[[1]]]]),
     "/breakdowns/role/team_manager/agency_fte/0/0", "nested deeper"),
]


@pytest.mark.parametrize(("mutate", "path", "message"), [b[1:] for b in BROKEN],
                         ids=[b[0] for b in BROKEN])
def test_each_violation_is_named_by_path(mutate: Callable[[dict[str, Any]], None], path: str,
                                         message: str) -> None:
    doc = valid_doc()
    mutate(doc)
    with pytest.raises(ContractError) as info:
        parse_extract(json.dumps(doc).encode())
    assert info.value.path == path
    assert message in info.value.message


@pytest.mark.parametrize(("raw", "message"), [
    (b"not json", "not valid JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (b'{"contract": NaN}', "not valid JSON"),
    (b'{"a": 1, "a": 2}', "not valid JSON"),
    (b"[" * 20_000 + b"]" * 20_000, "not valid JSON"),
    (b" " * (MAX_EXTRACT_BYTES + 1), "larger than"),
], ids=["text", "array", "NaN", "duplicate key", "deep nesting", "oversized"])
def test_malformed_documents_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(ContractError) as info:
        parse_extract(raw)
    assert info.value.path == "/" and message in info.value.message


def test_infinity_is_refused_even_where_json_allows_large_numbers() -> None:
    raw = json.dumps(valid_doc()).replace('"vacancy_fte": 4.2', '"vacancy_fte": 1e999').encode()
    with pytest.raises(ContractError) as info:
        parse_extract(raw)
    assert info.value.path == "/components/vacancy_fte"


def test_a_measure_that_overflows_is_a_contract_error() -> None:
    with pytest.raises(ContractError) as info:
        build_extract(LA, "2024-Q1", dict(COMPONENTS, permanent_fte=5e-324, leavers_fte=1e5),
                      {}, GENERATED)
    assert info.value.path == "/measures/turnover_rate/value"


@given(st.dictionaries(st.sampled_from(["permanent_fte", "agency_fte", "vacancy_fte",
                                        "leavers_fte", "starters_fte"]),
                       st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e5))))
def test_any_non_negative_figures_build_a_valid_extract(figures: dict[str, float]) -> None:
    extract = build_extract(LA, "2023-Q4", {**COMPONENTS, **figures}, {}, GENERATED)
    assert parse_extract(extract_to_json(extract)) == extract


def test_datasets_document_round_trips_and_is_checked() -> None:
    doc = DatasetsDocument(LA, {"workforce": ("2024-Q1", "2024-Q2")})
    assert parse_datasets(datasets_to_json(doc)) == doc
    bad = json.loads(datasets_to_json(doc))
    bad["datasets"][0]["periods"].append("Q3-2024")
    with pytest.raises(ContractError) as info:
        parse_datasets(json.dumps(bad).encode())
    assert info.value.path == "/datasets/0/periods/2"
