"""Search everywhere (Ctrl+K): references, initials, names and dates across every area the user may see.

One read-only transaction per keystroke (no audit entry: nothing is opened yet; opening a result goes
through the area's own service, which writes the ``view`` entry as it always has). Each area is
searched only if the signed-in user's roles give its view permission
(:mod:`adoption_desktop.core.security.permissions`): a counsellor gets no letterbox or panel results.

* **Letterbox items** (100,000+) and **arrangements** through their full-text indexes
  (:func:`adoption_desktop.core.storage.search.matching_ids`, the same index the registers use):
  every word of the query as a word prefix; items newest logged first, read from the index with LIMIT.
* **Panel items**, **ADM decisions** and **counselling cases** (hundreds to a few thousand rows):
  every word as a case-insensitive substring of the reference, initials or names, with ``LIMIT``.
* A query that is a date (``4/3/2026``, ``04-03-2026``, ``2026-03-04``, ``4 March 2026``) finds the
  records of that day instead: sitting, received, due and decided dates, dates of birth, referral,
  adoption order and closure, exchanges received.

At most ``per_area`` results per area are returned, with ``more`` set when there are others: the user
then opens the area's own register filtered by the same words.

This module reads the areas' tables directly (like the figures in :mod:`adoption_desktop.reports`),
because one transaction for every area is what keeps a keystroke within 50 ms.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_, select
from sqlalchemy.orm import Session

from adoption_desktop.core.errors import PermissionDenied, ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal
from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import clean_text

#: Results shown per area before "More in <area>…".
PER_AREA = 8
#: Longest query looked at (a paste of a whole letter is cut here).
MAX_QUERY = 200


@dataclass(frozen=True)
class Area:
    key: str  # also the result kind
    label: str
    page: str  # the navigation target that shows it (ui.navigation.NAV_TARGETS)
    permission: Permission


PANEL_ITEMS = Area("panel_items", "Panel items", "panel", Permission.PANEL_VIEW)
DECISIONS = Area("decisions", "ADM decisions", "adm", Permission.ADM_VIEW)
ARRANGEMENTS = Area("arrangements", "Letterbox arrangements", "letterbox", Permission.LETTERBOX_VIEW)
LETTERBOX_ITEMS = Area("letterbox_items", "Letterbox items", "letterbox", Permission.LETTERBOX_VIEW)
COUNSELLING_CASES = Area("counselling_cases", "Counselling cases", "counselling", Permission.COUNSELLING_VIEW)
#: In the order they are listed.
AREAS: tuple[Area, ...] = (PANEL_ITEMS, DECISIONS, ARRANGEMENTS, LETTERBOX_ITEMS, COUNSELLING_CASES)


@dataclass(frozen=True)
class Hit:
    """One record found. ``record_id`` is the id the area's page opens; ``parent_id`` the sitting of
    a panel item or the arrangement of a letterbox item."""

    area: str
    record_id: int
    title: str  # reference (and initials)
    detail: str  # names, dates: what tells two similar references apart
    parent_id: int | None = None


@dataclass(frozen=True)
class AreaResults:
    area: Area
    hits: tuple[Hit, ...]
    more: bool  # there are more than the hits listed


@dataclass(frozen=True)
class SearchResults:
    query: str
    date: dt.date | None  # the query read as a date, if it is one
    areas: tuple[AreaResults, ...]  # only areas with hits, in AREAS order

    @property
    def hits(self) -> tuple[Hit, ...]:
        return tuple(h for a in self.areas for h in a.hits)


def areas_for(actor: Principal) -> tuple[Area, ...]:
    """The areas ``actor``'s roles let them search."""
    return tuple(a for a in AREAS if actor.can(a.permission))


# --- the query --------------------------------------------------------------------------------------
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_MONTHS = {m: n for n, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")), start=1) for m in names}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDY_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$", re.IGNORECASE)


def clean_query(query: str) -> str:
    """The query as searched: control characters (a pasted tab) become spaces, then the shared input
    sanitation (NFC, invisible characters removed, spaces collapsed), cut at :data:`MAX_QUERY`."""
    text = _CONTROL.sub(" ", query or "")[:MAX_QUERY]
    return clean_text(text, "Search")


def parse_date(query: str) -> dt.date | None:
    """The query as a date written the English way (day first), or ISO; ``None`` if it is not one."""
    text = query.strip()
    try:
        if m := _ISO_DATE.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC_DATE.match(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if (m := _WORDY_DATE.match(text)) and m[2].lower() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    except ValueError:  # 31/02/2026: not a date, so searched as words
        return None
    return None


def _like(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _words_match(words: Sequence[str], columns: Sequence[Any]) -> ColumnElement[bool]:
    """Every word is in one of ``columns`` (case-insensitive substring)."""
    return and_(*(or_(*(func.lower(c).like(_like(w), escape="\\") for c in columns)) for w in words))


def _compact(column: Any) -> ColumnElement[str]:
    """``column`` lower-cased without dots, spaces or hyphens (``J.B.`` and ``j b`` compare equal)."""
    return func.replace(func.replace(func.replace(func.lower(column), ".", ""), " ", ""), "-", "")


def _key(text: str) -> str:
    return re.sub(r"[.\s\-]", "", text.lower())


def _found(words: Sequence[str], text: str, reference: Any, initials: Any | None,
           others: Sequence[Any]) -> tuple[ColumnElement[bool], ColumnElement[int]]:
    """The WHERE clause for a typed query over a small table, and a rank putting the exact reference
    first, then exact initials (``JB`` finds ``J.B.``, which the word ``JB`` would not), then the rest."""
    columns = (reference, *((initials,) if initials is not None else ()), *others)
    match = _words_match(words, columns)
    key = _key(text)
    exact_ref = _compact(reference) == key
    if initials is None:
        return or_(match, exact_ref), case((exact_ref, 0), else_=2)
    exact_initials = _compact(initials) == key
    return (or_(match, exact_ref, exact_initials),
            case((exact_ref, 0), (exact_initials, 1), else_=2))


def _reference_like(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def _prefix(text: str) -> str:
    return _key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _day(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


# --- the areas --------------------------------------------------------------------------------------
def _panel_items(session: Session, words: list[str], text: str, day: dt.date | None, limit: int) -> list[Hit]:
    from adoption_desktop.panel.models import PanelItem, PanelSitting

    ti, ts = PanelItem.__table__, PanelSitting.__table__  # Core: no ORM work per keystroke
    i, s = ti.c, ts.c
    stmt = select(i.id, i.sitting_id, i.subject_reference, i.subject_initials, i.case_type, i.presenting_worker,
                  s.sitting_date).select_from(ti.join(ts, s.id == i.sitting_id))
    rank: ColumnElement[int] = literal(0)
    if day is not None:
        stmt = stmt.where(s.sitting_date == day)
    else:
        where, rank = _found(words, text, i.subject_reference, i.subject_initials, (i.presenting_worker,))
        stmt = stmt.where(where)
    rows = session.connection().execute(stmt.order_by(rank, s.sitting_date.desc(), i.position, i.id).limit(limit)).all()
    return [Hit(PANEL_ITEMS.key, r.id, _join(r.subject_reference, r.subject_initials),
                _join(f"sitting {_day(r.sitting_date)}", r.case_type.replace("_", " "), r.presenting_worker),
                r.sitting_id) for r in rows]


def _decisions(session: Session, words: list[str], text: str, day: dt.date | None, limit: int) -> list[Hit]:
    from adoption_desktop.adm import rules as adm_rules
    from adoption_desktop.adm.models import AdmDecision

    td = AdmDecision.__table__
    fv = td.alias("first_version")  # a correction is the same decision: its first version's date is the decision's
    d, first = td.c, fv.c
    stmt = select(d.id, d.subject_reference, d.subject_initials, d.decision_type, d.state, d.received_on,
                  d.due_on, d.decided_on, first.decided_on.label("first_decided_on"), d.social_worker).select_from(
        td.join(fv, first.id == func.coalesce(d.root_id, d.id))).where(  # the latest version of each
        d.id.not_in(select(d.supersedes_id).where(d.supersedes_id.is_not(None)).correlate(None)))
    rank: ColumnElement[int] = literal(0)
    if day is not None:
        stmt = stmt.where(or_(d.received_on == day, d.due_on == day, d.decided_on == day, first.decided_on == day,
                              d.sitting_date == day))
    else:
        where, rank = _found(words, text, d.subject_reference, d.subject_initials, (d.social_worker, d.salutation))
        stmt = stmt.where(where)
    rows = session.connection().execute(stmt.order_by(rank, d.received_on.desc(), d.id.desc()).limit(limit)).all()
    return [Hit(DECISIONS.key, r.id, _join(r.subject_reference, r.subject_initials),
                _join(r.decision_type.replace("_", " "), r.state, f"received {_day(r.received_on)}",
                      f"decided {adm_rules.decided_text(r.first_decided_on, r.decided_on)}" if r.decided_on else
                      (f"due {_day(r.due_on)}" if r.due_on else ""))) for r in rows]


def _arrangements(session: Session, query: str, day: dt.date | None, limit: int) -> list[Hit]:
    from adoption_desktop.letterbox.models import Arrangement
    from adoption_desktop.letterbox.service import ARRANGEMENTS_INDEX

    a = Arrangement.__table__.c
    stmt = select(a.id, a.reference, a.child_birth_name, a.child_adoptive_name, a.adopters_name, a.status,
                  a.coordinator)
    if day is not None:
        stmt = stmt.where(or_(a.child_dob == day, a.start_date == day, a.review_date == day,
                              a.last_exchange == day))
    else:
        ids = search.matching_ids(session.connection(), ARRANGEMENTS_INDEX, query)
        found = stmt.where(a.id.in_(ids) if ids is not None else false())
        rows = session.connection().execute(found.order_by(a.reference, a.id).limit(limit)).all()
        if rows or not _reference_like(query):
            return _arrangement_hits(rows)
        # team mode's text search reads "LB-00001" as "lb" and "-00001": the reference itself, then
        stmt = stmt.where(_compact(a.reference).like(_prefix(query), escape="\\"))
    rows = session.connection().execute(stmt.order_by(a.reference, a.id).limit(limit)).all()
    return _arrangement_hits(rows)


def _arrangement_hits(rows: Sequence[Any]) -> list[Hit]:
    return [Hit(ARRANGEMENTS.key, r.id, r.reference,
                _join(" / ".join(n for n in (r.child_birth_name, r.child_adoptive_name) if n), r.adopters_name,
                      r.status)) for r in rows]


def _letterbox_items(session: Session, query: str, day: dt.date | None, limit: int) -> list[Hit]:
    from adoption_desktop.letterbox.models import Arrangement, Item
    from adoption_desktop.letterbox.service import ITEMS_INDEX

    ti, ta = Item.__table__, Arrangement.__table__
    i, a = ti.c, ta.c
    stmt = select(i.id, i.arrangement_id, a.reference, i.writer, i.item_type, i.direction, i.received_on,
                  i.status).select_from(ti.join(ta, a.id == i.arrangement_id))
    if day is not None:
        stmt = stmt.where(i.received_on == day)
    else:
        ids = search.matching_ids(session.connection(), ITEMS_INDEX, query)
        if ids is None:
            return []
        # the newest logged first, taken straight from the index (rowid descending) with LIMIT: a
        # one-letter prefix matching most of 100,000 items costs no more than a surname
        found = ids.subquery()
        newest = select(found.c.doc_id).order_by(found.c.doc_id.desc()).limit(limit)
        rows = session.connection().execute(stmt.where(i.id.in_(newest)).order_by(i.id.desc()).limit(limit)).all()
        if rows or not _reference_like(query):
            return _item_hits(rows)
        # team mode: by the arrangement's reference itself (see _arrangements); none, nothing to scan
        arrangements = list(session.connection().scalars(
            select(a.id).where(_compact(a.reference).like(_prefix(query), escape="\\")).limit(50)))
        if not arrangements:
            return []
        stmt = stmt.where(i.arrangement_id.in_(arrangements))
    order = (i.received_on.desc(), i.id.desc()) if day is not None else (i.id.desc(),)
    rows = session.connection().execute(stmt.order_by(*order).limit(limit)).all()
    return _item_hits(rows)


def _item_hits(rows: Sequence[Any]) -> list[Hit]:
    direction = {"adoptive_to_birth": "adoptive → birth", "birth_to_adoptive": "birth → adoptive"}
    return [Hit(LETTERBOX_ITEMS.key, r.id, _join(r.reference, r.item_type),
                _join(f"received {_day(r.received_on)}", r.writer, direction.get(r.direction, r.direction),
                      r.status), r.arrangement_id) for r in rows]


def _counselling_cases(session: Session, words: list[str], text: str, day: dt.date | None,
                       limit: int) -> list[Hit]:
    from adoption_desktop.counselling.models import CounsellingCase

    c = CounsellingCase.__table__.c
    stmt = select(c.id, c.reference, c.current_name, c.birth_name, c.date_of_birth, c.referral_date, c.closed_on)
    rank: ColumnElement[int] = literal(0)
    if day is not None:
        stmt = stmt.where(or_(c.referral_date == day, c.date_of_birth == day, c.adoption_order_date == day,
                              c.closed_on == day))
    else:
        where, rank = _found(words, text, c.reference, None, (c.current_name, c.birth_name))
        stmt = stmt.where(where)
    rows = session.connection().execute(stmt.order_by(rank, c.referral_date.desc(), c.id.desc()).limit(limit)).all()
    return [Hit(COUNSELLING_CASES.key, r.id, r.reference,
                _join(r.current_name, f"born {r.birth_name}" if r.birth_name != r.current_name else "",
                      f"referred {_day(r.referral_date)}", "closed" if r.closed_on else "open")) for r in rows]


def search_everywhere(db: Database, actor: Principal, query: str, *, per_area: int = PER_AREA) -> SearchResults:
    """Up to ``per_area`` records per area that ``actor`` may see, for ``query`` as typed.

    A user whose roles include none of the areas is refused (:class:`PermissionDenied`); an empty query
    (or one of punctuation only) finds nothing. Read-only: no audit entry is written
    (opening a record from the results does that, in its area)."""
    areas = areas_for(actor)
    if not areas:  # checked first, like every use case (tests/test_permissions_everywhere.py)
        roles = ", ".join(sorted(r.label for r in actor.roles)) or "none"
        raise PermissionDenied(
            "Search everywhere finds case records: panel items, ADM decisions, letterbox arrangements and "
            f"items, counselling cases. Your roles, {roles}, include none of these, so there is nothing here for "
            "you to search; the figures are on the Reports page. Ask an administrator to change your roles if "
            "you should see case records.")
    if per_area < 1:
        raise ValidationError("Search: ask for at least one result per area.", "per_area")
    text = clean_query(query)
    words = search.words(text)
    day = parse_date(text)
    if not words and day is None:
        return SearchResults(text, day, ())
    limit = per_area + 1
    out: list[AreaResults] = []
    with db.session(actor, write=False) as session:
        for area in areas:
            if area is PANEL_ITEMS:
                hits = _panel_items(session, words, text, day, limit)
            elif area is DECISIONS:
                hits = _decisions(session, words, text, day, limit)
            elif area is ARRANGEMENTS:
                hits = _arrangements(session, text, day, limit)
            elif area is LETTERBOX_ITEMS:
                hits = _letterbox_items(session, text, day, limit)
            else:
                hits = _counselling_cases(session, words, text, day, limit)
            if hits:
                out.append(AreaResults(area, tuple(hits[:per_area]), len(hits) > per_area))
    return SearchResults(text, day, tuple(out))
