"""Children's-journey scorecard measures for a date range (STUB on the report branch).

The real ``journey_measures`` comes from the child's-journey work (branch h-journey), which records each
child's journey and computes the measures; at merge its file replaces this one. The report document and
the Ofsted pack only rely on the :class:`Measure` shape and on ``journey_measures``' signature below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    value: float | None
    unit: str
    threshold: float | None
    count: int
    definition: str
    within: int | None = None


def journey_measures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[Measure]:
    """The scorecard measures for ``start``..``end``. Stub: no journeys are recorded on this branch, so
    the list is empty; the real implementation comes from the child's-journey work (h-journey)."""
    require(actor, Permission.REPORTS_VIEW)
    return []
