"""concurrency: a row_version on every editable table, presence leases

Merges the feature branches (it adds a column to tables of each of them).

Revision ID: conc_0001
Revises: 0002_drafts, adm_0001, counselling_0001, letterbox_0001, panel_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'conc_0001'
down_revision = ('0002_drafts', 'rules_0001', 'counselling_0001', 'rules_0002', 'panel_0001')
branch_labels = None
depends_on = None

VERSIONED = ('panel_members', 'panel_sittings', 'panel_items', 'panel_minutes', 'letterbox_arrangements',
             'letterbox_items', 'counselling_cases', 'counselling_requests', 'adm_decisions',
             'adm_qualifying_determinations', 'settings', 'users')


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'))
    op.create_table('presence_leases',
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=80), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('user_name', sa.String(length=120), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_presence_leases'))
    )
    op.create_index('ix_presence_leases_entity', 'presence_leases', ['entity', 'entity_id'], unique=False)
    op.create_index(op.f('ix_presence_leases_expires_at'), 'presence_leases', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_presence_leases_expires_at'), table_name='presence_leases')
    op.drop_index('ix_presence_leases_entity', table_name='presence_leases')
    op.drop_table('presence_leases')
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('row_version')
