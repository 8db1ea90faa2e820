"""Tables for the documents of a letterbox item: the files received (scans, photos, e-mails and their
attachments), their bytes (encrypted, in the database so team mode on PostgreSQL has them too), the text
read from each page with its word boxes, and the redacted copies that went out.

Portable SQL only. The blob and key tables are not audited row by row (the bytes would flood the log);
the service writes one audit entry per file with its SHA-256 instead.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from adoption_desktop.core.storage.base import RECORD_TIME, Base, utcnow


class Attachment(Base):
    """One file of an item. ``kind``: ``scan`` (paper letter: PDF/JPEG/PNG/TIFF), ``email`` (.eml/.msg),
    ``email_part`` (an attachment inside an e-mail: ``parent_id`` names the e-mail), ``redacted`` (the
    copy exported to forward), ``draft`` (the .eml draft made for the mail client)."""

    __tablename__ = "letterbox_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("letterbox_items.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("letterbox_attachments.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, info={RECORD_TIME: "created"})
    created_by: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text, default="")


class AttachmentBlob(Base):
    """The file's bytes, AES-256-GCM encrypted (nonce + ciphertext; the attachment id and SHA-256 are
    the associated data, so a blob moved to another row does not decrypt)."""

    __tablename__ = "letterbox_attachment_blobs"
    __audit__ = False

    attachment_id: Mapped[int] = mapped_column(ForeignKey("letterbox_attachments.id"), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("letterbox_document_keys.id"))
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DocumentKey(Base):
    """The data key of the documents (one per database; a new one can be added and used for new files)."""

    __tablename__ = "letterbox_document_keys"
    __audit__ = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, info={RECORD_TIME: "created"})


class AttachmentPage(Base):
    """The text of one page (or of an e-mail body) and where each word sits on the page image."""

    __tablename__ = "letterbox_attachment_pages"
    __audit_redact__ = frozenset({"words"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("letterbox_attachments.id"), index=True)
    page_no: Mapped[int] = mapped_column(Integer)  # 1-based
    source: Mapped[str] = mapped_column(String(12))  # ocr / embedded (PDF text) / email (body) / none
    text: Mapped[str] = mapped_column(Text, default="")
    words: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[text, x0, y0, x1, y1, conf], ...]
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    low_confidence: Mapped[bool] = mapped_column(Boolean, default=False)
