"""One question with two answers, the safe one the default: Enter alone, or Escape, never does the act.

    if ask_yes_no(parent, "No text to screen", "Did you read it yourself?", yes="&Yes, I read it"):
        ...

Used for final acts (``ui.undo.confirm_final``), discarding typed text (``ui.discard.ask_discard``) and
screening a letter with no words (the letterbox item window)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

Role = QMessageBox.ButtonRole


def ask_yes_no(parent: QWidget | None, title: str, text: str, *, yes: str, no: str = "&No", informative: str = "",
               name: str = "", yes_role: Role = Role.YesRole, no_role: Role = Role.NoRole) -> bool:
    """True when ``yes`` is pressed. ``no`` is the default button and the Escape answer; ``name`` is the
    box's object name (tests find it by it); the roles order the buttons as the platform does."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    if name:
        box.setObjectName(name)
    if informative:
        box.setInformativeText(informative)
    do = box.addButton(yes, yes_role)
    keep = box.addButton(no, no_role)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is do


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> tuple[str, bool]:
    """``QInputDialog.getMultiLineText`` that a keyboard can finish: Tab and Shift+Tab leave the text for the
    OK and Cancel buttons, and Ctrl+Enter is OK. Qt's own box keeps Tab (and Enter) as characters in the text,
    so once something was typed only Escape left it (keyboard trial, 7 December 2026: *Logged in error…* and
    *Add correction note…* could not be finished without a mouse). Returns the text and whether OK was pressed."""
    from PySide6.QtGui import QKeySequence, QShortcut
    from PySide6.QtWidgets import QInputDialog, QPlainTextEdit

    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
    dialog.setTextValue(text)
    for edit in dialog.findChildren(QPlainTextEdit):
        edit.setTabChangesFocus(True)
        edit.setToolTip("Tab: to OK; Ctrl+Enter: OK")
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        QShortcut(QKeySequence(keys), dialog, dialog.accept)
    accepted = dialog.exec() == QInputDialog.DialogCode.Accepted
    return dialog.textValue(), accepted
