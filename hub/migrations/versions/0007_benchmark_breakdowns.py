"""Benchmarks: each LA figure keeps its breakdown (by breach type, by role)

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("benchmark_figures") as batch:
        batch.add_column(sa.Column("breakdowns", sa.JSON(), nullable=True))
    # Figures computed before now have no breakdowns, and a recompute of unchanged revisions
    # does nothing: forgetting what they were computed from makes the next recompute (a
    # landing, or `hub benchmarks recompute`) compute them again, breakdowns included.
    op.execute("UPDATE benchmark_versions SET inputs_sha256 = ''")


def downgrade() -> None:
    with op.batch_alter_table("benchmark_figures") as batch:
        batch.drop_column("breakdowns")
