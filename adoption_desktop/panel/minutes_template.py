"""Builds the default editable minutes template ``resources/templates/minutes.docx``.

Run ``python -m adoption_desktop.panel.minutes_template`` to regenerate it. An agency edits the result in
Word: the header (``{agency_name}``, ``{agency_address}``), fonts, heading styles, margins and the title
block. Keep the paragraph that reads ``{{minutes}}`` last in the body: the minutes are written there.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt, RGBColor

from adoption_desktop.core.resources import resource_path

TEMPLATE_NAME = "minutes.docx"
MARKER = "{{minutes}}"
ACCENT = RGBColor(0x2F, 0x5D, 0x7C)


def template_path() -> Path:
    return resource_path("templates", TEMPLATE_NAME)


def build(path: Path) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(18), Mm(18)

    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 18), ("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 10.5)):
        style = doc.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = ACCENT
        style.paragraph_format.space_before = Pt(10 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)

    header = section.header
    head = header.paragraphs[0]
    run = head.add_run("{agency_name}")
    run.bold = True
    run.font.size = Pt(12)
    run.font.color.rgb = ACCENT
    addr = header.add_paragraph("{agency_address}")
    addr.runs[0].font.size = Pt(8)
    addr.paragraph_format.space_after = Pt(6)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("OFFICIAL-SENSITIVE: adoption panel minutes. Page ").font.size = Pt(8)
    fld = parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:rPr><w:sz w:val="16"/></w:rPr>'
                    '<w:t>1</w:t></w:r></w:fldSimple>')
    footer._p.append(fld)

    doc.add_paragraph("Adoption panel minutes", style="Title")
    doc.add_paragraph(MARKER)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    out = build(Path(sys.argv[1]) if len(sys.argv) > 1 else template_path())
    print(f"wrote {out}")
