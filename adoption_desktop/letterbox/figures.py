"""Letterbox figures for a date range (counts and durations only, never names nor free text).

* Items received in the period, by month and direction, and what had become of them by the end of the
  period (passed on, returned for changes, withheld, held on file, awaiting a decision); exchanges completed
  (expected letters, as ``rules.expected_exchanges`` sets them out, due in the period and passed on).
* Items returned for changes or withheld in the period, by direction (the coordinator's reasons are free
  text about the family and are never shown here; there is no coded reason to count by).
* Arrangements that had started by the end of the period, by status at that date.
* Letters sent in the range, one row for each kind of letter (counted from the sent list).
* Items forwarded in the period (whenever received) and the median days from receipt to forwarding.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement, Item, LetterSent
from adoption_desktop.letterbox.sent_list import not_voided
from adoption_desktop.letterbox.service.arrangements import pattern_changes_in
from adoption_desktop.letterbox.service.expected_exchanges import passed_on
from adoption_desktop.letterbox.settings import INACTIVE_AFTER_MONTHS
from adoption_desktop.reports.model import FigureSection

#: the two directions as the rows name them
DIRECTION_WORDS = {rules.TO_BIRTH: "adoptive family to birth family",
                   rules.TO_ADOPTIVE: "birth family to adoptive family"}
#: what had become of an item received in the period by the period's end (its outcome dated by then)
OUTCOME_ROWS = {"forwarded": "of which passed on (forwarded) by the end of the period",
                "returned": "of which returned for changes", "withheld": "of which withheld",
                "held": "of which held on file", "": "of which awaiting a decision at the end of the period"}
#: the *Receipt to forwarding* rows: items forwarded on a date in the period, whenever received (a question
#: other than the items received in the period that were passed on, so the two counts can differ)
FORWARDED_IN_PERIOD = "Items forwarded in the period (whenever received)"
MEDIAN_TO_FORWARD = "Median days from receipt to forward"
#: what a row counts, for the report's *Definitions* (rows whose label does not say it all)
DEFINITIONS = {
    OUTCOME_ROWS["forwarded"]: "of the items received in the period, those passed on (forwarded) on or before "
                               "the period's last day. An item received in the period and passed on after it "
                               "is awaiting a decision here; an item received before the period is not counted.",
    FORWARDED_IN_PERIOD: "items passed on (forwarded) on a date in the period, whenever they were received: "
                         "one received in the previous period and passed on in this one counts here, one "
                         "received in this period and passed on after it does not. It answers a different "
                         "question from \"of which passed on (forwarded) by the end of the period\" (items "
                         "received in the period), so the two counts can differ.",
    MEDIAN_TO_FORWARD: "for the items forwarded in the period, the median of the calendar days from the day "
                       "the item was received to the day it was passed on.",
}
RECEIVED = "Items received in the period"
COMPLETED = "Exchanges completed: expected letters due in the period that were passed on"
STARTED = "Arrangements started by this date"


def _exchanges_completed(session: Session, start: dt.date, end: dt.date) -> int:
    """Expected letters (``rules.expected_exchanges``: the first writer's and, when replies are expected, the
    reply) due from ``start`` to ``end`` for which an item was received in the window the work list allows
    (``rules.is_received``) and passed on by ``end``. A returned item and its corrected resend are one letter;
    withheld, held and undecided items complete nothing."""
    forwarded = passed_on(session, received=(rules.add_months(start, -2), rules.add_months(end, 2)), by=end)
    changes = pattern_changes_in(session)  # one query (few rows): each exchange as the pattern then in effect set it out
    done = 0
    for a in session.execute(select(
            Arrangement.id, Arrangement.exchange_months, Arrangement.first_writer, Arrangement.replies_expected,
            Arrangement.start_date, Arrangement.child_dob).where(Arrangement.id.in_(list(forwarded)))):
        try:
            months = rules.parse_months(a.exchange_months)
        except ValidationError:
            continue  # stored before months were checked: nothing is expected of it
        stop = rules.eighteenth_birthday(a.child_dob) if a.child_dob else None
        for year in range(start.year, end.year + 1):
            for e in rules.scheduled_exchanges(rules.Pattern(months, a.first_writer, a.replies_expected),
                                               changes.get(a.id, ()), year, start=a.start_date, end=stop):
                if start <= e.due <= end and rules.is_received(e, forwarded[a.id]):
                    done += 1
    return done


def _arrangements_at(session: Session, end: dt.date) -> FigureSection:
    """Arrangements that had started by ``end`` (their start date, or the day they were recorded when no start
    date is stored), by their status on that date: inactive from the last item received **by** ``end``, ended
    at the child's 18th birthday by ``end``. Suspended and ended as the coordinator set them are stored without
    a date, so those two are the status recorded now (the row labels say so)."""
    inactive_months = get_setting(session, INACTIVE_AFTER_MONTHS)
    last_by_end: dict[int, dt.date] = {i: day for i, day in session.execute(select(
        Item.arrangement_id, func.max(Item.received_on)).where(
        Item.received_on <= end, Item.status != rules.LOGGED_IN_ERROR).group_by(Item.arrangement_id))}
    counts: Counter[str] = Counter()
    for a in session.execute(select(Arrangement.id, Arrangement.status, Arrangement.start_date,
                                    Arrangement.child_dob, Arrangement.created_at)):
        began = a.start_date or (a.created_at.date() if a.created_at else None)
        if began is None or began > end:
            continue  # not started by the date: never counted
        counts[rules.computed_status(a.status, today=end, last_exchange=last_by_end.get(a.id), start_date=began,
                                     child_dob=a.child_dob, inactive_after_months=inactive_months)] += 1
    return FigureSection(f"Arrangements at {end:%d/%m/%Y}", [
        (STARTED, str(sum(counts.values()))),
        ("of which active", str(counts["active"])),
        (f"of which inactive (no item received in the {inactive_months} months to this date)",
         str(counts["inactive"])),
        ("of which suspended (status as recorded now)", str(counts["suspended"])),
        ("of which ended (18th birthday by this date, or status ended as recorded now)", str(counts["ended"]))])


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    """Figures for ``start``..``end`` inclusive."""
    if not actor.can(Permission.LETTERBOX_VIEW):
        require(actor, Permission.REPORTS_VIEW)
    from adoption_desktop.letterbox.documents import KINDS  # the letters' names as people read them

    # an item logged in error was never received: no figure counts it
    in_range = (Item.received_on >= start, Item.received_on <= end, Item.status != rules.LOGGED_IN_ERROR)
    with db.session(actor, write=False) as session:
        by_month: Counter[tuple[str, str]] = Counter()
        became: Counter[str] = Counter()
        for day, direction, status, outcome_on in session.execute(
                select(Item.received_on, Item.direction, Item.status, Item.outcome_on).where(*in_range)):
            by_month[(f"{day:%Y-%m}", str(direction))] += 1
            decided = status in rules.OUTCOMES and outcome_on is not None and outcome_on <= end
            became[str(status) if decided else ""] += 1
        months = sorted({m for m, _d in by_month})
        received = FigureSection("Letterbox items received and exchanges completed")
        for m in months:  # one figure per cell: month and direction in the label, the count alone
            month = dt.date.fromisoformat(f"{m}-01").strftime("%B %Y")
            for direction in (rules.TO_BIRTH, rules.TO_ADOPTIVE):
                received.rows.append((f"{month}: {DIRECTION_WORDS[direction]}", str(by_month[(m, direction)])))
        for direction, words in DIRECTION_WORDS.items():
            received.rows.append((f"{RECEIVED}: {words}",
                                  str(sum(v for (_m, d), v in by_month.items() if d == direction))))
        received.rows.append((RECEIVED, str(sum(by_month.values()))))
        received.rows.extend((label, str(became[outcome])) for outcome, label in OUTCOME_ROWS.items())
        received.rows.append((COMPLETED, str(_exchanges_completed(session, start, end))))

        problems = FigureSection("Items returned or withheld")
        decided_in_range = (Item.outcome_on >= start, Item.outcome_on <= end)
        for status, label in (("returned", "Returned for changes"), ("withheld", "Withheld")):
            per_direction = {str(d): int(n) for d, n in session.execute(select(Item.direction, func.count()).where(
                Item.status == status, *decided_in_range).group_by(Item.direction))}
            problems.rows.append((f"{label} in the period", str(sum(per_direction.values()))))
            for direction, words in DIRECTION_WORDS.items():
                problems.rows.append((f"{label}: {words}", str(per_direction.get(direction, 0))))

        arrangements = _arrangements_at(session, end)

        counted = {str(kind): int(n) for kind, n in session.execute(
            select(LetterSent.kind, func.count()).where(LetterSent.sent_on >= start, LetterSent.sent_on <= end,
                                                        not_voided())  # a batch voided as not posted: not sent
            .group_by(LetterSent.kind))}
        kinds = [*KINDS, *sorted(k for k in counted if k not in KINDS)]  # every kind, each counted from the list
        sent = FigureSection("Letters sent", [
            (KINDS.get(kind, kind.replace("_", " ").capitalize()), str(counted.get(kind, 0))) for kind in kinds])
        sent.rows.append(("All letters sent", str(sum(counted.values()))))

        days = [(o - r).days for r, o in session.execute(select(Item.received_on, Item.outcome_on).where(
            Item.status == "forwarded", Item.outcome_on >= start, Item.outcome_on <= end)) if o is not None]
        timing = FigureSection("Receipt to forwarding", [
            (FORWARDED_IN_PERIOD, str(len(days))),
            (MEDIAN_TO_FORWARD, f"{statistics.median(days):g}" if days else "–")])
    return [received, problems, arrangements, sent, timing]
