"""search: the embedded store's full-text tables get a 1-character prefix index (``prefix = '1 2 3 4'``)

A one-letter search (the first key typed in a register) merged the doclists of every word starting with
that letter without it: 15 ms per statement at 1,000,000 exchanges, 0.3 ms with it. FTS5 cannot add a
prefix index to a table, so each ``fts_*`` table made with ``'2 3 4'`` is rebuilt: a new table with the
same rows, the old one dropped, the new one renamed (about 10 s for 1,000,000 rows; run on the upgrade
copy, so a failure leaves the original untouched). PostgreSQL (team mode) has no such tables: nothing to do.

Revision ID: search_0001_fts_prefix_1
Revises: figletter_0001_contact_support
"""
from alembic import op


revision = 'search_0001_fts_prefix_1'
down_revision = 'figletter_0001_contact_support'
branch_labels = None
depends_on = None

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"


def _rebuild(prefix: str, old_prefix: str) -> None:
    conn = op.get_bind()
    if conn.dialect.name != 'sqlite':
        return
    tables = [name for name, sql in conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE 'fts%' AND sql LIKE '%fts5%'")
        if name.startswith('fts_') and f"prefix = '{old_prefix}'" in (sql or '')]
    for name in tables:
        new = f"{name}__rebuilt"
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {new}")
        conn.exec_driver_sql(f"CREATE VIRTUAL TABLE {new} USING fts5(body, {TOKENIZE}, prefix = '{prefix}')")
        conn.exec_driver_sql(f"INSERT INTO {new}(rowid, body) SELECT rowid, body FROM {name}")
        conn.exec_driver_sql(f"DROP TABLE {name}")
        conn.exec_driver_sql(f"ALTER TABLE {new} RENAME TO {name}")
        conn.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('optimize')")


def upgrade() -> None:
    _rebuild('1 2 3 4', '2 3 4')


def downgrade() -> None:
    _rebuild('2 3 4', '1 2 3 4')
