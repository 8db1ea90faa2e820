"""ADM figures for a date range (decisions signed ``start <= decided_on <= end``): counts and durations,
never names. Corrections are counted once (the latest version of each decision), on the date of the
decision's first signature and timed by it (``adm.timeliness``).

"Decisions signed in the period after more information was asked for" counts signed decisions whose
clock was ever paused; how many decisions the ADM *asked* about in the period (the domain's measure, "asked
for more information on 13 approvals in a year") is ``adm.more_information``'s "Decisions where more
information was asked for", dated by the request."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

from sqlalchemy import func, or_, select

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecision, AdmInfoRequest, AdmQualifyingDetermination
from adoption_desktop.adm.timeliness import WAITING_NOT_COUNTED, signed_decisions
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import calendar
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import percent
from adoption_desktop.reports.model import FigureSection

OUTCOME_SHORT = {rules.OUTCOME_AGREE: "agreed", rules.OUTCOME_DIFFER: "decided differently",
                 rules.OUTCOME_NOT_APPROVE: "proposed not to approve"}
#: what a proposal "not to approve" means for each type (a qualifying determination, AA Regs 2005 reg 27,
#: 29 and 30): a person reads what was proposed, not the internal outcome code
NOT_APPROVE_BY_TYPE = {
    "approval": "proposed not to approve (qualifying determination)",
    "review": "proposed that they are no longer suitable (qualifying determination)",
    "termination": "proposed to terminate the approval (qualifying determination)",
}


#: the late decisions' section: counts, and per decision whether a reason for the delay was recorded (never
#: the reason itself: the ADM's screens show it)
LATE_DECISIONS = "Late decisions (signed past the statutory deadline)"

#: decisions received and not yet signed on the period's last day
WAITING_AT_END = "Decisions waiting at the end of the period"

#: the median of the working days to decision, as "within the timescale" counts them
MEDIAN_WORKING_DAYS = f"Median working days from final minutes to decision ({WAITING_NOT_COUNTED})"

#: decisions signed in the period after the ADM had asked for more information (on any date)
SIGNED_AFTER_ASKING = "Decisions signed in the period after more information was asked for"


#: the final decision after a qualifying determination (``source == "qd_final"``): counted apart from the
#: proposals (a user trial read 3 proposals and 2 final decisions as 5 proposals)
FINAL_APPROVED, FINAL_NOT_APPROVED = "final_approved", "final_not_approved"
FINAL_BY_TYPE = {
    ("approval", FINAL_APPROVED): "approved (final decision after a qualifying determination)",
    ("approval", FINAL_NOT_APPROVED): "not approved (final decision after a qualifying determination)",
    ("review", FINAL_APPROVED): "remain suitable (final decision after a qualifying determination)",
    ("review", FINAL_NOT_APPROVED): "no longer suitable (final decision after a qualifying determination)",
    ("termination", FINAL_APPROVED): "approval continues (final decision after a qualifying determination)",
    ("termination", FINAL_NOT_APPROVED): "approval terminated (final decision after a qualifying determination)",
}


def outcome_key(d: AdmDecision) -> str:
    """The outcome a decision is counted under: its outcome, or for a final decision after a qualifying
    determination whether the applicants were approved in the end (as ``qd.final_outcome`` records it)."""
    if d.source == "qd_final":
        return FINAL_NOT_APPROVED if d.outcome == rules.OUTCOME_NOT_APPROVE else FINAL_APPROVED
    return d.outcome


def outcome_label(decision_type: str, outcome: str) -> str:
    """The outcome of a decision of ``decision_type`` as a person reads it."""
    if outcome in (FINAL_APPROVED, FINAL_NOT_APPROVED):
        return FINAL_BY_TYPE.get((decision_type, outcome), "final decision after a qualifying determination: "
                                 + ("not approved" if outcome == FINAL_NOT_APPROVED else "approved"))
    if outcome == rules.OUTCOME_NOT_APPROVE:
        return NOT_APPROVE_BY_TYPE.get(decision_type, OUTCOME_SHORT[outcome])
    return OUTCOME_SHORT.get(outcome, outcome.replace("_", " ") or "no outcome recorded")


#: a qualifying determination's ``final_outcome`` as the final decision's outcome key
_QD_FINAL = {"approved": FINAL_APPROVED, "not_approved": FINAL_NOT_APPROVED}


def _qd_final_label(decision_type: str, final_outcome: str) -> str:
    """"Final decision: Termination of approval: approval terminated": the type's own words for the final
    outcome, the same as in "ADM decisions by type and outcome" (``FINAL_BY_TYPE``)."""
    key = _QD_FINAL.get(final_outcome)
    if key is None or (decision_type, key) not in FINAL_BY_TYPE:
        return f"Final decision: {final_outcome.replace('_', ' ')}"
    words = FINAL_BY_TYPE[(decision_type, key)].removesuffix(" (final decision after a qualifying determination)")
    return f"Final decision: {rules.type_label(decision_type)}: {words}"


def _pct(part: int, whole: int) -> str:
    return f"{percent(part, whole)} ({part} of {whole})" if whole else "n/a"


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    require(actor, Permission.REPORTS_VIEW)
    with db.session(actor, write=False) as session:
        cal = calendar(session)
        # the latest version of each decision, dated and timed by its first signature (a correction is the
        # same decision: a trial's correction counted as a new decision "214 WD late" in its own period)
        decided = signed_decisions(session, start, end, cal)
        rows = [x.row for x in decided]
        day = {x.row.id: x.decided_on for x in decided}
        # a request belongs to the decision, whichever version it was made on (a correction is the same decision)
        root_of: dict[int, int] = {i: r for i, r in session.execute(
            select(AdmDecision.id, func.coalesce(AdmDecision.root_id, AdmDecision.id)))}
        paused_roots = {root_of.get(i, i) for i in session.scalars(select(AdmInfoRequest.decision_id))}
        qds = list(session.scalars(select(AdmQualifyingDetermination).where(
            AdmQualifyingDetermination.notice_sent_on >= start, AdmQualifyingDetermination.notice_sent_on <= end)))
        qd_type: dict[int, str] = {i: t for i, t in session.execute(
            select(AdmDecision.id, AdmDecision.decision_type).where(
                AdmDecision.id.in_({q.decision_id for q in qds})))}
        # waiting at the end of the period: received by then and not signed by then (a decision's first version
        # is signed once; its corrections never wait). "All dates" gave today's count in every column (a
        # trial's 1997 column showed today's queue)
        waiting = session.scalar(select(func.count()).select_from(AdmDecision).where(
            AdmDecision.version == 1, AdmDecision.received_on <= end,
            or_(AdmDecision.signed_at.is_(None), AdmDecision.decided_on > end))) or 0

    by_type: Counter[str] = Counter()
    by_outcome: Counter[tuple[str, str]] = Counter()
    in_time = 0
    timed = 0
    differ = 0
    for d in rows:
        by_type[d.decision_type] += 1
        by_outcome[(d.decision_type, outcome_key(d))] += 1
        if d.due_on is not None:
            timed += 1
            in_time += day[d.id] <= d.due_on
        if d.source == "panel" and (d.outcome == rules.OUTCOME_DIFFER or (
                d.outcome == rules.OUTCOME_NOT_APPROVE and d.recommendation not in rules.NEGATIVE_RECOMMENDATIONS)):
            differ += 1
    durations = [x.working_days for x in decided if x.row.source == "panel"]
    panel_rows = [d for d in rows if d.source == "panel"]
    summary = FigureSection("ADM decisions", [
        ("Decisions signed", str(len(rows))),
        # every decision with a deadline, with or without panel: the report's "ADM decisions within 7 working
        # days of the final minutes" (reports.measures) counts panel decisions only, so the two may differ
        ("Made within the timescale (all decisions, with or without panel)", _pct(in_time, timed)),
        (MEDIAN_WORKING_DAYS, f"{statistics.median(durations):g}" if durations else "n/a"),
        ("Decisions differing from the panel's recommendation", _pct(differ, len(panel_rows))),
        # decisions signed in the period whose clock was paused, whenever it was: not the same count as
        # "Decisions where more information was asked for" (adm.more_information: asked in the period)
        (SIGNED_AFTER_ASKING, str(sum(1 for d in rows if (d.root_id or d.id) in paused_roots))),
        (WAITING_AT_END, str(waiting)),
    ])
    types = FigureSection("ADM decisions by type and outcome", [
        (f"{rules.type_label(t)}: {outcome_label(t, o)}", str(n))
        for (t, o), n in sorted(by_outcome.items())
    ] + [(f"{rules.type_label(t)}: total", str(n)) for t, n in sorted(by_type.items())])
    corrected = sum(1 for q in qds if q.final_outcome == rules.QD_CLOSED_BY_CORRECTION)
    # each final outcome in its decision type's words, as "ADM decisions by type and outcome" names it (a
    # trial read "Final decision: not approved 2" where both were approvals terminated)
    qd_outcomes = Counter(_qd_final_label(qd_type.get(q.decision_id, ""), q.final_outcome) for q in qds
                          if q.final_outcome and q.final_outcome != rules.QD_CLOSED_BY_CORRECTION)
    awaiting = sum(1 for q in qds if not q.final_outcome)
    qd = FigureSection("Qualifying determinations (notice sent in the period)", [
        ("Notices sent", str(len(qds))),
        ("Representations received", str(sum(1 for q in qds if q.representations_on))),
        ("Applications to the IRM", str(sum(1 for q in qds if q.irm_applied_on))),
        *((label, str(v)) for label, v in sorted(qd_outcomes.items())),
        *((("Awaiting the final decision", str(awaiting)),) if awaiting else ()),
        # a proposal corrected into an approval: no final decision follows, so it is no final outcome
        *((("Closed: the proposal was corrected into an approval", str(corrected)),) if corrected else ()),
    ])
    late = sorted(((d, rules.working_days_late(d.due_on, day[d.id], cal)) for d in rows),
                  key=lambda p: (day[p[0].id], p[0].id))
    late = [(d, n) for d, n in late if n > 0]
    # counts only: the ADM's reason for a delay is free text (it may name people or give an address), so it
    # stays on the ADM's own screens (adm.view); the report, the page, the CSV and the pack say whether one
    # was recorded (a trial's report quoted "Waited for Mr and Mrs Jenkins at 14 Elm Road")
    late_by_type = Counter(d.decision_type for d, _n in late)
    delays = FigureSection(LATE_DECISIONS, [
        ("Decisions signed late", _pct(len(late), timed)),
        ("Late decisions with a reason for delay recorded", str(sum(1 for d, _n in late if d.delay_reason))),
        ("Median working days late", f"{statistics.median(n for _d, n in late):g}" if late else "n/a"),
        *((f"Signed late: {rules.type_label(t)}", str(n)) for t, n in sorted(late_by_type.items())),
        *((f"Decided {day[d.id]:%d/%m/%Y}, {n} WD late ({rules.type_label(d.decision_type)})",
           "reason recorded: yes" if d.delay_reason.strip() else "reason recorded: no") for d, n in late),
    ])
    return [summary, types, qd, delays]
