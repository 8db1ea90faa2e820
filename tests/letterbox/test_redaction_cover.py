"""A redaction box hides the whole of every letter it is over: the tail of a y or g, the curve of a G, an
italic's overhang — nothing of a redacted name left readable beside its box in the exported copy.

The page is typed text rendered with the shipped DejaVu fonts (upright and oblique, 34 and 50 px a line: a
letter scanned at 200–300 dpi); the recogniser's character boxes for it are recorded in
``redaction_ocr.json`` (reading the page takes seconds; redrawing the page takes milliseconds). Rewrite the
record after an OCR upgrade with ``python -m tests.letterbox.test_redaction_cover``. Where each name's ink
is, and the ascent and descent of its type, come from the font's own metrics, not from the recogniser.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader

from adoption_desktop.core.ocr import Box, boxes_for_span, redaction_box
from adoption_desktop.core.resources import resource_path
from adoption_desktop.letterbox.redaction import RedactionBox, burn, flattened_pdf

if TYPE_CHECKING:
    from PIL.Image import Image

RECORD = Path(__file__).with_name("redaction_ocr.json")
LINES = (("DejaVuSans-Oblique.ttf", 50, "Dear Peggy Jones of Pygott"),
         ("DejaVuSans-Oblique.ttf", 50, "to Gregory Fyfe by July"),
         ("DejaVuSans.ttf", 34, "at the quay, jumpy Gwyn"))
NAMES = frozenset({"Peggy", "Jones", "Pygott", "Gregory", "Fyfe", "July", "jumpy", "Gwyn"})
LEFT, TOP, STEP, SIZE = 40, 30, 90, (900, 320)


@dataclass(frozen=True)
class Word:
    text: str
    start: int  # offsets into the page's text
    end: int
    ink: Box  # where its letters' ink is (the font's bounding box of the word where it was drawn)
    type_band: tuple[int, int]  # the line's ascent line to its descent line (the font's metrics)


def page() -> tuple[Image, list[Word]]:
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    image = PILImage.new("L", SIZE, 255)
    draw = ImageDraw.Draw(image)
    words: list[Word] = []
    offset = 0
    for n, (font_file, px, text) in enumerate(LINES):
        font = ImageFont.truetype(str(resource_path("fonts", font_file)), px)
        y = TOP + n * STEP
        draw.text((LEFT, y), text, fill=0, font=font)  # y is the line's ascent line
        ascent, descent = font.getmetrics()
        at = 0
        for w in text.split(" "):
            i = text.index(w, at)
            at = i + len(w)
            x = LEFT + font.getlength(text[:i])
            left, top, right, bottom = font.getbbox(w)
            words.append(Word(w.strip(","), offset + i, offset + i + len(w),
                              (math.floor(x + left), math.floor(y + top), math.ceil(x + right), math.ceil(y + bottom)),
                              (y, y + ascent + descent)))
        offset += len(text) + 1
    return image, words


def _recorded() -> tuple[str, int, int, tuple[Box | None, ...]]:
    data = json.loads(RECORD.read_text(encoding="utf-8"))
    boxes = tuple(None if b is None else (int(b[0]), int(b[1]), int(b[2]), int(b[3])) for b in data["char_boxes"])
    return str(data["text"]), int(data["width"]), int(data["height"]), boxes


def _exported(image: Image, boxes: list[Box]) -> bytes:
    """The redacted copy as the user gets it: the PDF's page image read back, one byte (grey level) a pixel."""
    pdf = flattened_pdf([burn(image, [RedactionBox(*b) for b in boxes])])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 and reader.pages[0].extract_text() == ""  # an image only, no text layer
    out = reader.pages[0].images[0].image
    assert out is not None and out.size == image.size
    return out.convert("L").tobytes()


def _light(pixels: bytes, area: Box) -> int:
    """Pixels in ``area`` that are not dark: in a redacted area, where part of a letter can still be seen."""
    x0, y0, x1, y1 = area
    return sum(1 for y in range(y0, y1) for v in pixels[y * SIZE[0] + x0:y * SIZE[0] + x1] if v >= 128)


def _covers(boxes: list[Box], area: Box) -> bool:
    x0, y0, x1, y1 = area
    return any(b[0] <= x0 and b[1] <= y0 and b[2] >= x1 - 1 and b[3] >= y1 - 1 for b in boxes)


def test_redaction_boxes_cover_every_letter_of_a_name_in_the_exported_copy() -> None:
    image, words = page()
    text, width, height, char_boxes = _recorded()
    assert text == "\n".join(line for *_f, line in LINES) and (width, height) == SIZE
    names = [w for w in words if w.text in NAMES]
    assert len(names) == len(NAMES)
    # a finding's boxes (screening), and the box Space puts over the current word in the redaction view
    for source in ("finding", "word"):
        boxes: list[Box] = []
        for w in names:
            if source == "finding":
                boxes += boxes_for_span(char_boxes, w.start, w.end, width, height)
            else:
                chars = [b for b in char_boxes[w.start:w.end] if b is not None]
                boxes.append(redaction_box(min(b[0] for b in chars), min(b[1] for b in chars),
                                           max(b[2] for b in chars), max(b[3] for b in chars), width, height))
        for w in names:  # the whole of the name's ink, and its type's full ascent and descent
            ascent_line, descent_line = w.type_band
            assert _covers(boxes, w.ink), (source, w.text, w.ink)
            assert _covers(boxes, (w.ink[0], ascent_line, w.ink[2], descent_line)), (source, w.text, w.type_band)
        pixels = _exported(image, boxes)
        seen = {w.text: n for w in names if (n := _light(pixels, w.ink))}
        assert seen == {}, f"{source}: light pixels left among the letters of {seen}"
        # and the words between the names stay readable: a box may reach the edge of a neighbour's letter
        before = image.tobytes()
        for w in words:
            if w.text not in NAMES:
                assert _light(pixels, w.ink) >= 0.9 * _light(before, w.ink), (source, w.text)


def record() -> None:
    """Read the page with the OCR engine and write what it found to ``redaction_ocr.json``."""
    from adoption_desktop.core.ocr import read_image

    image, _words = page()
    found = read_image(image)
    RECORD.write_text(json.dumps({"made_by": "adoption_desktop.core.ocr.read_image (rapidocr-onnxruntime)",
                                  "text": found.text, "width": found.width, "height": found.height,
                                  "char_boxes": found.char_boxes}) + "\n", encoding="utf-8")


if __name__ == "__main__":
    record()
