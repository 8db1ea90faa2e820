"""What became of the items the panel deferred: back with a recommendation, deferred again, on a later
agenda, not back yet, or **withdrawn after deferral**.

Definitions (pure rules over :class:`ItemFacts`; :func:`load` reads the database):

* **Deferred in the period**: an item on a sitting held (not cancelled) in the period whose counted
  minutes (the newest version the chair approved; with none approved yet, the newest draft) record the
  outcome "deferred" (a recommendation is definite; when information is missing the
  panel defers: statutory guidance 1.46).
* **Its return**: the first item on a later sitting that was not cancelled and is either linked to it
  (``deferred_from_id``: *Defer to a later sitting…* on the Agenda tab, ``service.defer_item``) or is the same case, i.e. the same case type and
  the same subject reference (an item put on a later agenda by hand). The item followed is always the
  deferred one; a return that is itself deferred again counts here as "deferred again" (its own fate is
  counted in the period it was deferred).
* **Withdrawn after deferral**: no return by the day the figures are counted and at least the setting
  ``panel.deferral_return_months`` (default 3) calendar months since the sitting; a deferral that
  recent with no return yet is "not back yet". A return dated after today is "on a later agenda".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.security.permissions import Permission, Principal
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import rules, settings
from adoption_desktop.reports.drilldown import FigureGroup, figures_over, pct, rows_behind
from adoption_desktop.reports.measures import ChildRow
from adoption_desktop.reports.model import FigureSection
from adoption_desktop.reports.periods import add_months

DEFERRALS = "Adoption panel: deferred items and withdrawals after deferral"
SECTIONS = (DEFERRALS,)

RETURNED, AGAIN, LATER, NOT_YET, WITHDRAWN = "returned", "again", "later", "not_yet", "withdrawn"


@dataclass(frozen=True)
class ItemFacts:
    id: int
    sitting_date: dt.date
    held: bool                 # the sitting was not cancelled
    case_type: str
    reference: str
    initials: str
    deferred_from_id: int | None
    outcome: str               # the counted minutes' outcome (rules.counted_outcome; "" when none recorded)


@dataclass(frozen=True)
class Fate:
    item: ItemFacts
    state: str                 # RETURNED / AGAIN / LATER / NOT_YET / WITHDRAWN
    returned: ItemFacts | None

    def row(self) -> ChildRow:
        back = self.returned
        text = {RETURNED: "back with a recommendation", AGAIN: "back and deferred again",
                LATER: "on a later agenda", NOT_YET: "not back yet", WITHDRAWN: "not back: withdrawn"}[self.state]
        what = rules.CASE_TYPES.get(self.item.case_type, self.item.case_type)
        if back is not None:
            text += f" ({back.sitting_date:%d/%m/%Y}"
            text += f": {rules.OUTCOMES.get(back.outcome, back.outcome)})" if back.outcome else ")"
        end = back.sitting_date if back is not None else None
        return ChildRow(self.item.reference or "(no reference)", self.item.initials, "", self.item.sitting_date,
                        end, (end - self.item.sitting_date).days if end else None, None, f"{what}; {text}")


def fate(item: ItemFacts, items: Sequence[ItemFacts], as_of: dt.date, months: int) -> Fate:
    """What became of one deferred ``item`` by ``as_of``; ``items`` may be only the candidates (the same
    case, or linked to it). Pure."""
    later = [x for x in items if x.held and x.id != item.id and x.sitting_date > item.sitting_date and (
        x.deferred_from_id == item.id or (item.reference != "" and x.reference == item.reference
                                          and x.case_type == item.case_type))]
    back = min(later, key=lambda x: (x.sitting_date, x.id), default=None)
    if back is not None:
        if back.sitting_date > as_of or not back.outcome:
            return Fate(item, LATER, back)
        return Fate(item, AGAIN if back.outcome == "deferred" else RETURNED, back)
    limit = add_months(item.sitting_date, months)
    return Fate(item, WITHDRAWN if as_of >= limit else NOT_YET, None)


def compute(items: Sequence[ItemFacts], start: dt.date, end: dt.date, as_of: dt.date, months: int
            ) -> list[FigureGroup]:
    deferred = sorted((i for i in items if i.held and i.outcome == "deferred" and start <= i.sitting_date <= end),
                      key=lambda i: (i.sitting_date, i.id))
    same: dict[tuple[str, str], list[ItemFacts]] = {}
    linked: dict[int, list[ItemFacts]] = {}
    for x in items:  # candidates by case and by link, so each deferral looks at a few items, not all
        same.setdefault((x.case_type, x.reference), []).append(x)
        if x.deferred_from_id is not None:
            linked.setdefault(x.deferred_from_id, []).append(x)
    fates = [fate(i, [*same.get((i.case_type, i.reference), []), *linked.get(i.id, [])], as_of, months)
             for i in deferred]
    g = FigureGroup(DEFERRALS)

    def of(state: str) -> list[ChildRow]:
        return [f.row() for f in fates if f.state == state]

    g.add("Items deferred", [f.row() for f in fates])
    g.add("Back at panel with a recommendation", of(RETURNED))
    g.add("Back at panel and deferred again", of(AGAIN))
    g.add("On a later agenda, no recommendation yet", of(LATER))
    g.add(f"Not back yet (deferred less than {months} months ago)", of(NOT_YET))
    g.add(f"Withdrawn after deferral (not back within {months} months)", of(WITHDRAWN))
    g.value("Withdrawn after deferral: share of items deferred (%)", pct(len(of(WITHDRAWN)), len(fates)),
            of(WITHDRAWN))
    return [g]


def load(session: Session) -> list[ItemFacts]:
    from adoption_desktop.panel.models import PanelItem, PanelMinutes, PanelSitting

    versions: dict[int, list[tuple[str, str]]] = {}
    for item_id, status, outcome in session.execute(
            select(PanelMinutes.item_id, PanelMinutes.status, PanelMinutes.outcome)
            .order_by(PanelMinutes.item_id, PanelMinutes.version)):
        versions.setdefault(item_id, []).append((status, outcome))
    # the outcome the panel figures count: a correction only once the chair approves it
    latest = {item_id: rules.counted_outcome(v) for item_id, v in versions.items()}
    return [ItemFacts(i, day, status != "cancelled", case_type, ref, initials, prev, latest.get(i, ""))
            for i, day, status, case_type, ref, initials, prev in session.execute(
                select(PanelItem.id, PanelSitting.sitting_date, PanelSitting.status, PanelItem.case_type,
                       PanelItem.subject_reference, PanelItem.subject_initials, PanelItem.deferred_from_id)
                .join(PanelSitting, PanelSitting.id == PanelItem.sitting_id))]


def _groups(db: Database, actor: Principal, start: dt.date, end: dt.date, as_of: dt.date | None = None
            ) -> list[FigureGroup]:
    with db.session(actor, write=False) as session:
        months = int(get_setting(session, settings.DEFERRAL_RETURN_MONTHS))
        items = load(session)
    return compute(items, start, end, as_of or dt.date.today(), months)


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    return figures_over(_groups, db, actor, start, end)


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date
           ) -> list[ChildRow]:
    """The items behind one figure, by reference and initials (needs ``panel.view``)."""
    return rows_behind(_groups, Permission.PANEL_VIEW, db, actor, section, label, start, end)
