"""Letterbox documents without Qt: attach (encrypted, hashed, size-limited), OCR, redaction burned into
the pixels, the e-mail draft, and the .msg path."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import io
from email.message import EmailMessage

import pytest
from PIL.Image import Image
from sqlalchemy import select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.ocr import read_image, word_accuracy
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.settings_service import set_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import attachments, redaction, rules, service
from adoption_desktop.letterbox.attachment_models import AttachmentBlob
from adoption_desktop.letterbox.settings import ATTACHMENT_MAX_MB
from tests.letterbox.documents_fixtures import (
    LETTER_PAGES,
    make_msg,
    pdf_scan,
    png_bytes,
    render_page,
    tiff_scan,
)


def _item(db: Database, who: Principal, arrangement: int) -> int:
    return service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 2),
                            writer="Sam Thornley")


@pytest.fixture(scope="module")
def pages() -> list[Image]:
    return [render_page(t) for t in LETTER_PAGES]


def test_printed_letter_reads_at_95_percent_of_words(pages: list[Image]) -> None:
    for image, text in zip(pages, LETTER_PAGES, strict=True):
        page = read_image(image)
        assert word_accuracy(text, page.text) >= 0.95, page.text
        assert not page.is_low_confidence(0.8)


def test_scan_attached_encrypted_read_redacted_and_forwarded(db: Database, coordinator: Principal,
                                                             arrangement: int, pages: list[Image]) -> None:
    item_id = _item(db, coordinator, arrangement)
    data = pdf_scan(pages)
    rows = attachments.attach(db, coordinator, item_id, "scan.pdf", data)
    assert rows[0].sha256 == hashlib.sha256(data).hexdigest() and rows[0].kind == "scan"
    with db.session() as s:
        blob = s.get(AttachmentBlob, rows[0].id)
        assert blob is not None and data[:2000] not in blob.data  # stored encrypted
        details = " ".join(e.detail for e in s.scalars(select(AuditEntry)))
    assert rows[0].sha256 in details
    read = attachments.extract_text(db, coordinator, rows[0].id)
    assert len(read) == 2 and "ZZ99 4EF" in read[0].text
    proposed = redaction.proposed_pages(db, coordinator, item_id)
    assert len(proposed) == 2 and proposed[0].boxes, "the postcode and the address are boxed"
    with db.session() as s:  # the proposal shows the letter's words: it is a view of the item
        assert [e.detail for e in s.scalars(select(AuditEntry).where(
            AuditEntry.action == "view", AuditEntry.entity == "letterbox_items",
            AuditEntry.entity_id == str(item_id)))] == ["redaction proposal: 2 page(s) of 1 scan(s)"]
    # the coordinator adds a box by hand over the word 'swimming' and removes nothing
    swim = next(w for w in proposed[0].words if w[0].startswith("swimming"))
    first = redaction.RedactionPage(proposed[0].attachment_id, 1, proposed[0].filename,
                                    (*proposed[0].boxes, redaction.RedactionBox(*swim[1:5])))
    copy = redaction.export_redacted(db, coordinator, item_id, [first, proposed[1]])
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(copy.pdf))
    assert len(reader.pages) == 2
    assert all(not (p.extract_text() or "").strip() for p in reader.pages)
    img = reader.pages[0].images[0].image
    assert img is not None
    for box in first.boxes:
        region = img.convert("L").crop((box.x0 + 1, box.y0 + 1, box.x1 - 1, box.y1 - 1))
        assert region.getextrema() == (0, 0), box
    assert read_image(img).text.count("ZZ99") == 0
    history = service.get_item(db, coordinator, item_id).history
    assert any(e.action == "redacted_copy" and copy.sha256 in e.detail and e.actor == coordinator.username
               for e in history)
    # forwarding by e-mail needs a screened item and the arrangement's agreement to use e-mail
    with pytest.raises(Conflict, match="screen it first"):
        redaction.email_draft(db, coordinator, item_id, copy.attachment_id)
    service.screen_item(db, coordinator, item_id, attachments.documents_text(read))
    with pytest.raises(Conflict, match="e-mail facility"):
        redaction.email_draft(db, coordinator, item_id, copy.attachment_id)
    detail = service.get_arrangement(db, coordinator, arrangement)
    service.update_arrangement(db, coordinator, arrangement,
                               detail.data.__class__(**{**detail.data.__dict__, "email_allowed": True}))
    # an address is one address: a second header smuggled after a line break, or a name, is refused
    for bad, match in (("gina@example.invalid\nBcc: all@example.invalid", "To"), ("Gina", "not an e-mail")):
        with pytest.raises(ValidationError, match=match):
            redaction.email_draft(db, coordinator, item_id, copy.attachment_id, to=bad)
    with pytest.raises(ValidationError, match="From"):
        redaction.email_draft(db, coordinator, item_id, copy.attachment_id, sender="letterbox@")
    draft = redaction.email_draft(db, coordinator, item_id, copy.attachment_id, to="gina@example.invalid")
    msg = email.message_from_bytes(draft.data, policy=email.policy.default)
    assert msg["X-Unsent"] == "1"
    assert isinstance(msg, EmailMessage)
    payload = next(iter(msg.iter_attachments())).get_payload(decode=True)
    assert isinstance(payload, bytes) and hashlib.sha256(payload).hexdigest() == copy.sha256
    # the copy was exported before this screening: it is not the one to forward, so the findings block
    with pytest.raises(Conflict, match="export a redacted copy"):
        service.record_outcome(db, coordinator, item_id, "forwarded", dt.date(2026, 3, 5), method="email")
    extra = redaction.RedactionPage(first.attachment_id, 1, first.filename,
                                    (*first.boxes, redaction.RedactionBox(10, 10, 60, 60)))
    fresh = redaction.export_redacted(db, coordinator, item_id, [extra, proposed[1]])
    service.record_outcome(db, coordinator, item_id, "forwarded", dt.date(2026, 3, 5), method="email")
    went = [e for e in service.get_item(db, coordinator, item_id).history if e.action == "forwarded"]
    assert fresh.sha256 in went[0].detail and copy.sha256 not in went[0].detail


def test_size_limit_and_unsupported_files_are_refused_clearly(db: Database, coordinator: Principal,
                                                             arrangement: int) -> None:
    item_id = _item(db, coordinator, arrangement)
    from adoption_desktop.core.security.permissions import SYSTEM

    set_setting(db, SYSTEM, ATTACHMENT_MAX_MB, 1)
    big = png_bytes(render_page("x")) + b"\x00" * (1024 * 1024)
    with pytest.raises(ValidationError, match="limit set by your agency is 1 MB"):
        attachments.attach(db, coordinator, item_id, "big.png", big)
    with pytest.raises(ValidationError, match="not a PDF, JPEG"):
        attachments.attach(db, coordinator, item_id, "letter.docx", b"PK\x03\x04 not a scan")
    assert attachments.list_attachments(db, coordinator, item_id) == []


def test_msg_with_attachment_and_audited_opening(db: Database, coordinator: Principal, arrangement: int) -> None:
    item_id = _item(db, coordinator, arrangement)
    drawing = png_bytes(render_page("A drawing of a horse", height=400))
    msg = make_msg("Letter for Gina", "sam@example.invalid", "Dear Gina,\nWe moved to 12 Heron Gate.",
                   "drawing.png", drawing)
    rows = attachments.attach(db, coordinator, item_id, "letter.msg", msg)
    assert [r.kind for r in rows] == ["email", "email_part"] and rows[1].parent_id == rows[0].id
    body = attachments.attachment_pages(db, coordinator, rows[0].id)
    assert "Heron Gate" in body[0].text
    row, data = attachments.open_attachment(db, coordinator, rows[1].id)
    assert data == drawing
    with db.session() as s:
        views = [(e.entity_id, e.detail) for e in s.scalars(select(AuditEntry).where(
            AuditEntry.action == "view", AuditEntry.entity == "letterbox_attachments").order_by(AuditEntry.seq))]
    # reading the e-mail's text is a view of it, as much as opening the drawing's file
    assert views == [(str(rows[0].id), "text of letter.msg: 1 page(s)"),
                     (str(rows[1].id), f"drawing.png sha256={row.sha256}")]


def test_tiff_pages_and_viewer_cannot_attach(db: Database, coordinator: Principal, arrangement: int) -> None:
    from adoption_desktop.core.errors import PermissionDenied
    from adoption_desktop.core.security.permissions import Role
    from tests.conftest import make_user

    item_id = _item(db, coordinator, arrangement)
    data = tiff_scan([render_page("Page one", height=300), render_page("Page two", height=300)])
    manager = make_user(db, "mgr1", Role.MANAGER)
    with pytest.raises(PermissionDenied):
        attachments.attach(db, manager, item_id, "scan.tiff", data)
    rows = attachments.attach(db, coordinator, item_id, "scan.tiff", data)
    row, raw = attachments.open_attachment(db, coordinator, rows[0].id)
    assert len(attachments.page_images(row, raw)) == 2


def test_files_round_trip_and_tampering_is_caught_on_both_stores(any_db: Database) -> None:
    from sqlalchemy import update

    from adoption_desktop.core.security.permissions import Role
    from tests.conftest import make_user
    from tests.letterbox.conftest import sample_input

    who = make_user(any_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(any_db, who, sample_input())
    item_id = _item(any_db, who, arrangement)
    data = png_bytes(render_page("Hello from the seaside", height=300))
    rows = attachments.attach(any_db, who, item_id, "photo.png", data)
    assert attachments.open_attachment(any_db, who, rows[0].id)[1] == data
    with any_db.session() as s:
        blob = s.get(AttachmentBlob, rows[0].id)
        assert blob is not None
        tampered = bytes([blob.data[0] ^ 1]) + blob.data[1:]
        s.execute(update(AttachmentBlob).where(AttachmentBlob.attachment_id == rows[0].id).values(data=tampered))
    with pytest.raises(Conflict, match="does not match its record"):
        attachments.open_attachment(any_db, who, rows[0].id)


def test_handwriting_is_flagged_for_typing(db: Database, coordinator: Principal, arrangement: int) -> None:
    from tests.letterbox.documents_fixtures import scribble_page

    item_id = _item(db, coordinator, arrangement)
    rows = attachments.attach(db, coordinator, item_id, "handwritten.png", png_bytes(scribble_page()))
    pages = attachments.extract_text(db, coordinator, rows[0].id)
    assert pages[0].low_confidence
    history = service.get_item(db, coordinator, item_id).history
    assert any("type or dictate" in e.detail for e in history if e.action == "text_read")
    attachments.set_page_text(db, coordinator, rows[0].id, 1, "Dear Gina, we went to the zoo.")
    typed = attachments.attachment_pages(db, coordinator, rows[0].id)[0]
    assert typed.source == "typed" and not typed.low_confidence


def test_born_digital_pdf_uses_its_text_and_cannot_be_redacted_here(db: Database, coordinator: Principal,
                                                                   arrangement: int) -> None:
    from tests.letterbox.documents_fixtures import born_digital_pdf

    item_id = _item(db, coordinator, arrangement)
    rows = attachments.attach(db, coordinator, item_id, "typed.pdf",
                              born_digital_pdf("Dear Gina,\nWe live at 12 Heron Gate, ZZ99 4EF."))
    pages = attachments.extract_text(db, coordinator, rows[0].id)
    assert pages[0].source == "embedded" and "ZZ99 4EF" in pages[0].text
    page = redaction.RedactionPage(rows[0].id, 1, "typed.pdf")
    with pytest.raises(Conflict, match="born-digital"):
        redaction.export_redacted(db, coordinator, item_id, [page])


def test_eml_body_and_attachments(db: Database, coordinator: Principal, arrangement: int) -> None:
    from tests.letterbox.documents_fixtures import make_eml

    item_id = _item(db, coordinator, arrangement)
    drawing = png_bytes(render_page("A drawing", height=300))
    rows = attachments.attach(db, coordinator, item_id, "news.eml",
                              make_eml("Our news", "Dear Gina,\nRosa started at Kestrel Vale Primary.",
                                       "drawing.png", drawing))
    assert [(r.kind, r.media_type) for r in rows] == [("email", "message/rfc822"), ("email_part", "image/png")]
    body = attachments.attachment_pages(db, coordinator, rows[0].id)[0].text
    assert body.startswith("Subject: Our news") and "Kestrel Vale Primary" in body
    assert attachments.open_attachment(db, coordinator, rows[1].id)[1] == drawing


def test_received_names_and_mail_text_are_made_safe() -> None:
    from adoption_desktop.letterbox import extraction

    assert extraction.safe_filename("C:\\Users\\sam\\drawing\x07.png") == "drawing.png"
    assert extraction.safe_filename("../../secret.txt") == "secret.txt"
    assert len(extraction.safe_filename("a" * 300 + ".png")) == 255
    parts = extraction.EmailParts("Hi\u200b there", "sam@example.invalid", "", "Line one\x0cLine two\r\n", ())
    assert extraction.email_text(parts) == "Subject: Hi there\n\nLine one Line two"


def test_two_users_on_two_connections_attach_at_once(any_db: Database, store: SecretStore) -> None:
    """Two coordinators (two engines, as on two PCs) attach files at the same moment: every file is kept,
    each opens the other's, and the audit chain stays whole (no fork)."""
    import threading

    from adoption_desktop.core import audit
    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.core.storage.engine import open_postgresql
    from adoption_desktop.core.storage.lifecycle import open_database
    from tests.conftest import make_user
    from tests.letterbox.conftest import sample_input

    first = make_user(any_db, "lbone", Role.LETTERBOX_COORDINATOR)
    second = make_user(any_db, "lbtwo", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(any_db, first, sample_input())
    item_id = _item(any_db, first, arrangement)
    if any_db.is_sqlite:
        assert any_db.path is not None
        other = open_database(any_db.path, store)
    else:
        other = open_postgresql(any_db.engine.url.render_as_string(hide_password=False))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    ids: list[int] = []

    def work(database: Database, who: Principal, tag: str) -> None:
        try:
            barrier.wait(10)
            for n in range(3):
                data = png_bytes(render_page(f"{tag} page {n}", height=200))
                ids.extend(r.id for r in attachments.attach(database, who, item_id, f"{tag}-{n}.png", data))
        except BaseException as exc:  # reported below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=work, args=(any_db, first, "one")),
                   threading.Thread(target=work, args=(other, second, "two"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        assert len(ids) == 6
        names = {attachments.open_attachment(other, second, i)[0].filename for i in ids}
        assert names == {f"{tag}-{n}.png" for tag in ("one", "two") for n in range(3)}
        with any_db.session() as s:
            assert audit.verify_chain(s) is None
    finally:
        other.dispose()


def test_reading_can_be_stopped_between_pages(db: Database, coordinator: Principal, arrangement: int) -> None:
    item_id = _item(db, coordinator, arrangement)
    data = tiff_scan([render_page("Page one", height=300), render_page("Page two", height=300)])
    rows = attachments.attach(db, coordinator, item_id, "scan.tiff", data)
    seen: list[tuple[int, int]] = []

    def stop_after_first(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 1

    assert attachments.extract_text(db, coordinator, rows[0].id, progress=stop_after_first) == []
    assert seen == [(0, 2), (1, 2)]
    assert attachments.attachment_pages(db, coordinator, rows[0].id) == []  # nothing half-stored


def test_transparent_png_reads_as_paper() -> None:
    from PIL import Image as PILImage

    from adoption_desktop.letterbox import extraction

    page = render_page("Dear Gina, happy birthday", height=200).convert("RGBA")
    clear = PILImage.new("RGBA", page.size, (0, 0, 0, 0))
    clear.paste(page, mask=page.convert("L").point(lambda v: 255 - v))  # only the ink is opaque
    img = extraction.image_pages(png_bytes(clear))[0]
    assert img.getpixel((5, 5)) == (255, 255, 255)
    assert "birthday" in read_image(img).text
