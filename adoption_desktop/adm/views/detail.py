"""One decision: what the panel recommended, the ADM's decision and signature, letters, history, QD.

Built from ``forms/adm_decision.ui``. Holds only plain data (``service.DecisionDetail``); every action
calls a service in its own transaction and then reloads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeySequence, QShortcut, QStandardItemModel, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.adm import rules, service
from adoption_desktop.adm import undo as adm_undo
from adoption_desktop.adm.service import DecisionDetail, LetterView, VersionView
from adoption_desktop.adm.views.dialogs import DatedNoteDialog, SignDialog
from adoption_desktop.adm.views.queue_model import HISTORY_COLUMNS, LETTER_COLUMNS
from adoption_desktop.core import drafts
from adoption_desktop.core.documents.pdf import long_date
from adoption_desktop.core.errors import AppError, Conflict, StaleRecord, ValidationError
from adoption_desktop.core.files import output_file
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.wording import weekday_date
from adoption_desktop.ui.autosave import (
    DraftAutosaver,
    FormField,
    field_value,
    restored_text,
    unkept_question,
)
from adoption_desktop.ui.conflict import REAPPLY, RELOAD, OwnEdit, reloaded_text, resolve_conflict
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate, qdate
from adoption_desktop.ui.discard import ask_discard
from adoption_desktop.ui.fit import keep_label_whole
from adoption_desktop.ui.forms import child, load_form
from adoption_desktop.ui.letter_save import ask_letter_path
from adoption_desktop.ui.modal import run_modal
from adoption_desktop.ui.palette import tint
from adoption_desktop.ui.presence import PresenceBanner
from adoption_desktop.ui.record_history import history_button
from adoption_desktop.ui.table_model import RowTableModel
from adoption_desktop.ui.today_default import TodayDefaults
from adoption_desktop.ui.wrap_row import WrapRow

#: decision types that concern children (the Children… button shows on these)
CHILD_TYPES = frozenset({"plan_for_adoption", "relinquished", "match"})
#: the decision's fields autosaved as drafts while it is unsigned (key suffix, label)
DRAFT_FIELDS = (("text", "Decision"), ("reasons", "Reasons"))


def draft_key(decision_id: int, what: str) -> str:
    """The autosave key of one of a decision's fields (``what``: "text" or "reasons"), per user."""
    return f"adm.decision:{decision_id}:{what}"


def draft_base(version: int | None, stored: str) -> str:
    """A draft's base: the decision's version and the field's stored text when the typing began."""
    return json.dumps({"version": version, "stored": stored})


def read_base(base: str | None) -> tuple[int | None, str] | None:
    """``(version, stored text)`` of a draft's base; ``None`` when the draft kept none (or an unreadable one)."""
    try:
        got = json.loads(base or "")
        return (got["version"] if isinstance(got["version"], int) else None, str(got["stored"]))
    except (ValueError, TypeError, KeyError):
        return None


#: the least width a field keeps beside its label; narrower, every label of the form goes above its field
FIELD_WIDTH = 240


class _LabelsAbove(QObject):
    """Puts every label of the decision's forms above its field while the tabs are too narrow for a form's
    widest label and a field of :data:`FIELD_WIDTH` side by side (a text box 60 pixels wide beside "Decision
    (as on the letter):" at 150 %), and beside it again when there is room.

    It watches the tabs' stack, not each tab: the stack is resized whichever tab is shown, so a form on a tab
    not shown is switched too, and its height (labels above: a line more each row) is counted in the pane's
    minimum before the tab is opened. It switches between WrapAllRows and DontWrapRows, never WrapLongRows:
    that policy makes the form's height depend on its width (height for width), which the splitter beside the
    queue does not ask for, so the Decision tab's fields were squeezed to 13 pixels, over their labels."""

    def __init__(self, watched: QWidget, layouts: list[QFormLayout]) -> None:
        super().__init__(watched)
        self.layouts = layouts
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            for layout in self.layouts:
                layout.setRowWrapPolicy(self.policy(layout, watched.width()))
        return False

    @staticmethod
    def policy(layout: QFormLayout, width: int) -> QFormLayout.RowWrapPolicy:
        """Labels above their fields (WrapAllRows) when the form's tab, ``width`` wide, has no room for the
        widest label and :data:`FIELD_WIDTH` beside it; else beside (DontWrapRows)."""
        labels = [layout.itemAt(row, QFormLayout.ItemRole.LabelRole) for row in range(layout.rowCount())]
        widest = max((item.sizeHint().width() for item in labels if item is not None), default=0)
        room = width - max(0, layout.horizontalSpacing())
        owner = layout.parentWidget()
        outer = owner.layout() if owner is not None else None
        for each in {id(layout): layout, id(outer): outer}.values():  # the form's margins and its tab's
            if each is not None:
                margins = each.contentsMargins()
                room -= margins.left() + margins.right()
        return (QFormLayout.RowWrapPolicy.WrapAllRows if room < widest + FIELD_WIDTH
                else QFormLayout.RowWrapPolicy.DontWrapRows)


def narrow_form(form: QWidget) -> None:
    """Let the decision's form be as narrow as its widest field, not its widest label plus its widest field
    plus three buttons in a row: at 150 % scaling (a page of 670 logical pixels) the pane's 470-pixel minimum
    left the queue beside it 180 pixels, Reference and half the Clock. A label goes above its field when the
    two do not fit side by side (:class:`_LabelsAbove`), and each row of buttons (a grid in the form) wraps
    onto further lines (:class:`~adoption_desktop.ui.wrap_row.WrapRow`)."""
    forms: dict[int, tuple[QWidget, list[QFormLayout]]] = {}
    for layout in form.findChildren(QFormLayout):
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # as narrow as can be until placed
        owner = layout.parentWidget()
        if owner is None:
            continue
        stack = owner.parentWidget()
        watched = stack if isinstance(stack, QStackedWidget) else owner
        forms.setdefault(id(watched), (watched, []))[1].append(layout)
    for watched, layouts in forms.values():
        _LabelsAbove(watched, layouts)
    for grid in form.findChildren(QGridLayout):
        parent = grid.parent()
        if not isinstance(parent, QBoxLayout):
            continue
        placed: list[tuple[int, int, QWidget]] = []
        for index in range(grid.count()):
            item = grid.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is not None:
                position: Any = grid.getItemPosition(index)  # (row, column, rows, columns)
                placed.append((int(position[0]), int(position[1]), widget))
        row_layout = WrapRow()
        row_layout.setObjectName(grid.objectName())
        for _row, _column, widget in sorted(placed, key=lambda p: (p[0], p[1])):
            grid.removeWidget(widget)
            row_layout.addWidget(widget)
        row_layout.addStretch(1)
        at = parent.indexOf(grid)
        parent.removeItem(grid)
        parent.insertLayout(at, row_layout)


def _d(day: dt.date | None) -> str:
    return long_date(day) if day else "—"


class DecisionPanel(QWidget):
    changed = Signal(int)  # a decision id whose data changed (the queue reloads)
    noted = Signal(str)  # said on the page's message line once the change is shown (their version reloaded)
    failed = Signal(object)  # an exception to show
    #: a decision was signed: emitted before ``changed``; the queue takes the focus back
    signed = Signal(int)

    def __init__(self, ctx: AppContext, today: Callable[[], dt.date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.today = ctx, today
        self.detail: DecisionDetail | None = None
        form = load_form("adm_decision", self)
        #: the pane's least width with its labels beside their fields and its buttons in their grids (470 at
        #: 100 %): the width the page gives it when the queue can spare it (``AdmPage._share_width``)
        self.roomy_width = form.minimumSizeHint().width()
        narrow_form(form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.version: int | None = None  # the decision's row_version as shown: saves and signing check it
        self.opened: adm_undo.Draft | None = None  # the draft as opened: a conflict's own changes are from it
        self.presence = PresenceBanner(ctx, self, editing=ctx.can(Permission.ADM_DECIDE) or ctx.can(Permission.ADM_EDIT))
        layout.addWidget(self.presence)
        # "Unsaved text from your last visit … was restored": above the tabs, seen whichever tab is open
        self.draft_notice = QLabel()
        self.draft_notice.setObjectName("draft_notice")
        self.draft_notice.setWordWrap(True)
        self.draft_notice.hide()
        layout.addWidget(self.draft_notice)
        # the children on a plan for adoption (the child's journey): a small dialog, reached by Tab
        self.children_button = QPushButton("Children…")
        self.children_button.setObjectName("children_button")
        self.children_button.setToolTip("The children on this decision and the dates of their journey")
        self.children_button.clicked.connect(lambda _checked=False: self.open_children())
        children_row = QHBoxLayout()
        children_row.addStretch(1)
        # administrators: who opened or changed this decision (and its letters …), from the audit log
        self.history_button = history_button(
            ctx, self, "adm_decisions",
            lambda: (self.detail.row.id if self.detail else None,
                     f"ADM decision {self.detail.row.subject_reference if self.detail else ''}".strip()))
        children_row.addWidget(self.history_button)
        children_row.addWidget(self.children_button)
        layout.addLayout(children_row)
        layout.addWidget(form)
        self.form = form
        self.heading = child(form, QLabel, "heading")
        self.clock = child(form, QLabel, "clock")
        self.tabs = child(form, QTabWidget, "tabs")
        self.sitting = child(form, QLabel, "sitting")
        self.recommendation = child(form, QPlainTextEdit, "recommendation")
        self.panel_reasons = child(form, QPlainTextEdit, "panel_reasons")
        self.advice = child(form, QPlainTextEdit, "advice")
        self.members = child(form, QLabel, "members")
        self.minutes = child(form, QPlainTextEdit, "minutes")
        self.outcome = child(form, QComboBox, "outcome")
        for code, label in rules.OUTCOMES.items():
            self.outcome.addItem(label, code)
        self.outcome.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.outcome.setMinimumContentsLength(20)  # the pane stays narrow enough for the queue's urgent columns
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        self.decision_text = child(form, QPlainTextEdit, "decision_text")
        self.decision_text.installEventFilter(self)  # Alt+N or Tab: the pre-filled sentence selected
        self.decision_reasons = child(form, QPlainTextEdit, "decision_reasons")
        self.decided_on = child(form, QDateEdit, "decided_on")
        #: the date of decision while it shows "today", untouched: it follows midnight (``ui.today_default``)
        self.today_dates = TodayDefaults(today)
        self.today_dates.add("decided_on", self.decided_on, "date of decision", set_today=False)
        self.today_dates.watch(ctx, self, self._new_day)
        self.addressee = child(form, QPlainTextEdit, "addressee")
        self.salutation = child(form, QLineEdit, "salutation")
        #: each field's own hint (the form's), shown again when the letter is not the social worker's
        self._letter_tips = {w: w.toolTip() for w in (self.addressee, self.salutation)}
        self.social_worker = child(form, QLineEdit, "social_worker")
        self.info_status = child(form, QLabel, "info_status")
        self.notify_status = child(form, QLabel, "notify_status")
        self.qd_summary = child(form, QLabel, "qd_summary")
        self.letters: RowTableModel[LetterView] = RowTableModel(LETTER_COLUMNS, [], self)
        self.letters_view = child(form, QTableView, "letters_view")
        self.history: RowTableModel[VersionView] = RowTableModel(HISTORY_COLUMNS, [], self)
        self.history_view = child(form, QTableView, "history_view")
        for view, model in ((self.letters_view, self.letters), (self.history_view, self.history)):
            view.setModel(model)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            view.horizontalHeader().setStretchLastSection(True)
            view.verticalHeader().hide()
        self._showing = False  # True while show_detail fills the form
        self.autosavers: list[DraftAutosaver] = []  # the open decision's text and reasons, kept as drafts
        self.buttons: dict[str, QPushButton] = {}
        actions: dict[str, Callable[[], Any]] = {
            "save_button": self.save_draft, "info_button": self.ask_information,
            "info_received_button": self.log_information, "sign_button": self.sign,
            "correct_button": self.correct, "save_letter_button": self.save_letter,
            "save_word_button": self.save_letter_word,
            "letter_sent_button": self.mark_sent, "oral_button": self.record_oral,
            "reps_button": self.record_representations, "irm_apply_button": self.record_irm_application,
            "irm_rec_button": self.record_irm_recommendation, "final_button": self.open_final,
        }
        for name, fn in actions.items():
            b = child(form, QPushButton, name)
            b.clicked.connect(lambda _checked=False, f=fn: f())
            self.buttons[name] = b
        self.buttons["info_button"].setToolTip("Ctrl+Shift+I: pauses the statutory clock until the information "
                                               "is received")
        # Ctrl+S saves the draft, as in the panel minutes editor; only while the focus is in this pane, so it
        # answers nothing on another page (the minutes editor's Ctrl+S is scoped the same way)
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_shortcut.activated.connect(self._save_key)
        self.buttons["save_button"].setToolTip("Alt+V or Ctrl+S")
        self.show_detail(None)

    def event(self, event: QEvent) -> bool:
        done = super().event(event)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._labels_whole()
        return done

    def _labels_whole(self) -> None:
        """Each wrapped label (the heading, the clock, the panel sitting, the members…) at least as high as its
        lines at its width (``fit.keep_label_whole``), so the pane's least height counts them. The splitter
        beside the queue gives the pane its least height, not its height for its width: at 150 % (the pane
        290 pixels wide) the heading's and clock's seven lines were taken from the tabs, the Decision tab's
        fields squeezed to 13 pixels over their labels."""
        for label in self.findChildren(QLabel):
            if label.wordWrap():
                keep_label_whole(label)

    # --- display ------------------------------------------------------------------------------
    def _drop_autosavers(self) -> None:
        for saver in self.autosavers:  # typing not yet saved as a draft is kept for the next opening
            saver.detach()
        self.autosavers = []

    def _save_key(self) -> None:
        """Ctrl+S: Save draft, when the button may be pressed."""
        button = self.buttons["save_button"]
        if button.isEnabled():
            button.click()

    def _autosave(self, decision_id: int, *, quiet: bool = False) -> None:
        """Crash-proof drafts of the decision's wording and reasons while it is unsigned; a draft that
        differs from the saved text is restored (the user's unsaved typing comes back) and said above the tabs
        (not when ``quiet``: the same decision shown again after an action here, nothing said before).

        Each draft keeps its base: the version and the field's stored text when the typing began. When the
        stored wording has changed since (someone else saved it), the screen's version becomes the draft's
        and the line says so: Save draft (and signing) then meets the conflict window, their version beside
        this one, instead of writing the draft over their wording unseen. A version moved only by the user's
        own actions (asking for information, a letter) leaves the wording as it was: nothing to warn about."""
        overtaken: list[int] = []
        for what, _label in DRAFT_FIELDS:
            edit = self.decision_text if what == "text" else self.decision_reasons
            stored = edit.toPlainText()
            key = draft_key(decision_id, what)
            found = drafts.drafts_of_form(self.ctx.db, self.ctx.principal, key)  # its own, else another window's
            saved = found[0].text if found else None
            if saved and saved != stored:
                edit.clear()
            # the wording's draft keeps the outcome and the letter's lines beside it: a crash between choosing
            # "do not agree" and saving must not bring the wording back under the outcome it was not typed for
            keep: dict[str, FormField] = ({"outcome": self.outcome, "addressee": self.addressee,
                                           "salutation": self.salutation, "social_worker": self.social_worker,
                                           "decided_on": self.decided_on}
                                          if what == "text" else {})
            # the date of decision is today unless changed: kept only when changed (brought back on a later
            # day, an untouched date would have dated the decision back to the day it was typed)
            # the sentence the program puts in the wording (for the outcome chosen) is not the ADM's typing: with
            # drafts stopped it was asked about at the sign-out although nothing was typed
            saver = DraftAutosaver(self.ctx, key, edit, base=draft_base(self.version, stored), fields=keep,
                                   if_changed=("decided_on",),
                                   program_text=self._prefilled if what == "text" else None)
            self.autosavers.append(saver)
            base = read_base(saver.base) if saver.restored else None
            if base is not None and base[0] is not None and base[1].strip() != stored.strip():
                overtaken.append(base[0])
        if overtaken and min(overtaken) != self.version:
            self.version = min(overtaken)  # the save checks the decision is still as it was when this was typed
        others = " ".join(dict.fromkeys(filter(None, (s.other_drafts_text() for s in self.autosavers))))
        if not overtaken and (quiet or not any(s.restored for s in self.autosavers)):
            if others and not quiet:  # a draft from another window waits its turn
                self.draft_notice.setText(others)
                self.draft_notice.show()
            return
        other_window = next((s.other_window for s in self.autosavers if s.other_window), "")
        notice = (restored_text("this decision", self.buttons["save_button"].text() + " (or Ctrl+S)", other_window)
                  + " It is on the Decision tab (Alt+D).") + (" " + others if others else "")
        if overtaken:
            notice += (" <b>The decision has been saved by someone else since you typed it:</b> saving shows "
                       "their version beside yours before anything of theirs is replaced.")
        self.draft_notice.setText(notice)
        self.draft_notice.show()

    def clear_drafts(self) -> None:
        """After the decision's text was saved for real (text typed from now on is typed against the version
        just saved)."""
        for saver in self.autosavers:
            saver.clear()
            edit = saver.widget
            saver.base = draft_base(self.version, edit.toPlainText() if isinstance(edit, QPlainTextEdit) else "")
            if "decided_on" in saver.fields and field_value(self.decided_on) != saver.opened["decided_on"]:
                # the date of decision is not part of what Save draft stores (it is stored when signing): a
                # date changed here stays a draft, so the decision shown again (or after a crash) still has
                # it, not today's, and signing cannot use today's date unseen
                saver.save_now()
        self.draft_notice.hide()

    # --- the main window closes, the user signs out (``ui.session_switch``) -------------------------
    def save_pending_edits(self) -> bool:
        """Nothing is saved into the decision on the way out: its typing is kept as drafts (``save_pending_drafts``
        writes those waiting for their timer). True unless drafts stopped (the account changed since signing in,
        the database takes no saves) while the pane holds typing kept nowhere."""
        return not [s for s in self.autosavers if s.holds_unkept()]

    def confirm_discard_edits(self) -> bool:
        """Typing kept nowhere (its drafts stopped) is never lost without a word: "Discard what you typed?",
        with the note said when drafts stopped (what happened, to copy what is needed, what to do). *Keep
        editing* (the default) shows the field with the typing and gives False (the sign-out stops, the program
        stays open); *Discard* gives True, the typing left to go with the pane."""
        unkept = [s for s in self.autosavers if s.holds_unkept()]
        if not unkept:
            return True
        r = self.detail.row if self.detail is not None else None
        what = f"{r.subject_reference} — {r.type_label}" if r is not None else "Decision"
        if not ask_discard(self, f"{what}: not saved", informative=unkept_question(unkept)):
            field = unkept[0].widget
            for i in range(self.tabs.count()):
                page = self.tabs.widget(i)
                if page is not None and page.isAncestorOf(field):
                    self.tabs.setCurrentIndex(i)
            field.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        for saver in unkept:
            saver.discarded()
        return True

    def _drop_signed_drafts(self, detail: DecisionDetail) -> None:
        """A signed decision is final: this user's drafts of it go. Text that was never saved into it (a
        colleague signed while it was still a draft here) is said, and shown to copy, before it goes."""
        lost: list[str] = []
        for what, label in DRAFT_FIELDS:
            key = draft_key(detail.row.id, what)
            stored = detail.decision_text if what == "text" else detail.decision_reasons
            for found in drafts.drafts_of_form(self.ctx.db, self.ctx.principal, key):  # another window's too
                if found.text.strip() and found.text.strip() != stored.strip():
                    lost.append(f"{label}:\n{found.text}")
                drafts.clear_draft(self.ctx.db, self.ctx.principal, found.key)
        if not lost:
            return
        r = detail.row
        box = QMessageBox(QMessageBox.Icon.Information, "Unsaved text not kept",
                          f"{r.subject_reference} — {r.type_label} was signed by {r.signed_by or 'someone else'} "
                          "before your unsaved text was saved, so it was not kept: a signed decision cannot be "
                          "changed (use Correct… for a new version with a reason).",
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("signed_draft_dropped")
        box.setInformativeText("Your text is under Show Details, to copy if you need it.")
        box.setDetailedText("\n\n".join(lost))
        box.exec()

    def may_replace(self) -> bool:
        """Whether the pane may show another decision, or none, or this one again as stored: typing waiting for
        its draft is kept now, and typing kept nowhere (drafts stopped: the account changed since signing in, an
        audit hold, a file moved to the server; or a full disk) is asked about first, as at a sign-out
        (:meth:`confirm_discard_edits`). False when the ADM keeps editing (the field is shown)."""
        for saver in self.autosavers:
            if saver.due:
                saver.save_now()
        return self.confirm_discard_edits()

    def show_detail(self, detail: DecisionDetail | None, *, empty: str = "Select a decision in the queue",
                    hint: str = "") -> bool:
        """``None`` empties the pane (``empty`` as its heading, ``hint`` below): no decision's text stays on
        screen and no action can be taken on a decision the queue no longer shows. A signed decision drops
        this user's drafts of it (see :meth:`_drop_signed_drafts`). Typing kept nowhere is never replaced
        without "Discard what you typed?" (:meth:`may_replace`): False when the ADM keeps it (the pane is left
        as it was)."""
        if not self.may_replace():
            return False
        self._fill(detail, empty=empty, hint=hint)
        if detail is not None and (detail.row.state == rules.STATE_SIGNED or detail.signed_at is not None):
            self._drop_signed_drafts(detail)
        return True

    def _fill(self, detail: DecisionDetail | None, *, empty: str, hint: str) -> None:
        # the same decision shown again after an action here: its restored typing is the user's own, said
        # again only if it was said when the decision was opened
        quiet = (detail is not None and self.detail is not None and self.detail.row.id == detail.row.id
                 and self.draft_notice.isHidden())
        self._drop_autosavers()
        self.draft_notice.hide()
        self.version = detail.row_version if detail is not None else None
        self.opened = None
        if detail is None or detail.signed_at is not None:
            self.presence.stop()
            self.presence.entity = ""
        else:
            self.presence.set_target(service.ENTITY, detail.row.id)
        self.correcting = False
        self.buttons["correct_button"].setText("Co&rrect…")
        self.detail = detail
        can_decide = self.ctx.can(Permission.ADM_DECIDE)
        can_edit = self.ctx.can(Permission.ADM_EDIT)
        self.children_button.setVisible(detail is not None and detail.row.decision_type in CHILD_TYPES)
        self.history_button.setVisible(detail is not None and self.ctx.can(Permission.AUDIT_VIEW))
        if detail is None:
            self.heading.setText(f"<h3>{html.escape(empty)}</h3>")
            self.clock.setText(html.escape(hint))
            for edit in (self.recommendation, self.panel_reasons, self.advice, self.minutes, self.decision_text,
                         self.decision_reasons, self.addressee):
                edit.clear()
            for label in (self.sitting, self.members, self.info_status, self.notify_status, self.qd_summary):
                label.clear()
            self.salutation.clear()
            self.social_worker.clear()
            self.letters.set_rows([])
            self.history.set_rows([])
            for button in self.buttons.values():
                button.setEnabled(False)
            self._qd_read_first("")  # no case's words left in its accessible name
            self.tabs.setEnabled(False)
            return
        self.tabs.setEnabled(True)
        r = detail.row
        version = f" — version {r.version}" if r.version > 1 else ""
        self.heading.setText(f"<h3>{r.subject_reference} ({r.subject_initials}) — {r.type_label}{version}</h3>")
        clock = (f"Minutes/papers received {_d(r.received_on)}. Due {_d(r.due_on)}. <b>{r.clock_label}</b>."
                 if r.due_on or r.paused_since else f"Received {_d(r.received_on)}. <b>{r.clock_label}</b>.")
        if r.decided_on and not detail.has_applicants:
            clock += f" Decided {rules.decided_text(r.first_decided_on, r.decided_on)} by {r.signed_by}. Send the decision letter by {_d(detail.written_due)}."
        elif r.decided_on:
            clock += (f" Decided {rules.decided_text(r.first_decided_on, r.decided_on)} by {r.signed_by}. Tell the applicants by "
                      f"{_d(detail.oral_due)} (orally) and {_d(detail.written_due)} (in writing).")
        if r.superseded:
            clock += " <b>This version has been corrected; see the history.</b>"
        if detail.minutes_note:  # the panel minutes corrected after the hand-off: what changed, above the rest
            colour = f' style="color:{tint("#B00020", self.clock).name()};"' if detail.minutes_flag else ""
            clock = f"<b{colour}>{html.escape(detail.minutes_note)}</b><br>" + clock
        if detail.seal_problem:
            clock = (f'<b style="color:{tint("#B00020", self.clock).name()};">{html.escape(detail.seal_problem)}'
                     "</b><br>" + clock)
        self.clock.setText(clock)
        if r.source == "direct":
            self.sitting.setText("Decision without panel")
        else:  # the sitting's day as the Panel page heads it
            self.sitting.setText(weekday_date(detail.sitting_date) if detail.sitting_date else "—")
        self.recommendation.setPlainText(detail.recommendation_text)
        self.panel_reasons.setPlainText(detail.recommendation_reasons)
        self.advice.setPlainText(detail.advice)
        members = html.escape(", ".join(detail.member_names) or "—")
        conflict = detail.conflict_refusal or detail.conflict_warning
        if conflict:  # the ADM conflict rule: refused by the linked user, warned on a name match
            members += f'<br><b style="color:{tint("#B00020", self.members).name()};">{html.escape(conflict)}</b>'
        self.members.setText(members)
        can_decide = can_decide and not detail.conflict_refusal
        self.minutes.setPlainText(detail.minutes_extract)
        self.decision_text.setPlainText(detail.decision_text)
        self._offer_outcomes(r.decision_type, r.recommendation, r.source)
        idx = self.outcome.findData(r.outcome or rules.default_outcome(r.decision_type, r.recommendation))
        self._showing = True  # the stored text is shown as it is, whatever sentence the outcome would give
        self.outcome.setCurrentIndex(max(idx, 0))
        self._showing = False
        self.decision_reasons.setPlainText(detail.decision_reasons)
        if r.decided_on is not None:
            self.decided_on.setDate(qdate(r.decided_on))
            self.today_dates.touched("decided_on")  # the record's date, even when it is today's
        else:
            self.today_dates.set_today("decided_on")
        self.addressee.setPlainText(detail.addressee)
        self.salutation.setText(detail.salutation)
        self.social_worker.setText(detail.social_worker)
        signed = r.state == rules.STATE_SIGNED
        stored = self.on_screen()  # the decision as stored, before any unsaved typing is restored
        if not signed and can_decide:
            self._autosave(r.id, quiet=quiet)
        for w in (self.outcome, self.decision_text, self.decision_reasons, self.decided_on, self.addressee,
                  self.salutation, self.social_worker):
            w.setEnabled(not signed and can_decide)
        # a plan for adoption's letter goes to the child's social worker, greeted by name: "Letter to" and the
        # salutation would be typed for nothing (the trial saw the adopters' address there, and the letter
        # went to the social worker)
        to_worker = rules.letter_kind(r.decision_type, r.source, str(self.outcome.currentData() or ""),
                                      r.recommendation) == "adm_plan_agreed"
        for w in (self.addressee, self.salutation):
            if to_worker:
                w.setEnabled(False)
            w.setToolTip("This decision's letter goes to the child's social worker (below), greeted by name."
                         if to_worker else self._letter_tips[w])
        self._outcome_changed()  # a sentence prefilled for another outcome is brought in line with this one
        self.opened = self._as_opened(stored)
        paused = r.state == rules.STATE_PAUSED
        self.buttons["save_button"].setEnabled(not signed and can_decide)
        self.buttons["info_button"].setEnabled(not signed and not paused and can_decide)
        self.buttons["info_received_button"].setEnabled(paused and can_edit)
        self.buttons["sign_button"].setEnabled(not signed and not paused and can_decide)
        # a signed decision changed outside the application is not corrected (the red line above says why)
        self.buttons["correct_button"].setEnabled(signed and not r.superseded and can_decide
                                                  and not detail.seal_problem)
        reqs = [f"Asked {_d(q.requested_on)}: {q.what} — "
                + (f"received {_d(q.received_on)}" if q.received_on else "<b>waiting</b>")
                for q in detail.info_requests]
        self.info_status.setText("<br>".join(reqs) if reqs else (
            "Signed decisions cannot be changed; use Correct… for a new version with a reason." if signed else ""))
        self.letters.set_rows(list(detail.letters))
        self.history.set_rows(list(detail.history))
        has_letters = bool(detail.letters)
        self.buttons["save_letter_button"].setEnabled(has_letters)
        self.buttons["save_word_button"].setEnabled(has_letters)
        self.buttons["letter_sent_button"].setEnabled(has_letters and can_edit)
        self.buttons["oral_button"].setEnabled(signed and can_edit)
        self.notify_status.setText(
            f"Told orally: {_d(detail.oral_notified_on)}. Written notification sent: "
            f"{_d(detail.written_notified_on)}." if signed else "")
        q = detail.qd
        for name in ("reps_button", "irm_apply_button", "irm_rec_button", "final_button"):
            self.buttons[name].setEnabled(q is not None and q.final_decision_id is None and can_edit)
        if q is None:
            self.qd_summary.setText("No qualifying determination on this decision.")
        else:
            notices = [x for x in detail.letters if x.kind == "adm_qd_notice"]
            if any(x.sent_on for x in notices) or not notices:
                lines = [f"Notice sent {_d(q.notice_sent_on)}; representations or IRM application by "
                         f"<b>{_d(q.deadline)}</b> (40 working days beginning with the notice date)."]
            else:  # signed, its notice filed, not yet recorded as sent: the period is provisional
                lines = [f"Notice dated {_d(q.notice_sent_on)}, <b>not yet recorded as sent</b>; representations or "
                         f"IRM application by <b>{_d(q.deadline)}</b> if it goes on its date (40 working days "
                         "beginning with the day it is sent: record the day on the Letters tab)."]
            if q.representations_on:
                lines.append(f"Representations received {_d(q.representations_on)}: {q.representations}")
            if q.irm_applied_on:
                lines.append(f"IRM application {_d(q.irm_applied_on)}.")
            if q.irm_recommendation_on:
                lines.append(f"IRM recommendation {_d(q.irm_recommendation_on)}: {q.irm_recommendation}")
            if q.final_on and q.final_outcome == rules.QD_CLOSED_BY_CORRECTION:
                lines.append(f"Closed {_d(q.final_on)}: the proposal was corrected (decision "
                             f"{q.final_decision_id}); no final decision follows.")
            elif q.final_on:
                lines.append(f"Final decision {_d(q.final_on)}: {q.final_outcome.replace('_', ' ')}.")
            elif (q.representations_on is None and q.irm_applied_on is None and self.today() > q.deadline
                  and (any(x.sent_on for x in notices) or not notices)):
                # the period is over with no answer: say what comes next (a trial's tab still read "by 18
                # November" in December, with no word of the final decision)
                lines.append(f"<b>The period ended on {_d(q.deadline)} with no representations or IRM application "
                             "recorded: open the final decision (Open final decision).</b>")
            self.qd_summary.setText("<br>".join(lines))
        self._qd_read_first(self._qd_nothing_to_do(detail, can_edit))

    @staticmethod
    def _qd_nothing_to_do(detail: DecisionDetail, can_edit: bool) -> str:
        """Why every button of the Qualifying determination tab is greyed out ("" when one may be pressed)."""
        q = detail.qd
        if q is None:
            return "this decision has no qualifying determination."
        if q.final_decision_id is not None:
            if q.final_outcome == rules.QD_CLOSED_BY_CORRECTION:
                return "the qualifying determination was closed when the proposal was corrected."
            return "the final decision on this qualifying determination has been opened; it is in the queue."
        if not can_edit:
            return "recording on a qualifying determination needs the adm.edit permission, which your role has not."
        return ""

    def _qd_read_first(self, nothing_to_do: str) -> None:
        """The Qualifying determination tab with every button greyed out (a decision not on that route, its final
        decision opened, a role that cannot record): its summary becomes the tab's first Tab stop, named with
        its text and described with why nothing can be done there. Alt+Q or Ctrl+Tab from a field of another
        tab put the focus on the tab page itself otherwise, a widget with no name: a screen reader said nothing
        (keyboard trial, 7 December). With a button to press the summary is read, not a Tab stop, as before."""
        label = self.qd_summary
        plain = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>", " ", label.text())))
        label.setAccessibleName(" ".join(plain.split()))
        label.setAccessibleDescription(f"Nothing to record on this tab: {nothing_to_do}" if nothing_to_do else "")
        label.setFocusPolicy(Qt.FocusPolicy.StrongFocus if nothing_to_do else Qt.FocusPolicy.ClickFocus)
        if not nothing_to_do and not label.hasFocus():
            label.clearFocus()  # the tab no longer remembers it: Alt+Q goes to the first button

    def open_children(self) -> None:
        """The children on this decision (any version of it) and their journey dates."""
        from adoption_desktop.journey.views.children import ChildrenDialog

        if self.detail is None:
            return
        r = self.detail.row
        ChildrenDialog(self.ctx, self, decision_id=r.id, title=f"{r.subject_reference} — {r.type_label}").exec()

    def selected_letter(self) -> LetterView | None:
        rows = self.letters_view.selectionModel().selectedRows()
        if rows:
            return self.letters.row_at(rows[0].row())
        return self.letters.row_at(self.letters.rowCount() - 1) if self.letters.rowCount() else None

    # --- actions ------------------------------------------------------------------------------
    def _run(self, fn: Callable[[], Any], after: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None) -> None:
        assert self.detail is not None
        did = self.detail.row.id

        def done(result: Any) -> None:
            if after:
                after(result)
            self.changed.emit(result if isinstance(result, int) and after is None else did)

        self.ctx.tasks.run(lambda _t: fn(), on_done=done, on_error=on_error or self.failed.emit)

    def _offer_outcomes(self, decision_type: str, recommendation: str, source: str) -> None:
        """Outcomes the law rules out for this decision are shown greyed, the reason as their tooltip (agreeing
        that applicants are not suitable, or deciding against suitable ones, is only ever a proposal), so the
        ADM is not led to a choice that signing would refuse."""
        model = self.outcome.model()
        for i in range(self.outcome.count()):
            self.outcome.setItemText(i, rules.outcome_label(str(self.outcome.itemData(i)), decision_type, source))
            problems = rules.outcome_problems(decision_type, recommendation, str(self.outcome.itemData(i)), source)
            item = model.item(i) if isinstance(model, QStandardItemModel) else None
            if item is not None:
                item.setEnabled(not problems)
            self.outcome.setItemData(i, problems[0] if problems else None, Qt.ItemDataRole.ToolTipRole)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Reaching the decision wording from the keyboard (Alt+N, Tab) selects the sentence the program
        pre-filled, so what the ADM types replaces it; their own words are kept, the cursor at their end. (A
        trial's Alt+N left the cursor in the pre-filled sentence: "...a child.I have decided...")"""
        if (watched is self.decision_text and event.type() == QEvent.Type.FocusIn
                and isinstance(event, QFocusEvent) and event.reason() in (
                    Qt.FocusReason.ShortcutFocusReason, Qt.FocusReason.TabFocusReason,
                    Qt.FocusReason.BacktabFocusReason)):
            cursor = self.decision_text.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            if self._prefilled(self.decision_text.toPlainText()):
                cursor.movePosition(QTextCursor.MoveOperation.Start, QTextCursor.MoveMode.KeepAnchor)
            self.decision_text.setTextCursor(cursor)
        return super().eventFilter(watched, event)

    def _prefilled(self, text: str) -> bool:
        """Whether ``text`` is wording the program put there (a decision sentence, or a decision without
        panel's proposal), not the ADM's own."""
        text = text.strip()
        if self.detail is None or not text:
            return False
        r = self.detail.row
        return rules.is_program_wording(text, r.decision_type, r.recommendation) or (
            r.source == "direct" and text == self.detail.recommendation_text.strip())

    def _outcome_changed(self) -> None:
        """The decision sentence follows the outcome while it is still a sentence the program wrote (the
        letter states the decision from the outcome: a record saying "I have decided" beside a letter
        saying "I propose" would disagree); the ADM's own words are never replaced."""
        if self.detail is None or self._showing or not self.decision_text.isEnabled():
            return
        r = self.detail.row
        text = self.decision_text.toPlainText().strip()
        if text and not rules.is_program_wording(text, r.decision_type, r.recommendation):
            return
        wanted = rules.decision_sentence(r.decision_type, r.recommendation, str(self.outcome.currentData() or ""),
                                         r.source)
        if text != wanted:
            self.decision_text.setPlainText(wanted)

    def mine(self) -> dict[str, str]:
        """What is on screen, under the labels the service uses for the saved version."""
        return self.draft_values(self.on_screen())

    def draft_values(self, draft: adm_undo.Draft) -> dict[str, str]:
        """A draft under the labels the service uses for the saved version (``service._decision_values``)."""
        return {"Outcome": rules.OUTCOMES.get(draft.outcome, draft.outcome), "Decision": draft.decision_text.strip(),
                "Reasons": draft.reasons.strip(), "Addressee": draft.addressee.strip(),
                "Salutation": draft.salutation.strip(), "Social worker": draft.social_worker.strip(),
                "State": self.detail.row.state if self.detail is not None else ""}

    def on_screen(self) -> adm_undo.Draft:
        """The draft as the screen holds it (what Save draft writes)."""
        return adm_undo.Draft(str(self.outcome.currentData() or ""), self.decision_text.toPlainText(),
                              self.decision_reasons.toPlainText(), self.addressee.toPlainText(),
                              self.salutation.text(), self.social_worker.text())

    def _as_opened(self, stored: adm_undo.Draft) -> adm_undo.Draft:
        """The draft as the decision was opened (what the person's own changes are measured from when a
        colleague saved first): the screen as filled, except that typing restored from a crash draft is the
        person's own change, measured from the stored text (``stored``) it replaced."""
        opened = self.on_screen()
        for saver in self.autosavers:
            if not saver.restored:
                continue
            if saver.widget is self.decision_reasons:
                opened = dataclasses.replace(opened, reasons=stored.reasons)
            else:  # the wording's draft brings back the outcome and the letter's lines typed with it
                opened = dataclasses.replace(opened, outcome=stored.outcome, decision_text=stored.decision_text,
                                             addressee=stored.addressee, salutation=stored.salutation,
                                             social_worker=stored.social_worker)
        return opened

    def stored_draft(self) -> adm_undo.Draft | None:
        """The draft as stored now, as the screen would show it (what a re-applied change goes on top of;
        an outcome not yet chosen is the one the screen offers first)."""
        if self.detail is None:
            return None
        now = service.get_decision(self.ctx.db, self.ctx.principal, self.detail.row.id, self.today())
        r = now.row
        return adm_undo.Draft(r.outcome or rules.default_outcome(r.decision_type, r.recommendation),
                              now.decision_text, now.decision_reasons, now.addressee, now.salutation,
                              now.social_worker)

    def _put(self, draft: adm_undo.Draft) -> None:
        """Show ``draft`` (as saved after a re-apply: the colleague's fields beside the person's own)."""
        self._showing = True  # the text is shown as it is, whatever sentence the outcome would give
        try:
            self.outcome.setCurrentIndex(max(0, self.outcome.findData(draft.outcome)))
            for edit, text in ((self.decision_text, draft.decision_text), (self.decision_reasons, draft.reasons),
                               (self.addressee, draft.addressee)):
                if edit.toPlainText() != text:
                    edit.setPlainText(text)
            self.salutation.setText(draft.salutation)
            self.social_worker.setText(draft.social_worker)
        finally:
            self._showing = False

    def _save_once(self, undoable: bool = False, draft: adm_undo.Draft | None = None) -> None:
        """Save draft: with ``undoable`` (the person pressed Save draft) the save goes on the Edit → Undo
        stack; the save before signing does not (signing is final). ``draft``: what to save (the screen's)."""
        assert self.detail is not None
        db, me, did = self.ctx.db, self.ctx.principal, self.detail.row.id
        draft = draft if draft is not None else self.on_screen()
        self.version, entry = adm_undo.save_draft(db, me, did, draft, expected_version=self.version)
        if draft != self.on_screen():  # a re-applied change: the colleague's fields are shown beside it
            self._put(draft)
        self.clear_drafts()
        self.opened = draft
        if undoable:
            self.ctx.did(entry)

    def _save(self, undoable: bool = False) -> bool:
        """Save the draft; when someone else saved it first, show both versions and let the person reload
        theirs or re-apply this one. False when nothing was saved (the text stays on screen).

        The window lists only the fields the person changed since the decision was opened; *Re-apply my
        change* saves those on top of the version saved meanwhile and keeps the colleague's values in the
        rest (re-applying the whole screen put its stale outcome, letter lines and wording back over theirs),
        then shows what was saved. Saved again meanwhile: asked again."""
        draft = self.on_screen()
        edit = OwnEdit(self.opened, draft, self.draft_values) if self.opened is not None else None
        while True:
            try:
                self._save_once(undoable, draft)
                return True
            except StaleRecord as exc:
                choice = resolve_conflict(self, exc, self.draft_values(draft),
                                          edit.base() if edit is not None else None)
                if choice == REAPPLY and exc.saved_version is not None:
                    now = self.stored_draft() if edit is not None else None
                    draft = edit.onto(now) if edit is not None and now is not None else draft
                    self.version = exc.saved_version
                    continue
                if choice == RELOAD and self.detail is not None:
                    self.clear_drafts()
                    self.changed.emit(self.detail.row.id)
                    self.noted.emit(reloaded_text(exc))  # after the reload, which clears the message line
                return False

    def save_draft(self) -> None:
        try:
            saved = self._save(undoable=True)
        except AppError as exc:
            self._refused(exc)
            return
        assert self.detail is not None
        if saved:
            self.changed.emit(self.detail.row.id)

    # --- the date changing while the pane is open ---------------------------------------------------
    def _follow_today(self) -> str:
        """The date of decision still showing the "today" it was given, untouched, moves to the new today
        (a decision opened before midnight was signed the next morning as decided the day before, unseen).
        Returns what moved, in words ("" when nothing): the caller says it."""
        def moved(_name: str, edit: QDateEdit) -> None:
            for saver in self.autosavers:  # the new default is nothing typed: no draft of it is kept
                if "decided_on" in saver.opened:
                    saver.opened["decided_on"] = field_value(edit)
        return self.today_dates.follow_text("Change it if the decision was made the day before.",
                                            applies=lambda _n: self.decided_on.isEnabled(), moved=moved)

    def _new_day(self, _day: dt.date) -> None:
        said = self._follow_today()
        if said:
            self.noted.emit(said)

    def _moved_before(self, action: str) -> bool:
        """A press of Sign or Sign the correction that finds the date changed since: the untouched date of
        decision moves, is said, and nothing is signed on this press (True)."""
        said = self._follow_today()
        if said:
            self.failed.emit(ValidationError(f"{said} Nothing was signed yet: press {action} again to sign it.",
                                             "decided_on"))
            self.tabs.setCurrentWidget(child(self.form, QWidget, "tab_decision"))
            self.decided_on.setFocus(Qt.FocusReason.OtherFocusReason)
        return bool(said)

    def sign(self, password: str | None = None, delay_reason: str = "", error: str = "",
             sign_anyway: bool = False) -> None:
        """Save the draft, check that the decision as saved can be signed (outcome, wording, reasons, the
        order of events: all before the password is asked for), then ask for the password (and the reason
        for delay when late) and sign. The dialog stays open while the password is checked and the decision
        signed (on the runner's worker thread: "Checking your password…"); a wrong password, a missing
        reason for delay, or a correction of the panel minutes opened meanwhile is said in it with what was
        typed kept, the cursor where it is put right; it closes once signed. ``password`` given: signed
        without a dialog (``delay_reason``, ``sign_anyway``); ``error``, ``delay_reason`` without it: the
        dialog opens saying ``error`` with that reason kept."""
        if self.detail is None:
            return
        if password is None and self._moved_before("Sign…"):
            return
        try:
            day = pydate(self.decided_on.date())  # a date typed that is not one is said before anything else
            if not self._save():
                return
        except AppError as exc:
            self._refused(exc)
            return
        db, me, did, version = self.ctx.db, self.ctx.principal, self.detail.row.id, self.version
        if password is not None:
            pw, why, anyway = password, delay_reason, sign_anyway
            self._run(lambda: service.sign_decision(db, me, did, pw, day, expected_version=version,
                                                    delay_reason=why, sign_anyway=anyway),
                      lambda _r: self._signed(did))
            return
        warning = self.detail.conflict_warning
        try:
            late_by = service.check_signable(db, me, did, day)
            correction = service.minutes_correction(db, me, did)
        except AppError as exc:
            if isinstance(exc, ValidationError) and exc.field == "addressee":
                self._to_addressee()  # the message names it; the cursor is put there
            self.failed.emit(exc)
            return
        r = self.detail.row
        outcome = str(self.outcome.currentData() or "")
        what = (f"You are signing: {r.subject_reference} — {r.type_label}, decided on {day:%d/%m/%Y}.\n"
                f"Outcome: {rules.outcome_label(outcome, r.decision_type, r.source)}"
                + rules.signing_effect(outcome, r.source) + "\n\n")
        dlg = SignDialog(self, what + (f"Warning: {warning}\n\n" if warning else "")
                         + "Signing makes this decision final and files its letter. Nobody can change "
                         "a signed decision; mistakes are corrected by a new version with a reason."
                         + ("\n\nThis decision is past its statutory deadline: say why it is late."
                            if late_by else ""), late_by=late_by, error=error, delay_reason=delay_reason,
                         minutes_correction=service.minutes_correction_warning(correction) if correction else "")
        # the correction the warning names: "sign anyway" is for it alone (another found meanwhile is shown)
        shown: list[int | None] = [correction.version if correction is not None else None]

        def prepare() -> Callable[[], Any]:
            pw, why = dlg.password.text(), dlg.delay_reason.toPlainText()
            named = shown[0]
            anyway = named is not None and dlg.sign_anyway.isChecked()
            return lambda: service.sign_decision(db, me, did, pw, day, expected_version=version, delay_reason=why,
                                                 sign_anyway=anyway, correction_shown=named)

        def said_in_dialog(exc: BaseException) -> bool:
            if not (self.detail is not None and self.detail.row.id == did and isinstance(exc, ValidationError)):
                return False
            if exc.field == "minutes_correction":  # opened or approved while the dialog was up: its warning
                try:
                    found = service.minutes_correction(db, me, did)
                except AppError:
                    return False
                if found is None:
                    return False
                shown[0] = found.version
                dlg.warn_minutes_correction(service.minutes_correction_warning(found))
                dlg.refuse("The panel minutes changed while you were signing (a correction was opened or "
                           "approved): read the warning.", dlg.sign_anyway)
                return True
            field = {"password": dlg.password, "delay_reason": dlg.delay_reason,
                     "Reason for delay": dlg.delay_reason}.get(exc.field or "")
            if field is None:
                return False
            if not field.isVisibleTo(dlg):  # late after all (the calendar changed meanwhile): asked anew
                why = dlg.delay_reason.toPlainText()
                retry[:] = [lambda: self.sign(delay_reason=why, error=str(exc))]
                return False
            dlg.refuse(str(exc), field)
            return True

        retry: list[Callable[[], None]] = []

        def failed(exc: BaseException) -> None:
            if retry:
                QTimer.singleShot(0, retry.pop())
            else:
                self.failed.emit(exc)

        def signed(_result: Any) -> None:
            self._signed(did)
            self.changed.emit(did)

        dlg.prepare, dlg.runner = prepare, self.ctx.tasks
        dlg.on_done, dlg.on_error, dlg.on_failed = signed, said_in_dialog, failed
        run_modal(dlg)

    def _refused(self, exc: AppError) -> None:
        """A save refused: said on the page; a refusal of Letter to (an address too long for the envelope's
        window, a line like a formula) puts the cursor there."""
        if isinstance(exc, ValidationError) and exc.field == "addressee":
            self._to_addressee()
        self.failed.emit(exc)

    def _to_addressee(self) -> None:
        """Signing was refused for want of someone to write to: the Decision tab, the cursor in Letter to."""
        self.tabs.setCurrentWidget(child(self.form, QWidget, "tab_decision"))
        if self.addressee.isEnabled():
            self.addressee.setFocus(Qt.FocusReason.OtherFocusReason)

    def _signed(self, decision_id: int) -> None:
        """Signed: final. Its saved drafts leave Edit → Undo (putting one back could only be refused)."""
        adm_undo.forget_signed(self.ctx.undo, decision_id)
        self.signed.emit(decision_id)

    def correct(self, password: str | None = None, reason: str | None = None) -> None:
        if self.detail is None:
            return
        if password is None or reason is None:
            try:  # refused whatever is typed (changed outside the application, say): said before anything is
                # typed, and before the password is asked for
                service.check_correctable(self.ctx.db, self.ctx.principal, self.detail.row.id)
            except AppError as exc:
                self.failed.emit(exc)
                return
        if (password is None or reason is None) and not self.correcting:
            self.begin_correction()
            return
        if (password is None or reason is None) and self._moved_before("Sign the correction…"):
            return
        try:  # the date of decision typed is a date: known before the password is asked for
            day = pydate(self.decided_on.date())
        except AppError as exc:
            self.failed.emit(exc)
            return
        db, me, did = self.ctx.db, self.ctx.principal, self.detail.row.id
        outcome, text = str(self.outcome.currentData()), self.decision_text.toPlainText()
        reasons = self.decision_reasons.toPlainText()
        # who the corrected letter goes to: as typed, where it can be (a version signed before a letter had to
        # go to someone may have nobody; a plan for adoption's goes to the social worker, not changed here)
        to = (self.addressee.toPlainText(), self.salutation.text()) if self.addressee.isEnabled() else (None, None)

        def go(pw: str, why: str) -> int:
            return service.correct_decision(db, me, did, pw, reason=why, outcome=outcome, decision_text=text,
                                            reasons=reasons, decided_on=day, addressee=to[0],
                                            salutation=to[1]).decision_id

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError) and exc.field == "addressee":
                self._to_addressee()  # the message names it; the cursor is put there
            self.failed.emit(exc)

        if password is not None and reason is not None:
            pw, why = password, reason
            self._run(lambda: go(pw, why), on_error=failed)
            return
        outcome_now = str(self.outcome.currentData() or "")
        try:
            restart = (service.corrected_period(db, me, did, day) if outcome_now == rules.OUTCOME_NOT_APPROVE
                       else None)
        except AppError as exc:
            self.failed.emit(exc)
            return
        period = ("" if restart is None else
                  f"\n\nThe corrected notice is dated {day:%d/%m/%Y}: the applicants' 40 working days for "
                  f"representations or an application to the IRM start again from it, to {restart:%d/%m/%Y}.")
        dlg = SignDialog(self, "A correction is a new signed version; the signed original stays in the "
                         "history. Give the reason for the correction." + period, correction=True)

        def said_in_dialog(exc: BaseException) -> bool:
            """A wrong password or a reason missing: said in the dialog, which stays open (the cursor there)."""
            field = {"password": dlg.password, "reason": dlg.reason, "Reason for correction": dlg.reason}.get(
                exc.field or "") if isinstance(exc, ValidationError) else None
            if field is None or not (self.detail is not None and self.detail.row.id == did):
                return False
            dlg.refuse(str(exc), field)
            return True

        dlg.prepare = lambda: partial(go, dlg.password.text(), dlg.reason.toPlainText())
        dlg.runner = self.ctx.tasks
        dlg.on_done, dlg.on_error, dlg.on_failed = self.changed.emit, said_in_dialog, failed
        run_modal(dlg)

    def begin_correction(self) -> None:
        """Step one of a correction: the signed decision's fields open for editing; pressing the button
        again (now "Sign the correction…") asks for the reason and the password."""
        if self.detail is None:
            return
        self.correcting = True
        for w in (self.outcome, self.decision_text, self.decision_reasons, self.decided_on):
            w.setEnabled(True)
        r = self.detail.row
        if rules.letter_kind(r.decision_type, r.source, str(self.outcome.currentData() or ""),
                             r.recommendation) != "adm_plan_agreed":
            self.addressee.setEnabled(True)  # the corrected letter's: wrong, or missing on a version signed long ago
            self.salutation.setEnabled(True)
        self.today_dates.set_today("decided_on")  # a correction is dated the day it is made, not the original's
        self.buttons["correct_button"].setText("Sign the co&rrection…")
        self.info_status.setText("Change the decision above, then press <b>Sign the correction…</b> to give "
                                 "the reason and sign. The signed original stays in the history.")
        self.tabs.setCurrentWidget(child(self.form, QWidget, "tab_decision"))
        self.decision_text.setFocus()

    def _dated(self, title: str, date_label: str, text_label: str | None,
               about: str = "", *, day: dt.date | None = None, text: str = "") -> tuple[dt.date, str] | None:
        # each is the day something happened (asked, received, sent, told, applied): never after today;
        # ``day`` and ``text``: what is recorded already, shown to be changed (not typed again from nothing);
        # without it, today's date, which follows midnight while untouched; "never after today" is read at OK
        dlg = DatedNoteDialog(self, title, date_label, day, text_label, about=about, latest=self.today,
                              today=self.today, ctx=self.ctx)
        if text and text_label is not None:
            dlg.text.setPlainText(text)
        if not run_modal(dlg):
            return None
        return dlg.day, dlg.text.toPlainText()

    def ask_information(self) -> None:
        got = self._dated("Ask for more information", "Date &asked:", "&Information needed:")
        if got and self.detail:
            db, me, did = self.ctx.db, self.ctx.principal, self.detail.row.id
            self._run(lambda: service.request_information(db, me, did, what=got[1], requested_on=got[0],
                                                          today=self.today()),
                      lambda _r: None)

    def log_information(self) -> None:
        got = self._dated("Information received", "Date &received:", "&Note:")
        if got and self.detail:
            db, me, did = self.ctx.db, self.ctx.principal, self.detail.row.id
            self._run(lambda: service.log_information(db, me, did, received_on=got[0], note=got[1],
                                                      today=self.today()),
                      lambda _r: None)

    def save_letter_word(self) -> None:
        """Save a Word copy…: a Word copy of the selected letter (the dialog starts on a .docx name)."""
        self.save_letter(word=True)

    def save_letter(self, path: str | None = None, *, word: bool = False) -> None:
        letter = self.selected_letter()
        if letter is None or self.detail is None:
            return
        late = letter.kind == "adm_qd_notice" and letter.sent_on is None and letter.letter_date < self.today()
        if late and self._late_notice(letter, self.today(), sending=False) != "as_is":
            return
        if path is None:
            name = (f"{self.detail.row.subject_reference}-{letter.kind}-{letter.letter_date}"
                    + (".docx" if word else ".pdf"))
            path = ask_letter_path(self, "Save letter as Word" if word else "Save letter", name)
            if not path:
                return
        try:
            if Path(path).suffix.lower() == ".docx":
                service.export_letter(self.ctx.db, self.ctx.principal, letter.id, Path(path))
            else:
                data = service.letter_pdf(self.ctx.db, self.ctx.principal, letter.id)
                with output_file(path) as partial:  # whole or not at all: never half a letter over the last
                    partial.write_bytes(data)
        except (AppError, OSError) as exc:
            self.failed.emit(exc)

    def letter_summary(self, letter: LetterView) -> str:
        """Which letter, in words: its kind, date, addressee and the case it is about (one line each)."""
        lines = [f"Letter: {rules.LETTER_KINDS.get(letter.kind, letter.kind)}", f"Dated: {_d(letter.letter_date)}"]
        if letter.recipient.strip():
            lines.append("To: " + ", ".join(x.strip() for x in letter.recipient.splitlines() if x.strip()))
        subject = letter.subject_reference
        if self.detail is not None:
            r = self.detail.row
            subject = f"{subject or r.subject_reference} ({r.subject_initials})"
        if subject:
            lines.append(f"About: {subject}")
        return "\n".join(lines)

    def mark_sent(self) -> None:
        letter = self.selected_letter()
        got = self._dated("Letter sent", "Date &sent:", None,
                          f"Record the date this letter was posted or handed over.\n\n{self.letter_summary(letter)}"
                          ) if letter else None
        if got and letter:
            late = letter.kind == "adm_qd_notice" and got[0] > letter.letter_date
            if late and self._late_notice(letter, got[0], sending=True) != "as_is":
                return
            db, me = self.ctx.db, self.ctx.principal
            self._run(lambda: service.mark_letter_sent(db, me, letter.id, got[0]), lambda _r: None)

    def _late_notice(self, letter: LetterView, day: dt.date, *, sending: bool) -> str:
        """A qualifying-determination notice going out on a day after its own date states a period that ends
        too early (the 40 working days begin with the day it is sent): said with both dates, and, while it
        can still be changed (saved or printed today, or recorded as sent today), the notice is offered made
        again dated today. Returns "as_is" (go on), "again" (made again) or "cancel"."""
        db, me = self.ctx.db, self.ctx.principal
        try:
            stated, counted = service.notice_periods(db, me, letter.id, day)
        except AppError as exc:
            self.failed.emit(exc)
            return "cancel"
        if counted <= stated:
            return "as_is"
        today = self.today()
        went = f"Sent on {_d(day)}" if sending else f"If it goes today ({_d(day)})"
        text = (f"This notice is dated {_d(letter.letter_date)} and tells the applicants they have until "
                f"{_d(stated)} to make representations or apply to the IRM. {went}, their 40 working days end on "
                f"{_d(counted)}, and that later date is the one that applies.")
        box = QMessageBox(QMessageBox.Icon.Warning, "Notice dated before the day it goes", text,
                          QMessageBox.StandardButton.NoButton, self)
        again = None
        if day == today:
            box.setInformativeText("If it has not gone yet, make it again dated today, so the letter states the "
                                   "period it gives, and send that one.")
            again = box.addButton("&Make it again dated today", QMessageBox.ButtonRole.AcceptRole)
        as_is = box.addButton(f"&Record it sent on {_d(day)}" if sending else "&Save it as dated",
                              QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(again or cancel)
        box.setEscapeButton(cancel)
        box.exec()
        if again is not None and box.clickedButton() is again:
            self._run(lambda: service.reissue_notice(db, me, letter.id, today),
                      lambda _new_id: self.ctx.notify(f"The notice was made again dated {_d(today)} (the last "
                                                      "in the Letters list); save or print that one and record it "
                                                      "as sent."))
            return "again"
        return "as_is" if box.clickedButton() is as_is else "cancel"

    def record_oral(self) -> None:
        got = self._dated("Applicants told of the decision", "Date &told:", "&Note:")
        if got and self.detail:
            db, me, did = self.ctx.db, self.ctx.principal, self.detail.row.id
            self._run(lambda: service.record_oral_notification(db, me, did, got[0], got[1]), lambda _r: None)

    def _qd_id(self) -> int | None:
        return self.detail.qd.id if self.detail and self.detail.qd else None

    def record_representations(self) -> None:
        """The dialog shows what is recorded already, and the save passes back the version shown: a
        colleague's record made meanwhile is not replaced unseen (multi-user trial)."""
        shown = self.detail.qd if self.detail else None
        got = self._dated("Representations received", "Date &received:", "&Summary:",
                          day=shown.representations_on, text=shown.representations) if shown else None
        if got and shown:
            db, me, qd, version = self.ctx.db, self.ctx.principal, shown.id, shown.row_version
            self._run(lambda: service.record_representations(db, me, qd, received_on=got[0], summary=got[1],
                                                             expected_version=version),
                      lambda _r: None, self._qd_refused)

    def record_irm_application(self) -> None:
        shown = self.detail.qd if self.detail else None
        got = self._dated("Application to the IRM", "Date &applied:", None,
                          day=shown.irm_applied_on) if shown else None
        if got and shown:
            db, me, qd, version = self.ctx.db, self.ctx.principal, shown.id, shown.row_version
            self._run(lambda: service.record_irm_application(db, me, qd, applied_on=got[0],
                                                             expected_version=version), lambda _r: None,
                      self._qd_refused)

    def _qd_refused(self, exc: BaseException) -> None:
        """A colleague recorded on the qualifying determination since it was shown: the pane shows theirs
        (reloaded), and the message says what is recorded now, so the ADM adds to it rather than types over."""
        if isinstance(exc, StaleRecord) and self.detail is not None:
            now = "; ".join(f"{label}: {value}" for label, value in exc.saved_values.items() if value)
            self.changed.emit(self.detail.row.id)  # reloaded: the window opens on what is recorded now
            exc = Conflict(f"{exc.saved_by or 'Someone else'} recorded on this qualifying determination after you "
                           f"opened it; nothing of yours was saved. Recorded now: {now}. Record yours again to "
                           "change or add to it.")
        self.failed.emit(exc)

    def record_irm_recommendation(self) -> None:
        qd = self._qd_id()
        got = self._dated("IRM recommendation", "Date &received:", "&Recommendation:") if qd else None
        if got and qd:
            db, me = self.ctx.db, self.ctx.principal
            self._run(lambda: service.record_irm_recommendation(db, me, qd, received_on=got[0],
                                                                recommendation=got[1]), lambda _r: None)

    def open_final(self) -> None:
        qd = self._qd_id()
        if qd:
            db, me, today = self.ctx.db, self.ctx.principal, self.today()
            self._run(lambda: service.open_final_decision(db, me, qd, today))
