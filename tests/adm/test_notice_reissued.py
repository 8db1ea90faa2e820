"""A qualifying-determination notice that goes out after its own date (user trial, 4 December 2026): the
letter said "until 28 January" while the 40 working days, counted from the day it was sent, ran to 2 February.
The notice can be made again dated the day it goes, so the letter states the period it gives; the older one
can then no longer be recorded as sent, and the QD tab says a notice not yet sent is not sent."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from adoption_desktop.adm import service
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.settings_service import add_closure_day
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.test_qd_clock import PROPOSED, audit_details, proposal, qd_row

D = dt.date
SENT = D(2025, 12, 4)  # a Thursday: 40 working days beginning with it end on Mon 2 Feb 2026


def _text(db: Database, adm: Principal, letter_id: int) -> str:
    pdf = service.letter_pdf(db, adm, letter_id)
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_two_periods_of_a_late_notice(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    assert service.notice_periods(db, adm_user, res.letter_id, SENT) == (D(2026, 1, 28), D(2026, 2, 2))
    assert service.notice_periods(db, adm_user, res.letter_id, PROPOSED) == (D(2026, 1, 28), D(2026, 1, 28))


def test_the_stated_period_is_read_from_the_filed_notice(db: Database, adm_user: Principal,
                                                         admin: Principal) -> None:
    """A closure day added after the notice was filed moves the period counted now, not what the letter
    already says."""
    res = proposal(db, adm_user)
    add_closure_day(db, admin, D(2026, 1, 15), "Office closed")
    assert "28 January 2026" in _text(db, adm_user, res.letter_id)
    assert service.notice_periods(db, adm_user, res.letter_id, SENT) == (D(2026, 1, 28), D(2026, 2, 3))


def test_a_notice_made_again_states_the_period_from_its_new_date(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    assert "28 January 2026" in _text(db, adm_user, res.letter_id)
    new_id = service.reissue_notice(db, adm_user, res.letter_id, SENT)
    text = _text(db, adm_user, new_id)
    assert "2 February 2026" in text and "28 January 2026" not in text and "4 December 2025" in text
    q = qd_row(db, res.qd_id)
    assert (q.notice_sent_on, q.deadline) == (SENT, D(2026, 2, 2))
    [entry] = audit_details(db, "qd_notice_reissued")
    assert f"notice letter {res.letter_id} dated 2025-12-01 made again as letter {new_id} dated 2025-12-04" in entry
    # the older letter stays on file and is not sent; the new one is, and the period stays where it is
    with pytest.raises(Conflict, match="replaced by the notice dated 04/12/2025 and was never sent") as refused:
        service.mark_letter_sent(db, adm_user, res.letter_id, SENT)
    assert "letter " not in str(refused.value)  # named by its date, never by a record number no screen shows
    with pytest.raises(Conflict, match="replaced by the notice dated 04/12/2025"):
        service.reissue_notice(db, adm_user, res.letter_id, D(2025, 12, 5))
    service.mark_letter_sent(db, adm_user, new_id, SENT)
    assert qd_row(db, res.qd_id).deadline == D(2026, 2, 2)
    with pytest.raises(Conflict, match="recorded as sent on 04/12/2025"):
        service.reissue_notice(db, adm_user, new_id, D(2025, 12, 8))


def test_a_notice_is_made_again_only_later_and_before_the_applicants_answer(db: Database,
                                                                           adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    with pytest.raises(ValidationError, match="already dated 01/12/2025; it is made again only with a later date"):
        service.reissue_notice(db, adm_user, res.letter_id, PROPOSED)
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 3), summary="We disagree.")
    with pytest.raises(Conflict, match="representations were received on 03/12/2025"):
        service.reissue_notice(db, adm_user, res.letter_id, SENT)


def _page(db: Database, who: Principal, qtbot: Any, today: dt.date) -> AdmPage:
    page = AdmPage(AppContext(db, who, TaskRunner(synchronous=True)), today=today)
    qtbot.addWidget(page)
    return page


def _answer(qtbot: Any, button_text: str) -> list[str]:
    """Press the button whose text starts with ``button_text`` on the next message box; its text is kept."""
    seen: list[str] = []

    def press() -> None:
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            qtbot.wait(20)
            press()
            return
        seen.append(box.text())
        for b in box.findChildren(QPushButton):
            if b.text().replace("&", "").startswith(button_text):
                b.click()
                return
        raise AssertionError(f"no button {button_text!r} among {[b.text() for b in box.findChildren(QPushButton)]}")

    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, press)
    return seen


def test_saving_a_notice_a_day_after_its_date_offers_it_made_again_today(db: Database, adm_user: Principal,
                                                                        qtbot: Any, tmp_path: Any) -> None:
    res = proposal(db, adm_user)
    page = _page(db, adm_user, qtbot, SENT)
    assert page.select_decision(qd_row(db, res.qd_id).decision_id)
    panel = page.detail
    assert "not yet recorded as sent" in panel.qd_summary.text()
    seen = _answer(qtbot, "Make it again dated today")
    panel.save_letter(str(tmp_path / "notice.pdf"))
    assert "tells the applicants they have until 28 January 2026" in seen[0] and "end on 2 February 2026" in seen[0]
    assert not (tmp_path / "notice.pdf").exists()  # nothing saved: the old letter is not the one to send
    letters = [x for x in service.get_decision(db, adm_user, qd_row(db, res.qd_id).decision_id, SENT).letters
               if x.kind == "adm_qd_notice"]
    assert [x.letter_date for x in letters] == [PROPOSED, SENT]
    assert qd_row(db, res.qd_id).deadline == D(2026, 2, 2)


def test_a_corrected_proposals_first_notice_is_neither_made_again_nor_sent(db: Database,
                                                                          adm_user: Principal) -> None:
    """Review: the first version's notice (with its superseded reasons) could be made again and recorded as
    sent, and the final decision then opened, while the corrected notice had never gone."""
    from tests.conftest import TEST_PASSWORD

    res = proposal(db, adm_user)
    fixed = service.correct_decision(db, adm_user, qd_row(db, res.qd_id).decision_id, TEST_PASSWORD,
                                     reason="The reasons named the wrong report.", outcome="not_approve",
                                     decision_text="I propose not to approve you as prospective adopters.",
                                     reasons="The second opinion did not show capacity.", decided_on=D(2025, 12, 2))
    assert fixed.letter_id is not None and fixed.letter_id != res.letter_id
    with pytest.raises(Conflict, match="replaced by the notice dated 02/12/2025 and was never sent"):
        service.reissue_notice(db, adm_user, res.letter_id, SENT)
    with pytest.raises(Conflict, match="replaced by the notice dated 02/12/2025"):
        service.mark_letter_sent(db, adm_user, res.letter_id, SENT)


def test_a_notice_is_not_made_again_for_a_day_to_come(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    later = dt.date.today() + dt.timedelta(days=60)
    with pytest.raises(ValidationError, match="in the future; a notice is made again on the day it goes"):
        service.reissue_notice(db, adm_user, res.letter_id, later)
