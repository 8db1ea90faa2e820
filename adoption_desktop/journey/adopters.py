"""Use cases of the adopters' journey screen: prospective adopter households with their assessment dates
(registration = stage 1 starts, stage 1 completed, stage 2 started, panel, ADM approval), linked to the
panel approval item. Dates are checked in order with messages naming the field (``service.adopter_problems``);
every save is versioned and audited. Panel administrators edit (``panel.edit``); anyone who may open the
panel reads (``panel.view``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields

from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import check_version
from adoption_desktop.core.errors import NotFound, ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_not_future, clean_reference, reference_key
from adoption_desktop.journey import rules
from adoption_desktop.journey.models import AdopterJourney
from adoption_desktop.journey.service import AdopterStages, adopter_problems, as_field

DATE_LABELS: dict[str, str] = {
    "registered_on": "Registration (stage 1 starts)",
    "stage1_completed_on": "Stage 1 completed",
    "stage2_started_on": "Stage 2 started",
    "panel_on": "Panel",
    "approved_on": "Approved by the ADM",
}


@dataclass(frozen=True)
class Household:
    id: int
    reference: str
    registered_on: dt.date | None
    stage1_completed_on: dt.date | None
    stage2_started_on: dt.date | None
    panel_on: dt.date | None
    approved_on: dt.date | None
    approval_item_id: int | None
    approval_item: str  # "12/03/2026 sitting, item 2" or ""
    row_version: int


@dataclass(frozen=True)
class ApprovalItem:
    id: int
    label: str  # what a person reads: the sitting's date and the case reference
    sitting_date: dt.date


STAGE_FIELDS = tuple(f.name for f in fields(AdopterStages))


def household_values(data: AdopterStages, item_label: Callable[[int], str] | None = None) -> dict[str, str]:
    """A household's fields as the conflict window shows them, the editor's version and the stored one
    alike (the window compares these texts to tell the person's own changes from a colleague's): dates as
    dd/mm/yyyy, the approval item by ``item_label`` (the editor's list, or the stored items)."""
    item = data.approval_item_id
    return {"Household reference": data.reference.strip(),
            **{label: f"{getattr(data, f):%d/%m/%Y}" if getattr(data, f) else "" for f, label in DATE_LABELS.items()},
            "Panel approval item": "Not linked" if item is None else
            (item_label(item) if item_label is not None else "") or f"item no. {item}"}


def stages_of(household: Household) -> AdopterStages:
    """A stored household as the editor gives it (what a re-applied change goes on top of)."""
    return AdopterStages(**{f: getattr(household, f) for f in STAGE_FIELDS})


def _items(session: object, ids: set[int] | None = None) -> dict[int, ApprovalItem]:
    from sqlalchemy.orm import Session

    from adoption_desktop.panel.models import PanelItem, PanelSitting

    assert isinstance(session, Session)
    stmt = (select(PanelItem.id, PanelItem.subject_reference, PanelSitting.sitting_date)
            .join(PanelSitting, PanelSitting.id == PanelItem.sitting_id)
            .where(PanelItem.case_type == "approval"))
    if ids is not None:
        stmt = stmt.where(PanelItem.id.in_(ids))
    return {i: ApprovalItem(i, f"{ref or 'approval'} at the {day:%d/%m/%Y} sitting", day)
            for i, ref, day in session.execute(stmt.order_by(PanelSitting.sitting_date.desc()))}


def _household(row: AdopterJourney, items: dict[int, ApprovalItem]) -> Household:
    item = items.get(row.approval_item_id) if row.approval_item_id is not None else None
    return Household(row.id, row.reference, row.registered_on, row.stage1_completed_on, row.stage2_started_on,
                     row.panel_on, row.approved_on, row.approval_item_id, item.label if item else "",
                     row.row_version)


def _values(session: object, row: AdopterJourney) -> dict[str, str]:
    """The stored household under the editor's labels (:func:`household_values`)."""
    items = _items(session, {row.approval_item_id} if row.approval_item_id is not None else set())
    return household_values(AdopterStages(**{f: getattr(row, f) for f in STAGE_FIELDS}),
                            lambda i: items[i].label if i in items else "")


def list_households(db: Database, actor: Principal) -> list[Household]:
    """Every prospective adopter household, the most recently registered first."""
    require(actor, Permission.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        rows = list(session.scalars(select(AdopterJourney).order_by(
            AdopterJourney.registered_on.desc(), AdopterJourney.reference)))
        items = _items(session, {r.approval_item_id for r in rows if r.approval_item_id is not None})
        return [_household(r, items) for r in rows]


def approval_items(db: Database, actor: Principal) -> list[ApprovalItem]:
    """The panel's prospective adopter approval items, newest sitting first (to link a household to)."""
    require(actor, Permission.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        return list(_items(session).values())


def _check_order(data: AdopterStages) -> None:
    problems = adopter_problems(data)
    if problems:
        field, message = problems[0]
        raise ValidationError(f"{message} Dates go in this order: registration, stage 1 completed, stage 2 "
                              "started, panel, approval.", field)


def validate(data: AdopterStages, today: dt.date | None = None) -> AdopterStages:
    """``data`` cleaned, or a ValidationError naming the first field at fault and the fix."""
    today = today or dt.date.today()
    ref = as_field(clean_reference, data.reference, "Household reference", "reference", required=True)
    for f, label in DATE_LABELS.items():
        check_not_future(getattr(data, f), label, f, today=today, required=False)
    if data.registered_on is None and any(getattr(data, f) for f in DATE_LABELS):
        raise ValidationError("Registration (stage 1 starts): enter the date the household registered; the "
                              "other dates are measured from it.", "registered_on")
    if data.stage2_started_on and not data.stage1_completed_on:
        raise ValidationError("Stage 1 completed: enter it before stage 2 starts (stage 2 follows stage 1).",
                              "stage1_completed_on")
    _check_order(data)
    return AdopterStages(**{f: getattr(data, f) for f in STAGE_FIELDS if f != "reference"}, reference=ref)


def check_approval_item(session: object, item_id: int | None, household_id: int | None = None) -> dt.date | None:
    """The approval item ``item_id`` exists, is an approval item and is linked to no other household than
    ``household_id``; returns its sitting's date (None when not linked). Public: ``journey.service``'s
    ``record_adopter_stages`` checks the item with it too, as the screen's save does. Read in the save's transaction with
    the item locked to its end, so two PCs linking two households to one item at once take turns: the second
    sees the first's link and is refused."""
    if item_id is None:
        return None
    from sqlalchemy.orm import Session

    from adoption_desktop.panel.models import PanelItem, PanelSitting

    assert isinstance(session, Session)
    # locked to the end of the caller's transaction (see ``journey.service._check_item``): a removal of the item
    # at this moment waits for this link and is refused, or came first and this finds no item; and (an
    # exclusive lock, not a share lock) a second household's link of the same item waits for this one
    item = session.scalar(select(PanelItem).where(PanelItem.id == item_id).with_for_update()
                          .execution_options(populate_existing=True))
    if item is None:
        raise NotFound("That panel item no longer exists; choose another approval item.")
    if item.case_type != "approval":
        raise ValidationError("Panel approval item: choose a prospective adopter approval item.", "approval_item_id")
    other = session.scalar(select(AdopterJourney.reference).where(
        AdopterJourney.approval_item_id == item_id,
        *(() if household_id is None else (AdopterJourney.id != household_id,))).limit(1))
    if other is not None:
        raise ValidationError(f"Panel approval item: this item is already linked to household {other}; an approval "
                              "item is one household's. Choose another item, or unlink it from that household "
                              "first.", "approval_item_id")
    return session.scalar(select(PanelSitting.sitting_date).where(PanelSitting.id == item.sitting_id))


def with_panel_date_from_sitting(clean: AdopterStages, sitting_date: dt.date | None, today: dt.date) -> AdopterStages:
    """``clean`` with the panel date of the linked item's sitting (``rules.panel_date_from_sitting``), its
    dates checked in order again; a ValidationError keyed ``panel_on`` when the typed panel date differs."""
    panel_on, problem = rules.panel_date_from_sitting(clean.panel_on, sitting_date, today)
    if problem is not None:
        raise ValidationError(problem, "panel_on")
    if panel_on == clean.panel_on:
        return clean
    taken = dataclasses.replace(clean, panel_on=panel_on)
    _check_order(taken)
    return taken


def _apply(row: AdopterJourney, clean: AdopterStages) -> None:
    for f in STAGE_FIELDS:
        if getattr(row, f) != getattr(clean, f):
            setattr(row, f, getattr(clean, f))
    row.reference_key = reference_key(clean.reference)


def add_household(db: Database, actor: Principal, data: AdopterStages, today: dt.date | None = None) -> Household:
    require(actor, Permission.PANEL_EDIT)
    clean = validate(data, today)
    with db.session(actor) as session:
        key = reference_key(clean.reference)
        if session.scalar(select(AdopterJourney.id).where(AdopterJourney.reference_key == key)) is not None:
            raise ValidationError(f"Household reference: {clean.reference} is already recorded; open it from the "
                                  "list to change its dates.", "reference")
        clean = with_panel_date_from_sitting(clean, check_approval_item(session, clean.approval_item_id),
                                             today or dt.date.today())
        row = AdopterJourney(reference=clean.reference, reference_key=key)
        _apply(row, clean)
        session.add(row)
        session.flush()
        return _household(row, _items(session, {row.approval_item_id} if row.approval_item_id else set()))


def update_household(db: Database, actor: Principal, household_id: int, data: AdopterStages, *,
                     expected_version: int | None, today: dt.date | None = None) -> Household:
    """Save a household's dates; a stale save (someone saved since it was loaded) raises StaleRecord."""
    require(actor, Permission.PANEL_EDIT)
    clean = validate(data, today)
    with db.session(actor) as session:
        row = get_or_raise(session, AdopterJourney, household_id, "That household's record no longer exists.")
        check_version(session, row, expected_version, "adopter household", lambda r: _values(session, r))
        key = reference_key(clean.reference)
        if key != row.reference_key and session.scalar(
                select(AdopterJourney.id).where(AdopterJourney.reference_key == key)) is not None:
            raise ValidationError(f"Household reference: {clean.reference} belongs to another household.",
                                  "reference")
        clean = with_panel_date_from_sitting(clean, check_approval_item(session, clean.approval_item_id, row.id),
                                             today or dt.date.today())
        _apply(row, clean)
        session.flush()
        return _household(row, _items(session, {row.approval_item_id} if row.approval_item_id else set()))


def get_household(db: Database, actor: Principal, household_id: int) -> Household:
    """One household as stored now (its opening is audited)."""
    require(actor, Permission.PANEL_VIEW)
    with db.session(actor, views_only=True) as session:
        row = get_or_raise(session, AdopterJourney, household_id, "That household's record no longer exists.")
        audit.record_view(session, "journey_adopters", row.id)
        return _household(row, _items(session, {row.approval_item_id} if row.approval_item_id else set()))


def timescales(db: Database, actor: Principal) -> tuple[int, int, int]:
    """The months set for stage 1, stage 2 to the decision, and registration to approval."""
    from adoption_desktop.core.settings_service import get_setting
    from adoption_desktop.journey import settings

    require(actor, Permission.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        return (int(get_setting(session, settings.STAGE1_MONTHS)), int(get_setting(session, settings.STAGE2_MONTHS)),
                int(get_setting(session, settings.APPROVAL_MONTHS)))
