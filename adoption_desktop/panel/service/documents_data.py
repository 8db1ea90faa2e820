"""Panel service, the documents' data: :class:`MinutesPack`, everything the Word minutes of a sitting
need, read in one transaction (the export audited); the invitation letters, made from the same data, are
audited as what they are (:data:`INVITATIONS_WRITTEN`), not as an export of the minutes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.audit.seal_check import require_sealed
from adoption_desktop.core.errors import NotFound
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import plural
from adoption_desktop.panel.models import PanelAttendance
from adoption_desktop.panel.rules import QuorumRule
from adoption_desktop.panel.service.common import (
    P,
    _attendance,
    _items,
    _sitting,
    _sitting_row,
    _today,
    quorum_rule,
)
from adoption_desktop.panel.service.data import AttendanceRow, ItemRow, SittingRow


# --- documents data --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MinutesPack:
    """Everything the Word minutes need, as plain data."""

    agency_name: str
    agency_address: str
    sitting: SittingRow
    present: tuple[AttendanceRow, ...]
    advisers: tuple[AttendanceRow, ...]
    apologies: tuple[AttendanceRow, ...]
    absent: tuple[AttendanceRow, ...]
    items: tuple[ItemRow, ...]
    member_names: dict[int, str]
    draft: bool  # any item not approved
    rule: QuorumRule = field(default_factory=QuorumRule)  # the agency's quorum setting
    #: the agency's own minutes template (None: the shipped file) and its version label
    template_docx: bytes | None = None
    template_version: str = ""
    #: "{agency_telephone}" → value: the agency profile's placeholders of the minutes template
    header: dict[str, str] = field(default_factory=dict)

    def only(self, item_id: int) -> MinutesPack:
        items = tuple(i for i in self.items if i.id == item_id)
        if not items:
            raise NotFound(f"Item {item_id} is not on this sitting's agenda.")
        return replace(self, items=items, draft=any(not i.minutes or not i.minutes.locked for i in items))


def minutes_pack(db: Database, actor: Principal, sitting_id: int, *, today: dt.date | None = None,
                 record_export: bool = True, approved_by: dt.date | None = None) -> MinutesPack:
    """The minutes of a sitting as data, their export audited. ``record_export=False``: read only, no audit
    entry, for a caller that records the export itself (:func:`record_minutes_export`) in the transaction
    committed just before its file is put in place (the Ofsted pack: its entries and its file, or none).
    ``approved_by``: each item's minutes as the newest version approved on or before that day (none if
    there was none), not the current one (the Ofsted pack as of a past date: a later correction is left out)."""
    from adoption_desktop.core.config import AGENCY_ADDRESS, AGENCY_NAME
    from adoption_desktop.panel import minutes_template

    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=record_export) as session:
        s = _sitting(session, sitting_id)
        if record_export:
            record_minutes_export(session, s.id)
        attendance = _attendance(session, s)
        items = tuple(_items(session, s, attendance, _today(today), approved_by=approved_by))
        # approved minutes go out only as they were sealed when approved (changed with the key outside the
        # program, they were exported labelled approved: security review)
        _require_sealed_minutes(session, s.id, items)
        return MinutesPack(
            get_setting(session, AGENCY_NAME), get_setting(session, AGENCY_ADDRESS),
            _sitting_row(session, s, _today(today), len(items)),
            tuple(a for a in attendance if a.status == "present" and not a.is_adviser and a.on_list),
            tuple(a for a in attendance if a.status == "present" and a.is_adviser and a.on_list),
            tuple(a for a in attendance if a.status == "apologies"),
            tuple(a for a in attendance if a.status == "absent"),
            items, {a.member_id: a.full_name for a in attendance},
            any(not i.minutes or not i.minutes.locked for i in items), quorum_rule(session),
            *minutes_template.stored_template(session), minutes_template.header_values(session))


def record_minutes_export(session: Session, sitting_id: int, *, detail: str = "minutes") -> None:
    """The audit entry of an export of a sitting's minutes, in the caller's transaction (the caller has
    required ``panel.view`` and read the minutes with :func:`minutes_pack`)."""
    audit.record(session, "export", "panel_sittings", sitting_id, detail=detail)


def record_minutes_written(db: Database, actor: Principal, sitting_id: int, file_name: str, *,
                           item_id: int | None = None) -> None:
    """Audit a Word copy of the minutes (or one item's extract) read with ``record_export=False``: called
    inside the file's ``output_file`` block (``write_minutes_docx(before_output=…)``), so the entry is
    committed just before the file takes its name, and an interrupted or failed export leaves neither."""
    require(actor, P.PANEL_VIEW)
    with db.session(actor) as session:
        record_minutes_export(session, sitting_id, detail="minutes" + (f", item {item_id}" if item_id else "")
                              + f" to {file_name}")


#: the audit action of a sitting's invitation letters written (``panel.documents.write_invitations``); before,
#: they were recorded as an export of the minutes ("export", detail "minutes"), as those entries still read.
#: Listed in ``core.audit.READ_ONLY_ACTIONS``: letters made from the records, which change none of them.
INVITATIONS_WRITTEN = "panel_invitations_written"


def record_invitations_written(db: Database, actor: Principal, sitting_id: int, file_name: str, letters: int) -> None:
    """Audit a sitting's invitation letters (read with ``minutes_pack(record_export=False)``): called once they
    are drawn, before the file takes its name (``write_invitations(before_save=…)``), so a batch that fails or
    is cancelled before then leaves no entry."""
    require(actor, P.PANEL_VIEW)
    with db.session(actor) as session:
        s = _sitting(session, sitting_id)
        audit.record(session, INVITATIONS_WRITTEN, "panel_sittings", s.id,
                     detail=f"{plural(letters, 'invitation letter')} for the sitting of {s.sitting_date.isoformat()} "
                            f"to {file_name}")


def _require_sealed_minutes(session: Session, sitting_id: int, items: Sequence[ItemRow]) -> None:
    """The approved minutes of the sitting, their items and its attendance as the program wrote and sealed
    them (changed or deleted with the key outside the program, they went out labelled approved: security
    review); rows named by the case they are about."""
    approved = [i for i in items if i.minutes and i.minutes.locked]
    if not approved:
        return
    conn = session.connection()
    what = "The approved minutes of this sitting"
    require_sealed(conn, "panel_minutes", [i.minutes.id for i in approved if i.minutes], what, deleted_too=True,
                   labels={i.minutes.id: f"the minutes of {i.subject_reference}" for i in approved if i.minutes})
    require_sealed(conn, "panel_items", [i.id for i in approved], what,
                   labels={i.id: f"the agenda item {i.subject_reference}" for i in approved})
    attendance = list(session.scalars(select(PanelAttendance.id).where(PanelAttendance.sitting_id == sitting_id)))
    require_sealed(conn, "panel_attendance", attendance, what,
                   labels={a: "the sitting's attendance" for a in attendance})
