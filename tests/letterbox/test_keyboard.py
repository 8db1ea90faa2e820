"""The letterbox from the keyboard (pytest-qt, offscreen, real key events): the attached files' list, Down and
Enter from a register's search box, the reminders' month, and the focus after a file dialog closed with Esc."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.settings_service import set_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import attachments, rules, service
from adoption_desktop.letterbox.settings import REMINDER_DAYS_BEFORE
from adoption_desktop.letterbox.views import attachments_panel
from adoption_desktop.letterbox.views import page as page_module
from adoption_desktop.letterbox.views.attachments_panel import AttachmentsPanel
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user, shown_active
from tests.letterbox.conftest import sample_input
from tests.letterbox.documents_fixtures import png_bytes, render_page

TODAY = dt.date(2026, 3, 20)  # April's reminders went on 18 March; May's go on 17 April


def make_page(qtbot: Any, db: Database, who: Principal, tasks: TaskRunner | None = None) -> LetterboxPage:
    return shown_active(qtbot, LetterboxPage(AppContext(db, who, tasks or TaskRunner(synchronous=True)), today=TODAY),
                        1200, 700)


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def selected_rows(view: Any) -> list[int]:
    return [i.row() for i in view.selectionModel().selectedRows()]


# --- the attached files --------------------------------------------------------------------------------
@pytest.fixture
def asked_to_attach(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The times Attach file… asked for files (none chosen)."""
    asked: list[str] = []

    def ask(*_a: object, **_k: object) -> tuple[list[str], str]:
        asked.append("attach")
        return [], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(ask))
    return asked


@pytest.fixture
def panel(qtbot: Any, db: Database, coordinator: Principal, arrangement: int,
          asked_to_attach: list[str]) -> AttachmentsPanel:
    """The item's "Paper and e-mail…" window, opened from the item as the user does, on two scans."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY,
                            writer="Sam Thornley")
    for name in ("page-1.png", "page-2.png"):
        attachments.attach(db, coordinator, item, name, png_bytes(render_page(name, height=200)))
    dialog = ItemDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), arrangement, "LB-0001",
                        item_id=item)
    qtbot.addWidget(dialog)
    dialog.show()
    opened = dialog.open_documents()
    assert isinstance(opened, AttachmentsPanel)
    qtbot.addWidget(opened)
    opened.activateWindow()
    qtbot.waitUntil(opened.isActiveWindow, timeout=2000)
    return opened


def test_the_files_list_has_the_focus_and_the_first_file_when_the_window_opens(qtbot: Any,
                                                                                panel: AttachmentsPanel) -> None:
    assert focused() is panel.table
    assert selected_rows(panel.table) == [0]
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    assert selected_rows(panel.table) == [1] and panel.table.currentIndex().row() == 1
    qtbot.keyClick(panel.table, Qt.Key.Key_Up)
    assert selected_rows(panel.table) == [0]


def test_tab_goes_from_the_files_to_their_buttons_and_round_again(qtbot: Any, panel: AttachmentsPanel) -> None:
    order = []
    for _ in range(8):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        order.append(focused())
    assert order == [panel.attach_button, panel.read_button, panel.use_button, panel.redact_button,
                     panel.open_button, panel.forward_button, panel.close_button, panel.table]
    qtbot.keyClick(panel.table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is panel.close_button


def test_enter_on_a_file_saves_a_copy_to_open_and_save_a_copy_needs_no_click(
        qtbot: Any, panel: AttachmentsPanel, asked_to_attach: list[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    targets = iter([tmp_path / "second.png", tmp_path / "first.png"])
    monkeypatch.setattr(attachments_panel, "save_file_name", lambda *a, **k: str(next(targets)))
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert (tmp_path / "second.png").read_bytes() == png_bytes(render_page("page-2.png", height=200))
    assert asked_to_attach == []  # Enter did not press the window's first button (Attach) as well
    assert "saved to" in panel.message.text()
    qtbot.keyClick(panel.table, Qt.Key.Key_Up)
    qtbot.keyClick(panel.table, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # Save a copy… (a shown click)
    qtbot.waitUntil((tmp_path / "first.png").exists, timeout=2000)
    assert "Choose a file" not in panel.message.text()


# --- Down and Enter from a register's search box -------------------------------------------------------------
@pytest.fixture
def three(db: Database, coordinator: Principal) -> list[int]:
    return [service.create_arrangement(db, coordinator, sample_input(f"LB-000{n}", child_birth_name=name))
            for n, name in ((1, "Poppy Ashdown"), (2, "Ivy Ashdown"), (3, "Wren Marchbank"))]


def _arrangements(qtbot: Any, db: Database, who: Principal, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[int]]:
    page = make_page(qtbot, db, who)
    opened: list[int] = []
    monkeypatch.setattr(page, "open_arrangement_dialog", lambda arrangement_id=None, **_k: opened.append(arrangement_id))
    page.show_arrangements()
    qtbot.keyClick(page, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    reg = page.arrangements_register
    assert focused() is reg.search
    return reg, opened


@pytest.mark.parametrize("key", [Qt.Key.Key_Down, Qt.Key.Key_PageDown])
def test_down_in_the_search_box_goes_to_the_first_row_found(qtbot: Any, db: Database, coordinator: Principal,
                                                            three: list[int], monkeypatch: pytest.MonkeyPatch,
                                                            key: Qt.Key) -> None:
    reg, opened = _arrangements(qtbot, db, coordinator, monkeypatch)
    qtbot.keyClicks(reg.search, "Ashdown")
    qtbot.keyClick(reg.search, key)  # at once: no waiting for the typing pause
    assert reg.model.rowCount() == 2
    assert focused() is reg.view and selected_rows(reg.view) == [0]
    qtbot.keyClick(reg.view, Qt.Key.Key_Down)
    assert selected_rows(reg.view) == [1]
    qtbot.keyClick(reg.view, Qt.Key.Key_Return)
    assert opened == [reg.model.row_at(1).id]


def test_enter_in_the_search_box_opens_the_only_match_or_goes_to_the_first_of_several(
        qtbot: Any, db: Database, coordinator: Principal, three: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    reg, opened = _arrangements(qtbot, db, coordinator, monkeypatch)
    qtbot.keyClicks(reg.search, "Marchbank")
    qtbot.keyClick(reg.search, Qt.Key.Key_Return)
    assert opened == [three[2]]
    reg.search.setFocus()
    reg.search.clear()
    qtbot.keyClicks(reg.search, "Ashdown")
    qtbot.keyClick(reg.search, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert opened == [three[2]]  # of two, none is opened: the first is selected in the list
    assert focused() is reg.view and selected_rows(reg.view) == [0]
    reg.search.setFocus()
    reg.search.clear()
    qtbot.keyClicks(reg.search, "Nobody")
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Down):
        qtbot.keyClick(reg.search, key)
        assert focused() is reg.search and reg.model.rowCount() == 0 and opened == [three[2]]


def test_enter_waits_for_a_search_running_on_the_worker_thread(qtbot: Any, db: Database, coordinator: Principal,
                                                               arrangement: int) -> None:
    for n, notes in ((1, "birthday card"), (2, "school photo")):
        service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 1, n),
                         writer="Sam Thornley", notes=notes)
    page = make_page(qtbot, db, coordinator, TaskRunner())
    page.show_items()
    reg = page.items_register
    reg.inline_ms = -1.0  # every typed search goes to the worker thread
    opened: list[int] = []
    reg.activated.connect(lambda row: opened.append(row.id))
    reg.search.setFocus()
    qtbot.keyClicks(reg.search, "birthday")
    qtbot.keyClick(reg.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: opened != [], timeout=5000)
    assert reg.model.rowCount() == 1 and opened == [reg.model.row_at(0).id]


# --- the reminders' month ---------------------------------------------------------------------------------
@given(st.dates(dt.date(2000, 1, 1), dt.date(2060, 12, 31)), st.integers(0, 400))
def test_next_reminder_month_is_the_first_whose_reminders_are_not_past(today: dt.date, days: int) -> None:
    month = rules.next_reminder_month(today, days)
    assert month.day == 1 and month >= today.replace(day=1)
    assert rules.reminder_date(month, days) >= today
    before = rules.add_months(month, -1)
    assert before < today.replace(day=1) or rules.reminder_date(before, days) < today


def test_next_reminder_month_examples() -> None:
    assert rules.next_reminder_month(dt.date(2025, 11, 20)) == dt.date(2026, 1, 1)  # December's went on 17/11
    assert rules.next_reminder_month(dt.date(2025, 11, 17)) == dt.date(2025, 12, 1)  # due today: still to send
    assert rules.next_reminder_month(dt.date(2025, 12, 1), 0) == dt.date(2025, 12, 1)
    assert rules.next_reminder_month(dt.date(2025, 12, 31), 45) == dt.date(2026, 3, 1)  # February's: 18/12


@pytest.mark.parametrize(("days", "month"), [(14, "2026-05"), (3, "2026-04"), (45, "2026-06")])
def test_reminders_start_on_the_first_month_not_past(qtbot: Any, db: Database, coordinator: Principal,
                                                     monkeypatch: pytest.MonkeyPatch, days: int, month: str) -> None:
    if days != REMINDER_DAYS_BEFORE.default:
        set_setting(db, make_user(db, "settings", Role.ADMINISTRATOR), REMINDER_DAYS_BEFORE, days)
    page = make_page(qtbot, db, coordinator)
    assert page.letters_month.currentData() == month
    assert page.letters_month.itemData(0) == "2026-03"  # this month's, late, can still be chosen
    asked: list[str] = []
    monkeypatch.setattr(page_module, "ask_letter_path", lambda _p, _t, name: asked.append(name))
    page.reminders_button.setFocus()
    qtbot.keyClick(page.reminders_button, Qt.Key.Key_Space)
    assert asked == [f"letterbox-reminders-{month}.pdf"]


# --- the focus after a file dialog ------------------------------------------------------------------------
def _escape_the_file_dialog(qtbot: Any) -> list[str]:
    """Press Esc in the file dialog the next action shows (polled from the event loop it runs)."""
    seen: list[str] = []

    def press() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            if len(seen) < 100:
                seen.append("waiting")
                QTimer.singleShot(20, press)
            return
        seen.append(dialog.windowTitle())
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Escape)

    QTimer.singleShot(0, press)
    return seen


def test_esc_on_the_reminders_file_dialog_gives_the_focus_back(qtbot: Any, db: Database, coordinator: Principal,
                                                               arrangement: int) -> None:
    page = make_page(qtbot, db, coordinator)
    page.reminders_button.setFocus()
    qtbot.waitUntil(lambda: focused() is page.reminders_button, timeout=2000)
    seen = _escape_the_file_dialog(qtbot)
    qtbot.keyClick(page.reminders_button, Qt.Key.Key_Space)
    assert seen[-1:] == ["Save reminder letters"]
    assert not hasattr(page, "last_batch")  # nothing written
    qtbot.waitUntil(lambda: focused() is page.reminders_button, timeout=1000)  # its window active again
    qtbot.keyClick(page.reminders_button, Qt.Key.Key_Tab)  # and the keys go on from there
    assert focused() is not None and focused() is not page.reminders_button


def test_esc_on_save_a_copy_gives_the_focus_back_to_the_files(qtbot: Any, panel: AttachmentsPanel) -> None:
    seen = _escape_the_file_dialog(qtbot)
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert seen[-1:] == ["Save a copy"]
    qtbot.waitUntil(lambda: focused() is panel.table, timeout=1000)
    assert selected_rows(panel.table) == [0]
