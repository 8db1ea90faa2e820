"""letterbox: the work list's index on items gains the status (received_on, arrangement_id, direction,
status), so that the months in which each arrangement received a letter not returned for changes are read
from the index alone. Without the status there, the months whose only letters were returned were found
through the table: the work list took 1.07 s to read at 1M exchanges (50 ms from this index).

The index replaces ``lbwork_0002``'s, which is its first three columns. Both steps say IF EXISTS / IF NOT
EXISTS (SQLite and PostgreSQL), so a database put back a step by hand (the upgrade tests) upgrades again.

Revision ID: lbwork_0003_items_month_status
Revises: evidence_0001_final_content
"""
from alembic import op


revision = 'lbwork_0003_items_month_status'
down_revision = 'evidence_0001_final_content'
branch_labels = None
depends_on = None

OLD = 'ix_letterbox_items_received_on_arrangement_direction'
NEW = 'ix_letterbox_items_received_on_arrangement_direction_status'


def upgrade() -> None:
    op.execute(f'CREATE INDEX IF NOT EXISTS {NEW} ON letterbox_items (received_on, arrangement_id, direction, status)')
    op.execute(f'DROP INDEX IF EXISTS {OLD}')


def downgrade() -> None:
    op.execute(f'CREATE INDEX IF NOT EXISTS {OLD} ON letterbox_items (received_on, arrangement_id, direction)')
    op.execute(f'DROP INDEX IF EXISTS {NEW}')
