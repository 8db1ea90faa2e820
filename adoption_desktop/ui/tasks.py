"""One background task runner: work on a thread pool, results and progress back on the UI thread.

    runner.run(fn, on_done=..., on_error=..., on_progress=...)

``fn(task)`` runs off the UI thread and may call ``task.progress(done, total, message)`` and check
``task.cancelled``. Signals are delivered on the UI thread (queued connection). In tests,
``TaskRunner(synchronous=True)`` runs the work at once on the calling thread.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QMainWindow, QProgressDialog, QWidget

from adoption_desktop.core.errors import WorkCancelled


class TaskHandle(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object, str)  # exception, formatted traceback

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self.done = False

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def progress(self, done: int, total: int, message: str = "") -> None:
        self.progressed.emit(done, total, message)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[TaskHandle], Any], handle: TaskHandle) -> None:
        super().__init__()
        self.fn, self.handle = fn, handle

    def run(self) -> None:
        try:
            result = self.fn(self.handle)
        except BaseException as exc:
            self.handle.failed.emit(exc, traceback.format_exc())
        else:
            self.handle.finished.emit(result)


class TaskRunner(QObject):
    """``own_threads``: each task on a thread of its own that never holds the program's end (a daemon thread),
    rather than the pool's: a pool waits for its tasks as it goes, with no limit, so work that never returns (a
    file written to a network folder that has stopped answering) kept the program running after its window had
    gone. :meth:`wait` then waits for them at most ``msecs``. ``max_threads`` holds there too: a task beyond it
    waits, on its thread, for one before it to end (each task had a thread of its own at once, whatever the
    number asked for)."""

    def __init__(self, synchronous: bool = False, max_threads: int = 2, *, own_threads: bool = False) -> None:
        super().__init__()
        if max_threads < 1:
            raise ValueError(f"max_threads must be 1 or more, not {max_threads}")
        self.synchronous = synchronous
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(max_threads)
        self._live: set[TaskHandle] = set()
        self.own_threads = own_threads
        self._threads: list[threading.Thread] = []
        #: the own threads' places: a task's thread runs it once it has one
        self._places = threading.BoundedSemaphore(max_threads)

    def run(self, fn: Callable[[TaskHandle], Any], *, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            on_progress: Callable[[int, int, str], None] | None = None) -> TaskHandle:
        handle = TaskHandle()
        self._live.add(handle)

        def finish(result: Any) -> None:
            handle.done = True
            self._live.discard(handle)
            if on_done:
                on_done(result)

        def fail(exc: BaseException, _tb: str) -> None:
            handle.done = True
            self._live.discard(handle)
            if on_error:
                on_error(exc)

        handle.finished.connect(finish)
        handle.failed.connect(fail)
        if on_progress:
            handle.progressed.connect(on_progress)
        runnable = _Runnable(fn, handle)
        if self.synchronous:
            runnable.run()
        elif self.own_threads:
            self._threads = [thread for thread in self._threads if thread.is_alive()]
            def in_its_turn() -> None:
                with self._places:  # max_threads at a time; the others wait here, in order of asking as a rule
                    runnable.run()

            thread = threading.Thread(target=in_its_turn, name="task", daemon=True)
            self._threads.append(thread)
            thread.start()
        else:
            self.pool.start(runnable)
        return handle

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for the tasks running to end, ``msecs`` at most (-1: no limit); whether they all have."""
        if not self.own_threads:
            return self.pool.waitForDone(msecs)
        import time

        deadline = None if msecs < 0 else time.monotonic() + msecs / 1000
        for thread in list(self._threads):
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)


def progress_dialog(parent: QWidget | None, title: str) -> QProgressDialog:
    """The modal progress dialog of a long job: its title, a working Cancel button, never closed by itself."""
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog


#: said in the main window's status bar when the person cancelled long work (``WorkCancelled``)
CANCELLED_NOTE = "Cancelled: nothing was written."


def said_cancelled(parent: QWidget | None) -> None:
    """The quiet word after a cancel: the main window's status bar (no dialog: cancelling was the person's
    own choice, and it is not an error)."""
    window = parent.window() if parent is not None else None
    while window is not None and not isinstance(window, QMainWindow):
        above = window.parentWidget()
        window = above.window() if above is not None else None
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(CANCELLED_NOTE, 10000)


def run_with_progress(parent: QWidget | None, runner: TaskRunner, title: str,
                      fn: Callable[[TaskHandle], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[BaseException], None],
                      on_cancelled: Callable[[], None] | None = None) -> TaskHandle:
    """``fn`` in the background with a modal progress dialog that has a working Cancel button. Work that
    stops for the Cancel button (raising :class:`~adoption_desktop.core.errors.WorkCancelled`, or a kind of
    it) is not an error: ``on_cancelled`` is called (by default the main window's status bar says
    :data:`CANCELLED_NOTE`), never ``on_error``."""
    dialog = progress_dialog(parent, title)

    def progress(done: int, total: int, message: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)
        if message:
            dialog.setLabelText(message)

    def done(result: Any) -> None:
        dialog.close()
        on_done(result)

    def error(exc: BaseException) -> None:
        dialog.close()
        if isinstance(exc, WorkCancelled):
            (on_cancelled or (lambda: said_cancelled(parent)))()
            return
        on_error(exc)

    handle = runner.run(fn, on_done=done, on_error=error, on_progress=progress)
    dialog.canceled.connect(handle.cancel)
    if not handle.done:
        dialog.show()
    return handle
