"""When an autosave is due: after a pause in the typing, and at the latest a while after the first unsaved change.

A single-shot timer restarted on every key press (a plain debounce) never fires for someone typing steadily
with short pauses: a user trial (ut15, D1) typed for minutes into session notes and the panel minutes, then
the program was killed, and nothing had been kept. :class:`SaveTimer` keeps the debounce for the quiet case
(``interval_ms`` after the last change) and adds a maximum wait: while changes keep coming, ``timeout`` is
sent no later than ``max_wait_ms`` after the first change not yet saved.

    timer = SaveTimer(self, interval_ms=3000)
    edit.textChanged.connect(timer.changed)   # a change: restart the pause, start the maximum wait
    timer.timeout.connect(self.save_draft)

``start``, ``stop``, ``isActive``, ``interval`` and ``setInterval`` read as a ``QTimer``'s: ``start(ms)`` (a retry
after a failed save) waits ``ms`` from now and becomes the interval, as ``QTimer.start(ms)`` does; it is not a
change, so it leaves the maximum wait as it is. ``stop`` (a save made, or given up) ends both waits."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

#: while the text keeps changing, an autosave is made at least this often (since the first unsaved change)
MAX_WAIT_MS = 10_000


class SaveTimer(QObject):
    #: the save is due (sent once; the next change starts the waits again)
    timeout = Signal()

    def __init__(self, parent: QObject | None = None, *, interval_ms: int, max_wait_ms: int | None = None) -> None:
        super().__init__(parent)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(interval_ms)
        self._pause.timeout.connect(self._fire)
        self._longest = QTimer(self)
        self._longest.setSingleShot(True)
        self._longest.setInterval(MAX_WAIT_MS if max_wait_ms is None else max_wait_ms)
        self._longest.timeout.connect(self._fire)

    @property
    def max_wait_ms(self) -> int:
        return self._longest.interval()

    @max_wait_ms.setter
    def max_wait_ms(self, ms: int) -> None:
        self._longest.setInterval(ms)

    def changed(self, *_args: object) -> None:
        """The text changed: the save waits for a pause again, but no longer than the maximum wait since the
        first change not yet saved (a signal's arguments are ignored)."""
        self._pause.start()
        if not self._longest.isActive():
            self._longest.start()

    def start(self, ms: int | None = None) -> None:
        """Wait the interval (or ``ms``, which becomes the interval) from now; not a change."""
        if ms is None:
            self._pause.start()
        else:
            self._pause.start(ms)

    def stop(self) -> None:
        self._pause.stop()
        self._longest.stop()

    def isActive(self) -> bool:  # noqa: N802 - as QTimer's
        return self._pause.isActive() or self._longest.isActive()

    def interval(self) -> int:
        return self._pause.interval()

    def setInterval(self, ms: int) -> None:  # noqa: N802 - as QTimer's
        self._pause.setInterval(ms)

    def _fire(self) -> None:
        self.stop()
        self.timeout.emit()
