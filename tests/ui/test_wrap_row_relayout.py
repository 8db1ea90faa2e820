"""A WrapRow that needs a second line is given it whatever order the widths come in: the page narrowed, widened
and narrowed again before and after the delayed relayout ran (the status bar's database path changes its text as
the window is resized, one more layout pass between them). The row's second line used to be left one line high:
its buttons over the row below ("Not present for item" over "Export minutes" on the panel's Agenda tab)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

from adoption_desktop.ui.wrap_row import WrapRow


def _page(qtbot: Any) -> tuple[QWidget, WrapRow, list[QPushButton], QPushButton]:
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    row = WrapRow()
    buttons = [QPushButton(text) for text in ("Not present for item (quorum)…", "Mark present again…",
                                                "A third button on the row…")]
    for button in buttons:
        row.addWidget(button)
    layout.addLayout(row)
    below = QPushButton("Export minutes (.docx)…")
    layout.addWidget(below)
    layout.addStretch(1)
    return page, row, buttons, below


def _lines_apart(row: WrapRow, buttons: list[QPushButton], below: QPushButton) -> None:
    lowest = max(b.geometry().bottom() for b in buttons)
    assert len({b.geometry().top() for b in buttons}) > 1  # wrapped
    assert lowest < below.geometry().top(), (lowest, below.geometry().top())


def test_the_second_line_is_made_room_for_after_narrow_wide_narrow(qtbot: Any) -> None:
    for _attempt in range(30):
        page, row, buttons, below = _page(qtbot)
        one_line = row.sizeHint().width() + 40
        narrow = max(b.sizeHint().width() for b in buttons) + 60
        page.resize(one_line, 400)
        page.show()
        qtbot.waitExposed(page)
        QApplication.processEvents()
        page.resize(narrow, 400)  # two lines needed: the relayout is asked for
        page.resize(one_line, 400)  # widened again before it ran
        QApplication.processEvents()  # it runs at the wide width: nothing to do
        page.resize(narrow, 400)  # narrow again: two lines needed once more
        for _ in range(3):
            QApplication.processEvents()
        _lines_apart(row, buttons, below)
        page.close()
        page.deleteLater()
