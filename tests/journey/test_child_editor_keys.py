"""The child editor from the keyboard: every field has its own Alt letter, the journey's dates too, and no letter
leads to two fields. The eight journey dates below Sibling group (entered care to adoption order, the early
permanence and foster-carer placements) had none: a panel administrator typing in an adoption order had to Tab
through up to fifteen fields, in a form that scrolls, to reach it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop.journey import rules
from adoption_desktop.journey.views.children import ChildEditor
from tests.ui.walk import mnemonic, visible_mnemonics


def _letter_of(editor: ChildEditor, field: QWidget) -> str | None:
    labels = [lab for lab in editor.findChildren(QLabel) if lab.buddy() is field]
    assert len(labels) == 1, field.objectName()
    return mnemonic(labels[0].text())


def test_every_date_of_the_journey_has_its_own_alt_letter(qtbot: QtBot) -> None:
    editor = ChildEditor(None, None)
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    assert visible_mnemonics(editor) == {}  # no letter shared, none leading nowhere
    letters = {name: _letter_of(editor, edit) for name, edit in editor.dates.items()}
    assert None not in letters.values(), [n for n, k in letters.items() if k is None]
    assert set(letters) == {n for n in rules.DATE_FIELDS}
    for name, letter in letters.items():
        assert letter is not None
        qtbot.keyClick(editor, getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is editor.dates[name], (name, letter)
