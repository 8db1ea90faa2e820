"""Sign out / switch user: audited, drafts kept, a dialog that will not close stops it, cancel closes."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QPlainTextEdit, QVBoxLayout
from sqlalchemy import select

from adoption_desktop.core import drafts
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.autosave import DraftAutosaver
from adoption_desktop.ui.session_switch import sign_out
from tests.conftest import TEST_PASSWORD, make_user


def _actions(db: Database) -> list[tuple[str, str]]:
    with db.session(write=False) as session:
        return [(e.action, e.actor) for e in session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(("sign_in", "sign_out"))).order_by(AuditEntry.seq))]


def test_switch_keeps_a_pending_draft_and_audits_both(db: Database, make_window: Any) -> None:
    first = make_user(db, "first", Role.COUNSELLOR)
    make_user(db, "second", Role.MANAGER)
    window = make_window(first)
    assert "Locked — signed in as First Tester (first)" in window.lock_screen.title.text()
    dialog = QDialog(window)
    edit = QPlainTextEdit(dialog)
    QVBoxLayout(dialog).addWidget(edit)
    DraftAutosaver(window.ctx, "test.note:1", edit, interval_ms=60_000)  # would not save for a minute
    dialog.show()
    edit.setPlainText("typed just before signing out")
    new = sign_out(window, ask=lambda _parent, database: security.authenticate(database, "second", TEST_PASSWORD))
    assert new is not None and new.username == "second"
    assert drafts.load_draft(db, first, "test.note:1") == "typed just before signing out"
    assert not dialog.isVisible()
    assert window.ctx.principal.username == "second" and "second" in window.user_label.text()
    assert [t.key for t in window.targets] == ["my_work", "counselling", "reports"]
    assert _actions(db)[-2:] == [("sign_out", "first"), ("sign_in", "second")]
    # the Go shortcuts are the new user's, once each (no duplicates from the first user's menus)
    assert sum(a.text().replace("&", "") == "My work" for a in window.actions()) == 1


class _Stubborn(QDialog):
    """Asks about unsaved changes and the user chooses to stay (until ``give_in``)."""

    give_in = False

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.give_in:
            event.ignore()

    def reject(self) -> None:
        if self.give_in:
            super().reject()


def test_a_window_that_will_not_close_stops_the_sign_out(db: Database, make_window: Any) -> None:
    user = make_user(db, "stays", Role.COUNSELLOR)
    window = make_window(user)
    stubborn = _Stubborn(window)
    stubborn.show()
    asked: list[str] = []
    assert sign_out(window, ask=lambda *_a: asked.append("x")) is None  # type: ignore[func-returns-value]
    assert not asked and window.ctx.principal.username == "stays"
    assert ("sign_out", "stays") not in _actions(db)
    stubborn.give_in = True
    stubborn.close()


def test_nobody_signing_in_closes_the_window(db: Database, make_window: Any) -> None:
    user = make_user(db, "last", Role.COUNSELLOR)
    window = make_window(user)
    assert sign_out(window, ask=lambda *_a: None) is None
    assert not window.isVisible()
    assert _actions(db)[-1] == ("sign_out", "last")


def test_ctrl_k_belongs_to_the_user_signed_in_now(db: Database, make_window: Any) -> None:
    """After a switch, there is one Ctrl+K, and its popup searches with the new user's roles."""
    first = make_user(db, "first", Role.LETTERBOX_COORDINATOR)
    make_user(db, "second", Role.COUNSELLOR)
    window = make_window(first)
    window.search_everywhere.open()
    new = sign_out(window, ask=lambda _parent, database: security.authenticate(database, "second", TEST_PASSWORD))
    assert new is not None
    ctrl_k = [a for a in window.actions() if a.shortcut().toString() == "Ctrl+K"]
    assert len(ctrl_k) == 1
    dialog = window.search_everywhere.open()
    assert dialog is not None and dialog.ctx.principal.username == "second"
