"""The documents flow on screen (pytest-qt, offscreen): attach a two-page scan and an .msg, read the
text, screen it, adjust a box with the mouse and the keyboard, export the redacted PDF, forward it as
an .eml draft, and read the item's history back."""

from __future__ import annotations

import email
import email.policy
import io
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsRectItem

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.views.attachments_panel import AttachmentsPanel
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.conftest import sample_input
from tests.letterbox.documents_fixtures import LETTER_PAGES, make_msg, png_bytes, render_page, tiff_scan
from tests.undo_checks import confirm_next


def test_attach_read_screen_redact_export_forward(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                                  tmp_path: Path) -> None:
    arrangement = service.create_arrangement(db, coordinator, sample_input(email_allowed=True))
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True))
    dialog = ItemDialog(ctx, arrangement, "LB-0001")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.writer.setText("Sam Thornley")
    qtbot.mouseClick(dialog.log_button, Qt.MouseButton.LeftButton)
    assert dialog.item_id is not None, dialog.message.text()
    panel = dialog.open_documents()
    assert isinstance(panel, AttachmentsPanel)
    scan = tmp_path / "letter-scan.tiff"
    scan.write_bytes(tiff_scan([render_page(t) for t in LETTER_PAGES]))
    msg = tmp_path / "reply.msg"
    msg.write_bytes(make_msg("Our news", "sam@example.invalid", "Dear Gina,\nWe are at 12 Heron Gate now.",
                             "drawing.png", png_bytes(render_page("A horse", height=300))))
    panel.attach_paths([scan, msg])
    kinds = [r.kind for r in panel.model.rows()]
    assert kinds == ["scan", "email", "email_part"], panel.message.text()
    qtbot.mouseClick(panel.read_button, Qt.MouseButton.LeftButton)
    assert "pages read" in panel.message.text()
    qtbot.mouseClick(panel.use_button, Qt.MouseButton.LeftButton)
    # the text went into the item and was screened: the postcode and the adoptive surname are found
    spans = {t for _s, _e, t in dialog.highlighted()}
    assert "ZZ99 4EF" in spans and "Thornley" in spans, dialog.message.text()
    red = panel.open_redaction()
    qtbot.addWidget(red)
    assert red.current_boxes(), "findings are boxed on the first page"
    before = len(red.current_boxes())
    # remove the first box with the mouse (select it) and the keyboard (Delete)
    first = next(i for i in red.scene.items() if isinstance(i, QGraphicsRectItem) and i.data(0) == 0)
    first.setSelected(True)
    qtbot.keyClick(red.view, Qt.Key.Key_Delete)
    assert len(red.current_boxes()) == before - 1
    # add one with the keyboard: move to the third word and box it
    for _ in range(3):
        qtbot.keyClick(red.view, Qt.Key.Key_N)
    qtbot.keyClick(red.view, Qt.Key.Key_Space)
    assert len(red.current_boxes()) == before
    # and one with the mouse: drag over the page
    view_from = red.view.mapFromScene(100, 330)
    view_to = red.view.mapFromScene(400, 370)
    qtbot.mousePress(red.view.viewport(), Qt.MouseButton.LeftButton, pos=view_from)
    qtbot.mouseRelease(red.view.viewport(), Qt.MouseButton.LeftButton, pos=view_to)
    assert len(red.current_boxes()) == before + 1
    boxes = red.current_boxes()
    qtbot.mouseClick(red.export_button, Qt.MouseButton.LeftButton)
    assert red.exported is not None, red.message.text()
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(red.exported.pdf))
    # two scanned pages and the drawing attached to the e-mail
    assert len(reader.pages) == 3 and not any((p.extract_text() or "").strip() for p in reader.pages)
    image = reader.pages[0].images[0].image
    assert image is not None
    for b in boxes:
        assert image.convert("L").crop((b.x0 + 1, b.y0 + 1, b.x1 - 1, b.y1 - 1)).getextrema() == (0, 0)
    panel.reload()
    draft = tmp_path / "forward.eml"
    assert panel.forward_by_email(draft, to="gina@example.invalid"), panel.message.text()
    parsed = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert parsed["X-Unsent"] == "1" and parsed["To"] == "gina@example.invalid"
    panel.accept()
    # findings are still marked to be removed, but the redacted copy is what goes out
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("forwarded"))
    dialog.method.setText("email")
    confirm_next()  # recording an outcome is final: the dialog asks first
    qtbot.mouseClick(dialog.outcome_button, Qt.MouseButton.LeftButton)
    assert "Outcome recorded" in dialog.message.text(), dialog.message.text()
    history = service.get_item(db, coordinator, dialog.item_id).history
    actions = [e.action for e in history]
    for step in ("received", "attached", "text_read", "screened", "redacted_copy", "email_draft", "forwarded"):
        assert step in actions, actions
    forwarded = next(e for e in history if e.action == "forwarded")
    assert red.exported.sha256 in forwarded.detail and forwarded.actor == coordinator.username
    red.grab().save(str(tmp_path / "redaction.png"))


def test_an_outcome_recorded_meanwhile_by_someone_else_is_shown_not_repeated(  # type: ignore[no-untyped-def]
        qtbot, db: Database, coordinator: Principal) -> None:
    """A reviewer's case: another coordinator records the outcome while this dialog is open; pressing
    Record outcome here is refused before any "final" question, and the dialog shows the item as it is now
    (before, it kept refusing with the stale version until it was closed)."""
    import datetime as dt
    from unittest import mock

    from adoption_desktop.letterbox import rules
    from adoption_desktop.letterbox.views import item_dialog

    arrangement = service.create_arrangement(db, coordinator, sample_input())
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                            received_on=dt.date(2026, 4, 1), writer="Gina Quillfield")
    service.screen_item(db, coordinator, item, "Thinking of you all.")
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True))
    dialog = ItemDialog(ctx, arrangement, "LB-0001", item_id=item)
    qtbot.addWidget(dialog)
    service.record_outcome(db, coordinator, item, "held", dt.date(2026, 4, 2))  # someone else, meanwhile
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("forwarded"))
    dialog.method.setText("post")
    with mock.patch.object(item_dialog, "confirm_final", return_value=True) as asked:
        dialog.record_outcome()
    assert asked.call_count == 0 and "already has an outcome (held)" in dialog.message.text()
    assert dialog.detail is not None and dialog.detail.status == "held"  # shown as it is now
