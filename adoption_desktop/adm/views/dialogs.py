"""Small ADM dialogs: signing (password, and a reason for a correction), a dated note, a new decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import DateEdit, pydate, qdate
from adoption_desktop.ui.discard import AsksBeforeDiscard
from adoption_desktop.ui.fit import grow_for_message, grow_with_message
from adoption_desktop.ui.forms import child, load_dialog_form
from adoption_desktop.ui.ok_on_worker import CHECKING_PASSWORD, OkOnWorker
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.tasks import TaskRunner
from adoption_desktop.ui.today_default import TodayDefaults

MAX_TYPE_WIDTH = 760  # pixels: the new-decision dialog stays well inside a 1366-pixel screen


class SignDialog(AsksBeforeDiscard, QDialog):
    """Re-enter the password to sign; a correction also asks for its reason. Escape or Cancel after a reason
    was typed asks "Discard what you typed?" (the password does not count).

    With :attr:`prepare` and :attr:`runner` set, Sign (or Enter) runs the signing itself on the runner's worker
    thread (the argon2 check of the password, then the signature, committed there): the dialog stays open
    meanwhile saying "Checking your password…", its fields read-only or greyed, every button greyed (Cancel
    too: the worker commits the signature, a Cancel could not take it back), and Sign or Enter again starts
    nothing. Signed: the dialog closes (accepted), then :attr:`on_done`. Refused: :attr:`on_error` says
    whether the dialog stays open (it has said the refusal with :meth:`refuse`, the cursor in the field to
    put right) or closes (rejected, nothing asked) for the caller to say it elsewhere."""

    def __init__(self, parent: QWidget | None, summary: str, *, correction: bool = False,
                 late_by: int = 0, error: str = "", delay_reason: str = "", minutes_correction: str = "") -> None:
        """``error``: why the last attempt was refused (a wrong password, no reason for delay), shown at the
        top; ``delay_reason``: what was typed then, kept. ``minutes_correction``: the warning that the panel
        minutes behind the decision are being corrected; Sign stays off until "Sign anyway" is ticked."""
        super().__init__(parent)
        self.setWindowTitle("Correct a signed decision" if correction else "Sign the decision")
        layout = QVBoxLayout(self)
        info = QLabel(summary)
        info.setWordWrap(True)
        layout.addWidget(info)
        # the minutes being corrected: not a refusal (a practice question) but said plainly and confirmed
        self.correction_warning = QLabel(minutes_correction)
        self.correction_warning.setObjectName("minutes_correction")
        self.correction_warning.setWordWrap(True)
        self.correction_warning.setTextFormat(Qt.TextFormat.PlainText)
        error_tint(self.correction_warning, bold=True)
        self.correction_warning.setVisible(bool(minutes_correction))
        layout.addWidget(self.correction_warning)
        self.sign_anyway = QCheckBox("I have read this warning and sign &anyway, on the minutes as approved")
        self.sign_anyway.setObjectName("sign_anyway")
        self.sign_anyway.setVisible(bool(minutes_correction))
        layout.addWidget(self.sign_anyway)
        self.error = MessageLine(error)
        #: the same line under the name the dialogs whose OK runs on the worker share
        self.message = self.error
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        error_tint(self.error)
        self.error.setVisible(bool(error))
        layout.addWidget(self.error)
        form = QFormLayout()
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(70)
        if correction:
            # the reason is printed on the corrected letter ("Corrected version: version 2: …"): say so
            self.reason.setPlaceholderText("Printed on the corrected letter to the family, e.g. the age range "
                                           "in the first letter was wrong.")
            lab = QLabel("&Reason for the correction:")
            lab.setBuddy(self.reason)
            form.addRow(lab, self.reason)
        else:
            self.reason.hide()
        # signed past the statutory deadline: the reason for delay is asked for and kept on the decision
        self.delay_reason = QPlainTextEdit()
        self.delay_reason.setObjectName("delay_reason")
        self.delay_reason.setTabChangesFocus(True)
        self.delay_reason.setMaximumHeight(70)
        self.delay_reason.setAccessibleName("Reason for delay")
        self.delay_reason.setPlaceholderText("e.g. the minutes arrived incomplete and were corrected first")
        self.delay_reason.setPlainText(delay_reason)
        if late_by > 0:
            days = "1 working day" if late_by == 1 else f"{late_by} working days"
            lab = QLabel(f"Reason for &delay ({days} late):")
            lab.setBuddy(self.delay_reason)
            form.addRow(lab, self.delay_reason)
        else:
            self.delay_reason.hide()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        lab = QLabel("Your &password:")
        lab.setBuddy(self.password)
        form.addRow(lab, self.password)
        layout.addLayout(form)
        self.buttons = buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                                  | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Sign")
        self.sign_anyway.toggled.connect(self._anyway_toggled)
        if minutes_correction:
            ok.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        #: set with :attr:`runner`: Sign reads the fields here (on the window's thread) and returns the work
        #: that signs, run on the runner's worker thread with the dialog open (see the class's text)
        self.prepare: Callable[[], Callable[[], Any]] | None = None
        self.runner: TaskRunner | None = None
        #: the work's result, on the window's thread, after the dialog closed (accepted)
        self.on_done: Callable[[Any], None] = lambda _value: None
        #: a refusal from the work, on the window's thread: True when the dialog said it and stays open
        self.on_error: Callable[[BaseException], bool] = lambda _exc: False
        #: a refusal the dialog did not keep (:attr:`on_error` False), after the dialog closed (rejected)
        self.on_failed: Callable[[BaseException], None] = lambda _exc: None
        #: the signing on the worker (Cancel greyed meanwhile)
        self.ok_work = OkOnWorker(self, buttons, [self.sign_anyway, self.reason, self.delay_reason, self.password],
                                  note=CHECKING_PASSWORD)
        # a reason for delay kept from a refused attempt was typed too: Cancel asks before losing it
        self.opened_with = ["", ""]
        first: QWidget = self.reason if correction else self.delay_reason if late_by > 0 else self.password
        if late_by > 0 and delay_reason.strip():
            first = self.password  # the reason was given: it was the password that was refused
        if minutes_correction:
            first = self.sign_anyway  # Sign waits for it: read first, and the first thing to do (or Cancel)
        first.setFocus()

    def typed_values(self) -> list[object]:
        return [self.reason.toPlainText(), self.delay_reason.toPlainText()]

    @property
    def checking(self) -> bool:
        """The password is being checked and the decision signed on the runner's worker thread."""
        return self.ok_work.running

    def _anyway_toggled(self, checked: bool) -> None:
        """Sign waits for "Sign anyway" while a correction of the minutes is warned about."""
        if self.correction_warning.isVisibleTo(self) and not self.ok_work.running:
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(checked)

    def accept(self) -> None:
        """Sign or Enter: the signing on the worker with the dialog open (:attr:`prepare`); without it, the
        dialog closes accepted for the caller to sign."""
        if self.ok_work.running:  # Sign or Enter again while the first runs: one check, one failure counted
            return
        if self.prepare is None or self.runner is None:
            super().accept()
            return
        work = self.prepare()
        self.error.clear()
        self.error.hide()
        self.ok_work.start(self.runner, work, on_done=self._signed, on_error=self._refused)

    def _signed(self, value: Any) -> None:
        QDialog.accept(self)
        self.on_done(value)

    def _refused(self, exc: BaseException) -> None:
        if self.on_error(exc):
            return
        QDialog.reject(self)  # closed without "Discard what you typed?": the caller says what went wrong
        self.on_failed(exc)

    def reject(self) -> None:
        if self.ok_work.holds_cancel():  # Cancel is greyed while it signs; Esc and the close box do nothing
            return
        super().reject()

    def refuse(self, said: str, field: QWidget) -> None:
        """A refusal said at the top of the dialog, which stays open with what was typed; the cursor in
        ``field`` (a refused password selected, to be typed again over itself)."""
        self.error.setText(said)
        self.error.show()
        layout = self.layout()
        if layout is not None:  # the dialog taller for it, at its own width: nothing above it cut
            layout.activate()
            grow_for_message(self, self.error)
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        if field is self.password:
            self.password.selectAll()

    def warn_minutes_correction(self, warning: str) -> None:
        """A correction of the panel minutes found as it was signing: its warning shown, "Sign anyway"
        unticked and Sign off until it is ticked (the confirmation is for this correction alone)."""
        self.correction_warning.setText(warning)
        self.correction_warning.show()
        self.sign_anyway.setChecked(False)
        self.sign_anyway.show()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)


class DatedNoteDialog(AsksBeforeDiscard, QDialog):
    """A date and (optionally) a text: information asked/received, representations, IRM steps. Escape or
    Cancel after the text was changed asks "Discard what you typed?".

    ``day``: the date shown, ``None`` for today's (``today``, the window's clock, read each time). While that
    default is untouched it follows the date changing with the dialog open (``ctx``'s day watch), and OK
    pressed after midnight moves it, says so and accepts nothing on that press (``ui.today_default``): a
    note opened in the evening is never recorded as of the day before, unseen. ``latest``: a date after it
    is refused on OK with the dialog kept open (the day of something that has happened); a clock is read at
    OK, so "not after today" lets today be chosen after midnight."""

    def __init__(self, parent: QWidget | None, title: str, date_label: str, day: dt.date | None,
                 text_label: str | None = None, *, about: str = "",
                 latest: dt.date | Callable[[], dt.date] | None = None,
                 today: Callable[[], dt.date] = dt.date.today, ctx: AppContext | None = None) -> None:
        super().__init__(parent)
        #: a date after this is refused on OK with the dialog kept open (what was typed stays): the day of
        #: something that has happened; a clock is read each time
        self.latest = latest
        self.date_label = date_label.replace("&", "").rstrip(":")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        self.about = QLabel(about)  # what the date is about (which letter), so the right one is recorded
        self.about.setObjectName("about")
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.PlainText)
        self.about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.about.setMinimumWidth(self.about.fontMetrics().averageCharWidth() * 48)
        self.about.setVisible(bool(about))
        layout.addWidget(self.about)
        form = QFormLayout()
        self.date = DateEdit(qdate(day or today()))
        self.date.setObjectName("date")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        lab = QLabel(date_label)
        lab.setBuddy(self.date)
        form.addRow(lab, self.date)
        #: the date while it shows "today", untouched: it follows midnight (``ui.today_default``)
        self.today_dates = TodayDefaults(today)
        if day is None:
            self.today_dates.add("date", self.date, self.date_label[:1].lower() + self.date_label[1:])
            if ctx is not None:
                self.today_dates.watch(ctx, self, self._new_day)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        if text_label:
            lab = QLabel(text_label)
            lab.setBuddy(self.text)
            form.addRow(lab, self.text)
        else:
            self.text.hide()
        layout.addLayout(form)
        self.message = MessageLine()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        error_tint(self.message)
        self.message.hide()
        layout.addWidget(self.message)
        grow_with_message(self, self.message)  # a longer message makes the dialog taller, not the text box smaller
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def typed_values(self) -> list[object]:
        return [self.text.toPlainText()]

    @property
    def day(self) -> dt.date:
        return pydate(self.date.date())

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _new_day(self, _day: dt.date) -> None:
        said = self.today_dates.follow_text("Change it if it was the day before.")
        if said:
            self._say(said)

    def accept(self) -> None:
        said = self.today_dates.follow_text("Change it if it was the day before.")
        if said:  # never yesterday's date unseen: the new one is shown, and accepted on the next press
            self._say(f"{said} Nothing was recorded yet: press OK again to record it.")
            self.date.setFocus()
            return
        latest = self.latest() if callable(self.latest) else self.latest
        if latest is not None and self.day > latest:
            QMessageBox.warning(self, self.windowTitle(),
                                f"{self.date_label}: {self.day:%d/%m/%Y} is in the future; enter the day it "
                                "happened, once it has.")
            self.date.setFocus()
            return
        super().accept()


class NewDecisionDialog(AsksBeforeDiscard, QDialog):
    """A decision without panel (``forms/adm_new_decision.ui``); Escape or Cancel after something was typed
    asks "Discard what you typed?"."""

    def __init__(self, parent: QWidget | None, types: dict[str, str], today: dt.date) -> None:
        super().__init__(parent)
        form = load_dialog_form(self, "adm_new_decision")
        self.decision_type = child(form, QComboBox, "decision_type")
        for code, label in types.items():
            self.decision_type.addItem(label, code)
        # wide enough for the longest type, but a long local type cannot push the dialog off a 1366 screen
        self.decision_type.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.decision_type.setMaximumWidth(MAX_TYPE_WIDTH)
        self.reference = child(form, QLineEdit, "reference")
        self.initials = child(form, QLineEdit, "initials")
        self.received_on = child(form, QDateEdit, "received_on")
        self.received_on.setDate(qdate(today))
        self.proposal = child(form, QPlainTextEdit, "proposal")
        self.reasons = child(form, QPlainTextEdit, "reasons")
        self.social_worker = child(form, QLineEdit, "social_worker")
        self.addressee = child(form, QPlainTextEdit, "addressee")
        self.message = child(form, QLabel, "message")
        error_tint(self.message)
        buttons = child(form, QDialogButtonBox, "buttons")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.decision_type.setFocus()
