"""salutations: how each person a letter goes to wishes to be addressed

The downgrade seals again, in one audit entry (action ``seal_downgrade``), every row whose seal covers a
salutation taken away (``core.audit.column_drops``), so ``verify`` stays clean; a case closed with one (its
sealed content includes it) refuses the downgrade instead.

Revision ID: wording_0001_salutations
Revises: journey_0001_children
Create Date: 2026-12-01 15:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'wording_0001_salutations'
down_revision = 'journey_0001_children'
branch_labels = None
depends_on = None

COLUMNS = (("letterbox_participants", "salutation"), ("letterbox_arrangements", "adopters_salutation"),
           ("counselling_cases", "salutation"))


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.String(length=120), nullable=False, server_default=''))


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {table: [column] for table, column in COLUMNS})
    wrote = conn.execute(sa.text(
        "SELECT (SELECT count(*) FROM letterbox_participants WHERE salutation <> '') + "
        "(SELECT count(*) FROM letterbox_arrangements WHERE adopters_salutation <> '') + "
        "(SELECT count(*) FROM counselling_cases WHERE salutation <> '')")).scalar()
    for table, column in COLUMNS:
        # plain columns, no index or constraint: dropped in place (SQLite 3.35+), where a batch copy of
        # letterbox_arrangements would drop it under the rows that refer to it (FOREIGN KEY constraint failed)
        op.drop_column(table, column)
    dropping.seal_again(conn, detail=f"salutations lost: {wrote or 0}")
