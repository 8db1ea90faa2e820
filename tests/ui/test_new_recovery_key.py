"""Administration > Users > "New recovery key…": asked first (saying what it does), then the new key shown
once in the dialog that shows it at creation; the old recovery key no longer unwraps the database key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPushButton

from adoption_desktop.core import audit_service
from adoption_desktop.core.audit import AuditFilter
from adoption_desktop.core.errors import KeyUnavailable
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.lifecycle import create_database
from adoption_desktop.ui.admin_page import AdminPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import RecoveryKeyDialog
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user


def test_new_recovery_key_from_the_keyboard_asks_first_then_shows_the_new_key_once(
        tmp_path: Path, store: SecretStore, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    created = create_database(tmp_path / "agency.db", store)
    db, old = created.db, created.recovery_key
    key_file = keys.key_file_for(tmp_path / "agency.db")
    try:
        admin = make_user(db, "admin", Role.ADMINISTRATOR)
        page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
        qtbot.addWidget(page)
        page.show()
        qtbot.waitUntil(page.isActiveWindow)
        told: list[str] = []
        page.users.ctx.on_message = told.append
        button = page.findChild(QPushButton, "new_recovery_key")
        assert button is not None and button.text() == "New recovery &key…"

        asked: list[str] = []
        answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
        monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *_a: asked.append(text) or answers.pop(0))
        shown: list[RecoveryKeyDialog] = []

        def keep(dialog: RecoveryKeyDialog) -> int:
            shown.append(dialog)
            # while it is shown, the old key still opens the database (a crash now leaves it working)
            keys.wipe(keys.key_from_recovery(keys.KeyEnvelope.load(key_file), old))
            dialog.save_pdf(tmp_path / "sheet.pdf")  # its "Save as PDF to print…"
            return 1

        monkeypatch.setattr(RecoveryKeyDialog, "exec", keep)
        original = key_file.read_bytes()
        page.users.view.setFocus()
        # Alt+K, the button's mnemonic: the click lands a moment later (the button is "animated")
        qtbot.keyClick(page.users.view, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)  # answered No
        qtbot.waitUntil(lambda: len(asked) == 1)
        assert not shown and key_file.read_bytes() == original  # nothing changed
        assert "stops opening the database" in asked[0] and "OLD recovery key" in asked[0]

        qtbot.keyClick(page.users.view, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)  # answered Yes
        qtbot.waitUntil(lambda: len(shown) == 1)
        (dialog,) = shown
        assert dialog.windowTitle() == "New recovery key" and dialog.replaced
        field = dialog.findChild(QLineEdit, "recovery_key")
        assert field is not None
        new = field.text()
        assert new == dialog.recovery_key and new != old
        assert (tmp_path / "sheet.pdf").read_bytes().startswith(b"%PDF")
        assert told and "new recovery key" in told[0].lower()

        envelope = keys.KeyEnvelope.load(key_file)
        with pytest.raises(KeyUnavailable):
            keys.key_from_recovery(envelope, old)  # the old key no longer unwraps the database key
        assert keys.key_from_recovery(envelope, new) == keys.load_key(envelope, store)
        entries = audit_service.list_entries(db, admin, AuditFilter(action="recovery_key_replaced"))
        assert len(entries) == 1 and entries[0].actor == "admin"
    finally:
        db.dispose()


def test_no_recovery_key_action_for_a_team_server(pg_db: Any, qtbot: Any) -> None:
    admin = make_user(pg_db, "admin", Role.ADMINISTRATOR)
    page = AdminPage(AppContext(pg_db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    assert page.findChild(QPushButton, "new_recovery_key") is None
