"""Letterbox figures for a date range (counts and durations only, never names).

* Exchanges received by month and direction (adoptive → birth, birth → adoptive).
* Items returned or withheld, and why.
* Arrangements active / inactive (no exchange for the inactive period) / suspended / ended at the end.
* Reminders (and other letters) sent in the range.
* Median days from receipt to forwarding.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

from sqlalchemy import func, select

from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement, Item, LetterSent
from adoption_desktop.letterbox.settings import INACTIVE_AFTER_MONTHS
from adoption_desktop.reports.model import FigureSection


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    """Figures for ``start``..``end`` inclusive."""
    if not actor.can(Permission.LETTERBOX_VIEW):
        require(actor, Permission.REPORTS_VIEW)
    from adoption_desktop.letterbox.documents import KINDS  # the letters' names as people read them

    in_range = (Item.received_on >= start, Item.received_on <= end)
    with db.session(actor, write=False) as session:
        by_month: Counter[tuple[str, str]] = Counter()
        for day, direction, n in session.execute(
                select(Item.received_on, Item.direction, func.count()).where(*in_range)
                .group_by(Item.received_on, Item.direction)):
            by_month[(f"{day:%Y-%m}", str(direction))] += int(n)
        months = sorted({m for m, _d in by_month})
        exchanges = FigureSection("Letterbox exchanges received by month")
        for m in months:  # one figure per cell: month and direction in the label, the count alone
            month = dt.date.fromisoformat(f"{m}-01").strftime("%B %Y")
            exchanges.rows.append((f"{month}: adoptive family to birth family", str(by_month[(m, rules.TO_BIRTH)])))
            exchanges.rows.append((f"{month}: birth family to adoptive family",
                                   str(by_month[(m, rules.TO_ADOPTIVE)])))
        total_to_birth = sum(v for (m, d), v in by_month.items() if d == rules.TO_BIRTH)
        total_to_adoptive = sum(v for (m, d), v in by_month.items() if d == rules.TO_ADOPTIVE)
        exchanges.rows.append(("Total: adoptive family to birth family", str(total_to_birth)))
        exchanges.rows.append(("Total: birth family to adoptive family", str(total_to_adoptive)))
        exchanges.rows.append(("Total exchanges", str(total_to_birth + total_to_adoptive)))

        problems = FigureSection("Items returned or withheld")
        for status in ("returned", "withheld"):
            reasons = Counter(r for r in session.scalars(select(Item.reason).where(
                Item.status == status, Item.outcome_on >= start, Item.outcome_on <= end)))
            problems.rows.append((status.title(), str(sum(reasons.values()))))
            for reason, n in reasons.most_common(8):
                problems.rows.append((f"{status.title()}: {reason or '(no reason recorded)'}", str(n)))

        inactive_months = get_setting(session, INACTIVE_AFTER_MONTHS)
        status_counts: Counter[str] = Counter()
        for stored, last, started, dob in session.execute(select(
                Arrangement.status, Arrangement.last_exchange, Arrangement.start_date, Arrangement.child_dob)):
            status_counts[rules.computed_status(stored, today=end, last_exchange=last, start_date=started,
                                                child_dob=dob, inactive_after_months=inactive_months)] += 1
        arrangements = FigureSection(f"Arrangements at {end:%d/%m/%Y}", [
            (s.title(), str(status_counts[s])) for s in ("active", "inactive", "suspended", "ended")])

        sent = FigureSection("Letters sent", [
            (KINDS.get(str(kind), str(kind).replace("_", " ").capitalize()), str(n)) for kind, n in session.execute(
                select(LetterSent.kind, func.count()).where(LetterSent.sent_on >= start, LetterSent.sent_on <= end)
                .group_by(LetterSent.kind).order_by(LetterSent.kind))])
        if not sent.rows:
            sent.rows.append(("Reminders", "0"))

        days = [(o - r).days for r, o in session.execute(select(Item.received_on, Item.outcome_on).where(
            Item.status == "forwarded", Item.outcome_on >= start, Item.outcome_on <= end)) if o is not None]
        timing = FigureSection("Receipt to forwarding", [
            ("Items forwarded", str(len(days))),
            ("Median days from receipt to forward", f"{statistics.median(days):g}" if days else "–")])
    return [exchanges, problems, arrangements, sent, timing]
