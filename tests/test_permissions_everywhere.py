"""Every service use case refuses a user without the permission, before it touches anything.

This walks every public function in every service module whose first two parameters are the database
and the acting user, calls it as a signed-in user with no roles (other arguments are dummies: the
permission check must come first), and expects PermissionDenied."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database


def _service_modules() -> list[str]:
    """Every module of the package except Qt views, migrations, demo generators and the CLI."""
    import pkgutil

    import adoption_desktop

    skip = (".views", ".ui", ".migrations", ".demo", ".cli", ".app", "__main__", ".selftest")
    return sorted(m.name for m in pkgutil.walk_packages(adoption_desktop.__path__, "adoption_desktop.")
                  if not any(part in m.name for part in skip))


SERVICE_MODULES = _service_modules()
# Use cases deliberately open to any signed-in user (documented in docs/permissions.md).
OPEN_TO_ALL = {
    "adoption_desktop.core.security.service.reset_password",  # your own password (others need users.manage)
    "adoption_desktop.core.security.service.change_own_password",  # your own, with the current one
    "adoption_desktop.core.security.service.reauthenticate",
    "adoption_desktop.core.security.service.confirm_password",  # your own password, before signing etc.
    "adoption_desktop.core.security.service.principal_for",
    # not a use case: the sign-in's own hook (refusals of this principal are audited from now on)
    "adoption_desktop.core.security.refusals.watch",
    # a user's own unsaved text: nobody else can read it
    "adoption_desktop.core.drafts.save_draft",
    "adoption_desktop.core.drafts.load_draft",
    "adoption_desktop.core.drafts.clear_draft",
}
NOBODY = Principal(424242, "nobody", "No Roles", frozenset())


def _use_cases() -> list[tuple[str, Any]]:
    found = []
    for name in SERVICE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for attr, fn in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != name:
                continue
            params = list(inspect.signature(fn).parameters.values())
            if len(params) >= 2 and params[0].name == "db" and params[1].name in {"actor", "principal"}:
                qualified = f"{name}.{attr}"
                if qualified not in OPEN_TO_ALL:
                    found.append((qualified, fn))
    return found


USE_CASES = _use_cases()


def test_there_are_use_cases_to_check() -> None:
    assert len(USE_CASES) > 50


@pytest.mark.parametrize(("name", "fn"), USE_CASES, ids=[n.split("adoption_desktop.")[1] for n, _ in USE_CASES])
def test_use_case_refuses_a_user_without_permission(db: Database, name: str, fn: Any) -> None:
    params = list(inspect.signature(fn).parameters.values())[2:]
    args = [None for p in params if p.default is inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    kwargs = {p.name: None for p in params if p.default is inspect.Parameter.empty and p.kind == p.KEYWORD_ONLY}
    with pytest.raises(PermissionDenied):
        fn(db, NOBODY, *args, **kwargs)
