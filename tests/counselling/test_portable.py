"""The counselling queries on SQLCipher and, when a throwaway server starts, PostgreSQL."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import figures, service
from tests.conftest import make_user

from .conftest import TODAY, referral

D = dt.date


def test_case_lifecycle_lists_and_figures(any_db: Database) -> None:
    counsellor = make_user(any_db, "corey", Role.COUNSELLOR)
    manager = make_user(any_db, "morgan", Role.MANAGER)
    a = service.create_referral(any_db, counsellor, referral(referral_date=D(2025, 6, 2)), today=TODAY)
    b = service.create_referral(any_db, counsellor, referral(referral_date=D(2025, 7, 1),
                                                             adoption_order_date=D(1990, 1, 1),
                                                             date_of_birth=D(1989, 1, 1)), today=TODAY)
    service.allocate(any_db, counsellor, a, counsellor.user_id, D(2025, 7, 2))
    req = service.add_request(any_db, counsellor, a, service.RequestInput("archive", "Ambleford Record Office",
                                                                          D(2025, 7, 3)), today=TODAY)
    service.add_request(any_db, counsellor, a, service.RequestInput("court", "Eastholm County Court",
                                                                    D(2025, 7, 3)), today=TODAY)
    service.record_receipt(any_db, counsellor, req, D(2025, 8, 1), "paper", 10, today=TODAY)
    service.add_session(any_db, counsellor, a, D(2025, 8, 5), "video", "14:00")
    service.add_redaction(any_db, counsellor, a, "Archive file", D(2025, 8, 4))
    service.record_disclosure(any_db, counsellor, a, D(2025, 8, 5), "Amy Lark", "Archive file", "in person",
                              records_shared=True)
    rows = service.caseload(any_db, counsellor, "open", TODAY)
    assert [r.id for r in rows] == [a, b]
    assert (rows[0].open_requests, rows[0].overdue_requests) == (1, 1)
    assert service.caseload(any_db, counsellor, "mine", TODAY)[0].id == a
    counts = service.counts(any_db, manager, TODAY)
    assert (counts.waiting, counts.allocated, counts.open_requests, counts.overdue_requests) == (1, 1, 1, 1)
    booked = service.add_session(any_db, counsellor, a, D(2026, 12, 10), "phone")  # cancelled by the closing
    loose = service.closing_problems(any_db, counsellor, a, D(2025, 9, 1), today=TODAY)
    assert ([i for i, _t in loose.appointments], len(loose.requests)) == ([booked], 1)
    service.close_case(any_db, counsellor, a, D(2025, 9, 1), "records_shared", today=TODAY, confirmed=loose)
    assert [s.held_on for s in service.open_case(any_db, counsellor, a, TODAY).sessions] == [D(2025, 8, 5)]
    values = dict(figures.figures(any_db, manager, D(2025, 4, 1), D(2026, 3, 31))[0].rows)
    assert values["Referrals received"] == "2" and values["Adults supported"] == "1"
    assert values["Cases closed"] == "1" and values["Median wait, referral to allocation (cases allocated in period)"] == "30 days"
    assert [r.id for r in service.caseload(any_db, counsellor, "closed", TODAY)] == [a]


def test_adoption_order_date_not_known_on_both_databases(any_db: Database) -> None:
    """NULL dates through the list, the order, the figures and the date search, on both engines."""
    from adoption_desktop.reports.search_everywhere import search_everywhere

    counsellor = make_user(any_db, "corey", Role.COUNSELLOR)
    manager = make_user(any_db, "morgan", Role.MANAGER)
    plain = service.create_referral(any_db, counsellor, referral(referral_date=D(2025, 6, 2),
                                                                 adoption_order_date=D(1990, 1, 1),
                                                                 date_of_birth=D(1989, 1, 1)), today=TODAY)
    unknown = service.create_referral(any_db, counsellor, referral(referral_date=D(2025, 7, 1),
                                                                   adoption_order_date=None), today=TODAY)
    rows = service.caseload(any_db, counsellor, "open", TODAY)
    assert [r.id for r in rows] == [unknown, plain]  # not known is brought forward like pre-1975
    assert rows[0].adoption_order_date is None and rows[0].flags.short == "Order date not known"
    values = dict(figures.figures(any_db, manager, D(2025, 4, 1), D(2026, 3, 31))[0].rows)
    assert values[figures.DATE_NOT_KNOWN] == "1"
    assert values[figures.PRE_1975] == "0" and values[figures.UNKNOWN_PRE_1975] == "0"
    found = search_everywhere(any_db, counsellor, "01/07/2025")  # its referral date; its order date is NULL
    assert [h.record_id for h in found.hits if h.area == "counselling_cases"] == [unknown]
    service.update_referral(any_db, counsellor, unknown, referral(referral_date=D(2025, 7, 1),
                                                                  adoption_order_date=D(1980, 2, 2),
                                                                  date_of_birth=D(1979, 5, 5)), today=TODAY)
    assert [r.id for r in service.caseload(any_db, counsellor, "open", TODAY)] == [plain, unknown]
