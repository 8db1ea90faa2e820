"""users: a password set by an administrator must be changed by its user at the next sign-in
(must_change_password), and a reset ends the sessions signed in before it (password_serial)

Revision ID: users_0001_password_change
Revises: lbsent_0001_item_recipient
"""
from alembic import op
import sqlalchemy as sa


revision = 'users_0001_password_change'
down_revision = 'lbsent_0001_item_recipient'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_serial', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('password_serial')
