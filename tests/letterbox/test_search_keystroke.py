"""The per-keystroke search on the embedded store reads on a DB-API cursor (``Database.read_cursor``), not an
ORM session (issue 17: within 1.2x of the same SQL run raw). It must keep everything the session gave it:
the same rows, the sign-in check, no audit entry, interrupts from the UI thread, errors reported alike."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from sqlalchemy import event, func, select, text, update

from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.interrupt import Interrupt, Interrupted
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.service import ItemFilter, ItemRow
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.table_model import display
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.conftest import sample_input


@pytest.fixture
def items(db: Database, coordinator: Principal) -> list[int]:
    arrangement = service.create_arrangement(db, coordinator, sample_input())
    return [service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                             received_on=dt.date(2025, 1 + n % 12, 1 + n), writer=f"Sam Thornley {n}",
                             notes="card") for n in range(12)]


def _session_statements(db: Database) -> list[str]:
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda _c, _cu, st, *_a: seen.append(st))
    return seen


def test_after_the_first_search_a_keystroke_uses_no_session_and_reads_the_same_rows(
        db: Database, coordinator: Principal, items: list[int]) -> None:
    f = ItemFilter(query="sam thorn")
    first = service.item_page(db, coordinator, f, 100)  # compiles the keystroke's statements
    through_session = _session_statements(db)
    again = service.item_page(db, coordinator, f, 100)
    assert through_session == []  # nothing went through SQLAlchemy: the DB-API cursor ran it
    assert again == first and first[0] == 12
    assert all(type(r) is ItemRow for r in again[1])
    assert again[1][0] == ItemRow(**{k: getattr(again[1][0], k) for k in ItemRow.__dataclass_fields__})
    assert hash(again[1][0]) == hash(first[1][0])
    with pytest.raises(AttributeError):  # still frozen
        again[1][0].writer = "x"  # type: ignore[misc]
    # the same rows, in the same order, as the session path (a filter besides the text uses it)
    listed = service.list_items(db, coordinator, f, 0, 100)
    assert [r.id for r in again[1]] == [r.id for r in listed]
    assert [(r.received_on, r.outcome_on) for r in again[1]] == [(r.received_on, r.outcome_on) for r in listed]


def test_a_keystroke_still_checks_the_signed_in_user_and_writes_no_audit_entry(
        db: Database, coordinator: Principal, items: list[int]) -> None:
    f = ItemFilter(query="card")
    service.item_page(db, coordinator, f, 100)
    with db.session() as s:
        entries = s.scalar(select(func.count()).select_from(AuditEntry))
    service.item_page(db, coordinator, f, 100)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == entries  # a list read: not audited
        s.execute(update(User).where(User.id == coordinator.user_id).values(disabled=True))
    with pytest.raises(PermissionDenied, match="disabled"):
        service.item_page(db, coordinator, f, 100)


def test_a_keystroke_read_can_be_interrupted_from_another_thread(db: Database, coordinator: Principal,
                                                                  items: list[int]) -> None:
    stop = Interrupt()
    stop.set()
    service.item_page(db, coordinator, ItemFilter(query="sam"), 100)
    with pytest.raises(Interrupted):  # set before it starts
        service.item_page(db, coordinator, ItemFilter(query="sam"), 100, stop=stop)
    # a statement running on the cursor is stopped on its connection
    stop, running, outcome = Interrupt(), threading.Event(), []

    def long_read() -> None:
        try:
            with db.read_cursor(coordinator, stop) as cur:
                cur.connection.create_function("running", 0, lambda: running.set() or 1)
                cur.execute("WITH RECURSIVE c(x) AS (SELECT running() UNION ALL SELECT x + 1 FROM c "
                            "WHERE x < 10000000000000) SELECT count(*) FROM c").fetchall()
            outcome.append("finished")
        except Interrupted:
            outcome.append("interrupted")

    worker = threading.Thread(target=long_read)
    worker.start()
    assert running.wait(10)
    stop.set()
    worker.join(20)
    assert outcome == ["interrupted"]
    # the connection went back to the pool in working order
    assert service.item_page(db, coordinator, ItemFilter(query="sam"), 100)[0] == 12


def test_read_cursor_rolls_back_and_is_for_the_embedded_store_only(db: Database, coordinator: Principal,
                                                                    items: list[int]) -> None:
    with db.read_cursor(coordinator) as cur:
        assert cur.execute("SELECT count(*) FROM letterbox_items").fetchone()[0] == 12
        cur.execute("UPDATE letterbox_items SET writer = 'changed'")  # nothing read this way is kept
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM letterbox_items WHERE writer = 'changed'")).scalar() == 0
    db.kind = "postgresql"
    try:
        with pytest.raises(ValueError), db.read_cursor(coordinator):
            pass
    finally:
        db.kind = "sqlcipher"


def test_dates_are_shown_as_before() -> None:
    for value in (dt.date(2025, 1, 2), dt.date(2026, 12, 31), dt.date(999, 3, 4)):
        assert display(value) == f"{value:%d/%m/%Y}"
    for stamp in (dt.datetime(2025, 1, 2, 3, 4, 59), dt.datetime(2026, 12, 31, 23, 0)):
        assert display(stamp) == f"{stamp:%d/%m/%Y %H:%M}"
    assert display(None) == "" and display("x") == "x" and display(True) == "Yes" and display(3) == "3"


def test_one_keystroke_is_one_model_reset_and_one_paint_of_the_rows(qtbot: Any, db: Database, coordinator: Principal,
                                                                     items: list[int]) -> None:
    """Counted with real Qt events (offscreen): a key whose rows keep their number resets the model once and
    paints the table once (Qt's deferred second layout pass repaints the rows again only when their number
    changes: see bench/results/search.md)."""
    page = LetterboxPage(AppContext(db, coordinator, TaskRunner()), today=dt.date(2026, 9, 10))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.show_items()
    qtbot.waitExposed(page)
    reg = page.items_register
    reg.search.setFocus()
    qtbot.keyClicks(reg.search, "car")
    reg.search_now()
    qtbot.wait(100)
    assert reg.model.rowCount() == 12

    class Paints(QObject):
        count = 0

        def eventFilter(self, _obj: Any, ev: Any) -> bool:  # noqa: N802
            if ev.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    paints, resets = Paints(), []
    reg.view.viewport().installEventFilter(paints)
    reg.model.modelReset.connect(lambda: resets.append(1))
    qtbot.keyClick(reg.search, "d")
    reg.search_now()
    qtbot.wait(200)  # everything Qt defers has run
    assert reg.query == "card" and reg.model.rowCount() == 12
    assert len(resets) == 1 and paints.count == 1
