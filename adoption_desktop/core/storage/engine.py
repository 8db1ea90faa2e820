"""Engine factory: SQLCipher 4 file (embedded, the default) or a PostgreSQL URL (team mode).

Use :func:`open_database` / :func:`create_database`; services receive a :class:`Database` and open one
session per use case with :meth:`Database.session`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, exc, text
from sqlalchemy.orm import Session, sessionmaker

from adoption_desktop.core.errors import DatabaseOpenError, PermissionDenied
from adoption_desktop.core.files import secure_umask
from adoption_desktop.core.security.permissions import SYSTEM, Principal

SQLITE_MAGIC = b"SQLite format 3\x00"


def sqlcipher_url(path: Path, key: bytes | bytearray) -> URL:
    # username="" keeps the password when the URL is rendered to a string (stack notes)
    return URL.create("sqlite+pysqlcipher", username="", password=f"x'{key.hex()}'", database=str(path))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA cipher_log_level = NONE")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA busy_timeout = 10000")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock at BEGIN so two writers never both read a stale audit head and fail
    # late; read-only sessions (lists, figures) use a plain deferred BEGIN and never block writers (WAL).
    write = conn.get_execution_options().get("adk_write", True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@dataclass
class Database:
    engine: Engine
    kind: str  # "sqlcipher" or "postgresql"
    path: Path | None = None
    label: str = ""

    def __post_init__(self) -> None:
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self, actor: Principal = SYSTEM, *, write: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any exception.

        ``write=False`` for read-only work that writes no audit entry (paged lists, figures)."""
        session = self._factory()
        session.info["actor"] = actor
        try:
            session.connection(execution_options={"adk_write": write})
            if actor.user_id > 0:
                _check_still_allowed(session, actor)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def is_sqlite(self) -> bool:
        return self.kind == "sqlcipher"

    def dispose(self) -> None:
        """Close every connection; an embedded database also leaves its audit anchor beside the file."""
        if self.is_sqlite and self.path is not None and self.path.exists():
            self.write_audit_anchor()
        self.engine.dispose()

    def write_audit_anchor(self) -> None:
        import json

        from adoption_desktop.core import audit

        if self.path is None:
            return
        try:
            with self.session(write=False) as session:
                anchor = audit.current_anchor(session)
            target = audit.anchor_file_for(self.path)
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_text(json.dumps(anchor), encoding="utf-8")
            os.replace(tmp, target)
        except Exception:  # an anchor is extra protection; closing must never fail because of it
            return

    def run_outside_transaction(self, sql: str, params: tuple[object, ...] = ()) -> None:
        """Statements SQLite refuses inside a transaction (checkpoint, VACUUM INTO)."""
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(sql, params)
            cur.fetchall()
            cur.close()
        finally:
            raw.close()

    def checkpoint(self) -> None:
        if self.is_sqlite:
            self.run_outside_transaction("PRAGMA wal_checkpoint(TRUNCATE)")


def _check_still_allowed(session: Session, actor: Principal) -> None:
    """A user disabled, or whose roles were changed, since signing in is refused at once (another
    administrator, perhaps on another PC in team mode, may have done it while this window is open)."""
    rows = session.execute(
        text("SELECT u.disabled, r.role FROM users u LEFT JOIN user_roles r ON r.user_id = u.id "
             "WHERE u.id = :id"), {"id": actor.user_id}).all()
    if not rows or rows[0][0]:
        raise PermissionDenied(f"The account {actor.username!r} is disabled or no longer exists.")
    current = {r[1] for r in rows if r[1] is not None}
    if current != {str(role) for role in actor.roles}:
        raise PermissionDenied("Your roles were changed by an administrator: sign in again to continue.")


def make_sqlcipher_engine(path: Path, key: bytes | bytearray) -> Engine:
    engine = create_engine(sqlcipher_url(path, key), pool_pre_ping=False)
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves

    event.listen(engine, "begin", _sqlite_begin)
    return engine


def open_sqlcipher(path: Path, key: bytes | bytearray, *, must_exist: bool = True) -> Database:
    path = Path(path)
    if must_exist and not path.exists():
        raise DatabaseOpenError(f"No database at {path}.")
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            if fh.read(16) == SQLITE_MAGIC:
                raise DatabaseOpenError(f"{path} is an unencrypted SQLite file; it will not be opened.")
    secure_umask()
    engine = make_sqlcipher_engine(path, key)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
    except exc.DatabaseError as err:
        engine.dispose()
        raise DatabaseOpenError(
            f"{path.name} could not be opened with this key: the key is wrong or the file is not an "
            "Adoption Desktop database. Nothing was changed."
        ) from err
    return Database(engine, "sqlcipher", path, label=str(path))


def open_postgresql(url: str | URL) -> Database:
    engine = create_engine(url, pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except exc.OperationalError as err:
        engine.dispose()
        raise DatabaseOpenError(f"Could not reach the PostgreSQL server: {err.orig}") from err
    rendered = engine.url.render_as_string(hide_password=True)
    return Database(engine, "postgresql", None, label=rendered)


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def session_actor(session: Session) -> Principal:
    actor = session.info.get("actor", SYSTEM)
    assert isinstance(actor, Principal)
    return actor
