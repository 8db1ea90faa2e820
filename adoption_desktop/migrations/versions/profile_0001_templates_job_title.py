"""agency profile and templates as data: template versions, users' job title, template on each letter

The downgrade seals again, in one audit entry (action ``seal_downgrade``), the rows whose seal covers a
column taken away (``core.audit.column_drops``), so ``verify`` stays clean; a letter sent or filed after the upgrade
(its sealed content includes the template version) refuses it.

Revision ID: profile_0001_templates
Revises: wording_0001_salutations
Create Date: 2026-12-01 15:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'profile_0001_templates'
down_revision = 'wording_0001_salutations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('template_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_versions')),
    sa.UniqueConstraint('name', 'version', name='uq_template_versions_name_version')
    )
    with op.batch_alter_table('template_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_template_versions_name'), ['name'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_title', sa.String(length=120), server_default='', nullable=False))
    with op.batch_alter_table('adm_letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template_version', sa.String(length=80), server_default='',
                                      nullable=False))
    with op.batch_alter_table('letterbox_letters_sent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template_version', sa.String(length=80), server_default='',
                                      nullable=False))


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {
        'letterbox_letters_sent': ['template_version'], 'adm_letters': ['template_version'], 'users': ['job_title']},
        tables=['template_versions'])
    # plain columns, no index or constraint: dropped in place (SQLite 3.35+), where a batch copy of users
    # would drop it under the rows that refer to it (FOREIGN KEY constraint failed)
    op.drop_column('letterbox_letters_sent', 'template_version')
    op.drop_column('adm_letters', 'template_version')
    op.drop_column('users', 'job_title')
    with op.batch_alter_table('template_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_template_versions_name'))
    op.drop_table('template_versions')
    dropping.seal_again(conn, detail="lost: which template version each letter was written from, "
                                     "each user's job title")
