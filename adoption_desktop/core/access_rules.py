"""The access review's rules, in words (no database, no Qt): what an account's roles allow in each area, its
state, whether it has gone unused, and when the next review is due.

Councils ask for role-based access *and* a periodic review of who holds which role (docs/permissions.md);
``core.access_review`` reads the accounts and records each review, the Administration page and
``adoption-desktop access-review`` show it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from adoption_desktop.core.months import add_months
from adoption_desktop.core.security.permissions import MATRIX, Permission, Role
from adoption_desktop.core.security.permissions_doc import MEANINGS

P = Permission
#: the areas of the program, each with the permissions that open it (in the order of the matrix)
AREAS: tuple[tuple[str, tuple[Permission, ...]], ...] = (
    ("Administration", (P.USERS_MANAGE, P.SETTINGS_MANAGE, P.AUDIT_VIEW, P.DATABASE_BACKUP)),
    ("Figures", (P.REPORTS_VIEW,)),
    ("Panel", (P.PANEL_VIEW, P.PANEL_EDIT, P.PANEL_APPROVE_MINUTES)),
    ("ADM", (P.ADM_VIEW, P.ADM_DECIDE, P.ADM_EDIT)),
    ("Letterbox", (P.LETTERBOX_VIEW, P.LETTERBOX_EDIT, P.LETTERBOX_SECOND_CHECK, P.LETTERBOX_IMPORT)),
    ("Counselling", (P.COUNSELLING_VIEW, P.COUNSELLING_EDIT)),
)
NO_ACCESS = "no access"


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    out: set[Permission] = set()
    for role in roles:
        out |= MATRIX[role]
    return frozenset(out)


def area_access(roles: Iterable[Role]) -> dict[str, str]:
    """Each area and what the roles allow in it, in the matrix's words ("read the decision queue and
    decisions; record and sign decisions …"), or "no access"."""
    held = permissions_of(roles)
    return {area: "; ".join(MEANINGS[p] for p in perms if p in held) or NO_ACCESS for area, perms in AREAS}


def account_state(disabled: bool, locked_until: dt.datetime | None, now: dt.datetime) -> str:
    """"Disabled", "Locked" (too many wrong passwords; it unlocks by itself) or "Enabled"; ``now`` naive UTC."""
    if disabled:
        return "Disabled"
    if locked_until is not None and locked_until > now:
        return "Locked"
    return "Enabled"


def unused_text(disabled: bool, last_sign_in: dt.datetime | None, created: dt.datetime | None,
                now: dt.datetime, days: int) -> str:
    """For an enabled account not signed in for ``days`` days or more (counted from its creation when it never
    has), what the review says in capitals ("NOT USED for 120 days", "NEVER SIGNED IN (created 95 days ago)");
    "" otherwise, and for a disabled account (it cannot be used). Times naive UTC."""
    if disabled:
        return ""
    since = last_sign_in or created
    if since is None:
        return "NEVER SIGNED IN"
    idle = (now - since).days
    if idle < days:
        return ""
    if last_sign_in is None:
        return f"NEVER SIGNED IN (created {idle:,} days ago)"
    return f"NOT USED for {idle:,} days"


def next_due(last_review: dt.date | None, months: int) -> dt.date | None:
    """The day the next review is due: ``months`` after the last one; None when none was ever recorded (due now)."""
    return None if last_review is None else add_months(last_review, months)


def due_text(last_review: dt.date | None, months: int, today: dt.date) -> str:
    """The next review in words: "due 07/06/2027", "OVERDUE: was due 07/06/2026", or "due now (no review
    recorded yet)"."""
    due = next_due(last_review, months)
    if due is None:
        return "due now (no review recorded yet)"
    if due < today:
        return f"OVERDUE: was due {due:%d/%m/%Y}"
    return f"due {due:%d/%m/%Y}"
