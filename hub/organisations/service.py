"""Loading the reference data and answering questions about organisations."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.errors import NotFound
from hub.organisations.models import ADMIN_CODE, NARE_CODE, Organisation, OrgKind
from policies.geography import ReorganisedLA, resolve

REFERENCE_DIR = Path(str(resources.files("hub") / "data"))


@dataclass(frozen=True)
class OrganisationRow:
    """One organisation as the reference data describes it."""

    code: str
    kind: OrgKind
    name: str
    dfe_code: str | None = None
    region_code: str | None = None


@dataclass(frozen=True)
class LoadSummary:
    added: int
    updated: int
    unchanged: int


def read_reference(directory: Path = REFERENCE_DIR) -> list[OrganisationRow]:
    """The regions, LAs, NARE and the administrators, regions first, from the shipped CSVs."""
    rows = [OrganisationRow(NARE_CODE, OrgKind.NARE,
                            "National Association of Regional Employers"),
            OrganisationRow(ADMIN_CODE, OrgKind.ADMIN, "Hub administrators")]
    with (directory / "regions.csv").open(newline="") as f:
        rows += [OrganisationRow(r["region_code"], OrgKind.REGION, r["region_name"])
                 for r in csv.DictReader(f)]
    with (directory / "local_authorities.csv").open(newline="") as f:
        rows += [OrganisationRow(r["ons_code"], OrgKind.LOCAL_AUTHORITY, r["name"],
                                 r["dfe_code"] or None, r["region_code"])
                 for r in csv.DictReader(f)]
    return rows


def load_reference(session: Session, rows: Iterable[OrganisationRow]) -> LoadSummary:
    """Upsert ``rows`` by code: loading twice changes nothing, a renamed LA is updated in place."""
    existing = {o.code: o for o in session.scalars(select(Organisation))}
    added = updated = unchanged = 0
    for row in rows:
        values = {"kind": row.kind.value, "name": row.name, "dfe_code": row.dfe_code,
                  "region_code": row.region_code}
        current = existing.get(row.code)
        if current is None:
            session.add(Organisation(code=row.code, **values))
            # Flush each parent before its children so the region foreign key holds.
            session.flush()
            added += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return LoadSummary(added, updated, unchanged)


def list_regions(session: Session) -> Sequence[Organisation]:
    """The regions, by name."""
    return session.scalars(select(Organisation).where(
        Organisation.kind == OrgKind.REGION.value).order_by(Organisation.name)).all()


def get_organisation(session: Session, code: str, kind: OrgKind) -> Organisation:
    """The organisation of ``kind`` with ``code``; NotFound otherwise."""
    org = session.get(Organisation, code)
    if org is None or org.kind != kind.value:
        raise NotFound(f"No {kind.value.replace('_', ' ')} has the code {code!r}.")
    return org


def find_authority(session: Session, code: str) -> Organisation:
    """The LA a code from any year of DfE's files names: its ONS code old or new, or DfE's
    three digits; NotFound saying why for a merged or split LA or an unknown code."""
    dfe_codes = dict(session.execute(select(Organisation.dfe_code, Organisation.code).where(
        Organisation.kind == OrgKind.LOCAL_AUTHORITY.value,
        Organisation.dfe_code.is_not(None))).all())
    try:
        resolved = resolve(code, dfe_codes)
    except ReorganisedLA as exc:
        raise NotFound(f"{exc}.") from None
    except KeyError:
        raise NotFound(f"No local authority has the code {code!r}.") from None
    return get_organisation(session, resolved.code, OrgKind.LOCAL_AUTHORITY)


def authorities_query(region_code: str | None):  # type: ignore[no-untyped-def]
    """The select of LAs, in one region when ``region_code`` is given, by name."""
    query = select(Organisation).where(Organisation.kind == OrgKind.LOCAL_AUTHORITY.value)
    if region_code is not None:
        query = query.where(Organisation.region_code == region_code)
    return query.order_by(Organisation.name, Organisation.code)


def count(session: Session, query) -> int:  # type: ignore[no-untyped-def]
    """How many rows ``query`` selects."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
