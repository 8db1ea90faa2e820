"""Notice the date changing while the window is open, and have the lists count from the new day.

People leave Adoption Desktop open for days on a PC that sleeps overnight. Every list that counts from
today (the ADM queue's working-day deadlines and "Due today", My work, the letterbox work list, the panel's
sittings and members' terms, the counselling waits) is read again when the date changes: at midnight, or
when the PC wakes after a night, a weekend or a bank holiday. The check is a cheap comparison of dates every
half minute (timers do not run while the PC sleeps: the first one after waking catches it), and again when
the window is unlocked.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from adoption_desktop.ui.context import AppContext

_log = logging.getLogger(__name__)

#: how often the date is looked at (ms): a list is at most this late after midnight
CHECK_EVERY_MS = 30_000


def new_day_message(day: dt.date) -> str:
    """What the status bar says once the lists were read again for ``day``."""
    return (f"The date is now {day:%A} {day:%d/%m/%Y}: the lists were read again, and deadlines and waits "
            "are counted from today.")


class DayWatch(QObject):
    """Calls each of ``ctx.after_new_day`` (the pages' own refresh) once when ``ctx.today()`` moves on, then
    says so in the status bar (:func:`new_day_message`)."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.day: dt.date = ctx.today()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> bool:
        """Whether the date changed since the last look; if so, every page was told (a page that fails is
        logged, and the others are still told)."""
        now = self.ctx.today()
        if now == self.day or self.ctx.ended:
            return False
        self.day = now
        hooks: list[Callable[[dt.date], None]] = list(self.ctx.after_new_day)
        for hook in hooks:
            try:
                hook(now)
            except Exception:  # one page's failure must not leave the others on yesterday
                _log.exception("a page could not be read again for the new day")
        self.ctx.notify(new_day_message(now))
        return True

    def stop(self) -> None:
        self.timer.stop()
