"""Agreements, consent overrides, the audit log and the policy epoch

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_versions")),
        sa.UniqueConstraint("region", "version", name=op.f("uq_agreement_versions_region")),
    )
    op.create_index(op.f("ix_agreement_versions_region"), "agreement_versions", ["region"])
    op.create_index(op.f("ix_agreement_versions_sha256"), "agreement_versions", ["sha256"])

    op.create_table(
        "consent_overrides",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("org_code", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(32), nullable=True),
        sa.Column("measure", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("author_org", sa.String(16), nullable=True),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('withhold', 'suspend')",
                           name=op.f("ck_consent_overrides_kind")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_consent_overrides_version")),
        sa.ForeignKeyConstraint(["org_code"], ["organisations.code"],
                                name=op.f("fk_consent_overrides_org_code_organisations")),
        sa.PrimaryKeyConstraint("id", "version", name=op.f("pk_consent_overrides")),
    )
    op.create_index(op.f("ix_consent_overrides_org_code"), "consent_overrides", ["org_code"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("org_code", sa.String(16), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_index(op.f("ix_audit_events_org_code"), "audit_events", ["org_code"])
    op.create_index(op.f("ix_audit_events_action"), "audit_events", ["action"])

    epoch = op.create_table(
        "policy_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_epoch")),
    )
    op.bulk_insert(epoch, [{"id": 1, "value": 0}])


def downgrade() -> None:
    op.drop_table("policy_epoch")
    op.drop_index(op.f("ix_audit_events_action"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_org_code"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_at"), table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index(op.f("ix_consent_overrides_org_code"), table_name="consent_overrides")
    op.drop_table("consent_overrides")
    op.drop_index(op.f("ix_agreement_versions_sha256"), table_name="agreement_versions")
    op.drop_index(op.f("ix_agreement_versions_region"), table_name="agreement_versions")
    op.drop_table("agreement_versions")
