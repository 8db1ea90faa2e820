"""ADM use cases on a real SQLCipher file: pause, signing, refusal of panel members, immutability,
corrections, qualifying determination, letters read back."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from adoption_desktop.adm import service
from adoption_desktop.adm.figures import MEDIAN_WORKING_DAYS
from adoption_desktop.adm.models import AdmDecision, AdmLetter
from adoption_desktop.core.errors import Conflict, PermissionDenied, ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.settings_service import set_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey.settings import PLAN_TO_PANEL_MONTHS
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD, make_user

D = dt.date


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages)


def opened(db: Database, **kw: object) -> int:
    with db.session() as s:
        return open_from_panel(s, handoff(**kw))  # type: ignore[arg-type]


def signed(db: Database, adm: Principal, **kw: object) -> int:
    did = opened(db, **kw)
    service.record_decision(db, adm, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    service.sign_decision(db, adm, did, TEST_PASSWORD, D(2025, 12, 3))
    return did


def test_pause_for_more_information(db: Database, adm_user: Principal) -> None:
    did = opened(db, received=D(2025, 12, 1))
    today = D(2025, 12, 8)
    service.request_information(db, adm_user, did, what="The updated medical report.", requested_on=D(2025, 12, 4))
    row = next(r for r in service.list_queue(db, adm_user, today) if r.id == did)
    assert row.state == "paused" and row.due_on is None and row.paused_since == D(2025, 12, 4)
    assert row.clock_code == "paused" and "04/12/2025" in row.clock_label
    with pytest.raises(Conflict):
        service.sign_decision(db, adm_user, did, TEST_PASSWORD, today)
    new_due = service.log_information(db, adm_user, did, received_on=D(2025, 12, 15), note="report arrived")
    assert new_due == D(2025, 12, 19)
    detail = service.get_decision(db, adm_user, did, today)
    assert detail.row.state == "pending" and detail.row.due_on == D(2025, 12, 19)
    assert detail.info_requests[0].received_on == D(2025, 12, 15)
    request_letter = next(x for x in detail.letters if x.kind == "adm_more_information")
    text = pdf_text(service.letter_pdf(db, adm_user, request_letter.id))
    assert "updated medical report" in text and "4 December 2025" in text


def test_sign_and_letter(db: Database, adm_user: Principal) -> None:
    did = opened(db, ref="ADP-2025-0042")
    service.set_letter_details(db, adm_user, did, addressee="Mr and Mrs Testcase\n1 Any Road\nZZ99 1AA",
                               salutation="Mr and Mrs Testcase", social_worker="")
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="The panel's reasons are sound.")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 3))
    text = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    for part in ("ADP-2025-0042", "Approved as suitable to adopt.", "The panel's reasons are sound.",
                 "3 December 2025", "Decider Tester", "ZZ99 1AA"):
        assert part in text
    d = service.get_decision(db, adm_user, did, D(2025, 12, 3))
    assert d.row.state == "signed" and d.signed_at is not None and d.row.clock_code == "decided_on_time"
    assert d.oral_due == D(2025, 12, 5) and d.written_due == D(2025, 12, 10)
    service.mark_letter_sent(db, adm_user, res.letter_id, D(2025, 12, 4))
    service.record_oral_notification(db, adm_user, did, D(2025, 12, 3))
    d = service.get_decision(db, adm_user, did, D(2025, 12, 4))
    assert d.written_notified_on == D(2025, 12, 4) and d.oral_notified_on == D(2025, 12, 3)
    assert d.letters[0].sent_on == D(2025, 12, 4)


def test_wrong_password_refused(db: Database, adm_user: Principal) -> None:
    did = opened(db)
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved.", reasons="")
    with pytest.raises(ValidationError) as err:
        service.sign_decision(db, adm_user, did, "wrong", D(2025, 12, 3))
    assert err.value.field == "password"


def test_panel_member_by_linked_user_can_neither_record_nor_sign(db: Database, adm_user: Principal,
                                                                 panel_member: Principal) -> None:
    """A panel member with the ADM role: refused by the link to their user account, whatever their name."""
    by_id = opened(db, member_ids=(panel_member.user_id,), member_names=("Someone Else Entirely",))
    with pytest.raises(PermissionDenied, match="sat on the panel"):
        service.record_decision(db, panel_member, by_id, outcome="agree", decision_text="Approved.", reasons="")
    with pytest.raises(PermissionDenied, match="sat on the panel"):
        service.request_information(db, panel_member, by_id, what="More papers please.",
                                    requested_on=D(2025, 12, 2))
    service.record_decision(db, adm_user, by_id, outcome="agree", decision_text="Approved.", reasons="")
    with pytest.raises(PermissionDenied, match="sat on the panel"):
        service.sign_decision(db, panel_member, by_id, TEST_PASSWORD, D(2025, 12, 3))
    detail = service.get_decision(db, panel_member, by_id, D(2025, 12, 3))
    assert "may neither record nor sign" in detail.conflict_refusal
    # someone who did not sit may sign
    service.sign_decision(db, adm_user, by_id, TEST_PASSWORD, D(2025, 12, 3))


def test_name_match_with_an_unlinked_member_warns_but_does_not_refuse(db: Database,
                                                                      panel_member: Principal) -> None:
    from adoption_desktop.core.handoff import PanelHandoff

    def with_unlinked(names: tuple[str, ...], unlinked: tuple[str, ...]) -> int:
        h: PanelHandoff = handoff(member_names=("Alex Member", *names))
        with db.session() as session:
            return open_from_panel(session, replace(h, unlinked_member_names=unlinked))

    name = "Mr " + panel_member.full_name.upper()
    did = with_unlinked((name,), (name,))
    assert service.decision_warnings(db, panel_member, did)
    assert "not linked" in service.get_decision(db, panel_member, did, D(2025, 12, 3)).conflict_warning
    service.record_decision(db, panel_member, did, outcome="agree", decision_text="Approved.", reasons="")
    result = service.sign_decision(db, panel_member, did, TEST_PASSWORD, D(2025, 12, 3))
    assert result.warnings and panel_member.full_name.upper() in result.warnings[0]
    # a name matching a member who is linked (to another user) is no warning: the link decides
    other = with_unlinked((panel_member.full_name,), ())
    assert service.decision_warnings(db, panel_member, other) == []


def test_role_without_decide_permission_refused(db: Database) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    did = opened(db)
    with pytest.raises(PermissionDenied):
        service.record_decision(db, clerk, did, outcome="agree", decision_text="x", reasons="")


def test_signed_decision_is_immutable_through_every_path(db: Database, adm_user: Principal) -> None:
    did = signed(db, adm_user)
    for call in (
        lambda: service.record_decision(db, adm_user, did, outcome="differ", decision_text="Changed",
                                        reasons="Changed reasons here"),
        lambda: service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 5)),
        lambda: service.request_information(db, adm_user, did, what="More please", requested_on=D(2025, 12, 5)),
        lambda: service.set_letter_details(db, adm_user, did, addressee="x", salutation="y", social_worker=""),
    ):
        with pytest.raises(Conflict):
            call()
    # the ORM path around the services is refused at flush time
    with pytest.raises(Conflict), db.session() as s:
        d = s.get(AdmDecision, did)
        assert d is not None
        d.decision_text = "tampered"
    with pytest.raises(Conflict), db.session() as s:
        d = s.get(AdmDecision, did)
        assert d is not None
        s.delete(d)
    with db.session() as s:
        d = s.get(AdmDecision, did)
        assert d is not None and d.decision_text == "Approved as suitable to adopt."


def test_cli_cannot_change_a_signed_decision(db: Database, adm_user: Principal, tmp_path: Path) -> None:
    """The only ADM headless command exports; it leaves the decision as signed."""
    from adoption_desktop.core.security.permissions import SYSTEM

    did = signed(db, adm_user)
    with db.session() as s:
        before = s.execute(select(AdmDecision.__table__).where(AdmDecision.id == did)).one()
    service.export_decision_letter(db, SYSTEM, did, tmp_path / "x.pdf")
    with pytest.raises(Conflict):
        service.record_decision(db, SYSTEM, did, outcome="differ", decision_text="x", reasons="y" * 20)
    with db.session() as s:
        after = s.execute(select(AdmDecision.__table__).where(AdmDecision.id == did)).one()
    assert before == after


def test_correction_creates_a_new_version(db: Database, adm_user: Principal) -> None:
    did = signed(db, adm_user)
    with pytest.raises(ValidationError):
        service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="", outcome="agree",
                                 decision_text="x", reasons="", decided_on=D(2025, 12, 4))
    res = service.correct_decision(
        db, adm_user, did, TEST_PASSWORD, reason="The age range in the advice was typed wrongly.",
        outcome="agree", decision_text="Approved as suitable to adopt up to two children aged 0 to 4.",
        reasons="I agree with the panel's reasons.", decided_on=D(2025, 12, 4))
    assert res.decision_id != did
    old = service.get_decision(db, adm_user, did, D(2025, 12, 5))
    new = service.get_decision(db, adm_user, res.decision_id, D(2025, 12, 5))
    assert old.decision_text == "Approved as suitable to adopt." and old.row.superseded
    assert [v.version for v in new.history] == [1, 2] and new.history[1].supersedes_id == did
    assert new.correction_reason.startswith("The age range")
    queue = service.list_queue(db, adm_user, D(2025, 12, 5))
    assert [r.id for r in queue] == [res.decision_id]
    text = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    assert "aged 0 to 4" in text and "version 2" in text
    with pytest.raises(Conflict, match="already been corrected"):
        service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="Again and again", outcome="agree",
                                 decision_text="x", reasons="", decided_on=D(2025, 12, 4))


def test_qualifying_determination_flow(db: Database, adm_user: Principal, tmp_path: Path) -> None:
    did = opened(db, recommendation="not_suitable", ref="ADP-2025-0099")
    with pytest.raises(ValidationError) as err:
        service.record_decision(db, adm_user, did, outcome="agree", decision_text="Not approved", reasons="")
        service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 1))
    assert err.value.field == "outcome"
    service.record_decision(db, adm_user, did, outcome="not_approve",
                            decision_text="I propose not to approve you as prospective adopters.",
                            reasons="The assessment did not show capacity to meet a child's needs.")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 1))
    assert res.qd_id is not None
    service.mark_letter_sent(db, adm_user, res.letter_id, D(2025, 12, 1))  # the notice went the day it was signed
    detail = service.get_decision(db, adm_user, did, D(2025, 12, 2))
    assert detail.qd is not None and detail.qd.deadline == D(2026, 1, 28)
    text = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    for part in ("ADP-2025-0099", "28 January 2026", "40 working days", "Independent Review Mechanism",
                 "capacity to meet a child's needs"):
        assert part in text
    with pytest.raises(Conflict):
        service.open_final_decision(db, adm_user, res.qd_id, D(2026, 1, 5))
    with pytest.raises(ValidationError):
        service.record_representations(db, adm_user, res.qd_id, received_on=D(2026, 2, 2), summary="late")
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2026, 1, 12),
                                   summary="The applicants sent references from their support network.")
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2026, 1, 13))
    final = service.get_decision(db, adm_user, final_id, D(2026, 1, 13))
    assert final.row.source == "qd_final" and final.row.due_on == D(2026, 1, 21)
    service.record_decision(db, adm_user, final_id, outcome="differ",
                            decision_text="Approved as suitable to adopt one child aged 2 to 6.",
                            reasons="The references answer the concerns raised in the assessment.")
    fres = service.sign_decision(db, adm_user, final_id, TEST_PASSWORD, D(2026, 1, 15))
    qd = service.get_decision(db, adm_user, did, D(2026, 1, 15)).qd
    assert qd is not None and qd.final_outcome == "approved" and qd.final_decision_id == final_id
    text = pdf_text(service.letter_pdf(db, adm_user, fres.letter_id))
    flat = " ".join(text.split())
    # the staff's note of the representations is theirs, not quoted back to the applicants
    assert "references from their support network" not in flat and "one child aged 2 to 6" in flat
    assert "We received your representations on 12 January 2026, and I have considered them." in flat
    assert "Final decision after the qualifying determination" not in flat
    with pytest.raises(Conflict):
        service.record_irm_application(db, adm_user, res.qd_id, applied_on=D(2026, 1, 14))


def test_a_termination_is_proposed_and_decided_in_its_own_words(db: Database, adm_user: Principal) -> None:
    """A proposal to end an approval is not a proposal "not to approve": the notice's subject, its
    summary row and the final decision's row say what happens to the approval."""
    did = opened(db, case_type="termination", recommendation="terminate", ref="ADP-2025-0120")
    service.record_decision(db, adm_user, did, outcome="not_approve",
                            decision_text="I propose that your approval as prospective adopters should end.",
                            reasons="The adopters asked for their approval to end.")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 1))
    assert res.qd_id is not None
    service.mark_letter_sent(db, adm_user, res.letter_id, D(2025, 12, 1))  # the notice went the day it was signed
    text = " ".join(pdf_text(service.letter_pdf(db, adm_user, res.letter_id)).split())
    assert "Proposed decision to end your approval as prospective adopters (ADP-2025-0120)" in text
    assert "Proposed to end the approval (qualifying determination)" in text
    assert "I propose that your approval as prospective adopters should end." in text
    assert "not to approve" not in text and "Proposed not to approve" not in text
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2026, 2, 2))
    service.record_decision(db, adm_user, final_id, outcome="not_approve",
                            decision_text="My final decision is that your approval as prospective adopters "
                                          "should end.", reasons="No representations were received.")
    fres = service.sign_decision(db, adm_user, final_id, TEST_PASSWORD, D(2026, 2, 3))
    final = " ".join(pdf_text(service.letter_pdf(db, adm_user, fres.letter_id)).split())
    assert "Final decision: approval ended" in final and "not approved" not in final
    assert "proposing to end your approval as prospective adopters" in final and "not to approve" not in final


def test_direct_plan_for_adoption(db: Database, adm_user: Principal) -> None:
    with pytest.raises(ValidationError) as err:
        service.open_direct_decision(db, adm_user, decision_type="plan_for_adoption", subject_reference="CH-1",
                                     subject_initials="J.K.", received_on=D(2026, 3, 2), proposal="Placed")
    assert err.value.field == "social_worker"
    did = service.open_direct_decision(
        db, adm_user, decision_type="plan_for_adoption", subject_reference="CH-2026-0007",
        subject_initials="J.K.", received_on=D(2026, 3, 2),
        proposal="The child J.K. should be placed for adoption.", social_worker="Robin Testworker")
    service.record_decision(db, adm_user, did, outcome="agree",
                            decision_text="J.K. should be placed for adoption.", reasons="")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2026, 3, 5))
    text = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    assert "Robin Testworker" in text and "CH-2026-0007" in text and "placed for adoption" in text
    # the match's target is the agency's own (setting journey.plan_to_panel_months, as its reports measure)
    assert "within 2 months of this decision, by 5 May 2026" in " ".join(text.split())
    row = next(r for r in service.list_queue(db, adm_user, D(2026, 3, 5)) if r.id == did)
    assert row.due_on == D(2026, 3, 11) and row.source == "direct"


def test_the_plan_letter_gives_the_agencys_own_target_for_the_match(db: Database, admin: Principal,
                                                                   adm_user: Principal) -> None:
    """ADM trial: the letter said "within six months" while the agency's reports measure two (its setting)."""
    set_setting(db, admin, PLAN_TO_PANEL_MONTHS, 3)
    did = service.open_direct_decision(
        db, adm_user, decision_type="plan_for_adoption", subject_reference="CH-2026-0008", subject_initials="J.K.",
        received_on=D(2026, 3, 2), proposal="The child should be placed for adoption.", social_worker="Robin Testworker")
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="J.K. should be placed for adoption.",
                            reasons="")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2026, 3, 5))
    text = " ".join(pdf_text(service.letter_pdf(db, adm_user, res.letter_id)).split())
    assert "within 3 months of this decision, by 5 June 2026" in text and "six months" not in text


@pytest.mark.parametrize("outcome", ["agree", "differ"])
def test_a_letter_to_the_social_worker_greets_them_and_names_no_panel(db: Database, adm_user: Principal,
                                                                      outcome: str) -> None:
    """ADM trial: a plan-for-adoption letter addressed to the child's social worker began "Dear Ms
    Birthparent-Example" (the "Letter to" person: a third person's name on the social worker's letter), and
    its table said "Agreed with the panel's recommendation" for a decision made without panel."""
    did = service.open_direct_decision(
        db, adm_user, decision_type="plan_for_adoption", subject_reference=f"CH-2026-00{len(outcome)}",
        subject_initials="Q.Z.", received_on=D(2026, 3, 2), proposal="The child should be placed for adoption.",
        social_worker="Sam Synthworker", addressee="Ms Bea Birthparent-Example\n1 Nowhere Lane\nZZ99 9ZZ",
        salutation="Ms Birthparent-Example")
    words = "should" if outcome == "agree" else "should not"
    service.record_decision(db, adm_user, did, outcome=outcome,
                            decision_text=f"I have decided that the child {words} be placed for adoption.",
                            reasons="The child's permanence report was considered carefully.")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2026, 3, 5))
    text = " ".join(pdf_text(service.letter_pdf(db, adm_user, res.letter_id)).split())
    if "Sam Synthworker" in text.split("Our reference")[0]:  # the letter goes to the social worker
        assert "Dear Sam Synthworker," in text and "Birthparent" not in text
    else:  # it goes to the person named in "Letter to"
        assert "Dear Ms Birthparent-Example," in text
    assert "panel's recommendation" not in text
    assert ("Agreed with the recommendation in the papers" if outcome == "agree"
            else "Decided differently from the recommendation in the papers") in text


def test_administrator_decision_types(db: Database, admin: Principal, adm_user: Principal) -> None:
    service.add_decision_type(db, admin, "Fostering for adoption", "Fostering for adoption placement")
    with pytest.raises(PermissionDenied):
        service.add_decision_type(db, adm_user, "x", "y")
    assert "fostering_for_adoption" in service.direct_types(db, adm_user)
    did = service.open_direct_decision(
        db, adm_user, decision_type="fostering_for_adoption", subject_reference="CH-9", subject_initials="Q.",
        received_on=D(2026, 3, 2), proposal="Place with approved carers", addressee="Carers\nZZ99 2BB")
    assert service.get_decision(db, adm_user, did, D(2026, 3, 2)).row.type_label == "Fostering for adoption placement"
    # a code in use is not relabelled unseen (two administrators adding one code: the second is told)
    with pytest.raises(ValidationError, match=r"'fostering_for_adoption' is already a decision type "
                                              r'\("Fostering for adoption placement"\)'):
        service.add_decision_type(db, admin, "fostering_for_adoption", "Foster to adopt")
    assert service.direct_types(db, adm_user)["fostering_for_adoption"] == "Fostering for adoption placement"


def test_my_work_names_a_type_an_administrator_added(db: Database, admin: Principal, adm_user: Principal) -> None:
    """ADM trial: My work read "Sgo support — Overdue by 1 WD" for the type "Special guardianship support plan"."""
    from adoption_desktop.reports.my_work import my_work

    service.add_decision_type(db, admin, "sgo_support", "Special guardianship support plan")
    service.open_direct_decision(db, adm_user, decision_type="sgo_support", subject_reference="ZZ-SGO-1",
                                 subject_initials="Q.Z.", received_on=D(2026, 3, 2), proposal="Agree the plan.",
                                 addressee="Mx Test Carer\n1 Nowhere Lane\nZZ99 9ZZ")
    lines = [f"{ln.title} | {ln.detail}" for sec in my_work(db, adm_user, D(2026, 3, 30)).sections for ln in sec.lines]
    mine = [ln for ln in lines if "ZZ-SGO-1" in ln]
    assert mine and all("Special guardianship support plan" in ln and "Sgo support" not in ln for ln in mine), lines


def test_batch_print_of_a_days_letters(db: Database, adm_user: Principal, tmp_path: Path) -> None:
    ids = [signed(db, adm_user, ref=f"ADP-B{i}") for i in range(3)]
    assert len(ids) == 3
    out = tmp_path / "day.pdf"
    seen: list[int] = []
    n = service.print_day(db, adm_user, D(2025, 12, 3), out, progress=lambda d, t: seen.append(d))
    assert n == 3 and seen[-1] == 3
    reader = PdfReader(str(out))
    assert len(reader.pages) >= 3
    text = " ".join(p.extract_text() or "" for p in reader.pages)
    assert all(f"ADP-B{i}" in text for i in range(3))
    assert service.letters_for_day(db, adm_user, D(2025, 12, 3))[0].subject_reference == "ADP-B0"


def test_letters_are_stored_encrypted_not_on_disk(db: Database, adm_user: Principal, tmp_path: Path) -> None:
    signed(db, adm_user)
    with db.session() as s:
        assert s.scalars(select(AdmLetter.pdf)).first()[:4] == b"%PDF"  # type: ignore[index]
    raw = db.path.read_bytes() if db.path else b""
    assert b"%PDF" not in raw


def test_figures_for_a_period(db: Database, adm_user: Principal) -> None:
    from adoption_desktop.adm.figures import figures

    signed(db, adm_user)  # received 1 Dec, decided 3 Dec (in time, 2 WD)
    late = opened(db, received=D(2025, 11, 3), recommendation="not_suitable")  # approved after all
    service.record_decision(db, adm_user, late, outcome="differ", decision_text="Approved for one child.",
                            reasons="One child suits the household's support network better.")
    with pytest.raises(ValidationError, match="Reason for delay: this decision is 13 working days past") as err:
        service.sign_decision(db, adm_user, late, TEST_PASSWORD, D(2025, 12, 1))  # late: a reason is needed
    assert err.value.field == "delay_reason"
    assert service.lateness(db, adm_user, late, D(2025, 12, 1)) == 13
    service.sign_decision(db, adm_user, late, TEST_PASSWORD, D(2025, 12, 1),
                          delay_reason="The minutes arrived incomplete and were corrected first.")
    with db.session() as s:
        assert s.get(AdmDecision, late).delay_reason == "The minutes arrived incomplete and were corrected first."
    manager = make_user(db, "boss", Role.MANAGER)
    sections = {s.title: dict(s.rows) for s in figures(db, manager, D(2025, 11, 1), D(2025, 12, 31))}
    main = sections["ADM decisions"]
    assert main["Decisions signed"] == "2"
    assert main["Made within the timescale (all decisions, with or without panel)"] == "50% (1 of 2)"
    assert main["Decisions differing from the panel's recommendation"] == "50% (1 of 2)"
    assert main[MEDIAN_WORKING_DAYS] == "11"
    assert sections["ADM decisions by type and outcome"]["Approval of prospective adopters: total"] == "2"
    delays = sections["Late decisions (signed past the statutory deadline)"]
    assert delays["Decisions signed late"] == "50% (1 of 2)"
    assert delays["Late decisions with a reason for delay recorded"] == "1"
    assert delays["Decided 01/12/2025, 13 WD late (Approval of prospective adopters)"] == "reason recorded: yes"
    assert delays["Signed late: Approval of prospective adopters"] == "1"
    assert "The minutes arrived" not in repr(sections)  # the reason stays on the ADM's screens


def test_sign_and_guard_on_every_store(any_db: Database) -> None:
    """The same flow on SQLCipher and PostgreSQL (portable SQL, LargeBinary letters, the flush guard)."""
    adm = make_user(any_db, "pgdecider", Role.AGENCY_DECISION_MAKER)
    did = signed(any_db, adm)
    with pytest.raises(Conflict), any_db.session() as s:
        d = s.get(AdmDecision, did)
        assert d is not None
        d.outcome = "differ"
    detail = service.get_decision(any_db, adm, did, D(2025, 12, 4))
    assert detail.row.state == "signed" and detail.letters
    assert pdf_text(service.letter_pdf(any_db, adm, detail.letters[0].id)).count("Approved as suitable") >= 1


@pytest.mark.parametrize("own_words", [True, False])
def test_the_panels_advice_is_accepted_in_the_letter_only_when_nothing_else_was_decided(
        db: Database, adm_user: Principal, own_words: bool) -> None:
    """User trial: an approval on other terms than the panel's advice ("one child aged 0-4" against "up to two
    children aged 0 to 5") went on "The panel's advice, which I accept, is: …", contradicting itself."""
    from adoption_desktop.adm import rules

    did = opened(db, ref="ADP-2025-0043")
    d = service.get_decision(db, adm_user, did, D(2025, 12, 3))
    text = ("You are suitable to adopt one child aged 0 to 4." if own_words else
            rules.decision_sentence(d.row.decision_type, d.row.recommendation, "agree", d.row.source))
    service.record_decision(db, adm_user, did, outcome="agree", decision_text=text, reasons="")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 3))
    letter = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    if own_words:
        assert "one child aged 0 to 4" in letter
        assert "The panel's advice was: Up to two children aged 0 to 5." in letter and "which I accept" not in letter
    else:
        assert "The panel's advice, which I accept, is: Up to two children aged 0 to 5." in letter
