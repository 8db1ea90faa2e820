"""User trial of 5 December: a referral date after the work on the case, records shared or checked before any
were received, a receipt corrected past the work that relied on it, the hand-over date of a re-allocation,
date refusals pointing at their field, formula-like text, and session times stored as HH:MM."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from tests.conftest import make_user

from .conftest import referral

D = dt.date
T = D(2026, 12, 5)


def _case(db: Database, counsellor: Principal, **overrides: object) -> int:
    return service.create_referral(db, counsellor, referral(referral_date=D(2026, 11, 2), **overrides), today=T)


# --- 1. the referral date stays before everything done on the case ------------------------------

def test_a_referral_date_after_the_allocation_is_refused(db: Database, counsellor: Principal) -> None:
    case_id = _case(db, counsellor)
    service.allocate(db, counsellor, case_id, counsellor.user_id, D(2026, 11, 10), today=T)
    with pytest.raises(ValidationError, match=r"Referral date: 01/12/2026 is after the case was allocated "
                                              r"\(10/11/2026\)") as refused:
        service.update_referral(db, counsellor, case_id, referral(referral_date=D(2026, 12, 1)), today=T)
    assert refused.value.field == "referral_date"
    assert service.open_case(db, counsellor, case_id, T).referral.referral_date == D(2026, 11, 2)
    # on the allocation day itself, or earlier, it is saved
    service.update_referral(db, counsellor, case_id, referral(referral_date=D(2026, 11, 10)), today=T)
    assert service.open_case(db, counsellor, case_id, T).referral.referral_date == D(2026, 11, 10)


def test_a_referral_date_names_the_earliest_work_dated_before_it(db: Database, counsellor: Principal) -> None:
    case_id = _case(db, counsellor)
    service.add_session(db, counsellor, case_id, D(2026, 11, 20), "in_person", "10:00", "Office", today=T)
    service.add_request(db, counsellor, case_id, service.RequestInput("archive", "County Archive", D(2026, 11, 6)),
                        today=T)
    with pytest.raises(ValidationError, match=r"after a records request was sent \(06/11/2026\)"):
        service.update_referral(db, counsellor, case_id, referral(referral_date=D(2026, 12, 1)), today=T)
    with pytest.raises(ValidationError, match=r"after a records request was sent \(06/11/2026\)"):
        service.update_referral(db, counsellor, case_id, referral(referral_date=D(2026, 11, 7)), today=T)
    service.update_referral(db, counsellor, case_id, referral(referral_date=D(2026, 11, 6)), today=T)


# --- 2. records are checked and shared only once received; a receipt is not corrected past them -------

def _request(db: Database, counsellor: Principal, case_id: int, holder: str, received: dt.date | None) -> int:
    req = service.add_request(db, counsellor, case_id, service.RequestInput("archive", holder, D(2026, 11, 3)),
                              today=T)
    if received is not None:
        service.record_receipt(db, counsellor, req, received, "paper", 12, today=T)
    return req


def _post_1975(db: Database, counsellor: Principal) -> int:  # no interview needed: the receipt alone decides
    return _case(db, counsellor, date_of_birth=D(1990, 3, 4), adoption_order_date=D(1991, 1, 10))


def test_records_are_not_shared_nor_checked_before_any_were_received(db: Database, counsellor: Principal) -> None:
    case_id = _post_1975(db, counsellor)
    with pytest.raises(ValidationError, match="Reviewed on: no records are recorded as received") as refused:
        service.add_redaction(db, counsellor, case_id, "Agency file", D(2026, 11, 20), today=T)
    assert refused.value.field == "reviewed_on"
    with pytest.raises(ValidationError, match="Records shared: no records are recorded as received"):
        service.record_disclosure(db, counsellor, case_id, D(2026, 11, 25), "Amy Lark", "File", "in person",
                                  records_shared=True, today=T)
    _request(db, counsellor, case_id, "County Archive", D(2026, 11, 18))
    with pytest.raises(ValidationError, match=r"Reviewed on: 17/11/2026 is before any records were received "
                                              r"\(first on 18/11/2026\)"):
        service.add_redaction(db, counsellor, case_id, "Agency file", D(2026, 11, 17), today=T)
    service.add_redaction(db, counsellor, case_id, "Agency file", D(2026, 11, 18), today=T)
    assert [r.reviewed_on for r in service.open_case(db, counsellor, case_id, T).redactions] == [D(2026, 11, 18)]
    service.record_disclosure(db, counsellor, case_id, D(2026, 11, 18), "Amy Lark", "File", "in person",
                              records_shared=True, today=T)
    # a disclosure that is not a sharing of records (the applicant's details to an archive) needs no receipt
    other = _post_1975(db, counsellor)
    service.record_disclosure(db, counsellor, other, D(2026, 11, 4), "County Archive", "Name and date of birth",
                              "post", today=T)


def test_a_sharing_dated_before_the_first_receipt_is_refused(db: Database, counsellor: Principal) -> None:
    case_id = _post_1975(db, counsellor)
    _request(db, counsellor, case_id, "County Archive", D(2026, 11, 10))
    service.add_redaction(db, counsellor, case_id, "Agency file", D(2026, 11, 10), today=T)
    # the check is on file, but dated after this sharing's day would be too: the receipt is named first
    with pytest.raises(ValidationError, match=r"Date: 09/11/2026 is before any records were received "
                                              r"\(first on 10/11/2026\)") as refused:
        service.record_disclosure(db, counsellor, case_id, D(2026, 11, 9), "Amy Lark", "File", "in person",
                                  records_shared=True, today=T)
    assert refused.value.field == "disclosed_on"
    assert service.open_case(db, counsellor, case_id, T).disclosures == []


def test_a_receipt_is_not_corrected_past_the_check_or_sharing_relying_on_it(
        db: Database, counsellor: Principal) -> None:
    case_id = _post_1975(db, counsellor)
    req = _request(db, counsellor, case_id, "County Archive", D(2026, 11, 10))
    service.add_redaction(db, counsellor, case_id, "Agency file", D(2026, 11, 12), today=T)
    service.record_disclosure(db, counsellor, case_id, D(2026, 11, 20), "Amy Lark", "File", "in person",
                              records_shared=True, today=T)

    def correct(on: dt.date) -> None:
        version = next(r.row_version for r in service.open_case(db, counsellor, case_id, T).requests if r.id == req)
        service.record_receipt(db, counsellor, req, on, "paper", 12, today=T, correcting_version=version)

    with pytest.raises(ValidationError, match=r"Date received: 13/11/2026 is after the redaction check of "
                                              r"12/11/2026 \(Agency file\)") as refused:
        correct(D(2026, 11, 13))
    assert refused.value.field == "received_on"
    [row] = service.open_case(db, counsellor, case_id, T).requests
    assert row.received_on == D(2026, 11, 10)
    correct(D(2026, 11, 12))  # on the check's own day, or earlier, it is corrected
    correct(D(2026, 11, 8))
    assert service.open_case(db, counsellor, case_id, T).requests[0].received_on == D(2026, 11, 8)
    [check] = service.open_case(db, counsellor, case_id, T).redactions
    # another receipt by the check's day covers the check and the sharing: this one may move past them
    _request(db, counsellor, case_id, "Diocesan Agency", D(2026, 11, 11))
    correct(D(2026, 11, 21))
    assert check.reviewed_on == D(2026, 11, 12)



# --- 3. a re-allocation records the hand-over day --------------------------------------------------------

def test_a_handover_records_its_day_and_keeps_the_first_allocation(db: Database, counsellor: Principal) -> None:
    other = make_user(db, "hana", Role.COUNSELLOR)
    case_id = _case(db, counsellor)
    service.allocate(db, counsellor, case_id, counsellor.user_id, D(2026, 11, 10), today=T)
    with pytest.raises(ValidationError, match=r"Allocation date: 09/11/2026 is before Corey Tester took the case "
                                              r"\(10/11/2026\)") as refused:
        service.allocate(db, counsellor, case_id, other.user_id, D(2026, 11, 9), today=T)
    assert refused.value.field == "allocated_on"
    service.allocate(db, counsellor, case_id, other.user_id, D(2026, 12, 1), today=T)
    d = service.open_case(db, counsellor, case_id, T)
    assert (d.counsellor, d.counsellor_since, d.allocated_on) == ("Hana Tester", D(2026, 12, 1), D(2026, 11, 10))
    [row] = [r for r in service.caseload(db, counsellor, "all", today=T) if r.id == case_id]
    assert row.days_waiting == 8, "the wait runs from the referral to the first allocation"
    with db.session(write=False) as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "handover")).all()
    assert "handed over from Corey Tester to Hana Tester on 01/12/2026" in entry.detail
    # handed back: "since" the latest hand-over
    service.allocate(db, counsellor, case_id, counsellor.user_id, D(2026, 12, 4), today=T)
    assert service.open_case(db, counsellor, case_id, T).counsellor_since == D(2026, 12, 4)


def test_the_case_header_says_since_the_handover(qtbot: QtBot, db: Database, counsellor: Principal) -> None:
    from adoption_desktop.counselling.views.case_dialog import CaseDialog

    from .test_page import _ctx

    other = make_user(db, "hana", Role.COUNSELLOR)
    case_id = _case(db, counsellor)
    service.allocate(db, counsellor, case_id, counsellor.user_id, D(2026, 11, 10), today=T)
    service.allocate(db, counsellor, case_id, other.user_id, D(2026, 12, 1), today=T)
    case = CaseDialog(_ctx(db, counsellor), case_id, lambda: T)
    qtbot.addWidget(case)
    assert "counsellor Hana Tester since 01/12/2026" in case.header.text()


# --- 4. session notes and redactions made: whole in the tooltip -------------------------------------------

def test_session_notes_and_redactions_made_show_whole_in_a_tooltip(
        qtbot: QtBot, db: Database, counsellor: Principal) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTableView

    from adoption_desktop.counselling.views.case_dialog import CaseDialog

    from .test_page import _ctx

    notes = "Talked through the agency file and the birth mother's letters.\nAgreed to meet again. " * 4
    made = "Birth relatives' later addresses removed;\nfoster carers' names removed. " * 4
    case_id = _post_1975(db, counsellor)
    _request(db, counsellor, case_id, "County Archive", D(2026, 11, 10))
    service.add_session(db, counsellor, case_id, D(2026, 11, 20), "in_person", "10:00", "Office", notes, today=T)
    service.add_redaction(db, counsellor, case_id, "Agency file", D(2026, 11, 12), made, today=T)
    case = CaseDialog(_ctx(db, counsellor), case_id, lambda: T)
    qtbot.addWidget(case)

    def cell(header: str) -> tuple[str, str]:
        for view in case.findChildren(QTableView):
            model = view.model()
            for column in range(model.columnCount()):
                if model.headerData(column, Qt.Orientation.Horizontal) == header:
                    index = model.index(0, column)
                    return index.data(), index.data(Qt.ItemDataRole.ToolTipRole)
        raise AssertionError(header)

    sessions = next(v for v in case.findChildren(QTableView)
                    if v.model().headerData(2, Qt.Orientation.Horizontal) == "Type")
    index = sessions.model().index(0, 5)
    assert index.data(Qt.ItemDataRole.ToolTipRole) == notes.strip()
    assert "\n" not in index.data()
    shown, tip = cell("Redactions made")
    assert tip == made.strip() and "\n" not in shown


# --- 6. a date refusal on the referral form points at its field -------------------------------------------

@pytest.mark.parametrize(("overrides", "key", "message"), [
    ({"date_of_birth": D(1905, 6, 1)}, "date_of_birth", "Date of birth: 01/06/1905 is not a likely date"),
    ({"adoption_order_date": D(1800, 6, 1)}, "adoption_order_date", "Adoption order date: 01/06/1800 is not a "
                                                                    "likely date"),
])
def test_a_date_refusal_on_the_referral_names_the_form_field(
        db: Database, counsellor: Principal, overrides: dict[str, object], key: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        service.create_referral(db, counsellor, referral(**overrides), today=T)
    assert refused.value.field == key


# --- 7. no spreadsheet formula in a disclosure's recipient or method, nor a redaction check's item ------------

@pytest.mark.parametrize("field", ["recipient", "method"])
def test_a_disclosure_refuses_text_starting_like_a_formula(db: Database, counsellor: Principal, field: str) -> None:
    case_id = _post_1975(db, counsellor)
    values = {"recipient": "County Archive", "method": "post", field: '=HYPERLINK("http://x","y")'}
    with pytest.raises(ValidationError, match="cannot begin with '='") as refused:
        service.record_disclosure(db, counsellor, case_id, D(2026, 11, 4), values["recipient"], "Name and date of "
                                  "birth", values["method"], today=T)
    assert refused.value.field == field
    assert service.open_case(db, counsellor, case_id, T).disclosures == []


def test_a_redaction_check_refuses_an_item_starting_like_a_formula(db: Database, counsellor: Principal) -> None:
    case_id = _post_1975(db, counsellor)
    _request(db, counsellor, case_id, "County Archive", D(2026, 11, 10))
    with pytest.raises(ValidationError, match="Document reviewed: cannot begin with '='") as refused:
        service.add_redaction(db, counsellor, case_id, "=HYPERLINK()", D(2026, 11, 12), today=T)
    assert refused.value.field == "item"
    assert service.open_case(db, counsellor, case_id, T).redactions == []


# --- 8. a session's time is stored as HH:MM --------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [("9:5", "09:05"), (" 9:30 ", "09:30"), ("14:00", "14:00"), ("", "")])
def test_a_session_time_is_stored_as_hh_mm(db: Database, counsellor: Principal, typed: str, stored: str) -> None:
    case_id = _case(db, counsellor)
    service.add_session(db, counsellor, case_id, D(2026, 12, 10), "video", typed, today=T)
    assert [s.start_time for s in service.open_case(db, counsellor, case_id, T).sessions] == [stored]


# --- 9. a chase follows its request: not on the day the request went out ----------------------------------

def test_a_chase_on_the_day_the_request_was_sent_is_refused(db: Database, counsellor: Principal) -> None:
    case_id = _case(db, counsellor)
    req = _request(db, counsellor, case_id, "County Archive", None)  # sent 03/11/2026
    with pytest.raises(ValidationError, match=r"Chase date: 03/11/2026 is the day the request to County Archive "
                                              r"was sent \(03/11/2026\); a chaser follows the request") as refused:
        service.record_chase(db, counsellor, req, D(2026, 11, 3), today=T)
    assert refused.value.field == "chased_on"
    with pytest.raises(ValidationError, match=r"02/11/2026 is before the request"):
        service.record_chase(db, counsellor, req, D(2026, 11, 2), today=T)
    assert service.record_chase(db, counsellor, req, D(2026, 11, 4), today=T).after.chase_count == 1


# --- 10. a refused name on the referral form points at its field ---------------------------------------------

@pytest.mark.parametrize("key", ["referred_by", "birth_name", "current_name", "salutation", "court",
                                 "arranging_agency", "email", "phone"])
def test_a_refused_name_on_the_referral_names_the_form_field(db: Database, counsellor: Principal, key: str) -> None:
    bad = "Ann\x07Other" if key in ("email", "phone") else '=HYPERLINK("http://x","y")'
    with pytest.raises(ValidationError) as refused:
        service.create_referral(db, counsellor, referral(**{key: bad}), today=T)
    assert refused.value.field == key, str(refused.value)
