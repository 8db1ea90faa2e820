"""Panel service, the central list: members added, edited (with their appraisals) and leaving on notice."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.concurrency import check_version
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_date, check_not_future, clean_name, clean_text, name_key
from adoption_desktop.panel import profile, rules
from adoption_desktop.panel.models import PanelMember
from adoption_desktop.panel.service.common import (
    P,
    _last_appraisals,
    _member_row,
    _record_appraisal,
    _today,
    _warn_settings,
)
from adoption_desktop.panel.service.data import MemberInput, MemberRow


# --- central list --------------------------------------------------------------------------------
def _validate_member(data: MemberInput, today: dt.date | None = None) -> MemberInput:
    """``data`` as it will be stored (text cleaned, dates in range, dates of things that happened not in
    the future), or a ValidationError naming the field."""
    name = clean_name(data.full_name, "Name", max_length=120)
    if not name:
        raise ValidationError("Name: enter the member's full name.", "full_name")
    day = _today(today)
    check_date(data.joined_on, "Joined on", "event", today=day)
    check_date(data.appraisal_due, "Appraisal due", "schedule", today=day)  # planned: may lie ahead
    for value, label, key in ((data.dbs_checked_on, "DBS checked on", "dbs_checked_on"),
                              (data.training_on, "Training on", "training_on"),
                              (data.appraised_on, "Last appraisal", "appraised_on")):
        check_not_future(value, label, key, today=day, required=False,
                         advice="enter the day it took place, or leave it blank until then")
    for problem, field_name in ((profile.gender_problem(data.gender), "gender"),
                                (profile.ethnicity_problem(data.ethnicity), "ethnicity")):
        if problem:
            raise ValidationError(problem, field_name)
    if data.appraised_on is not None and data.appraised_on < data.joined_on:
        raise ValidationError(f"Last appraisal: {data.appraised_on:%d/%m/%Y} is before the member joined "
                              f"({data.joined_on:%d/%m/%Y}); enter the day the appraisal was held, or leave it "
                              "blank.", "appraised_on")
    if data.role_type not in rules.ROLE_LABELS:
        raise ValidationError("Role: choose the member's role on the panel.", "role_type")
    if problem := rules.chair_independence_problem(data.role_type, data.independent):
        raise ValidationError(problem, "independent")
    if data.pqe_years is not None and data.pqe_years < 0:
        raise ValidationError("Post-qualifying experience: enter whole years, 0 or more.", "pqe_years")
    if rules.pqe_required(data.role_type) and data.pqe_years is None:
        raise ValidationError("Post-qualifying experience: enter the social worker's years of PQE.", "pqe_years")
    return replace(data, full_name=name)


def _refuse_duplicate_name(session: Session, name: str, member_id: int | None, today: dt.date) -> None:
    """Two current people on the central list with one name would both count to quorum (one person twice):
    a second current member of the same name (compared with ``name_key``: case, accents, titles aside) is
    refused. Someone who has left the list no longer counts, so a namesake may join after them."""
    key = name_key(name)
    for other_id, other_name, leaves_on in session.execute(
            select(PanelMember.id, PanelMember.full_name, PanelMember.leaves_on)):
        if other_id != member_id and name_key(other_name) == key and (leaves_on is None or leaves_on > today):
            raise ValidationError(
                f"Name: {other_name} is already on the central list. Edit that member instead, or, for a "
                "different person with the same name, add something that tells them apart (a middle name or "
                "initial).", "full_name")


def _check_linked_user(session: Session, user_id: int | None, member_id: int | None) -> None:
    """The user account linked to a member exists and is linked to no other member of the central list
    (the ADM conflict rule relies on it, as it is when the decision is recorded or signed:
    adm.rules.conflict_refusal, from panel.service.item_members)."""
    if user_id is None:
        return
    from adoption_desktop.core.security.models import User

    if session.get(User, user_id) is None:
        raise ValidationError(f"User account: there is no user with id {user_id}; choose one from the list.",
                              "user_id")
    other = session.scalars(select(PanelMember.full_name).where(
        PanelMember.user_id == user_id, PanelMember.id != (member_id or 0))).first()
    if other is not None:
        raise ValidationError(f"User account: already linked to {other} on the central list; a user account "
                              "belongs to one member.", "user_id")


def list_members(db: Database, actor: Principal, *, today: dt.date | None = None) -> list[MemberRow]:
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        warn = _warn_settings(session)
        last = _last_appraisals(session)
        return [_member_row(m, _today(today), warn, last.get(m.id))
                for m in session.scalars(select(PanelMember).order_by(PanelMember.full_name))]


def add_member(db: Database, actor: Principal, data: MemberInput, *, today: dt.date | None = None) -> MemberRow:
    require(actor, P.PANEL_EDIT)
    data = _validate_member(data, today)
    with db.session(actor) as session:
        _refuse_duplicate_name(session, data.full_name, None, _today(today))
        _check_linked_user(session, data.user_id, None)
        m = PanelMember(full_name=data.full_name.strip(), role_type=data.role_type, pqe_years=data.pqe_years,
                        independent=data.independent, joined_on=data.joined_on, user_id=data.user_id,
                        appraisal_due=data.appraisal_due, dbs_checked_on=data.dbs_checked_on,
                        training_on=data.training_on, gender=data.gender, ethnicity=data.ethnicity)
        session.add(m)
        session.flush()
        last = _record_appraisal(session, m, data.appraised_on, None, None)
        return _member_row(m, _today(today), _warn_settings(session), last)


def _member_values(m: PanelMember) -> dict[str, str]:
    return {"Name": m.full_name, "Role": rules.ROLE_LABELS.get(m.role_type, m.role_type),
            "Joined": f"{m.joined_on:%d/%m/%Y}", "PQE years": "" if m.pqe_years is None else str(m.pqe_years),
            "Independent": "yes" if m.independent else "no",
            "Appraisal due": f"{m.appraisal_due:%d/%m/%Y}" if m.appraisal_due else "",
            "DBS checked": f"{m.dbs_checked_on:%d/%m/%Y}" if m.dbs_checked_on else "",
            "Training": f"{m.training_on:%d/%m/%Y}" if m.training_on else "",
            "Gender": profile.GENDERS.get(m.gender, m.gender),
            "Ethnicity": profile.ethnicity_label(m.ethnicity) if profile.ethnicity_problem(m.ethnicity) is None
            else m.ethnicity,
            # every field a save overwrites (the ADM's conflict rule and the hand-off read the account link)
            "User account": f"account no. {m.user_id}" if m.user_id is not None else "none"}


def update_member(db: Database, actor: Principal, member_id: int, data: MemberInput,
                  *, today: dt.date | None = None, expected_version: int | None = None) -> MemberRow:
    """``expected_version``: the member's ``row_version`` the form was loaded with (a stale save is
    refused with :class:`StaleRecord`); ``None`` from scripts."""
    require(actor, P.PANEL_EDIT)
    data = _validate_member(data, today)
    with db.session(actor) as session:
        m = get_or_raise(session, PanelMember, member_id, f"No central-list member with id {member_id}.")
        _refuse_duplicate_name(session, data.full_name, member_id, _today(today))
        _check_linked_user(session, data.user_id, member_id)
        check_version(session, m, expected_version, f"central-list member {m.full_name}", _member_values)
        due_before = m.appraisal_due
        for key in ("role_type", "pqe_years", "independent", "joined_on", "user_id", "appraisal_due",
                    "dbs_checked_on", "training_on", "gender", "ethnicity"):
            setattr(m, key, getattr(data, key))
        m.full_name = data.full_name.strip()
        last = _record_appraisal(session, m, data.appraised_on, due_before, _last_appraisals(session).get(m.id))
        return _member_row(m, _today(today), _warn_settings(session), last)


def give_notice(db: Database, actor: Principal, member_id: int, notice_on: dt.date, kind: str, reason: str,
                *, today: dt.date | None = None, expected_version: int | None = None) -> MemberRow:
    """A member leaves, or is removed with reasons, on one month's written notice (AAR 2005 reg 3(5))."""
    require(actor, P.PANEL_EDIT)
    if kind not in ("left", "removed"):
        raise ValidationError("Leaving: choose 'left' (the member's notice) or 'removed' (the agency's).", "kind")
    reason = clean_text(reason, "Reasons", multiline=True, max_length=4000)
    check_not_future(notice_on, "Written notice given on", "notice_on", today=_today(today),
                     advice="enter the day the written notice was given")
    if kind == "removed" and not reason.strip():
        raise ValidationError("Reasons: a member is removed only with written reasons; enter them.", "reason")
    with db.session(actor) as session:
        m = get_or_raise(session, PanelMember, member_id, f"No central-list member with id {member_id}.")
        check_version(session, m, expected_version, f"central-list member {m.full_name}", _member_values)
        leaves_on = rules.leaving_date(notice_on)
        _refuse_leaving_before_approved_sitting(session, m, leaves_on)
        m.notice_given_on, m.leaves_on = notice_on, leaves_on
        m.leaving_kind, m.leaving_reason = kind, reason.strip()
        return _member_row(m, _today(today), _warn_settings(session), _last_appraisals(session).get(m.id))


def _refuse_leaving_before_approved_sitting(session: Session, m: PanelMember, leaves_on: dt.date) -> None:
    """A leaving date on or before a sitting the member attended (or sent apologies to) whose minutes are
    approved would change who counted in them after the chair approved them (a review: the approved
    minutes lost a member present, while their quorum statement still counted them)."""
    from adoption_desktop.panel.models import PanelAttendance, PanelItem, PanelMinutes, PanelSitting

    day = session.scalar(
        select(PanelSitting.sitting_date)
        .join(PanelAttendance, PanelAttendance.sitting_id == PanelSitting.id)
        .join(PanelItem, PanelItem.sitting_id == PanelSitting.id)
        .join(PanelMinutes, PanelMinutes.item_id == PanelItem.id)
        .where(PanelAttendance.member_id == m.id, PanelAttendance.status.in_(("present", "apologies")),
               PanelSitting.sitting_date >= leaves_on, PanelMinutes.status == "approved")
        .order_by(PanelSitting.sitting_date.desc()).limit(1))
    if day is not None:
        raise ValidationError(
            f"Written notice given on: {m.full_name} would leave the central list on {leaves_on:%d/%m/%Y}, but is "
            f"recorded at the sitting of {day:%d/%m/%Y}, whose minutes are approved; a leaving date on or before "
            f"it would change who counted in them. Enter notice that ends after {day:%d/%m/%Y}.", "notice_on")
