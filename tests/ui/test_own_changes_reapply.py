"""A whole-form edit that a colleague saved first, in the windows moved over after Edit member (e9d204b):
two people on one SQLCipher file (their own engines), one changes a field, the other another field and
saves first; the conflict window lists only the first person's own change, and *Re-apply my change* keeps
the colleague's field as well as saving theirs (the form's stale values once went back over the colleague's
edits)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import conflict
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user
from tests.ui.test_concurrency_ui import _answer, _keeping, _second_client
from tests.undo_checks import assert_verified

if TYPE_CHECKING:
    from adoption_desktop.adm.undo import Draft
    from adoption_desktop.adm.views.page import AdmPage


def _as(db: Database, db_path: Path, username: str, change: Any) -> None:
    """``change(db, principal)`` done by ``username`` on another PC: its own engine on the same file."""
    other = _second_client(db, db_path)
    try:
        change(other, security.authenticate(other, username, TEST_PASSWORD))
    finally:
        other.dispose()


def _watch(monkeypatch: pytest.MonkeyPatch, *answers: tuple[str, Any]) -> tuple[
        list[dict[str, tuple[str, str]]], list[conflict.ConflictDialog]]:
    shown = _answer(monkeypatch, *answers)
    seen: list[conflict.ConflictDialog] = []
    monkeypatch.setattr(conflict.ConflictDialog, "__init__", _keeping(seen, conflict.ConflictDialog.__init__))
    return shown, seen


# --- letterbox: the arrangement form -----------------------------------------------------------------------
def test_a_stale_arrangement_edit_reapplies_only_the_fields_the_coordinator_changed(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann opens an arrangement and changes its notes; Bea, meanwhile, corrects the adopters' name (its new
    surname becomes a protected term) and saves. Ann's Save meets the conflict window: only Notes is hers,
    and *Re-apply my change* keeps Bea's adopters' name and protected terms."""
    from adoption_desktop.letterbox import service
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
    from tests.letterbox.conftest import sample_input

    ann = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    make_user(db, "bea", Role.LETTERBOX_COORDINATOR)
    aid = service.create_arrangement(db, ann, sample_input(coordinator="lbcoord"))
    dialog = ArrangementDialog(AppContext(db, ann, TaskRunner(synchronous=True)), aid)
    qtbot.addWidget(dialog)
    before = service.get_arrangement(db, ann, aid)

    def bea_renames(other: Database, bea: Any) -> None:
        service.update_arrangement(other, bea, aid, dataclasses.replace(
            before.data, adopters_name="Sam and Alex Wrenfield"), expected_version=before.row_version)

    _as(db, db_path, "bea", bea_renames)
    dialog.notes.setPlainText("Birth mother moving in May: ask for her new address.")
    shown, seen = _watch(monkeypatch, ("reapply", None))
    dialog.save()
    assert seen and seen[0].differing == ["Notes"], dialog.message.text()
    assert shown[0]["Adopters"] == (conflict.NOT_CHANGED, "Sam and Alex Wrenfield")
    assert "Changed by Bea Tester since you opened it: Adopters, Protected terms." in seen[0].summary.text()
    assert seen[0].replaces.text() == ("Re-apply my change saves your change to Notes on top of Bea Tester's "
                                       "version; what Bea Tester saved in Adopters, Protected terms is kept.")
    stored = service.get_arrangement(db, ann, aid).data
    assert stored.notes == "Birth mother moving in May: ask for her new address."
    assert stored.adopters_name == "Sam and Alex Wrenfield"  # Bea's, kept
    assert "Wrenfield" in {t.term for t in stored.protected}  # the protected term her change brought, kept
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted
    assert_verified(db)


# --- ADM: the decision draft --------------------------------------------------------------------------------
def _adm_draft_open(qtbot: QtBot, db: Database) -> tuple[Principal, int, Draft, int, AdmPage]:
    """Ann, an ADM, has saved a decision's draft and has the ADM page open on it; Bea, another decision maker,
    can sign in: Ann, the decision, the draft, its version and the page."""
    from adoption_desktop.adm import undo as adm_undo
    from adoption_desktop.adm.views.page import AdmPage
    from tests.adm.test_page_layout import TODAY, _queue

    ann = make_user(db, "ann", Role.AGENCY_DECISION_MAKER)
    make_user(db, "bea", Role.AGENCY_DECISION_MAKER)
    did = _queue(db)[0]
    draft = adm_undo.Draft("agree", "The agency agrees that the applicants are suitable to adopt.",
                           "Thorough assessment.", "Mr and Mrs Example\n1 Example Street", "Mr and Mrs Example",
                           "Sam Socialworker")
    version, _ = adm_undo.save_draft(db, ann, did, draft, expected_version=None)
    page = AdmPage(AppContext(db, ann, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    return ann, did, draft, version, page


def test_a_stale_adm_draft_reapplies_only_the_fields_the_decision_maker_changed(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann, the ADM, opens a saved draft and rewrites its reasons; Bea, another decision maker, meanwhile
    corrects who the letter greets and saves. Ann's Save draft meets the conflict window: only Reasons is
    hers, and *Re-apply my change* keeps Bea's salutation (the whole screen once went back over it, the
    letter greeting the applicants by the old name); the screen then shows what was saved."""
    from adoption_desktop.adm import undo as adm_undo

    ann, did, draft, version, page = _adm_draft_open(qtbot, db)
    detail = page.detail
    assert detail.detail is not None and detail.detail.row.id == did
    _as(db, db_path, "bea", lambda other, bea: adm_undo.save_draft(other, bea, did, dataclasses.replace(
        draft, salutation="Ms Example and Mr Sample"), expected_version=version))
    detail.decision_reasons.setPlainText("Thorough assessment; the referees' concerns were answered in full.")
    shown, seen = _watch(monkeypatch, ("reapply", None))
    detail.save_draft()
    assert seen and seen[0].differing == ["Reasons"]
    assert shown[0]["Salutation"] == (conflict.NOT_CHANGED, "Ms Example and Mr Sample")
    assert "Changed by Bea Tester since you opened it: Salutation." in seen[0].summary.text()
    stored, _v, _ref = adm_undo._stored_draft(db, ann, did)
    assert stored.reasons == "Thorough assessment; the referees' concerns were answered in full."
    assert stored.salutation == "Ms Example and Mr Sample"  # Bea's, kept
    assert (stored.outcome, stored.decision_text, stored.addressee) == (
        draft.outcome, draft.decision_text, draft.addressee)
    assert detail.salutation.text() == "Ms Example and Mr Sample"  # the screen shows what was saved
    assert_verified(db)


def test_reload_on_the_adm_page_shows_their_draft_and_says_so(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """*Reload their version* on the ADM page put Bea's draft on screen with no word of it: Ann's rewritten
    reasons were simply gone (trial, 6 December). The message line now says whose version is shown and that
    her change was not saved."""
    from adoption_desktop.adm import undo as adm_undo

    _ann, did, draft, version, page = _adm_draft_open(qtbot, db)
    page.show()
    _as(db, db_path, "bea", lambda other, bea: adm_undo.save_draft(other, bea, did, dataclasses.replace(
        draft, reasons="Bea's reasons."), expected_version=version))
    page.detail.decision_reasons.setPlainText("Ann's rewritten reasons.")
    _watch(monkeypatch, ("reload", None))
    page.detail.save_draft()
    assert page.detail.decision_reasons.toPlainText() == "Bea's reasons."
    assert page.message.isVisible()
    assert page.message.text().startswith("Showing the version Bea Tester saved at ")
    assert "your change was not saved" in page.message.text()


# --- panel: the minutes editor ------------------------------------------------------------------------------
def test_stale_minutes_reapply_only_the_fields_and_views_the_clerk_changed(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann has an item's minutes open and adds to the reasons and one member's view; Bea, on her PC,
    meanwhile adds to the discussion and another member's view and saves. Ann's Ctrl+S meets the conflict
    window: only Reasons and the views are hers, and *Re-apply my change* keeps Bea's discussion and her
    member's view (the whole draft once went back over them); the editor then shows what was saved."""
    from adoption_desktop.panel import service as svc
    from tests.ui.test_concurrency_ui import _panel_page

    page, ann, ids, sitting = _panel_page(qtbot, db)
    item = svc.sitting_detail(db, ann, sitting).items[0].id
    first = svc.MinutesDraft(reasons="Strong assessment.", discussion="The panel discussed the referees.")
    for member in ("vice", "sw"):
        svc.set_attendance(db, ann, sitting, ids[member], "present", expected="")
    row = svc.save_minutes(db, ann, item, first)
    page.reload(select_sitting=sitting)
    editor = page.minutes
    assert editor.current is not None and editor.current.id == item and editor.opened is not None
    _as(db, db_path, "bea", lambda other, bea: svc.save_minutes(other, bea, item, dataclasses.replace(
        first, discussion=first.discussion + " Contact with the birth grandmother was agreed.",
        member_views={ids["vice"]: "In favour: the plan for contact is sound."}), expected_version=row.row_version))
    editor.reasons.setPlainText("Strong assessment; the applicants' support network is wide.")
    editor.views_model.views[ids["sw"]] = "In favour."
    editor.dirty = True
    shown, seen = _watch(monkeypatch, ("reapply", None))
    assert editor.save_now(), editor.message.text()
    assert seen and seen[0].differing == ["Reasons", "Members' views"]
    assert shown[0]["Discussion"] == (conflict.NOT_CHANGED,
                                      "The panel discussed the referees. Contact with the birth grandmother was agreed.")
    stored = next(i for i in svc.sitting_detail(db, ann, sitting).items if i.id == item).minutes
    assert stored is not None
    assert stored.draft.reasons == "Strong assessment; the applicants' support network is wide."
    assert stored.draft.discussion.endswith("Contact with the birth grandmother was agreed.")  # Bea's, kept
    assert stored.draft.member_views == {ids["vice"]: "In favour: the plan for contact is sound.",  # Bea's
                                         ids["sw"]: "In favour."}
    assert editor.discussion.toPlainText() == stored.draft.discussion and not editor.dirty
    assert_verified(db)


# --- the editors that save through conflict.save_versioned, and a child's editor -----------------------------
def test_a_stale_support_referral_edit_reapplies_only_the_fields_the_coordinator_changed(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann opens a birth-parent support referral and adds a note; Bea, meanwhile, records the date support
    was offered and saves. Ann's Save meets the conflict window: only Notes is hers, and *Re-apply my
    change* keeps Bea's date (the whole editor once went back over it, the offer lost)."""
    import datetime as dt

    from adoption_desktop.letterbox import support
    from adoption_desktop.letterbox.views.support import ReferralEditor

    ann = make_user(db, "ann", Role.LETTERBOX_COORDINATOR)
    make_user(db, "bea", Role.LETTERBOX_COORDINATOR)
    referral = support.add_referral(db, ann, support.ReferralInput(
        "LB-0042", "J.K.", "Birth mother", dt.date(2024, 3, 1), "Family Support Hub"))
    editor = ReferralEditor(AppContext(db, ann, TaskRunner(synchronous=True)), referral)
    qtbot.addWidget(editor)
    _as(db, db_path, "bea", lambda other, bea: support.update_referral(other, bea, referral.id, dataclasses.replace(
        support.ReferralInput(**{f: getattr(referral, f) for f in support.INPUT_FIELDS}), offered_on=dt.date(2024, 3, 8)), expected_version=referral.row_version))
    editor.notes.setPlainText("Prefers a phone call in the afternoon.")
    shown, seen = _watch(monkeypatch, ("reapply", None))
    assert editor.save() is not None, editor.message.text()
    assert seen and seen[0].differing == ["Notes"]
    assert shown[0]["Support offered on"] == (conflict.NOT_CHANGED, "08/03/2024")
    assert "Changed by Bea Tester since you opened it: Support offered on." in seen[0].summary.text()
    stored = support.get_referral(db, ann, referral.id)
    assert stored.notes == "Prefers a phone call in the afternoon."
    assert stored.offered_on == dt.date(2024, 3, 8)  # Bea's, kept
    assert stored.row_version == referral.row_version + 2
    assert_verified(db)


def test_a_stale_household_edit_reapplies_only_the_dates_the_administrator_changed(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann opens an adopter household and types the date stage 1 was completed; Bea, meanwhile, corrects
    the registration date and saves. Ann's Save meets the conflict window: only Stage 1 completed is hers,
    and *Re-apply my change* keeps Bea's registration date (the timescales are measured from it)."""
    import datetime as dt

    from adoption_desktop.journey import adopters
    from adoption_desktop.journey.service import AdopterStages
    from adoption_desktop.journey.views.adopters import HouseholdEditor

    ann = make_user(db, "ann", Role.PANEL_ADMINISTRATOR)
    make_user(db, "bea", Role.PANEL_ADMINISTRATOR)
    household = adopters.add_household(db, ann, AdopterStages("ADP-0701", registered_on=dt.date(2024, 2, 1)))
    editor = HouseholdEditor(AppContext(db, ann, TaskRunner(synchronous=True)), household)
    qtbot.addWidget(editor)
    _as(db, db_path, "bea", lambda other, bea: adopters.update_household(other, bea, household.id, dataclasses.replace(
        AdopterStages(**{f: getattr(household, f) for f in adopters.STAGE_FIELDS}), registered_on=dt.date(2024, 2, 3)), expected_version=household.row_version))
    editor.edits["stage1_completed_on"].setText("15/04/2024")
    shown, seen = _watch(monkeypatch, ("reapply", None))
    assert editor.save() is not None, editor.message.text()
    assert seen and seen[0].differing == ["Stage 1 completed"]
    assert shown[0]["Registration (stage 1 starts)"] == (conflict.NOT_CHANGED, "03/02/2024")
    assert "Changed by Bea Tester since you opened it: Registration (stage 1 starts)." in seen[0].summary.text()
    stored = adopters.get_household(db, ann, household.id)
    assert stored.stage1_completed_on == dt.date(2024, 4, 15)
    assert stored.registered_on == dt.date(2024, 2, 3)  # Bea's, kept
    assert_verified(db)


def test_a_stale_household_reapply_refused_saves_nothing_and_asks_again(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann types stage 1 completed as 15/04/2024; Bea, meanwhile, moves registration to after it. Re-apply
    would save dates out of order: nothing is saved, the message says why, and the next Save asks again
    about Bea's version (it does not put Ann's stale registration date back over hers unasked)."""
    import datetime as dt

    from adoption_desktop.journey import adopters
    from adoption_desktop.journey.service import AdopterStages
    from adoption_desktop.journey.views.adopters import HouseholdEditor

    ann = make_user(db, "ann", Role.PANEL_ADMINISTRATOR)
    make_user(db, "bea", Role.PANEL_ADMINISTRATOR)
    household = adopters.add_household(db, ann, AdopterStages("ADP-0702", registered_on=dt.date(2024, 2, 1)))
    editor = HouseholdEditor(AppContext(db, ann, TaskRunner(synchronous=True)), household)
    qtbot.addWidget(editor)
    _as(db, db_path, "bea", lambda other, bea: adopters.update_household(other, bea, household.id, dataclasses.replace(
        AdopterStages(**{f: getattr(household, f) for f in adopters.STAGE_FIELDS}), registered_on=dt.date(2024, 5, 1)), expected_version=household.row_version))
    editor.edits["stage1_completed_on"].setText("15/04/2024")
    shown, _seen = _watch(monkeypatch, ("reapply", None), ("keep", None))
    assert editor.save() is None
    assert "could not be saved on top of Bea Tester's version, so nothing was saved" in editor.message.text()
    assert adopters.get_household(db, ann, household.id).stage1_completed_on is None
    assert editor.save() is None and len(shown) == 2  # asked again, not saved over Bea's date
    assert adopters.get_household(db, ann, household.id).registered_on == dt.date(2024, 5, 1)


def test_a_stale_child_edit_reapplies_only_the_fields_the_user_changed(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann, the ADM, opens a child on a plan decision and types the placement order's date; Bea, meanwhile,
    corrects the child's initials and saves. Ann's Save meets the conflict window: only Placement order is
    hers, and *Re-apply my change* saves at once, keeping Bea's initials."""
    import datetime as dt

    from adoption_desktop.journey import service
    from adoption_desktop.journey.views.children import ChildEditor, ChildrenDialog
    from tests.journey.test_dialog import _plan

    ann = make_user(db, "ann", Role.AGENCY_DECISION_MAKER)
    make_user(db, "bea", Role.AGENCY_DECISION_MAKER)
    plan = _plan(db, ann)
    child = service.add_child(db, ann, service.ChildInput("CH-5a", "J.K.", entered_care_on=dt.date(2025, 3, 1)),
                              decision_id=plan)
    dialog = ChildrenDialog(AppContext(db, ann, TaskRunner(synchronous=True)), None, decision_id=plan)
    qtbot.addWidget(dialog)
    _as(db, db_path, "bea", lambda other, bea: service.update_child(other, bea, child.id, dataclasses.replace(
        service.ChildInput(**{f: getattr(child, f) for f in service.INPUT_FIELDS}), initials="J.K.L."), expected_version=child.row_version))
    opened: list[ChildEditor] = []

    def typing(editor: ChildEditor) -> int:
        opened.append(editor)
        if len(opened) > 2:
            return int(ChildEditor.DialogCode.Rejected.value)
        if len(opened) == 1:
            editor.dates["placement_order_on"].setText("02/03/2026")
        return int(ChildEditor.DialogCode.Accepted.value)  # shown again after Re-apply (before): Save

    monkeypatch.setattr(ChildEditor, "exec", typing)
    shown, seen = _watch(monkeypatch, ("reapply", None))
    dialog.edit()
    assert seen and seen[0].differing == ["Placement order"]
    assert shown[0]["Initials"] == (conflict.NOT_CHANGED, "J.K.L.")
    assert "Changed by Bea Tester since you opened it: Initials." in seen[0].summary.text()
    stored = service.list_children(db, ann, decision_id=plan)[0]
    assert stored.placement_order_on == dt.date(2026, 3, 2)
    assert stored.initials == "J.K.L."  # Bea's, kept
    assert len(opened) == 1  # re-applied and saved at once, without showing the editor again
    assert_verified(db)


# --- counselling: a case's Edit referral and its register and veto checks ------------------------------------
def test_a_stale_counselling_referral_edit_reapplies_only_the_fields_the_counsellor_changed(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann has a case's Edit referral open and types the applicant's new phone number; Bea, on her PC,
    meanwhile corrects the court from the adoption order and saves. Ann's OK meets the conflict window: only
    Phone is hers, and *Re-apply my change* keeps Bea's court (the whole form once went back over it)."""
    from PySide6.QtWidgets import QLineEdit

    from adoption_desktop.counselling import service
    from adoption_desktop.counselling.views.case_dialog import CaseDialog
    from tests.counselling.conftest import TODAY, referral

    ann = make_user(db, "ann", Role.COUNSELLOR)
    make_user(db, "bea", Role.COUNSELLOR)
    case_id = service.create_referral(db, ann, referral(), today=TODAY)
    case = CaseDialog(AppContext(db, ann, TaskRunner(synchronous=True)), case_id, lambda: TODAY)
    qtbot.addWidget(case)
    form = case.edit_referral()
    version = case.detail.row_version
    _as(db, db_path, "bea", lambda other, bea: service.update_referral(
        other, bea, case_id, referral(court="Brackwater Magistrates' Court"), TODAY, expected_version=version))
    phone = form.form.findChild(QLineEdit, "phone")
    assert phone is not None
    phone.setText("07700 900123")
    shown, seen = _watch(monkeypatch, ("reapply", None))
    assert form.try_accept(), form.message.text()
    assert seen and seen[0].differing == ["Phone"]
    assert shown[0]["Court"] == (conflict.NOT_CHANGED, "Brackwater Magistrates' Court")
    assert "Changed by Bea Tester since you opened it: Court." in seen[0].summary.text()
    stored = service.open_case(db, ann, case_id, TODAY).referral
    assert stored.phone == "07700 900123"
    assert stored.court == "Brackwater Magistrates' Court"  # Bea's, kept
    assert case.status.text() == "Referral updated."
    assert_verified(db)


def test_stale_counselling_checks_reapply_only_the_checks_the_counsellor_changed(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann opens a case's checks (the register check on record) and ticks the veto check with a note; Bea,
    meanwhile, adds to the register note and saves. Ann's OK meets the conflict window: only the veto check and
    its note are hers, and *Re-apply my change* keeps Bea's register note (the form's note as opened once went
    back over it)."""
    from PySide6.QtWidgets import QCheckBox, QLineEdit

    from adoption_desktop.counselling import service
    from adoption_desktop.counselling.views.case_dialog import CaseDialog
    from tests.counselling.conftest import TODAY, referral

    ann = make_user(db, "ann", Role.COUNSELLOR)
    make_user(db, "bea", Role.COUNSELLOR)
    case_id = service.create_referral(db, ann, referral(), today=TODAY)
    service.record_checks(db, ann, case_id, acr_checked_on=TODAY, acr_note="Nothing on the register.", today=TODAY)
    case = CaseDialog(AppContext(db, ann, TaskRunner(synchronous=True)), case_id, lambda: TODAY)
    qtbot.addWidget(case)
    form = case.checks_dialog()
    version = case.detail.row_version
    theirs = "Nothing on the register; checked again after the GRO's letter."
    _as(db, db_path, "bea", lambda other, bea: service.record_checks(
        other, bea, case_id, acr_note=theirs, today=TODAY, expected_version=version))
    veto = form.form.findChild(QCheckBox, "veto")
    note = form.form.findChild(QLineEdit, "veto_note")
    assert veto is not None and note is not None
    veto.setChecked(True)
    note.setText("No veto recorded.")
    shown, seen = _watch(monkeypatch, ("reapply", None))
    assert form.try_accept(), form.message.text()
    assert seen and seen[0].differing == ["Veto checked", "Veto note"]
    assert shown[0]["ACR note"] == (conflict.NOT_CHANGED, theirs)
    assert "Changed by Bea Tester since you opened it: ACR note." in seen[0].summary.text()
    stored = service.open_case(db, ann, case_id, TODAY)
    assert (stored.veto_checked_on, stored.veto_note) == (TODAY, "No veto recorded.")
    assert stored.acr_note == theirs  # Bea's, kept
    assert_verified(db)


# --- Reload their version: the editor shows the version saved meanwhile ----------------------------------------
def test_reload_in_the_support_referral_editor_shows_their_version(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann adds a note to a support referral; Bea, meanwhile, records the date support was offered. Ann's
    Save meets the conflict window, which says her note is not kept if she reloads; *Reload their version*
    put nothing in the editor (it kept Ann's values at the old version, so every Save was refused again).
    Now the editor and the register show Bea's version, and Ann's next change is saved over it."""
    import datetime as dt

    from adoption_desktop.letterbox import support
    from adoption_desktop.letterbox.views.support import SupportRegister

    ann = make_user(db, "ann", Role.LETTERBOX_COORDINATOR)
    make_user(db, "bea", Role.LETTERBOX_COORDINATOR)
    referral = support.add_referral(db, ann, support.ReferralInput(
        "LB-0042", "J.K.", "Birth mother", dt.date(2024, 3, 1), "Family Support Hub"))
    register = SupportRegister(AppContext(db, ann, TaskRunner(synchronous=True)))
    qtbot.addWidget(register)
    editor = register.edit()
    assert editor is not None
    _as(db, db_path, "bea", lambda other, bea: support.update_referral(other, bea, referral.id, dataclasses.replace(
        support.input_of(referral), offered_on=dt.date(2024, 3, 8)), expected_version=referral.row_version))
    editor.notes.setPlainText("Prefers a phone call in the afternoon.")
    shown, seen = _watch(monkeypatch, ("reload", None))
    assert editor.save() is None
    assert seen[0].reload_note.text() == (
        "Reload their version: the form then shows what Bea Tester saved, and your change to Notes is not kept. "
        "It is shown above: copy anything you still need before you reload.")
    assert shown[0]["Notes"] == ("Prefers a phone call in the afternoon.", "")
    assert editor.isVisible() and editor.edits["offered_on"].text() == "08/03/2024"  # Bea's
    assert editor.notes.toPlainText() == ""  # Ann's typed note is gone: the window showed it
    assert editor.message.text().startswith("Showing the version Bea Tester saved at ")
    assert register.model.rows()[0].offered_on == dt.date(2024, 3, 8)  # the register shows it too
    editor.edits["closed_on"].setText("20/03/2024")  # now on top of Bea's version: saved, no conflict
    assert editor.save() is not None, editor.message.text()
    stored = support.get_referral(db, ann, referral.id)
    assert (stored.offered_on, stored.closed_on) == (dt.date(2024, 3, 8), dt.date(2024, 3, 20)) and len(shown) == 1


def test_reload_in_the_household_editor_shows_their_version(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann types stage 1 completed for a household; Bea, meanwhile, corrects its registration date. Ann's
    *Reload their version* left her editor on the old registration date at the old version; now the editor
    and the list show Bea's date, and Ann's next change is saved on top of it."""
    import datetime as dt

    from adoption_desktop.journey import adopters
    from adoption_desktop.journey.service import AdopterStages
    from adoption_desktop.journey.views.adopters import AdoptersJourneyTab

    ann = make_user(db, "ann", Role.PANEL_ADMINISTRATOR)
    make_user(db, "bea", Role.PANEL_ADMINISTRATOR)
    household = adopters.add_household(db, ann, AdopterStages("ADP-0701", registered_on=dt.date(2024, 2, 1)))
    tab = AdoptersJourneyTab(AppContext(db, ann, TaskRunner(synchronous=True)))
    qtbot.addWidget(tab)
    editor = tab.edit()
    assert editor is not None
    _as(db, db_path, "bea", lambda other, bea: adopters.update_household(other, bea, household.id, dataclasses.replace(
        adopters.stages_of(household), registered_on=dt.date(2024, 2, 3)), expected_version=household.row_version))
    editor.edits["stage1_completed_on"].setText("15/04/2024")
    shown, seen = _watch(monkeypatch, ("reload", None))
    assert editor.save() is None
    assert "your change to Stage 1 completed is not kept" in seen[0].reload_note.text()
    assert editor.isVisible() and editor.edits["registered_on"].text() == "03/02/2024"  # Bea's
    assert editor.edits["stage1_completed_on"].text() == ""
    assert editor.message.text().startswith("Showing the version Bea Tester saved at ")
    assert tab.model.rows()[0].registered_on == dt.date(2024, 2, 3)  # the list shows it too
    editor.edits["stage1_completed_on"].setText("16/04/2024")
    assert editor.save() is not None, editor.message.text()
    stored = adopters.get_household(db, ann, household.id)
    assert (stored.registered_on, stored.stage1_completed_on) == (dt.date(2024, 2, 3), dt.date(2024, 4, 16))
    assert len(shown) == 1


def test_reload_in_the_child_editor_shows_their_version_and_keep_editing_keeps_the_form(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann types a child's placement order date; Bea, meanwhile, corrects the initials. *Keep editing* closed
    the editor, and *Reload their version* closed it too, the list still showing the old initials: neither
    saved nor reloaded. Now Keep editing shows the editor again with Ann's date, Reload shows it with Bea's
    version (the list too), and Ann's next Save goes on top of it."""
    import datetime as dt

    from adoption_desktop.journey import service
    from adoption_desktop.journey.views.children import ChildEditor, ChildrenDialog
    from tests.journey.test_dialog import _plan

    ann = make_user(db, "ann", Role.AGENCY_DECISION_MAKER)
    make_user(db, "bea", Role.AGENCY_DECISION_MAKER)
    plan = _plan(db, ann)
    child = service.add_child(db, ann, service.ChildInput("CH-5a", "J.K.", entered_care_on=dt.date(2025, 3, 1)),
                              decision_id=plan)
    dialog = ChildrenDialog(AppContext(db, ann, TaskRunner(synchronous=True)), None, decision_id=plan)
    qtbot.addWidget(dialog)
    _as(db, db_path, "bea", lambda other, bea: service.update_child(other, bea, child.id, dataclasses.replace(
        service.input_of(child), initials="J.K.L."), expected_version=child.row_version))
    seen_forms: list[tuple[str, str, str, str]] = []

    def typing(editor: ChildEditor) -> int:
        seen_forms.append((editor.texts["initials"].text(), editor.dates["placement_order_on"].text(),
                           editor.message.text(), dialog.model.rows()[0].initials))
        if len(seen_forms) == 1:
            editor.dates["placement_order_on"].setText("02/03/2026")
        elif len(seen_forms) == 3:
            editor.dates["placement_order_on"].setText("03/03/2026")  # made again, on top of Bea's version
        elif len(seen_forms) > 3:
            return int(ChildEditor.DialogCode.Rejected.value)
        return int(ChildEditor.DialogCode.Accepted.value)

    monkeypatch.setattr(ChildEditor, "exec", typing)
    shown, seen = _watch(monkeypatch, ("keep", None), ("reload", None))
    dialog.edit()
    assert len(shown) == 2 and "your change to Placement order is not kept" in seen[1].reload_note.text()
    assert seen_forms[1][:2] == ("J.K.", "02/03/2026")  # Keep editing: the editor again, Ann's date kept
    assert seen_forms[2][:2] == ("J.K.L.", "")  # Reload: Bea's version, Ann's typed date gone
    assert seen_forms[2][2].startswith("Showing the version Bea Tester saved at ")
    assert seen_forms[2][3] == "J.K.L."  # the list behind the editor shows Bea's version too
    assert len(seen_forms) == 3  # saved from there without another conflict
    stored = service.list_children(db, ann, decision_id=plan)[0]
    assert (stored.initials, stored.placement_order_on) == ("J.K.L.", dt.date(2026, 3, 3))
    assert dialog.model.rows()[0].initials == "J.K.L."
    assert_verified(db)
