"""Is a database at this version's schema? One SQL query, without importing alembic.

Every open checks the schema version (a newer database is refused, an older one upgraded). Alembic
answers that by loading its whole runtime and every migration script (~100 ms of imports for a
command that only reads); but when the database is current — nearly every open — the answer is just
"the revisions stored in ``alembic_version`` are this version's heads". This module reads the heads
from the migration files' ``revision`` / ``down_revision`` lines (as text: nothing is imported) and the
stored revisions with one query. Anything else (behind, newer, no version table, a file it cannot read)
returns ``False`` and the caller takes alembic's full path (``core.storage.migrations``), which gives the
exact refusal or upgrade as before. ``tests/core/test_schema_version.py`` checks the heads found here
against alembic's own.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sqlalchemy import Connection, inspect, text

from adoption_desktop.core.resources import package_path

_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*(.+?)\s*$", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+?)\s*$", re.M)
_heads: frozenset[str] | None = None
_read = False


def _literal(source: str) -> object:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return ...  # not a plain literal: leave it to alembic


def script_heads() -> frozenset[str] | None:
    """The heads of this version's migration scripts, read as text (cached); ``None`` if a script does
    not state its revisions as plain literals (alembic then decides)."""
    global _heads, _read
    if _read:
        return _heads
    _read = True
    folder = Path(package_path("migrations")) / "versions"
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        files = sorted(folder.glob("*.py"))
        for f in files:
            source = f.read_text(encoding="utf-8")
            rev_m, down_m = _REVISION.search(source), _DOWN.search(source)
            if rev_m is None or down_m is None:
                return None
            rev, down = _literal(rev_m.group(1)), _literal(down_m.group(1))
            if not isinstance(rev, str):
                return None
            if isinstance(down, str):
                parents.add(down)
            elif isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
                parents.update(down)
            elif down is not None:
                return None
            revisions.add(rev)
    except OSError:
        return None
    heads = revisions - parents
    _heads = frozenset(heads) if heads else None
    return _heads


def stored_heads(conn: Connection) -> frozenset[str] | None:
    """The revisions stored in the database's ``alembic_version`` (an embedded file or a PostgreSQL
    database), or ``None`` when it has none (the full check then names the problem)."""
    if conn.dialect.name == "sqlite":
        if conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
                        ).scalar_one() == 0:
            return None
    elif not inspect(conn).has_table("alembic_version"):
        return None
    return frozenset(str(r[0]) for r in conn.execute(text("SELECT version_num FROM alembic_version")))


def is_current(conn: Connection) -> bool:
    """Whether this database (embedded or PostgreSQL) is exactly at this version's schema (one query; ``False`` for
    anything else: behind, newer, no version table, or heads that cannot be read without alembic).
    The caller's transaction is ended, so the connection holds no read snapshot afterwards."""
    heads = script_heads()
    if heads is None:
        return False
    try:
        return stored_heads(conn) == heads
    finally:
        conn.rollback()
