"""One letter is logged once, by the save itself: the item window's "already logged — log another?" was only
advice, looked up before the save, so two coordinators saving the same letter at the same moment (two
programs on one SQLCipher file, two clients of one PostgreSQL database) both logged it. ``log_item`` now
checks in its own transaction, under the arrangement's lock, and refuses (``service.AlreadyLogged``) unless
told to log another; the window turns the refusal into its question. Each test uses two real sessions: two
handles on one database, as two programs have."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database, open_postgresql
from adoption_desktop.core.storage.lifecycle import open_database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.models import Item
from adoption_desktop.letterbox.service import item_log
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_trial_keys import Questions

DAY = dt.date.today()


def other_handle(db: Database, store: SecretStore) -> Database:
    """A second, independent opening of ``db`` (its own engine and connections), as another program has."""
    if db.is_sqlite:
        assert db.path is not None
        return open_database(db.path, store)
    return open_postgresql(db.engine.url.render_as_string(hide_password=False))


@pytest.fixture
def two(any_db: Database, store: SecretStore) -> Iterator[tuple[Database, Database, Principal, Principal, int]]:
    """One database opened twice; a coordinator on each opening; an arrangement."""
    first = make_user(any_db, "lbone", Role.LETTERBOX_COORDINATOR)
    second = make_user(any_db, "lbtwo", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(any_db, first, sample_input())
    other = other_handle(any_db, store)
    try:
        yield any_db, other, first, second, arrangement
    finally:
        other.dispose()


def items(db: Database, who: Principal, arrangement: int) -> int:
    with db.session(who, write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Item).where(Item.arrangement_id == arrangement))
                   or 0)


def test_the_second_save_of_one_letter_is_refused_unless_told_to_log_another(two: Any) -> None:
    db, other, first, second, arrangement = two
    # both looked before either saved: nothing logged yet, so neither window asked
    for handle, who in ((db, first), (other, second)):
        assert service.already_logged(handle, who, arrangement, direction=rules.TO_BIRTH, received_on=DAY) == []
    mine = service.log_item(db, first, arrangement, direction=rules.TO_BIRTH, received_on=DAY)
    with pytest.raises(service.AlreadyLogged, match=r"already logged by Lbone Tester at .*\(item \d+\)") as refused:
        service.log_item(other, second, arrangement, direction=rules.TO_BIRTH, received_on=DAY)
    assert [f.item_id for f in refused.value.found] == [mine]
    assert refused.value.received_on == DAY
    assert items(other, second, arrangement) == 1
    # another direction or another day is another letter
    service.log_item(other, second, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY)
    service.log_item(other, second, arrangement, direction=rules.TO_BIRTH, received_on=DAY - dt.timedelta(days=1))
    # told to log another (a second letter that came the same day): logged
    theirs = service.log_item(other, second, arrangement, direction=rules.TO_BIRTH, received_on=DAY, log_again=True)
    assert theirs != mine and items(db, first, arrangement) == 4


def test_two_saves_of_one_letter_at_the_same_moment_log_it_once(two: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first save pauses after its look (inside its transaction) while the second starts: the second
    waits for the arrangement's lock, then finds the first's item and is refused. Without the lock (on
    PostgreSQL) or without the look in the save, both would log it."""
    db, other, first, second, arrangement = two
    looked = threading.Event()
    look = item_log._logged_like

    def slow_look(*args: Any) -> Any:
        found = look(*args)
        if not looked.is_set():
            looked.set()
            time.sleep(1.0)  # the other save starts meanwhile
        return found

    monkeypatch.setattr(item_log, "_logged_like", slow_look)
    results: dict[str, object] = {}

    def save(name: str, handle: Database, who: Principal) -> None:
        try:
            results[name] = service.log_item(handle, who, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY)
        except Exception as exc:  # the outcome of each save is what is checked
            results[name] = exc

    a = threading.Thread(target=save, args=("a", db, first))
    a.start()
    assert looked.wait(10), "the save looks for the same letter in its own transaction"
    b = threading.Thread(target=save, args=("b", other, second))
    b.start()
    a.join(30)
    b.join(30)
    assert isinstance(results["a"], int), results
    assert isinstance(results["b"], service.AlreadyLogged), results
    assert [f.item_id for f in results["b"].found] == [results["a"]]
    assert items(db, first, arrangement) == 1


# --- the item window ----------------------------------------------------------------------------------------
def test_the_window_asks_when_its_save_is_refused_as_already_logged(
        qtbot: Any, db: Database, store: SecretStore, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two coordinators, two openings of one file: the second window looked (nothing logged yet), then the
    first logged the letter, then the second saved. The save refuses; the window asks its question (No: not
    logged; Log another: logged)."""
    from adoption_desktop.letterbox.views import item_dialog

    questions = Questions()
    monkeypatch.setattr(item_dialog, "ask_yes_no", questions)
    other = open_database(db.path, store)  # type: ignore[arg-type]
    try:
        colleague = make_user(db, "lbtwo", Role.LETTERBOX_COORDINATOR)
        mine = ItemDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), arrangement, "LB-0001")
        theirs = ItemDialog(AppContext(other, colleague, TaskRunner(synchronous=True)), arrangement, "LB-0001")
        for d in (mine, theirs):
            qtbot.addWidget(d)
            d.show()
        look = theirs._found_already

        def look_then_overtaken(direction: str, received: dt.date) -> list[Any]:
            found = look(direction, received)
            if mine.item_id is None:
                mine.log()  # the colleague saves between this window's look and its save
            return found

        monkeypatch.setattr(theirs, "_found_already", look_then_overtaken)
        theirs.log()  # the save refuses; asked, No (the default): not logged
        assert mine.item_id is not None and theirs.item_id is None, theirs.message.text()
        assert [t for t, _ in questions.asked] == ["Log item"]
        assert "was already logged by Lbcoord Tester at " in questions.asked[0][1]
        assert f"(item {mine.item_id})" in questions.asked[0][1] and "Log another?" in questions.asked[0][1]
        assert "Not logged" in theirs.message.text()
        assert items(db, coordinator, arrangement) == 1
        questions.answer = True  # asked again (by the look, this time): Log another
        theirs.log()
        assert theirs.item_id is not None and theirs.item_id != mine.item_id, theirs.message.text()
        assert items(db, coordinator, arrangement) == 2
        for d in (mine, theirs):
            d.done(0)
    finally:
        other.dispose()


def test_the_window_logs_another_when_its_save_is_refused_and_the_answer_is_yes(
        qtbot: Any, db: Database, store: SecretStore, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.letterbox.views import item_dialog

    questions = Questions()
    questions.answer = True
    monkeypatch.setattr(item_dialog, "ask_yes_no", questions)
    other = open_database(db.path, store)  # type: ignore[arg-type]
    try:
        colleague = make_user(db, "lbtwo", Role.LETTERBOX_COORDINATOR)
        theirs = ItemDialog(AppContext(other, colleague, TaskRunner(synchronous=True)), arrangement, "LB-0001")
        qtbot.addWidget(theirs)
        theirs.show()
        direction = str(theirs.direction.currentData())
        received = theirs.received_on.date().toPython()
        monkeypatch.setattr(theirs, "_found_already", lambda *_a: [])  # looked before the colleague saved
        logged = service.log_item(db, coordinator, arrangement, direction=direction, received_on=received)
        theirs.log()  # refused by the save, asked, Log another: logged a second time
        assert [t for t, _ in questions.asked] == ["Log item"]
        assert theirs.item_id is not None and theirs.item_id != logged, theirs.message.text()
        assert theirs.message.text().startswith("Item logged.")
        theirs.done(0)
    finally:
        other.dispose()


# --- a corrected version ------------------------------------------------------------------------------------
def returned_item(db: Database, who: Principal, arrangement: int) -> int:
    item = service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=DAY - dt.timedelta(days=3))
    service.screen_item(db, who, item, "Love from all of us.")
    service.record_outcome(db, who, item, "returned", DAY - dt.timedelta(days=2),
                           reason="Please say it again without the school's name.")
    return item


def test_a_returned_item_has_one_corrected_version(two: Any) -> None:
    """The trial's finding: two coordinators logging the same corrected version both logged it (a corrected
    version is never asked "already logged?"). The second save is now refused, naming the first."""
    db, other, first, second, arrangement = two
    returned = returned_item(db, first, arrangement)
    mine = service.log_item(db, first, arrangement, direction=rules.TO_BIRTH, received_on=DAY,
                            previous_item_id=returned)
    with pytest.raises(Conflict, match=rf"corrected version of item {returned} was already logged \(item {mine},"):
        service.log_item(other, second, arrangement, direction=rules.TO_BIRTH, received_on=DAY,
                         previous_item_id=returned)
    assert items(other, second, arrangement) == 2
    # the corrected version, returned in its turn, is replaced by the next one
    service.screen_item(db, first, mine, "Love from all of us again.")
    service.record_outcome(db, first, mine, "returned", DAY, reason="Please leave out the street too.")
    third = service.log_item(other, second, arrangement, direction=rules.TO_BIRTH, received_on=DAY,
                             previous_item_id=mine)
    assert service.get_item(db, first, third).previous_item_id == mine


def test_two_saves_of_one_corrected_version_at_the_same_moment_log_it_once(
        two: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first save pauses inside its transaction, after the arrangement's lock, while the second starts:
    the second waits there, then finds the first's corrected version and is refused."""
    db, other, first, second, arrangement = two
    returned = returned_item(db, first, arrangement)
    paused = threading.Event()
    writer_of = item_log._writer

    def slow_writer(*args: Any) -> Any:
        if not paused.is_set():
            paused.set()
            time.sleep(1.0)  # the other save starts meanwhile
        return writer_of(*args)

    monkeypatch.setattr(item_log, "_writer", slow_writer)
    results: dict[str, object] = {}

    def save(name: str, handle: Database, who: Principal) -> None:
        try:
            results[name] = service.log_item(handle, who, arrangement, direction=rules.TO_BIRTH, received_on=DAY,
                                             previous_item_id=returned)
        except Exception as exc:  # the outcome of each save is what is checked
            results[name] = exc

    a = threading.Thread(target=save, args=("a", db, first))
    a.start()
    assert paused.wait(10)
    b = threading.Thread(target=save, args=("b", other, second))
    b.start()
    a.join(30)
    b.join(30)
    assert isinstance(results["a"], int), results
    assert isinstance(results["b"], Conflict) and "already logged" in str(results["b"]), results
    assert items(db, first, arrangement) == 2
