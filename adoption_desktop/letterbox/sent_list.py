"""The sent-list of a letter batch: a row per letter, and one audit entry for the whole batch.

Kept apart from ``letterbox.service`` so that writing a batch of letters does not import the rest of
the letterbox use cases (screening, the gazetteer …).

A month's reminders are a batch of their own, named for the month (:func:`reminder_batch`), so that the
reminders already produced for a month can be found (:func:`reminders_sent_for`): printed again, they are a
reprint, audited as one and not recorded (nor counted in the figures) as letters sent a second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, insert, or_, select
from sqlalchemy.orm import Session

from adoption_desktop.core.audit.seals import seal_change
from adoption_desktop.core.storage.engine import session_actor
from adoption_desktop.letterbox.models import LetterSent

#: one letter of a batch: (arrangement id, kind, side, item id, participant id). The item is the one a
#: letter about one item was about (acknowledgement, returned for changes), the participant the birth
#: relative it went to; both None when there is none (a letter to the adopters names no participant)
SentLetter = tuple[int, str, str, int | None, int | None]


def record_letters_sent(session: Session, rows: Iterable[SentLetter], on: dt.date, batch: str) -> int:
    """The sent-list of one batch: a row per letter, audited by **one** entry for the batch
    (``letterbox_letters_sent``, entity id the batch), which seals every row it wrote. A sent-list row is
    final once written: that first seal is its content seal (``core.audit.seals.ContentRule.first_seal``),
    so ``verify`` reports any later change to it (its item and recipient included), however made."""
    from adoption_desktop.core.documents.templates import template_version_label

    labels: dict[str, str] = {}  # the template version each kind of letter was made with
    values = []
    for arrangement_id, kind, side, item_id, participant_id in rows:
        if kind not in labels:
            labels[kind] = template_version_label(session, f"letterbox_{kind}")
        values.append({"arrangement_id": arrangement_id, "kind": kind, "side": side, "sent_on": on,
                       "batch": batch, "template_version": labels[kind], "item_id": item_id,
                       "participant_id": participant_id})
    if not values:
        return 0
    table = cast(Table, LetterSent.__table__)
    session.flush()  # the log keeps the order things happened in
    conn = session.connection()
    ids = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), values).scalars().all()
    seal_change(conn, session_actor(session), "letterbox_letters_sent", table, [(i,) for i in ids],
                entity_id=batch, detail=f"{len(ids)} letters")
    return len(ids)


#: one reminder's recipient within its month: (arrangement id, side, participant id)
ReminderKey = tuple[int, str, int | None]


def month_key(month: str) -> str:
    """``"2027-03"`` (or ``"2027-3"``) -> ``"202703"``: how a reminder batch's name gives its month."""
    year, _, number = month.strip().partition("-")
    return f"{int(year):04d}{int(number):02d}"


#: how every reminder batch's name begins (:func:`reminder_batch`)
_REMINDER = "reminder-"


def reminder_batch(month: str, on: dt.date, token: str) -> str:
    """The name of the batch of ``month``'s reminders (``YYYY-MM``) produced on ``on``:
    ``reminder-202703-20261206-ab12cd`` (31 characters; the sent-list's batch holds 40). A batch written
    before months were named (``reminder-20261206-ab12cd``) names no month, and is not found as one."""
    return f"{_REMINDER}{month_key(month)}-{on:%Y%m%d}-{token}"


def reminder_batches_like(month: str) -> str:
    """The SQL ``LIKE`` pattern of every batch of ``month``'s reminders (:func:`reminder_batch`), whatever
    day it was produced: ``reminder-202703-%``."""
    return f"{_REMINDER}{month_key(month)}-%"


def batch_month_key(batch: str) -> str | None:
    """The month a reminder batch's name gives (:func:`reminder_batch`), as :func:`month_key` writes it
    (``reminder-202703-20261206-ab12cd`` -> ``"202703"``); ``None`` for any other batch (other letters, or a
    reminder batch written before months were named, ``reminder-20261206-ab12cd``)."""
    if not batch.startswith(_REMINDER):
        return None
    key, dash, _rest = batch[len(_REMINDER):].partition("-")
    return key if dash and len(key) == 6 and key.isdigit() else None


def reminders_sent_for(session: Session, months: Iterable[str]) -> dict[str, dict[ReminderKey, str]]:
    """For each of ``months`` (``YYYY-MM``), the reminders the sent-list already holds for it: each
    recipient (:data:`ReminderKey`) with the batch that first recorded it. One query for all the months."""
    keys = {month_key(m): m for m in months}
    out: dict[str, dict[ReminderKey, str]] = {m: {} for m in keys.values()}
    if not keys:
        return out
    rows = session.execute(select(LetterSent.batch, LetterSent.arrangement_id, LetterSent.side,
                                  LetterSent.participant_id)
                           .where(LetterSent.kind == "reminder",
                                  or_(*(LetterSent.batch.like(reminder_batches_like(m)) for m in keys.values())))
                           .order_by(LetterSent.id))
    for batch, arrangement_id, side, participant_id in rows:
        month = keys.get(batch_month_key(str(batch)) or "")
        if month is not None:
            out[month].setdefault((int(arrangement_id), str(side), participant_id), str(batch))
    return out
