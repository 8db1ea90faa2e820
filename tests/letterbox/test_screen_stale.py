"""Two coordinators screening one item (team-mode trial): the second, working from an older screen, pressed
Screen text and silently replaced the first one's text and findings ("No identifying details found"), and the
letter could then be forwarded. A screening now carries the item's version as shown; a finding replaced by a
newer screening says so instead of "No finding 2."; a refused outcome keeps the typed reason in sight."""

from __future__ import annotations

from typing import Any

import pytest

from adoption_desktop.core.errors import Conflict, StaleRecord
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from tests.letterbox.test_item_writer_dialog import TODAY, open_item

LEAKY = "We moved to 14 Kestrel Road and she starts at Kestrel Vale Primary in May."


def _logged(db: Database, who: Principal, aid: int) -> int:
    return service.log_item(db, who, aid, direction=rules.TO_BIRTH, received_on=TODAY)


def test_a_screening_over_an_older_screen_is_refused_and_keeps_the_first(
        db: Database, coordinator: Principal, checker: Principal, arrangement: int) -> None:
    item = _logged(db, coordinator, arrangement)
    shown = service.get_item(db, checker, item).row_version  # the second coordinator's screen
    service.screen_item(db, coordinator, item, LEAKY, expected_version=shown)
    with pytest.raises(StaleRecord, match=r"saved item \d+ at .* after you opened it") as refused:
        service.screen_item(db, checker, item, "Happy birthday!", expected_version=shown)
    assert refused.value.saved_values["Screened by"] == coordinator.username
    stored = service.get_item(db, coordinator, item)
    assert stored.text == LEAKY and stored.findings and all(f.decision == "remove" for f in stored.findings)
    # screening again knowingly, from the version now shown, is a save like any other
    service.screen_item(db, checker, item, LEAKY + " Love, Gina", expected_version=stored.row_version)


def test_a_finding_replaced_by_a_newer_screening_says_so(db: Database, coordinator: Principal,
                                                         checker: Principal, arrangement: int) -> None:
    item = _logged(db, coordinator, arrangement)
    first = service.screen_item(db, coordinator, item, LEAKY).findings[0].id
    service.screen_item(db, checker, item, LEAKY, expected_version=service.get_item(db, checker, item).row_version)
    with pytest.raises(Conflict, match="no longer on the item: it was screened again"):
        service.decide_finding(db, coordinator, first, "acceptable")


def test_the_item_window_refuses_a_stale_screening_and_shows_the_other(
        qtbot: Any, db: Database, coordinator: Principal, checker: Principal, arrangement: int) -> None:
    item = _logged(db, coordinator, arrangement)
    mine = open_item(qtbot, db, checker, arrangement, item)  # opened before the colleague screens
    service.screen_item(db, coordinator, item, LEAKY)
    mine.text.setPlainText("Happy birthday!")
    mine.screen_letter()
    stored = service.get_item(db, coordinator, item)
    assert stored.text == LEAKY and stored.screened_by == coordinator.username and stored.findings
    said = mine.message.text()
    assert "after you opened it" in said and "press Screen text again" in said
    assert mine.text.toPlainText() == "Happy birthday!"  # what they typed is kept
    assert mine.findings_model.rowCount() == len(stored.findings)  # the colleague's findings are shown
    mine.screen_letter()  # now knowingly, from the version shown
    assert service.get_item(db, coordinator, item).text == "Happy birthday!"
