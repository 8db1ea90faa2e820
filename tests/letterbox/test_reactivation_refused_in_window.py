"""Making a suspended or ended arrangement active again in the arrangement window (Status: Active, Save) is
refused as ``set_arrangement_status`` refuses it (``rules.agreement_problems``): with no exchange month, or
once the child is 18. The refusal is said on the window's message line, the cursor on the field to change,
the window stays open and nothing is saved (the service had tests of it; the window had none)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from tests.discard_answers import discard_what_is_left
from tests.letterbox.conftest import sample_input


def _window(qtbot: Any, db: Database, who: Principal, aid: int, today: dt.date) -> Any:
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    window = ArrangementDialog(AppContext(db, who, TaskRunner(synchronous=True)), aid, today=today)
    # a test that failed half-way leaves Active chosen: "Discard what you typed?" as pytest-qt closes the
    # window is answered (offscreen its modal box would wait for ever)
    qtbot.addWidget(window, before_close_func=lambda _w: discard_what_is_left())
    window.show()
    qtbot.waitExposed(window)
    return window


def _close(window: Any) -> None:
    """Closed with Active still chosen: "Discard what you typed?" answered Discard (offscreen it would wait)."""
    from tests.discard_answers import answer_question

    asked: list[str] = []
    answer_question("Discard", asked)
    window.reject()
    assert asked and not window.isVisible()


def test_a_suspended_arrangement_without_months_is_not_made_active_in_the_window(
        qtbot: Any, db: Database, other_pc: Database, coordinator: Principal) -> None:
    today = dt.date.today()
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LB-R1", coordinator="lbcoord", exchange_months="", status="suspended"))
    before = service.get_arrangement(db, coordinator, aid, today=today)
    window = _window(qtbot, other_pc, coordinator, aid, today)  # the second PC's window
    window.status.setCurrentIndex(window.status.findData("active"))
    window.save()
    said = window.message.text()
    assert said.startswith("Exchange months:") and "cannot be made active again" in said, said
    # what to do next: the months first (the same Save then makes it active), or leave it as it is
    assert "Add the month(s) its agreement names to Exchange months first" in said
    assert said.endswith("or leave it suspended."), said
    months = window.fields["exchange_months"]
    assert window.focusWidget() is months  # the cursor where the months go
    assert window.isVisible()
    now = service.get_arrangement(db, coordinator, aid, today=today)
    assert (now.data.status, now.data.exchange_months, now.row_version) == ("suspended", "", before.row_version)
    # the months given, the same Save makes it active
    qtbot.keyClicks(months, "June, December")  # typed, as the coordinator would
    assert window.message.text() == ""  # the refusal goes once the field is changed
    window.save()
    assert not window.isVisible(), window.message.text()
    now = service.get_arrangement(db, coordinator, aid, today=today)
    assert (now.data.status, rules.parse_months(now.data.exchange_months)) == ("active", (6, 12))


def test_an_ended_arrangement_of_a_child_now_18_is_not_made_active_in_the_window(
        qtbot: Any, db: Database, other_pc: Database, coordinator: Principal) -> None:
    today = dt.date.today()
    dob = dt.date(today.year - 19, today.month, 1)
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LB-R2", coordinator="lbcoord", child_dob=dob, start_date=dob + dt.timedelta(days=3000), status="ended"))
    before = service.get_arrangement(db, coordinator, aid, today=today)
    window = _window(qtbot, other_pc, coordinator, aid, today)
    window.status.setCurrentIndex(window.status.findData("active"))
    window.save()
    said = window.message.text()
    assert said.startswith(f"Status: the child turned 18 on {rules.eighteenth_birthday(dob):%d/%m/%Y}"), said
    assert "cannot be made active again" in said
    assert window.focusWidget() is window.status
    assert window.isVisible()
    now = service.get_arrangement(db, coordinator, aid, today=today)
    assert (now.data.status, now.row_version) == ("ended", before.row_version)
    _close(window)
