"""What an empty list says to do first.

A new agency's first look at the Central list, the Sittings, the letterbox Arrangements or the counselling
cases was a blank table with its column headings: nothing said where to start. :class:`EmptyNote` puts one
short line in the list's empty area ("No panel members yet. Add the first with Add member… (Alt+M).") and
takes it away as soon as the list has a row. The page gives the words for the signed-in person's role: the
key that adds only for a role that may add, nothing about adding otherwise. A screen reader hears the line
with the list itself (the list's accessible description while it is empty: the line is not focusable), as
My work's empty sections are read with My work.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel

#: space between the note and the edges of the list's empty area (px)
MARGIN = 12


class EmptyNote(QLabel):
    """A line over ``view``'s empty area while its model has no rows; ``text()`` gives the words (read each
    time the rows change: they may depend on a filter), "" for none."""

    def __init__(self, view: QAbstractItemView, text: Callable[[], str]) -> None:
        super().__init__(view.viewport())
        self.view, self._text = view, text
        self.setObjectName(f"{view.objectName() or 'list'}_empty_note")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # clicks reach the list
        self._description = view.accessibleDescription()  # the list's own, given back once it has rows
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
            signal.connect(self.update_note)
        view.viewport().installEventFilter(self)
        self.update_note()

    def shown_text(self) -> str:
        """The words on show now ("" while the list has rows)."""
        return self.text() if not self.isHidden() else ""

    def update_note(self, *_args: object) -> None:
        """Show the words while the list is empty, hide them once it has a row."""
        words = self._text() if self.view.model().rowCount() == 0 else ""
        self.setText(words)
        self.setAccessibleName(words)
        self.view.setAccessibleDescription(" ".join(filter(None, (words, self._description))))
        self.setVisible(bool(words))
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        """Across the top of the empty area, below the column headings, wrapped to its width."""
        area = self.view.viewport().rect()
        width = max(40, area.width() - 2 * MARGIN)
        self.setGeometry(MARGIN, 2 * MARGIN, width, self.heightForWidth(width))
