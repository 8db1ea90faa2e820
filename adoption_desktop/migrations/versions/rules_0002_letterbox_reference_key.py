"""letterbox: arrangement references compared after normalisation (a reference_key column, filled for
the rows already there)

Revision ID: rules_0002
Revises: letterbox_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'rules_0002'
down_revision = 'letterbox_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from adoption_desktop.core.text_input import reference_key

    with op.batch_alter_table('letterbox_arrangements') as batch:
        batch.add_column(sa.Column('reference_key', sa.String(length=80), nullable=True))
        batch.create_index(batch.f('ix_letterbox_arrangements_reference_key'), ['reference_key'], unique=False)
    conn = op.get_bind()
    table = sa.table('letterbox_arrangements', sa.column('id', sa.Integer()), sa.column('reference', sa.String()),
                     sa.column('reference_key', sa.String()))
    rows = conn.execute(sa.select(table.c.id, table.c.reference)).all()
    if rows:
        conn.execute(table.update().where(table.c.id == sa.bindparam('row_id'))
                     .values(reference_key=sa.bindparam('key')),
                     [{'row_id': r.id, 'key': reference_key(r.reference or '')} for r in rows])


def downgrade() -> None:
    with op.batch_alter_table('letterbox_arrangements') as batch:
        batch.drop_index(batch.f('ix_letterbox_arrangements_reference_key'))
        batch.drop_column('reference_key')
