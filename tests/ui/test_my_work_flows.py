"""Per role on one running window: sign in → My work → open the top item → act → sign out → the next
user signs in (the real sign-in dialog). Screenshots of each My work at 1366×768 are written to
``$ADOPTION_SCREENSHOTS_DIR`` when set (docs/screenshots/ was made that way)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import select

from adoption_desktop import demo
from adoption_desktop.core import drafts
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.security import service as security
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import LoginDialog
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.my_work import MyWorkPage
from adoption_desktop.ui.tasks import TaskRunner

ORDER = ("admin", "paneladmin", "chair", "adm", "letterbox", "counsellor", "manager")


def _answer_sign_in(username: str, seen: list[str]) -> None:
    """Fill in the sign-in dialog the window is about to show (it runs modally)."""
    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LoginDialog):
            QTimer.singleShot(20, fill)
            return
        seen.append(username)
        dialog.username.setText(username)
        dialog.password.setText(demo.DEMO_PASSWORD)
        dialog._sign_in()

    QTimer.singleShot(0, fill)


def _my_work(window: MainWindow) -> MyWorkPage:
    assert window.targets[0].key == "my_work" and window.nav.currentRow() == 0
    page = window.page("my_work")
    assert isinstance(page, MyWorkPage)
    return page


def _screenshot(window: MainWindow, role: str, tmp_path: Path) -> None:
    window.resize(1366, 768)
    QApplication.processEvents()
    # the signed-in user is shown whole at the top, also after a switch from a shorter or longer name
    label = window.user_label
    assert label.isVisible() and label.text().startswith("Signed in: ")
    assert label.width() >= label.sizeHint().width(), f"{role}: '{label.text()}' is cut short at the top"
    assert label.mapTo(window, label.rect().topRight()).x() <= window.width()
    image = window.grab()
    assert not image.isNull() and image.width() == 1366
    folder = Path(os.environ.get("ADOPTION_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"my_work_{role}.png"
    assert image.save(str(out))
    from PIL import Image  # 256 colours: the docs' screenshots stay small

    with Image.open(out) as shot:
        shot.convert("RGB").quantize(256).save(out, optimize=True)


def _act(role: str, window: MainWindow, page: MyWorkPage, qtbot: Any) -> None:
    """Open the top line with the keyboard (Enter) and do a safe thing with what opened."""
    line = page.current_line
    assert line is not None, f"{role}: My work has no line to open"
    if len(page.data.lines) > 1:  # arrows move between lines (headings are skipped) and back
        qtbot.keyClick(page.list, Qt.Key.Key_Down)
        assert page.current_line is not None and page.current_line != line
        qtbot.keyClick(page.list, Qt.Key.Key_Up)
        assert page.current_line == line
    opened: list[object] = []
    original = page.open_line
    page.open_line = lambda ln: opened.append(original(ln)) or opened[-1]  # type: ignore[method-assign]
    page.list.setFocus()
    qtbot.keyClick(page.list, Qt.Key.Key_Return)
    assert opened, f"{role}: Enter did not open the line"
    result = opened[0]
    if role in ("admin", "manager"):
        assert line.area == "reports" and window.targets[window.nav.currentRow()].key == "reports"
        window.nav_actions["my_work"].trigger()  # Go → My work (Ctrl+0; test_shell presses the keys)
        assert window.nav.currentRow() == 0 and page.current_line == line
    elif role == "paneladmin":
        assert line.kind == "sitting" and result.sitting is not None and result.sitting.id == line.record_id
    elif role == "chair":
        assert line.kind == "minutes" and result.item is not None and result.item.id == line.record_id
        assert result.detail_tabs.currentWidget() is result.minutes
    elif role == "adm":
        assert line.kind == "decision" and result.detail.detail.row.id == line.record_id
        # act: start typing the decision's reasons; the draft must survive the sign-out
        result.detail.decision_reasons.setPlainText("Draft reasons typed before signing out")
    elif role == "letterbox":
        assert line.kind == "item" and isinstance(result, QDialog) and result.isVisible()
        # left open on purpose: the sign-out closes it safely
    elif role == "counsellor":
        assert line.kind == "case" and isinstance(result, QDialog) and result.isVisible()
        result.close()  # open and close


def test_each_role_on_one_window(db: Database, qtbot: Any, tmp_path: Path) -> None:
    demo.populate(db, "small", today=dt.date.today())
    first = security.authenticate(db, ORDER[0], demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(db, first, TaskRunner(synchronous=True)), idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    seen: list[str] = []
    left_open: list[QDialog] = []
    for n, role in enumerate(ORDER):
        assert window.ctx.principal.username == role
        assert role in window.user_label.text()
        assert window.lock_screen is not None and role in window.lock_screen.title.text()
        page = _my_work(window)
        assert page.data is not None and page.data.user == window.ctx.principal.display
        _screenshot(window, role, tmp_path)
        _act(role, window, page, qtbot)
        if role == "letterbox":
            left_open = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
            assert left_open
        adm_user = window.ctx.principal if role == "adm" else None
        if n + 1 < len(ORDER):
            _answer_sign_in(ORDER[n + 1], seen)
        if role == "chair":  # the chair signs out from the lock screen
            window.lock()
            assert window.locked
            qtbot.mouseClick(window.lock_screen.switch_button, Qt.MouseButton.LeftButton)
        elif n + 1 < len(ORDER):
            next(a for a in window.menuBar().actions()[0].menu().actions()
                 if a.objectName() == "sign_out").trigger()
        else:
            break
        assert seen[-1] == ORDER[n + 1]
        assert not window.locked
        if adm_user is not None:
            assert drafts.load_draft(db, adm_user, next(
                k for k in _draft_keys(db, adm_user.user_id))) == "Draft reasons typed before signing out"
        for dialog in left_open:
            assert not shiboken6.isValid(dialog) or not dialog.isVisible()
        left_open = []
    with db.session(write=False) as session:
        actions = [(e.action, e.actor) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(("sign_in", "sign_out"))).order_by(AuditEntry.seq))]
    outs = [a for a in actions if a[0] == "sign_out"]
    ins = [a for a in actions if a[0] == "sign_in"]
    assert len(outs) == len(ORDER) - 1 and len(ins) == len(ORDER)
    # each sign-out is followed by the next user's sign-in
    pairs = [(actions[i], actions[i + 1]) for i, a in enumerate(actions[:-1]) if a[0] == "sign_out"]
    assert [(o[1], i[0]) for o, i in pairs] == [(o[1], "sign_in") for o, _i in pairs]


def _draft_keys(db: Database, user_id: int) -> list[str]:
    from adoption_desktop.core.models import Draft

    with db.session(write=False) as session:
        return list(session.scalars(select(Draft.key).where(Draft.user_id == user_id)))
