"""Style lookups resolved once per Word document (python-docx).

python-docx finds a style by name by scanning every style of the template (and again for the default style)
on each ``add_paragraph(style=…)``, ``add_heading`` and ``table.style = …``, and reading a paragraph's
``style`` scans them for its id: nearly half the time of a long minutes export, and of a report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.oxml.ns import qn

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument


def cache_style_lookups(doc: DocxDocument) -> None:
    """Resolve each style name once for ``doc`` (its later changes of styles are not seen: call it on a document
    whose styles are set)."""
    part = doc.part
    lookup = part.get_style_id
    cache: dict[tuple[object, object], str | None] = {}

    def get_style_id(style_or_name: object, style_type: object) -> str | None:
        key = (style_or_name if isinstance(style_or_name, str) or style_or_name is None else id(style_or_name),
               style_type)
        if key not in cache:
            cache[key] = lookup(style_or_name, style_type)
        return cache[key]

    part.get_style_id = get_style_id  # type: ignore[method-assign]


def paragraphs_in_style(doc: DocxDocument, name: str) -> int:
    """How many paragraphs of ``doc``'s body are in the paragraph style ``name``, read from the document's XML
    (``paragraph.style`` looks each one's style up among all the template's)."""
    style_id = doc.styles[name].style_id
    return sum(1 for el in doc.element.body.iter(qn("w:pStyle")) if el.get(qn("w:val")) == style_id)
