"""Registry and pulls: connectors, allowed hosts, extract revisions, pull attempts

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('allowed_hosts',
    sa.Column('host', sa.String(length=253), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('host', name=op.f('pk_allowed_hosts'))
    )
    op.create_table('connectors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('la_code', sa.String(length=16), nullable=False),
    sa.Column('base_url', sa.String(length=2048), nullable=False),
    sa.Column('token_url', sa.String(length=2048), nullable=False),
    sa.Column('jwks_url', sa.String(length=2048), nullable=False),
    sa.Column('jwks', sa.JSON(), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('client_secret', sa.LargeBinary(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_pull_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_outcome', sa.String(length=16), nullable=True),
    sa.Column('last_error', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['la_code'], ['organisations.code'], name=op.f('fk_connectors_la_code_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connectors')),
    sa.UniqueConstraint('la_code', name=op.f('uq_connectors_la_code'))
    )
    op.create_table('extracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('la_code', sa.String(length=16), nullable=False),
    sa.Column('dataset', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('signature', sa.Text(), nullable=False),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('measures', sa.JSON(), nullable=False),
    sa.Column('breakdowns', sa.JSON(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('connector_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['connector_id'], ['connectors.id'], name=op.f('fk_extracts_connector_id_connectors')),
    sa.ForeignKeyConstraint(['la_code'], ['organisations.code'], name=op.f('fk_extracts_la_code_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extracts')),
    sa.UniqueConstraint('la_code', 'dataset', 'period', 'revision', name='uq_extracts_la_code_dataset_period_revision')
    )
    with op.batch_alter_table('extracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extracts_connector_id'), ['connector_id'], unique=False)

    op.create_table('pull_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connector_id', sa.Integer(), nullable=False),
    sa.Column('dataset', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=True),
    sa.Column('error_code', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connector_id'], ['connectors.id'], name=op.f('fk_pull_attempts_connector_id_connectors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pull_attempts'))
    )
    with op.batch_alter_table('pull_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_pull_attempts_connector_id_started_at', ['connector_id', 'started_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pull_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_pull_attempts_connector_id_started_at')

    op.drop_table('pull_attempts')
    with op.batch_alter_table('extracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extracts_connector_id'))

    op.drop_table('extracts')
    op.drop_table('connectors')
    op.drop_table('allowed_hosts')
