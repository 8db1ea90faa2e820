"""Expected exchanges and the work list: what is overdue, due this month or due soon, with its reminder
and chaser dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, delete, extract, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import lock_row, when_text
from adoption_desktop.core.errors import Conflict, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement, Item, MissedExchange
from adoption_desktop.letterbox.service.arrangements import pattern_changes_in
from adoption_desktop.letterbox.service.common import P
from adoption_desktop.letterbox.service.data import WorkRow
from adoption_desktop.letterbox.settings import (
    CHASER_AFTER_DAYS,
    DUE_SOON_DAYS,
    REMINDER_DAYS_BEFORE,
    WORK_LIST_LOOK_BACK_MONTHS,
)


# --- expected exchanges and the work list -------------------------------------------------------
def work_list(db: Database, actor: Principal, today: dt.date, *, include_later: bool = False,
              older: bool = False) -> list[WorkRow]:
    """Expected items not received: overdue (from :func:`look_back_start` on), this month, due soon.
    ``older``: instead, the unanswered exchanges due before :func:`look_back_start` (all history)."""
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return work_rows_in(session, today, include_later=include_later, older=older)


def work_list_since(db: Database, actor: Principal, today: dt.date) -> dt.date:
    """:func:`look_back_start` for the work list's note ("exchanges due before … are listed on request")."""
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return look_back_start(session, today)


def look_back_start(session: Session, today: dt.date) -> dt.date:
    """The 1st of the month ``letterbox.work_list_look_back_months`` before this one: the work list lists
    unanswered exchanges due from then on one by one; earlier ones are listed on request
    (:func:`work_list` with ``older``), never dropped."""
    return rules.add_months(today.replace(day=1), -get_setting(session, WORK_LIST_LOOK_BACK_MONTHS))


def work_rows_in(session: Session, today: dt.date, *, include_later: bool = False, older: bool = False,
                 arrangement_ids: Collection[int] | None = None) -> list[WorkRow]:
    """:func:`work_list` inside a caller's session (permission checked by the caller: My work counts them
    for a manager, names never leave as counts); ``arrangement_ids``: only those arrangements'.

    One rule (:func:`rules.outstanding_exchanges`) for every list of what is overdue: the work list, the
    chasers (:func:`adoption_desktop.letterbox.documents.arrangement_jobs`) and My work's counts. Reads the
    items received since a month before the look-back (an index range on ``received_on``), not all history;
    ``older`` reads the history before it, on request."""
    soon = get_setting(session, DUE_SOON_DAYS)
    before = get_setting(session, REMINDER_DAYS_BEFORE)
    chase = get_setting(session, CHASER_AFTER_DAYS)
    boundary = look_back_start(session, today)
    months = received_months_select()
    if older:
        since, until = None, boundary - dt.timedelta(days=1)
        items = months.where(Item.received_on < rules.add_months(boundary, 1))
    else:
        since, until = boundary, today + dt.timedelta(days=soon)
        items = months.where(Item.received_on >= rules.add_months(boundary, -1))
    arrangements = select(
        Arrangement.id, Arrangement.reference, Arrangement.exchange_months, Arrangement.first_writer,
        Arrangement.replies_expected, Arrangement.start_date, Arrangement.child_dob,
        Arrangement.coordinator).where(Arrangement.status == "active")
    if arrangement_ids is not None:
        ids = sorted(set(arrangement_ids))
        items = items.where(Item.arrangement_id.in_(ids))
        arrangements = arrangements.where(Arrangement.id.in_(ids))
    marks = select(MissedExchange.arrangement_id, MissedExchange.due, MissedExchange.side).where(
        MissedExchange.due >= boundary if not older else MissedExchange.due < boundary)
    if arrangement_ids is not None:
        marks = marks.where(MissedExchange.arrangement_id.in_(sorted(set(arrangement_ids))))
    missed: dict[int, set[tuple[dt.date, str]]] = {}
    for aid, due, side in session.execute(marks):
        missed.setdefault(aid, set()).add((due, side))
    received = received_months(session, items)
    # each agreement's pattern history, all in one query: a month added is not owed before its change, one
    # taken away still is (the few arrangements whose pattern changed have rows)
    changes = pattern_changes_in(session, arrangement_ids)
    out: list[WorkRow] = []
    cal = calendar(session)  # reminders and chases on working days (bank holidays, the agency's closures)
    planned: dict[dt.date, tuple[dt.date, dt.date]] = {}
    for a in session.execute(arrangements):
        end = rules.eighteenth_birthday(a.child_dob) if a.child_dob else None
        # all history: from the agreement's start (else the child's birth, else 18 years back: the
        # arrangement runs until the child is 18)
        first = since or a.start_date or a.child_dob or dt.date(today.year - 19, 1, 1)
        for e, state in rules.outstanding_exchanges(
                rules.parse_months(a.exchange_months), today=today, since=first, until=until,
                received=received.get(a.id, ()), first_writer=a.first_writer,
                replies_expected=a.replies_expected, start=a.start_date, end=end, due_soon_days=soon,
                missed=missed.get(a.id, ()), changes=changes.get(a.id, ())):
            if state == "later" and not include_later:
                continue
            plan = planned.get(e.due)
            if plan is None:  # exchanges fall due on the 1st: a few dates, each worked out once
                plan = planned[e.due] = (rules.reminder_date(e.due, before, cal), rules.chaser_date(e.due, chase, cal))
            out.append(WorkRow(a.id, a.reference, e.due, e.side, state, plan[0], plan[1], a.coordinator,
                               rules.overdue_for(e.due, today) if state == "overdue" else "", e.first))
    out.sort(key=lambda w: (w.due, w.reference))
    return out


def received_months_select() -> Select[int, str, int, int]:
    """The months each arrangement received items in, each direction once (index-only: see the Item model),
    as :func:`rules.received_key` counts them: what "received" means for the work list, the chasers, My
    work's counts and the month's reminders. A letter returned for changes was not received: its writer
    still owes it (until the corrected one comes), and the other side never had it; a month counts only if a
    letter not returned came in it. An item logged in error (``rules.LOGGED_IN_ERROR``: the wrong arrangement's,
    a letter that never came) was not received either. The caller narrows it (dates, arrangements) and reads
    it with :func:`received_months`."""
    return select(Item.arrangement_id, Item.direction, extract("year", Item.received_on),
                  extract("month", Item.received_on)).where(
        Item.status.not_in(("returned", rules.LOGGED_IN_ERROR))).distinct()


def received_months(session: Session, query: Select[int, str, int, int]) -> dict[int, set[tuple[str, int]]]:
    """:func:`received_months_select` (narrowed) read: arrangement id -> its :func:`rules.received_key` set."""
    received: dict[int, set[tuple[str, int]]] = {}
    for aid, direction, year, month in session.execute(query):
        received.setdefault(aid, set()).add((direction, int(year) * 12 + int(month)))  # rules.received_key
    return received


def missed_marks(session: Session, due_from: dt.date, due_before: dt.date) -> dict[int, set[tuple[dt.date, str]]]:
    """The exchanges marked missed (:func:`mark_missed`) due from ``due_from`` up to ``due_before``, as
    :func:`rules.outstanding_exchanges` takes them: arrangement id -> {(due, side)}. One query."""
    missed: dict[int, set[tuple[dt.date, str]]] = {}
    for aid, due, side in session.execute(select(
            MissedExchange.arrangement_id, MissedExchange.due, MissedExchange.side).where(
            MissedExchange.due >= due_from, MissedExchange.due < due_before)):
        missed.setdefault(aid, set()).add((due, side))
    return missed


def passed_on(session: Session, arrangement_ids: Collection[int] | None = None, *,
              received: tuple[dt.date, dt.date] | None = None, by: dt.date | None = None
              ) -> dict[int, set[tuple[str, int]]]:
    """The months (``rules.received_key``) in which each arrangement's letters were passed on to the other
    side: a reply is owed only to a letter that came to its reader. ``arrangement_ids``: only those;
    ``received``: letters received within these dates only; ``by``: passed on by this date."""
    out: dict[int, set[tuple[str, int]]] = {}
    base = select(Item.arrangement_id, Item.direction, extract("year", Item.received_on),
                  extract("month", Item.received_on)).distinct().where(Item.status == "forwarded")
    if received is not None:
        base = base.where(Item.received_on >= received[0], Item.received_on <= received[1])
    if by is not None:
        base = base.where(Item.outcome_on.is_not(None), Item.outcome_on <= by)
    ids = sorted(set(arrangement_ids)) if arrangement_ids is not None else None
    chunks = [ids[n:n + 500] for n in range(0, len(ids), 500)] if ids is not None else [None]
    for chunk in chunks:
        for aid, d, y, m in session.execute(base if chunk is None else base.where(Item.arrangement_id.in_(chunk))):
            out.setdefault(aid, set()).add((d, int(y) * 12 + int(m)))
    return out


@dataclass(frozen=True)
class MissedMark:
    """Which mark this is: its row, who made it and when. A mark taken back and made again (even by the
    same person, even in the same row number: SQLite reuses the highest one) is a different mark."""

    id: int
    marked_by: str
    marked_at: dt.datetime


def _mark_now(session: Session, arrangement_id: int, due: dt.date, side: str) -> MissedMark | None:
    found = session.execute(select(MissedExchange.id, MissedExchange.marked_by, MissedExchange.marked_at).where(
        MissedExchange.arrangement_id == arrangement_id, MissedExchange.due == due, MissedExchange.side == side)
    ).first()
    return None if found is None else MissedMark(int(found.id), str(found.marked_by), found.marked_at)


def mark_missed(db: Database, actor: Principal, arrangement_id: int, due: dt.date, side: str, *,
                note: str = "") -> MissedMark:
    """Mark an expected exchange as missed: it leaves the work list (and the chasers) without an item.
    :func:`unmark_missed` (undo) puts it back. Returns the mark made (an undo takes back only that one)."""
    require(actor, P.LETTERBOX_EDIT)
    if side not in (rules.ADOPTIVE, rules.BIRTH):
        raise ValidationError("Who writes: choose the adoptive or the birth family.", "side")
    with db.session(actor) as session:
        # the arrangement's lock first (as its other changes take it): two users marking the same exchange at
        # once queue here, and the second finds the first's mark instead of passing the check with it
        a = lock_row(session, get_or_raise(session, Arrangement, arrangement_id, f"No arrangement {arrangement_id}."))
        mark = select(MissedExchange.marked_by, MissedExchange.marked_at).where(
            MissedExchange.arrangement_id == arrangement_id, MissedExchange.due == due, MissedExchange.side == side)
        if (found := session.execute(mark).first()) is not None:
            raise _already_marked(a.reference, due, found.marked_by, found.marked_at)
        try:
            with session.begin_nested():  # a mark that got in without the lock: report it, not a raw error
                session.add(MissedExchange(arrangement_id=arrangement_id, due=due, side=side,
                                           marked_by=actor.username, note=note))
        except IntegrityError as err:
            found = session.execute(mark).first()
            raise _already_marked(a.reference, due, found.marked_by if found else "someone else",
                                  found.marked_at if found else None) from err
        audit.record(session, "letterbox_exchange_missed", "letterbox_arrangements", arrangement_id,
                     detail=f"{side} side, due {due.isoformat()}")
        made = _mark_now(session, arrangement_id, due, side)
        assert made is not None  # written just above, under the arrangement's lock
        return made


def _already_marked(reference: str, due: dt.date, by: str, at: dt.datetime | None) -> Conflict:
    return Conflict(f"The exchange of {reference} due {due:%d/%m/%Y} is already marked missed "
                    f"(by {by}, {when_text(at)}).")


def unmark_missed(db: Database, actor: Principal, arrangement_id: int, due: dt.date, side: str, *,
                  expected_mark: MissedMark | None = None) -> None:
    """Take back :func:`mark_missed`: the exchange is awaited (and overdue) again. ``expected_mark`` (an
    undo): only that mark is taken back; if the mark there now is another one (a colleague took it back
    and marked it again), nothing changes (:class:`StaleRecord`)."""
    require(actor, P.LETTERBOX_EDIT)
    with db.session(actor) as session:
        a = lock_row(session, get_or_raise(session, Arrangement, arrangement_id, f"No arrangement {arrangement_id}."))
        now = _mark_now(session, arrangement_id, due, side)
        if now is None:
            raise Conflict(f"The exchange of {a.reference} due {due:%d/%m/%Y} is not marked missed "
                           "(someone may have taken the mark back already).")
        if expected_mark is not None and now != expected_mark:
            what = f"the missed mark of {a.reference}'s exchange due {due:%d/%m/%Y}"
            raise StaleRecord(
                f"{now.marked_by} marked the exchange of {a.reference} due {due:%d/%m/%Y} missed at "
                f"{when_text(now.marked_at)}, after your mark was taken back: the mark there now is theirs, "
                "so it stays, and it was not undone.", what=what, saved_by=now.marked_by, saved_at=now.marked_at,
                saved_values={"Marked missed by": now.marked_by})
        session.execute(delete(MissedExchange).where(MissedExchange.id == now.id))
        audit.record(session, "letterbox_exchange_missed_undone", "letterbox_arrangements", arrangement_id,
                     detail=f"{side} side, due {due.isoformat()}")


@dataclass(frozen=True)
class SentBatch:
    """A batch of letters of one kind already written (``letters_sent_on``): how many, for how many of the
    arrangements asked about, by whom (full name) and when (naive UTC, as the audit log has it)."""

    batch: str
    letters: int
    arrangements: int
    by: str
    at: dt.datetime | None

    def said(self) -> str:
        """"3 letters by Lee Elderholt at 14:02 on 02/12/2026", as the questions and results say it."""
        return f"{plural(self.letters, 'letter')} by {self.by}" + (f" at {when_text(self.at)}" if self.at else "")


def letters_sent_on(db: Database, actor: Principal, kind: str, arrangement_ids: Collection[int],
                    on: dt.date) -> list[SentBatch]:
    """The batches of ``kind`` letters written on ``on`` for any of ``arrangement_ids``, from the sent-list
    (its rows, and the audit entry that sealed each batch: who and when), earliest first. Asked before the
    same letters are written again (keyboard trial: chasers produced twice in one day, each batch recorded
    in the sent-list as sent)."""
    from adoption_desktop.letterbox.models import LetterSent
    from adoption_desktop.letterbox.sent_list import not_voided

    require(actor, P.LETTERBOX_VIEW)
    wanted = set(arrangement_ids)
    if not wanted:
        return []
    with db.session(actor, write=False) as session:
        rows = session.execute(select(LetterSent.batch, LetterSent.arrangement_id).where(
            LetterSent.kind == kind, LetterSent.sent_on == on, not_voided())).all()
        batches: dict[str, list[int]] = {}
        for batch, arrangement_id in rows:
            batches.setdefault(batch, []).append(arrangement_id)
        found = {b: ids for b, ids in batches.items() if wanted.intersection(ids)}
        return sent_batches(session, found, wanted)


def sent_batches(session: Session, found: dict[str, list[int]], wanted: Collection[int] | None = None
                 ) -> list[SentBatch]:
    """``found`` (batch -> the arrangement of each of its letters) told as :class:`SentBatch`: who recorded
    each (the audit entry that sealed it) and when, earliest first; ``arrangements`` counts those of
    ``wanted`` (all of the batch's when ``None``)."""
    from adoption_desktop.core.audit.models import AuditEntry
    from adoption_desktop.core.security.models import User

    if not found:
        return []
    who = {b: (at, name or login) for b, at, login, name in session.execute(
        select(AuditEntry.entity_id, AuditEntry.at, AuditEntry.actor, User.full_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.action == "letterbox_letters_sent", AuditEntry.entity_id.in_(found)))}
    out = []
    for batch, ids in found.items():
        at, by = who.get(batch, (None, "someone"))
        when = _naive_utc(at) if isinstance(at, str) and at else None
        out.append(SentBatch(batch, len(ids), len(set(ids) if wanted is None else set(wanted).intersection(ids)),
                             by, when))
    return sorted(out, key=lambda b: (b.at is None, b.at or dt.datetime.min, b.batch))


def reminders_produced(db: Database, actor: Principal, month: str) -> list[SentBatch]:
    """The batches of reminders already produced for ``month`` (``YYYY-MM``): how many letters each
    recorded, for how many arrangements, by whom and when, earliest first. Asked before the month's
    reminders are printed again (user trial: a second run went out as new letters and was counted again in
    the letters sent). A reprint recorded nothing new, so it is not listed; the batch it reprinted is."""
    from adoption_desktop.letterbox.sent_list import reminders_sent_for

    require(actor, P.LETTERBOX_VIEW)
    rules.month_bounds(month)
    with db.session(actor, write=False) as session:
        found: dict[str, list[int]] = {}
        for (arrangement_id, _side, _participant), batch in reminders_sent_for(session, [month])[month].items():
            found.setdefault(batch, []).append(arrangement_id)
        return sent_batches(session, found)


def _naive_utc(at: str) -> dt.datetime:
    """An audit entry's ISO-8601 time as ``utcnow`` gives times (naive UTC)."""
    when = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when

