"""Synthetic documents for the letterbox document tests and benchmark: printed letters rendered with
Pillow (the shipped DejaVu Sans), multi-page scans, and an Outlook .msg written from scratch.

extract-msg cannot write .msg files, so :func:`make_msg` writes a minimal Compound File Binary (MS-CFB,
version 3, 512-byte sectors, every stream in ordinary sectors) holding the MS-OXMSG streams extract-msg
reads: message class, subject, sender, body and one attachment (by value, with its long file name).
All names, addresses and postcodes are invented (ZZ99 postcodes are not real).
"""

from __future__ import annotations

import io
import itertools
import struct
import textwrap
from typing import TYPE_CHECKING

from adoption_desktop.core.resources import resource_path

if TYPE_CHECKING:
    from PIL.Image import Image

LETTER_PAGES = (
    "Dear Gina,\nI hope you are keeping well. Rosa has had a busy year. She moved up to Year 4 in "
    "September and her new teacher says she is reading really well. We still live at 12 Heron Gate "
    "and the postcode is ZZ99 4EF if you ever need it. She has started swimming lessons on Saturday "
    "mornings and can now swim a whole length without stopping.",
    "At Christmas we went to see her grandparents and she helped to make the pudding. She still loves "
    "drawing horses and she has sent you one with this letter. Her favourite food is pasta and she is "
    "learning to play the recorder at Kestrel Vale Primary. We will write again in the spring.\n"
    "With best wishes from Sam and Alex Thornley",
)

MORE_LETTERS = (
    "Dear Aunt Lou, thank you for the birthday card. Jay is nine now and taller than the kitchen door "
    "frame mark we made last summer. He plays football every week and his team won the cup in May. "
    "He asked me to tell you that his favourite animal is still the otter and that he has read all of "
    "the books you wrote about. We hope you are well and that your garden is growing nicely this year.",
    "Hello Marcus, we wanted to let you know that Ellie has settled well into her new class. She is "
    "learning French and can count to twenty. She went camping with her cousins in August and slept in "
    "a tent for the first time. She likes painting, baking biscuits and building dens in the woods. "
    "She sends her love and a drawing of the family dog, who is called Biscuit.",
    "Dear Mrs Pell, this is a short note to say that Sunny has had a good year. She enjoys dancing and "
    "has been practising for a show in the summer. Her reading and writing are coming on well and her "
    "teachers are pleased with her. She is looking forward to her holiday and to seeing the sea again. "
    "We will send some photographs with our next letter in the autumn. Kind regards from both of us.",
)


def render_page(text: str, *, width: int = 1240, height: int = 1754, font_px: int = 26,
                margin: int = 100) -> Image:
    """A printed page as a 150 dpi A4 scan would give it (black text on white, greyscale)."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype(str(resource_path("fonts", "DejaVuSans.ttf")), font_px)
    chars = int((width - 2 * margin) / (font_px * 0.56))
    lines: list[str] = []
    for para in text.split("\n"):
        lines += textwrap.wrap(para, chars) or [""]
    img = PILImage.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    for n, line in enumerate(lines):
        draw.text((margin, margin + n * int(font_px * 1.6)), line, fill=0, font=font)
    img.info["dpi"] = (150, 150)
    return img


def tiff_scan(pages: list[Image]) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate",
                  dpi=(150, 150))
    return buf.getvalue()


def pdf_scan(pages: list[Image]) -> bytes:
    """A scanner's PDF: one image per page, no text."""
    buf = io.BytesIO()
    rgb = [p.convert("RGB") for p in pages]
    rgb[0].save(buf, format="PDF", save_all=True, append_images=rgb[1:], resolution=150)
    return buf.getvalue()


def png_bytes(image: Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


# --- a minimal Outlook .msg -----------------------------------------------------------------------
_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_SECTOR = 512


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _dir_entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
    encoded = _utf16(name) + b"\x00\x00"
    return (encoded.ljust(64, b"\x00") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", _FREE, right, child) + b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16
            + struct.pack("<IQ", start, size))


def _cfb(tree: dict[str, object]) -> bytes:
    """Write a compound file from ``{name: bytes | subtree}`` (siblings chained to the right)."""
    entries: list[list[object]] = []  # [name, kind, child, right, data]
    streams: list[tuple[int, bytes]] = []

    def add(name: str, node: object) -> int:
        idx = len(entries)
        if isinstance(node, bytes):
            entries.append([name, 2, _FREE, _FREE, node])
            streams.append((idx, node))
        else:
            assert isinstance(node, dict)
            entries.append([name, 5 if name == "Root Entry" else 1, _FREE, _FREE, b""])
            kids = [add(k, v) for k, v in node.items()]
            for a, b in itertools.pairwise(kids):
                entries[a][3] = b
            entries[idx][2] = kids[0] if kids else _FREE
        return idx

    add("Root Entry", tree)
    data = bytearray()
    fat: list[int] = []
    starts: dict[int, int] = {}
    mini = bytearray()
    minifat: list[int] = []

    def put(payload: bytes) -> int:
        first = len(fat)
        n = (len(payload) + _SECTOR - 1) // _SECTOR
        fat.extend([first + i + 1 for i in range(n - 1)] + [_END])
        data.extend(payload.ljust(n * _SECTOR, b"\x00"))
        return first

    for idx, payload in streams:
        if not payload:
            starts[idx] = _END
        elif len(payload) < 4096:  # small streams live in the mini stream (64-byte sectors)
            first = len(minifat)
            n = (len(payload) + 63) // 64
            minifat += [first + i + 1 for i in range(n - 1)] + [_END]
            mini += payload.ljust(n * 64, b"\x00")
            starts[idx] = first
        else:
            starts[idx] = put(payload)
    mini_start = put(bytes(mini)) if mini else _END
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_bytes += struct.pack("<I", _FREE) * ((-len(minifat)) % (_SECTOR // 4))
    minifat_start = put(minifat_bytes) if minifat else _END
    nminifat = len(minifat_bytes) // _SECTOR if minifat else 0
    sizes = {i: len(e[4]) for i, e in enumerate(entries)}  # type: ignore[arg-type]
    starts[0], sizes[0] = mini_start, len(mini)
    directory = b"".join(_dir_entry(str(e[0]), int(e[1]), int(e[2]), int(e[3]),  # type: ignore[call-overload]
                                    starts.get(i, _END), sizes[i])
                         for i, e in enumerate(entries))
    directory = directory.ljust(((len(directory) + _SECTOR - 1) // _SECTOR) * _SECTOR, b"\x00")
    dir_first = put(directory)
    nfat = 1
    while (len(fat) + nfat) > nfat * (_SECTOR // 4):
        nfat += 1
    fat_first = len(fat)
    fat += [_FATSECT] * nfat
    fat += [_FREE] * (nfat * (_SECTOR // 4) - len(fat))
    data += struct.pack(f"<{len(fat)}I", *fat)
    difat = [fat_first + i for i in range(nfat)] + [_FREE] * (109 - nfat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, nfat, dir_first, 0, 4096, minifat_start, nminifat,
                                          _END, 0)
              + struct.pack("<109I", *difat))
    assert len(header) == _SECTOR
    return header + bytes(data)


def _props(fixed: dict[int, int], header: bytes) -> bytes:
    out = bytearray(header)
    for tag, value in fixed.items():
        out += struct.pack("<IIQ", tag, 6, value)
    return bytes(out)


def make_msg(subject: str, sender: str, body: str, attachment_name: str, attachment: bytes) -> bytes:
    """A minimal Outlook message (MS-OXMSG in MS-CFB) with one attachment."""
    attach = {
        "__properties_version1.0": _props({0x37050003: 1}, b"\x00" * 8),
        "__substg1.0_37010102": attachment,
        "__substg1.0_3707001F": _utf16(attachment_name),
        "__substg1.0_3704001F": _utf16(attachment_name[:8]),
    }
    root: dict[str, object] = {
        "__nameid_version1.0": {
            "__substg1.0_00020102": b"",
            "__substg1.0_00030102": b"",
            "__substg1.0_00040102": b"",
        },
        "__properties_version1.0": _props({}, b"\x00" * 8 + struct.pack("<IIII", 0, 1, 0, 1) + b"\x00" * 8),
        "__substg1.0_001A001F": _utf16("IPM.Note"),
        "__substg1.0_0037001F": _utf16(subject),
        "__substg1.0_0C1F001F": _utf16(sender),
        "__substg1.0_0C1A001F": _utf16(sender.split("@")[0]),
        "__substg1.0_1000001F": _utf16(body),
        "__attach_version1.0_#00000000": attach,
    }
    return _cfb(root)


def scribble_page(seed: int = 3, lines: int = 8) -> Image:
    """Joined-up strokes that look like handwriting to a detector but are no printed text."""
    import math
    import random

    from PIL import Image as PILImage
    from PIL import ImageDraw

    rnd = random.Random(seed)
    img = PILImage.new("L", (1240, 100 + lines * 90), 255)
    draw = ImageDraw.Draw(img)
    for line in range(lines):
        y0, x = 100 + line * 90, 100
        while x < 1100:
            width = rnd.randint(40, 140)
            points = [(x + t, y0 + 18 * math.sin(t / rnd.uniform(4, 9)) + rnd.uniform(-4, 4))
                      for t in range(0, width, 3)]
            draw.line(points, fill=0, width=3)
            x += width + rnd.randint(15, 35)
    return img


def born_digital_pdf(text: str) -> bytes:
    """A PDF written by a word processor: text, no page image."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    for n, line in enumerate(text.splitlines()):
        pdf.drawString(72, 760 - 16 * n, line)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def make_eml(subject: str, body: str, attachment_name: str, attachment: bytes, mime: str = "image/png") -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Sam <sam@example.invalid>"
    msg["To"] = "letterbox@example.invalid"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 02 Mar 2026 09:00:00 +0000"
    msg.set_content(body)
    maintype, subtype = mime.split("/")
    msg.add_attachment(attachment, maintype=maintype, subtype=subtype, filename=attachment_name)
    return bytes(msg)
