"""Undo of a deferral deletes the case's new entry on the later agenda, so it is refused while a record of another
feature names that entry by its id (a plain number, no foreign key): a child recorded on it as a match item, an
adopter household whose panel approval item it is, an ADM decision opened from it. Deleting it would leave them
pointing at an item that no longer exists, and a redo makes a new item with a new id (a real SQLCipher file)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.undo import UndoEntry
from adoption_desktop.core.wording import weekday_date
from adoption_desktop.journey import adopters
from adoption_desktop.journey import service as journey
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import undo
from tests.undo_checks import assert_verified, rows

from .conftest import SITTING_DAY, TODAY, Panel

LATER = SITTING_DAY + dt.timedelta(days=28)
KEPT = "Nothing was undone: the item stays deferred and the case stays on that agenda."
ENTRY = f"the case's entry on the agenda of the sitting of {weekday_date(LATER)}"


def _deferred(p: Panel, case_type: str, ref: str) -> tuple[int, int, UndoEntry]:
    """An item of ``case_type`` deferred to a later sitting: (the item, its new entry there, the undo entry)."""
    later = svc.schedule_sittings(p.db, p.clerk, svc.SittingInput(LATER, "10:00", "13:00", "Room 2, Civic Centre"))[0]
    item = svc.add_item(p.db, p.clerk, p.sitting_id, svc.ItemInput(case_type, ref, "AB/CD", "Jay Quillby"))
    entry = undo.defer_item(p.db, p.clerk, item, "The medical adviser's report is awaited.", later)
    assert entry is not None
    [new] = [i.id for i in svc.sitting_detail(p.db, p.clerk, later, today=TODAY).items]
    return item, new, entry


def _state(p: Panel) -> dict[str, object]:
    return {t: rows(p.db, t) for t in ("panel_items", "panel_minutes", "panel_papers", "journey_children",
                                       "journey_adopters", "adm_decisions")}


def _items_exist(p: Panel, *ids: int) -> bool:
    with p.db.session(write=False) as s:
        return all(s.execute(text("SELECT 1 FROM panel_items WHERE id = :i"), {"i": i}).first() for i in ids)


def test_undo_is_refused_while_a_child_is_recorded_on_the_new_entry(panel: Panel) -> None:
    item, new, entry = _deferred(panel, "match", "MA-2026-001")
    journey.add_child(panel.db, panel.clerk, journey.ChildInput("CH-0001", "XY"), item_id=new)
    before = _state(panel)
    with pytest.raises(Conflict) as err:
        entry.reverse()
    assert str(err.value) == (
        f"Child CH-0001 is recorded on {ENTRY} (Children… on that item). {KEPT} To take the deferral back by hand, "
        f"first link the child to the case's item on the sitting of {weekday_date(SITTING_DAY)} (select it, "
        "Children… → Link existing child…), then remove the case from the later agenda and change the outcome in "
        "that item's minutes.")
    assert _state(panel) == before  # nothing changed: the entry and the child's link to it stay
    [child] = journey.list_children(panel.db, panel.clerk, item_id=new)
    assert child.reference == "CH-0001" and _items_exist(panel, item, new)
    assert_verified(panel.db)


def test_several_children_on_the_new_entry_are_all_named(panel: Panel) -> None:
    _item, new, entry = _deferred(panel, "match", "MA-2026-002")
    for ref in ("CH-0003", "CH-0002"):
        journey.add_child(panel.db, panel.clerk, journey.ChildInput(ref, "XY"), item_id=new)
    with pytest.raises(Conflict, match=r"^Children CH-0002 and CH-0003 are recorded on .* first link each child to"):
        entry.reverse()


def test_a_child_on_the_deferred_item_itself_does_not_stop_the_undo(panel: Panel) -> None:
    item, new, entry = _deferred(panel, "match", "MA-2026-003")
    journey.add_child(panel.db, panel.clerk, journey.ChildInput("CH-0004", "XY"), item_id=item)
    entry.reverse()
    assert not _items_exist(panel, new)
    assert [c.reference for c in journey.list_children(panel.db, panel.clerk, item_id=item)] == ["CH-0004"]
    assert_verified(panel.db)


def test_undo_is_refused_while_an_adopter_household_has_the_new_entry_as_its_approval_item(panel: Panel) -> None:
    item, new, entry = _deferred(panel, "approval", "PA-2026-031")
    adopters.add_household(panel.db, panel.clerk, journey.AdopterStages("HH-0007", dt.date(2026, 1, 5),
                                                                        approval_item_id=new), today=TODAY)
    before = _state(panel)
    with pytest.raises(Conflict) as err:
        entry.reverse()
    assert str(err.value) == (
        f"Adopter household HH-0007 has {ENTRY} as its panel approval item (Adopters' journey tab). {KEPT} To take "
        f"the deferral back by hand, first choose the case's item on the sitting of {weekday_date(SITTING_DAY)} as "
        "the panel approval item there, then remove the case from the later agenda and change the outcome in that "
        "item's minutes.")
    assert _state(panel) == before and _items_exist(panel, item, new)
    assert_verified(panel.db)


def test_undo_is_refused_while_an_adm_decision_names_the_new_entry(panel: Panel) -> None:
    """The hand-off opens a decision only from approved minutes (refused before this check); a decision naming
    the entry by any other path is refused too, rather than left pointing at nothing."""
    _item, new, entry = _deferred(panel, "approval", "PA-2026-032")
    with panel.db.session(panel.clerk) as s:
        s.add(AdmDecision(decision_type="approval", source="panel", panel_item_id=new, sitting_date=LATER,
                          subject_reference="PA-2026-032", received_on=LATER))
    with panel.db.session(write=False) as s:
        decision = s.execute(text("SELECT id FROM adm_decisions WHERE panel_item_id = :i"), {"i": new}).scalar_one()
    before = _state(panel)
    with pytest.raises(Conflict) as err:
        entry.reverse()
    assert str(err.value) == (f"An ADM decision (number {decision}) was opened from {ENTRY}, so the deferral can no "
                              f"longer be undone. {KEPT}")
    assert _state(panel) == before and _items_exist(panel, new)
    assert_verified(panel.db)
