"""After a crash My work says which unsaved text waits, and opens its record (user trial ut15, D3): the
signed-in user's own drafts only, never their text. Offscreen, real SQLCipher file."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QListWidgetItem
from pytestqt.qtbot import QtBot

from adoption_desktop.core import drafts
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.base import utcnow
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views import item_dialog
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.reports.my_work import KEPT_DRAFTS, my_work
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.my_work import MyWorkPage
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

SECRET = "We moved to Zebrafinch Lane last spring"


def test_list_drafts_names_form_record_and_time_of_the_users_own_drafts_only(
        db: Database, coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=dt.date(2026, 4, 1))
    drafts.save_draft(db, coordinator, f"letterbox.item:{item}", SECRET, base="1", fields={"reason": "x"})
    drafts.save_draft(db, coordinator, "letterbox.arrangement:new", "", fields={"reference": "LB-0002"})
    drafts.save_draft(db, coordinator, "adm.decision:7:text", "wording")
    drafts.save_draft(db, coordinator, "adm.decision:7:reasons", "reasons")  # one decision: one line
    other = make_user(db, "other", Role.LETTERBOX_COORDINATOR)
    drafts.save_draft(db, other, "letterbox.arrangement:1", "someone else's")

    kept = drafts.list_drafts(db, coordinator)
    assert sorted((k.area, k.kind, k.record_id, k.form) for k in kept) == [
        ("adm", "decision", 7, "Decision"), ("letterbox", "arrangement", None, "Letterbox arrangement"),
        ("letterbox", "item", item, "Letterbox item")]
    assert all(abs((k.saved_at - utcnow()).total_seconds()) < 60 for k in kept)
    assert [k.key for k in drafts.list_drafts(db, other)] == ["letterbox.arrangement:1"]
    assert not any(SECRET in repr(k) for k in kept)  # which record, which form, when: never the text

    lines = next(s for s in my_work(db, coordinator).sections if s.key == "drafts").lines
    titles = sorted(line.title for line in lines)  # the decision is of an area the coordinator cannot see
    assert len(titles) == 2 and all(t.startswith(f"{KEPT_DRAFTS}: ") for t in titles)
    assert titles[0].startswith(f"{KEPT_DRAFTS}: Letterbox arrangement for a new arrangement (not saved yet) (")
    assert titles[1].startswith(f"{KEPT_DRAFTS}: Letterbox item for item {item} of arrangement LB-0001 (")
    assert not any(SECRET in t for t in titles)
    assert not any(s.key == "drafts" for s in my_work(db, make_user(db, "none", Role.LETTERBOX_COORDINATOR)).sections)


def test_my_work_shows_a_crashed_items_draft_and_enter_opens_it_with_the_text_back(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(item_dialog, "ask_discard", lambda *_a, **_k: True)
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=dt.date(2026, 4, 1))
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True))
    crashed = ItemDialog(ctx, arrangement, "LB-0001", item_id=item)
    qtbot.addWidget(crashed)
    assert crashed.autosaver is not None
    crashed.autosaver.timer.setInterval(20)
    crashed.text.setPlainText(SECRET)
    qtbot.waitUntil(lambda: drafts.load_draft(db, coordinator, crashed.draft_key()) == SECRET, timeout=3000)
    crashed.hide()
    crashed.deleteLater()  # the program is killed

    window = MainWindow(ctx, idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    page = window.page("my_work")
    assert isinstance(page, MyWorkPage)
    shown = [page.list.item(r) for r in range(page.list.count())]
    found = [i for i in shown if i.text().strip().startswith(f"{KEPT_DRAFTS}: Letterbox item for item {item}")]
    assert len(found) == 1, [i.text() for i in shown]
    assert not any(SECRET in i.text() for i in shown)
    line: QListWidgetItem = found[0]
    assert line.text().strip().endswith(")") and "/" in line.text()  # (dd/mm hh:mm)
    page.list.setCurrentItem(line)
    opened = page.open_line(page.current_line)  # type: ignore[arg-type]
    assert isinstance(opened, ItemDialog) and opened.item_id == item
    assert opened.text.toPlainText() == SECRET
    assert opened.message.text().startswith("Unsaved text from your last visit to this item was restored")
