"""The ADM page: the decision queue (model/view, sort and filter in the model) beside one decision.

Keyboard: Ctrl+F find, Alt+T type, Alt+W show, Ctrl+N new decision without panel, Ctrl+P print a
day's letters, F5 refresh; the decision's tabs are Alt+C (Recommendation), Alt+D (Decision), Alt+Y (Letters
and history) and Alt+Q (Qualifying determination); the queue and the decision's fields are in tab order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.adm import service
from adoption_desktop.adm.service import DecisionRow
from adoption_desktop.adm.views.detail import DecisionPanel
from adoption_desktop.adm.views.dialogs import DatedNoteDialog, NewDecisionDialog
from adoption_desktop.adm.views.queue_model import (
    COL_CLOCK,
    COL_DUE,
    COL_REF,
    COL_TYPE,
    FOLLOW_UPS,
    QUEUE_SAMPLES,
    queue_filter,
    queue_model,
)
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.wording import plural
from adoption_desktop.ui.accessibility import MessageLine, tab_in_order
from adoption_desktop.ui.context import AppContext, CountsFromToday
from adoption_desktop.ui.dates import pydate
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.fit import size_columns
from adoption_desktop.ui.letter_save import ask_letter_path
from adoption_desktop.ui.list_keys import SearchKeys
from adoption_desktop.ui.modal import run_modal
from adoption_desktop.ui.palette import error_tint, tint_style
from adoption_desktop.ui.sort_menu import make_sortable
from adoption_desktop.ui.table_view import show_cut_text
from adoption_desktop.ui.tasks import TaskHandle, run_with_progress
from adoption_desktop.ui.today_default import TodayDefaults, keep_opened
from adoption_desktop.ui.wrap_row import WrapRow

STATES = (("open", "Open or to follow up"), ("overdue", "Overdue or due today"), ("paused", "Paused"),
          ("signed", "Signed"), ("all", "All"))


class AdmPage(CountsFromToday, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._today = today
        self._select_after_load: int | None = None
        #: a decision was just signed: the focus goes back to the queue once the pane shows it signed
        self._focus_queue = False
        self._filtering = False  # apply_filter under way (its question may be open: not run again inside it)
        self._hidden_id: int | None = None  # the decision the filter took out of view (reopened when it is back)
        self._signed_id: int | None = None  # a decision just signed (kept in view when the queue reloads)
        self._pinned_id: int | None = None  # the decision listed whatever the filter, until it is changed
        #: the decision the ADM chose to keep open for its typing kept nowhere although the queue no longer lists
        #: it (asked once: not again at each Find keystroke; see :meth:`_kept_for_typing`)
        self._kept_open: int | None = None
        self._total = 0  # decisions loaded, before the filter
        layout = QVBoxLayout(self)
        bar = WrapRow()  # wraps onto a second line on a narrow (scaled) screen instead of scrolling sideways
        self.search = QLineEdit()
        self.search.setPlaceholderText("reference or initials")
        self.search.setClearButtonEnabled(True)
        self.type_combo = QComboBox()
        self.type_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        # 10 characters ("All types"): with the buttons the row fits the page's share of a 1366-pixel screen's default
        # window (1280 wide; at 22 the page scrolled sideways by 79 px there); the open list shows whole names
        self.type_combo.setMinimumContentsLength(10)
        self.type_combo.view().setMinimumWidth(self.type_combo.fontMetrics().horizontalAdvance("M" * 26))
        self.type_combo.addItem("All types", "")
        self.state_combo = QComboBox()
        for code, label in STATES:
            self.state_combo.addItem(label, code)
        # Find has Ctrl+F rather than a mnemonic: every letter of "Find" is taken on the decision tabs
        for text, buddy in (("Find (Ctrl+F):", self.search), ("&Type:", self.type_combo), ("Sho&w:", self.state_combo)):
            lab = QLabel(text)
            lab.setBuddy(buddy)
            bar.addWidget(lab)
            bar.addWidget(buddy, 1 if buddy is self.search else 0)
        # Ctrl+N rather than a mnemonic: with the decision's four tabs and the Decision tab's twelve
        # fields and buttons every letter the page's texts offer is taken (the tab is Alt+D, its wording Alt+N)
        self.new_button = QPushButton("New decision without panel…")
        self.new_button.setToolTip("Ctrl+N: child's plan for adoption, reg 25A temporary approval, local types")
        self.print_button = QPushButton("Print a day's letters…")  # Ctrl+P; Alt+P: the Reports menu
        self.print_button.setToolTip("Ctrl+P: every ADM letter dated one day, in one PDF")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("F5")
        bar.addWidget(self.new_button)
        bar.addWidget(self.print_button)
        bar.addWidget(self.refresh_button)
        layout.addLayout(bar)
        self.message = MessageLine()
        self.message.setWordWrap(True)
        error_tint(self.message)
        self.message.hide()
        layout.addWidget(self.message)

        self.model = queue_model(parent=self)
        self.view = QTableView()
        show_cut_text(self.view)  # a cell cut short reads whole on hover
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.sort_menu = make_sortable(self.view, header.sortIndicatorOrder())  # and the keyboard: Sort by
        self.view.setAccessibleName("Decision queue")
        self._viewport = self.view.viewport()
        self.empty_label = QLabel(self._viewport)  # over the empty queue: why nothing is listed
        self.empty_label.setObjectName("empty_label")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setMargin(12)
        self.empty_label.hide()
        self._viewport.installEventFilter(self)
        self.detail = DecisionPanel(ctx, lambda: self.today)
        splitter = QSplitter()
        splitter.addWidget(self.view)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        widths = size_columns(self.view, QUEUE_SAMPLES)
        #: the queue's width that shows reference, clock, due date, initials and type whole without sideways
        #: scrolling, a scroll bar beside them (the rest of the row scrolls into view); see _share_width
        edges = 2 * self.view.frameWidth() + self.view.style().pixelMetric(
            QStyle.PixelMetric.PM_ScrollBarExtent, None, self.view)
        self.queue_width = sum(widths[:COL_TYPE + 1]) + edges
        #: the least the queue is given when first shown: the reference, the clock and the due date whole (which
        #: case, and when it is due), whatever the decision pane would like; see _share_width
        self.queue_least = sum(widths[col] for col in (COL_REF, COL_CLOCK, COL_DUE)) + edges
        self.splitter = splitter
        self._shared = False
        layout.addWidget(splitter, 1)
        self.count_label = QLabel()
        layout.addWidget(self.count_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._unpin(then=self._debounce.start))
        # Down, Page Down and Enter in Find go to the decisions found (the selected one is open beside the
        # queue), without waiting for the typing pause
        self.search_keys = SearchKeys(self.search, self.view, on_enter=lambda: self.search_keys.to_list(),
                                      ready=self._filtered)
        self.type_combo.currentIndexChanged.connect(lambda _i: self._unpin(then=self.apply_filter))
        self.state_combo.currentIndexChanged.connect(lambda _i: self._unpin(then=self.apply_filter))
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._open_row(cur.row()))
        self.new_button.clicked.connect(lambda: self.new_decision())
        self.print_button.clicked.connect(lambda: self.print_day())
        self.refresh_button.clicked.connect(lambda: self.reload())
        self.detail.signed.connect(self._after_signing)
        self.detail.changed.connect(self._after_change)
        self.detail.failed.connect(self.show_problem)
        self.detail.noted.connect(self.show_note)
        ctx.after_undo.append(self._after_undo)
        for keys, fn in (("Ctrl+N", self.new_decision), ("Ctrl+P", self.print_day), ("F5", self.reload),
                         ("Ctrl+F", self._find), ("Ctrl+Shift+I", self._ask_information)):
            QShortcut(QKeySequence(keys), self, lambda f=fn: f())
        self.new_button.setEnabled(ctx.can(Permission.ADM_EDIT))
        # the row above the queue, left to right, then the queue, then the decision beside it (the buttons
        # came after the queue)
        tab_in_order(self.search, self.type_combo, self.state_combo, self.new_button, self.print_button,
                     self.refresh_button, self.view, self.detail)
        # the decision's own top row (Who has seen this…, Children…), above its heading, is read before its tabs:
        # made after the form, it came after the tab's last field, so Tab from the decision's end went up to
        # Children… before Areas, and Shift+Tab from Children… went down into the decision, not to the queue
        # (the panel sitting's details go straight on to Areas, and back to the list)
        tab_in_order(self.view, self.detail.history_button, self.detail.children_button)
        self._types_loaded = False
        self.reload()
        ctx.after_new_day.append(lambda _day: self.reload())  # "Due today" becomes "Overdue" at midnight

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shared:
            self._share_width()
        if not event.spontaneous():  # opened (Ctrl+2, the Areas list, a My work line): the arrow keys move in the queue
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _share_width(self) -> None:
        """First shown (its width now known): half the width each, the queue not less than it needs for its
        first five columns while the decision pane keeps the width for its labels beside their fields
        (``DecisionPanel.roomy_width``: a 1366-pixel window at 100 % and 125 %); on a narrower page (150 %
        scaling: 670 pixels) the queue keeps its reference, clock and due date (:attr:`queue_least`) and the
        pane has the rest, its labels above their fields. The person may drag the divider after."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        queue = max(self.queue_least, min(max(self.queue_width, total // 2), total - self.detail.roomy_width))
        self.splitter.setSizes([queue, total - queue])
        self._shared = True

    # --- loading ------------------------------------------------------------------------------
    def _ask_information(self) -> None:
        """Ctrl+Shift+I: Ask for more information… on the decision shown (its button lost its Alt letter
        to the Edit menu), from any tab, when the button may be pressed."""
        button = self.detail.buttons["info_button"]
        if button.isEnabled():
            button.click()

    def _find(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def reload(self) -> None:
        db, me, today = self.ctx.db, self.ctx.principal, self.today

        def load(_t: TaskHandle) -> tuple[list[DecisionRow], dict[str, str]]:
            return service.list_queue(db, me, today), service.decision_types(db, me)

        self.ctx.tasks.run(load, on_done=self._loaded, on_error=self.show_problem)

    def _loaded(self, result: tuple[list[DecisionRow], dict[str, str]]) -> None:
        rows, types = result
        if not self._types_loaded:
            for code, label in types.items():
                self.type_combo.addItem(label, code)
            self._types_loaded = True
        keep = self._select_after_load or (self.detail.detail.row.id if self.detail.detail else self._hidden_id)
        acted_on = next((r for r in rows if r.id == self._select_after_load), None)
        self._select_after_load = None
        self._total = len(rows)
        if acted_on is not None:
            self._reveal(acted_on)
        self.model.set_rows(rows)
        if self.view.horizontalHeader().sortIndicatorSection() < 0:
            self.model.sort(COL_CLOCK)
        self.apply_filter()
        if (keep is None or not self.select_decision(keep)) and self.model.rowCount() and self.detail.detail is None:
            # the most urgent decision, so the pane is not empty (not over a decision kept open for its typing,
            # which would ask the same question twice)
            self.select_decision(self.model.row_at(0).id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize and watched is self._viewport:
            self.empty_label.setGeometry(self._viewport.rect())
        return super().eventFilter(watched, event)

    def _filtered(self, action: Callable[[], object]) -> None:
        """Run ``action`` on the queue as filtered by the text in Find: the typing pause, if still running,
        ends now."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.apply_filter()
        action()

    def _chosen(self) -> Callable[[DecisionRow], bool] | None:
        """The filter as Find, Type and Show say (None: every decision)."""
        return queue_filter(self.search.text(), str(self.type_combo.currentData() or ""),
                            str(self.state_combo.currentData() or "all"), today=self.today)

    def _unkept_id(self) -> int | None:
        """The decision open in the pane while it holds typing kept nowhere (its drafts stopped: the account
        changed, an audit hold; or the disk is full): it stays listed whatever the filter, so that a refresh or a
        filter never empties the pane under that typing."""
        open_now = self.detail.detail
        return open_now.row.id if open_now is not None and not self.detail.save_pending_edits() else None

    def _filter(self) -> Callable[[DecisionRow], bool] | None:
        chosen = self._chosen()
        listed = {i for i in (self._pinned_id, self._unkept_id()) if i is not None}
        if chosen is None or not listed:
            return chosen
        return lambda r: r.id in listed or chosen(r)

    def _unpin(self, then: Callable[[], object]) -> None:
        """The filter was changed by hand: the decision kept in view after signing follows it again."""
        self._pinned_id = None
        then()

    def _reveal(self, row: DecisionRow) -> None:
        """The decision the user has just acted on (signed, corrected, opened) stays listed beside its
        detail. A decision just signed is kept in the list as the one exception to the filter the ADM chose
        (a trial's queue went from 6 decisions to 151 when Show was widened to All after each signature),
        until the filter is changed; otherwise Show, then Type and Find, are widened when the filter would
        now hide it."""
        if self._signed_id == row.id:
            self._signed_id = None
            keep = self._filter()
            if keep is not None and not keep(row):
                self._pinned_id = row.id
                self.ctx.notify(self._where_signed_went(row))
            return
        steps = ((self.state_combo, lambda: self.state_combo.setCurrentIndex(self.state_combo.findData("all"))),
                 (self.type_combo, lambda: self.type_combo.setCurrentIndex(0)),
                 (self.search, lambda: self.search.clear()))
        for widget, widen in steps:
            keep = self._filter()
            if keep is None or keep(row):
                return
            widget.blockSignals(True)
            try:
                widen()
            finally:
                widget.blockSignals(False)

    def _where_signed_went(self, row: DecisionRow) -> str:
        """The status line for a decision just signed that the Show chosen no longer lists: where it is now (a
        trial's ADM, whose Show was once widened to All, had to find it again and set the filter back)."""
        chosen = self.state_combo.currentText()
        under = [label for code, label in STATES
                 if code != "all" and (f := queue_filter("", "", code, today=self.today)) is not None and f(row)]
        now = " and ".join(f"“{label}”" for label in under) or "“All”"
        return (f"Signed {row.subject_reference}: now under Show {now}, no longer “{chosen}”; it stays in this "
                "list until you change the filter.")

    def apply_filter(self) -> None:
        if self._filtering:
            return  # a timer run while this call's question is open: the open call applies the filter
        self._filtering = True
        try:
            self._apply_filter()
        finally:
            self._filtering = False

    def _apply_filter(self) -> None:
        open_id = self.detail.detail.row.id if self.detail.detail else None
        self.model.set_filter(self._filter())
        rows = self.model.rows()
        overdue = sum(1 for r in rows if r.clock_code == "overdue")
        today = sum(1 for r in rows if r.clock_code == "due_today")
        owed = sum(1 for r in rows if r.clock_code in FOLLOW_UPS)
        # a follow-up past its date (a final decision or a notice overdue) is red in the list: counted as such
        late = sum(1 for r in rows if r.clock_code in FOLLOW_UPS and r.clock_code.endswith("_overdue"))
        self.count_label.setText(f"{plural(len(rows), 'decision')} shown — {overdue} overdue, {today} due today"
                                 + (f", {owed} to follow up" if owed else "")
                                 + (f" ({late} of them overdue)" if late else ""))
        if not rows:
            empty = "No decisions match the filter" if self._total else "No decisions yet"
            hint = "Clear Find (Ctrl+F) or choose another Type or Show." if self._total else ""
        else:
            empty, hint = "Select a decision in the queue", ""
        self.empty_label.setText(f"{empty}.\n{hint}" if hint else f"{empty}.")
        self.empty_label.setGeometry(self.view.viewport().rect())
        self.empty_label.setVisible(not rows)
        unkept = self._unkept_id()
        chosen = self._chosen()
        listed = next((r for r in rows if r.id == unkept), None) if unkept is not None else None
        # (a decision no longer in the queue at all, signed and corrected elsewhere, is let go below, with the
        # question what its typing should become)
        if listed is not None and chosen is not None and not chosen(listed):
            ref = listed.subject_reference
            self.show_note(f"{ref} is still listed, although Find, Type or Show would leave it out, because what "
                           "you typed in it is not kept anywhere else; it stays open so that nothing is lost.")
        if open_id is not None and not self.select_decision(open_id):
            # never leave a decision open (and signable) that the queue does not show, unless the ADM chose to
            # keep it for typing kept nowhere: asked once, not again at each Find keystroke
            if self._kept_for_typing(open_id):
                self._say_kept_open()
            elif self.detail.show_detail(None, empty=empty, hint=hint):
                self._hidden_id = open_id
            else:  # Keep editing: the typing stays, and so does the decision, until another is chosen
                self._kept_open = open_id
                self._say_kept_open()
        elif open_id is None:
            if self._hidden_id is not None and self.select_decision(self._hidden_id):
                self._hidden_id = None
            else:
                self.detail.show_detail(None, empty=empty, hint=hint)
        else:
            self._hidden_id = None

    def _kept_for_typing(self, open_id: int) -> bool:
        """Whether ``open_id``, open in the pane though the queue no longer lists it, is the decision the ADM
        already chose to keep open for its typing kept nowhere ("Keep editing"), and still holds that typing.
        Once another decision is shown, or the typing is kept as a draft, saved or discarded, it no longer is:
        the next filter asks again (or, with nothing left to lose, lets the decision go without a word)."""
        if self._kept_open is not None and (self._kept_open != open_id or self._unkept_id() != open_id):
            self._kept_open = None
        return self._kept_open is not None

    def _say_kept_open(self) -> None:
        """The message line, while the pane keeps a decision the queue no longer lists for its typing."""
        open_now = self.detail.detail
        if open_now is None:
            return
        self.show_note(f"{open_now.row.subject_reference} is no longer in the queue: it was corrected since you "
                       "opened it, and a newer version replaces it. It stays open here because what you "
                       "typed in it is not kept anywhere else. Copy what you need (select it and press Ctrl+C); "
                       "choosing another decision asks again whether to discard it.")

    def select_decision(self, decision_id: int) -> bool:
        for i, r in enumerate(self.model.rows()):
            if r.id == decision_id:
                self.view.selectRow(i)
                self.view.scrollTo(self.model.index(i, 0))
                self._open_row(i)
                return True
        return False

    def _open_row(self, row: int) -> None:
        if row < 0 or row >= self.model.rowCount():
            return
        did = self.model.row_at(row).id
        if self.detail.detail is not None and self.detail.detail.row.id == did:
            return
        self.clear_problem()  # a refusal about the decision open before is not left beside this one
        try:
            shown = self.detail.show_detail(service.get_decision(self.ctx.db, self.ctx.principal, did, self.today))
        except AppError as exc:
            self.show_problem(exc)
            shown = False
        if not shown:  # refused, or the ADM kept the typing of the decision open: the queue says which is open
            self._highlight_open()

    def _highlight_open(self) -> None:
        """The queue's highlight back on the decision the pane still shows (another was not opened), so the
        row highlighted is the decision acted on."""
        open_now = self.detail.detail
        if open_now is None:
            return
        row = next((i for i, r in enumerate(self.model.rows()) if r.id == open_now.row.id), None)
        if row is not None and row != self.view.currentIndex().row():
            self.view.selectRow(row)  # _open_row: the decision already open, nothing read again

    def _after_undo(self, entry: Any) -> None:
        """An undo or redo put a draft decision back: show the decision open here as stored now."""
        if getattr(entry, "area", "") == "adm" and self.detail.detail is not None:
            self._after_change(self.detail.detail.row.id)

    def _after_signing(self, decision_id: int) -> None:
        self._focus_queue = True
        self._signed_id = decision_id

    def _after_change(self, decision_id: int) -> None:
        self.clear_problem()  # the action succeeded: an earlier refusal no longer stands
        current = self.detail.detail.row.id if self.detail.detail else None
        try:  # a re-read of the record already open is not a new opening (no second view in the audit)
            self.detail.show_detail(service.get_decision(self.ctx.db, self.ctx.principal, decision_id,
                                                         self.today, opening=current != decision_id))
        except AppError as exc:
            self.show_problem(exc)
        self._select_after_load = decision_id
        if self._focus_queue:
            # signed (from the keyboard, Alt+S): the Sign button the focus was on is now off, and Qt passed
            # the focus on to the main window's navigation list; the ADM carries on down the queue instead,
            # from the signed decision's row (selected again when the queue has reloaded)
            self._focus_queue = False
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.reload()

    def clear_problem(self) -> None:
        """The message line emptied, not only hidden: a refusal (or a printing summary) is never left behind a
        later action that succeeded (a trial's "is not recorded as sent" was still the line's text after a new
        decision was opened)."""
        self.message.clear()
        self.message.hide()

    def show_note(self, text: str) -> None:
        """A plain note on the message line (not a refusal): e.g. their version shown after a conflict."""
        self.message.setStyleSheet(tint_style("#1B5E20", self.message))
        self.message.setText(text)
        self.message.show()

    def show_problem(self, exc: Any) -> None:
        if isinstance(exc, AppError | OSError):
            error_tint(self.message)
            self.message.setText(str(exc))
            self.message.show()
        else:
            show_error(self, "ADM decisions", exc)

    # --- actions ------------------------------------------------------------------------------
    def new_decision(self) -> None:
        if not self.ctx.can(Permission.ADM_EDIT):
            return
        types = service.direct_types(self.ctx.db, self.ctx.principal)
        dlg = NewDecisionDialog(self, types, self.today)
        # the day the papers came starts the statutory clock: a "today" left from before midnight is never
        # saved unseen (``ui.today_default``)
        dates = TodayDefaults(lambda: self.today)
        dates.add("received_on", dlg.received_on, "papers received on")

        def follow() -> str:
            before = dlg.typed_values()
            said = dates.follow_text("Change it if they came the day before.")
            if said:
                dlg.opened_with = keep_opened(dlg.opened_with, before, dlg.typed_values())
                dlg.message.setText(said)
            return said

        def new_day(_day: dt.date) -> None:
            follow()
        dates.watch(self.ctx, dlg, new_day)
        while run_modal(dlg):
            if follow():  # moved now: shown, and saved on the next press
                dlg.message.setText(f"{dlg.message.text()} Nothing was saved yet: press OK again to save it.")
                continue
            try:
                did = service.open_direct_decision(
                    self.ctx.db, self.ctx.principal, decision_type=str(dlg.decision_type.currentData()),
                    subject_reference=dlg.reference.text(), subject_initials=dlg.initials.text(),
                    received_on=pydate(dlg.received_on.date()), proposal=dlg.proposal.toPlainText(),
                    reasons=dlg.reasons.toPlainText(), social_worker=dlg.social_worker.text(),
                    addressee=dlg.addressee.toPlainText())
            except AppError as exc:
                dlg.message.setText(str(exc))
                continue
            self._after_change(did)
            return

    def print_day(self, day: dt.date | None = None, path: str | None = None) -> None:
        if day is None:
            dlg = DatedNoteDialog(self, "Print a day's letters", "Letters &dated:", None,
                                  today=lambda: self.today, ctx=self.ctx)
            if not run_modal(dlg):
                return
            day = dlg.day
        if path is None:
            path = ask_letter_path(self, "Save the day's letters", f"adm-letters-{day}.pdf")
            if not path:
                return
        db, me, out, when = self.ctx.db, self.ctx.principal, Path(path), day

        left_out: list[str] = []

        def work(task: TaskHandle) -> int:
            return service.print_day(db, me, when, out, progress=lambda d, t: task.progress(d, t, ""),
                                     cancelled=lambda: task.cancelled, left_out=left_out)

        def done(n: Any) -> None:
            self.message.setStyleSheet(tint_style("#1B5E20", self.message))
            skipped = (f" {len(left_out)} replaced since left out ({'; '.join(left_out)})." if left_out else "")
            self.message.setText(f"{n} letter{'' if n == 1 else 's'} dated {when:%d/%m/%Y} written to {out}.{skipped}")
            self.message.show()

        run_with_progress(self, self.ctx.tasks, "Printing letters", work, done, self.show_problem)


def create_page(ctx: AppContext) -> QWidget:
    return AdmPage(ctx)
