"""Text from a page image, offline: RapidOCR (PP-OCRv4 models shipped inside the
``rapidocr_onnxruntime`` wheel, run by onnxruntime; nothing is downloaded). No Qt, no database.

    page = read_image(pil_image)        # OcrPage: text, words with boxes, confidence
    page.boxes_for_span(start, end)     # rectangles covering text[start:end] on the image

The engine reads each text line and, asked for word boxes, gives one box per character; the page text
is the lines top to bottom joined with newlines, and every character keeps its box, so a screening
finding (character offsets into the text) maps straight to rectangles on the page.

Printed and typed pages read well; handwriting does not: a page whose mean character confidence is
below the agency's threshold is flagged so the coordinator types or dictates the text instead.
"""

from __future__ import annotations

import difflib
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels

#: How far a redaction box reaches beyond the characters it covers, as a share of the line's height (the
#: type's ascent and descent as the recogniser saw them): across, at each end of the span, and up and down.
#: The recogniser's character boxes are estimates that stop short of the ink where a letter overhangs —
#: a y's or g's tail, the curve of a G or J, an f's hook, italics. Measured on lines rendered in sans, serif,
#: bold and italic type at 21–50 px (a 12-point letter scanned at 300 dpi is about 50 px), names in them boxed:
#: the ink ran up to 0.2 of the line's height past the boxes at the ends of a word in upright type and 0.24
#: in italics, so the 3 px of before left a sliver of 144 letters readable beside their boxes (the tail of
#: a "y"); none ran above or below the line's boxes. A quarter of the line across left none; the cost is the
#: edge of a neighbouring letter across the space now and then, which a redaction can afford.
REDACT_ACROSS = 0.25
REDACT_DOWN = 0.15

_LOCK = threading.Lock()  # one page at a time through the engine (it uses every core already)


@dataclass(frozen=True)
class OcrWord:
    text: str
    box: Box
    confidence: float
    start: int  # character offsets of the word in OcrPage.text
    end: int


@dataclass(frozen=True)
class OcrPage:
    text: str
    words: tuple[OcrWord, ...]
    width: int
    height: int
    confidence: float  # mean character confidence, 0..1 (0 when nothing was read)
    char_boxes: tuple[Box | None, ...] = ()  # one per character of ``text`` (None: newline, inferred space)

    def boxes_for_span(self, start: int, end: int, pad: int = 3) -> list[Box]:
        """Rectangles covering ``text[start:end]``, one per line the span touches."""
        return boxes_for_span(self.char_boxes, start, end, self.width, self.height, pad)

    def is_low_confidence(self, threshold: float) -> bool:
        return not self.text.strip() or self.confidence < threshold


class OcrUnavailable(RuntimeError):
    """The OCR engine could not be loaded (a broken installation)."""


@lru_cache(maxsize=1)
def _engine() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except Exception as exc:  # pragma: no cover - a broken installation
        raise OcrUnavailable(f"The OCR engine could not be loaded ({type(exc).__name__}); reinstall the "
                             "application.") from exc
    engine = RapidOCR()
    # Lines are recognised one at a time: in a batch, a short line padded to the longest line's width
    # loses its spaces ("WithbestwishesfromSam"), measured on rendered letters.
    engine.text_rec.rec_batch_num = 1
    return engine


def _rect(points: Any) -> Box:
    xs = [int(p[0]) for p in points]
    ys = [int(p[1]) for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def redaction_box(x0: int, y0: int, x1: int, y1: int, width: int, height: int, pad: int = 3) -> Box:
    """The box to black out for characters spanning ``x0..x1`` on a line whose type reaches from ``y0`` (top
    of the tallest letter's box) to ``y1`` (bottom of the deepest descender's box): widened by
    :data:`REDACT_ACROSS` and :data:`REDACT_DOWN` of the line's height (never less than ``pad`` pixels) and
    kept on the page."""
    line = max(1, y1 - y0)
    across = max(pad, math.ceil(REDACT_ACROSS * line))
    down = max(pad, math.ceil(REDACT_DOWN * line))
    return max(0, x0 - across), max(0, y0 - down), min(width, x1 + across), min(height, y1 + down)


def _line_numbers(char_boxes: tuple[Box | None, ...]) -> list[int | None]:
    """The line of each character (None: no box): a line ends where the next box starts below the last one's
    bottom, or back to its left."""
    out: list[int | None] = []
    line, last = 0, None
    for b in char_boxes:
        if b is None:
            out.append(None)
            continue
        if last is not None and (b[1] >= last[3] or b[0] < last[0] - 2):  # a new line
            line += 1
        out.append(line)
        last = b
    return out


def boxes_for_span(char_boxes: tuple[Box | None, ...], start: int, end: int, width: int, height: int,
                   pad: int = 3) -> list[Box]:
    """The boxes to black out for ``text[start:end]``, one per line the span touches: across, the span's
    characters; up and down, the whole line (the ascent and descent of its type, whatever letters the span
    holds); each widened by :func:`redaction_box`."""
    lines = _line_numbers(char_boxes)
    spans: dict[int, list[Box]] = {}
    for i in range(max(0, start), min(end, len(char_boxes))):
        b, n = char_boxes[i], lines[i]
        if b is not None and n is not None:
            spans.setdefault(n, []).append(b)
    out: list[Box] = []
    for n, boxes in spans.items():
        line = [b for b, m in zip(char_boxes, lines, strict=True) if m == n and b is not None]
        out.append(redaction_box(min(b[0] for b in boxes), min(b[1] for b in line), max(b[2] for b in boxes),
                                 max(b[3] for b in line), width, height, pad))
    return out


def _line_chars(chars: list[str], boxes: list[Any], scores: list[float]) -> list[tuple[str, Box | None, float]]:
    """The line's characters with their boxes (spaces keep no box)."""
    out: list[tuple[str, Box | None, float]] = []
    for ch, pts, score in zip(chars, boxes, scores, strict=False):
        out.append((ch, None if ch.isspace() else _rect(pts), float(score)))
    return out


def read_image(image: Image) -> OcrPage:
    """OCR one page image (any PIL mode)."""
    import cv2
    import numpy as np

    grey = np.asarray(image.convert("L"))
    width, height = image.size
    # Black on white first (Otsu's threshold): JPEG ringing around letters made the recogniser drop the
    # spaces between words (34 % of words right on a quality-75 JPEG scan; 100 % after thresholding).
    _t, clean = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bgr = cv2.cvtColor(clean, cv2.COLOR_GRAY2BGR)
    with _LOCK:  # use_cls off: the 180-degree line classifier turned whole lines of English upside down
        result, _elapsed = _engine()(bgr, use_cls=False, return_word_box=True)
    lines: list[tuple[Box, list[tuple[str, Box | None, float]]]] = []
    for entry in result or []:
        line_box = _rect(entry[0])
        text, score = str(entry[1]), float(entry[2])
        if len(entry) >= 6 and entry[3] and entry[4] and len(entry[4]) == len(entry[3]):
            chars = _line_chars(list(entry[4]), list(entry[3]), list(entry[5]))
        else:  # no character boxes: spread the line box evenly
            n = max(1, len(text))
            step = (line_box[2] - line_box[0]) / n
            chars = [(c, (int(line_box[0] + i * step), line_box[1], int(line_box[0] + (i + 1) * step),
                          line_box[3]) if not c.isspace() else None, score) for i, c in enumerate(text)]
        lines.append((line_box, chars))
    lines = _reading_order(lines)
    text_parts: list[str] = []
    char_boxes: list[Box | None] = []
    char_scores: list[float] = []
    for n, (_box, chars) in enumerate(lines):
        if n:
            text_parts.append("\n")
            char_boxes.append(None)
            char_scores.append(1.0)
        for ch, box, score in chars:
            text_parts.append(ch)
            char_boxes.append(box)
            char_scores.append(score)
    text = "".join(text_parts)
    words: list[OcrWord] = []
    for m in re.finditer(r"\S+", text):
        boxes = [b for b in char_boxes[m.start():m.end()] if b is not None]
        if not boxes:
            continue
        word_box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                    max(b[3] for b in boxes))
        conf = _mean([char_scores[i] for i in range(m.start(), m.end()) if char_boxes[i] is not None])
        words.append(OcrWord(m.group(), word_box, conf, m.start(), m.end()))
    page_scores = [char_scores[i] for i, b in enumerate(char_boxes) if b is not None]
    return OcrPage(text, tuple(words), width, height, _mean(page_scores), tuple(char_boxes))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _reading_order(lines: list[tuple[Box, Any]]) -> list[tuple[Box, Any]]:
    """Top to bottom; lines whose vertical middles are within half a line height count as one row,
    read left to right."""
    lines = sorted(lines, key=lambda item: (item[0][1] + item[0][3]) / 2)
    rows: list[list[tuple[Box, Any]]] = []
    for line in lines:
        mid = (line[0][1] + line[0][3]) / 2
        if rows:
            ref = rows[-1][0][0]
            if abs(mid - (ref[1] + ref[3]) / 2) < (ref[3] - ref[1]) / 2:
                rows[-1].append(line)
                continue
        rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda item: item[0][0])]


def _norm_words(text: str) -> list[str]:
    return [w.strip(".,;:!?\"'’()").lower() for w in text.split() if w.strip(".,;:!?\"'’()")]


def word_accuracy(expected: str, got: str) -> float:
    """Share of the expected words read exactly (case and surrounding punctuation ignored), after
    aligning the two word sequences (so one missed word does not shift every word after it)."""
    want, have = _norm_words(expected), _norm_words(got)
    if not want:
        return 1.0 if not have else 0.0
    matcher = difflib.SequenceMatcher(a=want, b=have, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return same / len(want)
