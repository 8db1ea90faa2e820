"""letterbox: a partial index of the items without a findings digest (``findings_digest IS NULL``), so the check
at every open for work whether any item still waits for the digests' back-fill (``letterbox.findings_backfill``)
is one probe of a small index, not a read of the whole items table: with no index, SQLite read and decrypted
every item (60,000 items with their text: 1.5 s at each open of a file that had nothing to back-fill). SQLite
and PostgreSQL both keep partial indexes; the index holds only the items saved before the digest was kept.

Revision ID: lbseal_0002_digest_waiting
Revises: counselling_0005_birth_date_ix
"""
from alembic import op


revision = 'lbseal_0002_digest_waiting'
down_revision = 'counselling_0005_birth_date_ix'
branch_labels = None
depends_on = None

NAME = 'ix_letterbox_items_findings_digest_waiting'


def upgrade() -> None:
    op.execute(f'CREATE INDEX IF NOT EXISTS {NAME} ON letterbox_items (id) WHERE findings_digest IS NULL')


def downgrade() -> None:
    op.execute(f'DROP INDEX IF EXISTS {NAME}')
