"""A chaser letter records the chase it makes (UT1, 6 December 2026): the command and the case window wrote the
letter and the request still showed no chase, falling due again; and a second chaser read as the first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from adoption_desktop import cli
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import documents, service
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from tests.conftest import TEST_PASSWORD, make_user
from tests.counselling.conftest import TODAY, pdf_text, records_request, referral
from tests.counselling.test_page import _ctx

D = dt.date


def test_a_second_chaser_says_the_first_went(db: Database, counsellor: Principal, new_case: Callable[..., int],
                                             tmp_path: Path) -> None:
    case_id = new_case()
    rid = records_request(db, counsellor, case_id, "Brackwater County Archives", D(2026, 10, 5))
    first = pdf_text(documents.write_case_letter(db, counsellor, case_id, "chaser", tmp_path / "1.pdf", today=TODAY,
                                                 on=D(2026, 11, 5)))
    assert "We have not yet received them or heard from you." in first and "wrote to you again" not in first
    service.record_chase(db, counsellor, rid, D(2026, 11, 5), today=TODAY)
    second = pdf_text(documents.write_case_letter(db, counsellor, case_id, "chaser", tmp_path / "2.pdf",
                                                  today=TODAY))
    assert "We wrote to you again on 5 November 2026, and have not yet received them" in second


def test_the_command_records_the_chase_on_the_letters_date(db: Database, db_path: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    today = dt.date.today()
    actor = make_user(db, "counsellor", Role.COUNSELLOR)
    case_id = service.create_referral(db, actor, referral(referral_date=today - dt.timedelta(days=60)), today=today)
    records_request(db, actor, case_id, "Brackwater County Archives", today - dt.timedelta(days=50))
    db.dispose()
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    day = today - dt.timedelta(days=10)
    base = ["export", "counselling-letter", "--db", str(db_path), "--user", "counsellor", "--case", str(case_id),
            "--kind", "chaser", "--date", day.isoformat()]
    assert cli.main([*base, "--out", str(tmp_path / "c.pdf")]) == 0
    out = capsys.readouterr().out
    assert f"Recorded the chase of the request to Brackwater County Archives on {day:%d/%m/%Y}" in out
    assert cli.main([*base, "--out", str(tmp_path / "again.pdf")]) == 0  # the same letter again: one chase
    assert "already recorded; it is not recorded twice" in capsys.readouterr().out
    assert cli.main([*base[:-1], (day + dt.timedelta(days=1)).isoformat(), "--no-chase",
                     "--out", str(tmp_path / "copy.pdf")]) == 0
    assert "Chase not recorded (--no-chase)" in capsys.readouterr().out


def test_the_window_offers_to_record_the_chase(qtbot: QtBot, db: Database, counsellor: Principal,
                                              new_case: Callable[..., int], tmp_path: Path) -> None:
    case_id = new_case()
    records_request(db, counsellor, case_id, "Brackwater County Archives", D(2026, 10, 5))
    case = CaseDialog(_ctx(db, counsellor), case_id, lambda: TODAY)
    qtbot.addWidget(case)
    case.ask_path = lambda default: str(tmp_path / default)
    asked: list[str] = []
    case.ask_chase = lambda text: asked.append(text) or False  # Not now: nothing recorded
    case.letter("chaser")
    assert asked and "on 23/11/2026" in asked[0] and case.detail.requests[0].chase_count == 0
    case.ask_chase = lambda text: True
    case.letter("chaser")
    r = case.detail.requests[0]
    assert (r.chase_count, r.last_chased_on) == (1, TODAY)
    assert "chase of Brackwater County Archives recorded" in case.status.text()
    asked.clear()
    case.ask_chase = lambda text: asked.append(text) or True
    case.letter("chaser")  # the same day's chase is on record: not asked again
    assert asked == [] and case.detail.requests[0].chase_count == 1
