"""Undo of the letterbox's reversible actions, service level: a finding's decision and an arrangement
edit put back (read back from the database), audited, ``verify`` clean, refused after a colleague's change."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from adoption_desktop.core.errors import Conflict, StaleRecord
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.undo import UndoStack
from adoption_desktop.letterbox import rules, service, undo
from adoption_desktop.letterbox.service import ParticipantData, TermData
from tests.conftest import make_user
from tests.undo_checks import actions, assert_verified, rows


def _screened(db: Database, coordinator: Principal, arrangement: int) -> tuple[int, int]:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                            received_on=dt.date(2026, 4, 1), writer="Gina Quillfield")
    found = service.screen_item(db, coordinator, item, "We went to Scarborough for the day.").findings
    return item, found[0].id


def test_finding_decision_undo_and_redo(db: Database, coordinator: Principal, arrangement: int) -> None:
    item, finding = _screened(db, coordinator, arrangement)
    before = rows(db, "letterbox_findings")
    stack = UndoStack(coordinator.user_id)
    entry = undo.decide_finding(db, coordinator, finding, "acceptable")
    assert entry is not None and entry.label == "Marked the finding 'Scarborough' acceptable"
    stack.push(entry)
    assert undo.decide_finding(db, coordinator, finding, "acceptable") is None  # no change, nothing to undo
    stack.undo()
    assert rows(db, "letterbox_findings") == before
    history = [e.action for e in service.get_item(db, coordinator, item).history]
    assert history.count("finding_decided") == 2
    assert actions(db, "letterbox_findings") == ["create", "update", "update"]
    stack.redo()
    assert service.get_item(db, coordinator, item).findings[0].decision == "acceptable"
    assert_verified(db)


def test_finding_undo_refused_after_a_colleague_decided_or_the_item_went_out(
        db: Database, coordinator: Principal, checker: Principal, arrangement: int) -> None:
    item, finding = _screened(db, coordinator, arrangement)
    entry = undo.decide_finding(db, coordinator, finding, "acceptable")
    assert entry is not None
    service.decide_finding(db, checker, finding, "remove")
    service.decide_finding(db, checker, finding, "acceptable")  # back, but by someone else: still theirs?
    entry2 = undo.decide_finding(db, coordinator, finding, "remove")
    assert entry2 is not None
    service.decide_finding(db, checker, finding, "acceptable")
    with pytest.raises(StaleRecord) as err:
        entry2.reverse()
    assert "Lbcheck" in str(err.value) or "lbcheck" in str(err.value)
    service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 4, 2), method="post")
    with pytest.raises(Conflict, match="has an outcome"):
        entry.reverse()
    assert service.get_item(db, coordinator, item).findings[0].decision == "acceptable"


def test_arrangement_edit_undo_restores_fields_relatives_and_terms(db: Database, coordinator: Principal,
                                                                   arrangement: int) -> None:
    detail = service.get_arrangement(db, coordinator, arrangement)
    edited = replace(detail.data, notes="Grandfather moved away.", exchange_months="4,10",
                     participants=(*detail.data.participants[:1], ParticipantData("Lina Quillfield", "aunt", "")),
                     protected=(TermData("Heron Gate", "address"),))
    stack = UndoStack(coordinator.user_id)
    version, entry = undo.update_arrangement(db, coordinator, arrangement, edited,
                                             expected_version=detail.row_version)
    stack.push(entry)
    assert entry.label == "Edited the arrangement LB-0001"
    stack.undo()
    again = service.get_arrangement(db, coordinator, arrangement)
    # fields and relatives taking part (same ids) exactly; protected terms are a set (a term removed by
    # the edit comes back as a new row)
    assert replace(again.data, protected=()) == replace(detail.data, protected=())
    assert set(again.data.protected) == set(detail.data.protected)
    assert again.row_version > version
    stack.redo()
    assert service.get_arrangement(db, coordinator, arrangement).data.notes == "Grandfather moved away."
    assert_verified(db)


def test_arrangement_undo_refused_after_a_colleague_saved(db: Database, coordinator: Principal, checker: Principal,
                                                          arrangement: int) -> None:
    detail = service.get_arrangement(db, coordinator, arrangement)
    version, entry = undo.update_arrangement(db, coordinator, arrangement, replace(detail.data, notes="Mine."),
                                             expected_version=detail.row_version)
    service.update_arrangement(db, checker, arrangement, replace(detail.data, notes="Theirs."),
                               expected_version=version)
    with pytest.raises(StaleRecord):
        entry.reverse()
    assert service.get_arrangement(db, coordinator, arrangement).data.notes == "Theirs."


def test_undoing_mark_missed_refused_after_a_colleague_marked_it_again(db: Database, coordinator: Principal,
                                                                       checker: Principal, arrangement: int) -> None:
    """User trial: A marks an exchange missed; B takes A's mark back and marks it again (B's own mark); A's
    undo deleted B's mark. It is refused as stale, and B's mark stays."""
    due = dt.date(2026, 3, 1)
    entry = undo.mark_missed(db, coordinator, arrangement, due, rules.ADOPTIVE, "LB-0001")
    service.unmark_missed(db, checker, arrangement, due, rules.ADOPTIVE)
    service.mark_missed(db, checker, arrangement, due, rules.ADOPTIVE)
    theirs = rows(db, "letterbox_missed_exchanges")
    with pytest.raises(StaleRecord, match="lbcheck marked the exchange of LB-0001 due 01/03/2026 missed") as err:
        entry.reverse()
    assert "not undone" in str(err.value) and err.value.saved_by == "lbcheck"
    assert rows(db, "letterbox_missed_exchanges") == theirs
    assert [r["marked_by"] for r in theirs] == ["lbcheck"]
    assert actions(db, "letterbox_arrangements").count("letterbox_exchange_missed_undone") == 1  # B's only
    # the same user's own undo then redo then undo still works: redo remembers the mark it made
    service.unmark_missed(db, checker, arrangement, due, rules.ADOPTIVE)
    entry = undo.mark_missed(db, coordinator, arrangement, due, rules.ADOPTIVE, "LB-0001")
    redo = entry.reverse()
    again = redo.reverse()
    again.reverse()
    assert rows(db, "letterbox_missed_exchanges") == []
    assert_verified(db)


def test_only_letterbox_editors_can_undo(db: Database, coordinator: Principal, arrangement: int) -> None:
    _item, finding = _screened(db, coordinator, arrangement)
    entry = undo.decide_finding(db, coordinator, finding, "acceptable")
    assert entry is not None
    manager = make_user(db, "mgr", Role.MANAGER)
    from adoption_desktop.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        service.decide_finding(db, manager, finding, "remove", expected_decision="acceptable")


def test_two_edits_of_one_arrangement_undo_one_after_the_other(db: Database, coordinator: Principal,
                                                               arrangement: int) -> None:
    detail = service.get_arrangement(db, coordinator, arrangement)
    stack = UndoStack(coordinator.user_id)
    version, entry = undo.update_arrangement(db, coordinator, arrangement, replace(detail.data, notes="One."),
                                             expected_version=detail.row_version)
    stack.push(entry)
    _, entry = undo.update_arrangement(db, coordinator, arrangement, replace(detail.data, notes="Two."),
                                       expected_version=version)
    stack.push(entry)
    stack.undo()
    assert service.get_arrangement(db, coordinator, arrangement).data.notes == "One."
    stack.undo()  # its version moved on by this user's own undo: still allowed
    assert undo.same_agreement(service.get_arrangement(db, coordinator, arrangement).data, detail.data)
    stack.redo()
    stack.redo()
    assert service.get_arrangement(db, coordinator, arrangement).data.notes == "Two."
