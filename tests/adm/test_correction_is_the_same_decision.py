"""User trial: a correction of a signed decision was counted as a new, very late decision in the period of
the correction (figures, the 7-working-day measure, the report's quarters, the Ofsted pack), and its letter
said "I made my decision on" the day of the correction. A correction is the same decision: it keeps the
original decision date and timeliness. And the median working days to decision left the time paused
waiting for information in, while "within 7 working days" left it out. Real SQLCipher files."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.adm import service
from adoption_desktop.adm.figures import LATE_DECISIONS, MEDIAN_WORKING_DAYS, figures
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports.measures import journey_measures
from adoption_desktop.reports.ofsted import adm_timeliness
from adoption_desktop.reports.periods import Period
from adoption_desktop.reports.report_data import quarterly
from tests.adm.conftest import handoff, open_from_panel
from tests.adm.test_service import pdf_text
from tests.conftest import TEST_PASSWORD

D = dt.date
DEC = (D(2025, 12, 1), D(2025, 12, 31))
MARCH = (D(2026, 3, 1), D(2026, 3, 31))


def _signed(db: Database, adm: Principal, decided: dt.date = DEC[0] + dt.timedelta(days=2)) -> int:
    with db.session() as s:
        did = open_from_panel(s, handoff(received=D(2025, 12, 1)))
    service.record_decision(db, adm, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    service.sign_decision(db, adm, did, TEST_PASSWORD, decided)
    return did


def _corrected(db: Database, adm: Principal) -> service.SignResult:
    did = _signed(db, adm)  # received 1 Dec, decided 3 Dec 2025: 2 WD, in time
    return service.correct_decision(
        db, adm, did, TEST_PASSWORD, reason="The age range in the advice was typed wrongly.", outcome="agree",
        decision_text="Approved as suitable to adopt up to two children aged 0 to 4.",
        reasons="I agree with the panel's reasons.", decided_on=D(2026, 3, 2))  # corrected three months later


def _summary(db: Database, adm: Principal, span: tuple[dt.date, dt.date]) -> dict[str, dict[str, str]]:
    return {s.title: dict(s.rows) for s in figures(db, adm, *span)}


def test_figures_count_a_correction_in_the_period_of_the_decision_and_in_time(db: Database,
                                                                             adm_user: Principal) -> None:
    _corrected(db, adm_user)
    dec = _summary(db, adm_user, DEC)
    assert dec["ADM decisions"]["Decisions signed"] == "1"
    assert dec["ADM decisions"]["Made within the timescale (all decisions, with or without panel)"] == "100% (1 of 1)"
    assert dec["ADM decisions"][MEDIAN_WORKING_DAYS] == "2"
    assert dec[LATE_DECISIONS]["Decisions signed late"] == "0% (0 of 1)"
    march = _summary(db, adm_user, MARCH)
    assert march["ADM decisions"]["Decisions signed"] == "0"
    assert march[LATE_DECISIONS]["Decisions signed late"] == "n/a"
    assert not [k for k in march[LATE_DECISIONS] if "WD late" in k]


def test_measure_quarters_and_ofsted_pack_keep_the_original_date(db: Database, adm_user: Principal) -> None:
    _corrected(db, adm_user)
    [dec] = [m for m in journey_measures(db, adm_user, *DEC) if m.code == "adm_7wd"]
    assert (dec.count, dec.within, dec.value) == (1, 1, 100.0)
    [march] = [m for m in journey_measures(db, adm_user, *MARCH) if m.code == "adm_7wd"]
    assert march.count == 0 and march.value is None
    trend = quarterly(db, adm_user, D(2026, 3, 31), count=2)  # Q4 2025, Q1 2026
    assert [q.adm_decisions for q in trend.figures] == [1, 0]
    assert trend.figures[0].adm_within == 1 and trend.figures[0].adm_median_wd == 2.0
    by_type, by_quarter, _threshold = adm_timeliness(db, adm_user, Period(D(2025, 4, 1), D(2026, 3, 31)))
    assert by_type[-1][:5] == ["All decisions", "1", "1", "1", "100%"]
    quarters = {row[0]: row[1] for row in by_quarter}
    assert sorted(quarters.values()) == ["0", "0", "0", "1"]


def test_the_corrected_letter_gives_the_original_decision_date(db: Database, adm_user: Principal) -> None:
    res = _corrected(db, adm_user)
    assert res.letter_id is not None
    text = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    assert "I made my decision on 3 December 2025" in text
    assert "decision on 2 March 2026" not in text
    assert "corrected on 2 March 2026" in text and "aged 0 to 4" in text


def test_the_queue_keeps_the_corrected_decision_in_time(db: Database, adm_user: Principal) -> None:
    res = _corrected(db, adm_user)
    [row] = [r for r in service.list_queue(db, adm_user, D(2026, 3, 2)) if r.id == res.decision_id]
    assert row.clock_code != "decided_late" and "late" not in row.clock_label.lower()
    detail = service.get_decision(db, adm_user, res.decision_id, D(2026, 3, 2), opening=False)
    assert detail.row.clock_code != "decided_late"


def test_the_median_leaves_out_the_days_waiting_for_information(db: Database, adm_user: Principal) -> None:
    with db.session() as s:
        did = open_from_panel(s, handoff(received=D(2025, 12, 1)))
    # asked Thu 4 Dec (3 WD used), logged Mon 15 Dec, signed Wed 17 Dec: 3 + 2 = 5 WD (not 12)
    service.request_information(db, adm_user, did, what="The updated medical report.", requested_on=D(2025, 12, 4))
    service.log_information(db, adm_user, did, received_on=D(2025, 12, 15))
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 17))
    summary = _summary(db, adm_user, DEC)["ADM decisions"]
    assert summary[MEDIAN_WORKING_DAYS] == "5"
    assert "not counted" in MEDIAN_WORKING_DAYS
    assert summary["Made within the timescale (all decisions, with or without panel)"] == "100% (1 of 1)"
    trend = quarterly(db, adm_user, D(2025, 12, 31), count=1)
    assert trend.figures[0].adm_median_wd == 5.0
    by_type, _q, _t = adm_timeliness(db, adm_user, Period(D(2025, 1, 1), D(2025, 12, 31)))
    assert by_type[-1][-1] == "5"


def test_decisions_waiting_are_counted_at_the_end_of_each_period(db: Database, adm_user: Principal) -> None:
    """Trial: "Decisions waiting (all dates)" was today's count in every column (1997's too)."""
    _signed(db, adm_user, D(2025, 12, 3))  # received 1 Dec, signed 3 Dec
    with db.session() as s:
        open_from_panel(s, handoff(received=D(2025, 12, 10)))  # still waiting
    corrected = _corrected(db, adm_user)  # received 1 Dec, signed 3 Dec, corrected in March: never waiting again
    assert corrected.decision_id

    def waiting(end: dt.date) -> str:
        [value] = [v for k, v in _summary(db, adm_user, (end - dt.timedelta(days=30), end))["ADM decisions"].items()
                   if k.startswith("Decisions waiting")]
        return value

    assert waiting(D(1997, 12, 31)) == "0"
    assert waiting(D(2025, 11, 30)) == "0"
    assert waiting(D(2025, 12, 2)) == "2"   # both received 1 Dec, neither signed yet
    assert waiting(D(2025, 12, 31)) == "1"  # the one received 10 Dec
    assert waiting(D(2026, 3, 31)) == "1"


def test_a_corrected_plan_for_adoption_gives_the_childs_journey_its_original_date(db: Database,
                                                                                adm_user: Principal) -> None:
    from adoption_desktop.journey import service as journey
    from adoption_desktop.journey.service import ChildInput

    did = service.open_direct_decision(
        db, adm_user, decision_type="plan_for_adoption", subject_reference="CH-2025-0009", subject_initials="T.Y.",
        received_on=D(2025, 12, 1), proposal="The child T.Y. should be placed for adoption.",
        social_worker="Sam Worker", today=D(2025, 12, 3))
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="The child should be placed.",
                            reasons="Adoption is the plan that meets the child's needs.")
    service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 3))
    fixed = service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="The reasons were typed wrongly.",
                                     outcome="agree", decision_text="The child should be placed.",
                                     reasons="Adoption is the plan that meets the child's long-term needs.",
                                     decided_on=D(2026, 3, 2))
    child = journey.add_child(db, adm_user, ChildInput(reference="CH-2025-0009a", initials="T.Y.",
                                                       date_of_birth=D(2024, 2, 1), entered_care_on=D(2025, 5, 1)),
                              decision_id=fixed.decision_id, today=D(2026, 3, 2))
    assert child.plan_decided_on == D(2025, 12, 3)
