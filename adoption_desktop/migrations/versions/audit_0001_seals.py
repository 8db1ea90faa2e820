"""audit: per-row seals (audit_seal, audit_columns, audit_log.seal); existing rows sealed once

Revision ID: audit_0001
Revises: conc_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'audit_0001'
down_revision = 'conc_0001'
branch_labels = ('audit',)
# after every feature's tables and the row versions: the baseline seals the rows as they stand then
# (a table created later starts empty and its rows are sealed as they are written)
depends_on = None


def upgrade() -> None:
    op.add_column('audit_log', sa.Column('seal', sa.String(length=64), server_default='', nullable=False))
    op.create_table('audit_columns',
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('columns', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_audit_columns'))
    )
    op.create_table('audit_seal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=80), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('columns', sa.String(length=16), nullable=False),
    sa.Column('digest', sa.String(length=32), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_seal'))
    )
    op.create_index('ix_audit_seal_entity_row', 'audit_seal', ['entity', 'entity_id'], unique=False)
    op.create_index(op.f('ix_audit_seal_seq'), 'audit_seal', ['seq'], unique=False)

    from adoption_desktop.core.audit.seals import seal_baseline

    seal_baseline(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f('ix_audit_seal_seq'), table_name='audit_seal')
    op.drop_index('ix_audit_seal_entity_row', table_name='audit_seal')
    op.drop_table('audit_seal')
    op.drop_table('audit_columns')
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_column('seal')
