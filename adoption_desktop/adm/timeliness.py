"""Signed decisions as every figure counts them (the ADM figures, the measures, the report and the
Ofsted pack), so that they all agree:

* **a correction is the same decision**: each decision is counted once, as its latest version, on the
  date of its *first* signed version (a correction signed months later is not a new, very late decision in
  the period of the correction), and it is on time or late as that first signature was;
* **working days to decision** leave out the days the clock was paused waiting for more information, by
  the same rule that gives the due date (``rules.decision_clock``): the median and "within 7 working days"
  measure the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecision, AdmInfoRequest
from adoption_desktop.core.workdays import WorkingCalendar

#: the wording every median of working days to decision carries (a trial compared a median counting the
#: paused days with a "within 7 working days" share that did not)
WAITING_NOT_COUNTED = "time waiting for more information not counted"


@dataclass(frozen=True)
class Decided:
    """One signed decision as the figures count it."""

    row: AdmDecision         # its latest version (outcome, wording, reasons as they stand)
    decided_on: dt.date      # the decision's date: that of its first signed version
    working_days: int        # final minutes (or papers) received to decision, paused days not counted

    @property
    def late(self) -> bool:
        return self.row.due_on is not None and self.decided_on > self.row.due_on


def working_days_to_decision(received_on: dt.date, decided_on: dt.date, pauses: Sequence[rules.Pause],
                             cal: WorkingCalendar) -> int:
    """Working days from ``received_on`` (not counted) to ``decided_on`` (counted), leaving out the time
    paused waiting for information — the days ``rules.decision_clock`` counts against the timescale: up to and
    including the day the information was asked, then from the day after it was logged."""
    start, used = received_on, 0
    for p in sorted(pauses, key=lambda x: x.requested_on):
        if p.requested_on >= decided_on:
            break
        if p.requested_on < start:
            if p.received_on is not None:
                start = max(start, p.received_on)
            continue
        used += max(cal.working_days_between(start, p.requested_on), 0)
        if p.received_on is None:
            return used
        start = max(p.received_on, p.requested_on)
    return used + max(cal.working_days_between(start, decided_on), 0) if decided_on > start else used


def signed_decisions(session: Session, start: dt.date, end: dt.date, cal: WorkingCalendar,
                     *where: Any) -> list[Decided]:
    """The latest version of each signed decision whose first version was signed ``start..end`` (``where``:
    more conditions on the latest version, e.g. ``AdmDecision.source == "panel"``)."""
    first = aliased(AdmDecision)
    # the first version's date (its own date should the first version carry none: never so once signed)
    on = func.coalesce(first.decided_on, AdmDecision.decided_on)
    superseded = select(AdmDecision.supersedes_id).where(AdmDecision.supersedes_id.is_not(None))
    found = list(session.execute(
        select(AdmDecision, on)
        .join(first, first.id == func.coalesce(AdmDecision.root_id, AdmDecision.id))
        .where(AdmDecision.signed_at.is_not(None), AdmDecision.id.not_in(superseded),
               on >= start, on <= end, *where)
        .order_by(AdmDecision.id)))
    roots = {d.root_id or d.id for d, _day in found}
    pauses: dict[int, list[rules.Pause]] = {}
    if roots:
        for root, asked, got in session.execute(
                select(func.coalesce(AdmDecision.root_id, AdmDecision.id), AdmInfoRequest.requested_on,
                       AdmInfoRequest.received_on)
                .join(AdmDecision, AdmDecision.id == AdmInfoRequest.decision_id)
                .where(func.coalesce(AdmDecision.root_id, AdmDecision.id).in_(roots))):
            pauses.setdefault(root, []).append(rules.Pause(asked, got))
    out = []
    for d, day in found:
        assert day is not None  # signed
        out.append(Decided(d, day, working_days_to_decision(d.received_on, day, pauses.get(d.root_id or d.id, []),
                                                            cal)))
    return out
