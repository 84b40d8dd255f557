"""Reading records: census column names, pre-aggregated files, and every problem located."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.records import (
    AggregateRecords,
    Problem,
    RecordsError,
    WorkerRecords,
    parse_records,
    read_records,
)
from tests.connectors.conftest import WORKERS_CSV

HEADER = "period,worker_id,role,agency,fte,start_date,leave_date,hourly_rate,cases\n"


def problems(text: str) -> list[Problem]:
    with pytest.raises(RecordsError) as info:
        parse_records(text)
    return list(info.value.problems)


def test_census_column_names_are_read() -> None:
    records = parse_records(WORKERS_CSV)
    assert isinstance(records, WorkerRecords)
    assert records.has_cases and records.has_absence
    first = records.assignments[0]
    assert (first.line, first.worker_id, first.role, first.agency, first.fte) == \
        (2, "SW1", "social_worker", False, 1.0)
    assert first.start_date == date(2020, 1, 1) and first.cases == 12 and first.case_holder
    agency = records.assignments[1]
    assert agency.agency and agency.hourly_rate == 55 and agency.breach_type == "price_cap"
    assert not agency.case_holder  # no cases at the snapshot
    assert records.periods() == ("2024-Q1",)


def test_aliases_labels_and_uk_dates_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "census.csv"
    path.write_text("\ufeffPeriod,Social Work England registration number,Price cap role,"
                    "Agency Worker,FTE30,Role Start Date,Leaving Date,Agency hourly rate,"
                    "PersonBirthDate\n"
                    "2024-Q2,SW9,Senior Social Worker,Y,0.6,01/04/2024,,£44.50,1980-01-01\n"
                    "2024-Q2,SW8,IRO,N,1,2020-01-01,30/06/2024,,1970-01-01\n")
    records = read_records(path)
    assert isinstance(records, WorkerRecords)
    a, b = records.assignments
    assert (a.role, a.agency, a.fte, a.start_date, a.hourly_rate) == \
        ("senior_social_worker", True, 0.6, date(2024, 4, 1), 44.5)
    assert (b.role, b.agency, b.leave_date) == \
        ("independent_reviewing_officer", False, date(2024, 6, 30))
    assert not records.has_cases and not records.has_absence


def test_every_bad_cell_is_reported_with_its_line_and_field() -> None:
    text = HEADER + (
        "2024-Q1,SW1,social_worker,0,1,2020-01-01,,,3\n"
        "2024-Q5,SW2,wizard,maybe,1.5,yesterday,,,\n"
        "2024-Q1,,social_worker,1,1,2020-01-01,,,\n"
        "2024-Q1,SW4,social_worker,0,1,2024-03-01,2024-02-01,,2.5\n"
        "2024-Q1,SW5,team_manager,1,1,2024-01-01,,-3,\n"
    )
    assert problems(text) == [
        Problem(3, "period", "'2024-Q5' is not a period of the form YYYY-Qn"),
        Problem(3, "role", "'wizard' is not one of social_worker, senior_social_worker, "
                           "advanced_practitioner, team_manager, independent_reviewing_officer"),
        Problem(3, "agency", "'maybe' is not yes/no (1/0, Y/N, true/false)"),
        Problem(3, "fte", "'1.5' is not an FTE above 0 and at most 1"),
        Problem(3, "start_date", "'yesterday' is not a date (YYYY-MM-DD or DD/MM/YYYY)"),
        Problem(4, "worker_id", "required"),
        Problem(4, "hourly_rate", "required for agency workers"),
        Problem(5, "cases", "'2.5' is not a whole number"),
        Problem(5, "leave_date", "before the start date"),
        Problem(6, "hourly_rate", "'-3' is not a finite number, zero or more"),
    ]


def test_the_error_message_lists_the_problems() -> None:
    with pytest.raises(RecordsError) as info:
        parse_records(HEADER + "2024-Q1,SW1,social_worker,0,nan,2020-01-01,,,\n")
    assert str(info.value) == "1 problem(s) in the records:\nline 2, fte: 'nan' is not a " \
                              "finite number, zero or more"


def test_missing_and_duplicate_columns_are_header_problems() -> None:
    assert problems("SWENo,worker_id,role\nSW1,SW1,social_worker\n") == [
        Problem(1, "worker_id", "a second column for worker_id"),
        Problem(1, "agency", "required column missing"),
        Problem(1, "start_date", "required column missing"),
        Problem(1, "fte or fte30", "required column missing"),
        Problem(1, "period", "no period column: a census return needs its year (census_year)"),
    ]


def test_an_empty_file_is_a_problem() -> None:
    assert problems("") == [Problem(1, "header", "the file is empty")]


def test_a_conversion_on_an_agency_row_is_refused() -> None:
    text = "period,worker_id,role,agency,fte,start_date,hourly_rate,conversion_date\n" \
           "2024-Q1,SW1,social_worker,1,1,2024-01-01,40,2024-02-01\n"
    assert problems(text) == [Problem(2, "converted_from_agency",
                                      "set on an agency assignment")]


def test_pre_aggregated_files_are_read_with_breakdowns() -> None:
    text = ("period,permanent_fte,agency_fte,agency_fte.social_worker,agency_fte.team_manager,"
            "mou_breaches,mou_breaches.price_cap,cases\n"
            "2024-Q1,10.5,2,1.5,0.5,1,1,\n"
            "2024-Q2,11,2,2,0,0,0,40\n")
    records = parse_records(text)
    assert isinstance(records, AggregateRecords)
    q1 = records.rows["2024-Q1"]
    assert q1.components == {"permanent_fte": 10.5, "agency_fte": 2.0, "mou_breaches": 1.0}
    assert q1.breakdowns == {"role": {"social_worker": {"agency_fte": 1.5},
                                      "team_manager": {"agency_fte": 0.5}},
                             "breach_type": {"price_cap": {"mou_breaches": 1.0}}}
    assert records.rows["2024-Q2"].components["cases"] == 40


def test_pre_aggregated_problems_are_located() -> None:
    text = ("period,permanent_fte,agency_fte.wizard,staff\n"
            "2024-Q1,1,1,1\n")
    assert problems(text) == [
        Problem(1, "agency_fte.wizard", "not a component (ours or DfE's), component.role "
                                        "or mou_breaches.breach_type column"),
        Problem(1, "staff", "not a component (ours or DfE's), component.role or "
                            "mou_breaches.breach_type column"),
    ]
    assert problems("period,permanent_fte\n2024-Q1,-1\n2024-Q1,many\n2024-Q1,x\n"
                    "2024-Q1,3\n") == [
        Problem(2, "permanent_fte", "'-1' is not a finite number, zero or more"),
        Problem(3, "permanent_fte", "'many' is not a number"),
        Problem(5, "period", "2024-Q1 appears twice"),
    ]


def test_a_file_that_is_not_csv_is_one_problem() -> None:
    assert problems(HEADER + "2024-Q1," + "x" * 200_000 + "\n") == [
        Problem(2, "file", "not valid CSV: field larger than field limit (131072)")]
