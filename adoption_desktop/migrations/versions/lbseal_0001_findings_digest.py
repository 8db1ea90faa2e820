"""letterbox: each item carries a digest of its screening findings (``findings_digest``), written with any
change to them, so the check before an item's outcome or second check reads that item's findings only instead
of every finding's seal. Items already on file get NULL (no re-sealing here): they are checked as before.

Revision ID: lbseal_0001_findings_digest
Revises: counselling_0004_chase_history
"""
from alembic import op
import sqlalchemy as sa


revision = 'lbseal_0001_findings_digest'
down_revision = 'counselling_0004_chase_history'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letterbox_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('findings_digest', sa.String(length=64), nullable=True))


def downgrade() -> None:
    # a plain column, no index or constraint: dropped in place (SQLite 3.35+), where a batch copy of the table
    # would drop letterbox_items under the rows that refer to it (FOREIGN KEY constraint failed)
    op.drop_column('letterbox_items', 'findings_digest')
