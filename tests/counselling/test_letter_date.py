"""A letter's date (``--date``, ``letter_data(on=)``) is held to the checks of any date something happened on
(UT1, 6 December 2026): a records request dated 2030 recorded a disclosure in 2030, after which the case could
not be closed until then; an acknowledgement dated 2020 went out dated before its referral. And ``--case`` with
a number too long for a record number is quoted as typed, not reported as "case 0"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adoption_desktop import cli
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import documents, service
from adoption_desktop.counselling.models import Disclosure
from tests.conftest import TEST_PASSWORD, make_user
from tests.counselling.conftest import TODAY, records_request


def _disclosures(db: Database, actor: Principal) -> int:
    with db.session(actor, write=False) as s:
        return s.scalar(select(func.count()).select_from(Disclosure)) or 0


def test_the_service_refuses_a_letter_dated_ahead_or_before_the_referral(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path) -> None:
    case_id = new_case()  # referred 01/10/2026
    records_request(db, counsellor, case_id, "Brackwater County Archives", dt.date(2026, 10, 5))
    with pytest.raises(ValidationError, match=r"Letter date: 01/06/2030 is in the future") as ahead:
        service.letter_data(db, counsellor, case_id, "records-request", today=TODAY, on=dt.date(2030, 6, 1))
    assert ahead.value.field == "date"
    with pytest.raises(ValidationError, match=r"before the referral \(01/10/2026\)"):
        documents.write_case_letter(db, counsellor, case_id, "acknowledgement", tmp_path / "a.pdf", today=TODAY,
                                    on=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError, match=r"before the request to Brackwater County Archives was sent"):
        service.letter_data(db, counsellor, case_id, "chaser", today=TODAY, on=dt.date(2026, 10, 3))
    assert _disclosures(db, counsellor) == 0 and not (tmp_path / "a.pdf").exists()
    # a letter dated earlier, within those bounds, is dated (and its disclosure recorded) on that day
    data = service.letter_data(db, counsellor, case_id, "chaser", today=TODAY, on=dt.date(2026, 11, 2))
    assert data.values["today"] == "2 November 2026"
    with db.session(counsellor, write=False) as s:
        assert s.scalars(select(Disclosure.disclosed_on)).all() == [dt.date(2026, 11, 2)]
    # and the case closes today, as it could not behind a disclosure dated ahead
    service.close_case(db, counsellor, case_id, TODAY, "withdrawn", today=TODAY,
                       confirmed=service.closing_problems(db, counsellor, case_id, TODAY, today=TODAY))


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(argv)
    return code, [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]


def test_the_command_refuses_such_a_date_and_quotes_a_case_number_as_typed(
        db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(db, "counsellor", Role.COUNSELLOR)
    from tests.counselling.conftest import referral
    today = dt.date.today()
    actor = make_user(db, "intake", Role.COUNSELLOR)
    case_id = service.create_referral(db, actor, referral(referral_date=today - dt.timedelta(days=30)), today=today)
    records_request(db, actor, case_id, "Brackwater County Archives", today - dt.timedelta(days=20))
    db.dispose()
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    base = ["export", "counselling-letter", "--db", str(db_path), "--user", "counsellor", "--case", str(case_id)]
    ahead = (today + dt.timedelta(days=400)).isoformat()
    code, err = _run([*base, "--kind", "records-request", "--date", ahead, "--out", str(tmp_path / "y.pdf")], capsys)
    assert code == 2 and len(err) == 1 and err[0].startswith("adoption-desktop: --date: ") and "in the future" in err[0]
    code, err = _run([*base, "--kind", "acknowledgement", "--date", "2020-01-01", "--out", str(tmp_path / "x.pdf")],
                     capsys)
    assert code == 2 and len(err) == 1 and "--date: 01/01/2020 is before the referral" in err[0], err
    assert not (tmp_path / "y.pdf").exists() and not (tmp_path / "x.pdf").exists()
    code, err = _run(["export", "counselling-letter", "--db", str(db_path), "--user", "counsellor", "--case",
                      "99999999999999999999999", "--kind", "chaser", "--out", str(tmp_path / "w.pdf")], capsys)
    assert code == 2 and len(err) == 1 and "'99999999999999999999999'" in err[0] and "case 0" not in err[0], err
    code, err = _run([*base, "--kind", "acknowledgement", "--out", str(tmp_path / "ok.pdf")], capsys)
    assert code == 0 and (tmp_path / "ok.pdf").exists(), err
