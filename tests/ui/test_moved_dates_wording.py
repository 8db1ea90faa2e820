"""The line a window shows when its untouched "today" dates moved at midnight (``ui.today_default.moved_text``):
the papers checklist names every paper not yet received, six at most, and joined them all with "and" ("Child's
Permanence Report (CPR) received on and Prospective Adopter's Report (PAR) received on and … now show today"),
a line to read twice. The names are now a list: commas, and "and" before the last."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.ui.today_default import moved_text


def test_several_dates_are_a_list_with_and_before_the_last() -> None:
    before = dt.date.today()
    now = before + dt.timedelta(days=1)
    words = ["child's Permanence Report (CPR) received on", "prospective Adopter's Report (PAR) received on",
             "medical report received on"]
    said = moved_text(now, before, words)
    assert said.startswith(f"The date is now {now:%A} {now:%d/%m/%Y}: Child's Permanence Report (CPR) received on, "
                           "Prospective Adopter's Report (PAR) received on and Medical report received on now show "
                           f"today, {now:%d/%m/%Y}, not {before:%d/%m/%Y}.")
    assert said.count(" and ") == 1


def test_one_or_two_dates_read_as_before() -> None:
    before = dt.date.today()
    now = before + dt.timedelta(days=1)
    assert f": Date asked now shows today, {now:%d/%m/%Y}" in moved_text(now, before, ["date asked"])
    assert ": Date received and Date of outcome now show today" in moved_text(
        now, before, ["date received", "date of outcome"])
