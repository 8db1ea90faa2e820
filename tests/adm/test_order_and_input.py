"""Issue 12 at the ADM service boundary: input sanitation and the order of events (no signature before
the final minutes are received, nor dated in the future)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.adm import rules, service
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD

D = dt.date
RECEIVED = D(2025, 12, 1)


def _opened(db: Database, received: dt.date = RECEIVED) -> int:
    with db.session() as s:
        return open_from_panel(s, handoff(received=received))


def test_cannot_sign_before_the_minutes_are_received(db: Database, adm_user: Principal) -> None:
    did = _opened(db)
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved.", reasons="")
    with pytest.raises(ValidationError, match="on or after 01/12/2025") as err:
        service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 11, 30))
    assert err.value.field == "decided_on"
    with pytest.raises(ValidationError, match="in the future"):
        service.sign_decision(db, adm_user, did, TEST_PASSWORD, dt.date.today() + dt.timedelta(days=3))
    service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 1))


def test_minutes_received_in_the_future_cannot_be_signed(db: Database, adm_user: Principal) -> None:
    """Minutes handed over with a future date (the trial: a sitting next week approved "today")."""
    future = dt.date.today() + dt.timedelta(days=7)
    did = _opened(db, received=future)
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved.", reasons="")
    with pytest.raises(ValidationError, match="before the minutes are received"):
        service.sign_decision(db, adm_user, did, TEST_PASSWORD, dt.date.today())


def test_decision_text_refuses_control_characters(db: Database, adm_user: Principal) -> None:
    did = _opened(db)
    with pytest.raises(ValidationError, match="Decision"):
        service.record_decision(db, adm_user, did, outcome="agree", decision_text="Appr\x00oved.", reasons="")
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Appr\u200boved.", reasons="")
    assert service.get_decision(db, adm_user, did, D(2025, 12, 3)).decision_text == "Approved."


def test_direct_decision_input_cleaned(db: Database, adm_user: Principal) -> None:
    base = dict(decision_type="plan_for_adoption", subject_initials="A.B.", received_on=D(2025, 11, 3),
                proposal="The child should be placed for adoption.", social_worker="Kit Marlow")
    with pytest.raises(ValidationError, match="Case reference"):
        service.open_direct_decision(db, adm_user, subject_reference="CH-2025\x00-0001", **base)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Child's social worker"):
        service.open_direct_decision(db, adm_user, subject_reference="CH-2025-0001",
                                     **{**base, "social_worker": "=cmd|' /C calc'!A0"})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Papers received on"):
        service.open_direct_decision(db, adm_user, subject_reference="CH-2025-0001",
                                     **{**base, "received_on": D(9999, 1, 1)})  # type: ignore[arg-type]
    did = service.open_direct_decision(db, adm_user, subject_reference="CH-2025\u200b-0001", **base)  # type: ignore[arg-type]
    assert service.get_decision(db, adm_user, did, D(2025, 12, 3)).row.subject_reference == "CH-2025-0001"


def test_information_dates_in_range(db: Database, adm_user: Principal) -> None:
    did = _opened(db)
    with pytest.raises(ValidationError, match="Date asked"):
        service.request_information(db, adm_user, did, what="The medical report.", requested_on=D(9999, 1, 1))


days = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


@given(received=days, decided=days, today=days, sitting=st.none() | days)
def test_order_rule(received: dt.date, decided: dt.date, today: dt.date, sitting: dt.date | None) -> None:
    ok = received <= decided <= today and (sitting is None or sitting <= decided)
    problems = rules.order_problems(received, decided, today, sitting)
    assert (problems == []) == ok
    # each fault said once (a trial saw "on or after the minutes" and "after the sitting" and "in the future"
    # for one date): at most one message about the decision date, and none of them repeats another's bound
    assert sum(p.startswith("Decision date:") for p in problems) <= 1
    assert len(problems) <= 2


def test_initials_that_begin_like_a_spreadsheet_formula_are_refused(db: Database, adm_user: Principal) -> None:
    """ADM trial: initials "=HYPERLINK(1)" were accepted (case references already refused a formula start);
    the queue's list is exported to spreadsheets."""
    with pytest.raises(ValidationError, match="Initials: cannot begin with '='"):
        service.open_direct_decision(db, adm_user, decision_type="plan_for_adoption", subject_reference="CH-77",
                                     subject_initials="=HYPERLINK(1)", received_on=dt.date(2026, 3, 2),
                                     proposal="Placed", social_worker="Robin Testworker")


def test_information_asked_or_received_in_the_future_is_refused(db: Database, adm_user: Principal) -> None:
    """User trial: a request dated 15/02/2027 paused the clock from then (the days until it counted as used)
    and a receipt dated ahead pushed the statutory deadline out by months. Both are days that have happened."""
    did = _opened(db)
    today = D(2025, 12, 3)
    with pytest.raises(ValidationError, match="Date asked: 04/12/2025 is in the future"):
        service.request_information(db, adm_user, did, what="The medical report.", requested_on=D(2025, 12, 4),
                                    today=today)
    service.request_information(db, adm_user, did, what="The medical report.", requested_on=today, today=today)
    with pytest.raises(ValidationError, match="Date received: 01/03/2026 is in the future"):
        service.log_information(db, adm_user, did, received_on=D(2026, 3, 1), today=today)
    assert service.get_decision(db, adm_user, did, today).row.state == "paused"
    assert service.log_information(db, adm_user, did, received_on=today, today=today) is not None


def test_the_dated_dialog_keeps_a_future_date_open_with_the_text(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from adoption_desktop.adm.views.dialogs import DatedNoteDialog
    from adoption_desktop.ui.dates import qdate

    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warned.append(text))
    dlg = DatedNoteDialog(None, "Ask for more information", "Date &asked:", D(2025, 12, 3), "&Information:",
                          latest=D(2025, 12, 3))
    qtbot.addWidget(dlg)
    dlg.text.setPlainText("The medical report.")
    dlg.date.setDate(qdate(D(2027, 2, 15)))
    dlg.accept()
    assert warned == ["Date asked: 15/02/2027 is in the future; enter the day it happened, once it has."]
    assert dlg.result() != dlg.DialogCode.Accepted and dlg.text.toPlainText() == "The medical report."
    dlg.date.setDate(qdate(D(2025, 12, 3)))
    dlg.accept()
    assert dlg.result() == dlg.DialogCode.Accepted


@pytest.mark.parametrize(("field", "value"), [("addressee", '=HYPERLINK("x")\n1 Road'),
                                              ("addressee", "Ms A Example\n@SUM(1)"),
                                              ("salutation", "=cmd|' /C calc'!A0")])
def test_the_letters_recipient_lines_refuse_a_formula_start(db: Database, adm_user: Principal, field: str,
                                                            value: str) -> None:
    did = _opened(db)
    lines = {"addressee": "Ms A Example\n1 Example Road", "salutation": "Dear Ms Example", field: value}
    with pytest.raises(ValidationError, match="formula"):
        service.set_letter_details(db, adm_user, did, addressee=lines["addressee"],
                                   salutation=lines["salutation"], social_worker="")
