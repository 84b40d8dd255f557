"""The census return (CSWW XML) as input: mapped figure by figure as DfE's methodology does,
validated against the schema with every problem at its line and element path, safe against
XML attacks; and the census's worker CSV read the same way."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors import census
from connectors.census import MAX_DEPTH
from connectors.extract import RecordsSource
from connectors.records import RecordsError, WorkerRecords, parse_records, read_records
from policies.measures import ORG_ROLES
from tests.connectors.census import corpus
from tests.connectors.census.corpus import CAMDEN, ORDINARY_WORKERS

#: The ordinary return by hand (census date 30 September 2023; its year from 1 October 2022).
EXPECTED = {
    "permanent_fte": 5.3, "permanent_headcount": 6,  # SW1-SW6 (OrgRole 1-6)
    "agency_fte": 1.5, "agency_headcount": 2,  # AG1, AG2 by FTE30
    "vacancy_fte": 2.5,  # LALevelVacancies
    "starters_fte": 1.0, "starters_headcount": 1,  # SW6, started in July-September
    "starters_12m_fte": 1.5, "starters_12m_headcount": 2,  # SW5 (January) and SW6
    "leavers_fte": 1.0, "leavers_headcount": 1,  # SW8, left in July-September
    "leavers_12m_fte": 1.6, "leavers_12m_headcount": 2,  # SW7 and SW8; SW9 left the year before
    "cases": 40, "case_holders_fte": 3.3,  # SW3 4, SW4 12, SW5 9, AG1 15
    "working_days_lost": 15.5,  # SW1 2, SW3 10.5, SW7 3 (agency absence is not the LA's)
    "working_days_available": 5.3 * 260,  # weekdays from 1 October 2022 to 30 September 2023
}
#: The permanent workers in post by OrgRole: SW1 to SW6, one in each (FTE, headcount).
EXPECTED_BY_ORG_ROLE = {
    "senior_manager": (1.0, 1), "middle_manager": (1.0, 1), "first_line_manager": (0.8, 1),
    "senior_practitioner": (1.0, 1), "case_holder": (0.5, 1), "qualified_without_cases": (1.0, 1)}


def by_org_role(expected: dict[str, tuple[float, int]]) -> dict[str, dict[str, float]]:
    return {role: {"permanent_fte": fte, "permanent_headcount": people}
            for role, (fte, people) in expected.items()}


def ordinary(tmp_path: Path, *extra: str) -> Path:
    return corpus.write(tmp_path / "csww.xml", [
        corpus.header(), corpus.vacancies(2.5), *map(corpus.worker, ORDINARY_WORKERS), *extra])


def problems_of(path: Path, la_code: str | None = None) -> list[tuple[int, str, str]]:
    with pytest.raises(RecordsError) as info:
        read_records(path, la_code)
    assert info.value.source == str(path)
    return [(p.line, p.field, p.message) for p in info.value.problems]


def test_an_ordinary_return_maps_to_the_components_figure_by_figure(tmp_path: Path) -> None:
    records = read_records(ordinary(tmp_path))
    assert isinstance(records, WorkerRecords)
    assert records.la_code == CAMDEN and records.periods() == ("2023-Q3",)
    # Streamed: the workers are folded into totals as they are read, none is kept.
    assert records.assignments == ()
    source = RecordsSource(CAMDEN, records)
    assert source.periods() == ("2023-Q3",)
    extract = source.extract("2023-Q3")
    assert extract is not None
    assert dict(extract.components) == pytest.approx(EXPECTED)
    assert extract.measures["turnover_rate"].value == pytest.approx(1.6 / 5.3 * 100)
    assert extract.measures["agency_rate"].value == pytest.approx(1.5 / 6.8 * 100)
    # What the census does not collect is not supplied, never zero.
    assert set(extract.not_supplied) == {"agency_conversions", "agency_above_cap",
                                         "mou_breaches"}
    assert "census does not collect" in extract.not_supplied["mou_breaches"]
    # No price-cap roles in the census; its OrgRole is the role it breaks in-post FTE down by.
    assert extract.breakdowns == {"org_role": by_org_role(EXPECTED_BY_ORG_ROLE)}


def test_agency_workers_given_at_la_level_only(tmp_path: Path) -> None:
    permanent = [w for w in ORDINARY_WORKERS if w["AgencyWorker"] == 0]
    path = corpus.write(tmp_path / "csww.xml", [corpus.header(), corpus.vacancies(2.5, 3.5, 4),
                                                *map(corpus.worker, permanent)])
    extract = RecordsSource(CAMDEN, read_records(path)).extract("2023-Q3")
    assert extract is not None
    assert extract.components["agency_fte"] == 3.5 and extract.components["agency_headcount"] == 4
    assert extract.components["permanent_fte"] == pytest.approx(5.3)


def test_the_census_worker_csv_reads_the_same_as_the_xml(tmp_path: Path) -> None:
    columns = sorted({k for w in ORDINARY_WORKERS for k in w})
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    writer.writerows(ORDINARY_WORKERS)
    records = parse_records(out.getvalue(), census_year=2023)
    assert isinstance(records, WorkerRecords) and records.annual
    source = RecordsSource(CAMDEN, records, vacancies={"2023-Q3": 2.5})
    extract = source.extract("2023-Q3")
    assert extract is not None
    assert dict(extract.components) == pytest.approx(EXPECTED)
    assert extract.breakdowns == {"org_role": by_org_role(EXPECTED_BY_ORG_ROLE)}


#: SW10 holds two posts at 30 September (DfE: counted once, in the more senior), SW11 started
#: twice in the year (left one post in March, took another in June: one starter, one leaver).
TWO_POSTS = (
    {"AgencyWorker": 0, "SWENo": "SW10", "FTE": 0.5, "OrgRole": 5,
     "RoleStartDate": "2021-04-01", "Cases30": 6, "FTE30": 0.5},
    {"AgencyWorker": 0, "SWENo": "SW10", "FTE": 0.4, "OrgRole": 3,
     "RoleStartDate": "2022-01-10", "FTE30": 0.4},
    {"AgencyWorker": 0, "SWENo": "SW11", "FTE": 1, "OrgRole": 5,
     "RoleStartDate": "2022-11-01", "RoleEndDate": "2023-03-15", "FTE30": 0},
    {"AgencyWorker": 0, "SWENo": "SW11", "FTE": 0.6, "OrgRole": 4,
     "RoleStartDate": "2023-06-01", "FTE30": 0.6},
)
#: The ordinary return's figures with TWO_POSTS added: FTE is not de-duplicated, people are.
EXPECTED_TWO_POSTS = EXPECTED | {
    "permanent_fte": 5.3 + 0.5 + 0.4 + 0.6, "permanent_headcount": 6 + 2,
    "starters_12m_fte": 1.5 + 1 + 0.6, "starters_12m_headcount": 2 + 1,
    "leavers_12m_fte": 1.6 + 1, "leavers_12m_headcount": 2 + 1,
    "cases": 40 + 6, "case_holders_fte": 3.3 + 0.5,
    "working_days_available": (5.3 + 1.5) * 260,
}
EXPECTED_TWO_POSTS_BY_ORG_ROLE = EXPECTED_BY_ORG_ROLE | {
    "first_line_manager": (0.8 + 0.4, 2),  # SW10 counts here, its more senior post
    "senior_practitioner": (1.0 + 0.6, 2),  # SW11
    "case_holder": (0.5 + 0.5, 1),  # SW10's FTE in its other post, not SW10 again
}


def test_a_worker_in_two_posts_is_one_person_in_the_more_senior(tmp_path: Path) -> None:
    path = ordinary(tmp_path, *map(corpus.worker, TWO_POSTS))
    extract = RecordsSource(CAMDEN, read_records(path)).extract("2023-Q3")
    assert extract is not None
    assert dict(extract.components) == pytest.approx(EXPECTED_TWO_POSTS)
    assert set(extract.breakdowns) == {"org_role"}
    split = extract.breakdowns["org_role"]
    for role, (fte, people) in EXPECTED_TWO_POSTS_BY_ORG_ROLE.items():
        assert split[role]["permanent_fte"] == pytest.approx(fte), role
        assert split[role]["permanent_headcount"] == people, role


def test_ids_only_maybe_seen_before_give_the_same_figures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A filter of 8 bits names nearly every id as maybe seen: the second reading of the file
    # must settle each one, and the figures must not move.
    path = ordinary(tmp_path, *map(corpus.worker, TWO_POSTS))
    exact = RecordsSource(CAMDEN, read_records(path)).extract("2023-Q3")
    monkeypatch.setattr(census._SeenBefore, "BITS", 8)
    crowded = RecordsSource(CAMDEN, read_records(path)).extract("2023-Q3")
    assert exact is not None and crowded is not None
    assert crowded.components == exact.components and crowded.breakdowns == exact.breakdowns


def test_the_lea_names_the_la_and_must_be_the_configured_one(tmp_path: Path) -> None:
    path = ordinary(tmp_path)
    assert read_records(path, CAMDEN).la_code == CAMDEN
    assert problems_of(path, "E09000001") == [
        (3, "/Message/Header/Source/LEA", "the return of LEA 202 (E09000007), not of E09000001")]
    split = corpus.write(tmp_path / "northants.xml", [corpus.header(2020, "928")])
    ((_, where, message),) = problems_of(split)
    assert where == "/Message/Header/Source/LEA" and "Northamptonshire (E10000021) was split" \
        in message


def test_every_problem_has_its_line_and_element_path(tmp_path: Path) -> None:
    bad = [corpus.header(),
           corpus.worker({"AgencyWorker": 0, "SWENo": "B1", "FTE": "abc", "OrgRole": 7,
                          "RoleStartDate": "2020-01-01", "FTE30": 1}),
           corpus.worker({"AgencyWorker": 0, "FTE30": 1, "RoleStartDate": "2020-01-01"}),
           corpus.worker({"AgencyWorker": 0, "SWENo": "B3", "RoleStartDate": "2020-01-01",
                          "RoleEndDate": "2019-01-01", "FTE": 1, "FTE30": 0}),
           "<Wizard/>"]
    found = problems_of(corpus.write(tmp_path / "bad.xml", bad))
    assert found == [
        (7, "/Message/CSWWWorker[1]/FTE",
         "'abc' is not a valid value of the atomic type 'WorkerFTE'"),
        (8, "/Message/CSWWWorker[1]/OrgRole",
         "the value '7' is greater than the maximum value allowed ('6')"),
        (12, "/Message/CSWWWorker[2]", "missing child element(s). Expected is one of ( SWENo, "
                                       "FTE, PersonBirthDate, GenderCurrent, Ethnicity, "
                                       "QualInst, QualLevel, StepUpGrad, FrontlineGrad, "
                                       "OrgRole )"),
        (21, "/Message/CSWWWorker[3]/RoleEndDate", "before the start date"),
        (25, "/Message/Wizard", "not part of a census return"),
    ]



@pytest.mark.parametrize(("text", "line", "where", "message"), [
    ("<Return/>", 1, "file", "the root element is <Return>, not <Message>"),
    ("<Message><Header>", 1, "file", "not well-formed XML: Premature end of data in tag "
                                     "Header line 1, line 1, column 18"),
    ("<Message></Message>", 1, "/Message/Header", "required: the return has no <Header>"),
    ('<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n'
     "<Message>&b;</Message>", 3, "file",
     "a document type declaration: not allowed (entity attacks)"),
    ('<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><Message>&x;</Message>', 1, "file",
     "a document type declaration: not allowed (entity attacks)"),
    ("<Message>" + "<a>" * MAX_DEPTH + "</a>" * MAX_DEPTH + "</Message>", 1, "file",
     f"elements nested deeper than {MAX_DEPTH}: not a census return"),
], ids=["root", "truncated", "no header", "billion laughs", "external entity", "deep"])
def test_broken_and_hostile_files_are_refused_with_where_and_why(
        tmp_path: Path, text: str, line: int, where: str, message: str) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text(text)
    assert problems_of(path) == [(line, where, message)]


def test_a_reference_date_that_is_not_the_census_date_is_refused(tmp_path: Path) -> None:
    path = corpus.write(tmp_path / "csww.xml", [corpus.header(2023, reference="2023-03-31")])
    assert problems_of(path) == [(3, "/Message/Header/CollectionDetails/ReferenceDate",
                                  "2023-03-31 is not the census date of 2023 (30 September)")]


CENSUS_DAY, YEAR_START = date(2023, 9, 30), date(2022, 10, 1)
census_worker = st.fixed_dictionaries({
    "id": st.integers(1, 6), "agency": st.booleans(), "org_role": st.none() | st.integers(1, 6),
    "fte": st.sampled_from([0.3, 0.5, 0.8, 1.0]),
    "start": st.dates(date(2021, 6, 1), CENSUS_DAY), "days": st.none() | st.integers(0, 500),
    "cases": st.none() | st.integers(0, 20)})


def census_row(w: dict[str, Any]) -> dict[str, object]:
    """A census worker of the strategy's draw, as the schema has it."""
    end = w["start"] + timedelta(days=w["days"]) if w["days"] is not None else None
    gone = end is not None and end <= CENSUS_DAY
    row: dict[str, object] = {"AgencyWorker": int(w["agency"]), "SWENo": f"SW{w['id']}",
                              "RoleStartDate": w["start"].isoformat()}
    row["FTE"] = w["fte"]
    if not w["agency"] and w["org_role"] is not None:
        row["OrgRole"] = w["org_role"]
    if end is not None:
        row["RoleEndDate"] = end.isoformat()
    if w["cases"] is not None and not gone:
        row["Cases30"] = w["cases"]
    row["FTE30"] = 0 if gone else w["fte"]
    return row


@settings(max_examples=100, deadline=None)
@given(st.lists(census_worker, max_size=14), st.booleans(), st.booleans())
def test_streamed_figures_equal_the_rows_counted_whole(drawn: list[dict[str, Any]],
                                                       crowded: bool, every_role: bool) -> None:
    # Ids repeat (a worker in several posts); with a crowded filter every id is suspect.
    if every_role:
        drawn = [w | {"org_role": w["org_role"] or 5} for w in drawn]
    rows = [census_row(w) for w in drawn if not w["agency"]] + [
        census_row(w) for w in drawn if w["agency"]]
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        if crowded:
            patch.setattr(census._SeenBefore, "BITS", 8)
        path = corpus.write(Path(tmp) / "csww.xml", [corpus.header(), corpus.vacancies(2.5),
                                                     *map(corpus.worker, rows)])
        streamed = RecordsSource(CAMDEN, read_records(path)).extract("2023-Q3")
    assert streamed is not None  # served on its LA-level vacancies even without workers
    if not rows:
        return
    out = io.StringIO()
    # The columns the return has (a census CSV needs OrgRole's column, if blank).
    writer = csv.DictWriter(out, sorted({"OrgRole", "FTE30", *(k for r in rows for k in r)}))
    writer.writeheader()
    writer.writerows(rows)
    whole = RecordsSource(CAMDEN, parse_records(out.getvalue(), census_year=2023),
                          vacancies={"2023-Q3": 2.5}).extract("2023-Q3")
    assert whole is not None
    assert streamed.components == whole.components
    assert streamed.breakdowns == whole.breakdowns
    # DfE's headcounts, counted here the plain way: each worker once, in the more senior post.
    in_post = [w for w in drawn if not w["agency"] and w["start"] <= CENSUS_DAY and (
        w["days"] is None or w["start"] + timedelta(days=w["days"]) > CENSUS_DAY)]
    assert streamed.components["permanent_headcount"] == len({w["id"] for w in in_post})
    assert streamed.components["starters_12m_headcount"] == len(
        {w["id"] for w in drawn if not w["agency"] and w["start"] >= YEAR_START})
    if in_post and all(w["org_role"] is not None for w in in_post):
        senior = {i: min(w["org_role"] for w in in_post if w["id"] == i)
                  for i in {w["id"] for w in in_post}}
        split = streamed.breakdowns["org_role"]
        for code, role in enumerate(ORG_ROLES, 1):
            assert split[role]["permanent_headcount"] == list(senior.values()).count(code)
    else:
        assert "org_role" not in streamed.breakdowns
