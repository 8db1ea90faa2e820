"""letterbox: the sent-list records which item a letter about one item was about and which birth relative
it went to (an item's writer can be corrected afterwards; the row is the record of who received it)

The downgrade seals again, in one audit entry (action ``seal_downgrade``), the rows whose seal covers the two
columns (``core.audit.column_drops``), so ``verify`` stays clean. A letter sent is final when written (its first
seal is its content seal): one recorded after the upgrade, sealed with the two columns, refuses the downgrade.

Revision ID: lbsent_0001_item_recipient
Revises: panel_0002_item_absences
"""
from alembic import op
import sqlalchemy as sa


revision = 'lbsent_0001_item_recipient'
down_revision = 'panel_0002_item_absences'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letterbox_letters_sent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('participant_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_letterbox_letters_sent_item_id'), ['item_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_letterbox_letters_sent_item_id_letterbox_items'),
                                    'letterbox_items', ['item_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_letterbox_letters_sent_participant_id_letterbox_participants'),
                                    'letterbox_participants', ['participant_id'], ['id'])


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {'letterbox_letters_sent': ['item_id', 'participant_id']})
    named = conn.execute(sa.text("SELECT count(*) FROM letterbox_letters_sent "
                                 "WHERE item_id IS NOT NULL OR participant_id IS NOT NULL")).scalar()
    with op.batch_alter_table('letterbox_letters_sent', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_letterbox_letters_sent_participant_id_letterbox_participants'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_letterbox_letters_sent_item_id_letterbox_items'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_letterbox_letters_sent_item_id'))
        batch_op.drop_column('participant_id')
        batch_op.drop_column('item_id')
    dropping.seal_again(conn, detail=f"letters whose item or birth relative is lost: {named or 0}")
