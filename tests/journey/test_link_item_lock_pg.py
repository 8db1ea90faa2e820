"""Team mode: linking a child or an adopter household to an agenda item reads the item with a share lock
(``FOR SHARE``) held to the end of the linking transaction. Read without one, a link made at the same moment as
an item removal or a deferral undo could name an item deleted a moment later: those rows hold the item's id as a
plain number, with no foreign key (helper review, 6 December).

Two real connections on the throwaway PostgreSQL server: the link's transaction is held open between its read
of the item and its commit (a hook on the check), and meanwhile another connection tries to delete the item.
The delete waits (here it gives up at a short lock timeout); the removal through the application waits for the
link and then sees it and is refused. Never a link to an item that no longer exists. Skipped when no server
starts. (Two of the application's own write sessions already take turns, by the writer lock taken at their
start; the share lock holds for any writer that does not: a write session nested in another, a script.)"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import adopters
from adoption_desktop.journey import service as journey
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import undo as panel_undo
from tests.conftest import make_user

TODAY = dt.date(2026, 11, 23)
SITTING_DAY = dt.date(2026, 11, 10)


class Held:
    """A hook on a module's check of the item (``name``: the children's ``_check_item``, the households'
    ``check_approval_item``): the first call, once it has read the item, waits (its transaction open) until
    :meth:`release`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: Any, name: str = "_check_item") -> None:
        self.read, self.go = threading.Event(), threading.Event()
        real: Callable[..., None] = getattr(module, name)

        def held(*args: Any) -> None:
            real(*args)
            if not self.read.is_set():
                self.read.set()
                assert self.go.wait(30)

        monkeypatch.setattr(module, name, held)

    def release(self) -> None:
        self.go.set()


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(("ok", call()))
        except Exception as exc:
            out.append((type(exc).__name__, str(exc)))

    t = threading.Thread(target=run)
    t.start()
    return t, out


def _setup(db: Database, case_type: str) -> tuple[Principal, int, int]:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(SITTING_DAY, "10:00", "13:00", "Room 2"))[0]
    item = svc.add_item(db, clerk, sitting, svc.ItemInput(case_type, "MA-2026-051", "AB", "Jay Quillby"))
    return clerk, sitting, item


def _dangling(db: Database) -> list[tuple[str, int]]:
    with db.session(write=False) as s:
        return [(str(t), int(i)) for t, i in s.execute(text(
            "SELECT 'child', match_item_id FROM journey_children WHERE match_item_id IS NOT NULL "
            "AND match_item_id NOT IN (SELECT id FROM panel_items) "
            "UNION ALL SELECT 'household', approval_item_id FROM journey_adopters WHERE approval_item_id IS NOT NULL "
            "AND approval_item_id NOT IN (SELECT id FROM panel_items)"))]


def _delete_now(db: Database, item: int) -> str:
    """Delete the item (its papers first) on a connection of its own, waiting at most half a second for a lock:
    "deleted", or "waited" when a lock held it back (nothing deleted then)."""
    with db.engine.connect() as conn:
        conn.execute(text("SET lock_timeout = '500ms'"))
        try:
            conn.execute(text("DELETE FROM panel_papers WHERE item_id = :i"), {"i": item})
            conn.execute(text("DELETE FROM panel_items WHERE id = :i"), {"i": item})
        except sa_exc.OperationalError as err:
            conn.rollback()
            assert "lock" in str(err.orig).lower()
            return "waited"
        conn.commit()
        return "deleted"


@pytest.mark.parametrize("what", ["child added", "child linked", "household"])
def test_an_item_being_linked_cannot_be_deleted_until_the_link_is_saved(
        two_pcs: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch, what: str) -> None:
    first, second = two_pcs
    clerk, sitting, item = _setup(first, "approval" if what == "household" else "match")
    if what == "child linked":  # recorded on another match item first, then linked to this one
        other = svc.add_item(first, clerk, sitting,
                             svc.ItemInput("match", "MA-2026-052", "CD", "Jay Quillby"))
        journey.add_child(first, clerk, journey.ChildInput("CH-0201", "XY"), item_id=other)
        held = Held(monkeypatch, journey)
        # another case's item: the move is asked about first (test_move_between_items.py); here it was agreed
        thread, out = _in_thread(lambda: journey.link_child(first, clerk, "CH-0201", item_id=item, relink=True))
    elif what == "child added":
        held = Held(monkeypatch, journey)
        thread, out = _in_thread(lambda: journey.add_child(first, clerk, journey.ChildInput("CH-0201", "XY"),
                                                           item_id=item))
    else:
        held = Held(monkeypatch, adopters, "check_approval_item")
        thread, out = _in_thread(lambda: adopters.add_household(first, clerk, journey.AdopterStages(
            "HH-0201", dt.date(2026, 1, 5), approval_item_id=item), today=TODAY))
    try:
        assert held.read.wait(30)  # the link has read the item; its transaction is open
        assert _delete_now(second, item) == "waited"
    finally:
        held.release()
        thread.join(30)
    assert out and out[0][0] == "ok", out
    assert _dangling(first) == []


def test_a_removal_at_the_same_moment_waits_for_the_link_and_is_refused(
        two_pcs: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = two_pcs
    clerk, _sitting, item = _setup(first, "match")
    held = Held(monkeypatch, journey)
    link, linked = _in_thread(lambda: journey.add_child(first, clerk, journey.ChildInput("CH-0202", "XY"),
                                                        item_id=item))
    try:
        assert held.read.wait(30)
        removal, removed = _in_thread(lambda: panel_undo.remove_item(second, clerk, item))
        removal.join(1.0)
        assert removal.is_alive()  # waiting for the link's transaction
    finally:
        held.release()
        link.join(30)
    removal.join(60)
    assert linked and linked[0][0] == "ok", linked
    assert removed and removed[0][0] == Conflict.__name__ and "Child CH-0202 is recorded on item 1" in removed[0][1]
    assert _dangling(first) == []
    assert [c.reference for c in journey.list_children(first, clerk, item_id=item)] == ["CH-0202"]
