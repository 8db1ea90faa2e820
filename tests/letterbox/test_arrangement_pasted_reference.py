"""A letter pasted into the one-line Reference (user trial 19): the first Save said "Not saved yet: Dear
Sam, is missing …" and only the second "Reference: is on more than one line". The wrong value is said
first now, and nothing is saved."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

LETTER = "Dear Sam,\n\nI hope you are well. We went to the seaside at Fakeport last week.\nLove from Mum\n"


def test_a_letter_pasted_into_the_reference_is_said_first(qtbot: Any, db: Database, coordinator: Principal,
                                                          monkeypatch: Any) -> None:
    from adoption_desktop.letterbox.views import arrangement_dialog

    monkeypatch.setattr(arrangement_dialog, "ask_discard", lambda *_a, **_k: True)  # closing after the test
    dialog = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), None)
    qtbot.addWidget(dialog)
    dialog.show()
    QGuiApplication.clipboard().setText(LETTER)
    dialog.fields["reference"].setFocus()
    QTest.keyClick(dialog.fields["reference"], Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    dialog.save()  # the essentials are missing too: the pasted letter is what is said
    said = dialog.message.text()
    assert said.startswith("Reference: is on more than one line"), said
    assert "Dear Sam" not in said and "Not saved yet" not in said
    assert dialog.arrangement_id is None
    assert service.count_arrangements(db, coordinator, service.ArrangementFilter()) == 0


def test_the_values_are_checked_without_the_database() -> None:
    import pytest

    from adoption_desktop.core.errors import ValidationError
    from tests.letterbox.conftest import sample_input

    service.check_arrangement(sample_input())
    with pytest.raises(ValidationError, match="Reference: is on more than one line"):
        service.check_arrangement(sample_input(reference="LB-1\nDear Sam"))
