"""Panel service, the minutes of an item: drafted and saved (autosave, stale saves refused), sent to the
chair, corrected after approval as a new version, their history, and an item deferred."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.audit.seal_check import require_as_last_saved, require_unchanged
from adoption_desktop.core.concurrency import last_saved, lock_row, stale, when_text
from adoption_desktop.core.errors import Conflict, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import clean_text
from adoption_desktop.panel import rules
from adoption_desktop.panel.models import PanelItem, PanelMinutes, PanelPaper
from adoption_desktop.panel.rules import QuorumResult
from adoption_desktop.panel.service.agenda import _add_item_in, _move_entry_in, _validate_item
from adoption_desktop.panel.service.attendance import _item_quorum
from adoption_desktop.panel.service.common import (
    NOT_AS_APPROVED,
    P,
    _current_minutes,
    _draft_of,
    _item,
    _minutes_row,
    _sitting,
    _today,
)
from adoption_desktop.panel.service.counted import (
    counted_ids,
    missing_views_problem,
    uncounted_views,
    views_problem,
)
from adoption_desktop.panel.service.data import (
    ItemInput,
    MinutesDraft,
    MinutesRow,
    minutes_draft_values,
)
from adoption_desktop.panel.snapshots import Deferral


# --- minutes ---------------------------------------------------------------------------------------
def _validate_draft(item: PanelItem, d: MinutesDraft, quorum: QuorumResult) -> None:
    if d.outcome:
        msg = rules.validate_outcome(item.case_type, d.outcome)
        if msg:
            raise ValidationError(msg, "outcome")
        if problem := rules.conditional_problem(d.outcome, d.recommendation_text):
            raise ValidationError(problem, "recommendation_text")
        if d.outcome != "deferred" and not quorum.quorate:
            raise ValidationError("Outcome: no recommendation can be recorded on an inquorate item. "
                                  + " ".join(quorum.reasons) + " Record who is present, or defer the item.",
                                  "outcome")
    if d.vote and d.vote not in rules.VOTES:
        raise ValidationError("Vote: choose unanimous or majority.", "vote")
    for value, name, label in ((d.votes_for, "votes_for", "Votes for"), (d.votes_against, "votes_against",
                                                                         "Votes against")):
        if value is not None and value < 0:
            raise ValidationError(f"{label}: enter a whole number, 0 or more.", name)
    if d.advice_number is not None and d.advice_number < 1:
        raise ValidationError("Advice, number of children: enter 1 or more, or leave it empty.", "advice_number")


def _clean_draft(d: MinutesDraft) -> MinutesDraft:
    """The draft as it will be stored: control characters refused, invisible characters removed."""
    def long(value: str, label: str) -> str:
        return clean_text(value, label, multiline=True, max_length=20000)

    return replace(
        d, recommendation_text=clean_text(d.recommendation_text, "Recommendation", max_length=2000),
        reasons=long(d.reasons, "Reasons"), discussion=long(d.discussion, "Discussion"),
        member_views={k: long(v, "Member's view") for k, v in d.member_views.items()},
        advice_age_range=clean_text(d.advice_age_range, "Advice, age range", max_length=60),
        advice_sex=clean_text(d.advice_sex, "Advice, sex", max_length=60),
        advice_needs=long(d.advice_needs, "Advice, needs and background"),
        deferral_reason=long(d.deferral_reason, "Deferral reason"))


def _apply_draft(m: PanelMinutes, d: MinutesDraft) -> None:
    m.outcome, m.recommendation_text, m.reasons, m.discussion = d.outcome, d.recommendation_text, d.reasons, \
        d.discussion
    m.member_views = json.dumps({str(k): v for k, v in sorted(d.member_views.items()) if v.strip()},
                                ensure_ascii=False)
    m.vote, m.votes_for, m.votes_against = d.vote, d.votes_for, d.votes_against
    m.advice_number, m.advice_age_range, m.advice_sex, m.advice_needs = (
        d.advice_number, d.advice_age_range, d.advice_sex, d.advice_needs)
    m.deferral_reason = d.deferral_reason


def _minutes_values(m: PanelMinutes) -> dict[str, str]:
    d = _draft_of(m)
    return {"Status": f"{m.status} (version {m.version})", **minutes_draft_values(d)}


#: minutes not as the program last saved them (``seal_check.require_as_last_saved``)
NOT_AS_SAVED = "These minutes are not as they were last saved in Adoption Desktop"


def _locked_item_minutes(session: Session, item_id: int, refused: str | None = None
                         ) -> tuple[PanelItem, PanelMinutes | None]:
    """The item, locked for this transaction (so two people saving, sending or approving its minutes at
    once are taken one after the other), and its current minutes as stored now. With ``refused`` (what the
    refusal says was not done), minutes not as the program last saved them are refused
    (:class:`SealBroken`): a draft reworded in SQL, or approved minutes made to look like a draft, would
    otherwise be saved, sent and approved with the change in them, under a new seal."""
    item = lock_row(session, _item(session, item_id))
    m = _current_minutes(session, item_id)
    if m is not None and refused is not None:
        require_as_last_saved(session, "panel_minutes", m.id, NOT_AS_SAVED, refused)
    return item, m


def _minutes_done_by(session: Session, m: PanelMinutes) -> str:
    who, at = last_saved(session, m)
    if m.status == "approved":
        return f"approved by {m.approved_by_name or who} ({when_text(at)})"
    return f"{'sent to the chair' if m.status == 'submitted' else 'saved'} by {who} at {when_text(at)}"


def save_minutes(db: Database, actor: Principal, item_id: int, draft: MinutesDraft, *,
                 expected_version: int | None = None, today: dt.date | None = None) -> MinutesRow:
    """Create or update the item's draft minutes (autosave calls this too). Approved minutes are locked.

    ``expected_version``: the ``row_version`` of the minutes the editor was loaded with (0 when there were
    none yet); if someone else saved in between, nothing is saved and :class:`StaleRecord` says who and
    carries their text. ``None`` (scripts) saves over whatever is there.

    A recommendation (any outcome but a deferral) is refused before the sitting's day: it records what the
    panel recommended when it sat (panel trial: one was recorded ten days ahead)."""
    require(actor, P.PANEL_EDIT)
    draft = _clean_draft(draft)
    with db.session(actor) as session:
        return _save_minutes_in(session, item_id, draft, expected_version=expected_version, today=today)


def _save_minutes_in(session: Session, item_id: int, draft: MinutesDraft, *, expected_version: int | None,
                     today: dt.date | None) -> MinutesRow:
    """:func:`save_minutes` inside the caller's transaction (a deferral saves the minutes and puts the case on
    the later agenda in one transaction). ``draft`` is cleaned (:func:`_clean_draft`)."""
    item, m = _locked_item_minutes(session, item_id, "Your changes were not saved: saving would seal the change "
                                                     "made outside the application as part of the minutes. "
                                                     "Nothing was saved; the minutes stay as they are.")
    if problem := rules.outcome_date_problem(draft.outcome, _sitting(session, item.sitting_id).sitting_date,
                                             _today(today)):
        raise ValidationError(problem, "outcome")
    _validate_draft(item, draft, _item_quorum(session, item))
    draft = _counted_views_only(session, item, draft)
    if m is not None and m.status == "approved":
        raise Conflict(f"These minutes were {_minutes_done_by(session, m)} and are locked; record a "
                       "correction as a new version with a reason.")
    if expected_version is not None:
        if m is None and expected_version != 0:
            raise StaleRecord("The minutes you were editing are no longer there; reload the item.",
                              what="the minutes", your_version=expected_version)
        if m is not None and (m.row_version != expected_version or expected_version == 0):
            raise _stale_minutes(session, m, expected_version, item)
    if m is None:
        m = PanelMinutes(item_id=item_id, version=1, status="draft")
        session.add(m)
    if m.status == "submitted":
        m.status, m.submitted_on = "draft", None  # edited after sending: send to the chair again
    _apply_draft(m, draft)
    session.flush()
    return _minutes_row(m)


def _stale_minutes(session: Session, m: PanelMinutes, expected: int, item: PanelItem) -> StaleRecord:
    """The refusal of a save over minutes changed since the editor loaded them. When the change was a view
    taken out because its member stopped counting for the item (recorded out of the room, withdrawn, marked
    absent), it says so: the colleague recorded that, they did not edit the minutes (panel trial: "Bea saved
    the minutes" when Bea had only recorded a member leaving the room)."""
    err = stale(session, m, expected, f"the minutes of item {item.subject_reference}", _minutes_values)
    last = session.execute(select(AuditEntry.action, AuditEntry.detail, AuditEntry.changes).where(
        AuditEntry.entity == "panel_minutes", AuditEntry.entity_id == str(m.id), AuditEntry.action != "view")
        .order_by(AuditEntry.seq.desc()).limit(2)).all()
    removed = [detail for action, detail, _ in last if action == "view_removed"]
    views_only = all(action == "view_removed" or set(json.loads(changes or "{}")) <= {"member_views", "updated_at"}
                     for action, _, changes in last)
    if not removed or not views_only:
        return err
    what = removed[0].split(": ", 1)[-1]  # "view of Ann Other taken out of the draft (left the room …)"
    who, at = last_saved(session, m)
    err.args = (f"{who} recorded a change to who counts for this item at {when_text(at)}, "
                f"after you opened its minutes: the {what}. Your change was not saved. Reload to see the "
                "minutes as they are now, or re-apply your change to save it over them.",)
    return err


def _counted_views_only(session: Session, item: PanelItem, draft: MinutesDraft) -> MinutesDraft:
    """The draft holding only the views of the members counted for the item: one of an adviser, of someone
    withdrawn, out of the room, not present or not on the central list that day (typed in an editor opened
    before they stopped counting, or by a script) is taken out and the audit log names them. The chair's
    grid, the Word minutes and the ADM's extract then all say the same."""
    keep = counted_ids(session, item)
    if not draft.member_views.keys() - keep:
        return draft
    gone = uncounted_views(session, item, {k: v for k, v in draft.member_views.items() if v.strip()})
    if gone:
        audit.record(session, "views_not_saved", "panel_items", item.id,
                     detail="views of people who did not count for the item not saved: " + "; ".join(gone))
    return replace(draft, member_views={k: v for k, v in draft.member_views.items() if k in keep})


def _complete(item: PanelItem, m: PanelMinutes, quorum: QuorumResult,
              received: Mapping[str, dt.date | None]) -> None:
    """What must hold before minutes go to the chair, and again when the chair approves them. ``received``:
    the item's papers (code -> date received)."""
    d = _draft_of(m)
    if not d.outcome:
        raise ValidationError("Outcome: record the panel's recommendation (or defer the item).", "outcome")
    _validate_draft(item, d, quorum)
    if d.outcome == "deferred":
        if not d.deferral_reason.strip():
            raise ValidationError("Deferral reason: say what information the panel needs.", "deferral_reason")
        return
    if d.outcome != "noted":
        if not d.reasons.strip():
            raise ValidationError("Reasons: record the panel's reasons for its recommendation.", "reasons")
        if not d.vote:
            raise ValidationError("Vote: record whether the recommendation was unanimous or by majority.", "vote")
        if d.vote == "majority" and (d.votes_for is None or d.votes_against is None):
            raise ValidationError("Votes for / against: a majority vote needs both numbers.", "votes_for")
        not_voting = sum(rules.did_not_vote(v) for v in d.member_views.values())
        problem = rules.vote_problem(d.vote, d.votes_for, d.votes_against, quorum.counted, not_voting)
        if problem:
            raise ValidationError(problem, "vote" if problem.startswith("Vote:") else "votes_for")
    missing = rules.missing_core_papers(item.case_type, d.outcome, received)
    if missing:
        raise ValidationError(
            f"Papers: {' and '.join([', '.join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not recorded as received. "
            "A recommendation rests on the report the panel read: record the day it was received (the sitting's "
            "day if it was tabled), or defer the item.", "papers")


def _papers_received(session: Session, item: PanelItem) -> dict[str, dt.date | None]:
    return {code: day for code, day in session.execute(
        select(PanelPaper.code, PanelPaper.received_on).where(PanelPaper.item_id == item.id))}


def submit_minutes(db: Database, actor: Principal, item_id: int, *, today: dt.date | None = None,
                   expected_version: int | None = None) -> MinutesRow:
    """Send the item's draft to the chair for approval. ``expected_version``: the draft's ``row_version`` on
    the sender's screen; a draft a colleague saved since is not sent unread (:class:`StaleRecord`; the
    multi-user trial found it sent). ``None`` from scripts."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        item, m = _locked_item_minutes(session, item_id, "They were not sent to the chair: the chair would approve "
                                                         "words changed outside the application. Nothing was "
                                                         "saved; the minutes stay as they are.")
        if m is None:
            raise Conflict("There is no draft to send to the chair for this item.")
        if expected_version is not None and m.status == "draft" and m.row_version != expected_version:
            raise stale(session, m, expected_version, f"the minutes of item {item.subject_reference}",
                        _minutes_values)
        if m.status != "draft":
            raise Conflict(f"These minutes were already {_minutes_done_by(session, m)}; nothing was sent.")
        if problem := rules.submit_problem(_sitting(session, item.sitting_id).sitting_date, _today(today)):
            raise ValidationError(problem, "sitting_date")
        quorum = _item_quorum(session, item)
        if m.supersedes_id is not None and not quorum.quorate and m.outcome != "deferred":
            raise ValidationError(
                f"This correction was not sent to the chair: with the attendance and declarations as corrected, "
                f"item {item.position} is not quorate ({' '.join(quorum.reasons)}). No recommendation can stand "
                "on an inquorate item. The correction is kept as a draft and the approved minutes still stand; "
                "check who was present and who withdrew, and correct them if they are wrong.", "outcome")
        _complete(item, m, quorum, _papers_received(session, item))
        problem = views_problem(session, item, m, "Nothing was sent.")
        if problem:
            raise ValidationError(problem, "member_views")
        # what the chair's approval checks about views, checked before sending (user trial: a correction that
        # marked a member present was sent, and the chair's approval then refused it for that member's view)
        if missing := missing_views_problem(session, item, m):
            raise ValidationError(f"{missing} The chair cannot approve minutes without them. Nothing was sent; "
                                  "the minutes are kept as a draft.", "member_views")
        m.status, m.submitted_on = "submitted", _today(today)
        session.flush()  # the version returned is the one stored (the chair's approval is checked against it)
        return _minutes_row(m)


def correct_minutes(db: Database, actor: Principal, item_id: int, reason: str) -> MinutesRow:
    """A correction to approved minutes: a new draft version, with a reason, linked to the old."""
    require(actor, P.PANEL_EDIT)
    reason = clean_text(reason, "Reason for correction", multiline=True, max_length=4000)
    if not reason.strip():
        raise ValidationError("Reason for correction: say what is wrong in the approved minutes.", "reason")
    with db.session(actor) as session:
        _, old = _locked_item_minutes(session, item_id)
        if old is not None and old.supersedes_id is not None and old.status != "approved":
            raise Conflict(f"A correction of these minutes was already started ({_minutes_done_by(session, old)}); "
                           "edit that draft instead.")
        if old is None or old.status != "approved":
            raise Conflict("Only approved minutes are corrected; edit the draft instead.")
        # the new version starts as a copy of the approved one: copied from minutes changed outside the
        # application, the changed words would be approved again and exported as genuine (trial)
        require_unchanged(session.connection(), "panel_minutes", old.id, NOT_AS_APPROVED,
                          "No correction was started: it would copy the changed words into minutes the chair "
                          "approves again. Nothing was saved; the approved minutes stay as they are.")
        new = PanelMinutes(item_id=item_id, version=old.version + 1, status="draft", supersedes_id=old.id,
                           correction_reason=reason.strip())
        _apply_draft(new, _draft_of(old))
        session.add(new)
        session.flush()
        return _minutes_row(new)


def minutes_history(db: Database, actor: Principal, item_id: int) -> list[MinutesRow]:
    require(actor, P.PANEL_VIEW)
    with db.session(actor, views_only=True) as session:
        audit.record_view(session, "panel_items", item_id, detail="minutes history")
        return [_minutes_row(m) for m in session.scalars(
            select(PanelMinutes).where(PanelMinutes.item_id == item_id).order_by(PanelMinutes.version))]


def defer_item(db: Database, actor: Principal, item_id: int, reason: str, to_sitting_id: int | None = None) -> int | None:
    """Record a deferral (see :func:`defer_item_recorded`); returns the id of the case's entry on the later
    agenda (None: no later sitting was given)."""
    return defer_item_recorded(db, actor, item_id, reason, to_sitting_id).new_item_id


def defer_item_recorded(db: Database, actor: Principal, item_id: int, reason: str,
                        to_sitting_id: int | None = None) -> Deferral:
    """Record a deferral (allowed even when inquorate) and optionally put the item on a later agenda.

    The draft keeps what it holds (the discussion, each member's view, reasons already written): only the
    outcome and the deferral's reason change (concurrency probe: the typed discussion was wiped). The reason
    is required. An item already deferred is refused (two people deferring at once: one defers, the other is
    told), and so is a sitting it could not go on (cancelled, not after this one, minutes approved, the case
    already there).

    Two exceptions, both with a later sitting given, where "already deferred" would leave the case on no
    later agenda for good: minutes recorded as deferred in the minutes editor (no later agenda entry yet),
    and an item deferred to a sitting cancelled afterwards. The case is then put on the new sitting's agenda
    (the entry on the cancelled sitting, when it has no minutes, is moved there with its papers) and the
    minutes keep their deferral (the reason updated when a new one is given).

    All in one transaction: the minutes, the item on the later agenda and its link back are saved together
    or not at all. They were three transactions, and a colleague cancelling the later sitting between them
    left the item minuted as deferred on no later agenda, and a retry to another sitting was refused as
    "already deferred" (two-user trial).

    Returns what it changed (:class:`~adoption_desktop.panel.snapshots.Deferral`), for undo
    (``panel.undo.undo_deferral``)."""
    require(actor, P.PANEL_EDIT)
    if not clean_text(reason, "Deferral reason", multiline=True, max_length=20000).strip():
        raise ValidationError("Deferral reason: say what information the panel needs before the case comes back. "
                              "Nothing was changed.", "reason")
    with db.session(actor) as session:
        item, m = _locked_item_minutes(session, item_id, "The deferral was not recorded. Nothing was saved; the "
                                                         "minutes and the agenda stay as they are.")
        follow_ups = list(session.scalars(select(PanelItem).where(PanelItem.deferred_from_id == item_id)
                                          .order_by(PanelItem.id)))
        live = [(f, s) for f in follow_ups if (s := _sitting(session, f.sitting_id)).status != "cancelled"]
        if m is not None and m.outcome == "deferred" and (to_sitting_id is None or live):
            who, at = last_saved(session, m)
            where = f" to the sitting of {live[0][1].sitting_date:%d/%m/%Y}" if live else ""
            raise Conflict(f"This item is already recorded as deferred{where} ({who}, {when_text(at)}); nothing "
                           "was changed.")
        current = _draft_of(m) if m is not None else MinutesDraft()
        already = current.outcome == "deferred"  # in the minutes editor, or to a sitting cancelled since
        draft = _clean_draft(replace(current, outcome="deferred", deferral_reason=reason,
                                     reasons=current.reasons if already else current.reasons or reason))
        before = None if m is None else (current, m.status, m.submitted_on)
        new: PanelItem | None = None
        stranded: PanelItem | None = None
        if to_sitting_id is not None:  # the later sitting first: a refusal names it before any minutes rule
            stranded = next((f for f in follow_ups if _current_minutes(session, f.id) is None), None)
            new = _defer_to(session, item, to_sitting_id, move=stranded)
        after: tuple[int, int] | None = None
        if m is None or _draft_of(m) != draft:  # already deferred for this reason: the minutes stay as they are
            saved = _save_minutes_in(session, item_id, draft,
                                     expected_version=m.row_version if m is not None else 0, today=None)
            after = (saved.id, saved.row_version)
        elif m.status == "approved":
            raise Conflict(f"These minutes were {_minutes_done_by(session, m)} and are locked; nothing was "
                           "changed.")
        subject = item.subject_reference or item.subject_initials
        held_on = _sitting(session, item.sitting_id).sitting_date
        if new is None:
            return Deferral(item_id, subject, held_on, reason, before, after)
        session.flush()
        papers = tuple((p.id, p.code, p.received_on) for p in session.scalars(
            select(PanelPaper).where(PanelPaper.item_id == new.id).order_by(PanelPaper.id)))
        return Deferral(item_id, subject, held_on, reason, before, after, new.sitting_id,
                        _sitting(session, new.sitting_id).sitting_date, new.id, new.row_version, papers,
                        moved=stranded is not None)


def _defer_to(session: Session, item: PanelItem, to_sitting_id: int, *, move: PanelItem | None = None
              ) -> PanelItem:
    """The deferred case added to the later sitting's agenda, in the deferral's transaction; a refusal says
    that nothing was changed (the transaction is rolled back: no minutes, no item). ``move``: the case's entry
    (without minutes) on a later sitting cancelled since it was deferred there, moved to this sitting instead
    of a new entry (its papers and their dates go with it)."""
    later = lock_row(session, _sitting(session, to_sitting_id))
    nothing = "Nothing was changed: the item is not recorded as deferred and was not added to a later agenda."
    if later.status == "cancelled":
        who, at = last_saved(session, later)
        why = f": {later.status_reason}" if later.status_reason else ""
        raise Conflict(f"The sitting of {later.sitting_date:%d/%m/%Y} was cancelled ({who}, {when_text(at)}"
                       f"{why}), so the item cannot be deferred to it. {nothing} Defer it again and choose "
                       "another sitting.")
    after = _sitting(session, item.sitting_id).sitting_date
    try:  # the later sitting's agenda gives it a time of its own
        data = _validate_item(ItemInput(item.case_type, item.subject_reference, item.subject_initials,
                                        item.presenting_worker, "", item.notes))
        if move is not None:
            return _move_entry_in(session, move, later, data, after=after)
        return _add_item_in(session, to_sitting_id, data, after=after, deferred_from_id=item.id)
    except ValidationError as err:
        raise ValidationError(f"{err} {nothing}", err.field) from err
    except Conflict as err:
        raise Conflict(f"{err} {nothing}") from err
