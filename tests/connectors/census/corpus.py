"""Census returns (CSWW XML) for the tests, written from the schema's shape: workers as dicts
of census elements, a header, LA-level vacancies, and a writer that streams any number."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

CAMDEN_LEA, CAMDEN = "202", "E09000007"


def header(year: int = 2023, lea: str = CAMDEN_LEA, reference: str | None = None) -> str:
    return ("<Header><CollectionDetails><Collection>CSWW</Collection>"
            f"<Year>{year}</Year><ReferenceDate>{reference or f'{year}-09-30'}</ReferenceDate>"
            "</CollectionDetails><Source><SourceLevel>L</SourceLevel>"
            f"<LEA>{lea}</LEA><SoftwareCode>Test</SoftwareCode><Release>1</Release>"
            "<SerialNo>1</SerialNo><DateTime>2023-10-05T10:00:00</DateTime></Source></Header>")


def vacancies(vacant: float, agency_fte: float | None = None,
              agency_headcount: int | None = None) -> str:
    parts = [f"<NumberOfVacancies>{vacant}</NumberOfVacancies>"]
    if agency_fte is not None:
        parts.append(f"<NoAgencyFTE>{agency_fte}</NoAgencyFTE>")
    if agency_headcount is not None:
        parts.append(f"<NoAgencyHeadcount>{agency_headcount}</NoAgencyHeadcount>")
    return f"<LALevelVacancies>{''.join(parts)}</LALevelVacancies>"


def worker(fields: Mapping[str, object]) -> str:
    """One <CSWWWorker>, one element per line so problems point at a line."""
    inner = "\n".join(f"  <{k}>{escape(str(v))}</{k}>" for k, v in fields.items())
    return f"<CSWWWorker>\n{inner}\n</CSWWWorker>"


def message(parts: Iterable[str]) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n' + "\n".join(parts) + \
        "\n</Message>\n"


def write(path: Path, parts: Iterable[str]) -> Path:
    """Write a return part by part (a large one never sits in memory whole)."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n')
        for part in parts:
            fh.write(part + "\n")
        fh.write("</Message>\n")
    return path


#: An ordinary 2023 return (census date 30 September 2023): every OrgRole, agency workers,
#: starters and leavers in the year, absences and cases. Worked by hand in test_census.py.
ORDINARY_WORKERS: tuple[dict[str, object], ...] = (
    # permanent, in post at 30 September: OrgRole 1 to 6
    {"AgencyWorker": 0, "SWENo": "SW1", "FTE": 1, "OrgRole": 1, "RoleStartDate": "2015-01-01",
     "WorkingDaysLost": 2, "FTE30": 1},
    {"AgencyWorker": 0, "SWENo": "SW2", "FTE": 1, "OrgRole": 2, "RoleStartDate": "2016-01-01",
     "FTE30": 1},
    {"AgencyWorker": 0, "SWENo": "SW3", "FTE": 0.8, "OrgRole": 3, "RoleStartDate": "2019-05-01",
     "Cases30": 4, "WorkingDaysLost": 10.5, "FTE30": 0.8},
    {"AgencyWorker": 0, "SWENo": "SW4", "FTE": 1, "OrgRole": 4, "RoleStartDate": "2020-02-01",
     "Cases30": 12, "FTE30": 1},
    {"AgencyWorker": 0, "SWENo": "SW5", "FTE": 0.5, "OrgRole": 5, "RoleStartDate": "2023-01-09",
     "Cases30": 9, "FTE30": 0.5, "PersonBirthDate": "1990-03-04", "Ethnicity": "WBRI"},
    {"AgencyWorker": 0, "SWENo": "SW6", "FTE": 1, "OrgRole": 6, "RoleStartDate": "2023-09-01",
     "FTE30": 1},
    # permanent leavers in the year to 30 September 2023 (one before it, one after it)
    {"AgencyWorker": 0, "SWENo": "SW7", "FTE": 0.6, "OrgRole": 5, "RoleStartDate": "2018-01-01",
     "RoleEndDate": "2023-03-31", "WorkingDaysLost": 3, "FTE30": 0},
    {"AgencyWorker": 0, "SWENo": "SW8", "FTE": 1, "OrgRole": 5, "RoleStartDate": "2010-01-01",
     "RoleEndDate": "2023-08-15", "FTE30": 0},
    {"AgencyWorker": 0, "SWENo": "SW9", "FTE": 1, "OrgRole": 5, "RoleStartDate": "2010-01-01",
     "RoleEndDate": "2022-09-30", "FTE30": 0},  # left on the previous census date: not counted
    # agency workers in post, one with cases
    {"AgencyWorker": 1, "SWENo": "AG1", "FTE30": 1, "RoleStartDate": "2023-06-01",
     "Cases30": 15},
    {"AgencyWorker": 1, "SWENo": "AG2", "FTE30": 0.5, "RoleStartDate": "2022-01-01"},
)
