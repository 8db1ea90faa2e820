"""The import window runs the check and the import off the UI thread, with progress and a working Cancel."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.importing import Table, _cell
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from bench.bench_import import HEADERS, register_rows

ROWS = 50_000


def big_table() -> Table:
    rows = register_rows(ROWS, coordinator="lbcoord")  # the coordinator fixture's account
    return Table(HEADERS, [[_cell(c.date() if isinstance(c, dt.datetime) else c) for c in r] for r in rows],
                 list(range(2, ROWS + 2)))


def test_check_of_50000_rows_runs_off_the_ui_thread_and_the_window_keeps_working(  # type: ignore[no-untyped-def]
        qtbot, monkeypatch, db: Database, coordinator: Principal, tmp_path: Path) -> None:
    import adoption_desktop.letterbox.views.import_dialog as module

    dialog = module.ImportDialog(AppContext(db, coordinator, TaskRunner()), tmp_path / "register.csv",
                                 table=big_table())
    qtbot.addWidget(dialog)
    dialog.show()
    ui_thread = QThread.currentThread()
    on_ui_thread: set[bool] = set()
    finished: list[bool] = []
    seen: list[int] = []  # progress-bar values seen by a UI-thread timer while the check was still running
    real = module.import_table

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        on_ui_thread.add(QThread.currentThread() is ui_thread)
        # a pause inside the background work, holding no lock: if the check ran on the UI thread the
        # timer below could not fire during it; off the UI thread it must, however fast the machine
        time.sleep(0.3)
        try:
            return real(*args, **kwargs)
        finally:
            finished.append(True)

    monkeypatch.setattr(module, "import_table", spy)
    assert dialog.check() is False  # returns at once: the work is in the background
    bar = dialog.findChild(QProgressDialog)
    assert bar is not None
    timer = QTimer()
    timer.timeout.connect(lambda: None if finished else seen.append(bar.value()))
    timer.start(10)
    qtbot.waitUntil(lambda: dialog.last_report is not None, timeout=300_000)
    timer.stop()
    assert on_ui_thread == {False}  # never on the UI thread
    # the event loop kept running during the check (the timer fired while the background work was paused)
    assert len(seen) >= 1, seen[:20]
    report = dialog.last_report
    assert report is not None and not report.problems and report.creates > 40_000
    assert dialog.import_button.isEnabled() and "Ready" in dialog.summary.text()


def test_cancel_during_import_writes_nothing(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                             tmp_path: Path) -> None:
    from adoption_desktop.letterbox.views.import_dialog import ImportDialog

    dialog = ImportDialog(AppContext(db, coordinator, TaskRunner()), tmp_path / "register.csv", table=big_table())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.do_import()
    bar = dialog.findChild(QProgressDialog)
    assert bar is not None
    button = bar.findChild(QPushButton)
    assert button is not None and button.text() == "Cancel"
    button.click()  # the progress dialog's Cancel button
    qtbot.waitUntil(lambda: "Cancelled" in dialog.summary.text(), timeout=120_000)
    assert dialog.result() == 0
    assert service.count_arrangements(db, coordinator, service.ArrangementFilter()) == 0


def test_report_lists_warnings_beside_problems(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                               tmp_path: Path) -> None:
    from adoption_desktop.letterbox.views.import_dialog import ImportDialog
    from tests.letterbox.test_import_sanitation import row, write_csv

    path = write_csv(tmp_path / "w.csv", [row("W-1", Notes="+44 7700 900123"), row("W-2", DOB="01/01/0001")])
    dialog = ImportDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), path)
    qtbot.addWidget(dialog)
    assert not dialog.check()
    kinds = [(dialog.problems.row_at(i).row, dialog.problems.data(dialog.problems.index(i, 2)))
             for i in range(dialog.problems.rowCount())]
    assert kinds == [(3, "Problem"), (2, "Warning")]
    assert "1 warning" in dialog.summary.text() and "Nothing has been written" in dialog.summary.text()


def test_page_reads_the_file_on_the_task_runner_then_opens_the_preview(  # type: ignore[no-untyped-def]
        qtbot, monkeypatch, db: Database, coordinator: Principal, tmp_path: Path) -> None:
    from adoption_desktop.letterbox.views import import_dialog
    from adoption_desktop.letterbox.views.page import LetterboxPage
    from tests.letterbox.test_import_sanitation import row, write_csv

    shown: list[int] = []

    def exec_(self: import_dialog.ImportDialog) -> int:
        shown.append(len(self.table.rows))
        return 0

    monkeypatch.setattr(import_dialog.ImportDialog, "exec", exec_)
    runner = TaskRunner(synchronous=True)
    ran: list[bool] = []
    real_run = runner.run

    def run(fn: Any, **kw: Any) -> Any:
        ran.append(True)
        return real_run(fn, **kw)

    monkeypatch.setattr(runner, "run", run)
    page = LetterboxPage(AppContext(db, coordinator, runner))
    qtbot.addWidget(page)
    page.open_import(write_csv(tmp_path / "p.csv", [row("PG-1"), row("PG-2")]))
    assert ran and shown == [2]


def test_an_import_says_what_it_wrote_and_a_problem_is_wrapped_not_cut(  # type: ignore[no-untyped-def]
        qtbot, monkeypatch, db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """The trial: no word after an import; a problem's sentence cut at the dialog's edge."""
    from PySide6.QtWidgets import QTableView

    from adoption_desktop.letterbox.views import import_dialog
    from adoption_desktop.letterbox.views.page import LetterboxPage
    from tests.letterbox.test_import_sanitation import row, write_csv

    def exec_(self: import_dialog.ImportDialog) -> int:
        self.do_import()
        return int(self.result())

    monkeypatch.setattr(import_dialog.ImportDialog, "exec", exec_)
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True))
    told: list[str] = []
    ctx.on_message = told.append
    page = LetterboxPage(ctx)
    qtbot.addWidget(page)
    page.open_import(write_csv(tmp_path / "n.csv", [row("N-1"), row("N-2")]))
    assert told and "n.csv imported: 2 new" in told[-1]

    path = write_csv(tmp_path / "w.csv", [row("W-1", DOB="01/01/0001")])
    dialog = import_dialog.ImportDialog(ctx, path)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.check()
    table = dialog.findChild(QTableView, "problems")
    assert table is not None and table.wordWrap()
    text = dialog.problems.data(dialog.problems.index(0, 3))
    assert dialog.problems.data(dialog.problems.index(0, 3), 3) == text  # whole in its tooltip
