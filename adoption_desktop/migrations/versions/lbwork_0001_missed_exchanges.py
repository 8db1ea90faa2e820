"""letterbox: expected exchanges marked as missed (they leave the work list without an item; undo removes
the mark)

The downgrade seals as deleted, in one audit entry (action ``seal_downgrade``), the rows of the tables it
drops (``core.audit.column_drops``), or ``verify`` reports each table as dropped outside the program.

Revision ID: lbwork_0001_missed_exchanges
Revises: search_0001_fts_prefix_1
"""
from alembic import op
import sqlalchemy as sa


revision = 'lbwork_0001_missed_exchanges'
down_revision = 'search_0001_fts_prefix_1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'letterbox_missed_exchanges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('arrangement_id', sa.Integer(), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('side', sa.String(length=12), nullable=False),
        sa.Column('marked_by', sa.String(length=60), nullable=False),
        sa.Column('marked_at', sa.DateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['arrangement_id'], ['letterbox_arrangements.id'],
                                name=op.f('fk_letterbox_missed_exchanges_arrangement_id_letterbox_arrangements')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letterbox_missed_exchanges')),
        sa.UniqueConstraint('arrangement_id', 'due', 'side', name=op.f('uq_letterbox_missed_exchanges_arrangement_id')),
    )
    with op.batch_alter_table('letterbox_missed_exchanges') as batch:
        batch.create_index(batch.f('ix_letterbox_missed_exchanges_arrangement_id'), ['arrangement_id'], unique=False)
        batch.create_index(batch.f('ix_letterbox_missed_exchanges_due'), ['due'], unique=False)


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {}, tables=['letterbox_missed_exchanges'])
    op.drop_table('letterbox_missed_exchanges')
    dropping.seal_again(conn, detail="lost: the register of missed exchanges")
