"""Three refusals a user trial of the letterbox missed (4 December 2026): an outcome dated before the item
arrived or in the future was recorded; an arrangement could start before the child was born; a letter with
no text was "screened" (history: "no findings") and forwarded, though nothing had been read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.importing import import_file
from tests.letterbox.conftest import sample_input

RECEIVED = dt.date.today() - dt.timedelta(days=3)


def _item(db: Database, who: Principal, arrangement: int, item_type: str = "letter") -> int:
    return service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=RECEIVED,
                            item_type=item_type)


def test_an_outcome_is_dated_between_its_arrival_and_today(db: Database, coordinator: Principal,
                                                          arrangement: int) -> None:
    item = _item(db, coordinator, arrangement)
    service.screen_item(db, coordinator, item, "We had a lovely summer.")
    before = RECEIVED - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match=rf"received on {RECEIVED:%d/%m/%Y}; .* dated {before:%d/%m/%Y}"):
        service.record_outcome(db, coordinator, item, "forwarded", before, method="post")
    future = dt.date.today() + dt.timedelta(days=200)
    with pytest.raises(ValidationError, match=rf"Date: {future:%d/%m/%Y} is in the future"):
        service.record_outcome(db, coordinator, item, "forwarded", future, method="post")
    assert service.get_item(db, coordinator, item).status == "screened"
    service.record_outcome(db, coordinator, item, "forwarded", RECEIVED, method="post")  # the day it came
    assert service.get_item(db, coordinator, item).status == "forwarded"


def test_an_arrangement_does_not_start_before_the_child_was_born(db: Database, coordinator: Principal) -> None:
    with pytest.raises(ValidationError, match=r"Start date: 01/01/2010 is before the child's date of birth "
                                              r"\(14/05/2016\)"):
        service.create_arrangement(db, coordinator, sample_input("LB-0099", start_date=dt.date(2010, 1, 1)))
    assert service.create_arrangement(db, coordinator, sample_input("LB-0099", start_date=dt.date(2016, 5, 14)))


@pytest.mark.parametrize("item_type", ["letter", "email"])
def test_a_letter_with_no_text_is_screened_only_as_read_by_eye(db: Database, coordinator: Principal,
                                                              arrangement: int, item_type: str) -> None:
    item = _item(db, coordinator, arrangement, item_type)
    with pytest.raises(ValidationError, match=rf"no text to screen. Type or paste the {item_type}'s words"):
        service.screen_item(db, coordinator, item, "  \n ")
    stored = service.get_item(db, coordinator, item)
    assert stored.status == "received"
    service.screen_item(db, coordinator, item, "", read_by_eye=True)
    stored = service.get_item(db, coordinator, item)
    assert stored.status == "screened"
    assert stored.history[-1].detail == f"no text to screen: the {item_type} was read by eye"


def test_a_photo_with_no_words_is_screened_as_read_by_eye(db: Database, coordinator: Principal,
                                                          arrangement: int) -> None:
    item = _item(db, coordinator, arrangement, "photo")
    service.screen_item(db, coordinator, item, "")
    assert service.get_item(db, coordinator, item).history[-1].detail == "no text to screen: the photo was read by eye"


def test_a_platform_name_is_read_whole_not_as_a_shorter_one_and_a_handle() -> None:
    from adoption_desktop.letterbox.screening import screen_text

    found = [(f.kind, f.text) for f in screen_text("Find us on instagram @larkwellfamily", [])]
    assert found == [("social handle", "@larkwellfamily")]  # not also "gram" (read as "insta" + handle)
    assert [f.text for f in screen_text("add me on snapchat jordz.w09", [])] == ["jordz.w09"]


def test_the_import_refuses_a_start_before_the_birth_naming_the_column(db: Database, coordinator: Principal,
                                                                      tmp_path: Path) -> None:
    from tests.letterbox.test_import import count, good_rows, write_xlsx

    rows = good_rows()
    rows[2][11] = "2010-01-01"  # IMP-002: born 30/11/2012
    report = import_file(db, coordinator, write_xlsx(tmp_path / "early.xlsx", rows))
    assert not report.written and count(db) == (0, 0)
    assert [(p.row, p.column) for p in report.problems] == [(4, "L (Start)")]
    assert "IMP-002: Start date: 01/01/2010 is before the child's date of birth (30/11/2012)" in \
        report.problems[0].problem


def _press_on_next_box(qtbot: Any, text: str) -> list[str]:
    """Press the button whose text starts with ``text`` on the next message box; its question is kept."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

    seen: list[str] = []

    def press() -> None:
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(20, press)
            return
        seen.append(box.text())
        next(b for b in box.findChildren(QPushButton) if b.text().replace("&", "").startswith(text)).click()

    QTimer.singleShot(0, press)
    return seen


def test_the_item_window_asks_before_screening_an_empty_letter_as_read_by_eye(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int) -> None:
    from tests.letterbox.test_item_writer_dialog import open_item

    window = open_item(qtbot, db, coordinator, arrangement)
    qtbot.keyClicks(window.writer, "Sam Thornley")
    window.log()
    assert window.item_id is not None
    window.text.setPlainText("\u200b \n\u200d")  # nothing a reader sees: asked as no text (review)
    seen = _press_on_next_box(qtbot, "No, I will add its words")
    window.screen_letter()
    assert "no text of this letter to screen" in seen[0]
    assert "Not screened" in window.message.text()
    assert service.get_item(db, coordinator, window.item_id).status == "received"
    seen = _press_on_next_box(qtbot, "Yes, I read it myself")
    window.screen_letter()
    stored = service.get_item(db, coordinator, window.item_id)
    assert stored.status == "screened" and stored.history[-1].detail == "no text to screen: the letter was read by eye"
    assert window.message.text() == "Recorded as read by eye: the letter has no text here to screen."
