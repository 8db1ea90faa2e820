"""The item window's "Put a mistake right" button (letterbox "mistakes" trial, 6 December 2026): an item still
being worked whose logging was wrong (the arrangement, the side it came from, the date received, the type) is
corrected (:class:`CorrectLoggingDialog`), or marked as logged in error with a reason; an item with an outcome,
which cannot be undone, is given a dated correction note. The use cases are
``letterbox.service.item_corrections``; this module only asks and shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, Conflict, StaleRecord
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.service import ItemDetail
from adoption_desktop.letterbox.service.item_log import RECEIVED_GRACE_DAYS
from adoption_desktop.ui.ask import ask_text
from adoption_desktop.ui.dates import pydate, qdate
from adoption_desktop.ui.modal import run_modal
from adoption_desktop.ui.undo import confirm_final

if TYPE_CHECKING:
    from adoption_desktop.letterbox.views.item_dialog import ItemDialog

#: the steps of an item's history the mistakes line shows (who, when, why)
_SHOWN_STEPS = ("logged_in_error", "correction_note")


class CorrectLoggingDialog(QDialog):
    """How an item was logged, to correct: the arrangement (its reference), the direction, the date received,
    the type. Says beforehand that a change of arrangement or direction clears the screening. ``today``: the
    window's clock, read each time: the latest date received it takes (today and a day's grace, as the service
    allows) follows the date while the dialog is open past midnight (:meth:`follow_today`)."""

    def __init__(self, detail: ItemDetail, reference: str, today: Callable[[], dt.date],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self.setObjectName("correct_logging_dialog")
        self.setWindowTitle(f"Correct how item {detail.id} was logged")
        layout = QVBoxLayout(self)
        intro = QLabel(f"Item {detail.id} has no outcome yet, so how it was logged can still be corrected. If you "
                       "change the arrangement or the direction, its screening no longer holds (the protected "
                       "terms are another arrangement's, or the other side's): its findings are cleared and it is "
                       "put back to be screened. The correction is kept in the item's history, with what it was.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.arrangement = QLineEdit(reference)
        self.arrangement.setObjectName("arrangement")
        self.arrangement.setToolTip("The reference of the arrangement the item belongs to")
        self.direction = QComboBox()
        self.direction.setObjectName("direction")
        for key, label in rules.DIRECTIONS.items():
            self.direction.addItem(label, key)
        self.direction.setCurrentIndex(max(0, self.direction.findData(detail.direction)))
        self.received_on = QDateEdit()
        self.received_on.setObjectName("received_on")
        self.received_on.setCalendarPopup(True)
        self.received_on.setDisplayFormat("dd/MM/yyyy")
        self.follow_today()
        self.received_on.setDate(qdate(detail.received_on))
        self.item_type = QComboBox()
        self.item_type.setObjectName("item_type")
        for t in rules.ITEM_TYPES:
            self.item_type.addItem(t.title(), t)
        self.item_type.setCurrentIndex(max(0, self.item_type.findData(detail.item_type)))
        fields: tuple[tuple[str, QWidget], ...] = (
            ("&Arrangement", self.arrangement), ("&Direction", self.direction), ("Date rece&ived", self.received_on),
            ("&Type", self.item_type))
        for words, widget in fields:
            caption = QLabel(words)
            caption.setBuddy(widget)
            form.addRow(caption, widget)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("buttons")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Correct")
        ok.setObjectName("correct_button")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def follow_today(self, _day: dt.date | None = None) -> None:
        """The latest date received the field takes: today, by the window's clock, and a day's grace. Set at
        opening, it stayed the evening's after midnight (the new day's grace could not be chosen); the item
        window's day watch calls this when the date changes while the dialog is open."""
        self.received_on.setMaximumDate(qdate(self.today() + dt.timedelta(days=RECEIVED_GRACE_DAYS)))

    def values(self) -> tuple[str, str, dt.date, str]:
        """The arrangement's reference, the direction, the date received and the type, as chosen."""
        return (self.arrangement.text().strip(), str(self.direction.currentData()), pydate(self.received_on.date()),
                str(self.item_type.currentData()))


def _box_holding(window: QWidget, widget: QWidget) -> QBoxLayout | None:
    """The box layout of ``window`` that holds ``widget`` directly."""
    return next((b for b in window.findChildren(QBoxLayout) if b.indexOf(widget) >= 0), None)


class ItemMistakes:
    """The item window's part that puts mistakes right: the "Put a mistake right" button under Log corrected
    version, with its three actions, and the line under the heading that says an item was logged in error, or
    gives its correction notes (who, when, why). Made by the window (``ItemDialog.mistakes``)."""

    def __init__(self, window: ItemDialog) -> None:
        self.window = window
        # every letter of "Put a mistake right" is taken in the item window: Alt+Z (as the panel's "Defer to a
        # later sitting (Z)…"); tests/letterbox/test_item_window_keys.py checks no two controls share a letter
        self.button = QPushButton("Put a mistake right (&Z)…")
        self.button.setObjectName("mistake_button")
        self.button.setToolTip("Correct how the item was logged, mark it as logged in error, or add a correction "
                               "note to an item with an outcome or whose acknowledgement was sent (Alt+Z)")
        menu = QMenu(self.button)
        self.correct_logging_action = QAction("&Correct how it was logged…", menu)
        self.logged_in_error_action = QAction("&Logged in error…", menu)
        self.correction_note_action = QAction("Add correction &note…", menu)
        self.correct_logging_action.triggered.connect(lambda _c=False: self.correct_logging())
        self.logged_in_error_action.triggered.connect(lambda _c=False: self.mark_logged_in_error())
        self.correction_note_action.triggered.connect(lambda _c=False: self.add_correction_note())
        for action in (self.correct_logging_action, self.logged_in_error_action, self.correction_note_action):
            menu.addAction(action)
        self.button.setMenu(menu)
        self.button.setAutoDefault(True)
        self.button.setDefault(False)
        box = _box_holding(window, window.corrected_button)
        if box is not None:
            box.insertWidget(box.indexOf(window.corrected_button) + 1, self.button)
        self.line = QLabel()
        self.line.setObjectName("mistake_line")
        self.line.setWordWrap(True)
        self.line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.line.setTextFormat(Qt.TextFormat.PlainText)
        self.line.hide()
        heading = _box_holding(window, window.seal_problem)
        if heading is not None:
            heading.insertWidget(heading.indexOf(window.seal_problem) + 1, self.line)
        self.logging_dialog: CorrectLoggingDialog | None = None

    def show(self) -> None:
        """Which mistake actions the item allows now, and the line saying it was logged in error or giving its
        correction notes. Called at the end of each reload of the window."""
        w = self.window
        d = w.detail
        can_edit = w.ctx.principal.can(Permission.LETTERBOX_EDIT)
        open_ = d is not None and d.status in rules.OPEN_STATUSES
        final = d is not None and not open_
        self.correct_logging_action.setEnabled(open_ and can_edit)
        self.logged_in_error_action.setEnabled(open_ and can_edit)
        # an item with no outcome takes a note once a letter about it was sent (the writer was told it was
        # received): the note says what was done about it before the item is moved or marked logged in error.
        # A letter of a voided batch was not posted: the writer was told nothing (as the service's rule)
        told = d is not None and any(not r.voided for r in d.letters)
        self.correction_note_action.setEnabled((final or (open_ and told)) and can_edit)
        self.button.setEnabled(d is not None and can_edit)
        lines = [f"{rules.step_label(e.action)} on {e.at:%d/%m/%Y} by {e.who or e.actor}: "
                 f"{e.detail.removeprefix('logged in error: ')}"
                 for e in (d.history if d is not None else ()) if e.action in _SHOWN_STEPS]
        text = "\n".join(lines)
        self.line.setText(text)
        self.line.setAccessibleName(text)
        self.line.setVisible(bool(text))

    def _refused(self, exc: AppError, what: str) -> None:
        """A correction refused: someone else's save is shown (the item as stored now), the refusal said."""
        w = self.window
        if isinstance(exc, Conflict):
            from adoption_desktop.letterbox.views.item_dialog import conflict_text

            w.reload()
            w.say(conflict_text(exc) + (f" The item is shown as it is stored now: {what} again if it is still "
                                        "needed." if isinstance(exc, StaleRecord) else ""), error=True)
            return
        w.say(str(exc), error=True)

    def correct_logging(self) -> None:
        """Correct how the item was logged (an item with no outcome): asked in :class:`CorrectLoggingDialog`,
        saved against the version shown."""
        w = self.window
        d = w.detail
        if w.item_id is None or d is None:
            return
        dialog = CorrectLoggingDialog(d, w.reference, lambda: w.today, w)
        self.logging_dialog = dialog
        w.ctx.after_new_day.append(dialog.follow_today)  # its limit follows midnight while it is open
        try:
            answered = run_modal(dialog)
        finally:
            if dialog.follow_today in w.ctx.after_new_day:
                w.ctx.after_new_day.remove(dialog.follow_today)
        if not answered:
            w.say("Nothing was corrected.")
            return
        reference, direction, received_on, item_type = dialog.values()
        try:
            found = service.find_arrangement(w.ctx.db, w.ctx.principal, reference)
            if found is None:
                w.say(f"Arrangement: there is no arrangement {reference or '(none given)'}. Nothing was corrected: "
                      "check the reference on the arrangements register and try again.", error=True)
                return
            done = service.correct_item_logging(
                w.ctx.db, w.ctx.principal, w.item_id, arrangement_id=found.id, direction=direction,
                received_on=received_on, item_type=item_type, expected_version=d.row_version)
        except AppError as exc:
            self._refused(exc, "correct it")
            return
        if not done.changes:
            w.say("Nothing was corrected: what you chose is how the item was logged.")
            return
        if found.id != w.arrangement_id:
            w.arrangement_id, w.reference = found.id, found.reference
            w.setWindowTitle(f"Letterbox item — {found.reference}")
            try:
                w.writer_choices = service.writer_choices(w.ctx.db, w.ctx.principal, found.id)
            except AppError:
                w.writer_choices = ()
        w.say("")
        w.reload()
        w._drafts_after_step()
        said = f"Corrected how item {w.item_id} was logged: {'; '.join(done.changes)}."
        if done.screening_cleared:
            said += (" Its screening no longer holds (the protected terms are those of this arrangement and side "
                     "now): its findings were cleared. Screen the text again (Alt+X) before recording an outcome.")
        elif found.id != d.arrangement_id or direction != d.direction:
            said += " Screen it against this arrangement's protected terms (Alt+X)."
        w.say(said)

    def mark_logged_in_error(self, reason: str | None = None) -> None:
        """Mark an item with no outcome as logged in error: a reason asked (``reason`` given: not asked), the
        final act confirmed, saved against the version shown."""
        w = self.window
        d = w.detail
        if w.item_id is None or d is None:
            return
        if reason is None:
            typed, ok = ask_text(
                w, "Logged in error", f"Why should item {w.item_id} ({w.reference}) not have been logged? For "
                "example: logged against the wrong arrangement, or logged twice. The reason is kept with it.")
            if not ok:
                w.say("Nothing was changed.")
                return
            reason = typed
        if not reason.strip():
            w.say("Not marked: say why the item should not have been logged.", error=True)
            return
        if not confirm_final(w, "Logged in error", f"Mark item {w.item_id} ({w.reference}) as logged in error?\n\n"
                             "It stays in the register, marked so with your name, today's date and the reason, and "
                             "no longer counts as received (the work list, reminders and figures leave it out). "
                             "This cannot be undone."):
            w.say("Nothing was changed.")
            return
        try:
            service.mark_logged_in_error(w.ctx.db, w.ctx.principal, w.item_id, reason,
                                         expected_version=d.row_version, on=w.today)
        except AppError as exc:
            self._refused(exc, "mark it")
            return
        w.say("")
        w.reload()
        w._drafts_after_step()
        w.say(f"Item {w.item_id} is marked as logged in error. It stays in the register, marked so, and no longer "
              "counts as received. If the letter belongs to another arrangement, log it there.")

    def add_correction_note(self, note: str | None = None) -> None:
        """Add a dated correction note to an item with an outcome (``note`` given: not asked)."""
        w = self.window
        if w.item_id is None or w.detail is None:
            return
        if note is None:
            typed, ok = ask_text(
                w, "Add correction note", f"What was wrong with item {w.item_id} ({w.reference}), and what was done "
                "about it? For example: \"forwarded in error: the manager was told on 4/12/2026\". The note is "
                "dated today and kept in the item's history; it cannot be changed or removed.")
            if not ok:
                w.say("No note was added.")
                return
            note = typed
        try:
            service.add_correction_note(w.ctx.db, w.ctx.principal, w.item_id, note)
        except AppError as exc:
            self._refused(exc, "add the note")
            return
        was_open = w.detail is not None and w.detail.status in rules.OPEN_STATUSES
        w.say("")
        w.reload()
        if was_open:
            w.say("Correction note added to the item's history, dated today. The item can now be corrected or "
                  "marked as logged in error if that is still needed (Put a mistake right…).")
            return
        w.say("Correction note added to the item's history, dated today. The outcome itself stays as recorded: an "
              "outcome cannot be undone.")
