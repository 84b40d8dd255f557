"""Pulls: an attempt is recorded when a pull is accepted, and finished when it ends

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pull_attempts") as batch:
        batch.alter_column("finished_at", existing_type=sa.DateTime(timezone=True),
                           nullable=True)


def downgrade() -> None:
    # Attempts still queued have no end; they are closed as failed so the column can be
    # required again.
    op.execute("UPDATE pull_attempts SET finished_at = started_at, outcome = 'failed' "
               "WHERE finished_at IS NULL")
    with op.batch_alter_table("pull_attempts") as batch:
        batch.alter_column("finished_at", existing_type=sa.DateTime(timezone=True),
                           nullable=False)
