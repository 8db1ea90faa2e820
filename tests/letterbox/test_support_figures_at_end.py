"""Birth-relative support figures count only what was known at the period's end (tester: the 2024-25
column had LB-00042, referred 26/03/2025 and offered 08/04/2025, both "offered within 10 working days" and
"not yet offered at the end", so a finished year's report changed when support was offered later). The
rule is checked directly with Hypothesis; the report, the Reports page and its CSV are read back."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.letterbox import support, support_figures
from adoption_desktop.letterbox.support import ReferralInput
from adoption_desktop.reports.periods import Period
from adoption_desktop.reports.report_data import build_report
from adoption_desktop.reports.report_docx import write_report_docx
from adoption_desktop.reports.views.page import ReportsPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

D = dt.date
FY24 = (D(2024, 4, 1), D(2025, 3, 31))
FY25 = Period(D(2025, 4, 1), D(2026, 3, 31))
WITHIN = support_figures.within_label(10)
CAL = WorkingCalendar(())


def _referral(ref: str, referred: dt.date, **kw: object) -> ReferralInput:
    return ReferralInput(**{"case_reference": ref, "initials": "P.B.", "relationship": "birth father",  # type: ignore[arg-type]
                            "service": "Northvale Birth Parent Service (test)", "referred_on": referred, **kw})


def _values(db: Database, actor: Principal, start: dt.date, end: dt.date) -> dict[str, str]:
    return dict(support_figures.figures(db, actor, start, end)[0].rows)


def test_an_offer_after_the_end_is_not_yet_offered_and_not_on_time(db: Database, coordinator: Principal) -> None:
    today = D(2025, 3, 31)
    # LB-0041: referred 03/03/2025, offered 07/03/2025 (4 working days): on time, in the year
    support.add_referral(db, coordinator, _referral("LB-0041", D(2025, 3, 3), offered_on=D(2025, 3, 7)),
                         today=today)
    # LB-0042: referred Wed 26/03/2025, not offered by 31/03/2025
    late = support.add_referral(db, coordinator, _referral("LB-0042", D(2025, 3, 26)), today=today)
    manager = make_user(db, "mgr", Role.MANAGER)
    at_the_time = _values(db, manager, *FY24)
    assert at_the_time[support_figures.REFERRED] == "2"
    assert at_the_time[WITHIN] == "1" and at_the_time[support_figures.SHARE] == "50%"
    assert at_the_time[support_figures.OFFERED] == "1" and at_the_time[support_figures.AWAITING] == "1"
    # later, support is offered on Tue 08/04/2025 (9 working days after the referral: on time, but in the
    # next year), taken up and the referral closed
    support.update_referral(db, coordinator, late.id, _referral(
        "LB-0042", D(2025, 3, 26), offered_on=D(2025, 4, 8), response="taken_up", response_on=D(2025, 4, 10),
        closed_on=D(2025, 8, 6)), expected_version=late.row_version, today=D(2025, 11, 1))
    assert _values(db, manager, *FY24) == at_the_time  # the finished year reads as it did at its end
    behind = support_figures.behind(db, make_user(db, "lbm", Role.LETTERBOX_COORDINATOR, Role.MANAGER),
                                    support_figures.SECTION, WITHIN, *FY24)
    assert [r[0] for r in behind.rows] == ["LB-0041"]
    awaiting = support_figures.behind(db, make_user(db, "lbm2", Role.LETTERBOX_COORDINATOR, Role.MANAGER),
                                      support_figures.SECTION, support_figures.AWAITING, *FY24)
    assert [r[0] for r in awaiting.rows] == ["LB-0042"]
    # the next year counts the offer, not the referral
    next_year = _values(db, manager, FY25.start, FY25.end)
    assert next_year[support_figures.REFERRED] == "0" and next_year[WITHIN] == "0"
    assert next_year[support_figures.OFFERED] == "1" and next_year[support_figures.AWAITING] == "0"


def test_report_page_and_csv_agree_on_the_previous_year(db: Database, coordinator: Principal, qtbot: Any,
                                                        tmp_path: Path) -> None:
    support.add_referral(db, coordinator, _referral("LB-0041", D(2025, 3, 3), offered_on=D(2025, 3, 7)),
                         today=D(2026, 4, 2))
    support.add_referral(db, coordinator, _referral(
        "LB-0042", D(2025, 3, 26), offered_on=D(2025, 4, 8), response="taken_up", response_on=D(2025, 4, 10),
        closed_on=D(2025, 8, 6)), today=D(2026, 4, 2))
    admin = make_user(db, "boss", Role.ADMINISTRATOR)
    wanted = _values(db, admin, *FY24)
    assert (wanted[support_figures.REFERRED], wanted[WITHIN], wanted[support_figures.OFFERED],
            wanted[support_figures.AWAITING]) == ("2", "1", "1", "1")
    this_year = _values(db, admin, FY25.start, FY25.end)

    doc = Document(str(write_report_docx(build_report(db, admin, FY25, "annual", today=D(2026, 4, 2)),
                                         tmp_path / "annual.docx")))
    table = next(t for t in doc.tables if any(r.cells[0].text == WITHIN for r in t.rows))
    in_report = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in table.rows[1:]}
    assert {label: v[1] for label, v in in_report.items()} == wanted  # the previous year's column
    assert {label: v[0] for label, v in in_report.items()} == this_year
    texts = [p.text for p in doc.paragraphs]
    definitions = texts[texts.index("Support for birth parents"):texts.index("Birth-records counselling")]
    assert any(t.startswith(f"{support_figures.AWAITING}: ") and "offered support after the end is not yet "
               "offered here" in t for t in definitions)

    page = ReportsPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.preset.setCurrentIndex(3)
    page.start.setDate(page.start.date().fromString("2025-04-01", "yyyy-MM-dd"))
    page.end.setDate(page.end.date().fromString("2026-03-31", "yyyy-MM-dd"))
    page.run()
    top = next(page.tree.topLevelItem(i) for i in range(page.tree.topLevelItemCount())
               if page.tree.topLevelItem(i).text(0) == support_figures.SECTION)
    on_page = {top.child(i).text(0): [top.child(i).text(c) for c in (1, 2)] for i in range(top.childCount())}
    assert {label: v[1] for label, v in on_page.items()} == wanted
    assert {label: v[0] for label, v in on_page.items()} == this_year
    out = tmp_path / "figures.csv"
    page.export_to(out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        lines = [r for r in csv.reader(fh) if r[0] == support_figures.SECTION]
    assert {r[1]: r[3] for r in lines} == wanted and {r[1]: r[2] for r in lines} == this_year


@dataclass(frozen=True)
class Ref:
    referred_on: dt.date
    offered_on: dt.date | None = None
    response: str = ""
    response_on: dt.date | None = None
    closed_on: dt.date | None = None


DAY0 = D(2024, 1, 1)
days = st.integers(0, 730).map(lambda n: DAY0 + dt.timedelta(days=n))
gaps = st.none() | st.integers(0, 60)


@st.composite
def referrals(draw: st.DrawFn) -> Ref:
    """A referral whose dates are in the order the register allows (offer, answer, closure)."""
    referred = draw(days)
    offer_gap, answer_gap, close_gap = draw(gaps), draw(gaps), draw(gaps)
    offered = None if offer_gap is None else referred + dt.timedelta(days=offer_gap)
    response = "" if offered is None or answer_gap is None else draw(st.sampled_from(("taken_up", "declined")))
    answered = offered + dt.timedelta(days=answer_gap) if response and offered and answer_gap is not None else None
    closed = None if close_gap is None else max(d for d in (referred, offered, answered) if d) \
        + dt.timedelta(days=close_gap)
    return Ref(referred, offered, response, answered, closed)


def _known_at(r: Ref, end: dt.date) -> Ref:
    """``r`` as the register stood at the end of ``end``: dates after it not yet recorded."""
    def k(day: dt.date | None) -> dt.date | None:
        return day if day is not None and day <= end else None
    answered = k(r.response_on)
    return replace(r, offered_on=k(r.offered_on), response=r.response if answered else "", response_on=answered,
                   closed_on=k(r.closed_on))


@settings(max_examples=300, deadline=None)
@given(st.lists(referrals(), max_size=12), days, st.integers(0, 400), st.integers(0, 20))
def test_support_rows_agree_and_only_what_was_known_at_the_end_counts(
        rows: list[Ref], start: dt.date, length: int, timescale: int) -> None:
    end = start + dt.timedelta(days=length)
    lists = support_figures.counted(rows, start, end, timescale, CAL.working_days_between)
    ids = {label: [id(r) for r in rs] for label, rs in lists.items()}
    referred, within = set(ids[support_figures.REFERRED]), set(ids[support_figures.within_label(timescale)])
    offered, awaiting = set(ids[support_figures.OFFERED]), set(ids[support_figures.AWAITING])
    closed = set(ids[support_figures.CLOSED])
    # within ≤ offered and within ≤ referred; on time and not yet offered never both
    assert within <= referred and within <= offered and not within & awaiting
    # each referral of the period is, at its end, offered (in the period), not yet offered, or closed unoffered
    for r in lists[support_figures.REFERRED]:
        offered_by_end = r.offered_on is not None and r.offered_on <= end
        closed_unoffered = not offered_by_end and id(r) in closed
        assert [id(r) in offered, id(r) in awaiting, closed_unoffered].count(True) == 1
    assert len(referred) == len(referred & offered) + len(referred & awaiting) + sum(
        1 for r in lists[support_figures.REFERRED] if id(r) in closed and not (r.offered_on and r.offered_on <= end))
    # what was recorded after the end changes nothing: the same referrals behind every count
    as_then = [_known_at(r, end) for r in rows]
    then = support_figures.counted(as_then, start, end, timescale, CAL.working_days_between)
    assert _positions(then, as_then) == _positions(lists, rows)


def _positions(lists: dict[str, list[Ref]], rows: list[Ref]) -> dict[str, list[int]]:
    """Which of ``rows`` (by place, not by value) are behind each count."""
    place = {id(r): i for i, r in enumerate(rows)}
    return {label: [place[id(r)] for r in rs] for label, rs in lists.items()}
