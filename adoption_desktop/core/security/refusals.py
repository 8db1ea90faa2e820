"""A refused action is audited: when :func:`~adoption_desktop.core.security.permissions.require` refuses
a signed-in user (a role without the permission, through a stale window or a headless command), the
log gets a ``refused`` entry under that user's name naming the use case and the permissions it needed.

The entry is written in a transaction of its own (the refused use case writes nothing), after the
session this thread may have open has ended (:func:`~adoption_desktop.core.storage.engine.after_session`).
Who is watched: a principal from a completed sign-in (:func:`watch`, from the sign-in itself); refusals
of an account disabled, or whose roles changed, since it signed in (the session's re-check) are recorded
too, once for each use case tried and reason (a window left open keeps trying). Refusals of an account
whose password is still being checked beside a headless command's reading are held and written once the
sign-in is confirmed (:class:`Held`), dropped if it fails — an unproven name is not recorded as having
tried anything.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable

from adoption_desktop.core import audit
from adoption_desktop.core.security.permissions import SYSTEM, Permission, Principal, listen_for_refusals
from adoption_desktop.core.storage.engine import Database, after_session

log = logging.getLogger(__name__)

ACTION = "refused"


def detail(missing: tuple[Permission, ...], where: str) -> str:
    if not missing:  # the account itself was refused; ``where`` says why
        return where
    names = ", ".join(str(p) for p in missing)
    return f"{where} needs {names}"


def _record(db: Database, principal: Principal, missing: tuple[Permission, ...], where: str) -> None:
    """Write the refusal's entry now (outside any session of this thread)."""
    if db.disposed:
        return
    try:
        # as the system (like a failed sign-in): a user whose roles changed since signing in is refused a
        # session of their own, and a refusal is recorded even while the audit log is held for review
        with db.session(SYSTEM) as session:
            audit.record(session, ACTION, "users", principal.user_id, detail=detail(missing, where),
                         actor=principal)
    except Exception:  # the refusal itself still reaches the user; the log file keeps why this failed
        log.exception("a refusal (%s) could not be audited", where)  # no names in the log file


def watch(db: Database, principal: Principal) -> None:
    """Audit every refusal of ``principal`` in ``db`` from now on (the database is not kept alive by it)."""
    ref = weakref.ref(db)

    account_refusals: set[str] = set()  # what was tried, and why refused, as entered

    def listener(who: Principal, missing: tuple[Permission, ...], where: str) -> None:
        if not missing:  # the account was disabled or its roles changed: each thing tried is entered once, as
            if where in account_refusals:  # a window left open (timers, retries) keeps trying the same
                return
            account_refusals.add(where)
        target = ref()
        if target is not None:
            after_session(lambda: _record(target, who, missing, where))

    listen_for_refusals(principal, listener)


def stop(principal: Principal) -> None:
    listen_for_refusals(principal, None)


class Held:
    """Refusals of a principal whose sign-in is not yet confirmed: kept until :meth:`confirmed`
    (written, and the principal watched from then on) or :meth:`dropped`."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.waiting: list[tuple[tuple[Permission, ...], str]] = []
        listen_for_refusals(principal, lambda _who, missing, where: self.waiting.append((missing, where)))

    def confirmed(self, db: Database) -> None:
        """Write what was held (the sign-in itself watches the principal from now on)."""
        waiting, self.waiting = self.waiting, []
        for missing, where in waiting:
            after_session(_writer(db, self.principal, missing, where))

    def dropped(self) -> None:
        self.waiting = []
        stop(self.principal)


def _writer(db: Database, principal: Principal, missing: tuple[Permission, ...], where: str) -> Callable[[], None]:
    return lambda: _record(db, principal, missing, where)
