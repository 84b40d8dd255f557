"""The organisations every client, user and figure belongs to."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base


class OrgKind(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    REGION = "region"
    NARE = "nare"
    ADMIN = "admin"


#: The two organisations that are not in the ONS reference data.
NARE_CODE = "NARE"
ADMIN_CODE = "HUB-ADMIN"


class Organisation(Base):
    """An LA (by ONS code), a region (by ONS code), NARE, or the hub's administrators."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('local_authority', 'region', 'nare', 'admin')", name="kind"),
        CheckConstraint(
            "(kind = 'local_authority') = (region_code IS NOT NULL)", name="la_has_region"),
    )

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    dfe_code: Mapped[str | None] = mapped_column(String(3), unique=True)
    region_code: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.code"), index=True)

    region: Mapped[Organisation | None] = relationship(
        remote_side=[code], back_populates="authorities")
    authorities: Mapped[list[Organisation]] = relationship(
        back_populates="region", order_by="Organisation.name")

    @property
    def org_kind(self) -> OrgKind:
        return OrgKind(self.kind)
