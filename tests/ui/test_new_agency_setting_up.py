"""A new agency's first run (user trial ut28): the administrator of a fresh database is told, on My work and on
the Agency profile tab, that every letter, the minutes and the reports are headed with the shipped example name
and address ("Example Regional Adoption Agency, 1 Example Street") until the profile is set, and that nobody
else can sign in yet. Before, nothing said so: the first letters and the first report went out under the
example agency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adoption_desktop.core import policy
from adoption_desktop.core.agency_profile import agency_profile, save_agency_profile
from adoption_desktop.core.config import AGENCY_ADDRESS, AGENCY_NAME
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports.my_work import my_work
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner

FIRST_PASSWORD = "copper kettle window seventy"


def _setting_up(db: Database, actor: Any) -> list[str]:
    work = my_work(db, actor)
    return [line.kind for s in work.sections if s.title == "Setting up the agency" for line in s.lines]


def test_a_new_database_asks_its_administrator_to_set_the_letterhead_and_add_users(
        db: Database, other_pc: Database) -> None:
    first = users.create_first_administrator(db, "jadmin", "Jo Admin", FIRST_PASSWORD)
    assert _setting_up(db, first) == ["agency_profile", "users"]
    line = next(ln for s in my_work(db, first).sections for ln in s.lines if ln.kind == "agency_profile")
    assert "name and postal address" in line.title and AGENCY_NAME.default in line.detail

    # the profile saved on another PC with the agency's own name and address: done everywhere
    with other_pc.session(write=False) as s:
        profile = agency_profile(s)
    assert (profile.name, profile.address) == (AGENCY_NAME.default, AGENCY_ADDRESS.default)
    from dataclasses import replace

    save_agency_profile(other_pc, first, replace(profile, name="Northshire Adoption Partnership",
                                                 address="2 Sample Road\nNorthtown\nZZ99 2BB"))
    assert _setting_up(db, first) == ["users"]
    users.create_user(other_pc, first, "padviser", "Pat Adviser", "river button orange cloud",
                      [Role.PANEL_ADMINISTRATOR])
    assert _setting_up(db, first) == []


def test_only_the_address_left_and_a_name_set_by_it_policy(db: Database, tmp_path: Path) -> None:
    first = users.create_first_administrator(db, "jadmin", "Jo Admin", FIRST_PASSWORD)
    policy_file = tmp_path / "policy" / "policy.json"
    policy_file.parent.mkdir(parents=True, exist_ok=True)
    policy_file.write_text(json.dumps({"AgencyName": "Northshire Adoption Partnership"}))
    policy.reset_cache()
    line = next(ln for s in my_work(db, first).sections for ln in s.lines if ln.kind == "agency_profile")
    assert line.title == "Agency profile: set the agency's postal address"


def test_the_demo_and_other_roles_are_not_asked(small_demo_db: Database) -> None:
    from adoption_desktop.core.security.permissions import Principal

    with small_demo_db.session(write=False) as s:
        from sqlalchemy import select

        from adoption_desktop.core.security.models import User

        admin = s.scalars(select(User).where(User.username == "admin")).one()
        principal = Principal(admin.id, admin.username, admin.full_name, frozenset({Role.ADMINISTRATOR}))
    assert _setting_up(small_demo_db, principal) == []


def test_my_work_line_opens_the_agency_profile_which_says_it_is_the_example(db: Database, qtbot: Any) -> None:
    first = users.create_first_administrator(db, "jadmin", "Jo Admin", FIRST_PASSWORD)
    window = MainWindow(AppContext(db, first, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    page = window.page("my_work")
    assert page is not None
    line = next(ln for ln in page.data.lines if ln.kind == "agency_profile")  # type: ignore[attr-defined]
    assert page.list.item(1).text().strip().startswith("Agency profile: set the agency's name")  # type: ignore[attr-defined]
    page.open_line(line)  # type: ignore[attr-defined]
    admin = window.page("admin")
    assert admin is not None and admin.currentWidget() is admin.profile  # type: ignore[attr-defined]
    tab = admin.profile  # type: ignore[attr-defined]
    assert tab.example_note.isVisible() and "name and postal address" in tab.example_note.text()
    tab.edits["name"].setText("Northshire Adoption Partnership")
    assert tab.save()
    assert tab.example_note.isVisible() and tab.example_note.text().startswith("The postal address below is")
    tab.address.setPlainText("2 Sample Road\nNorthtown\nZZ99 2BB")
    assert tab.save()
    assert not tab.example_note.isVisible()
