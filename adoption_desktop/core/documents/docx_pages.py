"""Page numbers and the continuation line of the Word copy of letters (``letter_docx``).

Each letter is a section of its own (from a new page), numbered from 1 (``w:pgNumType w:start="1"``), so
its footer's "Page N" (Word's ``PAGE`` field, worked out as the pages are laid out) counts that letter's
pages only. The sections have a different first page: the first page's header is empty (the letterhead is
in the text); every later page's header reads "Our reference: … (continued)", as the PDF's top margin.

The PDF's "of M" is left out here: Word's count of a section's pages (``SECTIONPAGES``) is not worked out
by LibreOffice, which printed the stored value ("Page 3 of 2" on a three-page letter), and an ``IF`` on it
(to print "Page 1" alone on a one-page letter) showed nothing at all. See docs/letters.md, "Word copies".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length, Pt, RGBColor

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.text.run import CT_R
    from docx.text.paragraph import Paragraph

CONTINUED_PT = 8.0
CONTINUED_COLOUR = RGBColor(0x80, 0x80, 0x80)  # the PDF's grey


@dataclass(frozen=True)
class Field:
    """A Word field: its code in pieces (text, or a field nested in it) and the result stored with it
    (none for a field in another's code: Word works it out when it works out the outer one, and a
    program reading the text without fields would show it beside the outer one's)."""

    code: tuple[str | Field, ...]
    result: str | None = None


def _page(result: str | None = None) -> Field:
    return Field(("PAGE",), result)


#: a letter's first page: "Page 1" (the stored result is what shows until the field is worked out)
FIRST_PAGE: tuple[str | Field, ...] = ("Page ", _page("1"))
#: a later page
LATER_PAGE: tuple[str | Field, ...] = ("Page ", _page("2"))


def _run(p: Paragraph, size: Length, text: str = "") -> CT_R:
    run = p.add_run(text)
    run.font.size = size
    return run._r


def _char(p: Paragraph, size: Length, kind: str) -> None:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    _run(p, size).append(el)


def _field(p: Paragraph, field: Field, size: Length) -> None:
    _char(p, size, "begin")
    for piece in field.code:
        if isinstance(piece, Field):
            _field(p, piece, size)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = piece
            _run(p, size).append(el)
    if field.result is not None:
        _char(p, size, "separate")
        _run(p, size, field.result)
    _char(p, size, "end")


def add_page_number(p: Paragraph, parts: Sequence[str | Field], size: Length) -> None:
    """Write ``parts`` (``FIRST_PAGE`` or ``LATER_PAGE``) at the end of ``p``: text as it is, fields as fields."""
    for part in parts:
        if isinstance(part, Field):
            _field(p, part, size)
        else:
            _run(p, size, part)


def number_from_one(section: Section) -> None:
    """The section's pages are numbered from 1 (a letter's own pages, not the batch's), and its first page
    has a header and footer of its own."""
    sect_pr = section._sectPr
    num = sect_pr.find(qn("w:pgNumType"))
    if num is None:
        num = OxmlElement("w:pgNumType")
        sect_pr.insert_element_before(num, "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg",
                                      "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
                                      "w:printerSettings", "w:sectPrChange")
    num.set(qn("w:start"), "1")
    section.different_first_page_header_footer = True


def continued_header(section: Section, reference: str) -> None:
    """The header of the section's later pages: "Our reference: <reference> (continued)", as the PDF prints
    it in the top margin; a header of this letter's own (the footers and the empty first-page header are
    the first letter's, inherited)."""
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.text = ""
    run = p.add_run(f"Our reference: {reference} (continued)")
    run.font.size, run.font.color.rgb = Pt(CONTINUED_PT), CONTINUED_COLOUR


def next_section(doc: DocxDocument, last: Paragraph) -> Section:
    """A new section, from a new page, for the next letter. The section before it ends with ``last`` (the
    letter's last paragraph: no empty paragraph is added that could make a blank page) and keeps its
    headers and footers; the new one inherits the page setup, the numbering and the footers."""
    sentinel = doc.element.body.get_or_add_sectPr()
    last._p.set_sectPr(sentinel.clone())
    for ref in sentinel.xpath("w:headerReference|w:footerReference"):
        sentinel.remove(ref)
    return Section(sentinel, doc.part)  # doc.sections[-1], without searching the whole body for it
