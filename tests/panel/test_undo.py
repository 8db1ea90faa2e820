"""Undo of the panel's reversible actions, service level: do → undo → the rows are as they were (read
back from the database), the audit log has the action and the undo, ``verify`` stays clean; redo; and
an undo refused when someone else changed the record since."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.errors import Conflict, PermissionDenied, StaleRecord
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.undo import UndoStack
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import undo
from tests.conftest import make_user
from tests.undo_checks import actions, assert_verified, rows

from .conftest import Panel, attend


def _item(p: Panel, ref: str = "PA-2026-014", case_type: str = "approval") -> int:
    return svc.add_item(p.db, p.clerk, p.sitting_id, svc.ItemInput(case_type, ref, "AB/CD", "Jay Quillby", "10:00",
                                                                   "Second of two"))


def _agenda(p: Panel) -> list[int]:
    return [i.id for i in svc.sitting_detail(p.db, p.clerk, p.sitting_id).items]


def test_remove_item_then_undo_restores_it_exactly_and_redo_removes_it_again(panel: Panel) -> None:
    first, item, last = _item(panel, "PA-2026-013"), _item(panel), _item(panel, "PA-2026-015")
    svc.set_paper_received(panel.db, panel.clerk, item, "par", dt.date(2026, 10, 30))
    attend(panel, "sw")
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["sw"], "Knows the applicants.", True)
    before = {t: rows(panel.db, t, "id IN (SELECT id FROM panel_items WHERE id = :i)" if t == "panel_items"
                      else "item_id = :i", i=item) for t in ("panel_items", "panel_papers", "panel_declarations")}
    stack = UndoStack(panel.clerk.user_id)
    entry = undo.remove_item(panel.db, panel.clerk, item)
    stack.push(entry)
    assert entry.label == "Removed agenda item PA-2026-014 from the sitting of Tuesday 10 November 2026"
    assert _agenda(panel) == [first, last]
    assert rows(panel.db, "panel_papers", "item_id = :i", i=item) == []

    stack.undo()
    after = {t: rows(panel.db, t, "id IN (SELECT id FROM panel_items WHERE id = :i)" if t == "panel_items"
                     else "item_id = :i", i=item) for t in before}
    assert after == before  # same id, position, fields, created_at, papers and declarations
    assert _agenda(panel) == [first, item, last]
    assert actions(panel.db, "panel_items").count("delete") == 1
    assert "undo" in actions(panel.db, "panel_items")
    assert actions(panel.db, "panel_items")[-2:] == ["create", "undo"]
    assert_verified(panel.db)

    assert stack.can_redo() and stack.redo_label() == entry.label
    stack.redo()
    assert _agenda(panel) == [first, last]
    stack.undo()
    assert _agenda(panel) == [first, item, last]
    assert_verified(panel.db)


def test_undo_of_a_removal_is_refused_when_the_agenda_changed_since(panel: Panel) -> None:
    first, item, last = _item(panel, "PA-2026-013"), _item(panel), _item(panel, "PA-2026-015")
    stack = UndoStack(panel.clerk.user_id)
    stack.push(undo.remove_item(panel.db, panel.clerk, item))
    other = make_user(panel.db, "clerk2", Role.PANEL_ADMINISTRATOR)
    svc.reorder_items(panel.db, other, panel.sitting_id, [last, first])
    with pytest.raises(StaleRecord) as err:
        stack.undo()
    assert "Clerk2 Tester changed the agenda" in str(err.value) and "not undone" in str(err.value)
    assert _agenda(panel) == [last, first]  # their order stands; nothing came back
    assert not stack.can_undo() and not stack.can_redo()  # refused once, it never applies
    assert_verified(panel.db)


def test_undo_of_a_removal_is_refused_when_the_sitting_moved(panel: Panel) -> None:
    item = _item(panel)
    entry = undo.remove_item(panel.db, panel.clerk, item)
    svc.move_sitting(panel.db, panel.clerk, panel.sitting_id, dt.date(2026, 11, 17), "Room double-booked.")
    with pytest.raises(StaleRecord):
        entry.reverse()
    assert _agenda(panel) == []


def test_reorder_undo_puts_the_previous_order_back(panel: Panel) -> None:
    a, b, c = _item(panel, "PA-1"), _item(panel, "PA-2"), _item(panel, "PA-3")
    stack = UndoStack(panel.clerk.user_id)
    stack.push(undo.move_item(panel.db, panel.clerk, c, -2))
    stack.push(undo.reorder_items(panel.db, panel.clerk, panel.sitting_id, [b, c, a]))
    assert _agenda(panel) == [b, c, a]
    stack.undo()
    assert _agenda(panel) == [c, a, b]
    stack.undo()
    assert _agenda(panel) == [a, b, c]
    assert [r["position"] for r in rows(panel.db, "panel_items")] == [1, 2, 3]
    stack.redo()
    assert _agenda(panel) == [c, a, b]
    assert_verified(panel.db)
    assert undo.move_item(panel.db, panel.clerk, c, -1) is None  # already first: nothing to undo


def test_reorder_undo_refused_after_someone_else_reordered(panel: Panel) -> None:
    a, b = _item(panel, "PA-1"), _item(panel, "PA-2")
    entry = undo.move_item(panel.db, panel.clerk, b, -1)
    assert entry is not None
    svc.move_item(panel.db, make_user(panel.db, "clerk2", Role.PANEL_ADMINISTRATOR), a, -1)  # someone else
    with pytest.raises(StaleRecord):
        entry.reverse()


def test_declarations_undo_both_ways(panel: Panel) -> None:
    item = _item(panel)
    attend(panel, "sw", "pe")
    keep = svc.declare_interest(panel.db, panel.clerk, item, panel.members["pe"], "Lives nearby.", False)
    before = rows(panel.db, "panel_declarations")
    did, entry = undo.declare_interest(panel.db, panel.clerk, item, panel.members["sw"], "Knows the family.")
    assert entry.label == "Recorded Tara Dunmere's declaration of interest on agenda item PA-2026-014"
    entry.reverse()
    assert rows(panel.db, "panel_declarations") == before
    entry = undo.remove_declaration(panel.db, panel.clerk, keep)
    assert rows(panel.db, "panel_declarations") == []
    redo = entry.reverse()
    assert rows(panel.db, "panel_declarations") == before  # same id, text, member, created_at
    assert redo is not None and redo.label == entry.label
    assert actions(panel.db, "panel_declarations") == ["create", "create", "delete", "delete", "create", "undo"]
    assert did not in [r["id"] for r in rows(panel.db, "panel_declarations")]
    assert_verified(panel.db)


def test_declaration_undo_refused_when_the_item_was_edited(panel: Panel) -> None:
    item = _item(panel)
    attend(panel, "sw")
    d = svc.declare_interest(panel.db, panel.clerk, item, panel.members["sw"], "Knows the family.")
    entry = undo.remove_declaration(panel.db, panel.clerk, d)
    version = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items[0].row_version
    svc.update_item(panel.db, panel.clerk, item, svc.ItemInput("approval", "PA-2026-014", "AB/CD", "Jay Quillby",
                                                               "11:00"), expected_version=version)
    with pytest.raises(StaleRecord):
        entry.reverse()
    assert rows(panel.db, "panel_declarations") == []


def test_attendance_undo_restores_not_recorded_and_previous_marks(panel: Panel) -> None:
    attend(panel, "sw", status="apologies")
    before = rows(panel.db, "panel_attendance")
    one = undo.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw"], "present")
    assert one is not None and one.label == "Marked Tara Dunmere present at the sitting of Tuesday 10 November 2026"
    one.reverse()
    assert rows(panel.db, "panel_attendance") == before
    changes = [svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members[k], "present")
               for k in ("chair", "med", "pe")]
    many = undo.attendance_entry(panel.db, panel.clerk, changes)
    assert many is not None and many.label.startswith("Marked 3 people present")
    redo = many.reverse()
    assert rows(panel.db, "panel_attendance") == before  # the three marks gone again: not recorded
    assert redo is not None
    redo.reverse()
    assert len(rows(panel.db, "panel_attendance")) == 4
    assert undo.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw"], "apologies") is None
    assert_verified(panel.db)


def test_attendance_undo_refused_when_someone_else_marked_the_person(panel: Panel) -> None:
    entry = undo.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw"], "present")
    assert entry is not None
    svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw"], "absent")
    with pytest.raises(StaleRecord):
        entry.reverse()
    assert [r["status"] for r in rows(panel.db, "panel_attendance")] == ["absent"]


def test_restore_needs_the_panel_edit_permission(panel: Panel) -> None:
    item = _item(panel)
    removed = svc.remove_item(panel.db, panel.clerk, item)
    with pytest.raises(PermissionDenied):
        undo.restore_item(panel.db, panel.chair, removed)


def test_item_with_minutes_cannot_be_removed_so_nothing_to_undo(panel: Panel) -> None:
    item = _item(panel)
    svc.defer_item(panel.db, panel.clerk, item, "Papers late.")
    with pytest.raises(Conflict):
        undo.remove_item(panel.db, panel.clerk, item)


def test_another_process_changing_the_agenda_refuses_the_undo(panel: Panel, db_path: object) -> None:
    """Two real sessions on one SQLCipher file: this process removes an item, a second program (its own
    process, engine and connections) reorders the agenda as another user, and the undo is refused."""
    import subprocess
    import sys

    first, item, last = _item(panel, "PA-2026-013"), _item(panel), _item(panel, "PA-2026-015")
    make_user(panel.db, "clerk2", Role.PANEL_ADMINISTRATOR)
    entry = undo.remove_item(panel.db, panel.clerk, item)
    password = panel.db.engine.url.password
    assert password is not None
    code = (
        "import sys\n"
        "from tests.concurrency_worker import open_target\n"
        "from adoption_desktop.core.security.service import authenticate\n"
        "from adoption_desktop.panel import service as svc\n"
        "db = open_target(sys.argv[1], sys.argv[2])\n"
        "try:\n"
        "    bea = authenticate(db, 'clerk2', sys.argv[3])\n"
        f"    svc.reorder_items(db, bea, {panel.sitting_id}, [{last}, {first}])\n"
        "finally:\n"
        "    db.dispose()\n")
    from tests.conftest import TEST_PASSWORD

    done = subprocess.run([sys.executable, "-c", code, str(db_path), password[2:-1], TEST_PASSWORD],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with pytest.raises(StaleRecord) as err:
        entry.reverse()
    assert "Clerk2 Tester changed the agenda" in str(err.value)
    assert _agenda(panel) == [last, first]
    assert_verified(panel.db)


def test_papers_received_undo(panel: Panel) -> None:
    item = _item(panel, case_type="match")
    svc.set_paper_received(panel.db, panel.clerk, item, "cpr", dt.date(2026, 10, 30))
    before = rows(panel.db, "panel_papers")
    entry = undo.set_papers_received(panel.db, panel.clerk, item, {"cpr": None, "par": dt.date(2026, 11, 2),
                                                                    "apr": None})
    assert entry is not None and entry.label == "Recorded the papers received for agenda item PA-2026-014"
    redo = entry.reverse()
    assert rows(panel.db, "panel_papers") == before
    assert redo is not None
    redo.reverse()
    svc.set_paper_received(panel.db, panel.clerk, item, "par", dt.date(2026, 11, 3))  # someone else
    with pytest.raises(StaleRecord):
        entry.reverse()
    assert_verified(panel.db)


def test_item_edit_undo_and_refusal(panel: Panel) -> None:
    item = _item(panel)
    before = rows(panel.db, "panel_items")
    version = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items[0].row_version
    edited = svc.ItemInput("approval", "PA-2026-014", "AB/CD", "Jo Presenter", "11:30", "Moved to the afternoon")
    entry = undo.update_item(panel.db, panel.clerk, item, edited, expected_version=version)
    assert entry is not None and entry.label == "Edited agenda item PA-2026-014"
    redo = entry.reverse()
    assert rows(panel.db, "panel_items") == before
    redo.reverse()  # the edit again (its version moved on by this user's own undo and redo)
    version = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items[0].row_version
    svc.update_item(panel.db, make_user(panel.db, "clerk2", Role.PANEL_ADMINISTRATOR), item,
                    svc.ItemInput("approval", "PA-2026-014", "AB/CD", "Someone Else", "12:00"),
                    expected_version=version)
    with pytest.raises(StaleRecord):  # the entry was made before clerk2's save
        entry.reverse()
    assert rows(panel.db, "panel_items")[0]["presenting_worker"] == "Someone Else"
    # a change of case type replaces the papers checklist: saved, but no undo offered
    version = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items[0].row_version
    assert undo.update_item(panel.db, panel.clerk, item, svc.ItemInput("match", "PA-2026-014", "AB/CD"),
                            expected_version=version) is None
    assert_verified(panel.db)
