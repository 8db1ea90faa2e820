"""salutations: how each person a letter goes to wishes to be addressed

Revision ID: wording_0001_salutations
Revises: journey_0001_children
Create Date: 2026-12-01 15:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'wording_0001_salutations'
down_revision = 'journey_0001_children'
branch_labels = None
depends_on = None

COLUMNS = (("letterbox_participants", "salutation"), ("letterbox_arrangements", "adopters_salutation"),
           ("counselling_cases", "salutation"))


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.String(length=120), nullable=False, server_default=''))


def downgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
