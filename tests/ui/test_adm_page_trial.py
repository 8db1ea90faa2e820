"""The ADM page in the window after a user trial (pytest-qt, offscreen): Ctrl+2 puts the keyboard in the
decision queue (the arrow keys move in it); once a decision is signed, Edit → Undo no longer offers its
saved drafts (a signed decision is final) while another decision's draft stays undoable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from adoption_desktop.adm import service
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD, make_user

CTRL = Qt.KeyboardModifier.ControlModifier


def _decisions(db: Database, n: int) -> list[int]:
    """``n`` decisions whose papers arrived today (the window's page works on the computer's date)."""
    ids = []
    for _ in range(n):
        with db.session() as s:
            ids.append(open_from_panel(s, handoff(received=dt.date.today())))
    return ids


def _adm(db: Database) -> Principal:
    return make_user(db, "decider", Role.AGENCY_DECISION_MAKER)


def test_ctrl_2_puts_the_keyboard_in_the_decision_queue(db: Database, make_window: Any, qtbot: Any) -> None:
    _decisions(db, 2)
    window = make_window(_adm(db))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_0, CTRL)  # My work first: focus is on its list
    assert window.targets[window.nav.currentRow()].key == "my_work"
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_2, CTRL)
    page = window.page("adm")
    assert isinstance(page, AdmPage)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.view, timeout=2000)
    first = page.view.currentIndex().row()
    assert page.model.rowCount() == 2 and first >= 0
    QTest.keyClick(page.view, Qt.Key.Key_Down if first == 0 else Qt.Key.Key_Up)
    QApplication.processEvents()
    assert page.view.currentIndex().row() != first  # the arrow key moved in the queue
    # back from another area: the queue has the keyboard again
    qtbot.keyClick(page.view, Qt.Key.Key_0, CTRL)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_2, CTRL)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.view, timeout=2000)


def test_undo_leaves_the_edit_menu_once_the_decision_is_signed(db: Database, make_window: Any, qtbot: Any) -> None:
    to_sign, other = _decisions(db, 2)
    window = make_window(_adm(db))
    page = window.open_target("adm")
    assert isinstance(page, AdmPage)
    undo_action = window.undo_ui.undo_action
    assert page.select_decision(other)
    page.detail.decision_text.setPlainText("Approved as suitable to adopt (the other decision).")
    page.detail.save_draft()
    assert page.select_decision(to_sign)
    page.detail.decision_text.setPlainText("Approved as suitable to adopt.")
    page.detail.save_draft()
    assert undo_action.isEnabled() and len(window.ctx.undo) == 2
    page.detail.decision_text.setPlainText("Approved as suitable to adopt one or two children.")
    page.detail.save_draft()
    assert len(window.ctx.undo) == 3
    notice = window.undo_ui.notice
    assert notice.isVisibleTo(window) and notice.link.href == "undo"  # "Saved the draft … — Undo"
    page.detail.sign(password=TEST_PASSWORD)  # the password given: the dialog that asks is tested elsewhere
    # the status bar's Undo link offered a draft that can no longer be undone: it is gone, not a dead link
    assert not notice.isVisibleTo(window)
    assert page.message.isHidden(), page.message.text()
    signed = service.get_decision(db, window.ctx.principal, to_sign, dt.date.today(), opening=False)
    assert signed.row.state == "signed"
    # the signed decision's drafts are gone from the stack; the other decision's draft is still undoable
    assert len(window.ctx.undo) == 1 and undo_action.isEnabled()
    undo_action.trigger()  # Edit → Undo (Ctrl+Z): the other decision's draft is put back
    other_now = service.get_decision(db, window.ctx.principal, other, dt.date.today(), opening=False)
    assert other_now.decision_text != "Approved as suitable to adopt (the other decision)."
    assert not undo_action.isEnabled()
    final = service.get_decision(db, window.ctx.principal, to_sign, dt.date.today(), opening=False)
    assert final.decision_text == "Approved as suitable to adopt one or two children."
