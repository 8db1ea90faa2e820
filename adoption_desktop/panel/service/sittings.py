"""Panel service, sittings: scheduled (once or recurring), cancelled, moved, found by what a person
names, listed, opened with their agenda and attendance; the calendar export audited."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.audit.seal_check import ASK_ADMINISTRATOR, row_seal_problem
from adoption_desktop.core.concurrency import check_version
from adoption_desktop.core.errors import Conflict, NotFound, ValidationError
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_date, clean_text
from adoption_desktop.core.wording import weekday_date
from adoption_desktop.panel import rules
from adoption_desktop.panel.models import PanelItem, PanelSitting
from adoption_desktop.panel.service.common import (
    NOT_AS_APPROVED,
    P,
    _attendance,
    _DeadlineRules,
    _first_minuted,
    _item,
    _items,
    _locked_items,
    _sitting,
    _sitting_row,
    _today,
)
from adoption_desktop.panel.service.data import ItemRow, SittingDetail, SittingInput, SittingRow


# --- sittings ------------------------------------------------------------------------------------
def _check_time(value: str, field_name: str, label: str) -> str:
    try:
        return dt.datetime.strptime(value.strip(), "%H:%M").strftime("%H:%M")
    except ValueError:
        raise ValidationError(f"{label}: enter a time as HH:MM, e.g. 10:00.", field_name) from None


def schedule_sittings(db: Database, actor: Principal, data: SittingInput) -> list[int]:
    require(actor, P.PANEL_EDIT)
    start = _check_time(data.start_time, "start_time", "Start time")
    end = _check_time(data.end_time, "end_time", "End time")
    if end <= start:
        raise ValidationError("End time: must be after the start time.", "end_time")
    check_date(data.first_date, "First sitting date", "schedule", required=True)
    data = replace(data, venue=clean_text(data.venue, "Venue", max_length=200),
                   virtual_link=clean_text(data.virtual_link, "Virtual meeting link", max_length=300))
    if not data.venue.strip() and not data.virtual_link.strip():
        raise ValidationError("Venue: enter a venue or a virtual meeting link.", "venue")
    if data.recurrence not in rules.RECURRENCES:
        raise ValidationError("Repeat: choose how often the panel sits.", "recurrence")
    if not 1 <= data.count <= 120:
        raise ValidationError("Number of sittings: enter 1 to 120.", "count")
    dates = rules.recurring_dates(data.first_date, data.recurrence, data.count if data.recurrence != "once" else 1)
    series = uuid.uuid4().hex[:12] if len(dates) > 1 else ""
    with db.session(actor) as session:
        made = [PanelSitting(sitting_date=d, start_time=start, end_time=end, venue=data.venue.strip(),
                             virtual_link=data.virtual_link.strip(), series=series) for d in dates]
        session.add_all(made)
        session.flush()
        return [s.id for s in made]


def _sitting_values(s: PanelSitting) -> dict[str, str]:
    return {"Date": f"{s.sitting_date:%d/%m/%Y}", "Time": f"{s.start_time}–{s.end_time}", "Venue": s.venue,
            "Video link": s.virtual_link, "Status": s.status, "Reason": s.status_reason}


def _sitting_for_edit(session: Session, sitting_id: int, expected_version: int | None) -> PanelSitting:
    s = _sitting(session, sitting_id)
    check_version(session, s, expected_version, f"the sitting of {weekday_date(s.sitting_date)}", _sitting_values)
    return s


def cancel_sitting(db: Database, actor: Principal, sitting_id: int, reason: str, *,
                   expected_version: int | None = None) -> None:
    require(actor, P.PANEL_EDIT)
    reason = clean_text(reason, "Reason", multiline=True, max_length=2000)
    if not reason.strip():
        raise ValidationError("Reason: say why the sitting is cancelled.", "reason")
    with db.session(actor) as session:
        s = _sitting_for_edit(session, sitting_id, expected_version)
        held = _first_minuted(session, _locked_items(session, sitting_id), approved=False)
        if held is not None:
            raise Conflict(f"Item {held} of this sitting has an outcome recorded in its minutes: the panel sat, "
                           "so the sitting cannot be cancelled.")
        s.status, s.status_reason = "cancelled", reason.strip()


def move_sitting(db: Database, actor: Principal, sitting_id: int, new_date: dt.date, reason: str,
                 start_time: str | None = None, *, expected_version: int | None = None,
                 today: dt.date | None = None) -> None:
    """Move a sitting to another date (``reason`` kept). Refused once any item's minutes are approved (they
    are dated by the sitting), and to a date after ``today`` once a recommendation is recorded."""
    require(actor, P.PANEL_EDIT)
    reason = clean_text(reason, "Reason", multiline=True, max_length=2000)
    check_date(new_date, "New date", "schedule", required=True)
    if not reason.strip():
        raise ValidationError("Reason: say why the sitting is moved.", "reason")
    with db.session(actor) as session:
        s = _sitting_for_edit(session, sitting_id, expected_version)
        items = _locked_items(session, sitting_id)
        approved = _first_minuted(session, items, approved=True)
        if approved is not None:
            raise Conflict(f"The minutes of item {approved} of this sitting are approved and dated by it; the sitting "
                           "can no longer be moved.")
        minuted = _first_minuted(session, items, approved=False)
        today = _today(today)
        if minuted is not None and new_date > today:
            raise ValidationError(f"New date: item {minuted} has an outcome recorded in its minutes, so the "
                                  f"panel has sat; the sitting can only be moved to a date up to today "
                                  f"({today:%d/%m/%Y}).", "new_date")
        if s.moved_from is None:
            s.moved_from = s.sitting_date
        s.sitting_date, s.status_reason = new_date, reason.strip()
        if start_time:
            s.start_time = _check_time(start_time, "start_time", "Start time")


def sitting_id_for(db: Database, actor: Principal, given: str, *, label: str = "Sitting") -> int:
    """The sitting a person names: its number, its date (``2026-12-08``) or the reference of a case heard
    at it (``AD-2026-0142``). Several matches are refused, listing them, rather than one guessed. Messages
    begin with ``label``: the field, or on the command line the option (``--sitting``)."""
    from adoption_desktop.core.text_input import reference_key, row_number

    require(actor, P.PANEL_VIEW)
    text = given.strip()
    if not text:
        raise ValidationError(f"{label}: give its date (YYYY-MM-DD), a case reference heard at it, or its "
                              "number.", "sitting")
    if text.isdigit():
        number = row_number(text)
        if number is None:
            raise NotFound(f"{label}: no panel sitting {text[:30]}.")
        return number
    looks_like_date = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    english = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)  # 08/12/2026, as the screens write dates
    if english:
        d, m, y = map(int, english.groups())
        try:
            text = dt.date(y, m, d).isoformat()
        except ValueError as exc:
            raise ValidationError(f"{label}: {given.strip()!r} is not a date ({exc}); write it as YYYY-MM-DD "
                                  "or DD/MM/YYYY.", "sitting") from None
        looks_like_date = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    with db.session(actor, write=False) as session:
        try:
            day = (dt.date(*map(int, looks_like_date.groups())) if looks_like_date  # 2026-12-4 too
                   else dt.date.fromisoformat(text))
        except ValueError as exc:
            if looks_like_date:  # 2026-02-29 is no case reference: say why it is no date (trial)
                raise ValidationError(f"{label}: {text!r} is not a date ({exc}); write it as YYYY-MM-DD.",
                                      "sitting") from None
            key = reference_key(text)  # the indexed key the ORM keeps; a row written around it has none
            ids = sorted(set(session.scalars(select(PanelItem.sitting_id).where(PanelItem.reference_key == key)))
                         | {sid for sid, ref in session.execute(select(PanelItem.sitting_id, PanelItem.subject_reference)
                                                                .where(PanelItem.reference_key.is_(None)))
                            if reference_key(ref) == key})
            what = f"heard case {text}"
        else:
            ids = list(session.scalars(select(PanelSitting.id).where(PanelSitting.sitting_date == day)
                                       .where(PanelSitting.status != "cancelled").order_by(PanelSitting.id)))
            what = f"on {day:%d/%m/%Y}"
        if not ids:
            raise NotFound(f"{label}: no panel sitting {what}; give its date (YYYY-MM-DD), a case reference "
                           "heard at it, or its number.")
        if len(ids) > 1:
            sittings = session.scalars(select(PanelSitting).where(PanelSitting.id.in_(ids))
                                       .order_by(PanelSitting.sitting_date, PanelSitting.id))
            listed = ", ".join(f"{s.id} ({s.sitting_date:%d/%m/%Y} {s.start_time})" for s in sittings)
            raise Conflict(f"{label}: {len(ids)} sittings {what}: {listed}; give the number of the one you mean.")
        return ids[0]


def record_calendar_export(db: Database, actor: Principal, sittings: int, file_name: str) -> None:
    """Audit an export of the sittings as a calendar (every export is audited, even one with no
    personal data)."""
    require(actor, P.PANEL_VIEW)
    with db.session(actor) as session:
        audit.record(session, "export", "panel_sittings", "*", detail=f"calendar of {sittings} sittings to {file_name}")


def list_sittings(db: Database, actor: Principal, start: dt.date | None = None, end: dt.date | None = None,
                  *, today: dt.date | None = None) -> list[SittingRow]:
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        q = select(PanelSitting).order_by(PanelSitting.sitting_date.desc(), PanelSitting.id)
        if start:
            q = q.where(PanelSitting.sitting_date >= start)
        if end:
            q = q.where(PanelSitting.sitting_date <= end)
        counts: dict[int, int] = {sid: n for sid, n in session.execute(
            select(PanelItem.sitting_id, func.count()).group_by(PanelItem.sitting_id))}
        deadlines = _DeadlineRules.read(session)
        return [_sitting_row(session, s, _today(today), counts.get(s.id, 0), deadlines) for s in session.scalars(q)]


def sitting_detail(db: Database, actor: Principal, sitting_id: int, *, today: dt.date | None = None,
                   opened: bool = False) -> SittingDetail:
    """The sitting with its agenda and attendance. ``opened=True`` when the user opens (selects) the
    sitting: it shows case references, so a view entry is written; a refresh of the same sitting passes
    ``opened=False`` and writes nothing."""
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=opened, views_only=True) as session:
        s = _sitting(session, sitting_id)
        if opened:
            audit.record_view(session, "panel_sittings", s.id)
        attendance = _attendance(session, s)
        items = _items(session, s, attendance, _today(today))
        return SittingDetail(_sitting_row(session, s, _today(today), len(items)),
                             tuple(_with_seal_problems(session, items)), tuple(attendance))


def _with_seal_problems(session: Session, items: list[ItemRow]) -> list[ItemRow]:
    """Each item's approved minutes checked against their seals: changed outside the application (with the key)
    they were shown as genuine, with nothing to say so (trial); their ``seal_problem`` now says what changed."""
    conn = session.connection()
    out = []
    for i in items:
        m = i.minutes
        problem = row_seal_problem(conn, "panel_minutes", m.id) if m is not None and m.locked else ""
        if m is not None and problem:
            i = replace(i, minutes=replace(m, seal_problem=(
                f"{NOT_AS_APPROVED}: {problem}. Do not rely on them, and no correction can be made from them. "
                + ASK_ADMINISTRATOR)))
        out.append(i)
    return out


def open_item(db: Database, actor: Principal, item_id: int) -> None:
    """The user opened (selected) an agenda item: its case reference and minutes are on screen."""
    require(actor, P.PANEL_VIEW)
    with db.session(actor, views_only=True) as session:
        audit.record_view(session, "panel_items", _item(session, item_id).id)
