"""adm: the names of the panel members present who are linked to no user account (the ADM is warned
when their own name matches one; a linked member is refused by user id)

Revision ID: rules_0001
Revises: adm_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'rules_0001'
down_revision = 'adm_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('adm_decisions') as batch:
        batch.add_column(sa.Column('unlinked_member_names', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('adm_decisions') as batch:
        batch.drop_column('unlinked_member_names')
