"""The reply-by date a letter gives: ``letters.reply_working_days`` (default 10) working days after the
letter's date, counted with the agency's calendar (bank holidays and closure days not counted; the
letter's own day not counted). A letter dated 1 December 2026 asks for a reply by 15 December 2026."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from adoption_desktop.core.config import LETTER_REPLY_WORKING_DAYS
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.workdays import WorkingCalendar


def reply_by_date(cal: WorkingCalendar, letter_date: dt.date, working_days: int) -> dt.date:
    return cal.add_working_days(letter_date, max(1, working_days))


def reply_by(session: Session, letter_date: dt.date, cal: WorkingCalendar | None = None) -> dt.date:
    """The reply-by date for a letter dated ``letter_date`` (this agency's setting and calendar; ``cal``: the
    calendar when the caller has read it already)."""
    return reply_by_date(cal or calendar(session), letter_date, get_setting(session, LETTER_REPLY_WORKING_DAYS))
