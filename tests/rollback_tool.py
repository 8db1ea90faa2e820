"""The evidence trial's rollback tool (ut18 ``rollback_inplace.py``), as a test helper: someone holding the
key puts every table of a SQLCipher file back as it is in an earlier copy (same key), in place, on a
connection of their own while the program still has the file open."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlcipher3

from adoption_desktop.core.security import keys
from adoption_desktop.core.security.secret_store import SecretStore


def keep_copy(path: Path, to: Path) -> Path:
    """The file as it is now (closed, or checkpointed): the state the rollback puts back."""
    shutil.copyfile(path, to)
    return to


def roll_back_in_place(path: Path, earlier: Path, store: SecretStore) -> None:
    key = bytes(keys.load_key(keys.KeyEnvelope.load(keys.key_file_for(path)), store)).hex()
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = \"x'{key}'\"")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute(f"ATTACH DATABASE '{earlier}' AS old KEY \"x'{key}'\"")
        conn.execute("PRAGMA foreign_keys=OFF")
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
        conn.execute("BEGIN IMMEDIATE")
        for t in tables:
            conn.execute(f'DELETE FROM main."{t}"')
            conn.execute(f'INSERT INTO main."{t}" SELECT * FROM old."{t}"')
        conn.execute("COMMIT")
    finally:
        conn.close()
