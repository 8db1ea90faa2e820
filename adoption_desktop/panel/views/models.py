"""Table models of the panel screens (rows are the service's frozen dataclasses)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt

from adoption_desktop.panel import rules
from adoption_desktop.panel.service import AttendanceRow, ItemRow, MemberRow, SittingRow
from adoption_desktop.ui.table_model import DUE_TODAY_BRUSH, OVERDUE_BRUSH, Column, RowTableModel

Index = QModelIndex | QPersistentModelIndex
_MIME = "application/x-adoption-desktop-agenda-row"

SITTING_COLUMNS: list[Column[SittingRow]] = [
    Column("Date", lambda s: s.sitting_date),
    Column("Time", lambda s: f"{s.start_time}–{s.end_time}"),
    Column("Place", lambda s: s.place),
    Column("Items", lambda s: s.item_count, align_right=True),
    Column("Papers due", lambda s: s.papers_deadline),
    Column("Status", lambda s: s.status + (f" ({s.status_reason})" if s.status_reason else ""),
           foreground=lambda s: OVERDUE_BRUSH if s.status == "cancelled" else None),
]

#: Red "NOT QUORATE" only for a real shortfall; before any attendance is recorded the cell stays neutral.
QUORUM_LABELS = {"quorate": "quorate", "inquorate": "NOT QUORATE", "not_recorded": "attendance not recorded"}

ITEM_COLUMNS: list[Column[ItemRow]] = [
    Column("#", lambda i: i.position, align_right=True),
    Column("Time", lambda i: i.time_slot),
    Column("Case type", lambda i: i.case_label),
    Column("Subject", lambda i: i.subject),
    Column("Presenter", lambda i: i.presenting_worker),
    Column("Late papers", lambda i: i.late_papers or "", align_right=True,
           foreground=lambda i: OVERDUE_BRUSH if i.late_papers else None),
    Column("Quorum", lambda i: QUORUM_LABELS[i.quorum_state],
           foreground=lambda i: OVERDUE_BRUSH if i.quorum_state == "inquorate" else None,
           tooltip=lambda i: "\n".join(i.quorum.reasons) if i.quorum_state == "inquorate" else i.quorum_text),
    Column("Outcome", lambda i: i.outcome_label),
    Column("Minutes", lambda i: i.minutes_status),
]

ATTENDANCE_COLUMNS: list[Column[AttendanceRow]] = [
    Column("Name", lambda a: a.full_name),
    Column("Role", lambda a: a.role_label + (" (adviser, not a member)" if a.is_adviser else "")),
    Column("Independent", lambda a: "yes" if a.independent and not a.is_adviser else ""),
    Column("Attendance", lambda a: rules.ATTENDANCE.get(a.status, "not recorded"),
           foreground=lambda a: DUE_TODAY_BRUSH if not a.status else None),
]

MEMBER_COLUMNS: list[Column[MemberRow]] = [
    Column("Name", lambda m: m.full_name),
    Column("Role", lambda m: m.role_label),
    Column("PQE", lambda m: m.pqe_years, align_right=True),
    Column("Independent", lambda m: "yes" if m.independent else ""),
    Column("Joined", lambda m: m.joined_on),
    Column("Appraisal due", lambda m: m.appraisal_due),
    Column("Leaves", lambda m: m.leaves_on, tooltip=lambda m: m.leaving_reason or None),
    Column("Warnings", lambda m: "; ".join(m.warnings),
           foreground=lambda m: OVERDUE_BRUSH if any("overdue" in w or w.startswith("No ") for w in m.warnings)
           else DUE_TODAY_BRUSH if m.warnings else None),
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
        super().__init__([Column("Member", lambda a: a.full_name),
                          Column("View", lambda a: self.views.get(a.member_id, ""))], (), parent)
        self.views: dict[int, str] = {}
        self.read_only = False

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
        self.dataChanged.emit(index, index)
        return True
