"""The ADM queue (every decision with its clock) and one decision's detail (its opening audited)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

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
from adoption_desktop.adm.settings import ORAL_NOTICE_WD, WRITTEN_NOTICE_WD
from adoption_desktop.core import audit
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.engine import Database

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
        for d in session.execute(select(*cols).order_by(a.id)):
            sup = d.id in superseded_ids
            if sup and not include_superseded:
                continue
            rows.append(_row(d, today, cal, extra, sup, open_pauses.get(d.id)))
        return rows


def _qd_view(q: AdmQualifyingDetermination) -> QdView:
    return QdView(q.id, q.decision_id, q.notice_sent_on, q.deadline, q.representations_on, q.representations,
                  q.irm_applied_on, q.irm_recommendation_on, q.irm_recommendation, q.final_decision_id,
                  q.final_outcome, q.final_on)


def get_decision(db: Database, actor: Principal, decision_id: int, today: dt.date, *,
                 opening: bool = True) -> DecisionDetail:
    """Read one decision. ``opening`` (the user opened the record) is audited as a view of the case
    record; a re-read after the user's own change to the record already open passes ``opening=False``."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=opening) as session:
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
        letters = tuple(_letter_view(r) for r in session.scalars(
            select(AdmLetter).where(AdmLetter.decision_id.in_(ids)).order_by(AdmLetter.id)))
        qd_row = session.scalars(select(AdmQualifyingDetermination).where(
            AdmQualifyingDetermination.decision_id.in_(ids))).first()
        if qd_row is None and d.qd_id is not None:
            qd_row = session.get(AdmQualifyingDetermination, d.qd_id)
        notes = {n.kind: n.on_date for n in session.scalars(
            select(AdmNotification).where(AdmNotification.decision_id.in_(ids)).order_by(AdmNotification.id))}
        oral_due = written_due = None
        if d.decided_on is not None:
            oral_due, written_due = rules.notification_due(
                d.decided_on, get_setting(session, ORAL_NOTICE_WD), get_setting(session, WRITTEN_NOTICE_WD), cal)
        history = tuple(VersionView(v.id, v.version, v.outcome, v.decision_text, v.decision_reasons,
                                    v.decided_on, v.signed_by_name, v.signed_at, v.correction_reason,
                                    v.supersedes_id) for v in versions)
        return DecisionDetail(
            row=_row(d, today, cal, _extra_types(session), superseded, paused),
            recommendation_text=d.recommendation_text, recommendation_reasons=d.recommendation_reasons,
            advice=d.advice, minutes_extract=d.minutes_extract, sitting_date=d.sitting_date,
            member_names=tuple(json.loads(d.member_names or "[]")), addressee=d.addressee,
            salutation=d.salutation, social_worker=d.social_worker, decision_text=d.decision_text,
            decision_reasons=d.decision_reasons, signed_at=d.signed_at, correction_reason=d.correction_reason,
            oral_due=oral_due, written_due=written_due, oral_notified_on=notes.get("oral"),
            written_notified_on=notes.get("written"), info_requests=reqs, letters=letters,
            qd=_qd_view(qd_row) if qd_row else None, history=history,
            conflict_warning=_name_warning(d, actor) or "", conflict_refusal=_conflict_message(d, actor) or "",
            row_version=d.row_version)
