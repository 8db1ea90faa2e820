"""Letterbox use cases: one transaction each, permission checked first, every step audited.

Services return frozen dataclasses, never ORM objects. Registers are read in pages straight from SQL
(with the full-text index from :mod:`adoption_desktop.core.storage.search`), never as 100,000 objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias

from sqlalchemy import BindParameter, Connection, Integer, Select, bindparam, func, select, update
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import check_version, last_saved, lock_row, stale, when_text
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.base import get_or_raise, utcnow
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.interrupt import Interrupt
from adoption_desktop.core.text_input import (
    check_date,
    clean_name,
    clean_reference,
    clean_text,
    reference_key,
)
from adoption_desktop.letterbox import contact, rules
from adoption_desktop.letterbox.models import (
    Arrangement,
    Finding,
    Item,
    ItemEvent,
    LetterSent,
    Participant,
    ProtectedTerm,
)
from adoption_desktop.letterbox.screening import screen_text
from adoption_desktop.letterbox.settings import (
    CHASER_AFTER_DAYS,
    DUE_SOON_DAYS,
    INACTIVE_AFTER_MONTHS,
    REMINDER_DAYS_BEFORE,
    SECOND_CHECKER,
)

ITEMS_INDEX = search.SearchIndex("letterbox_items")
ARRANGEMENTS_INDEX = search.SearchIndex("letterbox_arrangements")
P = Permission
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"


# --- plain data ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParticipantData:
    name: str
    relationship: str = ""
    address: str = ""  # "" = no current address: items are held on file
    id: int | None = None
    salutation: str = ""  # how they wish to be addressed; "" = from the name (core.salutation)


@dataclass(frozen=True)
class TermData:
    term: str
    category: str = "other"
    side: str = rules.ADOPTIVE


@dataclass(frozen=True)
class ArrangementInput:
    reference: str
    child_birth_name: str = ""
    child_adoptive_name: str = ""
    child_dob: dt.date | None = None
    adopters_name: str = ""
    adopters_address: str = ""
    may_send: str = "letters, cards, photos, drawings"
    frequency: int = 1
    exchange_months: str = ""
    first_writer: str = rules.ADOPTIVE
    replies_expected: bool = True
    email_allowed: bool = False
    start_date: dt.date | None = None
    review_date: dt.date | None = None
    status: str = "active"
    coordinator: str = ""
    notes: str = ""
    participants: tuple[ParticipantData, ...] = ()
    protected: tuple[TermData, ...] = ()
    adopters_salutation: str = ""  # how the adopters wish to be addressed; "" = from adopters_name
    contact_kind: str = "letterbox"  # letterbox.contact.CONTACT_KINDS
    direct_form: str = ""  # letterbox.contact.DIRECT_FORMS
    direct_started_on: dt.date | None = None
    direct_ended_on: dt.date | None = None


@dataclass(frozen=True)
class ArrangementRow:
    id: int
    reference: str
    child_birth_name: str
    child_adoptive_name: str
    exchange_months: str
    status: str
    coordinator: str
    last_exchange: dt.date | None
    review_date: dt.date | None


@dataclass(frozen=True)
class SentRow:
    kind: str
    side: str
    sent_on: dt.date
    batch: str


@dataclass(frozen=True)
class ArrangementDetail:
    data: ArrangementInput
    id: int
    status: str  # computed
    ends_on: dt.date | None
    sent: tuple[SentRow, ...] = ()
    #: the version read: pass it back to :func:`update_arrangement`
    row_version: int = 1


@dataclass(frozen=True)
class ItemRow:
    id: int
    reference: str
    received_on: dt.date
    direction: str
    writer: str
    item_type: str
    status: str
    outcome_on: dt.date | None
    coordinator: str


@dataclass(frozen=True)
class FindingRow:
    id: int
    start: int
    end: int
    kind: str
    text: str
    decision: str


@dataclass(frozen=True)
class EventRow:
    at: dt.datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class ItemDetail:
    id: int
    arrangement_id: int
    reference: str
    direction: str
    writer: str
    item_type: str
    received_on: dt.date
    status: str
    text: str
    screened_by: str
    checked_by: str
    outcome_on: dt.date | None
    method: str
    reason: str
    previous_item_id: int | None
    findings: tuple[FindingRow, ...] = ()
    history: tuple[EventRow, ...] = ()
    notes: str = ""
    social_worker_informed: bool = False
    row_version: int = 1
    channel: str = "post"  # letterbox.contact.CHANNELS


@dataclass(frozen=True)
class ItemFilter:
    query: str = ""
    status: str = ""
    direction: str = ""
    month: str = ""  # YYYY-MM (received)
    coordinator: str = ""
    arrangement_id: int | None = None
    open_only: bool = False  # received or screened, no outcome yet
    sort: str = "received_on"
    descending: bool = True


@dataclass(frozen=True)
class ArrangementFilter:
    query: str = ""
    status: str = ""  # stored status or "inactive"/"overdue"
    month: int = 0  # exchange month
    coordinator: str = ""
    sort: str = "reference"
    descending: bool = False


@dataclass(frozen=True)
class WorkRow:
    arrangement_id: int
    reference: str
    due: dt.date
    side: str
    state: str
    reminder_on: dt.date
    chase_on: dt.date
    coordinator: str


@dataclass(frozen=True)
class ScreeningResult:
    findings: tuple[FindingRow, ...]
    protected: tuple[str, ...] = field(default_factory=tuple)


# --- helpers ------------------------------------------------------------------------------------
def _event(session: Session, item_id: int, action: str, detail: str = "") -> None:
    actor = session.info["actor"]
    session.add(ItemEvent(item_id=item_id, at=utcnow(), actor=actor.username, action=action, detail=detail))
    audit.record(session, f"letterbox_{action}", "letterbox_items", item_id, detail=detail)


def item_document(reference: str, birth: str, adoptive: str, adopters: str, writer: str, notes: str,
                  item_type: str) -> str:
    return " ".join(x for x in (reference, birth, adoptive, adopters, writer, notes, item_type) if x)


def arrangement_document(a: ArrangementInput | Arrangement, participants: Iterable[str] = ()) -> str:
    return " ".join(x for x in (a.reference, a.child_birth_name, a.child_adoptive_name, a.adopters_name,
                                a.coordinator, a.notes, *participants) if x)


def _clean(data: ArrangementInput) -> ArrangementInput:
    """Names, references and text as they will be stored (forms and imports alike): control characters
    refused, invisible characters removed, dates within a sensible range."""
    def line(value: str, label: str, limit: int) -> str:
        return clean_text(value, label, max_length=limit)

    def block(value: str, label: str) -> str:
        return clean_text(value, label, multiline=True, max_length=4000)

    check_date(data.child_dob, "Child's date of birth", "birth")
    check_date(data.start_date, "Start date", "event")
    check_date(data.review_date, "Review date", "schedule")
    check_date(data.direct_started_on, "Direct contact began", "event")
    check_date(data.direct_ended_on, "Direct contact ended", "event")
    return replace(
        data, reference=clean_reference(data.reference, "Reference", max_length=None),
        child_birth_name=clean_name(data.child_birth_name, "Child's birth name"),
        child_adoptive_name=clean_name(data.child_adoptive_name, "Child's adoptive name"),
        adopters_name=clean_name(data.adopters_name, "Adopters' names", max_length=160),
        adopters_address=block(data.adopters_address, "Adopters' address"),
        adopters_salutation=clean_name(data.adopters_salutation, "Adopters' salutation", max_length=120),
        may_send=line(data.may_send, "What may be sent", 120),
        exchange_months=line(data.exchange_months, "Exchange months", 40),
        coordinator=clean_name(data.coordinator, "Coordinator", max_length=60),
        notes=block(data.notes, "Notes"),
        participants=tuple(replace(p, name=clean_name(p.name, "Birth relative"),
                                   relationship=line(p.relationship, "Relationship", 60),
                                   salutation=clean_name(p.salutation, "Birth relative's salutation",
                                                         max_length=120),
                                   address=block(p.address, "Birth relative's address"))
                           for p in data.participants),
        protected=tuple(replace(t, term=line(t.term, "Protected term", 200)) for t in data.protected))


def _validate(data: ArrangementInput) -> ArrangementInput:
    data = _clean(data)
    ref = data.reference.strip()
    if not ref:
        raise ValidationError("Reference: enter the agency reference for this child.", "reference")
    if len(ref) > 40:
        raise ValidationError("Reference: use at most 40 characters.", "reference")
    months = rules.parse_months(data.exchange_months)
    if data.status not in rules.STORED_STATUSES:
        raise ValidationError(f"Status: choose one of {', '.join(rules.STORED_STATUSES)}.", "status")
    if data.first_writer not in (rules.ADOPTIVE, rules.BIRTH):
        raise ValidationError("Who writes first: choose 'adoptive' or 'birth'.", "first_writer")
    if not 0 <= data.frequency <= 12:
        raise ValidationError("Frequency: give the number of exchanges a year (0 to 12).", "frequency")
    if data.child_birth_name and data.child_adoptive_name and \
            data.child_birth_name.strip().lower() == data.child_adoptive_name.strip().lower():
        pass  # same names are allowed (many children keep their first name)
    for p in data.participants:
        if not p.name.strip():
            raise ValidationError("Birth relative: enter the relative's name.", "participants")
    problems = contact.contact_problems(data.contact_kind, data.direct_form, data.direct_started_on,
                                       data.direct_ended_on, data.start_date)
    if problems:
        raise ValidationError(problems[0][1], problems[0][0])
    return replace(data, reference=ref, exchange_months=",".join(str(m) for m in months),
                   frequency=data.frequency or len(months))


#: the arrangement's own columns, one per field of :class:`ArrangementInput` but its relatives and terms:
#: what a save writes, what the import inserts and what an update starts from (one list, so a field added
#: to the input is never left at its default by one of them, as a re-import once did)
ARRANGEMENT_COLUMNS = tuple(f for f in ArrangementInput.__dataclass_fields__ if f not in ("participants", "protected"))


def _apply(a: Arrangement, data: ArrangementInput) -> None:
    for name in ARRANGEMENT_COLUMNS:
        value = getattr(data, name)
        if getattr(a, name) != value:
            setattr(a, name, value)


def _default_terms(data: ArrangementInput) -> list[TermData]:
    """The adoptive names are always protected from the birth side."""
    out: list[TermData] = []
    known = {w.lower() for w in data.child_birth_name.split()}  # the birth family already knows these
    for part in data.child_adoptive_name.split():
        if part.lower() not in known:
            out.append(TermData(part, "child's new name"))
    adopters_surname = data.adopters_name.split()[-1] if data.adopters_name.split() else ""
    if adopters_surname and adopters_surname.lower() not in known:
        out.append(TermData(adopters_surname, "adoptive surname"))
    return out


def _save_children(session: Session, a: Arrangement, data: ArrangementInput, replace: bool = False) -> None:
    """Add or update relatives and protected terms; with ``replace`` (the arrangement form) relatives no
    longer listed stop taking part (kept for the record) and protected terms no longer listed are removed."""
    existing = {p.id: p for p in session.scalars(select(Participant).where(Participant.arrangement_id == a.id))}
    listed: set[int] = set()
    for p in data.participants:
        row = existing.get(p.id) if p.id else next(
            (e for e in existing.values() if e.name.lower() == p.name.strip().lower()), None)
        if row is None:
            session.add(Participant(arrangement_id=a.id, name=p.name.strip(), relationship=p.relationship,
                                    address=p.address, salutation=p.salutation))
        else:
            listed.add(row.id)
            if not row.active:
                row.active = True
            if row.relationship != p.relationship:
                row.relationship = p.relationship
            if row.address != p.address:
                row.address = p.address
            if row.salutation != p.salutation:
                row.salutation = p.salutation
    if replace:
        for part in existing.values():
            if part.id not in listed and part.active:
                part.active = False
    wanted = (*data.protected, *_default_terms(data))
    current = list(session.scalars(select(ProtectedTerm).where(ProtectedTerm.arrangement_id == a.id)))
    if replace:
        keep = {(t.term.strip().lower(), t.side) for t in wanted}
        for term_row in current:
            if (term_row.term.lower(), term_row.side) not in keep:
                session.delete(term_row)
        current = [r for r in current if (r.term.lower(), r.side) in keep]
    have = {(t.term.lower(), t.side) for t in current}
    for t in wanted:
        key = (t.term.strip().lower(), t.side)
        if t.term.strip() and key not in have:
            session.add(ProtectedTerm(arrangement_id=a.id, term=t.term.strip(), category=t.category, side=t.side))
            have.add(key)


def _reindex(session: Session, arrangement_ids: Sequence[int]) -> None:
    conn = session.connection()
    if not arrangement_ids:
        return
    arr = {a.id: a for a in session.scalars(select(Arrangement).where(Arrangement.id.in_(arrangement_ids)))}
    parts: dict[int, list[str]] = {}
    for p in session.scalars(select(Participant).where(Participant.arrangement_id.in_(arrangement_ids))):
        parts.setdefault(p.arrangement_id, []).append(p.name)
    search.index_documents(conn, ARRANGEMENTS_INDEX,
                           [(i, arrangement_document(a, parts.get(i, []))) for i, a in arr.items()])
    rows = session.execute(select(Item.id, Item.arrangement_id, Item.writer, Item.notes, Item.item_type)
                           .where(Item.arrangement_id.in_(arrangement_ids))).all()
    search.index_documents(conn, ITEMS_INDEX, [
        (r.id, item_document(arr[r.arrangement_id].reference, arr[r.arrangement_id].child_birth_name,
                             arr[r.arrangement_id].child_adoptive_name, arr[r.arrangement_id].adopters_name,
                             r.writer, r.notes, r.item_type)) for r in rows])


def _arrangement_values(session: Session, a: Arrangement) -> dict[str, str]:
    data = _input_of(session, a)
    return {"Reference": data.reference, "Child (birth name)": data.child_birth_name,
            "Child (adoptive name)": data.child_adoptive_name, "Adopters": data.adopters_name,
            "Exchange months": data.exchange_months, "Status": data.status, "Coordinator": data.coordinator,
            "Notes": data.notes,
            "Relatives": "; ".join(f"{p.name} ({p.relationship})" for p in data.participants),
            "Protected terms": "; ".join(f"{t.term} ({t.side})" for t in data.protected)}


def save_arrangement_in(session: Session, data: ArrangementInput, arrangement_id: int | None = None, *,
                        replace: bool = False, expected_version: int | None = None) -> int:
    """Create or update inside the caller's transaction (used by the import).

    An update always makes a new version of the arrangement (its relatives and protected terms are part
    of it), so a form loaded before that save is refused rather than deleting what it never showed."""
    data = _validate(data)
    # references are compared after normalisation: case, spacing, full-width forms, invisible characters
    clash = session.execute(select(Arrangement.id, Arrangement.reference).where(
        Arrangement.reference_key == reference_key(data.reference),
        Arrangement.id != (arrangement_id or 0))).first()
    if clash is not None:
        raise Conflict(f"Reference: {data.reference} is already used by another arrangement"
                       + (f" (as {clash.reference})" if clash.reference != data.reference else "") + ".")
    if arrangement_id is None:
        a = Arrangement()
        _apply(a, data)
        session.add(a)
        session.flush()
    else:
        found = get_or_raise(session, Arrangement, arrangement_id, f"No arrangement {arrangement_id}.")
        a = found
        check_version(session, a, expected_version, f"arrangement {a.reference}",
                      lambda row: _arrangement_values(session, row))
        _apply(a, data)
        own_change = session.is_modified(a)
        a.updated_at = utcnow()  # a new version even when only relatives or protected terms change
        session.flush()
        if not own_change:
            audit.record(session, "update", "letterbox_arrangements", a.id,
                         detail="saved: relatives or protected terms as listed")
    _save_children(session, a, data, replace)
    session.flush()
    _reindex(session, [a.id])
    return a.id


def create_arrangement(db: Database, actor: Principal, data: ArrangementInput) -> int:
    require(actor, P.LETTERBOX_EDIT)
    with db.session(actor) as session:
        return save_arrangement_in(session, data)


def update_arrangement(db: Database, actor: Principal, arrangement_id: int, data: ArrangementInput, *,
                       replace: bool = True, expected_version: int | None = None) -> int:
    """Save the whole agreement as edited (relatives and protected terms as listed). ``expected_version``:
    the ``row_version`` the form was loaded with; a stale form is refused (:class:`StaleRecord`), never
    saved over a colleague's change. Returns the new version."""
    require(actor, P.LETTERBOX_EDIT)
    with db.session(actor) as session:
        save_arrangement_in(session, data, arrangement_id, replace=replace, expected_version=expected_version)
        return int(session.scalar(select(Arrangement.row_version).where(Arrangement.id == arrangement_id)) or 1)


def _input_of(session: Session, a: Arrangement) -> ArrangementInput:
    parts = tuple(ParticipantData(p.name, p.relationship, p.address, p.id, p.salutation) for p in session.scalars(
        select(Participant).where(Participant.arrangement_id == a.id, Participant.active.is_(True))
        .order_by(Participant.id)))
    terms = tuple(TermData(t.term, t.category, t.side) for t in session.scalars(
        select(ProtectedTerm).where(ProtectedTerm.arrangement_id == a.id).order_by(ProtectedTerm.id)))
    return ArrangementInput(
        a.reference, a.child_birth_name, a.child_adoptive_name, a.child_dob, a.adopters_name, a.adopters_address,
        a.may_send, a.frequency, a.exchange_months, a.first_writer, a.replies_expected, a.email_allowed,
        a.start_date, a.review_date, a.status, a.coordinator, a.notes, parts, terms,
        adopters_salutation=a.adopters_salutation, contact_kind=a.contact_kind, direct_form=a.direct_form,
        direct_started_on=a.direct_started_on, direct_ended_on=a.direct_ended_on)


def get_arrangement(db: Database, actor: Principal, arrangement_id: int,
                    today: dt.date | None = None) -> ArrangementDetail:
    require(actor, P.LETTERBOX_VIEW)
    today = today or dt.date.today()
    with db.session(actor) as session:
        a = get_or_raise(session, Arrangement, arrangement_id, f"No arrangement {arrangement_id}.")
        audit.record_view(session, "letterbox_arrangements", a.id)
        months = get_setting(session, INACTIVE_AFTER_MONTHS)
        sent = tuple(SentRow(s.kind, s.side, s.sent_on, s.batch) for s in session.scalars(
            select(LetterSent).where(LetterSent.arrangement_id == a.id).order_by(LetterSent.sent_on.desc())))
        return ArrangementDetail(
            _input_of(session, a), a.id,
            rules.computed_status(a.status, today=today, last_exchange=a.last_exchange, start_date=a.start_date,
                                  child_dob=a.child_dob, inactive_after_months=months),
            rules.eighteenth_birthday(a.child_dob) if a.child_dob else None, sent, a.row_version)


def protected_terms(session: Session, arrangement_id: int, side: str | None = None) -> list[str]:
    stmt = select(ProtectedTerm.term).where(ProtectedTerm.arrangement_id == arrangement_id)
    if side:
        stmt = stmt.where(ProtectedTerm.side == side)
    return list(session.scalars(stmt))


def writer_side_secrets(session: Session, arrangement_id: int, side: str) -> list[str]:
    """What the writer's side must not give away: its protected terms and its address lines (for birth
    relatives also their surnames, which adopters need not learn)."""
    out = protected_terms(session, arrangement_id, side)
    if side == rules.ADOPTIVE:
        address = session.scalar(select(Arrangement.adopters_address).where(Arrangement.id == arrangement_id)) or ""
        out += [ln.strip(" ,") for ln in address.splitlines() if len(ln.strip(" ,")) >= 3]
    else:
        birth_name = session.scalar(select(Arrangement.child_birth_name).where(Arrangement.id == arrangement_id)) or ""
        known_first = birth_name.split()[0].lower() if birth_name.split() else ""
        for name, address in session.execute(select(Participant.name, Participant.address).where(
                Participant.arrangement_id == arrangement_id)):
            out += [ln.strip(" ,") for ln in address.splitlines() if len(ln.strip(" ,")) >= 3]
            surname = name.split()[-1] if len(name.split()) > 1 else ""
            if surname and surname.lower() != known_first:
                out.append(surname)
    # postcodes are found by the postcode rule anyway (and reported as postcodes)
    return list(dict.fromkeys(t for t in out if t.strip() and not screen_postcode_only(t)))


def screen_postcode_only(text: str) -> bool:
    found = screen_text(text)
    return len(found) == 1 and found[0].kind == "postcode" and found[0].text == text.strip()


# --- registers ----------------------------------------------------------------------------------
_ITEM_SORT = {"received_on": Item.received_on, "reference": Arrangement.reference, "status": Item.status,
              "direction": Item.direction, "writer": Item.writer, "item_type": Item.item_type,
              "outcome_on": Item.outcome_on, "coordinator": Arrangement.coordinator, "id": Item.id}


_INDEXED_SORT = frozenset({"received_on", "status", "direction", "id"})  # letterbox_items columns with an index


def _item_where(session: Session, stmt: AnySelect, f: ItemFilter, matches: int | None = None) -> AnySelect:
    # a search alone lists the COUNT_CAP most recently entered matches (the index read newest first and
    # stopped there): a one-letter prefix costs what a surname costs; with other filters every match counts
    cond = search.id_filter(session.connection(), ITEMS_INDEX, Item.id, f.query, matches=matches,
                            newest=COUNT_CAP if _only_query(f) else None) if f.query.strip() else None
    if cond is not None:
        stmt = stmt.where(cond)
    if f.status:
        stmt = stmt.where(Item.status == f.status)
    if f.direction:
        stmt = stmt.where(Item.direction == f.direction)
    if f.month:
        start, end = rules.month_bounds(f.month)
        stmt = stmt.where(Item.received_on >= start, Item.received_on < end)
    if f.coordinator:
        stmt = stmt.where(Arrangement.coordinator == f.coordinator)
    if f.arrangement_id is not None:
        stmt = stmt.where(Item.arrangement_id == f.arrangement_id)
    if f.open_only:
        stmt = stmt.where(Item.status.in_(("received", "screened")))
    return stmt


def _item_rows() -> AnySelect:
    return select(Item.id, Arrangement.reference, Item.received_on, Item.direction, Item.writer,
                  Item.item_type, Item.status, Item.outcome_on, Arrangement.coordinator).join(
        Arrangement, Arrangement.id == Item.arrangement_id)


def _item_rows_stmt(session: Session, f: ItemFilter, matches: int | None,
                    offset: int | BindParameter[int], limit: int | BindParameter[int]) -> AnySelect:
    # walking the sort column's index (a broad search) needs one; otherwise the matches are read by id
    stmt = _item_where(session, _item_rows(), f, matches if f.sort in _INDEXED_SORT else 0)
    col = _ITEM_SORT.get(f.sort, Item.received_on)
    order: list[Any] = [col.desc(), Item.id.desc()] if f.descending else [col.asc(), Item.id.asc()]
    return stmt.order_by(*order).offset(offset).limit(limit)


def _list_items(session: Session, f: ItemFilter, offset: int, limit: int, matches: int | None) -> list[ItemRow]:
    if _only_query(f):
        return _search_rows(session, f, offset, limit, matches)
    return [ItemRow(*r) for r in session.execute(_item_rows_stmt(session, f, matches, offset, limit)).all()]


# --- a search alone: the per-keystroke path ------------------------------------------------------
# Its two statements (the capped count, a page of rows) are built and compiled once per dialect, sort and
# plan, then run as plain SQL with the new text: building, caching and row-mapping an ORM select cost as
# much as the search itself (about 2 ms a keystroke against 2 ms of SQL at 100,000 exchanges).
@dataclass(frozen=True)
class _Prepared:
    sql: str
    positions: tuple[str, ...] | None  # the parameters' order for a positional driver (SQLite)

    def args(self, params: dict[str, Any]) -> Any:
        return params if self.positions is None else tuple(params[name] for name in self.positions)

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[Any]:
        """The driver's own rows (tuples): no result-row objects are made for them."""
        result = conn.exec_driver_sql(self.sql, self.args(params))
        try:
            return list(result.cursor.fetchall())
        finally:
            result.close()


_PREPARED: dict[tuple[Any, ...], _Prepared] = {}


def _prepared(conn: Connection, key: tuple[Any, ...], build: Callable[[], Any]) -> _Prepared:
    key = (conn.dialect.name, *key)
    found = _PREPARED.get(key)
    if found is None:
        compiled = build().compile(dialect=conn.dialect)
        found = _PREPARED[key] = _Prepared(str(compiled), tuple(compiled.positiontup or ()) if compiled.positional
                                           else None)
    return found


def _search_count(session: Session, f: ItemFilter) -> int:
    conn = session.connection()
    search.ensure_index(conn, ITEMS_INDEX)

    def build() -> Any:
        ids = search.matching_ids(conn, ITEMS_INDEX, "x", newest=COUNT_CAP + 1)
        assert ids is not None
        return select(func.count()).select_from(ids.subquery())

    return int(_prepared(conn, ("count",), build).rows(conn, {"q": search.query_value(conn, f.query),
                                                              "n": COUNT_CAP + 1})[0][0])


def _rows_prepared(session: Session, f: ItemFilter, broad: bool) -> _Prepared:
    template = ItemFilter(query="x", sort=f.sort, descending=f.descending)
    return _prepared(session.connection(), ("rows", f.sort, f.descending, broad), lambda: _item_rows_stmt(
        session, template, None if broad else 0, bindparam("off", type_=Integer), bindparam("lim", type_=Integer)))


def _search_rows(session: Session, f: ItemFilter, offset: int, limit: int, matches: int | None) -> list[ItemRow]:
    conn = session.connection()
    search.ensure_index(conn, ITEMS_INDEX)
    prepared = _rows_prepared(session, f, matches is None or matches > search.BROAD)
    rows = prepared.rows(conn, {"q": search.query_value(conn, f.query), "n": COUNT_CAP, "off": offset, "lim": limit})
    if conn.dialect.name != "sqlite":  # the driver gives dates already
        return [ItemRow(*r) for r in rows]
    return _sqlite_item_rows(rows)


def _sqlite_item_rows(rows: list[Any]) -> list[ItemRow]:
    # A frozen dataclass's __init__ sets each field through object.__setattr__: 100 rows took a tenth of a
    # millisecond a keystroke. These rows are made with their fields at once (the same ItemRow: equal,
    # hashable, frozen); ItemRow has no __post_init__ or defaults to skip.
    day = dt.date.fromisoformat  # SQLite keeps dates as ISO text
    new, set_fields = object.__new__, object.__setattr__
    out = []
    for i, ref, received, direction, writer, kind, status, outcome, coordinator in rows:
        row = new(ItemRow)
        set_fields(row, "__dict__", {
            "id": i, "reference": ref, "received_on": day(received), "direction": direction, "writer": writer,
            "item_type": kind, "status": status, "outcome_on": outcome and day(outcome), "coordinator": coordinator})
        out.append(row)
    return out


def _sqlite_keystroke(db: Database, actor: Principal, f: ItemFilter, limit: int,
                      stop: Interrupt | None) -> tuple[int, list[ItemRow]] | None:
    """A search alone on the embedded store, once its statements are compiled (the first search compiles
    them): the capped count and the first page on a DB-API cursor (:meth:`Database.read_cursor`: the same
    transaction, sign-in check and no audit entry as a read session), without an ORM session, about a
    third of a millisecond a keystroke. ``None`` when the statements are not compiled yet."""
    count = _PREPARED.get(("sqlite", "count"))
    broad = _PREPARED.get(("sqlite", "rows", f.sort, f.descending, True))
    narrow = _PREPARED.get(("sqlite", "rows", f.sort, f.descending, False))
    if count is None or broad is None or narrow is None or not search.index_known(db.engine, ITEMS_INDEX):
        return None
    q = search.fts5_query(f.query)
    with db.read_cursor(actor, stop) as cur:
        total = int(cur.execute(count.sql, count.args({"q": q, "n": COUNT_CAP + 1})).fetchone()[0])
        if stop:
            stop.check()
        page = broad if total > search.BROAD else narrow
        rows = cur.execute(page.sql, page.args({"q": q, "n": COUNT_CAP, "off": 0, "lim": limit})).fetchall()
    return total, _sqlite_item_rows(rows)


def _only_query(f: ItemFilter) -> bool:
    return bool(search.words(f.query)) and f == ItemFilter(query=f.query, sort=f.sort, descending=f.descending)


#: A search alone that matches more items than this says "more than 10,000" instead of counting them all,
#: and lists the 10,000 most recently entered of them (in the register's order): see :func:`search_capped`.
COUNT_CAP = 10_000


def search_capped(f: ItemFilter, total: int) -> bool:
    """Whether ``total`` (from :func:`item_page` or :func:`count_items`) means "more than :data:`COUNT_CAP`,
    and the most recent :data:`COUNT_CAP` of them are listed" rather than an exact count."""
    return total > COUNT_CAP and _only_query(f)


def _count_items(session: Session, f: ItemFilter) -> int:
    """The items matching ``f``; a search alone is counted up to :data:`COUNT_CAP` + 1."""
    if _only_query(f):
        return _search_count(session, f)
    stmt: AnySelect = select(func.count(Item.id))
    if f.coordinator:
        stmt = stmt.join(Arrangement, Arrangement.id == Item.arrangement_id)
    return int(session.scalar(_item_where(session, stmt, f)) or 0)


def _matches(session: Session, f: ItemFilter) -> int | None:
    """How many items the search words match, up to :data:`COUNT_CAP` + 1 (enough to choose the plan)."""
    if not search.words(f.query):
        return None
    return _search_count(session, f) if _only_query(f) else \
        search.count_matches(session.connection(), ITEMS_INDEX, f.query, cap=COUNT_CAP)


def list_items(db: Database, actor: Principal, f: ItemFilter, offset: int = 0, limit: int = 200) -> list[ItemRow]:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return _list_items(session, f, offset, limit, _matches(session, f))


def count_items(db: Database, actor: Principal, f: ItemFilter) -> int:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return _count_items(session, f)


def item_page(db: Database, actor: Principal, f: ItemFilter, limit: int = 200, *,
              stop: Interrupt | None = None) -> tuple[int, list[ItemRow]]:
    """The count and the first page in one read transaction (what a register needs per keystroke); in
    team mode a search alone is one statement (:func:`_pg_item_page`).

    ``stop``: another thread may interrupt the read (the search text changed meanwhile); it then raises
    :class:`~adoption_desktop.core.storage.interrupt.Interrupted`."""
    require(actor, P.LETTERBOX_VIEW)
    if not db.is_sqlite and _only_query(f):  # a keystroke in team mode: one statement (and the sign-in check)
        with db.session(actor, write=False, each_statement=True) as session, \
                (stop.watching(session) if stop else nullcontext()):
            return _pg_item_page(session, f, limit)
    if db.is_sqlite and _only_query(f):  # a keystroke on the embedded store
        found = _sqlite_keystroke(db, actor, f, limit, stop)
        if found is not None:
            return found
    with db.session(actor, write=False) as session, (stop.watching(session) if stop else nullcontext()):
        if db.is_sqlite and _only_query(f):  # the first search: compile what the next keystrokes run
            _rows_prepared(session, f, True)
            _rows_prepared(session, f, False)
        matches = _matches(session, f)
        total = matches if matches is not None and _only_query(f) else _count_items(session, f)
        if stop:
            stop.check()
        return total, _list_items(session, f, 0, limit, matches)


def _pg_item_page(session: Session, f: ItemFilter, limit: int) -> tuple[int, list[ItemRow]]:
    """Team mode, a search alone (each keystroke): the capped count and the first page in one statement
    that reads the match set from the GIN index once (:func:`search.pg_counted_page`), built and compiled
    once per sort and page size. With a sort column of the items table, a narrow match set (up to 1,500
    items) is sorted first and only the page's rows are joined to their arrangements."""
    col = _ITEM_SORT.get(f.sort, Item.received_on)
    order: list[Any] = [col.desc(), Item.id.desc()] if f.descending else [col.asc(), Item.id.asc()]

    def page(cond: Any) -> AnySelect:
        return _item_rows().where(cond).order_by(*order).limit(limit)

    def narrow_page(cond: Any) -> AnySelect:
        top = select(Item.id, Item.arrangement_id, Item.received_on, Item.direction, Item.writer, Item.item_type,
                     Item.status, Item.outcome_on).where(cond).order_by(*order).limit(limit).subquery("top")
        return select(top.c.id, Arrangement.reference, top.c.received_on, top.c.direction, top.c.writer,
                      top.c.item_type, top.c.status, top.c.outcome_on, Arrangement.coordinator).join(
            Arrangement, Arrangement.id == top.c.arrangement_id)

    on_items = col.class_ is Item
    total, rows = search.pg_counted_page(session.connection(), ITEMS_INDEX, Item.id, f.query, page,
                                         order=[(col.key, f.descending), ("id", f.descending)], cap=COUNT_CAP,
                                         key=("items", col.key, f.descending, limit, on_items),
                                         narrow_page=narrow_page if on_items else None)
    return total, [ItemRow(*r) for r in rows]


_ARR_SORT = {"reference": Arrangement.reference, "child_birth_name": Arrangement.child_birth_name,
             "child_adoptive_name": Arrangement.child_adoptive_name, "status": Arrangement.status,
             "coordinator": Arrangement.coordinator, "last_exchange": Arrangement.last_exchange,
             "review_date": Arrangement.review_date, "exchange_months": Arrangement.exchange_months}


def _arr_where(session: Session, stmt: AnySelect, f: ArrangementFilter,
               today: dt.date) -> AnySelect:
    cond = search.id_filter(session.connection(), ARRANGEMENTS_INDEX, Arrangement.id, f.query) \
        if f.query.strip() else None
    if cond is not None:
        stmt = stmt.where(cond)
    if f.status == "inactive":
        cutoff = rules.add_months(today, -get_setting(session, INACTIVE_AFTER_MONTHS))
        stmt = stmt.where(Arrangement.status == "active",
                          func.coalesce(Arrangement.last_exchange, Arrangement.start_date) <= cutoff)
    elif f.status == "overdue":
        stmt = stmt.where(Arrangement.status == "active", Arrangement.review_date < today)
    elif f.status:
        stmt = stmt.where(Arrangement.status == f.status)
    if f.month:
        stmt = stmt.where((("," + Arrangement.exchange_months + ",")).like(f"%,{int(f.month)},%"))
    if f.coordinator:
        stmt = stmt.where(Arrangement.coordinator == f.coordinator)
    return stmt


def list_arrangements(db: Database, actor: Principal, f: ArrangementFilter, offset: int = 0, limit: int = 200,
                      today: dt.date | None = None) -> list[ArrangementRow]:
    require(actor, P.LETTERBOX_VIEW)
    today = today or dt.date.today()
    with db.session(actor, write=False) as session:
        months = get_setting(session, INACTIVE_AFTER_MONTHS)
        stmt: AnySelect = select(Arrangement.id, Arrangement.reference, Arrangement.child_birth_name,
                      Arrangement.child_adoptive_name, Arrangement.exchange_months, Arrangement.status,
                      Arrangement.coordinator, Arrangement.last_exchange, Arrangement.review_date,
                      Arrangement.start_date, Arrangement.child_dob)
        stmt = _arr_where(session, stmt, f, today)
        col = _ARR_SORT.get(f.sort, Arrangement.reference)
        stmt = stmt.order_by(col.desc() if f.descending else col.asc(), Arrangement.id)
        out = []
        for r in session.execute(stmt.offset(offset).limit(limit)):
            status = rules.computed_status(r.status, today=today, last_exchange=r.last_exchange,
                                           start_date=r.start_date, child_dob=r.child_dob,
                                           inactive_after_months=months)
            out.append(ArrangementRow(r.id, r.reference, r.child_birth_name, r.child_adoptive_name,
                                      rules.months_text(rules.parse_months(r.exchange_months)), status,
                                      r.coordinator, r.last_exchange, r.review_date))
        return out


def count_arrangements(db: Database, actor: Principal, f: ArrangementFilter, today: dt.date | None = None) -> int:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        stmt = _arr_where(session, select(func.count(Arrangement.id)), f, today or dt.date.today())
        return int(session.scalar(stmt) or 0)


def coordinators(db: Database, actor: Principal) -> list[str]:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return [c for c in session.scalars(select(Arrangement.coordinator).distinct().order_by(
            Arrangement.coordinator)) if c]


def coordinator_names(db: Database, actor: Principal) -> dict[str, str]:
    """Each coordinator's login name → the full name on their user record (the login itself when no user
    has it, e.g. an imported name): the register and its filters show people, not login names."""
    from adoption_desktop.core.security.models import User

    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        logins = [c for c in session.scalars(select(Arrangement.coordinator).distinct()) if c]
        names = {u: n for u, n in session.execute(select(User.username, User.full_name).where(
            User.username.in_(logins)))}
    return {login: names.get(login) or login for login in logins}


# --- expected exchanges and the work list -------------------------------------------------------
def work_list(db: Database, actor: Principal, today: dt.date, *, include_later: bool = False) -> list[WorkRow]:
    """Expected items from last month to ``due soon``: overdue, this month, due soon (received ones left out)."""
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return work_rows_in(session, today, include_later=include_later)


def work_rows_in(session: Session, today: dt.date, *, include_later: bool = False) -> list[WorkRow]:
    """:func:`work_list` inside a caller's session (permission checked by the caller: My work counts them
    for a manager, names never leave as counts)."""
    soon = get_setting(session, DUE_SOON_DAYS)
    before = get_setting(session, REMINDER_DAYS_BEFORE)
    chase = get_setting(session, CHASER_AFTER_DAYS)
    window_start = rules.add_months(today.replace(day=1), -2)
    horizon = today + dt.timedelta(days=soon)
    received: set[tuple[int, str, int, int]] = set()
    for r in session.execute(select(Item.arrangement_id, Item.direction, Item.received_on).where(
            Item.received_on >= rules.add_months(window_start, -1))):
        received.add((r.arrangement_id, r.direction, r.received_on.year, r.received_on.month))
    out: list[WorkRow] = []
    for a in session.execute(select(
            Arrangement.id, Arrangement.reference, Arrangement.exchange_months, Arrangement.first_writer,
            Arrangement.replies_expected, Arrangement.start_date, Arrangement.child_dob,
            Arrangement.coordinator).where(Arrangement.status == "active")):
        end = rules.eighteenth_birthday(a.child_dob) if a.child_dob else None
        months = rules.parse_months(a.exchange_months)
        for year in {window_start.year, today.year, horizon.year}:
            for e in rules.expected_exchanges(months, year, first_writer=a.first_writer,
                                              replies_expected=a.replies_expected, start=a.start_date,
                                              end=end):
                if not window_start <= e.due <= horizon:
                    continue
                prev = rules.add_months(e.due, -1)
                got = any((a.id, e.direction, d.year, d.month) in received
                          for d in (prev, e.due, rules.add_months(e.due, 1)))
                state = rules.work_state(e.due, today, received=got, due_soon_days=soon)
                if state == "received" or (state == "later" and not include_later):
                    continue
                out.append(WorkRow(a.id, a.reference, e.due, e.side, state, rules.reminder_date(e.due, before),
                                   rules.chaser_date(e.due, chase), a.coordinator))
    out.sort(key=lambda w: (w.due, w.reference))
    return out


# --- the item log -------------------------------------------------------------------------------
def log_item(db: Database, actor: Principal, arrangement_id: int, *, direction: str, received_on: dt.date,
             item_type: str = "letter", writer: str = "", participant_id: int | None = None, text: str = "",
             notes: str = "", previous_item_id: int | None = None, channel: str = "post") -> int:
    """Receive an item (by post, secure e-mail or the digital letterbox: ``channel``). A corrected version of a
    returned item names it in ``previous_item_id``."""
    require(actor, P.LETTERBOX_EDIT)
    contact.check_channel(channel)
    if direction not in rules.DIRECTIONS:
        raise ValidationError("Direction: choose adoptive → birth or birth → adoptive.", "direction")
    if item_type not in rules.ITEM_TYPES:
        raise ValidationError(f"Type: choose one of {', '.join(rules.ITEM_TYPES)}.", "item_type")
    check_date(received_on, "Date received", "event", required=True)
    writer = clean_name(writer, "Writer")
    text = clean_text(text, "Text of the item", multiline=True, max_length=200000)
    notes = clean_text(notes, "Notes", multiline=True, max_length=4000)
    if received_on > dt.date.today() + dt.timedelta(days=1):
        raise ValidationError("Date received: the date is in the future; enter the day it arrived.", "received_on")
    with db.session(actor) as session:
        a = get_or_raise(session, Arrangement, arrangement_id, f"No arrangement {arrangement_id}.")
        if previous_item_id is not None:
            prev = session.get(Item, previous_item_id)
            if prev is None or prev.arrangement_id != arrangement_id:
                raise ValidationError("Corrected version of: that item is not on this arrangement.",
                                      "previous_item_id")
            if prev.status != "returned":
                raise Conflict("Only an item returned to its writer can be replaced by a corrected version.")
        item = Item(arrangement_id=a.id, participant_id=participant_id, direction=direction, writer=writer.strip(),
                    item_type=item_type, received_on=received_on, status="received", text=text, notes=notes,
                    previous_item_id=previous_item_id, channel=channel)
        session.add(item)
        session.flush()
        if a.last_exchange is None or received_on > a.last_exchange:
            a.last_exchange = received_on
        _event(session, item.id, "received", f"{item_type} {rules.DIRECTIONS[direction]} from {writer or '?'}"
               + (f"; corrected version of item {previous_item_id}" if previous_item_id else ""))
        search.index_documents(session.connection(), ITEMS_INDEX, [(item.id, item_document(
            a.reference, a.child_birth_name, a.child_adoptive_name, a.adopters_name, item.writer, notes,
            item_type))])
        return item.id


def screen_item(db: Database, actor: Principal, item_id: int, text: str) -> ScreeningResult:
    """Run the screening assistant over the item's text with the arrangement's protected terms (those of
    the side the item is going *to* must not see: the writer's own side's secrets)."""
    require(actor, P.LETTERBOX_EDIT)
    text = clean_text(text, "Text of the item", multiline=True, max_length=200000)
    with db.session(actor) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        if item.status not in ("received", "screened"):
            raise Conflict(f"Item {item_id} already has an outcome ({item.status}); log a new item instead.")
        terms = writer_side_secrets(session, item.arrangement_id, rules.writer_side(item.direction))
        found = screen_text(text, terms)
        for old in session.scalars(select(Finding).where(Finding.item_id == item_id)):
            session.delete(old)
        rows = []
        for f in found:
            row = Finding(item_id=item_id, start=f.start, end=f.end, kind=f.kind, text=f.text[:200],
                          decision="remove")
            session.add(row)
            rows.append(row)
        item.text = text
        item.status = "screened"
        item.screened_at = utcnow()
        item.screened_by = actor.username
        item.checked_by = ""
        session.flush()
        _event(session, item_id, "screened", f"{len(found)} finding(s): "
               + ", ".join(sorted({f.kind for f in found})) if found else "no findings")
        return ScreeningResult(tuple(FindingRow(r.id, r.start, r.end, r.kind, r.text, r.decision) for r in rows),
                               tuple(terms))


def decide_finding(db: Database, actor: Principal, finding_id: int, decision: str, *,
                   expected_decision: str | None = None) -> str:
    """Mark a screening finding acceptable or to be removed. Returns the decision it had before (undo
    gives it back with ``expected_decision``: refused when someone else decided it differently since, or
    the item has an outcome by then)."""
    require(actor, P.LETTERBOX_EDIT)
    if decision not in ("acceptable", "remove"):
        raise ValidationError("Decision: choose 'acceptable' or 'remove'.", "decision")
    with db.session(actor) as session:
        f = get_or_raise(session, Finding, finding_id, f"No finding {finding_id}.")
        if expected_decision is not None:
            item = lock_row(session, get_or_raise(session, Item, f.item_id, f"No item {f.item_id}."))
            session.refresh(f)
            if item.status not in ("received", "screened"):
                raise Conflict(f"Item {item.id} has an outcome ({item.status}); its findings can no longer change.")
            if f.decision != expected_decision:
                from adoption_desktop.core.undo import changed_since

                raise changed_since(session, "letterbox_findings", [f.id], f"the finding '{f.text}'",
                                    {"Decision": f.decision})
        before = f.decision
        if f.decision != decision:
            f.decision = decision
            _event(session, f.item_id, "finding_decided", f"{f.kind} '{f.text}': {decision}"
                   + (" (undo)" if expected_decision is not None else ""))
        return before


def confirm_second_check(db: Database, actor: Principal, item_id: int) -> None:
    require(actor, P.LETTERBOX_SECOND_CHECK)
    with db.session(actor) as session:
        item = lock_row(session, get_or_raise(session, Item, item_id, f"No item {item_id}."))
        if item.checked_by:
            who, at = last_saved(session, item)
            raise Conflict(f"Second check: already confirmed by {item.checked_by} ({who}, {when_text(at)}).")
        if item.status != "screened":
            raise Conflict("Second check: screen the item first.")
        if item.screened_by == actor.username:
            raise Conflict("Second check: a different user from the one who screened it must confirm.")
        item.checked_by = actor.username
        _event(session, item_id, "second_checked", f"confirmed by {actor.username}")


def _item_values(item: Item) -> dict[str, str]:
    return {"Status": item.status, "Outcome date": f"{item.outcome_on:%d/%m/%Y}" if item.outcome_on else "",
            "Method": item.method, "Reason": item.reason, "Checked by": item.checked_by}


def record_outcome(db: Database, actor: Principal, item_id: int, outcome: str, on: dt.date, *,
                   method: str = "", reason: str = "", social_worker_informed: bool = False,
                   expected_version: int | None = None) -> None:
    """forwarded (date, method) / returned (reason) / withheld (reason, social worker informed) / held.

    The item is locked first: of two people recording an outcome at once exactly one does; the other is
    told who recorded which outcome and when."""
    require(actor, P.LETTERBOX_EDIT)
    if outcome not in rules.OUTCOMES:
        raise ValidationError(f"Outcome: choose one of {', '.join(rules.OUTCOMES)}.", "outcome")
    reason = clean_text(reason, "Reason", multiline=True, max_length=4000)
    method = clean_text(method, "Method", max_length=40)
    check_date(on, "Date", "event", required=True)
    if outcome in ("returned", "withheld") and not reason.strip():
        raise ValidationError("Reason: say why the item is returned or withheld (the writer is told).", "reason")
    if outcome == "withheld" and not social_worker_informed:
        raise ValidationError("Social worker informed: a withheld item must be reported to the social worker; "
                              "tick the box once they are told.", "social_worker_informed")
    if outcome == "forwarded" and not method.strip():
        raise ValidationError("Method: say how it was forwarded (post, email, collected).", "method")
    with db.session(actor) as session:
        item = lock_row(session, get_or_raise(session, Item, item_id, f"No item {item_id}."))
        if item.status not in ("received", "screened"):
            who, at = last_saved(session, item)
            raise Conflict(f"Item {item_id} already has an outcome ({item.status}), recorded by {who} at "
                           f"{when_text(at)}; yours was not recorded. Log a corrected version if needed.")
        if expected_version is not None and item.row_version != expected_version:
            raise stale(session, item, expected_version, f"item {item_id}", _item_values)
        sent_copy = None
        if outcome == "forwarded":
            if item.status != "screened":
                raise Conflict("Forward: screen the item before forwarding it.")
            to_remove = session.scalar(select(func.count(Finding.id)).where(
                Finding.item_id == item_id, Finding.decision == "remove")) or 0
            from adoption_desktop.letterbox.redaction import copy_to_forward  # hook: redacted copies

            sent_copy = copy_to_forward(session, item_id, item.screened_at)
            if to_remove and sent_copy is None:
                raise Conflict(f"Forward: {to_remove} finding(s) are marked to be removed. Return the item to its "
                               "writer, mark each finding acceptable, or export a redacted copy to forward.")
            if get_setting(session, SECOND_CHECKER) and not item.checked_by:
                raise Conflict("Forward: this agency requires a second checker; another user must confirm the "
                               "screening first.")
            if item.direction == rules.TO_ADOPTIVE and item.participant_id is None:
                pass
        item.status = outcome
        item.outcome_on = on
        item.method = method.strip()
        item.reason = reason.strip()
        item.social_worker_informed = social_worker_informed
        detail = {"forwarded": f"forwarded {on.isoformat()} by {method}", "returned": f"returned: {reason}",
                  "withheld": f"withheld: {reason}; social worker informed", "held": "held on file"}[outcome]
        if outcome == "forwarded" and sent_copy is not None:
            detail += f"; the redacted copy {sent_copy.filename} (sha256 {sent_copy.sha256}) went out"
        _event(session, item_id, outcome, detail)


def get_item(db: Database, actor: Principal, item_id: int) -> ItemDetail:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        audit.record_view(session, "letterbox_items", item_id)
        ref = session.scalar(select(Arrangement.reference).where(Arrangement.id == item.arrangement_id)) or ""
        findings = tuple(FindingRow(f.id, f.start, f.end, f.kind, f.text, f.decision) for f in session.scalars(
            select(Finding).where(Finding.item_id == item_id).order_by(Finding.start)))
        history = tuple(EventRow(e.at, e.actor, e.action, e.detail) for e in session.scalars(
            select(ItemEvent).where(ItemEvent.item_id == item_id).order_by(ItemEvent.id)))
        return ItemDetail(item.id, item.arrangement_id, ref, item.direction, item.writer, item.item_type,
                          item.received_on, item.status, item.text, item.screened_by, item.checked_by,
                          item.outcome_on, item.method, item.reason, item.previous_item_id, findings, history,
                          item.notes, item.social_worker_informed, item.row_version, item.channel)


# the sent-list of a letter batch lives in its own module (a batch of letters need not import this one)
from adoption_desktop.letterbox.sent_list import record_letters_sent  # noqa: E402, F401


def set_arrangement_status(db: Database, actor: Principal, arrangement_id: int, status: str) -> None:
    require(actor, P.LETTERBOX_EDIT)
    if status not in rules.STORED_STATUSES:
        raise ValidationError(f"Status: choose one of {', '.join(rules.STORED_STATUSES)}.", "status")
    with db.session(actor) as session:
        session.execute(update(Arrangement).where(Arrangement.id == arrangement_id)
                        .values(status=status, row_version=Arrangement.row_version + 1))
        audit.record(session, "update", "letterbox_arrangements", arrangement_id, changes={"status": [None, status]})
