"""Benchmarks: precomputed figures and their version per dataset and period

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "benchmark_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(32), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("measure", sa.String(40), nullable=False),
        sa.Column("grain", sa.String(12), nullable=False),
        sa.Column("area_code", sa.String(16), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("numerator_people", sa.Float(), nullable=True),
        sa.Column("denominator_people", sa.Float(), nullable=True),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("contributors", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_figures")),
        sa.UniqueConstraint("dataset", "period", "measure", "grain", "area_code",
                            name="uq_benchmark_figures_dataset_period_measure_grain_area_code"),
    )
    op.create_table(
        "benchmark_versions",
        sa.Column("dataset", sa.String(32), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("inputs_sha256", sa.String(64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dataset", "period", name=op.f("pk_benchmark_versions")),
    )


def downgrade() -> None:
    op.drop_table("benchmark_versions")
    op.drop_table("benchmark_figures")
