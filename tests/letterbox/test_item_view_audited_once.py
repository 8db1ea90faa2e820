"""One opening of a letterbox item is one "view" entry in the audit log (user trial ut21: the page read the
item to open its window, and the window read it again, so every opening wrote two identical entries, from the
Letterbox page, My work and Ctrl+K alike). A second view the user asks for is still recorded: opening the
item again, and Show stored text (F5), which is recorded once too (it also read the item twice)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from adoption_desktop import demo
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.security import service as security
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox.models import Item
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.reports.search_everywhere import search_everywhere
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.search_everywhere import HIT, open_result, result_rows
from adoption_desktop.ui.tasks import TaskRunner


def _views(db: Database, item_id: int) -> list[tuple[str, str]]:
    with db.session(write=False) as session:
        return [(e.actor, e.detail or "") for e in session.scalars(select(AuditEntry).where(
            AuditEntry.action == "view", AuditEntry.entity == "letterbox_items",
            AuditEntry.entity_id == str(item_id)).order_by(AuditEntry.seq))]


def test_one_opening_is_one_view(small_demo_db: Database, qtbot: Any) -> None:
    db = small_demo_db
    with db.session(write=False) as session:
        item_id = session.scalar(select(Item.id).where(Item.text != "").order_by(Item.id).limit(1))
    assert item_id is not None
    principal = security.authenticate(db, "letterbox", demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(db, principal, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    page = window.open_target("letterbox")
    assert isinstance(page, LetterboxPage)

    dialog = page.open_existing_item(item_id)  # a double-click in the items register
    QApplication.processEvents()
    assert dialog.detail is not None and dialog.detail.id == item_id and dialog.text.toPlainText()
    assert _views(db, item_id) == [("letterbox", "")]
    dialog.show_stored_text()  # F5: a view the user asks for, recorded once
    assert _views(db, item_id) == [("letterbox", "")] * 2
    dialog.close()

    again = page.open_existing_item(item_id)  # opened again: a view again
    again.close()
    assert len(_views(db, item_id)) == 3

    with db.session(write=False) as session:
        received = session.scalar(select(Item.received_on).where(Item.id == item_id))
    assert received is not None
    query = f"{received:%d/%m/%Y}"  # Ctrl+K finds the items received that day
    hits = [r for r in result_rows(search_everywhere(db, principal, query)) if r.kind == HIT and r.hit is not None
            and r.hit.area == "letterbox_items"]
    assert hits and hits[0].hit is not None
    found = hits[0].hit.record_id
    before = len(_views(db, found))
    opened = open_result(window, hits[0], query)  # Ctrl+K, Enter
    assert isinstance(opened, ItemDialog) and opened.item_id == found
    opened.close()
    assert len(_views(db, found)) == before + 1
