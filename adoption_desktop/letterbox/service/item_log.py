"""The item log: an item received, screened against the protected terms, its findings decided, checked a
second time, its outcome recorded, and read back with its findings and history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.audit.seal_check import (
    require_as_last_saved,
    require_parts_as_last_saved,
    require_unchanged,
    seal_covers,
)
from adoption_desktop.core.concurrency import check_version, last_saved, lock_row, stale, when_text
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.base import get_or_raise, record_now, utcnow
from adoption_desktop.core.storage.engine import Database, session_actor
from adoption_desktop.core.text_input import check_not_future, clean_name, clean_text
from adoption_desktop.letterbox import contact, findings_digest, rules
from adoption_desktop.letterbox.models import Arrangement, Finding, Item, ItemEvent, LetterSent, Participant
from adoption_desktop.letterbox.screening import Finding as ScreenFinding
from adoption_desktop.letterbox.screening import screen_text
from adoption_desktop.letterbox.sent_list import not_voided, voided_batches
from adoption_desktop.letterbox.service.common import ITEMS_INDEX, P, item_document, outcome_recorded
from adoption_desktop.letterbox.service.data import (
    EventRow,
    FindingRow,
    ItemDetail,
    ItemLetterRow,
    LoggedAlready,
    ScreeningResult,
    WriterChoice,
)
from adoption_desktop.letterbox.service.protected import NAMES_FAMILY, ScreeningTerms, screening_terms
from adoption_desktop.letterbox.settings import SECOND_CHECKER

# --- the item log -------------------------------------------------------------------------------
#: an item not as the program last saved it (``seal_check.require_as_last_saved``)
NOT_AS_SAVED = "This item is not as it was last saved in Adoption Desktop"


def _require_as_saved(session: Session, item: Item, refused: str) -> None:
    """Refuse to change an item (its screening, findings, second check, writer, channel, outcome) whose row is
    not as the program last sealed it: text changed in SQL before its outcome, or an item given an outcome and
    then set back to "received", would be forwarded, withheld or returned with the change in it, and the
    outcome's seal would vouch for it. Called under the item's lock; ``refused`` says what was not done."""
    require_as_last_saved(session, "letterbox_items", item.id, NOT_AS_SAVED,
                          f"{refused} Nothing was saved; the item stays as it is.")


def _require_findings_as_saved(session: Session, item: Item, refused: str) -> None:
    """Refuse what relies on an item's screening findings (its outcome, its second check, a finding marked)
    when one of them is not as the program last saved it: a finding marked "remove" set to "acceptable" (or
    deleted) in SQL would let the item be forwarded unscreened, and the outcome's seal would vouch for it.
    Called under the item's lock, after :func:`_require_as_saved` (so the item's row, and the digest of its
    findings on it, are as the program sealed them).

    An item with a findings digest its seal covers (:mod:`..findings_digest`) is checked by recomputing the
    digest from its findings as they now are: one indexed query, whatever the number of findings in the
    database, and another item's findings never stop it. An item saved before the digest was kept (NULL) is
    held to the digest back-filled for it at the first open after the upgrade (``letterbox.findings_backfill``);
    one not back-filled (its findings failed their seals then) is checked as before: every finding the seals know the item had, deleted ones too, and any finding deleted
    outside the program that no entry says whose it was (a bulk seal's)."""
    ids = list(session.scalars(select(Finding.id).where(Finding.item_id == item.id)))
    saved = _vouched_digest(session, item)
    matches = None if saved is None else (lambda conn: findings_digest.gives(findings_digest.current_digest(conn, item.id), saved))
    require_parts_as_last_saved(session, "letterbox_findings", "item_id", item.id, ids, NOT_AS_SAVED,
                                "one of its screening findings",
                                f"{refused} Nothing was saved; the item and its findings stay as they are.",
                                matches=matches, differs=FINDINGS_DIFFER)


#: said when an item's findings no longer give the digest saved with it and no one finding can be named
FINDINGS_DIFFER = ("added, changed or deleted outside the application (the findings stored now are not those "
                   "saved with the item)")


def _vouched_digest(session: Session, item: Item) -> str | None:
    """The digest the item's findings are held to (the item's row was checked): its own when its seal covers
    it, else the one back-filled for it (``letterbox.findings_backfill``; always that one for an item that had
    its outcome when it was back-filled); ``None`` for an item saved before the digest was kept and not
    back-filled, which is checked, and keeps being saved, without one."""
    conn = session.connection()
    digest = item.findings_digest
    covered = digest is not None and seal_covers(conn, "letterbox_items", item.id, "findings_digest")
    return findings_digest.held_to(digest, covered, findings_digest.backfilled(conn, item.id))


def _event(session: Session, item_id: int, action: str, detail: str = "") -> None:
    actor = session.info["actor"]
    session.add(ItemEvent(item_id=item_id, at=record_now(session), actor=actor.username, action=action, detail=detail))
    audit.record(session, f"letterbox_{action}", "letterbox_items", item_id, detail=detail)


class AlreadyLogged(Conflict):
    """Refused: an item like the one being logged (the arrangement's, the same direction, received the same
    day) was logged by someone in the last few days, and the caller did not say to log another
    (``log_item(…, log_again=True)``). ``found``: those items, latest first, as ``already_logged`` lists
    them; the item window asks "Log another?" with them."""

    def __init__(self, found: list[LoggedAlready], received_on: dt.date) -> None:
        last = found[0]
        super().__init__(f"Not logged: an item received {received_on:%d/%m/%Y} in the same direction was "
                         f"already logged by {last.logged_by} at {when_text(last.logged_at)} (item {last.item_id}). "
                         "Log another only for a second item that came the same day.")
        self.found, self.received_on = found, received_on


def check_logging(direction: str, item_type: str, received_on: dt.date) -> None:
    """How an item is logged, checked as logging it and correcting how it was logged both check it: a known
    direction and type, and a date received that is not in the future (a day's grace for the clock)."""
    if direction not in rules.DIRECTIONS:
        raise ValidationError("Direction: choose adoptive → birth or birth → adoptive.", "direction")
    if item_type not in rules.ITEM_TYPES:
        raise ValidationError(f"Type: choose one of {', '.join(rules.ITEM_TYPES)}.", "item_type")
    check_not_future(received_on, "Date received", "received_on", advice="enter the day it arrived",
                     grace_days=RECEIVED_GRACE_DAYS, name_range=True)


def log_item(db: Database, actor: Principal, arrangement_id: int, *, direction: str, received_on: dt.date,
             item_type: str = "letter", writer: str = "", participant_id: int | None = None, text: str = "",
             notes: str = "", previous_item_id: int | None = None, channel: str = "post",
             log_again: bool = False) -> int:
    """Receive an item (by post, secure e-mail or the digital letterbox: ``channel``). A corrected version of a
    returned item names it in ``previous_item_id``.

    One letter is logged once: when an item like it (:func:`already_logged`: the arrangement's, the same
    direction, received the same day, logged in the last ``ALREADY_LOGGED_DAYS`` days) is found, the logging
    is refused with :class:`AlreadyLogged` unless ``log_again`` (a second item that came the same day,
    confirmed). The check is made in the logging's own transaction, under the arrangement's lock (as its
    other changes take it: on SQLite the writer's ``BEGIN IMMEDIATE`` already queues the writers; on
    PostgreSQL the row lock does), so two people saving the same letter at once queue there and the second
    finds the first's item: the window's question beforehand is advice, this is the rule. A corrected
    version is not asked about (it names the item it replaces), but a returned item has one: a second is
    refused (:class:`Conflict`), in the same transaction under the same lock.

    ``participant_id``: the birth relative who wrote an item from the birth side (the letters about the
    item go to them alone); it must be on the arrangement. Without it, the writer is the arrangement's only
    birth relative, or the one whose name is exactly ``writer``; otherwise it stays unrecorded (choose it
    in the item window before writing to them). The adopters write as one family: an item from the
    adoptive side names no birth relative."""
    require(actor, P.LETTERBOX_EDIT)
    contact.check_channel(channel)
    check_logging(direction, item_type, received_on)
    writer = clean_name(writer, "Writer")
    text = clean_text(text, "Text of the item", multiline=True, max_length=200000)
    notes = clean_text(notes, "Notes", multiline=True, max_length=4000)
    with db.session(actor) as session:
        # the arrangement's lock first: two loggings of one letter at once queue here, and the second finds
        # the first's item instead of passing the check beside it
        a = lock_row(session, get_or_raise(session, Arrangement, arrangement_id, f"No arrangement {arrangement_id}."))
        if previous_item_id is None and not log_again:
            found = _logged_like(session, a.id, direction, received_on, utcnow() - dt.timedelta(
                days=ALREADY_LOGGED_DAYS))
            if found:
                raise AlreadyLogged(found, received_on)
        if previous_item_id is not None:
            prev = session.get(Item, previous_item_id)
            if prev is None or prev.arrangement_id != arrangement_id:
                raise ValidationError("Corrected version of: that item is not on this arrangement.",
                                      "previous_item_id")
            # the item window fills the corrected version from the returned one (its writer, type and text):
            # a returned item changed outside the application is not built on
            require_unchanged(session.connection(), "letterbox_items", prev.id,
                              f"The returned item {prev.id} is not as it was when it was returned",
                              "The corrected version was not logged: nothing was saved.")
            if prev.status != "returned":
                raise Conflict("Only an item returned to its writer can be replaced by a corrected version.")
            # one corrected version per returned item: two people logging it at once queue on the lock above,
            # and the second is told (a correction that is itself returned is replaced in its turn). One marked
            # logged in error (the wrong letter taken for it) does not count: the real one is logged after it
            done = session.scalars(select(Item).where(Item.previous_item_id == prev.id,
                                                      Item.status != rules.LOGGED_IN_ERROR)
                                   .order_by(Item.id)).first()
            if done is not None:
                raise Conflict(f"Not logged: the corrected version of item {prev.id} was already logged "
                               f"(item {done.id}, received {done.received_on:%d/%m/%Y}). Open it from the Items tab.")
        wrote = _writer(session, a.id, direction, participant_id, writer)
        if wrote is not None and not writer.strip():
            writer = wrote.name
        item = Item(arrangement_id=a.id, participant_id=wrote.id if wrote else None, direction=direction,
                    writer=writer.strip(),
                    item_type=item_type, received_on=received_on, status="received", text=text, notes=notes,
                    previous_item_id=previous_item_id, channel=channel, findings_digest=findings_digest.NO_FINDINGS)
        session.add(item)
        session.flush()
        if a.last_exchange is None or received_on > a.last_exchange:
            a.last_exchange = received_on
        # no name given: the side in words ("from ?" in the history read as a fault, letterbox trial)
        sender = writer or ("the adoptive family" if rules.writer_side(direction) == rules.ADOPTIVE
                            else "a birth relative (not named)")
        _event(session, item.id, "received", f"{item_type} {rules.DIRECTIONS[direction]} from {sender}"
               + (f"; corrected version of item {previous_item_id}" if previous_item_id else ""))
        search.index_documents(session.connection(), ITEMS_INDEX, [(item.id, item_document(
            a.reference, a.child_birth_name, a.child_adoptive_name, a.adopters_name, item.writer, notes,
            item_type))])
        return item.id


#: a day's grace for the date an item was received: an entry made late in the evening may carry tomorrow's date
RECEIVED_GRACE_DAYS = 1


#: how far back a logging of the same letter is looked for before another is logged (``already_logged``)
ALREADY_LOGGED_DAYS = 7


def already_logged(db: Database, actor: Principal, arrangement_id: int, *, direction: str, received_on: dt.date,
                   within_days: int = ALREADY_LOGGED_DAYS, now: dt.datetime | None = None) -> list[LoggedAlready]:
    """Items of ``arrangement_id`` in ``direction`` received on ``received_on`` and logged (by anyone) in the
    last ``within_days`` days, latest first: before another is logged, the window asks (keyboard trial: two
    coordinators each logged the same incoming letter, with no warning)."""
    require(actor, P.LETTERBOX_VIEW)
    since = (now or utcnow()) - dt.timedelta(days=within_days)
    with db.session(actor, write=False) as session:
        return _logged_like(session, arrangement_id, direction, received_on, since)


def _logged_like(session: Session, arrangement_id: int, direction: str, received_on: dt.date,
                 since: dt.datetime) -> list[LoggedAlready]:
    """The items :func:`already_logged` lists (logged since ``since``), read in ``session``: the window's
    question and :func:`log_item`'s refusal compare the same things."""
    rows = session.execute(
        select(Item.id, ItemEvent.at, ItemEvent.actor, User.full_name)
        .join(ItemEvent, (ItemEvent.item_id == Item.id) & (ItemEvent.action == "received"))
        .outerjoin(User, User.username == ItemEvent.actor)
        .where(Item.arrangement_id == arrangement_id, Item.direction == direction,
               Item.received_on == received_on, ItemEvent.at >= since,
               Item.status != rules.LOGGED_IN_ERROR)  # the mistake itself is no reason to ask
        .order_by(ItemEvent.at.desc(), Item.id.desc())).all()
    return [LoggedAlready(item_id, at, full_name or login) for item_id, at, login, full_name in rows]


def _writer(session: Session, arrangement_id: int, direction: str, participant_id: int | None,
            writer: str = "") -> Participant | None:
    """The birth relative who wrote an item (see :func:`log_item`), checked against the arrangement."""
    if rules.writer_side(direction) != rules.BIRTH:
        if participant_id is not None:
            raise ValidationError("From (writer): an item from the adoptive side is from the adopters as one "
                                  "family, not from a birth relative.", "participant_id")
        return None
    parts = list(session.scalars(select(Participant).where(Participant.arrangement_id == arrangement_id)
                                 .order_by(Participant.id)))
    if participant_id is not None:
        chosen = next((p for p in parts if p.id == participant_id), None)
        if chosen is None:
            raise ValidationError("From (writer): that person is not a birth relative on this arrangement.",
                                  "participant_id")
        return chosen
    typed = writer.strip().lower()
    if len(parts) == 1 and (not typed or parts[0].name.strip().lower() == typed):
        return parts[0]  # the arrangement's only birth relative, and nobody else named
    named = [p for p in parts if p.active and typed and p.name.strip().lower() == typed]
    return named[0] if len(named) == 1 else None  # else chosen in the item window before any letter


def writer_choices(db: Database, actor: Principal, arrangement_id: int) -> tuple[WriterChoice, ...]:
    """The arrangement's birth relatives, for choosing who wrote an item from the birth side."""
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return tuple(WriterChoice(p.id, p.name, p.relationship, p.active) for p in session.scalars(
            select(Participant).where(Participant.arrangement_id == arrangement_id).order_by(Participant.id)))


def set_item_writer(db: Database, actor: Principal, item_id: int, participant_id: int | None, *,
                    expected_version: int | None) -> int:
    """Record which birth relative wrote a logged item (whatever its status: the acknowledgement or the
    returned letter is refused until it is known). Returns the item's new row version."""
    require(actor, P.LETTERBOX_EDIT)
    with db.session(actor) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        check_version(session, item, expected_version, "letterbox item")
        _require_as_saved(session, item, "Who wrote it was not recorded.")
        if participant_id is None:
            raise ValidationError("From (writer): choose the birth relative who wrote it.", "participant_id")
        wrote = _writer(session, item.arrangement_id, item.direction, participant_id)
        if wrote is not None and item.participant_id != wrote.id:
            before = session.get(Participant, item.participant_id) if item.participant_id else None
            item.participant_id = wrote.id
            _event(session, item_id, "writer", f"written by {wrote.name}"
                   + (f" ({wrote.relationship})" if wrote.relationship else "")
                   + (f"; was {before.name}" if before is not None else "; was not recorded"))
            session.flush()
        return int(item.row_version)


#: times a screening is run again because the item or its protected terms changed while it ran
SCREEN_ATTEMPTS = 3


def screen_item(db: Database, actor: Principal, item_id: int, text: str, *,
                expected_version: int | None = None, read_by_eye: bool = False) -> ScreeningResult:
    """Run the screening assistant over the item's text with the arrangement's protected terms (those of
    the side the item is going *to* must not see: the writer's own side's secrets). ``expected_version``:
    the item's version the coordinator was shown; a screening (or any save) by someone else since is not
    replaced, with its text and findings, by one made over the older screen (a Conflict naming them).

    The screening itself runs outside any transaction: the item, its version and the terms are read first,
    the text screened, and then the item locked, its status and version checked again and the findings
    stored (a long letter screened inside the write transaction held every other user's save back, and on
    the embedded store made it fail as busy). When the item was saved by someone else meanwhile, that is a
    stale screening with ``expected_version``; without one (scripts), or when the protected terms changed
    meanwhile, the text is screened again, :data:`SCREEN_ATTEMPTS` times at most.

    An empty text is screened only as what it is: a letter or an e-mail (``rules.WORDED_TYPES``) with no words
    given is refused unless ``read_by_eye`` (the coordinator read it themselves: handwriting with no text
    typed), and the history then says the item was read by eye, not "no findings"."""
    require(actor, P.LETTERBOX_EDIT)
    text = clean_text(text, "Text of the item", multiline=True, max_length=200000)
    for _attempt in range(SCREEN_ATTEMPTS):
        with db.session(actor, write=False) as session:
            item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
            _refuse_screening(session, item, expected_version)
            if rules.no_words(text) and item.item_type in rules.WORDED_TYPES and not read_by_eye:
                raise ValidationError(f"Text of the item: there is no text to screen. Type or paste the "
                                      f"{item.item_type}'s words (or use the text read from its scan), or say "
                                      "that you read it yourself.", "read_by_eye")
            version = int(item.row_version)
            arrangement_id, side = item.arrangement_id, rules.writer_side(item.direction)
            terms = screening_terms(session, arrangement_id, side)
        found = screen_text(text, terms.terms, terms.labels, terms.surnames)  # no transaction open: nobody waits for it
        with db.session(actor) as session:
            item = lock_row(session, get_or_raise(session, Item, item_id, f"No item {item_id}."))
            _require_as_saved(session, item, "The screening was not stored.")
            _refuse_screening(session, item, expected_version)
            if int(item.row_version) != version or screening_terms(session, arrangement_id, side) != terms:
                continue  # saved or its terms changed while it was screened (nothing written): screen again
            return _store_screening(session, item, text, found, terms)
    raise Conflict(f"Item {item_id} or its arrangement's protected terms changed each time it was screened "
                   "(someone else is saving them); nothing was stored. Press Screen text again.")


def _refuse_screening(session: Session, item: Item, expected_version: int | None) -> None:
    if item.status == rules.LOGGED_IN_ERROR:
        raise Conflict(f"Item {item.id} was logged in error, so it is not screened. Nothing was stored.")
    if item.status not in ("received", "screened"):
        raise Conflict(rules.after_outcome(item.id, item.status, "it is not screened again (its screening is the "
                                           "one its outcome was recorded on)", "Nothing was stored."))
    if expected_version is not None and item.row_version != expected_version:
        raise stale(session, item, expected_version, f"item {item.id}", _screen_values)


def _store_screening(session: Session, item: Item, text: str, found: list[ScreenFinding],
                     terms: ScreeningTerms) -> ScreeningResult:
    """The screening's findings replace the item's (the item locked and checked by the caller)."""
    actor = session_actor(session)
    item_id = item.id
    for old in session.scalars(select(Finding).where(Finding.item_id == item_id)):
        session.delete(old)
    rows = []
    for f in found:
        row = Finding(item_id=item_id, start=f.start, end=f.end, kind=f.kind, text=f.text[:200],
                      decision="remove")
        session.add(row)
        rows.append(row)
    session.flush()  # the findings first (their ids are in the digest), the item once, with its digest
    item.findings_digest = findings_digest.current_digest(session.connection(), item_id)
    item.text = text
    item.status = "screened"
    item.screened_at = record_now(session)
    item.screened_by = actor.username
    item.checked_by = ""
    session.flush()
    if rules.no_words(text):
        detail = f"no text to screen: the {item.item_type} was read by eye"
    elif found:
        detail = f"{len(found)} finding(s): " + ", ".join(sorted({f.kind for f in found})) + _family_named(found, terms)
    else:
        detail = "no findings"
    _event(session, item_id, "screened", detail)
    return ScreeningResult(tuple(FindingRow(r.id, r.start, r.end, r.kind, r.text, r.decision, f.reason)
                                 for r, f in zip(rows, found, strict=True)), terms.terms)


def _family_named(found: list[ScreenFinding], terms: ScreeningTerms) -> str:
    """For the history: the reader's family's details the letter names ("; names the adoptive family:
    Ashby, Oakfield Primary"), by the protected terms found (not the letter's words)."""
    out = []
    for label in NAMES_FAMILY.values():
        named = [t for t, said in terms.labels.items() if said == label and any(
            r.startswith(f"{label}: ") and f"'{t}'" in r for f in found for r in f.reasons)]
        if named:
            out.append(f"{label}: {', '.join(named)}")
    return "".join(f"; {x}" for x in out)


def decide_finding(db: Database, actor: Principal, finding_id: int, decision: str, *,
                   expected_decision: str | None = None) -> str:
    """Mark a screening finding acceptable or to be removed. Returns the decision it had before (undo
    gives it back with ``expected_decision``: refused when someone else decided it differently since, or
    the item has an outcome by then)."""
    require(actor, P.LETTERBOX_EDIT)
    if decision not in ("acceptable", "remove"):
        raise ValidationError("Decision: choose 'acceptable' or 'remove'.", "decision")
    gone = Conflict("This finding is no longer on the item: it was screened again since you opened it, and its "
                    "findings now are those shown. Nothing was marked.")
    with db.session(actor) as session:
        f = session.get(Finding, finding_id)
        if f is None:  # the item was screened again since this list was shown: its findings were replaced
            raise gone
        # the item locked first, as for an outcome: a finding of an item forwarded (returned …) meanwhile stays
        # as it was when the outcome was recorded
        item = lock_row(session, get_or_raise(session, Item, f.item_id, f"No item {f.item_id}."))
        f = session.get(Finding, finding_id, populate_existing=True)
        if f is None:  # screened again while the lock was awaited
            raise gone
        _require_as_saved(session, item, "The finding was not marked.")
        if item.status not in ("received", "screened"):  # who recorded it: its step, not a correction since
            raise Conflict(f"Item {item.id} has an outcome ({item.status}), recorded {outcome_recorded(session, item)}; "
                           "its findings can no longer change. Nothing was marked.")
        # the item's findings digest is written again below from its findings as they are: one changed outside
        # the program since would be vouched for by it, so they are checked first (an item saved before the
        # digest was kept has none, and is given none here: it stays checked as before)
        saved = _vouched_digest(session, item)
        if saved is not None:
            _require_findings_as_saved(session, item, "The finding was not marked.")
        if expected_decision is not None and f.decision != expected_decision:
            from adoption_desktop.core.undo import changed_since

            raise changed_since(session, "letterbox_findings", [f.id], f"the finding '{f.text}'",
                                {"Decision": f.decision})
        before = f.decision
        if f.decision != decision:
            if saved is not None:
                rows = [(*r[:5], decision) if r[0] == f.id else r
                        for r in findings_digest.current_rows(session.connection(), item.id)]
                item.findings_digest = findings_digest.digest_of(rows)
            else:
                item.findings_digest = None
            f.decision = decision
            # a second check confirmed the findings as they were decided then: it no longer covers them, and
            # the item's version moves, so a check confirmed from a screen showing the old decisions is refused
            unchecked = f"; the second check by {item.checked_by} no longer stands" if item.checked_by else ""
            item.checked_by = ""
            item.updated_at = record_now(session)
            _event(session, f.item_id, "finding_decided", f"{f.kind} '{f.text}': {decision}"
                   + (" (undo)" if expected_decision is not None else "") + unchecked)
        return before


def confirm_second_check(db: Database, actor: Principal, item_id: int, *, expected_version: int | None = None) -> None:
    """A second coordinator confirms the screening as shown: ``expected_version``, the item as they saw it (a
    finding decided differently since moves it, and the check is refused rather than vouching for findings
    they never saw)."""
    require(actor, P.LETTERBOX_SECOND_CHECK)
    with db.session(actor) as session:
        item = lock_row(session, get_or_raise(session, Item, item_id, f"No item {item_id}."))
        _require_as_saved(session, item, "The second check was not recorded.")
        _require_findings_as_saved(session, item, "The second check was not recorded.")
        if item.checked_by:
            who, at = last_saved(session, item)
            raise Conflict(f"Second check: already confirmed by {item.checked_by} ({who}, {when_text(at)}).")
        check_version(session, item, expected_version, "letterbox item")
        if item.status != "screened":
            raise Conflict("Second check: screen the item first.")
        if item.screened_by == actor.username:
            raise Conflict("Second check: a different user from the one who screened it must confirm.")
        item.checked_by = actor.username
        _event(session, item_id, "second_checked", f"confirmed by {actor.full_name}")


def _screen_values(item: Item) -> dict[str, str]:
    return {"Status": item.status, "Screened by": item.screened_by,
            "Text": item.text if len(item.text) <= 300 else item.text[:300] + "…"}


def _item_values(item: Item) -> dict[str, str]:
    return {"Status": item.status, "Outcome date": f"{item.outcome_on:%d/%m/%Y}" if item.outcome_on else "",
            "Method": item.method, "Reason": item.reason, "Checked by": item.checked_by}


def _refuse_post_without_address(session: Session, item: Item, method: str) -> None:
    """An item cannot be recorded as forwarded by post when its recipients have no address to post it to
    (``rules.post_without_address``): for the birth side, none of its birth relatives has a current address
    (the acknowledgement to the adopters would then say it is held on file); for the adoptive side, the
    arrangement has no adopters' address. It is held on file, or goes another way, or the address is added
    first."""
    a = session.get(Arrangement, item.arrangement_id)
    if a is None or not rules.sent_by_post(method):
        return
    addresses = session.scalars(select(Participant.address).where(
        Participant.arrangement_id == item.arrangement_id, Participant.active.is_(True))).all()
    side = rules.post_without_address(item.direction, method, a.adopters_address, addresses)
    ref = a.reference or "this arrangement"
    if side == rules.BIRTH:
        raise Conflict(f"Forward: no birth relative on {ref} has a current address to post it to. Record the "
                       "outcome as held on file (it is kept and passed on if they get in touch), or add their "
                       "address to the arrangement first.")
    if side == rules.ADOPTIVE:
        raise Conflict(f"Forward: {ref} has no adopters' address to post it to. Add the adopters' address on the "
                       "arrangement first, or choose another method (handed over, collected, or e-mail where the "
                       "arrangement agrees to it), or record the outcome as held on file.")


def _refuse_email_not_agreed(session: Session, item: Item, method: str) -> None:
    """An item is forwarded by e-mail only on an arrangement agreed to use the e-mail facility (as the
    e-mail draft is made only for one): the record must not say it went by e-mail where the agreement says
    letters go by post."""
    if not rules.sent_by_email(method):
        return
    arrangement = session.get(Arrangement, item.arrangement_id)
    if arrangement is None or arrangement.email_allowed:
        return
    raise Conflict(f"Forward: {arrangement.reference} is not agreed to use the e-mail facility, so the item cannot "
                   "be recorded as sent by e-mail. Forward it by post, or record the agreement to use e-mail on the "
                   "arrangement first.")


def _refuse_reason_with_other_side(session: Session, item: Item, reason: str) -> None:
    """A return reason the returned letter's leak check would refuse is refused now, as the reason's
    problem, while it can still be reworded (an outcome is final)."""
    from adoption_desktop.letterbox.documents import return_reason_leaks

    found = return_reason_leaks(session, item, reason)
    if found:
        raise ValidationError(f"Reason: it is printed in the returned letter to the writer, and it names "
                              f"{', '.join(found)} from the other side of the arrangement; reword it without "
                              "them.", "reason")


def record_outcome(db: Database, actor: Principal, item_id: int, outcome: str, on: dt.date, *,
                   method: str = "", reason: str = "", social_worker_informed: bool = False,
                   expected_version: int | None = None, check_only: bool = False) -> None:
    """forwarded (date, method) / returned (reason) / withheld (reason, social worker informed) / held.

    The item is locked first: of two people recording an outcome at once exactly one does; the other is
    told who recorded which outcome and when. ``check_only``: every check, nothing written (the screen
    asks "an outcome is final: record it?" only for an outcome that would be recorded)."""
    require(actor, P.LETTERBOX_EDIT)
    if outcome not in rules.OUTCOMES:
        raise ValidationError(f"Outcome: choose one of {', '.join(rules.OUTCOMES)}.", "outcome")
    reason = clean_text(reason, "Reason", multiline=True, max_length=4000)
    method = clean_text(method, "Method", max_length=40)
    check_not_future(on, "Date", "on", advice="record the outcome on the day it happens",
                     grace_days=RECEIVED_GRACE_DAYS)  # as for the date received
    if outcome in ("returned", "withheld") and not reason.strip():
        raise ValidationError("Reason: say why the item is returned or withheld (the writer is told).", "reason")
    if outcome == "withheld" and not social_worker_informed:
        raise ValidationError("Social worker informed: a withheld item must be reported to the social worker; "
                              "tick the box once they are told.", "social_worker_informed")
    if outcome == "forwarded" and not method.strip():
        raise ValidationError("Method: say how it was forwarded (post, email, collected).", "method")
    with db.session(actor) as session:
        item = lock_row(session, get_or_raise(session, Item, item_id, f"No item {item_id}."))
        _require_as_saved(session, item, "Its outcome was not recorded: the record of what went out (or was "
                                         "withheld, returned or held) would carry what was changed outside the "
                                         "application.")
        _require_findings_as_saved(session, item, "Its outcome was not recorded: it would rest on screening "
                                                  "decisions that were changed outside the application.")
        if item.status not in ("received", "screened"):  # who recorded it: its step, not a correction since
            raise Conflict(f"Item {item_id} already has an outcome ({item.status}), recorded "
                           f"{outcome_recorded(session, item)}; yours was not recorded. An outcome cannot be undone: if it was a "
                           "mistake, add a correction note to the item saying what was done about it.")
        if expected_version is not None and item.row_version != expected_version:
            raise stale(session, item, expected_version, f"item {item_id}", _item_values)
        if on < item.received_on:  # after the checks above: a colleague's outcome is told first
            raise ValidationError(f"Date: the item was received on {item.received_on:%d/%m/%Y}; its outcome cannot "
                                  f"be dated {on:%d/%m/%Y}, before it arrived.", "on")
        if outcome == "returned":
            _refuse_reason_with_other_side(session, item, reason)
        sent_copy = None
        if outcome == "forwarded":
            if item.status != "screened":
                raise Conflict("Forward: screen the item before forwarding it.")
            _refuse_post_without_address(session, item, method)
            _refuse_email_not_agreed(session, item, method)
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
        if check_only:
            return
        item.status = outcome
        item.outcome_on = on
        # only what belongs to the outcome is kept: a method typed for a forward that was refused, then a
        # return recorded instead, would have the record say the returned item went "by post"
        item.method = method.strip() if outcome == "forwarded" else ""
        item.reason = reason.strip() if outcome != "forwarded" else ""
        item.social_worker_informed = social_worker_informed  # a returned item's writer may be of concern too
        detail = {"forwarded": f"forwarded {on.isoformat()} by {method}", "returned": f"returned: {reason}",
                  "withheld": f"withheld: {reason}; social worker informed", "held": "held on file"}[outcome]
        if outcome == "forwarded" and sent_copy is not None:
            detail += f"; the redacted copy {sent_copy.filename} (sha256 {sent_copy.sha256}) went out"
        _event(session, item_id, outcome, detail)


def reword_return_reason(db: Database, actor: Principal, item_id: int, reason: str, *,
                         expected_version: int | None) -> int:
    """Reword why a returned item was returned: the reason printed in the returned letter to its writer.
    A reason recorded before it was checked when recorded may name the other side, and the letter is then
    refused for good (an outcome is final); this puts it right. The new reason has the same leak check
    as when an item is returned (one that still names the other side is refused, saying what it names);
    once the returned letter was sent (the sent-list names the item, in a batch not voided as not posted)
    the letter is the record and the reason is not reworded; the item must still be returned and at the
    version shown (``expected_version``; ``None`` from scripts only locks). Audited, with a step in the
    item's history. Returns the item's new row version."""
    require(actor, P.LETTERBOX_EDIT)
    reason = clean_text(reason, "Reason", multiline=True, max_length=4000).strip()
    if not reason:
        raise ValidationError("Reason: say why the item is returned (it is printed in the letter to the writer).",
                              "reason")
    with db.session(actor) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        check_version(session, item, expected_version, f"item {item_id}", _item_values)
        _require_as_saved(session, item, "The reason was not reworded.")
        if item.status != "returned":
            raise Conflict(f"Item {item_id} is {item.status}, not returned to its writer: only the reason of a "
                           "returned item is reworded here.")
        if item.reason == reason:
            return int(item.row_version)
        sent_on = session.scalar(select(func.min(LetterSent.sent_on)).where(  # a voided batch was not posted
            LetterSent.item_id == item_id, LetterSent.kind == "returned", not_voided()))
        if sent_on is not None:  # the writer has the letter with the reason as it was: that is the record
            raise Conflict(f"The returned letter with this reason was sent on {sent_on:%d/%m/%Y}; the letter is the "
                           "record. The reason is not reworded: to put it right, write to the writer and note it "
                           "on the corrected version when it comes.")
        _refuse_reason_with_other_side(session, item, reason)
        item.reason = reason
        _event(session, item_id, "reason_reworded", f"return reason reworded: {reason}")
        session.flush()
        return int(item.row_version)


def get_item(db: Database, actor: Principal, item_id: int) -> ItemDetail:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, views_only=True) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        audit.record_view(session, "letterbox_items", item_id)
        ref, adopters = session.execute(select(Arrangement.reference, Arrangement.adopters_name)
                                        .where(Arrangement.id == item.arrangement_id)).one()
        findings = tuple(FindingRow(f.id, f.start, f.end, f.kind, f.text, f.decision) for f in session.scalars(
            select(Finding).where(Finding.item_id == item_id).order_by(Finding.start)))
        events = list(session.scalars(select(ItemEvent).where(ItemEvent.item_id == item_id).order_by(ItemEvent.id)))
        names = {u: n for u, n in session.execute(select(User.username, User.full_name).where(
            User.username.in_({e.actor for e in events})))}
        history = tuple(EventRow(e.at, e.actor, e.action, e.detail, names.get(e.actor) or e.actor) for e in events)
        sent = session.execute(select(LetterSent.kind, LetterSent.sent_on, LetterSent.side, Participant.name,
                                      LetterSent.batch)
                               .outerjoin(Participant, Participant.id == LetterSent.participant_id)
                               .where(LetterSent.item_id == item_id)
                               .order_by(LetterSent.sent_on, LetterSent.id)).all()
        void = voided_batches(session, {str(r.batch) for r in sent})  # listed, marked, as the arrangement's
        letters = tuple(replace(_letter_row(kind, on, side, name, batch, adopters),
                                voided=void[batch].said() if batch in void else "")
                        for kind, on, side, name, batch in sent)
        terms = screening_terms(session, item.arrangement_id, rules.writer_side(item.direction)) \
            if findings and item.text else None
        detail = ItemDetail(item.id, item.arrangement_id, ref, item.direction, item.writer, item.item_type,
                            item.received_on, item.status, item.text, item.screened_by, item.checked_by,
                            item.outcome_on, item.method, item.reason, item.previous_item_id, findings, history,
                            item.notes, item.social_worker_informed, item.row_version, item.channel,
                            item.participant_id, letters, _seal_problem(session, item))
    # why each finding was flagged is not stored: the stored text is screened again, outside the transaction
    # (nobody waits for it), with the terms of now; a finding the terms no longer give has no reason
    return replace(detail, findings=with_reasons(detail.text, findings, terms)) if terms is not None else detail


def _seal_problem(session: Session, item: Item) -> str:
    """What is wrong with an item with an outcome that is not as the application left it ("" when it is, or
    when it has no outcome yet): its row checked against its seals, as a signed ADM decision's is (a trial
    changed a forwarded item's text in SQL, and the item window showed it as genuine), then its findings
    against the digest saved with it (another deleted a finding and forged an entry sealing the deletion)."""
    if item.status not in rules.OUTCOMES:
        return ""
    from adoption_desktop.core.audit.seal_check import check_rows

    problems = [p.message for p in check_rows(session.connection(), "letterbox_items", [item.id])]
    held = None if problems else _vouched_digest(session, item)
    if held is not None and not findings_digest.gives(findings_digest.current_digest(session.connection(), item.id),
                                                      held):
        problems = [findings_digest.NOT_THOSE_SAVED]
    if not problems:
        return ""
    return (f"This item is not as it was when its outcome was recorded: {problems[0]}. It was changed "
            "outside the application; do not rely on what is shown here. Ask an administrator to run "
            "'adoption-desktop verify'.")


def with_reasons(text: str, findings: tuple[FindingRow, ...], terms: ScreeningTerms) -> tuple[FindingRow, ...]:
    """``findings`` of ``text`` with the reasons a screening with ``terms`` gives each (by its span)."""
    why = {(f.start, f.end): f.reason for f in screen_text(text, terms.terms, terms.labels, terms.surnames)}
    return tuple(replace(f, reason=why.get((f.start, f.end), "")) for f in findings)


def _letter_row(kind: str, on: dt.date, side: str, name: str | None, batch: str, adopters: str) -> ItemLetterRow:
    """A sent-list row about an item: to the birth relative recorded with it, or to the adopters."""
    if name is None:
        name = (adopters or "the adopters") if side == rules.ADOPTIVE else "a birth relative (not recorded)"
    return ItemLetterRow(kind, on, name, batch)
