"""Removing an agenda item is checked against the item as the person saw it. "Remove" took the item off the
agenda even when a colleague on another PC had changed it (its notes, its time, a paper's date, a declaration
of interest) after the person opened the sitting: the colleague's change went with it, without a word (helper review, 7 December).
Now the removal is refused with the usual "X saved … after you opened it" and nothing changes; from a screen
that shows the colleague's change it goes ahead. Two real sessions: the same SQLCipher file opened by two
engines, and (when a server can start) two PCs on one PostgreSQL database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.undo import UndoEntry
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import undo
from adoption_desktop.panel.service.data import ItemRow
from tests.conftest import make_user
from tests.undo_checks import assert_verified


def _setup(db: Database) -> tuple[Principal, Principal, int, int]:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    bea = make_user(db, "bea", Role.PANEL_ADMINISTRATOR)
    day = dt.date.today()  # a sitting today: members can be marked present, papers recorded as come today
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(day, "10:00", "13:00", "Room 2"))[0]
    svc.add_item(db, clerk, sitting, svc.ItemInput("approval", "PA-2026-071", "AB", "Jay Quillby"))
    item = svc.add_item(db, clerk, sitting, svc.ItemInput("approval", "PA-2026-072", "CD", "Jay Quillby"))
    return clerk, bea, sitting, item


def _seen(db: Database, who: Principal, sitting: int, item: int) -> ItemRow:
    return next(i for i in svc.sitting_detail(db, who, sitting).items if i.id == item)


def _parts(row: ItemRow) -> svc.ItemParts:
    return svc.ItemParts.of(row)


def _remove(db: Database, who: Principal, item: int, seen: ItemRow) -> UndoEntry:
    """Remove ``item`` from a screen that showed it as ``seen``."""
    return undo.remove_item(db, who, item, expected_version=seen.row_version, expected_parts=_parts(seen))


def _removed_as_it_is_now(db: Database, who: Principal, sitting: int, item: int) -> UndoEntry:
    """From a screen that shows the item as it is now (a colleague's change with it), it is removed."""
    entry = _remove(db, who, item, _seen(db, who, sitting, item))
    assert _stored(db, item) is None
    return entry


def _stored(db: Database, item: int) -> dict[str, Any] | None:
    with db.session(write=False) as s:
        found = s.execute(text("SELECT notes, row_version FROM panel_items WHERE id = :i"), {"i": item}).first()
        if found is None:
            return None
        papers = {str(c): d for c, d in s.execute(text(
            "SELECT code, received_on FROM panel_papers WHERE item_id = :i"), {"i": item})}
        return {"notes": found[0], "papers": papers}


def test_an_item_a_colleague_edited_since_is_not_removed(pcs: tuple[Database, Database]) -> None:
    mine, theirs = pcs
    clerk, bea, sitting, item = _setup(mine)
    shown = _seen(mine, clerk, sitting, item)  # the clerk opens the sitting
    # Bea, on her PC, adds a note to the item
    row = _seen(theirs, bea, sitting, item)
    svc.update_item(theirs, bea, item, svc.ItemInput("approval", "PA-2026-072", "CD", "Jay Quillby",
                                                     notes="Late report from the medical adviser expected."),
                    expected_version=row.row_version)
    with pytest.raises(StaleRecord) as refused:
        _remove(mine, clerk, item, shown)
    assert str(refused.value).startswith("Bea Tester saved agenda item PA-2026-072 at ")
    assert "after you opened it; it was not removed. Reload to see their change" in str(refused.value)
    assert "your change was not saved" not in str(refused.value)  # a removal is not a change to re-apply
    assert refused.value.saved_values["Notes"] == "Late report from the medical adviser expected."
    stored = _stored(mine, item)
    assert stored is not None and stored["notes"] == "Late report from the medical adviser expected."
    # from a screen that shows Bea's note, the item is removed
    _removed_as_it_is_now(mine, clerk, sitting, item)
    assert item not in [i.id for i in svc.sitting_detail(theirs, bea, sitting).items]
    assert_verified(mine)


def test_an_item_whose_paper_a_colleague_recorded_since_is_not_removed(pcs: tuple[Database, Database]) -> None:
    mine, theirs = pcs
    clerk, bea, sitting, item = _setup(mine)
    shown = _seen(mine, clerk, sitting, item)
    code = shown.papers[0].code
    assert shown.papers[0].received_on is None
    arrived = dt.date.today()
    svc.set_paper_received(theirs, bea, item, code, arrived, expected=None)  # Bea records the paper as come
    with pytest.raises(StaleRecord) as refused:
        _remove(mine, clerk, item, shown)
    message = str(refused.value)
    assert message.startswith("Bea Tester changed the papers of agenda item PA-2026-072 at "), message
    assert "after you opened it" in message and "not removed" in message
    stored = _stored(mine, item)
    assert stored is not None and stored["papers"][code] in (arrived, arrived.isoformat())
    _removed_as_it_is_now(mine, clerk, sitting, item)
    assert_verified(mine)


def test_an_item_a_colleague_recorded_a_declaration_on_since_is_not_removed(
        pcs: tuple[Database, Database]) -> None:
    mine, theirs = pcs
    clerk, bea, sitting, item = _setup(mine)
    member = svc.add_member(mine, clerk, svc.MemberInput(
        "Tara Dunmere", "social_worker", dt.date(2024, 1, 1), 6, False, appraisal_due=dt.date.today() + dt.timedelta(
            days=200), dbs_checked_on=dt.date.today() - dt.timedelta(days=100),
        training_on=dt.date.today() - dt.timedelta(days=100))).id
    svc.set_attendance(mine, clerk, sitting, member, "present")
    shown = _seen(mine, clerk, sitting, item)
    svc.declare_interest(theirs, bea, item, member, "Knows the adopters through church.")
    with pytest.raises(StaleRecord) as refused:
        _remove(mine, clerk, item, shown)
    message = str(refused.value)
    assert message.startswith("Bea Tester changed the declarations of interest on agenda item PA-2026-072 at "), \
        message
    assert [d.interest for d in _seen(theirs, bea, sitting, item).declarations] == [
        "Knows the adopters through church."]
    entry = _removed_as_it_is_now(mine, clerk, sitting, item)
    entry.reverse().reverse()  # undo puts the item back with the declaration; redo removes them again
    assert _stored(mine, item) is None
    assert_verified(mine)


def test_a_redo_of_the_removal_is_refused_once_a_colleague_edited_the_item_put_back(
        pcs: tuple[Database, Database]) -> None:
    mine, theirs = pcs
    clerk, bea, sitting, item = _setup(mine)
    shown = _seen(mine, clerk, sitting, item)
    entry = _remove(mine, clerk, item, shown)
    redo = entry.reverse()  # Ctrl+Z: the item is back
    row = _seen(theirs, bea, sitting, item)
    svc.update_item(theirs, bea, item, svc.ItemInput("approval", "PA-2026-072", "CD", "Jay Quillby",
                                                     time_slot="10:30"), expected_version=row.row_version)
    with pytest.raises(StaleRecord, match=r"^Bea Tester saved agenda item PA-2026-072 at "):
        redo.reverse()  # Ctrl+Y
    assert _stored(mine, item) is not None
    assert _seen(mine, clerk, sitting, item).time_slot == "10:30"


def test_a_redo_with_nothing_changed_removes_the_item_again(pcs: tuple[Database, Database]) -> None:
    mine, _theirs = pcs
    clerk, _bea, sitting, item = _setup(mine)
    shown = _seen(mine, clerk, sitting, item)
    entry = _remove(mine, clerk, item, shown)
    entry.reverse().reverse()
    assert _stored(mine, item) is None
