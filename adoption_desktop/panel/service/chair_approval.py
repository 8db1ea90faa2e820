"""Panel service, the chair's approval of an item's minutes: what blocks it, the approval itself (password
re-entered, the version locked) and the hand-off of a definite recommendation to the ADM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.audit.seal_check import require_as_last_saved
from adoption_desktop.core.concurrency import first_saved, lock_row, stale, when_text
from adoption_desktop.core.errors import Conflict, StaleRecord, ValidationError
from adoption_desktop.core.handoff import (
    ItemMember,
    ItemMembers,
    MinutesCorrected,
    MinutesCorrectionOpen,
    PanelHandoff,
)
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.security.service import confirm_password
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import rules
from adoption_desktop.panel.models import (
    PanelAttendance,
    PanelDeclaration,
    PanelItem,
    PanelItemAbsence,
    PanelMember,
    PanelMinutes,
    PanelSitting,
)
from adoption_desktop.panel.service.attendance import _item_quorum
from adoption_desktop.panel.service.common import (
    NOT_AS_APPROVED,
    P,
    _attendance,
    _current_minutes,
    _draft_of,
    _item,
    _items,
    _minutes_row,
    _present_for_item,
    _sitting,
    _today,
)
from adoption_desktop.panel.service.counted import chair_problem, views_needed, views_problem
from adoption_desktop.panel.service.data import ItemRow, MinutesRow, advice_text
from adoption_desktop.panel.service.minutes import (
    NOT_AS_SAVED,
    _complete,
    _locked_item_minutes,
    _minutes_done_by,
    _minutes_values,
    _papers_received,
)


def item_text(item: ItemRow, m: MinutesRow, members: dict[int, str]) -> str:
    """The item's minutes as plain text (the ADM reads it in-app)."""
    d = m.draft
    lines = [f"{item.case_label}: {item.subject}", f"Presented by: {item.presenting_worker}"]
    lines.append("Papers considered: " + "; ".join(
        f"{p.label}" + (f" (received {p.received_on:%d/%m/%Y})" if p.received_on else " (not received)")
        for p in item.papers))
    if item.declarations:
        lines.append("Declarations of interest: " + "; ".join(
            f"{x.member_name}: {x.interest}" + (" (withdrew)" if x.withdrew else "") for x in item.declarations))
    else:
        lines.append("Declarations of interest: none.")
    if item.absences:
        lines.append("Not present for this item: " + "; ".join(x.text for x in item.absences) + ".")
    lines.append(f"Quorum: {m.quorum_statement or item.quorum.summary}")
    if d.discussion:
        lines.append(f"Discussion: {d.discussion}")
    for mid, view in d.member_views.items():
        lines.append(f"View of {members.get(mid, f'member {mid}')}: {view}")
    lines.append(f"Recommendation: {rules.OUTCOMES.get(d.outcome, d.outcome)}"
                 + (f". {d.recommendation_text}" if d.recommendation_text else ""))
    if d.vote:
        vote = rules.VOTES[d.vote] + (f" ({d.votes_for} for, {d.votes_against} against)"
                                      if d.vote == "majority" else "")
        lines.append(f"Vote: {vote}")
    if d.reasons:
        lines.append(f"Reasons: {d.reasons}")
    if advice_text(d):
        lines.append(f"Advice: {advice_text(d)}")
    if d.outcome == "deferred":
        lines.append(f"Deferred because: {d.deferral_reason}")
    return "\n".join(lines)


def approve_minutes(db: Database, actor: Principal, item_id: int, password: str,
                    *, today: dt.date | None = None, expected_version: int | None = None,
                    expected_minutes_id: int | None = None) -> MinutesRow:
    """The chair approves an item's minutes (re-entering the password). The approved version is locked and,
    for a definite recommendation, the ADM decision is opened in the same transaction.

    ``expected_version``: the ``row_version`` of the minutes the chair was shown. If the panel administrator
    changed them since (and sent them again, or not), nothing is approved and :class:`StaleRecord` says who
    and when: the chair never approves words they have not read. ``None`` (scripts) approves what is stored.
    ``expected_minutes_id``: which minutes that version was of. A correction is a new row whose version
    starts again at 1, so a screen still showing the approved version would otherwise approve the correction
    sent since, unread, when the two numbers happen to agree."""
    require(actor, P.PANEL_APPROVE_MINUTES)
    confirm_password(db, actor, password)  # wrong, or locked: the same words as every re-authentication
    with db.session(actor) as session:
        result = _approve(session, actor, item_id, _today(today), expected_version, expected_minutes_id)
    return result


def build_handoff(session: Session, item: PanelItem, m: PanelMinutes, approved_on: dt.date) -> PanelHandoff:
    """What the ADM receives for an approved item: the names of the members present for it (not advisers,
    not withdrawn, not out of the room for it); the conflict lists (linked accounts, unlinked names) are
    those of :func:`item_members`, as linked at the hand-off. The ADM checks the links again, as they are
    then, when the decision is recorded and signed."""
    sitting = _sitting(session, item.sitting_id)
    attendance = _attendance(session, sitting)
    rows = _items(session, sitting, attendance, approved_on)
    row = next(r for r in rows if r.id == item.id)
    present = _present_for_item(attendance, row.declarations, row.absences)
    concerned = _item_members(session, item.id, sitting.id)
    names = {a.member_id: a.full_name for a in attendance}
    minutes = _minutes_row(m)
    return PanelHandoff(
        panel_item_id=item.id, sitting_id=sitting.id, sitting_date=sitting.sitting_date,
        case_type=item.case_type, subject_reference=item.subject_reference,
        subject_initials=item.subject_initials, recommendation=m.outcome,
        recommendation_text=m.recommendation_text or rules.OUTCOMES[m.outcome], reasons=m.reasons,
        advice=minutes.advice_text, minutes_extract=item_text(row, minutes, names),
        minutes_approved_on=approved_on,
        member_user_ids=tuple(x.user_id for x in concerned if x.user_id is not None and not x.adviser),
        member_names=tuple(a.full_name for a in present),
        unlinked_member_names=tuple(x.full_name for x in concerned if x.user_id is None and not x.adviser))


def item_members(session: Session, panel_item_id: int) -> ItemMembers | None:
    """The central-list members the ADM conflict rule looks at for a panel item, with the user account each
    entry is linked to now, in the caller's transaction (None: no such item). The ADM service asks this when
    a decision is recorded or signed, so a link made after the hand-off (in another session too) counts.

    Who: every member who declared an interest in the item (withdrawn or not: they may not then decide the
    case), every member marked present at the sitting who was in the room for the item, and those who left
    during it (they heard part of the case). Not: members who arrived after it or left before it. An entry
    whose role is an adviser's (or the minute-taker's) *now* is returned marked ``adviser``: the role may have
    changed since the sitting and nothing records the role it sat in, so the ADM counts them when the lists
    frozen at the hand-off name them as a member (``adm.rules.who_sat``); the hand-off itself leaves them
    out. Two queries, whatever the number of members."""
    found = session.execute(select(PanelItem.sitting_id, PanelSitting.sitting_date)
                            .join(PanelSitting, PanelSitting.id == PanelItem.sitting_id)
                            .where(PanelItem.id == panel_item_id)).first()
    if found is None:
        return None
    sitting_id, sitting_date = found
    return ItemMembers(panel_item_id, sitting_date, _item_members(session, panel_item_id, sitting_id))


def _item_members(session: Session, item_id: int, sitting_id: int) -> tuple[ItemMember, ...]:
    """:func:`item_members`' members, in one query (outer joins of the item's attendance, absences and
    declarations on the central list), by name."""
    rows = session.execute(
        select(PanelMember.id, PanelMember.full_name, PanelMember.user_id, PanelMember.role_type,
               PanelAttendance.status, PanelItemAbsence.reason, PanelDeclaration.id, PanelDeclaration.withdrew)
        .select_from(PanelMember)
        .outerjoin(PanelAttendance, (PanelAttendance.member_id == PanelMember.id)
                   & (PanelAttendance.sitting_id == sitting_id))
        .outerjoin(PanelItemAbsence, (PanelItemAbsence.member_id == PanelMember.id)
                   & (PanelItemAbsence.item_id == item_id))
        .outerjoin(PanelDeclaration, (PanelDeclaration.member_id == PanelMember.id)
                   & (PanelDeclaration.item_id == item_id))
        .where(or_(PanelAttendance.status == "present", PanelDeclaration.id.is_not(None)))
        .order_by(PanelMember.full_name, PanelMember.id))
    out: dict[int, ItemMember] = {}
    for mid, name, uid, role, status, away, declaration, withdrew in rows:
        declared = declaration is not None
        # in the room for the item, whatever the entry's role is now: the role at the sitting is not recorded
        # (a vice chair made a panel adviser since sat as a member), so the ADM decides from the hand-off
        heard = status == "present" and (away is None or away == "left_during")
        if not (declared or heard):
            continue
        before = out.get(mid)  # a member with two declarations on the item comes twice
        declared = declared or (before is not None and before.declared_interest)
        out[mid] = ItemMember(mid, name, uid, declared,
                              bool(declaration is not None and withdrew) or (before is not None and before.withdrew),
                              adviser=rules.is_adviser(role) and not declared)
    return tuple(out.values())


def open_correction(session: Session, panel_item_id: int) -> MinutesCorrectionOpen | None:
    """A correction of the item's approved minutes drafted and not yet approved (who opened it, when, why),
    or None. The ADM service asks this in its own transaction before a decision resting on the minutes is
    signed (features talk through services, never each other's tables)."""
    m = _current_minutes(session, panel_item_id)
    if m is None or m.supersedes_id is None or m.status == "approved":
        return None
    who, at = first_saved(session, m)
    return MinutesCorrectionOpen(panel_item_id, m.version, who, at, m.correction_reason or "")


def approval_blockers(db: Database, actor: Principal, item_id: int, *, today: dt.date | None = None,
                      expected_version: int | None = None, expected_minutes_id: int | None = None) -> list[str]:
    """What stops the chair approving this item's minutes today (empty when nothing does): the screens
    show it before asking for the password. ``expected_version``: the ``row_version`` of the minutes on
    the chair's screen; changed since, that is all that is said (the screen reloads them first)."""
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        item = _item(session, item_id)
        m = _current_minutes(session, item_id)
        if m is None:
            return ["Minutes: none are drafted for this item yet."]
        changed = _changed_since_shown(session, m, expected_version, expected_minutes_id)
        if changed is not None:
            return [str(changed)]
        problems = _approval_problems(session, item, m, _today(today)) + _who_and_whose_views(session, actor,
                                                                                              item, m)
        try:  # what sending to the chair checks, checked again at approval (minutes sent before a check existed)
            _complete(item, m, _item_quorum(session, item), _papers_received(session, item))
        except ValidationError as err:
            problems.append(f"{err} The panel administrator corrects this (the minutes come back to the chair).")
        return problems


def _approval_problems(session: Session, item: PanelItem, m: PanelMinutes, today: dt.date) -> list[str]:
    sitting = _sitting(session, item.sitting_id)
    # each member's view is recorded on a recommendation; a deferral or a noted paper has none to give
    return rules.approval_problems(sitting.sitting_date, today, today, views_needed(session, item, m),
                                   _draft_of(m).member_views)


def _who_and_whose_views(session: Session, actor: Principal, item: PanelItem, m: PanelMinutes) -> list[str]:
    """A chair who did not count for the item (declared an interest and withdrew, say) does not approve its
    minutes; nor are minutes approved holding a view of someone who did not count (the Word minutes and the
    ADM's extract would say what the chair's grid did not show)."""
    then = ("The panel administrator saves them again and sends them back to you. Nothing was approved.")
    return [p for p in (chair_problem(session, item, actor.user_id),
                        views_problem(session, item, m, then).replace(
                            " and send them to the chair. " + then, ". " + then)) if p]


def _check_approval_order(session: Session, item: PanelItem, m: PanelMinutes, today: dt.date) -> None:
    problems = _approval_problems(session, item, m, today)
    if problems:
        raise ValidationError("The minutes cannot be approved yet. " + " ".join(problems),
                              "member_views" if "Members' views" in problems[-1] else "approved_on")


def _changed_since_shown(session: Session, m: PanelMinutes, expected_version: int | None,
                         expected_minutes_id: int | None = None) -> StaleRecord | None:
    """The refusal for a chair whose screen showed version ``expected_version`` of the minutes
    ``expected_minutes_id`` when ``m`` (as stored now) is another one; None when they are the same (or no
    version was given)."""
    newer_row = expected_minutes_id is not None and m.id != expected_minutes_id
    if not newer_row and (expected_version is None or int(m.row_version) == int(expected_version)):
        return None
    base = stale(session, m, expected_version, "the minutes", _minutes_values)
    who, when = base.saved_by, when_text(base.saved_at if isinstance(base.saved_at, dt.datetime) else None)
    if newer_row:
        message = (f"These are newer minutes than the ones on your screen: version {m.version} ({m.status}), "
                   f"last saved by {who} at {when}. Read them before approving. Nothing was approved.")
    elif m.status == "approved":
        message = f"These minutes were already {_minutes_done_by(session, m)}; they were not approved a second time."
    elif m.status == "submitted":
        message = (f"These minutes were changed by {who} at {when} after you opened them; read them again "
                   "before approving. Nothing was approved.")
    else:
        message = (f"{who} changed these minutes at {when} after sending them to you; they come back to you "
                   "when they are sent again. Nothing was approved.")
    return StaleRecord(message, what=base.what, saved_by=base.saved_by, saved_at=base.saved_at,
                       saved_version=base.saved_version, your_version=expected_version,
                       saved_values=base.saved_values)


def _approve(session: Session, actor: Principal, item_id: int, today: dt.date,
             expected_version: int | None = None, expected_minutes_id: int | None = None) -> MinutesRow:
    from adoption_desktop.adm.service import open_decision_from_panel

    item, m = _locked_item_minutes(session, item_id)  # every save, send and correction locks the item too
    if m is not None:
        lock_row(session, m)
        require_as_last_saved(session, "panel_minutes", m.id, NOT_AS_SAVED,
                              "They were not approved: the approval would put your name to words changed "
                              "outside the application. Nothing was saved; the minutes stay as they are.")
        changed = _changed_since_shown(session, m, expected_version, expected_minutes_id)
        if changed is not None:
            raise changed
    if m is not None and m.status == "approved":
        raise Conflict(f"These minutes were already {_minutes_done_by(session, m)}; they were not approved "
                       "a second time.")
    if m is None or m.status not in ("draft", "submitted"):
        raise Conflict("There are no minutes awaiting approval for this item.")
    if m.status != "submitted":
        raise Conflict("These minutes have not been sent to the chair yet; send them first.")
    quorum = _item_quorum(session, item)
    _complete(item, m, quorum, _papers_received(session, item))
    _check_approval_order(session, item, m, today)
    for problem in _who_and_whose_views(session, actor, item, m):
        raise ValidationError(problem, "member_views")
    m.status, m.approved_on = "approved", today
    m.approved_by_user_id, m.approved_by_name = actor.user_id, actor.full_name
    m.quorum_statement = quorum.summary
    session.flush()
    audit.record(session, "approve", "panel_minutes", m.id, detail=f"item {item_id} version {m.version}")
    earlier_handoff = session.scalar(select(func.count()).where(PanelMinutes.item_id == item_id,
                                                                PanelMinutes.handed_off_on.is_not(None)))
    if rules.goes_to_adm(item.case_type, m.outcome) and not earlier_handoff:
        problems = rules.handoff_problems(_sitting(session, item.sitting_id).sitting_date, m.status, m.approved_on,
                                          today)
        if problems:
            raise Conflict(" ".join(problems))
        handoff = build_handoff(session, item, m, today)
        decision_id = open_decision_from_panel(session, handoff)
        m.handed_off_on, m.adm_decision_id = today, decision_id or None
        audit.record(session, "handoff", "panel_minutes", m.id, detail=f"to ADM, decision {decision_id}")
    elif earlier_handoff:
        audit.record(session, "correction_approved", "panel_minutes", m.id,
                     detail=f"version {m.version} supersedes {m.supersedes_id}: {m.correction_reason}")
        _hand_off_correction(session, item, m, today)
    session.flush()
    return _minutes_row(m)


def _hand_off_correction(session: Session, item: PanelItem, m: PanelMinutes, today: dt.date) -> None:
    """A correction of minutes already handed to the ADM, approved: the ADM service takes the corrected
    recommendation, reasons and minutes extract onto the pending decision (in this transaction: the chair's
    approval and the decision change together or not at all), or, the decision being signed, leaves it as it
    is and the queue flags it. Taken: the correction is marked handed off, as the first hand-off was."""
    from adoption_desktop.adm.service import take_minutes_correction

    corrected = _correction_of(session, m)
    decision_id = take_minutes_correction(session, build_handoff(session, item, m, today), corrected)
    if decision_id is not None:
        m.handed_off_on, m.adm_decision_id = today, decision_id
        audit.record(session, "handoff", "panel_minutes", m.id,
                     detail=f"correction version {m.version} to ADM, decision {decision_id}")


def _correction_of(session: Session, m: PanelMinutes) -> MinutesCorrected:
    before = session.get(PanelMinutes, m.supersedes_id) if m.supersedes_id is not None else None
    previous = before.outcome if before is not None else ""
    assert m.approved_on is not None
    return MinutesCorrected(
        panel_item_id=m.item_id, version=m.version, approved_on=m.approved_on, approved_by=m.approved_by_name,
        reason=m.correction_reason or "", previous_outcome=previous, outcome=m.outcome,
        previous_label=rules.OUTCOMES.get(previous, previous), label=rules.OUTCOMES.get(m.outcome, m.outcome),
        handed_off_on=m.handed_off_on, adm_decision_id=m.adm_decision_id)


def minutes_corrections(session: Session, panel_item_ids: Collection[int] | None = None
                        ) -> dict[int, MinutesCorrected]:
    """By item: the correction that is the latest approved version of minutes already handed to the ADM (items
    whose latest approved minutes are not a correction, or were never handed off, are left out). The ADM
    service asks this in its own transaction (features talk through services, never each other's tables)."""
    corrected = select(PanelMinutes.item_id).where(PanelMinutes.status == "approved",
                                                   PanelMinutes.supersedes_id.is_not(None))
    if panel_item_ids is not None:
        corrected = corrected.where(PanelMinutes.item_id.in_(list(panel_item_ids)))
    items = set(session.scalars(corrected))
    if not items:
        return {}
    rows: dict[int, list[PanelMinutes]] = {}
    for row in session.scalars(select(PanelMinutes).where(PanelMinutes.item_id.in_(items),
                                                          PanelMinutes.status == "approved")
                               .order_by(PanelMinutes.version)):
        rows.setdefault(row.item_id, []).append(row)
    out: dict[int, MinutesCorrected] = {}
    for item_id, versions in rows.items():
        latest = versions[-1]
        if latest.supersedes_id is not None and any(v.handed_off_on is not None for v in versions):
            out[item_id] = _correction_of(session, latest)
    return out


def current_handoff(session: Session, panel_item_id: int) -> PanelHandoff | None:
    """What the ADM would receive for the item's latest approved minutes (None: none are approved): a signed
    decision corrected after the minutes were corrected takes the corrected recommendation from it."""
    m = session.scalars(select(PanelMinutes).where(PanelMinutes.item_id == panel_item_id,
                                                   PanelMinutes.status == "approved")
                        .order_by(PanelMinutes.version.desc())).first()
    if m is None or m.approved_on is None:
        return None
    return build_handoff(session, _item(session, panel_item_id), m, m.approved_on)


def record_correction_handoff(session: Session, panel_item_id: int, version: int, decision_id: int,
                              on: dt.date) -> None:
    """The ADM took the item's corrected minutes (``version``) onto decision ``decision_id`` on ``on`` (a
    signed decision corrected after the minutes were): the correction is marked handed off, once."""
    m = session.scalars(select(PanelMinutes).where(PanelMinutes.item_id == panel_item_id,
                                                   PanelMinutes.version == version)).one()
    if m.handed_off_on is not None:
        return
    lock_row(session, m)
    require_as_last_saved(session, "panel_minutes", m.id, NOT_AS_APPROVED,
                          "The decision taking them was not signed. Nothing was saved; the minutes and the "
                          "decision stay as they are.")
    m.handed_off_on, m.adm_decision_id = on, decision_id
    session.flush()
    audit.record(session, "handoff", "panel_minutes", m.id,
                 detail=f"correction version {m.version} to ADM, decision {decision_id} (decision corrected)")
