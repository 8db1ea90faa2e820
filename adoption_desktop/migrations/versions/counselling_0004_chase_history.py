"""counselling: the history of each records request's chases (the day, the chase date it replaced and the one
it set), so that a past period's "overdue for a chase" is judged by what was known at its end: a chase recorded
in April no longer changes the figures reported for January to March. Chases recorded before this upgrade have
no row (their earlier dates were not kept): a period before them is judged, as before, by the request's current
chase date.

The downgrade seals as deleted, in one audit entry (action ``seal_downgrade``), the rows of the tables it
drops (``core.audit.column_drops``), or ``verify`` reports each table as dropped outside the program.

Revision ID: counselling_0004_chase_history
Revises: counselling_0003_session_outcome
"""
from alembic import op
import sqlalchemy as sa


revision = 'counselling_0004_chase_history'
down_revision = 'counselling_0003_session_outcome'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'counselling_chases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('chased_on', sa.Date(), nullable=False),
        sa.Column('due_before', sa.Date(), nullable=False),
        sa.Column('due_after', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['counselling_requests.id'],
                                name=op.f('fk_counselling_chases_request_id_counselling_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_counselling_chases')),
    )
    with op.batch_alter_table('counselling_chases') as batch:
        batch.create_index(batch.f('ix_counselling_chases_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {}, tables=['counselling_chases'])
    op.drop_table('counselling_chases')
    dropping.seal_again(conn, detail="lost: the history of chases")
