"""The new screens from the user's side (pytest-qt): the birth-parent support register on the Letterbox
page and the adopters' journey on the Panel page — create, edit, a bad date kept open with the field named,
and a save over someone else's newer version refused; the item's channel and the arrangement's kind of
contact in their dialogs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import adopters
from adoption_desktop.journey.service import AdopterStages
from adoption_desktop.letterbox import service, support
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui import conflict, discard
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input

D = dt.date


@pytest.fixture
def refused(monkeypatch: pytest.MonkeyPatch) -> list[StaleRecord]:
    """The conflict dialog answered "keep editing" (the refusal recorded instead of shown modally)."""
    seen: list[StaleRecord] = []

    def answer(_parent: object, err: StaleRecord, _mine: dict[str, str], _base: object = None) -> str:
        seen.append(err)
        return conflict.CANCEL

    monkeypatch.setattr(conflict, "resolve_conflict", answer)
    return seen


@pytest.fixture
def discarded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """"Discard what you typed?" answered *Discard* (the titles asked recorded instead of shown modally)."""
    asked: list[str] = []

    def ask(_w: object, title: str, **_kw: object) -> bool:
        asked.append(title)
        return True

    monkeypatch.setattr(discard, "ask_discard", ask)
    return asked


def test_support_register_create_edit_and_stale_save(qtbot: Any, db: Database, refused: list[StaleRecord],
                                                     discarded: list[str]) -> None:
    coordinator = make_user(db, "lbc", Role.LETTERBOX_COORDINATOR)
    other = make_user(db, "lbc2", Role.LETTERBOX_COORDINATOR)
    page = LetterboxPage(AppContext(db, coordinator, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.tabs.setCurrentWidget(page.support_register)
    register = page.support_register
    editor = register.add()
    assert editor is not None
    qtbot.keyClicks(editor.edits["case_reference"], "LB-0042")
    qtbot.keyClicks(editor.edits["initials"], "G.Q.")
    qtbot.keyClicks(editor.edits["relationship"], "birth mother")
    editor.referred_on.setDate(QDate(2026, 3, 3))
    qtbot.keyClicks(editor.edits["service"], "Independent Birth Parent Support (test)")
    editor.edits["offered_on"].setText("02/03/2026")
    editor.save()
    assert "Support offered on: 02/03/2026 is before the referral" in editor.message.text()
    assert editor.isVisible() and editor.focusWidget() is editor.edits["offered_on"]
    editor.edits["offered_on"].setText("31/02/2026")
    editor.save()
    assert "'31/02/2026' is not a date" in editor.message.text()
    editor.edits["offered_on"].setText("10/03/2026")
    editor.save()
    assert not editor.isVisible()
    assert register.model.rowCount() == 1 and register.model.row_at(0).offered_on == D(2026, 3, 10)

    register.view.selectRow(0)
    first = register.edit()
    assert first is not None and first.referral is not None
    # someone else records the answer while this editor is open
    saved = support.get_referral(db, other, first.referral.id)
    support.update_referral(db, other, saved.id, support.ReferralInput(**{
        **{f: getattr(saved, f) for f in support.INPUT_FIELDS}, "response": "taken_up",
        "response_on": D(2026, 3, 12)}), expected_version=saved.row_version)
    first.response.setCurrentIndex(first.response.findData("declined"))
    first.edits["response_on"].setText("13/03/2026")
    assert first.save() is None
    assert len(refused) == 1 and first.isVisible()
    assert support.get_referral(db, coordinator, saved.id).response == "taken_up"  # theirs kept, mine refused
    first.reject()  # the refused change is discarded
    assert discarded == ["Support referral LB-0042"] and not first.isVisible()
    register.reload()
    assert register.model.row_at(0).response_label == "Taken up"


def test_adopters_journey_create_edit_and_stale_save(qtbot: Any, db: Database, refused: list[StaleRecord],
                                                    discarded: list[str]) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    page = PanelPage(AppContext(db, clerk, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.tabs.setCurrentWidget(page.adopters_tab)
    tab = page.adopters_tab
    editor = tab.add()
    assert editor is not None
    qtbot.keyClicks(editor.edits["reference"], "HH-7")
    editor.edits["registered_on"].setText("10/01/2026")
    editor.edits["stage1_completed_on"].setText("05/01/2026")
    editor.save()
    assert editor.message.text().startswith("Stage 1 completed: 05/01/2026 is before registration")
    assert editor.focusWidget() is editor.edits["stage1_completed_on"]
    editor.edits["stage1_completed_on"].setText("05/03/2026")
    editor.save()
    assert not editor.isVisible() and tab.model.rowCount() == 1
    row = tab.model.row_at(0)
    assert (row.reference, row.stage1_completed_on) == ("HH-7", D(2026, 3, 5))
    assert tab.model.data(tab.model.index(0, 3)) == "Yes"  # stage 1 within 2 months

    tab.view.selectRow(0)
    mine = tab.edit()
    assert mine is not None and mine.household is not None
    adopters.update_household(db, clerk, row.id, AdopterStages("HH-7", D(2026, 1, 10), D(2026, 3, 5),
                                                               D(2026, 3, 20)), expected_version=row.row_version)
    mine.edits["stage2_started_on"].setText("25/03/2026")
    assert mine.save() is None and len(refused) == 1
    assert adopters.get_household(db, clerk, row.id).stage2_started_on == D(2026, 3, 20)
    mine.reject()  # the refused change is discarded
    assert discarded == ["Adopters' journey — HH-7"] and not mine.isVisible()
    chair = make_user(db, "chair", Role.PANEL_CHAIR)
    read_only = PanelPage(AppContext(db, chair, TaskRunner(synchronous=True)))
    qtbot.addWidget(read_only)
    assert not read_only.adopters_tab.add_button.isEnabled()
    assert read_only.adopters_tab.model.rowCount() == 1


def test_item_channel_and_arrangement_contact_in_their_dialogs(qtbot: Any, db: Database) -> None:
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog

    coordinator = make_user(db, "lbc", Role.LETTERBOX_COORDINATOR)
    aid = service.create_arrangement(db, coordinator, sample_input())
    page = LetterboxPage(AppContext(db, coordinator, TaskRunner(synchronous=True)), today=D(2026, 3, 20))
    qtbot.addWidget(page)
    page.show_arrangements()
    page.arrangements_register.view.selectRow(0)
    dialog = page.open_item_dialog(aid, "LB-0001")
    assert dialog is not None
    dialog.channel.setCurrentIndex(dialog.channel.findData("email"))
    dialog.received_on.setDate(QDate(2026, 3, 2))
    qtbot.mouseClick(dialog.log_button, Qt.MouseButton.LeftButton)
    assert dialog.item_id is not None, dialog.message.text()
    assert service.get_item(db, coordinator, dialog.item_id).channel == "email"
    assert dialog.channel.isEnabled()  # a logged item's channel can be corrected
    dialog.channel.setCurrentIndex(dialog.channel.findData("digital"))
    dialog._channel_chosen()
    assert service.get_item(db, coordinator, dialog.item_id).channel == "digital", dialog.message.text()

    arr = page.open_arrangement_dialog(aid, modal=False)
    assert isinstance(arr, ArrangementDialog)
    assert not arr.direct_form.isEnabled()
    arr.contact_kind.setCurrentIndex(arr.contact_kind.findData("direct_and_letterbox"))
    assert arr.direct_form.isEnabled()
    arr.direct_form.setCurrentIndex(arr.direct_form.findData("video"))
    arr.save()
    assert "Direct contact began: enter the date" in arr.message.text()
    arr.direct_dates["direct_started_on"].setDate(QDate(2026, 2, 1))
    arr.save()
    data = service.get_arrangement(db, coordinator, aid).data
    assert (data.contact_kind, data.direct_form, data.direct_started_on) == ("direct_and_letterbox", "video",
                                                                             D(2026, 2, 1))


