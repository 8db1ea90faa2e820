"""User trial: after signing a decision from the keyboard the focus went to the navigation list (the
Areas list), so the ADM had to find the queue again with the mouse or Ctrl+2. It now returns to the queue,
on the signed decision's row (the pane still showing it signed), so the arrow keys carry on in the queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.views.dialogs import SignDialog
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD, shown_active


def _key(key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(QApplication.focusWidget(), key, mods)


def test_signing_from_the_keyboard_returns_the_focus_to_the_queue(db: Database, adm_user: Principal,
                                                                   qtbot: Any) -> None:
    today = dt.date.today()
    with db.session() as s:
        ids = [open_from_panel(s, handoff(received=today - dt.timedelta(days=1))) for _ in range(3)]
    window = shown_active(qtbot, MainWindow(AppContext(db, adm_user, TaskRunner(synchronous=True))), 1366, 768)
    window.open_target("adm")
    QApplication.processEvents()
    page = window.findChild(AdmPage)
    assert page is not None and page.isVisible()
    assert QApplication.focusWidget() is page.view
    detail = page.detail
    assert detail.detail is not None
    signing = detail.detail.row.id
    # the keyboard's way: the Decision tab, its reasons, Sign
    _key(Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    _key(Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is detail.decision_reasons
    QTest.keyClicks(detail.decision_reasons, "I agree with the panel's reasons.")
    seen: list[str] = []

    def type_password() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SignDialog)
        seen.append(dialog.windowTitle())
        QTest.keyClicks(dialog.password, TEST_PASSWORD)
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)

    QTimer.singleShot(200, type_password)
    _key(Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    QApplication.processEvents()
    with db.session() as s:
        assert s.get(AdmDecision, signing).signed_at is not None
    # the main window active again once the dialog has gone (offscreen, nothing activates it for us)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    focused = QApplication.focusWidget()
    assert focused is page.view, type(focused).__name__
    # on the signed decision's row (sorted among the decided, after the ones waiting), the pane showing it
    # signed; the keys move in the queue: Ctrl+Home opens the most urgent decision still waiting
    assert page.model.row_at(page.view.currentIndex().row()).id == signing
    assert detail.detail is not None and detail.detail.row.id == signing and detail.detail.signed_at is not None
    _key(Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert detail.detail is not None and detail.detail.row.id in set(ids) - {signing}
    assert detail.detail.signed_at is None and QApplication.focusWidget() is page.view
    window.close()
