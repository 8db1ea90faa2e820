"""E-mail facility use, direct contact and the birth-parent support register: the rules, the use cases and
the figures on a small fixture whose values are worked out by hand below."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.errors import PermissionDenied, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import contact, contact_figures, service, support, support_figures
from adoption_desktop.letterbox.support import ReferralInput
from adoption_desktop.reports.behind import can_open, open_figure
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input

START, END = dt.date(2026, 4, 1), dt.date(2026, 9, 30)
D = dt.date


def _values(sections: list[object]) -> dict[str, str]:
    return {label: value for s in sections for label, value in s.rows}  # type: ignore[attr-defined]


@pytest.fixture
def contact_fixture(db: Database, coordinator: Principal, arrangement: int) -> dict[str, int]:
    """LB-0001: letterbox only. LB-0002: direct contact face to face and letterbox since 20/04/2026, e-mail
    allowed. LB-0003: direct contact by video only, 01/06/2025 to 15/05/2026."""
    second = service.create_arrangement(db, coordinator, sample_input(
        "LB-0002", email_allowed=True, contact_kind="direct_and_letterbox", direct_form="face_to_face",
        direct_started_on=D(2026, 4, 20)))
    third = service.create_arrangement(db, coordinator, sample_input(
        "LB-0003", contact_kind="direct", direct_form="video", direct_started_on=D(2025, 6, 1),
        direct_ended_on=D(2026, 5, 15)))
    for aid, day, channel in ((arrangement, D(2026, 4, 10), "post"), (arrangement, D(2026, 5, 20), "post"),
                              (second, D(2026, 4, 15), "email"), (second, D(2026, 9, 1), "digital"),
                              (second, D(2026, 10, 5), "email"), (third, D(2026, 6, 1), "hand")):
        service.log_item(db, coordinator, aid, direction="adoptive_to_birth", received_on=day, channel=channel)
    return {"first": arrangement, "second": second, "third": third}


def test_contact_rules_name_the_field_and_the_fix() -> None:
    assert contact.contact_problems("letterbox", "", None, None) == []
    assert contact.contact_problems("direct", "video", D(2026, 1, 1), None) == []
    field, message = contact.contact_problems("direct", "", D(2026, 1, 1), None)[0]
    assert field == "direct_form" and "face to face, video call, or both" in message
    field, message = contact.contact_problems("direct_and_letterbox", "both", None, None)[0]
    assert field == "direct_started_on"
    field, message = contact.contact_problems("direct", "video", D(2026, 3, 1), D(2026, 2, 1))[0]
    assert field == "direct_ended_on" and "before it began" in message
    field, _m = contact.contact_problems("letterbox", "video", None, None)[0]
    assert field == "contact_kind"


def test_contact_figures_by_hand(db: Database, coordinator: Principal, contact_fixture: dict[str, int]) -> None:
    manager = make_user(db, "mgr", Role.MANAGER)
    v = _values(contact_figures.figures(db, manager, START, END))
    # items in the period: post 10/04 and 20/05, e-mail 15/04, digital 01/09, handed in 01/06 (05/10 is after)
    assert v[contact_figures.CHANNEL_LABELS["post"]] == "2"
    assert v[contact_figures.CHANNEL_LABELS["email"]] == "1"
    assert v[contact_figures.CHANNEL_LABELS["digital"]] == "1"
    assert v[contact_figures.CHANNEL_LABELS["hand"]] == "1"
    assert v[contact_figures.ALL_EMAIL] == "2"
    assert v[contact_figures.EMAIL_SHARE] == "40%"  # 2 of 5
    assert v[contact_figures.EMAIL_ARRANGEMENTS] == "1"  # LB-0002
    assert v[contact_figures.EMAIL_ALLOWED] == "1"
    # at 30/09: LB-0002 only (LB-0003's direct contact ended 15/05); 1 of 3 open arrangements
    assert v[contact_figures.DIRECT_AT_END] == "1"
    assert v["of which face to face"] == "1" and v["of which by video call"] == "0"
    assert v[contact_figures.WITH_LETTERBOX] == "1"
    assert v[contact_figures.DIRECT_SHARE] == "33%"
    assert v[contact_figures.DIRECT_STARTED] == "1"  # LB-0002, 20/04
    assert v[contact_figures.DIRECT_ENDED] == "1"  # LB-0003, 15/05
    # the cases behind a count: letterbox.view as well as reports.view
    with pytest.raises(PermissionDenied):
        open_figure(db, manager, contact_figures.EMAIL, contact_figures.ALL_EMAIL, START, END)
    admin = make_user(db, "adm1", Role.ADMINISTRATOR)
    behind = open_figure(db, admin, contact_figures.EMAIL, contact_figures.ALL_EMAIL, START, END)
    assert [(r[0], r[1], r[3]) for r in behind.rows] == [("LB-0002", "15/04/2026", "Secure e-mail"),
                                                         ("LB-0002", "01/09/2026", "Digital letterbox (online)")]
    ended = open_figure(db, admin, contact_figures.DIRECT, contact_figures.DIRECT_ENDED, START, END)
    assert [r[0] for r in ended.rows] == ["LB-0003"] and ended.columns[0] == "Arrangement"
    assert not can_open(contact_figures.EMAIL, contact_figures.EMAIL_SHARE)


def test_item_channel_is_kept_corrected_and_versioned(db: Database, coordinator: Principal,
                                                      arrangement: int) -> None:
    with pytest.raises(ValidationError, match="Received by: choose one of"):
        service.log_item(db, coordinator, arrangement, direction="adoptive_to_birth", received_on=D(2026, 4, 1),
                         channel="pigeon")
    item = service.log_item(db, coordinator, arrangement, direction="adoptive_to_birth", received_on=D(2026, 4, 1))
    detail = service.get_item(db, coordinator, item)
    assert detail.channel == "post"
    version = contact.set_item_channel(db, coordinator, item, "email", expected_version=detail.row_version)
    assert service.get_item(db, coordinator, item).channel == "email"
    assert any(e.action == "channel" for e in service.get_item(db, coordinator, item).history)
    with pytest.raises(StaleRecord):
        contact.set_item_channel(db, coordinator, item, "post", expected_version=detail.row_version)
    assert version == detail.row_version + 1
    manager = make_user(db, "mgr3", Role.MANAGER)
    with pytest.raises(PermissionDenied):
        contact.set_item_channel(db, manager, item, "post", expected_version=version)


def test_arrangement_contact_is_saved_and_checked(db: Database, coordinator: Principal, arrangement: int) -> None:
    detail = service.get_arrangement(db, coordinator, arrangement)
    assert detail.data.contact_kind == "letterbox"
    with pytest.raises(ValidationError, match="Direct contact began: enter the date"):
        service.update_arrangement(db, coordinator, arrangement, sample_input(
            contact_kind="direct", direct_form="video"), expected_version=detail.row_version)
    service.update_arrangement(db, coordinator, arrangement, sample_input(
        contact_kind="direct", direct_form="video", direct_started_on=D(2026, 1, 5)),
        expected_version=detail.row_version)
    again = service.get_arrangement(db, coordinator, arrangement).data
    assert (again.contact_kind, again.direct_form, again.direct_started_on) == ("direct", "video", D(2026, 1, 5))


def _referral(**kw: object) -> ReferralInput:
    base = {"case_reference": "LB-0001", "initials": "G.Q.", "relationship": "birth mother",
            "service": "Independent Support (test)", "referred_on": D(2026, 4, 1)}
    return ReferralInput(**{**base, **kw})  # type: ignore[arg-type]


def test_support_register_validation_versions_and_permissions(db: Database, coordinator: Principal) -> None:
    today = D(2026, 11, 23)
    with pytest.raises(ValidationError, match="Support offered on: 31/03/2026 is before the referral") as exc:
        support.add_referral(db, coordinator, _referral(offered_on=D(2026, 3, 31)), today=today)
    assert exc.value.field == "offered_on"
    with pytest.raises(ValidationError, match="support must be offered before it is taken up"):
        support.add_referral(db, coordinator, _referral(response="taken_up", response_on=D(2026, 4, 9)), today=today)
    with pytest.raises(ValidationError, match="Referred to: name the independent support service"):
        support.add_referral(db, coordinator, _referral(service=" "), today=today)
    with pytest.raises(ValidationError, match="Initials"):
        support.add_referral(db, coordinator, _referral(initials=""), today=today)
    saved = support.add_referral(db, coordinator, _referral(), today=today)
    offered = support.update_referral(db, coordinator, saved.id, _referral(offered_on=D(2026, 4, 10)),
                                      expected_version=saved.row_version, today=today)
    assert offered.row_version == saved.row_version + 1
    with pytest.raises(StaleRecord):
        support.update_referral(db, coordinator, saved.id, _referral(notes="late"), expected_version=saved.row_version,
                                today=today)
    manager = make_user(db, "mgr4", Role.MANAGER)
    with pytest.raises(PermissionDenied):
        support.list_referrals(db, manager)
    counsellor = make_user(db, "cns", Role.COUNSELLOR)
    with pytest.raises(PermissionDenied):
        support_figures.figures(db, counsellor, START, END)
    assert [r.id for r in support.list_referrals(db, coordinator, open_only=True)] == [saved.id]


def test_support_figures_by_hand(db: Database, coordinator: Principal) -> None:
    today = D(2026, 11, 23)
    add = support.add_referral
    # R1: referred Wed 01/04/2026, offered Fri 10/04: 02/04, 07/04, 08/04, 09/04, 10/04 = 5 working days
    # (Good Friday 03/04 and Easter Monday 06/04 are bank holidays): within 10. Taken up 15/04, closed 30/06.
    add(db, coordinator, _referral(offered_on=D(2026, 4, 10), response="taken_up", response_on=D(2026, 4, 15),
                                   closed_on=D(2026, 6, 30)), today=today)
    # R2: referred 01/05, offered 29/05 (19 working days: not within), declined and closed 02/06
    add(db, coordinator, _referral(case_reference="LB-0002", referred_on=D(2026, 5, 1), offered_on=D(2026, 5, 29),
                                   response="declined", response_on=D(2026, 6, 2), closed_on=D(2026, 6, 2)),
        today=today)
    # R3: referred 20/09, not yet offered
    add(db, coordinator, _referral(case_reference="LB-0003", referred_on=D(2026, 9, 20)), today=today)
    # R4: referred, offered and taken up in March (before the period), closed 20/04 (in it)
    add(db, coordinator, _referral(case_reference="LB-0004", referred_on=D(2026, 3, 1), offered_on=D(2026, 3, 5),
                                   response="taken_up", response_on=D(2026, 3, 10), closed_on=D(2026, 4, 20)),
        today=today)
    manager = make_user(db, "mgr5", Role.MANAGER)
    v = _values(support_figures.figures(db, manager, START, END))
    assert v == {
        support_figures.REFERRED: "3",
        "Offered support within 10 working days of the referral": "1",
        support_figures.SHARE: "33%",
        support_figures.OFFERED: "2",
        support_figures.TAKEN_UP: "1",
        support_figures.DECLINED: "1",
        support_figures.AWAITING: "1",
        support_figures.CLOSED: "3",
        support_figures.OPEN_AT_END: "1",
    }
    behind = open_figure(db, coordinator_with_reports(db), support_figures.SECTION,
                         "Offered support within 10 working days of the referral", START, END)
    assert [(r[0], r[6]) for r in behind.rows] == [("LB-0001", "5")]
    closed = open_figure(db, coordinator_with_reports(db, "lbr2"), support_figures.SECTION, support_figures.CLOSED,
                         START, END)
    assert sorted(r[0] for r in closed.rows) == ["LB-0001", "LB-0002", "LB-0004"]


def coordinator_with_reports(db: Database, name: str = "lbrep") -> Principal:
    return make_user(db, name, Role.LETTERBOX_COORDINATOR, Role.MANAGER)
