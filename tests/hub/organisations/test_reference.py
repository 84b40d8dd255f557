"""Loading the reference data: complete, idempotent, updating in place."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from sqlalchemy import func, select

from hub.db import Database
from hub.organisations import service
from hub.organisations.models import Organisation, OrgKind

LAS_PER_REGION = {
    "North East": 12, "North West": 24, "Yorkshire and The Humber": 15, "East Midlands": 10,
    "West Midlands": 14, "East of England": 11, "London": 33, "South East": 19,
    "South West": 15,
}


def _load(url: str, rows=None):
    database = Database(url)
    with database.session() as session:
        summary = service.load_reference(session, rows or service.read_reference())
    return database, summary


def test_loads_every_organisation(empty_database_url):
    database, summary = _load(empty_database_url)
    assert (summary.added, summary.updated, summary.unchanged) == (164, 0, 0)
    with database.session() as session:
        kinds = Counter(session.scalars(select(Organisation.kind)))
        per_region = Counter(
            region.name for la in session.scalars(select(Organisation).where(
                Organisation.kind == "local_authority")) for region in [la.region])
    assert kinds == {"local_authority": 153, "region": 9, "nare": 1, "admin": 1}
    assert per_region == LAS_PER_REGION
    database.dispose()


def test_loading_twice_leaves_the_same_rows(empty_database_url):
    _load(empty_database_url)[0].dispose()
    database, summary = _load(empty_database_url)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 164)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) == 164
    database.dispose()


def test_a_changed_name_is_updated_not_duplicated(database_url):
    rows = [replace(row, name="Renamed Borough") if row.code == "E09000001" else row
            for row in service.read_reference()]
    database, summary = _load(database_url, rows)
    assert (summary.added, summary.updated) == (0, 1)
    with database.session() as session:
        la = service.get_organisation(session, "E09000001", OrgKind.LOCAL_AUTHORITY)
        assert la.name == "Renamed Borough"
        assert session.scalar(select(func.count()).select_from(Organisation)) == 164
    database.dispose()


def test_dfe_codes_are_kept_where_dfe_has_them(database):
    with database.session() as session:
        kingston = service.get_organisation(session, "E09000021", OrgKind.LOCAL_AUTHORITY)
        durham = service.get_organisation(session, "E06000047", OrgKind.LOCAL_AUTHORITY)
    assert (kingston.dfe_code, durham.dfe_code) == ("314", "840")
