"""An evidence trial, holding the database key, changed the filed letter of a signed decision in SQL: its text
("you are suitable" made "you are NOT suitable") and its PDF (another family's letter put in its place). Saving
the letter (PDF or Word, from the command line or the ADM page) and printing the day's letters all handed out
the changed letter; only ``verify`` said so. Every path that hands out a filed letter now checks it against its
seal first and refuses (SealBroken) naming the letter and its decision, nothing written; a day's batch with one
such letter is refused whole, not printed without it; the decision page says the letter is not as filed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from adoption_desktop import cli
from adoption_desktop.adm import service
from adoption_desktop.adm.models import AdmLetter
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.audit.seal_check import check_rows
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD, make_user

D = dt.date
DAY = D(2025, 12, 3)
REF, OTHER_REF = "ADP-2025-0702", "ADP-2025-0729"


def _signed(db: Database, adm: Principal, ref: str) -> tuple[int, int]:
    """A signed decision about ``ref`` and the id of its letter, dated ``DAY``."""
    with db.session() as s:
        did = open_from_panel(s, handoff(received=D(2025, 12, 1), ref=ref))
    service.record_decision(db, adm, did, outcome="agree", decision_text="You are suitable to adopt.", reasons="")
    res = service.sign_decision(db, adm, did, TEST_PASSWORD, DAY)
    return did, res.letter_id


def _two_letters(db: Database, adm: Principal) -> tuple[int, int, int]:
    did, letter = _signed(db, adm, REF)
    _other, other_letter = _signed(db, adm, OTHER_REF)
    return did, letter, other_letter


def _tamper(db: Database, letter: int, other_letter: int, what: str) -> None:
    """The trial's change with the key, outside the application (no audit entry, no seal)."""
    sets = {"content": "content = REPLACE(content, 'suitable', 'NOT suitable')",
            "pdf": "pdf = (SELECT o.pdf FROM adm_letters o WHERE o.id = :o)",
            "both": "content = REPLACE(content, 'suitable', 'NOT suitable'), "
                    "pdf = (SELECT o.pdf FROM adm_letters o WHERE o.id = :o)"}[what]
    with db.engine.begin() as conn:
        conn.execute(text(f"UPDATE adm_letters SET {sets} WHERE id = :i"), {"i": letter, "o": other_letter})
    with db.engine.connect() as conn:
        assert check_rows(conn, "adm_letters", [letter])


def _exports(db: Database) -> int:
    with db.session(write=False) as s:
        return len(list(s.execute(text("SELECT seq FROM audit_log WHERE action = 'export' "
                                       "AND entity = 'adm_letters'"))))


def _assert_refusal(said: str, letter: int, did: int) -> None:
    assert f"letter dated 03/12/2025 for {REF} (decision {did}, letter {letter}) is not as it was filed" in said
    assert "changed outside the application" in said and "verify" in said and "backup" in said


@pytest.mark.parametrize("what", ["content", "pdf", "both"])
def test_every_save_of_a_changed_letter_is_refused(db: Database, adm_user: Principal, tmp_path: Path,
                                                    what: str) -> None:
    did, letter, other = _two_letters(db, adm_user)
    _tamper(db, letter, other, what)
    before = _exports(db)
    for suffix in (".pdf", ".docx"):
        out = tmp_path / f"letter{suffix}"
        with pytest.raises(SealBroken) as refused:
            service.export_decision_letter(db, adm_user, did, out)
        _assert_refusal(str(refused.value), letter, did)
        assert "not saved: no file was written" in str(refused.value)
        assert not out.exists()
        with pytest.raises(SealBroken):
            service.export_letter(db, adm_user, letter, out)
        assert not out.exists()
    with pytest.raises(SealBroken):
        service.letter_pdf(db, adm_user, letter)
    assert _exports(db) == before  # nothing recorded as handed out


@pytest.mark.parametrize("what", ["content", "pdf"])
def test_a_day_with_one_changed_letter_is_refused_whole(db: Database, adm_user: Principal, tmp_path: Path,
                                                         what: str) -> None:
    did, letter, other = _two_letters(db, adm_user)
    _tamper(db, letter, other, what)
    for suffix in (".pdf", ".docx"):
        out = tmp_path / f"day{suffix}"
        left_out: list[str] = []
        with pytest.raises(SealBroken) as refused:
            service.print_day(db, adm_user, DAY, out, left_out=left_out)
        _assert_refusal(str(refused.value), letter, did)
        assert "None of the letters dated 03/12/2025 was printed" in str(refused.value)
        assert not out.exists() and left_out == []  # not printed without it, as if it were not there
    with pytest.raises(SealBroken, match=REF):
        service.letters_for_day(db, adm_user, DAY)
    # the other family's letter alone is still saved
    service.export_letter(db, adm_user, other, tmp_path / "other.pdf")
    assert OTHER_REF in (PdfReader(str(tmp_path / "other.pdf")).pages[0].extract_text() or "")


def test_untouched_letters_still_go_out(db: Database, adm_user: Principal, tmp_path: Path) -> None:
    did, letter, _other = _two_letters(db, adm_user)
    for suffix in (".pdf", ".docx"):
        assert service.export_decision_letter(db, adm_user, did, tmp_path / f"l{suffix}").id == letter
        assert service.export_letter(db, adm_user, letter, tmp_path / f"e{suffix}").exists()
        assert service.print_day(db, adm_user, DAY, tmp_path / f"day{suffix}") == 2
    assert service.letter_pdf(db, adm_user, letter).startswith(b"%PDF")
    assert len(service.letters_for_day(db, adm_user, DAY)) == 2
    assert service.get_decision(db, adm_user, did, DAY).seal_problem == ""


def test_the_commands_fail_with_the_reason(db: Database, adm_user: Principal, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert db.path is not None
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    did, letter, other = _two_letters(db, adm_user)
    _tamper(db, letter, other, "both")
    for suffix in (".pdf", ".docx"):
        out = tmp_path / f"letter{suffix}"
        assert cli.main(["export", "decision-letter", "--db", str(db.path), "--user", "decider", "--decision", REF,
                         "--out", str(out)]) != 0
        got = capsys.readouterr()
        _assert_refusal(got.err, letter, did)
        assert "Wrote" not in got.out and not out.exists()
        day = tmp_path / f"day{suffix}"
        assert cli.main(["export", "adm-letters-day", "--db", str(db.path), "--user", "decider", "--date",
                         "2025-12-03", "--out", str(day)]) != 0
        got = capsys.readouterr()
        _assert_refusal(got.err, letter, did)
        assert "Wrote" not in got.out and not day.exists()


def test_the_page_says_so_and_hands_nothing_out(db: Database, adm_user: Principal, tmp_path: Path,
                                                qtbot: Any) -> None:
    did, letter, other = _two_letters(db, adm_user)
    _tamper(db, letter, other, "both")
    page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True)), today=D(2025, 12, 4))
    qtbot.addWidget(page)
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    assert page.select_decision(did)
    assert page.detail.detail is not None
    said = page.detail.detail.seal_problem
    _assert_refusal(said, letter, did)
    assert "is not as it was filed" in page.detail.clock.text()
    for word, name in ((False, "from_page.pdf"), (True, "from_page.docx")):
        page.message.hide()
        page.detail.save_letter(str(tmp_path / name), word=word)
        assert not (tmp_path / name).exists()
        assert not page.message.isHidden() and "is not as it was filed" in page.message.text()
    page.message.hide()
    page.print_day(DAY, str(tmp_path / "day_from_page.pdf"))
    assert not (tmp_path / "day_from_page.pdf").exists()
    assert not page.message.isHidden() and REF in page.message.text() and "was printed" in page.message.text()


def test_postgresql_too(any_db: Database, tmp_path: Path) -> None:
    adm = make_user(any_db, "decider", Role.AGENCY_DECISION_MAKER)
    did, letter, other = _two_letters(any_db, adm)
    assert service.export_decision_letter(any_db, adm, did, tmp_path / "ok.pdf").id == letter
    _tamper(any_db, letter, other, "pdf")
    with pytest.raises(SealBroken) as refused:
        service.export_decision_letter(any_db, adm, did, tmp_path / "letter.pdf")
    _assert_refusal(str(refused.value), letter, did)
    with pytest.raises(SealBroken, match=REF):
        service.print_day(any_db, adm, DAY, tmp_path / "day.pdf")
    with any_db.session(write=False) as s:  # the letter stays on file as it is (the change is not undone)
        assert s.scalar(select(AdmLetter.pdf).where(AdmLetter.id == letter)) == \
            s.scalar(select(AdmLetter.pdf).where(AdmLetter.id == other))
