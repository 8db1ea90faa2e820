"""Small building blocks for the counselling screens: a form dialog that keeps itself open on a
validation error (and focuses the field named by it), date edits, small code-built forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, ValidationError
from adoption_desktop.core.storage.engine import is_disk_full_error
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.autosave import DraftAutosaver
from adoption_desktop.ui.dates import DateEdit, qdate
from adoption_desktop.ui.dialogs import plain_error
from adoption_desktop.ui.discard import (
    ask_discard,
    ask_discard_on_exit,
    field_values,
    kept_nowhere_note,
    still_open,
)
from adoption_desktop.ui.field_message import ClearWhenChanged
from adoption_desktop.ui.fit import grow_with_message
from adoption_desktop.ui.palette import error_tint


def date_edit(value: dt.date | None = None, name: str = "") -> DateEdit:
    edit = DateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    if name:
        edit.setObjectName(name)
    edit.setDate(qdate(value or dt.date.today()))
    return edit


def fill_combo(combo: QComboBox, choices: dict[str, str], current: str | None = None) -> None:
    combo.clear()
    for key, label in choices.items():
        combo.addItem(label, key)
    if current is not None:
        combo.setCurrentIndex(max(combo.findData(current), 0))


def combo_key(combo: QComboBox) -> str:
    return str(combo.currentData())


def small_form(rows: Sequence[tuple[str, QWidget, str]]) -> QWidget:
    """A form of a few labelled fields (label with an &mnemonic, widget, object name)."""
    form = QWidget()
    layout = QFormLayout(form)
    for label, widget, name in rows:
        widget.setObjectName(name)
        lab = QLabel(label)
        lab.setBuddy(widget)
        layout.addRow(lab, widget)
    return form


class FormDialog(QDialog):
    """Wraps a form; OK calls ``submit``; an :class:`AppError` is shown in the dialog, which stays open.
    Escape, Cancel or closing the window asks "Discard what you typed?" when a field differs from what the
    form opened with, or it opened with a restored draft (*Keep editing* the default); nothing is asked when
    nothing changed."""

    def __init__(self, parent: QWidget | None, title: str, form: QWidget, submit: Callable[[], None]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form, self.submit = form, submit
        self.autosavers: list[DraftAutosaver] = []  # drafts of what was typed (see CaseDialog._form)
        self.opened_with: list[object] | None = None  # the fields as first shown (see changed)
        layout = QVBoxLayout(self)
        layout.addWidget(form)
        message = form.findChild(QLabel, "message")
        if message is None:
            message = MessageLine()
            message.setObjectName("message")
            message.setWordWrap(True)
            error_tint(message)
            layout.addWidget(message)
        self.message = message
        self._clears = ClearWhenChanged(message)  # the message about a field goes once the field is changed
        # a message needing more lines makes the dialog taller, not the form's one box that may shrink (New
        # referral's Address lost its postcode under the midnight message)
        grow_with_message(self, message)
        buttons = form.findChild(QDialogButtonBox, "buttons")
        if buttons is None:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
            buttons.setObjectName("buttons")
            layout.addWidget(buttons)
        self.buttons = buttons
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        if self.opened_with is None:  # after the caller filled the form in (and a draft was restored)
            self.opened_with = field_values(self.form)
        super().showEvent(event)

    def changed(self) -> bool:
        """Whether any field differs from what the form opened with, or the form opened with a restored
        draft: that text was never saved, so closing the form without a word would leave the draft to come
        back every time the form is opened until it is saved or discarded."""
        if any(saver.restored for saver in self.autosavers):
            return True
        return self.opened_with is not None and field_values(self.form) != self.opened_with

    def reject(self) -> None:
        """Escape, Cancel, the window's close box: asks first when something was typed (saying so when the
        typing is kept nowhere: a full disk refused its draft, :func:`kept_nowhere_note`). *Discard* also
        drops the form's autosaved drafts (the person chose to throw the text away)."""
        if self.changed():
            if not ask_discard(self, self.windowTitle(), informative=kept_nowhere_note(self)):
                return
            for saver in self.autosavers:
                saver.clear()
        super().reject()

    # --- the main window closes, the user signs out (``ui.session_switch``) -------------------------
    def save_pending_edits(self) -> bool:
        """Nothing is submitted on the way out (typed notes are kept as drafts by ``save_pending_drafts``);
        True when the form holds nothing changed."""
        return not (still_open(self) and self.changed())

    def confirm_discard_edits(self) -> bool:
        """A changed form is asked about ("… not saved"): *Keep editing* brings it forward and gives False;
        *Discard* drops its drafts and closes it, as Escape's Discard does, and gives True."""
        if self.save_pending_edits():
            return True
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if not ask_discard_on_exit(self, ok.text().replace("&", "") if ok is not None else "OK"):
            return False
        for saver in self.autosavers:
            saver.clear()
        super().reject()
        return True

    def field(self, kind: type[QWidget], name: str) -> QWidget:
        found = self.form.findChild(kind, name)
        if found is None:
            raise LookupError(f"form has no {kind.__name__} named {name!r}")
        return found

    def try_accept(self) -> bool:
        try:
            self.submit()
        except AppError as exc:
            self.message.setText(str(exc))
            if isinstance(exc, ValidationError) and exc.field:
                target = self.form.findChild(QWidget, exc.field)
                if target is not None:
                    self._clear_when_changed(target, str(exc))
                    target.setFocus()
            return False
        except Exception as exc:  # a full disk is said here; anything else is raised as before
            if not is_disk_full_error(exc):
                raise
            # not the "Unexpected problem" box (user trial ut15, D4): what happened, that nothing was saved and
            # the typing is still here, in the form's own line; the form stays open
            self.message.setText(plain_error(exc))
            return False
        self.accept()
        return True

    def _clear_when_changed(self, target: QWidget, text: str) -> None:
        """Take the message about ``target`` away once the field is changed (trial: "Date of birth: required"
        stayed in red after a date was typed); OK checks the form again in any case."""
        self._clears.watch(target, text)
