"""What a received file holds (pure: no database, no Qt): its type, its page images, text a PDF carries,
and the parts of an e-mail (.eml, or Outlook .msg through extract-msg).

Supported: PDF (pages that are one scanned image each, or born-digital text), JPEG, PNG, TIFF (several
pages), .eml and .msg with their attachments.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.files import windows_safe_name
from adoption_desktop.core.text_input import clean_text

if TYPE_CHECKING:
    from PIL.Image import Image

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
EML = "message/rfc822"
MSG = "application/vnd.ms-outlook"
IMAGE_TYPES = (JPEG, PNG, TIFF)
SCAN_TYPES = (PDF, *IMAGE_TYPES)
EMAIL_TYPES = (EML, MSG)
SUPPORTED = "PDF, JPEG, PNG, TIFF, .eml or Outlook .msg"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class ReceivedFile:
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class EmailParts:
    subject: str
    sender: str
    sent: str
    body: str
    attachments: tuple[ReceivedFile, ...]


def sniff(filename: str, data: bytes) -> str:
    """The media type from the file's first bytes (the name's extension only decides .eml)."""
    head = data[:16]
    name = filename.lower()
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head.startswith(_OLE_MAGIC) and name.endswith(".msg"):
        return MSG
    if name.endswith(".eml") or (b":" in data[:200] and _looks_like_email(data)):
        return EML
    return ""


def _looks_like_email(data: bytes) -> bool:
    head = data[:2000].decode("latin-1").lower()
    return "\nfrom:" in "\n" + head and ("\nsubject:" in "\n" + head or "\ndate:" in "\n" + head)


def check_supported(filename: str, data: bytes) -> str:
    media = sniff(filename, data)
    if not media:
        raise ValidationError(f"File: {filename} is not a {SUPPORTED} file. Scan the letter to PDF or an "
                              "image, or save the e-mail as .eml or .msg, and attach that.", "file")
    return media


# --- pages --------------------------------------------------------------------------------------
def image_pages(data: bytes) -> list[Image]:
    """Every frame of a JPEG/PNG/TIFF, turned upright (EXIF orientation of phone photos), as RGB."""
    from PIL import Image as PILImage
    from PIL import ImageOps, ImageSequence

    def rgb(frame: Image) -> Image:
        if frame.mode in ("RGBA", "LA") or (frame.mode == "P" and "transparency" in frame.info):
            rgba = frame.convert("RGBA")  # transparent means paper: put it on white, not black
            white = PILImage.new("RGB", rgba.size, (255, 255, 255))
            white.paste(rgba, mask=rgba.getchannel("A"))
            return white
        return frame.convert("RGB")

    try:
        img = PILImage.open(io.BytesIO(data))
        pages = []
        for frame in ImageSequence.Iterator(img):
            upright = ImageOps.exif_transpose(frame)
            pages.append(rgb(upright if upright is not None else frame))
        return pages
    except (OSError, ValueError) as exc:
        raise ValidationError("File: the image is damaged or unreadable; scan the letter again.", "file") from exc


@dataclass(frozen=True)
class PdfPage:
    image: Image | None  # the page's scanned image, when the page is one image
    text: str            # text the PDF itself carries (born-digital pages)


def pdf_pages(data: bytes) -> list[PdfPage]:
    """Each page's single scanned image (pypdf extracts it as stored) and its embedded text. A page drawn
    as text and vector graphics has no image: it cannot be rasterised without a PDF renderer."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        out: list[PdfPage] = []
        for page in reader.pages:
            text = page.extract_text() or ""
            image = None
            images = list(page.images)
            if images:
                largest = max(images, key=lambda im: len(im.data))
                pil = largest.image
                image = pil.convert("RGB") if pil is not None else None
            out.append(PdfPage(image, text))
        return out
    except (PdfReadError, OSError, ValueError) as exc:
        raise ValidationError("File: the PDF is damaged or protected by a password; save an unprotected copy "
                              "and attach that.", "file") from exc


#: why a file that starts like a PDF cannot be used (:func:`pdf_problem`)
PDF_DAMAGED, PDF_PASSWORD = "damaged", "password"


def pdf_problem(data: bytes) -> str:
    """"" when pypdf opens the PDF and finds its pages (cheap: the page text is not read);
    :data:`PDF_PASSWORD` when it is protected by a password it does not open without;
    :data:`PDF_DAMAGED` when it is not a readable PDF (cut short, damaged, or only "%PDF" in front)."""
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about repaired files are not ours to show
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone still opens
            return PDF_PASSWORD
        return "" if len(reader.pages) > 0 else PDF_DAMAGED
    except Exception:  # pypdf raises many kinds (PdfReadError, KeyError, TypeError ...) for a bad file
        return PDF_DAMAGED


#: what Windows runs when it is opened: programs, installers, scripts, shortcuts and libraries. Such a file
#: inside an e-mail is kept with the e-mail for the record, never offered to open (docs/letterbox.md)
PROGRAM_EXTENSIONS = frozenset({
    "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "msix", "appx", "js", "jse", "vbs", "vbe", "wsf",
    "wsh", "ps1", "psm1", "lnk", "url", "hta", "jar", "dll", "cpl", "reg", "inf", "scf", "gadget", "application",
    "sys", "drv", "ocx", "chm", "msc", "iso", "img", "vhd", "vhdx", "appref-ms", "settingcontent-ms",
})


def is_program(filename: str, data: bytes = b"") -> bool:
    """Whether a received file is a program: its name ends with one of :data:`PROGRAM_EXTENSIONS` (whatever
    the case or trailing dots and spaces Windows ignores), or its bytes are a Windows or Linux program
    whatever it is called ("MZ", ELF)."""
    ext = filename.rstrip(" .").rsplit(".", 1)[-1].lower() if "." in filename.rstrip(" .") else ""
    return ext in PROGRAM_EXTENSIONS or data[:2] == b"MZ" or data[:4] == b"\x7fELF"


# --- e-mail ---------------------------------------------------------------------------------------
def parse_eml(data: bytes) -> EmailParts:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    body_part = msg.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        content = body_part.get_content()
        body = content if isinstance(content, str) else ""
        if body_part.get_content_subtype() == "html":
            body = _html_to_text(body)
    attachments = []
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            attachments.append(ReceivedFile(part.get_filename() or "attachment", part.get_content_type(),
                                            payload))
    return EmailParts(str(msg.get("Subject", "")), str(msg.get("From", "")), str(msg.get("Date", "")),
                      body.strip(), tuple(attachments))


def parse_msg(data: bytes) -> EmailParts:
    import extract_msg

    try:
        msg = extract_msg.openMsg(data)
    except Exception as exc:  # extract-msg raises many kinds for a bad file
        raise ValidationError("File: the Outlook message is damaged; save it again from Outlook.", "file") from exc
    try:
        attachments = []
        for att in getattr(msg, "attachments", []):
            payload = getattr(att, "data", None)
            if isinstance(payload, bytes):
                name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or "attachment"
                attachments.append(ReceivedFile(str(name), str(getattr(att, "mimetype", "") or ""), payload))
        body = getattr(msg, "body", None) or ""
        return EmailParts(str(getattr(msg, "subject", "") or ""), str(getattr(msg, "sender", "") or ""),
                          str(getattr(msg, "date", "") or ""), str(body).replace("\r\n", "\n").strip(),
                          tuple(attachments))
    finally:
        msg.close()


def parse_email(media_type: str, data: bytes) -> EmailParts:
    return parse_msg(data) if media_type == MSG else parse_eml(data)


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def email_text(parts: EmailParts) -> str:
    """What is screened of an e-mail: its subject and body (control characters a mail program left in,
    such as form feeds, become spaces; the rest as :func:`clean_text` makes it)."""
    raw = _CONTROLS.sub(" ", f"Subject: {parts.subject}\n\n{parts.body}")
    return clean_text(raw, "E-mail text", multiline=True)


def safe_filename(name: str, default: str = "attachment") -> str:
    """A received file's name as it may be shown and saved: no folders, no control characters, nothing
    Windows cannot save (``core.files.windows_safe_name``: a device name such as "CON.pdf" becomes
    "_CON.pdf", ``<>:"|?*`` become ``_``), at most 255 characters (the extension kept)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub("[\t\r\n]", " ", _CONTROLS.sub("", base))
    base = windows_safe_name(clean_text(base, "File name").strip(" ."), default)
    if len(base) > 255:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 254 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else base[:255]
    return base


def _html_to_text(html: str) -> str:
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in ("br", "p", "div", "li", "tr"):
                self.parts.append("\n")

    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)
