"""letterbox: the channel of each item (post, secure e-mail, digital letterbox), the kind of contact of each
arrangement (letterbox, direct contact with or without it), and the register of birth-parent support referrals

The downgrade seals again, in one audit entry (action ``seal_downgrade``), the rows whose seal covers a
column taken away (``core.audit.column_drops``), so ``verify`` stays clean. The columns are dropped in place: a batch
copy of letterbox_arrangements failed (FOREIGN KEY constraint failed) as soon as an item or participant existed.

Revision ID: figletter_0001_contact_support
Revises: pgsearch_0001_stored_tsvector
"""
from alembic import op
import sqlalchemy as sa


revision = 'figletter_0001_contact_support'
down_revision = 'pgsearch_0001_stored_tsvector'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letterbox_items') as batch:
        batch.add_column(sa.Column('channel', sa.String(length=12), nullable=False, server_default='post'))
        batch.create_index(batch.f('ix_letterbox_items_channel'), ['channel'], unique=False)
    with op.batch_alter_table('letterbox_arrangements') as batch:
        batch.add_column(sa.Column('contact_kind', sa.String(length=24), nullable=False,
                                   server_default='letterbox'))
        batch.add_column(sa.Column('direct_form', sa.String(length=24), nullable=False, server_default=''))
        batch.add_column(sa.Column('direct_started_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('direct_ended_on', sa.Date(), nullable=True))
    op.create_table(
        'letterbox_support_referrals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_reference', sa.String(length=40), nullable=False),
        sa.Column('initials', sa.String(length=20), nullable=False),
        sa.Column('relationship', sa.String(length=60), nullable=False),
        sa.Column('referred_on', sa.Date(), nullable=False),
        sa.Column('service', sa.String(length=160), nullable=False),
        sa.Column('offered_on', sa.Date(), nullable=True),
        sa.Column('response', sa.String(length=12), nullable=False),
        sa.Column('response_on', sa.Date(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letterbox_support_referrals')),
    )
    with op.batch_alter_table('letterbox_support_referrals') as batch:
        batch.create_index(batch.f('ix_letterbox_support_referrals_case_reference'), ['case_reference'],
                           unique=False)
        batch.create_index(batch.f('ix_letterbox_support_referrals_referred_on'), ['referred_on'], unique=False)


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {
        'letterbox_arrangements': ['direct_ended_on', 'direct_started_on', 'direct_form', 'contact_kind'],
        'letterbox_items': ['channel']}, tables=['letterbox_support_referrals'])
    op.drop_table('letterbox_support_referrals')
    # plain columns (the index dropped first): dropped in place (SQLite 3.35+), where a batch copy of
    # letterbox_arrangements or letterbox_items would drop it under the rows that refer to it (FOREIGN KEY
    # constraint failed)
    for name in ('direct_ended_on', 'direct_started_on', 'direct_form', 'contact_kind'):
        op.drop_column('letterbox_arrangements', name)
    op.drop_index(op.f('ix_letterbox_items_channel'), table_name='letterbox_items')
    op.drop_column('letterbox_items', 'channel')
    dropping.seal_again(conn, detail="lost: each arrangement's kind of contact and direct contact dates, "
                                     "each item's channel")
