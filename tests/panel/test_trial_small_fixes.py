"""User trial, smaller points: the Papers dialog's label after ticking, the status line after undoing a
declaration, and a sitting named DD/MM/YYYY on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QLineEdit
from pytestqt.qtbot import QtBot

from adoption_desktop import cli
from adoption_desktop.core.errors import NotFound, ValidationError
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD

from .conftest import TODAY, Panel, attend


def test_a_ticked_paper_no_longer_reads_not_received(qtbot: QtBot, panel: Panel) -> None:
    item_id = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0901", "AB"))
    [item] = [i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY).items
              if i.id == item_id]
    dlg = dialogs.papers_dialog(None, item, TODAY, TODAY, lambda _v: None, lambda _v: None)
    qtbot.addWidget(dlg)
    box = dlg.findChild(QCheckBox, "paper_par")
    assert box is not None and box.text().endswith("NOT RECEIVED (overdue)")
    box.setChecked(True)
    assert "NOT RECEIVED" not in box.text() and "received" in box.text()
    box.setChecked(False)
    assert box.text().endswith("NOT RECEIVED (overdue)")


def test_undoing_a_declaration_says_so_in_the_status_line(qtbot: QtBot, panel: Panel) -> None:
    attend(panel, "chair", "vice", "sw", "med", "pe")
    svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0902", "AB"))
    window = MainWindow(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    page = window.open_target("panel")
    assert isinstance(page, PanelPage)
    page.reload(select_sitting=panel.sitting_id)
    page.agenda_view.selectRow(0)
    page.declare()
    dialog = page.dialog
    assert isinstance(dialog, dialogs.SimpleDialog)
    dialog.findChild(QLineEdit, "interest").setText("Knows the applicants.")
    dialog._ok()
    assert page.status.text().startswith("Declaration recorded.")
    window.undo_ui.undo()
    assert page.status.text().startswith("Undone: "), page.status.text()
    assert "Declaration recorded" not in page.status.text()
    [item] = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items
    assert item.declarations == ()


def test_a_sitting_may_be_named_dd_mm_yyyy(panel: Panel, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert svc.sitting_id_for(panel.db, panel.clerk, "10/11/2026") == panel.sitting_id
    assert svc.sitting_id_for(panel.db, panel.clerk, "2026-11-10") == panel.sitting_id
    with pytest.raises(ValidationError, match="write it as YYYY-MM-DD or DD/MM/YYYY"):
        svc.sitting_id_for(panel.db, panel.clerk, "31/02/2026", label="--sitting")
    with pytest.raises(NotFound, match="no panel sitting on 08/12/2026"):
        svc.sitting_id_for(panel.db, panel.clerk, "08/12/2026", label="--sitting")
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    assert panel.db.path is not None
    out = tmp_path / "m.docx"
    assert cli.main(["export", "minutes", "--db", str(panel.db.path), "--user", "clerk", "--sitting", "10/11/2026",
                     "--out", str(out)]) == 0
    assert out.exists()
