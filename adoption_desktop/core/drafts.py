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
(the person may have typed only the time and the place).

Two windows, one draft: the same person may have the same form open twice (the program opened twice, or on
two PCs in team mode, on one database). Each draft knows which window kept it and how many times
(:class:`Stamp`, a row under the draft's key and :data:`WRITER_SUFFIX`). A window keeps its draft through a
:class:`DraftCopy`, which remembers the stamp of the draft it last read or kept: a save replaces the form's
draft only when the draft is still that one (or there is none). When another window kept its own draft
there meanwhile, nothing is replaced: this window's draft is kept apart, under the key,
:data:`APART_SUFFIX` and the window's id, and every later save of this window goes there. Both are listed
(:func:`list_drafts`: ``apart`` for the second: "from another window"); the form's own draft is offered first
when the form is opened again, the one kept apart once the form's own is saved or closed. Clearing (the
record saved, the typing discarded) likewise never removes a draft another window kept since."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from adoption_desktop.core import running
from adoption_desktop.core.models import Draft
from adoption_desktop.core.presence import PresenceLease, live_now
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.base import server_clock, utcnow
from adoption_desktop.core.storage.engine import Database

#: the key of a draft's base version is the draft's key and this
BASE_SUFFIX = "#base"
#: the key of one of a draft's form fields is the draft's key, this and the field's name
FIELD_SUFFIX = "#field:"
#: the key of a draft's stamp (which window kept it, how many times) is the draft's key and this
WRITER_SUFFIX = "#writer"
#: the key of a draft kept apart (another window kept its own draft of the form first) is the form's key, this
#: and the id of the window that typed it
APART_SUFFIX = "#apart:"
#: a field's base (what the record held in that field when the draft was typed) is kept as a field of the draft
#: named this and the field's name: it goes with the draft, and is never offered as a field
FIELD_BASE_PREFIX = "@base:"


@dataclass(frozen=True)
class Stamp:
    """Which window kept a draft (:func:`new_copy`; "" for a draft kept without one), how many times its
    key was kept (1 the first time) and in which program (its ``core.running`` mark; "" when unknown: a draft
    kept before marks, or where the mark could not be made)."""

    copy: str
    version: int
    holder: str = ""

    def __str__(self) -> str:
        return f"{self.version}:{self.copy}" + (f":{self.holder}" if self.holder else "")

    @classmethod
    def parse(cls, text: str) -> Stamp:
        version, _, rest = text.partition(":")
        copy, _, holder = rest.partition(":")
        return cls(copy, int(version) if version.isdigit() else 0, holder)


#: the stamp of a draft kept before drafts had stamps (by an earlier version of the program)
UNSTAMPED = Stamp("", 0)


def new_copy() -> str:
    """A new window's id: one per opening of a form, in any program on any PC."""
    return secrets.token_hex(8)


def _saved_now(session: Session) -> dt.datetime | ColumnElement[dt.datetime]:
    """When a draft is kept: in team mode the server's clock, written by the statement that keeps it (no extra
    round trip), so that one person's drafts from two PCs are listed newest first whatever each PC's clock
    says; on a database file this PC's clock."""
    return server_clock() if session.get_bind().dialect.name == "postgresql" else utcnow()


def _put(session: Session, user_id: int, key: str, text: str | None) -> None:
    """Write (``None``: delete) one draft row."""
    row = session.get(Draft, (user_id, key))
    if text is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Draft(user_id=user_id, key=key, text=text, saved_at=_saved_now(session)))
    else:
        row.text, row.saved_at = text, _saved_now(session)


def _field_rows(session: Session, user_id: int, key: str) -> list[Draft]:
    return list(session.scalars(select(Draft).where(
        Draft.user_id == user_id, Draft.key.startswith(key + FIELD_SUFFIX, autoescape=True))))


def _stamp(session: Session, user_id: int, key: str) -> Stamp | None:
    """The stamp of the draft under ``key``: ``None`` when there is no draft, :data:`UNSTAMPED` for one kept
    without a stamp."""
    if session.get(Draft, (user_id, key)) is None:
        return None
    row = session.get(Draft, (user_id, key + WRITER_SUFFIX))
    return Stamp.parse(row.text) if row is not None else UNSTAMPED


def _write(session: Session, user_id: int, key: str, text: str, base: str | None,
           fields: Mapping[str, str] | None, copy: str, holder: str = "") -> Stamp | None:
    """Write (blank text and no fields: delete) the draft under ``key`` with its base, fields and stamp; the
    stamp written (``None``: no draft)."""
    blank = not text.strip() and not fields
    before = _stamp(session, user_id, key)
    stamp = None if blank else Stamp(copy, (before.version if before is not None else 0) + 1, holder)
    _put(session, user_id, key, None if blank else text)
    _put(session, user_id, key + BASE_SUFFIX, None if blank else base)
    _put(session, user_id, key + WRITER_SUFFIX, None if stamp is None else str(stamp))
    kept = {} if blank or fields is None else fields
    for row in _field_rows(session, user_id, key):
        if row.key.removeprefix(key + FIELD_SUFFIX) not in kept:
            session.delete(row)
    for name, value in kept.items():
        _put(session, user_id, key + FIELD_SUFFIX + name, value)
    return stamp


def _delete(session: Session, user_id: int, key: str) -> None:
    _put(session, user_id, key, None)
    _put(session, user_id, key + BASE_SUFFIX, None)
    _put(session, user_id, key + WRITER_SUFFIX, None)
    for row in _field_rows(session, user_id, key):
        session.delete(row)


def save_draft(db: Database, actor: Principal, key: str, text: str, *, base: str | None = None,
               fields: Mapping[str, str] | None = None) -> None:
    """Keep ``text`` as the user's draft under ``key``, with what the record was when it was typed when
    ``base`` is given (none remembered otherwise) and the form's other ``fields`` (name -> value; the ones
    kept before and not given now go). Blank text and no fields: no draft. This replaces whatever draft is
    there; a window typing into a form keeps its draft through :class:`DraftCopy`, which never replaces
    another window's."""
    with db.session(actor) as session:
        _write(session, actor.user_id, key, text, base, fields, "")


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
        return _split_fields(session, actor.user_id, key)[0]


def _split_fields(session: Session, user_id: int, key: str) -> tuple[dict[str, str], dict[str, str]]:
    """The fields kept with the draft under ``key``, and their bases (:data:`FIELD_BASE_PREFIX`)."""
    values: dict[str, str] = {}
    bases: dict[str, str] = {}
    for row in _field_rows(session, user_id, key):
        name = row.key.removeprefix(key + FIELD_SUFFIX)
        if name.startswith(FIELD_BASE_PREFIX):
            bases[name.removeprefix(FIELD_BASE_PREFIX)] = row.text
        else:
            values[name] = row.text
    return values, bases


def clear_draft(db: Database, actor: Principal, key: str) -> None:
    """The draft under ``key`` goes (its base, fields and stamp with it); drafts kept apart stay."""
    with db.session(actor) as session:
        _delete(session, actor.user_id, key)


def _apart_rows(session: Session, user_id: int, key: str) -> list[Draft]:
    """The drafts of ``key``'s form kept apart (the drafts themselves, not their bases, fields or stamps)."""
    rows = session.scalars(select(Draft).where(
        Draft.user_id == user_id, Draft.key.startswith(key + APART_SUFFIX, autoescape=True)))
    return [r for r in rows if _is_draft_key(r.key)]


def _is_draft_key(key: str) -> bool:
    """A draft's own row (not its base, a field or its stamp)."""
    return not (key.endswith(BASE_SUFFIX) or key.endswith(WRITER_SUFFIX) or FIELD_SUFFIX in key)


@dataclass(frozen=True)
class FoundDraft:
    """A draft as read to offer it back: where it is kept, what it holds, when and by which window."""

    key: str  # the form's key, or the key it is kept apart under
    text: str
    base: str | None
    fields: dict[str, str]
    stamp: Stamp
    saved_at: dt.datetime  # naive UTC, as stored
    #: what the record held in each field when the draft was typed (name -> value; those the form gave)
    field_bases: dict[str, str] = field(default_factory=dict)

    @property
    def apart(self) -> bool:
        return APART_SUFFIX in self.key


def _found(session: Session, user_id: int, row: Draft) -> FoundDraft:
    base = session.get(Draft, (user_id, row.key + BASE_SUFFIX))
    values, bases = _split_fields(session, user_id, row.key)
    return FoundDraft(row.key, row.text, base.text if base is not None else None, values,
                      _stamp(session, user_id, row.key) or UNSTAMPED, row.saved_at, bases)


def kept_apart(db: Database, actor: Principal, key: str) -> list[FoundDraft]:
    """The drafts of ``key``'s form kept apart from another window's, newest first."""
    with db.session(actor, write=False) as session:
        rows = _apart_rows(session, actor.user_id, key)
        return sorted((_found(session, actor.user_id, r) for r in rows), key=lambda f: f.saved_at, reverse=True)


def drafts_of_form(db: Database, actor: Principal, key: str) -> list[FoundDraft]:
    """Every draft of ``key``'s form: the form's own first (when there is one), then those kept apart from
    another window's, newest first."""
    with db.session(actor, write=False) as session:
        own = session.get(Draft, (actor.user_id, key))
        first = [_found(session, actor.user_id, own)] if own is not None else []
        rows = _apart_rows(session, actor.user_id, key)
        return first + sorted((_found(session, actor.user_id, r) for r in rows), key=lambda f: f.saved_at,
                              reverse=True)


#: the windows of this program holding a form's draft (:class:`DraftCopy`, by its ``copy``): whether each is
#: still open (its ``alive``; a copy without one is open until :meth:`DraftCopy.close`)
_windows: dict[str, DraftCopy] = {}


def _may_be_open(session: Session, user_id: int, stamp: Stamp) -> bool:
    """Whether the window that kept a draft stamped ``stamp`` may still be open (so its draft is its own, and no
    other window may replace or remove it): a window of this program that is still open; a window of another
    program that has not ended (on this PC, ``core.running``) and still holds a live presence lease (another PC:
    its leases lapse within minutes of a crash). A draft without a window's stamp or program (kept by an
    earlier version) is taken as from a window that has gone."""
    if not stamp.copy or not stamp.holder:
        return False
    if stamp.holder == running.this_program():
        window = _windows.get(stamp.copy)
        return window is not None and window.is_open()
    if running.has_ended(stamp.holder):
        return False
    live = session.scalar(select(PresenceLease.token).where(
        PresenceLease.holder == stamp.holder, PresenceLease.user_id == user_id,
        live_now(session)).limit(1))
    return live is not None


@dataclass(eq=False)
class DraftCopy:
    """One window's hold on the draft of one form (``key``): what it read and kept, so that no save of this
    window replaces, and no clearing removes, a draft another window kept meanwhile.

        copy = DraftCopy(db, actor, "letterbox.arrangement:5")
        found = copy.offer()            # the drafts of the form, the one to bring back first
        if found: ...fill the form from found[0]...; copy.took(found[0])
        copy.save(text, base=..., fields=...)   # False: kept apart, another window's draft is there
        copy.clear()                    # the record was saved (or the typing discarded)
        copy.close()                    # the window is gone (its draft, if any, stays for the next opening)

    A draft brought back from a window that may still be open (:func:`_may_be_open`: the same form open twice)
    is *borrowed*: this window's typing over it is kept apart under its own stamp from the first save, and
    neither its save nor its clearing touches the other window's draft, which that window goes on keeping. A
    draft from a window that has gone (a crash) is taken over: this window keeps over it and clears it."""

    db: Database
    actor: Principal
    key: str
    copy: str = field(default_factory=new_copy)
    #: the stamp of the form's draft as this window last read (and took into the form) or kept it
    seen: Stamp | None = None
    #: where this window's draft is kept: the form's key, or (once another window's draft was there) apart
    kept_under: str = ""
    #: a draft kept apart that this window took into its form: it goes once this window keeps or clears its
    #: own (unless its window kept it again since)
    adopted: FoundDraft | None = None
    #: a draft this window brought back from another window that may still be open: left to that window
    borrowed: FoundDraft | None = None
    #: whether this window is still open (its form shown); ``None``: open until :meth:`close`
    alive: Callable[[], bool] | None = None
    #: this program's mark (``core.running``), kept in the stamp: another window can tell whether this one may
    #: still be open
    holder: str = ""

    def __post_init__(self) -> None:
        self.kept_under = self.kept_under or self.key
        self.holder = self.holder or running.this_program() or ""
        _windows[self.copy] = self

    def is_open(self) -> bool:
        return self.copy in _windows and (self.alive is None or self.alive())

    def close(self) -> None:
        """The window is gone: its draft (if any) stays, and the next window to bring it back takes it over."""
        _windows.pop(self.copy, None)

    @property
    def apart(self) -> bool:
        """This window's draft is kept apart (another window kept its own draft of the form first)."""
        return self.kept_under != self.key

    def offer(self) -> list[FoundDraft]:
        """Every draft of the form, the one to bring back into it first: the form's own, else the newest kept
        apart from another window (:func:`drafts_of_form`); the rest wait their turn."""
        return drafts_of_form(self.db, self.actor, self.key)

    def took(self, found: FoundDraft) -> None:
        """``found`` is now in the form: this window may keep its typing over it, unless the window that kept
        it may still be open (then it is :attr:`borrowed`, and this window's typing is kept apart)."""
        if found.stamp.copy != self.copy:
            with self.db.session(self.actor, write=False) as session:
                open_elsewhere = _may_be_open(session, self.actor.user_id, found.stamp)
            if open_elsewhere:
                self.borrowed = found
                self.kept_under = self.key + APART_SUFFIX + self.copy
                return
        if found.apart:
            self.adopted = found
        else:
            self.seen = found.stamp

    def save(self, text: str, *, base: str | None = None, fields: Mapping[str, str] | None = None,
             field_bases: Mapping[str, str] | None = None) -> bool:
        """Keep the form as this window's draft: under the form's key while the draft there is the one this
        window last read or kept (or there is none), apart otherwise. ``field_bases``: what the record held in
        each field when the typing began (kept beside ``fields``, read back as ``FoundDraft.field_bases``).
        False when it was kept apart just now (the first time: say so)."""
        if fields is not None and field_bases:
            fields = {**fields, **{FIELD_BASE_PREFIX + k: v for k, v in field_bases.items()}}
        with self.db.session(self.actor) as session:
            uid = self.actor.user_id
            diverted = False
            if not self.apart:
                there = _stamp(session, uid, self.key)
                if there is not None and there != self.seen:
                    self.kept_under = self.key + APART_SUFFIX + self.copy
                    diverted = True
            stamp = _write(session, uid, self.kept_under, text, base, fields, self.copy, self.holder)
            if not self.apart:
                self.seen = stamp
            self._drop_adopted(session)
            return not diverted

    def clear(self) -> None:
        """This window's draft goes (the record was saved, or what was typed discarded): unless another window
        kept its own draft under the form's key since this one read it, which stays. A draft borrowed from a
        window still open stays too."""
        with self.db.session(self.actor) as session:
            uid = self.actor.user_id
            if self.apart or _stamp(session, uid, self.key) in (None, self.seen):
                _delete(session, uid, self.kept_under)
            self.seen = None
            self._drop_adopted(session)

    def _drop_adopted(self, session: Session) -> None:
        if self.adopted is not None and _stamp(session, self.actor.user_id, self.adopted.key) == self.adopted.stamp:
            _delete(session, self.actor.user_id, self.adopted.key)
        self.adopted = None


@dataclass(frozen=True)
class KeptDraft:
    """One of the user's drafts as listed (never its text): which form, of which record, saved when."""

    key: str
    saved_at: dt.datetime  # naive UTC, as stored
    area: str  # the page that opens it: counselling / adm / letterbox ("" for a key no form names)
    kind: str  # what it is a draft of: case / decision / item / new_item / corrected_item / arrangement
    record_id: int | None  # the case, decision, item or arrangement (the item a corrected version corrects)
    form: str  # the form, as its window is called ("Counselling session", "Letterbox item", …)
    #: kept apart: typed in another window while this form's own draft was kept (both are listed)
    apart: bool = False


#: the forms whose drafts are listed, by the start of their keys: (area, kind, form)
_FORMS: dict[str, tuple[str, str, str]] = {
    "counselling.session_notes": ("counselling", "case", "Counselling session"),
    "counselling.redactions_made": ("counselling", "case", "Redaction check"),
    "counselling.request_notes": ("counselling", "case", "Records request"),
    "counselling.records_shared_what": ("counselling", "case", "Share records"),
    "counselling.disclosure_what": ("counselling", "case", "Record a disclosure"),
    "counselling.referral": ("counselling", "case", "Edit referral"),
    "counselling.new_referral": ("counselling", "new_referral", "New referral"),
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
    one), and one more for a form with drafts kept apart from another window's (``apart``); keys no form of the
    program writes are left out."""
    with db.session(actor, write=False) as session:
        return kept_drafts(session, actor.user_id)


def kept_drafts(session: Session, user_id: int) -> list[KeptDraft]:
    """:func:`list_drafts` inside a session already open."""
    rows = session.execute(select(Draft.key, Draft.saved_at).where(Draft.user_id == user_id)
                           .order_by(Draft.saved_at.desc())).all()
    out: dict[tuple[str, int | None, bool], KeptDraft] = {}
    for key, saved_at in rows:
        if not _is_draft_key(key):
            continue
        apart = APART_SUFFIX in key
        area, kind, record_id, form = describe_key(key.split(APART_SUFFIX, 1)[0])
        if area and (form, record_id, apart) not in out:
            out[(form, record_id, apart)] = KeptDraft(key, saved_at, area, kind, record_id, form, apart)
    return list(out.values())
