"""Dashboard: regions' commentary on their governance packs, one row per version

Revision ID: 0008g
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008g"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pack_commentary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("section", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["region_code"], ["organisations.code"],
                                name=op.f("fk_pack_commentary_region_code_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_commentary")),
        sa.UniqueConstraint("region_code", "period", "section", "version",
                            name=op.f("uq_pack_commentary_region_code")),
    )


def downgrade() -> None:
    op.drop_table("pack_commentary")
