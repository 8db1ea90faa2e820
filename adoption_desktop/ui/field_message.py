"""A form's red message about one field, taken away once that field is changed (counselling trial: "Date of
birth: required" stayed in red after a date was typed). One mechanism for every form that names the field at
fault: the counselling forms (``counselling.views.widgets.FormDialog``) and the journey editors use it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)


class ClearWhenChanged:
    """Watches the fields ``message`` has been about. :meth:`watch` after writing a refusal about ``target`` in
    ``message``: the first change of ``target`` clears the message, if it still says that refusal (a later
    message about another field, or "Saved.", is left alone). The form checks its fields again at the next save
    in any case."""

    def __init__(self, message: QLabel) -> None:
        self.message = message
        self._watched: list[QWidget] = []  # fields whose change takes their message away
        self._message_for: tuple[QWidget | None, str] = (None, "")

    def watch(self, target: QWidget, text: str) -> None:
        self._message_for = (target, text)
        if target in self._watched:
            return
        self._watched.append(target)

        def changed(*_args: object) -> None:
            if self._message_for[0] is target and self.message.text() == self._message_for[1]:
                self.message.setText("")

        if isinstance(target, QDateEdit):
            target.dateChanged.connect(changed)
            target.lineEdit().textEdited.connect(changed)
        elif isinstance(target, QLineEdit):
            target.textEdited.connect(changed)
        elif isinstance(target, QPlainTextEdit):
            target.textChanged.connect(changed)
        elif isinstance(target, QComboBox):
            target.currentIndexChanged.connect(changed)
        elif isinstance(target, QAbstractSpinBox):
            target.lineEdit().textEdited.connect(changed)
        elif isinstance(target, QAbstractButton):
            target.toggled.connect(changed)
