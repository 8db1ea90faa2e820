"""users: a password set by an administrator must be changed by its user at the next sign-in
(must_change_password), and a reset ends the sessions signed in before it (password_serial)

The downgrade seals again, in one audit entry (action ``seal_downgrade``), the rows whose seal covers the
two columns (``core.audit.column_drops``), so ``verify`` stays clean.

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
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {'users': ['must_change_password', 'password_serial']})
    # plain columns, no index or constraint: dropped in place (SQLite 3.35+), where a batch copy of users
    # would drop it under the rows that refer to it (FOREIGN KEY constraint failed)
    op.drop_column('users', 'must_change_password')
    op.drop_column('users', 'password_serial')
    dropping.seal_again(conn, detail="lost: which users must change their password at next sign-in")
