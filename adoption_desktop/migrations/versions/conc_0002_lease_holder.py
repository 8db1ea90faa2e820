"""concurrency: a presence lease names the program holding it (its core.running mark), so a program on
the same PC that has ended is known at once, not two minutes later

Revision ID: conc_0002_lease_holder
Revises: lbwork_0005_pattern_changes
"""
from alembic import op
import sqlalchemy as sa


revision = 'conc_0002_lease_holder'
down_revision = 'lbwork_0005_pattern_changes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('presence_leases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('presence_leases', schema=None) as batch_op:
        batch_op.drop_column('holder')
