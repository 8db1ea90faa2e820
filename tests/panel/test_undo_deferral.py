"""Undo of "Defer to a later sitting…" (service level, a real SQLCipher file): the deferral is taken back in one
transaction — the item's minutes as they were before it, the case off the later sitting's agenda (the items
after it move up) — audited as an undo; redo defers it again. Refused, with nothing changed, when something
changed since: another user edited the case's entry on the later agenda, the later sitting has minutes (a
recommendation) for it, the item's own minutes were edited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import Conflict, StaleRecord
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.undo import UndoStack
from adoption_desktop.core.wording import weekday_date
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import undo
from tests.conftest import make_user
from tests.undo_checks import actions, assert_verified, rows

from .conftest import SITTING_DAY, TODAY, Panel

LATER = SITTING_DAY + dt.timedelta(days=28)
REASON = "The medical adviser's report on the second applicant is awaited."


def _later(p: Panel) -> int:
    return svc.schedule_sittings(p.db, p.clerk, svc.SittingInput(LATER, "10:00", "13:00", "Room 2, Civic Centre"))[0]


def _item(p: Panel, sitting: int, ref: str) -> int:
    return svc.add_item(p.db, p.clerk, sitting, svc.ItemInput("approval", ref, "AB/CD", "Jay Quillby"))


def _agenda(p: Panel, sitting: int) -> list[str]:
    return [i.subject_reference for i in svc.sitting_detail(p.db, p.clerk, sitting, today=TODAY).items]


def _state(p: Panel, item: int, later: int) -> dict[str, object]:
    """Everything a deferral touches, read back from the database."""
    return {"minutes": rows(p.db, "panel_minutes", "item_id = :i", i=item),
            "later agenda": rows(p.db, "panel_items", "sitting_id = :s", s=later),
            "later papers": rows(p.db, "panel_papers",
                                 "item_id IN (SELECT id FROM panel_items WHERE sitting_id = :s)", s=later),
            "item": rows(p.db, "panel_items", "id = :i", i=item)}


def test_undo_puts_the_item_back_on_its_sitting_and_takes_the_case_off_the_later_agenda(panel: Panel) -> None:
    later = _later(panel)
    waiting = _item(panel, later, "PA-2026-040")  # already on the later agenda: stays, first
    item = _item(panel, panel.sitting_id, "PA-2026-031")
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(discussion="Questions on the support plan."))
    before = _state(panel, item, later)

    stack = UndoStack(panel.clerk.user_id)
    entry = undo.defer_item(panel.db, panel.clerk, item, REASON, later)
    assert entry is not None
    stack.push(entry)
    assert entry.label == (f"Deferred agenda item PA-2026-031 from the sitting of {weekday_date(SITTING_DAY)} to the "
                           f"sitting of {weekday_date(LATER)}")
    assert _agenda(panel, later) == ["PA-2026-040", "PA-2026-031"]
    [row] = [i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY).items if i.id == item]
    assert row.deferred_to == LATER and row.minutes is not None and row.minutes.draft.outcome == "deferred"

    stack.undo()
    assert _state(panel, item, later) == before  # the minutes as they were, the later agenda as it was
    assert _agenda(panel, later) == ["PA-2026-040"]
    [row] = [i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY).items if i.id == item]
    assert row.deferred_to is None and row.minutes is not None
    assert (row.minutes.draft.outcome, row.minutes.draft.discussion) == ("", "Questions on the support plan.")
    assert actions(panel.db, "panel_items")[-1] == "undo"
    assert "delete" in actions(panel.db, "panel_items")
    with panel.db.session(write=False) as session:
        note = session.scalars(select(AuditEntry).where(AuditEntry.action == "undo")
                               .order_by(AuditEntry.seq.desc())).first()
    assert note is not None and note.actor == "clerk" and note.entity_id == str(item)
    assert note.detail.startswith(f"deferral to the sitting of {weekday_date(LATER)} undone: agenda item "
                                  "PA-2026-031 is back on the sitting of ")
    assert_verified(panel.db)

    # redo defers it again; undo takes that back too
    assert stack.can_redo() and stack.redo_label() == entry.label
    stack.redo()
    assert _agenda(panel, later) == ["PA-2026-040", "PA-2026-031"]
    stack.undo()
    assert _agenda(panel, later) == ["PA-2026-040"] and waiting
    assert _state(panel, item, later) == before
    assert_verified(panel.db)


def test_undo_of_the_deferral_of_an_item_without_minutes_leaves_it_without_minutes(panel: Panel) -> None:
    later = _later(panel)
    item = _item(panel, panel.sitting_id, "PA-2026-031")
    entry = undo.defer_item(panel.db, panel.clerk, item, REASON, later)
    assert entry is not None and rows(panel.db, "panel_minutes", "item_id = :i", i=item) != []
    entry.reverse()
    assert rows(panel.db, "panel_minutes", "item_id = :i", i=item) == []
    assert _agenda(panel, later) == []
    assert_verified(panel.db)


def test_undo_is_refused_when_another_user_edited_the_case_on_the_later_agenda(panel: Panel) -> None:
    later = _later(panel)
    item = _item(panel, panel.sitting_id, "PA-2026-031")
    stack = UndoStack(panel.clerk.user_id)
    stack.push(undo.defer_item(panel.db, panel.clerk, item, REASON, later))
    [follow] = svc.sitting_detail(panel.db, panel.clerk, later, today=TODAY).items
    bea = make_user(panel.db, "bea", Role.PANEL_ADMINISTRATOR)
    svc.update_item(panel.db, bea, follow.id, svc.ItemInput("approval", "PA-2026-031", "AB/CD", "Jay Quillby",
                                                            "11:30"))
    after = _state(panel, item, later)
    with pytest.raises(StaleRecord) as err:
        stack.undo()
    said = str(err.value)
    assert said.startswith(f"Bea Tester changed the case's entry on the agenda of the sitting of {weekday_date(LATER)} "
                           "at ")
    assert "it was not undone, so nothing of theirs is overwritten" in said
    assert _state(panel, item, later) == after  # nothing changed: still deferred, still on the later agenda
    assert not stack.can_undo()  # a refused entry is dropped
    assert_verified(panel.db)


def test_undo_is_refused_when_the_later_sitting_recorded_a_recommendation(panel: Panel) -> None:
    later = _later(panel)
    item = _item(panel, panel.sitting_id, "PA-2026-031")
    entry = undo.defer_item(panel.db, panel.clerk, item, REASON, later)
    assert entry is not None
    [follow] = svc.sitting_detail(panel.db, panel.clerk, later, today=TODAY).items
    for key in ("chair", "vice", "sw", "med", "pe"):
        svc.set_attendance(panel.db, panel.clerk, later, panel.members[key], "present", today=LATER)
    bea = make_user(panel.db, "bea", Role.PANEL_ADMINISTRATOR)
    svc.save_minutes(panel.db, bea, follow.id, svc.MinutesDraft(
        outcome="suitable", recommendation_text="Suitable to adopt one child aged 0 to 4.",
        reasons="The report answers the panel's questions."), today=LATER)
    after = _state(panel, item, later)
    with pytest.raises(Conflict) as err:
        entry.reverse()
    assert str(err.value).startswith(f'The sitting of {weekday_date(LATER)} has a recommendation recorded '
                                     '("Suitable to adopt") for the case: its minutes were saved by Bea Tester at ')
    assert str(err.value).endswith("Nothing was undone: the item stays deferred and the case stays on that agenda.")
    assert _state(panel, item, later) == after
    assert_verified(panel.db)


def test_undo_is_refused_when_the_items_own_minutes_were_edited_since(panel: Panel) -> None:
    later = _later(panel)
    item = _item(panel, panel.sitting_id, "PA-2026-031")
    entry = undo.defer_item(panel.db, panel.clerk, item, REASON, later)
    assert entry is not None
    bea = make_user(panel.db, "bea", Role.PANEL_ADMINISTRATOR)
    [row] = [i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY).items if i.id == item]
    assert row.minutes is not None
    svc.save_minutes(panel.db, bea, item, svc.MinutesDraft(outcome="deferred", deferral_reason=REASON,
                                                           discussion="Bea's notes of the discussion."),
                     expected_version=row.minutes.row_version)
    after = _state(panel, item, later)
    with pytest.raises(StaleRecord, match=r"^Bea Tester changed the minutes of agenda item PA-2026-031 at "):
        entry.reverse()
    assert _state(panel, item, later) == after
