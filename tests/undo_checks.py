"""Shared checks for the undo tests: rows read back from the database, the audit log, ``verify``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from adoption_desktop.core import audit
from adoption_desktop.core.storage.engine import Database

SKIP = {"row_version", "updated_at"}


def rows(db: Database, table: str, where: str = "", **params: Any) -> list[dict[str, Any]]:
    """Every row of ``table`` (matching ``where``), as dicts without the version and update stamp."""
    with db.session(write=False) as session:
        found = session.execute(text(f"SELECT * FROM {table} {('WHERE ' + where) if where else ''} ORDER BY 1"),
                                params).mappings().all()
    return [{k: v for k, v in r.items() if k not in SKIP} for r in found]


def actions(db: Database, entity: str) -> list[str]:
    with db.session(write=False) as session:
        return [a for (a,) in session.execute(select(audit.AuditEntry.action).where(
            audit.AuditEntry.entity == entity, audit.AuditEntry.action != "view").order_by(audit.AuditEntry.seq))]


def assert_verified(db: Database) -> None:
    """``verify``'s record check and hash chain: nothing changed outside the application."""
    with db.session(write=False) as session:
        assert audit.verify_record(session.connection()) == []
        assert audit.verify_chain(session) is None


def confirm_next(answer: bool = True, tries: int = 200) -> list[str]:
    """Answer the next final-act confirmation (``ui.undo.confirm_final``) once it is shown: Yes (or No).
    Returns the questions seen (filled in when the box was answered)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    seen: list[str] = []
    left = [tries]

    def click() -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.objectName() == "confirm_final" and w.isVisible()), None)
        if box is None:
            left[0] -= 1
            if left[0] > 0:
                QTimer.singleShot(10, click)
            return
        seen.append(box.text())
        wanted = QMessageBox.ButtonRole.YesRole if answer else QMessageBox.ButtonRole.NoRole
        next(b for b in box.buttons() if box.buttonRole(b) == wanted).click()

    QTimer.singleShot(0, click)
    return seen
