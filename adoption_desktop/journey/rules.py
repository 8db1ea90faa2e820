"""Pure rules of the child's journey: the order of the dates, with messages naming the field and the fix,
and calendar-month arithmetic for the measures. No database, no Qt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from adoption_desktop.core.months import add_months

SEXES: dict[str, str] = {"": "Not recorded", "female": "Female", "male": "Male", "other": "Other"}
EARLY_PERMANENCE: dict[str, str] = {"": "None", "ffa": "Fostering for adoption", "concurrent": "Concurrent planning"}

#: the journey's dates in the order they happen, with the label a person reads
JOURNEY_ORDER: tuple[tuple[str, str], ...] = (
    ("date_of_birth", "Date of birth"),
    ("entered_care_on", "Entered care"),
    ("plan_decided_on", "Decision that adoption is the plan"),
    ("placement_order_on", "Placement order"),
    ("match_recommended_on", "Match recommended by panel"),
    ("match_agreed_on", "Match agreed by the ADM"),
    ("placed_on", "Moved in with the adoptive family"),
    ("adoption_order_on", "Adoption order"),
)
LABELS: dict[str, str] = dict(JOURNEY_ORDER) | {
    "early_permanence_placed_on": "Early permanence placement",
    "foster_carer_placed_on": "Moved in with the foster carers who adopted",
    "disrupted_on": "Disruption",
}
DATE_FIELDS: tuple[str, ...] = (*(f for f, _l in JOURNEY_ORDER), "early_permanence_placed_on",
                                "foster_carer_placed_on", "disrupted_on")


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def birthday(born: dt.date, years: int) -> dt.date:
    """The day a person born on ``born`` turns ``years`` (born on 29 February: 1 March in a common year)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return dt.date(born.year + years, 3, 1)


#: the placements of a child for adoption, which only a child (under 18) can have (Adoption and Children Act 2002
#: s.144: a child is a person under 18)
PLACEMENT_FIELDS: tuple[str, ...] = ("placement_order_on", "placed_on", "early_permanence_placed_on",
                                     "foster_carer_placed_on")
#: an adoption order may be made up to the 19th birthday, the application having been made before the 18th
#: (Adoption and Children Act 2002 s.49(4) and s.47(9))
ADOPTION_ORDER_BEFORE_AGE = 19


def age_problems(dates: Mapping[str, dt.date | None]) -> list[tuple[str, str]]:
    """The child's dates against the date of birth, as ``(field, message)``: no date of the journey before the
    child was born, no placement once they are 18, no adoption order once they are 19."""
    born = dates.get("date_of_birth")
    if born is None:
        return []
    problems: list[tuple[str, str]] = []
    for field in DATE_FIELDS[1:]:
        day = dates.get(field)
        if day is None:
            continue
        label = LABELS[field]
        if day < born:
            problems.append((field, f"{label}: {_d(day)} is before the child's date of birth ({_d(born)}). "
                                    "Check both dates."))
        elif field in PLACEMENT_FIELDS and day >= birthday(born, 18):
            problems.append((field, f"{label}: {_d(day)} is on or after the child's 18th birthday "
                                    f"({_d(birthday(born, 18))}); a child can be placed for adoption only while "
                                    "under 18. Check the date and the date of birth."))
        elif field == "adoption_order_on" and day >= birthday(born, ADOPTION_ORDER_BEFORE_AGE):
            nineteenth = birthday(born, ADOPTION_ORDER_BEFORE_AGE)
            problems.append((field, f"{label}: {_d(day)} is on or after the child's 19th birthday ({_d(nineteenth)}); "
                                    "an adoption order cannot be made for a person aged 19 or over (and the "
                                    "application must be made before they are 18). Check the date and the date "
                                    "of birth."))
    return problems


def journey_problems(dates: Mapping[str, dt.date | None], *, early_permanence: str = "",
                     foster_carer_adoption: bool = False) -> list[tuple[str, str]]:
    """Every problem with the order of a child's dates, as ``(field, message)``; [] when they are in order.

    Each recorded date of :data:`JOURNEY_ORDER` must be on or after every recorded date before it; an early
    permanence or foster-carer placement lies between entering care and the adoption order; a disruption
    follows the move to the adoptive family and comes before any adoption order; no date is before the date of
    birth, no placement on or after the 18th birthday, no adoption order on or after the 19th
    (:func:`age_problems`)."""
    problems: list[tuple[str, str]] = []
    seen: list[tuple[str, dt.date]] = []
    for field, label in JOURNEY_ORDER:
        day = dates.get(field)
        if day is None:
            continue
        later = [(f, d) for f, d in seen if d > day]
        if later:
            f, d = max(later, key=lambda p: p[1])
            problems.append((field, f"{label}: {_d(day)} is before {LABELS[f].lower()} ({_d(d)}); "
                                    f"{label.lower()} cannot come first. Check both dates."))
        seen.append((field, day))
    care, order = dates.get("entered_care_on"), dates.get("adoption_order_on")
    for field, needs in (("early_permanence_placed_on", early_permanence != ""),
                         ("foster_carer_placed_on", foster_carer_adoption)):
        day = dates.get(field)
        label = LABELS[field]
        if day is None:
            continue
        if not needs:
            what = "choose the kind of early permanence" if field.startswith("early") else \
                "tick \"adopted by their foster carers\""
            problems.append((field, f"{label}: a date is given but not the kind of placement; {what} or "
                                    "clear the date."))
        if care is not None and day < care:
            problems.append((field, f"{label}: {_d(day)} is before the child entered care ({_d(care)})."))
        if order is not None and day > order:
            problems.append((field, f"{label}: {_d(day)} is after the adoption order ({_d(order)})."))
    reported = {f for f, _m in problems}
    problems += [(f, m) for f, m in age_problems(dates) if f not in reported]
    disrupted, placed = dates.get("disrupted_on"), dates.get("placed_on")
    if disrupted is not None:
        if placed is None:
            problems.append(("disrupted_on", "Disruption: record the date the child moved in with the "
                                             "adoptive family first; a disruption ends that placement."))
        elif disrupted < placed:
            problems.append(("disrupted_on", f"Disruption: {_d(disrupted)} is before the child moved in "
                                             f"({_d(placed)})."))
        if order is not None and disrupted >= order:
            problems.append(("disrupted_on", f"Disruption: {_d(disrupted)} is on or after the adoption order "
                                             f"({_d(order)}); a placement that ended after the order is not "
                                             "a disruption. Clear one of the dates."))
    return problems


def within_months(start: dt.date, end: dt.date, months: int) -> bool:
    """``end`` is no later than ``months`` calendar months after ``start``."""
    return end <= add_months(start, months)


def month_band(start: dt.date, end: dt.date) -> str:
    """The band of ``end`` after ``start``: "0-4", "4-8", "8-12" or "12+" calendar months."""
    if within_months(start, end, 4):
        return "0-4"
    if within_months(start, end, 8):
        return "4-8"
    if within_months(start, end, 12):
        return "8-12"
    return "12+"


@dataclass(frozen=True)
class ChildDates:
    """What the measures need of one child (pure data, built from a row or by a test); a person's entry for a
    child (``service.ChildInput``) is these fields and the rest of the record."""

    reference: str
    initials: str = ""
    sibling_group: str = ""
    entered_care_on: dt.date | None = None
    plan_decided_on: dt.date | None = None
    placement_order_on: dt.date | None = None
    match_recommended_on: dt.date | None = None
    match_agreed_on: dt.date | None = None
    placed_on: dt.date | None = None
    adoption_order_on: dt.date | None = None
    early_permanence: str = ""
    early_permanence_placed_on: dt.date | None = None
    foster_carer_adoption: bool = False
    foster_carer_placed_on: dt.date | None = None
    disrupted_on: dt.date | None = None

    def moved_in_a10(self) -> dt.date | None:
        """The A10 end date: the day the child moved in with the carers who adopted them (early permanence
        or foster carers), else the day they moved in with the adoptive family."""
        if self.early_permanence and self.early_permanence_placed_on is not None:
            return self.early_permanence_placed_on
        if self.foster_carer_adoption and self.foster_carer_placed_on is not None:
            return self.foster_carer_placed_on
        return self.placed_on


#: the field key of the question "the plan date differs from the decision's date" (not a field of the form: the
#: screen asks whether to use the decision's date or save anyway, rather than only pointing at the date)
PLAN_DATE_DIFFERS = "plan_date_differs"


@dataclass(frozen=True)
class DecisionVersion:
    """One version of the ADM decision a child is linked to, as the plan-date rule needs it."""

    version: int
    signed: bool
    outcome: str = ""
    decided_on: dt.date | None = None


def plan_agreed_on(decision_type: str, versions: Sequence[DecisionVersion]) -> dt.date | None:
    """The day the ADM agreed that adoption is the child's plan, or None when no such decision stands.

    Only a signed plan-for-adoption decision whose outcome (as its latest signed version has it: a
    correction may change it) agrees the plan says so; its date is that of its *first* signed version: a
    correction is the same decision, decided that day (as ``adm.timeliness`` and ``adm.rules.decided_text``
    count it), even when the correction was signed later on another day. An unsigned draft of a correction
    changes nothing until it is signed."""
    if decision_type != "plan_for_adoption":
        return None
    signed = sorted((v for v in versions if v.signed), key=lambda v: v.version)
    if not signed or signed[-1].outcome != "agree":
        return None
    return signed[0].decided_on or signed[-1].decided_on


def plan_date_problem(plan_decided_on: dt.date | None, agreed_on: dt.date | None, decision_name: str) -> str | None:
    """The warning when the child's recorded plan date differs from the day the linked decision agreed the plan
    (``agreed_on``: :func:`plan_agreed_on`); None when they agree or either is not known. A warning, not a
    refusal: the plan may have been agreed on another day than the decision was signed."""
    if plan_decided_on is None or agreed_on is None or plan_decided_on == agreed_on:
        return None
    return (f"{LABELS['plan_decided_on']}: {_d(plan_decided_on)} differs from the date of {decision_name} "
            f"({_d(agreed_on)}), which is the date the plan was agreed. Use the decision's date, or save anyway "
            "if the plan was agreed on another day.")


def panel_date_from_sitting(panel_on: dt.date | None, sitting_date: dt.date | None,
                            today: dt.date) -> tuple[dt.date | None, str | None]:
    """A household's panel date against the sitting of the approval item it is linked to: ``(panel date, None)``
    when they agree, the sitting's date taken when none is typed (once the sitting has happened: not ahead of
    ``today``), or ``(panel_on, message)`` when the typed date differs from the sitting's."""
    if sitting_date is None or panel_on == sitting_date:
        return panel_on, None
    if panel_on is None:
        return (sitting_date if sitting_date <= today else None), None
    return panel_on, (f"Panel: {_d(panel_on)} differs from the date of the sitting the linked approval item was "
                      f"heard at ({_d(sitting_date)}). Enter {_d(sitting_date)}, or link the item of the sitting "
                      "the household went to.")
