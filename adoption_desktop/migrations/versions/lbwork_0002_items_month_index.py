"""letterbox: an index on items (received_on, arrangement_id, direction), so that the work list finds the
months each arrangement received items in, over its look-back, from the index alone (1M exchanges: 300 ms
read through the table, 80 ms from this index)

Revision ID: lbwork_0002_items_month_index
Revises: lbwork_0001_missed_exchanges
"""
from alembic import op


revision = 'lbwork_0002_items_month_index'
down_revision = 'lbwork_0001_missed_exchanges'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_letterbox_items_received_on_arrangement_direction', 'letterbox_items',
                    ['received_on', 'arrangement_id', 'direction'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_letterbox_items_received_on_arrangement_direction', table_name='letterbox_items')
