"""Reminders for a month far ahead are refused (user trial: ``export reminders --month 2028-02`` printed on
6/12/2026 was recorded as sent, so the real run in February 2028 would have been logged as a reprint).

A month more than three months after the current one is refused, saying why and from when it can be
printed: by the batch (``write_batch``), the command line, and the window's month choice, which offers no
month further ahead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.months import add_months
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.settings_service import set_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.documents import write_batch
from adoption_desktop.letterbox.settings import REMINDER_DAYS_BEFORE
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user, shown_active

TRIAL_DAY = dt.date(2026, 12, 6)
FEBRUARY_2028 = ("Reminders for February 2028 cannot be printed yet: letters are recorded as sent when printed, so "
                 "printing them now would make the real run in February 2028 a reprint. Print them from November "
                 "2027.")


def test_a_month_more_than_three_months_ahead_is_refused_saying_why() -> None:
    with pytest.raises(ValidationError) as err:
        rules.check_reminder_months(["2027-01", "2028-02"], TRIAL_DAY)
    assert str(err.value) == FEBRUARY_2028
    rules.check_reminder_months(["2026-11", "2026-12", "2027-01", "2027-03"], TRIAL_DAY)  # up to three months on
    with pytest.raises(ValidationError, match=r"Reminders for April 2027 cannot be printed yet.*from January 2027"):
        rules.check_reminder_months(["2027-04"], TRIAL_DAY)
    assert rules.latest_reminder_month(TRIAL_DAY) == dt.date(2027, 3, 1)
    # a long reminder time whose next month is further on: that month can still be printed
    assert rules.next_reminder_month(dt.date(2026, 12, 31), 90) == dt.date(2027, 4, 1)
    assert rules.latest_reminder_month(dt.date(2026, 12, 31), 90) == dt.date(2027, 4, 1)


def test_the_batch_refuses_it_and_records_nothing_so_the_real_run_is_recorded_as_sent(
        db: Database, coordinator: Principal, arrangement: int, tmp_path: Path) -> None:
    out = tmp_path / "march-2028.pdf"  # the arrangement's exchanges are in March and September
    with pytest.raises(ValidationError, match=r"Reminders for March 2028 cannot be printed yet.*from December 2027"):
        write_batch(db, coordinator, "reminder", out, month="2028-03", today=TRIAL_DAY)
    assert not out.exists()
    assert service.reminders_produced(db, coordinator, "2028-03") == []
    assert service.get_arrangement(db, coordinator, arrangement).sent == ()
    # printed in its time (from December 2027), the run is the month's first: recorded as sent
    result = write_batch(db, coordinator, "reminder", out, month="2028-03", today=dt.date(2027, 12, 6))
    assert result.letters == 1 and result.reprinted == 0
    assert len(service.reminders_produced(db, coordinator, "2028-03")) == 1


def test_the_command_line_refuses_it_before_signing_in(tmp_path: Path, db_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop.cli import main

    far = add_months(dt.date.today().replace(day=1), 14)
    allowed = add_months(far, -3)
    out = tmp_path / "r.pdf"
    code = main(["export", "reminders", "--db", str(db_path), "--user", "lbcoord", "--month", f"{far:%Y-%m}",
                 "--out", str(out)])
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert f"Reminders for {far:%B %Y} cannot be printed yet: letters are recorded as sent when printed" in err
    assert f"Print them from {allowed:%B %Y}." in err


@pytest.mark.parametrize(("today", "days", "last"), [(dt.date(2026, 12, 6), 14, "2027-03"),
                                                     (dt.date(2026, 12, 31), 90, "2027-04")])
def test_the_windows_month_choice_ends_on_the_last_month_that_may_be_printed(
        qtbot: Any, db: Database, coordinator: Principal, today: dt.date, days: int, last: str) -> None:
    if days != REMINDER_DAYS_BEFORE.default:
        set_setting(db, make_user(db, "settings", Role.ADMINISTRATOR), REMINDER_DAYS_BEFORE, days)
    page = shown_active(qtbot, LetterboxPage(AppContext(db, coordinator, TaskRunner(synchronous=True)),
                                             today=today), 1200, 700)
    box = page.letters_month
    months = [box.itemData(k) for k in range(box.count())]
    assert months[0] == f"{today:%Y-%m}" and months[-1] == last
    assert box.currentData() == f"{rules.next_reminder_month(today, days):%Y-%m}"
