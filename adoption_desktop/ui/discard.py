"""Asking before a form's typed input is thrown away (Escape, Cancel, closing the window)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from adoption_desktop.ui.ask import ask_yes_no

#: the question box's object name (tests answer it by this name)
OBJECT_NAME = "confirm_discard"


def field_values(form: QWidget) -> list[object]:
    """What every input field of ``form`` holds, in a stable order: compare two of these to see whether
    anything was typed, picked or ticked since the first was taken."""
    values: list[object] = []
    for w in form.findChildren(QWidget):
        if isinstance(w, QLineEdit):
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
    return ask_yes_no(parent, title, "Discard what you typed?", yes="&Discard", no="&Keep editing",
                      informative=informative or "What you typed in this form has not been saved.", name=OBJECT_NAME,
                      yes_role=QMessageBox.ButtonRole.DestructiveRole, no_role=QMessageBox.ButtonRole.RejectRole)


def bring_forward(window: QWidget, focus: QWidget | None = None) -> None:
    """Show ``window`` on top and active, ``focus`` in it (the person chose *Keep editing* as the program
    closed or they signed out). Not while the main window behind it is locked: the window stays hidden, as
    the lock hid it, and comes back when its user unlocks."""
    parent = window.parentWidget()
    owner = parent.window() if parent is not None else None
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
    parent = window.parentWidget()
    owner = parent.window() if parent is not None else None
    return owner is not None and window in getattr(owner, "_hidden_while_locked", [])


def ask_discard_on_exit(window: QWidget, save_with: str) -> bool:
    """What a window whose changes are saved only by its own button (``save_with``: "Save", "OK") asks when
    the program closes or its user signs out (``confirm_discard_edits``): True for *Discard*; *Keep
    editing*, the default, brings the window forward and gives False (the program stays open, the
    sign-out stops)."""
    if ask_discard(window, f"{window.windowTitle()}: not saved", informative=(
            f"The changes in this window are not saved. Keep editing brings it forward so you can save them "
            f"({save_with}); Discard throws them away and closes it.")):
        return True
    bring_forward(window)
    return False
