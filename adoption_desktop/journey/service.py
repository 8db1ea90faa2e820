"""Use cases of the child's journey: the children on an ADM plan-for-adoption decision or a panel match
item (add, link an existing child, edit, list), and an adopter household's assessment stages.

One child is one row whatever items it appears on (``reference_key`` unique): the child recorded on the plan
decision is linked, not copied, when the match comes to panel, so measures count children, not items.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from adoption_desktop.core.concurrency import check_version
from adoption_desktop.core.errors import NotFound, ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import (
    check_date,
    check_not_future,
    clean_name,
    clean_reference,
    clean_text,
    reference_key,
)
from adoption_desktop.journey import rules
from adoption_desktop.journey.models import AdopterJourney, JourneyChild


@dataclass(frozen=True)
class ChildInput(rules.ChildDates):
    """What a person enters for one child (dates may be left empty until they happen): the reference, sibling
    group and journey dates the measures use (:class:`~adoption_desktop.journey.rules.ChildDates`, where
    those fields are declared once), and the rest of the child's record."""

    date_of_birth: dt.date | None = None
    sex: str = ""
    ethnicity: str = ""
    disability: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ChildView(ChildInput):
    id: int = 0
    row_version: int = 1
    plan_decision_id: int | None = None
    match_item_id: int | None = None
    match_decision_id: int | None = None


INPUT_FIELDS = tuple(f.name for f in fields(ChildInput))


class PlanDateDiffers(ValidationError):
    """The child's plan date differs from the date of the signed plan-for-adoption decision it is linked to
    (``rules.plan_date_problem``): a warning, not a refusal. The caller asks whether to use the decision's
    date (``decision_date``) or to save anyway (``plan_date_anyway=True``). Field key
    ``rules.PLAN_DATE_DIFFERS``."""

    def __init__(self, message: str, decision_date: dt.date, typed: dt.date) -> None:
        super().__init__(message, rules.PLAN_DATE_DIFFERS)
        self.decision_date, self.typed = decision_date, typed


def child_values(data: ChildInput) -> dict[str, str]:
    """A child's fields as the conflict window shows them, the editor's version and the stored one alike
    (the window compares these texts to tell the person's own changes from a colleague's): the editor's
    labels in its order, dates as dd/mm/yyyy, choices in words."""
    def day(name: str) -> str:
        value = getattr(data, name)
        return f"{value:%d/%m/%Y}" if value else ""

    return {"Reference": data.reference.strip(), "Initials": data.initials.strip(),
            "Date of birth": day("date_of_birth"), "Sex": rules.SEXES.get(data.sex, data.sex),
            "Ethnicity": data.ethnicity.strip(), "Disability": data.disability.strip(),
            "Sibling group": data.sibling_group.strip(),
            **{label: day(name) for name, label in rules.JOURNEY_ORDER[1:]},
            "Early permanence": rules.EARLY_PERMANENCE.get(data.early_permanence, data.early_permanence),
            rules.LABELS["early_permanence_placed_on"]: day("early_permanence_placed_on"),
            "Adopted by their foster carers": "Yes" if data.foster_carer_adoption else "No",
            rules.LABELS["foster_carer_placed_on"]: day("foster_carer_placed_on"),
            rules.LABELS["disrupted_on"]: day("disrupted_on"), "Notes": data.notes.strip()}


def input_of(child: ChildView) -> ChildInput:
    """A stored child as the editor gives it (what a re-applied change goes on top of)."""
    return ChildInput(**{f: getattr(child, f) for f in INPUT_FIELDS})


def _view(c: JourneyChild) -> ChildView:
    return ChildView(**{f: getattr(c, f) for f in INPUT_FIELDS}, id=c.id, row_version=c.row_version,
                     plan_decision_id=c.plan_decision_id, match_item_id=c.match_item_id,
                     match_decision_id=c.match_decision_id)


def as_field(clean: Callable[..., str], value: str, label: str, key: str, **options: object) -> str:
    """``clean(value, label, **options)``, its refusal keyed by the form's field ``key`` (the core cleaners key it
    by the label, which no field of the editors is named by: the message showed, but the cursor stayed put)."""
    try:
        return clean(value, label, **options)
    except ValidationError as error:
        error.field = key
        raise


def validate(data: ChildInput, today: dt.date | None = None) -> ChildInput:
    """``data`` cleaned (text sanitised, dates within range and in order) or a ValidationError naming the
    first field at fault (keyed by the :class:`ChildInput` field, as the editor's fields are) and the fix."""
    values = {
        "reference": as_field(clean_reference, data.reference, "Child's reference", "reference", required=True),
        "initials": as_field(clean_name, data.initials, "Initials", "initials", max_length=20),
        "sex": data.sex,
        "ethnicity": as_field(clean_text, data.ethnicity, "Ethnicity", "ethnicity", max_length=60),
        "disability": as_field(clean_text, data.disability, "Disability", "disability", max_length=120),
        "sibling_group": as_field(clean_reference, data.sibling_group, "Sibling group", "sibling_group"),
        "early_permanence": data.early_permanence,
        "foster_carer_adoption": bool(data.foster_carer_adoption),
        "notes": as_field(clean_text, data.notes, "Notes", "notes", multiline=True, max_length=4000),
    }
    if data.sex not in rules.SEXES:
        raise ValidationError(f"Sex: choose one of {', '.join(v for v in rules.SEXES.values())}.", "sex")
    if data.early_permanence not in rules.EARLY_PERMANENCE:
        raise ValidationError("Early permanence: choose none, fostering for adoption or concurrent planning.",
                              "early_permanence")
    for field in rules.DATE_FIELDS:
        if field == "date_of_birth":
            day = check_date(getattr(data, field), rules.LABELS[field], "birth", today=today)
        else:
            day = check_not_future(getattr(data, field), rules.LABELS[field], field, today=today, required=False)
        values[field] = day
    problems = rules.journey_problems({f: values[f] for f in rules.DATE_FIELDS},  # type: ignore[misc]
                                      early_permanence=str(values["early_permanence"]),
                                      foster_carer_adoption=bool(values["foster_carer_adoption"]))
    if problems:
        field, message = problems[0]
        raise ValidationError(message, field)
    return ChildInput(**values)  # type: ignore[arg-type]


def _require_for(actor: Principal, decision_id: int | None, item_id: int | None) -> None:
    require(actor, Permission.ADM_EDIT if decision_id is not None else Permission.PANEL_EDIT)
    if (decision_id is None) == (item_id is None):
        raise ValidationError("Child: record the child on one ADM plan decision or one panel match item.", "item")


#: the column of ``journey_children`` that links a child to a decision of each type that has children: a match
#: decision has its own, so that linking the child from it leaves the child on its plan decision
DECISION_LINKS = {"plan_for_adoption": "plan_decision_id", "relinquished": "plan_decision_id",
                  "match": "match_decision_id"}


@dataclass(frozen=True)
class DecisionLink:
    """Where a child on ADM decision ``root`` (any version of it) is linked: ``column`` of ``journey_children``."""

    root: int
    column: str
    name: str  # how a message names the decision: "match decision 14 for CH-1"


def decision_link(session: Session, decision_id: int) -> DecisionLink:
    """The link of the children of decision ``decision_id`` (a correction is the same decision: its root), or
    NotFound / a ValidationError for a decision of a type that has no children."""
    from adoption_desktop.adm import rules as adm_rules
    from adoption_desktop.adm.models import AdmDecision

    d = session.get(AdmDecision, decision_id)
    if d is None:
        raise NotFound("That ADM decision no longer exists.")
    column = DECISION_LINKS.get(d.decision_type)
    if column is None:
        raise ValidationError(f"Children: a {adm_rules.type_label(d.decision_type).lower()} decision has no "
                              "children; record them on the child's plan for adoption.", "decision")
    root = d.root_id or d.id
    kind = "match decision" if column == "match_decision_id" else "plan decision"
    return DecisionLink(root, column, f"{kind} {root} for {d.subject_reference}")


class AlreadyLinked(ValidationError):
    """The child is already linked to another decision of the kind it is being linked to (a colleague linked it
    a moment ago, or it belongs to another decision): nothing was linked. The caller asks whether to move it
    (``link_child(..., relink=True)``). Field key ``reference``."""

    def __init__(self, message: str, linked_to: int, *, on_item: bool = False) -> None:
        super().__init__(message, "reference")
        self.linked_to = linked_to  # the decision's root, or the panel item's id (``on_item``), the child is on
        self.on_item = on_item


def _check_not_linked_elsewhere(session: Session, child: JourneyChild, link: DecisionLink) -> None:
    """Raise AlreadyLinked when ``child`` is linked to another decision in ``link``'s column (read under the
    child's row lock, so of two people linking it at once the second sees the first's link)."""
    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.core.concurrency import last_saved, when_text

    current = getattr(child, link.column)
    if current is None or current == link.root:
        return
    other = session.get(AdmDecision, current)
    kind = "match decision" if link.column == "match_decision_id" else "plan decision"
    named = f"{kind} {current}" + (f" for {other.subject_reference}" if other is not None else "")
    who, at = last_saved(session, child)
    raise AlreadyLinked(f"Child's reference: {child.reference} is already linked to {named} (last saved by {who} "
                        f"at {when_text(at)}); nothing was linked. Move the child to this decision only if the "
                        "other link is wrong.", current)


def _earlier_hearing(session: Session, current_id: int, item_id: int) -> bool:
    """True when panel item ``current_id`` is an earlier hearing of the case of item ``item_id``: an item it was
    deferred from (any number of deferrals back), or an item of the same case reference at an earlier sitting.
    A match heard again at panel is the normal flow: the child goes on to the later hearing without a question.
    An item that no longer exists counts as one (the link named nothing)."""
    from adoption_desktop.panel.models import PanelItem, PanelSitting

    def item(i: int) -> tuple[PanelItem, dt.date] | None:
        row = session.execute(select(PanelItem, PanelSitting.sitting_date)
                              .join(PanelSitting, PanelSitting.id == PanelItem.sitting_id)
                              .where(PanelItem.id == i)).first()
        return (row[0], row[1]) if row is not None else None

    current, this = item(current_id), item(item_id)
    if current is None or this is None:
        return current is None
    seen, back = {item_id}, this[0].deferred_from_id
    while back is not None and back not in seen:  # the deferrals that led to this item
        if back == current_id:
            return True
        seen.add(back)
        earlier = session.get(PanelItem, back)
        back = earlier.deferred_from_id if earlier is not None else None
    case = reference_key(this[0].subject_reference or "")
    return bool(case) and reference_key(current[0].subject_reference or "") == case and current[1] < this[1]


def _check_not_on_another_item(session: Session, child: JourneyChild, item_id: int) -> None:
    """Raise AlreadyLinked (``on_item``) when ``child`` is on another panel item that is not an earlier hearing of
    this item's case (:func:`_earlier_hearing`): another case's match, or a later hearing of this one (a colleague
    may have linked it there a moment ago; read under the child's row lock)."""
    from adoption_desktop.core.concurrency import last_saved, when_text
    from adoption_desktop.panel.models import PanelItem, PanelSitting

    current = child.match_item_id
    if current is None or current == item_id or _earlier_hearing(session, current, item_id):
        return
    row = session.execute(select(PanelItem.position, PanelItem.subject_reference, PanelSitting.sitting_date)
                          .join(PanelSitting, PanelSitting.id == PanelItem.sitting_id)
                          .where(PanelItem.id == current)).one()
    who, at = last_saved(session, child)
    raise AlreadyLinked(f"Child's reference: {child.reference} is already linked to item {row.position} "
                        f"({row.subject_reference or 'no case number'}) of the panel sitting of "
                        f"{row.sitting_date:%d/%m/%Y} (last saved by {who} at {when_text(at)}); nothing was "
                        "linked. Move the child to this item only if the other link is wrong.", current,
                        on_item=True)


def _plan_agreed(session: Session, root_id: int) -> tuple[dt.date | None, str]:
    """The day the decision ``root_id`` (any of its versions) agreed that adoption is the plan
    (``rules.plan_agreed_on``: None unless a signed plan-for-adoption decision agrees it), and how a message
    names the decision."""
    from adoption_desktop.adm.models import AdmDecision

    versions = list(session.scalars(select(AdmDecision).where(
        or_(AdmDecision.id == root_id, AdmDecision.root_id == root_id)).order_by(AdmDecision.version)))
    if not versions:
        return None, ""
    day = rules.plan_agreed_on(versions[0].decision_type, [
        rules.DecisionVersion(v.version, v.signed_at is not None, v.outcome, v.decided_on) for v in versions])
    return day, f"decision {root_id} for {versions[0].subject_reference}"


def _check_plan_date(session: Session, plan_decided_on: dt.date | None, root_id: int | None,
                     anyway: bool) -> None:
    """Raise PlanDateDiffers when ``plan_decided_on`` differs from the day the linked decision agreed the plan,
    unless the person confirmed saving anyway."""
    if anyway or root_id is None or plan_decided_on is None:
        return
    agreed, name = _plan_agreed(session, root_id)
    problem = rules.plan_date_problem(plan_decided_on, agreed, name)
    if problem is not None:
        assert agreed is not None
        raise PlanDateDiffers(problem, agreed, plan_decided_on)


def _journey_dates(child: JourneyChild, **changed: dt.date | None) -> dict[str, dt.date | None]:
    return {f: getattr(child, f) for f in rules.DATE_FIELDS} | changed


def _check_item(session: Session, item_id: int) -> None:
    """The item a child is being recorded on exists and takes children. Read with a share lock held to the end
    of the caller's transaction (PostgreSQL ``FOR SHARE``; SQLite's writers take turns anyway): an item removal
    or a deferral undo deleting it at this moment waits for this link and then sees it (and is refused), or
    deleted it first and this finds no item. Read without the lock, the link could name an item deleted a
    moment later."""
    from adoption_desktop.panel.models import PanelItem

    item = session.scalar(select(PanelItem).where(PanelItem.id == item_id).with_for_update(read=True)
                          .execution_options(populate_existing=True))
    if item is None:
        raise NotFound("That panel item no longer exists.")
    if item.case_type not in ("match", "relinquished", "early_permanence"):
        raise ValidationError("Children: only a match, relinquished-child or early permanence item has "
                              "children.", "item")


def _match_recommended(session: Session, item_id: int) -> dt.date | None:
    """The sitting's date when the newest minutes of panel item ``item_id`` record "match recommended", else
    None: the day the panel recommended the match, which a child on the item takes when none is recorded."""
    from adoption_desktop.panel.models import PanelItem, PanelMinutes, PanelSitting

    row = session.execute(select(PanelSitting.sitting_date, PanelMinutes.outcome)
                          .join(PanelItem, PanelItem.sitting_id == PanelSitting.id)
                          .join(PanelMinutes, PanelMinutes.item_id == PanelItem.id)
                          .where(PanelItem.id == item_id).order_by(PanelMinutes.version.desc())
                          .limit(1)).first()
    return row.sitting_date if row is not None and row.outcome == "match_recommended" else None


def _with_known_dates(db: Database, actor: Principal, data: ChildInput, decision_id: int | None,
                      item_id: int | None) -> ChildInput:
    with db.session(actor, write=False) as session:
        if decision_id is not None and data.plan_decided_on is None:
            # a correction is the same decision: the plan was agreed on its first signed version's date
            day, _name = _plan_agreed(session, decision_link(session, decision_id).root)
            if day is not None:
                return dataclasses.replace(data, plan_decided_on=day)
        if item_id is not None and data.match_recommended_on is None:
            recommended = _match_recommended(session, item_id)
            if recommended is not None:
                return dataclasses.replace(data, match_recommended_on=recommended)
    return data


@dataclass(frozen=True)
class PanelItemLinks:
    """The journey records that name one panel agenda item. They hold its id as a plain number (no foreign key),
    so the panel asks here before it deletes an item: a deleted item would leave them pointing at nothing."""

    children: tuple[str, ...] = ()  # references of the children recorded on it as a match item
    households: tuple[str, ...] = ()  # adopter households whose panel approval item it is

    def __bool__(self) -> bool:
        return bool(self.children or self.households)


def panel_item_links(session: Session, item_id: int) -> PanelItemLinks:
    """What links to panel item ``item_id``, read in the caller's transaction (the panel's use case, which has
    checked its own permission)."""
    children = session.scalars(select(JourneyChild.reference).where(JourneyChild.match_item_id == item_id)
                               .order_by(JourneyChild.reference))
    households = session.scalars(select(AdopterJourney.reference).where(AdopterJourney.approval_item_id == item_id)
                                 .order_by(AdopterJourney.reference))
    return PanelItemLinks(tuple(children), tuple(households))


def list_children(db: Database, actor: Principal, *, decision_id: int | None = None,
                  item_id: int | None = None) -> list[ChildView]:
    """The children on a decision (any version of it: a plan decision's, or a match decision's, each by its own
    link) or a panel item, sibling groups together."""
    if decision_id is not None:
        require(actor, Permission.ADM_VIEW)
    else:
        require(actor, Permission.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        if decision_id is not None:
            link = decision_link(session, decision_id)
            cond = getattr(JourneyChild, link.column) == link.root
        else:
            cond = JourneyChild.match_item_id == item_id
        rows = session.scalars(select(JourneyChild).where(cond)
                               .order_by(JourneyChild.sibling_group, JourneyChild.reference))
        return [_view(c) for c in rows]


def add_child(db: Database, actor: Principal, data: ChildInput, *, decision_id: int | None = None,
              item_id: int | None = None, today: dt.date | None = None, plan_date_anyway: bool = False) -> ChildView:
    """Record a new child on a decision or an item. On a signed plan decision the date of the decision that
    adoption is the plan defaults to the decision's date, and a different date typed raises PlanDateDiffers
    unless ``plan_date_anyway`` (the person confirmed it); on a match item the match recommendation defaults
    to the sitting's date once the minutes record "match recommended"."""
    _require_for(actor, decision_id, item_id)
    data = _with_known_dates(db, actor, data, decision_id, item_id)
    clean = validate(data, today)
    with db.session(actor) as session:
        key = reference_key(clean.reference)
        if session.scalar(select(JourneyChild.id).where(JourneyChild.reference_key == key)) is not None:
            raise ValidationError(f"Child's reference: {clean.reference} is already recorded; use \"Link "
                                  "existing child\" to add that child here.", "reference")
        child = JourneyChild(**{f: getattr(clean, f) for f in INPUT_FIELDS}, reference_key=key)
        if decision_id is not None:
            link = decision_link(session, decision_id)
            setattr(child, link.column, link.root)
            _check_plan_date(session, clean.plan_decided_on, child.plan_decision_id, plan_date_anyway)
        else:
            assert item_id is not None
            _check_item(session, item_id)
            child.match_item_id = item_id
        session.add(child)
        session.flush()
        return _view(child)


def link_child(db: Database, actor: Principal, reference: str, *, decision_id: int | None = None,
               item_id: int | None = None, plan_date_anyway: bool = False,
               use_decision_date: bool = False, relink: bool = False,
               moving_from: int | None = None) -> ChildView:
    """Put a child already recorded (e.g. on the plan decision) on this decision or match item. A match decision
    has its own link: the child stays on its plan decision. A child already linked to another decision of the
    same kind raises AlreadyLinked (nothing linked; a colleague may have linked it a moment ago) unless
    ``relink`` (the person confirmed moving it here). So does a child on another panel item, unless that item is
    an earlier hearing of this item's case (deferred to this one, or the same case at an earlier sitting): a match
    heard again is moved on without a question. ``moving_from`` (with ``relink``): the link the person agreed to
    move the child off (``AlreadyLinked.linked_to``); a child on another one by now (a colleague moved it after
    the question) is asked about again. The child's row is locked while this is checked.

    Linked to a signed plan-for-adoption decision that agrees the plan, a child with no plan date takes the
    decision's date (when it is in order with the child's other dates); a child whose plan date differs raises
    PlanDateDiffers unless ``use_decision_date`` (the child's plan date becomes the decision's) or
    ``plan_date_anyway`` (the person confirmed the plan was agreed on another day). Linked to a match item whose
    minutes record "match recommended", a child with no match recommendation date takes the sitting's, as a child
    added there does (when it is in order with the child's other dates and not ahead of today)."""
    _require_for(actor, decision_id, item_id)
    ref = clean_reference(reference, "Child's reference", required=True)
    with db.session(actor) as session:
        child = session.scalar(select(JourneyChild).where(JourneyChild.reference_key == reference_key(ref)))
        if child is None:
            raise ValidationError(f"Child's reference: no child {ref} is recorded; add the child instead.",
                                  "reference")
        check_version(session, child, None, "child's record")  # locked: a link made a moment ago is seen
        if decision_id is not None:
            link = decision_link(session, decision_id)
            if not relink or (moving_from is not None and getattr(child, link.column) != moving_from):
                _check_not_linked_elsewhere(session, child, link)
            if link.column == "match_decision_id":
                setattr(child, link.column, link.root)
                session.flush()
                return _view(child)
            root = link.root
            agreed, _name = _plan_agreed(session, root)
            if agreed is not None and agreed != child.plan_decided_on and (
                    child.plan_decided_on is None or use_decision_date):
                problems = rules.journey_problems(
                    _journey_dates(child, plan_decided_on=agreed), early_permanence=child.early_permanence,
                    foster_carer_adoption=child.foster_carer_adoption)
                if not problems:
                    child.plan_decided_on = agreed
                elif use_decision_date:
                    raise ValidationError(f"{problems[0][1]} Nothing was linked: edit the child's dates, then "
                                          "link the child again.", problems[0][0])
            _check_plan_date(session, child.plan_decided_on, root, plan_date_anyway)
            child.plan_decision_id = root
        else:
            assert item_id is not None
            _check_item(session, item_id)
            if not relink or (moving_from is not None and child.match_item_id != moving_from):
                _check_not_on_another_item(session, child, item_id)
            child.match_item_id = item_id
            recommended = _match_recommended(session, item_id) if child.match_recommended_on is None else None
            # the child recorded on the plan decision is linked, not added, at panel (the documented way): it
            # takes the recommendation date an added child takes, or it was left out of the plan-to-panel measure
            if recommended is not None and recommended <= dt.date.today() and not rules.journey_problems(
                    _journey_dates(child, match_recommended_on=recommended), early_permanence=child.early_permanence,
                    foster_carer_adoption=child.foster_carer_adoption):
                child.match_recommended_on = recommended
        session.flush()
        return _view(child)


def update_child(db: Database, actor: Principal, child_id: int, data: ChildInput, *, expected_version: int,
                 today: dt.date | None = None, plan_date_anyway: bool = False) -> ChildView:
    """Save a child's details and journey dates; a stale save raises StaleRecord. A plan date that differs
    from the date of the signed plan-for-adoption decision the child is linked to raises PlanDateDiffers
    unless ``plan_date_anyway`` (the person confirmed it), or unless it is the date already saved (confirmed
    then: a later edit of another field does not ask again)."""
    if not (actor.can(Permission.ADM_EDIT) or actor.can(Permission.PANEL_EDIT)):
        require(actor, Permission.PANEL_EDIT)
    clean = validate(data, today)
    with db.session(actor) as session:
        child = session.get(JourneyChild, child_id)
        if child is None:
            raise NotFound("That child's record no longer exists.")
        check_version(session, child, expected_version, "child's record", lambda c: child_values(_view(c)))
        key = reference_key(clean.reference)
        if key != child.reference_key and session.scalar(
                select(JourneyChild.id).where(JourneyChild.reference_key == key)) is not None:
            raise ValidationError(f"Child's reference: {clean.reference} belongs to another child.", "reference")
        # asked when the date is typed, not again at every later edit of the record (journey trial: "Save
        # anyway" was asked at each save of an unrelated field)
        _check_plan_date(session, clean.plan_decided_on, child.plan_decision_id,
                         plan_date_anyway or clean.plan_decided_on == child.plan_decided_on)
        for f in INPUT_FIELDS:
            setattr(child, f, getattr(clean, f))
        child.reference_key = key
        session.flush()
        return _view(child)


def find_children(db: Database, actor: Principal, text: str) -> list[ChildView]:
    """Children whose reference or sibling group contains ``text`` (for "Link existing child")."""
    if not (actor.can(Permission.ADM_VIEW) or actor.can(Permission.PANEL_VIEW)):
        require(actor, Permission.PANEL_VIEW)
    needle = f"%{reference_key(text)}%"
    with db.session(actor, write=False) as session:
        rows = session.scalars(select(JourneyChild).where(or_(
            JourneyChild.reference_key.like(needle), JourneyChild.sibling_group.like(f"%{text.strip()}%")))
            .order_by(JourneyChild.reference).limit(50))
        return [_view(c) for c in rows]


@dataclass(frozen=True)
class AdopterStages:
    reference: str
    registered_on: dt.date | None = None
    stage1_completed_on: dt.date | None = None
    stage2_started_on: dt.date | None = None
    panel_on: dt.date | None = None
    approved_on: dt.date | None = None
    approval_item_id: int | None = None


def adopter_problems(s: AdopterStages) -> list[tuple[str, str]]:
    """The order of an adopter household's stages (pure): registration, stage 1 ends, stage 2 starts,
    panel, ADM approval."""
    order = (("registered_on", "Registration (stage 1 starts)"), ("stage1_completed_on", "Stage 1 completed"),
             ("stage2_started_on", "Stage 2 started"), ("panel_on", "Panel"), ("approved_on", "Approved by the ADM"))
    problems: list[tuple[str, str]] = []
    seen: list[tuple[str, dt.date]] = []
    for field, label in order:
        day = getattr(s, field)
        if day is None:
            continue
        later = [(lbl, d) for lbl, d in seen if d > day]
        if later:
            lbl, d = later[-1]
            problems.append((field, f"{label}: {day:%d/%m/%Y} is before {lbl.lower()} ({d:%d/%m/%Y})."))
        seen.append((label, day))
    return problems


def record_adopter_stages(db: Database, actor: Principal, data: AdopterStages,
                          today: dt.date | None = None) -> None:
    """Create or replace a household's assessment dates (keyed by the household reference); the approval item
    and panel date are checked as ``adopters.update_household`` checks them."""
    require(actor, Permission.PANEL_EDIT)
    ref = clean_reference(data.reference, "Household reference", required=True)
    for f in ("registered_on", "stage1_completed_on", "stage2_started_on", "panel_on", "approved_on"):
        check_date(getattr(data, f), f.replace("_", " ").capitalize(), today=today)
    problems = adopter_problems(data)
    if problems:
        raise ValidationError(problems[0][1], problems[0][0])
    from adoption_desktop.journey import adopters  # imports this module

    with db.session(actor) as session:
        key = reference_key(ref)
        row = session.scalar(select(AdopterJourney).where(AdopterJourney.reference_key == key))
        # as the screen's save: the item is one household's, the panel date its sitting's
        data = adopters.with_panel_date_from_sitting(
            data, adopters.check_approval_item(session, data.approval_item_id, row.id if row is not None else None),
            today or dt.date.today())
        if row is None:
            row = AdopterJourney(reference=ref, reference_key=key)
            session.add(row)
        for f in ("registered_on", "stage1_completed_on", "stage2_started_on", "panel_on", "approved_on",
                  "approval_item_id"):
            setattr(row, f, getattr(data, f))
        session.flush()
