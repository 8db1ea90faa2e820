"""Deferring to a later sitting when "already deferred" would strand the case (real SQLCipher files):

* the later sitting an item was deferred to is cancelled afterwards: the item could never be deferred again
  ("already recorded as deferred"); now its entry on the cancelled sitting (no minutes) moves to the new
  sitting, with its papers, in the same transaction;
* minutes recorded as deferred in the minutes editor (no later agenda entry): the case can now be put on a
  later agenda with the link back the deferrals report follows;
* the reason is required;
* the agenda shows where a deferred case went (``ItemRow.deferred_to``), so the screen can grey the action.
"""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.panel import service as svc

from .conftest import SITTING_DAY, TODAY, Panel

LATER, LATER_STILL = SITTING_DAY + dt.timedelta(days=28), SITTING_DAY + dt.timedelta(days=42)
REASON = "Medical report not received."


def _sitting(panel: Panel, day: dt.date) -> int:
    return svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        day, "10:00", "13:00", "Room 2, Civic Centre, Ambleford ZZ99 1AB"))[0]


def _case(panel: Panel, reference: str = "AD-2026-0155") -> int:
    return svc.add_item(panel.db, panel.clerk, panel.sitting_id,
                        svc.ItemInput("approval", reference, "AB/CD", "Jay Quillby", "10:00"))


def _items(panel: Panel, sitting: int) -> list[svc.ItemRow]:
    return list(svc.sitting_detail(panel.db, panel.clerk, sitting, today=TODAY).items)


def _row(panel: Panel, item: int) -> svc.ItemRow:
    return next(i for i in _items(panel, panel.sitting_id) if i.id == item)


def test_an_item_deferred_to_a_sitting_cancelled_since_is_deferred_again(panel: Panel) -> None:
    later, later_still = _sitting(panel, LATER), _sitting(panel, LATER_STILL)
    other = svc.add_item(panel.db, panel.clerk, later, svc.ItemInput("match", "AD-2026-0160", "EF", "Jo Ruddock"))
    item = _case(panel)
    first = svc.defer_item(panel.db, panel.clerk, item, REASON, to_sitting_id=later)
    assert first is not None and _row(panel, item).deferred_to == LATER
    svc.set_paper_received(panel.db, panel.clerk, first, "par", LATER - dt.timedelta(days=10))
    svc.cancel_sitting(panel.db, panel.clerk, later, "Chair unwell")
    assert _row(panel, item).deferred_to is None  # a cancelled sitting is nowhere to come back to

    moved = svc.defer_item(panel.db, panel.clerk, item, REASON, to_sitting_id=later_still)

    assert moved == first  # the same entry, moved: no second entry left on the cancelled sitting
    [follow] = _items(panel, later_still)
    assert (follow.id, follow.subject_reference, follow.time_slot) == (first, "AD-2026-0155", "")
    assert {p.code: p.received_on for p in follow.papers}["par"] == LATER - dt.timedelta(days=10)
    assert [i.id for i in _items(panel, later)] == [other]
    assert _items(panel, later)[0].position == 1  # the cancelled sitting's agenda renumbered
    row = _row(panel, item)
    assert row.deferred_to == LATER_STILL
    assert row.minutes is not None and row.minutes.draft.outcome == "deferred"

    with pytest.raises(Conflict, match=f"already recorded as deferred to the sitting of {LATER_STILL:%d/%m/%Y}"):
        svc.defer_item(panel.db, panel.clerk, item, REASON, to_sitting_id=later_still)


def test_a_new_entry_is_added_when_the_one_on_the_cancelled_sitting_has_minutes(panel: Panel) -> None:
    later, later_still = _sitting(panel, LATER), _sitting(panel, LATER_STILL)
    item = _case(panel)
    first = svc.defer_item(panel.db, panel.clerk, item, REASON, to_sitting_id=later)
    assert first is not None
    svc.save_minutes(panel.db, panel.clerk, first, svc.MinutesDraft(discussion="Notes typed ahead."))
    svc.cancel_sitting(panel.db, panel.clerk, later, "Chair unwell")

    again = svc.defer_item(panel.db, panel.clerk, item, REASON, to_sitting_id=later_still)

    assert again is not None and again != first
    assert [i.id for i in _items(panel, later)] == [first]  # kept with its notes
    assert [i.id for i in _items(panel, later_still)] == [again]


def test_a_refused_redeferral_changes_nothing(panel: Panel) -> None:
    later = _sitting(panel, LATER)
    item = _case(panel)
    first = svc.defer_item(panel.db, panel.clerk, item, REASON, to_sitting_id=later)
    svc.cancel_sitting(panel.db, panel.clerk, later, "Chair unwell")
    with pytest.raises(ValidationError, match="Nothing was changed"):  # not a later sitting than the item's
        svc.defer_item(panel.db, panel.clerk, item, "Another reason.", to_sitting_id=panel.sitting_id)
    assert [i.id for i in _items(panel, later)] == [first]
    minutes = _row(panel, item).minutes
    assert minutes is not None and minutes.draft.deferral_reason == REASON


def test_minutes_deferred_in_the_editor_can_be_put_on_a_later_agenda(panel: Panel) -> None:
    later = _sitting(panel, LATER)
    item = _case(panel)
    saved = svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(
        outcome="deferred", deferral_reason=REASON, discussion="Questions on the support plan."))

    new = svc.defer_item(panel.db, panel.clerk, item, REASON, to_sitting_id=later)

    [follow] = _items(panel, later)
    assert new == follow.id
    row = _row(panel, item)
    assert row.deferred_to == LATER
    assert row.minutes is not None and row.minutes.row_version == saved.row_version  # same reason: untouched
    assert row.minutes.draft.discussion == "Questions on the support plan."


def test_a_new_reason_given_with_the_later_sitting_is_saved(panel: Panel) -> None:
    later = _sitting(panel, LATER)
    item = _case(panel)
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(outcome="deferred", deferral_reason=REASON))
    svc.defer_item(panel.db, panel.clerk, item, "Medical report and references awaited.", to_sitting_id=later)
    minutes = _row(panel, item).minutes
    assert minutes is not None and minutes.draft.deferral_reason == "Medical report and references awaited."


def test_the_reason_is_required(panel: Panel) -> None:
    later = _sitting(panel, LATER)
    item = _case(panel)
    with pytest.raises(ValidationError, match="Deferral reason: say what information") as refused:
        svc.defer_item(panel.db, panel.clerk, item, "   ", to_sitting_id=later)
    assert refused.value.field == "reason"
    assert _items(panel, later) == [] and _row(panel, item).minutes is None


def test_an_item_deferred_without_a_later_sitting_is_still_deferred_once(panel: Panel) -> None:
    item = _case(panel)
    svc.defer_item(panel.db, panel.clerk, item, REASON)
    with pytest.raises(Conflict, match="already recorded as deferred"):
        svc.defer_item(panel.db, panel.clerk, item, REASON)
