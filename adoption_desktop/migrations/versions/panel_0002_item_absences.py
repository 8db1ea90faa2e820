"""panel: members not present for an agenda item (arrived after it, left before it, or left during it
before the panel's views), so that they are not counted in the item's quorum (AAR 2005 reg 3)

The downgrade seals as deleted, in one audit entry (action ``seal_downgrade``), the rows of the tables it
drops (``core.audit.column_drops``), or ``verify`` reports each table as dropped outside the program.

Revision ID: panel_0002_item_absences
Revises: counselling_0002_order_not_known
"""
from alembic import op
import sqlalchemy as sa


revision = 'panel_0002_item_absences'
down_revision = 'counselling_0002_order_not_known'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('panel_item_absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['panel_items.id'], name=op.f('fk_panel_item_absences_item_id_panel_items')),
    sa.ForeignKeyConstraint(['member_id'], ['panel_members.id'],
                            name=op.f('fk_panel_item_absences_member_id_panel_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_item_absences')),
    sa.UniqueConstraint('item_id', 'member_id', name=op.f('uq_panel_item_absences_item_id'))
    )
    with op.batch_alter_table('panel_item_absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_item_absences_item_id'), ['item_id'], unique=False)


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {}, tables=['panel_item_absences'])
    with op.batch_alter_table('panel_item_absences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_item_absences_item_id'))
    op.drop_table('panel_item_absences')
    dropping.seal_again(conn, detail="lost: the members recorded absent from an item")
