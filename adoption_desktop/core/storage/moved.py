"""A database file moved to the team server (``move-to-server``) is kept **read-only**, as the record of
the work done before the move.

Its own audit log holds a :data:`~adoption_desktop.core.audit.seals.MOVED_TO_SERVER` entry (written once the
server's transaction had committed). A file that has one is opened with :attr:`Database.moved_to_server` set
to :func:`read_only_message`, and every save is refused with it (``Database.session``: the same guard, and the
same exceptions, as an audit alert on hold: the sign-in's own bookkeeping, a sign-out and a person's own
password change are still recorded). Unlike an audit alert it cannot be acknowledged: the work goes on on
the server. ``move-to-server`` refuses to move such a file a second time.

Nor is such a file upgraded: a newer version that finds its schema behind refuses to open it
(:func:`refuse_upgrade`, before the upgrade's copy is made), since the upgrade rewrites the whole file and the
evidence must stay as it was moved. ``verify`` opens it without upgrading, and still checks it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, inspect, select

from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.audit.seals import MOVED_TO_SERVER
from adoption_desktop.core.errors import DatabaseOpenError
from adoption_desktop.core.storage.engine import Database, read_connection

#: where the file's entry names the server: "moved to the server HOST/DB by NAME: …"
_SERVER = re.compile(r"^moved to the server (\S+) by ")


@dataclass(frozen=True)
class MovedToServer:
    """The file's own record of its move (its first ``moved_to_server`` entry)."""

    seq: int
    at: str  # the entry's stored time (naive UTC, ISO)
    by: str  # who moved it
    server: str  # "host/database", or "" when the entry does not say

    @property
    def date(self) -> str:
        """The day of the move on this PC's calendar ("6 December 2026")."""
        from adoption_desktop.core.concurrency import local_time
        from adoption_desktop.core.wording import date_in_words

        try:
            return date_in_words(local_time(dt.datetime.fromisoformat(self.at)).date())
        except ValueError:
            return self.at or "a date not recorded"

    @property
    def where(self) -> str:
        return f"the team server ({self.server})" if self.server else "the team server"


def find(conn: Connection) -> MovedToServer | None:
    """The file's record of its move to a server, or None (``audit_log.action`` is indexed)."""
    log = cast(Table, AuditEntry.__table__)
    row = conn.execute(select(log.c.seq, log.c.at, log.c.actor, log.c.detail)
                       .where(log.c.action == MOVED_TO_SERVER).order_by(log.c.seq).limit(1)).first()
    if row is None:
        return None
    found = _SERVER.match(str(row.detail or ""))
    return MovedToServer(int(row.seq), str(row.at or ""), str(row.actor or ""), found.group(1) if found else "")


def read_only_message(moved: MovedToServer) -> str:
    """What the window shows and every refused save says."""
    return (f"This database was moved to the team server on {moved.date} by {moved.by}; it is kept read-only as "
            "the record of the work before the move. Point this PC at the server (IT guide §10).")


def upgrade_refused_message(moved: MovedToServer, name: str, where: str) -> str:
    """Why a newer version will not upgrade (and so not open) a file moved to the server."""
    return (f"{name} was moved to {moved.where} on {moved.date} by {moved.by}. It is kept unchanged as the "
            "evidence of the work before the move, and its records are on the server. This version of Adoption "
            "Desktop cannot open it without upgrading it, which would change it, so it was not opened and "
            "nothing was changed. For daily work, point this PC at the server (IT guide §10). To check "
            f'the file, run `adoption-desktop verify --db "{where}"`; to look something up in it, open it with '
            "the version of Adoption Desktop it was moved with.")


def refuse_upgrade(db: Database) -> None:
    """Called before an embedded file whose schema is behind is upgraded (``lifecycle.open_database``, the
    ``upgrade`` command): a file moved to the server is refused (:class:`DatabaseOpenError`,
    :func:`upgrade_refused_message`) with nothing written. A log too old to read for the entry (or none at
    all) is no moved file's: the move needs a file at its own version's schema."""
    if not db.is_sqlite:
        return
    with read_connection(db.engine) as conn:
        seen = inspect(conn)
        if not seen.has_table(AuditEntry.__tablename__):
            return
        columns = {c["name"] for c in seen.get_columns(AuditEntry.__tablename__)}
        if not {"seq", "at", "actor", "detail", "action"} <= columns:
            return
        moved = find(conn)
    if moved is not None:
        raise DatabaseOpenError(upgrade_refused_message(moved, db.name, str(db.path or db.name)))


def on_open(db: Database) -> None:
    """Called when a database is opened (after the audit anchors' check): a file moved to the server is
    kept read-only from now on (:attr:`Database.moved_to_server`)."""
    if not db.is_sqlite:
        return  # a server's log holds the move *from* a file, never this entry
    with read_connection(db.engine) as conn:
        # a log dropped outside the application is the check at open's finding (the database is held)
        moved = find(conn) if inspect(conn).has_table(AuditEntry.__tablename__) else None
    db.moved_to_server = read_only_message(moved) if moved is not None else None
