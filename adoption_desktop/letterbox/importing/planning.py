"""Comparing the checked file with the database: what is new, what changes, what is already there.

The whole database side is read in a few bulk queries (every reference; the matched arrangements with
their relatives and protected terms), never one query per row. A reference that matches a stored one only
after normalisation ("ad-0142" against "AD-0142", or one stored with an invisible character) is refused with
both spellings named; a match is an **update** of that arrangement, limited to the mapped columns (a column
that is not imported never blanks a stored value), and it never removes a relative or a term. On an update an
**empty cell** keeps what is stored, for the arrangement's fields and a birth relative's alike (a register with
gaps once erased the adopters' name and address, reported as "1 updated"); the plan counts the stored values
so kept (:attr:`ImportPlan.kept`), for the report to say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, cast

from sqlalchemy import Table as SATable
from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.text_input import reference_key
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.contact import contact_problems
from adoption_desktop.letterbox.importing.fields import CONTACT_KEYS, FIELD_BY_KEY
from adoption_desktop.letterbox.importing.reading import Table
from adoption_desktop.letterbox.importing.validation import (
    Cancelled,
    Group,
    ImportCancelled,
    Problem,
    Progress,
    check_rows,
)
from adoption_desktop.letterbox.models import Arrangement, Participant, ProtectedTerm
from adoption_desktop.letterbox.service import (
    ARRANGEMENT_COLUMNS,
    FIELD_CLEANERS,
    ArrangementInput,
    ParticipantData,
    TermData,
    _default_terms,
    _validate,
    agreement_terms,
    coordinator_accounts_in,
)

_INPUT_FIELDS = frozenset(ArrangementInput.__dataclass_fields__) - {"participants", "protected", "frequency"}
_CHUNK = 2000


@dataclass
class ImportPlan:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    new: list[tuple[int, ArrangementInput]] = field(default_factory=list)  # (first row, data)
    changed: list[tuple[int, int, ArrangementInput]] = field(default_factory=list)  # (first row, id, data)
    unchanged: int = 0
    #: stored values an update keeps because the register's cell for them is empty
    kept: int = 0
    #: every mapped field's column as the report names it ("E (Adopters)"), for a refusal found on writing
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def creates(self) -> int:
        return len(self.new)

    @property
    def updates(self) -> int:
        return len(self.changed)


#: the field a refusal of the arrangement's own checks names (``ValidationError.field``: the form's label or
#: its field's key) -> the register's field, so the report names the column as for any other row problem
_FORM_FIELDS: dict[str, str] = {
    **{label: key for key, (label, _) in FIELD_CLEANERS.items()},
    "Child's date of birth": "child_dob", "Start date": "start_date", "Review date": "review_date",
    "Direct contact began": "direct_started_on", "Direct contact ended": "direct_ended_on",
    "participants": "relative_name", "Protected term": "protected_terms",
}


def problem_column(columns: dict[str, str], form_field: str | None) -> str:
    """The column a refusal of the arrangement's checks is about, as the report names it ("E (Adopters)"): its
    field's mapped column, else the field's heading, else "(whole row)"."""
    name = form_field or ""
    key = name if name in FIELD_BY_KEY else _FORM_FIELDS.get(name)
    if key is None and name.endswith(": relationship"):  # "Birth relative Ann Lee: relationship"
        key = "relationship"
    if key is None:
        return "(whole row)"
    return columns.get(key) or (FIELD_BY_KEY[key].label if key in FIELD_BY_KEY else "(whole row)")


def _checked(plan: ImportPlan, group: Group, data: ArrangementInput, where: str,
             before: ArrangementInput | None = None) -> ArrangementInput | None:
    """``data`` through the arrangement's own checks (the form's and the update's: ``service._validate``), as
    it will be stored; a refusal is the row's problem, naming its column (the check report, a dry run and the
    import itself then agree, and a new row is stored only as the form would store it). ``before``: the
    arrangement as stored, for an update: what it already holds is not judged again (``rules.agreement_problems``)."""
    try:
        return _validate(data, [agreement_terms(before)] if before is not None else [])
    except ValidationError as exc:
        plan.problems.append(Problem(group.first, problem_column(group.columns, exc.field),
                                     f"{group.reference}: {exc}{where}"))
        return None


def _fields(group: Group) -> dict[str, Any]:
    out = {k: v for k, v in group.values.items() if k in _INPUT_FIELDS and k in group.mapped and v is not None}
    if "exchange_months" in out:  # already normalised by the check: "3,9"
        out["frequency"] = len(out["exchange_months"].split(",")) if out["exchange_months"] else 1
    return out


def _empty(value: Any) -> bool:
    """Whether a stored value is nothing to keep (what an empty cell would have written)."""
    return value is None or value == "" or value is False


def _update_fields(group: Group, before: ArrangementInput) -> tuple[dict[str, Any], int]:
    """The mapped fields an update writes, leaving out those whose cell is empty (the stored value is kept),
    and how many stored values that keeps."""
    out = _fields(group)
    kept = 0
    for key in group.blank & _INPUT_FIELDS:
        out.pop(key, None)
        if key == "exchange_months":
            out.pop("frequency", None)
        if not _empty(getattr(before, key)):
            kept += 1
    return out, kept


def _update_participants(group: Group, parts: list[Any]) -> tuple[tuple[ParticipantData, ...], int]:
    """The register's birth relatives for an update: a relative already stored (by name) keeps the stored
    relationship and address where the row's cell is empty, and always the salutation (never imported)."""
    by_name = {p.name.strip().casefold(): p for p in parts}
    out: list[ParticipantData] = []
    kept = 0
    for p in group.participants:
        row = by_name.get(p.name.strip().casefold())
        if row is None:
            out.append(p)
            continue
        blank = group.blank_parts.get(p.name.casefold(), frozenset())
        relationship, address = p.relationship, p.address
        if "relationship" in blank:
            relationship = row.relationship
            kept += not _empty(row.relationship)
        if "relative_address" in blank:
            address = row.address
            kept += not _empty(row.address)
        out.append(replace(p, relationship=relationship, address=address, salutation=row.salutation))
    return tuple(out), kept


def _new_input(group: Group) -> ArrangementInput:
    return ArrangementInput(**{**_fields(group), "participants": tuple(group.participants),
                               "protected": tuple(group.terms)})


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def _current(session: Session, ids: list[int]) -> tuple[dict[int, Any], dict[int, list[Any]], dict[int, list[Any]]]:
    """The matched arrangements with all their relatives and terms, as plain rows (Core, no ORM objects)."""
    arrangements: dict[int, Any] = {}
    parts: dict[int, list[Any]] = {}
    terms: dict[int, list[Any]] = {}
    ta, tp, tt = (cast(SATable, m.__table__) for m in (Arrangement, Participant, ProtectedTerm))
    for chunk in _chunks(ids):
        arrangements.update((a.id, a) for a in session.execute(select(ta).where(ta.c.id.in_(chunk))))
        for p in session.execute(select(tp).where(tp.c.arrangement_id.in_(chunk)).order_by(tp.c.id)):
            parts.setdefault(p.arrangement_id, []).append(p)
        for t in session.execute(select(tt).where(tt.c.arrangement_id.in_(chunk)).order_by(tt.c.id)):
            terms.setdefault(t.arrangement_id, []).append(t)
    return arrangements, parts, terms


def _input_of(a: Any, parts: list[Any], terms: list[Any]) -> ArrangementInput:
    """The stored arrangement as input: an update changes only the mapped columns, so every other field
    comes from the row as stored, never from the dataclass's defaults."""
    return ArrangementInput(
        **{f: getattr(a, f) for f in ARRANGEMENT_COLUMNS},
        participants=tuple(ParticipantData(p.name, p.relationship, p.address, p.id) for p in parts if p.active),
        protected=tuple(TermData(t.term, t.category, t.side) for t in terms))


def _changes_anything(before: ArrangementInput, data: ArrangementInput, parts: list[Any], terms: list[Any]) -> bool:
    if any(getattr(before, k) != getattr(data, k) for k in ArrangementInput.__dataclass_fields__
           if k not in ("participants", "protected")):
        return True
    by_name = {p.name.casefold(): p for p in parts}
    for p in data.participants:
        row = by_name.get(p.name.strip().casefold())
        if row is None or not row.active or row.relationship != p.relationship or row.address != p.address:
            return True
    have = {(t.term.casefold(), t.side) for t in terms}
    return any(t.term.strip() and (t.term.strip().casefold(), t.side) not in have
               for t in (*data.protected, *_default_terms(data)))


def _contact_refused(plan: ImportPlan, group: Group, data: ArrangementInput, where: str) -> bool:
    """The arrangement as it would be saved must not start before the child's birth, and where the register
    gives the kind of contact (or its form or dates), be consistent (``letterbox.contact.contact_problems``,
    the form's rules): the first problem is reported against the row, naming the column."""
    before_birth = rules.start_before_birth(data.child_dob, data.start_date)
    if before_birth:
        column = group.columns.get("start_date") or FIELD_BY_KEY["start_date"].label
        plan.problems.append(Problem(group.first, column, f"{group.reference}: {before_birth}{where}"))
        return True
    if not any(k in group.mapped for k in CONTACT_KEYS):
        return False
    for key, message in contact_problems(data.contact_kind, data.direct_form, data.direct_started_on,
                                         data.direct_ended_on, data.start_date):
        column = group.columns.get(key) or (FIELD_BY_KEY[key].label if key in FIELD_BY_KEY else key)
        plan.problems.append(Problem(group.first, column, f"{group.reference}: {message}{where}"))
        return True
    return False


def _coordinator_refused(plan: ImportPlan, group: Group, accounts: dict[str, str], stored: str = "") -> bool:
    """The register's coordinator must name a letterbox coordinator's account, by login or full name (stored
    as the login), as the form's is (:func:`rules.coordinator_login`); on an update, the value already stored
    for the arrangement is kept as it is."""
    given = group.values.get("coordinator")
    if "coordinator" not in group.mapped or not given or given == stored:
        return False
    try:
        group.values["coordinator"] = rules.coordinator_login(given, accounts)
    except ValidationError as exc:
        column = group.columns.get("coordinator") or FIELD_BY_KEY["coordinator"].label
        plan.problems.append(Problem(group.first, column, f"{group.reference}: {exc}"))
        return True
    return False


def compare(session: Session, groups: list[Group], plan: ImportPlan, *, progress: Progress | None = None,
            cancelled: Cancelled | None = None) -> None:
    """Fill ``plan`` with what is new, changed and unchanged (and the problems matching stored references)."""
    accounts = coordinator_accounts_in(session) if any(
        "coordinator" in g.mapped and g.values.get("coordinator") for g in groups) else {}
    stored: dict[str, list[tuple[int, str]]] = {}
    if groups:
        for aid, ref in session.execute(select(Arrangement.id, Arrangement.reference)):
            stored.setdefault(reference_key(ref), []).append((aid, ref))
    matched: list[tuple[Group, int]] = []
    for group in groups:
        plan.columns = plan.columns or dict(group.columns)
        found = stored.get(reference_key(group.reference), [])
        if not found:
            if _coordinator_refused(plan, group, accounts):
                continue
            data = _new_input(group)
            if _contact_refused(plan, group, data, ""):
                continue
            checked = _checked(plan, group, data, "")
            if checked is not None:
                plan.new.append((group.first, checked))
        elif len(found) > 1:
            names = ", ".join(repr(r) for _, r in found)
            plan.problems.append(Problem(group.first, group.reference_column, f"Reference: {group.reference!r} matches "
                                         f"{len(found)} arrangements already stored ({names}) once case, width and "
                                         "spacing are set aside; correct those references first."))
        elif found[0][1] != group.reference:
            plan.problems.append(Problem(group.first, group.reference_column, f"Reference: {group.reference!r} is already "
                                         f"stored as {found[0][1]!r} (the same once case, width, spacing and "
                                         "invisible characters are set aside); write it exactly as stored to "
                                         "update that arrangement."))
        else:
            matched.append((group, found[0][0]))
    if not matched:
        return
    if cancelled and cancelled():
        raise ImportCancelled()
    if progress:
        progress(0, len(matched), f"Comparing {plural(len(matched), 'arrangement')} with the database")
    arrangements, parts, terms = _current(session, [aid for _, aid in matched])
    for group, aid in matched:
        a = arrangements[aid]
        before = _input_of(a, parts.get(aid, []), terms.get(aid, []))
        if _coordinator_refused(plan, group, accounts, before.coordinator):
            continue
        fields, kept = _update_fields(group, before)
        participants, kept_parts = _update_participants(group, parts.get(aid, []))
        data = replace(before, **fields, participants=participants, protected=tuple(group.terms))
        if _contact_refused(plan, group, data, " (with what is stored for it)"):
            continue
        plan.kept += kept + kept_parts
        if not _changes_anything(before, data, parts.get(aid, []), terms.get(aid, [])):
            plan.unchanged += 1
        elif _checked(plan, group, data, " (with what is stored for it)", before) is not None:  # as the save will check it
            plan.changed.append((group.first, aid, data))


def plan_import(session: Session, table: Table, mapping: dict[str, int], *, today: dt.date | None = None,
                progress: Progress | None = None, cancelled: Cancelled | None = None) -> ImportPlan:
    """Check every row, then compare with the database: the whole report, nothing written."""
    groups, problems, warnings = check_rows(table, mapping, today=today, progress=progress, cancelled=cancelled)
    plan = ImportPlan(problems, warnings)
    compare(session, groups, plan, progress=progress, cancelled=cancelled)
    plan.problems.sort(key=lambda p: p.row)
    return plan
