"""The documents of a letterbox item: attach (scan, photo, e-mail with its attachments), read the text
of each page (OCR offline, or the PDF's own text, or the e-mail body), open a file (audited).

Files are kept inside the database, encrypted with AES-256-GCM under the database's document key, so
team mode on PostgreSQL holds them as well; each file's SHA-256 is written to the audit chain when it is
attached, and again whenever it is opened. OCR runs outside any transaction (it takes seconds a page).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import lock_row, when_text
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.base import get_or_raise, record_now
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import extraction, rules
from adoption_desktop.letterbox.attachment_models import (
    Attachment,
    AttachmentBlob,
    AttachmentPage,
    DocumentKey,
)
from adoption_desktop.letterbox.models import Item, ItemEvent
from adoption_desktop.letterbox.settings import ATTACHMENT_MAX_MB, OCR_LOW_CONFIDENCE_PERCENT

P = Permission
SCAN, EMAIL, EMAIL_PART, REDACTED, DRAFT = "scan", "email", "email_part", "redacted", "draft"


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    item_id: int
    parent_id: int | None
    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str
    pages: int
    created_at: dt.datetime
    created_by: str
    note: str = ""


@dataclass(frozen=True)
class PageText:
    attachment_id: int
    page_no: int
    source: str  # ocr / embedded / email / none
    text: str
    words: tuple[tuple[str, int, int, int, int, float], ...]  # text, x0, y0, x1, y1, confidence
    width: int
    height: int
    confidence: float
    low_confidence: bool
    char_boxes: tuple[tuple[int, int, int, int] | None, ...] = ()


def _row(a: Attachment) -> AttachmentRow:
    return AttachmentRow(a.id, a.item_id, a.parent_id, a.kind, a.filename, a.media_type, a.size, a.sha256,
                         a.pages, a.created_at, a.created_by, a.note)


# --- encryption -----------------------------------------------------------------------------------
def _document_key(session: Session) -> DocumentKey:
    key = session.scalar(select(DocumentKey).order_by(DocumentKey.id.desc()).limit(1))
    if key is None:
        key = DocumentKey(key=os.urandom(32), created_at=record_now(session))
        session.add(key)
        session.flush()
    return key


def _aad(attachment_id: int, sha256: str) -> bytes:
    return f"letterbox-attachment:{attachment_id}:{sha256}".encode()


def _store_blob(session: Session, attachment: Attachment, data: bytes) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = _document_key(session)
    nonce = os.urandom(12)
    sealed = AESGCM(key.key).encrypt(nonce, data, _aad(attachment.id, attachment.sha256))
    session.add(AttachmentBlob(attachment_id=attachment.id, key_id=key.id, nonce=nonce, data=sealed))


def load_blob(session: Session, attachment: Attachment) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    blob = get_or_raise(session, AttachmentBlob, attachment.id, f"The file of attachment {attachment.id} is missing.")
    key = get_or_raise(session, DocumentKey, blob.key_id, "The document key is missing from the database.")
    try:
        data = AESGCM(key.key).decrypt(blob.nonce, blob.data, _aad(attachment.id, attachment.sha256))
    except InvalidTag as exc:
        raise Conflict(f"{attachment.filename}: the stored file does not match its record (damaged or "
                       "altered); restore the database from a backup.") from exc
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise Conflict(f"{attachment.filename}: the stored file does not match its SHA-256.")
    return data


# --- use cases ------------------------------------------------------------------------------------
def record_event(session: Session, item_id: int, action: str, detail: str) -> None:
    actor = session.info["actor"]
    session.add(ItemEvent(item_id=item_id, at=record_now(session), actor=actor.username, action=action, detail=detail))
    audit.record(session, f"letterbox_{action}", "letterbox_items", item_id, detail=detail)


def _check_size(session: Session, filename: str, size: int) -> None:
    limit_mb = get_setting(session, ATTACHMENT_MAX_MB)
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(
            f"File: {filename} is {size / 1024 / 1024:.1f} MB; the limit set by your agency is {limit_mb} MB. "
            "Scan at a lower resolution (200 dpi is enough to read), or ask an administrator to raise "
            "the limit (Administration → Settings).", "file")
    if size == 0:
        raise ValidationError(f"File: {filename} is empty.", "file")


def add_file_in(session: Session, item_id: int, filename: str, data: bytes, kind: str, media_type: str, *,
                parent_id: int | None = None, pages: int = 0, note: str = "") -> Attachment:
    """Store one file (encrypted) and record its SHA-256 in the audit chain, in the caller's transaction."""
    _check_size(session, filename, len(data))
    actor = session.info["actor"]
    digest = hashlib.sha256(data).hexdigest()
    a = Attachment(item_id=item_id, parent_id=parent_id, kind=kind, filename=extraction.safe_filename(filename),
                   media_type=media_type[:100] or "application/octet-stream", size=len(data), sha256=digest,
                   pages=pages, created_at=record_now(session), created_by=actor.username, note=note)
    session.add(a)
    session.flush()
    _store_blob(session, a, data)
    session.flush()
    audit.record(session, "letterbox_attachment_stored", "letterbox_attachments", a.id,
                 detail=f"{kind} {a.filename} {len(data)} bytes sha256={digest}")
    return a


#: the note of an e-mail part that is a program (``extraction.is_program``): kept for the record, never opened
PROGRAM_NOTE = "Program file: not opened or saved by Adoption Desktop"
#: the note of an e-mail part that says it is a PDF or an image but is not one that can be read
UNREADABLE_NOTE = "Not a readable"


def part_warning(row: AttachmentRow) -> str:
    """What the list of files says beside an e-mail part that is flagged ("" for the others)."""
    return row.note if row.kind == EMAIL_PART and row.note.startswith((PROGRAM_NOTE, UNREADABLE_NOTE)) else ""


def is_program_part(row: AttachmentRow, data: bytes = b"") -> bool:
    """An e-mail part that is a program: flagged when it was attached, or (stored by an earlier version)
    named or made like one."""
    return row.kind == EMAIL_PART and (row.note.startswith(PROGRAM_NOTE) or extraction.is_program(row.filename, data))


def _refuse_unreadable_pdf(filename: str, data: bytes) -> None:
    problem = extraction.pdf_problem(data)
    if problem == extraction.PDF_PASSWORD:
        raise ValidationError(
            f"File: {filename} is protected by a password, so its pages cannot be read or redacted here. "
            "Nothing was attached. Open it with its password and print it to PDF (Microsoft Print to PDF) to "
            "make a copy without one, and attach that; or attach the e-mail it came in.", "file")
    if problem:
        raise ValidationError(
            f"File: {filename} starts like a PDF but is not a readable PDF (it may be damaged, or cut short "
            "when it was saved or sent). Nothing was attached. Ask the sender for the file again, or scan the "
            "paper letter again, and attach that.", "file")


def _part_type_and_note(part: extraction.ReceivedFile) -> tuple[str, str]:
    """The type an e-mail's attachment is stored under, from its bytes, and its flag: a program is kept
    for the record but never read or opened; a part that claims to be a PDF or an image but is not a
    readable one is kept as plain data (never read as what it claims)."""
    name = extraction.safe_filename(part.filename)
    if extraction.is_program(name, part.data) or extraction.is_program(part.filename, part.data):
        return "application/octet-stream", (f"{PROGRAM_NOTE}: {name} is a program (it could harm the "
                                            "computer). It is kept with the e-mail for the record only.")
    media = extraction.sniff(part.filename, part.data)
    problem = extraction.pdf_problem(part.data) if media == extraction.PDF else ""
    if problem:
        why = "protected by a password" if problem == extraction.PDF_PASSWORD else "damaged"
        return "application/octet-stream", (f"{UNREADABLE_NOTE} PDF ({why}): its text cannot be read. "
                                            "Ask the sender for it again if it is needed.")
    claimed = part.media_type.lower()
    if not media and claimed in (*extraction.SCAN_TYPES, *extraction.EMAIL_TYPES):
        kind = "PDF" if claimed == extraction.PDF else "picture" if claimed.startswith("image/") else "e-mail"
        return "application/octet-stream", (f"{UNREADABLE_NOTE} {kind}: the e-mail says it is one, but it is "
                                            "not. Ask the sender for it again if it is needed.")
    return media or claimed, ""


class AttachedAlready(Conflict):
    """The file is already attached to the item (the same bytes: the same SHA-256)."""


def _refuse_attached_already(session: Session, item_id: int, filename: str, digest: str) -> None:
    """Refuse a file whose bytes (SHA-256) are already one of the item's received files, a scan or an
    e-mail, as attached by anyone (two-people trial: two coordinators attached one scan at the same moment,
    and the item held two copies, its history saying it was attached twice). The files inside an e-mail are
    not compared: the same photo may come in two e-mails, and an e-mail attached again is caught whole;
    the redacted copies and drafts are the program's own."""
    found = session.execute(
        select(Attachment.filename, Attachment.created_at, Attachment.created_by, User.full_name)
        .outerjoin(User, User.username == Attachment.created_by)
        .where(Attachment.item_id == item_id, Attachment.sha256 == digest, Attachment.parent_id.is_(None),
               Attachment.kind.in_((SCAN, EMAIL)))
        .order_by(Attachment.id).limit(1)).first()
    if found is None:
        return
    name, at, login, full_name = found
    same = "" if name == extraction.safe_filename(filename) else f" as {name}"
    raise AttachedAlready(
        f"{extraction.safe_filename(filename)} is already attached to this item{same} (attached by "
        f"{full_name or login} at {when_text(at)}); it was not attached again. The copy already there is the "
        "same file: nothing more is needed.")


def attach(db: Database, actor: Principal, item_id: int, filename: str, data: bytes) -> list[AttachmentRow]:
    """Attach a scan/photo (PDF, JPEG, PNG, TIFF) or an e-mail (.eml, .msg: its attachments are kept as
    parts of it). Returns the rows stored (the file first).

    A PDF that pypdf cannot open (damaged, or protected by a password) is refused, as any file whose type
    is not supported is. An e-mail is kept whole for the record, so each of its attachments is kept, but
    flagged in its note (:func:`part_warning`) when it is a program (never read, never opened: see
    :func:`open_attachment`) or not the readable PDF or picture it claims to be (never read)."""
    require(actor, P.LETTERBOX_EDIT)
    with db.session(actor, write=False) as session:
        _check_size(session, filename, len(data))  # before parsing a huge e-mail
    media = extraction.check_supported(filename, data)
    if media == extraction.PDF:
        _refuse_unreadable_pdf(filename, data)
    parts = extraction.parse_email(media, data) if media in extraction.EMAIL_TYPES else None
    with db.session(actor) as session:
        # the item's row locked (PostgreSQL; on SQLite the write transaction is one at a time already): two
        # people attaching at once take turns, the second sees the first's file and its outcome
        item = lock_row(session, get_or_raise(session, Item, item_id, f"No item {item_id}."))
        if item.status not in ("received", "screened"):
            raise Conflict(rules.after_outcome(item_id, item.status, "nothing more is attached to it (its documents "
                                               "are those it had when the outcome was recorded)",
                                               "Nothing was attached."))
        _refuse_attached_already(session, item_id, filename, hashlib.sha256(data).hexdigest())
        kind = EMAIL if parts is not None else SCAN
        main = add_file_in(session, item_id, filename, data, kind, media,
                           note=f"From: {parts.sender}; subject: {parts.subject}" if parts else "")
        stored = [main]
        if parts is not None:
            session.add(AttachmentPage(attachment_id=main.id, page_no=1, source="email",
                                       text=extraction.email_text(parts), words="[]", width=0, height=0,
                                       confidence=1.0, low_confidence=False))
            main.pages = 1
            for part in parts.attachments:
                part_media, note = _part_type_and_note(part)
                stored.append(add_file_in(session, item_id, part.filename, part.data, EMAIL_PART, part_media,
                                          parent_id=main.id, note=note))
        names = ", ".join(a.filename for a in stored)
        record_event(session, item_id, "attached", f"{names} (sha256 {main.sha256[:16]}…)")
        return [_row(a) for a in stored]


def list_attachments(db: Database, actor: Principal, item_id: int) -> list[AttachmentRow]:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return [_row(a) for a in session.scalars(
            select(Attachment).where(Attachment.item_id == item_id).order_by(Attachment.id))]


def open_attachment(db: Database, actor: Principal, attachment_id: int) -> tuple[AttachmentRow, bytes]:
    """The file's bytes, checked against its SHA-256; every opening is audited. A program that came inside
    an e-mail (:func:`is_program_part`) is refused: it is kept for the record, never opened."""
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, views_only=True) as session:
        a = get_or_raise(session, Attachment, attachment_id, f"No attachment {attachment_id}.")
        data = load_blob(session, a)
        if is_program_part(_row(a), data):
            raise Conflict(f"{a.filename} is a program that came inside the e-mail: Adoption Desktop keeps it "
                           "for the record but does not open or save it, as it could harm the computer. Nothing "
                           "was saved. If the letter itself is needed, ask the writer to send it as a PDF or a "
                           "photo.")
        audit.record_view(session, "letterbox_attachments", a.id, detail=f"{a.filename} sha256={a.sha256}")
        return _row(a), data


def _load_for_reading(db: Database, actor: Principal, attachment_id: int) -> tuple[AttachmentRow, bytes]:
    with db.session(actor) as session:
        a = get_or_raise(session, Attachment, attachment_id, f"No attachment {attachment_id}.")
        data = load_blob(session, a)
        audit.record(session, "letterbox_attachment_read", "letterbox_attachments", a.id,
                     detail=f"text extraction of {a.filename}")
        return _row(a), data


def page_images(row: AttachmentRow, data: bytes) -> list[object]:
    """The page images of a scan (PIL images); a PDF page that is not one scanned image gives None."""
    if row.media_type == extraction.PDF:
        return [p.image for p in extraction.pdf_pages(data)]
    if row.media_type in extraction.IMAGE_TYPES:
        return list(extraction.image_pages(data))
    return []


def extract_text(db: Database, actor: Principal, attachment_id: int, *,
                 progress: Callable[[int, int], bool] | None = None) -> list[PageText]:
    """Read the text of every page (OCR of page images; a born-digital PDF page's own text), store it with
    the word boxes, flag pages read with low confidence. Slow: call it from a background task.

    ``progress(pages_done, pages)`` is called before each page; when it returns False the reading stops
    and nothing is stored (an empty list is returned)."""
    from adoption_desktop.core import ocr

    require(actor, P.LETTERBOX_EDIT)
    row, data = _load_for_reading(db, actor, attachment_id)
    if row.kind == EMAIL:  # an e-mail's body was stored when it was attached; reading it is audited above
        with db.session(actor, write=False) as session:
            return stored_page_text(session, attachment_id)
    with db.session(actor, write=False) as session:
        threshold = get_setting(session, OCR_LOW_CONFIDENCE_PERCENT) / 100
    pages: list[PageText] = []
    if row.media_type == extraction.PDF:
        sources: list[tuple[object, str]] = [(p.image, p.text) for p in extraction.pdf_pages(data)]
    elif row.media_type in extraction.IMAGE_TYPES:
        sources = [(img, "") for img in extraction.image_pages(data)]
    else:
        raise ValidationError(f"{row.filename}: text can be read from scans (PDF or images) and e-mails only.")
    for n, (image, embedded) in enumerate(sources, start=1):
        if progress is not None and not progress(n - 1, len(sources)):
            return []
        if image is not None:
            from PIL.Image import Image as PILImage

            assert isinstance(image, PILImage)
            page = ocr.read_image(image)
            pages.append(PageText(row.id, n, "ocr", page.text,
                                  tuple((w.text, *w.box, round(w.confidence, 4)) for w in page.words),
                                  page.width, page.height, round(page.confidence, 4),
                                  page.is_low_confidence(threshold), page.char_boxes))
        elif embedded.strip():
            pages.append(PageText(row.id, n, "embedded", embedded, (), 0, 0, 1.0, False))
        else:
            pages.append(PageText(row.id, n, "none", "", (), 0, 0, 0.0, True))
    with db.session(actor) as session:
        a = get_or_raise(session, Attachment, attachment_id, f"No attachment {attachment_id}.")
        for old in session.scalars(select(AttachmentPage).where(AttachmentPage.attachment_id == a.id)):
            session.delete(old)
        for p in pages:
            session.add(AttachmentPage(attachment_id=a.id, page_no=p.page_no, source=p.source, text=p.text,
                                       words=json.dumps({"words": p.words, "chars": p.char_boxes}),
                                       width=p.width, height=p.height, confidence=p.confidence,
                                       low_confidence=p.low_confidence))
        a.pages = len(pages)
        low = [str(p.page_no) for p in pages if p.low_confidence]
        record_event(session, a.item_id, "text_read", f"{a.filename}: {len(pages)} page(s) read"
               + (f"; page(s) {', '.join(low)} not read reliably (handwriting?): type or dictate them" if low
                  else ""))
    return pages


def stored_page_text(session: Session, attachment_id: int) -> list[PageText]:
    """The stored text of an attachment's pages, in the caller's session. The caller records why it reads
    them: a view of the attachment (``attachment_pages``) or of the item (the redaction proposal)."""
    out = []
    for p in session.scalars(select(AttachmentPage).where(AttachmentPage.attachment_id == attachment_id)
                             .order_by(AttachmentPage.page_no)):
        stored = json.loads(p.words or "[]")
        words = stored.get("words", []) if isinstance(stored, dict) else stored
        chars = stored.get("chars", []) if isinstance(stored, dict) else []
        out.append(PageText(p.attachment_id, p.page_no, p.source, p.text,
                            tuple((str(w[0]), int(w[1]), int(w[2]), int(w[3]), int(w[4]), float(w[5]))
                                  for w in words),
                            p.width, p.height, p.confidence, p.low_confidence,
                            tuple(tuple(c) if c else None for c in chars)))
    return out


def attachment_pages(db: Database, actor: Principal, attachment_id: int) -> list[PageText]:
    """The text read from an attachment's pages (the letter's content): every reading is audited as a view
    of the attachment, like opening its file."""
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, views_only=True) as session:
        a = get_or_raise(session, Attachment, attachment_id, f"No attachment {attachment_id}.")
        pages = stored_page_text(session, a.id)
        if pages:  # a file whose text was never read shows nothing
            audit.record_view(session, "letterbox_attachments", a.id,
                              detail=f"text of {a.filename}: {len(pages)} page(s)")
        return pages


def documents_text(pages: list[PageText]) -> str:
    """The text of several pages as one letter for screening (pages separated by a blank line)."""
    return "\n\n".join(p.text for p in pages if p.text.strip())


def set_page_text(db: Database, actor: Principal, attachment_id: int, page_no: int, text: str) -> None:
    """The coordinator's own typing (or dictation) of a page the OCR could not read."""
    require(actor, P.LETTERBOX_EDIT)
    with db.session(actor) as session:
        page = session.scalar(select(AttachmentPage).where(AttachmentPage.attachment_id == attachment_id,
                                                           AttachmentPage.page_no == page_no))
        if page is None:
            raise ValidationError(f"Page {page_no}: read the text of the document first.", "page")
        page.text = text
        page.source = "typed"
        page.low_confidence = False
        a = get_or_raise(session, Attachment, attachment_id, f"No attachment {attachment_id}.")
        record_event(session, a.item_id, "text_typed", f"{a.filename} page {page_no} typed by the coordinator")
