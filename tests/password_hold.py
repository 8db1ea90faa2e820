"""A password check held on its way, to look at a dialog while its check runs (a real worker thread).

``HeldCheck`` replaces the argon2 check of the password typed (``security.service.verify_password``; or,
with ``name="hash_password"``, the hashing of a new one) with the real one, which then waits until
:meth:`HeldCheck.release`; it records on which thread each check ran. A check made on the window's thread is
never held (the test would freeze): it is recorded, and the test's assertion that the check ran elsewhere
says so.

:func:`press_while_held` is the part the dialogs' tests share (approving minutes, changing or resetting a
password): OK or Enter pressed with the check held, what the dialog shows meanwhile (greyed, read-only,
saying what it waits for; Enter, OK's slot and Esc again doing nothing), then the answer waited for."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.security import service as users
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.ok_on_worker import OkOnWorker


class HeldCheck:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str = "verify_password") -> None:
        self.running, self._release = threading.Event(), threading.Event()
        self.on_window_thread: list[bool] = []  # one per check, True when it ran on the window's thread
        real = getattr(users, name)

        def held(*args: Any) -> Any:
            mine = threading.current_thread() is threading.main_thread()
            self.on_window_thread.append(mine)
            try:
                return real(*args)
            finally:
                self.running.set()
                if not mine:
                    self._release.wait(10)

        monkeypatch.setattr(users, name, held)

    def release(self) -> None:
        self._release.set()


class OkOnWorkerDialog(Protocol):
    """What the tests use of a dialog whose OK runs on the worker (``SimpleDialog``, ``PasswordDialog``)."""

    buttons: QDialogButtonBox
    message: QLabel
    ok_work: OkOnWorker

    @property
    def checking(self) -> bool: ...

    def isVisible(self) -> bool: ...  # noqa: N802 (Qt's name)


def press_while_held(qtbot: QtBot, held: HeldCheck, dialog: OkOnWorkerDialog, field: QLineEdit,
                     press: Callable[[], None], ok_slot: Callable[[], None], *, says: str) -> None:
    """``press()`` (Enter in ``field``, or OK) with the check held on its worker thread; while it is held: it
    runs off the window's thread, the dialog is ``checking``, its fields read-only and *every* button greyed,
    Cancel too (the worker commits the work's effect, so a Cancel meanwhile could not take it back), the
    dialog saying ``says`` above its buttons and nothing in its message line; Enter again, OK's own slot
    (``ok_slot``) and Esc start nothing and close nothing. Then released: waits for the answer, after which
    the buttons are back and the note gone."""
    press()
    try:
        qtbot.waitUntil(held.running.is_set, timeout=10000)
        assert held.on_window_thread == [False]  # before: the window's thread, frozen meanwhile
        assert dialog.checking and field.isReadOnly()
        assert [b.text() for b in dialog.buttons.buttons() if b.isEnabled()] == []  # Cancel greyed too
        note = dialog.ok_work.note
        assert note is not None and note.isVisible() and note.text() == says  # before: no word of it
        qtbot.keyClick(field, Qt.Key.Key_Return)  # Enter again while it is checked: nothing started
        ok_slot()  # nor by the button's own slot
        qtbot.keyClick(field, Qt.Key.Key_Escape)  # Esc: nothing, as Cancel is greyed
        qtbot.wait(50)  # the window's thread handles events meanwhile
        assert dialog.isVisible() and dialog.message.text() == ""
    finally:
        held.release()
    qtbot.waitUntil(lambda: not dialog.checking, timeout=10000)
    assert held.on_window_thread == [False]  # one check
    assert not note.isVisible()


def last_seq(db: Database) -> int:
    """The newest audit entry's number (0 for none)."""
    with db.session(write=False) as session:
        return int(session.scalar(select(audit.AuditEntry.seq).order_by(audit.AuditEntry.seq.desc()).limit(1)) or 0)


def actions_since(db: Database, seq: int) -> list[str]:
    """The audit entries' actions after entry ``seq``, in order."""
    with db.session(write=False) as session:
        return list(session.scalars(select(audit.AuditEntry.action).where(audit.AuditEntry.seq > seq)
                                    .order_by(audit.AuditEntry.seq)))
