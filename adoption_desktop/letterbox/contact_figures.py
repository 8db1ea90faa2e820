"""Post box figures on how contact happens, for the Reports page, its CSV and the report (counts only):

* **E-mail facility use**: items received in the period by channel (post, secure e-mail, the digital
  letterbox, handed in), the share by e-mail, and the arrangements that exchanged by e-mail.
* **Direct contact**: arrangements whose contact is direct (face to face or by video, with or without the
  letterbox) at the end of the period, by form, and those whose direct contact began or ended in it.

Each count can be opened to the arrangements or items behind it (:func:`behind`, ``letterbox.view``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import percent
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.contact import (
    CHANNELS,
    CONTACT_KINDS,
    DIRECT_FORMS,
    EMAIL_CHANNELS,
    is_direct,
)
from adoption_desktop.letterbox.models import Arrangement, Item
from adoption_desktop.reports.behind import Behind
from adoption_desktop.reports.model import FigureSection

EMAIL = "Post box: e-mail facility use"
DIRECT = "Post box: direct contact"
SECTIONS = (EMAIL, DIRECT)

CHANNEL_LABELS = {"post": "Items received by post", "email": "Items received by secure e-mail",
                  "digital": "Items received through the digital letterbox", "hand": "Items handed in"}
ALL_EMAIL = "Items received by e-mail or the digital letterbox"
EMAIL_SHARE = "Share of items received by e-mail or the digital letterbox"
EMAIL_ARRANGEMENTS = "Arrangements that exchanged by e-mail or the digital letterbox"
EMAIL_ALLOWED = "Arrangements whose agreement allows e-mail exchange, at the end of the period"
DIRECT_AT_END = "Arrangements with direct contact at the end of the period"
FORM_LABELS = {"face_to_face": "of which face to face", "video": "of which by video call",
               "both": "of which face to face and by video call", "": "of which form not recorded"}
WITH_LETTERBOX = "of which with the letterbox as well"
DIRECT_SHARE = "Share of arrangements with direct contact at the end of the period"
DIRECT_STARTED = "Direct contact began in the period"
DIRECT_ENDED = "Direct contact ended in the period"

ITEM_COLUMNS = ("Arrangement", "Received", "Direction", "Received by")
ARR_COLUMNS = ("Arrangement", "Kind of contact", "Form of direct contact", "Direct contact began",
               "Direct contact ended", "E-mail allowed")

Lists = dict[str, dict[str, list[tuple[str, ...]]]]


def _d(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


def _pct(part: int, whole: int) -> str:
    return "–" if not whole else percent(part, whole)


def _open_at(a: Any, end: dt.date) -> bool:
    """The arrangement had started by ``end`` and has not ended (its stored status)."""
    return (a.start_date is None or a.start_date <= end) and a.status != "ended"


def _direct_at(a: Any, end: dt.date) -> bool:
    began = a.direct_started_on or a.start_date
    return (is_direct(a.contact_kind) and _open_at(a, end) and (began is None or began <= end)
            and (a.direct_ended_on is None or a.direct_ended_on > end))


def _lists(session: Session, start: dt.date, end: dt.date) -> tuple[Lists, dict[str, str]]:
    """Every list behind the section's counts, and the shares (which have no list)."""
    items = list(session.execute(
        select(Arrangement.reference, Item.received_on, Item.direction, Item.channel)
        .join(Arrangement, Arrangement.id == Item.arrangement_id)
        .where(Item.received_on >= start, Item.received_on <= end, Item.status != rules.LOGGED_IN_ERROR)
        .order_by(Item.received_on, Arrangement.reference)))

    def item_row(r: Any) -> tuple[str, ...]:
        return (r.reference, _d(r.received_on), rules.DIRECTIONS.get(r.direction, r.direction),
                CHANNELS.get(r.channel, r.channel))

    email: dict[str, list[tuple[str, ...]]] = {
        label: [item_row(r) for r in items if r.channel == c] for c, label in CHANNEL_LABELS.items()}
    email[ALL_EMAIL] = [item_row(r) for r in items if r.channel in EMAIL_CHANNELS]
    by_arr: dict[str, list[Any]] = {}
    for r in items:
        if r.channel in EMAIL_CHANNELS:
            by_arr.setdefault(r.reference, []).append(r)
    arrangements = list(session.execute(select(
        Arrangement.reference, Arrangement.contact_kind, Arrangement.direct_form, Arrangement.direct_started_on,
        Arrangement.direct_ended_on, Arrangement.email_allowed, Arrangement.start_date, Arrangement.status)
        .order_by(Arrangement.reference)))

    def arr_row(a: Any) -> tuple[str, ...]:
        return (a.reference, CONTACT_KINDS.get(a.contact_kind, a.contact_kind),
                DIRECT_FORMS.get(a.direct_form, a.direct_form) if is_direct(a.contact_kind) else "",
                _d(a.direct_started_on), _d(a.direct_ended_on), "Yes" if a.email_allowed else "No")

    email[EMAIL_ARRANGEMENTS] = [arr_row(a) for a in arrangements if a.reference in by_arr]
    email[EMAIL_ALLOWED] = [arr_row(a) for a in arrangements if a.email_allowed and _open_at(a, end)]
    at_end = [a for a in arrangements if _direct_at(a, end)]
    direct: dict[str, list[tuple[str, ...]]] = {DIRECT_AT_END: [arr_row(a) for a in at_end]}
    for form, label in FORM_LABELS.items():
        rows = [arr_row(a) for a in at_end if a.direct_form == form]
        if rows or form:
            direct[label] = rows
    direct[WITH_LETTERBOX] = [arr_row(a) for a in at_end if a.contact_kind == "direct_and_letterbox"]
    direct[DIRECT_STARTED] = [arr_row(a) for a in arrangements if is_direct(a.contact_kind)
                              and a.direct_started_on is not None and start <= a.direct_started_on <= end]
    direct[DIRECT_ENDED] = [arr_row(a) for a in arrangements if is_direct(a.contact_kind)
                            and a.direct_ended_on is not None and start <= a.direct_ended_on <= end]
    open_at_end = sum(1 for a in arrangements if _open_at(a, end))
    shares = {EMAIL_SHARE: _pct(len(email[ALL_EMAIL]), len(items)),
              DIRECT_SHARE: _pct(len(at_end), open_at_end)}
    return {EMAIL: email, DIRECT: direct}, shares


def _sections(lists: Lists, shares: dict[str, str]) -> list[FigureSection]:
    out = []
    for title, share_after in ((EMAIL, ALL_EMAIL), (DIRECT, WITH_LETTERBOX)):
        section = FigureSection(title)
        for label, rows in lists[title].items():
            section.rows.append((label, str(len(rows))))
            if label == share_after:
                share = EMAIL_SHARE if title == EMAIL else DIRECT_SHARE
                section.rows.append((share, shares[share]))
        out.append(section)
    return out


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    """The two sections for ``start``..``end`` inclusive (counts only)."""
    if not actor.can(Permission.LETTERBOX_VIEW):
        require(actor, Permission.REPORTS_VIEW)
    with db.session(actor, write=False) as session:
        return _sections(*_lists(session, start, end))


def opens(section: str, label: str) -> bool:
    return label not in (EMAIL_SHARE, DIRECT_SHARE)


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date) -> Behind:
    """The items or arrangements behind one count (they name cases: ``letterbox.view`` as well)."""
    require(actor, Permission.REPORTS_VIEW, Permission.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        lists, _shares = _lists(session, start, end)
    rows = lists.get(section, {}).get(label)
    if rows is None:
        raise ValidationError(f"{section}: '{label}' is a share, not a count; open the counts above it.", "label")
    is_items = section == EMAIL and label.startswith("Items")
    return Behind(f"{label} ({start:%d/%m/%Y} to {end:%d/%m/%Y})", ITEM_COLUMNS if is_items else ARR_COLUMNS,
                  tuple(rows), "item" if is_items else "arrangement")


