"""ADM letters: filing one, its PDF, saving it (PDF or Word), the decision a person names, the date
sent and the oral notification, and every letter of a day in one PDF.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from adoption_desktop.adm import rules
from adoption_desktop.adm.documents import build_letter_pdf, letter_from_content, letter_values
from adoption_desktop.adm.models import (
    AdmDecision,
    AdmInfoRequest,
    AdmLetter,
    AdmNotification,
    AdmQualifyingDetermination,
)
from adoption_desktop.adm.service.common import QD_ENTITY, _extra_types, _get, _letter_view, _qd_for
from adoption_desktop.adm.service.data import LetterView
from adoption_desktop.adm.service.qualifying_determination import recount_final, refuse_if_changed_outside
from adoption_desktop.adm.settings import WRITTEN_NOTICE_WD
from adoption_desktop.core import audit
from adoption_desktop.core.agency_profile import signer_title
from adoption_desktop.core.audit.seal_check import ASK_ADMINISTRATOR, check_rows, require_as_last_saved
from adoption_desktop.core.concurrency import last_saved, lock_row, when_text
from adoption_desktop.core.config import LETTER_REPLY_WORKING_DAYS
from adoption_desktop.core.documents.letterhead import letterhead
from adoption_desktop.core.documents.pdf import write_letters
from adoption_desktop.core.documents.templates import template_version_label
from adoption_desktop.core.errors import Conflict, NotFound, SealBroken, ValidationError
from adoption_desktop.core.files import output_file
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database, session_actor
from adoption_desktop.core.text_input import check_not_future, clean_text
from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.journey.settings import PLAN_TO_PANEL_MONTHS

# --- letters ------------------------------------------------------------------------------------

#: a filed letter not as the program filed and sealed it (changed with the database key outside the program)
NOT_AS_FILED = "This filed letter is not as it was filed"


def letter_seal_problem(session: Session, rows: Sequence[AdmLetter]) -> str:
    """What is wrong with the first of the filed letters ``rows`` that is not as the program filed and sealed
    it, in words a person reads, naming the letter and the decision it belongs to ("" when every one is as
    filed). One look at those rows and their own seals (``seal_check.check_rows``, as the minutes' export and
    ``require_as_last_saved`` do), never the whole table's: a day's batch is checked in one go. A trial changed
    a filed letter's text and PDF with the key (another family's letter put in its place): every export and
    print handed it out."""
    problems = check_rows(session.connection(), "adm_letters", [r.id for r in rows]) if rows else []
    if not problems:
        return ""
    first = problems[0]
    bad = next((r for r in rows if str(r.id) == first.entity_id), rows[0] if len(rows) == 1 else None)
    said = first.message.replace("_", " ")
    if "outside the application" not in said:  # "the filed letter's content differs from what was sealed …"
        said += ": changed outside the application"
    if bad is None:  # the audit entry holding the seals of several of them
        return f"The filed letters are not as they were filed: {said}"
    ref = session.scalar(select(AdmDecision.subject_reference).where(AdmDecision.id == bad.decision_id))
    kind = rules.LETTER_KINDS.get(bad.kind, "ADM").lower()
    others = len({p.entity_id for p in problems if p.entity_id != first.entity_id})
    more = f" (and {others} more letter{'' if others == 1 else 's'})" if others else ""
    return (f"The {kind} letter dated {bad.letter_date:%d/%m/%Y} for {ref or 'this case'} (decision "
            f"{bad.decision_id}, letter {bad.id}) is not as it was filed: {said}{more}")


def require_as_filed(session: Session, rows: Sequence[AdmLetter], refused: str) -> None:
    """Refuse (:class:`SealBroken`) to hand out filed letters (saved as PDF or Word, opened, printed in a day's
    batch) when any of ``rows`` is not as it was filed (:func:`letter_seal_problem`): the whole of what was
    asked is refused, naming the letter, ``refused`` saying what was not done and what was kept."""
    problem = letter_seal_problem(session, rows)
    if problem:
        raise SealBroken(f"{problem}. {refused} {ASK_ADMINISTRATOR}")


#: what a refused save of one letter did not do, and what was kept
_NOT_SAVED = ("It was not saved: no file was written, and the letter stays on file as it is. Do not post a copy "
              "of it made earlier until it has been checked.")

def _file_letter(session: Session, d: AdmDecision, kind: str, day: dt.date, *,
                 qd: AdmQualifyingDetermination | None = None, info: AdmInfoRequest | None = None) -> int:
    extra = _extra_types(session)
    cal = calendar(session)
    values = letter_values(d, rules.type_label(d.decision_type, extra), day, qd=qd, info=info,
                           written_wd=get_setting(session, WRITTEN_NOTICE_WD), cal=cal,
                           reply_wd=get_setting(session, LETTER_REPLY_WORKING_DAYS),
                           panel_months=get_setting(session, PLAN_TO_PANEL_MONTHS),
                           first_decided_on=_first_decided_on(session, d))
    # the title is the signing account's own (by id): another account may share the signer's full name
    if d.signed_by_name:
        signatory, signer_id = d.signed_by_name, d.signed_by_id
    else:
        actor = session_actor(session)
        signatory, signer_id = actor.full_name, actor.user_id or None
    title = signer_title(session, user_id=signer_id) if signer_id else ""
    pdf, content, recipient = build_letter_pdf(kind, values, d, day, letterhead(session, area="adm"), signatory,
                                               title)
    if kind == "adm_qd_notice" and qd is not None:  # the end of the period as the letter states it, kept
        content = json.dumps({**json.loads(content), "period_ends": qd.deadline.isoformat()}, ensure_ascii=False)
    row = AdmLetter(decision_id=d.id, kind=kind, letter_date=day, recipient=recipient, pdf=pdf, content=content,
                    template_version=template_version_label(session, kind))
    session.add(row)
    session.flush()
    audit.record(session, "letter_generated", "adm_letters", row.id, detail=f"{kind} for decision {d.id}")
    return row.id


def _first_decided_on(session: Session, d: AdmDecision) -> dt.date | None:
    """The date of the decision a correction corrects (its first signed version's): a correction is the same
    decision, made on that date (None for a first version: its own date)."""
    if d.version <= 1 or d.root_id is None:
        return None
    return session.scalar(select(AdmDecision.decided_on).where(AdmDecision.id == d.root_id))


def letter_pdf(db: Database, actor: Principal, letter_id: int) -> bytes:
    """The filed PDF of one letter (opening it is audited)."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, views_only=True) as session:
        row = get_or_raise(session, AdmLetter, letter_id, f"There is no ADM letter {letter_id}.")
        require_as_filed(session, [row], _NOT_SAVED)
        audit.record_view(session, "adm_letters", row.id)
        return bytes(row.pdf)


def export_decision_letter(db: Database, actor: Principal, decision_id: int, out: Path) -> LetterView:
    """Write the latest letter filed against the decision's signed version to ``out`` (audited).

    ``out`` ending ``.docx`` writes a Word copy of the same letter (from its stored layout, under the
    current letterhead) for a last edit; the filed PDF stays the record of what was sent."""
    require(actor, Permission.ADM_VIEW)
    # the file gets its name only once the audit entry is committed (when the session closes)
    with output_file(out) as tmp, db.session(actor) as session:
        d = _get(session, decision_id)
        if d.signed_at is None:
            raise Conflict(f"Decision {decision_id} is not signed yet; its decision letter is made when it is "
                           "signed.")
        row = session.scalars(select(AdmLetter).where(AdmLetter.decision_id == d.id)
                              .order_by(AdmLetter.id.desc())).first()
        if row is None:
            raise NotFound(f"No letter is filed against decision {decision_id}.")
        require_as_filed(session, [row], _NOT_SAVED)
        out = Path(out)
        if out.suffix.lower() == ".docx":
            if not row.content:
                raise Conflict(f"The letter filed against decision {decision_id} has no stored layout; only "
                               "its PDF can be saved.")
            write_letters(tmp, [letter_from_content(row.content)], letterhead(session),
                          title=f"{row.kind} {d.subject_reference}")
        else:
            tmp.write_bytes(row.pdf)
        audit.record(session, "export", "adm_letters", row.id, detail=f"decision letter to {out.name}")
        return _letter_view(row, d.subject_reference)


def export_letter(db: Database, actor: Principal, letter_id: int, out: Path) -> Path:
    """One filed letter to ``out``: its PDF as filed, or (``.docx``) a Word copy of the same letter from its
    stored layout under the current letterhead, for a last edit. Audited."""
    require(actor, Permission.ADM_VIEW)
    # the file gets its name only once the audit entry is committed (when the session closes)
    with output_file(out) as tmp, db.session(actor) as session:
        row = get_or_raise(session, AdmLetter, letter_id, f"There is no ADM letter {letter_id}.")
        require_as_filed(session, [row], _NOT_SAVED)
        out = Path(out)
        if out.suffix.lower() == ".docx":
            if not row.content:
                raise Conflict(f"Letter {letter_id} has no stored layout; only its PDF can be saved.")
            write_letters(tmp, [letter_from_content(row.content)], letterhead(session), title=row.kind)
        else:
            tmp.write_bytes(row.pdf)
        audit.record(session, "export", "adm_letters", row.id, detail=f"letter to {out.name}")
        return out


def decision_id_for(db: Database, actor: Principal, given: str, *, label: str = "Decision") -> int:
    """The decision a person names: its number, or the case reference it is about (``AD-2026-0142``),
    compared as references are (case, spacing and look-alike characters ignored). Of a corrected decision
    the current version is meant; two different decisions on one case are refused, listing them. Messages
    begin with ``label``: the field, or on the command line the option (``--decision``)."""
    from adoption_desktop.core.text_input import reference_key

    require(actor, Permission.ADM_VIEW)
    from adoption_desktop.core.text_input import row_number

    text = given.strip()
    if text.isdigit():
        number = row_number(text)
        if number is None:
            raise NotFound(f"{label}: no ADM decision {text[:30]}.")
        return number
    key = reference_key(text)
    with db.session(actor, write=False) as session:
        superseded = set(session.scalars(select(AdmDecision.supersedes_id).where(AdmDecision.supersedes_id.is_not(None))))
        rows = [d for d in session.scalars(select(AdmDecision).order_by(AdmDecision.id))
                if reference_key(d.subject_reference) == key and d.id not in superseded]
        if not rows:
            raise NotFound(f"{label}: no ADM decision about {text}; give the case reference shown in the ADM "
                           "queue, or the decision number.")
        # a proposal not to approve and the final decision after it are one route: the final decision is the
        # one meant (a trial's "--decision AD-2026-0134" was refused as two decisions)
        # (once signed; while it is only opened, the signed proposal and its notice are what stands)
        route: dict[int, int] = {}  # a final decision's id -> its proposal's first version
        for final in (d for d in rows if d.source == "qd_final" and d.qd_id is not None):
            q = session.get(AdmQualifyingDetermination, final.qd_id)
            proposal = session.get(AdmDecision, q.decision_id) if q is not None else None
            if proposal is not None:
                route[final.id] = proposal.root_id or proposal.id
        roots = {d.root_id or d.id for d in rows if d.source != "qd_final"}
        ended = {route[d.id] for d in rows if d.id in route and d.signed_at is not None}
        rows = [d for d in rows if not (d.source != "qd_final" and (d.root_id or d.id) in ended)
                and not (d.id in route and d.signed_at is None and route[d.id] in roots)]
        if len(rows) > 1:
            extra = _extra_types(session)

            def state(d: AdmDecision) -> str:
                return f"signed {d.decided_on:%d/%m/%Y}" if d.signed_at and d.decided_on else d.state

            listed = ", ".join(f"{d.id} ({rules.type_label(d.decision_type, extra)}, {state(d)})" for d in rows)
            raise Conflict(f"{label}: {len(rows)} decisions about {text}: {listed}; give the number of the one "
                           "you mean.")
        return rows[0].id


def mark_letter_sent(db: Database, actor: Principal, letter_id: int, sent_on: dt.date) -> None:
    """Record the date a letter was sent (a decision letter counts as the written notification)."""
    require(actor, Permission.ADM_EDIT)
    check_not_future(sent_on, "Date sent", "sent_on", advice="record the day the letter was sent, once it is sent")
    with db.session(actor) as session:
        # locked: a notice made again (``reissue_notice``) at this moment comes wholly before or after
        row = lock_row(session, get_or_raise(session, AdmLetter, letter_id, f"There is no ADM letter {letter_id}."))
        require_as_last_saved(session, "adm_letters", row.id, NOT_AS_FILED,
                              "It was not recorded as sent. Nothing was saved; the letter stays as it is.")
        if row.sent_on is not None:
            raise Conflict(f"This letter was already recorded as sent on {row.sent_on:%d/%m/%Y}.")
        if sent_on < row.letter_date:
            raise ValidationError(f"Date sent: must be on or after the letter's date {row.letter_date:%d/%m/%Y}.",
                                  "sent_on")
        if row.kind == "adm_qd_notice":
            _refuse_if_replaced(session, row)
        row.sent_on = sent_on
        if row.kind == "adm_qd_notice":
            _notice_sent(session, row, sent_on)
        if row.kind != "adm_more_information":
            session.add(AdmNotification(decision_id=row.decision_id, kind="written", on_date=sent_on,
                                        note=f"letter {row.id}"))


def _versions(session: Session, decision_id: int) -> Select[int]:
    """The ids of every version of the decision ``decision_id`` is a version of."""
    d = _get(session, decision_id)
    root = d.root_id or d.id
    return select(AdmDecision.id).where((AdmDecision.root_id == root) | (AdmDecision.id == root))


def _later_notice(session: Session, row: AdmLetter) -> AdmLetter | None:
    """The qualifying-determination notice filed after ``row`` for the same decision, any version of it (a
    corrected proposal's notice replaces the first one's), if any."""
    return session.scalars(select(AdmLetter).where(AdmLetter.decision_id.in_(_versions(session, row.decision_id)),
                                                  AdmLetter.kind == "adm_qd_notice", AdmLetter.id > row.id)
                           .order_by(AdmLetter.id)).first()


def _refuse_if_replaced(session: Session, row: AdmLetter) -> None:
    """A notice never sent that a later one replaced (made again with a later date, or the notice of a
    corrected proposal) is not sent, nor made again: it would give the applicants superseded words."""
    if row.sent_on is not None:
        return
    later = _later_notice(session, row)
    if later is not None:
        raise Conflict(f"This notice (dated {row.letter_date:%d/%m/%Y}) was replaced by the notice dated "
                       f"{later.letter_date:%d/%m/%Y} and was never sent; send that one and "
                       "record it as sent.")
    newer = session.scalar(select(AdmDecision.version).where(
        AdmDecision.id.in_(_versions(session, row.decision_id)), AdmDecision.id != row.decision_id,
        AdmDecision.version > _get(session, row.decision_id).version).limit(1))
    if newer is not None:
        raise Conflict(f"This notice is of a proposal since corrected (version {newer}); it is not sent or made "
                       "again.")


def notice_periods(db: Database, actor: Principal, letter_id: int, sent_on: dt.date) -> tuple[dt.date, dt.date]:
    """For a qualifying-determination notice: the end of the 40 working days the letter states (counted from
    its own date) and the end counted from ``sent_on``, the day it goes (the later applies, reg 27(4))."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        row = get_or_raise(session, AdmLetter, letter_id, f"There is no ADM letter {letter_id}.")
        if row.kind != "adm_qd_notice":
            raise ValidationError("Only a qualifying-determination notice counts a period from the day it is sent.",
                                  "letter")
        cal = calendar(session)
        return _stated_period_end(row, cal), rules.qd_deadline(sent_on, cal)


def _stated_period_end(row: AdmLetter, cal: WorkingCalendar) -> dt.date:
    """The end of the 40 working days as the filed notice states it (kept with its layout since December
    2026); for a notice filed before then, counted again from the letter's date."""
    try:
        return dt.date.fromisoformat(json.loads(row.content or "{}")["period_ends"])
    except (KeyError, ValueError, TypeError):
        return rules.qd_deadline(row.letter_date, cal)


def reissue_notice(db: Database, actor: Principal, letter_id: int, day: dt.date | None = None) -> int:
    """A qualifying-determination notice not yet sent, made again dated ``day`` (today): the letter a day
    goes out on states the 40 working days counted from that day, not from the day the proposal was signed.
    The notice date and the end of the period move to it (audited ``qd_notice_reissued``); the older letter
    stays on file and can no longer be recorded as sent. Returns the new letter's id."""
    require(actor, Permission.ADM_EDIT)
    day = day or dt.date.today()
    check_not_future(day, "Date of the notice", "day", advice="a notice is made again on the day it goes")
    with db.session(actor) as session:
        row = lock_row(session, get_or_raise(session, AdmLetter, letter_id, f"There is no ADM letter {letter_id}."))
        if row.kind != "adm_qd_notice":
            raise ValidationError("Only a qualifying-determination notice is made again with a new date.", "letter")
        if row.sent_on is not None:
            raise Conflict(f"This notice was recorded as sent on {row.sent_on:%d/%m/%Y}; it is not made again.")
        _refuse_if_replaced(session, row)
        if day <= row.letter_date:
            raise ValidationError(f"This notice is already dated {row.letter_date:%d/%m/%Y}; it is made again only "
                                  "with a later date.", "day")
        d = _get(session, row.decision_id)
        q = _qd_for(session, d)
        if q is None or q.final_outcome == rules.QD_CLOSED_BY_CORRECTION:
            raise Conflict("This decision's qualifying determination is closed; its notice is not made again.")
        lock_row(session, q)
        refuse_if_changed_outside(session, q, d, "The notice was not made again")
        _refuse_if_final_opened(session, q, day)
        for what, when in (("the representations were received", q.representations_on),
                           ("the IRM application was made", q.irm_applied_on)):
            if when is not None:
                raise Conflict(f"{what[0].upper()}{what[1:]} on {when:%d/%m/%Y}: the notice has reached the "
                               "applicants and is not made again.")
        old_sent, old_deadline = q.notice_sent_on, q.deadline
        if day > q.notice_sent_on:
            q.notice_sent_on, q.deadline = day, rules.qd_deadline(day, calendar(session))
        new_id = _file_letter(session, d, "adm_qd_notice", day, qd=q)
        audit.record(session, "qd_notice_reissued", QD_ENTITY, q.id,
                     detail=f"notice letter {row.id} dated {row.letter_date} made again as letter {new_id} dated "
                            f"{day}: notice date {old_sent} -> {q.notice_sent_on}, representations or IRM by "
                            f"{old_deadline} -> {q.deadline}")
        recount_final(session, q)
        return new_id


def _notice_sent(session: Session, row: AdmLetter, sent_on: dt.date) -> None:
    """A qualifying-determination notice sent on ``sent_on``: the 40 working days begin with that day (not
    the decision date). The period only ever moves later (a second, corrected notice sent earlier than the
    first leaves it); a determination closed by a correction is left as it was. Refused once the final
    decision after it is opened or signed: the 40 working days it was opened on would move after it.
    Audited with the old and new dates."""
    q = _qd_for(session, _get(session, row.decision_id))
    if q is None or q.final_outcome == rules.QD_CLOSED_BY_CORRECTION or sent_on <= q.notice_sent_on:
        return
    lock_row(session, q)
    _refuse_if_final_opened(session, q, sent_on)
    for what, day in (("the representations were received", q.representations_on),
                      ("the IRM application was made", q.irm_applied_on)):
        if day is not None and day < sent_on:
            raise ValidationError(f"Date sent: {sent_on:%d/%m/%Y} is after the day {what} ({day:%d/%m/%Y}); "
                                  "check the date the notice was sent.", "sent_on")
    old_sent, old_deadline = q.notice_sent_on, q.deadline
    q.notice_sent_on, q.deadline = sent_on, rules.qd_deadline(sent_on, calendar(session))
    audit.record(session, "qd_notice_sent", QD_ENTITY, q.id,
                 detail=f"notice letter {row.id} sent {sent_on}: notice date {old_sent} -> {sent_on}, "
                        f"representations or IRM by {old_deadline} -> {q.deadline}")
    recount_final(session, q)


def _refuse_if_final_opened(session: Session, q: AdmQualifyingDetermination, sent_on: dt.date) -> None:
    """A notice recorded as sent after the final decision was opened (or signed) would move the end of the
    applicants' period under a decision already counted from it: refused, naming both dates."""
    final = session.scalars(select(AdmDecision).where(AdmDecision.qd_id == q.id, AdmDecision.source == "qd_final")
                            .order_by(AdmDecision.id)).first()
    if final is None and q.final_on is None:
        return
    new_deadline = rules.qd_deadline(sent_on, calendar(session))
    if q.final_on is not None:
        what = f"was signed on {q.final_on:%d/%m/%Y}"
    else:
        assert final is not None
        what = f"(decision {final.id}) was opened on {final.created_at:%d/%m/%Y}"
    raise Conflict(f"The final decision after this notice {what}; recording the notice as sent on "
                   f"{sent_on:%d/%m/%Y} would move the end of the applicants' 40 working days for representations "
                   f"or an IRM application from {q.deadline:%d/%m/%Y} to {new_deadline:%d/%m/%Y}. "
                   "Record the day the notice was sent before opening the final decision.")


def record_oral_notification(db: Database, actor: Principal, decision_id: int, on_date: dt.date,
                             note: str = "") -> None:
    """The applicants were told the decision by telephone or in person (the 2-working-day figure counts from
    it). Once per decision: a second record (a double click, or a colleague at the same moment) is refused
    naming the first, as it would be counted twice."""
    require(actor, Permission.ADM_EDIT)
    note = clean_text(note, "Note", multiline=True, max_length=4000)
    check_not_future(on_date, "Date told", "on_date", advice="record the day the applicants were told")
    with db.session(actor) as session:
        d = lock_row(session, _get(session, decision_id))  # two recording at once: one waits, then is refused
        if d.decided_on is None or on_date < d.decided_on:
            raise ValidationError("Date told: the decision must be signed and the date on or after it.",
                                  "on_date")
        told = session.scalars(select(AdmNotification).where(
            AdmNotification.decision_id == d.id, AdmNotification.kind == "oral").order_by(AdmNotification.id)).first()
        if told is not None:
            who, at = last_saved(session, told)
            raise Conflict(f"The applicants are already recorded as told of this decision on {told.on_date:%d/%m/%Y} "
                           f"({who}, {when_text(at)}); nothing was recorded again.")
        session.add(AdmNotification(decision_id=d.id, kind="oral", on_date=on_date, note=note.strip()))


def letters_for_day(db: Database, actor: Principal, day: dt.date) -> list[LetterView]:
    """The letters dated ``day`` (the list to post from): refused, naming the decision, when one of them is not
    as it was filed (:func:`require_as_filed`)."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        rows = session.execute(select(AdmLetter, AdmDecision.subject_reference)
                               .join(AdmDecision, AdmDecision.id == AdmLetter.decision_id)
                               .where(AdmLetter.letter_date == day).order_by(AdmLetter.id)).all()
        require_as_filed(session, [r for r, _ref in rows],
                         f"The letters dated {day:%d/%m/%Y} were not listed; they stay on file as they are.")
        return [_letter_view(r, ref) for r, ref in rows]


def replaced_by(session: Session, row: AdmLetter) -> str | None:
    """Why a filed letter is no longer to be posted (None when it is): a notice replaced by a later one, or a
    letter of a decision since corrected (the correction's own letter says the decision as it now stands)."""
    if row.kind == "adm_qd_notice" and (later := _later_notice(session, row)) is not None:
        return f"replaced by the notice dated {later.letter_date:%d/%m/%Y} (letter {later.id})"
    if row.kind == "adm_more_information":  # a request for information stays what was asked, whatever followed
        return None
    newer = session.scalar(select(func.max(AdmDecision.version)).where(
        AdmDecision.id.in_(_versions(session, row.decision_id)),
        AdmDecision.version > _get(session, row.decision_id).version))
    if newer is not None:
        return f"its decision was corrected since (version {newer} has its own letter)"
    return None


def print_day(db: Database, actor: Principal, day: dt.date, out: Path, *,
              progress: Callable[[int, int], None] | None = None,
              cancelled: Callable[[], bool] | None = None, left_out: list[str] | None = None) -> int:
    """Every letter dated ``day`` to be posted, in one PDF (laid out again from the filed text). Returns the
    count. Letters replaced since (:func:`replaced_by`) are left out, each said in ``left_out`` (a trial's
    day batch held a decision's letter beside its correction's, and a notice beside its replacement: posting
    it would have sent families two letters that disagree). Refused whole (:class:`SealBroken`, naming the
    decision) when any letter of the day is not as it was filed (:func:`require_as_filed`)."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor) as session:
        every = list(session.scalars(select(AdmLetter).where(AdmLetter.letter_date == day)
                                     .order_by(AdmLetter.id)))
        if not every:
            raise NotFound(f"No ADM letters are dated {day:%d/%m/%Y}.")
        # every letter of the day, those left out as replaced too (a letter's decision or kind changed with the
        # key would leave it out): one letter not as filed stops the whole batch, never silently skipped
        require_as_filed(session, every,
                         f"None of the letters dated {day:%d/%m/%Y} was printed: no file was written, and the "
                         "letters stay on file as they are. The other letters of that day can be saved one by one "
                         "from their decisions on the ADM page.")
        rows, skipped = [], []
        for r in every:
            why = replaced_by(session, r)
            if why is None:
                rows.append(r)
            else:
                ref = session.scalar(select(AdmDecision.subject_reference).where(AdmDecision.id == r.decision_id))
                skipped.append(f"letter {r.id} ({ref}) left out: {why}")
        if left_out is not None:
            left_out.extend(skipped)
        if not rows:
            raise NotFound(f"Every ADM letter dated {day} was replaced since ({len(skipped)}); there is nothing to "
                           "post from that day.")
        head = letterhead(session, area="adm")
        contents = [r.content for r in rows]
        audit.record(session, "export", "adm_letters", "*", detail=f"batch of {len(rows)} letters of {day}"
                     + (f"; {len(skipped)} replaced letters left out" if skipped else ""))
    return write_letters(out, (letter_from_content(c) for c in contents), head,
                         title=f"ADM letters {day}", total=len(contents), progress=progress,
                         cancelled=cancelled)
