"""Organisations: local authorities, regions, NARE and the hub's administrators.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("dfe_code", sa.String(3), nullable=True),
        sa.Column("region_code", sa.String(16), nullable=True),
        sa.CheckConstraint("kind IN ('local_authority', 'region', 'nare', 'admin')",
                           name=op.f("ck_organisations_kind")),
        sa.CheckConstraint("(kind = 'local_authority') = (region_code IS NOT NULL)",
                           name=op.f("ck_organisations_la_has_region")),
        sa.ForeignKeyConstraint(["region_code"], ["organisations.code"],
                                name=op.f("fk_organisations_region_code_organisations")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_organisations")),
        sa.UniqueConstraint("dfe_code", name=op.f("uq_organisations_dfe_code")),
    )
    op.create_index(op.f("ix_organisations_kind"), "organisations", ["kind"])
    op.create_index(op.f("ix_organisations_region_code"), "organisations", ["region_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_organisations_region_code"), table_name="organisations")
    op.drop_index(op.f("ix_organisations_kind"), table_name="organisations")
    op.drop_table("organisations")
