"""Arrangements: an agreement cleaned and checked as it will be stored, saved (form and import alike) with
its relatives and protected terms, both search indexes brought up to date, read back, its stored status set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import check_version, stale
from adoption_desktop.core.documents.address_block import WINDOW_LINES, check_name_line
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.salutation import clean_salutation
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.base import get_or_raise, record_now
from adoption_desktop.core.storage.engine import Database, session_actor
from adoption_desktop.core.text_input import (
    check_date,
    clean_address,
    clean_name,
    clean_reference,
    clean_text,
)
from adoption_desktop.letterbox import contact, rules
from adoption_desktop.letterbox.models import (
    Arrangement,
    Item,
    LetterSent,
    Participant,
    PatternChange,
    ProtectedTerm,
)
from adoption_desktop.letterbox.service.common import (
    ARRANGEMENTS_INDEX,
    ITEMS_INDEX,
    P,
    arrangement_by_reference,
    arrangement_document,
    item_document,
)
from adoption_desktop.letterbox.service.data import (
    ArrangementDetail,
    ArrangementInput,
    ParticipantData,
    SentRow,
    TermData,
)
from adoption_desktop.letterbox.settings import INACTIVE_AFTER_MONTHS


def _line(limit: int) -> Callable[[str, str], str]:
    return lambda value, label: clean_text(value, label, max_length=limit)


def _block(value: str, label: str) -> str:
    return clean_text(value, label, multiline=True, max_length=4000)


def _address(value: str, label: str) -> str:
    # printed under the name, each comma a new line (``letterbox.documents``): the window's lines less one
    return clean_address(value, label, max_length=4000, window_lines=WINDOW_LINES - 1, split_commas=True,
                         above="the name")


#: every text field of an arrangement and of a birth relative, with the label its messages name and the one
#: function that cleans and checks it as it will be stored: the form, an update and the import's new rows
#: alike (the import once inserted new rows past these checks: a child "12345", adopters "+44 7700 900000").
#: The keys are :class:`ArrangementInput`'s fields, and ``relative_name``, ``relationship``,
#: ``relative_salutation``, ``relative_address`` and ``protected_term`` for a relative's and a term's.
FIELD_CLEANERS: dict[str, tuple[str, Callable[[str, str], str]]] = {
    "reference": ("Reference", lambda value, label: clean_reference(value, label, max_length=None)),
    "child_birth_name": ("Child's birth name", clean_name),
    "child_adoptive_name": ("Child's adoptive name", clean_name),
    # the first line of the adopters' letters' address block: it must fit the envelope's window too
    "adopters_name": ("Adopters' names", lambda value, label: check_name_line(clean_name(value, label, max_length=160),
                                                                              label)),
    "adopters_address": ("Adopters' address", _address),
    "adopters_salutation": ("Adopters' salutation", clean_salutation),
    "may_send": ("What may be sent", _line(120)),
    "exchange_months": ("Exchange months", _line(40)),
    "coordinator": ("Coordinator", lambda value, label: clean_name(value, label, max_length=60)),
    "notes": ("Notes", _block),
    "relative_name": ("Birth relative", lambda value, label: check_name_line(clean_name(value, label), label)),
    "relationship": ("Relationship", _line(60)),
    "relative_salutation": ("Birth relative's salutation", clean_salutation),
    "relative_address": ("Birth relative's address", _address),
    "protected_term": ("Protected term", _line(200)),
}


def clean_field(key: str, value: str | None, label: str | None = None) -> str:
    """``value`` of the field ``key`` (:data:`FIELD_CLEANERS`) as it will be stored, else a
    :class:`ValidationError` whose message starts with ``label`` (the form's label by default) and whose
    ``field`` is that label: control characters refused, invisible characters removed, a name with no
    letter or a name or address line that starts like a spreadsheet formula refused."""
    default, cleaner = FIELD_CLEANERS[key]
    return cleaner(value or "", label or default)


def _clean(data: ArrangementInput) -> ArrangementInput:
    """Names, references and text as they will be stored (forms and imports alike, each field through
    :func:`clean_field`): control characters refused, invisible characters removed, dates within a sensible
    range."""
    check_date(data.child_dob, "Child's date of birth", "birth")
    check_date(data.start_date, "Start date", "event")
    check_date(data.review_date, "Review date", "schedule")
    check_date(data.direct_started_on, "Direct contact began", "event")
    check_date(data.direct_ended_on, "Direct contact ended", "event")

    def f(key: str) -> str:
        return clean_field(key, getattr(data, key))

    return replace(
        data, reference=f("reference"), child_birth_name=f("child_birth_name"),
        child_adoptive_name=f("child_adoptive_name"), adopters_name=f("adopters_name"),
        adopters_address=f("adopters_address"), adopters_salutation=f("adopters_salutation"),
        may_send=f("may_send"), exchange_months=f("exchange_months"), coordinator=f("coordinator"), notes=f("notes"),
        participants=tuple(replace(p, name=clean_field("relative_name", p.name),
                                   relationship=clean_field("relationship", p.relationship),
                                   salutation=clean_field("relative_salutation", p.salutation),
                                   address=clean_field("relative_address", p.address))
                           for p in data.participants),
        protected=tuple(replace(t, term=clean_field("protected_term", t.term)) for t in data.protected))


def agreement_terms(data: ArrangementInput) -> rules.AgreementTerms:
    """What ``rules.agreement_problems`` judges of an arrangement."""
    return rules.AgreementTerms(data.child_dob, data.start_date, data.review_date, data.exchange_months,
                                data.status)


def _validate(data: ArrangementInput, stored: Collection[rules.AgreementTerms] = (),
              today: dt.date | None = None) -> ArrangementInput:
    """``data`` cleaned and checked as it will be stored. ``stored``: the arrangement as saved (and an undo's
    version put back): a rule of ``rules.agreement_problems`` whose values are unchanged from one of them, and
    exchange months as stored, are not judged again (an arrangement saved before the rule still saves).
    ``today``: the caller's (a re-activation once the child is 18 is refused), default the PC's date."""
    data = _clean(data)
    ref = data.reference.strip()
    if not ref:
        raise ValidationError("Reference: enter the agency reference for this child.", "reference")
    if len(ref) > 40:
        raise ValidationError("Reference: use at most 40 characters.", "reference")
    if any(data.exchange_months.strip() == s.exchange_months.strip() for s in stored):
        months = rules.parse_months(data.exchange_months)
    else:
        months = rules.exchange_months_value(data.exchange_months)  # a month given twice is refused
    if data.status not in rules.STORED_STATUSES:
        raise ValidationError(f"Status: choose one of {', '.join(rules.STORED_STATUSES)}.", "status")
    if data.first_writer not in (rules.ADOPTIVE, rules.BIRTH):
        raise ValidationError("Who writes first: choose 'adoptive' or 'birth'.", "first_writer")
    if not 0 <= data.frequency <= 12:
        raise ValidationError("Frequency: give the number of exchanges a year (0 to 12).", "frequency")
    if data.child_birth_name and data.child_adoptive_name and \
            data.child_birth_name.strip().lower() == data.child_adoptive_name.strip().lower():
        pass  # same names are allowed (many children keep their first name)
    before_birth = rules.start_before_birth(data.child_dob, data.start_date)
    if before_birth:
        raise ValidationError(before_birth, "start_date")
    for p in data.participants:
        if not p.name.strip():
            raise ValidationError("Birth relative: enter the relative's name.", "participants")
    problems = contact.contact_problems(data.contact_kind, data.direct_form, data.direct_started_on,
                                       data.direct_ended_on, data.start_date)
    if problems:
        raise ValidationError(problems[0][1], problems[0][0])
    broken = rules.agreement_problems(agreement_terms(data), stored, today=today or dt.date.today())
    if broken:
        raise ValidationError(broken[0][1], broken[0][0])
    return replace(data, reference=ref, exchange_months=",".join(str(m) for m in months),
                   frequency=data.frequency or len(months))


def check_arrangement(data: ArrangementInput, stored: ArrangementInput | None = None, *,
                      today: dt.date | None = None) -> None:
    """Refuse what a save would refuse in the values themselves (no database: a reference on more than one
    line, a control character, a wrong month or date, a review before the start), so that a form says it
    before anything else, such as the essentials still missing, which would otherwise quote the wrong value
    first (a letter pasted into the one-line Reference showed as "Not saved yet: Dear Sam, is missing ...").
    ``stored``: the arrangement as the form opened it, whose values already saved are not judged again.
    ``today``: the form's (default the PC's date)."""
    _validate(data, [agreement_terms(stored)] if stored is not None else [], today)


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
    for surname in rules.surnames_in(data.adopters_name):  # each adopter's, not only the last named
        if surname.lower() not in known:
            out.append(TermData(surname, "adoptive surname"))
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
    for p in session.scalars(select(Participant).where(Participant.arrangement_id.in_(arrangement_ids))
                             .order_by(Participant.id)):
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
    return arrangement_values(_input_of(session, a))


def _day(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def arrangement_values(data: ArrangementInput) -> dict[str, str]:
    """An arrangement's fields as the conflict window shows them, the form's version and the stored one
    alike: every field of the arrangement form, so a change to any of them is named (the window compares
    these texts to tell the person's own changes from a colleague's). Exchange months in words, dates as
    dd/mm/yyyy, the adoptive side's protected terms before the birth side's (as the form lists them)."""
    try:
        months = rules.months_text(rules.parse_months(data.exchange_months)) if data.exchange_months.strip() else ""
    except ValidationError:
        months = data.exchange_months.strip()  # stored before months were checked: shown as it is
    terms = sorted(data.protected, key=lambda t: t.side != rules.ADOPTIVE)  # stable: each side in its order

    def relative(p: ParticipantData) -> str:
        said = ", ".join(x for x in (p.relationship, *p.address.splitlines()) if x.strip())
        return f"{p.name.strip()} ({said})" + (f", greeted as {p.salutation}" if p.salutation.strip() else "")

    return {"Reference": data.reference.strip(), "Child (birth name)": data.child_birth_name.strip(),
            "Child (adoptive name)": data.child_adoptive_name.strip(), "Child's date of birth": _day(data.child_dob),
            "Adopters": data.adopters_name.strip(), "Adopters are greeted as": data.adopters_salutation.strip(),
            "Adopters' address": ", ".join(x.strip() for x in data.adopters_address.splitlines() if x.strip()),
            "What may be sent": data.may_send.strip(), "Exchange months": months,
            "Who writes first": "Adoptive family" if data.first_writer == rules.ADOPTIVE else "Birth relative(s)",
            "Replies expected": "Yes" if data.replies_expected else "No",
            "Email exchange allowed": "Yes" if data.email_allowed else "No",
            "Start date": _day(data.start_date), "Review date": _day(data.review_date), "Status": data.status,
            "Coordinator": data.coordinator.strip(), "Notes": data.notes.strip(),
            "Kind of contact": contact.CONTACT_KINDS.get(data.contact_kind, data.contact_kind),
            "Direct contact: how": contact.DIRECT_FORMS.get(data.direct_form, data.direct_form)
            if data.direct_form else "",
            "Direct contact began": _day(data.direct_started_on), "Direct contact ended": _day(data.direct_ended_on),
            "Relatives": "; ".join(relative(p) for p in data.participants),
            "Protected terms": "; ".join(f"{t.term.strip()} ({t.side})" for t in terms)}


def coordinator_accounts_in(session: Session) -> dict[str, str]:
    """The accounts an arrangement's coordinator may name: login → full name of every enabled user who
    may keep the letterbox (``letterbox.edit``)."""
    from adoption_desktop.core.security.models import User, UserRole
    from adoption_desktop.core.security.permissions import MATRIX
    from adoption_desktop.core.security.service import in_effect

    cached = session.info.get("coordinator_accounts")
    if cached is not None:  # an import asks for every arrangement it saves, in one transaction
        return dict(cached)
    roles = [str(role) for role, granted in MATRIX.items() if P.LETTERBOX_EDIT in granted]
    found = session.execute(
        select(User.id, UserRole.role, User.username, User.full_name).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.disabled.is_(False))).all()
    effective = in_effect(session, [(uid, role) for uid, role, _login, _name in found])  # not a role added in SQL
    accounts = {login: name for uid, role, login, name in found if (uid, role) in effective}
    session.info["coordinator_accounts"] = accounts
    return dict(accounts)


def coordinator_accounts(db: Database, actor: Principal) -> dict[str, str]:
    """:func:`coordinator_accounts_in`: the choices the arrangement form offers."""
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return coordinator_accounts_in(session)


def _people_checked(session: Session, data: ArrangementInput, arrangement_id: int | None,
                    kept: ArrangementInput | None = None) -> ArrangementInput:
    """The coordinator must be a letterbox coordinator's account (a login or full name, stored as the login)
    and each relative's relationship a known one (:func:`rules.relationship_value`), as the import checks them
    (a trial typed both freely, typos included). A value already stored on this arrangement is kept as it is
    (an account since disabled, a relationship imported before the rule): saving other changes never stops
    on it. ``kept``: an earlier stored version that an undo puts back, whose values count as stored too."""
    stored_coordinators = {kept.coordinator} if kept is not None else set()
    stored: dict[int | str, set[str]] = {}
    if arrangement_id is not None:
        stored_coordinators.add(session.scalar(select(Arrangement.coordinator).where(
            Arrangement.id == arrangement_id)) or "")
        for pid, name, relationship in session.execute(select(
                Participant.id, Participant.name, Participant.relationship).where(
                Participant.arrangement_id == arrangement_id)):
            stored.setdefault(pid, set()).add(relationship)
            stored.setdefault(name.strip().casefold(), set()).add(relationship)
    for p in kept.participants if kept is not None else ():
        if p.id is not None:
            stored.setdefault(p.id, set()).add(p.relationship)
        stored.setdefault(p.name.strip().casefold(), set()).add(p.relationship)
    coordinator = data.coordinator
    if coordinator and coordinator not in stored_coordinators:
        coordinator = rules.coordinator_login(coordinator, coordinator_accounts_in(session))
    parts = []
    for p in data.participants:
        before = stored.get(p.id, set()) if p.id is not None and p.id in stored else \
            stored.get(p.name.strip().casefold(), set())
        if p.relationship and p.relationship in before:
            parts.append(p)
            continue
        parts.append(replace(p, relationship=rules.relationship_value(
            p.relationship, label=f"Birth relative {p.name.strip()}: relationship")))
    return replace(data, coordinator=coordinator, participants=tuple(parts))


def _pattern(a: Arrangement | ArrangementInput) -> rules.Pattern:
    try:
        months = rules.parse_months(a.exchange_months)
    except ValidationError:
        months = ()  # stored before months were checked: nothing was expected of it
    return rules.Pattern(months, a.first_writer, bool(a.replies_expected))


def _record_pattern_change(session: Session, a: Arrangement, data: ArrangementInput,
                           pattern_from: dt.date | None, today: dt.date | None = None) -> None:
    """Keep the agreement's pattern history (``PatternChange``) as ``data`` is saved over ``a`` (still as
    stored): a change of months, first writer or replies is effective from ``pattern_from`` (default today),
    so the work list expects nothing new before it and keeps what the old pattern expected. A second change
    effective the same day amends that day's row (and one that puts the old pattern back removes it: an undo
    the same day leaves no trace but the audit log). Refused: a date in the future, before the agreement's
    start, or before the pattern's latest change. ``today``: the caller's today (the window's clock, which
    its "never later" limit follows past midnight); default the PC's date (the command line)."""
    before, after = _pattern(a), _pattern(data)
    if before == after:
        return
    today = today or dt.date.today()
    day = pattern_from or today
    if day > today:
        raise ValidationError(f"Pattern changes take effect from: {day:%d/%m/%Y} is in the future; save the change "
                              "on or after the day it takes effect.", "pattern_from")
    start = data.start_date
    if start is not None and day < start:
        if start <= today:
            raise ValidationError(f"Pattern changes take effect from: {day:%d/%m/%Y} is before the agreement's "
                                  f"start ({start:%d/%m/%Y}).", "pattern_from")
        if not session.scalar(select(PatternChange.id).where(PatternChange.arrangement_id == a.id).limit(1)):
            return  # not begun: nothing was expected under the old pattern; the new one applies from the start
    latest = session.scalars(select(PatternChange).where(PatternChange.arrangement_id == a.id)
                             .order_by(PatternChange.effective_from.desc()).limit(1)).first()
    if latest is not None and day < latest.effective_from:
        raise ValidationError(f"Pattern changes take effect from: the exchange pattern already changed on "
                              f"{latest.effective_from:%d/%m/%Y}; a later change can take effect from that day on.",
                              "pattern_from")
    who = session_actor(session).username
    months = ",".join(str(m) for m in after.months)
    if latest is not None and day == latest.effective_from:
        if rules.Pattern(rules.parse_months(latest.months_before), latest.first_writer_before,
                         bool(latest.replies_expected_before)) == after:
            session.delete(latest)  # the day's change taken back
            return
        latest.months, latest.first_writer, latest.replies_expected = months, after.first_writer, after.replies_expected
        latest.recorded_by, latest.recorded_at = who, record_now(session)
        return
    session.add(PatternChange(
        arrangement_id=a.id, effective_from=day, months_before=",".join(str(m) for m in before.months),
        first_writer_before=before.first_writer, replies_expected_before=before.replies_expected, months=months,
        first_writer=after.first_writer, replies_expected=after.replies_expected, recorded_by=who))


def pattern_changes_in(session: Session, arrangement_ids: Collection[int] | None = None
                       ) -> dict[int, list[rules.PatternChange]]:
    """Each arrangement's pattern history (``rules.PatternChange``), in one query (a few hundred ids at a
    time); ``arrangement_ids``: only those arrangements'. Arrangements whose pattern never changed are absent."""
    base = select(PatternChange.arrangement_id, PatternChange.effective_from, PatternChange.months_before,
                  PatternChange.first_writer_before, PatternChange.replies_expected_before)
    ids = sorted(set(arrangement_ids)) if arrangement_ids is not None else None
    chunks = [ids[n:n + 500] for n in range(0, len(ids), 500)] if ids is not None else [None]
    out: dict[int, list[rules.PatternChange]] = {}
    for chunk in chunks:
        for aid, day, months, first, replies in session.execute(
                base if chunk is None else base.where(PatternChange.arrangement_id.in_(chunk))):
            try:
                pattern = rules.Pattern(rules.parse_months(months), first, bool(replies))
            except ValidationError:
                pattern = rules.Pattern((), first, bool(replies))  # never stored by this version
            out.setdefault(aid, []).append(rules.PatternChange(day, pattern))
    return out


def save_arrangement_in(session: Session, data: ArrangementInput, arrangement_id: int | None = None, *,
                        replace: bool = False, expected_version: int | None = None,
                        kept: ArrangementInput | None = None, pattern_from: dt.date | None = None,
                        today: dt.date | None = None) -> int:
    """Create or update inside the caller's transaction (used by the import).

    An update always makes a new version of the arrangement (its relatives and protected terms are part
    of it), so a form loaded before that save is refused rather than deleting what it never showed.
    ``kept``: see :func:`_people_checked` (an undo). A change of its exchange pattern is effective from
    ``pattern_from`` (default today) and kept in its history in the same transaction
    (:func:`_record_pattern_change`, checked against ``today``: the caller's, default the PC's date)."""
    stored = [agreement_terms(kept)] if kept is not None else []
    saved = session.get(Arrangement, arrangement_id) if arrangement_id is not None else None
    if saved is not None:
        stored.append(rules.AgreementTerms(saved.child_dob, saved.start_date, saved.review_date,
                                           saved.exchange_months, saved.status))
    data = _people_checked(session, _validate(data, stored, today), arrangement_id, kept)
    # references are compared after normalisation: case, spacing, full-width forms, invisible characters
    # (rows made around the ORM, with no key, compared by their reference: ``arrangement_by_reference``)
    clash = arrangement_by_reference(session, data.reference, other_than=arrangement_id)
    if clash is not None:
        raise Conflict(f"Reference: {data.reference} is already used by another arrangement"
                       + (f" (as {clash[1]})" if clash[1] != data.reference else "") + ".")
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
        _record_pattern_change(session, a, data, pattern_from, today)
        _apply(a, data)
        own_change = session.is_modified(a)
        a.updated_at = record_now(session)  # a new version even when only relatives or protected terms change
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
                       replace: bool = True, expected_version: int | None = None,
                       kept: ArrangementInput | None = None, pattern_from: dt.date | None = None,
                       today: dt.date | None = None) -> int:
    """Save the whole agreement as edited (relatives and protected terms as listed). ``expected_version``:
    the ``row_version`` the form was loaded with; a stale form is refused (:class:`StaleRecord`), never
    saved over a colleague's change. Returns the new version. ``kept``: the version an undo puts back, as
    it was stored (its coordinator and relationships are not checked again: an old arrangement's undo
    restores them as they were). ``pattern_from``: the day a change of the exchange pattern takes effect
    (default ``today``: the caller's today, as the window's clock gives it; default the PC's date, as the
    command line has it)."""
    require(actor, P.LETTERBOX_EDIT)
    with db.session(actor) as session:
        save_arrangement_in(session, data, arrangement_id, replace=replace, expected_version=expected_version,
                            kept=kept, pattern_from=pattern_from, today=today)
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
    with db.session(actor, views_only=True) as session:
        a = get_or_raise(session, Arrangement, arrangement_id, f"No arrangement {arrangement_id}.")
        audit.record_view(session, "letterbox_arrangements", a.id)
        months = get_setting(session, INACTIVE_AFTER_MONTHS)
        from adoption_desktop.letterbox.sent_list import voided_batches

        rows = list(session.scalars(
            select(LetterSent).where(LetterSent.arrangement_id == a.id).order_by(LetterSent.sent_on.desc())))
        void = voided_batches(session, {s.batch for s in rows})  # kept and listed, marked voided
        sent = tuple(SentRow(s.kind, s.side, s.sent_on, s.batch,
                             void[s.batch].said() if s.batch in void else "") for s in rows)
        return ArrangementDetail(
            _input_of(session, a), a.id,
            rules.computed_status(a.status, today=today, last_exchange=a.last_exchange, start_date=a.start_date,
                                  child_dob=a.child_dob, inactive_after_months=months),
            rules.eighteenth_birthday(a.child_dob) if a.child_dob else None, sent, a.row_version,
            tuple(sorted(pattern_changes_in(session, [a.id]).get(a.id, ()), key=lambda c: c.effective_from)))


def set_arrangement_status(db: Database, actor: Principal, arrangement_id: int, status: str, *,
                           expected_version: int | None, today: dt.date | None = None) -> int:
    """Set the arrangement's stored status (active, suspended, ended) on its own. ``expected_version``: the
    ``row_version`` the person saw (``ArrangementDetail.row_version``), as :func:`update_arrangement` takes
    it: a colleague's save since is refused (:class:`StaleRecord`, the same words), never overwritten.
    ``None`` only from a script, which saw no version (then the latest save wins, under the row's lock).
    The old status is read under the row's lock and logged with the new (``{"status": [old, new]}``); the
    status it already has is no change: no new version, no audit entry. Returns the row's version now.
    The rules that depend on the status (``rules.agreement_problems``, judged against the record as stored)
    apply as a save of the form applies them: made active again with no exchange month, or once the child is
    18 (by ``today``, default the PC's date), is refused (:class:`ValidationError`), nothing changed.

    One ``update()`` statement of its own (sealed by the ``do_orm_execute`` hook, stamped with
    ``record_now``), guarded by the version read under the lock as well."""
    require(actor, P.LETTERBOX_EDIT)
    if status not in rules.STORED_STATUSES:
        raise ValidationError(f"Status: choose one of {', '.join(rules.STORED_STATUSES)}.", "status")
    with db.session(actor) as session:
        a = get_or_raise(session, Arrangement, arrangement_id, f"No arrangement {arrangement_id}.")
        check_version(session, a, expected_version, f"arrangement {a.reference}",
                      lambda row: _arrangement_values(session, row))
        old, version = a.status, int(a.row_version)
        if old == status:
            return version
        saved = rules.AgreementTerms(a.child_dob, a.start_date, a.review_date, a.exchange_months, old)
        broken = rules.agreement_problems(replace(saved, status=status), [saved], today=today or dt.date.today())
        if broken:
            raise ValidationError(broken[0][1], broken[0][0])
        done = session.execute(update(Arrangement)
                               .where(Arrangement.id == arrangement_id, Arrangement.row_version == version)
                               .values(status=status, row_version=version + 1,
                                       updated_at=record_now(session)))  # not its onupdate: the PC's clock
        if getattr(done, "rowcount", 1) != 1:  # cannot happen under the row's lock; never log a change not made
            session.refresh(a)
            raise stale(session, a, expected_version, f"arrangement {a.reference}",
                        lambda row: _arrangement_values(session, row))
        audit.record(session, "update", "letterbox_arrangements", arrangement_id, changes={"status": [old, status]})
        return version + 1
