"""Pure panel rules: quorum, case types and their papers and outcomes, deadlines, recurring sittings,
central-list warnings. No database, no Qt.

Sources: the Adoption Agencies Regulations 2005 (regs 3-6: the central list and constitution of
panels), statutory guidance on adoption (2013) ch. 1, and the National Minimum Standards 2014
(standard 17 and 25.6). Where the rule is local practice the number comes from a setting
(``panel/settings.py``) passed in by the service.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from adoption_desktop.core.months import add_months
from adoption_desktop.core.wording import WEEKDAYS, plural, weekday_date
from adoption_desktop.core.workdays import DEFAULT_CALENDAR, WorkingCalendar, bank_holiday_name

# --- roles --------------------------------------------------------------------------------------
#: role types on the central list; members count to quorum, advisers never do
MEMBER_ROLES: dict[str, str] = {
    "chair": "Independent chair",
    "vice_chair": "Vice chair",
    "social_worker": "Social worker",
    "medical_adviser": "Medical adviser",
    "personal_experience": "Person with personal experience of adoption",
    "specialist": "Other specialist",
    "member": "Member",
}
ADVISER_ROLES: dict[str, str] = {
    "panel_adviser": "Panel adviser",
    "legal_adviser": "Legal adviser",
    "minute_taker": "Minute-taker",
}
ROLE_LABELS: dict[str, str] = {**MEMBER_ROLES, **ADVISER_ROLES}
#: the roles check_quorum understands; other member roles are passed as "member"
QUORUM_ROLES = ("chair", "vice_chair", "social_worker", "medical_adviser", "member")


def is_adviser(role_type: str) -> bool:
    return role_type in ADVISER_ROLES


#: roles whose holder is always asked their years of post-qualifying social-work experience (PQE): the panel's
#: social worker (the central list and the quorum need a social worker with at least 3 years' PQE). 0 years is a
#: real answer for them, never "not applicable". Any other member has PQE recorded only when they are a
#: qualified social worker (it counts to quorum whatever their role); left blank, it is "not applicable".
PQE_REQUIRED_ROLES = frozenset({"social_worker"})


def pqe_required(role_type: str) -> bool:
    """Whether a member in ``role_type`` must have their years of PQE entered (0 or more)."""
    return role_type in PQE_REQUIRED_ROLES


def pqe_text(years: int | None, role_type: str) -> str:
    """A member's PQE in words: "0 years", "1 year", "12 years"; not recorded: "not entered" for a role that
    is asked it (:func:`pqe_required`: the social worker), "not applicable" for any other."""
    if years is None:
        return "not entered" if pqe_required(role_type) else "not applicable"
    return plural(years, "year", thousands=False)


def quorum_role(role_type: str) -> str:
    """A central-list role type as check_quorum sees it."""
    return role_type if role_type in QUORUM_ROLES else "member"


#: roles whose holder must be independent of the agency (the independent chair); a new member in another role
#: is not independent until someone says so (independence counts toward quorum)
MUST_BE_INDEPENDENT = ("chair",)


def independent_by_default(role_type: str) -> bool:
    """Whether "Independent of the agency" starts ticked for a new member in ``role_type``: only for a role
    that must be independent. Any other member (an agency social worker, the medical adviser …) is ticked by
    hand when they are independent, so nobody counts as the quorum's independent member by default."""
    return role_type in MUST_BE_INDEPENDENT


def chair_independence_problem(role_type: str, independent: bool) -> str | None:
    """The panel's chair is the *independent* chair (AAR 2005 reg 3; statutory guidance 1.38): a chair
    not marked independent of the agency is refused, with the fix."""
    if role_type == "chair" and not independent:
        return ("Independent: the chair must be independent of the agency. Tick Independent if they are, "
                "or choose another role (a vice chair need not be independent).")
    return None


# --- quorum -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuorumRule:
    """The quorum rule (local practice; defaults from the domain notes and AAR 2005 reg 6)."""

    min_members: int = 5
    require_chair_or_vice: bool = True
    social_worker_pqe_years: int = 3  # 0 = no social worker required
    require_independent: bool = True


@dataclass(frozen=True)
class QuorumMember:
    role: str
    pqe_years: int | None = None
    independent: bool = False
    name: str = ""


@dataclass(frozen=True)
class QuorumResult:
    quorate: bool
    reasons: list[str] = field(default_factory=list)
    counted: int = 0

    @property
    def summary(self) -> str:
        if self.quorate:
            return f"Quorate: {self.counted} members count for this item."
        return "Not quorate: " + " ".join(self.reasons)


#: why a member marked present at the sitting was not present for one item (``PanelItemAbsence.reason``).
#: Such a member is not counted for the item: its quorum, the majority vote checked against that count,
#: the views the chair must see. AAR 2005 reg 3 (as amended): a recommendation is made only when the
#: quorum meet as the panel for it.
ABSENCE_REASONS: dict[str, str] = {
    "arrived_after": "Arrived after this item",
    "left_before": "Left before this item",
    "left_during": "Left during this item, before the panel's views",
}


def absence_text(name: str, reason: str) -> str:
    """"A. Member (left before this item)": one member not present for an item, as the minutes say it."""
    label = ABSENCE_REASONS.get(reason, reason)
    return f"{name} ({label[:1].lower()}{label[1:]})"


def _get(member: Any, name: str, default: Any = None) -> Any:
    if isinstance(member, Mapping):
        return member.get(name, default)
    return getattr(member, name, default)


def check_quorum(members: Iterable[Any], rule: QuorumRule | None = None) -> QuorumResult:
    """Is the panel quorate for one item, given the members present who have not withdrawn from it?

    ``members``: objects or mappings with ``role`` (``chair``, ``vice_chair``, ``social_worker``,
    ``medical_adviser``, ``member``), ``pqe_years`` (int or None: the years of post-qualifying social-work
    experience recorded for the member, whatever their role) and ``independent`` (bool). Anything
    with an adviser's role (panel/legal adviser, minute-taker) is ignored: advisers are not members
    (AAR 2005 reg 3; statutory guidance 1.40). ``reasons`` say exactly what is missing."""
    rule = rule or QuorumRule()
    counted = [m for m in members if str(_get(m, "role", "member")) not in ADVISER_ROLES]
    reasons: list[str] = []
    n = len(counted)
    if n < rule.min_members:
        short = rule.min_members - n
        reasons.append(f"{n} member{'s' if n != 1 else ''} count for this item; at least {rule.min_members} "
                       f"are needed ({short} more).")
    if rule.require_chair_or_vice and not any(
            _get(m, "role") in ("chair", "vice_chair") for m in counted):
        reasons.append("Neither the chair nor a vice chair is present for this item.")
    # "a social worker with >= 3 years' PQE" whatever their role on the panel: a vice chair (or any member)
    # whose recorded social-work PQE reaches the rule counts (AAR 2005 reg 6); PQE is recorded only for
    # qualified social workers, so the recorded years are the test, not the panel role
    if rule.social_worker_pqe_years > 0 and not any(
            (_get(m, "pqe_years") or 0) >= rule.social_worker_pqe_years for m in counted):
        reasons.append(f"No social worker with at least {rule.social_worker_pqe_years} years' post-qualifying "
                       "experience is present for this item.")
    if rule.require_independent and not any(bool(_get(m, "independent", False)) for m in counted):
        reasons.append("No independent member is present for this item.")
    return QuorumResult(not reasons, reasons, n)


# --- case types, papers, outcomes ----------------------------------------------------------------
CASE_TYPES: dict[str, str] = {
    "approval": "Prospective adopter approval",
    "match": "Match",
    "relinquished": "Relinquished child (should be placed for adoption)",
    "review": "Review of approval",
    "termination": "Termination of approval",
    "early_permanence": "Early permanence approval",
    "other": "Other business",
}

PAPERS: dict[str, str] = {
    "par": "Prospective Adopter's Report (PAR)",
    "brief_par": "Brief PAR",
    "cpr": "Child's Permanence Report (CPR)",
    "apr": "Adoption Placement Report (APR)",
    "support_plan": "Adoption support plan",
    "contact_plan": "Contact plan",
    "medical": "Medical report",
    "review_report": "Review report",
    "termination_report": "Report on termination",
    "ep_report": "Early permanence assessment",
    "consent": "Parental consent (CAFCASS witnessed)",
    "paper": "Paper for the item",
}

#: papers checklist per case type (statutory guidance ch. 3-5; AAR 2005 regs 17, 25, 31)
CASE_PAPERS: dict[str, tuple[str, ...]] = {
    "approval": ("par", "medical"),
    "match": ("cpr", "par", "apr", "support_plan", "contact_plan", "medical"),
    "relinquished": ("cpr", "consent", "medical"),
    "review": ("review_report", "par"),
    "termination": ("termination_report", "par"),
    "early_permanence": ("ep_report", "par", "medical"),
    "other": ("paper",),
}

OUTCOMES: dict[str, str] = {
    "suitable": "Suitable to adopt",
    "not_suitable": "Not suitable to adopt",
    "match_recommended": "Match recommended",
    "match_not_recommended": "Match not recommended",
    "should_be_placed": "Should be placed for adoption",
    "should_not_be_placed": "Should not be placed for adoption",
    "remains_suitable": "Remains suitable to adopt",
    "no_longer_suitable": "No longer suitable to adopt",
    "terminate": "Approval to be terminated",
    "not_terminate": "Approval not to be terminated",
    "ep_suitable": "Suitable for early permanence",
    "ep_not_suitable": "Not suitable for early permanence",
    "noted": "Noted",
    "deferred": "Deferred",
}

#: definite outcomes per case type; "in principle" does not exist (statutory guidance 1.46)
CASE_OUTCOMES: dict[str, tuple[str, ...]] = {
    "approval": ("suitable", "not_suitable", "deferred"),
    "match": ("match_recommended", "match_not_recommended", "deferred"),
    "relinquished": ("should_be_placed", "should_not_be_placed", "deferred"),
    "review": ("remains_suitable", "no_longer_suitable", "deferred"),
    "termination": ("terminate", "not_terminate", "deferred"),
    "early_permanence": ("ep_suitable", "ep_not_suitable", "deferred"),
    "other": ("noted", "deferred"),
}
#: outcomes that may carry advice on the approval range
ADVICE_OUTCOMES = frozenset({"suitable", "remains_suitable", "ep_suitable"})

VOTES = {"unanimous": "Unanimous", "majority": "Majority"}
ATTENDANCE = {"present": "Present", "apologies": "Apologies", "absent": "Absent"}

#: the report each case type's recommendation rests on (AAR 2005 regs 17(2), 25(5), 30(4), 31(2): the agency
#: sends it to the panel, which considers it): a recommendation is not sent to the chair while one of these
#: is not recorded as received. The rest of the checklist (a medical report, a contact plan, the consent of
#: a relinquishing parent, which may come later) does not block it. A brief PAR (the agency considers the
#: applicants unsuitable at stage two) stands for the PAR.
CORE_PAPERS: dict[str, tuple[str, ...]] = {
    "approval": ("par",),
    "match": ("cpr", "par", "apr"),
    "relinquished": ("cpr",),
    "review": ("review_report",),
    "termination": ("termination_report",),
    "early_permanence": ("ep_report",),
}
#: papers that stand for a core paper
STANDS_FOR: dict[str, tuple[str, ...]] = {"par": ("brief_par",)}


def missing_core_papers(case_type: str, outcome: str, received: Mapping[str, dt.date | None]) -> list[str]:
    """The core reports (:data:`CORE_PAPERS`) not recorded as received, by label, for a recommendation that
    goes to the ADM; [] for a deferral or other business. ``received``: paper code -> date received."""
    if not goes_to_adm(case_type, outcome):
        return []
    return [PAPERS[code] for code in CORE_PAPERS.get(case_type, ())
            if all(received.get(c) is None for c in (code, *STANDS_FOR.get(code, ())))]


def goes_to_adm(case_type: str, outcome: str) -> bool:
    """A definite recommendation on a case goes to the ADM; deferrals and other business do not."""
    return case_type != "other" and outcome not in ("", "deferred", "noted")


def vote_problem(vote: str, votes_for: int | None, votes_against: int | None, counted: int,
                 not_voting: int = 0) -> str | None:
    """What is wrong with the vote as recorded (a message naming the field and the fix), or None.
    ``counted``: the members who count for the item (present, not withdrawn, advisers not counted);
    ``not_voting``: those of them whose view records that they did not vote (:func:`did_not_vote`).

    A unanimous vote has no votes against. A majority: the recommendation minuted is the one the majority
    supported, so more are for it than against; no more members vote than count for the item (a user trial
    sent "Suitable to adopt" on 2 for and 11 against to the ADM, from 14 members); and every member counted
    is accounted for, voting for or against or recorded as not voting (a trial minuted 3 for and 1 against
    from 6 members with nothing said of the other two)."""
    if vote == "unanimous" and votes_against:
        return (f"Vote: a unanimous vote has no votes against, but {votes_against} against is recorded; choose "
                "Majority and enter the numbers, or set votes against to 0.")
    if vote != "majority" or votes_for is None or votes_against is None:
        return None
    if votes_for + votes_against > counted:
        return (f"Votes for / against: {votes_for + votes_against} votes are recorded but {counted} "
                f"member{'s' if counted != 1 else ''} count for this item; correct the numbers (or the "
                "attendance and declarations).")
    if votes_for <= votes_against:
        return (f"Votes for / against: {votes_for} for and {votes_against} against is not a majority for this "
                "recommendation; record the recommendation the majority supported.")
    if votes_for + votes_against + not_voting < counted:
        missing = counted - votes_for - votes_against - not_voting
        return (f"Votes for / against: {votes_for} for and {votes_against} against accounts for "
                f"{votes_for + votes_against} of the {counted} members who count for this item"
                + (f" ({not_voting} recorded as not voting)" if not_voting else "")
                + f"; correct the numbers, or, for each of the {missing} member{'s' if missing != 1 else ''} "
                "who abstained, begin their view with \"Abstained: \" and the reason.")
    return None


def did_not_vote(view: str) -> bool:
    """A member's view that records they did not vote: "Abstained…", or "No view recorded: reason"."""
    return view.strip().casefold().startswith("abstain") or no_view_reason(view) is not None


def validate_outcome(case_type: str, outcome: str) -> str | None:
    """A message naming the field and the fix, or None."""
    allowed = CASE_OUTCOMES.get(case_type, ())
    if outcome not in allowed:
        choices = ", ".join(OUTCOMES[o] for o in allowed)
        return f"Outcome: choose one of {choices} (recommendations are definite; defer if information is missing)."
    return None


#: words that make a recommendation conditional or "in principle": domain rule, recommendations are definite,
#: and a panel missing information defers (panel trial: "suitable to adopt in principle, subject to medical"
#: went to the ADM; a tester's "once the medical report is received", "if the medical is satisfactory", "on
#: receipt of a satisfactory medical", "as long as the DBS check is clear" and "awaiting the medical" went on to
#: the chair and the ADM). Phrases that make a recommendation wait for something, wherever they stand:
_CONDITIONAL_PHRASES = (
    r"in principle",
    # "subject to" a court order describes the child ("J.S., subject to a placement order"), not a condition
    r"subject to(?!\s+(?:an?\s+|the\s+)?(?:interim\s+)?(?:placement|care|supervision|special guardianship|"
    r"child arrangements|adoption|court)\s+orders?\b)",
    r"conditional(?:ly)?",
    r"provided that", r"providing that", r"on condition", r"on the condition",
    r"pending",
    # "awaiting the medical", not "a child awaiting adoption"
    r"await(?:s|ing)?\s+(?:the|a|an|his|her|their|its|any|further|final|receipt|completion|confirmation|"
    r"outcome|results?|medicals?|dbs|references?|reports?|checks?|satisfactory|updated)\b",
    r"(?:on|upon|following|after)\s+(?:the\s+)?(?:satisfactory\s+)?(?:receipt|completion|conclusion)\s+of",
    r"(?:as|so) long as",
    r"dependent\s+(?:up)?on", r"depending\s+(?:up)?on", r"contingent\s+(?:up)?on",
    r"in the event (?:that|of)",
    r"(?:yet|still)\s+to\s+be\s+(?:received|completed|obtained|confirmed|returned|seen|provided|done)",
)
#: what a recommendation may wait for: a report received, a check clear, a medical satisfactory
_OUTSTANDING = (r"(?:received|completed|complete|finali[sz]ed|obtained|confirmed|returned|clear|cleared|satisfactory|"
                r"positive|favourable|favorable|acceptable|approved|agreed|signed|provided|available|updated|"
                r"carried out|in place)")
#: a plain "if" (or "once", "when", "until"...) refuses only where it makes the recommendation depend on
#: something outstanding, in the present or future, within its clause (up to a comma or the sentence's end):
#: "if the medical is satisfactory", "once the report is received", "when the DBS check comes back clear",
#: "if satisfactory"; not "if the match was right", nor "the panel was satisfied once it had heard from the
#: applicants"; "provided the medical is clear", not "the applicants provided evidence that…"
_CONJUNCTION = (r"(?:if|once|when|whenever|assuming|until|unless|"
                r"(?:provided|providing)(?=\s+(?:that|the|a|an|their|his|her|its|all|both|any)\b))")
_PRESENT = (r"(?:is|are|has been|have been|will be|be|comes?|proves?|remains?|gets?)\s+"
            r"(?:(?:back|fully|all|both|now|found|deemed|considered|also)\s+){0,2}")
CONDITIONAL_WORDING = re.compile(
    r"\b(?:" + "|".join(_CONDITIONAL_PHRASES) + r")\b"
    + r"|\b" + _CONJUNCTION + r"\b[^.;:!?,]{0,80}?\b" + _PRESENT + _OUTSTANDING + r"\b"
    + r"|\b" + _CONJUNCTION + r"\s+(?:(?:it|this|that|they)\s+(?:is|are)\s+)?" + _OUTSTANDING + r"\b",
    re.IGNORECASE)


def conditional_problem(outcome: str, recommendation_text: str) -> str | None:
    """Why a recommendation's wording is refused: it makes the recommendation conditional (a deferral may say
    what it waits for)."""
    if not outcome or outcome == "deferred":
        return None
    found = CONDITIONAL_WORDING.search(recommendation_text)
    if found is None:
        return None
    return (f"Recommendation wording: \"{found.group(0).strip()}\" makes it conditional. A panel's recommendation "
            "is definite: if something is still needed (a medical, a check), defer the item and say what for.")


def attendance_date_problem(status: str, sitting_date: dt.date, today: dt.date) -> str | None:
    """Why a mark cannot be recorded yet: before the sitting's day only apologies are known (who was present
    or absent is marked on or after the day; panel trial: five members marked present ten days ahead made the
    item quorate, and a recommendation was recorded before the panel met)."""
    if status != "apologies" and today < sitting_date:
        return (f"Attendance: the sitting is on {sitting_date:%d/%m/%Y}; until then only apologies can be "
                f"recorded. Mark who was {status} on or after the day.")
    return None


def time_slot(value: str) -> str:
    """An item's time slot as stored: ``HH:MM`` ("9:5" becomes "09:05"), or "" for none. A ValueError for
    anything else (panel trial: "half ten-ish" and "25:99" were stored and printed on the agenda)."""
    value = value.strip()
    return dt.datetime.strptime(value, "%H:%M").strftime("%H:%M") if value else ""


def time_slot_problem(slot: str, start_time: str, end_time: str) -> str | None:
    """Why an item's time slot (``HH:MM``, or "" for none) does not fit its sitting, which meets from
    ``start_time`` until ``end_time``: a case is heard after the panel starts and before it ends."""
    if slot and not start_time <= slot < end_time:
        return (f"Time: {slot} is outside the sitting's hours ({start_time}–{end_time}); give a time from "
                f"{start_time} to before {end_time}, or change the sitting's hours first.")
    return None


def paper_received_problem(received_on: dt.date | None, sitting_date: dt.date, label: str) -> str | None:
    """A paper the panel considered came by its sitting: one received later was not before it (panel trial: a
    report dated the day after the sitting supported the recommendation up to the ADM)."""
    if received_on is not None and received_on > sitting_date:
        return (f"{label}: {received_on:%d/%m/%Y} is after the sitting ({sitting_date:%d/%m/%Y}); the panel "
                "considered only the papers it had by then. A paper that came later goes with the case to a later "
                "sitting.")
    return None


# --- deadlines ------------------------------------------------------------------------------------
def papers_deadline(sitting: dt.date, working_days: int, cal: WorkingCalendar = DEFAULT_CALENDAR) -> dt.date:
    """The day papers are due: ``working_days`` working days before the sitting."""
    return cal.add_working_days(sitting, -working_days)


#: the day of the week a new sitting is proposed on (Tuesday, as the demo agency's panel sits)
DEFAULT_SITTING_WEEKDAY = 1


def papers_deadline_problem(sitting: dt.date, today: dt.date, working_days: int,
                            cal: WorkingCalendar = DEFAULT_CALENDAR) -> str | None:
    """Why a sitting on ``sitting`` leaves no time for its papers: they are due ``working_days`` working days
    before it, and that day is before ``today`` (a warning: a sitting may still be booked at short notice).
    None when the papers can still come in time (due today or later)."""
    due = papers_deadline(sitting, working_days, cal)
    if due >= today:
        return None
    itself = " (the sitting itself is before today)" if sitting < today else ""
    return (f"Papers are due by {weekday_date(due)} ({plural(working_days, 'working day')} before the sitting), "
            f"which is already past: today is {weekday_date(today)}{itself}. The first "
            f"{WEEKDAYS[DEFAULT_SITTING_WEEKDAY]} with time for the papers is "
            f"{weekday_date(default_sitting_date(today, working_days, cal))}.")


def default_sitting_date(today: dt.date, working_days: int, cal: WorkingCalendar = DEFAULT_CALENDAR,
                         weekday: int = DEFAULT_SITTING_WEEKDAY) -> dt.date:
    """The date New sitting proposes: the first ``weekday`` after ``today`` that is a working day and whose
    papers deadline (``working_days`` working days before) is not yet past. "Next Tuesday" was proposed
    whatever the deadline: opened on a Monday it offered the next day, its papers due the week before."""
    day = today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)
    while not (cal.is_working_day(day) and papers_deadline(day, working_days, cal) >= today):
        day += dt.timedelta(weeks=1)
    return day


def paper_late(received: dt.date | None, deadline: dt.date, today: dt.date) -> bool:
    """Late if received after the deadline, or still missing once the deadline has passed."""
    if received is None:
        return today > deadline
    return received > deadline


def minutes_deadline(sitting: dt.date, working_days: int, cal: WorkingCalendar = DEFAULT_CALENDAR) -> dt.date:
    """Final minutes due ``working_days`` working days after the sitting (local practice, default 10)."""
    return cal.add_working_days(sitting, working_days)


# --- recurring sittings ---------------------------------------------------------------------------
RECURRENCES = {
    "once": "Once",
    "weekly": "Weekly",
    "fortnightly": "Fortnightly",
    "monthly": "Monthly (same date)",
    "nth_weekday": "Monthly (same weekday, e.g. first Tuesday)",
}


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th (1-4, or 5 = last) ``weekday`` of a month."""
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    last_day = _cal.monthrange(year, month)[1]
    candidate = day + dt.timedelta(weeks=n - 1)
    while candidate.day > last_day or candidate.month != month:
        candidate -= dt.timedelta(weeks=1)
    return candidate


def recurring_dates(start: dt.date, recurrence: str, count: int) -> list[dt.date]:
    """``count`` sitting dates from ``start``. ``nth_weekday`` keeps the start's position in its month
    (the first Tuesday stays the first Tuesday; a fifth weekday becomes the last)."""
    if count < 1:
        return []
    if recurrence == "once":
        return [start]
    if recurrence in ("weekly", "fortnightly"):
        step = dt.timedelta(weeks=1 if recurrence == "weekly" else 2)
        return [start + step * i for i in range(count)]
    if recurrence == "monthly":
        return [add_months(start, i) for i in range(count)]
    if recurrence == "nth_weekday":
        n = (start.day - 1) // 7 + 1
        out = []
        for i in range(count):
            month_start = add_months(start.replace(day=1), i)
            out.append(nth_weekday(month_start.year, month_start.month, start.weekday(), n))
        return out
    raise ValueError(f"unknown recurrence {recurrence!r}")


def long_date(day: dt.date) -> str:
    """``Friday 25 December 2026``: a sitting's day as every panel heading and title says it
    (``core.wording.weekday_date``; the weekday is said, so a weekend date is seen for what it is)."""
    return weekday_date(day)


def sitting_when(day: dt.date, start_time: str, end_time: str) -> str:
    """``Thursday 3 December 2026, 10:00–13:00``: the sitting's heading and the sitting list's tooltip."""
    return f"{weekday_date(day)}, {start_time}–{end_time}"


def sitting_day_problem(day: dt.date, closures: Mapping[dt.date, str] | None = None) -> str | None:
    """Why ``day`` is not a working day for a panel sitting, as a sentence ("Friday 25 December 2026 is a
    bank holiday (Christmas Day)", "Saturday 30 January 2027 is a weekend day", "… is an agency closure
    day (staff training)"), or None on a working day. ``closures``: the agency's closure days with their
    reasons (``core.settings_service.closure_reasons``); without them this is None exactly when
    ``core.workdays.is_working_day(day)``, with them exactly when ``WorkingCalendar(closures)`` says so.

    A warning, not a refusal: a panel may sit on a Saturday on purpose, so the screens ask before saving."""
    when = long_date(day)
    weekend = day.weekday() >= 5
    holiday = bank_holiday_name(day)
    if holiday is not None:
        return f"{when} is {'a weekend day and ' if weekend else ''}a bank holiday ({holiday})"
    if weekend:
        return f"{when} is a weekend day"
    if closures is not None and day in closures:
        reason = closures[day].strip()
        return f"{when} is an agency closure day" + (f" ({reason})" if reason else "")
    return None


def sitting_days_problems(days: Iterable[dt.date], closures: Mapping[dt.date, str] | None = None) -> list[str]:
    """:func:`sitting_day_problem` for each of ``days`` that is not a working day, in date order, each day once."""
    return [p for p in (sitting_day_problem(d, closures) for d in sorted(set(days))) if p is not None]


#: how many non-working days the question lists before "and N more"
PROBLEMS_LISTED = 10


def sitting_days_question(problems: Sequence[str], total: int, *, moving: bool = False) -> str:
    """The question asked before saving sittings on ``problems`` (from :func:`sitting_days_problems`) out of
    ``total`` dates: each date and why, then "Schedule anyway?" ("Move the sitting anyway?")."""
    if moving:
        head = "The new date is not a working day:"
    elif total == 1:
        head = "This sitting is not on a working day:"
    elif len(problems) >= total:
        head = f"None of the {total} sittings is on a working day:"
    else:
        head = (f"{len(problems)} of the {total} sittings {'is' if len(problems) == 1 else 'are'} not on "
                f"{'a working day' if len(problems) == 1 else 'working days'}:")
    listed = [f"\u2022 {p}." for p in problems[:PROBLEMS_LISTED]]
    if len(problems) > PROBLEMS_LISTED:
        listed.append(f"\u2022 and {len(problems) - PROBLEMS_LISTED} more.")
    ask = "Move the sitting anyway?" if moving else "Schedule anyway?"
    return "\n".join([head, "", *listed, "", ask])


# --- central list ----------------------------------------------------------------------------------
def leaving_date(notice_given: dt.date) -> dt.date:
    """A member leaves, or is removed, on one month's written notice (AAR 2005 reg 3(5))."""
    return add_months(notice_given, 1)


@dataclass(frozen=True)
class MemberDates:
    appraisal_due: dt.date | None
    dbs_checked_on: dt.date | None
    training_on: dt.date | None
    #: the day the member's last appraisal was held (the latest recorded), if any
    last_appraisal: dt.date | None = None


def next_appraisal_due(typed_due: dt.date | None, last_held: dt.date | None) -> dt.date | None:
    """When a member's next appraisal falls due. Members are appraised annually (NMS 2014 17.3): the typed
    *Appraisal due* when one is given and it is later than the last appraisal held, but never more than a
    year after it; a year after the last held when the typed date is missing or not later than it (an
    appraisal held on or after its due date met it); the typed date alone when none is recorded as held.

    A tester recorded an appraisal held on 04/12/2026 and the list still said "Appraisal overdue since
    02/12/2026"; a member last appraised on 08/01/2025 showed no warning because the typed date said 2027."""
    if last_held is None:
        return typed_due
    annual = _add_years(last_held, 1)
    if typed_due is not None and typed_due > last_held:
        return min(typed_due, annual)
    return annual


def appraisal_as_it_stood(typed_due_now: dt.date | None, held: Iterable[tuple[dt.date | None, dt.date]],
                          day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """(the typed *Appraisal due*, the last appraisal held) as they stood on ``day``, from the member's
    appraisals recorded (``held``: (due date it met, day held)) and the *Appraisal due* they have now.

    An appraisal held after ``day`` is left out and the due date it met is the one the member had on ``day``
    (recording it moved *Appraisal due* on: :func:`due_after_appraisal`); with none held after ``day`` the
    current date stands. A pack as of 30/09/2026 made in December showed the due date an appraisal held in
    November had moved on to (user trial)."""
    ordered = sorted(held, key=lambda h: h[1])
    last = max((done for _due, done in ordered if done <= day), default=None)
    later = [due for due, done in ordered if done > day]
    return (later[0] if later else typed_due_now), last


def due_after_appraisal(typed_due: dt.date | None, due_before: dt.date | None, held_on: dt.date) -> dt.date:
    """The *Appraisal due* stored when a save records a new appraisal held on ``held_on``: the appraisal met
    the due date the member had (``due_before``), so the next is due a year after it was held, unless the user
    typed, in the same save, a different due date later than ``held_on`` (a plan of their own), or the
    typed date is later than that anyway (never moved back). Always later than ``held_on`` and never earlier
    than ``typed_due``."""
    annual = _add_years(held_on, 1)
    if typed_due is not None and typed_due > held_on and (typed_due != due_before or typed_due > annual):
        return typed_due
    return annual


def member_warnings(m: MemberDates, today: dt.date, *, warn_days: int = 30, dbs_years: int = 3,
                    training_years: int = 1) -> list[str]:
    """What falls due for a member: annual appraisal (NMS 17.3; :func:`next_appraisal_due`, from the typed
    date and the last appraisal held), DBS renewal, training."""
    out: list[str] = []

    def check(label: str, due: dt.date | None, missing: str) -> None:
        if due is None:
            out.append(missing)
        elif due < today:
            out.append(f"{label} overdue since {due:%d/%m/%Y}")
        elif (due - today).days <= warn_days:
            out.append(f"{label} due {due:%d/%m/%Y}")

    check("Appraisal", next_appraisal_due(m.appraisal_due, m.last_appraisal), "No appraisal date")
    check("DBS check", _add_years(m.dbs_checked_on, dbs_years) if m.dbs_checked_on else None, "No DBS check")
    check("Training", _add_years(m.training_on, training_years) if m.training_on else None, "No training date")
    return out


def _add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def dbs_renewal_due(checked_on: dt.date, years: int) -> dt.date:
    """The day a DBS check made on ``checked_on`` is due for renewal (``panel.dbs_renewal_years``), as the
    member's warning counts it."""
    return _add_years(checked_on, years)


def initials(name: str) -> str:
    return "".join(part[0].upper() for part in name.replace("-", " ").split() if part)


def iter_minutes_sections() -> Iterator[str]:
    """The sections every item's minutes carry, in order (used by the export and its tests)."""
    yield from ("Papers considered", "Declarations of interest", "Discussion", "Members' views",
                "Recommendation", "Reasons", "Advice")


# --- the order of events ---------------------------------------------------------------------------
#: how a member's view is marked as not recorded; a reason must follow ("No view recorded: left at 11:30")
NO_VIEW_PREFIX = "No view recorded"


def no_view_reason(view: str) -> str | None:
    """The reason given when ``view`` says "No view recorded: …" ("" when no reason follows), or None
    when ``view`` is an actual view."""
    text = view.strip()
    if not text.casefold().startswith(NO_VIEW_PREFIX.casefold()):
        return None
    return text[len(NO_VIEW_PREFIX):].strip(" :;,.-–—\t")


def counted_outcome(versions: Sequence[tuple[str, str]]) -> str:
    """The outcome the figures count for one item, from its minutes' versions as ``(status, outcome)`` in
    version order: the newest version the chair approved; with none approved yet, the newest version (a
    first draft counts as today, so a sitting's figures do not wait for the chair). A correction not yet
    approved never counts: the approved minutes stand until the chair approves it (user trial: a draft
    correction to "Deferred" changed the manager's figures before anyone sent it). "" when none."""
    approved = [outcome for status, outcome in versions if status == "approved"]
    if approved:
        return approved[-1]
    return versions[-1][1] if versions else ""


def missing_views(present: Mapping[int, str], views: Mapping[int, str]) -> list[str]:
    """The members present for an item (``{member_id: name}``) who have neither a view recorded nor
    "No view recorded: reason" (statutory guidance 1.47: the minutes record each member's view)."""
    out = []
    for member_id, name in present.items():
        view = (views.get(member_id) or "").strip()
        if not view or no_view_reason(view) == "":
            out.append(name)
    return out


def submit_problem(sitting_date: dt.date, today: dt.date) -> str | None:
    """Why an item's minutes cannot go to the chair yet, as for approval (:func:`approval_problems`): the
    minutes record what happened, so not before the day the panel sat."""
    if today < sitting_date:
        return (f"Send to the chair: the sitting is on {sitting_date:%d/%m/%Y}; minutes can be sent to the chair "
                "only on or after the day the panel sat. Keep them as a draft until then.")
    return None


def invitations_problem(sitting_date: dt.date, status: str, today: dt.date) -> str | None:
    """Why invitation letters cannot be written for a sitting: they ask the applicants to come to a sitting
    still to come, and to say before it whether they know anyone on the panel. A sitting today or earlier,
    or a cancelled one, has none to invite to (user trial: letters dated after a sitting said it "will
    be considered" on its day and asked for conflicts of interest weeks after the panel had met)."""
    when = f"The sitting of {long_date(sitting_date)}"
    if status == "cancelled":
        return f"{when} was cancelled: invitations are for sittings still to come."
    if sitting_date == today:
        return f"{when} is today: invitations are for sittings still to come."
    if sitting_date < today:
        return f"{when} has been held: invitations are for sittings still to come."
    return None


#: working days between an invitation's reply-by date and the sitting, for the chair to arrange a change
INVITATION_REPLY_WORKING_DAYS_BEFORE = 2


def invitation_reply_by(sitting_date: dt.date, today: dt.date, usual: dt.date,
                        cal: WorkingCalendar = DEFAULT_CALENDAR) -> dt.date:
    """The day an invitation dated ``today`` asks for any conflict of interest by: the ``usual`` reply-by
    (the agency's working days after the letter), brought forward to two working days before the sitting
    so the chair can make other arrangements. With less notice than that, the last working day before the
    sitting if it is after the letter's date; with none (a sitting tomorrow, or on Monday for a letter of
    Friday), the letter's own date: the letter then asks for it by the end of that day. Never on or after
    the sitting, never before the letter (``today`` before the sitting: see :func:`invitations_problem`)."""
    day = min(usual, cal.add_working_days(sitting_date, -INVITATION_REPLY_WORKING_DAYS_BEFORE))
    if day > today:
        return day
    last = cal.add_working_days(sitting_date, -1)
    return last if today < last < sitting_date else today


def outcome_date_problem(outcome: str, sitting_date: dt.date, today: dt.date) -> str | None:
    """Why a recommendation cannot be recorded yet: it records what the panel recommended when it sat, so
    not before its day (panel trial: one was recorded ten days ahead). A deferral can be decided beforehand."""
    if outcome and outcome != "deferred" and today < sitting_date:
        return (f"Outcome: the panel sits on {sitting_date:%d/%m/%Y}; its recommendation is recorded on or after "
                "that day. Keep the discussion as a draft until then (an item can be deferred beforehand).")
    return None


def approval_problems(sitting_date: dt.date, approved_on: dt.date, today: dt.date,
                      present: Mapping[int, str], views: Mapping[int, str]) -> list[str]:
    """Why the chair cannot approve an item's minutes yet (empty when they can): the sitting must have
    taken place (minutes record what happened), approval is not dated in the future, and every member
    present has a view recorded or "No view recorded" with a reason."""
    problems: list[str] = []
    if approved_on < sitting_date:
        problems.append(f"Approval date: the sitting is on {sitting_date:%d/%m/%Y}; minutes can be approved "
                        "only on or after the day the panel sat.")
    if approved_on > today:
        problems.append(f"Approval date: {approved_on:%d/%m/%Y} is in the future; approve on the day.")
    views_missing = views_missing_problem(present, views)
    if views_missing:
        problems.append(views_missing)
    return problems


def views_missing_problem(present: Mapping[int, str], views: Mapping[int, str]) -> str:
    """The members' views the chair's approval asks for and the minutes lack (:func:`approval_problems`;
    checked when the minutes are sent to the chair too), or "" when none is missing."""
    missing = missing_views(present, views)
    if not missing:
        return ""
    return ("Members' views: record a view, or \"No view recorded: reason\", for "
            + ", ".join(missing) + f" ({len(missing)} of {len(present)} members present).")


def handoff_problems(sitting_date: dt.date, minutes_status: str, approved_on: dt.date | None,
                     handed_on: dt.date) -> list[str]:
    """Why an item cannot be handed to the ADM yet: only approved minutes go, never before the sitting,
    never before the approval."""
    if minutes_status != "approved" or approved_on is None:
        return ["Hand-off to the ADM: the minutes must be approved by the chair first."]
    problems = []
    if approved_on < sitting_date:
        problems.append(f"Hand-off to the ADM: the minutes were approved on {approved_on:%d/%m/%Y}, before the "
                        f"sitting of {sitting_date:%d/%m/%Y}.")
    if handed_on < approved_on:
        problems.append(f"Hand-off to the ADM: {handed_on:%d/%m/%Y} is before the minutes were approved "
                        f"({approved_on:%d/%m/%Y}).")
    return problems


def paper_state(received: dt.date | None, deadline: dt.date, today: dt.date) -> str:
    """How a paper stands: ``"on_time"``, ``"late"`` (arrived after the deadline), ``"overdue"`` (not
    received, deadline passed) or ``"awaited"`` (not received, deadline not passed). A paper not
    received is never "on time"."""
    if received is None:
        return "overdue" if today > deadline else "awaited"
    return "late" if received > deadline else "on_time"


PAPER_STATES = {"on_time": "yes", "late": "late", "overdue": "not received (overdue)",
                "awaited": "not received"}
