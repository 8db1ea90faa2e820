"""The Letterbox screen: work list, arrangements register, items register, batch letters and import."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, PermissionDenied
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.interrupt import Interrupt
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox import undo as lb_undo
from adoption_desktop.letterbox.service import ArrangementFilter, ArrangementRow, ItemFilter, ItemRow, WorkRow
from adoption_desktop.letterbox.settings import REMINDER_DAYS_BEFORE
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.letterbox.views.registers import Register
from adoption_desktop.ui.ask import ask_yes_no
from adoption_desktop.ui.autosave import not_shown_for_account
from adoption_desktop.ui.context import AppContext, CountsFromToday
from adoption_desktop.ui.dialogs import plain_error, show_error
from adoption_desktop.ui.empty_note import EmptyNote
from adoption_desktop.ui.files import focus_kept
from adoption_desktop.ui.fit import resize_to_contents
from adoption_desktop.ui.letter_save import ask_letter_path
from adoption_desktop.ui.modal import run_modal
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.sort_menu import make_sortable
from adoption_desktop.ui.table_model import OVERDUE_BRUSH, Column, RowTableModel
from adoption_desktop.ui.table_view import show_cut_text
from adoption_desktop.ui.tasks import run_with_progress
from adoption_desktop.ui.wrap_row import WrapRow

ITEM_COLUMNS: list[Column[ItemRow]] = [
    Column("Received", lambda r: r.received_on), Column("Reference", lambda r: r.reference),
    Column("Direction", lambda r: rules.DIRECTIONS.get(r.direction, r.direction)),
    Column("From", lambda r: r.writer), Column("Type", lambda r: r.item_type), Column("Status", lambda r: r.status),
    Column("Outcome on", lambda r: r.outcome_on), Column("Coordinator", lambda r: r.coordinator),
]
ITEM_SORT = ["received_on", "reference", "direction", "writer", "item_type", "status", "outcome_on", "coordinator"]
#: why the letter buttons are greyed out for someone who may only read the letterbox
NO_SIGNER_TIP = ("Letters are signed and recorded as sent by a letterbox coordinator (letterbox.edit), which "
                 "you are not; ask a coordinator to print them.")
ARR_COLUMNS: list[Column[ArrangementRow]] = [
    Column("Reference", lambda r: r.reference), Column("Child (birth name)", lambda r: r.child_birth_name),
    Column("Child (adoptive name)", lambda r: r.child_adoptive_name),
    Column("Exchange months", lambda r: r.exchange_months),
    Column("Status", lambda r: r.status, foreground=lambda r: OVERDUE_BRUSH if r.status == "inactive" else None),
    Column("Last exchange", lambda r: r.last_exchange), Column("Review", lambda r: r.review_date),
    Column("Coordinator", lambda r: r.coordinator),
]
ARR_SORT = ["reference", "child_birth_name", "child_adoptive_name", "exchange_months", "status", "last_exchange",
            "review_date", "coordinator"]
WORK_COLUMNS: list[Column[WorkRow]] = [
    # the service lists the exchanges by due date, then reference: sorting by Due gives that order back
    Column("Due", lambda w: w.due, sort_key=lambda w: (w.due, w.reference)), Column("Reference", lambda w: w.reference),
    Column("Who writes", lambda w: "Adoptive family" if w.side == rules.ADOPTIVE else "Birth family"),
    # sorted by how long overdue (the oldest due first), then each other state by its due date: as text,
    # "overdue 1 year 10 months" came before "overdue 10 months" and "overdue 2 years" after "overdue 2 months"
    Column("State", lambda w: f"overdue {w.overdue_for}" if w.overdue_for else w.state,
           sort_key=lambda w: (w.state != "overdue", w.state, w.due),
           foreground=lambda w: OVERDUE_BRUSH if w.state == "overdue" else None),
    Column("Reminder on", lambda w: w.reminder_on), Column("Chase on", lambda w: w.chase_on),
    Column("Coordinator", lambda w: w.coordinator),
]

#: the order the work list is read in (``service.work_list``: by due date, then reference): Due, earliest first
WORK_LIST_ORDER = (0, Qt.SortOrder.AscendingOrder)


def _named(columns: list[Column[Any]], names: dict[str, str]) -> list[Column[Any]]:
    """``columns`` with the coordinator shown by full name (``names``: login → full name)."""
    def name(r: Any) -> str:
        return names.get(r.coordinator, r.coordinator)

    def login(r: Any) -> str | None:  # the login name in the tooltip, for IT and imports
        return f"Login name: {r.coordinator}" if names.get(r.coordinator, r.coordinator) != r.coordinator else None

    return [Column(c.title, name, c.sort_key, c.align_right, c.foreground, login) if c.title == "Coordinator"
            else c for c in columns]


def _combo(name: str, items: list[tuple[str, Any]], tip: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.setToolTip(tip)
    for label, data in items:
        box.addItem(label, data)
    return box


class _WorkListView(QTableView):
    """The work list: several exchanges can be chosen for Mark missed (Shift, Ctrl+click), but a keyboard
    move with Ctrl held (Ctrl+End, Ctrl+Home, Ctrl+Down ...) selects the row moved to, as a plain move does.
    Qt's own Ctrl move leaves the highlight behind (user trial: Down, Ctrl+End, then Log item opened the item
    window for the highlighted second row, not the last row the keyboard was on)."""

    _MOVES = frozenset({Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp,
                        Qt.Key.Key_PageDown, Qt.Key.Key_Left, Qt.Key.Key_Right})

    def selectionCommand(self, index: QModelIndex | QPersistentModelIndex,  # noqa: N802
                         event: QEvent | None = None) -> QItemSelectionModel.SelectionFlag:
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and Qt.Key(event.key()) in self._MOVES:
            mods = event.modifiers()
            if mods & Qt.KeyboardModifier.ControlModifier and not mods & Qt.KeyboardModifier.ShiftModifier:
                return (QItemSelectionModel.SelectionFlag.ClearAndSelect
                        | QItemSelectionModel.SelectionFlag.Rows)
        return super().selectionCommand(index, event)


class LetterboxPage(CountsFromToday, QWidget):
    def __init__(self, ctx: AppContext, today: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._today = today
        self.dialogs: list[ItemDialog] = []
        layout = QVBoxLayout(self)
        top = WrapRow()  # the buttons wrap onto a second line on a narrow (scaled) screen
        title = QLabel("<h2>Letterbox</h2>")
        top.addWidget(title)
        top.addStretch(1)
        self.log_button = QPushButton("&Log item…")
        self.log_button.setObjectName("log_item")
        self.log_button.setToolTip("Log an item received for the selected arrangement (Ctrl+Shift+L)")
        self.log_button.clicked.connect(lambda: self.open_item_dialog())
        months, first = self._reminder_months()
        self.letters_month = _combo("letters_month", months, "Month whose exchanges the reminders are for")
        self.letters_month.setCurrentIndex(self.letters_month.findData(first))
        self.new_button = QPushButton("&New arrangement…")
        self.new_button.setObjectName("new_arrangement")
        self.new_button.clicked.connect(lambda: self.open_arrangement_dialog())
        self.reminders_button = QPushButton("&Reminders for…")
        self.reminders_button.setObjectName("reminders")
        self.reminders_button.clicked.connect(self._reminders_clicked)
        self.letters_button = QPushButton("L&etters")
        self.letters_button.setObjectName("letters")
        menu = QMenu(self.letters_button)
        menu.addAction("&Acknowledgement for the selected item…", lambda: self._item_letter("acknowledgement"))
        menu.addAction("&Returned for changes, for the selected item…", lambda: self._item_letter("returned"))
        menu.addAction("Annual &confirmation for the selected arrangement…", lambda: self._arrangement_letter(
            "confirmation"))
        menu.addAction("Re&view invitations for reviews due in the next 30 days…", self._review_letters)
        self.letters_button.setMenu(menu)
        self.import_button = QPushButton("I&mport register…")  # Alt+I: the Edit menu
        self.import_button.setObjectName("import")
        self.import_button.clicked.connect(self._import_clicked)
        self.import_button.setEnabled(ctx.can(Permission.LETTERBOX_IMPORT))
        self.log_button.setEnabled(ctx.can(Permission.LETTERBOX_EDIT))
        self.new_button.setEnabled(ctx.can(Permission.LETTERBOX_EDIT))
        # letters are signed, and recorded as sent, by someone who holds letterbox.edit (a coordinator): the
        # window names no other signer, so without it there is nothing to print (user trial: an administrator's
        # reminders went out signed "Letterbox coordinator" and were not recorded as sent)
        self.signs_letters = ctx.can(Permission.LETTERBOX_EDIT)
        for button in (self.reminders_button, self.letters_button):
            button.setEnabled(self.signs_letters)
            if not self.signs_letters:
                button.setToolTip(NO_SIGNER_TIP)
        for w in (self.new_button, self.log_button, self.reminders_button, self.letters_month, self.letters_button,
                  self.import_button):
            top.addWidget(w)
        layout.addLayout(top)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        # work list
        work = QWidget()
        wl = QVBoxLayout(work)
        self.work_model: RowTableModel[WorkRow] = RowTableModel(
            _named(WORK_COLUMNS, service.coordinator_names(ctx.db, ctx.principal)), parent=self,
            given_order=WORK_LIST_ORDER)  # Sort by ticks Due, earliest first, until a column is sorted
        self.work_view: QTableView = _WorkListView()
        show_cut_text(self.work_view)  # a cell cut short reads whole on hover
        self.work_view.setObjectName("work_list")
        self.work_view.setModel(self.work_model)
        self.work_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.work_view.horizontalHeader().setStretchLastSection(True)
        self.work_sort_menu = make_sortable(self.work_view)  # heading clicks, and the keyboard: Sort by
        self.work_view.verticalHeader().setVisible(False)
        above = QHBoxLayout()
        # which of them are listed: Alt+S from anywhere on the tab (the registers' Alt+S is their Search box);
        # on the left, where it is in view at 125 % and 150 % too (the page scrolls sideways there)
        self.work_show = _combo("work_show", [(label, key) for key, label in rules.WORK_LIST_SHOWS],
                                "Which exchanges the work list shows")
        self.work_show.setAccessibleName("Show")
        show_label = QLabel("&Show:")
        show_label.setBuddy(self.work_show)
        above.addWidget(show_label)
        above.addWidget(self.work_show)
        above.addSpacing(12)
        about = QLabel("Exchanges overdue, due this month and due soon (received items drop off the list).")
        about.setWordWrap(True)
        above.addWidget(about, 1)
        self.work_show.currentIndexChanged.connect(lambda _i: self._show_work_rows())
        wl.addLayout(above)
        wl.addWidget(self.work_view, 1)
        self.work_count = QLabel()
        self.work_count.setObjectName("work_count")
        self.work_count.setWordWrap(True)  # a refusal's note (``_work_not_read``) is a few sentences
        self._work_built = False
        wl.addWidget(self.work_count)
        # exchanges due before the look-back are never dropped in silence: said here, listed on request
        older = QHBoxLayout()
        self.older_label = QLabel()
        self.older_label.setObjectName("older_exchanges_note")
        self.older_label.setWordWrap(True)
        self.older_button = QPushButton("Show ol&der unanswered exchanges")
        self.older_button.setObjectName("older_exchanges")
        self.older_button.setCheckable(True)
        self.older_button.toggled.connect(lambda _on: self.refresh_work_list())
        older.addWidget(self.older_label, 1)
        older.addWidget(self.older_button, 0)
        wl.addLayout(older)
        chase = QPushButton("&Chasers for overdue writers…")
        chase.setObjectName("chasers")
        chase.clicked.connect(self._chasers_clicked)
        chase.setEnabled(self.signs_letters)
        if not self.signs_letters:
            chase.setToolTip(NO_SIGNER_TIP)
        self.chasers_button = chase
        self.missed_button = QPushButton("Mar&k missed")
        self.missed_button.setObjectName("mark_missed")
        self.missed_button.setToolTip("The selected exchanges (none selected: the one with the focus frame) will "
                                      "not come: they leave the list (Ctrl+Z undoes)")
        self.missed_button.clicked.connect(self.mark_selected_missed)
        self.missed_button.setEnabled(ctx.can(Permission.LETTERBOX_EDIT))
        actions = QHBoxLayout()
        actions.addWidget(chase)
        actions.addWidget(self.missed_button)
        actions.addStretch(1)
        wl.addLayout(actions)
        self.work_view.horizontalHeader().setResizeContentsPrecision(100)
        self._work_tab = work
        self.tabs.addTab(work, "&Work list")

        # arrangements register
        # full names from the user records, sorted by name; the filter still passes the login name
        self.coordinator_names = service.coordinator_names(ctx.db, ctx.principal)
        names = self.coordinator_names
        coordinators = [("Any coordinator", ""), *sorted(((names[c], c) for c in names), key=lambda p: p[0].lower())]
        self.arr_status = _combo("arr_status", [("Any status", ""), ("Active", "active"), ("Suspended", "suspended"),
                                                ("Ended", "ended"), ("Inactive (2 years)", "inactive"),
                                                ("Review overdue", "overdue")], "Status filter")
        self.arr_month = _combo("arr_month", [("Any month", 0)] + [(calendar.month_name[m], m) for m in range(1, 13)],
                                "Exchange month filter")
        self.arr_coord = _combo("arr_coordinator", coordinators, "Coordinator filter")
        self.arrangements_register: Register[ArrangementRow] = Register(
            "Arrangements", _named(ARR_COLUMNS, names), ARR_SORT, self._fetch_arrangements, self._count_arrangements, ctx.tasks,
            exporter=lambda: (ctx.db, ctx.principal),
            filters=[self.arr_status, self.arr_month, self.arr_coord], default_sort=("reference", False),
            widths=(95, 180, 180, 160, 80, 105, 95),
            holds="Every letterbox arrangement, one row each, filtered by the search box and the status, month and "
                  "coordinator filters; Enter opens the arrangement.")
        for box in (self.arr_status, self.arr_month, self.arr_coord):
            box.currentIndexChanged.connect(lambda _i: self.arrangements_register.refresh())
        self.arrangements_register.activated.connect(lambda row: self.open_arrangement_dialog(row.id))
        self.arrangements_empty = EmptyNote(self.arrangements_register.view, self._arrangements_empty_text)
        self.tabs.addTab(self.arrangements_register, "&Arrangements")

        # items register
        self.item_status = _combo("item_status", [("Any status", "")] + [(s.title(), s) for s in rules.ITEM_STATUSES],
                                  "Status filter")
        self.item_direction = _combo("item_direction", [("Both directions", "")] + [
            (label, key) for key, label in rules.DIRECTIONS.items()], "Direction filter")
        self.item_month = _combo("item_month", self._received_months(), "Month received filter")
        self.item_coord = _combo("item_coordinator", coordinators, "Coordinator filter")
        self.item_open = QCheckBox("&Open only")
        self.item_open.setObjectName("open_only")
        self.items_register: Register[ItemRow] = Register(
            "Items", _named(ITEM_COLUMNS, names), ITEM_SORT, self._fetch_items, self._count_items, ctx.tasks,
            exporter=lambda: (ctx.db, ctx.principal),
            filters=[self.item_status, self.item_direction, self.item_month, self.item_coord, self.item_open],
            default_sort=("received_on", True), first=self._first_items, widths=(90, 95, 135, 230, 70, 90, 95),
            count_cap=service.COUNT_CAP,
            holds="Every letterbox item received or sent, one row each, filtered by the search box and the status, "
                  "direction, month, coordinator and open-only filters; Enter opens the item.",
            capped=lambda n: service.search_capped(self._item_filter(self.items_register.query), n))
        for box in (self.item_status, self.item_direction, self.item_month, self.item_coord):
            box.currentIndexChanged.connect(lambda _i: self.items_register.refresh())
        self.item_open.toggled.connect(lambda _b: self.items_register.refresh())
        self.items_register.activated.connect(lambda row: self.open_existing_item(row.id))
        self.tabs.addTab(self.items_register, "I&tems")
        from adoption_desktop.letterbox.views.support import SupportRegister

        self.support_register = SupportRegister(ctx)
        self.tabs.addTab(self.support_register, "&Birth-parent support")
        QShortcut(QKeySequence("Ctrl+Shift+L"), self, lambda: self.open_item_dialog())  # Ctrl+L locks
        QShortcut(QKeySequence("Ctrl+F"), self, self._focus_search)
        # the work list is built when its tab is shown, not for someone who came for a register
        self._work_stale = True
        self.tabs.currentChanged.connect(lambda _i: self._build_work_list_if_shown())
        ctx.after_undo.append(self._after_undo)
        ctx.after_new_day.append(self._new_day)

    def _reminder_months(self) -> tuple[list[tuple[str, Any]], str]:
        """The months offered for reminders, from this month on: it starts on the first month whose reminders
        are not past (usually the next) and ends on the last that may be printed today (three months on:
        printed reminders are recorded as sent, so a month further ahead printed now would make its real run a
        reprint); and the month chosen at first."""
        days = self._reminder_days()
        first = rules.next_reminder_month(self.today, days)
        this_month = self.today.replace(day=1)
        latest = rules.latest_reminder_month(self.today, days)
        shown = (latest.year - this_month.year) * 12 + latest.month - this_month.month + 1
        return ([(f"{m:%B %Y}", f"{m:%Y-%m}") for m in (rules.add_months(this_month, k) for k in range(shown))],
                f"{first:%Y-%m}")

    def _received_months(self) -> list[tuple[str, Any]]:
        """The Items register's months received: this month and the 35 before it."""
        return [("Any month", "")] + [(f"{m:%b %Y}", f"{m:%Y-%m}")
                                      for m in (rules.add_months(self.today.replace(day=1), -k) for k in range(36))]

    def _new_day(self, _day: dt.date) -> None:
        """The date changed with the page open: the months offered start from the new one (a month whose
        reminders are now past is no longer offered), and the work list and registers count from today."""
        for box, items, first in ((self.letters_month, *self._reminder_months()),
                                  (self.item_month, self._received_months(), "")):
            chosen = box.currentData()
            box.blockSignals(True)
            try:
                box.clear()
                for label, data in items:
                    box.addItem(label, data)
                at = box.findData(chosen)
                box.setCurrentIndex(at if at >= 0 else box.findData(first))
            finally:
                box.blockSignals(False)
        self.arrangements_register.refresh_in_place()
        self._after_dialog()  # the Items register, and the work list (now, if on screen; else when next shown)

    # --- data sources (one service call each; sessions never outlive the call) -------------------
    def _reminder_days(self) -> int:
        """The agency's days between a reminder and the exchange it is for (setting)."""
        with self.ctx.db.session(self.ctx.principal, write=False) as session:
            return int(get_setting(session, REMINDER_DAYS_BEFORE))

    def _item_filter(self, query: str, sort: str = "received_on", descending: bool = True) -> ItemFilter:
        return ItemFilter(query=query, status=str(self.item_status.currentData() or ""),
                          direction=str(self.item_direction.currentData() or ""),
                          month=str(self.item_month.currentData() or ""),
                          coordinator=str(self.item_coord.currentData() or ""), open_only=self.item_open.isChecked(),
                          sort=sort, descending=descending)

    def _fetch_items(self, query: str, offset: int, limit: int, sort: str, desc: bool) -> list[ItemRow]:
        return service.list_items(self.ctx.db, self.ctx.principal, self._item_filter(query, sort, desc), offset, limit)

    def _first_items(self, query: str, sort: str, desc: bool) -> Callable[[Interrupt | None], tuple[int, list[ItemRow]]]:
        """The register's first page as a job (the filters are read now, on the UI thread; the job may run
        on a worker thread and be interrupted when the next key arrives)."""
        f, db, who, limit = self._item_filter(query, sort, desc), self.ctx.db, self.ctx.principal, \
            self.items_register.model.PAGE
        return lambda stop: service.item_page(db, who, f, limit, stop=stop)

    def _count_items(self, query: str) -> int:
        return service.count_items(self.ctx.db, self.ctx.principal, self._item_filter(query))

    def _arr_filter(self, query: str, sort: str = "reference", descending: bool = False) -> ArrangementFilter:
        return ArrangementFilter(query=query, status=str(self.arr_status.currentData() or ""),
                                 month=int(self.arr_month.currentData() or 0),
                                 coordinator=str(self.arr_coord.currentData() or ""), sort=sort, descending=descending)

    def _arrangements_empty_text(self) -> str:
        """What the empty Arrangements register says: where to start when there are none at all (a search or a
        filter that finds nothing is said by the count under the list instead)."""
        register = getattr(self, "arrangements_register", None)
        searched = register is not None and bool(register.query or register.search.text().strip())
        if searched or any(box.currentIndex() > 0 for box in (self.arr_status, self.arr_month, self.arr_coord)):
            return ""
        add = "Add the first with New arrangement… (Alt+N)" if self.ctx.can(Permission.LETTERBOX_EDIT) else ""
        if self.ctx.can(Permission.LETTERBOX_IMPORT):  # the administrator may import, not add
            bring = "import a register from a spreadsheet with Import register… (Alt+M)"
            add = f"{add}, or {bring}" if add else bring[0].upper() + bring[1:]
        return " ".join(filter(None, ("No arrangements yet.", f"{add}." if add else "")))

    def _fetch_arrangements(self, query: str, offset: int, limit: int, sort: str, desc: bool) -> list[ArrangementRow]:
        return service.list_arrangements(self.ctx.db, self.ctx.principal, self._arr_filter(query, sort, desc), offset,
                                         limit, today=self.today)

    def _count_arrangements(self, query: str) -> int:
        return service.count_arrangements(self.ctx.db, self.ctx.principal, self._arr_filter(query), today=self.today)

    def refresh_work_list(self) -> None:
        """Rebuild the work list now if it is on screen, otherwise when its tab is next shown."""
        self._work_stale = True
        self._build_work_list_if_shown()

    def _build_work_list_if_shown(self) -> None:
        if not self._work_stale or not self.isVisible() or self.tabs.currentWidget() is not self._work_tab:
            return
        self._work_stale = False
        try:
            rows = service.work_list(self.ctx.db, self.ctx.principal, self.today)
            since = service.work_list_since(self.ctx.db, self.ctx.principal, self.today)
        except AppError as exc:
            self._work_not_read(exc)
            return
        self._work_built = True
        self.work_count.setStyleSheet("")
        self.older_label.setText(
            f"Exchanges due before {since:%d/%m/%Y} and never received are not listed here (the look-back "
            "is a setting): show them with the button.")
        self._keep_work_place(lambda: self.work_model.set_rows(rows))
        self._count_work_rows()
        if self.older_button.isChecked():  # all history, on request: in the background (1.6 s at 1M exchanges)
            self._add_older(rows, since)
        resize_to_contents(self.work_view)  # measured on the first 100 rows (see __init__)

    def _work_not_read(self, exc: AppError) -> None:
        """The work list could not be read (from a showEvent, a tab change, the older-exchanges button: never
        an error out of them; user trial ut21). Refused for the account (disabled, its roles or password
        changed since signing in) the exchanges read before leave the screen; otherwise they stay. Either way
        the line under the list says why, and the list is read again when next shown."""
        self._work_stale = True
        if isinstance(exc, PermissionDenied):
            self._work_built = False  # nothing listed, nothing to count
            self.work_model.set_rows([])
            note = not_shown_for_account(exc, "The work list is not shown")
        else:
            lead = "The work list could not be read again, so it is as it was before" if self._work_built else \
                "The work list could not be read"
            note = f"{lead}: {plain_error(exc)}"
        error_tint(self.work_count)
        self.work_count.setText(note)

    def _show_work_rows(self) -> None:
        """List the exchanges Show asks for (in the list already read: the work list is not read again, nor
        built before its tab is shown), keeping the place, and say how many."""
        show = str(self.work_show.currentData() or "")
        self._keep_work_place(lambda: self.work_model.set_filter(
            (lambda w: rules.shown_on_work_list(w.state, show)) if show else None), follow=False)
        self._count_work_rows()

    def _count_work_rows(self) -> None:
        if not self._work_built:
            return  # not read yet (it is, when its tab is first shown): nothing to count
        self.work_count.setText(rules.work_list_count([w.state for w in self.work_model.all_rows()],
                                                      str(self.work_show.currentData() or "")))

    def _keep_work_place(self, rebuild: Callable[[], None], *, follow: bool = True) -> None:
        """Rebuild the work list keeping the place: the same exchange current and selected if it is still
        listed, otherwise the row now in its place (the next one). Keyboard trial: after Mark missed, Ctrl+Z
        or logging an item the list lost its place. With ``follow`` False (a Show change) a row no longer
        listed is not replaced: nothing is selected, rather than a row nobody chose (user trial: Alt+S
        selected the first row in silence)."""
        def key(w: WorkRow) -> tuple[int, dt.date, str]:
            return w.arrangement_id, w.due, w.side

        current = self.work_view.currentIndex()
        count = self.work_model.rowCount()
        at, column = (current.row(), max(0, current.column())) if current.isValid() and current.row() < count \
            else (-1, 0)
        if not follow and at >= 0 and not self.work_view.selectionModel().isRowSelected(at, QModelIndex()):
            at = -1  # only the focus frame there, nothing chosen: nothing to keep selected
        kept = key(self.work_model.row_at(at)) if at >= 0 else None
        rebuild()
        rows = self.work_model.rows()
        if kept is None or not rows:
            return
        row = next((i for i, w in enumerate(rows) if key(w) == kept), None if not follow else min(at, len(rows) - 1))
        if row is None:
            self.work_view.clearSelection()
            self.work_view.selectionModel().clearCurrentIndex()
            return
        # said outright: setCurrentIndex/selectRow read the keys held, and with Ctrl held (Ctrl+Z) they toggle
        flags = QItemSelectionModel.SelectionFlag
        self.work_view.selectionModel().setCurrentIndex(self.work_model.index(row, column),
                                                        flags.ClearAndSelect | flags.Rows)

    def _add_older(self, rows: list[WorkRow], since: dt.date) -> None:
        self._older_run = run = getattr(self, "_older_run", 0) + 1

        def work(task: Any) -> list[WorkRow]:
            task.progress(0, 0, f"Reading the exchanges due before {since:%d/%m/%Y}")
            return service.work_list(self.ctx.db, self.ctx.principal, self.today, older=True)

        def done(older: list[WorkRow]) -> None:
            if not self.older_button.isChecked() or run != self._older_run:  # hidden again, or rebuilt since
                return
            self._keep_work_place(lambda: self.work_model.set_rows(older + rows))
            self._count_work_rows()
            resize_to_contents(self.work_view)
            self.older_label.setText(
                f"Listed too: {len(older)} exchange{'s' * (len(older) != 1)} due before {since:%d/%m/%Y} "
                "and never received.")

        def failed(exc: BaseException) -> None:
            self.older_button.setChecked(False)
            show_error(self, "Older exchanges", exc)

        run_with_progress(self, self.ctx.tasks, "Older unanswered exchanges", work, on_done=done, on_error=failed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._build_work_list_if_shown()
        if not event.spontaneous():  # opened (Ctrl+3, the Areas list): the arrow keys move in the list shown
            current = self.tabs.currentWidget()
            view = current.view if isinstance(current, Register) else self.work_view
            view.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- navigation helpers -------------------------------------------------------------------
    def show_items(self) -> None:
        self.tabs.setCurrentWidget(self.items_register)

    def show_arrangements(self) -> None:
        self.tabs.setCurrentWidget(self.arrangements_register)

    def _focus_search(self) -> None:
        """Ctrl+F: the Find box of the register shown; from the work list (which has none), the items
        register's. Its words are selected: typing replaces them."""
        current = self.tabs.currentWidget()
        if not isinstance(current, Register):
            self.show_items()
            current = self.items_register
        current.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        current.search.selectAll()

    # --- items --------------------------------------------------------------------------------
    def mark_selected_missed(self) -> None:
        """Mark the selected work-list exchanges missed (each one undoable: Ctrl+Z); with none selected, the
        one with the keyboard focus (user trial: after Ctrl+End Mark missed said to choose the exchanges under
        a row that looked chosen)."""
        chosen = sorted(i.row() for i in self.work_view.selectionModel().selectedRows())
        focused = self._focused_work_row()
        rows = [self.work_model.row_at(r) for r in chosen] or ([focused] if focused is not None else [])
        if not rows:
            QMessageBox.information(self, "Mark missed", "Choose the exchanges that will not come in the list first.")
            return
        try:  # each mark is said by the status bar's undo notice ("Marked missed: … — Undo")
            for w in rows:
                self.ctx.did(lb_undo.mark_missed(self.ctx.db, self.ctx.principal, w.arrangement_id, w.due, w.side,
                                                 w.reference))
        except AppError as exc:
            show_error(self, "Mark missed", exc)
        self.refresh_work_list()

    def _selected_arrangement(self) -> tuple[int, str] | None:
        if self.tabs.currentWidget() is self.arrangements_register:
            row = self.arrangements_register.selected()
            if row is not None:
                return row.id, row.reference
        work = self._selected_work_row()
        return (work.arrangement_id, work.reference) if work is not None else None

    def _selected_work_row(self) -> WorkRow | None:
        """The work-list exchange selected (the current one of several), when the work list is shown; with
        none selected, the one with the keyboard focus (user trial: after Ctrl+End the focused row was not
        selected, and Log item said to choose the arrangement first)."""
        if self.tabs.currentWidget() is not self._work_tab:
            return None
        rows = self.work_view.selectionModel().selectedRows()
        current = self.work_view.currentIndex()
        if not rows:
            return self._focused_work_row()
        at = current.row() if current.isValid() and any(r.row() == current.row() for r in rows) else rows[0].row()
        return self.work_model.row_at(at)

    def _focused_work_row(self) -> WorkRow | None:
        """The work-list exchange with the keyboard focus (selected or not), if the list has it."""
        current = self.work_view.currentIndex()
        at = current.row() if current.isValid() and current.row() < self.work_model.rowCount() else None
        return self.work_model.row_at(at) if at is not None else None

    def open_item_dialog(self, arrangement_id: int | None = None, reference: str = "",
                         previous_item_id: int | None = None, *, direction: str | None = None) -> ItemDialog | None:
        """The item window for a new item. From the work list, its direction (and so who wrote it) is the
        selected exchange's: its writer's side (user trial: a birth family's row opened as "Adoptive → birth",
        and Enter logged it so, screened against the wrong side's protected terms)."""
        if arrangement_id is None:
            chosen = self._selected_arrangement()
            if chosen is None:
                QMessageBox.information(self, "Log item", "Choose the arrangement first (Arrangements tab or work "
                                        "list), then press Log item.")
                return None
            arrangement_id, reference = chosen
            work = self._selected_work_row()
            if work is not None and direction is None:
                direction = rules.TO_BIRTH if work.side == rules.ADOPTIVE else rules.TO_ADOPTIVE
        dialog = ItemDialog(self.ctx, arrangement_id, reference, previous_item_id=previous_item_id, today=self._today,
                            direction=direction, parent=self)
        self._track(dialog)
        return dialog

    def open_existing_item(self, item_id: int) -> ItemDialog:
        detail = service.get_item(self.ctx.db, self.ctx.principal, item_id)  # the opening's one recorded view
        dialog = ItemDialog(self.ctx, detail.arrangement_id, detail.reference, item_id=item_id, today=self._today,
                            parent=self, detail=detail)
        self._track(dialog)
        return dialog

    def _track(self, dialog: ItemDialog) -> None:
        self.dialogs.append(dialog)
        dialog.corrected_requested.connect(lambda prev, d=dialog: self.open_item_dialog(
            d.arrangement_id, d.reference, previous_item_id=prev))
        dialog.finished.connect(lambda _r: self._after_dialog())
        dialog.show()

    def _after_undo(self, entry: Any) -> None:
        """An undo or redo changed an arrangement or a finding: the registers show it as stored now."""
        if getattr(entry, "area", "") in ("", "letterbox"):
            self.arrangements_register.refresh_in_place()
            self._after_dialog()  # the undo notice says "Undone: …" (its words were squeezed to nothing)

    def _after_dialog(self) -> None:
        self.items_register.refresh_in_place()
        self.refresh_work_list()

    # --- arrangements ------------------------------------------------------------------------
    def open_arrangement_dialog(self, arrangement_id: int | None = None, *, modal: bool = True) -> QWidget:
        from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog

        dialog = ArrangementDialog(self.ctx, arrangement_id, today=self._today, parent=self)  # the clock, read each time
        dialog.accepted.connect(self._after_arrangement)
        if modal:
            dialog.exec()
        else:
            dialog.show()
        return dialog

    def _after_arrangement(self) -> None:
        self.arrangements_register.refresh_in_place()
        self.refresh_work_list()

    # --- letters ------------------------------------------------------------------------------
    def _save_path(self, title: str, name: str) -> Path | None:
        path = ask_letter_path(self, title, name)
        return Path(path) if path else None

    def _item_letter(self, kind: str) -> None:
        row = self.items_register.selected() if self.tabs.currentWidget() is self.items_register else None
        if row is None:
            QMessageBox.information(self, "Letters", "Choose the item on the Items tab first.")
            return
        from adoption_desktop.letterbox.documents import check_item_letters

        try:  # what would refuse the letter is said before the file is asked for
            check_item_letters(self.ctx.db, self.ctx.principal, kind, [row.id])
        except AppError as exc:
            QMessageBox.warning(self, "Letters", str(exc))
            return
        path = self._save_path("Save letter", f"letterbox-{kind}-{row.reference}.pdf")
        if path:
            self.produce_letters(kind, path, item_ids=[row.id])

    def _arrangement_letter(self, kind: str) -> None:
        chosen = self._selected_arrangement()
        if chosen is None:
            QMessageBox.information(self, "Letters", "Choose the arrangement on the Arrangements tab first.")
            return
        path = self._save_path("Save letters", f"letterbox-{kind}-{chosen[1]}.pdf")
        if path:
            self.produce_letters(kind, path, arrangement_ids=[chosen[0]])

    def _review_letters(self) -> None:
        rows = service.list_arrangements(self.ctx.db, self.ctx.principal, ArrangementFilter(status="active"),
                                         0, 100_000, today=self.today)
        soon = self.today + dt.timedelta(days=30)
        ids = [r.id for r in rows if r.review_date is not None and self.today <= r.review_date <= soon]
        if not ids:
            QMessageBox.information(self, "Review invitations", "No review is due in the next 30 days.")
            return
        path = self._save_path("Save review invitations", "letterbox-review-invitations.pdf")
        if path:
            self.produce_letters("review", path, arrangement_ids=ids)

    def produce_letters(self, kind: str, path: Path, *, month: str | None = None,
                        arrangement_ids: list[int] | None = None, item_ids: list[int] | None = None) -> None:
        from adoption_desktop.letterbox.documents import BatchResult, write_batch

        def work(task: Any) -> BatchResult:
            return write_batch(self.ctx.db, self.ctx.principal, kind, path, month=month,
                               arrangement_ids=arrangement_ids or [], item_ids=item_ids or [], today=self._today,
                               progress=lambda d, t: task.progress(d, t, f"Letter {d:,} of {t:,}"),
                               cancelled=lambda: task.cancelled)

        def done(result: BatchResult) -> None:
            held = f" {result.held_text}" if result.held else ""
            self.last_batch = result
            reprint = "".join(f" {t}" for t in (result.reprint_text, result.printed_since_text) if t)
            said = "".join(f" {t}" for t in (result.not_recorded_text, result.printed_before_text) if t)
            text = f"{plural(result.letters, 'letter')} written to {result.path}.{said}{reprint}{held}" \
                if result.path else f"No letter was written.{held}" if result.held else "No letters were due."
            self.ctx.notify(text)
            # a copy printed, and not recorded, before this print or since the month was recorded may have
            # been posted: said in a message box, not only in the status bar
            if result.printed_before or result.printed_since:
                box = QMessageBox(QMessageBox.Icon.Warning, "Reminders", " ".join(
                    t for t in (result.printed_before_text, result.printed_since_text) if t), parent=self)
                box.setObjectName("printed_before_notice")
                box.setInformativeText(" ".join(t for t in (
                    "These letters are recorded as sent now, as the month's first print." if result.printed_before
                    else "", "This print is recorded as a reprint, not as letters sent again."
                    if result.printed_since else "") if t))
                box.open()

        run_with_progress(self, self.ctx.tasks, "Writing letters", work, on_done=done,
                          on_error=self._letters_refused)

    def _letters_refused(self, exc: BaseException) -> None:
        """A refused batch is explained; a returned letter refused because the item's reason names the other
        side (a reason recorded before it was checked) offers to open the item to reword it."""
        from adoption_desktop.letterbox.documents import TypedTextLeaks

        if not isinstance(exc, TypedTextLeaks) or exc.item_id is None:
            show_error(self, "Letters", exc)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Letters", str(exc), parent=self)
        box.setObjectName("reword_offer")
        reword = box.addButton("&Open the item to reword it", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(reword)
        box.exec()
        if box.clickedButton() is reword:
            self.reword_item(exc.item_id)

    def reword_item(self, item_id: int) -> ItemDialog:
        """The item's window, at its reason, to reword it (Reword reason)."""
        dialog = self.open_existing_item(item_id)
        dialog.focus_reason()
        return dialog

    def _reminders_clicked(self) -> None:
        month = str(self.letters_month.currentData())
        if not self._print_again(month):
            return
        path = ask_letter_path(self, "Save reminder letters", f"letterbox-reminders-{month}.pdf")
        if path:
            self.produce_letters("reminder", Path(path), month=month)

    def _chasers_clicked(self) -> None:
        # every overdue writer, whatever the list shows (Show: Due this month hides them, yet they are owed chasers)
        ids = sorted({w.arrangement_id for w in self.work_model.all_rows() if w.state == "overdue"})
        if not ids:
            QMessageBox.information(self, "Chasers", "No writer is overdue.")
            return
        if not self._again_today("chaser", "Chasers", ids):
            return
        path = ask_letter_path(self, "Save chaser letters", "letterbox-chasers.pdf")
        if path:
            self.produce_letters("chaser", Path(path), arrangement_ids=ids)

    def _print_again(self, month: str) -> bool:
        """Whether to print ``month``'s reminders when they were produced before: asked, saying how many, by
        whom and when (No is the default). Printed again they are a reprint: audited as one and not counted
        again as letters sent (user trial: a second run was counted, and sent, as new letters)."""
        try:
            done = service.reminders_produced(self.ctx.db, self.ctx.principal, month)
        except AppError:
            return True
        if not done:
            return True
        words = f"{rules.month_bounds(month)[0]:%B %Y}"
        said = "; ".join(b.said() for b in done)
        ok = ask_yes_no(
            self, "Reminders", f"The reminders for {words} were already produced: {said}. Print them again?",
            yes="&Print again", no="&No", name="reminders_again_question",
            informative="Printed again, they are recorded as a reprint: the letters are not counted again as "
                        "sent. Print them again only to replace letters that were lost or spoiled; families "
                        "whose letter has come in since get none.")
        if not ok:
            self.ctx.notify(f"Reminders for {words}: nothing printed (already produced).")
        return ok

    def _again_today(self, kind: str, title: str, arrangement_ids: list[int]) -> bool:
        """Whether to write ``kind`` letters for ``arrangement_ids`` when some were written today already:
        asked, saying how many, by whom and when (No is the default). Keyboard trial: chasers produced twice
        in a day went out twice, and the sent-list recorded both."""
        try:
            done = service.letters_sent_on(self.ctx.db, self.ctx.principal, kind, arrangement_ids, self.today)
        except AppError:
            return True
        if not done:
            return True
        said = "; ".join(b.said() for b in done)
        covered = max(b.arrangements for b in done)
        ok = ask_yes_no(
            self, title, f"{title} were already produced today for {covered} of these "
            f"{plural(len(arrangement_ids), 'arrangement')}: {said}. Produce them again?",
            yes="&Produce them again", no="&No", name="letters_again_question",
            informative="Each letter produced is recorded in the sent-list as sent: the writers would be "
                        "sent the same letter twice.")
        if not ok:
            self.ctx.notify(f"{title}: nothing produced (already produced today).")
        return ok

    # --- import -------------------------------------------------------------------------------
    def _import_clicked(self) -> None:
        with focus_kept(self):
            path, _ = QFileDialog.getOpenFileName(self, "Import letterbox register", "",
                                                  "Spreadsheets (*.xlsx *.csv)")
        if path:
            self.open_import(Path(path))

    def open_import(self, path: Path) -> None:
        """Read the file in the background (a 50,000-row sheet takes a second or two), then the preview."""
        from adoption_desktop.letterbox.importing import ImportCancelled, Table, read_table
        from adoption_desktop.letterbox.views.import_dialog import ImportDialog

        def work(task: Any) -> Table:
            task.progress(0, 0, f"Reading {path.name}")
            table = read_table(path)
            if task.cancelled:
                raise ImportCancelled()
            return table

        def done(table: Table) -> None:
            dialog = ImportDialog(self.ctx, path, self, table=table)
            self.import_dialog = dialog
            if run_modal(dialog):
                report = dialog.last_report
                if report is not None:  # said where the eye is after the dialog closes, as a backup is
                    self.ctx.notify(f"{path.name} imported: {report.creates} new, {report.updates} updated, "
                                    f"{report.unchanged} unchanged arrangement(s)."
                                    + (f" {report.kept_text}" if report.kept else ""))
                self.arrangements_register.refresh()
                self.refresh_work_list()

        run_with_progress(self, self.ctx.tasks, "Reading the register", work, on_done=done,
                          on_error=lambda exc: show_error(self, "Import", exc))


def create_page(ctx: AppContext) -> QWidget:
    return LetterboxPage(ctx)
