"""counselling: an index on the applicant's date of birth, so that a new referral finds a case already on file
for the same person (same name at birth and date of birth) in one indexed query, not a read of every case.

IF NOT EXISTS / IF EXISTS (SQLite and PostgreSQL), so a database put back a step by hand upgrades again.

Revision ID: counselling_0005_birth_date_ix
Revises: lbseal_0001_findings_digest
"""
from alembic import op


revision = 'counselling_0005_birth_date_ix'
down_revision = 'lbseal_0001_findings_digest'
branch_labels = None
depends_on = None

INDEX = 'ix_counselling_cases_date_of_birth'


def upgrade() -> None:
    op.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON counselling_cases (date_of_birth)')


def downgrade() -> None:
    op.execute(f'DROP INDEX IF EXISTS {INDEX}')
