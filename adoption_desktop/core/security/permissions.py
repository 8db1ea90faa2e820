"""Roles and the permission matrix (the written copy is docs/permissions.md; a test keeps them equal).

Services call :func:`require` before any read of case records or any write, so a role without the
permission is refused even when the user interface is bypassed.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from adoption_desktop.core.errors import PermissionDenied


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    PANEL_ADMINISTRATOR = "panel_administrator"
    PANEL_CHAIR = "panel_chair"
    AGENCY_DECISION_MAKER = "agency_decision_maker"
    LETTERBOX_COORDINATOR = "letterbox_coordinator"
    COUNSELLOR = "counsellor"
    MANAGER = "manager"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ADMINISTRATOR: "Administrator",
    Role.PANEL_ADMINISTRATOR: "Panel administrator",
    Role.PANEL_CHAIR: "Panel chair",
    Role.AGENCY_DECISION_MAKER: "Agency decision maker",
    Role.LETTERBOX_COORDINATOR: "Letterbox coordinator",
    Role.COUNSELLOR: "Counsellor",
    Role.MANAGER: "Manager (figures only)",
}


class Permission(StrEnum):
    # administration
    USERS_MANAGE = "users.manage"
    SETTINGS_MANAGE = "settings.manage"
    AUDIT_VIEW = "audit.view"
    DATABASE_BACKUP = "database.backup"
    # figures (counts only, never names)
    REPORTS_VIEW = "reports.view"
    # adoption panel
    PANEL_VIEW = "panel.view"
    PANEL_EDIT = "panel.edit"
    PANEL_APPROVE_MINUTES = "panel.approve_minutes"
    # agency decision maker
    ADM_VIEW = "adm.view"
    ADM_DECIDE = "adm.decide"
    ADM_EDIT = "adm.edit"
    # letterbox
    LETTERBOX_VIEW = "letterbox.view"
    LETTERBOX_EDIT = "letterbox.edit"
    LETTERBOX_SECOND_CHECK = "letterbox.second_check"
    LETTERBOX_IMPORT = "letterbox.import"
    # birth-records counselling
    COUNSELLING_VIEW = "counselling.view"
    COUNSELLING_EDIT = "counselling.edit"


P = Permission
MATRIX: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset({
        P.USERS_MANAGE, P.SETTINGS_MANAGE, P.AUDIT_VIEW, P.DATABASE_BACKUP, P.REPORTS_VIEW,
        P.PANEL_VIEW, P.ADM_VIEW, P.LETTERBOX_VIEW, P.LETTERBOX_IMPORT,
        P.COUNSELLING_VIEW, P.COUNSELLING_EDIT,
    }),
    Role.PANEL_ADMINISTRATOR: frozenset({P.PANEL_VIEW, P.PANEL_EDIT, P.ADM_VIEW, P.ADM_EDIT, P.REPORTS_VIEW}),
    Role.PANEL_CHAIR: frozenset({P.PANEL_VIEW, P.PANEL_APPROVE_MINUTES}),
    Role.AGENCY_DECISION_MAKER: frozenset({P.ADM_VIEW, P.ADM_DECIDE, P.ADM_EDIT, P.PANEL_VIEW, P.REPORTS_VIEW}),
    Role.LETTERBOX_COORDINATOR: frozenset({
        P.LETTERBOX_VIEW, P.LETTERBOX_EDIT, P.LETTERBOX_SECOND_CHECK, P.LETTERBOX_IMPORT,
    }),
    Role.COUNSELLOR: frozenset({P.COUNSELLING_VIEW, P.COUNSELLING_EDIT}),
    Role.MANAGER: frozenset({P.REPORTS_VIEW}),
}


@dataclass(frozen=True)
class Principal:
    """Who is signed in: plain data handed to services (never an ORM object)."""

    user_id: int
    username: str
    full_name: str
    roles: frozenset[Role]
    #: the account's ``password_serial`` at sign-in: a password reset since then ends this session (not part
    #: of the principal's identity: equal principals are one user with one set of roles)
    password_serial: int = field(default=0, compare=False, repr=False)
    #: role rows on the account that are not in effect: inserted or changed outside the application (no
    #: seal of the application's, or not as sealed; :func:`core.security.service.withheld_roles`). Kept so
    #: that the check of a session against the account's current roles does not count them as a change.
    roles_withheld: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def permissions(self) -> frozenset[Permission]:
        out: set[Permission] = set()
        for role in self.roles:
            out |= MATRIX[role]
        return frozenset(out)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def display(self) -> str:
        return f"{self.full_name} ({self.username})"


SYSTEM = Principal(0, "system", "System", frozenset(Role))


#: told of each refusal by :func:`require`: the signed-in user, the permissions missing and the use case
#: refused (``module.function``); set per signed-in principal by ``core.security.refusals.watch``
RefusalListener = Callable[[Principal, tuple[Permission, ...], str], None]
_REFUSAL_LISTENERS: dict[Principal, RefusalListener] = {}


def listen_for_refusals(principal: Principal, listener: RefusalListener | None) -> None:
    """Tell ``listener`` of every refusal of ``principal`` from now on (``None``: stop)."""
    if listener is None:
        _REFUSAL_LISTENERS.pop(principal, None)
    else:
        _REFUSAL_LISTENERS[principal] = listener


def tell_refused(principal: Principal, missing: tuple[Permission, ...], where: str) -> None:
    """Tell the principal's listener, if it has one, of a refusal: ``missing`` permissions (``require``), or
    none when the account itself was refused (disabled, or its roles changed, since signing in)."""
    listener = _REFUSAL_LISTENERS.get(principal)
    if listener is not None:
        try:
            listener(principal, missing, where)
        except Exception:  # recording the refusal must never turn it into another error
            logging.getLogger(__name__).exception("a refused action could not be recorded")


def require(principal: Principal, *permissions: Permission) -> None:
    """Raise :class:`PermissionDenied` unless ``principal`` holds every one of ``permissions``; the
    refusal is first told to the principal's listener, if it has one (it is audited)."""
    missing = [p for p in permissions if not principal.can(p)]
    if missing:
        caller = sys._getframe(1)
        tell_refused(principal, tuple(missing), f"{caller.f_globals.get('__name__', '?')}.{caller.f_code.co_name}")
        names = [str(m) for m in missing]
        needed = (f"the permission {names[0]}" if len(names) == 1
                  else f"the permissions {', '.join(names[:-1])} and {names[-1]}")
        raise PermissionDenied(
            f"{principal.full_name} may not do this: it needs {needed}. "
            "Ask an administrator to change your roles if you should."
        )
