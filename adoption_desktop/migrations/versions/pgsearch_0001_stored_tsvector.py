"""team mode: full-text index tables keep a stored tsvector of the words FTS5 would see, under a GIN
index without a pending list (search-as-you-type through the index; nothing changes on SQLite)

Each ``fts_<name>`` table that a PostgreSQL database already has (they are made on first use, not by
the models) gets its ``body`` rewritten to the FTS5 words (``search.pg_body``), a stored generated
``tsv`` column and the GIN index ``fts_<name>_gin``; the old expression index ``fts_<name>_tsv`` (over
``to_tsvector('simple', body)``) is dropped. Tables made later are made in the new shape
(``search.ensure_index``).

Revision ID: pgsearch_0001_stored_tsvector
Revises: figpanel_0001_member_profile
"""
from alembic import op
import sqlalchemy as sa


revision = 'pgsearch_0001_stored_tsvector'
down_revision = 'figpanel_0001_member_profile'
branch_labels = None
depends_on = None


def _old_tables(conn: sa.Connection) -> list[str]:
    """``fts_*`` tables in the old shape: a ``body`` column and no ``tsv`` column."""
    return [r[0] for r in conn.execute(sa.text(
        "SELECT c.table_name FROM information_schema.columns c "
        "WHERE c.table_schema = current_schema() AND c.table_name LIKE 'fts\\_%' AND c.column_name = 'body' "
        "AND NOT EXISTS (SELECT 1 FROM information_schema.columns t WHERE t.table_schema = c.table_schema "
        "AND t.table_name = c.table_name AND t.column_name = 'tsv') ORDER BY c.table_name"))]


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != 'postgresql':
        return  # the embedded store keeps its FTS5 tables as they are
    from adoption_desktop.core.storage import search

    for table in _old_tables(conn):
        index = search.SearchIndex(table.removeprefix('fts_'))
        conn.exec_driver_sql(f'DROP INDEX IF EXISTS {table}_tsv')
        rows = conn.execute(sa.text(f'SELECT doc_id, body FROM {table}')).all()
        changed = [{'i': r[0], 'b': search.pg_body(r[1])} for r in rows if search.pg_body(r[1]) != r[1]]
        if changed:
            conn.execute(sa.text(f'UPDATE {table} SET body = :b WHERE doc_id = :i'), changed)
        conn.exec_driver_sql(f'ALTER TABLE {table} ADD COLUMN tsv tsvector '
                             f'GENERATED ALWAYS AS ({search.PG_TSV}) STORED')
        conn.exec_driver_sql(search.pg_gin_index_sql(index))
        conn.exec_driver_sql(f'ANALYZE {table}')
    search.forget_ensured()


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != 'postgresql':
        return
    tables = [r[0] for r in conn.execute(sa.text(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name LIKE 'fts\\_%' AND column_name = 'tsv'"))]
    for table in tables:
        conn.exec_driver_sql(f'DROP INDEX IF EXISTS {table}_gin')
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP COLUMN tsv')
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {table}_tsv ON {table} "
                             "USING gin (to_tsvector('simple', body))")
