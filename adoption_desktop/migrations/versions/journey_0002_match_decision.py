"""the child's journey: a child's link to its ADM match decision (``journey_children.match_decision_id``), apart
from its link to its plan-for-adoption decision. Linking a child from a match decision wrote the match decision
into ``plan_decision_id``, so the child left its plan decision's list.

Children already on file whose ``plan_decision_id`` names a match decision were linked from that match decision
(the plan decision they were on before cannot be known): the link is moved into the new column. The rows moved
are sealed again in the same step, in one audit entry (action ``journey_match_link_moved``), each only if it
still matched its seal before the move (one changed outside the program is moved but left unsealed, so
``verify`` goes on naming it). The downgrade puts such links back into ``plan_decision_id`` where that is
empty (as the version before wrote them).

Revision ID: journey_0002_match_decision
Revises: access_0001_reviews
"""
from alembic import op
import sqlalchemy as sa


revision = 'journey_0002_match_decision'
down_revision = 'access_0001_reviews'
branch_labels = None
depends_on = None

ACTION = 'journey_match_link_moved'


def upgrade() -> None:
    with op.batch_alter_table('journey_children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('match_decision_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_journey_children_match_decision_id'), ['match_decision_id'],
                              unique=False)
    conn = op.get_bind()
    ids = list(conn.execute(sa.text(
        "SELECT c.id FROM journey_children c JOIN adm_decisions d ON d.id = c.plan_decision_id "
        "WHERE d.decision_type = 'match' ORDER BY c.id")).scalars())
    if not ids:
        return
    from adoption_desktop.core.audit.seals.row_seals import rows_off_seal
    from adoption_desktop.core.audit.seals.sealed_writes import filed_under, seal_change
    from adoption_desktop.core.audit.seals.tables import audited_table
    from adoption_desktop.core.security.permissions import SYSTEM

    table = audited_table('journey_children')
    pks = [(i,) for i in ids]
    unsound = rows_off_seal(conn, table, pks, lock=False)  # before the move: changed outside the program?
    conn.execute(sa.text(
        "UPDATE journey_children SET match_decision_id = plan_decision_id, plan_decision_id = NULL "
        "WHERE id = :id"), [{'id': i} for i in ids])
    seal_change(conn, SYSTEM, ACTION, table, pks, entity_id=filed_under(pks),
                detail=f"children linked from a match decision: the link moved to match_decision_id ({len(ids)})",
                unsound=unsound)


def downgrade() -> None:
    op.execute("UPDATE journey_children SET plan_decision_id = match_decision_id "
               "WHERE plan_decision_id IS NULL AND match_decision_id IS NOT NULL")
    with op.batch_alter_table('journey_children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journey_children_match_decision_id'))
        batch_op.drop_column('match_decision_id')
