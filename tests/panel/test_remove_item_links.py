"""Removing an agenda item is refused while a record of another feature names it by its id (a plain number, no
foreign key): a child recorded on it as a match item, an adopter household whose panel approval item it is, an
ADM decision opened from it. Removed, they were left pointing at an item that no longer exists (helper review,
6 December). Nothing changes; the message says what refers to it and what to do. Undo and redo of a removal
still work, and a redo is refused in the same way once something was linked to the item put back (real
SQLCipher files)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.core.errors import Conflict
from adoption_desktop.journey import adopters
from adoption_desktop.journey import service as journey
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import undo
from tests.undo_checks import assert_verified, rows

from .conftest import SITTING_DAY, TODAY, Panel

KEPT = "Nothing was changed: the item stays on the agenda."


def _state(p: Panel) -> dict[str, object]:
    return {t: rows(p.db, t) for t in ("panel_items", "panel_papers", "journey_children", "journey_adopters",
                                       "adm_decisions")}


def _exists(p: Panel, item: int) -> bool:
    with p.db.session(write=False) as s:
        return s.execute(text("SELECT 1 FROM panel_items WHERE id = :i"), {"i": item}).first() is not None


def _dangling(p: Panel) -> list[tuple[str, int]]:
    """Rows naming an agenda item that does not exist."""
    with p.db.session(write=False) as s:
        return [(str(t), int(i)) for t, i in s.execute(text(
            "SELECT 'child', match_item_id FROM journey_children WHERE match_item_id IS NOT NULL "
            "AND match_item_id NOT IN (SELECT id FROM panel_items) "
            "UNION ALL SELECT 'household', approval_item_id FROM journey_adopters WHERE approval_item_id IS NOT NULL "
            "AND approval_item_id NOT IN (SELECT id FROM panel_items) "
            "UNION ALL SELECT 'decision', panel_item_id FROM adm_decisions WHERE panel_item_id IS NOT NULL "
            "AND panel_item_id NOT IN (SELECT id FROM panel_items)"))]


def test_removal_is_refused_while_a_child_is_recorded_on_the_item(panel: Panel) -> None:
    svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "PA-2026-040", "EF", "Jay Quillby"))
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("match", "MA-2026-041", "AB/CD",
                                                                                "Jay Quillby"))
    journey.add_child(panel.db, panel.clerk, journey.ChildInput("CH-0101", "XY"), item_id=item)
    before = _state(panel)
    with pytest.raises(Conflict) as err:
        undo.remove_item(panel.db, panel.clerk, item)
    assert str(err.value) == (
        "Child CH-0101 is recorded on item 2 (MA-2026-041) (Children… on that item), so it cannot be removed from "
        f"the agenda: the child would be left linked to an item that no longer exists. {KEPT} To remove it, first "
        "link the child to the case's right item (select that item, Children… → Link existing child…), then "
        "remove this one.")
    assert _state(panel) == before and _exists(panel, item) and _dangling(panel) == []
    # once the child is on another item, the removal goes ahead
    other = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("match", "MA-2026-042", "GH",
                                                                                 "Jay Quillby"))
    # another case number: the move is asked about (journey/test_move_between_items.py), here agreed
    journey.link_child(panel.db, panel.clerk, "CH-0101", item_id=other, relink=True)
    undo.remove_item(panel.db, panel.clerk, item)
    assert not _exists(panel, item) and _dangling(panel) == []
    assert_verified(panel.db)


def test_several_children_are_all_named(panel: Panel) -> None:
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("match", "MA-2026-043", "AB",
                                                                                "Jay Quillby"))
    for ref in ("CH-0103", "CH-0102"):
        journey.add_child(panel.db, panel.clerk, journey.ChildInput(ref, "XY"), item_id=item)
    with pytest.raises(Conflict, match=r"^Children CH-0102 and CH-0103 are recorded on item 1 .* they would be "
                                       r"left linked .* first link each child to"):
        undo.remove_item(panel.db, panel.clerk, item)
    assert _exists(panel, item)


def test_removal_is_refused_while_a_household_has_the_item_as_its_approval_item(panel: Panel) -> None:
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "PA-2026-044", "AB",
                                                                                "Jay Quillby"))
    household = adopters.add_household(panel.db, panel.clerk, journey.AdopterStages(
        "HH-0101", dt.date(2026, 1, 5), approval_item_id=item), today=TODAY)
    before = _state(panel)
    with pytest.raises(Conflict) as err:
        undo.remove_item(panel.db, panel.clerk, item)
    assert str(err.value) == (
        "Adopter household HH-0101 has item 1 (PA-2026-044) as its panel approval item, so it cannot be removed "
        f"from the agenda. {KEPT} To remove it, first change the household's panel approval item (Adopters' "
        "journey tab, Change dates…: choose another item, or Not linked), then remove this one.")
    assert _state(panel) == before and _dangling(panel) == []
    adopters.update_household(panel.db, panel.clerk, household.id, journey.AdopterStages(
        "HH-0101", dt.date(2026, 1, 5)), expected_version=household.row_version, today=TODAY)
    undo.remove_item(panel.db, panel.clerk, item)
    assert not _exists(panel, item) and _dangling(panel) == []
    assert_verified(panel.db)


def test_removal_is_refused_while_an_adm_decision_names_the_item(panel: Panel) -> None:
    """The hand-off opens a decision only from approved minutes (and an item with minutes is never removed); a
    decision naming the item by any other path is refused too, rather than left pointing at nothing."""
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "PA-2026-045", "AB",
                                                                                "Jay Quillby"))
    with panel.db.session(panel.clerk) as s:
        s.add(AdmDecision(decision_type="approval", source="panel", panel_item_id=item, sitting_date=SITTING_DAY,
                          subject_reference="PA-2026-045", received_on=SITTING_DAY))
    with panel.db.session(write=False) as s:
        decision = s.execute(text("SELECT id FROM adm_decisions WHERE panel_item_id = :i"), {"i": item}).scalar_one()
    before = _state(panel)
    with pytest.raises(Conflict) as err:
        undo.remove_item(panel.db, panel.clerk, item)
    assert str(err.value) == (f"An ADM decision (number {decision}) was opened from item 1 (PA-2026-045), so it "
                              f"cannot be removed from the agenda. {KEPT}")
    assert _state(panel) == before and _dangling(panel) == []


def test_undo_of_a_removal_still_works_and_its_redo_is_refused_once_a_child_is_linked(panel: Panel) -> None:
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("match", "MA-2026-046", "AB",
                                                                                "Jay Quillby"))
    before = rows(panel.db, "panel_items")
    entry = undo.remove_item(panel.db, panel.clerk, item)
    assert not _exists(panel, item)
    redo = entry.reverse()  # undo: the item is back, same id
    assert rows(panel.db, "panel_items") == before
    journey.add_child(panel.db, panel.clerk, journey.ChildInput("CH-0104", "XY"), item_id=item)
    assert redo is not None
    with pytest.raises(Conflict, match=r"^Child CH-0104 is recorded on item 1 \(MA-2026-046\)"):
        redo.reverse()  # redo: the removal again, now refused
    assert _exists(panel, item) and _dangling(panel) == []
    assert_verified(panel.db)
