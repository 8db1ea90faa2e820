"""Asking before a form's typed input is thrown away (Escape, Cancel, closing the window)."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from adoption_desktop.ui.ask import ask_yes_no
from adoption_desktop.ui.autosave import unkept_question, unkept_savers
from adoption_desktop.ui.idle_lock import LOCKED_TITLE, real_title

#: the question box's object name (tests answer it by this name)
OBJECT_NAME = "confirm_discard"


def field_values(form: QWidget, *, passwords: bool = True) -> list[object]:
    """What every input field of ``form`` holds, in a stable order: compare two of these to see whether
    anything was typed, picked or ticked since the first was taken. ``passwords=False`` leaves out password
    boxes (nothing typed in one is worth keeping)."""
    values: list[object] = []
    for w in form.findChildren(QWidget):
        if isinstance(w, QLineEdit):
            if passwords or w.echoMode() == QLineEdit.EchoMode.Normal:
                values.append(w.text())
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            values.append(w.toPlainText())
        elif isinstance(w, QAbstractSpinBox):  # dates, times and numbers as shown (an empty date too)
            values.append(w.text())
        elif isinstance(w, QComboBox):
            values.append((w.currentIndex(), w.currentText()))
        elif isinstance(w, QAbstractButton) and w.isCheckable():
            values.append(w.isChecked())
    return values


def ask_discard(parent: QWidget | None, title: str, *, informative: str = "") -> bool:
    """"Discard what you typed?" — True for *Discard*. *Keep editing* is the default and the Escape
    answer, so neither Enter nor a second Escape loses anything. ``informative`` says more than the
    default line (which fields, what Keep editing does)."""
    if parent is not None:  # asked at the lock screen about an editor it covers: the editor's own title
        title = title.replace(LOCKED_TITLE, real_title(parent.window()))
    return ask_yes_no(parent, title, "Discard what you typed?", yes="&Discard", no="&Keep editing",
                      informative=informative or "What you typed in this form has not been saved.", name=OBJECT_NAME,
                      yes_role=QMessageBox.ButtonRole.DestructiveRole, no_role=QMessageBox.ButtonRole.RejectRole)


def _lock_owner(window: QWidget) -> QWidget | None:
    """The main window whose lock screen would hide ``window``: the first window up its parents that keeps a
    list of what the lock hid (through a dialog opened over another dialog: the child editor over the
    Children list)."""
    parent = window.parentWidget()
    while parent is not None:
        top = parent.window()
        if hasattr(top, "_hidden_while_locked"):
            return top
        parent = top.parentWidget()
    return None


def bring_forward(window: QWidget, focus: QWidget | None = None) -> None:
    """Show ``window`` on top and active, ``focus`` in it (the person chose *Keep editing* as the program
    closed or they signed out). Not while the main window behind it is locked: the window stays hidden or
    covered, as the lock left it, and comes back when its user unlocks."""
    owner = _lock_owner(window)
    if owner is not None and getattr(owner, "locked", False):
        return
    window.show()
    window.raise_()
    window.activateWindow()
    if focus is not None:
        focus.setFocus(Qt.FocusReason.OtherFocusReason)


def still_open(window: QWidget) -> bool:
    """Whether ``window`` is on screen, or hidden only by the lock screen (it comes back on unlock)."""
    if window.isVisible():
        return True
    owner = _lock_owner(window)
    return owner is not None and window in getattr(owner, "_hidden_while_locked", [])


def forget_hidden(window: QWidget) -> None:
    """``window`` is not to come back when its user unlocks (it was discarded at the lock screen)."""
    owner = _lock_owner(window)
    hidden = getattr(owner, "_hidden_while_locked", None) if owner is not None else None
    if isinstance(hidden, list) and window in hidden:
        hidden.remove(window)


def kept_nowhere_note(window: QWidget) -> str:
    """What "Discard what you typed?" explains when ``window`` (a form, an item or arrangement window, the
    ADM pane) holds typing kept nowhere: its draft could not be written because the disk is full, or its
    drafts stopped (the account changed since signing in, an audit hold, a file moved to the server). The same
    words wherever the question is asked (Escape, Cancel, the close box, the program closing, a sign-out):
    what happened, that the typing is only on screen, to copy what is needed, what to do, and what each answer
    does (:func:`~adoption_desktop.ui.autosave.unkept_question`). "" when everything typed is kept somewhere
    (the question then says its usual line)."""
    return unkept_question(unkept_savers(window))


def ask_discard_on_exit(window: QWidget, save_with: str) -> bool:
    """What a window whose changes are saved only by its own button (``save_with``: "Save", "OK") asks when
    the program closes or its user signs out (``confirm_discard_edits``): True for *Discard*; *Keep
    editing*, the default, brings the window forward and gives False (the program stays open, the
    sign-out stops). When its drafts stopped (the account changed since signing in) while it holds typing kept
    nowhere, the question says the note said then (what happened, to copy what is needed, what to do): saving
    would be refused too."""
    if ask_discard(window, f"{real_title(window)}: not saved", informative=kept_nowhere_note(window) or (
            f"The changes in this window are not saved. Keep editing brings it forward so you can save them "
            f"({save_with}); Discard throws them away and closes it.")):
        return True
    bring_forward(window)
    return False


def discard_on_exit(dialog: QDialog, save_with: str = "Save") -> bool:
    """``confirm_discard_edits`` of a modal editor whose changes are saved only by its ``save_with`` button
    (birth-parent support referral, adopter household, child), once it knows something was changed: asks
    (:func:`ask_discard_on_exit`). *Discard* closes it, nothing saved, and it does not come back at the
    unlock: True. *Keep editing*: False (brought forward; behind the lock screen, back when its user
    unlocks)."""
    if not ask_discard_on_exit(dialog, save_with):
        return False
    forget_hidden(dialog)
    QDialog.reject(dialog)
    return True


#: what Escape, Cancel or the close box of a changed :class:`FormKeptOnExit` editor explains
KEPT_FORM_DISCARD = ("The changes in this form are not saved. Keep editing goes back to the form with what you "
                     "typed, so you can press Save; Discard closes it and leaves the record as it was.")


class FormKeptOnExit:
    """For a modal editor (``QDialog``) saved only by its Save button, checked as a whole (a birth-parent
    support referral, an adopter household, a child), which sets ``self.loaded = field_values(self)`` when
    it opens and after a conflict's reload: what Escape, Cancel and the window's close box ask
    (:meth:`reject`), and what the lock screen's Sign out / Switch user asks of it (``ui.session_switch``).
    It comes before ``QDialog`` in the editor's bases, so its :meth:`reject` is the one Qt calls."""

    loaded: list[object]

    def changed(self) -> bool:
        """Whether a field differs from the record as opened (or reloaded after a conflict)."""
        return field_values(cast(QWidget, self)) != self.loaded

    def reject(self) -> None:
        """Escape, Cancel, the window's close box: when a field was changed, asks "Discard what you typed?"
        first, as every other editor does. *Keep editing* (the default) leaves the editor open with what was
        typed; *Discard* closes it, nothing saved. An unchanged or hidden editor closes at once."""
        dialog = cast(QDialog, self)
        if dialog.isVisible() and self.changed() \
                and not ask_discard(dialog, dialog.windowTitle(), informative=KEPT_FORM_DISCARD):
            return
        cast(QDialog, super()).reject()

    def save_pending_edits(self) -> bool:
        """Nothing is written on the way out: the record is saved only by Save. True when no field was changed."""
        return not (still_open(cast(QWidget, self)) and self.changed())

    def confirm_discard_edits(self) -> bool:
        """Changed fields are asked about ("… not saved"): *Keep editing* keeps them (the sign-out stops; the
        editor comes back when its user unlocks) and gives False; *Discard* closes it, nothing saved, and
        gives True. The editor is modal, so only the lock screen's Sign out / Switch user reaches it."""
        return self.save_pending_edits() or discard_on_exit(cast(QDialog, self))


class AsksBeforeDiscard:
    """For a small modal dialog whose typing is lost when it closes (the reason for a correction or for delay
    when signing, a dated note, a new decision without panel, a new user, the first administrator): Escape,
    Cancel and the window's close box ask "Discard what you typed?" (:func:`ask_discard`; *Keep editing* is
    the default) when something was typed since it opened, and close at once when nothing was. Passwords do
    not count. It comes before ``QDialog`` in the dialog's bases, so its :meth:`reject` is the one Qt calls.

    Sign out / Switch user at the lock screen closes such a dialog with ``reject`` (``ui.session_switch``),
    as the panel's forms: the same question comes there; *Keep editing* keeps it (the sign-out stops)."""

    #: what :meth:`typed_values` gave as the dialog was first shown; a dialog that opens with text typed
    #: earlier (kept from a refused attempt) sets it before, to what the fields hold empty
    opened_with: list[object] | None = None

    def typed_values(self) -> list[object]:
        """What counts as typed: every input field but passwords (a dialog may count fewer)."""
        return field_values(cast(QWidget, self), passwords=False)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        cast(QDialog, super()).showEvent(event)
        if self.opened_with is None:  # after the caller filled the fields in
            self.opened_with = self.typed_values()

    def typed_since_opened(self) -> bool:
        return self.opened_with is not None and self.typed_values() != self.opened_with

    def reject(self) -> None:
        """Escape, Cancel, the close box: asks first when something was typed; *Keep editing* leaves the
        dialog open with it, *Discard* closes it."""
        dialog = cast(QDialog, self)
        if dialog.isVisible() and self.typed_since_opened() and not ask_discard(dialog, real_title(dialog)):
            return
        cast(QDialog, super()).reject()
