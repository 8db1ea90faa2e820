"""A sitting's day reads the same wherever a heading or a title names it ("Thursday 3 December 2026"): the
sitting's heading, the sitting list's tooltip, the cancel and move windows, the non-working-day question, the
Edit menu's undo label, a refused change's message, and the ADM's record of the sitting the panel sat at."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from adoption_desktop.adm.service import open_decision_from_panel
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.concurrency import when_text
from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.wording import weekday_date
from adoption_desktop.panel import rules, undo
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff
from tests.conftest import make_user

from .conftest import TODAY, Panel

DAY = dt.date(2026, 12, 3)  # a Thursday with a one-figure day: "03", "3/12", "Thu" would all show
_MONTH = "(?:January|February|March|April|May|June|July|August|September|October|November|December)"
#: any way of writing a date: the long forms first, so a weekday's date is taken whole
DATE_TEXT = re.compile(rf"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? )?\d{{1,2}} {_MONTH}(?: \d{{4}})?"
                       r"|\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}"
                       rf"|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]* \d{{1,2}} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{{4}}")


def _dates(text: str) -> list[str]:
    return DATE_TEXT.findall(re.sub(r"<[^>]+>", "", text))


def _day(written: str) -> dt.date:
    """The date a text found by :data:`DATE_TEXT` means."""
    bare = re.sub(r"^[A-Z][a-z]+,? (?=\d)", "", written)  # without its weekday
    for form in ("%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(bare, form).date()
        except ValueError:
            continue
    raise AssertionError(f"not a date: {written!r}")


def _ways_of_writing(day: dt.date, text: str) -> list[str]:
    """How ``text`` writes ``day`` (other dates in it — a deadline, the time of a change — left out)."""
    return [d for d in _dates(text) if _day(d) == day]


def test_every_heading_and_title_of_a_sitting_names_its_day_the_same_way(panel: Panel, qtbot: Any) -> None:
    sitting = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(DAY, "10:00", "13:00", "Room 2"))[0]
    item = svc.add_item(panel.db, panel.clerk, sitting, svc.ItemInput("approval", "PA-2026-021", "AB/CD",
                                                                      "Jay Quillby", "10:00", ""))
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.reload(select_sitting=sitting)
    assert page.sitting is not None and page.sitting.id == sitting
    shown: dict[str, str] = {"heading": page.sitting_heading.text()}
    row = page.sittings_view.currentIndex().row()
    shown["list tooltip"] = str(page.sittings_model.data(page.sittings_model.index(row, 0),
                                                         Qt.ItemDataRole.ToolTipRole))
    for what, action in (("cancel window", page.cancel_sitting), ("move window", page.move_sitting)):
        action()
        shown[what] = page.dialog.windowTitle()
        page.dialog.reject()
        page.dialog.deleteLater()  # gone now, so no later test finds its button holding the keyboard
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    version = page.sitting.row_version
    svc.cancel_sitting(panel.db, make_user(panel.db, "other", Role.PANEL_ADMINISTRATOR), sitting, "Room flooded",
                       expected_version=version)
    with pytest.raises(StaleRecord) as refused:  # this user's screen still shows the earlier version
        svc.move_sitting(panel.db, panel.clerk, sitting, DAY + dt.timedelta(days=7), "later",
                         expected_version=version)
    # without the time of the colleague's save ("at 03/12/2026 07:05"): that is today, not the sitting's day
    saved_at = when_text(refused.value.saved_at)  # type: ignore[arg-type]
    assert saved_at in str(refused.value)
    shown["refused change"] = str(refused.value).replace(saved_at, "")
    shown["undo label"] = undo.remove_item(panel.db, panel.clerk, item).label
    with panel.db.session() as s:
        decision = open_decision_from_panel(s, handoff(received=DAY + dt.timedelta(days=14), ref="PA-2026-021"))
    assert decision
    adm = AdmPage(AppContext(panel.db, make_user(panel.db, "decider", Role.AGENCY_DECISION_MAKER),
                             TaskRunner(synchronous=True)), today=TODAY + dt.timedelta(days=30))
    qtbot.addWidget(adm)
    assert adm.detail.detail is not None and adm.detail.detail.sitting_date == DAY
    shown["ADM's panel sitting"] = adm.detail.sitting.text()

    said = {where: _ways_of_writing(DAY, text) for where, text in shown.items()}
    assert said == {where: [weekday_date(DAY)] for where in shown}, shown
    assert weekday_date(DAY) == "Thursday 3 December 2026"


def test_the_non_working_day_question_names_days_as_the_headings_do() -> None:
    saturday = dt.date(2026, 12, 5)
    problem = rules.sitting_day_problem(saturday)
    assert problem is not None and _dates(problem) == [weekday_date(saturday)] == ["Saturday 5 December 2026"]
    question = rules.sitting_days_question(rules.sitting_days_problems([saturday, dt.date(2026, 12, 25)]), 2)
    assert _dates(question) == ["Saturday 5 December 2026", "Friday 25 December 2026"]
