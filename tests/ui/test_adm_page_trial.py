"""The ADM page in the window after a user trial (pytest-qt, offscreen): once a decision is signed,
Edit → Undo no longer offers its saved drafts (a signed decision is final) while another decision's draft
stays undoable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adoption_desktop.adm import service
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.adm.conftest import handoff
from tests.conftest import TEST_PASSWORD, make_user


def _decisions(db: Database, n: int) -> list[int]:
    """``n`` decisions whose papers arrived today (the window's page works on the computer's date)."""
    ids = []
    for _ in range(n):
        with db.session() as s:
            ids.append(service.open_decision_from_panel(s, handoff(received=dt.date.today())))
    return ids


def _adm(db: Database) -> Principal:
    return make_user(db, "decider", Role.AGENCY_DECISION_MAKER)


def test_undo_leaves_the_edit_menu_once_the_decision_is_signed(db: Database, make_window: Any, qtbot: Any) -> None:
    to_sign, other = _decisions(db, 2)
    window = make_window(_adm(db))
    page = window.open_target("adm")
    assert isinstance(page, AdmPage)
    undo_action = window.undo_ui.undo_action
    assert page.select_decision(other)
    page.detail.decision_text.setPlainText("Approved as suitable to adopt (the other decision).")
    page.detail.save_draft()
    assert page.select_decision(to_sign)
    page.detail.decision_text.setPlainText("Approved as suitable to adopt.")
    page.detail.save_draft()
    assert undo_action.isEnabled() and len(window.ctx.undo) == 2
    page.detail.decision_text.setPlainText("Approved as suitable to adopt one or two children.")
    page.detail.save_draft()
    assert len(window.ctx.undo) == 3
    page.detail.sign(password=TEST_PASSWORD)  # the password given: the dialog that asks is tested elsewhere
    assert page.message.isHidden(), page.message.text()
    signed = service.get_decision(db, window.ctx.principal, to_sign, dt.date.today(), opening=False)
    assert signed.row.state == "signed"
    # the signed decision's drafts are gone from the stack; the other decision's draft is still undoable
    assert len(window.ctx.undo) == 1 and undo_action.isEnabled()
    undo_action.trigger()  # Edit → Undo (Ctrl+Z): the other decision's draft is put back
    other_now = service.get_decision(db, window.ctx.principal, other, dt.date.today(), opening=False)
    assert other_now.decision_text != "Approved as suitable to adopt (the other decision)."
    assert not undo_action.isEnabled()
    final = service.get_decision(db, window.ctx.principal, to_sign, dt.date.today(), opening=False)
    assert final.decision_text == "Approved as suitable to adopt one or two children."
