"""User trial (6 December 2026): the chair approved a correction of minutes already handed to the ADM (the
outcome changed from "Remains suitable to adopt" to "No longer suitable to adopt"); the ADM queue and the
decision still showed the superseded recommendation, nothing said the minutes were corrected, and the family's
letter stated the old recommendation.

Now: a decision not yet signed takes the corrected recommendation, reasons and extract in the chair's
transaction, its clock runs from the correction's approval, the ADM's draft is kept, a note says what changed
and signing asks the ADM to confirm; a signed decision is not changed but flagged in the queue, the pane and
My work, and its correction (Correct…) rests on the corrected minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from adoption_desktop.adm import rules
from adoption_desktop.adm import service as adm
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.adm.views.queue_model import queue_filter
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as panel
from adoption_desktop.panel.models import PanelMinutes
from adoption_desktop.reports.my_work import OVERDUE, my_work
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import ADDRESS
from tests.conftest import TEST_PASSWORD, make_user, papers_received
from tests.panel.conftest import MEMBERS
from tests.undo_checks import assert_verified

# Tue 10/11 sitting; minutes approved Mon 23/11 (due 7 WD later: Wed 2/12); correction approved Thu 26/11
SITTING_DAY, APPROVED, CORRECTED = dt.date(2026, 11, 10), dt.date(2026, 11, 23), dt.date(2026, 11, 26)
REASON = "Wrong outcome recorded: the panel recommended that approval ends."
PRESENT = ("chair", "vice", "sw", "med", "pe")
OLD, NEW = "Remains suitable to adopt", "No longer suitable to adopt"


class Case:
    """One review item's minutes approved and handed to the ADM, and the people who work on it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.clerk = make_user(db, "rev_clerk", Role.PANEL_ADMINISTRATOR)
        self.chair = make_user(db, "rev_chair", Role.PANEL_CHAIR)
        self.adm = make_user(db, "rev_adm", Role.AGENCY_DECISION_MAKER)
        self.ids = {key: panel.add_member(db, self.clerk, panel.MemberInput(
            name, role, dt.date(2024, 1, 1), pqe, ind, user_id=self.chair.user_id if key == "chair" else None,
            appraisal_due=dt.date(2027, 6, 1), dbs_checked_on=dt.date(2025, 1, 1),
            training_on=dt.date(2026, 6, 1)), today=APPROVED).id
            for key, (name, role, pqe, ind) in MEMBERS.items()}
        sitting = panel.schedule_sittings(db, self.clerk,
                                          panel.SittingInput(SITTING_DAY, "10:00", "13:00", "Room 2"))[0]
        for key in PRESENT:
            panel.set_attendance(db, self.clerk, sitting, self.ids[key], "present")
        self.item = papers_received(db, self.clerk, panel.add_item(
            db, self.clerk, sitting, panel.ItemInput("review", "AD-2026-0304", "L.S.")), SITTING_DAY)
        self._minutes("remains_suitable", "Circumstances unchanged; still waiting for a match.", APPROVED)
        row = panel.approve_minutes(db, self.chair, self.item, TEST_PASSWORD, today=APPROVED)
        assert row.adm_decision_id
        self.decision = row.adm_decision_id

    def _minutes(self, outcome: str, reasons: str, day: dt.date) -> None:
        panel.save_minutes(self.db, self.clerk, self.item, panel.MinutesDraft(
            outcome=outcome, reasons=reasons, discussion="Questions answered.", vote="unanimous",
            member_views={self.ids[k]: "Agrees." for k in PRESENT}), today=day)
        panel.submit_minutes(self.db, self.clerk, self.item, today=day)

    def draft(self, expected_version: int | None = None) -> int:
        """The ADM's draft: agree, in the program's words for agreeing that they remain suitable."""
        return adm.save_draft_decision(
            self.db, self.adm, self.decision, outcome="agree",
            decision_text=rules.decision_sentence("review", "remains_suitable", "agree"), reasons="",
            addressee=ADDRESS, salutation="", social_worker="", expected_version=expected_version)

    def correct(self) -> None:
        """Make a correction…, the outcome changed with new reasons, sent, and approved by the chair."""
        panel.correct_minutes(self.db, self.clerk, self.item, REASON)
        self._minutes("no_longer_suitable", "They no longer wish to adopt.", CORRECTED)
        panel.approve_minutes(self.db, self.chair, self.item, TEST_PASSWORD, today=CORRECTED)

    def stored(self) -> AdmDecision:
        with self.db.session(write=False) as s:
            d = s.get(AdmDecision, self.decision)
            assert d is not None
            s.expunge(d)
            return d


def _entries(db: Database, action: str, entity: str = "adm_decisions") -> list[str]:
    with db.session(write=False) as s:
        return list(s.scalars(select(AuditEntry.detail).where(AuditEntry.action == action,
                                                              AuditEntry.entity == entity)))


def test_the_pending_decision_takes_the_corrected_recommendation(db: Database) -> None:
    case = Case(db)
    case.draft()
    before = adm.get_decision(db, case.adm, case.decision, CORRECTED)
    assert before.row.due_on == dt.date(2026, 12, 2) and before.minutes_note == ""
    case.correct()

    row = next(r for r in adm.list_queue(db, case.adm, CORRECTED) if r.id == case.decision)
    assert row.recommendation == "no_longer_suitable"
    d = adm.get_decision(db, case.adm, case.decision, CORRECTED)
    assert d.recommendation_text == NEW and d.recommendation_reasons == "They no longer wish to adopt."
    assert f"Recommendation: {NEW}" in d.minutes_extract and OLD not in d.minutes_extract
    # the final minutes were received again on the correction's approval: 7 working days from Thu 26/11
    assert d.row.received_on == CORRECTED and d.row.due_on == dt.date(2026, 12, 7)
    # the ADM's draft is kept as it was left
    assert d.row.outcome == "agree" and d.decision_text == rules.decision_sentence("review", "remains_suitable",
                                                                                   "agree")
    assert d.addressee == ADDRESS
    # and the decision says what happened
    assert not d.minutes_flag
    assert (f"The panel's minutes were corrected on 26/11/2026 (version 2): the recommendation changed from "
            f"\"{OLD}\" to \"{NEW}\"") in d.minutes_note
    assert REASON in d.minutes_note and "due by 07/12/2026" in d.minutes_note
    # the earlier date is kept in the audit entry of the change
    [entry] = _entries(db, "minutes_corrected")
    assert "first received 2026-11-23" in entry and "was due 2026-12-02" in entry and "due 2026-12-07" in entry
    # the panel's correction is recorded as handed off, like the first hand-off
    with db.session(write=False) as s:
        v2 = s.scalars(select(PanelMinutes).where(PanelMinutes.item_id == case.item,
                                                  PanelMinutes.version == 2)).one()
        assert v2.handed_off_on == CORRECTED and v2.adm_decision_id == case.decision
    assert_verified(db)

    # signing asks the ADM to confirm they have read what changed, for this correction
    found = adm.minutes_correction(db, case.adm, case.decision)
    assert found is not None and found.version == 2
    assert NEW in adm.minutes_correction_warning(found)
    adm.save_draft_decision(db, case.adm, case.decision, outcome="not_approve",
                            decision_text=rules.decision_sentence("review", "no_longer_suitable", "not_approve"),
                            reasons="They told the panel they no longer wish to adopt.", addressee=ADDRESS,
                            salutation="", social_worker="")
    with pytest.raises(ValidationError, match="recommendation changed from") as err:
        adm.sign_decision(db, case.adm, case.decision, TEST_PASSWORD, CORRECTED)
    assert err.value.field == "minutes_correction"
    adm.sign_decision(db, case.adm, case.decision, TEST_PASSWORD, CORRECTED, sign_anyway=True,
                      correction_shown=found.version)
    [sign] = _entries(db, "sign")
    assert "signed after confirming the corrected panel minutes: version 2" in sign
    assert case.stored().recommendation == "no_longer_suitable"
    # signed on the corrected minutes: no flag, nothing owed for it in the queue
    row = next(r for r in adm.list_queue(db, case.adm, CORRECTED) if r.id == case.decision)
    assert row.clock_code != "minutes_corrected"
    assert not adm.get_decision(db, case.adm, case.decision, CORRECTED).minutes_flag
    assert_verified(db)


def test_a_draft_saved_from_the_old_screen_is_a_conflict_not_an_overwrite(db: Database) -> None:
    """Two sessions: the ADM has the decision open (version shown) while the chair approves the correction."""
    case = Case(db)
    shown = case.draft()  # the ADM's screen holds this version
    case.correct()  # the chair, on another PC
    with pytest.raises(StaleRecord):
        adm.save_draft_decision(db, case.adm, case.decision, outcome="differ", decision_text="",
                                reasons="Typed on the screen that still showed the old recommendation.",
                                addressee=ADDRESS, salutation="", social_worker="", expected_version=shown)
    d = case.stored()
    assert d.recommendation == "no_longer_suitable" and d.outcome == "agree"  # neither side lost
    assert d.decision_reasons == ""
    # the draft saved just before the chair's approval is kept by it, not overwritten
    assert d.decision_text == rules.decision_sentence("review", "remains_suitable", "agree")
    # reloaded, the ADM saves on the version the correction left
    case.draft(expected_version=int(d.row_version))
    assert_verified(db)


def test_the_chair_waits_for_an_adm_transaction_under_way(db: Database) -> None:
    """The ADM's save and the chair's approval in two open sessions at once: the approval's update waits for the
    ADM's transaction (the row is locked), then builds on what the ADM saved."""
    import threading

    case = Case(db)
    case.draft()
    panel.correct_minutes(db, case.clerk, case.item, REASON)
    case._minutes("no_longer_suitable", "They no longer wish to adopt.", CORRECTED)
    done: list[object] = []
    with db.session(case.adm) as s:
        d = s.get(AdmDecision, case.decision)
        assert d is not None
        d.decision_reasons = "Saved by the ADM while the chair was approving."
        s.flush()  # the ADM's transaction holds the write lock

        def approve() -> None:
            try:
                done.append(panel.approve_minutes(db, case.chair, case.item, TEST_PASSWORD, today=CORRECTED))
            except Exception as exc:  # reported below
                done.append(exc)

        chair = threading.Thread(target=approve)
        chair.start()
        chair.join(0.5)
        assert chair.is_alive(), "the approval did not wait for the ADM's open transaction"
    chair.join(60)
    assert done and not isinstance(done[0], Exception), done
    d2 = case.stored()
    assert d2.decision_reasons == "Saved by the ADM while the chair was approving."
    assert d2.recommendation == "no_longer_suitable"
    assert_verified(db)


def test_a_signed_decision_is_flagged_not_changed(db: Database) -> None:
    case = Case(db)
    case.draft()
    adm.sign_decision(db, case.adm, case.decision, TEST_PASSWORD, dt.date(2026, 11, 25))
    signed = case.stored()
    case.correct()

    after = case.stored()
    assert (after.recommendation, after.recommendation_text, after.row_version, after.received_on) == (
        signed.recommendation, signed.recommendation_text, signed.row_version, signed.received_on)
    flag = (f"Minutes corrected after this decision was signed: the recommendation is now \"{NEW}\"")
    d = adm.get_decision(db, case.adm, case.decision, CORRECTED)
    assert d.minutes_flag and flag in d.minutes_note and "Review whether a new decision is needed (Correct…)" \
        in d.minutes_note
    row = next(r for r in adm.list_queue(db, case.adm, CORRECTED) if r.id == case.decision)
    assert row.clock_code == "minutes_corrected" and row.clock_short == "Minutes corrected"
    assert flag in row.clock_label
    for state in ("open", "overdue"):  # "needs attention" in the queue's filters
        keep = queue_filter("", "", state, today=CORRECTED)
        assert keep is not None and keep(row)
    lines = [ln for s in my_work(db, case.adm, CORRECTED).sections if s.key == "adm" for ln in s.lines
             if ln.record_id == case.decision]
    assert lines and flag in lines[0].detail and lines[0].tone == OVERDUE
    assert lines[0].due is None  # not the day the correction was approved, shown as if a deadline
    assert len(_entries(db, "minutes_corrected_after_signing")) == 1
    assert_verified(db)

    # Correct…: the new version rests on the corrected minutes, and the flag is answered
    res = adm.correct_decision(
        db, case.adm, case.decision, TEST_PASSWORD, reason="The panel's minutes were corrected: approval ends.",
        outcome="not_approve", decision_text=rules.decision_sentence("review", "no_longer_suitable", "not_approve"),
        reasons="They told the panel they no longer wish to adopt.", decided_on=CORRECTED)
    new = adm.get_decision(db, case.adm, res.decision_id, CORRECTED)
    assert new.row.recommendation == "no_longer_suitable" and new.recommendation_text == NEW
    assert new.recommendation_reasons == "They no longer wish to adopt." and not new.minutes_flag
    assert all(r.clock_code != "minutes_corrected" for r in adm.list_queue(db, case.adm, CORRECTED))
    assert case.stored().recommendation == "remains_suitable"  # the signed version stays as it was
    assert_verified(db)


def test_the_adm_page_shows_the_note_and_the_flag(db: Database, qtbot: Any) -> None:
    case = Case(db)
    case.draft()
    case.correct()
    page = AdmPage(AppContext(db, case.adm, TaskRunner(synchronous=True)), today=CORRECTED)
    qtbot.addWidget(page)
    assert page.detail.detail is not None and page.detail.detail.row.id == case.decision
    text = page.detail.clock.text()
    assert "The panel&#x27;s minutes were corrected on 26/11/2026 (version 2)" in text
    assert f"from &quot;{OLD}&quot; to &quot;{NEW}&quot;" in text
    assert page.detail.recommendation.toPlainText() == NEW


def test_the_adm_page_flags_a_signed_decision(db: Database, qtbot: Any) -> None:
    case = Case(db)
    case.draft()
    adm.sign_decision(db, case.adm, case.decision, TEST_PASSWORD, dt.date(2026, 11, 25))
    case.correct()
    page = AdmPage(AppContext(db, case.adm, TaskRunner(synchronous=True)), today=CORRECTED)
    qtbot.addWidget(page)
    page.detail.show_detail(adm.get_decision(db, case.adm, case.decision, CORRECTED))
    text = page.detail.clock.text()
    assert "Minutes corrected after this decision was signed" in text
    assert text.index("color:") < text.index("Minutes corrected after")  # said in red, first
    assert page.detail.buttons["correct_button"].isEnabled()


def test_a_signed_decisions_corrected_minutes_keep_its_real_due_date(db: Database) -> None:
    """User trial: the queue's Due column showed the day the correction was approved (a Sunday, never a
    deadline) in red; the decision's stored due date was unchanged. The Clock column keeps the flag."""
    case = Case(db)
    case.draft()
    adm.sign_decision(db, case.adm, case.decision, TEST_PASSWORD, dt.date(2026, 11, 25))
    stored_due = case.stored().due_on
    case.correct()
    assert case.stored().due_on == stored_due
    row = next(r for r in adm.list_queue(db, case.adm, CORRECTED) if r.id == case.decision)
    assert row.clock_code == "minutes_corrected"  # still flagged (red, sorted with the overdue)
    assert row.due_on == stored_due and row.due_on != CORRECTED
