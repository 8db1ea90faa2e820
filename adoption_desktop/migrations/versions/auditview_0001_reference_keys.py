"""counselling cases, ADM decisions and panel items: their references compared after normalisation (a
reference_key column, indexed, filled for the rows already there), as letterbox arrangements already are,
so that the audit log finds a case's entries by one indexed lookup instead of reading every row

The downgrade seals again, in one audit entry (action ``seal_downgrade``), the rows whose seal covers a
reference_key (``core.audit.column_drops``), so ``verify`` stays clean: nothing is lost (each key is derived from
its reference). A decision signed after the upgrade (its sealed content includes the key) refuses the downgrade.

Revision ID: auditview_0001_reference_keys
Revises: users_0001_password_change
"""
from alembic import op
import sqlalchemy as sa


revision = 'auditview_0001_reference_keys'
down_revision = 'users_0001_password_change'
branch_labels = None
depends_on = None

#: each table and the column whose reference_key is kept
TABLES = (('counselling_cases', 'reference'), ('adm_decisions', 'subject_reference'),
          ('panel_items', 'subject_reference'))


def upgrade() -> None:
    from adoption_desktop.core.text_input import reference_key

    conn = op.get_bind()
    for name, source in TABLES:
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column('reference_key', sa.Text(), nullable=True))
            batch.create_index(batch.f(f'ix_{name}_reference_key'), ['reference_key'], unique=False)
        table = sa.table(name, sa.column('id', sa.Integer()), sa.column(source, sa.String()),
                         sa.column('reference_key', sa.Text()))
        rows = conn.execute(sa.select(table.c.id, table.c[source])).all()
        if rows:
            conn.execute(table.update().where(table.c.id == sa.bindparam('row_id'))
                         .values(reference_key=sa.bindparam('key')),
                         [{'row_id': r[0], 'key': reference_key(r[1] or '')} for r in rows])


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {name: ['reference_key'] for name, _source in TABLES})
    # its index dropped first, the column is plain: dropped in place (SQLite 3.35+), where a batch copy of the
    # table was dropped under the sessions, letters and absences that refer to it (FOREIGN KEY constraint failed)
    for name, _source in reversed(TABLES):
        op.drop_index(op.f(f'ix_{name}_reference_key'), table_name=name)
        op.drop_column(name, 'reference_key')
    dropping.seal_again(conn, detail="nothing lost: each key is derived from its reference")
