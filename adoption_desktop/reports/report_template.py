"""Builds the default editable report template ``resources/templates/report.docx``.

Run ``python -m adoption_desktop.reports.report_template`` to regenerate it. An agency edits the result
in Word: the header (``{agency_name}``), fonts, the heading, table and caption styles, margins. The report
is written with the named styles Title, Subtitle, Heading 1, Heading 2, Normal, Caption, List Bullet and
Table Grid; the paragraph that reads ``{{report}}`` is where the report starts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt, RGBColor

from adoption_desktop.core.documents.docx_properties import stamp
from adoption_desktop.core.resources import resource_path

TEMPLATE_NAME = "report.docx"
MARKER = "{{report}}"
INK = RGBColor(0x1F, 0x1F, 0x1F)


def template_path() -> Path:
    return resource_path("templates", TEMPLATE_NAME)


def build(path: Path) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(18), Mm(18)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 22), ("Subtitle", 13), ("Heading 1", 15), ("Heading 2", 12), ("Caption", 9)):
        style = doc.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.bold = name in ("Title", "Heading 1", "Heading 2")
        style.font.italic = name == "Caption"
        style.font.color.rgb = INK
        style.paragraph_format.space_before = Pt({"Heading 1": 16, "Heading 2": 10}.get(name, 0))
        style.paragraph_format.space_after = Pt(6)
    doc.styles["Heading 1"].paragraph_format.keep_with_next = True
    doc.styles["Heading 2"].paragraph_format.keep_with_next = True

    head = section.header.paragraphs[0]
    run = head.add_run("{agency_name}")
    run.bold = True
    run.font.size = Pt(10)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("OFFICIAL: counts only, no personal information. Page ").font.size = Pt(8)
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:rPr><w:sz w:val="16"/>'
                               '</w:rPr><w:t>1</w:t></w:r></w:fldSimple>'))
    doc.add_paragraph(MARKER)
    stamp(doc, title="Annual report template", author="")  # each report stamps the agency's name
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    out = build(Path(sys.argv[1]) if len(sys.argv) > 1 else template_path())
    print(f"wrote {out}")
