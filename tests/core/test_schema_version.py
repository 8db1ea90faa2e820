"""The schema version told by one query without alembic (core.storage.schema_version)."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import text

from adoption_desktop.core.storage import migrations, schema_version
from adoption_desktop.core.storage.engine import Database


def test_heads_read_from_the_scripts_are_alembics() -> None:
    assert schema_version.script_heads() == frozenset(migrations.script_heads())


def test_a_current_database_is_told_current_and_anything_else_is_not(db: Database) -> None:
    with db.engine.connect() as conn:
        assert schema_version.is_current(conn)
    assert migrations.schema_current(db) and not migrations.needs_upgrade(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0002_drafts' "
                          "WHERE version_num = :h"), {"h": next(iter(schema_version.script_heads() or ()))})
    assert not migrations.schema_current(db)
    assert migrations.needs_upgrade(db)  # alembic's full path decides, as before
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    assert not migrations.schema_current(db)


def test_opening_a_current_database_does_not_import_alembic(db_path: Path, tmp_path: Path) -> None:
    """A fresh process opens a current database and reads from it without loading alembic."""
    import subprocess

    code = (
        "import sys, keyring\n"
        "from tests.conftest import MemoryKeyring\n"
        "from adoption_desktop.core.security.secret_store import SecretStore\n"
        "from adoption_desktop.core.storage.lifecycle import create_database, open_database\n"
        f"path = {str(tmp_path / 'fresh.db')!r}\n"
        "keyring.set_keyring(MemoryKeyring())\n"
        "create_database(__import__('pathlib').Path(path), SecretStore()).db.dispose()\n"
        "for name in [m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')]:\n"
        "    del sys.modules[name]\n"
        "db = open_database(path, SecretStore())\n"
        "db.dispose()\n"
        "print('alembic' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False", out.stderr
