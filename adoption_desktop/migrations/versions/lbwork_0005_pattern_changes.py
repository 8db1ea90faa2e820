"""letterbox: the history of each agreement's exchange pattern (months, who writes first, replies expected):
a change to an existing arrangement is effective from a date, and the work list expects each exchange as the
pattern in effect on its month's 1st set it out (a month added is not overdue before the change; one taken
away stays owed before it). Existing arrangements have no row: their pattern applies from their start.

The downgrade seals as deleted, in one audit entry (action ``seal_downgrade``), the rows of the tables it
drops (``core.audit.column_drops``), or ``verify`` reports each table as dropped outside the program.

Revision ID: lbwork_0005_pattern_changes
Revises: lbwork_0004_items_by_arrangement
"""
from alembic import op
import sqlalchemy as sa


revision = 'lbwork_0005_pattern_changes'
down_revision = 'lbwork_0004_items_by_arrangement'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'letterbox_pattern_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('arrangement_id', sa.Integer(), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('months_before', sa.String(length=40), nullable=False),
        sa.Column('first_writer_before', sa.String(length=12), nullable=False),
        sa.Column('replies_expected_before', sa.Boolean(), nullable=False),
        sa.Column('months', sa.String(length=40), nullable=False),
        sa.Column('first_writer', sa.String(length=12), nullable=False),
        sa.Column('replies_expected', sa.Boolean(), nullable=False),
        sa.Column('recorded_by', sa.String(length=60), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['arrangement_id'], ['letterbox_arrangements.id'],
                                name=op.f('fk_letterbox_pattern_changes_arrangement_id_letterbox_arrangements')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letterbox_pattern_changes')),
        sa.UniqueConstraint('arrangement_id', 'effective_from',
                            name=op.f('uq_letterbox_pattern_changes_arrangement_id')),
    )
    with op.batch_alter_table('letterbox_pattern_changes') as batch:
        batch.create_index(batch.f('ix_letterbox_pattern_changes_arrangement_id'), ['arrangement_id'], unique=False)


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {}, tables=['letterbox_pattern_changes'])
    op.drop_table('letterbox_pattern_changes')
    dropping.seal_again(conn, detail="lost: the history of exchange pattern changes")
