"""The Panel page: sittings (agenda, attendance, minutes) and the central list.

Keyboard: Ctrl+N new sitting; Ctrl+I add agenda item; Alt+Up / Alt+Down move the item; Ctrl+D declare an
interest; Alt+Q a member not present for the item, Alt+K present for it again; Alt+Z defer the item to a
later sitting; Ctrl+E export the minutes;
in the attendance list P present, A apologies, X absent; the minutes editor has its own shortcuts (see
``minutes_editor``). Every tab and button has a mnemonic (Alt+S Sittings, Alt+N Central list, Alt+J Adopters'
journey), or, where every letter is taken on its tab, a key of its own named in its tooltip (New sitting…
Ctrl+N, Add item… Ctrl+I, Declare interest… Ctrl+D): ``tests/ui/test_mnemonics.py`` checks every tab.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShortcutEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDateEdit,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.settings_service import calendar, closure_reasons, get_setting
from adoption_desktop.core.undo import UndoEntry
from adoption_desktop.core.wording import plural, weekday_date
from adoption_desktop.panel import rules
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import settings as panel_settings
from adoption_desktop.panel import undo as panel_undo
from adoption_desktop.panel.service import ItemRow, MemberRow, SittingDetail, SittingRow
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.minutes_editor import MinutesEditor
from adoption_desktop.panel.views.models import (
    ATTENDANCE_COLUMNS,
    MEMBER_COLUMNS,
    SITTING_COLUMNS,
    AgendaModel,
    sittings_urgent_first,
)
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.conflict import OwnEdit
from adoption_desktop.ui.context import AppContext, CountsFromToday
from adoption_desktop.ui.dates import DateEdit, field_label, qdate
from adoption_desktop.ui.dialogs import plain_error
from adoption_desktop.ui.discard import field_values
from adoption_desktop.ui.empty_note import EmptyNote
from adoption_desktop.ui.files import save_file_name
from adoption_desktop.ui.fit import keep_label_whole
from adoption_desktop.ui.forms import child
from adoption_desktop.ui.letter_save import ask_letter_path
from adoption_desktop.ui.list_keys import select_row
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.presence import PresenceBanner
from adoption_desktop.ui.record_history import history_button
from adoption_desktop.ui.table_model import RowTableModel
from adoption_desktop.ui.table_view import make_table_view
from adoption_desktop.ui.today_default import TodayDefaults, keep_opened
from adoption_desktop.ui.undo import RefusedEntry
from adoption_desktop.ui.wrap_row import WrapRow


def _table(name: str, model: Any) -> QTableView:
    view = make_table_view(model, name)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


_DECLARATIONS_LOCKED = ("The minutes of item {position} are approved; its declarations of interest decide who "
                        "counted to its quorum. To correct them, make a correction of the minutes first (Minutes "
                        "tab, Make a correction…).")
_PRESENCE_LOCKED = ("The minutes of item {position} are approved; who was present for it decided its quorum. To "
                    "correct it, make a correction of the minutes first (Minutes tab, Make a correction…).")
_ITEM_LOCKED = "The minutes of item {position} are approved; the item's details are part of them."
_ORDER_LOCKED = "The minutes of item {position} are approved; they number the items in this order."
_MOVE_LOCKED = "The minutes of item {position} are approved and dated by this sitting."
_CANCEL_LOCKED = "Item {position} has an outcome recorded: the panel sat, so the sitting cannot be cancelled."
_INVITATIONS_TIP = ("A letter to the prospective adopters of each case on this sitting's agenda: when and where, "
                    "who sits on the panel, and by when to say if they know any of them.")
_REMOVE_LOCKED = "Item {position} has minutes; it cannot be removed (defer it instead)."


#: the buttons without an Alt letter (every letter of their text is taken on their tab): the key of their own,
#: kept in the tooltip whatever else it says
_KEY_TIPS = {"add_item": "Ctrl+I: add a case to this sitting's agenda",
             "declare": "Ctrl+D: declare an interest on the selected item"}


def _key_tip(name: str, tip: str) -> str:
    """``tip`` for the button ``name``, with its own key when it has one (its only key from the keyboard)."""
    key = _KEY_TIPS.get(name, "").split(":")[0]
    if not key:
        return tip
    return f"{tip} ({key})" if tip else _KEY_TIPS[name]


def _button(text: str, slot: Callable[[], Any], name: str, tip: str = "") -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    if tip:
        b.setToolTip(tip)
    b.clicked.connect(lambda _=False: slot())
    return b


def _shortcut(parent: QWidget, keys: str, slot: Callable[[], Any]) -> QShortcut:
    sc = QShortcut(QKeySequence(keys), parent)
    sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    sc.activated.connect(slot)
    return sc


class PanelPage(CountsFromToday, QWidget):
    def __init__(self, ctx: AppContext, today: dt.date | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self._today = today
        self.detail: SittingDetail | None = None
        # the sitting / item whose opening is already audited: a refresh of the same one writes nothing
        self._viewed_sitting: int | None = None
        self._viewed_item: int | None = None
        self.dialog: Any = None  # the open dialog (tests drive it from the keyboard)
        can_edit = ctx.can(Permission.PANEL_EDIT)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("panel_tabs")
        layout.addWidget(self.tabs)
        self.status = MessageLine()
        self.status.setObjectName("panel_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        # --- sittings tab ------------------------------------------------------------------------
        sittings_tab = QWidget()
        self._sittings_tab = sittings_tab
        split = QSplitter(Qt.Orientation.Horizontal)
        QVBoxLayout(sittings_tab).addWidget(split)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        self.sittings_model: RowTableModel[SittingRow] = RowTableModel(SITTING_COLUMNS, (), self)
        self.sittings_view = _table("sittings", self.sittings_model)
        # the place is last and stretches into what is left (elided; full text in the tooltip)
        self.sittings_view.horizontalHeader().setSectionResizeMode(len(SITTING_COLUMNS) - 1,
                                                                    QHeaderView.ResizeMode.Stretch)
        self.sittings_view.setWordWrap(False)
        self.sittings_empty = EmptyNote(self.sittings_view, lambda: " ".join(filter(None, (
            "No sittings yet.", "Schedule the first with New sitting… (Ctrl+N)." if can_edit else ""))))
        # no Alt letter of its own: Alt+S, the Sittings tab's, puts the keyboard in this list (see eventFilter)
        label = QLabel("Sittings")
        label.setBuddy(self.sittings_view)
        left_layout.addWidget(label)
        left_layout.addWidget(self.sittings_view)
        # two rows of two: in one row the four buttons made the page wider than its share of a 1366-pixel
        # screen's window (it scrolled sideways by 61 px there)
        grid = QGridLayout()
        # Ctrl+N rather than Alt+N: the Central list tab is Alt+N (every letter of "Central list" is taken on
        # the Minutes tab otherwise)
        self.new_sitting_button = _button("New sitting…", self.new_sitting, "new_sitting",
                                          "Ctrl+N: one sitting, or a run of them")
        buttons = (self.new_sitting_button, _button("Cance&l sitting…", self.cancel_sitting, "cancel_sitting"),
                   _button("Mo&ve sitting…", self.move_sitting, "move_sitting"),
                   _button("Calendar (.i&cs)…", self.export_calendar, "export_calendar"))
        for n, w in enumerate(buttons):
            grid.addWidget(w, n // 2, n % 2)
            if w.objectName() != "export_calendar":
                w.setEnabled(can_edit)
        left_layout.addLayout(grid)
        split.addWidget(left)

        self.detail_tabs = QTabWidget()
        self.detail_tabs.setObjectName("detail_tabs")
        split.addWidget(self.detail_tabs)
        split.setSizes([400, 880])

        # agenda
        agenda = QWidget()
        agenda_layout = QVBoxLayout(agenda)
        self.sitting_heading = QLabel()
        self.sitting_heading.setObjectName("sitting_heading")
        self.sitting_heading.setWordWrap(True)
        # kept at the height of its lines: the agenda's minimum counted it one line high, and at 150 % on the
        # demo's sitting day its third line took the room of the item-presence row below (a line of it hidden)
        keep_label_whole(self.sitting_heading)
        agenda_layout.addWidget(self.sitting_heading)
        self.agenda_model = AgendaModel(self._reorder, self)
        self.agenda_view = _table("agenda", self.agenda_model)
        self.agenda_view.setDragEnabled(can_edit)
        self.agenda_view.setAcceptDrops(can_edit)
        self.agenda_view.setDropIndicatorShown(True)
        self.agenda_view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.agenda_view.setWordWrap(False)
        # Enter or a double-click on an item (``activated``) opens it, as Edit… does (Enter did nothing)
        self.agenda_view.activated.connect(lambda _i: self.edit_item())
        agenda_layout.addWidget(self.agenda_view, 1)
        # two short rows rather than one long one, so the window fits a 1366-pixel laptop screen
        # every letter of "Add item", "Papers" and "Declare interest" is taken on this tab: Add item… and Declare
        # interest… have keys of their own (in their tooltips), Papers… Alt+B; Children… has Alt+D
        for group in ((("Add item…", self.add_item, "add_item"), ("&Edit…", self.edit_item, "edit_item"),
                       ("Papers (&B)…", self.papers, "papers"), ("Declare interest…", self.declare, "declare")),
                      (("Move &up", lambda: self.move_item(-1), "move_up"),
                       ("Move do&wn", lambda: self.move_item(1), "move_down"),
                       ("&Remove", self.remove_item, "remove_item"),
                       # every letter of "Defer to a later sitting" is taken on this tab: Alt+Z
                       ("Defer to a later sitting (&Z)…", self.defer_item, "defer_item"),
                       ("Chil&dren…", self.open_children, "item_children"))):
            row = WrapRow()  # wraps on a narrow (scaled) screen instead of scrolling the page sideways
            for text, slot, name in group:
                b = _button(text, slot, name, _KEY_TIPS.get(name, ""))
                b.setEnabled(can_edit)
                row.addWidget(b)
                if name == "declare":
                    self.declare_button = b
            row.addStretch(1)
            agenda_layout.addLayout(row)
        self._can_edit = can_edit
        # who of those present at the sitting was out of the room for the selected item (not counted)
        row = WrapRow()
        self.item_presence = QLabel()
        self.item_presence.setObjectName("item_presence")
        self.item_presence.setWordWrap(True)
        row.addWidget(self.item_presence, 1)
        for text, slot, name in (("Not present for item (&quorum)…", self.record_absence, "item_absence"),
                                 ("Mar&k present again…", self.remove_absence, "item_present_again")):
            b = _button(text, slot, name)
            b.setEnabled(can_edit)
            row.addWidget(b)
            if name == "item_absence":
                self.absence_button = b
            else:
                self.present_again_button = b
        agenda_layout.addLayout(row)
        row = WrapRow()
        row.addWidget(_button("E&xport minutes (.docx)…", self.export_minutes, "export_minutes", "Ctrl+Shift+E"))
        row.addWidget(_button("Case file cop&y of item…", self.export_extract, "export_extract"))
        row.addWidget(_button("Invitati&ons (PDF)…", self.export_invitations, "export_invitations"))
        # administrators: who opened or changed the selected item (its papers, minutes …), from the audit log
        row.addWidget(history_button(ctx, agenda, "panel_items", lambda: (
            (self.item.id, f"panel item {self.item.position} ({self.item.subject_reference})") if self.item
            else (None, ""))))
        row.addStretch(1)
        agenda_layout.addLayout(row)
        self.detail_tabs.addTab(agenda, "&Agenda")

        # attendance
        attendance = QWidget()
        att_layout = QVBoxLayout(attendance)
        att_help = QLabel("Select a person and press P (present), A (apologies) or X (absent). "
                          "Advisers are recorded but never count to quorum.")
        att_help.setWordWrap(True)
        att_layout.addWidget(att_help)
        self.attendance_model: RowTableModel[svc.AttendanceRow] = RowTableModel(ATTENDANCE_COLUMNS, (), self)
        self.attendance_view = _table("attendance", self.attendance_model)
        att_layout.addWidget(self.attendance_view, 1)
        row = WrapRow()
        for text, status, name in (("Pr&esent", "present", "mark_present"), ("Ap&ologies", "apologies",
                                                                             "mark_apologies"),
                                   ("A&bsent", "absent", "mark_absent")):
            b = _button(text, partial(self.mark, status), name)
            b.setEnabled(can_edit)
            row.addWidget(b)
        all_present = _button("All not recorded → p&resent", self.mark_rest_present, "mark_rest_present")
        all_present.setEnabled(can_edit)
        row.addWidget(all_present)
        row.addStretch(1)
        att_layout.addLayout(row)
        if can_edit:
            for key, status in (("P", "present"), ("A", "apologies"), ("X", "absent")):
                sc = QShortcut(QKeySequence(key), self.attendance_view)
                sc.setContext(Qt.ShortcutContext.WidgetShortcut)
                sc.activated.connect(partial(self.mark, status, True))
        self.detail_tabs.addTab(attendance, "A&ttendance")

        # minutes
        self.minutes = MinutesEditor(self._save_minutes, self._submit_minutes, can_edit=can_edit,
                                     waiting=lambda: self.ctx.db.waiting_for_writer, stored=self._stored_minutes,
                                     defer_problem=self._defer_problem)
        self.minutes.setObjectName("minutes_editor")
        self.minutes.saved.connect(self._refresh_agenda_rows)
        self.minutes.item_shown.connect(self._item_opened)
        self.minutes.approve_requested.connect(self.approve)
        self.minutes.correct_requested.connect(self.correct)
        self.minutes.reload_requested.connect(lambda item_id: self._load_detail(keep_item=item_id))
        self.minutes_presence = PresenceBanner(ctx, self.minutes, editing=can_edit)
        editor_layout = self.minutes.layout()
        if isinstance(editor_layout, QVBoxLayout):
            editor_layout.insertWidget(1, self.minutes_presence)
        self.minutes.item_shown.connect(lambda item_id: self.minutes_presence.set_target("panel_items", item_id))
        self.minutes.approve_button.setVisible(ctx.can(Permission.PANEL_APPROVE_MINUTES))
        self.detail_tabs.addTab(self.minutes, "&Minutes")
        self.detail_tabs.currentChanged.connect(self._tab_changed)
        self.detail_tabs.tabBar().installEventFilter(self)  # Alt+M on the Minutes tab already shown
        self.tabs.addTab(sittings_tab, "&Sittings")  # Ctrl+Tab switches too

        # --- central list tab --------------------------------------------------------------------------
        members_tab = QWidget()
        m_layout = QVBoxLayout(members_tab)
        self.members_model: RowTableModel[MemberRow] = RowTableModel(MEMBER_COLUMNS, (), self)
        self.members_view = _table("members", self.members_model)
        self.members_empty = EmptyNote(self.members_view, lambda: " ".join(filter(None, (
            "No panel members yet.", "Add the first with Add member… (Alt+M)." if can_edit else ""))))
        m_help = QLabel("The central list: members and advisers. Advisers attend but are not members. "
                        "Warnings show appraisals, DBS checks and training falling due.")
        m_help.setWordWrap(True)
        m_layout.addWidget(m_help)
        m_layout.addWidget(self.members_view, 1)
        row = WrapRow()
        for text, slot, name in (("Add &member…", self.add_member, "add_member"),
                                 ("&Edit member…", self.edit_member, "edit_member"),
                                 ("Notice of &leaving…", self.notice, "notice")):
            b = _button(text, slot, name)
            b.setEnabled(can_edit)
            row.addWidget(b)
            if name == "edit_member":  # Enter or a double-click on a member: what Edit member… does
                self.members_view.activated.connect(lambda _i, b=b: b.click())
        row.addStretch(1)
        m_layout.addLayout(row)
        self.tabs.addTab(members_tab, "Ce&ntral list")
        from adoption_desktop.journey.views.adopters import AdoptersJourneyTab

        self.adopters_tab = AdoptersJourneyTab(ctx)
        self.tabs.addTab(self.adopters_tab, "Adopters' &journey")
        self.tabs.tabBar().installEventFilter(self)  # Alt+S on the Sittings tab already shown: into the list

        if can_edit:
            _shortcut(self, "Ctrl+N", self.new_sitting)
            _shortcut(self, "Ctrl+I", self.add_item)
            _shortcut(self, "Ctrl+D", self.declare)
            _shortcut(self, "Alt+Up", lambda: self.move_item(-1))
            _shortcut(self, "Alt+Down", lambda: self.move_item(1))
        _shortcut(self, "Ctrl+Shift+E", self.export_minutes)  # not Ctrl+E: end of line in Linux text boxes
        _shortcut(self, "Ctrl+F", self.focus_find)
        self.sittings_view.selectionModel().currentRowChanged.connect(lambda *_: self._load_detail())
        self.agenda_view.selectionModel().currentRowChanged.connect(self._agenda_row)
        self.reload()
        ctx.after_undo.append(self._after_undo)
        # a sitting today becomes held, papers and minutes fall due, members' terms and checks run out
        ctx.after_new_day.append(lambda _day: self.reload())

    def focus_find(self) -> None:
        """Ctrl+F, as in the other areas: a case on any sitting is found with Search everywhere (Ctrl+K),
        which lists panel items by case number, initials and date and opens the one chosen here."""
        search = getattr(self.window(), "search_everywhere", None)
        if search is not None:
            search.open()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not event.spontaneous():  # opened (Ctrl+1, the Areas list): the arrow keys move in the sittings
            self.sittings_view.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- helpers ------------------------------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        error_tint(self.status, error)
        self.status.setText(text)

    def _run(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except AppError as exc:
            self.say(str(exc), error=True)
            return None

    def _after(self, message: str, keep_item: int | None = None) -> None:
        if keep_item is None:
            self.reload()
        else:
            self._load_detail(keep_item=keep_item)
        self.say(message)

    def _open(self, dialog: Any, today_dates: tuple[QDateEdit, ...] = (), today_words: tuple[str, ...] = ()) -> None:
        """``today_dates``: the dialog's date fields showing "today" as their default: while untouched they
        follow the date changing with the dialog open, and OK pressed after midnight moves them and saves
        nothing on that press when one moved is in use (enabled) (``ui.today_default``). ``today_words``: how
        a message names each (its label, by default)."""
        self.dialog = dialog
        if today_dates:
            self._follow_midnight(dialog, today_dates, today_words)
        from shiboken6 import isValid

        before = QApplication.focusWidget()

        def back(_result: int) -> None:
            # return the keyboard to where it was (done-callbacks may already have moved it on purpose)
            self.activateWindow()
            focus = QApplication.focusWidget()
            if ((focus is None or focus.window() is not self.window()) and before is not None
                    and isValid(before) and before.isVisible()):  # the widget may be gone by now
                before.setFocus()

        dialog.finished.connect(back)
        dialog.open()

    @property
    def sitting(self) -> SittingRow | None:
        idx = self.sittings_view.currentIndex()
        return self.sittings_model.row_at(idx.row()) if idx.isValid() else None

    @property
    def item(self) -> ItemRow | None:
        idx = self.agenda_view.currentIndex()
        return self.agenda_model.row_at(idx.row()) if idx.isValid() else None

    def _sittings(self) -> list[SittingRow]:
        """The sittings most urgent first: those to come from the next onwards, then those held, the last
        first (a year of sittings scheduled ahead no longer pushes the next one to the foot of the list)."""
        rows = self._run(lambda: svc.list_sittings(self.ctx.db, self.ctx.principal, today=self.today)) or []
        return sittings_urgent_first(rows, self.today)

    def reload(self, select_sitting: int | None = None) -> None:
        current = select_sitting or (self.sitting.id if self.sitting else None)
        rows = self._sittings()
        self.sittings_model.set_rows(rows)
        target = next((n for n, r in enumerate(rows) if r.id == current), None)
        if target is None and rows:
            # the next sitting not cancelled (or, with none to come, the last one held)
            target = next((n for n, r in enumerate(rows) if r.status != "cancelled" and r.sitting_date >= self.today), 0)
        if target is not None:
            self.sittings_view.selectRow(target)
        self._load_detail()
        self.reload_members()

    def _grey_invitations(self) -> None:
        """*Invitations (PDF)…* only for a sitting still to come: greyed for one today or earlier, or
        cancelled, its tooltip saying why (user trial: letters were written for a sitting already held)."""
        invite = self.findChild(QPushButton, "export_invitations")
        if invite is not None:
            s = self.sitting
            problem = None if s is None else rules.invitations_problem(s.sitting_date, s.status, self.today)
            invite.setEnabled(s is not None and problem is None)
            invite.setToolTip(problem or _INVITATIONS_TIP)

    def _load_detail(self, keep_item: int | None = None) -> None:
        s = self.sitting
        self._grey_invitations()
        if s is None:
            self.detail = None
            self.agenda_model.set_rows([])
            self.attendance_model.set_rows([])
            self.minutes.set_items([], [])
            self.sitting_heading.setText("No sitting selected.")
            keep_label_whole(self.sitting_heading)
            return
        keep_item = keep_item or (self.item.id if self.item else None)
        opened = s.id != self._viewed_sitting
        detail = self._run(lambda: svc.sitting_detail(self.ctx.db, self.ctx.principal, s.id, today=self.today,
                                                      opened=opened))
        if detail is None:
            return
        self._viewed_sitting = s.id
        self.detail = detail
        d = detail.sitting
        self.sitting_heading.setText(
            f"<b>{rules.sitting_when(d.sitting_date, d.start_time, d.end_time)}</b> — {d.place or 'no venue'} "
            f"({d.status})<br>Papers due {d.papers_deadline:%d/%m/%Y}; final minutes due {d.minutes_due:%d/%m/%Y}.")
        keep_label_whole(self.sitting_heading)
        self.agenda_model.set_rows(detail.items)
        ids = [i.id for i in detail.items]
        self.agenda_view.selectRow(ids.index(keep_item) if keep_item in ids else 0)
        att_row = self.attendance_view.currentIndex().row()
        self.attendance_model.set_rows(detail.attendance)
        self.attendance_view.selectRow(max(0, att_row))
        self.minutes.set_items(detail.items, detail.attendance, keep=keep_item)
        self._show_item_presence()

    def _refresh_agenda_rows(self) -> None:
        keep = self.minutes.current.id if self.minutes.current else None
        self.agenda_model.set_rows(self.minutes.items)
        ids = [i.id for i in self.minutes.items]
        if keep in ids:
            self.agenda_view.selectRow(ids.index(keep))

    def _item_opened(self, item_id: int) -> None:
        if item_id != self._viewed_item:
            self._viewed_item = item_id
            self._run(lambda: svc.open_item(self.ctx.db, self.ctx.principal, item_id))

    def _show_item_presence(self) -> None:
        item = self.item
        self._grey_held_sitting(item)
        if item is None:
            self.item_presence.setText("")
        elif item.absences:
            self.item_presence.setText(f"<b>Not present for item {item.position}:</b> "
                                       + escape("; ".join(x.text for x in item.absences)) + ". "
                                       + escape(item.quorum_text))
        else:
            self.item_presence.setText(f"Nobody is recorded as out of the room for item {item.position}.")

    def _grey_held_sitting(self, item: ItemRow | None) -> None:
        """What approved minutes lock is greyed, saying why (the service and undo refuse it the same way):
        the item's declarations and who was in the room for it (they decided its quorum; open again while a
        correction of its minutes is open), its details, the agenda's order and the sitting's date (a
        correction draft included); a sitting with an outcome recorded is not cancelled, and an item with
        minutes is not removed."""
        def ever_approved(i: ItemRow) -> bool:  # a correction is made only of approved minutes
            return i.minutes is not None and (i.minutes.status == "approved" or i.minutes.supersedes_id is not None)

        items = self.minutes.items
        approved = next((i.position for i in items if ever_approved(i)), None)
        minuted = next((i.position for i in items if i.minutes is not None and i.minutes.draft.outcome), None)
        item_locked = item.position if item is not None and item.quorum_locked else None
        details_locked = item.position if item is not None and ever_approved(item) else None
        locks = ((("declare",), _DECLARATIONS_LOCKED, item_locked),
                 (("item_absence", "item_present_again"), _PRESENCE_LOCKED, item_locked),
                 (("edit_item",), _ITEM_LOCKED, details_locked),
                 (("move_up", "move_down"), _ORDER_LOCKED, approved),
                 (("move_sitting",), _MOVE_LOCKED, approved),
                 (("cancel_sitting",), _CANCEL_LOCKED, minuted),
                 (("remove_item",), _REMOVE_LOCKED, item.position if item is not None and item.minutes else None))
        for names, why, position in locks:
            for name in names:
                button = self.findChild(QPushButton, name)
                if button is not None:
                    button.setEnabled(self._can_edit and position is None)
                    button.setToolTip(_key_tip(name, "" if position is None else why.format(position=position)))
        defer = self.findChild(QPushButton, "defer_item")
        if defer is not None:
            problem = self._defer_problem(item)
            defer.setEnabled(self._can_edit and problem is None)
            defer.setToolTip(problem or "Record the item as deferred and put the case on a later sitting's agenda, "
                                        "linked to this item.")

    def _agenda_row(self, *_args: object) -> None:
        self._show_item_presence()
        if self.item is not None and not self.minutes.show_item(self.item.id) and self.minutes.current:
            # the minutes of the current item have unsaved, refused edits: stay on it (nothing is lost)
            ids = [i.id for i in self.agenda_model.rows()]
            if self.minutes.current.id in ids:
                self.agenda_view.selectionModel().blockSignals(True)
                self.agenda_view.selectRow(ids.index(self.minutes.current.id))
                self.agenda_view.selectionModel().blockSignals(False)
            self.say(self.minutes.message.text(), error=True)

    def _tab_changed(self, index: int) -> None:
        if self.detail_tabs.widget(index) is self.minutes:
            # inside the editor even when the outcome is greyed (locked minutes, the chair): its keys then act
            # on the minutes shown, not on the Sittings list the keyboard was left in
            self.minutes.focus_first()
        else:
            self.minutes.flush()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Alt+M when the Minutes tab is already the one shown moves the keyboard into the editor too (the tab
        bar only changes tabs, so nothing happened and the keyboard stayed in the Sittings list). Alt+S, the
        Sittings tab, puts the keyboard in the list of sittings (the list's own Alt+S before the tab had one)."""
        if event.type() == QEvent.Type.Shortcut and isinstance(event, QShortcutEvent) \
                and watched is self.tabs.tabBar():
            index = self.tabs.indexOf(self._sittings_tab)
            if index >= 0 and event.key() == QKeySequence.mnemonic(self.tabs.tabText(index)):
                self.tabs.setCurrentIndex(index)
                self.sittings_view.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return True
        if event.type() == QEvent.Type.Shortcut and isinstance(event, QShortcutEvent) \
                and watched is self.detail_tabs.tabBar():
            index = self.detail_tabs.indexOf(self.minutes)
            if index >= 0 and event.key() == QKeySequence.mnemonic(self.detail_tabs.tabText(index)):
                self.detail_tabs.setCurrentIndex(index)
                self.minutes.focus_first()
                return True
        return super().eventFilter(watched, event)

    # --- sittings -------------------------------------------------------------------------------------
    def new_sitting(self) -> None:
        with self.ctx.db.session(self.ctx.principal, write=False) as session:
            cal, papers_wd = calendar(session), get_setting(session, panel_settings.PAPERS_DEADLINE_WD)
        # the first Tuesday whose papers are not already overdue (rules.default_sitting_date)
        first = rules.default_sitting_date(self.today, papers_wd, cal)
        confirmed: set[tuple[dt.date, ...]] = set()

        def submit(data: svc.SittingInput) -> Any:
            try:  # every date the service would create (a single sitting is one date whatever the number)
                days = rules.recurring_dates(data.first_date, data.recurrence, data.count)
            except ValueError:  # an unknown repeat, or a run past the calendar: the service says what is wrong
                days = []
            self._confirm_sitting_days(dialog, days, confirmed, "first_date")
            return svc.schedule_sittings(self.ctx.db, self.ctx.principal, data)

        def done(ids: Any) -> None:
            self.say(f"{plural(len(ids), 'sitting')} scheduled.")
            self.reload(select_sitting=ids[0])
            self.detail_tabs.setCurrentIndex(0)
            self.agenda_view.setFocus()

        dialog = dialogs.SittingDialog(self, first, submit, done, papers_problem=lambda day: (
            rules.papers_deadline_problem(day, self.today, papers_wd, cal)))
        self._open(dialog)

    def _confirm_sitting_days(self, dialog: QWidget, days: Sequence[dt.date], confirmed: set[tuple[dt.date, ...]],
                              field: str, *, moving: bool = False) -> None:
        """Before sittings are saved on ``days``: when any is a weekend day, a bank holiday or an agency
        closure day, ask, listing each and why (No is the default; Esc answers No). No raises a
        ValidationError naming ``field``: nothing is saved and the dialog stays open with what was entered.
        Yes is remembered in ``confirmed`` (per dialog), so OK again on the same dates after, say, a missing
        venue does not ask twice."""
        key = tuple(sorted(set(days)))
        if not key or key in confirmed:
            return
        with self.ctx.db.session(self.ctx.principal, write=False) as session:
            closures = closure_reasons(session, key[0], key[-1])
        problems = rules.sitting_days_problems(key, closures)
        if not problems:
            return
        title = "Move to a non-working day?" if moving else "Sitting on a non-working day?"
        if dialogs.ask_sitting_days(dialog, title, rules.sitting_days_question(problems, len(key), moving=moving)):
            confirmed.add(key)
            return
        more = f" (and {plural(len(problems) - 1, 'other date')})" if len(problems) > 1 else ""
        if moving:
            raise ValidationError(f"Not moved: {problems[0]}{more}. Choose another date; or press Move sitting "
                                  "and answer Yes to move it there anyway.", field)
        raise ValidationError(f"Nothing scheduled: {problems[0]}{more}. Change the date or the repeat; or press OK "
                              "and answer Yes to schedule anyway.", field)

    def _sitting_now(self, sitting_id: int) -> SittingRow | None:
        """The sitting as saved now, the list reloaded (a dialog's *Reload their version*)."""
        self.reload(select_sitting=sitting_id)
        return next((r for r in self.sittings_model.rows() if r.id == sitting_id), None)

    def cancel_sitting(self) -> None:
        s = self.sitting
        if s is None:
            return
        guard = dialogs.StaleGuard(s.row_version)

        def submit(reason: str) -> None:
            guard.save(dialog, lambda version: svc.cancel_sitting(self.ctx.db, self.ctx.principal, s.id, reason,
                                                                  expected_version=version),
                       lambda exc: {**exc.saved_values, "Status": "cancelled", "Reason": reason.strip()}, reload)

        def reload() -> int | None:
            now = self._sitting_now(s.id)
            child(dialog, QLineEdit, "reason").clear()
            return now.row_version if now else None

        dialog = dialogs.reason_dialog(
            self, f"Cancel the sitting of {weekday_date(s.sitting_date)}", "&Reason", submit,
            lambda _v: self._after("Sitting cancelled."), ok_text="Cancel sitting", cancel_text="Keep sitting")
        self._open(dialog)

    def move_sitting(self) -> None:
        s = self.sitting
        if s is None:
            return

        confirmed: set[tuple[dt.date, ...]] = set()
        guard = dialogs.StaleGuard(s.row_version)

        def submit(value: str) -> None:
            day, reason = value.split("|", 1)
            new_date = dt.date.fromisoformat(day)
            self._confirm_sitting_days(dialog, [new_date], confirmed, "date", moving=True)
            guard.save(dialog, lambda version: svc.move_sitting(self.ctx.db, self.ctx.principal, s.id, new_date,
                                                                reason, expected_version=version, today=self.today),
                       lambda exc: {**exc.saved_values, "Date": f"{new_date:%d/%m/%Y}", "Reason": reason.strip()},
                       reload)

        def reload() -> int | None:
            now = self._sitting_now(s.id)
            if now is not None:
                child(dialog, DateEdit, "date").setDate(qdate(now.sitting_date))
            child(dialog, QLineEdit, "reason").clear()
            return now.row_version if now else None

        dialog = dialogs.reason_dialog(self, f"Move the sitting of {weekday_date(s.sitting_date)}", "&Reason", submit,
                                       lambda _v: self._after("Sitting moved."),
                                       with_date=s.sitting_date, ok_text="Move sitting")
        self._open(dialog)

    def export_calendar(self) -> None:
        path = save_file_name(self, "exports", "Export panel calendar", "panel-sittings.ics",
                              "Calendar (*.ics)")
        if path:
            self.write_calendar(Path(path))

    def write_calendar(self, path: Path) -> None:
        from adoption_desktop.core.config import AGENCY_NAME
        from adoption_desktop.core.files import output_file
        from adoption_desktop.core.settings_service import get_setting
        from adoption_desktop.panel import documents

        rows = sorted(self.sittings_model.rows(), key=lambda r: r.sitting_date)
        with self.ctx.db.session(self.ctx.principal, write=False) as session:  # the calendar's name, as the CLI's
            agency = get_setting(session, AGENCY_NAME)
        with output_file(path) as tmp:  # named only once its audit entry is committed
            documents.write_ics(tmp, rows, agency)
            svc.record_calendar_export(self.ctx.db, self.ctx.principal, len(rows), Path(path).name)
        self.say(f"{plural(len(rows), 'sitting')} written to {path} (no personal data).")

    # --- agenda ----------------------------------------------------------------------------------------
    def add_item(self) -> None:
        s = self.sitting
        if s is None:
            self.say("Choose or create a sitting first (Ctrl+N).", error=True)
            return
        self.detail_tabs.setCurrentIndex(0)

        def done(item_id: Any) -> None:
            self._load_detail(keep_item=int(item_id))
            self.reload_sitting_counts()
            self.say("Item added to the agenda.")
            self.agenda_view.setFocus()

        self._open(dialogs.ItemDialog(self, lambda data: svc.add_item(self.ctx.db, self.ctx.principal, s.id, data),
                                      done))

    def edit_item(self) -> None:
        """Edit… on an agenda item. A save refused because someone else saved the item first offers the
        conflict window (their version / mine re-applied on top / keep editing); the typed values stay
        in the dialog until the user chooses."""
        item = self.item
        if item is None:
            return
        guard = dialogs.StaleGuard(item.row_version)

        def done(entry: Any) -> None:
            self._load_detail(keep_item=item.id)
            self.ctx.did(entry if isinstance(entry, UndoEntry) else None)

        def submit(data: svc.ItemInput) -> Any:
            return guard.save_edit(dialog, lambda d, version: panel_undo.update_item(
                self.ctx.db, self.ctx.principal, item.id, d, expected_version=version),
                OwnEdit(dialog.opened, data, dialogs.item_values), current, reload)

        def current() -> svc.ItemInput | None:
            now = svc.sitting_detail(self.ctx.db, self.ctx.principal, item.sitting_id, today=self.today).items
            return next((dialogs.item_input(i) for i in now if i.id == item.id), None)

        def reload() -> int | None:
            self._load_detail(keep_item=item.id)
            now = next((i for i in (self.detail.items if self.detail else ()) if i.id == item.id), None)
            if now is not None:
                dialog.fill(now)
            return now.row_version if now else None

        dialog = dialogs.ItemDialog(self, submit, done, existing=item)
        self._open(dialog)

    def _later_sittings(self, item: ItemRow) -> list[SittingRow]:
        """The sittings a deferred case can come back to: later than the item's, still to come (today's
        included), not cancelled; the soonest first."""
        held_on = next((r.sitting_date for r in self.sittings_model.rows() if r.id == item.sitting_id), None)
        return sorted((r for r in self.sittings_model.rows() if r.status in ("scheduled", "today")
                       and held_on is not None and r.sitting_date > held_on),
                      key=lambda r: (r.sitting_date, r.start_time, r.id))

    def _defer_problem(self, item: ItemRow | None) -> str | None:
        """Why *Defer to a later sitting…* cannot apply to ``item`` (None: it can), in the words the button's
        tooltip and the status line use."""
        if item is None:
            return "Select an agenda item first."
        if item.minutes is not None and item.minutes.locked:
            return (f"The minutes of item {item.position} are approved and locked; a deferral is recorded as a "
                    "correction of the minutes (Minutes tab, Make a correction…).")
        if item.deferred_to is not None:
            return (f"Item {item.position} is already deferred to the sitting of {weekday_date(item.deferred_to)}; "
                    "the case is on that sitting's agenda.")
        if not self._later_sittings(item):
            return (f"There is no later sitting to defer item {item.position} to. Schedule one first (New sitting…, "
                    "Ctrl+N), then defer the item.")
        return None

    def defer_item(self) -> None:
        """"Defer to a later sitting…": the item's minutes record the deferral and its reason, and the case goes
        on the chosen later sitting's agenda linked to this item (``service.defer_item``, one transaction)."""
        item = self.item
        problem = self._defer_problem(item)
        if item is None or problem is not None:
            self.say(problem or "Select an agenda item first.", error=True)
            return
        if not self.minutes.flush():  # typed minutes are saved first, so the deferral goes on top of them
            self.say(f"Not deferred: {self.minutes.message.text()}", error=True)
            return
        later = self._later_sittings(item)

        def done(entry: Any) -> None:
            self._load_detail(keep_item=item.id)
            self.reload_sitting_counts()
            chosen = next((r for r in later if r.id == dialog.sitting_id()), None)
            when = f"the sitting of {weekday_date(chosen.sitting_date)}" if chosen else "the later sitting"
            undo = " Ctrl+Z undoes it." if isinstance(entry, UndoEntry) else ""
            self.say(f"Item {item.position} ({item.subject_reference or item.subject_initials}) deferred to {when}: "
                     f"the minutes record the deferral and its reason, and the case is on that sitting's agenda.{undo}")
            self.ctx.did(entry if isinstance(entry, UndoEntry) else None)
            self.agenda_view.setFocus()

        reason = item.minutes.draft.deferral_reason if item.minutes is not None else ""
        dialog = dialogs.defer_dialog(self, item, later, reason, lambda sitting_id, text: panel_undo.defer_item(
            self.ctx.db, self.ctx.principal, item.id, text, sitting_id), done)
        self._open(dialog)

    def open_children(self) -> None:
        """The children on the selected match item and the dates of their journey (a sibling group is
        several children)."""
        from adoption_desktop.journey.views.children import ChildrenDialog

        item = self.item
        if item is None:
            self.say("Select an item on the agenda first.", error=True)
            return
        if item.case_type not in ("match", "relinquished", "early_permanence"):
            self.say("Children are recorded on match, relinquished-child and early permanence items.", error=True)
            return
        ChildrenDialog(self.ctx, self, item_id=item.id, title=f"{item.subject_reference} — "
                       f"{rules.CASE_TYPES.get(item.case_type, item.case_type)}").exec()

    def remove_item(self) -> None:
        item = self.item
        if item is None:
            return
        try:  # the item as this screen shows it: a colleague's change since is refused, not removed with it
            entry = panel_undo.remove_item(self.ctx.db, self.ctx.principal, item.id,
                                           expected_version=item.row_version,
                                           expected_parts=svc.ItemParts.of(item))
        except StaleRecord as exc:
            self._load_detail(keep_item=item.id)  # their change on screen, to look at before removing again
            self.say(str(exc), error=True)
            return
        except AppError as exc:
            self.say(str(exc), error=True)
            return
        if entry is not None:
            self._load_detail()
            self.reload_sitting_counts()
            self.say(f"{entry.label}. Ctrl+Z undoes it.")
            self.ctx.did(entry)

    def _after_undo(self, entry: UndoEntry) -> None:
        """An undo or redo changed the agenda, a declaration or attendance: show them as stored now."""
        if entry.area not in ("", panel_undo.AREA):
            return
        keep = self.item.id if self.item else None
        self._load_detail(keep_item=keep)
        self.reload_sitting_counts()
        # the status line said what was done ("Declaration recorded…"): now it says what was undone or redone,
        # or, refused, that it was not undone (it still said "Ctrl+Z undoes it.": user trial, 6 December)
        said = self.ctx.status_messages[-1] if self.ctx.status_messages else f"Undone: {entry.label}."
        if isinstance(entry, RefusedEntry):
            self.say(said, error=True)
            return
        current = self.item
        self.say(f"{said} {current.quorum_text}" if current is not None and current.quorum_text else said,
                 error=bool(current and current.quorum_state == "inquorate"))

    def reload_sitting_counts(self) -> None:
        current = self.sitting.id if self.sitting else None
        rows = self._sittings()
        self.sittings_view.selectionModel().blockSignals(True)
        self.sittings_model.set_rows(rows)
        ids = [r.id for r in rows]
        if current in ids:
            self.sittings_view.selectRow(ids.index(current))
        self.sittings_view.selectionModel().blockSignals(False)

    def move_item(self, delta: int) -> None:
        item = self.item
        if item is None:
            return
        self.ctx.did(self._run(lambda: panel_undo.move_item(self.ctx.db, self.ctx.principal, item.id, delta)))
        self._load_detail(keep_item=item.id)
        self.agenda_view.setFocus()

    def _reorder(self, ids: list[int]) -> None:
        s = self.sitting
        if s is not None:
            self.ctx.did(self._run(lambda: panel_undo.reorder_items(self.ctx.db, self.ctx.principal, s.id, ids)))
            keep = self.item.id if self.item else None
            self._load_detail(keep_item=keep)

    def papers(self) -> None:
        item, detail = self.item, self.detail
        if item is None or detail is None:
            return

        def submit(values: dict[str, dt.date | None]) -> None:
            # only the dates this person changed (a colleague's change to another paper is never overwritten)
            shown = {p.code: p.received_on for p in item.papers}
            changed = {code: day for code, day in values.items() if day != shown.get(code)}
            self.ctx.did(panel_undo.set_papers_received(self.ctx.db, self.ctx.principal, item.id, changed,
                                                        today=self.today, shown=shown))

        dialog = dialogs.papers_dialog(self, item, detail.sitting.papers_deadline, self.today, submit,
                                       lambda _v: self._load_detail(keep_item=item.id))
        # a paper not yet received shows today as the day it came: opened before midnight and ticked after it,
        # that date follows the new day (``ui.today_default``)
        waiting = [p for p in item.papers if p.received_on is None]
        edits = [dialog.findChild(QDateEdit, f"received_{p.code}") for p in waiting]
        self._open(dialog, today_dates=tuple(e for e in edits if e is not None),
                   today_words=tuple(f"{p.label} received on" for p, e in zip(waiting, edits, strict=True)
                                     if e is not None))

    def _quorum_changed(self, item_id: int, what: str, entry: Any) -> None:
        """After a change to who counts for an item: reload it, say what was done with the item's quorum now
        (in red when it is inquorate), and offer the undo entry."""
        self._load_detail(keep_item=item_id)
        current = self.item
        self.say(f"{what} " + (current.quorum_text if current else ""),
                 error=bool(current and current.quorum_state == "inquorate"))
        if entry is not None:
            self.ctx.did(entry)

    def declare(self) -> None:
        item, detail = self.item, self.detail
        if item is None or detail is None:
            self.say("Choose an agenda item first.", error=True)
            return
        if item.quorum_locked:  # Ctrl+D on a greyed button: said, not silently ignored
            self.say(_DECLARATIONS_LOCKED.format(position=item.position), error=True)
            return

        def done(result: Any) -> None:
            self._quorum_changed(item.id, "Declaration recorded.", result[1] if isinstance(result, tuple) else None)

        self._open(dialogs.declaration_dialog(
            self, item, detail.attendance,
            lambda member_id, interest, withdrew: panel_undo.declare_interest(
                self.ctx.db, self.ctx.principal, item.id, member_id, interest, withdrew), done))

    def record_absence(self) -> None:
        """"Not present for item…": a member present at the sitting who was out of the room for this item
        (or, with the box ticked, who left the sitting before it); undo removes the record(s)."""
        item, detail = self.item, self.detail
        if item is None or detail is None:
            self.say("Choose an agenda item first.", error=True)
            return
        if item.quorum_locked:  # Alt+Q on a greyed button: said, not silently ignored
            self.say(_PRESENCE_LOCKED.format(position=item.position), error=True)
            return

        def submit(member_id: int, reason: str, every_later: bool) -> Any:
            if not member_id:
                raise ValidationError("Member: nobody present at the sitting can be chosen; mark the attendance "
                                      "first.", "member_id")
            if every_later:  # left the sitting before or during this item: this item and every later one, at once
                return panel_undo.record_left_sitting(self.ctx.db, self.ctx.principal, item.id, member_id, reason)
            return panel_undo.record_item_absence(self.ctx.db, self.ctx.principal, item.id, member_id, reason)

        def done(result: Any) -> None:
            self._quorum_changed(item.id, "Recorded as not present.", result[1] if isinstance(result, tuple) else None)

        self._open(dialogs.absence_dialog(self, item, detail.attendance, submit, done))

    def remove_absence(self) -> None:
        """"Mark present again…": remove a "not present for this item" record made in error (undo puts it back)."""
        item = self.item
        if item is None:
            self.say("Choose an agenda item first.", error=True)
            return
        if item.quorum_locked:
            self.say(_PRESENCE_LOCKED.format(position=item.position), error=True)
            return
        if not item.absences:
            self.say(f"Nobody is recorded as not present for item {item.position}.", error=True)
            return

        def done(entry: Any) -> None:
            self._quorum_changed(item.id, "Marked present for the item again.", entry)

        self._open(dialogs.present_again_dialog(
            self, item, lambda absence_id: panel_undo.remove_item_absence(self.ctx.db, self.ctx.principal,
                                                                          absence_id), done))

    # --- attendance -------------------------------------------------------------------------------------
    def mark(self, status: str, advance: bool = False) -> None:
        """Mark the selected person. The mark the list showed goes with it: if someone else has marked them
        since, nothing is saved, the refusal (who, when, their mark) is said and the list reloaded, and the
        selection stays on the person so their mark is seen."""
        idx = self.attendance_view.currentIndex()
        if not idx.isValid() or self.sitting is None:
            return
        person = self.attendance_model.row_at(idx.row())
        sitting_id = self.sitting.id
        try:
            entry = panel_undo.set_attendance(self.ctx.db, self.ctx.principal, sitting_id, person.member_id, status,
                                              expected=person.status)
        except AppError as exc:
            self._load_detail()
            self.say(str(exc), error=True)
            self._select_person(person.member_id, idx.row())
            return
        self.ctx.did(entry)
        self._load_detail()
        self.say(f"{person.full_name} marked {status}.")
        row = min(idx.row() + (1 if advance else 0), self.attendance_model.rowCount() - 1)
        self.attendance_view.selectRow(row)
        self.attendance_view.setFocus()

    def _select_person(self, member_id: int, fallback: int) -> None:
        ids = [a.member_id for a in self.attendance_model.rows()]
        self.attendance_view.selectRow(ids.index(member_id) if member_id in ids else
                                       min(fallback, self.attendance_model.rowCount() - 1))
        self.attendance_view.setFocus()

    def mark_rest_present(self) -> None:
        """"All not recorded → present": the people this list shows as not recorded and who still are in
        the database are marked present in one transaction; anyone someone else marked meanwhile keeps
        their mark and is named in the status line; the list is reloaded either way."""
        if self.detail is None or self.sitting is None:
            return
        sitting_id = self.sitting.id
        seen = [a.member_id for a in self.detail.attendance if not a.status]
        if not seen:
            self._load_detail()
            self.say("Everyone's attendance is already recorded.")
            return
        done = self._run(lambda: panel_undo.mark_rest_present(self.ctx.db, self.ctx.principal, sitting_id, seen))
        self._load_detail()
        if done is None:  # refused (the minutes are approved): the message is already said
            return
        entry, result = done
        self.ctx.did(entry)
        marked = (f"{plural(len(result.changes), 'person', 'people')} marked present."
                  if result.changes else "Nobody was marked present.")
        if result.skipped or result.not_on_list:
            said = [marked]
            if result.skipped:
                said.append(f"Not changed, as someone else marked them meanwhile: {'; '.join(result.skipped)}.")
            if result.not_on_list:
                said.append(f"Not marked, as not on the central list that day: {'; '.join(result.not_on_list)}.")
            self.say(" ".join(said), error=True)
        else:
            self.say(marked)

    # --- minutes ---------------------------------------------------------------------------------------
    def _save_minutes(self, item_id: int, draft: svc.MinutesDraft, expected_version: int) -> svc.MinutesRow:
        return svc.save_minutes(self.ctx.db, self.ctx.principal, item_id, draft, expected_version=expected_version)

    def _stored_minutes(self, item_id: int) -> svc.MinutesDraft | None:
        """An item's minutes as stored now (what a re-applied change in the minutes editor goes on top of)."""
        item = next((i for i in self.minutes.items if i.id == item_id), None)
        if item is None:
            return None
        now = svc.sitting_detail(self.ctx.db, self.ctx.principal, item.sitting_id, today=self.today).items
        return next((i.minutes.draft for i in now if i.id == item_id and i.minutes is not None), None)

    def _submit_minutes(self, item_id: int, expected_version: int | None) -> svc.MinutesRow:
        return svc.submit_minutes(self.ctx.db, self.ctx.principal, item_id, today=self.today,
                                  expected_version=expected_version)

    def _item_of_sitting_shown(self, item_id: int, doing: str) -> ItemRow | None:
        """The item of the minutes editor, when it belongs to the sitting selected in the Sittings list; else
        None, said, and the selected sitting's minutes shown (the editor can be left on another sitting's
        items when a sitting could not be opened): approving or correcting never acts on a sitting other
        than the one shown."""
        item = next((i for i in self.minutes.items if i.id == item_id), None)
        s = self.sitting
        if item is not None and s is not None and item.sitting_id == s.id:
            return item
        self.say(f"Nothing {doing}: the minutes on screen were not those of the sitting selected in the list. "
                 "The selected sitting's minutes are shown now; check them and try again.", error=True)
        self._load_detail()
        return None

    def _which_minutes(self, item: ItemRow) -> str:
        s = self.sitting
        when = f" of the sitting of {s.sitting_date:%d/%m/%Y}" if s is not None else ""
        return f"the minutes of item {item.position} ({item.subject_reference}){when}"

    def approve(self, item_id: int) -> None:
        item = self._item_of_sitting_shown(item_id, "approved")
        if item is None:
            return
        # the version on screen goes with the approval: minutes changed since are never approved unread
        shown = item.minutes.row_version if item.minutes is not None else None
        shown_id = item.minutes.id if item.minutes is not None else None  # a correction is a new row

        def refused(problems: str) -> None:
            """Show the minutes as stored now, and why nothing was approved (the chair typed only a password)."""
            self._load_detail(keep_item=item_id)
            error_tint(self.minutes.message)
            self.minutes.message.setText(f"Not approved. {problems}")
            self.say(f"Not approved. {problems}", error=True)

        # the order of events first (sitting held, every member's view), and whether the minutes changed
        # since they were shown: say what is wrong, no password asked
        blockers = svc.approval_blockers(self.ctx.db, self.ctx.principal, item_id, today=self.today,
                                         expected_version=shown, expected_minutes_id=shown_id)
        if blockers:
            refused(" ".join(blockers))
            return

        db, principal, today = self.ctx.db, self.ctx.principal, self.today

        def submit(password: str) -> svc.MinutesRow:  # on the runner's worker thread: the dialog keeps drawing
            return svc.approve_minutes(db, principal, item_id, password, today=today,
                                       expected_version=shown, expected_minutes_id=shown_id)

        def failed(exc: BaseException) -> bool:  # on the window's thread
            if isinstance(exc, AppError) and not (isinstance(exc, ValidationError) and exc.field == "password"):
                dialog.reject()  # a wrong password is typed again; anything else closes and reloads
                refused(str(exc))
            return False

        def done(row: Any) -> None:
            self._load_detail(keep_item=item_id)
            self.say(f"Minutes of item {item.position} approved and locked"
                     + (f"; handed to the ADM on {row.handed_off_on:%d/%m/%Y}." if row.handed_off_on else "."))
            self.detail_tabs.setCurrentWidget(self.minutes)

        dialog = dialogs.password_dialog(self, self._which_minutes(item), submit, done)
        dialog.runner, dialog.on_error = self.ctx.tasks, failed
        self._open(dialog)

    def correct(self, item_id: int) -> None:
        item = self._item_of_sitting_shown(item_id, "corrected")
        if item is None:
            return
        dialog = dialogs.reason_dialog(
            self, "Correct approved minutes", "&Reason for the correction",
            lambda reason: svc.correct_minutes(self.ctx.db, self.ctx.principal, item_id, reason),
            lambda _v: self._after("A new draft version was created.", item_id),
            ok_text="Open a new version")
        which = QLabel(f"A new draft version of {self._which_minutes(item)} is opened; the approved version is "
                       "kept.")  # which sitting and item, before anything is changed
        which.setObjectName("correction_of")
        which.setWordWrap(True)
        dialog.form.insertRow(0, which)
        self._open(dialog)

    def _export_path(self, title: str, name: str, pattern: str) -> Path | None:
        path = save_file_name(self, "exports", title, name, pattern)
        return Path(path) if path else None

    def export_minutes(self, path: Path | None = None, item_id: int | None = None) -> None:
        s = self.sitting
        if s is None:
            return
        self.minutes.flush()
        target = path or self._export_path("Export minutes", f"panel-minutes-{s.sitting_date:%Y-%m-%d}.docx",
                                           "Word document (*.docx)")
        if target is None:
            return
        from adoption_desktop.panel import documents

        db, principal, today = self.ctx.db, self.ctx.principal, self.today

        def work(_task: Any) -> Path:  # the export is recorded as the file takes its name
            pack = svc.minutes_pack(db, principal, s.id, today=today, record_export=False)
            return documents.write_minutes_docx(pack, target, item_id=item_id, before_output=lambda: (
                svc.record_minutes_written(db, principal, s.id, Path(target).name, item_id=item_id)))

        self.ctx.tasks.run(work, on_done=lambda p: self.say(f"Minutes written to {p}."),
                           on_error=lambda e: self.say(f"Minutes not written: {plain_error(e)}", error=True))

    def export_extract(self) -> None:
        item = self.item
        s = self.sitting
        if item is None or s is None:
            return
        target = self._export_path("Extract for the case file", f"panel-extract-{item.subject_reference or item.id}.docx",
                                   "Word document (*.docx)")
        if target:
            self.export_minutes(target, item.id)

    def export_invitations(self, path: Path | None = None) -> None:
        """The invitation letters of the selected sitting; refused, before a file is asked for, for a
        sitting today or earlier or cancelled (the button is greyed then, saying why)."""
        from adoption_desktop.panel import documents

        s = self.sitting
        if s is None:
            return
        refusal = documents.invitations_refusal(s, self.today)
        if refusal is not None:
            self.say(refusal, error=True)
            return
        chosen = path or ask_letter_path(self, "Invitation letters", f"panel-invitations-{s.sitting_date:%Y-%m-%d}.pdf")
        target = Path(chosen) if chosen else None
        if target is None:
            return
        from adoption_desktop.core.documents.letterhead import letterhead
        from adoption_desktop.core.documents.reply_by import reply_by
        from adoption_desktop.core.settings_service import calendar
        from adoption_desktop.ui.tasks import run_with_progress

        db, principal, today = self.ctx.db, self.ctx.principal, self.today
        expected = [a for a in (self.detail.attendance if self.detail else ()) if a.status != "apologies"]
        asked_by: list[dt.date] = []

        def work(task: Any) -> int:
            # the letters are their own audit entry, as the file takes its name (not an export of the minutes)
            pack = svc.minutes_pack(db, principal, s.id, today=today, record_export=False)
            with db.session(principal, write=False) as session:  # the agency's own template: in a session
                head = letterhead(session, area="panel")
                cal = calendar(session)
                reply = rules.invitation_reply_by(pack.sitting.sitting_date, today, reply_by(session, today, cal), cal)
                asked_by.append(reply)
                title = documents.invitation_signer_title(session, principal)
                return documents.write_invitations(target, pack, head, principal.full_name, today=today,
                                                   expected=expected, progress=lambda d, t: task.progress(d, t),
                                                   cancelled=lambda: task.cancelled, reply_by=reply,
                                                   signatory_title=title, calendar=cal,
                                                   before_save=lambda n: svc.record_invitations_written(
                                                       db, principal, s.id, target.name, n))

        def done(n: int) -> None:
            said = f"{plural(n, 'invitation letter')} written to {target}."
            if n and asked_by and asked_by[-1] <= today:  # a sitting tomorrow: no day left to reply in but today
                said += (" The sitting is so close that they ask for any conflict of interest by the end of today: "
                         "hand them over or telephone the applicants today.")
            self.say(said)

        run_with_progress(self, self.ctx.tasks, "Writing invitation letters", work, done,
                          lambda e: self.say(f"Letters not written: {e}", error=True))

    # --- central list ------------------------------------------------------------------------------------
    def reload_members(self, select_member: int | None = None) -> None:
        """The central list read again, the member chosen before (or ``select_member``) still chosen (a
        tester's edit put the selection back on the first row)."""
        keep = select_member or (self.member.id if self.member else None)
        rows = self._run(lambda: svc.list_members(self.ctx.db, self.ctx.principal, today=self.today)) or []
        self.members_model.set_rows(rows)
        target = next((n for n, r in enumerate(self.members_model.rows()) if r.id == keep), None)
        if target is not None:
            select_row(self.members_view, target)

    @property
    def member(self) -> MemberRow | None:
        idx = self.members_view.currentIndex()
        return self.members_model.row_at(idx.row()) if idx.isValid() else None

    def _users(self) -> list[tuple[int, str]]:
        from adoption_desktop.core.security.models import User

        with self.ctx.db.session(self.ctx.principal, write=False) as session:
            from sqlalchemy import select

            return [(u.id, f"{u.full_name} ({u.username})") for u in session.scalars(select(User).order_by(User.full_name))]

    def _follow_midnight(self, dialog: Any, today_dates: tuple[QDateEdit, ...],
                         today_words: tuple[str, ...] = ()) -> None:
        dates = TodayDefaults(lambda: self.today)
        for i, edit in enumerate(today_dates):
            dates.add(edit.objectName(), edit, today_words[i] if i < len(today_words) else field_label(edit).lower())
        submit = dialog.submit
        in_use: list[str] = []  # the fields moved that are saved: enabled (a paper's date only once ticked)

        def follow() -> str:
            before = field_values(dialog.fields_holder())
            in_use.clear()

            def moved(name: str, edit: QDateEdit) -> None:
                if edit.isEnabled():
                    in_use.append(name)
            said = dates.follow_text("Change it if it was the day before.", moved=moved)
            if said:
                dialog.loaded = keep_opened(dialog.loaded, before, field_values(dialog.fields_holder()))
            return said

        def guarded() -> Any:
            said = follow()
            if said and in_use:  # never yesterday's date unseen: the new one is shown, and saved on the next press
                box = dialog.findChild(QDialogButtonBox)
                ok = box.button(QDialogButtonBox.StandardButton.Ok) if box is not None else None
                text = ok.text().replace("&", "") if ok is not None else "OK"
                raise ValidationError(f"{said} Nothing was saved yet: press {text} again to save it.",
                                      in_use[0])
            return submit()

        def new_day(_day: dt.date) -> None:
            said = follow()
            if said:
                dialog.message.setText(said)
        dialog.submit = guarded
        dates.watch(self.ctx, dialog, new_day)

    def add_member(self) -> None:
        def done(row: MemberRow) -> None:
            self.reload_members(select_member=row.id)
            self.say(member_saved_text(None, row, row.appraisal_due))

        dialog = dialogs.MemberDialog(self, self.today, self._users(), lambda data: svc.add_member(
            self.ctx.db, self.ctx.principal, data, today=self.today), done)
        self._open(dialog, today_dates=(dialog.dates["joined_on"],))

    def _member_now(self, member_id: int) -> MemberRow | None:
        """The member as saved now, the central list reloaded (a dialog's *Reload their version*)."""
        self.reload_members()
        return next((r for r in self.members_model.rows() if r.id == member_id), None)

    def edit_member(self) -> None:
        m = self.member
        if m is None:
            return
        guard = dialogs.StaleGuard(m.row_version)

        sent: list[svc.MemberInput] = []

        def submit(data: svc.MemberInput) -> Any:
            sent[:] = [data]
            return guard.save_edit(dialog, lambda d, version: svc.update_member(
                self.ctx.db, self.ctx.principal, m.id, d, today=self.today, expected_version=version),
                OwnEdit(dialog.opened, data, dialogs.member_values), current, reload)

        def current() -> svc.MemberInput | None:
            now = svc.list_members(self.ctx.db, self.ctx.principal, today=self.today)
            return next((dialogs.member_input(r) for r in now if r.id == m.id), None)

        def done(row: MemberRow) -> None:
            self.reload_members(select_member=m.id)
            self.say(member_saved_text(m, row, sent[0].appraisal_due if sent else row.appraisal_due))

        def reload() -> int | None:
            now = self._member_now(m.id)
            if now is not None:
                dialog.fill(now)
            return now.row_version if now else None

        dialog = dialogs.MemberDialog(self, self.today, self._users(), submit, done, existing=m)
        self._open(dialog)

    def notice(self) -> None:
        m = self.member
        if m is None:
            return
        guard = dialogs.StaleGuard(m.row_version)

        def submit(day: dt.date, kind: str, reason: str) -> MemberRow:
            if kind not in ("left", "removed"):
                raise ValidationError("Kind: choose leaving or removal.", "kind")
            return guard.save(dialog, lambda version: svc.give_notice(
                self.ctx.db, self.ctx.principal, m.id, day, kind, reason, today=self.today, expected_version=version),
                lambda exc: {**exc.saved_values, "Notice given on": f"{day:%d/%m/%Y}",
                             "Leaving": "removed by the agency" if kind == "removed" else "leaving",
                             "Reasons": reason.strip()}, reload)

        def reload() -> int | None:
            now = self._member_now(m.id)
            return now.row_version if now else None

        dialog = dialogs.notice_dialog(self, self.today, submit, lambda _v: self.reload_members())
        notice_on = dialog.findChild(QDateEdit, "notice_on")
        self._open(dialog, today_dates=(notice_on,) if notice_on is not None else ())


def member_saved_text(before: MemberRow | None, after: MemberRow, typed_due: dt.date | None) -> str:
    """What the status line says once a member is saved (``before``: as the form was loaded, None when added;
    ``typed_due``: the *Appraisal due* typed in the form): the appraisal recorded, and where its due date moved."""
    said = [f"{after.full_name} {'added to the central list' if before is None else 'saved'}."]
    if after.appraised_on is not None and (before is None or after.appraised_on != before.appraised_on):
        said.append(f"Appraisal held {after.appraised_on:%d/%m/%Y} recorded")
        if after.appraisal_due is not None and after.appraisal_due != typed_due:
            said[-1] += (f"; the next is due a year after it, {after.appraisal_due:%d/%m/%Y}"
                         + (f" (was {typed_due:%d/%m/%Y})." if typed_due else "."))
        elif after.next_appraisal is not None:
            said[-1] += f"; next appraisal due {after.next_appraisal:%d/%m/%Y}."
        else:
            said[-1] += "."
    if after.warnings:
        said.append("Still to do: " + "; ".join(after.warnings) + ".")
    return " ".join(said)


def create_page(ctx: AppContext) -> QWidget:
    return PanelPage(ctx)
