"""An ADM's trial (5 December, noon): a day's letters held a decision's letter beside its correction's, and
the ADM queue's Show filter went from the ADM's choice to All after signing (6 rows became 151)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from adoption_desktop import cli
from adoption_desktop.adm import rules, service
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD

D = dt.date
DAY = D(2025, 12, 3)  # a Wednesday: the decisions below are received on 1 December, due on the 10th
AGREED = rules.decision_sentence("approval", "suitable", "agree")


def _signed(db: Database, adm: Principal, ref: str, reasons: str) -> service.SignResult:
    with db.session() as s:
        did = open_from_panel(s, handoff(recommendation="suitable", ref=ref))
    service.record_decision(db, adm, did, outcome="agree", decision_text=AGREED, reasons=reasons)
    return service.sign_decision(db, adm, did, TEST_PASSWORD, DAY)


def test_the_days_letters_command_says_how_many_replaced_letters_it_left_out(
        db: Database, adm_user: Principal, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """AD-2026-0149 signed and corrected on one day: its first letter is not posted, and the command says
    how many letters it left out before naming them (a batch that silently holds fewer letters than were
    filed that day is not checked by whoever posts it)."""
    first = _signed(db, adm_user, "AD-2026-0149", "The first reasons, naming the wrong report.")
    fixed = service.correct_decision(db, adm_user, first.decision_id, TEST_PASSWORD,
                                     reason="The reasons named the wrong report.", outcome="agree",
                                     decision_text=AGREED, reasons="The corrected reasons.", decided_on=DAY)
    kept = _signed(db, adm_user, "AD-2026-0150", "Another family's reasons.")
    assert db.path is not None
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    out = tmp_path / "day.pdf"
    assert cli.main(["export", "adm-letters-day", "--db", str(db.path), "--user", "decider", "--date", str(DAY),
                     "--out", str(out)]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0] == f"Wrote 2 letters dated 03/12/2025 to {out}"
    assert said[1] == "Left out 1 letter dated 03/12/2025 replaced since (not to be posted):"
    assert said[2].startswith(f"  Letter {first.letter_id} (AD-2026-0149) left out: its decision was corrected")
    assert len(said) == 3
    text = " ".join((p.extract_text() or "") for p in PdfReader(str(out)).pages)
    assert "The corrected reasons." in text and "Another family's reasons." in text
    assert "naming the wrong report" not in text  # the first version's letter is not in the batch
    assert fixed.letter_id not in (first.letter_id, kept.letter_id)


def test_the_days_letters_command_says_one_letter_in_the_singular(
        db: Database, adm_user: Principal, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _signed(db, adm_user, "AD-2026-0151", "The reasons.")
    assert db.path is not None
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    out = tmp_path / "day.pdf"
    assert cli.main(["export", "adm-letters-day", "--db", str(db.path), "--user", "decider", "--date", str(DAY),
                     "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"Wrote 1 letter dated 03/12/2025 to {out}\n"  # nothing left out: no line


def test_signing_keeps_the_show_chosen_and_says_where_the_decision_went(db: Database, adm_user: Principal,
                                                                       qtbot: Any) -> None:
    """After signing AD-2026-0150 the queue went from 6 rows to 151: Show was widened to All. The Show the
    ADM chose stays; the status line says where the signed decision is now listed."""
    with db.session() as s:
        overdue = open_from_panel(s, handoff(received=D(2025, 11, 20), ref="AD-2026-0150"))
        due_today = open_from_panel(s, handoff(received=D(2025, 11, 24), ref="AD-2026-0152"))
        open_from_panel(s, handoff(received=D(2025, 12, 2), ref="AD-2026-0153"))  # due later
    ctx = AppContext(db, adm_user, TaskRunner(synchronous=True))
    page = AdmPage(ctx, today=DAY)
    qtbot.addWidget(page)
    page.resize(1156, 700)
    page.show()
    qtbot.waitExposed(page)
    page.state_combo.setCurrentIndex(page.state_combo.findData("overdue"))
    assert [r.id for r in page.model.rows()] == [overdue, due_today]
    page.select_decision(overdue)
    page.detail.decision_text.setPlainText(AGREED)
    page.detail.sign(password=TEST_PASSWORD, delay_reason="The decision maker was on leave that week.")
    assert service.get_decision(db, adm_user, overdue, DAY).row.state == rules.STATE_SIGNED
    assert page.state_combo.currentData() == "overdue"  # the ADM's choice, not All
    assert page.model.rowCount() == 2  # the two it listed (the signed one until the filter changes), not 3
    assert ctx.status_messages[-1] == ("Signed AD-2026-0150: now under Show “Signed”, no longer "
                                       "“Overdue or due today”; it stays in this list until you change "
                                       "the filter.")
    page.state_combo.setCurrentIndex(page.state_combo.findData("open"))
    page.state_combo.setCurrentIndex(page.state_combo.findData("overdue"))  # chosen again: the filter alone
    assert [r.id for r in page.model.rows()] == [due_today]
