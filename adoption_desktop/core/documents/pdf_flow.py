"""Free-form PDF documents laid out with reportlab platypus (the recovery-key sheet), with the letters'
fonts and footer. Letters themselves are drawn by ``letter_canvas`` and never load platypus."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from adoption_desktop.core.documents.pdf import FONT, FONT_BOLD, Letterhead, register_fonts
from adoption_desktop.core.files import output_file


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


def write_document(path: Path, flowables: list[Flowable], head: Letterhead, title: str) -> None:
    """A free-form PDF (reports, recovery-key sheet) with the letterhead footer."""
    register_fonts()
    with output_file(path) as tmp:
        _doc(tmp, head, title).build(flowables)
