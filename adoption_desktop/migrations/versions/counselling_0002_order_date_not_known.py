"""counselling: the adoption order date may be not known (NULL), with whether the person was adopted
before 12 November 1975 as far as is known while it is not (adopted_before_1975: NULL = not known)

The downgrade seals again, in one audit entry (action ``seal_downgrade``), the rows whose seal covers the
answer (``core.audit.column_drops``), so ``verify`` stays clean; a case closed after the upgrade (its sealed content
includes the answer) refuses it.

Revision ID: counselling_0002_order_not_known
Revises: lbwork_0002_items_month_index
"""
from typing import Any

from alembic import op
import sqlalchemy as sa


revision = 'counselling_0002_order_not_known'
down_revision = 'lbwork_0002_items_month_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('counselling_cases') as batch:
        batch.alter_column('adoption_order_date', existing_type=sa.Date(), nullable=True)
        batch.add_column(sa.Column('adopted_before_1975', sa.Boolean(), nullable=True))


def downgrade() -> None:
    missing = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM counselling_cases WHERE adoption_order_date IS NULL")).scalar()
    if missing:
        raise RuntimeError(
            f"{missing} counselling case(s) have no adoption order date; the older schema needs one. "
            "Enter the dates (or restore the backup taken before the upgrade) before downgrading.")
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {'counselling_cases': ['adopted_before_1975']})
    n = conn.execute(sa.text(
        "SELECT count(*) FROM counselling_cases WHERE adopted_before_1975 IS NOT NULL")).scalar()
    from adoption_desktop.core.storage.table_copy import copy_table

    def change(batch: Any) -> None:
        batch.drop_column('adopted_before_1975')
        batch.alter_column('adoption_order_date', existing_type=sa.Date(), nullable=False)

    # the order date made required again: SQLite copies the table, which a batch copy dropped under the
    # sessions, requests and disclosures that refer to the cases (FOREIGN KEY constraint failed)
    copy_table(conn, 'counselling_cases', change)
    dropping.seal_again(conn, detail=f"cases whose adopted-before-1975 answer is lost: {n or 0}")
