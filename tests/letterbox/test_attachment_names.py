"""Names of received files as Windows can save them (user trial 19: "CON.pdf", "aux" and "nul.txt" were
stored and offered as the "Save a copy" name; on Windows such a name is a device, not a file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog

from adoption_desktop.core.files import windows_safe_name
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import attachments, extraction, rules, service
from adoption_desktop.letterbox.views.attachments_panel import AttachmentsPanel
from adoption_desktop.ui import files, letter_save
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.documents_fixtures import make_eml, pdf_scan, render_page


def _item(db: Database, who: Principal, arrangement: int) -> int:
    return service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 2),
                            writer="Sam Thornley")


@pytest.mark.parametrize(("name", "safe"), [
    ("CON.pdf", "_CON.pdf"), ("aux", "_aux"), ("nul.txt", "_nul.txt"), ("PRN.tar.gz", "_PRN.tar.gz"),
    ("Com1.png", "_Com1.png"), ("lpt9", "_lpt9"), ("COM\u00b9.pdf", "_COM\u00b9.pdf"), ("CONIN$", "_CONIN$"),
    ("conout$.log", "_conout$.log"), ("CON .pdf", "_CON .pdf"), ("aux. ", "_aux"), ("NUL...", "_NUL"),
    ("..\\..\\nul.txt", "_nul.txt"), ("C:\\temp\\LPT1.jpg", "_LPT1.jpg"),
    # names that only begin like a device are left alone
    ("CONTACT.pdf", "CONTACT.pdf"), ("console.txt", "console.txt"), ("com10.png", "com10.png"),
    ("auxiliary.pdf", "auxiliary.pdf"), ("my con.pdf", "my con.pdf"),
    # what a Windows name cannot hold: a colon would write an "alternate data stream"
    ("letter.pdf:hidden", "letter.pdf_hidden"), ('what?"now"*.pdf', "what__now__.pdf"), ("a<b>|c.png", "a_b__c.png"),
])
def test_device_names_and_windows_characters_are_renamed(name: str, safe: str) -> None:
    assert extraction.safe_filename(name) == safe


def test_a_renamed_long_name_still_fits_255() -> None:
    long = extraction.safe_filename("CON." + "x" * 300 + ".pdf")
    assert long.startswith("_CON.") and long.endswith(".pdf") and len(long) == 255


def test_attached_device_names_are_stored_renamed(db: Database, coordinator: Principal, arrangement: int) -> None:
    item_id = _item(db, coordinator, arrangement)
    scan = pdf_scan([render_page("Dear Gina", height=400)])
    rows = attachments.attach(db, coordinator, item_id, "aux", scan)
    rows += attachments.attach(db, coordinator, item_id, "mail.eml",
                               make_eml("News", "Dear Gina,\nAll well.", "CON.pdf", scan, mime="application/pdf"))
    assert [r.filename for r in rows] == ["_aux", "mail.eml", "_CON.pdf"]
    history = [e.detail for e in service.get_item(db, coordinator, item_id).history if e.action == "attached"]
    assert any("_CON.pdf" in d for d in history), history


def test_every_save_dialog_offers_a_name_windows_can_save(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    starts: list[str] = []

    def fake(_parent: Any, _title: str, start: str, _filter: str = "") -> tuple[str, str]:
        starts.append(start)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    files.save_file_name(None, "exports", "Export", "CON.csv")
    letter_save.ask_letter_path(None, "Save letter", "PRN.pdf")  # type: ignore[arg-type]
    assert [Path(s).name for s in starts] == ["_CON.csv", "_PRN.pdf"]
    assert windows_safe_name("") == "file"


def test_save_a_copy_offers_the_safe_name_even_for_a_file_stored_before(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file stored under "nul.txt" by a version before this one is offered as "_nul.txt"."""
    from sqlalchemy import update

    from adoption_desktop.letterbox.attachment_models import Attachment

    item_id = _item(db, coordinator, arrangement)
    row = attachments.attach(db, coordinator, item_id, "letter.pdf", pdf_scan([render_page("Hi", height=300)]))[0]
    with db.session() as s:  # as an earlier version stored it
        s.execute(update(Attachment).where(Attachment.id == row.id).values(filename="nul.txt"))
    starts: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda _p, _t, start, _f="": (starts.append(start), ("", ""))[1]))
    panel = AttachmentsPanel(AppContext(db, coordinator, TaskRunner(synchronous=True)), item_id)
    qtbot.addWidget(panel)
    panel.open_button.click()
    assert [Path(s).name for s in starts] == ["_nul.txt"]
