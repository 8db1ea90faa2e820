"""A settings file on a network share that has stopped answering, for the tests that check the window's thread
never waits for it: a named pipe in the file's place, whose open and read do not return until :meth:`answer`
gives every reader the file's content (and puts a real file back in its place). A watchdog answers after a
few seconds, so that a test of a window's thread frozen on it fails instead of hanging."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class StalledShare:
    def __init__(self, path: Path, content: dict[str, Any]) -> None:
        self.path = path
        self.content = json.dumps(content).encode()
        self._pipe = path.with_name(path.name + ".stalled-pipe")  # a second name of the pipe, to answer by
        self._answered = threading.Lock()
        self.answered = False

    def __enter__(self) -> StalledShare:
        os.mkfifo(self._pipe)
        os.link(self._pipe, self.path.with_name(self.path.name + ".stalling"))
        os.replace(self.path.with_name(self.path.name + ".stalling"), self.path)  # the share stops answering
        return self

    def __exit__(self, *_exc: object) -> None:
        self.answer()

    def answer(self) -> None:
        """The share answers again: a real file in the pipe's place, and every read waiting on the pipe given
        the content (until nobody has waited on it for a moment)."""
        with self._answered:
            if self.answered:
                return
            self.answered = True
            real = self.path.with_name(self.path.name + ".answer")
            real.write_bytes(self.content)
            if self.path.exists() and not self.path.is_file():
                os.replace(real, self.path)
            else:
                real.unlink()  # written by the program meanwhile (its change, onto the file it read): kept
        idle = 0
        while idle < 20:
            try:
                end = os.open(self._pipe, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                assert exc.errno == errno.ENXIO  # nobody reading it
                idle += 1
                time.sleep(0.05)
                continue
            idle = 0
            with contextlib.suppress(BrokenPipeError):
                os.write(end, self.content)
            os.close(end)
            # the reader reads to its end and closes before the next open (else it would read the content twice)
            time.sleep(0.2)
        self._pipe.unlink()

    @contextlib.contextmanager
    def watchdog(self, seconds: float = 6.0) -> Iterator[list[bool]]:
        """The block, bounded: if it has not ended after ``seconds`` the share answers (a frozen window's thread
        comes back) and the list yielded holds True: the test asserts it is empty."""
        fired: list[bool] = []
        ended = threading.Event()

        def watch() -> None:
            if not ended.wait(seconds):
                fired.append(True)
                self.answer()

        dog = threading.Thread(target=watch, name="stalled-share-watchdog", daemon=True)
        dog.start()
        try:
            yield fired
        finally:
            ended.set()
            dog.join(60)
