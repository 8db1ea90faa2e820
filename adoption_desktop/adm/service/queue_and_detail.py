"""The ADM queue (every decision with its clock) and one decision's detail (its opening audited)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import (
    AdmDecision,
    AdmInfoRequest,
    AdmLetter,
    AdmNotification,
    AdmQualifyingDetermination,
)
from adoption_desktop.adm.service.common import (
    ENTITY,
    _conflict_message,
    _extra_types,
    _get,
    _letter_view,
    _name_warning,
    _row,
)
from adoption_desktop.adm.service.data import (
    DecisionDetail,
    DecisionRow,
    InfoRequestView,
    QdView,
    VersionView,
)
from adoption_desktop.adm.settings import FINAL_DECISION_DUE_WD, ORAL_NOTICE_WD, WRITTEN_NOTICE_WD
from adoption_desktop.core import audit
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.workdays import WorkingCalendar

# --- follow-ups of signed decisions -------------------------------------------------------------

#: follow-up codes (they take the place of a signed decision's clock in the queue), most urgent first
QD_FINAL_OVERDUE, NOTICE_OVERDUE, QD_FINAL_DUE = "qd_final_overdue", "notice_overdue", "qd_final_due"
#: the panel minutes were corrected after the decision was signed: the ADM reviews whether a new decision is needed
MINUTES_CORRECTED = "minutes_corrected"
_URGENCY = (MINUTES_CORRECTED, QD_FINAL_OVERDUE, NOTICE_OVERDUE, QD_FINAL_DUE)


@dataclass(frozen=True)
class FollowUp:
    """What is still owed on a signed decision: the final decision after its qualifying determination
    (the representations period has ended, or representations / the IRM recommendation are in, and no
    final decision is open), or the applicants' oral or written notification past its due date."""

    decision_id: int  # the current version of the signed decision
    code: str  # minutes_corrected | qd_final_overdue | notice_overdue | qd_final_due
    label: str
    due: dt.date | None  # None: nothing owed has a deadline (minutes corrected)
    #: the most urgent item in a few words, for the queue's Clock column ("Final decision overdue")
    short: str = ""


def _qd_final_due(q: AdmQualifyingDetermination, n: int, cal: WorkingCalendar) -> tuple[dt.date, str]:
    """When the final decision is due and what started its clock (as ``open_final_decision`` counts)."""
    start = rules.qd_final_clock_start(q.deadline, q.representations_on, q.irm_recommendation_on)
    if q.representations_on is not None and q.irm_applied_on is None:
        start, why = q.representations_on, f"representations received {q.representations_on:%d/%m/%Y}"
    elif q.irm_recommendation_on is not None and start == q.irm_recommendation_on:
        why = f"IRM recommendation received {q.irm_recommendation_on:%d/%m/%Y}"
    else:
        why = f"representations period ended {q.deadline:%d/%m/%Y}"
    due = rules.decision_clock(start, [], n, cal).due_on
    assert due is not None  # no pauses: always a date
    return due, why


def follow_ups_in(session: Session, today: dt.date) -> dict[int, FollowUp]:
    """The follow-ups owed on signed, current decisions, by decision id (one per decision, the most urgent
    first in its label)."""
    cal = calendar(session)
    a = AdmDecision
    versions = list(session.execute(select(a.id, a.root_id, a.decided_on, a.signed_at, a.source, a.qd_id,
                                           a.outcome, a.version, a.decision_type, a.social_worker, a.addressee,
                                           a.panel_item_id)
                         .order_by(a.id)))
    superseded = set(session.scalars(select(a.supersedes_id).where(a.supersedes_id.is_not(None))))
    root_of = {v.id: v.root_id or v.id for v in versions}
    current = {root_of[v.id]: v for v in versions if v.id not in superseded}
    found: dict[int, list[tuple[str, str, dt.date | None, str]]] = {}

    # the final decision after a qualifying determination, not yet opened
    opened_qds = {v.qd_id for v in versions if v.source == "qd_final" and v.qd_id is not None}
    n_final = get_setting(session, FINAL_DECISION_DUE_WD)
    for q in session.scalars(select(AdmQualifyingDetermination).where(
            AdmQualifyingDetermination.final_decision_id.is_(None))):
        if q.id in opened_qds:
            continue  # open and pending: the queue shows it with its own clock
        if q.irm_applied_on is not None and q.irm_recommendation_on is None:
            continue  # waiting for the IRM: nothing the ADM can do yet
        if q.representations_on is None and q.irm_recommendation_on is None and today <= q.deadline:
            continue  # the applicants still have time
        proposal = current.get(root_of.get(q.decision_id, q.decision_id))
        if proposal is None:
            continue
        due, why = _qd_final_due(q, n_final, cal)
        code = QD_FINAL_OVERDUE if today > due else QD_FINAL_DUE
        found.setdefault(proposal.id, []).append((code, f"QD: {why} — final decision due {due:%d/%m/%Y}", due,
                                                  "Final decision overdue" if today > due else "Final decision due"))

    # the applicants told orally and in writing within the set working days of the decision (of a correction:
    # of the corrected decision, rules.told_of_version)
    told = _notifications(session)
    chains: dict[int, list[tuple[int, str]]] = {}
    for v in versions:
        if v.signed_at is not None:
            chains.setdefault(root_of[v.id], []).append((v.id, v.outcome))
    oral_wd, written_wd = get_setting(session, ORAL_NOTICE_WD), get_setting(session, WRITTEN_NOTICE_WD)
    for root, d in current.items():
        if d.signed_at is None or d.decided_on is None:
            continue
        oral_due, written_due = rules.notification_due(d.decided_on, oral_wd, written_wd, cal)
        done = rules.told_of_version(chains.get(root, []), told)
        of = " of the correction" if d.version > 1 else ""
        owed = [("Written", "written", written_due)]
        if rules.has_applicants(d.decision_type, d.source, d.social_worker, d.addressee):
            owed.insert(0, ("Oral", "oral", oral_due))  # a child's plan has nobody to tell: only its letter
        late = [(what, due) for what, kind, due in owed if kind not in done and today > due]
        if late:
            words = " and ".join(f"{what.lower() if i else what} notification{of} overdue (due {due:%d/%m/%Y})"
                                 for i, (what, due) in enumerate(late))
            short = {1: "Oral notice overdue" if late[0][0] == "Oral" else "Letter overdue", 2: "Notices overdue"}
            found.setdefault(d.id, []).append((NOTICE_OVERDUE, words, late[0][1], short[len(late)]))

    # the panel minutes corrected after the decision was signed (the signed decision is not changed)
    panel_items = {v.panel_item_id: v for v in current.values() if v.signed_at is not None
                   and v.source == "panel" and v.panel_item_id is not None}
    if panel_items:
        # the panel's service, never its tables
        from adoption_desktop.panel.service import minutes_corrections

        for item_id, c in minutes_corrections(session, list(panel_items)).items():
            if c.handed_off_on is None:
                # no deadline of its own (the day the correction was approved never was one; user trial)
                found.setdefault(panel_items[item_id].id, []).append(
                    (MINUTES_CORRECTED, c.signed_flag(), None, "Minutes corrected"))

    out: dict[int, FollowUp] = {}
    for decision_id, items in found.items():
        items.sort(key=lambda x: _URGENCY.index(x[0]))
        out[decision_id] = FollowUp(decision_id, items[0][0], "; ".join(x[1] for x in items), items[0][2],
                                    items[0][3])
    return out


def _notifications(session: Session, ids: list[int] | None = None) -> dict[int, dict[str, dt.date]]:
    """Each decision version's notifications, the latest of each kind: ``{version id: {kind: date}}``."""
    n = AdmNotification
    query = select(n.decision_id, n.kind, n.on_date).order_by(n.id)
    if ids is not None:
        query = query.where(n.decision_id.in_(ids))
    told: dict[int, dict[str, dt.date]] = {}
    for decision_id, kind, on_date in session.execute(query):
        told.setdefault(decision_id, {})[kind] = on_date
    return told


# --- queue and detail ---------------------------------------------------------------------------

def list_queue(db: Database, actor: Principal, today: dt.date, *, include_superseded: bool = False
               ) -> list[DecisionRow]:
    """Every decision (latest version of each unless ``include_superseded``), with its clock."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        cal = calendar(session)
        extra = _extra_types(session)
        superseded_ids = set(session.scalars(
            select(AdmDecision.supersedes_id).where(AdmDecision.supersedes_id.is_not(None))))
        open_pauses: dict[int, dt.date] = {int(k): v for k, v in session.execute(
            select(AdmInfoRequest.decision_id, func.max(AdmInfoRequest.requested_on))
            .where(AdmInfoRequest.received_on.is_(None)).group_by(AdmInfoRequest.decision_id))}
        rows: list[DecisionRow] = []
        a = AdmDecision
        cols = (a.id, a.root_id, a.version, a.decision_type, a.source, a.state, a.subject_reference,
                a.subject_initials, a.recommendation, a.received_on, a.due_on, a.decided_on, a.outcome,
                a.signed_by_name)
        first_decided: dict[int, dt.date | None] = {}
        for d in session.execute(select(*cols).order_by(a.id)):
            first_decided.setdefault(d.root_id or d.id, d.decided_on)  # the first version comes first
            sup = d.id in superseded_ids
            if sup and not include_superseded:
                continue
            rows.append(_row(d, today, cal, extra, sup, open_pauses.get(d.id),
                             first_decided.get(d.root_id or d.id) if d.version > 1 else None))
        # a signed decision with something still owed on it shows that in place of its clock, and its due date
        # (corrected minutes have none of their own: the decision's stored one stays)
        owed = follow_ups_in(session, today)
        return [replace(r, clock_code=owed[r.id].code, clock_label=owed[r.id].label,
                        due_on=owed[r.id].due or r.due_on,
                        clock_short=owed[r.id].short)
                if r.id in owed else r for r in rows]


def _qd_view(q: AdmQualifyingDetermination) -> QdView:
    return QdView(q.id, q.decision_id, q.notice_sent_on, q.deadline, q.representations_on, q.representations,
                  q.irm_applied_on, q.irm_recommendation_on, q.irm_recommendation, q.final_decision_id,
                  q.final_outcome, q.final_on, int(q.row_version))


def get_decision(db: Database, actor: Principal, decision_id: int, today: dt.date, *,
                 opening: bool = True) -> DecisionDetail:
    """Read one decision. ``opening`` (the user opened the record) is audited as a view of the case
    record; a re-read after the user's own change to the record already open passes ``opening=False``."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=opening, views_only=True) as session:
        d = _get(session, decision_id)
        if opening:
            audit.record_view(session, ENTITY, d.id)
        cal = calendar(session)
        reqs = tuple(InfoRequestView(r.id, r.requested_on, r.what, r.received_on, r.received_note)
                     for r in session.scalars(select(AdmInfoRequest).where(AdmInfoRequest.decision_id == d.id)
                                              .order_by(AdmInfoRequest.id)))
        paused = next((r.requested_on for r in reversed(reqs) if r.received_on is None), None)
        root = d.root_id or d.id
        versions = list(session.scalars(select(AdmDecision).where(AdmDecision.root_id == root)
                                        .order_by(AdmDecision.version)))
        superseded = any(v.supersedes_id == d.id for v in versions)
        ids = [v.id for v in versions]
        filed = list(session.scalars(select(AdmLetter).where(AdmLetter.decision_id.in_(ids)).order_by(AdmLetter.id)))
        letters = tuple(_letter_view(r) for r in filed)
        qd_row = session.scalars(select(AdmQualifyingDetermination).where(  # the newest: a proposal corrected
            AdmQualifyingDetermination.decision_id.in_(ids))  # into an approval and back has a closed one too
            .order_by(AdmQualifyingDetermination.id.desc())).first()
        if qd_row is None and d.qd_id is not None:
            qd_row = session.get(AdmQualifyingDetermination, d.qd_id)
        chain = [(v.id, v.outcome) for v in versions if v.signed_at is not None and v.version <= d.version]
        notes = rules.told_of_version(chain, _notifications(session, ids))
        oral_due = written_due = None
        applicants = rules.has_applicants(d.decision_type, d.source, d.social_worker, d.addressee)
        if d.decided_on is not None:
            oral_due, written_due = rules.notification_due(
                d.decided_on, get_setting(session, ORAL_NOTICE_WD), get_setting(session, WRITTEN_NOTICE_WD), cal)
            if not applicants:
                oral_due = None  # nobody to tell orally
        history = tuple(VersionView(v.id, v.version, v.outcome, v.decision_text, v.decision_reasons,
                                    v.decided_on, v.signed_by_name, v.signed_at, v.correction_reason,
                                    v.supersedes_id) for v in versions)
        note, flag = _minutes_note(session, d, superseded)
        return DecisionDetail(
            row=_row(d, today, cal, _extra_types(session), superseded, paused,
                     versions[0].decided_on if d.version > 1 and versions else None),
            recommendation_text=d.recommendation_text, recommendation_reasons=d.recommendation_reasons,
            advice=d.advice, minutes_extract=d.minutes_extract, sitting_date=d.sitting_date,
            member_names=tuple(json.loads(d.member_names or "[]")), addressee=d.addressee,
            salutation=d.salutation, social_worker=d.social_worker, decision_text=d.decision_text,
            decision_reasons=d.decision_reasons, signed_at=d.signed_at, correction_reason=d.correction_reason,
            oral_due=oral_due, written_due=written_due, oral_notified_on=notes.get("oral"),
            written_notified_on=notes.get("written"), info_requests=reqs, letters=letters,
            qd=_qd_view(qd_row) if qd_row else None, history=history,
            conflict_warning=_name_warning(d, actor) or "", conflict_refusal=_conflict_message(d, actor) or "",
            row_version=d.row_version, has_applicants=applicants, seal_problem=_seal_problem(session, d, filed),
            minutes_note=note, minutes_flag=flag)


def _minutes_note(session: Session, d: AdmDecision, superseded: bool) -> tuple[str, bool]:
    """``minutes_note`` and ``minutes_flag`` of the detail: the correction of the panel minutes this decision
    took (a note), or one approved after it was signed (a flag on the current version)."""
    from adoption_desktop.adm.service.deciding import minutes_corrected

    c = minutes_corrected(session, d)
    if c is None:
        return "", False
    if c.handed_off_on is None:
        if superseded:
            return "", False
        if d.signed_at is not None:
            return c.signed_flag(), True
        # a decision left on superseded minutes before corrections reached the ADM (older versions)
        return (f"The panel's minutes were corrected on {c.approved_on:%d/%m/%Y} (version {c.version}) after they "
                f"were handed to you, and this decision does not show the correction: the recommendation is now "
                f"\"{c.label}\". Ask the panel administrator for the corrected minutes before deciding.", True)
    if c.adm_decision_id != d.id:
        return "", False  # taken by another version of the decision (a correction of it)
    note = c.note()
    if d.signed_at is None:
        note += (f" The final minutes count as received on {d.received_on:%d/%m/%Y}"
                 + (f", so the decision is due by {d.due_on:%d/%m/%Y}" if d.due_on else "")
                 + ". Your draft decision was kept: check that it still fits the corrected recommendation.")
    return note, False


def _seal_problem(session: Session, d: AdmDecision, letters: Sequence[AdmLetter] = ()) -> str:
    """What is wrong with a signed decision that is not as it was sealed, and with the letters filed against
    it (those the page lists) that are not as they were filed ("" when all are as sealed). A trial changed a
    filed letter with the key and the page showed it as genuine, ready to save and post."""
    from adoption_desktop.adm.service.deciding import NOT_AS_SIGNED
    from adoption_desktop.adm.service.letters import letter_seal_problem
    from adoption_desktop.core.audit.seal_check import ASK_ADMINISTRATOR, row_seal_problem

    said = []
    problem = row_seal_problem(session.connection(), "adm_decisions", d.id) if d.signed_at is not None else ""
    if problem:
        said.append(f"{NOT_AS_SIGNED}: {problem}. Do not rely on it, and no correction can be made from it.")
    letter = letter_seal_problem(session, letters)
    if letter:
        said.append(f"{letter}. Do not post or rely on it: it cannot be saved or printed from here.")
    return " ".join(said) + f" {ASK_ADMINISTRATOR}" if said else ""
