"""The audit alert after sign-in: everyone is told; an administrator can acknowledge it there."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from adoption_desktop.app import audit_alert
from adoption_desktop.core import audit
from adoption_desktop.core.audit import anchors
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import make_user


def test_a_clerk_is_warned_and_nothing_changes(qtbot: Any, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    clerk = make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
    db.audit_hold = "#9: entry 9 is missing: the log was cut short"
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: shown.append(text))
    parent = QWidget()
    qtbot.addWidget(parent)
    audit_alert(parent, db, clerk)
    assert shown and "cut short" in shown[0] and "administrator" in shown[0]
    assert db.audit_hold is not None


def test_an_administrator_acknowledges_it_with_a_note(qtbot: Any, db: Database,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    made = make_user(db, "boss", Role.ADMINISTRATOR)
    boss = Principal(made.user_id, made.username, made.full_name, frozenset({Role.ADMINISTRATOR}))
    db.audit_hold = "#9: entry 9 is missing: the log was cut short"

    def press_acknowledge(box: QMessageBox) -> int:
        for button in box.buttons():
            if button.text().startswith("Acknowledge"):
                button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", press_acknowledge)
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Checked with IT: restored copy.", True))
    parent = QWidget()
    qtbot.addWidget(parent)
    audit_alert(parent, db, boss)
    assert db.audit_hold is None
    with db.session(write=False) as session:
        acks = audit.query_entries(session, audit.AuditFilter(action=anchors.ACK_ACTION))
    assert acks and "Checked with IT" in acks[0].detail and "cut short" in acks[0].detail
