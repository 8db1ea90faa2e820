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


def _run(p: Paragraph, size: Length, text: str = "") -> CT_R:
    run = p.add_run(text)
    run.font.size = size
    return run._r


def _char(p: Paragraph, size: Length, kind: str) -> None:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    _run(p, size).append(el)


def add_page_number(p: Paragraph, shown: str, size: Length) -> None:
    """"Page { PAGE }" at the end of ``p``; ``shown`` is the number stored with the field, what shows until
    it is worked out ("1" in a first page's footer, "2" in a later page's)."""
    _run(p, size, "Page ")
    _char(p, size, "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = "PAGE"
    _run(p, size).append(code)
    _char(p, size, "separate")
    _run(p, size, shown)
    _char(p, size, "end")


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
