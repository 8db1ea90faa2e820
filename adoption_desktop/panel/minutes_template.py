"""Builds the default editable minutes template ``resources/templates/minutes.docx``.

Run ``python -m adoption_desktop.panel.minutes_template`` to regenerate it. An agency edits the result in
Word: the header (``{agency_name}``, ``{agency_address}`` and the other profile placeholders of
:data:`MINUTES_PLACEHOLDERS`), fonts, heading styles, margins and the title block. Keep the paragraph that
reads ``{{minutes}}`` last in the body: the minutes are written there.

The agency's edited copy lives in the database (``template_versions``, name ``minutes``: see
``template_admin``), so team mode shares it and an upgrade of the program folder never
replaces it; this file is the shipped default.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt, RGBColor
from sqlalchemy.orm import Session

from adoption_desktop.core.documents.docx_properties import stamp
from adoption_desktop.core.resources import resource_path

TEMPLATE_NAME = "minutes.docx"
MARKER = "{{minutes}}"
ACCENT = RGBColor(0x2F, 0x5D, 0x7C)


STORED_NAME = "minutes"
#: what the minutes template may contain, in braces: the agency profile's values
MINUTES_PLACEHOLDERS = ("agency_name", "agency_legal_name", "agency_address", "agency_telephone", "agency_email",
                        "agency_website", "team_name")
_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


def template_path() -> Path:
    """The shipped default (the agency's own copy: :func:`stored_template`)."""
    return resource_path("templates", TEMPLATE_NAME)


def stored_template(session: Session) -> tuple[bytes | None, str]:
    """``(the agency's .docx or None for the shipped file, version label)`` of the minutes template."""
    from adoption_desktop.core.documents.templates import stored_version, version_label

    stored = stored_version(session, STORED_NAME)
    if stored is None:
        return None, version_label(STORED_NAME, 0, "shipped")
    return stored[3], version_label(STORED_NAME, stored[0], stored[1])


def header_values(session: Session) -> dict[str, str]:
    """``{"{agency_name}": …}``: what the placeholders of the minutes template are replaced with."""
    from adoption_desktop.core.agency_profile import agency_profile

    return {f"{{{k}}}": v for k, v in agency_profile(session).placeholders("panel").items()}


def docx_placeholders(content: bytes) -> tuple[set[str], bool]:
    """The ``{name}`` placeholders anywhere in a minutes ``.docx`` (body, tables, headers, footers) and
    whether its body has the ``{{minutes}}`` paragraph. Raises ValueError when it is no Word file."""
    import io
    import zipfile

    try:
        doc = Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValueError(str(exc)) from exc
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        texts.extend(c.text for row in table.rows for c in row.cells)
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            texts.extend(p.text for p in part.paragraphs)
            for table in part.tables:
                texts.extend(c.text for row in table.rows for c in row.cells)
    found: set[str] = set()
    for t in texts:
        found.update(_PLACEHOLDER.findall(t))
    return found, any(p.text.strip() == MARKER for p in doc.paragraphs)


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
    stamp(doc, title="Adoption panel minutes template", author="")  # each export stamps the agency's name
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    out = build(Path(sys.argv[1]) if len(sys.argv) > 1 else template_path())
    print(f"wrote {out}")
