"""Stopping a read that is no longer wanted, from another thread.

A register searches on a worker thread as the user types; when the next key arrives the query still
running for the previous text is stale. The UI thread calls :meth:`Interrupt.set`: the worker's database
connection is interrupted at once (SQLite ``sqlite3_interrupt``; PostgreSQL's cancel request) and the
read ends with :class:`Interrupted` instead of finishing a result nobody will see::

    stop = Interrupt()
    # worker thread
    with db.session(actor, write=False) as session, stop.watching(session):
        ...                       # raises Interrupted once stop.set() was called
    # UI thread, when the next key arrives
    stop.set()

Only read-only work should be interrupted (an interrupted write is rolled back whole, but it is the
caller's job not to offer that). The connection is watched only inside the ``with`` block, so a
connection handed back to the pool and used by someone else is never interrupted.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy import exc
from sqlalchemy.orm import Session


class Interrupted(Exception):
    """The read was stopped because its result is no longer wanted (not an error to show)."""


class Interrupt:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set = False
        self._conn: Any = None  # the DB-API connection being watched, if any

    @property
    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        """Stop the watched read now (any thread); one not yet started stops at its first check."""
        with self._lock:
            self._set = True
            if self._conn is not None:
                _interrupt(self._conn)

    def check(self) -> None:
        """Between statements: raise :class:`Interrupted` if :meth:`set` was called."""
        if self._set:
            raise Interrupted

    def watching(self, session: Session) -> contextlib.AbstractContextManager[None]:
        """While the block runs, :meth:`set` interrupts this session's connection."""
        return self.watching_connection(session.connection().connection.dbapi_connection)

    @contextlib.contextmanager
    def watching_connection(self, dbapi: Any) -> Iterator[None]:
        """While the block runs, :meth:`set` interrupts this DB-API connection (see
        :meth:`~adoption_desktop.core.storage.engine.Database.read_cursor`)."""
        with self._lock:
            if self._set:
                raise Interrupted
            self._conn = dbapi
        try:
            yield
        except Exception as err:
            # "interrupted" (SQLite) / "canceling statement" (PostgreSQL), wrapped by SQLAlchemy or not: ours
            if self._set and (isinstance(err, exc.DBAPIError) or _is_driver_error(err)):
                raise Interrupted from err
            raise
        finally:
            with self._lock:
                self._conn = None
        self.check()  # set between the last statement and here: the result is stale all the same


def _is_driver_error(err: BaseException) -> bool:
    return type(err).__module__.split(".")[0] in ("sqlcipher3", "sqlite3", "psycopg", "psycopg2")


def _interrupt(dbapi: Any) -> None:
    if hasattr(dbapi, "interrupt"):  # sqlite3 / sqlcipher3: thread-safe by design
        dbapi.interrupt()
        return
    cancel = getattr(dbapi, "cancel_safe", None) or getattr(dbapi, "cancel", None)  # psycopg
    if cancel is not None:
        cancel()
