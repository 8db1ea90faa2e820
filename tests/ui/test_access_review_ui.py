"""Administration → Access review, and a case window's Who has seen this… (two sessions: an opening on one PC
is listed on the other)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.base import utcnow
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service as letterbox
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.ui import access_review as tab_module
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.record_history import RecordHistoryDialog
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user, shown_active
from tests.core.test_access_review import _set
from tests.letterbox.conftest import sample_input
from tests.ui.test_admin_page import admin_page


def test_the_tab_says_who_is_unused_and_records_a_review(db: Database, admin: Principal, qtbot: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(db, "old.hand", Role.PANEL_CHAIR)
    _set(db, "old.hand", last_login=utcnow() - dt.timedelta(days=150))
    page = admin_page(db, admin, qtbot)
    tab = page.access_review
    page.setCurrentWidget(tab)
    rows = {a.username: a for a in tab.model.rows()}
    assert rows["old.hand"].unused == "NOT USED for 150 days"
    column = [c.title for c in tab.COLUMNS].index("Not used")
    row = [a.username for a in tab.model.rows()].index("old.hand")
    assert tab.model.index(row, column).data() == "NOT USED for 150 days"  # in words, not colour alone
    summary = tab.summary.text()
    assert "none recorded" in summary and "due now" in summary and "Months between access reviews" in summary

    answers = iter([True, False])

    def answer(dialog: QDialog) -> bool:
        dialog.note.setPlainText("old.hand to be disabled: left the panel")  # type: ignore[attr-defined]
        return next(answers)

    monkeypatch.setattr(tab_module, "run_modal", answer)
    tab.record()
    assert tab.review is not None and tab.review.last is not None
    assert tab.review.last.note == "old.hand to be disabled: left the panel"
    assert "Last review:</b> " in tab.summary.text() and admin.display in tab.summary.text()


def test_who_has_seen_lists_an_opening_on_another_pc(db: Database, other_pc: Database, admin: Principal,
                                                    qtbot: Any) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = letterbox.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    letterbox.get_arrangement(other_pc, coordinator, arrangement)  # the coordinator opens it on their PC
    dialog = shown_active(qtbot, ArrangementDialog(AppContext(db, admin, TaskRunner(synchronous=True)), arrangement),
                          1100, 700)
    assert dialog.history_button.isVisible()
    focus = QApplication.focusWidget()
    assert focus is not None
    qtbot.keyClick(focus, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    history = dialog.history_dialog  # type: ignore[attr-defined]
    assert isinstance(history, RecordHistoryDialog)
    seen = [(r.actor, r.action) for r in history.model.rows() if r.seen]
    assert ("lbcoord", "Viewed") in seen
    assert "lbcoord" in history.summary.text()


def test_no_button_without_audit_view(db: Database, qtbot: Any) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = letterbox.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    dialog = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), arrangement)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.history_button.isHidden()


def test_a_review_refused_keeps_the_note_for_the_next_try(db: Database, other_pc: Database, admin: Principal,
                                                          qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A colleague changed an account's roles on another PC while the note was typed: the review is refused and
    the list read again, and the note typed is in the box at the next Record review… (it was thrown away)."""
    from adoption_desktop.core.security import service as users

    lee = make_user(db, "lee", Role.COUNSELLOR)
    page = admin_page(db, admin, qtbot)
    tab = page.access_review
    page.setCurrentWidget(tab)
    note = "Checked every account with the service manager; lee still counselling"
    users.set_roles(other_pc, admin, lee.user_id, [Role.COUNSELLOR, Role.LETTERBOX_COORDINATOR])
    said: list[str] = []
    monkeypatch.setattr(tab_module, "show_error", lambda _parent, _title, exc: said.append(str(exc)))
    typed: list[str] = []

    def first(dialog: QDialog) -> bool:
        dialog.note.setPlainText(note)  # type: ignore[attr-defined]
        return True

    monkeypatch.setattr(tab_module, "run_modal", first)
    tab.record()
    assert said and "accounts changed" in said[0]
    assert tab.review is not None and tab.review.last is None  # not recorded

    def second(dialog: QDialog) -> bool:
        typed.append(dialog.note.toPlainText())  # type: ignore[attr-defined]
        return len(typed) == 1  # an empty note is asked for again: Cancel then

    monkeypatch.setattr(tab_module, "run_modal", second)
    tab.record()
    assert typed == [note]
    assert tab.review.last is not None and tab.review.last.note == note
