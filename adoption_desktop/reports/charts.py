"""Report charts drawn with Pillow as PNG bytes: black and white, told apart by hatching, labelled directly.

Every chart is plain data in, PNG out (no Qt, no matplotlib), so the Word report, the Ofsted pack and
tests can all use them. Values that are ``None`` (nothing to measure) are drawn as "n/a", never as 0.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from adoption_desktop.core.resources import resource_path

WIDTH = 1600  # pixels; the report places charts 16 cm wide (≈ 250 dpi)
PATTERNS = ("solid", "diagonal", "light")
INK = (0, 0, 0)
GREY = (90, 90, 90)
LIGHT = (215, 215, 215)
WHITE = (255, 255, 255)


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(resource_path("fonts", name)), size)


def _text_w(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> float:
    return draw.textlength(text, font=font)


def _centred(draw: ImageDraw.ImageDraw, x: float, y: float, text: str, font: ImageFont.FreeTypeFont,
             fill: tuple[int, int, int] = INK) -> None:
    draw.text((x - _text_w(draw, text, font) / 2, y), text, font=font, fill=fill)


def _label_lines(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """A bar's label on one line, or a part of a quarter ("Q4 2026 (01/10–03/12)") on two when it is wider
    than its bar's slot."""
    if _text_w(draw, text, font) <= width or " (" not in text:
        return [text]
    head, tail = text.split(" (", 1)
    return [head, "(" + tail]


def _bar(img: Image.Image, box: tuple[int, int, int, int], pattern: str) -> None:
    x0, y0, x1, y1 = box
    if y1 - y0 < 1 or x1 - x0 < 1:
        return
    draw = ImageDraw.Draw(img)
    if pattern == "solid":
        draw.rectangle(box, fill=(40, 40, 40), outline=INK, width=2)
        return
    if pattern == "light":
        draw.rectangle(box, fill=LIGHT, outline=INK, width=2)
        return
    tile = Image.new("RGB", (x1 - x0, y1 - y0), WHITE)
    td = ImageDraw.Draw(tile)
    w, h = tile.size
    for k in range(-h, w, 14):
        td.line([(k, h), (k + h, 0)], fill=INK, width=3)
    img.paste(tile, (x0, y0))
    draw.rectangle(box, outline=INK, width=2)


def _png(img: Image.Image) -> bytes:
    """``img`` as PNG: in greyscale ("L") when every colour in it is a grey, as the charts' are (patterns, not
    colours, tell the series apart): the same pixels, half the bytes and half the encoding time of RGB."""
    colours = img.getcolors(256) if img.mode == "RGB" else None
    if colours is not None and all(isinstance(c, tuple) and c[0] == c[1] == c[2] for _n, c in colours):
        img = img.convert("L")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def _fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return "n/a"
    text = f"{v:.0f}" if abs(v - round(v)) < 0.05 or abs(v) >= 100 else f"{v:.1f}"
    return text + unit


def _legend(img: Image.Image, draw: ImageDraw.ImageDraw, names: Sequence[str], y: int) -> None:
    font = _font(26)
    x = 40
    for name, pattern in zip(names, PATTERNS, strict=False):
        _bar(img, (x, y, x + 44, y + 30), pattern)
        draw.text((x + 56, y), name, font=font, fill=INK)
        x += 56 + int(_text_w(draw, name, font)) + 50


def compare_periods(title: str, series: Sequence[str], groups: Sequence[tuple[str, Sequence[float | None]]],
                    unit: str = "") -> bytes:
    """Small multiples: one panel per figure, one bar per period (hatching tells the periods apart),
    each bar labelled with its value. Each panel has its own scale (counts differ by orders of magnitude)."""
    height = 620
    img = Image.new("RGB", (WIDTH, height), WHITE)
    draw = ImageDraw.Draw(img)
    draw.text((40, 20), title, font=_font(36, True), fill=INK)
    _legend(img, draw, series, 78)
    n = max(len(groups), 1)
    panel_w = (WIDTH - 80) // n
    top, base = 190, height - 90
    for g, (label, values) in enumerate(groups):
        left = 40 + g * panel_w
        peak = max((v for v in values if v is not None), default=0) or 1
        bar_w = min(110, (panel_w - 60) // max(len(values), 1))
        x = left + (panel_w - bar_w * len(values)) // 2
        for i, v in enumerate(values):
            h = 0 if v is None else int((base - top - 40) * v / peak)
            _bar(img, (x, base - h, x + bar_w - 8, base), PATTERNS[i % len(PATTERNS)])
            _centred(draw, x + (bar_w - 8) / 2, base - h - 34, _fmt(v, unit), _font(26))
            x += bar_w
        draw.line([(left + 20, base), (left + panel_w - 20, base)], fill=INK, width=2)
        _wrap_centred(draw, left + panel_w / 2, base + 12, label, _font(26, True), panel_w - 20)
    return _png(img)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (a word longer than that stands alone)."""
    lines, line = [], ""
    for w in text.split():
        trial = f"{line} {w}".strip()
        if _text_w(draw, trial, font) > width and line:
            lines.append(line)
            line = w
        else:
            line = trial
    lines.append(line)
    return lines


def _wrap_centred(draw: ImageDraw.ImageDraw, x: float, y: float, text: str, font: ImageFont.FreeTypeFont,
                  width: float) -> None:
    for i, ln in enumerate(_wrapped(draw, text, font, width)[:2]):
        _centred(draw, x, y + i * 32, ln, font)


def against_threshold(title: str, labels: Sequence[str], values: Sequence[float | None], threshold: float | None,
                      *, unit: str = "", threshold_label: str = "", notes: Sequence[str] | None = None,
                      higher_is_better: bool = False) -> bytes:
    """One bar per label (quarters, measures …) and a dashed line at the threshold, labelled in words;
    bars over the threshold (under it when ``higher_is_better``) are solid, the others hatched."""
    height = 700
    img = Image.new("RGB", (WIDTH, height), WHITE)
    draw = ImageDraw.Draw(img)
    draw.text((40, 20), title, font=_font(36, True), fill=INK)
    top, base, left, right = 150, height - 110, 90, WIDTH - 40
    peak = max([v for v in values if v is not None] + ([threshold * 1.25] if threshold else []) + [1])
    n = max(len(values), 1)
    slot = (right - left) / n
    bar_w = int(min(140, slot * 0.62))
    worse_pattern, ok_pattern = "solid", "diagonal"
    for i, v in enumerate(values):
        cx = left + slot * i + slot / 2
        if v is None:
            _centred(draw, cx, base - 40, "n/a", _font(26))
        else:
            h = int((base - top) * v / peak)
            worse = threshold is not None and ((v < threshold) if higher_is_better else (v > threshold))
            _bar(img, (int(cx - bar_w / 2), base - h, int(cx + bar_w / 2), base), worse_pattern if worse else ok_pattern)
            _centred(draw, cx, base - h - 34, _fmt(v, unit), _font(26, True))
        lines = _label_lines(draw, labels[i], _font(24), slot - 8)
        for k, ln in enumerate(lines):
            _centred(draw, cx, base + 12 + 28 * k, ln, _font(24))
        if notes:
            _centred(draw, cx, base + 44 + 28 * (len(lines) - 1), notes[i], _font(22), GREY)
    draw.line([(left - 10, base), (right, base)], fill=INK, width=2)
    if threshold is not None:
        y = base - int((base - top) * threshold / peak)
        for x in range(left - 10, right, 28):
            draw.line([(x, y), (min(x + 16, right), y)], fill=INK, width=4)
        text = threshold_label or f"Threshold {_fmt(threshold, unit)}"
        tw = _text_w(draw, text, _font(26, True))
        draw.rectangle((right - tw - 16, y - 40, right, y - 6), fill=WHITE)
        draw.text((right - tw - 8, y - 38), text, font=_font(26, True), fill=INK)
    key = ("solid bars: outside the threshold; hatched: within it" if threshold is not None else "")
    if key:
        draw.text((40, 82), key, font=_font(24), fill=GREY)
    return _png(img)


def trends(title: str, quarters: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> bytes:
    """Small multiples: one row per series, a bar per quarter, the latest quarter solid, values labelled."""
    row_h = 250
    height = 110 + row_h * max(len(series), 1) + 40
    img = Image.new("RGB", (WIDTH, height), WHITE)
    draw = ImageDraw.Draw(img)
    draw.text((40, 20), title, font=_font(36, True), fill=INK)
    left, right = 360, WIDTH - 40
    n = max(len(quarters), 1)
    slot = (right - left) / n
    bar_w = int(slot * 0.6)
    for r, (name, values) in enumerate(series):
        top = 110 + r * row_h
        base = top + row_h - 70
        _wrap_left(draw, 40, top + 60, name, _font(26, True), left - 60)
        peak = max((v for v in values if v is not None), default=0) or 1
        for i, v in enumerate(values):
            cx = left + slot * i + slot / 2
            if v is None:
                _centred(draw, cx, base - 34, "n/a", _font(22))
            else:
                h = int((base - top - 40) * v / peak)
                _bar(img, (int(cx - bar_w / 2), base - h, int(cx + bar_w / 2), base),
                     "solid" if i == len(values) - 1 else "light")
                _centred(draw, cx, base - h - 30, _fmt(v), _font(22))
            for k, ln in enumerate(_label_lines(draw, quarters[i], _font(20), slot - 8)):
                _centred(draw, cx, base + 8 + 24 * k, ln, _font(20))
        draw.line([(left - 10, base), (right, base)], fill=INK, width=2)
    return _png(img)


def _wrap_left(draw: ImageDraw.ImageDraw, x: float, y: float, text: str, font: ImageFont.FreeTypeFont,
               width: float) -> None:
    for i, ln in enumerate(_wrapped(draw, text, font, width)[:3]):
        draw.text((x, y + i * 32), ln, font=font, fill=INK)
