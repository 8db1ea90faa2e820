"""Migration ``search_0001_fts_prefix_1``: full-text tables made before it get the 1-character prefix
index, keep every row, and still answer the same searches (on an existing encrypted file, through the
application's copy-then-upgrade)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Connection, text

from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations, search
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database
from tests.core.test_migrations import older_file

DOCS = [(1, "Hazelmere Avenue ZZ99 1AB Quinn"), (2, "Hazelford Road ZZ98 2CD"), (3, "Quarry Lane Hazel"),
        (7, "Café Élan ZZ99 9ZZ"), (40, "Birchwood card")]
BEFORE = "figletter_0001_contact_support"  # the revision before search_0001


def _fts_sql(conn: Connection, name: str) -> str:
    return str(conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}).scalar_one())


def _plain(query: str) -> set[int]:
    """The same search in plain Python: every word of the query is a prefix of some word of the text."""
    import unicodedata

    def fold(s: str) -> list[str]:
        s = "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if not unicodedata.combining(c))
        return search.words(s)

    wanted = fold(query)
    return {i for i, body in DOCS if all(any(w.startswith(q) for w in fold(body)) for q in wanted)}


def test_old_fts_tables_are_rebuilt_with_a_one_letter_prefix_index(tmp_path: Path, store: SecretStore) -> None:
    with older_file(tmp_path, store, BEFORE) as (path, conn):
        for name in ("fts_letterbox_items", "fts_letterbox_arrangements"):
            conn.exec_driver_sql(f"CREATE VIRTUAL TABLE {name} USING fts5(body, tokenize = "
                                 "'unicode61 remove_diacritics 2', prefix = '2 3 4')")
            conn.execute(text(f"INSERT INTO {name}(rowid, body) VALUES (:i, :b)"), [{"i": i, "b": b} for i, b in DOCS])
        conn.commit()

    search.forget_ensured()
    upgraded = open_database(path, store)  # the application's path: a copy upgraded, then swapped in
    try:
        with upgraded.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            for name in ("fts_letterbox_items", "fts_letterbox_arrangements"):
                assert "prefix = '1 2 3 4'" in _fts_sql(conn, name)
                assert [tuple(r) for r in conn.execute(text(f"SELECT rowid, body FROM {name} ORDER BY rowid"))] == DOCS
            leftovers = conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE '%rebuilt%'")).all()
            assert leftovers == []
            index = search.SearchIndex("letterbox_items")
            for query in ("h", "q", "hazel", "z", "zz99", "cafe", "é", "b", "quinn h", "x"):
                sub = search.matching_ids(conn, index, query)
                assert sub is not None
                assert {r[0] for r in conn.execute(sub)} == _plain(query), query
            command.downgrade(migrations.alembic_config(conn), BEFORE)
            conn.commit()
            assert "prefix = '2 3 4'" in _fts_sql(conn, "fts_letterbox_items")
            sub = search.matching_ids(conn, index, "hazel")
            assert sub is not None
            assert {r[0] for r in conn.execute(sub)} == {1, 2, 3}
    finally:
        upgraded.dispose()


def test_new_index_tables_have_the_one_letter_prefix_index(db: Database) -> None:
    search.forget_ensured()
    index = search.SearchIndex("prefix_probe")
    with db.engine.begin() as conn:
        search.index_documents(conn, index, DOCS)
        assert f"prefix = '{search.FTS5_PREFIX}'" in _fts_sql(conn, index.table)
        assert search.FTS5_PREFIX.split()[0] == "1"
