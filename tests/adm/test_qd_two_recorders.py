"""Two members of the ADM team with one qualifying determination open (multi-user trial, 5 December 2026):
both screens showed no representations; each recorded what they had heard, and the second summary silently
replaced the first. The save now carries the version the screen showed; a colleague's record made since
is refused with theirs named, and the window shows what is recorded when it opens."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.adm import service
from adoption_desktop.adm.models import AdmQualifyingDetermination
from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from tests.adm.test_qd_clock import proposal
from tests.conftest import make_user

D = dt.date


def _version(db: Database, qd_id: int) -> int:
    with db.session(write=False) as session:
        return int(session.get_one(AdmQualifyingDetermination, qd_id).row_version)


def test_a_colleagues_representations_are_not_replaced_unseen(db: Database, db_path: Path) -> None:
    first = make_user(db, "adm_a", Role.AGENCY_DECISION_MAKER)
    second = make_user(db, "adm_b", Role.AGENCY_DECISION_MAKER)
    qd = proposal(db, first).qd_id
    shown = _version(db, qd)  # both screens: nothing recorded
    assert db.engine.url.password is not None
    other = open_sqlcipher(db_path, bytes.fromhex(db.engine.url.password[2:-1]))  # the second PC's own engine
    try:
        service.record_representations(db, first, qd, received_on=D(2025, 12, 10), expected_version=shown,
                                       summary="Letter from Mr B: disputes the health findings (4 pages).")
        with pytest.raises(StaleRecord) as refused:
            service.record_representations(other, second, qd, received_on=D(2025, 12, 12), expected_version=shown,
                                           summary="Phone call from Mrs B: they will write.")
        assert "disputes the health findings" in str(refused.value.saved_values)
        with pytest.raises(StaleRecord):
            service.record_irm_application(other, second, qd, applied_on=D(2025, 12, 12), expected_version=shown)
        # seen: the second adds to it, on the version now shown
        service.record_representations(other, second, qd, received_on=D(2025, 12, 12),
                                       expected_version=_version(db, qd),
                                       summary="Letter from Mr B (4 pages); then a phone call from Mrs B.")
    finally:
        other.dispose()
    with db.session(write=False) as session:
        q = session.get_one(AdmQualifyingDetermination, qd)
        assert (q.representations_on, q.representations) == (
            D(2025, 12, 12), "Letter from Mr B (4 pages); then a phone call from Mrs B.")


def test_the_window_shows_what_is_recorded_and_saves_on_the_version_it_showed(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window opened blank, so a colleague's record was not seen before it was typed over."""
    from PySide6.QtWidgets import QDialog

    from adoption_desktop.adm.views.dialogs import DatedNoteDialog
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow
    from adoption_desktop.ui.tasks import TaskRunner
    from tests.conftest import shown_active

    res = proposal(db, adm_user)
    window = shown_active(qtbot, MainWindow(AppContext(db, adm_user, TaskRunner(synchronous=True))), 1366, 768)
    window.open_target("adm")
    page = window.findChild(AdmPage)
    assert page is not None and page.select_decision(res.decision_id)
    assert page.detail.detail is not None and page.detail.detail.qd is not None
    # a colleague records meanwhile, after this window loaded the decision
    other = make_user(db, "adm_b", Role.AGENCY_DECISION_MAKER)
    service.record_representations(db, other, res.qd_id, received_on=D(2025, 12, 10), summary="Letter from Mr B.")
    seen: list[tuple[dt.date, str]] = []

    def accept(dialog: DatedNoteDialog) -> int:
        seen.append((dialog.day, dialog.text.toPlainText()))
        dialog.text.setPlainText("Phone call from Mrs B.")
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(DatedNoteDialog, "exec", accept)
    problems: list[str] = []
    page.detail.failed.connect(lambda exc: problems.append(str(exc)))
    page.detail.record_representations()  # on the version it showed: refused, the colleague's named
    assert seen[-1][1] == "" and problems and problems[-1].startswith("Adm_B Tester recorded on this")
    assert "Representations received: 10/12/2025; Representations: Letter from Mr B." in problems[-1]
    assert page.message.isVisible() and "nothing of yours was saved" in page.message.text()
    page.detail.record_representations()  # the pane reloaded: what is recorded now is in the window
    assert seen[-1] == (D(2025, 12, 10), "Letter from Mr B.")
    with db.session(write=False) as session:
        assert session.get_one(AdmQualifyingDetermination, res.qd_id).representations == "Phone call from Mrs B."
    window.close()
