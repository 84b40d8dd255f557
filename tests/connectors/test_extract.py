"""Extract computation, checked against totals worked out by hand from conftest.WORKERS_CSV."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.extract import PriceCaps, RecordsSource, quarter_bounds, weekdays
from connectors.records import parse_records
from tests.connectors.conftest import CAPS, GENERATED, LA

# 2024-Q1 runs 1 January to 31 March. By hand:
# in post on 31 March: permanent SW1 (1.0), SW3 (0.8), SW5 (1.0, converted from agency);
#   agency SW2 (team manager, £55 > £50 cap) and SW6 (advanced practitioner, £46.50 > £46).
# SW4 left on 15 March; SW5's agency assignment ended 31 January; SW7 starts in April.
EXPECTED = {
    "permanent_fte": 2.8, "permanent_headcount": 3, "agency_fte": 2.0, "agency_headcount": 2,
    "vacancy_fte": 4.2,
    "starters_fte": 1.8, "starters_headcount": 2,  # SW3, SW5
    "leavers_fte": 0.5, "leavers_headcount": 1,  # SW4
    "agency_conversions": 1, "agency_above_cap": 2, "mou_breaches": 2,
    "cases": 33, "case_holders_fte": 3.8,  # 12 + 5 + 7 + 9 by SW1, SW3, SW5, SW6
    "working_days_lost": 5,  # SW1 3, SW4 2 (leavers' days count; agency days do not)
    "working_days_available": 2.8 * 65,
}


def test_components_match_the_hand_computed_totals(source: RecordsSource) -> None:
    extract = source.extract("2024-Q1")
    assert extract is not None
    assert dict(extract.components) == pytest.approx(EXPECTED)
    assert extract.generated_at == GENERATED and extract.la_code == LA


def test_measures_follow_from_the_components(source: RecordsSource) -> None:
    extract = source.extract("2024-Q1")
    assert extract is not None
    values = {code: m.value for code, m in extract.measures.items()}
    assert values["agency_rate"] == pytest.approx(2 / 4.8 * 100)
    assert values["vacancy_rate"] == pytest.approx(4.2 / 7.0 * 100)
    assert "turnover_rate" not in values  # one quarterly return: leavers over a year unknown
    assert extract.not_supplied["leavers_12m_fte"] == \
        "x: needs four quarterly returns; 2023-Q2, 2023-Q3, 2023-Q4 not there"
    assert values["caseload"] == pytest.approx(33 / 3.8)
    assert values["absence_rate"] == pytest.approx(5 / 182 * 100)
    assert values["agency_above_cap_share"] == pytest.approx(100.0)


def test_breakdowns_split_by_role_and_breach_type(source: RecordsSource) -> None:
    extract = source.extract("2024-Q1")
    assert extract is not None
    role = extract.breakdowns["role"]
    assert role["social_worker"]["permanent_fte"] == pytest.approx(2.8)
    assert role["social_worker"]["agency_conversions"] == 1
    assert role["team_manager"] == {"permanent_fte": 0, "agency_fte": 1, "permanent_headcount": 0,
                                    "agency_headcount": 1, "agency_conversions": 0,
                                    "agency_above_cap": 1}
    assert role["advanced_practitioner"]["agency_above_cap"] == 1
    assert {t: v["mou_breaches"] for t, v in extract.breakdowns["breach_type"].items()} == {
        "price_cap": 1, "non_solicitation": 1, "notice_period": 0, "references": 0, "other": 0}


def test_a_worker_in_two_roles_counts_once_in_the_more_senior() -> None:
    records = parse_records(
        "period,worker_id,role,agency,fte,start_date\n"
        "2024-Q1,SW1,social_worker,0,0.5,2020-01-01\n"
        "2024-Q1,SW1,team_manager,0,0.5,2020-01-01\n")
    extract = RecordsSource(LA, records, CAPS, {"2024-Q1": 0}).extract("2024-Q1")
    assert extract is not None
    assert extract.components["permanent_headcount"] == 1
    assert extract.components["permanent_fte"] == 1.0
    assert extract.breakdowns["role"]["team_manager"]["permanent_headcount"] == 1
    assert extract.breakdowns["role"]["social_worker"]["permanent_headcount"] == 0
    assert extract.breakdowns["role"]["social_worker"]["permanent_fte"] == 0.5


def test_optional_components_appear_only_when_supplied() -> None:
    records = parse_records("period,worker_id,role,agency,fte,start_date\n"
                            "2024-Q1,SW1,social_worker,0,1,2020-01-01\n")
    extract = RecordsSource(LA, records, CAPS, {"2024-Q1": 1}).extract("2024-Q1")
    assert extract is not None
    assert "cases" not in extract.components and "caseload" not in extract.measures
    assert "absence_rate" not in extract.measures


def test_a_period_is_served_once_its_vacancies_are_declared(source: RecordsSource) -> None:
    assert source.periods() == ("2024-Q1",)
    assert source.extract("2024-Q2") is None
    undeclared = RecordsSource(LA, source.records, CAPS, {})
    assert undeclared.periods() == () and undeclared.extract("2024-Q1") is None


def test_extracts_are_computed_once(source: RecordsSource) -> None:
    assert source.extract("2024-Q1") is source.extract("2024-Q1")


def test_pre_aggregated_records_are_served_as_given_with_turnover_over_four_quarters(
) -> None:
    header = ("period,permanent_fte,permanent_headcount,agency_fte,agency_headcount,"
              "vacancy_fte,starters_fte,starters_headcount,leavers_fte,leavers_headcount,"
              "agency_conversions,agency_above_cap,mou_breaches,mou_breaches.price_cap\n")
    rows = "".join(f"{p},10,11,2,2,1,1,1,{leavers},1,0,1,1,1\n" for p, leavers in (
        ("2023-Q3", 0.5), ("2023-Q4", 1), ("2024-Q1", 0.25), ("2024-Q2", 0.5)))
    source = RecordsSource(LA, parse_records(header + rows), CAPS)
    assert source.periods() == ("2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2")
    extract = source.extract("2024-Q2")
    assert extract is not None
    # DfE's turnover: leavers in the twelve months to 30 June over in-post FTE on 30 June.
    assert extract.components["leavers_12m_fte"] == pytest.approx(2.25)
    assert extract.measures["turnover_rate"].value == pytest.approx(22.5)
    # Starters likewise: one FTE, one person in each of the four quarters.
    assert extract.components["starters_12m_fte"] == 4
    assert extract.components["starters_12m_headcount"] == 4
    early = source.extract("2024-Q1")
    assert early is not None and "turnover_rate" not in early.measures
    assert early.not_supplied["leavers_12m_fte"] == \
        "x: needs four quarterly returns; 2023-Q2 not there"
    assert early.not_supplied["starters_12m_headcount"] == \
        "x: needs four quarterly returns; 2023-Q2 not there"


def test_quarterly_worker_returns_give_turnover_once_four_are_there() -> None:
    header = "period,worker_id,role,agency,fte,start_date,leave_date\n"
    body = "".join(f"{p},SW{i},social_worker,0,1,{start},{left}\n" for i, (p, start, left) in
                   enumerate((("2023-Q3", "2020-01-01", "2023-08-01"),
                              ("2023-Q4", "2023-11-01", ""), ("2024-Q1", "2020-01-01", ""),
                              ("2024-Q2", "2020-01-01", "2024-05-01"),
                              ("2024-Q2", "2024-04-02", ""), ("2024-Q2", "2020-01-01", ""))))
    vacancies = dict.fromkeys(("2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"), 0.0)
    extract = RecordsSource(LA, parse_records(header + body), CAPS, vacancies).extract("2024-Q2")
    assert extract is not None
    assert extract.components["leavers_12m_fte"] == 2 and extract.components["leavers_fte"] == 1
    assert extract.measures["turnover_rate"].value == pytest.approx(100.0)
    # Starters over the same four quarters: SW1 in November, SW4 in April.
    assert extract.components["starters_12m_fte"] == 2 and extract.components["starters_fte"] == 1


@pytest.mark.parametrize(("period", "first", "last", "days"), [
    ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31), 65),
    ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31), 66),
    ("2023-Q2", date(2023, 4, 1), date(2023, 6, 30), 65),
])
def test_quarter_bounds_and_weekdays(period: str, first: date, last: date, days: int) -> None:
    assert quarter_bounds(period) == (first, last)
    assert weekdays(period) == days


@pytest.mark.parametrize(("caps", "message"), [
    ({"social_worker": 40}, "price caps missing"),
    ({**CAPS.hourly, "director": 90}, "unknown roles director"),
    ({**CAPS.hourly, "team_manager": 0}, "positive"),
])
def test_price_caps_are_checked(caps: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PriceCaps(caps)


ROLES = list(CAPS.hourly)
assignment = st.fixed_dictionaries({
    "worker": st.integers(1, 12), "role": st.sampled_from(ROLES), "agency": st.booleans(),
    "fte": st.sampled_from([0.3, 0.5, 0.8, 1.0]),
    "start": st.dates(date(2023, 6, 1), date(2024, 5, 1)),
    "days": st.none() | st.integers(0, 300), "rate": st.floats(30, 60),
    "cases": st.integers(0, 30),
    "breach": st.none() | st.sampled_from(["price_cap", "other"]),
})


@given(st.lists(assignment, min_size=1, max_size=25), st.floats(0, 50))
def test_any_valid_records_give_an_extract_the_contract_accepts(rows: list[dict[str, Any]],
                                                               vacancies: float) -> None:
    lines = ["period,worker_id,role,agency,fte,start_date,leave_date,hourly_rate,cases,"
             "breach_type"]
    for r in rows:
        leave = r["start"] + timedelta(days=r["days"]) if r["days"] is not None else ""
        lines.append(f"2024-Q1,SW{r['worker']},{r['role']},{int(r['agency'])},{r['fte']},"
                     f"{r['start']},{leave},{r['rate'] if r['agency'] else ''},{r['cases']},"
                     f"{r['breach'] or ''}")
    records = parse_records("\n".join(lines) + "\n")
    extract = RecordsSource(LA, records, CAPS, {"2024-Q1": vacancies}).extract("2024-Q1")
    assert extract is not None  # build_extract has already checked sums and measures
    c = extract.components
    assert c["agency_above_cap"] <= c["agency_headcount"]
    workers = len({r["worker"] for r in rows})
    assert c["permanent_headcount"] <= workers and c["agency_headcount"] <= workers
    assert c["mou_breaches"] == sum(1 for r in rows if r["breach"])
