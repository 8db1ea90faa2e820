"""A redacted copy of a scanned letter, and the e-mail draft that carries it.

Each screening finding on a page read by OCR becomes a box over the characters it covers; the
coordinator adds and removes boxes, then exports: the boxes are burned into the pixels (filled black on
a copy of the page image) and each page goes into the PDF as one flattened image — no text layer, no
original image underneath. The copy is stored with the item (encrypted, SHA-256 audited) and the
item's history says who made it and when. Forwarding by e-mail gives an ``.eml`` draft (``X-Unsent: 1``)
for the council's mail client; the application never sends mail itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.ocr import boxes_for_span
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_email, clean_text
from adoption_desktop.letterbox import attachments, extraction, rules
from adoption_desktop.letterbox.attachment_models import Attachment
from adoption_desktop.letterbox.models import Arrangement, Finding, Item
from adoption_desktop.letterbox.screening import screen_text

if TYPE_CHECKING:
    from PIL.Image import Image

P = Permission
Box = tuple[int, int, int, int]
EXPORT_DPI = 150  # page size in the PDF when the image does not say its resolution
A4_POINTS = (595.28, 841.89)


@dataclass(frozen=True)
class RedactionBox:
    x0: int
    y0: int
    x1: int
    y1: int
    label: str = "added by hand"

    def normalised(self) -> RedactionBox:
        return RedactionBox(min(self.x0, self.x1), min(self.y0, self.y1), max(self.x0, self.x1),
                            max(self.y0, self.y1), self.label)


@dataclass(frozen=True)
class RedactionPage:
    attachment_id: int
    page_no: int
    filename: str
    boxes: tuple[RedactionBox, ...] = ()
    words: tuple[tuple[str, int, int, int, int, float], ...] = field(default=(), compare=False)
    low_confidence: bool = False


@dataclass(frozen=True)
class ExportedCopy:
    attachment_id: int
    filename: str
    sha256: str
    pdf: bytes
    pages: int
    boxes: int


@dataclass(frozen=True)
class EmailDraft:
    attachment_id: int
    filename: str
    sha256: str
    data: bytes


def _finding_reason(f: object) -> str:
    return str(getattr(f, "reason", "") or getattr(f, "kind", "finding"))


def proposed_pages(db: Database, actor: Principal, item_id: int) -> list[RedactionPage]:
    """Every scanned page of the item with a box over each screening finding (findings the coordinator
    marked acceptable are left unboxed)."""
    from adoption_desktop.letterbox.service import screening_terms

    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, views_only=True) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        terms = screening_terms(session, item.arrangement_id, rules.writer_side(item.direction))
        acceptable = {t.lower() for t in session.scalars(select(Finding.text).where(
            Finding.item_id == item_id, Finding.decision == "acceptable"))}
        scans = [(a.id, a.filename, attachments.stored_page_text(session, a.id))
                 for a in session.scalars(select(Attachment).where(
                     Attachment.item_id == item_id,
                     Attachment.kind.in_((attachments.SCAN, attachments.EMAIL_PART)),
                     Attachment.media_type.in_(extraction.SCAN_TYPES)).order_by(Attachment.id))]
        shown = sum(len(p) for _a, _f, p in scans)
        if shown:  # no page read yet: the window shows nothing of the letter
            audit.record_view(session, "letterbox_items", item.id,
                              detail=f"redaction proposal: {shown} page(s) of {len(scans)} scan(s)")
    out: list[RedactionPage] = []
    for attachment_id, filename, pages in scans:
        for page in pages:
            boxes: list[RedactionBox] = []
            if page.char_boxes and len(page.char_boxes) == len(page.text):
                for f in screen_text(page.text, terms.terms, terms.labels, terms.surnames):
                    if page.text[f.start:f.end].lower() in acceptable:
                        continue
                    for b in boxes_for_span(page.char_boxes, f.start, f.end, page.width, page.height):
                        boxes.append(RedactionBox(*b, label=_finding_reason(f)))
            out.append(RedactionPage(attachment_id, page.page_no, filename, tuple(boxes), page.words,
                                     page.low_confidence))
    return out


def copy_to_forward(session: Session, item_id: int, screened_at: dt.datetime | None) -> Attachment | None:
    """The redacted copy that goes out when the item is forwarded: the latest one exported since the item
    was last screened (an older copy may not match what was screened)."""
    if screened_at is None:
        return None
    return session.scalar(select(Attachment).where(
        Attachment.item_id == item_id, Attachment.kind == attachments.REDACTED,
        Attachment.created_at >= screened_at).order_by(Attachment.id.desc()).limit(1))


def burn(image: Image, boxes: Sequence[RedactionBox]) -> Image:
    """A new RGB image with every box filled black (the pixels themselves are replaced)."""
    from PIL import ImageDraw

    out = image.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    for b in boxes:
        n = b.normalised()
        draw.rectangle((n.x0, n.y0, n.x1, n.y1), fill=(0, 0, 0))
    return out


def flattened_pdf(images: Sequence[Image], title: str = "Redacted copy") -> bytes:
    """One page per image, each page nothing but that image (no text layer, no other content)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pageCompression=1, invariant=1)
    pdf.setTitle(title)
    pdf.setCreator("Adoption Desktop")
    for img in images:
        dpi = float(img.info.get("dpi", (EXPORT_DPI, EXPORT_DPI))[0] or EXPORT_DPI)
        w, h = img.size[0] * 72 / dpi, img.size[1] * 72 / dpi
        if w > A4_POINTS[0] * 1.5 or h > A4_POINTS[1] * 1.5:  # a photo saying 72 dpi: print it on A4
            scale = min(A4_POINTS[0] / w, A4_POINTS[1] / h)
            w, h = w * scale, h * scale
        pdf.setPageSize((w, h))
        png = io.BytesIO()
        img.save(png, format="PNG")
        png.seek(0)
        pdf.drawImage(ImageReader(png), 0, 0, width=w, height=h)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def export_redacted(db: Database, actor: Principal, item_id: int,
                    pages: Sequence[RedactionPage]) -> ExportedCopy:
    """Burn the boxes into copies of the pages, make the PDF, store it with the item (who, when, hash)."""
    require(actor, P.LETTERBOX_EDIT)
    if not pages:
        raise ValidationError("Redacted copy: the item has no scanned pages to export.", "pages")
    images: list[Image] = []
    cache: dict[int, list[object]] = {}
    for page in pages:
        if page.attachment_id not in cache:
            row, data = attachments.open_attachment(db, actor, page.attachment_id)
            if row.item_id != item_id:
                raise ValidationError(f"{row.filename} belongs to another item.", "pages")
            cache[page.attachment_id] = attachments.page_images(row, data)
        found = cache[page.attachment_id]
        image = found[page.page_no - 1] if 0 < page.page_no <= len(found) else None
        if image is None:
            raise Conflict(f"{page.filename} page {page.page_no} is not a scanned image (a born-digital PDF "
                           "page): it cannot be redacted here; print and scan it, or forward its typed text.")
        from PIL.Image import Image as PILImage

        assert isinstance(image, PILImage)
        images.append(burn(image, page.boxes))
    pdf = flattened_pdf(images)
    digest = hashlib.sha256(pdf).hexdigest()
    nboxes = sum(len(p.boxes) for p in pages)
    with db.session(actor) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        if item.status in ("returned", "withheld"):
            raise Conflict(f"Redacted copy: the item was {item.status}; nothing of it is forwarded.")
        ref = session.scalar(select(Arrangement.reference).where(Arrangement.id == item.arrangement_id)) or "item"
        filename = f"{ref}-item{item_id}-redacted.pdf"
        layout = json.dumps([{"attachment": p.attachment_id, "page": p.page_no,
                              "boxes": [[b.x0, b.y0, b.x1, b.y1] for b in p.boxes]} for p in pages])
        stored = attachments.add_file_in(session, item_id, filename, pdf, attachments.REDACTED, extraction.PDF,
                                         pages=len(images), note=layout)
        attachments.record_event(session, item_id, "redacted_copy",
                           f"{filename}: {len(images)} page(s), {nboxes} box(es) burned in; sha256 {digest}")
        return ExportedCopy(stored.id, filename, digest, pdf, len(images), nboxes)


def email_draft(db: Database, actor: Principal, item_id: int, copy_id: int, *, to: str = "",
                sender: str = "") -> EmailDraft:
    """An unsent e-mail (``X-Unsent: 1``: the mail client opens it as a new message to edit and send)
    with the redacted copy attached. Only for arrangements agreed to use the e-mail facility."""
    require(actor, P.LETTERBOX_EDIT)
    # one address each, or none (the mail client asks): a line break would add headers of its own
    to = check_email(clean_text(to, "To", max_length=254), "To", "to")
    sender = check_email(clean_text(sender, "From", max_length=254), "From", "sender")
    with db.session(actor) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        arrangement = get_or_raise(session, Arrangement, item.arrangement_id, "No arrangement.")
        if item.status not in ("screened", "forwarded"):
            raise Conflict(f"Forward by e-mail: the item is {item.status}; screen it first (and never forward a "
                           "returned or withheld item).")
        if not arrangement.email_allowed:
            raise Conflict("Forward by e-mail: this arrangement does not use the e-mail facility; forward the "
                           "redacted copy by post, or record the agreement to use e-mail first.")
        copy = get_or_raise(session, Attachment, copy_id, f"No attachment {copy_id}.")
        if copy.item_id != item_id or copy.kind != attachments.REDACTED:
            raise ValidationError("Forward by e-mail: choose a redacted copy of this item.", "copy")
        pdf = attachments.load_blob(session, copy)
        msg = EmailMessage()
        msg["X-Unsent"] = "1"
        msg["Subject"] = f"Letterbox: a letter for you ({arrangement.reference})"
        if to:
            msg["To"] = to
        if sender:
            msg["From"] = sender
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain="adoption-desktop.invalid")
        msg.set_content("Please find attached a letter sent through the letterbox service.\n\n"
                        "This message was prepared by the letterbox coordinator.\n")
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=copy.filename)
        data = bytes(msg)
        filename = copy.filename.removesuffix(".pdf") + ".eml"
        stored = attachments.add_file_in(session, item_id, filename, data, attachments.DRAFT, extraction.EML,
                                         parent_id=copy.id)
        digest = stored.sha256
        attachments.record_event(session, item_id, "email_draft",
                           f"{filename} with {copy.filename} (sha256 {copy.sha256}); not sent by the application")
        return EmailDraft(stored.id, filename, digest, data)
