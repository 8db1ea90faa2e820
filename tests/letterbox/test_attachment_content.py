"""What a received file is, checked when it is attached (user trial 19): a program inside an e-mail
("..\\..\\evil.exe") is kept with the e-mail for the record, flagged, never read or opened; a part that
claims to be a PDF but is not one is not stored as a PDF; a file that starts "%PDF" but is no readable PDF
is refused at Attach, not at Read text."""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import attachments, rules, service
from adoption_desktop.letterbox.views.attachments_panel import AttachmentsPanel
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.documents_fixtures import pdf_scan, render_page

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200
JUNK_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _item(db: Database, who: Principal, arrangement: int) -> int:
    return service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 2),
                            writer="Sam Thornley")


def _eml(*parts: tuple[str, bytes, str]) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Sam <sam@example.invalid>"
    msg["To"] = "letterbox@example.invalid"
    msg["Subject"] = "Our news"
    msg.set_content("Dear Gina,\nAll well here.")
    for name, data, mime in parts:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def _password_pdf(scan: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(scan)))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_programs_in_an_email_are_kept_flagged_and_never_opened(db: Database, coordinator: Principal,
                                                                arrangement: int) -> None:
    item_id = _item(db, coordinator, arrangement)
    scan = pdf_scan([render_page("A drawing", height=300)])
    rows = attachments.attach(db, coordinator, item_id, "mail.eml", _eml(
        ("..\\..\\evil.exe", PROGRAM, "application/octet-stream"),
        ("run.JS", b"WScript.Echo('hi')", "text/plain"),      # a script: no tell-tale bytes, its name says it
        ("invoice.pdf", PROGRAM, "application/pdf"),          # a program dressed as a PDF
        ("drawing.pdf", scan, "application/pdf")))
    by_name = {r.filename: r for r in rows}
    assert list(by_name) == ["mail.eml", "evil.exe", "run.JS", "invoice.pdf", "drawing.pdf"]
    for name in ("evil.exe", "run.JS", "invoice.pdf"):
        row = by_name[name]
        assert row.note.startswith(attachments.PROGRAM_NOTE), row
        assert row.media_type == "application/octet-stream" and attachments.part_warning(row)
        with pytest.raises(Conflict, match=r"is a program that came inside the e-mail.*Nothing was saved"):
            attachments.open_attachment(db, coordinator, row.id)
        with pytest.raises(ValidationError, match="text can be read from scans"):
            attachments.extract_text(db, coordinator, row.id)
    assert by_name["drawing.pdf"].media_type == "application/pdf" and by_name["drawing.pdf"].note == ""
    assert attachments.open_attachment(db, coordinator, by_name["drawing.pdf"].id)[1] == scan


def test_a_program_stored_by_an_earlier_version_is_not_opened(db: Database, coordinator: Principal,
                                                              arrangement: int) -> None:
    from sqlalchemy import update

    from adoption_desktop.letterbox.attachment_models import Attachment

    item_id = _item(db, coordinator, arrangement)
    rows = attachments.attach(db, coordinator, item_id, "mail.eml",
                              _eml(("evil.exe", PROGRAM, "application/octet-stream")))
    with db.session() as s:  # as an earlier version stored it: no flag
        s.execute(update(Attachment).where(Attachment.id == rows[1].id).values(note=""))
    with pytest.raises(Conflict, match=r"evil\.exe is a program"):
        attachments.open_attachment(db, coordinator, rows[1].id)


def test_parts_that_claim_to_be_a_pdf_are_not_stored_as_one(db: Database, coordinator: Principal,
                                                            arrangement: int) -> None:
    item_id = _item(db, coordinator, arrangement)
    scan = pdf_scan([render_page("Dear Gina", height=300)])
    rows = attachments.attach(db, coordinator, item_id, "mail.eml", _eml(
        ("letter.pdf", b"not a pdf", "application/pdf"), ("scan.pdf", JUNK_PDF, "application/pdf"),
        ("locked.pdf", _password_pdf(scan), "application/pdf"), ("photo.jpg", b"hello", "image/jpeg")))
    got = {r.filename: (r.media_type, r.note) for r in rows[1:]}
    assert all(media == "application/octet-stream" for media, _ in got.values()), got
    assert got["letter.pdf"][1].startswith("Not a readable PDF: the e-mail says it is one, but it is not.")
    assert got["scan.pdf"][1].startswith("Not a readable PDF (damaged)")
    assert got["locked.pdf"][1].startswith("Not a readable PDF (protected by a password)")
    assert got["photo.jpg"][1].startswith("Not a readable picture")
    # the parts are kept (the e-mail is the record) and can be saved; their text is never tried as a PDF
    assert attachments.open_attachment(db, coordinator, rows[1].id)[1] == b"not a pdf"


@pytest.mark.parametrize(("data", "said"), [
    (JUNK_PDF, "starts like a PDF but is not a readable PDF"),
    (b"%PDF-1.7\n" + b"x" * 100, "starts like a PDF but is not a readable PDF"),
    (None, "is protected by a password"),
])
def test_a_pdf_that_cannot_be_read_is_refused_when_attached(db: Database, coordinator: Principal, arrangement: int,
                                                            data: bytes | None, said: str) -> None:
    item_id = _item(db, coordinator, arrangement)
    if data is None:
        data = _password_pdf(pdf_scan([render_page("Dear Gina", height=300)]))
    with pytest.raises(ValidationError, match=f"letter.pdf {said}.*Nothing was attached"):
        attachments.attach(db, coordinator, item_id, "letter.pdf", data)
    assert attachments.list_attachments(db, coordinator, item_id) == []


def test_the_window_says_what_was_flagged_and_does_not_save_a_program(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int, tmp_path: Path) -> None:
    item_id = _item(db, coordinator, arrangement)
    panel = AttachmentsPanel(AppContext(db, coordinator, TaskRunner(synchronous=True)), item_id)
    qtbot.addWidget(panel)
    mail = tmp_path / "mail.eml"
    mail.write_bytes(_eml(("..\\..\\evil.exe", PROGRAM, "application/octet-stream")))
    panel.attach_paths([mail])
    said = panel.message.text()
    assert "evil.exe: Program file: not opened or saved" in said and "tell your IT team" in said, said
    shown = panel.model.data(panel.model.index(1, 0))
    assert "evil.exe" in shown and "⚠ Program file" in shown, shown
    target = tmp_path / "copy.exe"
    panel.save_copy(panel.model.rows()[1].id, target)
    assert not target.exists() and "is a program" in panel.message.text()
