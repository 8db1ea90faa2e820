"""The sent-list of a letter batch: a row per letter, and one audit entry for the whole batch.

Kept apart from ``letterbox.service`` so that writing a batch of letters does not import the rest of
the letterbox use cases (screening, the gazetteer …).

A month's reminders are a batch of their own, named for the month (:func:`reminder_batch`), so that the
reminders already produced for a month can be found (:func:`reminders_sent_for`): printed again, they are a
reprint, audited as one and not recorded (nor counted in the figures) as letters sent a second time.

A batch printed by mistake and never posted is **voided** (:func:`void_batch`): a new audit entry
(``letterbox_batch_voided``, entity id the batch, the reason in its changes), the batch's own rows untouched
(they stay sealed and listed, marked voided). From then on the batch does not count: its month's reminders
are not "already recorded" (:func:`reminders_sent_for`) and the figures leave it out (:func:`not_voided`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import cast

from sqlalchemy import ColumnElement, Select, Table, func, insert, or_, select
from sqlalchemy.orm import Session

from adoption_desktop.core.audit.seals import seal_change
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database, session_actor
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
    recipient (:data:`ReminderKey`) with the batch that first recorded it. One query for all the months.
    A voided batch (:func:`void_batch`) holds none: the month's next print is recorded as the first."""
    keys = {month_key(m): m for m in months}
    out: dict[str, dict[ReminderKey, str]] = {m: {} for m in keys.values()}
    if not keys:
        return out
    rows = session.execute(select(LetterSent.batch, LetterSent.arrangement_id, LetterSent.side,
                                  LetterSent.participant_id)
                           .where(LetterSent.kind == "reminder", not_voided(),
                                  or_(*(LetterSent.batch.like(reminder_batches_like(m)) for m in keys.values())))
                           .order_by(LetterSent.id))
    for batch, arrangement_id, side, participant_id in rows:
        month = keys.get(batch_month_key(str(batch)) or "")
        if month is not None:
            out[month].setdefault((int(arrangement_id), str(side), participant_id), str(batch))
    return out


#: the audit action that voids a batch of the sent-list (printed by mistake, not posted): entity
#: ``letterbox_letters_sent``, entity id the batch, changes ``{"reason": [None, why], "letters": [None, n]}``
VOIDED = "letterbox_batch_voided"
_SENT = "letterbox_letters_sent"


def voided_batches_select() -> Select[str]:
    """The names of the voided batches (the entity ids of :data:`VOIDED` entries), as a subquery."""
    from adoption_desktop.core.audit.models import AuditEntry

    return select(AuditEntry.entity_id).where(AuditEntry.action == VOIDED, AuditEntry.entity == _SENT)


def not_voided() -> ColumnElement[bool]:
    """The sent-list rows that count: those of a batch not voided (for the figures, and for what is
    "already recorded")."""
    return LetterSent.batch.not_in(voided_batches_select())


@dataclass(frozen=True)
class VoidedBatch:
    """A batch of the sent-list voided as not posted: why, by whom (full name), when (naive UTC)."""

    batch: str
    letters: int
    reason: str
    by: str
    at: dt.datetime | None
    #: the kind of its letters (``letterbox.documents.KINDS``): given by :func:`record_void` (what the void
    #: returns); "" where read back from the log (:func:`voided_batches`)
    kind: str = ""

    def what_next(self) -> str:
        """What voiding it changes for the next print of such letters, in plain words: a month's reminders
        are "already produced" by a batch not voided (:func:`reminders_sent_for`); other letters are printed
        for the items or arrangements chosen, so printing them again is all there is to do."""
        if self.kind == "reminder":
            return "the month's next print of reminders is recorded as the first."
        return ("if these letters are still to go, print them again: that print is the one recorded as "
                "sent.")

    def said(self) -> str:
        """``voided: not posted — printed for the wrong month (Lee Elderholt, 14:02 on 06/12/2026)``"""
        from adoption_desktop.core.concurrency import when_text

        when = f", {when_text(self.at)}" if self.at else ""
        return f"voided: not posted — {self.reason} ({self.by}{when})"


def voided_batches(session: Session, batches: Iterable[str] | None = None) -> dict[str, VoidedBatch]:
    """The voided batches among ``batches`` (every one when ``None``), by name."""
    from adoption_desktop.core.audit.models import AuditEntry
    from adoption_desktop.core.security.models import User

    wanted = None if batches is None else sorted(set(batches))
    if wanted is not None and not wanted:
        return {}
    query = (select(AuditEntry.entity_id, AuditEntry.changes, AuditEntry.at, AuditEntry.actor, User.full_name)
             .outerjoin(User, User.id == AuditEntry.actor_id)
             .where(AuditEntry.action == VOIDED, AuditEntry.entity == _SENT).order_by(AuditEntry.seq))
    if wanted is not None:
        query = query.where(AuditEntry.entity_id.in_(wanted))
    out: dict[str, VoidedBatch] = {}
    for batch, changes, at, login, name in session.execute(query):
        said = json.loads(changes) if changes else {}
        reason = str((said.get("reason") or [None, ""])[1] or "")
        letters = int((said.get("letters") or [None, 0])[1] or 0)
        out.setdefault(str(batch), VoidedBatch(str(batch), letters, reason, str(name or login or "someone"),
                                               _when(at)))
    return out


def _when(at: object) -> dt.datetime | None:
    if not isinstance(at, str) or not at:
        return None
    value = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def record_void(session: Session, batch: str, reason: str) -> VoidedBatch:
    """Void ``batch`` (printed by mistake, not posted) in the caller's write transaction: refused
    (:class:`~adoption_desktop.core.errors.ValidationError` / :class:`~adoption_desktop.core.errors.Conflict`)
    when there is no such batch, no reason, the batch is voided already, or its reminders were printed
    again since as a reprint (that print's letters stand on this batch's record: voiding it would leave
    them recorded nowhere). Nothing of the batch's rows is changed; one audit entry is added. Every write
    session takes the database's write lock first, so two people voiding, or one voiding while another
    prints the month, take turns: the second sees what the first did."""
    from adoption_desktop.core import audit
    from adoption_desktop.core.audit.models import AuditEntry
    from adoption_desktop.core.errors import Conflict, ValidationError

    batch = batch.strip()
    why = " ".join(reason.split())
    if not why:
        raise ValidationError("Reason: say why the batch was not posted (for example \"printed for the wrong "
                              "month, shredded\"). Nothing was changed.", "reason")
    letters, kind, first_on = session.execute(
        select(func.count(), func.min(LetterSent.kind), func.min(LetterSent.sent_on))
        .where(LetterSent.batch == batch)).one()
    if not letters:
        raise ValidationError(f"No batch \"{batch}\" is in the letters sent. Copy its name as the arrangement's "
                              "Letters sent list or the export command shows it. Nothing was changed.", "batch")
    done = voided_batches(session, [batch]).get(batch)
    if done is not None:
        raise Conflict(f"Batch {batch} is already {done.said()}. Nothing was changed.")
    if kind == "reminder":
        from adoption_desktop.core.security.models import User

        again = session.execute(
            select(AuditEntry.entity_id, AuditEntry.at, AuditEntry.actor, User.full_name)
            .outerjoin(User, User.id == AuditEntry.actor_id)
            .where(AuditEntry.action == "letterbox_letters_reprinted", AuditEntry.entity == _SENT,
                   AuditEntry.detail.contains(batch)).order_by(AuditEntry.seq)).first()
        if again is not None:
            from adoption_desktop.core.concurrency import when_text

            at = _when(again.at)
            who = str(again.full_name or again.actor or "someone")  # the person's name, as messages say it
            raise Conflict(
                f"The reminders of batch {batch} were printed again since (batch {again.entity_id}, by "
                f"{who}{' at ' + when_text(at) if at else ''}), as a reprint that was not recorded "
                "again: this batch's record stands for those letters, so it cannot be voided. Nothing was "
                "changed. If that print was not posted either, ask your administrator.")
    audit.record(session, VOIDED, _SENT, batch,
                 changes={"reason": [None, why], "letters": [None, int(letters)]},
                 detail=f"{int(letters)} {kind} letters of {first_on:%d/%m/%Y} voided: not posted ({why}); "
                        "the sent-list rows are kept")
    return replace(voided_batches(session, [batch])[batch], kind=str(kind))


def void_batch(db: Database, actor: Principal, batch: str, reason: str) -> VoidedBatch:
    """A coordinator (``letterbox.edit``) voids ``batch``: printed by mistake and not posted
    (:func:`record_void`, in one write transaction)."""
    from adoption_desktop.core.security.permissions import Permission, require

    require(actor, Permission.LETTERBOX_EDIT)
    with db.session(actor) as session:
        return record_void(session, batch, reason)


def void_problems(session: Session) -> list[str]:
    """What ``verify`` reports of the void entries (:data:`VOIDED`) on the audit log, which the readers obey
    as they find them (:func:`not_voided`): each one's chain and anchor are checked with the whole log, so
    this names what a void written on the chain *outside* :func:`record_void` could still be:

    * made by an account that did not hold ``letterbox.edit`` when it was written: its roles then, from the
      first change of its roles audited after the void (the roles it had before that change), else the
      role rows in effect now (:func:`~adoption_desktop.core.security.service.in_effect`);
    * of a batch whose reminders had been printed again (a reprint, ``letterbox_letters_reprinted``) before
      the void, which :func:`record_void` refuses;
    * a second void of one batch.

    Two queries (the void and reprint entries; the voiders' role changes after them), and the role rows of
    the voiders whose roles did not change since."""
    from adoption_desktop.core.audit.models import AuditEntry
    from adoption_desktop.core.security.models import User, UserRole
    from adoption_desktop.core.security.permissions import MATRIX, Permission, Role
    from adoption_desktop.core.security.service import in_effect

    entries = session.execute(
        select(AuditEntry.seq, AuditEntry.action, AuditEntry.entity_id, AuditEntry.actor_id, AuditEntry.actor,
               AuditEntry.detail)
        .where(AuditEntry.action.in_((VOIDED, "letterbox_letters_reprinted")), AuditEntry.entity == _SENT)
        .order_by(AuditEntry.seq)).all()
    voids = [e for e in entries if e.action == VOIDED]
    if not voids:
        return []
    editing = {str(role) for role, granted in MATRIX.items() if Permission.LETTERBOX_EDIT in granted}
    known = {str(r) for r in Role}
    actors = {int(v.actor_id) for v in voids if v.actor_id is not None}
    changes = session.execute(  # each voider's audited role changes, oldest first
        select(AuditEntry.seq, AuditEntry.entity_id, AuditEntry.changes)
        .where(AuditEntry.entity == "users", AuditEntry.entity_id.in_([str(a) for a in actors]),
               AuditEntry.changes.contains('"roles"'))
        .order_by(AuditEntry.seq)).all() if actors else []
    history: dict[int, list[tuple[int, list[str]]]] = {}
    for seq, entity_id, said in changes:
        before = (json.loads(said).get("roles") or [None])[0] if said else None
        if isinstance(before, list):
            history.setdefault(int(entity_id), []).append((int(seq), [str(r) for r in before]))
    rows = session.execute(select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(actors))).all() \
        if actors else []
    now = in_effect(session, [(int(u), str(r)) for u, r in rows])
    names = dict(session.execute(select(User.id, User.full_name).where(User.id.in_(actors))).all()) \
        if actors else {}

    def roles_then(actor_id: int | None, seq: int) -> tuple[set[str], str]:
        if actor_id is None:
            return set(), "no account"
        later = next((before for at, before in history.get(actor_id, []) if at > seq), None)
        if later is not None:
            return set(later) & known, "then"
        return {r for u, r in now if u == actor_id}, "now (its roles did not change since)"

    out: list[str] = []
    seen: dict[str, int] = {}
    for v in voids:
        batch, seq = str(v.entity_id), int(v.seq)
        who = str(names.get(v.actor_id) or v.actor or "someone")
        roles, when = roles_then(None if v.actor_id is None else int(v.actor_id), seq)
        if not roles & editing:
            out.append(f"audit log: entry #{seq} voids letterbox batch {batch} as not posted, but it was made by "
                       f"{who}, whose account did not hold letterbox.edit ({when}): only a letterbox "
                       "coordinator voids a batch, so it was written outside the application")
        reprint = next((e for e in entries if e.action != VOIDED and int(e.seq) < seq
                        and batch in str(e.detail or "")), None)
        if reprint is not None:
            out.append(f"audit log: entry #{seq} voids letterbox batch {batch}, whose reminders had been printed "
                       f"again before (entry #{reprint.seq}, batch {reprint.entity_id}): the application refuses "
                       "that void, so it was written outside the application")
        if batch in seen:
            out.append(f"audit log: entry #{seq} voids letterbox batch {batch} again (it was voided by entry "
                       f"#{seen[batch]}): the application voids a batch once, so it was written outside the "
                       "application")
        seen.setdefault(batch, seq)
    return out
