"""letterbox: each item carries a digest of its screening findings (``findings_digest``), written with any
change to them, so the check before an item's outcome or second check reads that item's findings only instead
of every finding's seal. Items already on file get NULL (no re-sealing here): they are checked as before.

The downgrade seals again, in one audit entry (action ``seal_downgrade``), the items whose seal covers the
digest (``core.audit.column_drops``), so ``verify`` stays clean: nothing is lost (the findings keep their own
seals). An item given its outcome after the upgrade (its sealed content includes the digest) refuses it.

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
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {'letterbox_items': ['findings_digest']})
    # a plain column, no index or constraint: dropped in place (SQLite 3.35+), where a batch copy of the table
    # would drop letterbox_items under the rows that refer to it (FOREIGN KEY constraint failed)
    op.drop_column('letterbox_items', 'findings_digest')
    dropping.seal_again(conn, detail="nothing lost: the findings keep their own seals")
