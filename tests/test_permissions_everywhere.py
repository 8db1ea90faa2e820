"""Every service use case refuses a user without the permission, before it touches anything, and the
permission it asks for is one of its own area's.

This walks every public function in every service module whose first two parameters are the database
and the acting user, calls it as a real, enabled, signed-in user with no roles (other arguments are
dummies: the permission check must come first), and expects PermissionDenied from ``require`` — not from
the session's check that the user exists, which would hide a use case that forgot its ``require``. The
permissions the refusal names (told to a refusal listener, as the audit hears them) must belong to the use
case's area, and a use case named for a change must need more than a ``*.view`` permission: a letterbox
change guarded by ``panel.edit``, or a save guarded by ``letterbox.view``, fails here."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security import permissions
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database
from tests.conftest import DemoTemplate, MemoryKeyring, copy_template, make_template, make_user


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
    "adoption_desktop.core.drafts.load_draft_base",
    "adoption_desktop.core.drafts.load_draft_fields",
    "adoption_desktop.core.drafts.clear_draft",
    "adoption_desktop.core.drafts.list_drafts",  # which of your own drafts wait (never their text)
    "adoption_desktop.core.drafts.kept_apart",  # your own drafts of a form kept by another window
    "adoption_desktop.core.drafts.drafts_of_form",
    # "this user has that record open for editing": the record's name and id, no case content
    "adoption_desktop.core.presence.acquire",
    "adoption_desktop.core.presence.renew",
    "adoption_desktop.core.presence.release",
    "adoption_desktop.core.presence.who_is_editing",
    # the user's own session ends (audited)
    "adoption_desktop.core.security.service.sign_out",
    # each section is shown only to the role it is for; a user with no roles gets an empty page
    "adoption_desktop.reports.my_work.my_work",
}


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


V = "view"
ADMIN = {"users.manage", "settings.manage", "audit.view", "database.backup"}
#: the permissions a use case may ask for, by the first part of its module's name under the package
AREA_PERMISSIONS: dict[str, set[str]] = {
    "panel": {"panel.view", "panel.edit", "panel.approve_minutes"},
    "adm": {"adm.view", "adm.decide", "adm.edit"},
    "letterbox": {"letterbox.view", "letterbox.edit", "letterbox.second_check", "letterbox.import"},
    "counselling": {"counselling.view", "counselling.edit"},
    # the child's and the adopters' journey: recorded by the panel or the ADM side (docs/permissions.md)
    "journey": {"panel.view", "panel.edit", "adm.view", "adm.edit"},
    # figures need reports.view; the cases behind them need their own area's view as well
    "reports": {"reports.view", "panel.view", "adm.view", "letterbox.view", "counselling.view"},
    "core": ADMIN,
    "template_admin": {"settings.manage"},
}
#: an area's modules of report figures (counts, for reports.view; ``behind`` needs the area's view too)
FIGURE_MODULES = {f"adoption_desktop.{m}" for m in (
    "adm.figures", "adm.more_information", "panel.attendance", "panel.deferrals", "panel.makeup",
    "counselling.service.case_counts")}
#: a use case outside its area's permissions, and why
OTHER_AREA = {
    # a new kind of ADM decision is the agency's configuration, like its settings
    "adoption_desktop.adm.service.type_catalogue.add_decision_type": {"settings.manage"},
    # the letterbox's search indexes made again from the records: upkeep of the database, an administrator's
    "adoption_desktop.letterbox.search_check.rebuild_search": {"settings.manage"},
}
#: a name that says it changes something
CHANGES = ("add_", "update_", "set_", "remove_", "delete_", "create_", "record_", "save_", "restore_",
           "mark_", "unmark_", "sign_", "approve_", "submit_", "correct_", "cancel_", "move_", "reorder_",
           "schedule_", "give_", "declare_", "close_", "log_", "decide_", "confirm_", "import_", "reword_",
           "change_", "unlock_", "link_", "defer_", "request_")
CHANGE_NAMES = {"attach", "allocate", "acknowledge"}
#: named for a change but a reading: it records that the user exported what they may read
RECORDS_A_READING = {
    "adoption_desktop.panel.service.documents_data.record_minutes_written",
    "adoption_desktop.panel.service.documents_data.record_invitations_written",
    "adoption_desktop.panel.service.sittings.record_calendar_export",
    "adoption_desktop.core.record_history.record_history",  # "record" the noun: a record's history, a reading
}


def allowed_permissions(name: str) -> set[str]:
    if name in OTHER_AREA:
        return OTHER_AREA[name]
    parts = name.split(".")
    if parts[-1] in ("figures", "behind") or name.rsplit(".", 1)[0] in FIGURE_MODULES:
        return {"reports.view", *AREA_PERMISSIONS.get(parts[1], set())} - {"panel.edit", "adm.edit"}
    return AREA_PERMISSIONS[parts[1]]


def test_the_area_rules_can_fail() -> None:
    """The checks below catch the mistakes they are for."""
    assert "panel.edit" not in allowed_permissions("adoption_desktop.letterbox.service.item_log.log_item")
    assert "letterbox.view" not in allowed_permissions("adoption_desktop.panel.service.members.add_member")
    assert "reports.view" in allowed_permissions("adoption_desktop.letterbox.figures.figures")
    assert "add_member".startswith(CHANGES) and not "list_members".startswith(CHANGES)
    assert not "attachment_pages".startswith(CHANGES) and "attachment_pages" not in CHANGE_NAMES


@pytest.fixture(scope="module")
def _with_nobody(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoTemplate, Principal]:
    """A new database with ``noroles`` in it, made once for the module: each test gets a copy
    (:func:`db`), not a database made again (some 0.4 s of CPU each, 268 times)."""
    made: list[Principal] = []
    template = make_template(tmp_path_factory.mktemp("permissions") / "agency.db",
                             lambda db: made.append(make_user(db, "noroles")))
    return template, made[0]


@pytest.fixture
def db(_with_nobody: tuple[DemoTemplate, Principal], db_path: Path, store: SecretStore,
       _isolation: MemoryKeyring) -> Iterator[Database]:
    """This test's own copy of the database made with ``noroles`` (as ``create_database`` made it)."""
    opened = open_database(copy_template(_with_nobody[0], db_path, _isolation), store)
    yield opened
    opened.dispose()


@pytest.fixture
def nobody(db: Database, _with_nobody: tuple[DemoTemplate, Principal]) -> Principal:
    """A real, enabled user with no roles: the session lets them in, so only ``require`` can refuse."""
    return _with_nobody[1]


@pytest.mark.parametrize(("name", "fn"), USE_CASES, ids=[n.split("adoption_desktop.")[1] for n, _ in USE_CASES])
def test_use_case_refuses_a_user_without_permission(db: Database, nobody: Principal, name: str, fn: Any) -> None:
    params = list(inspect.signature(fn).parameters.values())[2:]
    args = [None for p in params if p.default is inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    kwargs = {p.name: None for p in params if p.default is inspect.Parameter.empty and p.kind == p.KEYWORD_ONLY}
    asked: list[tuple[str, ...]] = []
    permissions.listen_for_refusals(nobody, lambda _p, missing, _where: asked.append(tuple(map(str, missing))))
    try:
        with pytest.raises(PermissionDenied):
            fn(db, nobody, *args, **kwargs)
    finally:
        permissions.listen_for_refusals(nobody, None)
    if name == "adoption_desktop.core.security.service.signatory":
        return  # the permission is the caller's argument (the one needed to produce the letters)
    if name == "adoption_desktop.reports.search_everywhere.search_everywhere":
        assert not asked  # it searches the areas the user may see, and refuses only a user who sees none
        return
    assert asked, f"{name} refused without require(): its permission is not checked (or not audited)"
    needed = set(asked[0])
    assert needed <= allowed_permissions(name), f"{name} asks for {sorted(needed)}: not its area's"
    short = name.rsplit(".", 1)[1]
    if (short.startswith(CHANGES) or short in CHANGE_NAMES) and name not in RECORDS_A_READING:
        assert any(not p.endswith(V) for p in needed), f"{name} changes things but asks only {sorted(needed)}"
