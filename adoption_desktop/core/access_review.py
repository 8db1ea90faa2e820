"""The access review: every account with its roles in words, what they allow in each area, its state and last
sign-in, the accounts not used for a while; and the record, by an administrator, that the review was done.

Reading needs ``users.manage`` (as Administration → Users does) and writes nothing, except when the command
line prints the list (audited as a view of it, as the CSV export is audited as an export). Recording a review adds a
row to ``access_reviews`` (audited and sealed as it is written, never changed: ``verify`` names one altered
afterwards) holding the accounts as they were reviewed. A review is recorded only against the list the
administrator read: when another review was recorded since, or an account's roles or state changed since
(on another PC, by another administrator), it is refused, saying which, so no review is recorded twice over
and none vouches for a list its reviewer did not see. The export (CSV) is audited as every export is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from adoption_desktop.core import access_rules, audit
from adoption_desktop.core.concurrency import local_time, when_text
from adoption_desktop.core.config import ACCESS_REVIEW_MONTHS, ACCESS_UNUSED_DAYS
from adoption_desktop.core.documents.spreadsheet_safety import csv_writer
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.files import output_file
from adoption_desktop.core.models import AccessReviewRecord
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Permission, Principal, Role, require
from adoption_desktop.core.security.service import role_label, withheld_role_rows
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.base import record_now, server_clock, utcnow
from adoption_desktop.core.storage.engine import AuditHoldError, Database, held_reading_message, secure_umask

#: the longest note a review may carry
NOTE_LIMIT = 2000
#: where the interval and the "not used" threshold are set, for the page, the command and the guide
WHERE_SET = ("Administration → Settings: “Months between access reviews”, “Days without a sign-in before an "
             "account is listed as not used”")


@dataclass(frozen=True)
class ReviewedAccount:
    username: str
    full_name: str
    roles: tuple[str, ...]  # the roles in effect, in words
    withheld: tuple[str, ...]  # role rows not in effect (added outside the application), in words
    state: str  # Enabled, Disabled, Locked
    last_sign_in: dt.datetime | None  # naive UTC
    unused: str  # "NOT USED for 120 days", "" when in use (access_rules.unused_text)
    areas: dict[str, str]  # area → what the roles allow there, in words

    @property
    def roles_text(self) -> str:
        text = ", ".join(self.roles) or "no role"
        if self.withheld:
            text += f"; NOT IN EFFECT (added outside the application): {', '.join(self.withheld)}"
        return text

    @property
    def last_sign_in_text(self) -> str:
        return f"{local_time(self.last_sign_in):%d/%m/%Y %H:%M}" if self.last_sign_in else "never"

    def listed(self) -> dict[str, object]:
        """As kept in a review's record (JSON)."""
        return {"username": self.username, "full_name": self.full_name, "roles": list(self.roles),
                "withheld": list(self.withheld), "state": self.state,
                "last_sign_in": self.last_sign_in.isoformat() if self.last_sign_in else None,
                "unused": self.unused}


@dataclass(frozen=True)
class LastReview:
    id: int
    reviewed_at: dt.datetime  # naive UTC
    reviewer: str
    note: str
    accounts: int

    def text(self) -> str:
        return f"{local_time(self.reviewed_at):%d/%m/%Y} by {self.reviewer}"


@dataclass(frozen=True)
class AccessReview:
    accounts: tuple[ReviewedAccount, ...]
    #: digest of what a review vouches for (each account's name, roles and state): pass it back to
    #: :func:`record_review`, which refuses when the accounts have changed since
    basis: str
    last: LastReview | None
    months: int
    unused_days: int
    due: str  # access_rules.due_text

    @property
    def last_id(self) -> int | None:
        return self.last.id if self.last else None

    @property
    def unused(self) -> int:
        return sum(1 for a in self.accounts if a.unused)


def _accounts(session: Session, now: dt.datetime | None, days: int) -> tuple[list[ReviewedAccount], dt.datetime]:
    """The accounts as the review shows them, and the "now" they are judged at (locked, not used for ``days``):
    ``now`` when given, else the clock sign-in goes by, read with the accounts (the server's in team mode, in
    the same statement; this PC's on a database file)."""
    team = session.get_bind().dialect.name == "postgresql"
    rows = session.execute(select(User, server_clock() if team and now is None else literal(None))
                           .order_by(func.lower(User.username), User.username)).all()
    users = [u for u, _clock in rows]
    at: dt.datetime = now or (rows[0][1] if team and rows else None) or utcnow()
    withheld = withheld_role_rows(session, [(u.id, r.role) for u in users for r in u.roles])
    known = {str(r) for r in Role}
    out = []
    for u in users:
        roles = [Role(r.role) for r in u.roles if (u.id, r.role) not in withheld and r.role in known]
        roles.sort(key=list(Role).index)
        out.append(ReviewedAccount(
            u.username, u.full_name, tuple(r.label for r in roles),
            tuple(sorted(role_label(r.role) for r in u.roles if (u.id, r.role) in withheld)),
            access_rules.account_state(u.disabled, u.locked_until, at), u.last_login,
            access_rules.unused_text(u.disabled, u.last_login, u.created_at, at, days),
            access_rules.area_access(roles)))
    return out, at


def _basis(accounts: list[ReviewedAccount]) -> str:
    """What a review vouches for: each account's names, roles and whether it is disabled (not its last sign-in
    or a lock, which change by themselves while the list is read)."""
    facts = [[a.username, a.full_name, list(a.roles), list(a.withheld), a.state == "Disabled"] for a in accounts]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode("utf-8")).hexdigest()


def _last(session: Session) -> LastReview | None:
    row = session.scalars(select(AccessReviewRecord).order_by(AccessReviewRecord.id.desc()).limit(1)).first()
    return None if row is None else LastReview(row.id, row.reviewed_at, row.reviewer, row.note, row.accounts)


def _review(session: Session, now: dt.datetime | None) -> AccessReview:
    """``now``: None for the clock sign-in goes by (:func:`_accounts`)."""
    months = get_setting(session, ACCESS_REVIEW_MONTHS)
    days = get_setting(session, ACCESS_UNUSED_DAYS)
    accounts, now = _accounts(session, now, days)
    last = _last(session)
    today = local_time(now).date()
    due = access_rules.due_text(local_time(last.reviewed_at).date() if last else None, months, today)
    return AccessReview(tuple(accounts), _basis(accounts), last, months, days, due)


def access_review(db: Database, actor: Principal, *, now: dt.datetime | None = None,
                  printed: bool = False) -> AccessReview:
    """Every account as the review shows it, the last review recorded and when the next is due. Reads only;
    ``printed=True`` (``adoption-desktop access-review`` printing it to the terminal, which may be redirected to
    a file as the CSV is written) audits the reading as a view of the access list, in the same transaction, so
    nothing is printed unless the view is in the log."""
    require(actor, Permission.USERS_MANAGE)
    if not printed:
        with db.session(actor, write=False) as session:
            return _review(session, now)
    try:
        with db.session(actor, views_only=True) as session:
            review = _review(session, now)
            audit.record_view(session, "access_reviews", "*",
                              detail=f"access review: {len(review.accounts)} accounts printed")
            return review
    except AuditHoldError as held:  # printing is recorded as a view: not a save, so said as a reading
        if not held.hold:
            raise
        raise AuditHoldError(held_reading_message(held.hold, "The access review could not be printed"),
                             held.hold) from held


def clean_note(note: str) -> str:
    text = note.strip()
    if not text:
        raise ValidationError("Note: say what you checked and what you changed (\"disabled jsmith, who left in "
                              "March; roles otherwise as needed\").", "note")
    if len(text) > NOTE_LIMIT:
        raise ValidationError(f"Note: at most {NOTE_LIMIT:,} characters ({len(text):,} typed).", "note")
    return text


def record_review(db: Database, actor: Principal, note: str, *, basis: str, last_id: int | None,
                  now: dt.datetime | None = None) -> LastReview:
    """Record that the access review was done, by ``actor``, with ``note``: the accounts as they are now, kept
    in the record. ``basis`` and ``last_id``: from the :class:`AccessReview` the reviewer read. Refused
    (:class:`Conflict`) when another review was recorded since, or the accounts changed since."""
    require(actor, Permission.USERS_MANAGE)
    text = clean_note(note)
    with db.session(actor) as session:  # a write: one writer at a time, on a file as on a server
        at = now or record_now(session)  # the server's clock in team mode
        review = _review(session, at)
        if review.last_id != last_id and review.last is not None:
            raise Conflict(f"{review.last.reviewer} recorded an access review at {when_text(review.last.reviewed_at)} "
                           "after you read the list. Press F5 to see it; record yours only if it is still needed.")
        if review.basis != basis:
            raise Conflict("The accounts changed after you read the list (a role given or taken away, an account "
                           "added, disabled or enabled). Press F5, look at the list again, then record the review.")
        listing = json.dumps([a.listed() for a in review.accounts], ensure_ascii=False, sort_keys=True)
        row = AccessReviewRecord(reviewed_at=at, reviewer_id=actor.user_id, reviewer=actor.display, note=text,
                                 accounts=len(review.accounts), listing=listing,
                                 digest=hashlib.sha256(listing.encode("utf-8")).hexdigest())
        session.add(row)
        session.flush()
        audit.record(session, "access_review", "access_reviews", row.id,
                     detail=f"{len(review.accounts)} accounts reviewed, {review.unused} not used for "
                            f"{review.unused_days} days or more")
        return LastReview(row.id, at, row.reviewer, text, row.accounts)


#: the export's columns before one per area
CSV_COLUMNS = ("User name", "Full name", "Roles", "State", "Last sign-in", "Not used")


def export_csv(db: Database, actor: Principal, out: Path, *, now: dt.datetime | None = None) -> int:
    """The review's list as CSV (UTF-8, Excel-safe), one row per account, then the last review and the next
    due; the export audited. Returns the number of accounts."""
    require(actor, Permission.USERS_MANAGE)
    secure_umask()
    with output_file(out) as partial:
        with db.session(actor, write=False) as session:
            review = _review(session, now)
        with partial.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv_writer(fh)
            writer.writerow([*CSV_COLUMNS, *(area for area, _p in access_rules.AREAS)])
            for a in review.accounts:
                writer.writerow([a.username, a.full_name, a.roles_text, a.state, a.last_sign_in_text, a.unused,
                                 *a.areas.values()])
            writer.writerow([])
            writer.writerow(["Last review", review.last.text() if review.last else "none recorded"])
            writer.writerow(["Next review", review.due])
        with db.session(actor) as session:
            audit.record(session, "export", "access_reviews", "*",
                         detail=f"access review: {len(review.accounts)} accounts exported")
    return len(review.accounts)
