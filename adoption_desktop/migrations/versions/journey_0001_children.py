"""the child's journey: children on plan decisions and match items, adopter assessment stages

The downgrade seals as deleted, in one audit entry (action ``seal_downgrade``), the rows of the tables it
drops (``core.audit.column_drops``), or ``verify`` reports each table as dropped outside the program.

Revision ID: journey_0001_children
Revises: docs_0001_attachments
Create Date: 2026-12-01 15:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'journey_0001_children'
down_revision = 'docs_0001_attachments'
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
    return [
        sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('journey_children',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('reference_key', sa.String(length=40), nullable=False),
    sa.Column('initials', sa.String(length=20), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=20), nullable=False),
    sa.Column('ethnicity', sa.String(length=60), nullable=False),
    sa.Column('disability', sa.String(length=120), nullable=False),
    sa.Column('sibling_group', sa.String(length=40), nullable=False),
    sa.Column('plan_decision_id', sa.Integer(), nullable=True),
    sa.Column('match_item_id', sa.Integer(), nullable=True),
    sa.Column('entered_care_on', sa.Date(), nullable=True),
    sa.Column('plan_decided_on', sa.Date(), nullable=True),
    sa.Column('placement_order_on', sa.Date(), nullable=True),
    sa.Column('match_recommended_on', sa.Date(), nullable=True),
    sa.Column('match_agreed_on', sa.Date(), nullable=True),
    sa.Column('placed_on', sa.Date(), nullable=True),
    sa.Column('adoption_order_on', sa.Date(), nullable=True),
    sa.Column('early_permanence', sa.String(length=20), nullable=False),
    sa.Column('early_permanence_placed_on', sa.Date(), nullable=True),
    sa.Column('foster_carer_adoption', sa.Boolean(), nullable=False),
    sa.Column('foster_carer_placed_on', sa.Date(), nullable=True),
    sa.Column('disrupted_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    *_stamps(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_children'))
    )
    with op.batch_alter_table('journey_children', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journey_children_reference_key'), ['reference_key'], unique=True)
        batch_op.create_index(batch_op.f('ix_journey_children_sibling_group'), ['sibling_group'], unique=False)
        batch_op.create_index(batch_op.f('ix_journey_children_plan_decision_id'), ['plan_decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journey_children_match_item_id'), ['match_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journey_children_adoption_order_on'), ['adoption_order_on'], unique=False)

    op.create_table('journey_adopters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('reference_key', sa.String(length=40), nullable=False),
    sa.Column('approval_item_id', sa.Integer(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('stage1_completed_on', sa.Date(), nullable=True),
    sa.Column('stage2_started_on', sa.Date(), nullable=True),
    sa.Column('panel_on', sa.Date(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    *_stamps(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_adopters'))
    )
    with op.batch_alter_table('journey_adopters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journey_adopters_reference_key'), ['reference_key'], unique=True)
        batch_op.create_index(batch_op.f('ix_journey_adopters_approval_item_id'), ['approval_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journey_adopters_approved_on'), ['approved_on'], unique=False)


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {}, tables=['journey_adopters', 'journey_children'])
    op.drop_table('journey_adopters')
    op.drop_table('journey_children')
    dropping.seal_again(conn, detail="lost: the children's and adopters' journey records")
