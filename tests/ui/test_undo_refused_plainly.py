"""A refused undo with nothing to compare is said in a plain message box, and the page's message line says it was
not undone (pytest-qt, offscreen, a real SQLCipher file; the colleague on a second client of its own).

User trial, 6 December: Ctrl+Z after *Defer to a later sitting…*, when a colleague had since edited the case's
entry on the later agenda, opened the conflict window "Not undone: changed by someone else" with an empty
"Field / Your version / Saved version" table and a *Keep editing* button with nothing to edit, while the page's
message line still said "Ctrl+Z undoes it."."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.ui.conflict import ConflictDialog
from tests.conftest import TEST_PASSWORD, make_user
from tests.ui.test_panel_defer import ALT, CTRL, HEARD, SOON, _defer_dialog, _page, _press, _sitting
from tests.undo_checks import assert_verified


def _second_client(db: Database, db_path: Path) -> Database:
    from tests.concurrency_worker import open_target

    password = db.engine.url.password
    assert password is not None
    return open_target(str(db_path), password[2:-1])  # its own engine and connections, as another PC


def test_a_refused_deferral_undo_says_so_plainly_and_on_the_page(db: Database, db_path: Path, make_window: Any,
                                                                 qtbot: Any) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    make_user(db, "bea", Role.PANEL_ADMINISTRATOR)
    heard, later = _sitting(db, clerk, HEARD), _sitting(db, clerk, SOON)
    item = svc.add_item(db, clerk, heard, svc.ItemInput("approval", "PA-2026-061", "AB/CD", "Jay Quillby"))
    page = _page(make_window, qtbot, clerk, heard)
    dialog = _defer_dialog(page, qtbot)
    reason = dialog.findChild(QLineEdit, "reason")
    assert reason is not None
    QTest.keyClicks(reason, "Medical report not received.")
    _press(reason, Qt.Key.Key_D, ALT)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert page.status.text().endswith("Ctrl+Z undoes it.")
    [entry] = svc.sitting_detail(db, clerk, later).items

    other = _second_client(db, db_path)
    try:  # Bea changes the case's entry on the later agenda
        bea = security.authenticate(other, "bea", TEST_PASSWORD)
        svc.update_item(other, bea, entry.id, svc.ItemInput("approval", "PA-2026-061", "AB/CD", "Kim Ashdown"))
    finally:
        other.dispose()

    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)
    window = page.window()
    box = getattr(window.undo_ui, "refused_box", None)  # type: ignore[attr-defined]
    assert isinstance(box, QMessageBox) and box.isVisible() and box.windowTitle() == "Not undone"
    said = box.text()
    assert "Bea Tester changed the case's entry on the agenda of the sitting of" in said
    assert "it was not undone" in said and "Reload" not in said and said.endswith("It is shown as it is now.")
    assert not any(isinstance(w, ConflictDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    # the page's message line no longer offers Ctrl+Z: it says what happened, as the box does
    assert page.status.text() == said and "Ctrl+Z undoes it" not in page.status.text()
    assert not window.undo_ui.undo_action.isEnabled()  # type: ignore[attr-defined]
    # nothing was undone: the case is still deferred, and Bea's change stands
    [kept] = svc.sitting_detail(db, clerk, later).items
    assert kept.id == entry.id and kept.presenting_worker == "Kim Ashdown"
    assert svc.sitting_detail(db, clerk, heard).items[0].deferred_to is not None
    box.accept()
    qtbot.waitUntil(lambda: not box.isVisible())
    assert item == svc.sitting_detail(db, clerk, heard).items[0].id
    assert_verified(db)


def test_a_refusal_with_the_saved_fields_still_opens_the_conflict_window(db: Database, make_window: Any,
                                                                         qtbot: Any) -> None:
    """The plain box is only for a refusal with nothing to compare: one that carries the record's fields as saved
    still shows them in the conflict window (no Re-apply)."""
    from adoption_desktop.core.errors import StaleRecord
    from adoption_desktop.core.undo import UndoEntry

    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    window = make_window(clerk)

    def refused() -> UndoEntry:
        raise StaleRecord("Bea Tester changed the attendance at 10:00 on 01/12/2026, after your change; it was "
                          "not undone, so nothing of theirs is overwritten. Reload to see it as it is now.",
                          what="the attendance", saved_by="Bea Tester", saved_values={"Attendance": "Present"})

    window.ctx.did(UndoEntry("Marked Kit Brambleby absent", refused, clerk.user_id, "panel"))
    window.undo_ui.undo()
    dialog = window.undo_ui.conflict_dialog
    assert isinstance(dialog, ConflictDialog) and dialog.isVisible() and not dialog.reapply_button.isVisible()
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 0).text() == "Attendance"
    assert getattr(window.undo_ui, "refused_box", None) is None
    dialog.reject()


def test_another_refusal_also_clears_the_pages_undo_hint(db: Database, make_window: Any, qtbot: Any) -> None:
    """A refusal that is not someone else's change (a record that names the entry) says "Not undone: …" on
    the page's line too, in place of "Ctrl+Z undoes it."."""
    from adoption_desktop.journey import service as journey

    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    heard, later = _sitting(db, clerk, HEARD), _sitting(db, clerk, SOON + dt.timedelta(days=7))
    svc.add_item(db, clerk, heard, svc.ItemInput("match", "MA-2026-062", "AB/CD", "Jay Quillby"))
    page = _page(make_window, qtbot, clerk, heard)
    dialog = _defer_dialog(page, qtbot)
    reason = dialog.findChild(QLineEdit, "reason")
    assert reason is not None
    QTest.keyClicks(reason, "Medical report not received.")
    _press(reason, Qt.Key.Key_D, ALT)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    [entry] = svc.sitting_detail(db, clerk, later).items
    journey.add_child(db, clerk, journey.ChildInput("CH-0061", "XY"), item_id=entry.id)
    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)
    assert page.status.text().startswith("Not undone: Child CH-0061 is recorded on")
    assert "Ctrl+Z undoes it" not in page.status.text()
