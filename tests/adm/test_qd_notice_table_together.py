"""User trial: the qualifying-determination notice split its summary table (case reference, decision, date
of decision, the representations deadline) across two pages. An ADM letter's table is read as one: its rows
stay on one page (with the closing, so the signature is still never alone at the top of a page). Read back
with pypdf from letters whose reasons run the table over the page break."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

from pypdf import PdfReader

from adoption_desktop.adm import rules
from adoption_desktop.adm.documents import letter_from_content, letter_to_content, letters_to_pdf_bytes
from adoption_desktop.adm.models import AdmQualifyingDetermination
from adoption_desktop.core.documents.pdf import Letter, write_letters
from tests.letter_cases import DAY, HEAD, _adm_letter, _decision

#: the table's rows as pypdf reads them (label and value)
ROWS = ("Case reference AD-2026-0142", "Date of decision", "Representations or IRM by 29 January 2027")
REASON = ("I have read the prospective adopters' report, the panel's minutes and the references again, and I "
          "weighed the applicants' account of their support network against the assessing social worker's. ")


def _notice(sentences: int) -> Letter:
    qd = AdmQualifyingDetermination(id=1, decision_id=1, notice_sent_on=DAY, deadline=dt.date(2027, 1, 29),
                                    representations_on=None, representations="", irm_applied_on=None,
                                    irm_recommendation_on=None, irm_recommendation="")
    d = _decision("approval", "suitable", rules.OUTCOME_NOT_APPROVE, decision_reasons=REASON * sentences)
    return _adm_letter(d, qd=qd)


def _pages(letter: Letter) -> list[str]:
    pdf = letters_to_pdf_bytes([letter], HEAD, "QD notice")
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _table_pages(pages: list[str]) -> set[int]:
    return {k for k, page in enumerate(pages) for row in ROWS if row in page}


def test_qd_notice_keeps_its_summary_table_on_one_page() -> None:
    straddled = 0
    for sentences in range(2, 26):
        letter = _notice(sentences)
        assert letter.extra[-1][0] == "Representations or IRM by"
        # the layout before the fix (the rows flowing like lines): does the table cross a page here?
        flowing = _table_pages(_pages(dataclasses.replace(letter, keep_table_together=False)))
        straddled += len(flowing) > 1
        pages = _pages(letter)
        held = _table_pages(pages)
        assert len(held) == 1, (sentences, held)
        # every row found, and the signature on the table's page after it (never alone at a page's top)
        page = pages[held.pop()]
        assert all(row in page for row in ROWS), sentences
        assert "Yours sincerely" in page.split("Representations or IRM by", 1)[1], sentences
    assert straddled >= 2  # the rule was exercised: letters whose table would have crossed the page break


def test_a_stored_letter_printed_again_keeps_its_table_together() -> None:
    letter = _notice(12)
    assert letter.keep_table_together
    again = letter_from_content(letter_to_content(letter))
    assert again.keep_table_together and again.extra == letter.extra


def test_the_word_copy_keeps_every_row_with_the_next(tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "notice.docx"
    write_letters(out, [_notice(12)], HEAD)
    table = Document(str(out)).tables[-1]  # the letterhead is a table too
    assert [row.cells[0].paragraphs[0].paragraph_format.keep_with_next for row in table.rows] == [True] * 4
