"""Counselling services on a real SQCipher file: referral checks, waiting list, requests, work, access."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from adoption_desktop.core.audit import AuditEntry, verify_chain
from adoption_desktop.core.errors import Conflict, PermissionDenied, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.settings_service import add_closure_day, set_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import documents, service
from adoption_desktop.counselling.settings import CHASE_WORKING_DAYS, PRIORITY_AGE

from .conftest import TODAY, pdf_text, records_received, referral

D = dt.date


def _audit(db: Database, action: str) -> list[AuditEntry]:
    with db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_referral_creates_case_with_reference_and_flags(db: Database, counsellor: Principal,
                                                        new_case: Callable[..., int]) -> None:
    case_id = new_case()
    detail = service.open_case(db, counsellor, case_id, today=TODAY)
    assert detail.reference == "BRC-2026-0001"
    assert detail.flags.counselling_required and detail.flags.pre_commencement
    assert detail.status == "Waiting"
    assert detail.age == 66
    assert any("adopted before 12/11/1975" in r for r in detail.priority_reasons)
    assert new_case(birth_name="Ben Ashby", adoption_order_date=D(1975, 11, 12)) != case_id
    second = service.open_case(db, counsellor, case_id + 1, today=TODAY)
    assert second.reference == "BRC-2026-0002"
    assert not second.flags.counselling_required and second.flags.pre_commencement


def test_applicant_under_18_is_refused_with_a_clear_message(db: Database, new_case: Callable[..., int]) -> None:
    with pytest.raises(ValidationError) as err:
        new_case(date_of_birth=D(2008, 10, 2), adoption_order_date=D(2009, 5, 1), referral_date=D(2026, 10, 1))
    assert err.value.field == "date_of_birth"
    assert "under 18" in str(err.value) and "02/10/2026" in str(err.value)
    # on the 18th birthday the referral is accepted
    assert new_case(date_of_birth=D(2008, 10, 1), adoption_order_date=D(2009, 5, 1),
                    referral_date=D(2026, 10, 1)) > 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"birth_name": " "}, "birth_name"),
    ({"referral_date": D(2027, 1, 1)}, "referral_date"),
    ({"adoption_order_date": D(1959, 1, 1)}, "adoption_order_date"),
    ({"referral_route": "agency"}, "referred_by"),
    ({"preferred_contact": "email", "email": ""}, "email"),
    ({"referral_route": "fax"}, "referral_route"),
])
def test_validation_names_the_field(db: Database, new_case: Callable[..., int], overrides: dict[str, object],
                                    field: str) -> None:
    with pytest.raises(ValidationError) as err:
        new_case(**overrides)
    assert err.value.field == field


def test_waiting_list_order_through_the_service(db: Database, admin: Principal, counsellor: Principal,
                                                new_case: Callable[..., int]) -> None:
    plain_early = new_case(referral_date=D(2025, 1, 10), date_of_birth=D(1989, 1, 1),
                           adoption_order_date=D(1990, 5, 1))
    pre75 = new_case(referral_date=D(2026, 3, 1), date_of_birth=D(1964, 1, 1), adoption_order_date=D(1965, 5, 1))
    both = new_case(referral_date=D(2026, 6, 1), date_of_birth=D(1950, 1, 1), adoption_order_date=D(1952, 5, 1))
    # aged 67, adopted after 1975 (at 16: only a child can be adopted, so nobody aged 75 today was adopted
    # after 1975); brought forward for age once the agency's age is 65
    old = new_case(referral_date=D(2025, 12, 1), date_of_birth=D(1959, 6, 1), adoption_order_date=D(1976, 5, 1))
    set_setting(db, admin, PRIORITY_AGE, 65)
    rows = service.caseload(db, counsellor, "waiting", today=TODAY)
    assert [r.id for r in rows] == [both, old, pre75, plain_early]
    assert rows[0].rank == 1 and "aged 76" in rows[0].reasons
    assert rows[3].days_waiting == (TODAY - D(2025, 1, 10)).days
    set_setting(db, admin, PRIORITY_AGE, 80)
    assert [r.id for r in service.caseload(db, counsellor, "waiting", today=TODAY)] == [pre75, both, plain_early,
                                                                                         old]
    service.allocate(db, counsellor, both, counsellor.user_id, on=TODAY)
    assert both not in [r.id for r in service.caseload(db, counsellor, "waiting", today=TODAY)]
    mine = service.caseload(db, counsellor, "mine", today=TODAY)
    assert [r.id for r in mine] == [both] and mine[0].status == "Allocated"
    assert mine[0].counsellor == "Corey Tester"


def test_chase_dates_use_bank_holidays_closure_days_and_the_setting(
        db: Database, admin: Principal, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case(referral_date=D(2025, 12, 1))
    req = service.add_request(db, counsellor, case_id, service.RequestInput(
        "archive", "Ambleford Record Office", D(2025, 12, 19), their_reference="ARO/123"), today=TODAY)
    detail = service.open_case(db, counsellor, case_id, today=D(2026, 1, 21))
    assert detail.requests[0].chase_due == D(2026, 1, 21)
    assert not detail.requests[0].overdue
    assert service.open_case(db, counsellor, case_id, today=D(2026, 1, 22)).requests[0].overdue
    # chasing moves the due date on; a closure day and a changed setting are respected
    add_closure_day(db, admin, D(2026, 4, 7), "Staff training")
    assert service.record_chase(db, counsellor, req, D(2026, 3, 20)).due == D(2026, 4, 22)
    set_setting(db, admin, CHASE_WORKING_DAYS, 10)
    # (chased again on the Monday: a second chase on the day already chased is refused)
    assert service.record_chase(db, counsellor, req, D(2026, 3, 23)).due == D(2026, 4, 9)  # Easter + closure
    row = service.open_case(db, counsellor, case_id, today=TODAY).requests[0]
    assert row.chase_count == 2 and row.last_chased_on == D(2026, 3, 23)
    service.record_receipt(db, counsellor, req, D(2026, 4, 1), "paper", 42, today=TODAY)
    with pytest.raises(Conflict):
        service.record_chase(db, counsellor, req, D(2026, 4, 2))
    assert service.counts(db, counsellor, TODAY).open_requests == 0


def test_manager_sees_counts_and_no_service_returns_names(db: Database, manager: Principal,
                                                           letterbox_user: Principal, counsellor: Principal,
                                                           new_case: Callable[..., int], tmp_path: Path) -> None:
    case_id = new_case()
    req = service.add_request(db, counsellor, case_id, service.RequestInput("court", "Dellmouth Court",
                                                                            D(2026, 10, 5)), today=TODAY)
    counts = service.counts(db, manager, TODAY)
    assert (counts.waiting, counts.open_requests, counts.overdue_requests) == (1, 1, 1)
    refusals: list[Callable[[Principal], object]] = [
        lambda p: service.caseload(db, p, "open", TODAY),
        lambda p: service.open_case(db, p, case_id, TODAY),
        lambda p: service.counsellors(db, p),
        lambda p: service.case_id_for_reference(db, p, "BRC-2026-0001"),
        lambda p: service.letter_data(db, p, case_id, "acknowledgement", today=TODAY),
        lambda p: documents.write_case_letter(db, p, case_id, "acknowledgement", tmp_path / "x.pdf", today=TODAY),
        lambda p: service.create_referral(db, p, referral(), today=TODAY),
        lambda p: service.update_referral(db, p, case_id, referral(), today=TODAY),
        lambda p: service.allocate(db, p, case_id, counsellor.user_id, TODAY),
        lambda p: service.add_request(db, p, case_id, service.RequestInput("court", "X", TODAY), TODAY),
        lambda p: service.record_chase(db, p, req, TODAY),
        lambda p: service.record_receipt(db, p, req, TODAY, "paper", 1, TODAY),
        lambda p: service.add_session(db, p, case_id, TODAY, "phone"),
        lambda p: service.add_redaction(db, p, case_id, "File", TODAY),
        lambda p: service.record_disclosure(db, p, case_id, TODAY, "A", "B", "post"),
        lambda p: service.record_checks(db, p, case_id, acr_checked_on=TODAY),
        lambda p: service.close_case(db, p, case_id, TODAY, "withdrawn"),
    ]
    for call in refusals:
        for who in (manager, letterbox_user):
            with pytest.raises(PermissionDenied):
                call(who)
    with pytest.raises(PermissionDenied):
        service.counts(db, letterbox_user, TODAY)
    assert not (tmp_path / "x.pdf").exists()
    assert not [e for e in _audit(db, "view") if e.actor in {"morgan", "lee"}]


def test_every_opening_is_audited_and_every_disclosure_recorded(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    service.open_case(db, counsellor, case_id, today=TODAY)
    service.open_case(db, counsellor, case_id, today=TODAY)
    views = [e for e in _audit(db, "view") if e.entity == "counselling_cases" and e.entity_id == str(case_id)]
    assert len(views) == 2 and views[0].actor == "corey"
    service.record_disclosure(db, counsellor, case_id, D(2026, 11, 2), "Amy Lark",
                              "Name of the court that made the order", "phone")
    detail = service.open_case(db, counsellor, case_id, today=TODAY)
    d = detail.disclosures[0]
    assert (d.disclosed_on, d.disclosed_by, d.recipient, d.method) == (D(2026, 11, 2), "Corey Tester",
                                                                       "Amy Lark", "phone")
    entries = _audit(db, "disclose")
    assert len(entries) == 1 and "Amy Lark" in entries[0].detail and entries[0].actor == "corey"
    with db.session(write=False) as session:
        assert verify_chain(session) is None


def test_records_shared_needs_redaction_and_for_pre_1975_a_session(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()  # adopted 1961
    records_received(db, counsellor, case_id)
    share = dict(on=D(2026, 11, 10), recipient="Amy Lark", what="Redacted agency file", method="in person",
                 records_shared=True)
    with pytest.raises(ValidationError, match="redaction"):
        service.record_disclosure(db, counsellor, case_id, **share)  # type: ignore[arg-type]
    service.add_redaction(db, counsellor, case_id, "Agency file 1961", D(2026, 11, 9), "Birth father's address")
    with pytest.raises(ValidationError, match=r"12 November 1975.*record the session first"):
        service.record_disclosure(db, counsellor, case_id, **share)  # type: ignore[arg-type]
    # a session recorded, but after the sharing date: the refusal says so and names its date (user trial r2)
    service.add_session(db, counsellor, case_id, D(2026, 11, 12), "in_person", "10:00", "Office")
    with pytest.raises(ValidationError) as later:
        service.record_disclosure(db, counsellor, case_id, **share)  # type: ignore[arg-type]
    assert "the session recorded is on 12/11/2026, after the sharing date 10/11/2026" in str(later.value)
    assert "on or before" in str(later.value) and "record the session first" not in str(later.value)
    service.add_session(db, counsellor, case_id, D(2026, 11, 10), "in_person", "10:00", "Office")
    service.record_disclosure(db, counsellor, case_id, **share)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Time"):
        service.add_session(db, counsellor, case_id, D(2026, 11, 10), "video", "25:99")
    service.close_case(db, counsellor, case_id, D(2026, 11, 20), "records_shared", "Done")
    detail = service.open_case(db, counsellor, case_id, today=TODAY)
    assert detail.status == "Closed" and detail.outcome == "records_shared"
    assert detail.redactions[0].reviewed_by == "Corey Tester"
    with pytest.raises(Conflict, match="closed") as closed:
        service.add_session(db, counsellor, case_id, D(2026, 11, 21), "phone")
    # what happened, what was kept, and the next step: no part of the program reopens a closed case
    said = str(closed.value)
    assert said.startswith(f"Case {detail.reference} was closed on 20/11/2026 (by Corey Tester, ")
    assert said.endswith("); it cannot be changed, so nothing was saved. Reload the case (F5 in the case window) "
                         "to see how it was closed. A closed case cannot be reopened: if the applicant needs more "
                         "help, record a new referral (New referral… on the Counselling page).")
    assert service.caseload(db, counsellor, "closed", today=TODAY)[0].id == case_id


def test_post_1975_case_may_share_without_a_session_but_not_close_as_shared_without_sharing(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case(adoption_order_date=D(1980, 1, 1), date_of_birth=D(1979, 5, 5))
    with pytest.raises(ValidationError, match="Outcome"):
        service.close_case(db, counsellor, case_id, D(2026, 11, 20), "records_shared")
    records_received(db, counsellor, case_id)
    service.add_redaction(db, counsellor, case_id, "Court file", D(2026, 11, 9))
    service.record_disclosure(db, counsellor, case_id, D(2026, 11, 10), "Amy Lark", "Court file", "post",
                              records_shared=True)
    service.close_case(db, counsellor, case_id, D(2026, 11, 20), "records_shared")


def test_letters_each_kind_read_back(db: Database, counsellor: Principal, new_case: Callable[..., int],
                                     tmp_path: Path) -> None:
    case_id = new_case()
    with pytest.raises(ValidationError, match="no records request"):
        service.letter_data(db, counsellor, case_id, "records-request", today=TODAY)
    req = service.add_request(db, counsellor, case_id, service.RequestInput(
        "archive", "Brackwater County Archives", D(2026, 10, 5), their_reference="BCA/9981",
        holder_address="Records Section\nBrackwater\nZZ99 2CD"), today=TODAY)
    service.add_session(db, counsellor, case_id, D(2026, 12, 3), "in_person", "10:30", "Example Street office")
    expected = {
        "acknowledgement": ["Amy Lark", "BRC-2026-0001", "before 12 November 1975"],
        "appointment": ["3 December 2026", "10:30", "Example Street office"],
        "records-request": ["BCA/9981", "Amy Thornby", "Brackwater County Archives", "Yours faithfully"],
        "chaser": ["BCA/9981", "5 October 2026", "Reminder"],
    }
    for kind, texts in expected.items():
        out = documents.write_case_letter(db, counsellor, case_id, kind, tmp_path / f"{kind}.pdf", today=TODAY)
        text = pdf_text(out)
        for t in texts:
            assert t in text, (kind, t)
    service.record_receipt(db, counsellor, req, D(2026, 11, 20), "electronic", 37, today=TODAY)
    service.add_redaction(db, counsellor, case_id, "Archive file", D(2026, 11, 21), today=TODAY)
    out = documents.write_case_letter(db, counsellor, case_id, "records-ready", tmp_path / "ready.pdf", today=TODAY)
    text = pdf_text(out)
    assert "37 pages of electronic records" in text and "Brackwater County Archives" in text
    letters = [e for e in _audit(db, "letter") if e.entity_id == str(case_id)]
    assert len(letters) == 5
    # records request and chaser disclosed the applicant's details to the archive
    detail = service.open_case(db, counsellor, case_id, today=TODAY)
    assert [d.recipient for d in detail.disclosures].count("Brackwater County Archives") == 2


def test_a_chase_is_dated_within_the_request_and_undone_as_an_audited_change(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    from adoption_desktop.core.errors import StaleRecord
    from adoption_desktop.counselling import undo

    case_id = new_case()
    req = service.add_request(db, counsellor, case_id, service.RequestInput(
        "archive", "Ambleford Record Office", D(2026, 10, 1)), today=TODAY)
    with pytest.raises(ValidationError, match="in the future"):
        service.record_chase(db, counsellor, req, TODAY + dt.timedelta(days=1), today=TODAY)
    with pytest.raises(ValidationError, match=r"before the request to Ambleford Record Office was sent \(01/10/2026\)"):
        service.record_chase(db, counsellor, req, D(2026, 9, 30), today=TODAY)
    before = service.chase_state(db, counsellor, req)
    with db.session(write=False) as session:  # reading the chasing is a view of the request
        assert list(session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "view", AuditEntry.entity == "counselling_requests",
            AuditEntry.entity_id == str(req)))) == ["chasing"]
    _due, entry = undo.record_chase(db, counsellor, req, D(2026, 11, 2), today=TODAY)
    assert service.chase_state(db, counsellor, req).chase_count == 1
    redo = entry.reverse()
    now = service.chase_state(db, counsellor, req)
    assert (now.chase_count, now.last_chased_on, now.chase_due) == (0, None, before.chase_due)
    with db.session(write=False) as session:
        changes = [e.changes for e in session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "counselling_requests", AuditEntry.entity_id == str(req),
            AuditEntry.action != "view"))]
    assert any("chase_count" in c and "last_chased_on" in c for c in changes[-1:]), "the undo is audited"
    assert redo is not None
    redo.reverse()
    assert service.chase_state(db, counsellor, req).last_chased_on == D(2026, 11, 2)
    # the request changed since (a second chase): an older undo entry is refused, not applied over it
    service.record_chase(db, counsellor, req, D(2026, 11, 20), today=TODAY)
    with pytest.raises(StaleRecord):
        entry.reverse()


def test_a_request_or_session_entered_by_mistake_is_removed_with_its_reason_audited(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()  # adopted 1961: sharing needs an interview first
    req = service.add_request(db, counsellor, case_id, service.RequestInput(
        "archive", "Ambleford Record Office", D(2026, 10, 1)), today=TODAY)
    with pytest.raises(ValidationError, match="Reason"):
        service.remove_request(db, counsellor, req, "  ")
    service.remove_request(db, counsellor, req, "entered on the wrong case")
    assert service.open_case(db, counsellor, case_id, TODAY).requests == []
    [entry] = _audit(db, "remove_entered_in_error")
    assert "Ambleford Record Office" in entry.detail and "entered on the wrong case" in entry.detail
    # a session the records shared rely on stays; once another one covers the sharing, it can go
    wrong = service.add_session(db, counsellor, case_id, D(2026, 11, 10), "in_person", "10:00", "Office")
    records_received(db, counsellor, case_id)
    service.add_redaction(db, counsellor, case_id, "Agency file 1961", D(2026, 11, 9), "")
    service.record_disclosure(db, counsellor, case_id, D(2026, 11, 12), "Amy Lark", "Redacted file", "in person",
                              records_shared=True, today=TODAY)
    with pytest.raises(Conflict, match="rely on"):
        service.remove_session(db, counsellor, wrong, "wrong date")
    service.add_session(db, counsellor, case_id, D(2026, 11, 11), "in_person", "10:00", "Office")
    service.remove_session(db, counsellor, wrong, "wrong date: it was held on the 11th")
    assert [s.held_on for s in service.open_case(db, counsellor, case_id, TODAY).sessions] == [D(2026, 11, 11)]
    assert "wrong date: it was held on the 11th" in _audit(db, "remove_entered_in_error")[-1].detail


def _request_to(db: Database, who: Principal, case_id: int) -> int:
    return service.add_request(db, who, case_id, service.RequestInput(
        "archive", "Ambleford Record Office", D(2026, 10, 1)), today=TODAY)


def test_undoing_a_chase_never_erases_a_colleagues_chase_made_just_after_it(
        db: Database, counsellor: Principal, new_case: Callable[..., int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The undo's "after" state was read in a later transaction: a colleague's chase landing in between
    became part of it, so the undo passed its version check and put the request back before both chases."""
    from adoption_desktop.core.errors import StaleRecord
    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.counselling import undo
    from tests.conftest import make_user

    colleague = make_user(db, "cora", Role.COUNSELLOR)
    req = _request_to(db, counsellor, new_case())
    real = service.record_chase

    def then_a_colleague_chases(*args: object, **kwargs: object) -> object:
        done = real(*args, **kwargs)  # type: ignore[arg-type]
        real(db, colleague, req, D(2026, 11, 16), today=TODAY)
        return done

    monkeypatch.setattr(service, "record_chase", then_a_colleague_chases)
    _due, entry = undo.record_chase(db, counsellor, req, D(2026, 11, 2), today=TODAY)
    monkeypatch.undo()
    with pytest.raises(StaleRecord, match="Cora Tester saved the records request to Ambleford Record Office"):
        entry.reverse()
    now = service.chase_state(db, counsellor, req)
    assert (now.chase_count, now.last_chased_on) == (2, D(2026, 11, 16)), "the colleague's chase stays"


def test_two_people_cannot_record_the_same_chase_twice_or_remove_a_request_chased_since(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    from adoption_desktop.core.errors import StaleRecord
    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.counselling import undo
    from tests.conftest import make_user

    colleague = make_user(db, "cora", Role.COUNSELLOR)
    case_id = new_case()
    req = _request_to(db, counsellor, case_id)
    [mine] = service.open_case(db, counsellor, case_id, TODAY).requests
    [theirs] = service.open_case(db, colleague, case_id, TODAY).requests
    assert mine.row_version == theirs.row_version
    undo.record_chase(db, colleague, req, D(2026, 11, 2), today=TODAY, expected_version=theirs.row_version)
    with pytest.raises(StaleRecord, match="Cora Tester saved the records request to Ambleford Record Office"):
        undo.record_chase(db, counsellor, req, D(2026, 11, 2), today=TODAY, expected_version=mine.row_version)
    assert service.chase_state(db, counsellor, req).chase_count == 1, "the chase is recorded once"
    # removing the request as it was before the colleague's chase is refused too; as it is now, allowed
    with pytest.raises(StaleRecord, match="Cora Tester saved"):
        service.remove_request(db, counsellor, req, "entered twice", expected_version=mine.row_version)
    assert len(service.open_case(db, counsellor, case_id, TODAY).requests) == 1
    assert _audit(db, "remove_entered_in_error") == []
    [now] = service.open_case(db, counsellor, case_id, TODAY).requests
    service.remove_request(db, counsellor, req, "entered twice", expected_version=now.row_version)
    assert service.open_case(db, counsellor, case_id, TODAY).requests == []


def test_a_chase_dated_before_the_last_chase_is_refused(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    req = _request_to(db, counsellor, new_case())
    service.record_chase(db, counsellor, req, D(2026, 11, 10), today=TODAY)
    with pytest.raises(ValidationError, match=r"09/11/2026 is before the last chase of the request to "
                                              r"Ambleford Record Office \(10/11/2026\)"):
        service.record_chase(db, counsellor, req, D(2026, 11, 9), today=TODAY)
    now = service.chase_state(db, counsellor, req)
    assert (now.chase_count, now.last_chased_on) == (1, D(2026, 11, 10))
    with pytest.raises(ValidationError, match=r"already recorded as chased on 10/11/2026"):  # trial: recorded twice
        service.record_chase(db, counsellor, req, D(2026, 11, 10), today=TODAY)
    service.record_chase(db, counsellor, req, D(2026, 11, 11), today=TODAY)  # a later day is a new chase


def test_a_note_changed_on_a_check_already_recorded_is_saved(db: Database, counsellor: Principal,
                                                             new_case: Callable[..., int]) -> None:
    """The checks form shows the notes of checks already recorded, editable; a changed note was silently
    dropped (only a new check date wrote its note) while the form said "Checks recorded."."""
    case_id = new_case()
    service.record_checks(db, counsellor, case_id, acr_checked_on=TODAY, acr_note="Entry found.", today=TODAY)
    loaded = service.open_case(db, counsellor, case_id, TODAY)
    service.record_checks(db, counsellor, case_id, acr_note="Entry found: no contact wanted.", today=TODAY,
                          expected_version=loaded.row_version)
    after = service.open_case(db, counsellor, case_id, TODAY)
    assert (after.acr_checked_on, after.acr_note) == (TODAY, "Entry found: no contact wanted.")
    service.record_checks(db, counsellor, case_id, veto_note="A veto note with no veto check.", today=TODAY)
    assert service.open_case(db, counsellor, case_id, TODAY).veto_note == ""  # no check recorded: no note


def test_a_closed_case_produces_no_letter_and_discloses_nothing_more(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path) -> None:
    """User trial 2 (F1): after closing, a chaser sent the applicant's birth name and date of birth to an
    agency "waiting to see these records" and added a disclosure to the closed case. No letter kind follows
    closure: every kind is refused, with nothing written (no letter, no disclosure, no PDF)."""
    case_id = new_case()
    req = service.add_request(db, counsellor, case_id, service.RequestInput(
        "agency", "Northmoor Adoption Society", D(2026, 10, 5)), today=TODAY)
    other = service.add_request(db, counsellor, case_id, service.RequestInput(
        "archive", "Fenshire Record Office", D(2026, 10, 5)), today=TODAY)
    service.record_receipt(db, counsellor, other, D(2026, 11, 2), "paper", 42, today=TODAY)
    session_id = service.add_session(db, counsellor, case_id, D(2026, 11, 3), "in_person", "10:00", "Office")
    service.close_case(db, counsellor, case_id, D(2026, 11, 20), "withdrawn", today=TODAY,
                       confirmed=service.closing_problems(db, counsellor, case_id, D(2026, 11, 20)))
    before = service.open_case(db, counsellor, case_id, today=TODAY)
    letters_before = len(_audit(db, "letter"))
    for kind in service.LETTER_KINDS:
        with pytest.raises(Conflict) as refused:
            documents.write_case_letter(db, counsellor, case_id, kind, tmp_path / f"{kind}.pdf", today=TODAY,
                                        request_id=req if kind == "chaser" else None,
                                        session_id=session_id if kind == "appointment" else None)
        assert str(refused.value) == (f"Case {before.reference} was closed on 20/11/2026 (Applicant withdrew): no "
                                      "letters are produced for a closed case, and nothing more is disclosed "
                                      "from it."), kind
        assert not (tmp_path / f"{kind}.pdf").exists()
    after = service.open_case(db, counsellor, case_id, today=TODAY)
    assert after.disclosures == before.disclosures == []
    assert len(_audit(db, "letter")) == letters_before


def test_closing_asks_about_loose_ends_and_cancels_the_appointments_after_it(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    """User trial 2 (F2): closing accepted an unanswered request and a booked appointment silently; the
    appointment then could not be removed. Closing now names them and needs them confirmed as they stand;
    the appointments after the closing date are cancelled with the closing (audited), earlier sessions stay."""
    case_id = new_case()
    service.add_request(db, counsellor, case_id, service.RequestInput(
        "agency", "Northmoor Adoption Society", D(2026, 10, 5)), today=TODAY)
    held = service.add_session(db, counsellor, case_id, D(2026, 11, 3), "in_person", "10:00", "Office")
    after = held_21 = service.add_session(db, counsellor, case_id, D(2026, 11, 21), "phone")
    booked = service.add_session(db, counsellor, case_id, D(2026, 12, 9), "video", "10:00")
    on = D(2026, 11, 20)
    # a session held after the closure date is a record, not an appointment to cancel: that date is refused
    with pytest.raises(ValidationError, match=r"a session took place on 21/11/2026, after 20/11/2026"):
        service.closing_problems(db, counsellor, case_id, on, today=TODAY)
    with pytest.raises(ValidationError, match=r"a session took place on 21/11/2026"):
        service.close_case(db, counsellor, case_id, on, "withdrawn", today=TODAY)
    assert [s.id for s in service.open_case(db, counsellor, case_id, today=TODAY).sessions] == [held, after, booked]
    on = D(2026, 11, 21)  # closed on the day of the last session held
    after = service.add_session(db, counsellor, case_id, D(2026, 12, 2), "phone")  # booked, like 09/12
    problems = service.closing_problems(db, counsellor, case_id, on, today=TODAY)
    assert [t for _i, t in problems.requests] == ["to Northmoor Adoption Society, sent 05/10/2026"]
    assert problems.appointments == ((after, "02/12/2026, phone"), (booked, "09/12/2026 10:00, video"))
    with pytest.raises(ValidationError) as refused:
        service.close_case(db, counsellor, case_id, on, "withdrawn", today=TODAY)
    assert "Northmoor Adoption Society" in str(refused.value) and "09/12/2026 10:00, video" in str(refused.value)
    # a colleague books another appointment after the question was asked: asked again, nothing closed
    later = service.add_session(db, counsellor, case_id, D(2026, 12, 16), "phone")
    with pytest.raises(ValidationError, match="16/12/2026"):
        service.close_case(db, counsellor, case_id, on, "withdrawn", today=TODAY, confirmed=problems)
    detail = service.open_case(db, counsellor, case_id, today=TODAY)
    assert detail.closed_on is None and len(detail.sessions) == 5
    problems = service.closing_problems(db, counsellor, case_id, on, today=TODAY)
    service.close_case(db, counsellor, case_id, on, "withdrawn", today=TODAY, confirmed=problems)
    detail = service.open_case(db, counsellor, case_id, today=TODAY)
    assert detail.closed_on == on and sorted(s.id for s in detail.sessions) == sorted([held, held_21])
    assert len(detail.requests) == 1  # the request stays on the file, no longer pursued
    cancelled = [e for e in _audit(db, "cancel_on_closing")]
    assert sorted(int(e.entity_id) for e in cancelled) == sorted([after, booked, later])
    assert all("cancelled, the case closed on 21/11/2026" in e.detail for e in cancelled)
    assert len(_audit(db, "close_with_open_requests")) == 1
    with db.session(write=False) as session:
        assert verify_chain(session) is None
    # nothing to confirm: closes as before
    other = new_case(birth_name="Ben Ashby")
    assert not service.closing_problems(db, counsellor, other, on)
    service.close_case(db, counsellor, other, on, "withdrawn", today=TODAY)


def test_adults_supported_counts_only_sessions_that_took_place(
        db: Database, counsellor: Principal, manager: Principal, new_case: Callable[..., int]) -> None:
    """User trial 2 (F2, F4): a future appointment and one left after a closure counted as adults supported
    for their month. Checked against a count of the raw rows, for this month, a future month, a whole year."""
    from adoption_desktop.counselling import figures
    from adoption_desktop.counselling.models import CounsellingSession

    held = new_case(birth_name="Cara Held")
    service.add_session(db, counsellor, held, D(2026, 11, 3), "in_person")
    booked = new_case(birth_name="Dan Booked")
    service.add_session(db, counsellor, booked, D(2026, 12, 9), "video")  # a future appointment
    closed = new_case(birth_name="Eve Closed")
    service.close_case(db, counsellor, closed, D(2026, 10, 20), "withdrawn", today=TODAY)
    with db.session(counsellor) as session:  # left over from before closing cancelled appointments
        session.add(CounsellingSession(case_id=closed, held_on=D(2026, 11, 4), kind="phone", counsellor_id=None))
    from sqlalchemy import text

    with db.session(write=False) as session:
        sessions = session.execute(text("SELECT case_id, held_on FROM counselling_sessions")).all()
        closings = dict(session.execute(text("SELECT id, closed_on FROM counselling_cases")).all())
        disclosures = session.execute(text("SELECT case_id, disclosed_on FROM counselling_disclosures")).all()

    def day(value: object) -> dt.date:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))

    def raw(start: dt.date, end: dt.date) -> int:
        ids = {cid for cid, on in sessions if start <= day(on) <= end and day(on) <= TODAY
               and (closings[cid] is None or day(on) <= day(closings[cid]))}
        ids |= {cid for cid, on in disclosures if start <= day(on) <= end}
        ids |= {cid for cid, on in closings.items() if on is not None and start <= day(on) <= end}
        return len(ids)

    for start, end, expected in ((D(2026, 11, 1), D(2026, 11, 30), 1), (D(2026, 12, 1), D(2026, 12, 31), 0),
                                 (D(2026, 1, 1), D(2026, 12, 31), 2)):
        rows = dict(figures.figures(db, manager, start, end, today=TODAY)[0].rows)
        assert rows["Adults supported"] == str(raw(start, end)) == str(expected), (start, end)


def test_a_receipt_on_record_is_corrected_only_on_purpose_and_at_the_version_shown(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    """Review: since a second recording of a receipt is refused (two counsellors at once: one records it), a
    receipt recorded with the wrong date could no longer be put right. A correction names the version shown."""
    from adoption_desktop.core.errors import Conflict, StaleRecord

    case_id = new_case()
    req = service.add_request(db, counsellor, case_id, service.RequestInput(
        "archive", "Fenshire Record Office", D(2026, 10, 5)), today=TODAY)
    with pytest.raises(Conflict, match="no receipt to correct"):
        service.record_receipt(db, counsellor, req, D(2026, 11, 2), "paper", 42, today=TODAY, correcting_version=1)
    service.record_receipt(db, counsellor, req, D(2026, 11, 12), "paper", 42, today=TODAY)  # the wrong day
    with pytest.raises(Conflict, match="To correct it, choose the request and press Record receipt"):
        service.record_receipt(db, counsellor, req, D(2026, 11, 2), "paper", 42, today=TODAY)
    shown = next(r for r in service.open_case(db, counsellor, case_id, TODAY).requests if r.id == req)
    service.record_receipt(db, counsellor, req, D(2026, 11, 2), "electronic", 40, today=TODAY,
                           correcting_version=shown.row_version)
    now = next(r for r in service.open_case(db, counsellor, case_id, TODAY).requests if r.id == req)
    assert (now.received_on, now.record_format, now.pages) == (D(2026, 11, 2), "electronic", 40)
    with pytest.raises(StaleRecord, match="after you opened it"):  # a second screen showing the old receipt
        service.record_receipt(db, counsellor, req, D(2026, 11, 3), "paper", 42, today=TODAY,
                               correcting_version=shown.row_version)
    with pytest.raises(ValidationError, match="before the request was sent"):
        service.record_receipt(db, counsellor, req, D(2026, 10, 1), "paper", 42, today=TODAY,
                               correcting_version=now.row_version)
