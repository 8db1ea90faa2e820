"""Autosaved drafts: each user's unsaved free text, restored after a crash, cleared when saved.

A draft belongs to the signed-in user alone (no other user can read it), so these use cases need no
permission beyond being signed in. Keys name the form and record, e.g. ``counselling.session:42``.

A draft may remember its *base*: what the record was when the typing began — its ``row_version``, the
stored text, or both, in a form the screen chooses (``save_draft(..., base="7")``, read back by
:func:`load_draft_base`). The base is kept beside the draft, in its own row under the
draft's key and :data:`BASE_SUFFIX`, in the same transaction: the draft's own text column stays exactly what
was typed (no format to tell apart from text someone typed), and the table needs no new column. A screen
that restores a draft compares the base with the record as it is now, so a record changed by someone else
since meets the conflict dialog instead of being overwritten unseen.

A draft may also keep the rest of its form: ``save_draft(..., fields={"held_on": "2026-10-01", ...})``
keeps each of the form's other fields (its date, a choice, a short line) in a row of its own under the
draft's key, :data:`FIELD_SUFFIX` and the field's name, written and cleared with the draft in one
transaction, read back by :func:`load_draft_fields`. The form comes back whole after a crash: the day the
session was held, not today's, beside its notes. A draft with fields is kept even when its text is blank
(the person may have typed only the time and the place)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.models import Draft
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.base import utcnow
from adoption_desktop.core.storage.engine import Database

#: the key of a draft's base version is the draft's key and this
BASE_SUFFIX = "#base"
#: the key of one of a draft's form fields is the draft's key, this and the field's name
FIELD_SUFFIX = "#field:"


def _put(session: Session, user_id: int, key: str, text: str | None) -> None:
    """Write (``None``: delete) one draft row."""
    row = session.get(Draft, (user_id, key))
    if text is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Draft(user_id=user_id, key=key, text=text, saved_at=utcnow()))
    else:
        row.text, row.saved_at = text, utcnow()


def _field_rows(session: Session, user_id: int, key: str) -> list[Draft]:
    return list(session.scalars(select(Draft).where(
        Draft.user_id == user_id, Draft.key.startswith(key + FIELD_SUFFIX, autoescape=True))))


def save_draft(db: Database, actor: Principal, key: str, text: str, *, base: str | None = None,
               fields: Mapping[str, str] | None = None) -> None:
    """Keep ``text`` as the user's draft under ``key``, with what the record was when it was typed when
    ``base`` is given (none remembered otherwise) and the form's other ``fields`` (name -> value; the ones
    kept before and not given now go). Blank text and no fields: no draft."""
    with db.session(actor) as session:
        blank = not text.strip() and not fields
        _put(session, actor.user_id, key, None if blank else text)
        _put(session, actor.user_id, key + BASE_SUFFIX, None if blank else base)
        kept = {} if blank or fields is None else fields
        for row in _field_rows(session, actor.user_id, key):
            if row.key.removeprefix(key + FIELD_SUFFIX) not in kept:
                session.delete(row)
        for name, value in kept.items():
            _put(session, actor.user_id, key + FIELD_SUFFIX + name, value)


def load_draft(db: Database, actor: Principal, key: str) -> str | None:
    with db.session(actor, write=False) as session:
        row = session.get(Draft, (actor.user_id, key))
        return row.text if row is not None else None


def load_draft_base(db: Database, actor: Principal, key: str) -> str | None:
    """What the record was when the draft under ``key`` was typed (as given to :func:`save_draft`); ``None``
    when none was kept (no draft, or one saved without a base: a draft from before bases were kept)."""
    with db.session(actor, write=False) as session:
        row = session.get(Draft, (actor.user_id, key + BASE_SUFFIX))
        return row.text if row is not None else None


def load_draft_fields(db: Database, actor: Principal, key: str) -> dict[str, str]:
    """The form fields kept with the draft under ``key`` (name -> value; empty when none were kept)."""
    with db.session(actor, write=False) as session:
        return {row.key.removeprefix(key + FIELD_SUFFIX): row.text
                for row in _field_rows(session, actor.user_id, key)}


def clear_draft(db: Database, actor: Principal, key: str) -> None:
    with db.session(actor) as session:
        _put(session, actor.user_id, key, None)
        _put(session, actor.user_id, key + BASE_SUFFIX, None)
        for row in _field_rows(session, actor.user_id, key):
            session.delete(row)


@dataclass(frozen=True)
class KeptDraft:
    """One of the user's drafts as listed (never its text): which form, of which record, saved when."""

    key: str
    saved_at: dt.datetime  # naive UTC, as stored
    area: str  # the page that opens it: counselling / adm / letterbox ("" for a key no form names)
    kind: str  # what it is a draft of: case / decision / item / new_item / corrected_item / arrangement
    record_id: int | None  # the case, decision, item or arrangement (the item a corrected version corrects)
    form: str  # the form, as its window is called ("Counselling session", "Letterbox item", …)


#: the forms whose drafts are listed, by the start of their keys: (area, kind, form)
_FORMS: dict[str, tuple[str, str, str]] = {
    "counselling.session_notes": ("counselling", "case", "Counselling session"),
    "counselling.redactions_made": ("counselling", "case", "Redaction check"),
    "counselling.request_notes": ("counselling", "case", "Records request"),
    "counselling.records_shared_what": ("counselling", "case", "Share records"),
    "counselling.disclosure_what": ("counselling", "case", "Record a disclosure"),
    "adm.decision": ("adm", "decision", "Decision"),
    "letterbox.item": ("letterbox", "item", "Letterbox item"),
    "letterbox.item.new": ("letterbox", "new_item", "New letterbox item"),
    "letterbox.item.corrected": ("letterbox", "corrected_item", "Corrected version of a letterbox item"),
    "letterbox.arrangement": ("letterbox", "arrangement", "Letterbox arrangement"),
}


def describe_key(key: str) -> tuple[str, str, int | None, str]:
    """``(area, kind, record id, form)`` of a draft's key; ``("", "", None, "")`` for a key no form of the
    program writes. An ADM decision's wording and its reasons (``adm.decision:7:text``, ``…:reasons``) are
    one form."""
    head, _, rest = key.partition(":")
    found = _FORMS.get(head)
    if found is None:
        return "", "", None, ""
    ident = rest.split(":", 1)[0]
    return found[0], found[1], int(ident) if ident.isdigit() else None, found[2]


def list_drafts(db: Database, actor: Principal) -> list[KeptDraft]:
    """The signed-in user's own drafts (no one else's), newest first: which form, of which record, when it
    was last kept; never the text. One line per form and record (an ADM decision's wording and reasons are
    one); keys no form of the program writes are left out."""
    with db.session(actor, write=False) as session:
        return kept_drafts(session, actor.user_id)


def kept_drafts(session: Session, user_id: int) -> list[KeptDraft]:
    """:func:`list_drafts` inside a session already open."""
    rows = session.execute(select(Draft.key, Draft.saved_at).where(Draft.user_id == user_id)
                           .order_by(Draft.saved_at.desc())).all()
    out: dict[tuple[str, int | None], KeptDraft] = {}
    for key, saved_at in rows:
        if BASE_SUFFIX in key or FIELD_SUFFIX in key:
            continue
        area, kind, record_id, form = describe_key(key)
        if area and (form, record_id) not in out:
            out[(form, record_id)] = KeptDraft(key, saved_at, area, kind, record_id, form)
    return list(out.values())
