"""User trial (6 December 2026, "mistakes"): a member recorded as apologies who was in fact present, corrected in a
correction of the minutes, must then be kept from deciding the case (the ADM conflict rule reads the item's
members from the panel's tables at record/sign time), and the decision's member lists follow the approved
correction. A signed decision is final: the correction says it cannot change who decided, and notes it.
Two sessions on one SQLCipher file: the panel administrator correcting while the ADM signs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from adoption_desktop.adm import service as adm
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as panel
from adoption_desktop.panel import undo as panel_undo
from tests.adm.conftest import ADDRESS
from tests.conftest import TEST_PASSWORD, make_user, papers_received
from tests.panel.conftest import MEMBERS

SITTING_DAY, APPROVED, SIGNED, CORRECTED = (dt.date(2026, 11, 10), dt.date(2026, 11, 23), dt.date(2026, 11, 24),
                                            dt.date(2026, 11, 26))
PRESENT = ("chair", "vice", "sw", "med", "pe")
REASON = "Eli Fenwick was present; recorded as apologies in error."


class Case:
    """One approval item approved and handed to the ADM; Eli Fenwick (sw2) recorded as apologies, whose
    central-list entry is linked to the account of a deputy decision maker (``deputy``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.clerk = make_user(db, "att_clerk", Role.PANEL_ADMINISTRATOR)
        self.chair = make_user(db, "att_chair", Role.PANEL_CHAIR)
        self.adm = make_user(db, "att_adm", Role.AGENCY_DECISION_MAKER)
        self.deputy = make_user(db, "att_deputy", Role.AGENCY_DECISION_MAKER)
        links = {"chair": self.chair.user_id, "sw2": self.deputy.user_id}
        self.ids = {key: panel.add_member(db, self.clerk, panel.MemberInput(
            name, role, dt.date(2024, 1, 1), pqe, ind, user_id=links.get(key), appraisal_due=dt.date(2027, 6, 1),
            dbs_checked_on=dt.date(2025, 1, 1), training_on=dt.date(2026, 6, 1)), today=APPROVED).id
            for key, (name, role, pqe, ind) in MEMBERS.items()}
        self.sitting = panel.schedule_sittings(db, self.clerk,
                                               panel.SittingInput(SITTING_DAY, "10:00", "13:00", "Room 2"))[0]
        for key in PRESENT:
            panel.set_attendance(db, self.clerk, self.sitting, self.ids[key], "present")
        panel.set_attendance(db, self.clerk, self.sitting, self.ids["sw2"], "apologies")
        self.item = papers_received(db, self.clerk, panel.add_item(
            db, self.clerk, self.sitting, panel.ItemInput("approval", "ADP-71", "C.D.")), SITTING_DAY)
        self.minutes(PRESENT, APPROVED)
        row = panel.approve_minutes(db, self.chair, self.item, TEST_PASSWORD, today=APPROVED)
        assert row.adm_decision_id
        self.decision = row.adm_decision_id

    def minutes(self, present: tuple[str, ...], day: dt.date, db: Database | None = None) -> None:
        panel.save_minutes(db or self.db, self.clerk, self.item, panel.MinutesDraft(
            outcome="suitable", reasons="Thorough assessment.", discussion="Questions answered.", vote="unanimous",
            member_views={self.ids[k]: "Agrees." for k in present}), today=day)
        panel.submit_minutes(db or self.db, self.clerk, self.item, today=day)

    def decided(self, by: Principal, db: Database | None = None) -> None:
        adm.save_draft_decision(db or self.db, by, self.decision, outcome="agree",
                                decision_text="Approved as suitable to adopt.", reasons="", addressee=ADDRESS,
                                salutation="", social_worker="")

    def stored(self) -> AdmDecision:
        with self.db.session(write=False) as s:
            d = s.get(AdmDecision, self.decision)
            assert d is not None
            s.expunge(d)
            return d


def test_a_member_added_by_the_correction_is_refused_at_signing(db: Database) -> None:
    case = Case(db)
    case.decided(case.deputy)  # not at the item as approved: may decide
    panel.correct_minutes(db, case.clerk, case.item, REASON)
    panel.set_attendance(db, case.clerk, case.sitting, case.ids["sw2"], "present")
    case.minutes((*PRESENT, "sw2"), CORRECTED)
    panel.approve_minutes(db, case.chair, case.item, TEST_PASSWORD, today=CORRECTED)
    d = case.stored()
    # the decision's member lists follow the approved correction
    assert "Eli Fenwick" in json.loads(d.member_names)
    assert case.deputy.user_id in json.loads(d.member_user_ids)
    with pytest.raises(PermissionDenied):
        adm.sign_decision(db, case.deputy, case.decision, TEST_PASSWORD, CORRECTED)
    assert case.stored().signed_at is None
    case.decided(case.adm)
    adm.sign_decision(db, case.adm, case.decision, TEST_PASSWORD, CORRECTED)  # someone who did not sit signs


def test_a_signed_decision_is_final_and_the_correction_says_so(db: Database) -> None:
    case = Case(db)
    case.decided(case.deputy)
    adm.sign_decision(db, case.deputy, case.decision, TEST_PASSWORD, SIGNED)
    panel.correct_minutes(db, case.clerk, case.item, REASON)
    panel.set_attendance(db, case.clerk, case.sitting, case.ids["sw2"], "present")
    said = ("on 24/11/2026: a signed decision is final, so this correction cannot change who decided. When the "
            "correction is approved the decision is flagged for the ADM to review.")
    correction = panel.minutes_history(db, case.clerk, case.item)[-1]
    assert correction.correction_reason.startswith(REASON + "\n\nThe ADM decision on this case was signed by ")
    assert correction.correction_reason.endswith(said)
    with db.session(write=False) as s:
        entry = s.scalars(select(AuditEntry.detail).where(AuditEntry.action == "correction_changed")).one()
    assert "Eli Fenwick marked present at the sitting (was apologies)" in entry
    assert "this correction cannot change who decided" in entry
    before = case.stored()
    case.minutes((*PRESENT, "sw2"), CORRECTED)
    panel.approve_minutes(db, case.chair, case.item, TEST_PASSWORD, today=CORRECTED)
    after = case.stored()
    assert after.signed_at == before.signed_at and after.member_names == before.member_names
    with db.session(write=False) as s:
        assert s.scalars(select(AuditEntry.seq).where(AuditEntry.action == "minutes_corrected_after_signing")).all()


def test_two_pcs_the_clerk_corrects_first_then_the_adm_is_refused(db: Database, other_pc: Database) -> None:
    case = Case(db)
    case.decided(case.deputy, other_pc)
    panel.correct_minutes(db, case.clerk, case.item, REASON)
    panel.set_attendance(db, case.clerk, case.sitting, case.ids["sw2"], "present")
    # on the ADM's PC, with the correction still open: the member it added is already kept from deciding
    found = adm.minutes_correction(other_pc, case.deputy, case.decision)
    assert found is not None
    with pytest.raises(PermissionDenied):
        adm.sign_decision(other_pc, case.deputy, case.decision, TEST_PASSWORD, CORRECTED, sign_anyway=True,
                          correction_shown=found.version)
    assert case.stored().signed_at is None


def test_two_pcs_the_adm_signs_first_then_the_clerk_is_told(db: Database, other_pc: Database) -> None:
    case = Case(db)
    case.decided(case.deputy, other_pc)
    panel.correct_minutes(db, case.clerk, case.item, REASON)
    found = adm.minutes_correction(other_pc, case.deputy, case.decision)
    assert found is not None
    adm.sign_decision(other_pc, case.deputy, case.decision, TEST_PASSWORD, CORRECTED, sign_anyway=True,
                      correction_shown=found.version)
    panel.set_attendance(db, case.clerk, case.sitting, case.ids["sw2"], "present")
    correction = panel.minutes_history(db, case.clerk, case.item)[-1]
    assert "this correction cannot change who decided" in correction.correction_reason
    case.minutes((*PRESENT, "sw2"), CORRECTED)
    panel.approve_minutes(other_pc, case.chair, case.item, TEST_PASSWORD, today=CORRECTED)
    assert case.stored().signed_by_id == case.deputy.user_id  # the signed decision stands


def test_an_undo_in_a_correction_after_signing_says_so_too(db: Database) -> None:
    """Review of 6 December 2026: the undo of a mark made in the correction changed who counted but left no note
    on the correction (nor that the signed decision cannot follow it)."""
    case = Case(db)
    case.decided(case.deputy)
    adm.sign_decision(db, case.deputy, case.decision, TEST_PASSWORD, SIGNED)
    panel.correct_minutes(db, case.clerk, case.item, REASON)
    marked = panel_undo.set_attendance(db, case.clerk, case.sitting, case.ids["sw2"], "present")
    assert marked is not None
    marked.reverse()  # Undo: Eli back to apologies
    with db.session(write=False) as s:
        entries = list(s.scalars(select(AuditEntry.detail).where(AuditEntry.action == "correction_changed")
                                 .order_by(AuditEntry.seq)))
    assert len(entries) == 2
    assert "Eli Fenwick marked apologies at the sitting (was present) (by Undo or Redo)" in entries[1]
    assert "this correction cannot change who decided" in entries[1]
    reason = panel.minutes_history(db, case.clerk, case.item)[-1].correction_reason
    assert reason.count("this correction cannot change who decided") == 1  # said once, not per change
