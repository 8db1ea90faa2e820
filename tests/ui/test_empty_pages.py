"""A new agency's empty Central list, Sittings, letterbox Arrangements and counselling cases were blank
tables: nothing said what to do first. Each now shows a line in the list's empty area saying how to add the
first (the key of the signed-in person's role; nothing about adding for a role that cannot add), read by a
screen reader with the list (its accessible description), and gone as soon as the list has a row."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service as counselling
from adoption_desktop.counselling.views.page import CounsellingPage
from adoption_desktop.letterbox import service as letterbox
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.panel import service as panel
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.empty_note import EmptyNote
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.counselling.conftest import referral
from tests.letterbox.conftest import sample_input


def _ctx(db: Database, who: Principal) -> AppContext:
    return AppContext(db, who, TaskRunner(synchronous=True))


def _said(qtbot: QtBot, note: EmptyNote, view: QAbstractItemView) -> str:
    """The line on show over the empty list, checked to be what a screen reader hears with the list."""
    words = note.shown_text()
    if words:
        assert note.isVisible() and note.accessibleName() == words
        assert view.accessibleDescription().startswith(words)
    else:
        assert not note.isVisible()
    return words


def _shown(qtbot: QtBot, page: object) -> None:
    qtbot.addWidget(page)  # type: ignore[arg-type]
    page.resize(1366, 768)  # type: ignore[attr-defined]
    page.show()  # type: ignore[attr-defined]
    qtbot.waitExposed(page)  # type: ignore[arg-type]


def test_panel_sittings_and_central_list_say_how_to_add_the_first(qtbot: QtBot, db: Database) -> None:
    today = dt.date.today()
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    page = PanelPage(_ctx(db, clerk), today=today)
    _shown(qtbot, page)
    assert _said(qtbot, page.sittings_empty, page.sittings_view) == (
        "No sittings yet. Schedule the first with New sitting… (Ctrl+N).")
    page.tabs.setCurrentWidget(page.members_view.parentWidget())
    assert _said(qtbot, page.members_empty, page.members_view) == (
        "No panel members yet. Add the first with Add member… (Alt+M).")
    panel.add_member(db, clerk, panel.MemberInput("Rowan Ashcombe", "chair", dt.date(2024, 1, 1), None, True),
                     today=today)
    panel.schedule_sittings(db, clerk, panel.SittingInput(today + dt.timedelta(days=21), "10:00", "13:00",
                                                          "Room 2, Civic Centre"))
    page.reload()
    assert _said(qtbot, page.members_empty, page.members_view) == ""
    assert _said(qtbot, page.sittings_empty, page.sittings_view) == ""
    assert page.members_view.accessibleDescription() == ""


def test_the_chair_is_told_nothing_about_adding(qtbot: QtBot, db: Database) -> None:
    chair = make_user(db, "chairuser", Role.PANEL_CHAIR)
    page = PanelPage(_ctx(db, chair), today=dt.date.today())
    _shown(qtbot, page)
    assert _said(qtbot, page.sittings_empty, page.sittings_view) == "No sittings yet."
    page.tabs.setCurrentWidget(page.members_view.parentWidget())
    assert _said(qtbot, page.members_empty, page.members_view) == "No panel members yet."


def test_letterbox_arrangements_say_how_to_add_the_first_for_each_role(qtbot: QtBot, db: Database) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    admin = make_user(db, "boss", Role.ADMINISTRATOR)
    for who, words in ((coordinator, "No arrangements yet. Add the first with New arrangement… (Alt+N), or "
                                     "import a register from a spreadsheet with Import register… (Alt+M)."),
                       (admin, "No arrangements yet. Import a register from a spreadsheet with Import register… "
                               "(Alt+M).")):
        page = LetterboxPage(_ctx(db, who), today=dt.date.today())
        _shown(qtbot, page)
        page.tabs.setCurrentWidget(page.arrangements_register)
        assert _said(qtbot, page.arrangements_empty, page.arrangements_register.view) == words
    # a search that finds nothing is not "none yet" (the count under the list says it)
    page.arrangements_register.search.setText("zzz")
    page.arrangements_register.apply_search("zzz")
    assert _said(qtbot, page.arrangements_empty, page.arrangements_register.view) == ""
    page.arrangements_register.search.clear()
    page.arrangements_register.apply_search("")
    assert _said(qtbot, page.arrangements_empty, page.arrangements_register.view).startswith("No arrangements yet.")
    letterbox.create_arrangement(db, coordinator, sample_input())
    page.arrangements_register.refresh()
    assert _said(qtbot, page.arrangements_empty, page.arrangements_register.view) == ""


def test_counselling_cases_say_how_to_add_the_first(qtbot: QtBot, db: Database) -> None:
    counsellor = make_user(db, "corey", Role.COUNSELLOR)
    page = CounsellingPage(_ctx(db, counsellor))
    _shown(qtbot, page)
    assert _said(qtbot, page.empty_note, page.table) == (
        "No counselling cases yet. Add the first with New referral… (Ctrl+N).")
    counselling.create_referral(db, counsellor, referral(referral_date=dt.date.today()))
    page.refresh()
    assert page.model.rowCount() == 1
    assert _said(qtbot, page.empty_note, page.table) == ""
