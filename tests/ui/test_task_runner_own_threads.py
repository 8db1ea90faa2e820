"""``TaskRunner(own_threads=True)`` keeps to ``max_threads``. Review: each task was given a thread of its own at
once, whatever ``max_threads`` said, so two tasks asked for one at a time (the window's automatic backup) ran
together."""

from __future__ import annotations

import threading

import pytest

from adoption_desktop.ui.tasks import TaskRunner


def test_own_threads_run_no_more_tasks_at_once_than_max_threads(qtbot: object) -> None:
    runner = TaskRunner(max_threads=1, own_threads=True)
    go = threading.Event()
    second_began = threading.Event()
    steps: list[str] = []
    done: list[object] = []

    def first(_task: object) -> str:
        steps.append("first began")
        go.wait(30)
        steps.append("first ended")
        return "first"

    def second(_task: object) -> str:
        second_began.set()
        steps.append("second began")
        steps.append("second ended")
        return "second"

    runner.run(first, on_done=done.append)
    runner.run(second, on_done=done.append)
    assert not second_began.wait(0.5)  # waits for the first, however long that takes
    go.set()
    assert runner.wait(30)
    assert steps == ["first began", "first ended", "second began", "second ended"]
    qtbot.waitUntil(lambda: len(done) == 2, timeout=10000)  # type: ignore[attr-defined]
    assert done == ["first", "second"]


def test_own_threads_run_max_threads_tasks_together() -> None:
    runner = TaskRunner(max_threads=2, own_threads=True)
    together = threading.Barrier(2, timeout=30)
    for _ in range(2):
        runner.run(lambda _task: together.wait())  # both at once, or the barrier breaks
    assert runner.wait(30)
    assert not together.broken


def test_no_threads_at_all_is_refused() -> None:
    with pytest.raises(ValueError, match="max_threads"):
        TaskRunner(max_threads=0, own_threads=True)
