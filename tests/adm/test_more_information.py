"""ADM 'asked for more information' (issue 16): decision types, outcomes and working days paused, worked by
hand on a small fixture (England and Wales bank holidays; 1 April-30 September 2026)."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.adm import more_information as mi
from adoption_desktop.adm.more_information import DecisionFacts, Request
from adoption_desktop.core.workdays import DEFAULT_CALENDAR
from adoption_desktop.reports.drilldown import find

D = dt.date
START, END, AS_OF = D(2026, 4, 1), D(2026, 9, 30), D(2026, 10, 2)


def _d(ref: str, kind: str, rec: str, outcome: str, *requests: tuple[dt.date, dt.date | None],
       source: str = "panel", signed: bool = True) -> DecisionFacts:
    return DecisionFacts(ref, "AB", kind, source, rec, signed, outcome if signed else "",
                         D(2026, 10, 1) if signed else None, tuple(Request(a, b) for a, b in requests))


DECISIONS = [
    # Mon 1 June -> Fri 5 June: 4 working days
    _d("D1", "approval", "suitable", "agree", (D(2026, 6, 1), D(2026, 6, 5))),
    # 8->10 June (2) and 15->16 June (1): 3; proposed not to approve after a positive recommendation
    _d("D2", "approval", "suitable", "not_approve", (D(2026, 6, 8), D(2026, 6, 10)), (D(2026, 6, 15), D(2026, 6, 16))),
    # Wed 1 July -> Wed 8 July: 5
    _d("D3", "match", "match_recommended", "differ", (D(2026, 7, 1), D(2026, 7, 8))),
    # without panel, decided differently: not agreed; 1
    _d("D4", "plan_for_adoption", "", "differ", (D(2026, 7, 6), D(2026, 7, 7)), source="direct"),
    # the panel's negative recommendation agreed (a proposal not to approve): not agreed; 1
    _d("D5", "review", "no_longer_suitable", "not_approve", (D(2026, 8, 3), D(2026, 8, 4))),
    # unsigned, information still awaited: Mon 28 Sept to the day counted, Fri 2 Oct: 4
    _d("D6", "match", "match_recommended", "", (D(2026, 9, 28), None), signed=False),
    # asked before the period: not counted
    _d("D7", "approval", "suitable", "agree", (D(2026, 3, 2), D(2026, 3, 4))),
    # Tue 1 Sept -> Thu 3 Sept: 2 (Monday 31 August, a bank holiday, is before it)
    _d("D8", "match", "match_recommended", "agree", (D(2026, 9, 1), D(2026, 9, 3))),
]


def test_outcomes_follow_the_stated_order() -> None:
    assert [mi.outcome_of(d) for d in DECISIONS] == [
        mi.AGREED, mi.DIFFERS, mi.DIFFERS, mi.NOT_AGREED, mi.NOT_AGREED, mi.WAITING, mi.AGREED, mi.AGREED]


def test_counts_by_type_with_outcomes_and_days_paused() -> None:
    groups = mi.compute(DECISIONS, START, END, AS_OF, DEFAULT_CALENDAR)
    v = {f.label: f.value for f in groups[0].figures}
    assert v["Decisions where more information was asked for"] == "7"
    assert v["Requests for more information made"] == "8"
    assert v["Decisions still waiting for the information"] == "1"
    assert [v[f"All types: {o}"] for o in mi.OUTCOMES] == ["2", "2", "2", "1"]
    assert v["All types: median working days paused"] == "3"  # 1, 1, 2, 3, 4, 4, 5
    a = "Information asked for on approval of prospective adopters"
    assert [v[f"{a}: {x}"] for x in ("decisions", *mi.OUTCOMES)] == ["2", "1", "0", "1", "0"]
    assert v[f"{a}: median working days paused"] == "3.5"  # 4 and 3
    m = "Information asked for on match of a child with prospective adopters"
    assert [v[f"{m}: {x}"] for x in ("decisions", *mi.OUTCOMES)] == ["3", "1", "0", "1", "1"]
    assert v[f"{m}: median working days paused"] == "4"  # 5, 4, 2
    assert v["Information asked for on review of approval: not agreed"] == "1"
    assert v["Information asked for on child's plan for adoption (should be placed for adoption): not agreed"] == "1"
    assert not any("termination" in k for k in v)  # only the types asked about
    rows = find(groups, mi.MORE_INFORMATION, f"{m}: still waiting")
    assert [(r.reference, r.start, r.days) for r in rows] == [("D6", D(2026, 9, 28), 4)]
    assert "still waiting; paused 4 working days" in rows[0].detail
