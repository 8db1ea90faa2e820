"""PDF letters with reportlab platypus: letterhead, address block, body, signature; batches stream into
one document. Fonts are the DejaVu TTFs in ``resources/fonts`` (reportlab's built-ins are WinAnsi only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.core.resources import resource_path

FONT, FONT_BOLD, FONT_ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"
_fonts_registered = False


class Cancelled(Exception):
    """Raised inside a batch when the user cancels; the partial file is removed."""


def register_fonts() -> None:
    global _fonts_registered
    if _fonts_registered:
        return
    for name, file in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf"),
                       (FONT_ITALIC, "DejaVuSans-Oblique.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD)
    _fonts_registered = True


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14, spaceAfter=7)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=colors.grey),
        "head": ParagraphStyle("head", parent=body, fontName=FONT_BOLD, fontSize=14, leading=17),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT, spaceAfter=0),
        "subject": ParagraphStyle("subject", parent=body, fontName=FONT_BOLD, spaceBefore=4, spaceAfter=9),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=8),
    }


@dataclass(frozen=True)
class Letterhead:
    agency_name: str
    agency_address: str
    footer: str = "OFFICIAL-SENSITIVE: this letter contains personal information. Keep it secure."


@dataclass(frozen=True)
class Letter:
    """One letter. ``recipient`` lines are printed in the window position; ``reference`` is ours."""

    recipient: Sequence[str]
    text: RenderedLetterText
    date: dt.date
    reference: str
    signatory: str
    signatory_title: str
    extra: Sequence[tuple[str, str]] = field(default_factory=tuple)  # a small key/value table


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def long_date(day: dt.date) -> str:
    """'5 March 2026' on every platform and locale (``%-d`` does not exist on Windows; ``%B`` follows
    the process locale, which Qt sets)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def letter_flowables(letter: Letter, head: Letterhead) -> list[Flowable]:
    st = styles()
    out: list[Flowable] = []
    top = Table(
        [[_p(head.agency_name, st["head"]), _p(head.agency_address, st["right"])]],
        colWidths=[95 * mm, 75 * mm],
    )
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                             ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#2F5D7C"))]))
    out += [top, Spacer(1, 10 * mm)]
    out.append(_p("\n".join(letter.recipient), st["body"]))
    out.append(Spacer(1, 6 * mm))
    out.append(_p(f"Our reference: {letter.reference}", st["body"]))
    out.append(_p(f"Date: {long_date(letter.date)}", st["body"]))
    if letter.text.subject:
        out.append(_p(letter.text.subject, st["subject"]))
    if letter.text.salutation:
        out.append(_p(letter.text.salutation, st["body"]))
    for para in letter.text.paragraphs:
        if isinstance(para, tuple):
            out.append(ListFlowable([ListItem(_p(x, st["body"]), leftIndent=12) for x in para],
                                    bulletType="bullet", start="•", leftIndent=12, bulletFontName=FONT))
        else:
            out.append(_p(para, st["body"]))
    if letter.extra:
        table = Table([[_p(k, st["body"]), _p(v, st["body"])] for k, v in letter.extra],
                      colWidths=[55 * mm, 115 * mm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        out += [Spacer(1, 2 * mm), table, Spacer(1, 4 * mm)]
    out.append(KeepTogether([
        _p(letter.text.closing, st["body"]), Spacer(1, 12 * mm),
        _p(letter.signatory, st["body"]), _p(letter.signatory_title, st["body"]),
    ]))
    return out


def _doc(path: Path, head: Letterhead, title: str) -> BaseDocTemplate:
    doc = BaseDocTemplate(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                          topMargin=18 * mm, bottomMargin=20 * mm, title=title, author=head.agency_name)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")

    def footer(canvas: object, d: BaseDocTemplate) -> None:
        c = canvas
        c.saveState()  # type: ignore[attr-defined]
        c.setFont(FONT, 7.5)  # type: ignore[attr-defined]
        c.setFillColor(colors.grey)  # type: ignore[attr-defined]
        c.drawString(d.leftMargin, 10 * mm, head.footer)  # type: ignore[attr-defined]
        c.drawRightString(A4[0] - d.rightMargin, 10 * mm, f"Page {d.page}")  # type: ignore[attr-defined]
        c.restoreState()  # type: ignore[attr-defined]

    doc.addPageTemplates([PageTemplate(id="letter", frames=[frame], onPage=footer)])
    return doc


def write_letters(path: Path, letters: Iterable[Letter], head: Letterhead, *, title: str = "Letters",
                  total: int | None = None, progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> int:
    """All ``letters`` into one PDF at ``path`` (each from a new page). Returns how many were written.

    Drawn straight onto the canvas (``core.documents.letter_canvas``: the same layout, at close to the
    cost of a bare reportlab canvas). ``progress(done, total)`` is called as letters are drawn;
    ``cancelled()`` returning True stops the batch, removes the partial file and raises
    :class:`Cancelled`."""
    from adoption_desktop.core.documents.letter_canvas import write_canvas_letters

    register_fonts()
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")

    def fields() -> Iterable[dict[str, object]]:
        for letter in letters:
            yield {"recipient": letter.recipient, "reference": letter.reference,
                   "date_text": long_date(letter.date), "subject": letter.text.subject,
                   "salutation": letter.text.salutation, "paragraphs": letter.text.paragraphs,
                   "extra": letter.extra, "closing": letter.text.closing, "signatory": letter.signatory,
                   "signatory_title": letter.signatory_title}

    def step(done: int) -> None:
        if progress:
            progress(done, total or done)

    try:
        count = write_canvas_letters(tmp, fields(), fonts=(FONT, FONT_BOLD, FONT_ITALIC), footer=head.footer,
                                     title=title, author=head.agency_name, agency_name=head.agency_name,
                                     agency_address=head.agency_address, progress=step, cancelled=cancelled)
        if not count:
            raise ValueError("no letters to write")
        tmp.replace(path)
    except RuntimeError as exc:
        if str(exc) == "cancelled":
            raise Cancelled() from exc
        raise
    finally:
        tmp.unlink(missing_ok=True)
    return count


def write_document(path: Path, flowables: list[Flowable], head: Letterhead, title: str) -> None:
    """A free-form PDF (reports, recovery-key sheet) with the letterhead footer."""
    register_fonts()
    tmp = Path(path).with_name(Path(path).name + ".partial")
    try:
        _doc(tmp, head, title).build(flowables)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
