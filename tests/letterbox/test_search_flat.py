"""Search-as-you-type in the items register stays flat (issue 17): results equal a plain-Python filter,
a search alone lists the newest COUNT_CAP matches, and a stale search (the text changed while it ran) is
interrupted and never reaches the model."""

from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.interrupt import Interrupt, Interrupted
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.service import ItemFilter, ItemRow, item_register
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.conftest import sample_input

WRITERS = ["Sam Thornley", "Nan Marrowby", "Jo Fenwick", "Élodie Hazelmere", "Kit Marrow", "Sami Thorn"]
NOTES = ["birthday card", "drawing of a horse", "", "school report", "card and photo", "Café visit"]
QUERIES = ["s", "sa", "sam", "sam thorn", "thorn s", "marr", "m", "card", "c", "cafe", "é", "el",
           "lb-0002", "zz", "x", "h", "ho"]


@pytest.fixture
def items(db: Database, coordinator: Principal) -> list[int]:
    first = service.create_arrangement(db, coordinator, sample_input())
    second = service.create_arrangement(db, coordinator, sample_input(
        "LB-0002", child_birth_name="Kit Marrowby", child_adoptive_name="Kit Fenwick", adopters_name="Jo Fenwick",
        participants=()))
    out = []
    for n in range(36):  # received dates deliberately out of id order
        out.append(service.log_item(
            db, coordinator, first if n % 3 else second, direction=rules.TO_BIRTH if n % 2 else rules.TO_ADOPTIVE,
            received_on=dt.date(2025, 1 + (n * 7) % 12, 1 + (n * 5) % 27), writer=WRITERS[n % len(WRITERS)],
            notes=NOTES[(n // 2) % len(NOTES)]))
    return out


def _fold(s: str) -> list[str]:
    s = "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if not unicodedata.combining(c))
    return re.findall(r"\w+", s)


def _plain(db: Database, query: str) -> list[tuple[int, dt.date]]:
    """Every item whose indexed text has each word of the query as a word prefix, newest received first
    (then highest id), computed in Python from the index's stored text and the items table."""
    wanted = _fold(query)
    with db.engine.connect() as conn:
        bodies: dict[int, str] = {int(i): str(b) for i, b in conn.execute(
            text("SELECT rowid, body FROM fts_letterbox_items")).all()}
        received = {i: dt.date.fromisoformat(str(d)) for i, d in conn.execute(
            text("SELECT id, received_on FROM letterbox_items")).all()}
    hits = [i for i, body in bodies.items() if all(any(w.startswith(q) for w in _fold(body)) for q in wanted)]
    return sorted(((i, received[i]) for i in hits), key=lambda p: (p[1], p[0]), reverse=True)


def test_search_alone_equals_a_plain_python_filter(db: Database, coordinator: Principal, items: list[int]) -> None:
    for query in QUERIES:
        expected = _plain(db, query)
        total, rows = service.item_page(db, coordinator, ItemFilter(query=query), 100)
        assert total == len(expected), query
        assert [(r.id, r.received_on) for r in rows] == expected, query
        assert service.count_items(db, coordinator, ItemFilter(query=query)) == len(expected)
        # later pages (scrolling) continue the same order
        page2 = service.list_items(db, coordinator, ItemFilter(query=query), 5, 7)
        assert [r.id for r in page2] == [i for i, _ in expected[5:12]], query
        ascending = service.list_items(db, coordinator, ItemFilter(query=query, descending=False), 0, 100)
        assert [r.id for r in ascending] == [i for i, _ in sorted(expected, key=lambda p: (p[1], p[0]))]
        by_writer = service.list_items(db, coordinator, ItemFilter(query=query, sort="writer"), 0, 100)
        assert sorted(r.id for r in by_writer) == sorted(i for i, _ in expected)
        assert [r.writer for r in by_writer] == sorted(r.writer for r in by_writer)[::-1]
    assert all(isinstance(r, ItemRow) and isinstance(r.received_on, dt.date) for r in rows)


def test_a_search_over_the_cap_lists_the_newest_matches(db: Database, coordinator: Principal, items: list[int],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(item_register, "COUNT_CAP", 4)  # where it is read (not the package)
    expected = _plain(db, "s")
    assert len(expected) > 5
    total, rows = service.item_page(db, coordinator, ItemFilter(query="s"), 100)
    assert total == 5 and service.search_capped(ItemFilter(query="s"), total)  # "more than 4"
    newest = sorted(i for i, _ in expected)[-4:]  # the four most recently entered matches ...
    assert [r.id for r in rows] == [i for i, _ in expected if i in newest]  # ... newest received first
    # with another filter every match counts: nothing is capped
    status = ItemFilter(query="s", status="received")
    total, rows = service.item_page(db, coordinator, status, 100)
    assert total == len(expected) and not service.search_capped(status, total)
    assert [r.id for r in rows] == [i for i, _ in expected]


def _page(qtbot: Any, db: Database, who: Principal) -> LetterboxPage:
    page = LetterboxPage(AppContext(db, who, TaskRunner()), today=dt.date(2026, 9, 10))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.show_items()
    return page


def _type(qtbot: Any, page: LetterboxPage, typed: str) -> None:
    reg = page.items_register
    reg.search.clear()
    qtbot.keyClicks(reg.search, typed)
    reg.search_now()


def test_the_register_shows_the_rows_of_the_last_text_typed(qtbot: Any, db: Database, coordinator: Principal,
                                                            items: list[int]) -> None:
    page = _page(qtbot, db, coordinator)
    reg = page.items_register
    reg.inline_ms = 0.0  # every typed search on the worker thread
    shown: list[str] = []
    reg.searched.connect(shown.append)
    for typed in ("sam thorn", "marr", "card"):
        _type(qtbot, page, typed)
        qtbot.waitUntil(lambda t=typed: reg.query == t, timeout=10000)
        assert [reg.model.row_at(n).id for n in range(reg.model.rowCount())] == [i for i, _ in _plain(db, typed)]
    assert shown == ["sam thorn", "marr", "card"]
    assert reg.count_label.text().startswith(f"{len(_plain(db, 'card'))} items matching “card”")


def _wrap_first(page: LetterboxPage, wrap: Callable[[str, Callable[[Interrupt | None], Any], Interrupt | None], Any]) -> None:
    real = page._first_items

    def first(query: str, sort: str, desc: bool) -> Callable[[Interrupt | None], Any]:
        job = real(query, sort, desc)  # made on the UI thread, as the register makes it
        return lambda stop: wrap(query, job, stop)

    page.items_register._first_job = first


def test_a_stale_result_never_reaches_the_model(qtbot: Any, db: Database, coordinator: Principal,
                                               items: list[int]) -> None:
    """The search for "sam" is read, then held back until "marr" has been typed: it comes back after the
    text changed and must be thrown away; the rows shown are those of "marr"."""
    page = _page(qtbot, db, coordinator)
    reg = page.items_register
    reg.inline_ms = 0.0
    release, held = threading.Event(), threading.Event()

    def wrap(query: str, job: Callable[[Interrupt | None], Any], _stop: Interrupt | None) -> Any:
        result = job(None)  # read in full, not interrupted: only the generation check can stop it
        if query == "sam":
            held.set()
            assert release.wait(20)
        return result

    _wrap_first(page, wrap)
    resets: list[str] = []
    reg.model.modelReset.connect(lambda: resets.append(reg.query))
    _type(qtbot, page, "sam")
    assert held.wait(10)
    _type(qtbot, page, "marr")  # the "sam" search is still out
    release.set()
    qtbot.waitUntil(lambda: reg.query == "marr", timeout=10000)
    reg._search_tasks.wait(10000)  # type: ignore[union-attr]
    qtbot.wait(50)  # the stale result's queued delivery, had it been let through
    assert reg.query == "marr" and "sam" not in resets
    assert [reg.model.row_at(n).id for n in range(reg.model.rowCount())] == [i for i, _ in _plain(db, "marr")]
    assert "matching “marr”" in reg.count_label.text()


def test_a_running_stale_query_is_interrupted(qtbot: Any, db: Database, coordinator: Principal,
                                              items: list[int]) -> None:
    """The search for "sam" runs a query that would take hours; typing "marr" interrupts it on the
    database connection, so the one search worker is free at once and the new rows are shown."""
    page = _page(qtbot, db, coordinator)
    reg = page.items_register
    reg.inline_ms = 0.0
    running, ended = threading.Event(), []

    def wrap(query: str, job: Callable[[Interrupt | None], Any], stop: Interrupt | None) -> Any:
        if query == "sam":
            try:
                with db.session(coordinator, write=False) as session, (stop or Interrupt()).watching(session):
                    raw = session.connection().connection.dbapi_connection
                    def started() -> int:
                        running.set()
                        return 1

                    raw.create_function("running", 0, started)  # type: ignore[union-attr]
                    session.execute(text("WITH RECURSIVE c(x) AS (SELECT running() UNION ALL SELECT x + 1 FROM c "
                                         "WHERE x < 10000000000000) SELECT count(*) FROM c")).all()
            except Interrupted:
                ended.append("interrupted")
                raise
            ended.append("finished")
        return job(stop)

    _wrap_first(page, wrap)
    _type(qtbot, page, "sam")
    assert running.wait(10)
    _type(qtbot, page, "marr")
    qtbot.waitUntil(lambda: reg.query == "marr", timeout=20000)  # never, were the worker still busy
    assert ended == ["interrupted"]
    assert [reg.model.row_at(n).id for n in range(reg.model.rowCount())] == [i for i, _ in _plain(db, "marr")]
    # the interrupted connection went back to the pool in working order
    assert service.count_items(db, coordinator, ItemFilter(query="marr")) == len(_plain(db, "marr"))


def test_interrupt_before_the_read_starts_and_without_one(db: Database, coordinator: Principal,
                                                          items: list[int]) -> None:
    stop = Interrupt()
    stop.set()
    with pytest.raises(Interrupted):
        service.item_page(db, coordinator, ItemFilter(query="sam"), 100, stop=stop)
    total, _rows = service.item_page(db, coordinator, ItemFilter(query="sam"), 100, stop=Interrupt())
    assert total == len(_plain(db, "sam"))
