"""Panel use cases: one transaction each, permission checked first, audited; plain data out.

A package of use-case modules (the project's rule for a service module past ~500 lines); every name the
module had when it was one file, the names it imported included, is still importable from here:

- ``data``: the plain data in and out (``MemberInput``/``MemberRow``, ``SittingInput``/``SittingRow``,
  ``ItemInput``/``ItemRow``, ``PaperRow``, ``DeclarationRow``, ``AttendanceRow``, ``MinutesDraft``/
  ``MinutesRow``, ``SittingDetail``) and ``advice_text``;
- ``common``: what the use cases share: ``quorum_rule``, the rows read into plain data (members,
  sittings with their deadlines, items, minutes, attendance, declarations), an item's quorum from who
  is present for it, the sitting and item look-ups (``_sitting``, ``_item``), ``P`` and ``_today``;
- ``members``: the central list: members listed, added, edited (appraisals recorded), given notice;
- ``sittings``: sittings scheduled (recurring), cancelled, moved, found by what a person names
  (``sitting_id_for``), listed, opened (``sitting_detail``, ``open_item``); the calendar export audited;
- ``agenda``: items added, edited, removed, reordered and moved; papers received;
- ``attendance``: attendance, declarations of interest, members not present for an item
  (``record_item_absence``, ``record_left_sitting``, ``remove_item_absence``), and an item's quorum
  (``item_quorum``);
- ``minutes``: an item's minutes drafted and saved, sent to the chair, corrected as a new version,
  their history; an item deferred;
- ``chair_approval``: the chair's approval (``approval_blockers``, ``approve_minutes``), the minutes of
  an item as text (``item_text``) and the hand-off to the ADM (``build_handoff``); not ``approval``:
  tests/test_permissions_everywhere.py leaves out every module whose name holds ``.app`` (the app);
- ``documents_data``: ``MinutesPack`` and ``minutes_pack``, the data of the Word minutes;
  ``record_minutes_export``, their export's audit entry in a caller's transaction, ``record_minutes_written``
  in its own, just before the file takes its name; ``record_invitations_written`` (``INVITATIONS_WRITTEN``),
  the invitation letters' own entry, the same way.

The modules import from one another, never from this package. A test that patches a name a use case
reads patches the module that reads it (``chair_approval``, say), not this package.
"""

from __future__ import annotations

# Every name the single module defined, from the module that now holds it, and the snapshot types its use
# cases return. Private helpers are re-exported with ``as`` (importable as before, not part of
# ``import *``). Names it only imported (``select``, ``lock_row``…) are not: use them from where they live.
from adoption_desktop.panel.service.agenda import _item_values as _item_values
from adoption_desktop.panel.service.agenda import _validate_item as _validate_item
from adoption_desktop.panel.service.agenda import (
    add_item,
    check_received_on,
    move_item,
    refuse_papers_if_approved,
    remove_item,
    reorder_items,
    set_paper_received,
    update_item,
)
from adoption_desktop.panel.service.attendance import (
    RestMarked,
    declare_interest,
    item_quorum,
    mark_rest_present,
    record_item_absence,
    record_left_sitting,
    remove_declaration,
    remove_item_absence,
    remove_item_absences,
    set_attendance,
)
from adoption_desktop.panel.service.attendance import _item_quorum as _item_quorum
from adoption_desktop.panel.service.chair_approval import _approval_problems as _approval_problems
from adoption_desktop.panel.service.chair_approval import _approve as _approve
from adoption_desktop.panel.service.chair_approval import _check_approval_order as _check_approval_order
from adoption_desktop.panel.service.chair_approval import (
    approval_blockers,
    approve_minutes,
    build_handoff,
    current_handoff,
    item_members,
    item_text,
    minutes_corrections,
    open_correction,
    record_correction_handoff,
)
from adoption_desktop.panel.service.common import P, quorum_rule
from adoption_desktop.panel.service.common import _absences as _absences
from adoption_desktop.panel.service.common import _attendance as _attendance
from adoption_desktop.panel.service.common import _current_minutes as _current_minutes
from adoption_desktop.panel.service.common import _DeadlineRules as _DeadlineRules
from adoption_desktop.panel.service.common import _declarations as _declarations
from adoption_desktop.panel.service.common import _draft_of as _draft_of
from adoption_desktop.panel.service.common import _get as _get
from adoption_desktop.panel.service.common import _item as _item
from adoption_desktop.panel.service.common import _items as _items
from adoption_desktop.panel.service.common import _last_appraisals as _last_appraisals
from adoption_desktop.panel.service.common import _member_row as _member_row
from adoption_desktop.panel.service.common import _minutes_row as _minutes_row
from adoption_desktop.panel.service.common import _present_for_item as _present_for_item
from adoption_desktop.panel.service.common import _quorum as _quorum
from adoption_desktop.panel.service.common import _record_appraisal as _record_appraisal
from adoption_desktop.panel.service.common import _sitting as _sitting
from adoption_desktop.panel.service.common import _sitting_row as _sitting_row
from adoption_desktop.panel.service.common import _sitting_status as _sitting_status
from adoption_desktop.panel.service.common import _today as _today
from adoption_desktop.panel.service.common import _warn_settings as _warn_settings
from adoption_desktop.panel.service.data import (
    AbsenceRow,
    AttendanceRow,
    DeclarationRow,
    ItemInput,
    ItemParts,
    ItemRow,
    MemberInput,
    MemberRow,
    MinutesDraft,
    MinutesRow,
    PaperRow,
    SittingDetail,
    SittingInput,
    SittingRow,
    advice_text,
    minutes_draft_values,
)
from adoption_desktop.panel.service.documents_data import (
    INVITATIONS_WRITTEN,
    MinutesPack,
    minutes_pack,
    record_invitations_written,
    record_minutes_export,
    record_minutes_written,
)
from adoption_desktop.panel.service.members import _check_linked_user as _check_linked_user
from adoption_desktop.panel.service.members import _member_values as _member_values
from adoption_desktop.panel.service.members import _validate_member as _validate_member
from adoption_desktop.panel.service.members import (
    add_member,
    give_notice,
    list_members,
    update_member,
)
from adoption_desktop.panel.service.minutes import _apply_draft as _apply_draft
from adoption_desktop.panel.service.minutes import _clean_draft as _clean_draft
from adoption_desktop.panel.service.minutes import _complete as _complete
from adoption_desktop.panel.service.minutes import _locked_item_minutes as _locked_item_minutes
from adoption_desktop.panel.service.minutes import _minutes_done_by as _minutes_done_by
from adoption_desktop.panel.service.minutes import _minutes_values as _minutes_values
from adoption_desktop.panel.service.minutes import _validate_draft as _validate_draft
from adoption_desktop.panel.service.minutes import (
    correct_minutes,
    defer_item,
    defer_item_recorded,
    minutes_history,
    save_minutes,
    submit_minutes,
)
from adoption_desktop.panel.service.sittings import _check_time as _check_time
from adoption_desktop.panel.service.sittings import _sitting_for_edit as _sitting_for_edit
from adoption_desktop.panel.service.sittings import _sitting_values as _sitting_values
from adoption_desktop.panel.service.sittings import (
    cancel_sitting,
    list_sittings,
    move_sitting,
    open_item,
    record_calendar_export,
    schedule_sittings,
    sitting_detail,
    sitting_id_for,
)
from adoption_desktop.panel.snapshots import (
    AttendanceChange,
    Deferral,
    OrderChange,
    RemovedAbsence,
    RemovedDeclaration,
    RemovedItem,
)

__all__ = [
    "INVITATIONS_WRITTEN",
    "AbsenceRow",
    "AttendanceChange",
    "AttendanceRow",
    "DeclarationRow",
    "Deferral",
    "ItemInput",
    "ItemParts",
    "ItemRow",
    "MemberInput",
    "MemberRow",
    "MinutesDraft",
    "MinutesPack",
    "MinutesRow",
    "OrderChange",
    "P",
    "PaperRow",
    "RemovedAbsence",
    "RemovedDeclaration",
    "RemovedItem",
    "RestMarked",
    "SittingDetail",
    "SittingInput",
    "SittingRow",
    "add_item",
    "add_member",
    "advice_text",
    "approval_blockers",
    "approve_minutes",
    "build_handoff",
    "cancel_sitting",
    "check_received_on",
    "correct_minutes",
    "current_handoff",
    "declare_interest",
    "defer_item",
    "defer_item_recorded",
    "give_notice",
    "item_members",
    "item_quorum",
    "item_text",
    "list_members",
    "list_sittings",
    "mark_rest_present",
    "minutes_corrections",
    "minutes_draft_values",
    "minutes_history",
    "minutes_pack",
    "move_item",
    "move_sitting",
    "open_correction",
    "open_item",
    "quorum_rule",
    "record_calendar_export",
    "record_correction_handoff",
    "record_invitations_written",
    "record_item_absence",
    "record_left_sitting",
    "record_minutes_export",
    "record_minutes_written",
    "refuse_papers_if_approved",
    "remove_declaration",
    "remove_item",
    "remove_item_absence",
    "remove_item_absences",
    "reorder_items",
    "save_minutes",
    "schedule_sittings",
    "set_attendance",
    "set_paper_received",
    "sitting_detail",
    "sitting_id_for",
    "submit_minutes",
    "update_item",
    "update_member",
]
