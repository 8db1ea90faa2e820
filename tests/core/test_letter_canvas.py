"""The canvas letters' shortcuts change nothing a reader sees (issue 17, item 2).

- Line breaking remembered per text and measured per word breaks exactly where reportlab's
  ``simpleSplit`` breaks;
- the letterhead and the footer's fixed lines are drawn once, as form XObjects every page places: the
  pages read back with every line, logo or not, and the file holds two forms, not two per page;
- the PDF is made in memory: nothing is written when the last check (``before_save``) refuses.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from adoption_desktop.core.documents.letter_canvas import WIDTH, LetterCanvas, write_canvas_letters
from adoption_desktop.core.documents.pdf import (
    FONT,
    FONT_BOLD,
    FONT_ITALIC,
    Letter,
    Letterhead,
    register_fonts,
    write_letters,
)
from adoption_desktop.core.documents.templates import RenderedLetterText

FONTS = (FONT, FONT_BOLD, FONT_ITALIC)

TEXTS = [
    "This is a friendly reminder that your letterbox exchange for Max is due in March 2027.",
    "Please send your letter, card, photographs or drawings to the Letterbox Coordinator at the address "
    "above by 15 December 2026, quoting our reference LB-00001.",
    "Averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongwordwithnobreaks and then "
    "some short ones",
    "  spaces   inside\tand a tab,   and trailing   ",
    "Ünïcödé — dashes “quotes” and café, naïve façade: ½ £ € •",
    "a",
    "word " * 60,
]


@pytest.fixture(scope="module", autouse=True)
def _fonts() -> None:
    register_fonts()


@pytest.mark.parametrize("width", [40.0, 120.0, 75 * 2.83465 - 12, WIDTH - 24.0, WIDTH])
@pytest.mark.parametrize("font,size", [(FONT, 10.5), (FONT_BOLD, 14.0), (FONT, 7.5)])
def test_line_breaks_are_reportlabs(tmp_path: Path, width: float, font: str, size: float) -> None:
    """Text whose every word fits the width breaks exactly where simpleSplit breaks; a word wider than the
    width (which simpleSplit draws whole, past the border) is broken so that no line is wider."""
    writer = LetterCanvas(tmp_path / "x.pdf", fonts=FONTS, footer="", title="t", author="a")
    for text in TEXTS:
        expected = [ln for raw in text.split("\n") for ln in (simpleSplit(raw, font, size, width) if raw.strip()
                                                              else [""])]
        for _ in range(2):  # the first time measured, the second remembered
            got = [ln.text for ln in writer.wrap(text, width, font=font, size=size)]
            if all(stringWidth(word, font, size) <= width for word in text.split()):
                assert got == expected, text
            else:
                assert all(stringWidth(ln, font, size) <= width for ln in got), text
                assert "".join(got).replace(" ", "") == "".join(text.split()), text  # every character kept


def _letters(n: int) -> list[Letter]:
    text = RenderedLetterText("Letterbox exchange due", "Dear Sam Example,",
                              ("First paragraph of the letter.", ("One point.", "Another point.")),
                              "Yours sincerely,")
    return [Letter((f"Recipient {k}", f"{k} Example Road", "Exampletown", "ZZ99 9ZZ"), text, dt.date(2027, 3, 1),
                   f"LB-{k:05d}", "Lee Example", "Letterbox coordinator") for k in range(1, n + 1)]


def _footer(lines: list[str]) -> str:
    """The page number as the eye reads it: an earlier page's total is a form drawn on the same line, which
    pypdf reads out after the rest ("Page 1 of" … "2")."""
    if len(lines) > 1 and lines[-1].isdigit() and lines[-2].rstrip().endswith(" of"):
        return f"{lines[-2].rstrip()} {lines[-1]}"
    return lines[-1]


def test_pages_are_numbered_within_each_letter(tmp_path: Path) -> None:
    """User trial: a batch numbered its pages on from letter to letter, so a birth relative's one-page
    letter read "Page 3" and looked incomplete. Each letter's pages count from 1."""
    long = RenderedLetterText("Letterbox exchange due", "Dear Sam Example,",
                              tuple(f"Paragraph {k}. " + "A sentence of the letter. " * 12 for k in range(14)),
                              "Yours sincerely,")
    first = Letter(("Recipient 1", "1 Example Road", "ZZ99 9ZZ"), long, dt.date(2027, 3, 1), "LB-00001",
                   "Lee Example", "Letterbox coordinator")
    out = tmp_path / "letters.pdf"
    write_letters(out, [first, *_letters(2)], Letterhead("Example Agency", "1 Example Street"), title="Letters")
    pages = [[ln for ln in (p.extract_text() or "").splitlines() if ln.strip()] for p in PdfReader(str(out)).pages]
    assert [_footer(lines) for lines in pages] == ["Page 1 of 2", "Page 2 of 2", "Page 1", "Page 1"]
    # the page after the first says whose letter it continues (user trial: a QD notice's second page held
    # only its last table row and the signature, with no name or reference on it)
    assert pages[1][0] == "Our reference: LB-00001 (continued)"
    assert not any("(continued)" in ln for n in (0, 2, 3) for ln in pages[n])


def test_a_letter_of_three_pages_and_more_counts_every_page(tmp_path: Path) -> None:
    longer = RenderedLetterText("Letterbox exchange due", "Dear Sam Example,",
                                tuple(f"Paragraph {k}. " + "A sentence of the letter. " * 12 for k in range(30)),
                                "Yours sincerely,")
    letters = [Letter(("Recipient", "1 Example Road"), longer, dt.date(2027, 3, 1), f"LB-0000{n}", "Lee Example",
                      "Letterbox coordinator") for n in (1, 2)]
    out = tmp_path / "letters.pdf"
    write_letters(out, letters, Letterhead("Example Agency", "1 Example Street"), title="Letters")
    footers = [_footer([ln for ln in (p.extract_text() or "").splitlines() if ln.strip()])
               for p in PdfReader(str(out)).pages]
    per = len(footers) // 2
    assert per >= 3 and footers == [f"Page {k} of {per}" for k in range(1, per + 1)] * 2


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 30), (47, 93, 124)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("logo", [False, True])
def test_letterhead_and_footer_are_drawn_once_and_read_on_every_page(tmp_path: Path, logo: bool) -> None:
    head = Letterhead("Example Agency", "1 Example Street\nExampletown\nZZ99 1AA", team_name="Letterbox",
                      telephone="01632 960 000", website="www.example.org", data_protection="How we use data: x",
                      logo_png=_png() if logo else None)
    out = tmp_path / "letters.pdf"
    assert write_letters(out, _letters(4), head, title="Reminders") == 4
    reader = PdfReader(str(out))
    assert len(reader.pages) == 4
    forms = set()
    for n, page in enumerate(reader.pages, start=1):
        lines = [ln for ln in (page.extract_text() or "").splitlines() if ln.strip()]
        assert lines[:2] == ["Example Agency", "Letterbox"]
        for expected in ("1 Example Street", "Telephone 01632 960 000", "www.example.org", f"Recipient {n}",
                         f"Our reference: LB-{n:05d}", "Dear Sam Example,", "Letterbox coordinator"):
            assert expected in lines
        assert lines[-3:] == ["How we use data: x", head.footer, "Page 1"]  # numbered within each letter
        xobjects = page["/Resources"]["/XObject"]
        placed = {name for name in xobjects if xobjects[name].get_object()["/Subtype"] == "/Form"}
        assert len(placed) == 2  # the letterhead and the footer's fixed lines
        forms |= {xobjects[name].indirect_reference.idnum for name in placed}
    assert len(forms) == 2  # the same two forms on every page, not drawn again per page
    if logo:  # the logo is inside the letterhead's form
        head_forms = [reader.get_object(i) for i in forms]
        assert any("/XObject" in f.get("/Resources", {}) for f in head_forms)


def test_nothing_is_written_when_the_last_check_refuses(tmp_path: Path) -> None:
    out = tmp_path / "letters.pdf"

    def refuse() -> None:
        raise PermissionError("sign-in not confirmed")

    fields = [{"recipient": ["R"], "reference": "LB-1", "date_text": "1 March 2027", "subject": "S",
               "salutation": "Dear R,", "paragraphs": ["P."], "extra": (), "closing": "Yours sincerely,",
               "signatory": "Lee", "signatory_title": "Coordinator"}]
    with pytest.raises(PermissionError):
        write_canvas_letters(out, fields, fonts=FONTS, head=Letterhead("Agency", "Address"), title="t",
                             before_save=refuse)
    assert not out.exists()
    assert write_canvas_letters(out, fields, fonts=FONTS, head=Letterhead("Agency", "Address"), title="t") == 1
    assert len(PdfReader(str(out)).pages) == 1


def _body_positions(page: object) -> list[tuple[str, float]]:
    """(text, baseline y) of every piece of text on a pypdf page."""
    found: list[tuple[str, float]] = []

    def visit(text: str, _cm: object, tm: list[float], _font: object, _size: object) -> None:
        if text.strip():
            found.append((text, tm[5]))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("words,paragraphs_after", [(1000, 0), (2000, 1), (300, 2)])
def test_a_paragraph_longer_than_a_page_is_split_over_every_page_it_needs(tmp_path: Path, words: int,
                                                                          paragraphs_after: int) -> None:
    """ADM trial: reasons of 6,000–12,400 characters in one paragraph (the service accepts 20,000) were split
    once; the rest was drawn whole on the next page, over the footer and off its foot, and lost from the
    filed letter. Every word is now in the PDF, and no body line is below the footer's line."""
    from adoption_desktop.core.documents.letter_canvas import BOTTOM

    numbered = " ".join(f"w{k:04d}" for k in range(words))
    text = RenderedLetterText("Decision", "Dear Sam Example,",
                              (numbered, *(f"After {k}." for k in range(paragraphs_after))), "Yours sincerely,")
    letter = Letter(("Recipient", "1 Example Road", "ZZ99 9ZZ"), text, dt.date(2027, 3, 1), "AD-2026-0001",
                    "Lee Example", "Agency decision maker", extra=(("Decision", "Approved"),))
    out = tmp_path / "long.pdf"
    write_letters(out, [letter], Letterhead("Example Agency", "1 Example Street"), title="Letters")
    reader = PdfReader(str(out))
    flat = " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())
    assert [f"w{k:04d}" for k in range(words) if f"w{k:04d}" not in flat] == []
    assert flat.index(f"w{words - 1:04d}") < flat.index("Yours sincerely,")
    for k in range(paragraphs_after):
        assert f"After {k}." in flat
    for n, page in enumerate(reader.pages, start=1):
        low = [(t, y) for t, y in _body_positions(page) if t.strip().startswith("w") and y < BOTTOM]
        assert low == [], f"page {n}: body text below the foot margin: {low[:3]}"


@pytest.mark.parametrize("what", ["a short list with a long first item", "a table row taller than a page"])
def test_what_is_kept_together_but_fits_no_page_is_still_on_the_pages(tmp_path: Path, what: str) -> None:
    """Review: a bullet list of three kept together whose first item is very long, and a correction reason of
    4,000 characters in one table row, were drawn from the top of a page down past its foot and off it."""
    from adoption_desktop.core.documents.letter_canvas import BOTTOM

    words = [f"w{k:04d}" for k in range(1500 if what.startswith("a short") else 700)]
    paragraphs: tuple[str | tuple[str, ...], ...]
    if what.startswith("a short"):
        paragraphs, extra = ((" ".join(words), "Second item.", "Third item."),), ()
    else:
        paragraphs, extra = ("Short.",), (("Corrected version", "version 2: " + " ".join(words)),)
    text = RenderedLetterText("Decision", "Dear Sam Example,", paragraphs, "Yours sincerely,")
    letter = Letter(("Recipient", "1 Example Road", "ZZ99 9ZZ"), text, dt.date(2027, 3, 1), "AD-2026-0001",
                    "Lee Example", "Agency decision maker", extra=extra)
    out = tmp_path / "kept.pdf"
    write_letters(out, [letter], Letterhead("Example Agency", "1 Example Street"), title="Letters")
    reader = PdfReader(str(out))
    flat = " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())
    assert [w for w in words if w not in flat] == []
    assert len(reader.pages) >= 2
    for n, page in enumerate(reader.pages, start=1):
        low = [(t, y) for t, y in _body_positions(page) if t.strip().startswith(("w", "Second", "Third"))
               and y < BOTTOM]
        assert low == [], f"page {n}: body text below the foot margin: {low[:3]}"
    if what.startswith("a short"):
        assert flat.index("w1499") < flat.index("Second item.") < flat.index("Third item.")


NAME = "Professor Araminta Featherstonehaugh-Cholmondeley-Montgomery-Fitzwilliam"


def test_a_long_hyphenated_name_breaks_after_its_hyphens_inside_its_cell(tmp_path: Path) -> None:
    """User trial: a panel invitation's member table drew "Featherstonehaugh-Cholmondeley-Montgomery-
    Fitzwilliam" whole, over the border into the role column. An over-wide word is broken after its
    hyphens (the hyphen ends the line), inside a part only when that part alone is too wide; no line
    drawn is wider than its cell, and every part of the name is on the page."""
    from reportlab.lib.units import mm

    from adoption_desktop.core.documents.letter_canvas import CELL_PAD_X, LEFT

    cell = 55 * mm - 2 * CELL_PAD_X
    writer = LetterCanvas(tmp_path / "x.pdf", fonts=FONTS, footer="", title="t", author="a")
    lines = [ln.text for ln in writer.wrap(NAME, cell)]
    assert all(stringWidth(ln, FONT, 10.5) <= cell for ln in lines)
    assert lines[0] == "Professor Araminta"
    assert all(ln.endswith("-") for ln in lines[1:-1]) and lines[-1].endswith("Fitzwilliam")
    assert "".join(lines[1:]) == "Featherstonehaugh-Cholmondeley-Montgomery-Fitzwilliam"

    out = tmp_path / "letters.pdf"
    fields = [{"recipient": ["R"], "reference": "PANEL/1/1", "date_text": "1 March 2027", "subject": "S",
               "salutation": "Dear R,", "paragraphs": ["The people who sit on the panel are listed below."],
               "extra": ((NAME, "Social worker"), ("Rosa Bramwick", NAME)), "closing": "Yours sincerely,",
               "signatory": "Lee", "signatory_title": "Coordinator"}]
    write_canvas_letters(out, fields, fonts=FONTS, head=Letterhead("Agency", "Address"), title="t")
    page = PdfReader(str(out)).pages[0]
    text = page.extract_text() or ""
    for part in ("Professor Araminta", "Featherstonehaugh-", "Cholmondeley-", "Montgomery-", "Fitzwilliam"):
        assert text.count(part) == 2, part  # in the key column and in the value column
    drawn: list[tuple[str, float]] = []

    def visit(t: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        if t.strip():
            drawn.append((t, tm[4] * cm[0] + cm[4]))

    page.extract_text(visitor_text=visit)
    key_right, value_right = LEFT + 55 * mm - CELL_PAD_X, LEFT + 170 * mm - CELL_PAD_X
    in_key = [(t, x) for t, x in drawn if LEFT < x < LEFT + 55 * mm and t.strip() != "Social worker"]
    assert any("Fitzwilliam" in t for t, _ in in_key)
    cells = [(t.strip(), x) for t, x in drawn if x > LEFT + 1 and any(w in t for w in ("Professor", "-", "Fitzwilliam", "Rosa"))]
    assert len(cells) >= 6 and {t for t, x in cells if x < LEFT + 55 * mm} >= {"Featherstonehaugh-", "Cholmondeley-"}
    for t, x in cells:  # each line of a cell ends inside it
        right = key_right if x < LEFT + 55 * mm else value_right
        assert x + stringWidth(t, FONT, 10.5) <= right + 0.01, t


def test_a_word_is_broken_inside_only_where_a_part_alone_is_too_wide() -> None:
    from adoption_desktop.core.documents.letter_canvas import break_word

    def measure(text: str) -> float:
        return stringWidth(text, FONT, 10.5)

    word = "Featherstonehaugh-Cholmondeley"
    assert break_word(word, 120.0, measure) == ["Featherstonehaugh-", "Cholmondeley"]
    narrow = break_word(word, 90.0, measure)  # "Featherstonehaugh-" alone is wider than 90 points
    assert all(measure(p) <= 90.0 for p in narrow) and "".join(narrow) == word and len(narrow) > 2
    assert narrow[-1] == "Cholmondeley"  # the part that fits is not broken
    assert break_word("--", 1.0, measure) == ["-", "-"]


@settings(max_examples=300, deadline=None)
@given(runs=st.lists(st.text("abcdefgh", min_size=1, max_size=9), min_size=1, max_size=5),
       trail=st.booleans(), width=st.integers(min_value=2, max_value=12))
def test_a_hyphen_never_stands_alone_on_a_line(runs: list[str], trail: bool, width: int) -> None:
    """Review, 6 December: ``break_word("abc-def", 3, len)`` gave ``['abc', '-', 'def']``, a hyphen alone on
    a line. For any hyphenated word and any width that holds a letter and a hyphen: every piece fits, none
    is a hyphen alone or starts with the hyphen that ends a part, and together they are the word."""
    from adoption_desktop.core.documents.letter_canvas import break_word

    word = "-".join(runs) + "-" * trail
    pieces = break_word(word, float(width), len)
    assert "".join(pieces) == word
    assert all(len(p) <= width for p in pieces), pieces
    assert "-" not in pieces, pieces
    assert all(not p.startswith("-") for p in pieces[1:]), pieces


def test_the_closing_hyphen_of_a_part_broken_inside_stays_with_a_letter() -> None:
    from adoption_desktop.core.documents.letter_canvas import break_word

    assert break_word("abc-def", 3.0, len) == ["ab", "c-", "def"]
    assert break_word("abc-", 3.0, len) == ["ab", "c-"]
    assert break_word("-abcd", 3.0, len) == ["-ab", "cd"]
