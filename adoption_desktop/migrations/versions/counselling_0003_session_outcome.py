"""counselling: a session's outcome (held, cancelled, did not attend; NULL: not recorded yet). Only a session
recorded as held is the counselling interview (Adoption Act 1976 s.51(7)), is counted in the figures and keeps
the case from being closed before it; a booked session whose day passed no longer counts by its date alone.

Sessions already on file keep the count they had: one dated on or before the day of the upgrade was counted
as having taken place, and is recorded as held; one dated later is an appointment, not recorded yet.

The downgrade seals again, in one audit entry (action ``seal_downgrade``), the rows whose seal covers the
outcome (``core.audit.column_drops``), so ``verify`` stays clean.

Revision ID: counselling_0003_session_outcome
Revises: conc_0002_lease_holder
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = 'counselling_0003_session_outcome'
down_revision = 'conc_0002_lease_holder'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('counselling_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=20), nullable=True))
    op.get_bind().execute(
        sa.text("UPDATE counselling_sessions SET outcome = 'held' WHERE held_on <= :day").bindparams(
            sa.bindparam('day', dt.date.today(), type_=sa.Date())))


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {'counselling_sessions': ['outcome']})
    n = conn.execute(sa.text(
        "SELECT count(*) FROM counselling_sessions WHERE outcome IS NOT NULL AND outcome <> ''")).scalar()
    # a plain column: dropped in place (SQLite 3.35+), as the other downgrades that take a column away
    op.drop_column('counselling_sessions', 'outcome')
    dropping.seal_again(conn, detail=f"session outcomes lost: {n or 0}")
