"""screening findings: owner records (``core.audit.seals.PART_OWNERS``) for the findings already in the
database, so that an item's outcome check reads its own findings' seals alone, and a finding written in
bulk and then deleted outside the application stops its own item rather than every item

Revision ID: parts_0001_finding_owners
Revises: counselling_0004_chase_history
"""
from alembic import op


revision = 'parts_0001_finding_owners'
down_revision = 'counselling_0004_chase_history'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from adoption_desktop.core.audit.seals import seal_part_owners

    seal_part_owners(op.get_bind())


def downgrade() -> None:
    pass  # the records stay in the log: an entry, once written, is never removed
