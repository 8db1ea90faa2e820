"""A session has an outcome (UT1, 6 December 2026): a booked session that never took place counted as the
statutory counselling interview (Adoption Act 1976 s.51(7)) once its day had passed — for sharing records, in
the figures and against closing the case. Only a session recorded as held counts now; a past session not
marked is "not recorded"; the outcome is set from the case (audited, undoable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import figures, service
from adoption_desktop.counselling import undo as counselling_undo
from tests.counselling.conftest import TODAY, records_received

D = dt.date
BOOKED_FOR = D(2026, 11, 10)  # booked on 2 November; TODAY (23 November) is after it


def _supported(db: Database, actor: Principal) -> str:
    return dict(figures.figures(db, actor, D(2026, 11, 1), D(2026, 11, 30), today=TODAY)[0].rows)["Adults supported"]


def _share(db: Database, actor: Principal, case_id: int) -> int:
    return service.record_disclosure(db, actor, case_id, TODAY, "Amy Lark", "Agency file", "in person",
                                     records_shared=True, today=TODAY)


def test_a_booked_session_that_never_took_place_is_not_the_interview(
        db: Database, counsellor: Principal, manager: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()  # adopted 1961: the interview is required before records are shared
    records_received(db, counsellor, case_id)
    service.add_redaction(db, counsellor, case_id, "Agency file", D(2026, 10, 25), today=TODAY)
    sid = service.add_session(db, counsellor, case_id, BOOKED_FOR, "in_person", "10:00",
                              today=D(2026, 11, 2))  # booked ahead: no outcome yet
    row = service.open_case(db, counsellor, case_id, TODAY).sessions[0]
    assert (row.outcome, row.status) == ("", "Not recorded")  # its day has passed, no one marked it
    with pytest.raises(ValidationError, match=r"s\.51\(7\).*10/11/2026 is not recorded as held"):
        _share(db, counsellor, case_id)
    assert _supported(db, manager) == "0"  # no contact with the applicant
    # nor does it stop a closure dated before it (it is not a record of a meeting held)
    assert service.closing_problems(db, counsellor, case_id, D(2026, 11, 5), today=TODAY).appointments
    # did not attend, then held (the counsellor's mistake): undone back to did not attend
    service.set_session_outcome(db, counsellor, sid, "did_not_attend", expected="", today=TODAY)
    with pytest.raises(ValidationError, match="record the session first"):
        _share(db, counsellor, case_id)
    done, entry = counselling_undo.set_session_outcome(db, counsellor, sid, "held", expected="did_not_attend",
                                                       today=TODAY)
    assert (done.before, done.after) == ("did_not_attend", "held")
    assert service.open_case(db, counsellor, case_id, TODAY).sessions[0].status == "Held"
    assert _supported(db, manager) == "1"
    with pytest.raises(ValidationError, match=r"a session took place on 10/11/2026"):
        service.closing_problems(db, counsellor, case_id, D(2026, 11, 5), today=TODAY)
    redo = entry.reverse()
    assert redo is not None and service.open_case(db, counsellor, case_id, TODAY).sessions[0].outcome == \
        "did_not_attend"
    redo.reverse()  # recorded as held again
    # a colleague's view of it is out of date: refused, naming what it is now
    with pytest.raises(Conflict, match="now recorded as held"):
        service.set_session_outcome(db, counsellor, sid, "cancelled", expected="", today=TODAY)
    _share(db, counsellor, case_id)
    # the interview the sharing relies on stays held
    with pytest.raises(Conflict, match="is the counselling interview the records shared on 23/11/2026 rely on"):
        service.set_session_outcome(db, counsellor, sid, "cancelled", expected="held", today=TODAY)
    with db.session(counsellor, write=False) as s:  # each change audited with the row
        changes = [c for c in s.scalars(select(AuditEntry.changes).where(
            AuditEntry.entity == "counselling_sessions", AuditEntry.entity_id == str(sid))) if c and "outcome" in c]
    assert len(changes) >= 4


def test_an_appointment_can_be_cancelled_but_not_held_ahead(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    ahead = service.add_session(db, counsellor, case_id, D(2026, 12, 1), "video", today=TODAY)
    with pytest.raises(ValidationError, match=r"01/12/2026 is still to come.*cannot be recorded as held"):
        service.set_session_outcome(db, counsellor, ahead, "held", today=TODAY)
    with pytest.raises(ValidationError, match="still to come"):
        service.add_session(db, counsellor, case_id, D(2026, 12, 2), "video", today=TODAY, outcome="did_not_attend")
    service.set_session_outcome(db, counsellor, ahead, "cancelled", today=TODAY)
    assert service.open_case(db, counsellor, case_id, TODAY).sessions[0].status == "Cancelled"
    with pytest.raises(ValidationError, match="recorded as cancelled"):
        service.letter_data(db, counsellor, case_id, "appointment", session_id=ahead, today=TODAY, check_only=True)
    with pytest.raises(ValidationError, match="no upcoming session"):
        service.letter_data(db, counsellor, case_id, "appointment", today=TODAY, check_only=True)
    # a session written up afterwards is held unless said otherwise; one today is booked until marked
    past = service.add_session(db, counsellor, case_id, D(2026, 11, 20), "phone", today=TODAY)
    same_day = service.add_session(db, counsellor, case_id, TODAY, "phone", today=TODAY)
    outcomes = {s.id: s.outcome for s in service.open_case(db, counsellor, case_id, TODAY).sessions}
    assert (outcomes[past], outcomes[same_day]) == ("held", "")


def test_the_session_form_offers_held_only_for_a_day_passed(qtbot: Any, db: Database, counsellor: Principal,
                                                          new_case: Callable[..., int]) -> None:
    """Review, 6 December: the form opened on today with Held chosen, so an appointment booked for later
    today, saved as it stood, became the s.51(7) interview before it took place. Today is booked, as the
    service takes a session with no outcome; a day passed is held."""
    from PySide6.QtWidgets import QComboBox, QDateEdit

    from adoption_desktop.counselling.views.case_dialog import CaseDialog
    from adoption_desktop.ui.dates import qdate
    from tests.counselling.test_page import _ctx

    case = CaseDialog(_ctx(db, counsellor), new_case(), lambda: TODAY)
    qtbot.addWidget(case)
    dialog = case.session_dialog()
    outcome, held = dialog.form.findChild(QComboBox, "outcome"), dialog.form.findChild(QDateEdit, "held_on")
    assert outcome is not None and held is not None
    assert outcome.currentData() == ""  # today: booked
    held.setDate(qdate(TODAY - dt.timedelta(days=1)))
    assert outcome.currentData() == "held"
