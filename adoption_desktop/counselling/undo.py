"""Reversible counselling actions (no Qt): recording a chase of a records request. Done through
``counselling.service``; the reverse puts the request's chasing back as it was with the version the
action left behind (``expected_version``), so a colleague's later change (a receipt, another chase) is
never overwritten (``StaleRecord``). Every undo and redo is an audited change like any other."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.undo import UndoEntry
from adoption_desktop.counselling import service
from adoption_desktop.counselling.service import ChaseState

AREA = "counselling"


def record_chase(db: Database, actor: Principal, request_id: int, on: dt.date, *, today: dt.date | None = None,
                 expected_version: int | None = None) -> tuple[dt.date, UndoEntry]:
    """:func:`service.record_chase`, and the entry that takes the chase back. The states the entry moves
    between are the ones the chase's own transaction read and wrote (never a later read, which could take
    in a colleague's chase and let the undo wipe it out); ``expected_version``: the request as the person
    saw it when the dialog was opened."""
    done = service.record_chase(db, actor, request_id, on, today=today, expected_version=expected_version)
    label = f"Recorded a chase of the records request to {done.after.holder_name} on {on:%d/%m/%Y}"
    return done.due, _entry(db, actor, request_id, done.before, done.after, label)


def _entry(db: Database, actor: Principal, request_id: int, restore_to: ChaseState, current: ChaseState,
           label: str) -> UndoEntry:
    def reverse() -> UndoEntry:
        now = service.restore_chase(db, actor, request_id, restore_to, expected_version=current.row_version)
        return _entry(db, actor, request_id, current, now, label)

    return UndoEntry(label, reverse, actor.user_id, AREA, f"the records request to {current.holder_name}")


def set_session_outcome(db: Database, actor: Principal, session_id: int, outcome: str | None, *,
                        expected: str | None = None, today: dt.date | None = None
                        ) -> tuple[service.OutcomeChange, UndoEntry]:
    """:func:`service.set_session_outcome`, and the entry that puts the outcome back as it was — refused if
    someone has changed it since (the outcome the action left is the one the undo expects)."""
    done = service.set_session_outcome(db, actor, session_id, outcome, expected=expected, today=today)
    label = (f"Recorded the session of {done.held_on:%d/%m/%Y} as "
             f"{service.SESSION_OUTCOMES.get(done.after, 'not recorded').lower()}")
    return done, _outcome_entry(db, actor, done, label, today)


def _outcome_entry(db: Database, actor: Principal, done: service.OutcomeChange, label: str,
                   today: dt.date | None) -> UndoEntry:
    def reverse() -> UndoEntry:
        back = service.set_session_outcome(db, actor, done.session_id, done.before or None, expected=done.after,
                                           today=today)
        return _outcome_entry(db, actor, back, label, today)

    return UndoEntry(label, reverse, actor.user_id, AREA, f"the session of {done.held_on:%d/%m/%Y}")
