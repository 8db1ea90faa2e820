"""adm: the reason for delay given when a decision is signed past its statutory deadline

The downgrade seals again, in one audit entry (action ``seal_downgrade``), the rows whose seal covers the
reason (``core.audit.column_drops``), so ``verify`` stays clean; a decision signed after the upgrade (its sealed
content includes the reason) refuses it.

Revision ID: finish_0001_adm_delay_reason
Revises: profile_0001_templates
"""
from alembic import op
import sqlalchemy as sa


revision = 'finish_0001_adm_delay_reason'
down_revision = 'profile_0001_templates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('adm_decisions') as batch:
        batch.add_column(sa.Column('delay_reason', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {'adm_decisions': ['delay_reason']})
    n = conn.execute(sa.text("SELECT count(*) FROM adm_decisions WHERE delay_reason <> ''")).scalar()
    # plain columns, no index or constraint: dropped in place (SQLite 3.35+), where a batch copy of adm_decisions
    # would drop it under the rows that refer to it (FOREIGN KEY constraint failed)
    op.drop_column('adm_decisions', 'delay_reason')
    dropping.seal_again(conn, detail=f"reasons for delay lost: {n or 0}")
