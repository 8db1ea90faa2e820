"""A tester holding the database key changed approved minutes in SQL. The Minutes tab showed them as genuine
with no warning, and "Make a correction…" copied the changed words into a new version the chair approved:
the export, which refuses minutes not as they were sealed, then went out with the changed text under a
valid seal. The tab now says in red what changed, offers no correction, and the correction is refused with
nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text

from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as panel
from adoption_desktop.panel.models import PanelItem, PanelMinutes
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.palette import tint_style
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.test_sign_while_minutes_corrected import APPROVED, REASON
from tests.adm.test_sign_while_minutes_corrected import _approved as _approved_item


def _forge(db: Database, item: int) -> None:
    """The change made with the key, outside the application (no audit entry, no seal)."""
    with db.engine.begin() as conn:
        assert conn.execute(text("UPDATE panel_minutes SET reasons = 'Forged reasons.' WHERE item_id = :i"),
                            {"i": item}).rowcount == 1


def _minutes_rows(db: Database) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(PanelMinutes)) or 0)


def _sitting(db: Database, item: int) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(PanelItem.sitting_id).where(PanelItem.id == item)))


def test_changed_approved_minutes_are_not_corrected(db: Database) -> None:
    clerk, item, _decision = _approved_item(db)
    _forge(db, item)
    before = _minutes_rows(db)
    with pytest.raises(SealBroken) as refused:
        panel.correct_minutes(db, clerk, item, REASON)
    said = str(refused.value)
    assert said.startswith("These approved minutes are not as they were approved: reasons changed outside the "
                           "application")
    assert "No correction was started" in said and "Nothing was saved" in said and "verify" in said
    assert _minutes_rows(db) == before
    [row] = [i for i in panel.sitting_detail(db, clerk, _sitting(db, item)).items if i.id == item]
    assert row.minutes is not None and row.minutes.status == "approved" and row.minutes.version == 1


def test_untouched_approved_minutes_are_corrected_and_say_nothing(db: Database) -> None:
    clerk, item, _decision = _approved_item(db)
    [row] = [i for i in panel.sitting_detail(db, clerk, _sitting(db, item)).items if i.id == item]
    assert row.minutes is not None and row.minutes.seal_problem == ""
    assert panel.correct_minutes(db, clerk, item, REASON).version == 2


def test_the_minutes_tab_says_so_in_red_and_offers_no_correction(db: Database, qtbot: Any) -> None:
    clerk, item, _decision = _approved_item(db)
    page = PanelPage(AppContext(db, clerk, TaskRunner(synchronous=True)), today=APPROVED)
    qtbot.addWidget(page)
    page.reload(select_sitting=_sitting(db, item))
    ed = page.minutes
    assert ed.current is not None and ed.current.id == item
    assert ed.correct_button.isEnabled() and "not as they were approved" not in ed.message.text()
    _forge(db, item)
    page.reload(select_sitting=_sitting(db, item))
    assert ed.current is not None and ed.current.id == item
    said = ed.message.text()
    assert said.startswith("These approved minutes are not as they were approved: reasons changed outside the "
                           "application") and "verify" in said
    assert ed.message.styleSheet().startswith(tint_style("#B00020", ed.message))
    assert not ed.correct_button.isEnabled()
