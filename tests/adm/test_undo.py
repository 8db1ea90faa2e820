"""Undo of an ADM draft decision's save: the previous draft put back (read back from the database),
audited, ``verify`` clean; refused after someone else's save and for good once signed."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.adm import service, undo
from adoption_desktop.core.errors import Conflict, StaleRecord
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.undo import UndoStack
from tests.adm.conftest import open_from_panel
from tests.conftest import TEST_PASSWORD, make_user
from tests.undo_checks import actions, assert_verified, rows

from .conftest import handoff

DRAFT = undo.Draft("agree", "The agency agrees that the applicants are suitable to adopt.",
                   "Thorough assessment; strong support network.", "Mr and Mrs Example\n1 Example Street",
                   "Mr and Mrs Example", "Sam Socialworker")


def _decision(db: Database) -> int:
    with db.session() as s:
        return open_from_panel(s, handoff())


def test_save_draft_undo_and_redo(db: Database, adm_user: Principal) -> None:
    did = _decision(db)
    before = rows(db, "adm_decisions")
    stack = UndoStack(adm_user.user_id)
    version, entry = undo.save_draft(db, adm_user, did, DRAFT, expected_version=undo._stored_draft(db, adm_user, did)[1])
    assert entry is not None and entry.label.startswith("Saved the draft decision on ")
    stack.push(entry)
    _, second = undo.save_draft(db, adm_user, did, undo.Draft(**{**DRAFT.__dict__, "reasons": "Better reasons."}),
                                expected_version=version)
    stack.push(second)
    stack.undo()
    stack.undo()  # the version moved on by this user's own undo: allowed
    assert rows(db, "adm_decisions") == before
    assert actions(db, "adm_decisions").count("undo") == 2
    stack.redo()
    assert undo._stored_draft(db, adm_user, did)[0] == DRAFT
    assert_verified(db)


def test_undo_refused_after_another_decision_maker_saved_or_after_signing(db: Database, adm_user: Principal) -> None:
    did = _decision(db)
    version, entry = undo.save_draft(db, adm_user, did, DRAFT, expected_version=undo._stored_draft(db, adm_user, did)[1])
    assert entry is not None
    other = make_user(db, "adm2", Role.AGENCY_DECISION_MAKER)
    service.record_decision(db, other, did, outcome="agree", decision_text="Their wording.", reasons="Theirs.",
                            expected_version=version)
    with pytest.raises(StaleRecord):
        entry.reverse()
    assert undo._stored_draft(db, adm_user, did)[0].decision_text == "Their wording."
    version, entry = undo.save_draft(db, adm_user, did, DRAFT)
    assert entry is not None
    service.sign_decision(db, adm_user, did, TEST_PASSWORD, dt.date(2025, 12, 5), expected_version=version)
    with pytest.raises(Conflict, match="signed"):
        entry.reverse()


def test_save_draft_on_the_page_is_undone_by_the_edit_stack(db: Database, adm_user: Principal, qtbot: object) -> None:
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    did = _decision(db)
    before = rows(db, "adm_decisions")
    ctx = AppContext(db, adm_user, TaskRunner(synchronous=True))
    page = AdmPage(ctx, today=dt.date(2025, 12, 3))
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    assert page.select_decision(did)
    page.detail.decision_text.setPlainText("Approved as suitable to adopt.")
    page.detail.save_draft()
    assert undo._stored_draft(db, adm_user, did)[0].decision_text == "Approved as suitable to adopt."
    assert ctx.undo.undo_label().startswith("Saved the draft decision on ")
    entry = ctx.undo.undo()
    for callback in ctx.after_undo:  # what the Edit menu does after an undo
        callback(entry)
    assert rows(db, "adm_decisions") == before
    # the page shows the draft as stored now (an empty wording is offered the suggested text)
    assert page.detail.decision_text.toPlainText() != "Approved as suitable to adopt."
    page.detail.decision_text.setPlainText("Approved.")
    page.detail.save_draft()
    assert page.detail.version == undo._stored_draft(db, adm_user, did)[1]  # saving again works after the undo


def test_signing_from_the_page_never_enters_the_stack(db: Database, adm_user: Principal, qtbot: object) -> None:
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    did = _decision(db)
    ctx = AppContext(db, adm_user, TaskRunner(synchronous=True))
    page = AdmPage(ctx, today=dt.date(2025, 12, 3))
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    assert page.select_decision(did)
    page.detail.decision_text.setPlainText("Approved as suitable to adopt.")
    page.detail.sign(password=TEST_PASSWORD)  # the password given: the dialog that asks is tested elsewhere
    assert rows(db, "adm_decisions")[0]["signed_at"] is not None
    assert not ctx.undo.can_undo()  # signing is final, and the save made just before it is not undoable
