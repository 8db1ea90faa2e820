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
