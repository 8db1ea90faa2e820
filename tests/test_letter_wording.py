"""Every letter kind × outcome rendered to PDF and to Word, read back (pypdf, python-docx): the letterhead's
telephone and e-mail, the salutation the person asked for, the decision sentence in plain words and the
reply-by date counted in working days; and the page-break rule (the signature never starts a page alone).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from docx.section import _Footer, _Header
from pypdf import PdfReader

from adoption_desktop.adm import rules as adm_rules
from adoption_desktop.core.documents.pdf import Letter, write_letters
from adoption_desktop.core.documents.reply_by import reply_by_date
from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.core.salutation import default_salutation, salutation_for, salutation_from_lines
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.workdays import WorkingCalendar
from tests.conftest import make_user
from tests.letter_cases import DAY, HEAD, Case, adm_cases, every_case
from tests.panel.conftest import Panel, handoffs, panel  # noqa: F401  (fixtures)


def squash(text: str) -> str:
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    return squash(" ".join(p.extract_text() or "" for p in PdfReader(str(path)).pages))


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    for s in doc.sections:
        parts.extend(p.text for p in s.footer.paragraphs)
    return squash("\n".join(parts))


def _check(case: Case, tmp: Path) -> None:
    slug = case.name.replace(" ", "-")
    for suffix, read in ((".pdf", pdf_text), (".docx", docx_text)):
        out = tmp / f"{slug}{suffix}"
        assert write_letters(out, case.letters, HEAD, title=case.name) == len(case.letters)
        text = read(out)
        for wanted in ("01632 960 100", "adoption@example.org", *case.expect):
            assert squash(wanted) in text, (case.name, suffix, wanted)
        for unwanted in case.absent:
            assert unwanted not in text, (case.name, suffix, unwanted)
        if suffix == ".pdf":  # on every page with a closing, some of the letter comes before it
            for page in PdfReader(str(out)).pages:
                body = squash(page.extract_text() or "")
                for furniture in (HEAD.footer, HEAD.data_protection):
                    body = body.replace(squash(furniture), "")
                for closing in ("Yours sincerely,", "Yours faithfully,"):
                    if closing in body:
                        assert len(body.split(closing)[0].strip()) > 40, (case.name, body[:120])
    gallery = os.environ.get("ADK_LETTER_GALLERY")
    if gallery:  # one PDF of each kind for docs/letters (see docs/letters.md)
        write_letters(Path(gallery) / f"{slug}.pdf", case.letters[:1], HEAD, title=case.name)


def test_every_letter_kind_and_outcome_in_pdf_and_word(db: Database, panel: Panel, tmp_path: Path) -> None:  # noqa: F811
    lb_user: Principal = make_user(db, "lbwording", Role.LETTERBOX_COORDINATOR)
    counsellor: Principal = make_user(db, "cswording", Role.COUNSELLOR)
    cases = every_case(db, lb_user, counsellor, panel, tmp_path)
    names = {c.name.split()[0] for c in cases}
    assert names == {"adm", "letterbox", "counselling", "panel"}
    assert len([c for c in cases if c.name.startswith("adm ")]) >= 25  # every type × recommendation × outcome
    for case in cases:
        assert case.letters, case.name
        _check(case, tmp_path)


def test_adm_decision_sentence_follows_what_was_decided() -> None:
    # agreeing with "match not recommended" is a decision not to match, in a family's words
    assert adm_rules.decision_sentence("match", "match_not_recommended", "agree") == \
        "I have decided that the child should not be placed for adoption with you."
    assert adm_rules.decision_sentence("match", "match_not_recommended", "differ") == \
        "I have decided that the child should be placed for adoption with you."
    assert adm_rules.decision_sentence("approval", "suitable", "not_approve") == \
        "I propose that you are not suitable to adopt a child."
    assert adm_rules.decision_sentence("termination", "terminate", "agree") == \
        "I have decided that your approval as prospective adopters should end."
    assert adm_rules.decision_sentence("approval", "not_suitable", "differ", "qd_final") == \
        "My final decision is that you are suitable to adopt a child."
    # the letter never quotes the panel's list label as the decision, even when the text was prefilled
    case = next(c for c in adm_cases() if c.name == "adm match match_not_recommended agree")
    body = " ".join(p if isinstance(p, str) else " ".join(p) for p in case.letters[0].text.paragraphs)
    assert "should not be placed for adoption with you" in body
    assert "I have decided that the child should be placed" not in body
    assert "Match not recommended" not in body and "match of a child with prospective adopters" not in body


def test_adm_letters_name_the_child_in_words_not_initials_in_brackets(db: Database, tmp_path: Path) -> None:
    """Review: match letters said "the proposed match of the child (TY/DI) with you": initials in
    brackets, and on a match item the case's initials, which may be the adopters' own. One set of initials
    reads "the child T.Y."; several on a match are not guessed at ("the child"); several on a child's own
    decision are the children. An agency's own letter written with ${initials} keeps working."""
    from adoption_desktop.adm.documents import child_words, letter_values
    from adoption_desktop.core.documents.templates import parse_template
    from adoption_desktop.template_admin import check_letter_text
    from tests.letter_cases import _adm_letter, _decision

    assert child_words("TY", "match") == child_words("T.Y.", "match") == "the child T.Y."
    assert child_words("TY/DI", "match") == child_words("", "match") == "the child"
    assert child_words("ab/cd", "plan_for_adoption") == "the children A.B. and C.D."
    for initials, wanted in (("TY/DI", "the proposed match of the child with you"),
                             ("TY", "the proposed match of the child T.Y. with you")):
        d = _decision("match", "match_recommended", adm_rules.OUTCOME_AGREE, subject_initials=initials)
        out = tmp_path / f"match-{len(initials)}.pdf"
        write_letters(out, [_adm_letter(d)], HEAD)
        text = pdf_text(out)
        assert f"I am writing as the agency decision maker about {wanted}." in text, text[:600]
        assert "(TY" not in text and "TY/DI" not in text
    d = _decision("plan_for_adoption", "should_be_placed", adm_rules.OUTCOME_AGREE, source="direct",
                  addressee="", salutation="Pat Reed", subject_initials="TY")
    out = tmp_path / "plan.pdf"
    write_letters(out, [_adm_letter(d)], HEAD)
    text = pdf_text(out)
    assert "Agency decision: plan for adoption for the child T.Y. (AD-2026-0142)" in text
    assert "about the plan for the child T.Y. I made my decision" in text  # one full stop after the initials
    assert "T.Y.." not in text and "(TY)" not in text
    rel = _decision("relinquished", "should_be_placed", adm_rules.OUTCOME_AGREE, subject_initials="TY/DI")
    out = tmp_path / "relinquished.pdf"
    write_letters(out, [_adm_letter(rel)], HEAD)
    text = pdf_text(out)
    assert "about the plan for the children T.Y. and D.I. The adoption panel met" in text, text[:700]
    assert "D.I.." not in text
    # an agency's own plan letter, edited while the shipped one said "the child (${initials})", is still
    # accepted and renders; ${child} may be used in any ADM letter
    own = ("Subject: Plan for the child ${initials} (${reference})\nDear ${salutation},\n\n"
           "About the plan for the child (${initials}).\n")
    check_letter_text(None, "adm_plan_agreed", own)
    check_letter_text(None, "adm_match_agreed", "Subject: Match\nDear ${salutation},\n\nAbout ${child}.\n")
    values = letter_values(d, adm_rules.type_label("plan_for_adoption"), DAY, qd=None, info=None, written_wd=5,
                           cal=WorkingCalendar())
    rendered = parse_template("adm_plan_agreed", own).render(values)
    assert rendered.subject == "Plan for the child TY (AD-2026-0142)"
    assert rendered.paragraphs == ("About the plan for the child (TY).",)


def test_salutation_defaults_to_title_and_surname_never_a_guess() -> None:
    assert default_salutation("Mr Will Heronmere") == "Mr Heronmere"
    assert default_salutation("Dr. P. Quill") == "Dr Quill"
    assert default_salutation("Mr and Mrs Tom Heronmere") == "Mr and Mrs Heronmere"
    assert default_salutation("Ms Ann Reed and Mr Bo Lane") == "Ms Reed and Mr Lane"
    assert default_salutation("Will Heronmere") == "Will Heronmere"  # no title known: no guessed "Mr"
    assert salutation_for("Auntie Jo", "Joanne Quill") == "Auntie Jo"
    assert salutation_from_lines(["Mr Will Heronmere", "Mrs Ada Heronmere", "4 Larch Close"]) == \
        "Mr and Mrs Heronmere"
    assert salutation_from_lines(["Ms Ann Reed", "Mx Bo Lane", "4 Larch Close"]) == "Ms Reed and Mx Lane"
    assert salutation_from_lines(["Will Heronmere", "4 Larch Close"]) == "Will Heronmere"
    assert salutation_for("", "") == "Sir or Madam"


def test_reply_by_is_counted_in_working_days_from_the_letter_date() -> None:
    cal = WorkingCalendar()
    assert reply_by_date(cal, dt.date(2026, 12, 1), 10) == dt.date(2026, 12, 15)
    # over Christmas: bank holidays (25, 28 December) are not counted, nor an agency closure day
    assert reply_by_date(cal, dt.date(2026, 12, 18), 10) == dt.date(2027, 1, 6)
    assert reply_by_date(WorkingCalendar([dt.date(2026, 12, 2)]), dt.date(2026, 12, 1), 10) == dt.date(2026, 12, 16)


def _long_letter(paragraphs: int, extra: int = 0) -> Letter:
    paras = tuple(f"Paragraph {n}: " + " ".join(["This sentence fills the letter so that it runs over the page."]
                                                 * (1 + n % 5)) for n in range(paragraphs))
    return Letter(("Mrs Ada Heronmere", "4 Larch Close", "Dellmouth", "ZZ99 4EG"),
                  RenderedLetterText("A long letter", "Dear Mrs Heronmere,", paras, "Yours sincerely,"),
                  DAY, "AD-2026-0142", "Jordan Ash", "Agency Decision Maker",
                  tuple((f"Row {k}", "value") for k in range(extra)))


@pytest.mark.parametrize("extra", [0, 3])
def test_signature_never_starts_a_page_alone(tmp_path: Path, extra: int) -> None:
    """Letters of every length from one to two and a half pages: on the page where the closing and the
    signature are, there is always some of the letter's body (a paragraph's lines or a table row)."""
    broke = 0
    for n in range(8, 40):
        out = tmp_path / f"long-{n}.pdf"
        write_letters(out, [_long_letter(n, extra)], HEAD)
        pages = [squash(p.extract_text() or "") for p in PdfReader(str(out)).pages]
        signed = [p for p in pages if "Jordan Ash" in p]
        assert len(signed) == 1, n
        page = signed[0]
        body_before = page.split("Yours sincerely,")[0]
        assert ("Paragraph" in body_before or "fills the letter" in body_before
                or (extra and "Row" in body_before)), (n, extra, page[:200])
        broke += len(pages) > 1
    assert broke > 10  # the rule was exercised on letters that run over a page


def test_qd_notice_keeps_its_summary_table_whole_with_the_signature(tmp_path: Path) -> None:
    """An ADM letter keeps its summary table together (``Letter.keep_table_together``). A review had the
    rows flow (the table started on page 1, its last row went to page 2 with the signature) so that the foot
    of page 1 was not left empty; a later user trial found the qualifying-determination notice's table split
    over the two pages, its deadline parted from the case it belongs to. The table is read as one: it goes
    whole, with the closing, to page 2 (``tests/adm/test_qd_notice_table_together.py``); the body still flows
    onto page 1. Other letters' tables still flow (``test_a_table_row_never_stands_alone_at_the_foot_of_a_page``)."""
    case = next(c for c in adm_cases() if c.name == "adm approval suitable not_approve")
    out = tmp_path / "qd.pdf"
    write_letters(out, case.letters, HEAD)
    pages = [squash(p.extract_text() or "") for p in PdfReader(str(out)).pages]
    assert len(pages) == 2
    assert "Case reference" not in pages[0] and "Yours sincerely" not in pages[0]
    signed = pages[1].split("Yours sincerely,")
    assert len(signed) == 2 and "Jordan Ash" in signed[1]
    assert "Case reference AD-2026-0142" in signed[0]
    assert "Representations or IRM by 29 January 2027" in signed[0]  # the last row, before the closing


@pytest.mark.parametrize("extra", [1, 2, 3, 6, 9])
def test_a_table_row_never_stands_alone_at_the_foot_of_a_page(tmp_path: Path, extra: int) -> None:
    """The first row of a table goes with the second; the last with the closing; nothing else is held."""
    for n in range(8, 30):
        out = tmp_path / f"rows-{n}.pdf"
        write_letters(out, [_long_letter(n, extra)], HEAD)
        pages = [squash(p.extract_text() or "") for p in PdfReader(str(out)).pages]
        for k, page in enumerate(pages[:-1]):
            if "Row 0" in page and extra > 1:
                assert "Row 1" in page, (n, extra, k)
        assert "Yours sincerely" in pages[-1] and f"Row {extra - 1}" in pages[-1], (n, extra)


def test_word_copy_keeps_the_last_table_row_with_the_closing_and_lets_the_others_flow(tmp_path: Path) -> None:
    out = tmp_path / "table.docx"
    write_letters(out, [_long_letter(12, 4)], HEAD)
    doc = Document(str(out))
    table = doc.tables[-1]  # the letterhead is a table too
    keeps = [row.cells[0].paragraphs[0].paragraph_format.keep_with_next for row in table.rows]
    assert keeps == [True, False, False, True]
    closing = next(k for k, p in enumerate(doc.paragraphs) if p.text == "Yours sincerely,")
    assert doc.paragraphs[closing - 1].text == "" and doc.paragraphs[closing - 1].paragraph_format.keep_with_next


def test_word_copy_keeps_the_closing_with_the_body(tmp_path: Path) -> None:
    out = tmp_path / "long.docx"
    write_letters(out, [_long_letter(30)], HEAD)
    doc = Document(str(out))
    paras = doc.paragraphs
    closing = next(k for k, p in enumerate(paras) if p.text == "Yours sincerely,")
    assert paras[closing - 1].paragraph_format.keep_with_next  # the last paragraph goes with the closing
    assert paras[closing].paragraph_format.keep_with_next and paras[closing + 1].paragraph_format.keep_with_next
    assert all(p.paragraph_format.keep_together for p in paras[closing - 5:closing])


def _field_codes(part: _Header | _Footer) -> list[str]:
    """The field codes in a header or footer, each piece as written (``PAGE``, ``SECTIONPAGES``, ``IF ``…)."""
    return [(t.text or "").strip() for t in part._element.iter(qn("w:instrText"))]


def _part_text(part: _Header | _Footer) -> str:
    return squash(" ".join(p.text for p in part.paragraphs))


def test_word_copy_numbers_each_letters_pages_and_heads_its_later_pages(tmp_path: Path) -> None:
    """As the PDF: each letter's pages are numbered from 1 (Word's PAGE in a section of its own), and every
    page after the first is headed "Our reference: … (continued)" with that letter's reference; the first
    page's header is empty. No "of M": LibreOffice printed SECTIONPAGES's stored value ("Page 3 of 2")."""
    refs = ("AD-2026-0101", "AD-2026-0102", "AD-2026-0103")
    letters = [dataclasses.replace(letter, reference=ref)
               for letter, ref in zip((_long_letter(30), _long_letter(3), _long_letter(12, 4)), refs, strict=True)]
    out = tmp_path / "batch.docx"
    assert write_letters(out, letters, HEAD) == 3
    doc = Document(str(out))
    assert len(doc.sections) == len(letters)
    for k, (section, ref) in enumerate(zip(doc.sections, refs, strict=True)):
        sect_pr = section._sectPr
        num = sect_pr.find(qn("w:pgNumType"))
        assert num is not None and num.get(qn("w:start")) == "1", k
        assert section.different_first_page_header_footer and section.start_type == WD_SECTION.NEW_PAGE
        # the later pages' header is this letter's own; the first page's is empty
        assert not section.header.is_linked_to_previous
        assert _part_text(section.header) == f"Our reference: {ref} (continued)"
        assert "Our reference" not in _part_text(section.first_page_header)
        assert "continued" not in _part_text(section.first_page_header)
        for other in set(refs) - {ref}:
            assert other not in _part_text(section.header)
        # the footers keep the data-protection line and the footer, and carry the page number fields
        later, first = section.footer, section.first_page_footer
        for footer in (later, first):
            text = _part_text(footer)
            assert squash(HEAD.data_protection) in text and squash(HEAD.footer) in text, k
            codes = _field_codes(footer)
            assert codes == ["PAGE"], (k, codes)
            chars = [c.get(qn("w:fldCharType")) for c in footer._element.iter(qn("w:fldChar"))]
            assert chars.count("begin") == chars.count("end") > 0
        assert _part_text(later).endswith("Page 2") and _part_text(first).endswith("Page 1")
        # one footer for the batch: the later letters inherit the first's (Word's "Link to previous")
        assert later.is_linked_to_previous == first.is_linked_to_previous == (k > 0)
    # each section ends at its letter's last line: no empty paragraph or page break that could add a page
    ends = [p.text for p in doc.paragraphs if p._p.pPr is not None and p._p.pPr.sectPr is not None]
    assert ends == ["Agency Decision Maker"] * (len(letters) - 1)
    assert not doc.element.body.xpath('.//w:br[@w:type="page"]')


def test_word_copy_of_one_letter_is_one_numbered_section(tmp_path: Path) -> None:
    out = tmp_path / "one.docx"
    write_letters(out, [_long_letter(3)], HEAD)
    doc = Document(str(out))
    (section,) = doc.sections
    assert section.different_first_page_header_footer
    assert _part_text(section.header) == "Our reference: AD-2026-0142 (continued)"
    assert _part_text(section.first_page_header) == ""
    assert _field_codes(section.first_page_footer) == _field_codes(section.footer) == ["PAGE"]


def test_cancelled_word_copy_leaves_no_file(tmp_path: Path) -> None:
    from adoption_desktop.core.documents.pdf import Cancelled

    out = tmp_path / "c.docx"
    with pytest.raises(Cancelled):
        write_letters(out, [_long_letter(3)], HEAD, cancelled=lambda: True)
    assert not out.exists() and not list(tmp_path.glob("*.partial"))



def test_export_command_writes_a_word_copy_when_out_ends_docx(tmp_path: Path, db: Database, db_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.cli import main
    from adoption_desktop.letterbox import service
    from tests.conftest import TEST_PASSWORD
    from tests.letterbox.conftest import sample_input

    user = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    service.create_arrangement(db, user, sample_input(adopters_salutation="Sam and Alex"))
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    out = tmp_path / "reminders.docx"
    assert main(["export", "reminders", "--db", str(db_path), "--user", "lbcoord", "--month", "2026-03",
                 "--out", str(out)]) == 0
    text = docx_text(out)
    assert "Dear Sam and Alex," in text and "Letterbox exchange due in March 2026" in text
    assert out.read_bytes()[:2] == b"PK"  # a Word (zip) file, not a PDF with a .docx name


def test_save_dialog_type_sets_the_suffix() -> None:
    from adoption_desktop.ui.letter_save import PDF_FILTER, WORD_FILTER, with_format_suffix

    assert with_format_suffix("/tmp/letter.pdf", WORD_FILTER) == "/tmp/letter.docx"
    assert with_format_suffix("/tmp/letter", WORD_FILTER) == "/tmp/letter.docx"
    assert with_format_suffix("/tmp/letter", PDF_FILTER) == "/tmp/letter.pdf"
    assert with_format_suffix("/tmp/letter.docx", PDF_FILTER) == "/tmp/letter.docx"  # a typed suffix wins
