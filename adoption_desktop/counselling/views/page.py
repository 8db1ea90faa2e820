"""The counselling page: the caseload in waiting-list order with the reasons, or counts only.

Counsellors and administrators (``COUNSELLING_VIEW``) see the list and open cases; anyone else who
reaches the page (a manager with ``REPORTS_VIEW``) sees counts, never names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.text_input import name_key
from adoption_desktop.counselling import rules, service
from adoption_desktop.counselling.service import (
    BEFORE_1975_ANSWERS,
    CONTACT,
    ROUTES,
    CaseCounts,
    CaseRow,
    ReferralInput,
    SameApplicant,
    same_applicant_question,
)
from adoption_desktop.counselling.settings import PRIORITY_AGE
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from adoption_desktop.counselling.views.widgets import FormDialog, combo_key, fill_combo
from adoption_desktop.ui.accessibility import tab_in_order
from adoption_desktop.ui.autosave import DraftAutosaver, FormField, restored_text
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import DateEdit, qdate
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.empty_note import EmptyNote
from adoption_desktop.ui.forms import child, load_form
from adoption_desktop.ui.list_keys import SearchKeys, focus_list, select_row
from adoption_desktop.ui.sort_menu import make_sortable
from adoption_desktop.ui.table_model import OVERDUE_BRUSH, Column, RowTableModel
from adoption_desktop.ui.table_view import show_cut_text
from adoption_desktop.ui.today_default import TodayDefaults
from adoption_desktop.ui.wrap_row import WrapRow

SHOW = {"waiting": "Waiting list (not yet allocated)", "open": "All open cases", "mine": "My cases",
        "closed": "Closed cases", "all": "All cases", "check": "Adoption order dates to check"}


def _date_to_check(r: CaseRow) -> str:
    """The tooltip of a case whose adoption order date cannot be right (saved before it was checked)."""
    return f"Adoption order date: {r.order_date_problem} Correct it with Edit referral." if r.order_date_problem else ""


CASE_COLUMNS: list[Column[CaseRow]] = [
    Column("#", lambda r: r.rank, align_right=True, tooltip=lambda r: "Position on the waiting list"),
    Column("Reference", lambda r: r.reference),
    Column("Name now", lambda r: r.name),
    Column("Status", lambda r: r.status),
    Column("Referred", lambda r: r.referral_date),
    Column("Wait", lambda r: r.days_waiting, align_right=True,
           tooltip=lambda r: "days from referral to allocation" if r.allocated_on else "days since referral"),
    Column("Why this position", lambda r: r.reasons_short, tooltip=lambda r: r.reasons),
    Column("Adopted", lambda r: r.adoption_order_date or "Not known",
           sort_key=lambda r: r.adoption_order_date or dt.date.min, tooltip=_date_to_check,
           foreground=lambda r: OVERDUE_BRUSH if r.order_date_problem else None),
    # a date that cannot be right makes its flags doubtful too: the flags say so first
    Column("Flags", lambda r: "Order date to check" if r.order_date_problem else r.flags.short,
           tooltip=lambda r: "; ".join([*filter(None, [_date_to_check(r)]), *r.flags.labels]),
           foreground=lambda r: OVERDUE_BRUSH if r.flags.counselling_required or r.order_date_problem else None),
    Column("Age", lambda r: r.age, align_right=True),
    Column("Counsellor", lambda r: r.counsellor),
    Column("Requests (late)", lambda r: f"{r.open_requests} ({r.overdue_requests})" if r.open_requests
           else "", sort_key=lambda r: (r.overdue_requests, r.open_requests),
           foreground=lambda r: OVERDUE_BRUSH if r.overdue_requests else None),
]

# (heading, the widest text the column usually holds) — sizes the columns; see CounsellingPage._size_columns
COLUMN_SAMPLES = (("#", "999"), ("Reference", "BRC-2026-0000"), ("Name now", "Harvey Flinthurst"),
                  ("Status", "Allocated"), ("Referred", "00/00/0000"), ("Wait", "Wait"), ("Why this position", ""),
                  ("Adopted", "00/00/0000"), ("Flags", "Order date not known"), ("Age", "Age"),
                  ("Counsellor", "Corey Fenmere"), ("Requests (late)", "Requests (late)"))
REASONS_COLUMN = 6
#: the order of the answers in the referral form's "Adopted before 12 November 1975?" list
BEFORE_1975_ORDER: tuple[bool | None, ...] = (None, True, False)
#: the autosave key of the New referral form (one draft per user; Edit referral's is the case's own)
NEW_REFERRAL_DRAFT = "counselling.new_referral:new"
#: the answers to "A case for … already exists" (:meth:`CounsellingPage.ask_same_applicant`)
OPEN_EXISTING, CREATE_NEW, BACK = "open", "create", "back"


class _AfterKeys(QObject):
    """Calls ``then`` after each key released in the watched widget."""

    def __init__(self, then: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self.then = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyRelease:
            self.then()
        return False


class ReferralForm:
    """The referral form (``forms/counselling_referral.ui``) and its value."""

    def __init__(self, value: ReferralInput | None = None, today: dt.date | None = None) -> None:
        self.widget = load_form("counselling_referral")
        w = self.widget
        self.route = child(w, QComboBox, "referral_route")
        self.contact = child(w, QComboBox, "preferred_contact")
        fill_combo(self.route, ROUTES, value.referral_route if value else "gro_form")
        fill_combo(self.contact, CONTACT, value.preferred_contact if value else "letter")
        self.dates = {n: child(w, DateEdit, n) for n in ("referral_date", "date_of_birth", "adoption_order_date")}
        day = today or dt.date.today()
        self.dates["referral_date"].setDate(qdate(value.referral_date if value else day))
        # the applicant's own dates start empty: an invented default saved unchanged made up a case (flagged
        # pre-1975, "aged 66") — user trial r2. The date of birth must be entered; the adoption order date
        # may stay "not known" (older adopted adults often do not know it; staff invented 01/01/1970)
        self.dates["adoption_order_date"].set_blank("not known")  # emptied again, it is "not known" once more
        for name in ("date_of_birth", "adoption_order_date"):
            known = getattr(value, name) if value else None
            if known:
                self.dates[name].setDate(qdate(known))
            elif name == "date_of_birth":
                self.dates[name].set_blank()
        # while the date is not known: adopted before 12 November 1975 as far as is known?
        self.before_1975 = child(w, QComboBox, "adopted_before_1975")
        self.before_1975.clear()
        for answer in BEFORE_1975_ORDER:
            self.before_1975.addItem(BEFORE_1975_ANSWERS[answer])
        answer = value.adopted_before_1975 if value else None
        if value and value.adoption_order_date is None and rules.before_1975_from_birth(value.date_of_birth) is not None:
            # what is stored came from the date of birth, not the person: if that date is corrected, the
            # question is open again ("Not known", the safe side), never the old date's answer (review)
            answer = None
        self.before_1975.setCurrentIndex(BEFORE_1975_ORDER.index(answer))
        self._before_1975_tip = self.before_1975.toolTip()
        self._chosen = self.before_1975.currentIndex()  # the person's own answer (shown again with no date)
        # as the text is typed or emptied, not only when the field is left: Tab from an emptied date must
        # reach the answer, which a still-disabled list would skip
        self._key_watch = _AfterKeys(self._order_date_changed, w)
        for name in ("adoption_order_date", "date_of_birth"):
            self.dates[name].dateChanged.connect(lambda _d: self._order_date_changed())
            self.dates[name].editingFinished.connect(self._order_date_changed)
            self.dates[name].installEventFilter(self._key_watch)
        self._order_date_changed()
        self.lines = {n: child(w, QLineEdit, n) for n in ("referred_by", "birth_name", "current_name", "phone",
                                                           "email", "court", "arranging_agency", "salutation")}
        self.address = child(w, QPlainTextEdit, "address")
        if value:
            for n, edit in self.lines.items():
                edit.setText(getattr(value, n))
            self.address.setPlainText(value.address)

    def draft_fields(self) -> dict[str, FormField]:
        """Every field but the address (the draft's text), in the order a draft puts them back: the dates
        before the "adopted before 1975?" answer, which they enable or decide."""
        return {"referral_route": self.route, "preferred_contact": self.contact, **self.dates,
                "adopted_before_1975": self.before_1975, **self.lines}

    def value(self) -> ReferralInput:
        return ReferralInput(
            referral_date=self.dates["referral_date"].required_date(), referral_route=combo_key(self.route),
            birth_name=self.lines["birth_name"].text(), current_name=self.lines["current_name"].text(),
            date_of_birth=self.dates["date_of_birth"].required_date(),
            adoption_order_date=self.dates["adoption_order_date"].optional_date(),
            adopted_before_1975=self.before_1975_answer(),
            referred_by=self.lines["referred_by"].text(), address=self.address.toPlainText(),
            phone=self.lines["phone"].text(), email=self.lines["email"].text(),
            preferred_contact=combo_key(self.contact), court=self.lines["court"].text(),
            arranging_agency=self.lines["arranging_agency"].text(), salutation=self.lines["salutation"].text())

    def order_date_empty(self) -> bool:
        """The adoption order date field is empty ("not known"); text that is not a date counts as entered."""
        edit = self.dates["adoption_order_date"]
        try:
            return edit.optional_date() is None
        except ValidationError:
            return False

    def _order_date_changed(self) -> None:
        # the answer is only for a date not known: with a date, the date decides (and the answer is not saved);
        # born on or after 12 November 1975 (or 18 by then), the date of birth decides (the service derives it
        # too). The list then shows what decides, locked; the person's own answer comes back when neither does.
        from_birth = self.before_1975_from_birth()
        decided = self.order_date_says()
        if decided is None:
            decided = from_birth
        if self.before_1975.isEnabled():
            self._chosen = self.before_1975.currentIndex()
        self.before_1975.setCurrentIndex(BEFORE_1975_ORDER.index(decided) if decided is not None else self._chosen)
        self.before_1975.setEnabled(self.order_date_empty() and from_birth is None)
        self.before_1975.setToolTip(
            self._before_1975_tip if from_birth is None
            else "Born on or after 12 November 1975: the adoption was after that day." if from_birth is False
            else "Born on or before 12 November 1957: 18 by 12 November 1975, so adopted before it (an adoption "
                 "order is made only for a child).")

    def order_date_says(self) -> bool | None:
        """What the adoption order date typed says (before 12 November 1975 or not); None while it is empty
        or not a date."""
        try:
            order = self.dates["adoption_order_date"].optional_date()
        except ValidationError:
            return None
        return None if order is None else order < rules.COUNSELLING_DATE

    def before_1975_from_birth(self) -> bool | None:
        """What the date of birth typed says (:func:`rules.before_1975_from_birth`); None while it is empty or
        not a date."""
        try:
            born = self.dates["date_of_birth"].optional_date()
        except ValidationError:
            return None
        return None if born is None else rules.before_1975_from_birth(born)

    def before_1975_answer(self) -> bool | None:
        """The answer chosen, or None while the date is entered (the service derives it from the date)."""
        if not self.order_date_empty():
            return None
        return BEFORE_1975_ORDER[max(self.before_1975.currentIndex(), 0)]


def _counts_text(c: CaseCounts) -> str:
    longest = f"{c.longest_wait_days} days" if c.longest_wait_days is not None else "–"
    return (f"<b>{c.waiting}</b> waiting · <b>{c.allocated}</b> allocated · longest wait <b>{longest}</b> · "
            f"<b>{c.open_requests}</b> records requests outstanding, <b>{c.overdue_requests}</b> overdue "
            f"for a chase · <b>{c.closed}</b> closed")


class CountsPage(QWidget):
    """For roles without case access: numbers only."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("counselling_counts_page")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Birth-records counselling</h2>"))
        note = QLabel("Case records are visible to counsellors and administrators only. You can see the "
                      "numbers below and the figures in Reports.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.form = QFormLayout()
        self.labels: dict[str, QLabel] = {}
        for key, text in (("waiting", "Waiting (not yet allocated)"), ("allocated", "Allocated, open"),
                          ("longest_wait_days", "Longest current wait (days)"),
                          ("open_requests", "Records requests outstanding"),
                          ("overdue_requests", "Records requests overdue for a chase"), ("closed", "Closed")):
            lab = QLabel("…")
            lab.setObjectName(f"count_{key}")
            self.labels[key] = lab
            self.form.addRow(text, lab)
        layout.addLayout(self.form)
        # the page is made once per sign-in and kept: without these the counts stayed as first opened all day
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setObjectName("refresh_counts")
        self.refresh_button.setToolTip("Count again now (F5); the counts are also taken again each time you "
                                       "come back to this page")
        self.refresh_button.clicked.connect(lambda _=False: self.refresh())
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        self._shown = False
        self.refresh()
        ctx.after_new_day.append(lambda _day: self.refresh())  # the longest wait and overdue chases: from today

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._shown and not event.spontaneous():  # back from another area: a colleague's work since counts
            self.refresh()
        self._shown = True

    def refresh(self) -> None:
        today = self.ctx.today()
        self.ctx.tasks.run(lambda _t: service.counts(self.ctx.db, self.ctx.principal, today), on_done=self._show,
                           on_error=lambda exc: show_error(self, "Counselling", exc))

    def _show(self, counts: object) -> None:
        assert isinstance(counts, CaseCounts)
        for key, lab in self.labels.items():
            value = getattr(counts, key)
            lab.setText("–" if value is None else str(value))


class CounsellingPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.today: Callable[[], dt.date] = ctx.today
        self.setObjectName("counselling_page")
        self.cases: list[CaseDialog] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Birth-records counselling</h2>"))
        self.counts = QLabel()
        self.counts.setObjectName("counts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.counts.setWordWrap(True)  # on two lines on a narrow (scaled) screen, not wider than the page
        layout.addWidget(self.counts)

        bar = WrapRow()  # wraps onto a second line on a narrow screen instead of scrolling sideways
        show_label = QLabel("&Show")
        self.show_combo = QComboBox()
        self.show_combo.setObjectName("show")
        fill_combo(self.show_combo, SHOW, "waiting")
        show_label.setBuddy(self.show_combo)
        find_label = QLabel("Fin&d")  # Alt+I: the Edit menu
        self.search = QLineEdit()
        self.search.setObjectName("find")
        self.search.setPlaceholderText("name, reference or counsellor")
        self.search.setClearButtonEnabled(True)
        find_label.setBuddy(self.search)
        self.new_button = QPushButton("&New referral…")
        self.new_button.setObjectName("new_referral")
        # Ctrl+N as well as Alt+N: a shortcut set on the button itself would replace the Alt+N its text shows
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_button.click)
        self.new_button.setEnabled(ctx.can(Permission.COUNSELLING_EDIT))
        self.open_button = QPushButton("&Open case")
        self.open_button.setObjectName("open_case")
        refresh = QPushButton("&Refresh")
        refresh.setObjectName("refresh")
        # the Find box grows with the window (up to a point) and always shows its whole hint
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance(self.search.placeholderText()) + 48)
        self.search.setMaximumWidth(2 * self.search.minimumWidth())
        for w in (show_label, self.show_combo, find_label):
            bar.addWidget(w)
        bar.addWidget(self.search, 1)
        bar.addStretch(1)
        for b in (self.new_button, self.open_button, refresh):
            bar.addWidget(b)
        layout.addLayout(bar)

        self.model: RowTableModel[CaseRow] = RowTableModel(CASE_COLUMNS)
        self._cases_total: int | None = None  # every case, whatever Show lists (None until first read)
        self.table = QTableView()
        show_cut_text(self.table)  # a cell cut short reads whole on hover
        self.table.setObjectName("caseload")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.sort_menu = make_sortable(self.table)  # heading clicks, and the keyboard: Menu key → Sort by
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # a new service's first look: not a blank table (the words for those who may add a case say how)
        can_add = ctx.can(Permission.COUNSELLING_EDIT)
        self.empty_note = EmptyNote(self.table, lambda: " ".join(filter(None, (
            "No counselling cases yet.", "Add the first with New referral… (Ctrl+N)." if can_add else "")))
            if self._cases_total == 0 and not self.search.text().strip() else "")
        self._size_columns()
        layout.addWidget(self.table, 1)
        self.order_note = QLabel()
        self.order_note.setObjectName("order_note")
        self.order_note.setWordWrap(True)
        layout.addWidget(self.order_note)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.show_combo.currentIndexChanged.connect(lambda i: self.refresh() if i >= 0 else None)
        self.new_button.clicked.connect(lambda _=False: self.new_referral())
        self.open_button.clicked.connect(lambda _=False: self.open_selected())
        refresh.clicked.connect(lambda _=False: self.refresh())
        self.table.activated.connect(self._activated)
        # Down and Page Down in Find go to the cases found; Enter opens the only one (as the letterbox
        # registers do); neither waits for the typing pause
        self.search_keys = SearchKeys(self.search, self.table, on_enter=self.open_found, ready=self._filtered)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        QShortcut(QKeySequence("Ctrl+F"), self, self.focus_find)  # as in the ADM and letterbox areas
        # the row above the list, left to right, then the list (the buttons came after the list)
        tab_in_order(self.show_combo, self.search, self.new_button, self.open_button, refresh, self.table)
        self.refresh()
        ctx.after_new_day.append(lambda _day: self.refresh())  # the waits and chase dates count from today

    def focus_find(self) -> None:
        """Ctrl+F: the Find box, its words selected (typing replaces them)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not event.spontaneous():  # opened (Ctrl+4, the Areas list): the arrow keys move in the cases
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _size_columns(self) -> None:
        """Each column as wide as its typical content (measured in the screen font); 'Why this position'
        takes the rest of the width, so the list fits a 1366 px screen without sideways scrolling."""
        header = self.table.horizontalHeader()
        fm = self.table.fontMetrics()
        pad = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 4
        mark = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize)  # the sort arrow beside a heading
        for column, (title, sample) in enumerate(COLUMN_SAMPLES):
            if column == REASONS_COLUMN:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            else:
                self.table.setColumnWidth(column, fm.horizontalAdvance(sample) + pad + (mark if sample == title else 0))

    # --- list -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        which = combo_key(self.show_combo)
        today = self.today()

        def work(_task: object) -> tuple[list[CaseRow], CaseCounts, int]:
            rows = service.caseload(self.ctx.db, self.ctx.principal, which, today)
            counts = service.counts(self.ctx.db, self.ctx.principal, today)
            with self.ctx.db.session(self.ctx.principal, write=False) as session:
                age = get_setting(session, PRIORITY_AGE)
            return rows, counts, age

        self.ctx.tasks.run(work, on_done=self._loaded, on_error=lambda exc: show_error(self, "Counselling", exc))

    def _loaded(self, result: object) -> None:
        rows, counts, age = cast(tuple[list[CaseRow], CaseCounts, int], result)
        self._cases_total = counts.waiting + counts.allocated + counts.closed
        self.model.set_rows(rows)
        # back to the documented priority order (column 0), whatever the user sorted by before
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.counts.setText(_counts_text(counts))
        self.order_note.setText(
            f"Order: cases adopted before 12 November 1975 and applicants aged {age} or over are brought "
            "forward (both reasons first), then the earliest referral. Each row's reasons are in the column "
            "'Why this position' (hover for the full text); 'Wait' runs from referral to allocation. Click a column heading to sort differently; Refresh (F5) restores the priority order.")
        self.apply_filter()
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def _filtered(self, action: Callable[[], object]) -> None:
        """Run ``action`` on the rows for the text in Find: the typing pause, if still running, ends now."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.apply_filter()
        action()

    def open_found(self) -> None:
        """Enter in Find: the only case found opens; of several, the list takes the keyboard with a row
        selected, where Enter opens it. Nothing found: Find keeps the focus."""
        if self.model.rowCount() == 1:
            select_row(self.table, 0)
            self.open_case(self.model.row_at(0).id)
        else:
            focus_list(self.table)

    def apply_filter(self) -> None:
        text = self.search.text().strip().lower()
        if not text:
            self.model.set_filter(None)
            return
        self.model.set_filter(lambda r: text in f"{r.reference} {r.name} {r.birth_name} {r.counsellor}".lower())

    # --- cases ----------------------------------------------------------------------------------
    def _activated(self, index: QModelIndex) -> None:
        self.open_case(self.model.row_at(index.row()).id)

    def open_selected(self) -> CaseDialog | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.open_case(self.model.row_at(rows[0].row()).id)

    def open_case(self, case_id: int) -> CaseDialog | None:
        try:
            dialog = CaseDialog(self.ctx, case_id, self.today, self)
        except Exception as exc:
            show_error(self, "Open case", exc)
            return None
        dialog.changed.connect(self.refresh)
        dialog.finished.connect(lambda _r, d=dialog: self.cases.remove(d) if d in self.cases else None)
        self.cases.append(dialog)
        dialog.show()
        return dialog

    def ask_same_applicant(self, found: list[SameApplicant]) -> str:
        """Asked before saving a referral for a person who already has a case: :data:`OPEN_EXISTING`,
        :data:`CREATE_NEW` or :data:`BACK` (to the form; also Escape). Opening that case is the default."""
        box = QMessageBox(QMessageBox.Icon.Question, "New referral", same_applicant_question(found),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("same_applicant")
        open_it = box.addButton("&Open that case", QMessageBox.ButtonRole.AcceptRole)
        choices = {open_it: OPEN_EXISTING,
                   box.addButton("&Create a new case", QMessageBox.ButtonRole.ActionRole): CREATE_NEW}
        back = box.addButton("&Back to the form", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(open_it)
        box.setEscapeButton(back)
        box.exec()
        return choices.get(box.clickedButton(), BACK)  # type: ignore[call-overload]

    def new_referral(self) -> FormDialog:
        """The New referral form, kept as a draft while typed (a crash loses nothing: user trial). Before
        saving, a case already on file for the same person (name at birth and date of birth) is named, with
        the choice to open it instead (what was typed is then not saved) or to create a new case. The form's own
        checks come first, and "Create a new case" holds for this form while the name at birth and date of birth
        stay as they were."""
        form = ReferralForm(today=self.today())
        # the referral date while it shows "today", untouched: it follows midnight, and an OK pressed after it
        # saves nothing on that press (``ui.today_default``); given before a draft is brought back
        dates = TodayDefaults(self.today)
        dates.add("referral_date", form.dates["referral_date"], "referral date")
        created: list[int] = []
        instead: list[int] = []
        # "Create a new case" for this person (name at birth as compared, date of birth) and these cases on file:
        # a later OK on the same form does not ask again while none of them changes (user trial: asked again
        # after a missing address was put right)
        create_new_for: list[tuple[str, dt.date, tuple[int, ...]]] = []

        def submit() -> None:
            moved = CaseDialog.follow_today(dialog, dates)
            if moved:  # never yesterday's date unseen: the new one is shown, and saved on the next press
                raise ValidationError(f"{moved[1]} Nothing was saved yet: press OK again to save it.", moved[0])
            data = form.value()
            # the form's own checks first, the same as saving makes: the question about a case on file comes
            # once the form can be saved (user trial: asked, then "enter a postal address", then asked again)
            clean = service.check_referral(data, self.today())
            found = service.same_applicant(self.ctx.db, self.ctx.principal, clean.birth_name, clean.date_of_birth)
            person = (name_key(clean.birth_name), clean.date_of_birth, tuple(c.id for c in found))
            if found and person not in create_new_for:
                choice = self.ask_same_applicant(found)
                if choice == OPEN_EXISTING:
                    chosen = next((c for c in found if c.closed_on is None), found[-1])
                    saver.clear()  # the person chose the case on file instead: this form's typing goes
                    instead.append(chosen.id)  # the form closes, then that case opens
                    return
                if choice != CREATE_NEW:
                    raise Conflict(f"Not saved yet: {found[0].reference} may be the same person. Check it, "
                                   "then press OK and choose whether to open that case or create a new one.")
                create_new_for[:] = [person]
            created.append(service.create_referral(self.ctx.db, self.ctx.principal, data, self.today()))
            saver.clear()

        dialog = FormDialog(self, "New referral", form.widget, submit)
        # the whole form is the draft (the address its text, every other field with it); the referral date is
        # today unless changed, so a draft brought back on a later day does not date the referral back
        saver = DraftAutosaver(self.ctx, NEW_REFERRAL_DRAFT, form.address, fields=form.draft_fields(),
                               if_changed=("referral_date",))
        dialog.autosavers = [saver]
        saver.status.connect(dialog.message.setText)

        def new_day(_day: dt.date) -> None:
            moved = CaseDialog.follow_today(dialog, dates)
            if moved:
                dialog.message.setText(moved[1])
        dates.watch(self.ctx, dialog, new_day)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        said = " ".join(filter(None, (
            restored_text("this form", ok.text(), saver.other_window) if saver.restored else "",
            saver.set_aside_text(what="the form"), saver.other_drafts_text())))
        if said:
            dialog.message.setText(said)

        def done(result: int) -> None:
            if result and created:
                self.refresh()
                self.open_case(created[-1])
            elif result and instead:
                self.open_case(instead[-1])

        dialog.finished.connect(done)
        dialog.open()
        return dialog


def create_page(ctx: AppContext) -> QWidget:
    if ctx.can(Permission.COUNSELLING_VIEW):
        return CounsellingPage(ctx)
    return CountsPage(ctx)
