"""panel: members' gender and ethnicity (optional, for the panel make-up figures) and the record of
each member's annual appraisal

The downgrade seals again, in one audit entry (action ``seal_downgrade``), the rows whose seal covers the
two columns (``core.audit.column_drops``), so ``verify`` stays clean; the entry counts the members whose profile is
lost.

Revision ID: figpanel_0001_member_profile
Revises: finish_0001_adm_delay_reason
"""
from alembic import op
import sqlalchemy as sa


revision = 'figpanel_0001_member_profile'
down_revision = 'finish_0001_adm_delay_reason'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('panel_members') as batch:
        batch.add_column(sa.Column('gender', sa.String(length=20), nullable=False, server_default=''))
        batch.add_column(sa.Column('ethnicity', sa.String(length=40), nullable=False, server_default=''))
    op.create_table(
        'panel_appraisals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('done_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['panel_members.id'],
                                name=op.f('fk_panel_appraisals_member_id_panel_members')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_appraisals')),
    )
    with op.batch_alter_table('panel_appraisals') as batch:
        batch.create_index(batch.f('ix_panel_appraisals_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {'panel_members': ['ethnicity', 'gender']},
                           tables=['panel_appraisals'])
    n = conn.execute(sa.text(
        "SELECT count(*) FROM panel_members WHERE ethnicity <> '' OR gender <> ''")).scalar()
    with op.batch_alter_table('panel_appraisals') as batch:
        batch.drop_index(batch.f('ix_panel_appraisals_member_id'))
    op.drop_table('panel_appraisals')
    # plain columns, no index or constraint: dropped in place (SQLite 3.35+), where a batch copy of panel_members
    # would drop it under the rows that refer to it (FOREIGN KEY constraint failed)
    op.drop_column('panel_members', 'ethnicity')
    op.drop_column('panel_members', 'gender')
    dropping.seal_again(conn, detail=f"members whose gender or ethnicity is lost: {n or 0}")
