"""The undo stack (plain Python) and undo of settings, closure days and the agency profile on a real
database: put back exactly, audited, ``verify`` clean, refused after another administrator's change."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from adoption_desktop.core.agency_profile import agency_profile, profile_versions, save_agency_profile
from adoption_desktop.core.config import IDLE_LOCK_MINUTES, LOCKOUT_ATTEMPTS
from adoption_desktop.core.errors import PermissionDenied, StaleRecord
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.settings_service import set_setting, setting_versions
from adoption_desktop.core.settings_undo import add_closure, change_setting, remove_closure, save_profile
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.undo import NothingToUndo, UndoEntry, UndoStack
from tests.conftest import make_user
from tests.undo_checks import actions, assert_verified, rows


def _counter(log: list[str], name: str) -> UndoEntry:
    def reverse() -> UndoEntry:
        log.append(f"undo {name}")
        return UndoEntry(name, lambda: (log.append(f"redo {name}"), _counter(log, name))[1], 1)

    return UndoEntry(name, reverse, 1)


def test_stack_undo_redo_order_and_new_action_ends_redo() -> None:
    log: list[str] = []
    stack = UndoStack(1)
    changes: list[int] = []
    stack.on_change(lambda: changes.append(1))
    with pytest.raises(NothingToUndo):
        stack.undo()
    stack.push(_counter(log, "a"))
    stack.push(_counter(log, "b"))
    assert stack.undo_label() == "b"
    assert stack.undo().label == "b" and stack.undo().label == "a"
    assert log == ["undo b", "undo a"] and stack.redo_label() == "a"
    stack.redo()
    assert log[-1] == "redo a" and stack.undo_label() == "a" and stack.redo_label() == "b"
    stack.push(_counter(log, "c"))
    assert not stack.can_redo()
    assert changes  # listeners told (the Edit menu and the status bar follow)


def test_refused_entry_is_dropped_and_other_users_entries_are_refused() -> None:
    stack = UndoStack(1)

    def refuse() -> UndoEntry:
        raise StaleRecord("changed since")

    stack.push(UndoEntry("x", refuse, 1))
    with pytest.raises(StaleRecord):
        stack.undo()
    assert not stack.can_undo() and not stack.can_redo()
    with pytest.raises(ValueError):
        stack.push(UndoEntry("someone else's", refuse, 2))
    stack.push(UndoEntry("mine", refuse, 1))
    stack.set_owner(2)  # another user signed in
    assert not stack.can_undo()


def test_unexpected_failure_keeps_the_entry() -> None:
    stack = UndoStack(1)

    def boom() -> UndoEntry:
        raise RuntimeError("disk full")

    stack.push(UndoEntry("x", boom, 1))
    with pytest.raises(RuntimeError):
        stack.undo()
    assert stack.can_undo()


def test_setting_undo_restores_the_previous_value_or_none_stored(db: Database, admin: Principal) -> None:
    stack = UndoStack(admin.user_id)
    assert rows(db, "settings", "key = :k", k=IDLE_LOCK_MINUTES.key) == []
    entry = change_setting(db, admin, IDLE_LOCK_MINUTES, 20, expected_version=0)
    assert entry is not None
    assert entry.label == f"Changed the setting {IDLE_LOCK_MINUTES.label!r} to {IDLE_LOCK_MINUTES.display(20)}"
    stack.push(entry)
    stack.push(change_setting(db, admin, IDLE_LOCK_MINUTES, 30))
    stack.undo()
    assert [r["value"] for r in rows(db, "settings", "key = :k", k=IDLE_LOCK_MINUTES.key)] == ["20"]
    stack.undo()
    assert rows(db, "settings", "key = :k", k=IDLE_LOCK_MINUTES.key) == []  # the default applies again
    assert actions(db, "settings") == ["create", "update", "update", "delete"]
    stack.redo()
    stack.redo()
    assert [r["value"] for r in rows(db, "settings", "key = :k", k=IDLE_LOCK_MINUTES.key)] == ["30"]
    assert_verified(db)


def test_setting_undo_refused_after_another_administrator(db: Database, admin: Principal) -> None:
    other = make_user(db, "admin2", Role.ADMINISTRATOR)
    entry = change_setting(db, admin, LOCKOUT_ATTEMPTS, 7)
    assert entry is not None
    with db.session(write=False) as s:
        version = setting_versions(s)[LOCKOUT_ATTEMPTS.key]
    set_setting(db, other, LOCKOUT_ATTEMPTS, 9, expected_version=version)
    with pytest.raises(StaleRecord):
        entry.reverse()
    assert [r["value"] for r in rows(db, "settings", "key = :k", k=LOCKOUT_ATTEMPTS.key)] == ["9"]
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        change_setting(db, clerk, LOCKOUT_ATTEMPTS, 3)


def test_closure_days_undo(db: Database, admin: Principal) -> None:
    day = dt.date(2026, 12, 29)
    add = add_closure(db, admin, day, "Office move")
    assert add is not None and add.label == "Added the closure day 29 December 2026"
    redo = add.reverse()
    assert rows(db, "closure_days") == []
    redo.reverse() if redo else None
    before = rows(db, "closure_days")
    remove = remove_closure(db, admin, day)
    assert remove is not None and rows(db, "closure_days") == []
    remove.reverse()
    assert rows(db, "closure_days") == before
    assert_verified(db)
    # someone else put the day back meanwhile: the undo of the removal is refused
    remove = remove_closure(db, admin, day)
    assert remove is not None
    add_closure(db, make_user(db, "admin2", Role.ADMINISTRATOR), day, "Training day")
    with pytest.raises(StaleRecord):
        remove.reverse()
    assert [r["reason"] for r in rows(db, "closure_days")] == ["Training day"]
    assert remove_closure(db, admin, dt.date(2027, 1, 4)) is None


def test_agency_profile_undo(db: Database, admin: Principal) -> None:
    with db.session(write=False) as s:
        before, seen = agency_profile(s), profile_versions(s)
    entry = save_profile(db, admin, replace(before, telephone="01632 960 123", team_letterbox="Post Box Team"),
                         expected_versions=seen)
    assert entry is not None
    entry.reverse()
    with db.session(write=False) as s:
        assert agency_profile(s) == before
    assert_verified(db)
    with db.session(write=False) as s:
        seen = profile_versions(s)
    entry = save_profile(db, admin, replace(before, telephone="01632 960 124"), expected_versions=seen)
    assert entry is not None
    with db.session(write=False) as s:
        seen = profile_versions(s)
    save_agency_profile(db, make_user(db, "admin2", Role.ADMINISTRATOR), replace(before, telephone="01632 960 999"),
                        expected_versions=seen)
    with pytest.raises(StaleRecord, match="not undone"):
        entry.reverse()


def test_a_closure_day_whose_reason_a_colleague_changed_since_is_not_removed(
        db: Database, other_pc: Database, admin: Principal) -> None:
    """Two administrators on two PCs: Ann sees 29 December closed for "Office move"; meanwhile Ben removes it and
    adds it back for "Training day". Ann's Remove, made from what her screen showed, is refused and Ben's day
    stays; from a screen showing his reason it is removed (and its undo puts back his reason)."""
    day = dt.date(2026, 12, 29)
    ben = make_user(other_pc, "admin2", Role.ADMINISTRATOR)
    add_closure(db, admin, day, "Office move")
    shown = "Office move"  # what Ann's list shows
    remove_closure(other_pc, ben, day)
    add_closure(other_pc, ben, day, "Training day")
    with pytest.raises(StaleRecord) as refused:
        remove_closure(db, admin, day, expected_reason=shown)
    message = str(refused.value)
    assert "the closure day 29 December 2026" in message and "it was not removed" in message, message
    assert [r["reason"] for r in rows(db, "closure_days")] == ["Training day"]
    removed = remove_closure(db, admin, day, expected_reason="Training day")
    assert removed is not None and rows(db, "closure_days") == []
    removed.reverse()
    assert [r["reason"] for r in rows(other_pc, "closure_days")] == ["Training day"]
    # a day a colleague removed meanwhile: nothing to remove, no undo entry
    assert remove_closure(db, admin, dt.date(2027, 1, 4), expected_reason="Office move") is None
