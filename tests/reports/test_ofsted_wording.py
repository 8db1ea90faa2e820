"""The Ofsted pack's recommendation line reads as sentences whatever the panel typed (review: "Subject to the
medical report?. Vote: Unanimous." and 'See "Recommended.". Vote:')."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_desktop.reports.ofsted_parts import _sentence


@pytest.mark.parametrize(("typed", "read"), [
    ("Match recommended", "Match recommended."),
    ("Match recommended. ", "Match recommended."),
    ("Subject to the medical report?", "Subject to the medical report?"),
    ('See "Recommended."', 'See "Recommended."'),
    ("Approved!", "Approved!"),
])
def test_a_recommendation_ends_as_one_sentence(typed: str, read: str) -> None:
    assert _sentence(typed) == read
    assert not (_sentence(typed) + " Vote: Unanimous.").count("?.")


NAME = "Professor Araminta Featherstonehaugh-Cholmondeley-Montgomery-Fitzwilliam"


@pytest.mark.parametrize("widths", [(70, 100), (33, 137), (25, 145)])
def test_a_long_hyphenated_name_in_a_table_breaks_after_its_hyphens(tmp_path: Path, widths: tuple[int, int]) -> None:
    """User trial: the Ofsted pack's tables split a long hyphenated surname wherever the column ran out
    ("…Featherstonehaugh-Ch" / "olmondeley…"). Read back from the PDF, every line of the name ends at a
    hyphen or at its end when its parts fit the column, and the whole name is there."""
    from pypdf import PdfReader
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import SimpleDocTemplate

    from adoption_desktop.core.documents.pdf import FONT, register_fonts
    from adoption_desktop.reports.ofsted_parts import table

    register_fonts()
    out = tmp_path / "t.pdf"
    SimpleDocTemplate(str(out)).build([table(("Name", "Role"), [[NAME, "Social worker"]], widths)])
    lines = [ln.strip() for ln in (PdfReader(str(out)).pages[0].extract_text() or "").splitlines() if ln.strip()]
    name_lines = [ln for ln in lines if ln not in ("Name", "Role", "Social worker")]
    assert "".join(name_lines).replace(" ", "") == NAME.replace(" ", "")  # the whole name, in order
    room = widths[0] * mm - 2 * 6.0  # the cell's padding either side
    for line in name_lines:
        assert stringWidth(line, FONT, 8.5) <= room, line  # nothing past the column's border
    parts = ("Featherstonehaugh-", "Cholmondeley-", "Montgomery-", "Fitzwilliam")
    if all(stringWidth(p, FONT, 8.5) <= room for p in parts):  # every part fits: broken only at hyphens
        assert all(ln.endswith("-") or ln.endswith("Fitzwilliam") or ln == "Professor Araminta"
                   for ln in name_lines), name_lines
