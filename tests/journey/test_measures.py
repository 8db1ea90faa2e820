"""The measures computed by hand for the demo cohort (journey.demo) and for a few children, compared with
what reports.measures gives — pure and through a real SQLCipher database."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest

from adoption_desktop.core.errors import PermissionDenied, ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import demo
from adoption_desktop.journey.rules import ChildDates
from adoption_desktop.reports import measures
from adoption_desktop.reports.measures import CaseDates, Inputs, Thresholds, compute, rows_for
from tests.conftest import make_user

TODAY = dt.date(2026, 6, 30)
START, END = TODAY - dt.timedelta(days=365), TODAY


def _by_code(ms: list[measures.Measure]) -> dict[str, measures.Measure]:
    return {m.code: m for m in ms}


#: worked by hand from demo.COHORT / demo.HOUSEHOLDS (days before TODAY) for the year to TODAY:
#: adopted in the year: C01, C02, C03 (siblings), C04 (FfA), C06 (foster carers), C08 (concurrent)
#: A1 days: 330, 470, 470, 280, 430, 210 -> mean 365.0, 3 within 426 (and under 426 for A3)
#: A10 days: 330, 470, 470, 2, 20, 5 -> 1297 / 6 = 216.2, 4 within 426
#: A2 days: 90, 180, 180, 130, 140, 70 -> 790 / 6 = 131.7, 2 within 121
#: A20 days: 220, 270, 270, 150, 290, 140 -> 1340 / 6 = 223.3
#: matched (ADM) in the year: C02, C03 (180 days), C04 (130), C06 (140), C08 (70) -> 1 within 4 months, 4 in 4-8
#: match at panel in the year: C02, C03 (250 days after plan), C04 (210), C06 (200), C08 (50) -> 1 of 5
#: stage 1 ended in the year: H01 (50 days), H02 (100), H03 (50), H04 (45) -> 3 of 4 within 2 months
#: approved in the year: H01 (stage 2 120 days, 180 in all), H02 (120, 230), H03 (160, 220)
EXPECTED: dict[str, tuple[float | None, int, int | None]] = {  # value, count, within
    "A1": (365.0, 6, 3), "A3": (50.0, 6, 3), "A10": (216.2, 6, 4), "A2": (131.7, 6, 2), "A20": (223.3, 6, None),
    "match_4m": (1.0, 5, 1), "match_4_8m": (4.0, 5, 4), "match_8_12m": (0.0, 5, 0), "match_over_12m": (0.0, 5, 0),
    "plan_to_panel_2m": (20.0, 5, 1), "stage1_2m": (75.0, 4, 3), "stage2_4m": (66.7, 3, 2),
    "approval_6m": (33.3, 3, 1),
}


def _demo_inputs() -> Inputs:
    kids = [ChildDates(
        reference=c.reference, initials=c.initials, sibling_group=c.sibling_group,
        entered_care_on=c.entered_care_on, plan_decided_on=c.plan_decided_on,
        placement_order_on=c.placement_order_on, match_recommended_on=c.match_recommended_on,
        match_agreed_on=c.match_agreed_on, placed_on=c.placed_on, adoption_order_on=c.adoption_order_on,
        early_permanence=c.early_permanence, early_permanence_placed_on=c.early_permanence_placed_on,
        foster_carer_adoption=c.foster_carer_adoption, foster_carer_placed_on=c.foster_carer_placed_on,
        disrupted_on=c.disrupted_on) for c in demo.children(TODAY)]
    homes = demo.households(TODAY)
    return Inputs(children=kids,
                  adopters=[CaseDates(h.reference, h.registered_on, h.approved_on, h.stage2_started_on) for h in homes],
                  stage1=[CaseDates(h.reference, h.registered_on, h.stage1_completed_on) for h in homes])


def test_demo_cohort_gives_the_values_worked_by_hand() -> None:
    got = _by_code(compute(_demo_inputs(), START, END))
    for code, (value, count, within) in EXPECTED.items():
        m = got[code]
        assert (m.value, m.count, m.within) == (value, count, within), code
    assert got["A10"].threshold == 426 and got["A2"].threshold == 121


def test_siblings_are_children_not_items() -> None:
    rows = rows_for("A2", _demo_inputs(), START, END, Thresholds())
    siblings = [r for r in rows if r.sibling_group == "SG-1"]
    assert [r.reference for r in siblings] == ["DEMO-C02", "DEMO-C03"]
    assert all(r.days == 180 and r.within is False for r in siblings)


def test_early_permanence_and_foster_carers_shorten_a10_not_a1() -> None:
    inputs = _demo_inputs()
    a1 = {r.reference: r.days for r in rows_for("A1", inputs, START, END, Thresholds())}
    a10 = {r.reference: r for r in rows_for("A10", inputs, START, END, Thresholds())}
    assert (a1["DEMO-C04"], a10["DEMO-C04"].days) == (280, 2)
    assert (a1["DEMO-C06"], a10["DEMO-C06"].days) == (430, 20)
    assert "fostering for adoption" in a10["DEMO-C04"].detail
    assert "DEMO-C05" not in a1  # disrupted, never adopted: not in the adopted cohort


def test_thresholds_are_settings_not_constants() -> None:
    got = _by_code(compute(_demo_inputs(), START, END, Thresholds(a10=300, a2=150)))
    assert (got["A10"].within, got["A10"].threshold) == (3, 300)  # 2, 20, 5 (330 now over)
    assert (got["A2"].within, got["A2"].threshold) == (4, 150)  # 90, 130, 140, 70
    assert got["A1"].within == 2  # 280, 210


def test_empty_period_gives_none_not_zero() -> None:
    got = _by_code(compute(Inputs(), START, END))
    assert all(m.value is None and m.count == 0 for m in got.values())


def test_a_few_random_children_by_hand() -> None:
    rng = random.Random(7)
    kids = []
    for n in range(12):
        care = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
        po = care + dt.timedelta(days=rng.randint(60, 300))
        agreed = po + dt.timedelta(days=rng.randint(10, 400))
        placed = agreed + dt.timedelta(days=rng.randint(0, 30))
        order = placed + dt.timedelta(days=rng.randint(90, 300))
        kids.append(ChildDates(f"R{n}", entered_care_on=care, plan_decided_on=care, placement_order_on=po,
                               match_agreed_on=agreed, placed_on=placed, adoption_order_on=order))
    start, end = dt.date(2025, 1, 1), dt.date(2026, 12, 31)
    cohort = [k for k in kids if k.adoption_order_on and start <= k.adoption_order_on <= end]
    got = _by_code(compute(Inputs(children=kids), start, end))
    a1 = [(k.placed_on - k.entered_care_on).days for k in cohort]  # type: ignore[operator]
    a2 = [(k.match_agreed_on - k.placement_order_on).days for k in cohort]  # type: ignore[operator]
    assert got["A1"].value == round(sum(a1) / len(a1), 1)
    assert got["A2"].value == round(sum(a2) / len(a2), 1)
    assert got["A2"].within == sum(1 for d in a2 if d <= 121)
    assert got["A3"].within == sum(1 for d in a1 if d < 426)


def test_case_measures_adm_letterbox_counselling() -> None:
    d = dt.date
    inputs = Inputs(
        adm=[CaseDates("ADP-1", d(2026, 1, 5), d(2026, 1, 9), d(2026, 1, 14)),
             CaseDates("ADP-2", d(2026, 1, 5), d(2026, 1, 20), d(2026, 1, 14))],
        letterbox=[CaseDates("LB-1", d(2026, 3, 2), None, None, True),
                   CaseDates("LB-2", d(2026, 5, 2), None, None, False)],
        counselling=[CaseDates("BR-1", d(2025, 12, 1), d(2026, 1, 30)),
                     CaseDates("BR-2", d(2026, 1, 1), d(2026, 1, 11)),
                     CaseDates("BR-3", d(2026, 2, 1), d(2026, 2, 21))])
    got = _by_code(compute(inputs, d(2026, 1, 1), d(2026, 6, 30)))
    assert (got["adm_7wd"].value, got["adm_7wd"].within, got["adm_7wd"].count) == (50.0, 1, 2)
    assert (got["letterbox_on_time"].value, got["letterbox_on_time"].count) == (50.0, 2)
    assert (got["counselling_wait"].value, got["counselling_wait"].count) == (20.0, 3)  # 60, 10, 20


def test_letterbox_on_time_rule() -> None:
    assert measures._letterbox_on_time(dt.date(2026, 3, 20), "3,9", "adoptive_to_birth", "adoptive")
    assert measures._letterbox_on_time(dt.date(2026, 2, 25), "3,9", "adoptive_to_birth", "adoptive")  # early
    assert not measures._letterbox_on_time(dt.date(2026, 5, 2), "3,9", "adoptive_to_birth", "adoptive")
    assert measures._letterbox_on_time(dt.date(2026, 4, 10), "3,9", "birth_to_adoptive", "adoptive")  # reply


@pytest.fixture
def manager(db: Database) -> Principal:
    return make_user(db, "mgr", Role.MANAGER)


def test_through_the_database_and_drill_down(db: Database, manager: Principal) -> None:
    from adoption_desktop.demo import DemoContext

    demo.populate(db, DemoContext(size="small", rng=random.Random(1), today=TODAY))
    got = _by_code(measures.journey_measures(db, manager, START, END))
    for code, (value, count, within) in EXPECTED.items():
        assert (got[code].value, got[code].count, got[code].within) == (value, count, within), code
    with pytest.raises(PermissionDenied, match="counts only"):  # reports.view alone: the count, not the children
        measures.measure_children(db, manager, "A10", START, END)
    rows = measures.measure_children(db, make_user(db, "adm", Role.AGENCY_DECISION_MAKER), "A10", START, END)
    assert len(rows) == got["A10"].count and sum(1 for r in rows if r.within) == got["A10"].within
    assert {r.reference for r in rows} == {"DEMO-C01", "DEMO-C02", "DEMO-C03", "DEMO-C04", "DEMO-C06", "DEMO-C08"}
    with pytest.raises(ValidationError, match="not a measure"):
        measures.measure_children(db, manager, "A99", START, END)
    with pytest.raises(ValidationError, match="end date"):
        measures.journey_measures(db, manager, END, START)
    with pytest.raises(PermissionDenied):  # a manager sees the waiting figure, not the counselling cases
        measures.measure_children(db, manager, "counselling_wait", START, END)
    nobody = make_user(db, "clerk", Role.COUNSELLOR)
    with pytest.raises(PermissionDenied):
        measures.journey_measures(db, nobody, START, END)


def test_reports_page_figures_count_children_in_separate_cells(db: Database, manager: Principal) -> None:
    from adoption_desktop.demo import DemoContext
    from adoption_desktop.journey.figures import figures

    demo.populate(db, DemoContext(size="small", rng=random.Random(1), today=TODAY))
    sections = {s.title: dict(s.rows) for s in figures(db, manager, START, END)}
    kids = sections["Children (each child counted, not items)"]
    assert kids["Children adopted (adoption order)"] == "6"
    assert kids["Children whose match was recommended by panel"] == "5"
    assert kids["of whom in sibling groups (groups)"] == "1"
    assert kids["Placements that disrupted"] == "1"
    timeliness = sections["Timeliness of the child's journey"]
    a10 = next(k for k in timeliness if k.startswith("A10") and k.endswith("(days)"))
    assert timeliness[a10] == "216.2"
    assert all(v.replace(".", "", 1).isdigit() or v == "n/a" for v in timeliness.values())


def test_adm_outcome_labels_say_what_was_proposed() -> None:
    from adoption_desktop.adm.figures import outcome_label

    assert outcome_label("termination", "not_approve") == "proposed to terminate the approval (qualifying determination)"
    assert outcome_label("approval", "not_approve") == "proposed not to approve (qualifying determination)"
    assert outcome_label("review", "not_approve").startswith("proposed that they are no longer suitable")
    assert outcome_label("match", "agree") == "agreed"
    # a final decision after a qualifying determination is counted apart from the proposals (a user trial
    # read 3 proposals and 2 final decisions as 5 proposals to terminate)
    from adoption_desktop.adm.figures import outcome_key
    from adoption_desktop.adm.models import AdmDecision

    final = AdmDecision(decision_type="termination", source="qd_final", outcome="not_approve")
    assert outcome_label("termination", outcome_key(final)) == (
        "approval terminated (final decision after a qualifying determination)")
    final.outcome = "agree"
    assert outcome_label("termination", outcome_key(final)).startswith("approval continues (final decision")
    proposal = AdmDecision(decision_type="termination", source="panel", outcome="not_approve")
    assert outcome_label("termination", outcome_key(proposal)).startswith("proposed to terminate")


def test_full_small_demo_links_the_children_and_gives_the_same_values(open_demo: Callable[..., Database]) -> None:
    from sqlalchemy import func, select

    from adoption_desktop.journey.models import JourneyChild
    from tests.journey.test_demo_plan_dates import check_linked_children

    # the whole small demo dated TODAY (demo.populate(db, "small", today=TODAY)): a copy of the one made once
    # per run (conftest)
    db = open_demo(TODAY)
    # its children agree with their plan decisions, plans on a Saturday among them (one demo filled for both)
    check_linked_children(db)
    manager = make_user(db, "mgr", Role.MANAGER)
    got = _by_code(measures.journey_measures(db, manager, START, END))
    for code, (value, count, within) in EXPECTED.items():
        assert (got[code].value, got[code].count, got[code].within) == (value, count, within), code
    for code in ("adm_7wd", "letterbox_on_time", "counselling_wait"):  # the other areas' demo data
        assert got[code].count > 0 and got[code].value is not None, code
    with db.session(manager, write=False) as session:
        linked = session.scalar(select(func.count()).select_from(JourneyChild).where(
            JourneyChild.plan_decision_id.is_not(None))) or 0
    assert linked == len(demo.COHORT)  # the sibling group shares one plan decision
    from adoption_desktop.core.storage.lifecycle import verify_database

    report = verify_database(db)  # the journey rows are sealed like every other table's
    assert report.ok, report


def test_threshold_changed_in_settings_is_used(db: Database, manager: Principal) -> None:
    from adoption_desktop.core.settings_service import set_setting
    from adoption_desktop.demo import DemoContext
    from adoption_desktop.journey import settings

    demo.populate(db, DemoContext(size="small", rng=random.Random(1), today=TODAY))
    admin = make_user(db, "admin", Role.ADMINISTRATOR)
    set_setting(db, admin, settings.A10_THRESHOLD_DAYS, 300)
    got = _by_code(measures.journey_measures(db, manager, START, END))
    assert (got["A10"].threshold, got["A10"].within) == (300, 3)
    assert got["A2"].threshold == 121
