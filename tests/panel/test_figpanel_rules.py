"""Panel make-up, attendance, appraisals and withdrawals after deferral (issue 16): the pure rules on a
small fixture, every value worked by hand (period 1 April-30 September 2026)."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.panel import appraisals, attendance, deferrals, makeup, profile
from adoption_desktop.panel.appraisals import Held
from adoption_desktop.panel.attendance import AttendanceFacts
from adoption_desktop.panel.deferrals import ItemFacts
from adoption_desktop.panel.makeup import MemberFacts
from adoption_desktop.reports.drilldown import FigureGroup, find

D = dt.date
START, END = D(2026, 4, 1), D(2026, 9, 30)

MEMBERS = [
    MemberFacts(1, "Ann Ashby", "chair", True, D(2024, 1, 1), gender="female", ethnicity="white_british",
                appraisal_due=D(2027, 5, 1)),
    MemberFacts(2, "Ben Birchall", "vice_chair", True, D(2026, 5, 10), gender="male", ethnicity="asian_indian"),
    MemberFacts(3, "Cara Coldwell", "social_worker", False, D(2020, 1, 1), D(2026, 8, 1), "left", "female",
                "black_african", appraisal_due=D(2026, 7, 1)),
    MemberFacts(4, "Dev Dunmore", "social_worker", False, D(2021, 1, 1), gender="",
                ethnicity="prefer_not_to_say", appraisal_due=D(2026, 6, 1)),
    MemberFacts(5, "Eve Elmhurst", "medical_adviser", False, D(2022, 1, 1), D(2026, 10, 15), "removed", "female",
                "mixed_white_asian", appraisal_due=D(2026, 9, 15)),
    MemberFacts(6, "Fay Fernside", "panel_adviser", False, D(2020, 1, 1), gender="female",
                appraisal_due=D(2026, 5, 1)),
    MemberFacts(7, "Gus Greenway", "personal_experience", True, D(2026, 9, 30), gender="other",
                ethnicity="white_irish", appraisal_due=D(2027, 9, 30)),
    MemberFacts(8, "Hal Hatherley", "specialist", True, D(2019, 1, 1), D(2026, 4, 1), "removed"),
]


def values(groups: list[FigureGroup]) -> dict[str, str]:
    return {f.label: f.value for g in groups for f in g.figures}


def test_makeup_at_the_end_of_the_period_and_joiners_and_leavers() -> None:
    groups = makeup.compute(MEMBERS, START, END)
    v = values(groups)
    # on the list on 30/09: Ann, Ben, Dev, Eve (leaves 15/10), Gus (joined that day); not Cara, Hal; Fay advises
    assert v["Members on the central list"] == "5"
    assert [v[f"Role: {label}"] for label in ("Independent chair", "Vice chair", "Social worker", "Medical adviser",
                                              "Person with personal experience of adoption", "Other specialist",
                                              "Member")] == ["1", "1", "1", "1", "1", "0", "0"]
    assert v["Independent members"] == "3" and v["Independent members: share of members (%)"] == "60"
    assert (v["Gender: Female"], v["Gender: Male"], v["Gender: Describes themselves in another way"],
            v["Gender: Prefers not to say"], v["Gender: Not recorded"]) == ("2", "1", "1", "0", "1")
    assert v["Ethnicity: Asian, Asian British or Asian Welsh"] == "1"
    assert v["Ethnicity: Black, Black British, Black Welsh, Caribbean or African"] == "0"
    assert v["Ethnicity: Mixed or Multiple ethnic groups"] == "1" and v["Ethnicity: White"] == "2"
    assert v["Ethnicity: Other ethnic group"] == "0"
    assert v["Ethnicity: Prefers not to say"] == "1" and v["Ethnicity: Not recorded"] == "0"
    assert v["Advisers on the list (not members)"] == "1"
    assert v["Members who joined"] == "2" and v["Independent members who joined"] == "2"
    assert v["Members who left"] == "2" and v["Independent members who left"] == "1"
    assert v["Members removed by the agency (of those who left)"] == "1"
    # each figure opens to the members it counts
    assert [r.reference for r in find(groups, makeup.MOVES, "Members who left")] == ["Cara Coldwell", "Hal Hatherley"]
    [hal] = find(groups, makeup.MOVES, "Members removed by the agency (of those who left)")
    assert hal.end == D(2026, 4, 1) and "removed 01/04/2026" in hal.detail and hal.initials == "HH"
    assert [r.reference for r in find(groups, makeup.MAKEUP, "Independent members")] == [
        "Ann Ashby", "Ben Birchall", "Gus Greenway"]
    # nobody on the list: shares are n/a, not 0
    assert values(makeup.compute(MEMBERS, D(2010, 1, 1), D(2010, 12, 31)))[
        "Independent members: share of members (%)"] == "n/a"


def test_attendance_per_member_and_overall() -> None:
    p, a, x = "present", "apologies", "absent"
    marks = {1: (p, p, p, p), 2: (None, p, a, p), 4: (x, a, p, a), 5: (p, p, p, a), 6: (p, None, None, None)}
    days = (D(2026, 4, 14), D(2026, 5, 12), D(2026, 6, 9), D(2026, 7, 14))
    records = [AttendanceFacts(day, mid, s) for mid, ss in marks.items() for day, s in zip(days, ss, strict=True)
               if s] + [AttendanceFacts(D(2026, 3, 10), 1, p)]
    groups = attendance.compute(MEMBERS, records, [D(2026, 3, 10), *days], START, END)
    v = values(groups)
    assert v["Sittings held"] == "4"
    assert [r.start for r in find(groups, attendance.ATTENDANCE, "Sittings held")] == list(days)
    assert v["Members invited to at least one sitting"] == "4"  # the adviser is not a member
    assert v["Invitations (member places at sittings)"] == "15" and v["Attendances (present)"] == "10"
    assert v["Apologies"] == "4" and v["Absent without apologies"] == "1"
    assert v["Overall attendance (%)"] == "67"  # 10 of 15
    assert v["Members who attended every sitting they were invited to"] == "1"          # Ann 4/4
    assert v["Members who attended at least three quarters (not all)"] == "1"           # Eve 3/4
    assert v["Members who attended at least half (under three quarters)"] == "1"        # Ben 2/3
    assert v["Members who attended under half"] == "1"                                  # Dev 1/4
    [dev] = find(groups, attendance.ATTENDANCE, "Members who attended under half")
    assert dev.reference == "Dev Dunmore" and dev.within is False
    assert "attended 1 of 4 sittings (25%); apologies 2; absent 1" in dev.detail
    per = {a.member.name: (a.attended, a.invited) for a in attendance.per_member(MEMBERS, records, START, END)}
    assert per == {"Ann Ashby": (4, 4), "Ben Birchall": (2, 3), "Dev Dunmore": (1, 4), "Eve Elmhurst": (3, 4)}


def test_appraisals_due_held_and_overdue() -> None:
    held = [Held(1, D(2025, 5, 1), D(2025, 4, 20)), Held(1, D(2026, 5, 1), D(2026, 5, 20)),
            Held(4, D(2025, 6, 1), D(2025, 6, 1)), Held(5, D(2026, 9, 15), D(2026, 10, 2)),
            Held(6, D(2026, 5, 1), D(2026, 5, 1))]  # an adviser's: not a member's appraisal
    groups = appraisals.compute(MEMBERS, held, START, END)
    v = values(groups)
    # due in the period: Ann 01/05 (held 20/05), Cara 01/07 (on the list then), Dev 01/06, Eve 15/09 (held 02/10)
    assert v["Appraisals due in the period"] == "4"
    assert v["of which held by the end of the period"] == "1"
    assert v["of which held by the due date"] == "0"
    assert v["Appraisals held in the period"] == "1"
    # overdue on 30/09: Dev (due 01/06) and Eve (held only on 02/10); Cara has left
    assert v["Appraisals overdue at the end of the period"] == "2"
    assert v["Members on the list at the end with no appraisal due date"] == "1"  # Ben
    overdue = find(groups, appraisals.APPRAISALS, "Appraisals overdue at the end of the period")
    assert [(r.reference, r.start, r.end) for r in overdue] == [
        ("Dev Dunmore", D(2026, 6, 1), None), ("Eve Elmhurst", D(2026, 9, 15), D(2026, 10, 2))]
    # a year earlier: Ann's 2025 appraisal (held early) and Dev's (on the day) were both on time
    earlier = values(appraisals.compute(MEMBERS, held, D(2025, 4, 1), D(2025, 9, 30)))
    assert earlier["Appraisals due in the period"] == "2" and earlier["of which held by the due date"] == "2"


def _item(i: int, day: dt.date, case: str, ref: str, outcome: str = "", came_from: int | None = None,
          held: bool = True) -> ItemFacts:
    return ItemFacts(i, day, held, case, ref, "AB", came_from, outcome)


ITEMS = [
    _item(1, D(2026, 4, 14), "approval", "A-1", "deferred"),
    _item(2, D(2026, 5, 12), "approval", "A-1", "suitable", came_from=1),
    _item(3, D(2026, 4, 14), "match", "M-2", "deferred"),
    _item(4, D(2026, 6, 9), "match", "M-2", "deferred"),           # same case by hand: 3 deferred again
    _item(5, D(2026, 5, 12), "review", "R-3", "deferred"),
    _item(6, D(2026, 9, 8), "approval", "A-4", "deferred"),
    _item(7, D(2026, 12, 8), "approval", "A-4", "", came_from=6),  # on a later agenda
    _item(8, D(2026, 9, 22), "termination", "T-5", "deferred"),
    _item(9, D(2026, 7, 14), "approval", "A-9", "deferred", held=False),
    _item(10, D(2026, 6, 9), "match", "M-6", "deferred"),
    _item(11, D(2026, 7, 14), "match", "M-6", "", came_from=10, held=False),  # that sitting was cancelled
    _item(12, D(2026, 3, 10), "approval", "A-7", "deferred"),
]


def test_withdrawals_after_deferral() -> None:
    groups = deferrals.compute(ITEMS, START, END, D(2026, 11, 23), 3)
    v = values(groups)
    assert v["Items deferred"] == "7"                                   # 1, 3, 4, 5, 6, 8, 10
    assert v["Back at panel with a recommendation"] == "1"              # 1
    assert v["Back at panel and deferred again"] == "1"                 # 3
    assert v["On a later agenda, no recommendation yet"] == "1"         # 6
    assert v["Not back yet (deferred less than 3 months ago)"] == "1"   # 8 (22/09 + 3 months > 23/11)
    assert v["Withdrawn after deferral (not back within 3 months)"] == "3"  # 4, 5, 10
    assert v["Withdrawn after deferral: share of items deferred (%)"] == "43"
    rows = find(groups, deferrals.DEFERRALS, "Withdrawn after deferral (not back within 3 months)")
    assert [r.reference for r in rows] == ["R-3", "M-2", "M-6"]
    [back] = find(groups, deferrals.DEFERRALS, "Back at panel with a recommendation")
    assert (back.start, back.end, back.days) == (D(2026, 4, 14), D(2026, 5, 12), 28)
    assert "Suitable to adopt" in back.detail
    # counted on a later day the recent one has become a withdrawal
    later = values(deferrals.compute(ITEMS, START, END, D(2026, 12, 22), 3))
    assert later["Withdrawn after deferral (not back within 3 months)"] == "4"


def test_profile_choices_and_messages() -> None:
    codes = [c for c, _label in profile.ethnicity_choices()]
    assert len(profile.ETHNICITIES) == 19 and codes[0] == "" and codes[-1] == "prefer_not_to_say"
    assert profile.ethnicity_label("white_roma") == "White: Roma"
    assert profile.ethnic_group("other_arab") == "Other ethnic group"
    assert profile.ethnicity_problem("martian") is not None and profile.ethnicity_problem("asian_chinese") is None
    assert profile.gender_problem("female") is None and "Gender:" in (profile.gender_problem("x") or "")


def test_an_appraisal_due_counts_as_the_central_list_warns_of_it() -> None:
    """Review, 5 December: a member last appraised on 08/01/2025 with 2027 typed as *Appraisal due* was
    overdue on the central list (never more than a year after the last held, NMS 17.3) but the figures
    counted the typed date: not due in the period, not overdue. And a member with an appraisal held and
    no date typed has one due (a year after it), so is not among those with no due date."""
    members = [MemberFacts(1, "Ida Inchcombe", "social_worker", False, D(2020, 1, 1), appraisal_due=D(2027, 3, 1)),
               MemberFacts(2, "Jon Jessamy", "social_worker", False, D(2020, 1, 1))]
    held = [Held(1, D(2025, 1, 8), D(2025, 1, 8)), Held(2, D(2025, 11, 3), D(2025, 11, 3))]
    groups = appraisals.compute(members, held, D(2026, 1, 1), D(2026, 6, 30))
    v = values(groups)
    assert v["Appraisals due in the period"] == "1"  # Ida's, 08/01/2026
    overdue = find(groups, appraisals.APPRAISALS, "Appraisals overdue at the end of the period")
    assert [(r.reference, r.start) for r in overdue] == [("Ida Inchcombe", D(2026, 1, 8))]
    assert v["Members on the list at the end with no appraisal due date"] == "0"
