"""A signed ADM decision and approved panel minutes are final "whatever the caller": the ``before_flush``
guards refused a change made through the ORM one object at a time, but an ``update()`` or ``delete()``
statement run through a session goes around the flush, and changed or deleted a signed decision without a
word (only ``verify``'s seal check would have said so, later). Now the statement is refused at once with the
ORM path's message, and nothing is written. SQLCipher and PostgreSQL; and from another PC on the same file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from adoption_desktop.adm import service as adm
from adoption_desktop.adm.models import SIGNED_IS_FINAL, AdmDecision
from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from adoption_desktop.panel import service as panel
from adoption_desktop.panel.models import PanelMinutes
from tests.adm.conftest import ADDRESS
from tests.conftest import TEST_PASSWORD, make_user, papers_received
from tests.panel.conftest import MEMBERS

SITTING_DAY, APPROVED, SIGNED = dt.date(2026, 11, 10), dt.date(2026, 11, 23), dt.date(2026, 11, 24)
LOCKED = "These minutes are approved and locked; record a correction as a new version with a reason."


def _approved(db: Database, *references: str) -> tuple[Principal, list[tuple[int, int]]]:
    """Minutes of one item per reference approved by the chair and handed to the ADM: (panel administrator,
    [(minutes, decision)])."""
    clerk = make_user(db, "final_clerk", Role.PANEL_ADMINISTRATOR)
    chair = make_user(db, "final_chair", Role.PANEL_CHAIR)
    ids = {key: panel.add_member(db, clerk, panel.MemberInput(
        name, role, dt.date(2024, 1, 1), pqe, ind, user_id=chair.user_id if key == "chair" else None,
        appraisal_due=dt.date(2027, 6, 1), dbs_checked_on=dt.date(2025, 1, 1), training_on=dt.date(2026, 6, 1)),
        today=APPROVED).id for key, (name, role, pqe, ind) in MEMBERS.items()}
    sitting = panel.schedule_sittings(db, clerk, panel.SittingInput(SITTING_DAY, "10:00", "13:00", "Room 2"))[0]
    for key in ("chair", "vice", "sw", "med", "pe"):
        panel.set_attendance(db, clerk, sitting, ids[key], "present")
    items = [papers_received(db, clerk, panel.add_item(db, clerk, sitting, panel.ItemInput(
        "approval", reference, "C.D.")), SITTING_DAY) for reference in references or ("ADP-70",)]
    made = []
    for item in items:
        panel.save_minutes(db, clerk, item, panel.MinutesDraft(
            outcome="suitable", reasons="Thorough assessment.", discussion="Questions answered.", vote="unanimous",
            member_views={ids[k]: "Agrees." for k in ("chair", "vice", "sw", "med", "pe")}))
        panel.submit_minutes(db, clerk, item, today=APPROVED)
        row = panel.approve_minutes(db, chair, item, TEST_PASSWORD, today=APPROVED)
        assert row.adm_decision_id
        made.append((row.id, row.adm_decision_id))
    return clerk, made


def _signed(db: Database) -> tuple[Principal, int, int]:
    """(the ADM, a signed decision, an unsigned one)."""
    _clerk, [(_m1, decision), (_m2, draft)] = _approved(db, "ADP-70", "ADP-71")
    decider = make_user(db, "final_adm", Role.AGENCY_DECISION_MAKER)
    for did in (decision, draft):
        adm.save_draft_decision(db, decider, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                                reasons="", addressee=ADDRESS, salutation="", social_worker="")
    adm.sign_decision(db, decider, decision, TEST_PASSWORD, SIGNED)
    return decider, decision, draft


def _row(db: Database, model: Any, row_id: int) -> dict[str, Any] | None:
    table = model.__table__
    with db.session(write=False) as session:
        found = session.execute(select(table).where(table.c.id == row_id)).mappings().first()
    return None if found is None else dict(found)


def _refused(db: Database, actor: Principal, statement: Any, message: str) -> None:
    with pytest.raises(Conflict) as err, db.session(actor) as session:
        session.execute(statement)
    assert str(err.value) == message


def test_a_signed_decision_is_not_changed_or_deleted_by_a_statement(any_db: Database) -> None:
    decider, signed, draft = _signed(any_db)
    before, draft_before = _row(any_db, AdmDecision, signed), _row(any_db, AdmDecision, draft)
    assert before is not None and before["signed_at"] is not None
    table = AdmDecision.__table__
    for statement in (update(AdmDecision).where(AdmDecision.id == signed).values(decision_text="Not approved."),
                      update(AdmDecision).where(AdmDecision.id.in_([draft, signed])).values(outcome="disagree"),
                      update(AdmDecision).values(signed_at=None),  # no WHERE: every row
                      update(table).where(table.c.id == signed).values(decision_text="Not approved."),
                      delete(AdmDecision).where(AdmDecision.id == signed),
                      delete(table).where(table.c.subject_reference == "ADP-70")):
        _refused(any_db, decider, statement, SIGNED_IS_FINAL)
    assert _row(any_db, AdmDecision, signed) == before
    assert _row(any_db, AdmDecision, draft) == draft_before  # refused as a whole: the draft not changed either

    # the ORM path says the same
    with pytest.raises(Conflict) as err, any_db.session(decider) as session:
        session.get(AdmDecision, signed).decision_text = "Not approved."  # type: ignore[union-attr]
    assert str(err.value) == SIGNED_IS_FINAL

    # a statement on drafts only still runs (as the program's own)
    with any_db.session(decider) as session:
        session.execute(update(AdmDecision).where(AdmDecision.id == draft).values(salutation="Ms Testcase"))
        session.execute(update(AdmDecision.__table__).where(AdmDecision.__table__.c.id == draft).values(
            social_worker="Sam Worker"))
    after = _row(any_db, AdmDecision, draft)
    assert after is not None and after["salutation"] == "Ms Testcase" and after["social_worker"] == "Sam Worker"
    assert _row(any_db, AdmDecision, signed) == before


def test_approved_minutes_are_not_changed_or_deleted_by_a_statement(any_db: Database) -> None:
    clerk, [(minutes, _decision)] = _approved(any_db)
    before = _row(any_db, PanelMinutes, minutes)
    assert before is not None and before["status"] == "approved" and before["adm_decision_id"]
    table = PanelMinutes.__table__
    for statement in (update(PanelMinutes).where(PanelMinutes.id == minutes).values(reasons="Rewritten."),
                      update(PanelMinutes).where(PanelMinutes.status == "approved").values(status="draft"),
                      update(table).values(vote="majority"),
                      # the hand-off fields are filled in once, at the approval: not rewritten afterwards
                      update(PanelMinutes).where(PanelMinutes.id == minutes).values(adm_decision_id=999),
                      update(PanelMinutes).values(handed_off_on=None, adm_decision_id=None),
                      delete(PanelMinutes).where(PanelMinutes.id == minutes),
                      delete(table)):
        _refused(any_db, clerk, statement, LOCKED)
    assert _row(any_db, PanelMinutes, minutes) == before

    with pytest.raises(Conflict) as err, any_db.session(clerk) as session:  # the ORM path says the same
        session.get(PanelMinutes, minutes).reasons = "Rewritten."  # type: ignore[union-attr]
    assert str(err.value) == LOCKED

    # a correction (a new draft version) is not locked, by a statement either
    panel.correct_minutes(any_db, clerk, panel_item(any_db, minutes), "The vote was recorded wrongly.")
    with any_db.session(clerk) as session:
        n = session.execute(update(PanelMinutes).where(PanelMinutes.status == "draft").values(vote="majority"))
    assert n.rowcount == 1  # type: ignore[attr-defined]
    assert _row(any_db, PanelMinutes, minutes) == before


def panel_item(db: Database, minutes: int) -> int:
    found = _row(db, PanelMinutes, minutes)
    assert found is not None
    return int(found["item_id"])


def test_the_other_pc_cannot_change_a_decision_signed_on_this_one(db: Database, other_pc: Database) -> None:
    decider, signed, _draft = _signed(db)
    before = _row(db, AdmDecision, signed)
    _refused(other_pc, decider, update(AdmDecision).where(AdmDecision.id == signed).values(
        decision_text="Not approved."), SIGNED_IS_FINAL)
    _refused(other_pc, decider, delete(AdmDecision).where(AdmDecision.id == signed), SIGNED_IS_FINAL)
    assert _row(db, AdmDecision, signed) == before == _row(other_pc, AdmDecision, signed)


def test_the_sessions_legacy_bulk_methods_are_refused_not_written_unrecorded(db: Database) -> None:
    """``Session.bulk_update_mappings``, ``bulk_save_objects`` and ``bulk_insert_mappings`` write through the
    session with neither a flush nor a statement event: a signed decision was rewritten through them with no
    refusal and no audit entry (only ``verify`` said so, later). The program's sessions refuse them, nothing
    written; ``session.execute(update(Model), [...])`` is the form that is guarded, recorded and sealed."""
    decider, signed, draft = _signed(db)
    before, draft_before = _row(db, AdmDecision, signed), _row(db, AdmDecision, draft)
    assert before is not None and draft_before is not None
    with pytest.raises(NotImplementedError, match="nothing was written"), db.session(decider) as session:
        session.bulk_update_mappings(AdmDecision, [  # type: ignore[arg-type]
            {"id": signed, "row_version": before["row_version"], "decision_text": "Not approved."}])
    with pytest.raises(NotImplementedError, match="nothing was written"), db.session(decider) as session:
        found = session.get(AdmDecision, draft)
        assert found is not None
        found.decision_text = "Redrafted."
        session.bulk_save_objects([found])
    with pytest.raises(NotImplementedError, match="nothing was written"), db.session(decider) as session:
        session.bulk_insert_mappings(AdmDecision, [{**draft_before, "id": draft + 100}])  # type: ignore[arg-type]
    assert _row(db, AdmDecision, signed) == before
    assert _row(db, AdmDecision, draft) == draft_before
    assert _row(db, AdmDecision, draft + 100) is None
    assert [p for p in verify_database(db).problems if not p.startswith("search:")] == []
