"""Minutes drafted per item while the panel sits: keyboard-first, autosaved, text undo built in.

Shortcuts: Ctrl+PgDown / Ctrl+PgUp next / previous item; Alt+1..3 outcome; Alt+4 unanimous; Alt+5 (or
Ctrl+M) majority (not Ctrl+U: line edits on Linux delete the line with it); Ctrl+S save; Ctrl+Shift+S send to the chair; Ctrl+Shift+A approve (chair, password);
Ctrl+Z undo inside a text box; Ctrl+Shift+Z revert to the last saved version.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import (
    AppError,
    DatabaseCommitUncertain,
    DatabaseUnavailable,
    PermissionDenied,
    StaleRecord,
)
from adoption_desktop.core.storage.engine import (
    ACCOUNT_DISABLED,
    ACCOUNT_PASSWORD_CHANGED,
    ACCOUNT_ROLES_CHANGED,
    AccountChanged,
)
from adoption_desktop.panel import rules
from adoption_desktop.panel.service import (
    AttendanceRow,
    ItemRow,
    MinutesDraft,
    MinutesRow,
    minutes_draft_values,
)
from adoption_desktop.panel.views.models import ViewsModel
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.autosave import KEEP_TO_COPY, account_changed_note
from adoption_desktop.ui.conflict import REAPPLY, RELOAD, OwnEdit, resolve_conflict
from adoption_desktop.ui.discard import ask_discard
from adoption_desktop.ui.forms import child, load_form
from adoption_desktop.ui.palette import error_tint, window_base
from adoption_desktop.ui.save_timer import MAX_WAIT_MS, SaveTimer
from adoption_desktop.ui.table_view import show_cut_text
from adoption_desktop.ui.wrap_row import WrapRow

#: an autosave follows a pause this long in the typing, and comes at the latest MAX_WAIT_MS (``ui.save_timer``)
#: after the first change not yet saved, however steadily one types
AUTOSAVE_MS = 1500
#: while the server can't be reached, an autosave is tried again this often (the text stays on screen)
RETRY_MS = 5000
#: what the line under the editor says while an autosave could not reach the server
NOT_SAVED_OUTAGE = "Not saved: the server can't be reached — kept here, will retry."


def minutes_not_saved_for_account(refused: PermissionDenied) -> str:
    """What the line under the editor says when a save was refused because the account changed since signing
    in (disabled, its roles or password changed: ``AccountChanged``): what happened, that the changes are on
    screen only, what to do."""
    return account_changed_note(refused, "Not saved",
                                "Your changes to these minutes are not saved: they are only on screen.")


MINUTES_NOT_SAVED_DISABLED = minutes_not_saved_for_account(AccountChanged("", ACCOUNT_DISABLED))
MINUTES_NOT_SAVED_ROLES = minutes_not_saved_for_account(AccountChanged("", ACCOUNT_ROLES_CHANGED))
MINUTES_NOT_SAVED_PASSWORD = minutes_not_saved_for_account(AccountChanged("", ACCOUNT_PASSWORD_CHANGED))


#: under "Deferred because" while the outcome is Deferred and the case is on no later agenda yet: the outcome
#: records the deferral only, the Agenda tab's button also puts the case on a later sitting's agenda
DEFERRAL_HINT = ("To put the case on a later sitting's agenda, use Defer to a later sitting… (Alt+Z) on the "
                 "Agenda tab.")

_VIEWS_EDITABLE = "Ever&y member's view (F2 or type to edit)"
_VIEWS_LOCKED = "Ever&y member's view"


class MinutesEditor(QWidget):
    saved = Signal()
    approve_requested = Signal(int)  # item id
    correct_requested = Signal(int)
    item_shown = Signal(int)  # item id now on screen (the page records the view once per opening)
    reload_requested = Signal(int)  # item id: someone else saved it; show what is stored now

    def __init__(self, save: Callable[[int, MinutesDraft, int], MinutesRow], submit: Callable[[int, int | None], MinutesRow],
                 parent: QWidget | None = None, *, can_edit: bool = True,
                 waiting: Callable[[], bool] = lambda: False,
                 stored: Callable[[int], MinutesDraft | None] | None = None,
                 defer_problem: Callable[[ItemRow], str | None] | None = None) -> None:
        """``waiting``: whether a save on this thread is waiting for a colleague's write (the page's
        ``Database.waiting_for_writer``): the autosave then tries again after its interval. ``stored``: an
        item's minutes as stored now; given, a save a colleague's overtook lists only the fields changed
        here, and *Re-apply my change* saves those on top of the colleague's version (see :meth:`_stale`).
        ``defer_problem``: why the page's *Defer to a later sitting…* cannot apply to an item (None: it can),
        added to the deferral hint (:data:`DEFERRAL_HINT`)."""
        super().__init__(parent)
        self.can_edit = can_edit  # False for a chair who approves but does not draft: everything read-only
        self._waiting = waiting
        self._stored = stored
        self._defer_problem = defer_problem
        self.opened: MinutesDraft | None = None  # the item's minutes as shown (or last saved) here
        self._save, self._submit = save, submit
        self.items: list[ItemRow] = []
        self.present: list[AttendanceRow] = []
        self.index = -1
        self._loading = False
        self.dirty = False
        self.locked = False
        #: True once a save was refused because the account changed since signing in (disabled, its roles or
        #: password changed): said once, and the autosave stops trying at every pause (Ctrl+S still tries)
        self.account_refused = False
        #: what was said then (what happened, to copy what is needed, what to do): asked again on the way out
        self.account_note = ""
        outer = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("minutes_heading")
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        self.quorum = QLabel()
        self.quorum.setObjectName("minutes_quorum")
        self.quorum.setWordWrap(True)
        outer.addWidget(self.quorum)
        # the fields scroll, so the window still fits a 1366×768 screen with its buttons on it
        self.fields = QWidget()
        fields_layout = QVBoxLayout(self.fields)
        fields_layout.setContentsMargins(0, 0, 0, 0)
        self.form = load_form("panel_minutes", self.fields)
        fields_layout.addWidget(self.form, 1)
        self.fields_scroll = QScrollArea()
        self.fields_scroll.setObjectName("minutes_scroll")
        self.fields_scroll.setWidgetResizable(True)
        self.fields_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.fields_scroll.setWidget(self.fields)
        # not a Tab stop of its own (an invisible stop between the tab and the outcome); Tab to a field
        # scrolls it into view
        self.fields_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer.addWidget(self.fields_scroll, 1)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # Alt+letter or a click on a field below the fold scrolls to it
            app.focusChanged.connect(self._scroll_to_focus)
        self.outcome = child(self.form, QComboBox, "outcome")
        self.recommendation_text = child(self.form, QLineEdit, "recommendation_text")
        self.vote = child(self.form, QComboBox, "vote")
        self.vote.addItem("—", "")
        for code, label in rules.VOTES.items():
            self.vote.addItem(label, code)
        self.votes_for = child(self.form, QSpinBox, "votes_for")
        self.votes_against = child(self.form, QSpinBox, "votes_against")
        self.reasons = child(self.form, QPlainTextEdit, "reasons")
        self.discussion = child(self.form, QPlainTextEdit, "discussion")
        self.advice_number = child(self.form, QSpinBox, "advice_number")
        self.advice_age_range = child(self.form, QLineEdit, "advice_age_range")
        self.advice_sex = child(self.form, QLineEdit, "advice_sex")
        self.advice_needs = child(self.form, QLineEdit, "advice_needs")
        self.deferral_reason = child(self.form, QLineEdit, "deferral_reason")
        self.deferral_hint = child(self.form, QLabel, "deferral_hint")  # plain text: reads in High Contrast
        self.deferral_hint.hide()
        views_label = self.views_label = QLabel(_VIEWS_EDITABLE)
        self.views_model = ViewsModel(self)
        self.views = QTableView()
        show_cut_text(self.views)  # a cell cut short reads whole on hover
        self.views.setObjectName("member_views")
        self.views.setToolTip("Each member present gives a view before the chair approves the minutes. If a member "
                              "gave none, type \"No view recorded: \" and the reason.")
        self.views.setModel(self.views_model)
        self.views.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.views.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.views.setWordWrap(False)
        self.views.verticalHeader().hide()
        self.views.verticalHeader().setDefaultSectionSize(self.views.fontMetrics().height() + 8)
        self._fit_views()
        self.views.setTabKeyNavigation(False)
        views_label.setBuddy(self.views)
        fields_layout.addWidget(views_label)
        fields_layout.addWidget(self.views)
        self.message = MessageLine()
        self.message.setObjectName("minutes_message")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        row = WrapRow()  # wraps on a narrow (scaled) screen instead of scrolling the page sideways
        # short labels, keys in the tooltips: all six buttons fit beside the sittings list at 1366 px
        self.prev_button = QPushButton("◀ Previous")
        self.prev_button.setToolTip("Previous item (Ctrl+PgUp)")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip("Next item (Ctrl+PgDown)")
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the draft (Ctrl+S); it also saves itself as you type")
        self.submit_button = QPushButton("Su&bmit to the chair")
        self.approve_button = QPushButton("Approve…")  # Ctrl+Shift+A; Alt+P: the Reports menu
        self.approve_button.setToolTip("Approve the item's minutes (Ctrl+Shift+A); asks for your password")
        self.correct_button = QPushButton("Ma&ke a correction…")
        for b in (self.prev_button, self.next_button, self.save_button, self.submit_button, self.approve_button,
                  self.correct_button):
            row.addWidget(b)
        outer.addLayout(row)
        self.prev_button.clicked.connect(lambda: self.go(-1))
        self.next_button.clicked.connect(lambda: self.go(1))
        self.save_button.clicked.connect(self.save_now)
        self.submit_button.clicked.connect(self.send_to_chair)
        self.approve_button.clicked.connect(self._approve)
        self.correct_button.clicked.connect(self._correct)

        shortcuts: list[tuple[str, Callable[[], object]]] = [
            ("Ctrl+PgDown", lambda: self.go(1)), ("Ctrl+PgUp", lambda: self.go(-1)),
            ("Alt+4", lambda: self.set_vote("unanimous")), ("Alt+5", lambda: self.set_vote("majority")),
            ("Ctrl+M", lambda: self.set_vote("majority")),
            ("Ctrl+S", self.save_now), ("Ctrl+Shift+S", self.send_to_chair), ("Ctrl+Shift+A", self._approve),
            ("Ctrl+Shift+Z", self.revert),
            *((f"Alt+{n}", (lambda n=n: self.set_outcome(n - 1))) for n in (1, 2, 3)),
        ]
        for keys, fn in shortcuts:
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)

        # after a pause in the typing, and at least every MAX_WAIT_MS while it goes on (a steady typist was
        # never autosaved: user trial ut15, D1)
        self.autosave = SaveTimer(self, interval_ms=AUTOSAVE_MS, max_wait_ms=MAX_WAIT_MS)
        self.autosave.timeout.connect(self._autosave)
        for edit in (self.recommendation_text, self.advice_age_range, self.advice_sex, self.advice_needs,
                     self.deferral_reason):
            edit.textEdited.connect(self._changed)
        for text in (self.reasons, self.discussion):
            text.textChanged.connect(self._changed)
        for combo in (self.outcome, self.vote):
            combo.currentIndexChanged.connect(self._changed)
        for spin in (self.votes_for, self.votes_against, self.advice_number):
            spin.valueChanged.connect(self._changed)
        self.views_model.dataChanged.connect(self._changed)
        self.vote.currentIndexChanged.connect(self._vote_fields)
        self.outcome.currentIndexChanged.connect(self._show_deferral_hint)
        self.set_items([], [])

    def _scroll_to_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        try:
            if new is not None and self.fields.isAncestorOf(new):
                self.fields_scroll.ensureWidgetVisible(new, 10, 10)
        except RuntimeError:  # the editor is being destroyed
            pass

    # --- loading ------------------------------------------------------------------------------------
    @property
    def current(self) -> ItemRow | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    def set_items(self, items: Sequence[ItemRow], present: Sequence[AttendanceRow], keep: int | None = None) -> None:
        self.items, self.present = list(items), [a for a in present if not a.is_adviser]
        ids = [i.id for i in self.items]
        # edits the service refused (e.g. an outcome on an inquorate item) survive a refresh of the page
        pending = (self.current.id, self.draft()) if self.dirty and self.current is not None else None
        self.index = ids.index(keep) if keep in ids else (0 if self.items else -1)
        self._show()
        if pending is not None and self.current is not None and self.current.id == pending[0] \
                and self.editable:
            self._loading = True
            try:
                self._fill(pending[1])
            finally:
                self._loading = False
            self.dirty = True
            error_tint(self.message)
            self.message.setText("Unsaved changes are kept on screen: save them (Ctrl+S) or revert (Ctrl+Shift+Z).")

    #: the members' views table shows this many rows at most before it scrolls itself
    VIEWS_ROWS_SHOWN = 12

    def _fit_views(self) -> None:
        """The views table as tall as its rows (up to :data:`VIEWS_ROWS_SHOWN`): the fields scroll as one, so
        it is not a small window scrolled inside the scrolled form (panel trial, 1366×768: one row of six
        visible at a time, capped at 150 px)."""
        rows = min(max(self.views_model.rowCount(), 1), self.VIEWS_ROWS_SHOWN)
        self.views.setFixedHeight(self.views.horizontalHeader().sizeHint().height()
                                  + rows * self.views.verticalHeader().defaultSectionSize()
                                  + 2 * self.views.frameWidth())

    def show_item(self, item_id: int) -> bool:
        """Show another item; refused (False) while this item's edits cannot be saved, so nothing is lost."""
        ids = [i.id for i in self.items]
        if item_id in ids and ids.index(item_id) != self.index:
            if not self.flush():
                return False
            self.index = ids.index(item_id)
            self._show()
        return True

    def _show(self) -> None:
        self._loading = True
        try:
            item = self.current
            self.form.setEnabled(item is not None)
            self.outcome.clear()
            if item is None:
                self.heading.setText("<b>No agenda item.</b> Add items on the Agenda tab.")
                self.quorum.setText("")
                self.views_model.set_rows([])
                return
            self.item_shown.emit(item.id)
            self.heading.setText(f"<b>Item {item.position} of {len(self.items)}: {item.case_label} — "
                                 f"{item.subject}</b>  (presented by {item.presenting_worker or '—'})")
            self.quorum.setText(item.quorum_text)
            error_tint(self.quorum, item.quorum_state == "inquorate", bold=True)
            self.outcome.addItem("— not yet recorded —", "")
            for code in rules.CASE_OUTCOMES[item.case_type]:
                self.outcome.addItem(rules.OUTCOMES[code], code)
            m = item.minutes
            self._fill(m.draft if m else MinutesDraft())
            withdrawn = {x.member_id for x in item.declarations if x.withdrew} | {
                x.member_id for x in item.absences}
            self.views_model.set_rows([a for a in self.present if a.status == "present" and a.on_list
                                       and a.member_id not in withdrawn])
            self._fit_views()
            locked = bool(m and m.locked)
            self._lock(locked or not self.can_edit)
            self.views_model.read_only = locked or not self.can_edit
            self.save_button.setEnabled(not locked and self.can_edit)
            self.submit_button.setEnabled(bool(m and m.status == "draft") and self.can_edit)
            self._rest_of_show(m, locked)
            self._vote_fields()
            self._show_deferral_hint()
            self.opened = self.draft()
            self.dirty = False
        finally:
            self._loading = False

    @property
    def editable(self) -> bool:
        return self.current is not None and not self.locked

    def _lock(self, locked: bool) -> None:
        """Approved minutes are locked: text stays readable (read-only, not greyed out); choices are off."""
        self.locked = locked
        for edit in (self.recommendation_text, self.advice_age_range, self.advice_sex, self.advice_needs,
                     self.deferral_reason, self.reasons, self.discussion):
            edit.setReadOnly(locked)
            # read-only boxes look it (the window's colour behind the text), as the greyed choices do
            edit.setPalette(window_base(edit) if locked else QPalette())
        self.views_label.setText(_VIEWS_LOCKED if locked else _VIEWS_EDITABLE)
        for w in (self.outcome, self.vote, self.votes_for, self.votes_against, self.advice_number):
            w.setEnabled(not locked)

    def _fill(self, d: MinutesDraft) -> None:
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(d.outcome)))
        self.recommendation_text.setText(d.recommendation_text)
        self.vote.setCurrentIndex(max(0, self.vote.findData(d.vote)))
        self.votes_for.setValue(-1 if d.votes_for is None else d.votes_for)
        self.votes_against.setValue(-1 if d.votes_against is None else d.votes_against)
        self.reasons.setPlainText(d.reasons)
        self.discussion.setPlainText(d.discussion)
        self.advice_number.setValue(d.advice_number or 0)
        self.advice_age_range.setText(d.advice_age_range)
        self.advice_sex.setText(d.advice_sex)
        self.advice_needs.setText(d.advice_needs)
        self.deferral_reason.setText(d.deferral_reason)
        self.views_model.views = dict(d.member_views)
        self.views_model.layoutChanged.emit()

    def _rest_of_show(self, m: MinutesRow | None, locked: bool) -> None:
        self.approve_button.setEnabled(bool(m and m.status == "submitted"))
        # approved minutes changed outside the application: said in red, as the ADM page says it of a signed
        # decision, and no correction is started from them (the service refuses it too)
        broken = m.seal_problem if m is not None else ""
        self.correct_button.setEnabled(locked and self.can_edit and not broken)
        state = "no minutes yet" if not m else (
            f"version {m.version}, {m.status}" + (f" by {m.approved_by_name} on {m.approved_on:%d/%m/%Y}"
                                                  if m.locked and m.approved_on else "")
            + (" — locked; use Correct… for a new version" if m.locked and not broken else ""))
        error_tint(self.message, broken, bold=True)
        self.message.setText(f"{broken}\nMinutes: {state}." if broken else f"Minutes: {state}.")

    def _vote_fields(self) -> None:
        if not self._loading and self.vote.currentData() == "unanimous":
            # the numbers belong to a majority vote: left behind they would contradict "unanimous"
            self.votes_for.setValue(-1)
            self.votes_against.setValue(-1)
        majority = self.vote.currentData() == "majority" and not self.locked
        self.votes_for.setEnabled(majority)
        self.votes_against.setEnabled(majority)

    def _show_deferral_hint(self, *_args: object) -> None:
        """The outcome "Deferred" records the deferral in the minutes only: while it is chosen and the case is
        on no later sitting's agenda yet, a line under the reason points to the Agenda tab's *Defer to a later
        sitting…*, which does both (with why it cannot yet, as its tooltip says). Hidden otherwise, and on
        minutes that cannot be edited here."""
        item = self.current
        text = ""
        if (item is not None and self.editable and self.outcome.currentData() == "deferred"
                and item.deferred_to is None):
            problem = self._defer_problem(item) if self._defer_problem is not None else None
            text = DEFERRAL_HINT + (f" {problem}" if problem else "")
        self.deferral_hint.setText(text)
        self.deferral_hint.setVisible(bool(text))

    # --- editing -------------------------------------------------------------------------------------
    def _changed(self, *_args: object) -> None:
        if self._loading or self.current is None:
            return
        self.dirty = True
        self.autosave.changed()

    def set_outcome(self, n: int) -> None:
        if self.current is not None and self.editable and n + 1 < self.outcome.count():
            self.outcome.setCurrentIndex(n + 1)

    def set_vote(self, code: str) -> None:
        if self.editable:
            self.vote.setCurrentIndex(self.vote.findData(code))

    def draft(self) -> MinutesDraft:
        return MinutesDraft(
            outcome=str(self.outcome.currentData() or ""), recommendation_text=self.recommendation_text.text(),
            reasons=self.reasons.toPlainText(), discussion=self.discussion.toPlainText(),
            member_views=dict(self.views_model.views), vote=str(self.vote.currentData() or ""),
            votes_for=None if self.votes_for.value() < 0 else self.votes_for.value(),
            votes_against=None if self.votes_against.value() < 0 else self.votes_against.value(),
            advice_number=self.advice_number.value() or None, advice_age_range=self.advice_age_range.text(),
            advice_sex=self.advice_sex.text(), advice_needs=self.advice_needs.text(),
            deferral_reason=self.deferral_reason.text())

    def _error(self, exc: AppError) -> None:
        error_tint(self.message)
        self.message.setText(str(exc))

    def _autosave(self) -> None:
        if self.account_refused:  # said once; every try would be refused again (and audited)
            return
        if self._waiting():  # a save waits for a colleague's write (the window redraws): tried after the interval
            self.autosave.start()
            return
        if self.dirty:
            self.save_now(auto=True)

    def flush(self) -> bool:
        """Save pending edits (before moving to another item or leaving the screen). False when they could
        not be saved: they stay on screen with the message saying what to fix."""
        self.autosave.stop()
        if self.dirty:
            return self.save_now(auto=True)
        return True

    # --- the window closes, the user signs out (``ui.session_switch``) ----------------------------------
    def save_pending_edits(self) -> bool:
        """Write edits still waiting for the autosave timer now. True when nothing typed is left unsaved;
        False when the service refused them (they stay on screen with the message saying what to fix) or
        the server can't be reached."""
        if not self.dirty:
            self.autosave.stop()
            return True
        return self.flush()

    def confirm_discard_edits(self) -> bool:
        """Edits that could not be saved are never thrown away silently: True when there are none or the
        user chose *Discard*; False (*Keep editing*, the default) leaves them on screen, this tab shown."""
        item = self.current
        if not self.dirty or item is None:
            return True
        # refused for the account (changed since signing in): saving is refused too, so the note said then is
        # said again here, where the person is (the line under the minutes goes with the sign-out)
        note = f"{self.account_note} {KEEP_TO_COPY}" if self.account_refused and self.account_note else ""
        if not ask_discard(self, f"Minutes of item {item.position} ({item.subject}) not saved", informative=note):
            self._reveal()
            return False
        self.autosave.stop()
        self.dirty = False
        return True

    def _reveal(self) -> None:
        """Bring the editor's tab forward (the page itself is brought forward by the main window)."""
        from PySide6.QtWidgets import QTabWidget

        widget: QWidget | None = self
        while widget is not None:
            parent = widget.parentWidget()
            tabs = parent.parentWidget() if parent is not None else None
            if isinstance(tabs, QTabWidget) and tabs.indexOf(widget) >= 0:
                tabs.setCurrentWidget(widget)
            widget = parent
        self.focus_first()

    def save_now(self, auto: bool = False) -> bool:
        item = self.current
        if item is None or not self.can_edit or (item.minutes and item.minutes.locked):
            return False
        self.autosave.stop()
        draft = self.draft()
        resolved_with: MinutesDraft | None = None  # what a re-apply saved (the colleague's fields kept)
        try:
            row = self._save(item.id, draft, item.minutes.row_version if item.minutes else 0)
        except StaleRecord as exc:
            resolved = self._stale(item, draft, exc, auto)
            if resolved is None:
                return False
            row, resolved_with = resolved
            if resolved_with != draft:  # the colleague's fields are shown beside the person's own
                self.items[self.index] = _with_minutes(item, row)
                self._show()
        except DatabaseUnavailable as exc:
            # An outage is not the person's mistake: an autosave says so quietly and tries again on its own
            # (no dialog mid-sentence); a save they asked for says the plain message. Either way the text
            # stays on screen, still unsaved (dirty), and the line never claims a save that did not happen.
            # Lost during COMMIT the save may have been stored: that is said, and not retried blindly (a
            # retry of a stored save would read as someone else's) until the person has looked.
            uncertain = isinstance(exc, DatabaseCommitUncertain)
            self._error(AppError(NOT_SAVED_OUTAGE) if auto and not uncertain else exc)
            if not uncertain:
                self.autosave.start(RETRY_MS)
            return False
        except AccountChanged as exc:
            # disabled, or roles or password changed, since signing in (an administrator, perhaps on another PC;
            # user trial ut16, D2): said in plain words, the typing stays on screen, unsaved (dirty)
            self.account_refused = True
            self.account_note = minutes_not_saved_for_account(exc)
            self._error(AppError(self.account_note))
            return False
        except AppError as exc:
            self._error(exc)
            return False
        self.account_refused = False
        self.autosave.setInterval(AUTOSAVE_MS)
        self.dirty = False
        self.items[self.index] = _with_minutes(item, row)
        self.opened = draft if resolved_with is None else resolved_with
        self.message.setStyleSheet("")
        said = ("Autosaved" if auto else "Saved") + f": version {row.version}, {row.status}."
        dropped = self._views_not_kept(draft, row)
        if dropped:
            # a colleague recorded one of these members out of the room (or withdrawn, or not present) since
            # this screen was loaded: the save kept only the views of members who count, so the screen is
            # shown again as stored, quorum included (panel trial: the dropped view stayed on screen, with
            # the old quorum, after "Saved")
            self.reload_requested.emit(item.id)
            said += (f" Not kept: the view of {', '.join(dropped)}, who no longer counts for this item (recorded "
                     "out of the room, withdrawn or not present by someone since). The item is shown as it is now.")
        self.message.setText(said)
        self.submit_button.setEnabled(row.status == "draft" and self.can_edit)
        self.saved.emit()
        return True

    def _views_not_kept(self, sent: MinutesDraft, row: MinutesRow) -> list[str]:
        """The members whose view this screen sent and the save did not keep, by name."""
        names = {r.member_id: r.full_name for r in self.views_model.rows()}
        return [names.get(mid, f"member {mid}") for mid, text in sent.member_views.items()
                if text.strip() and mid not in row.draft.member_views]

    def _stale(self, item: ItemRow, draft: MinutesDraft, exc: StaleRecord,
               auto: bool) -> tuple[MinutesRow, MinutesDraft] | None:
        """Someone else saved this item's minutes first. An autosave only says so (a dialog must not
        jump up mid-sentence); a save the person asked for shows both versions and lets them choose.

        Given the stored minutes (``stored``), the window lists only the fields changed here since the item
        was shown (or last saved), and *Re-apply my change* saves those on top of the colleague's version,
        keeping theirs in every other field and in each member's view not changed here (re-applying the
        whole draft put this screen's stale text back over theirs). Returns the saved row and draft."""
        if auto:
            self._error(AppError(f"{exc} Press Ctrl+S to compare your version with theirs."))
            return None
        status, version = (item.minutes.status, item.minutes.version) if item.minutes else ("draft", 1)
        labels: Callable[[MinutesDraft], dict[str, str]] = lambda d: minutes_values(d, status, version)  # noqa: E731
        edit = OwnEdit(self.opened, draft, labels) if self.opened is not None and self._stored else None
        while True:
            choice = resolve_conflict(self, exc, labels(draft), edit.base() if edit is not None else None)
            if choice != REAPPLY or exc.saved_version is None:
                break
            if edit is not None and self._stored is not None:
                now = self._stored(item.id)
                draft = _own_views_onto(edit, now) if now is not None else draft
            try:
                return self._save(item.id, draft, exc.saved_version), draft
            except StaleRecord as again:  # saved once more while the window was open: asked again
                exc = again
            except AppError as again:
                self._error(again)
                return None
        if choice == RELOAD:
            self.dirty = False
            self.reload_requested.emit(item.id)
            self.message.setText(f"Reloaded the version saved by {exc.saved_by or 'someone else'}.")
            return None
        self._error(AppError(f"{exc} Your text is still on screen."))
        return None

    def send_to_chair(self) -> None:
        item = self.current
        if item is None or not self.save_now():
            return
        item = self.current or item  # as saved just now: its version is the one this screen shows
        try:
            # the version on screen goes with it: a draft a colleague saved since is not sent unread
            row = self._submit(item.id, item.minutes.row_version if item.minutes else None)
        except StaleRecord as exc:
            self._error(AppError(f"{exc} Nothing was sent; reload the item to read their version first."))
            return
        except AppError as exc:
            self._error(exc)
            return
        self.items[self.index] = _with_minutes(item, row)
        self._show()
        self.message.setText("Sent to the chair for approval.")
        self.saved.emit()

    def revert(self) -> None:
        """Undo every change since the last save."""
        self.autosave.stop()
        self._show()
        self.message.setText("Changes since the last save were undone.")

    def _approve(self) -> None:
        item = self.current
        if item is not None and item.minutes and item.minutes.status == "submitted":
            self.approve_requested.emit(item.id)
            return
        # Ctrl+Shift+A on minutes that cannot be approved says why (user trial: it did nothing, said nothing)
        self._error(AppError(self._not_approvable(item)))

    def _not_approvable(self, item: ItemRow | None) -> str:
        """Why the minutes shown cannot be approved now, and what to do, in plain words."""
        if item is None:
            return "Nothing approved: this sitting has no agenda item with minutes to approve."
        which = f"the minutes of item {item.position} ({item.subject_reference})"
        if self.approve_button.isHidden():
            return f"Nothing approved: only the panel chair approves {which}."
        m = item.minutes
        if m is not None and m.locked:
            how = ("To change them, make a correction (Alt+K): it opens a new version."
                   if self.can_edit else "The panel administrator can make a correction if they need changing.")
            return f"Nothing changed: {which} are already approved. {how}"
        return (f"Nothing approved: {which} have not been sent to the chair yet. They can be approved once "
                "they are sent (Submit to the chair).")

    def _correct(self) -> None:
        if self.current is not None:
            self.correct_requested.emit(self.current.id)

    def go(self, delta: int) -> None:
        if not self.items or not self.flush():
            return
        self.index = max(0, min(len(self.items) - 1, self.index + delta))
        self._show()
        self.focus_first()

    def focus_first(self) -> None:
        """Put the keyboard inside the editor: on the outcome while it can be chosen, else on the first field
        that takes the keyboard (a read-only text of locked minutes or of the chair's view, the members'
        views, a button). Alt+M and Ctrl+PgDown then act on the minutes shown. User trial: on locked minutes
        the greyed outcome refused the focus, the keyboard stayed in the Sittings list, and Ctrl+PgDown
        ("next item") paged that list to another sitting."""
        candidates: list[QWidget] = [
            self.outcome, self.recommendation_text, self.vote, self.votes_for, self.votes_against, self.reasons,
            self.discussion, self.advice_number, self.advice_age_range, self.advice_sex, self.advice_needs,
            self.deferral_reason, self.views, self.next_button, self.prev_button, self.submit_button,
            self.approve_button, self.correct_button]
        for widget in candidates:
            if widget.isEnabled() and not widget.isHidden() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)  # nothing to type in (no item): the editor's keys work


def minutes_values(d: MinutesDraft, status: str, version: int) -> dict[str, str]:
    """The editor's text under the same labels the service uses for the saved version."""
    return {"Status": f"{status} (version {version})", **minutes_draft_values(d)}


def _own_views_onto(edit: OwnEdit[MinutesDraft], saved: MinutesDraft) -> MinutesDraft:
    """:meth:`OwnEdit.onto` for minutes: the fields changed here on top of ``saved``, members' views one by
    one (a view changed here replaces that member's view; the others stay as the colleague saved them)."""
    merged = edit.onto(saved)
    opened, typed = edit.opened.member_views, edit.typed.member_views
    own = {member: text for member, text in typed.items() if text.strip() != opened.get(member, "").strip()}
    gone = [member for member in opened if member not in typed]
    views = {member: text for member, text in {**saved.member_views, **own}.items() if member not in gone}
    return dataclasses.replace(merged, member_views=views)


def _with_minutes(item: ItemRow, row: MinutesRow) -> ItemRow:
    from dataclasses import replace

    return replace(item, minutes=row)
