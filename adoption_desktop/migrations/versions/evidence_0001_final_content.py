"""letterbox items with an outcome and closed counselling cases: content seals for those already final
(``core.audit.seals.ContentRule.inline``), so that a change to one made with the key and written with a
forged entry and seal of its own is still reported by verify

Revision ID: evidence_0001_final_content
Revises: auditview_0001_reference_keys
"""
from alembic import op


revision = 'evidence_0001_final_content'
down_revision = 'auditview_0001_reference_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from adoption_desktop.core.audit.seals import seal_final_baseline

    seal_final_baseline(op.get_bind())


def downgrade() -> None:
    pass  # the seals stay in the log: an entry, once written, is never removed
