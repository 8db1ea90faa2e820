"""Table models of the panel screens (rows are the service's frozen dataclasses)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt

from adoption_desktop.panel import rules
from adoption_desktop.panel.service import AttendanceRow, ItemRow, MemberRow, SittingRow
from adoption_desktop.ui.table_model import DUE_TODAY_BRUSH, OVERDUE_BRUSH, Column, RowTableModel

Index = QModelIndex | QPersistentModelIndex
_MIME = "application/x-adoption-desktop-agenda-row"

def sittings_urgent_first(rows: list[SittingRow], today: dt.date) -> list[SittingRow]:
    """Sittings to come (today's included) in date order, then past sittings, the latest first."""
    coming = sorted((r for r in rows if r.sitting_date >= today), key=lambda r: (r.sitting_date, r.start_time, r.id))
    held = sorted((r for r in rows if r.sitting_date < today), key=lambda r: (r.sitting_date, r.start_time, r.id),
                  reverse=True)
    return coming + held


# The place is long and goes last, so that date, status and the papers deadline are visible on a
# 1366-pixel screen without scrolling sideways.
SITTING_COLUMNS: list[Column[SittingRow]] = [
    Column("Date", lambda s: s.sitting_date,
           tooltip=lambda s: rules.sitting_when(s.sitting_date, s.start_time, s.end_time)),
    Column("Starts", lambda s: s.start_time),
    Column("Status", lambda s: s.status + (", moved" if s.moved_from and s.status != "cancelled" else ""),
           tooltip=lambda s: s.status_reason or None,
           foreground=lambda s: OVERDUE_BRUSH if s.status == "cancelled" else None),
    Column("Items", lambda s: s.item_count, align_right=True),
    Column("Papers due", lambda s: s.papers_deadline),
    Column("Place", lambda s: s.place, tooltip=lambda s: s.place or None),
]

#: Red "NOT QUORATE" only for a real shortfall; before any attendance is recorded the cell stays neutral.
QUORUM_LABELS = {"quorate": "quorate", "inquorate": "NOT QUORATE", "not_recorded": "attendance not recorded"}

#: Short case-type labels for the agenda table (the full label is the tooltip and is used everywhere else).
CASE_SHORT = {"approval": "Approval", "match": "Match", "relinquished": "Relinquished child",
              "review": "Review", "termination": "Termination", "early_permanence": "Early permanence",
              "other": "Other business"}

# What the panel needs at a glance first (quorum, outcome, minutes); time and presenter last.
ITEM_COLUMNS: list[Column[ItemRow]] = [
    Column("#", lambda i: i.position, align_right=True),
    Column("Case type", lambda i: CASE_SHORT.get(i.case_type, i.case_label), tooltip=lambda i: i.case_label),
    Column("Subject", lambda i: i.subject),
    Column("Quorum", lambda i: QUORUM_LABELS[i.quorum_state],
           foreground=lambda i: OVERDUE_BRUSH if i.quorum_state == "inquorate" else None,
           tooltip=lambda i: "\n".join(i.quorum.reasons) if i.quorum_state == "inquorate" else i.quorum_text),
    Column("Late", lambda i: i.late_papers or "", align_right=True,
           foreground=lambda i: OVERDUE_BRUSH if i.late_papers else None,
           tooltip=lambda i: "; ".join(f"{p.label}: {p.on_time_text}" for p in i.papers
                                       if p.state in ("late", "overdue", "awaited")) or None),
    Column("Outcome", lambda i: i.outcome_label),
    Column("Minutes", lambda i: i.minutes_status),
    Column("Time", lambda i: i.time_slot),
    Column("Presenter", lambda i: i.presenting_worker),
]

ATTENDANCE_COLUMNS: list[Column[AttendanceRow]] = [
    Column("Name", lambda a: a.full_name),
    Column("Role", lambda a: a.role_label + (" (adviser, not a member)" if a.is_adviser else "")),
    Column("Independent", lambda a: "yes" if a.independent and not a.is_adviser else ""),
    Column("Attendance", lambda a: rules.ATTENDANCE.get(a.status, "not recorded"),
           foreground=lambda a: DUE_TODAY_BRUSH if not a.status else None),
]

def _appraisal_tip(m: MemberRow) -> str | None:
    held = f"Last appraisal held {m.appraised_on:%d/%m/%Y}." if m.appraised_on else "No appraisal recorded as held."
    if m.next_appraisal is not None and m.next_appraisal != m.appraisal_due:
        typed = f"{m.appraisal_due:%d/%m/%Y}" if m.appraisal_due else "none"
        return (f"{held} Members are appraised annually: the next is due a year after the last one at the latest "
                f"(Appraisal due typed in the member's form: {typed}).")
    return held


MEMBER_COLUMNS: list[Column[MemberRow]] = [
    Column("Name", lambda m: m.full_name),
    Column("Role", lambda m: m.role_label),
    Column("Warnings", lambda m: "; ".join(m.warnings),
           foreground=lambda m: OVERDUE_BRUSH if any("overdue" in w or w.startswith("No ") for w in m.warnings)
           else DUE_TODAY_BRUSH if m.warnings else None),
    Column("PQE", lambda m: m.pqe_years, align_right=True),
    Column("Independent", lambda m: "yes" if m.independent else ""),
    Column("Joined", lambda m: m.joined_on),
    # the next appraisal as the warning counts it (rules.next_appraisal_due: a year after the last one held at
    # the latest); the tooltip says where the date comes from
    Column("Appraisal due", lambda m: m.next_appraisal, tooltip=_appraisal_tip),
    Column("Leaves", lambda m: m.leaves_on, tooltip=lambda m: m.leaving_reason or None),
]


class AgendaModel(RowTableModel[ItemRow]):
    """Agenda rows that can be dragged into a new order; ``on_reorder(ids)`` saves it."""

    def __init__(self, on_reorder: Callable[[list[int]], None], parent: Any = None) -> None:
        super().__init__(ITEM_COLUMNS, (), parent)
        self.on_reorder = on_reorder

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        data = QMimeData()
        rows = sorted({i.row() for i in indexes})
        data.setData(_MIME, QByteArray(",".join(map(str, rows)).encode()))
        return data

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                     parent: Index) -> bool:
        if not data.hasFormat(_MIME):
            return False
        moving = [int(x) for x in bytes(data.data(_MIME).data()).decode().split(",") if x]
        target = row if row >= 0 else (parent.row() if parent.isValid() else self.rowCount())
        self.on_reorder(reorder([r.id for r in self.rows()], moving, target))
        return False  # the page reloads from the database; nothing for the view to remove

    def moveRows(self, *_args: Any) -> bool:  # noqa: N802
        return False


def reorder(ids: list[int], moving_rows: list[int], target_row: int) -> list[int]:
    """``ids`` with the rows ``moving_rows`` placed before ``target_row`` (drag-and-drop semantics)."""
    moved = [ids[r] for r in moving_rows]
    before = sum(1 for r in moving_rows if r < target_row)
    rest = [i for n, i in enumerate(ids) if n not in set(moving_rows)]
    at = max(0, min(len(rest), target_row - before))
    return rest[:at] + moved + rest[at:]


class ViewsModel(RowTableModel[AttendanceRow]):
    """Each member's view on an item: the member column is fixed, the view column is editable."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__([Column("Member", lambda a: a.full_name,
                                 foreground=lambda a: OVERDUE_BRUSH if self._missing(a) else None,
                                 tooltip=lambda a: ("No view yet: the chair cannot approve until a view, or "
                                                    "\"No view recorded: reason\", is entered."
                                                    if self._missing(a) else None)),
                          Column("View", lambda a: self.views.get(a.member_id, ""))], (), parent)
        self.views: dict[int, str] = {}
        self.read_only = False

    def _missing(self, a: AttendanceRow) -> bool:
        """No view, or "No view recorded" without a reason (panel.rules.missing_views)."""
        return bool(rules.missing_views({a.member_id: a.full_name}, self.views))

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == 1 and not self.read_only:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid() and index.column() == 1:
            return self.views.get(self.row_at(index.row()).member_id, "")
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != 1:
            return False
        self.views[self.row_at(index.row()).member_id] = str(value)
        self.dataChanged.emit(self.index(index.row(), 0), index)  # the member's name turns from red too
        return True
