"""adm: the reason for delay given when a decision is signed past its statutory deadline

Revision ID: finish_0001_adm_delay_reason
Revises: profile_0001_templates
"""
from alembic import op
import sqlalchemy as sa


revision = 'finish_0001_adm_delay_reason'
down_revision = 'profile_0001_templates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('adm_decisions') as batch:
        batch.add_column(sa.Column('delay_reason', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('adm_decisions') as batch:
        batch.drop_column('delay_reason')
