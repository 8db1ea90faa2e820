"""access review: the record of each review of the accounts (``access_reviews``), and an index on the audit
log by record (entity, entity_id), so that "who has seen this record" reads that record's entries through
the index instead of every entry of its table (the single-column index on ``entity`` made SQLite read all
the letterbox items' entries to find one arrangement's).

IF NOT EXISTS / IF EXISTS for the index (SQLite and PostgreSQL), so a database put back a step by hand
upgrades again.

The downgrade seals as deleted, in one audit entry (action ``seal_downgrade``), the rows of the tables it
drops (``core.audit.column_drops``), or ``verify`` reports each table as dropped outside the program.

Revision ID: access_0001_reviews
Revises: lbseal_0002_digest_waiting
"""
from alembic import op
import sqlalchemy as sa


revision = 'access_0001_reviews'
down_revision = 'lbseal_0002_digest_waiting'
branch_labels = None
depends_on = None

INDEX = 'ix_audit_log_entity_record'


def upgrade() -> None:
    op.create_table('access_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('reviewer', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('accounts', sa.Integer(), nullable=False),
    sa.Column('listing', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_reviews')),
    )
    op.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON audit_log (entity, entity_id)')


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {}, tables=['access_reviews'])
    op.execute(f'DROP INDEX IF EXISTS {INDEX}')
    op.drop_table('access_reviews')
    dropping.seal_again(conn, detail="lost: the record of access reviews")
