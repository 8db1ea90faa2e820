"""the child's journey: a child's link to its ADM match decision (``journey_children.match_decision_id``), apart
from its link to its plan-for-adoption decision. Linking a child from a match decision wrote the match decision
into ``plan_decision_id``, so the child left its plan decision's list.

Children already on file whose ``plan_decision_id`` names a match decision were linked from that match decision
(the plan decision they were on before cannot be known): the link is moved into the new column. The rows moved
are sealed again in the same step, in one audit entry (action ``journey_match_link_moved``), each only if it
still matched its seal before the move (one changed outside the program is moved but left unsealed, so
``verify`` goes on naming it). The downgrade puts such links back into ``plan_decision_id`` where that is
empty (as the version before wrote them), drops the column and seals again without it every row whose seal covered it, in one audit
entry (action ``journey_match_link_taken_away``) whose detail names the children whose match link is lost (on
a plan decision too: the older schema has one link).

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
ACTION_DOWN = 'journey_match_link_taken_away'


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
    """The links back as the version before wrote them, and the rows sealed again as the older schema has them
    (``core.audit.column_drops``: one audit entry, action ``journey_match_link_taken_away``): after the
    upgrade every row's seal covers
    ``match_decision_id``, and a seal over a column that is gone is reported by ``verify`` as a change made
    outside the program. A child on both a plan and a match decision keeps its plan decision: its match link
    is lost, and the entry's detail names the child and the match decision. A row that did not match its
    seal before is written but left unsealed, so ``verify`` goes on naming it."""
    conn = op.get_bind()
    from adoption_desktop.core.audit.column_drops import before_drop

    lost = conn.execute(sa.text(
        "SELECT reference, match_decision_id FROM journey_children "
        "WHERE plan_decision_id IS NOT NULL AND match_decision_id IS NOT NULL ORDER BY id")).all()
    back = list(conn.execute(sa.text(
        "SELECT id FROM journey_children WHERE plan_decision_id IS NULL AND match_decision_id IS NOT NULL"
    )).scalars())
    # before the change, over the columns their seals cover: the rows to seal again, and those changed
    # outside the program (written but left unsealed)
    dropping = before_drop(conn, revision, {'journey_children': ['match_decision_id']},
                           changed={'journey_children': back})
    put_back = conn.execute(sa.text(
        "UPDATE journey_children SET plan_decision_id = match_decision_id "
        "WHERE plan_decision_id IS NULL AND match_decision_id IS NOT NULL")).rowcount
    with op.batch_alter_table('journey_children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journey_children_match_decision_id'))
        batch_op.drop_column('match_decision_id')
    named = ", ".join(f"{ref} (match decision {did})" for ref, did in lost[:20])
    more = f" and {len(lost) - 20} more" if len(lost) > 20 else ""
    detail = f"the match decision's own link taken away; {put_back} link(s) put back into plan_decision_id"
    if lost:
        detail += f"; match link lost, the child being on a plan decision: {named}{more}"
    dropping.seal_again(conn, action=ACTION_DOWN, detail=detail)  # the rows as they now are: without the column
