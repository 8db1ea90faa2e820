"""Search everywhere: every area found by reference, by name and initials and by date; only the areas the
signed-in role may see; no audit entry per keystroke."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from adoption_desktop import demo
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling.models import CounsellingCase
from adoption_desktop.letterbox.models import Arrangement, Item
from adoption_desktop.panel.models import PanelItem, PanelSitting
from adoption_desktop.reports.search_everywhere import (
    ARRANGEMENTS,
    COUNSELLING_CASES,
    DECISIONS,
    LETTERBOX_ITEMS,
    PANEL_ITEMS,
    PER_AREA,
    areas_for,
    parse_date,
    search_everywhere,
)
from tests.conftest import make_user


@pytest.fixture
def demo_db(small_demo_db: Database) -> Database:
    return small_demo_db  # the small demo, made once per run (conftest)


def ids(db: Database, username: str, query: str, area: str) -> list[int]:
    principal = authenticate(db, username, demo.DEMO_PASSWORD)
    found = search_everywhere(db, principal, query, per_area=50)
    return [h.record_id for h in found.hits if h.area == area]


def one(db: Database, stmt: Any) -> Any:
    with db.session(write=False) as s:
        return s.execute(stmt.limit(1)).one()


def _each_area_is_found_by_its_reference(demo_db: Database) -> None:
    item = one(demo_db, select(PanelItem.id, PanelItem.subject_reference).where(PanelItem.subject_reference != ""))
    assert item.id in ids(demo_db, "admin", item.subject_reference, PANEL_ITEMS.key)
    decision = one(demo_db, select(AdmDecision.id, AdmDecision.subject_reference).order_by(AdmDecision.id.desc()))
    assert decision.id in ids(demo_db, "admin", decision.subject_reference, DECISIONS.key)
    arrangement = one(demo_db, select(Arrangement.id, Arrangement.reference))
    assert arrangement.id in ids(demo_db, "admin", arrangement.reference, ARRANGEMENTS.key)
    lb_item = one(demo_db, select(Item.id, Arrangement.reference).join(Arrangement).order_by(Item.id.desc()))
    assert lb_item.id in ids(demo_db, "admin", lb_item.reference, LETTERBOX_ITEMS.key)
    case = one(demo_db, select(CounsellingCase.id, CounsellingCase.reference))
    assert case.id in ids(demo_db, "admin", case.reference, COUNSELLING_CASES.key)
    # typed differently: lower case, without the hyphens' spacing
    assert case.id in ids(demo_db, "admin", case.reference.lower(), COUNSELLING_CASES.key)


def _an_exact_reference_is_listed_first(demo_db: Database) -> None:
    admin = authenticate(demo_db, "admin", demo.DEMO_PASSWORD)
    case = one(demo_db, select(CounsellingCase.id, CounsellingCase.reference).order_by(CounsellingCase.id))
    found = search_everywhere(demo_db, admin, case.reference)
    first = next(a for a in found.areas if a.area is COUNSELLING_CASES).hits[0]
    assert first.record_id == case.id


def _names_and_initials_are_found(demo_db: Database) -> None:
    arrangement = one(demo_db, select(Arrangement.id, Arrangement.child_birth_name).where(
        Arrangement.child_birth_name != "").order_by(Arrangement.id.desc()))
    assert arrangement.id in ids(demo_db, "admin", arrangement.child_birth_name, ARRANGEMENTS.key)
    case = one(demo_db, select(CounsellingCase.id, CounsellingCase.current_name))
    assert case.id in ids(demo_db, "admin", case.current_name, COUNSELLING_CASES.key)
    assert case.id in ids(demo_db, "admin", case.current_name.upper(), COUNSELLING_CASES.key)
    writer = one(demo_db, select(Item.id, Item.writer).where(Item.writer != "").order_by(Item.id.desc()))
    assert writer.id in ids(demo_db, "admin", writer.writer, LETTERBOX_ITEMS.key)
    item = one(demo_db, select(PanelItem.id, PanelItem.subject_initials).where(
        PanelItem.subject_initials != "").order_by(PanelItem.id.desc()))
    assert item.id in ids(demo_db, "admin", item.subject_initials, PANEL_ITEMS.key)
    decision = one(demo_db, select(AdmDecision.id, AdmDecision.subject_initials).where(
        AdmDecision.subject_initials.like("%.%")))
    # "J.V." is found as "JV" and "j v" too: the initials compared without dots and spaces, ranked first
    compact = decision.subject_initials.replace(".", "")
    for typed in (decision.subject_initials, compact, " ".join(compact.lower())):
        admin = authenticate(demo_db, "admin", demo.DEMO_PASSWORD)
        found = search_everywhere(demo_db, admin, typed, per_area=50)
        hits = [h for h in found.hits if h.area == DECISIONS.key]
        assert decision.id in [h.record_id for h in hits], typed
        assert all(compact in h.title.replace(".", "") for h in hits[:1]), typed


def _dates_find_the_records_of_that_day(demo_db: Database) -> None:
    item = one(demo_db, select(PanelItem.id, PanelSitting.sitting_date).join(PanelSitting))
    assert item.id in ids(demo_db, "admin", f"{item.sitting_date:%d/%m/%Y}", PANEL_ITEMS.key)
    decision = one(demo_db, select(AdmDecision.id, AdmDecision.received_on).order_by(AdmDecision.id.desc()))
    assert decision.id in ids(demo_db, "admin", f"{decision.received_on:%Y-%m-%d}", DECISIONS.key)
    lb_item = one(demo_db, select(Item.id, Item.received_on).order_by(Item.id.desc()))
    assert lb_item.id in ids(demo_db, "admin", f"{lb_item.received_on.day} {lb_item.received_on:%B %Y}",
                             LETTERBOX_ITEMS.key)
    arrangement = one(demo_db, select(Arrangement.id, Arrangement.child_dob).where(Arrangement.child_dob.is_not(None)))
    assert arrangement.id in ids(demo_db, "admin", f"{arrangement.child_dob:%d.%m.%Y}", ARRANGEMENTS.key)
    case = one(demo_db, select(CounsellingCase.id, CounsellingCase.referral_date))
    assert case.id in ids(demo_db, "admin", f"{case.referral_date:%d/%m/%Y}", COUNSELLING_CASES.key)


def test_parse_date_reads_english_dates_and_refuses_impossible_ones() -> None:
    assert parse_date("4/3/2026") == dt.date(2026, 3, 4)
    assert parse_date("2026-03-04") == dt.date(2026, 3, 4)
    assert parse_date("4th March 2026") == dt.date(2026, 3, 4)
    assert parse_date("4 Mar 2026") == dt.date(2026, 3, 4)
    assert parse_date("31/02/2026") is None
    assert parse_date("AD-2026-0142") is None


def _each_role_sees_only_its_areas(demo_db: Database) -> None:
    counsellor = authenticate(demo_db, "counsellor", demo.DEMO_PASSWORD)
    assert areas_for(counsellor) == (COUNSELLING_CASES,)
    arrangement = one(demo_db, select(Arrangement.reference))
    panel_ref = one(demo_db, select(PanelItem.subject_reference).where(PanelItem.subject_reference != ""))
    for query in (arrangement.reference, panel_ref.subject_reference, "a", "e"):
        found = search_everywhere(demo_db, counsellor, query)
        assert {a.area.key for a in found.areas} <= {COUNSELLING_CASES.key}, query
    letterbox = authenticate(demo_db, "letterbox", demo.DEMO_PASSWORD)
    case = one(demo_db, select(CounsellingCase.reference))
    assert search_everywhere(demo_db, letterbox, case.reference).areas == ()
    assert {a.area.key for a in search_everywhere(demo_db, letterbox, "e").areas} <= {
        ARRANGEMENTS.key, LETTERBOX_ITEMS.key}
    chair = authenticate(demo_db, "chair", demo.DEMO_PASSWORD)
    assert areas_for(chair) == (PANEL_ITEMS,)
    manager = authenticate(demo_db, "manager", demo.DEMO_PASSWORD)
    assert areas_for(manager) == ()
    with pytest.raises(PermissionDenied) as refused:  # figures only: no case records to search
        search_everywhere(demo_db, manager, "e")
    said = str(refused.value)  # in the words of the screen, never the permissions' internal names
    assert "Your roles, Manager (figures only), include none of these" in said and ".view" not in said, said


def test_a_role_change_takes_effect_at_once(db: Database) -> None:
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security import service as security

    admin = make_user(db, "boss", Role.ADMINISTRATOR)
    user = make_user(db, "lb", Role.LETTERBOX_COORDINATOR)
    security.set_roles(db, admin, user.user_id, [Role.COUNSELLOR])
    with pytest.raises(AppError):
        search_everywhere(db, user, "anything")


def _few_per_area_and_more_when_there_are_others(demo_db: Database) -> None:
    admin = authenticate(demo_db, "admin", demo.DEMO_PASSWORD)
    found = search_everywhere(demo_db, admin, "e")
    items = next(a for a in found.areas if a.area is LETTERBOX_ITEMS)
    assert len(items.hits) == PER_AREA and items.more
    assert [a.area for a in found.areas] == [a for a in (PANEL_ITEMS, DECISIONS, ARRANGEMENTS, LETTERBOX_ITEMS,
                                                          COUNSELLING_CASES) if a in {x.area for x in found.areas}]


def _empty_or_odd_queries_find_nothing_and_fail_nothing(demo_db: Database) -> None:
    admin = authenticate(demo_db, "admin", demo.DEMO_PASSWORD)
    for query in ("", "   ", "-- ::", "\x00\t", '"', "*", "%", "_", "'; drop table users; --", "x" * 5000):
        found = search_everywhere(demo_db, admin, query)
        assert all(h.record_id > 0 for h in found.hits)
    assert search_everywhere(demo_db, admin, "").areas == ()
    assert search_everywhere(demo_db, admin, "%").areas == ()  # not a LIKE wildcard
    assert search_everywhere(demo_db, admin, "zzqqxx-no-such-thing").areas == ()


def _searching_writes_no_audit_entry(demo_db: Database) -> None:
    admin = authenticate(demo_db, "admin", demo.DEMO_PASSWORD)
    case = one(demo_db, select(CounsellingCase.reference))

    def entries() -> int:
        with demo_db.session(write=False) as s:
            return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)

    before = entries()
    typed = ""
    for ch in case.reference:
        typed += ch
        search_everywhere(demo_db, admin, typed)
    assert entries() == before


def test_every_area_by_reference_name_initials_and_date(demo_db: Database) -> None:
    """One demo database for these checks (making it is most of the time)."""
    _each_area_is_found_by_its_reference(demo_db)
    _an_exact_reference_is_listed_first(demo_db)
    _names_and_initials_are_found(demo_db)
    _dates_find_the_records_of_that_day(demo_db)
    _few_per_area_and_more_when_there_are_others(demo_db)


def test_roles_odd_queries_and_no_audit_per_keystroke(demo_db: Database) -> None:
    _each_role_sees_only_its_areas(demo_db)
    _empty_or_odd_queries_find_nothing_and_fail_nothing(demo_db)
    _searching_writes_no_audit_entry(demo_db)


def test_the_same_search_in_team_mode(any_db: Database) -> None:
    """SQLCipher and PostgreSQL (team mode: tsvector/GIN, LIKE with an escape, NOT IN) find the same."""
    if any_db.is_sqlite:
        pytest.skip("the embedded store is covered by the tests above")
    demo.populate(any_db, "small")
    _each_area_is_found_by_its_reference(any_db)
    _names_and_initials_are_found(any_db)
    _dates_find_the_records_of_that_day(any_db)
    _each_role_sees_only_its_areas(any_db)
