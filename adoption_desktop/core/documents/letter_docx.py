"""Letters as Word documents (``.docx``): the same :class:`~adoption_desktop.core.documents.pdf.Letter`
(the same template text) under the same :class:`~adoption_desktop.core.documents.pdf.Letterhead`, for an
officer who needs to change a sentence before sending. The PDF stays the default and the record of what
was sent (ADM letters are filed as PDF); the Word copy is a working copy.

Layout follows the PDF (``letter_canvas``): letterhead (logo, agency and team name on the left; address,
telephone, e-mail and website on the right), recipient, reference, date, subject, salutation, body,
the optional two-column table, closing with room for a signature, the signatory and their title; the
data-protection line and the footer in the page footer, with "Page N" (``docx_pages``). Each letter
is a section of its own, from a new page, numbered from 1, its later pages headed "Our reference: …
(continued)" as in the PDF. Page-break rules are Word's own: every paragraph is "keep lines together",
the salutation and the last paragraph are "keep with next" and the closing block is kept together, so
the signature never starts a page alone; table rows do not break across pages, and the table's last row
goes with the closing (its first with the second), the others flowing as the PDF's do.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from adoption_desktop.core.documents.docx_pages import (
    add_page_number,
    continued_header,
    next_section,
    number_from_one,
)
from adoption_desktop.core.documents.docx_properties import save_docx, stamp
from adoption_desktop.core.files import output_file

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.section import _Footer
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from adoption_desktop.core.documents.pdf import Letter, Letterhead

FONT_NAME = "DejaVu Sans"  # the PDF's font; Word falls back to its default where it is not installed
BODY_PT = 10.5
FOOTER_PT = 7.5
PAGE_W, PAGE_H, SIDE_MARGIN = Mm(210), Mm(297), Mm(20)
TEXT_WIDTH = Mm(170)  # PAGE_W less the two side margins: the footer's page number is right-aligned there
HEADER_DISTANCE = Mm(8)  # "Our reference: … (continued)" in the top margin, about where the PDF prints it


def _fmt(p: Paragraph, *, after: float = 6.0, keep_next: bool = False, together: bool = True) -> Paragraph:
    pf = p.paragraph_format
    pf.space_after = Pt(after)
    pf.space_before = Pt(0)
    pf.keep_together = together
    pf.keep_with_next = keep_next
    pf.widow_control = True
    return p


def _no_split_rows(table: Table) -> None:
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        cant = OxmlElement("w:cantSplit")
        tr_pr.append(cant)


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _letterhead(doc: DocxDocument, head: Letterhead) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(95), Mm(75)
    p = left.paragraphs[0]
    if head.logo_png:
        p.add_run().add_picture(io.BytesIO(head.logo_png), height=Mm(18))
        p = left.add_paragraph()
    run = p.add_run(head.agency_name)
    run.bold, run.font.size = True, Pt(14)
    if head.team_name:
        left.add_paragraph(head.team_name)
    lines = [ln for ln in head.agency_address.splitlines() if ln.strip()] + head.contact_lines
    rp = right.paragraphs[0]
    rp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for k, line in enumerate(lines):
        if k:
            rp.add_run().add_break()
        rp.add_run(line)
    doc.add_paragraph()


def _footer(footer: _Footer, head: Letterhead, shown_page: str) -> None:
    """The data-protection line, then the footer's line with the page number right-aligned on it (as
    the PDF has them)."""
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.text = ""
    if head.data_protection:
        run = p.add_run(head.data_protection)
        run.font.size = Pt(FOOTER_PT)
        p = footer.add_paragraph()
    run = p.add_run(head.footer)
    run.font.size, run.italic = Pt(FOOTER_PT), True
    tabs = p.paragraph_format.tab_stops
    for stop in p.style.paragraph_format.tab_stops if p.style is not None else ():  # the Footer style's
        tabs.add_tab_stop(stop.position, WD_TAB_ALIGNMENT.CLEAR)  # centre and right stops are for Letter paper
    tabs.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    p.add_run("\t").font.size = Pt(FOOTER_PT)
    add_page_number(p, shown_page, Pt(FOOTER_PT))


def _letter(doc: DocxDocument, letter: Letter, head: Letterhead, date_text: str) -> Paragraph:
    """Write ``letter`` at the end of ``doc``; returns its last paragraph."""
    _letterhead(doc, head)
    _fmt(doc.add_paragraph("\n".join(ln for ln in letter.recipient if ln)), after=14)
    _fmt(doc.add_paragraph(f"Our reference: {letter.reference}"), after=2)
    _fmt(doc.add_paragraph(f"Date: {date_text}"), after=10)
    t = letter.text
    if t.subject:
        _fmt(doc.add_paragraph(), after=9, keep_next=True).add_run(t.subject).bold = True
    if t.salutation:
        _fmt(doc.add_paragraph(t.salutation), keep_next=True)
    body: list[Paragraph] = []
    for para in t.paragraphs:
        if isinstance(para, tuple):
            for k, item in enumerate(para):
                body.append(_fmt(doc.add_paragraph(item, style="List Bullet"), after=6 if k == len(para) - 1 else 2,
                                 keep_next=k < len(para) - 1 and len(para) <= 3))
        elif para.strip():
            body.append(_fmt(doc.add_paragraph(para)))
    if letter.extra:
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        last = len(letter.extra) - 1
        for k, (key, value) in enumerate(letter.extra):
            cells = table.add_row().cells
            cells[0].width, cells[1].width = Mm(55), Mm(115)
            cells[0].paragraphs[0].add_run(key).bold = True
            cells[1].paragraphs[0].add_run(value)
            for c in cells:  # as in the PDF: the rows flow, the first never alone at the foot of a page, the
                _fmt(c.paragraphs[0], after=0,  # last taken with the closing; all when kept together
                     keep_next=letter.keep_table_together or k in (0, last))
        _no_split_rows(table)
        doc.add_paragraph().paragraph_format.keep_with_next = True  # the space between the table and the closing
    elif body:
        body[-1].paragraph_format.keep_with_next = True  # the closing takes the last paragraph with it
    _fmt(doc.add_paragraph(t.closing), after=36, keep_next=True)
    _fmt(doc.add_paragraph(letter.signatory), after=2, keep_next=True)
    return _fmt(doc.add_paragraph(letter.signatory_title), after=0)


def letters_document(letters: Iterable[Letter], head: Letterhead, *, title: str = "Letters",
                     progress: Callable[[int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> tuple[DocxDocument, int]:
    """A python-docx document holding ``letters`` (each a section of its own, from a new page) and how
    many it holds."""
    from adoption_desktop.core.documents.pdf import Cancelled, long_date

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = PAGE_H, PAGE_W
    section.left_margin = section.right_margin = SIDE_MARGIN
    section.top_margin, section.bottom_margin = Mm(18), Mm(22)
    section.header_distance = HEADER_DISTANCE
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT_NAME, Pt(BODY_PT)
    stamp(doc, title=title, author=head.agency_name)
    number_from_one(section)
    section.first_page_header.is_linked_to_previous = False  # empty: the letterhead is in the text
    _footer(section.first_page_footer, head, "1")  # the later sections inherit the footers
    _footer(section.footer, head, "2")
    count = 0
    last: Paragraph | None = None
    for letter in letters:
        if cancelled and cancelled():
            raise Cancelled()
        if last is not None:
            section = next_section(doc, last)
            number_from_one(section)
        continued_header(section, letter.reference)
        last = _letter(doc, letter, head, long_date(letter.date))
        count += 1
        if progress:
            progress(count)
    return doc, count


def write_docx_letters(path: Path, letters: Iterable[Letter], head: Letterhead, *, title: str = "Letters",
                       total: int | None = None, progress: Callable[[int, int], None] | None = None,
                       cancelled: Callable[[], bool] | None = None) -> int:
    """All ``letters`` into one ``.docx`` at ``path``; written to a ``.partial`` file first, so a cancel or
    an error leaves no half-written document. Returns how many were written."""
    path = Path(path)

    def step(done: int) -> None:
        if progress:
            progress(done, total or done)

    with output_file(path) as tmp:
        doc, count = letters_document(letters, head, title=title, progress=step, cancelled=cancelled)
        if not count:
            raise ValueError("no letters to write")
        save_docx(doc, tmp)
    return count


def is_docx(path: Path | str) -> bool:
    """Whether ``path`` asks for a Word copy (the ``.docx`` suffix chooses the format; anything else is PDF)."""
    return Path(path).suffix.lower() == ".docx"

