"""DfE's own terms as the pre-aggregated format: its columns, its markers, its many-LA files,
joint returns, annual rows, and codes from any year."""

from __future__ import annotations

import pytest

from connectors.extract import RecordsSource
from connectors.records import AggregateRecords, Problem, RecordsError, parse_records

DFE_HEADER = ("time_period,time_identifier,geographic_level,country_code,country_name,"
              "region_code,region_name,old_la_code,new_la_code,la_name,inpost_fte,"
              "inpost_headcount,starters_fte,starters_headcount,leavers_fte,leavers_headcount,"
              "turnover_rate_fte,agency_fte,agency_headcount,agency_rate_fte,vacancy_fte,"
              "vacancy_rate_fte,case_holders_fte,cases,caseload_fte,working_days_lost_fte,"
              "absence_rate_fte\n")
DFE_ROWS = (
    "2023,Reporting year,National,E92000001,England,,,,,,33119.1,35199,6027.5,6247,5254.6,"
    "5640,15.9,7178.5,7429,17.9,7722.7,18.9,21111.4,337055,16,270451,3.3\n"
    "2023,Reporting year,Local authority,E92000001,England,E13000001,Inner London,202,"
    "E09000007,Camden,179,190,30,31,34.1,36,19.1,24.7,41,12.1,60.5,25.3,88.5,1140,12.9,c,c\n"
    "2022,Reporting year,Local authority,E92000001,England,E13000001,Inner London,202,"
    "E09000007,Camden,182.4,193,30,31,35,37,19.2,x,u,x,52.6,22.4,105.8,1521,14.4,938,low\n"
    "2023,Reporting year,Local authority,E92000001,England,E13000002,Outer London,"
    "314 / 318,E09000021 / E09000027,Kingston upon Thames / Richmond upon Thames,200,210,"
    "20,21,30,31,15,40,42,16.7,20,9.1,100,1500,15,500,2.1\n"
    "2022,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The "
    "Humber,815,E10000023,North Yorkshire,300,310,40,41,45,46,15,10,11,3.2,20,6.3,200,3000,15,"
    "900,1.2\n"
)


def read(la: str) -> AggregateRecords:
    records = parse_records(DFE_HEADER + DFE_ROWS, la)
    assert isinstance(records, AggregateRecords)
    return records


def test_dfe_columns_are_the_components_and_the_year_lands_as_its_census_quarter() -> None:
    row = read("E09000007").rows["2023-Q3"]
    assert row.annual
    assert row.components == {
        "permanent_fte": 179, "permanent_headcount": 190, "agency_fte": 24.7,
        "agency_headcount": 41, "vacancy_fte": 60.5, "leavers_12m_fte": 34.1,
        "leavers_12m_headcount": 36, "starters_12m_fte": 30, "starters_12m_headcount": 31,
        "case_holders_fte": 88.5, "cases": 1140}
    assert row.not_supplied["working_days_lost"] == "c: confidential (suppressed by the LA)"
    # DfE's flows count the year: never passed off as the quarter's.
    assert "year to the census date" in row.not_supplied["leavers_fte"]
    assert "year to the census date" in row.not_supplied["starters_fte"]
    assert row.not_supplied["mou_breaches"] == "x: not in the LA's file"


def test_markers_leave_that_component_out_and_keep_the_rest() -> None:
    source = RecordsSource("E09000007", read("E09000007"))
    extract = source.extract("2022-Q3")
    assert extract is not None
    assert "agency_fte" not in extract.components and "agency_rate" not in extract.measures
    assert extract.not_supplied["agency_fte"] == "x: not available"
    assert extract.not_supplied["agency_headcount"] == "u: low reliability, not given as a number"
    assert extract.measures["vacancy_rate"].value == pytest.approx(52.6 / (52.6 + 182.4) * 100)
    assert extract.measures["turnover_rate"].value == pytest.approx(35 / 182.4 * 100)
    assert extract.components["working_days_lost"] == 938


def test_loose_headers_of_our_own_format() -> None:
    records = parse_records("Period,Permanent FTE,Agency-FTE,Vacancy FTE\n2024-Q1,10,2,c\n")
    assert isinstance(records, AggregateRecords)
    row = records.rows["2024-Q1"]
    assert row.components == {"permanent_fte": 10, "agency_fte": 2}
    assert row.not_supplied["vacancy_fte"] == "c: confidential (suppressed by the LA)"
    assert not row.annual


def test_a_joint_return_is_its_lead_las_and_its_partner_supplies_nothing() -> None:
    lead = read("E09000021").rows["2023-Q3"]
    assert lead.components["permanent_fte"] == 200
    partner = read("E09000027").rows["2023-Q3"]
    assert partner.components == {}
    assert set(partner.not_supplied.values()) == {
        "returned jointly with E09000021, and counted in its figures"}


def test_a_code_from_an_earlier_year_is_the_same_la() -> None:
    # North Yorkshire was E10000023 until April 2023; the reference data says E06000065.
    assert read("E06000065").rows["2022-Q3"].components["permanent_fte"] == 300


def test_a_many_la_file_needs_the_la_named() -> None:
    with pytest.raises(RecordsError) as info:
        parse_records(DFE_HEADER + DFE_ROWS)
    assert list(info.value.problems) == [
        Problem(1, "la_code", "the file holds 3 LAs' rows: name the LA whose rows to read")]


def test_unknown_columns_are_still_refused() -> None:
    with pytest.raises(RecordsError) as info:
        parse_records("period,permanent_fte,happiness\n2024-Q1,1,1\n")
    assert [p.field for p in info.value.problems] == ["happiness"]
