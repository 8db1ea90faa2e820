"""User trial: Save draft on an ADM decision was two transactions — who the letters go to was saved, then the
decision was refused (no outcome, wording over 20,000 characters), the version had moved under the screen
and the person's next save met a conflict of their own making. Now it is whole or nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from adoption_desktop.adm import undo
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import conflict
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.test_page_layout import TODAY, _queue

DRAFT = undo.Draft("agree", "The agency agrees that the applicants are suitable to adopt.",
                   "Thorough assessment.", "Mr and Mrs Example\n1 Example Street", "Mr and Mrs Example",
                   "Sam Socialworker")


def _stored(db: Database, who: Principal, did: int) -> tuple[undo.Draft, int]:
    draft, version, _ = undo._stored_draft(db, who, did)
    return draft, version


@pytest.mark.parametrize("bad", [{"decision_text": "x" * 20001}, {"reasons": "y" * 20001}, {"outcome": ""}])
def test_a_refused_decision_saves_no_letter_details_either(db: Database, adm_user: Principal,
                                                           bad: dict[str, str]) -> None:
    did, _, _ = _queue(db)
    before, version = _stored(db, adm_user, did)
    with pytest.raises(ValidationError):
        undo.save_draft(db, adm_user, did, replace(DRAFT, **bad), expected_version=version)
    assert _stored(db, adm_user, did) == (before, version)  # nothing saved, the version has not moved
    new_version, entry = undo.save_draft(db, adm_user, did, DRAFT, expected_version=version)  # no conflict
    assert entry is not None and new_version != version
    assert _stored(db, adm_user, did)[0] == DRAFT


def test_on_the_page_a_corrected_retry_saves_without_a_conflict(db: Database, adm_user: Principal, qtbot: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    did, _, _ = _queue(db)
    page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    assert page.detail.detail is not None and page.detail.detail.row.id == did
    shown: list[Any] = []
    monkeypatch.setattr(conflict.ConflictDialog, "exec", lambda d: shown.append(d) or 0)
    before, version = _stored(db, adm_user, did)
    page.detail.salutation.setText("Dear Ms Changed")
    page.detail.decision_text.setPlainText("z" * 20001)
    page.detail.save_draft()
    assert "Decision" in page.message.text() and page.message.isVisibleTo(page)
    assert _stored(db, adm_user, did) == (before, version)
    assert page.detail.version == version
    page.detail.decision_text.setPlainText("The agency agrees.")
    page.detail.save_draft()
    assert shown == []
    saved, _ = _stored(db, adm_user, did)
    assert (saved.salutation, saved.decision_text) == ("Ms Changed", "The agency agrees.")  # "Dear" is the letter's
