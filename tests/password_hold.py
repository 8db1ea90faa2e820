"""A password check held on its way, to look at a dialog while its check runs (a real worker thread).

``HeldCheck`` replaces the argon2 check of the password typed (``security.service.verify_password``) with
the real one, which then waits until :meth:`HeldCheck.release`; it records on which thread each check ran.
A check made on the window's thread is never held (the test would freeze): it is recorded, and the test's
assertion that the check ran elsewhere says so."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.security import service as users
from adoption_desktop.core.storage.engine import Database


class HeldCheck:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.running, self._release = threading.Event(), threading.Event()
        self.on_window_thread: list[bool] = []  # one per check, True when it ran on the window's thread
        real = users.verify_password

        def verify(stored: str, password: str) -> bool:
            mine = threading.current_thread() is threading.main_thread()
            self.on_window_thread.append(mine)
            try:
                return real(stored, password)
            finally:
                self.running.set()
                if not mine:
                    self._release.wait(10)

        monkeypatch.setattr(users, "verify_password", verify)

    def release(self) -> None:
        self._release.set()


def last_seq(db: Database) -> int:
    """The newest audit entry's number (0 for none)."""
    with db.session(write=False) as session:
        return int(session.scalar(select(audit.AuditEntry.seq).order_by(audit.AuditEntry.seq.desc()).limit(1)) or 0)


def actions_since(db: Database, seq: int) -> list[str]:
    """The audit entries' actions after entry ``seq``, in order."""
    with db.session(write=False) as session:
        return list(session.scalars(select(audit.AuditEntry.action).where(audit.AuditEntry.seq > seq)
                                    .order_by(audit.AuditEntry.seq)))
