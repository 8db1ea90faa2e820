"""Pure ADM rules: decision types and outcomes, the decision clock with pauses, notification dates,
the qualifying-determination period, who may sign. No database, no Qt.

The clock (local practice, default 7 working days, see ``adm.settings``):

* The decision is due on the ``n``-th working day after the final minutes (or, without panel, the
  papers) were received; the receiving day is not counted (``add_working_days``).
* "Ask for more information" **pauses** the clock on the day it is asked: the working days elapsed
  from the start up to and including the day asked are kept. While paused there is no due date.
* When the information is logged the clock **resumes**: the remaining working days (``n`` minus the
  days already used, never below 0) are counted from the day the information was logged, that day
  not counted. With several requests the same rule applies to each in turn.
  Example (7 WD): minutes received Mon 1 Dec 2025 (due Wed 10 Dec); information asked Thu 4 Dec
  (3 WD used, 4 remain); logged Mon 15 Dec, so due Fri 19 Dec.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from adoption_desktop.core import text_input
from adoption_desktop.core.documents import address_block
from adoption_desktop.core.handoff import ItemMember
from adoption_desktop.core.workdays import WorkingCalendar

# --- decision types -----------------------------------------------------------------------------

#: panel case types (the panel hand-off ``case_type``) and built-in types decided without panel
BUILTIN_TYPES: dict[str, str] = {
    "approval": "Approval of prospective adopters",
    "match": "Match of a child with prospective adopters",
    "relinquished": "Relinquished child: should be placed for adoption",
    "review": "Review of approval",
    "termination": "Termination of approval",
    "early_permanence": "Early permanence approval",
    # without panel
    "plan_for_adoption": "Child's plan for adoption (should be placed for adoption)",
    "temporary_foster_approval": "Temporary approval as foster carers for a named child (reg 25A)",
}
#: the built-in types in a few words, for the queue's Type column (its tooltip and the pane give the whole)
SHORT_TYPES: dict[str, str] = {
    "approval": "Adopter approval",
    "match": "Match",
    "relinquished": "Relinquished child",
    "review": "Review of approval",
    "termination": "Termination of approval",
    "early_permanence": "Early permanence",
    "plan_for_adoption": "Plan for adoption",
    "temporary_foster_approval": "Foster approval (reg 25A)",
}
#: types the ADM opens without panel (administrators add more as ``AdmDecisionType`` rows)
DIRECT_TYPES = ("plan_for_adoption", "temporary_foster_approval")
#: decisions without panel whose letter is written to the people decided about ("your temporary approval as
#: foster carers"), never to the child's social worker: a name and address to write to is required
ADDRESSEE_TYPES = frozenset({"temporary_foster_approval"})
ADDRESSEE_NEEDED = ("Letter to: enter the foster carers' names and address; the decision letter is written to "
                    "them (about their temporary approval as foster carers), not to the child's social worker.")


#: where the ADM types who the letter goes to: the Decision tab's "Letter to (name and address)"
WHERE_ADDRESSEE = "on the Decision tab (Alt+D), Letter to (Alt+L): the names on the first line, the address below"
#: whom a decision's letter is written to, by type, when it is not the child's social worker
LETTER_TO_WHOM: dict[str, str] = {"temporary_foster_approval": "the foster carers",
                                  "relinquished": "the child's parent or parents", "match": "the adopters"}


def address_lines(addressee: str) -> list[str]:
    """The addressee's lines as the letter prints them (blank lines dropped)."""
    return [ln.strip() for ln in addressee.splitlines() if ln.strip()]


def addressee_problem(decision_type: str, addressee: str) -> str | None:
    """A decision whose letter goes to the carers (reg 25A) needs their name and address, when it is
    opened as when it is signed (:func:`letter_addressee_problem`)."""
    if decision_type not in ADDRESSEE_TYPES:
        return None
    lines = address_lines(addressee)
    if not lines:
        return ADDRESSEE_NEEDED
    return _no_address(lines) if len(lines) < 2 else None


def _no_address(lines: Sequence[str]) -> str:
    return (f"Letter to: “{lines[0]}” has no address; type the address on the lines below the names "
            f"({WHERE_ADDRESSEE}). The letter is posted to it.")


def letter_to_social_worker(decision_type: str, source: str, kind: str, social_worker: str,
                            addressee: str) -> bool:
    """Whether a decision's letter (``kind``, :func:`letter_kind`) goes to the child's social worker: a plan
    for adoption agreed, or a decision without panel with a social worker and no one else to write to
    (never a reg 25A approval: that letter is the carers')."""
    return kind == "adm_plan_agreed" or (source == "direct" and decision_type not in ADDRESSEE_TYPES
                                         and bool(social_worker.strip()) and not addressee.strip())


def letter_addressee_problem(decision_type: str, source: str, outcome: str, recommendation: str,
                             addressee: str, social_worker: str) -> str | None:
    """Why this decision cannot be signed for want of someone to write to (None when it can). Signing files
    its letter as final: one written to the applicants (carers, parents) needs their names and address, or
    the filed letter was addressed "The applicants (address on file)" and opened "Dear Sir or Madam" (a
    tester's signed approval; a qualifying-determination notice's date starts their 40 working days). A
    letter to the child's social worker needs only the social worker's name (asked when the decision is
    opened), so a plan for adoption signs as before."""
    kind = letter_kind(decision_type, source, outcome, recommendation)
    if letter_to_social_worker(decision_type, source, kind, social_worker, addressee):
        return None
    lines = address_lines(addressee)
    if len(lines) >= 2:
        # a Letter to typed before the window's limit (or imported): said before the password is asked for,
        # not found when the letter is filed (``core.documents.address_block``)
        window = address_block.address_problem(lines)
        return f"Letter to: {window}. Correct it {WHERE_ADDRESSEE}." if window else None
    if lines:
        return _no_address(lines)
    if decision_type in ADDRESSEE_TYPES:
        return f"{ADDRESSEE_NEEDED} Enter them {WHERE_ADDRESSEE}."
    who = LETTER_TO_WHOM.get(decision_type, "the applicants")
    what = {"adm_qd_notice": "The qualifying-determination notice is written to them, and the day it is sent starts "
                             "their 40 working days for representations or an application to the IRM",
            "adm_final_decision": "The final decision letter is written to them"}.get(
        kind, "Signing files the decision letter written to them")
    worker = (" (or, for a letter to the child's social worker, leave it empty and enter the social worker, "
              "Alt+K)" if source == "direct" else "")
    return (f"Letter to: enter the names and address of {who} {WHERE_ADDRESSEE}{worker}. {what}; it is not "
            "signed addressed to nobody.")


#: the initials rule the panel's agenda applies to an item (``core.text_input``): a full name typed as
#: initials ("John Smith") became "the child J.O.H.N.S.M.I.T.H." in a letter
INITIALS_ONLY = text_input.INITIALS_ONLY
initials_problem = text_input.initials_problem


#: types where a proposal not to approve is a qualifying determination (AA Regs 2005 reg 27 and 29/30)
QD_TYPES = frozenset({"approval", "review", "termination"})
#: panel recommendations that are negative for the applicants
#: (the panel's outcome codes, ``panel.rules.OUTCOMES``)
NEGATIVE_RECOMMENDATIONS = frozenset({"not_suitable", "no_longer_suitable", "terminate", "match_not_recommended",
                                      "should_not_be_placed", "ep_not_suitable"})

OUTCOME_AGREE = "agree"
OUTCOME_DIFFER = "differ"
OUTCOME_NOT_APPROVE = "not_approve"  # proposal not to approve: a qualifying determination
OUTCOMES: dict[str, str] = {
    OUTCOME_AGREE: "Agree with the recommendation",
    OUTCOME_DIFFER: "Decide differently (reasons required)",
    OUTCOME_NOT_APPROVE: "Propose not to approve (qualifying determination)",
}

STATE_PENDING, STATE_PAUSED, STATE_SIGNED = "pending", "paused", "signed"


def type_label(code: str, extra: dict[str, str] | None = None) -> str:
    if extra and code in extra:
        return extra[code]
    return BUILTIN_TYPES.get(code, code.replace("_", " ").capitalize())


def type_short(code: str, label: str) -> str:
    """A built-in type in a few words; an agency's own type (``label``, named by the agency) as it is."""
    return SHORT_TYPES.get(code, label)


def default_outcome(decision_type: str, recommendation: str) -> str:
    """The outcome a new decision starts on: agreeing with the panel, except where agreeing with a negative
    recommendation on prospective adopters is by law a proposal not to approve (a qualifying determination,
    :func:`check_outcome` refuses "agree" there)."""
    if decision_type in QD_TYPES and recommendation in NEGATIVE_RECOMMENDATIONS:
        return OUTCOME_NOT_APPROVE
    return OUTCOME_AGREE


def outcome_problems(decision_type: str, recommendation: str, outcome: str, source: str = "panel") -> list[str]:
    """Why ``outcome`` cannot be chosen for this decision (messages naming the fix); [] when it can. The
    decision pane greys such outcomes with the first message as their tooltip."""
    if outcome not in OUTCOMES:
        return ["Outcome: choose agree, decide differently or propose not to approve."]
    problems: list[str] = []
    if outcome == OUTCOME_NOT_APPROVE and decision_type not in QD_TYPES:
        problems.append("Outcome: a qualifying determination applies only to approval, review or termination of "
                        "prospective adopters; choose decide differently.")
    if outcome == OUTCOME_AGREE and decision_type in QD_TYPES and recommendation in NEGATIVE_RECOMMENDATIONS:
        if source == "qd_final":
            problems.append(
                "Outcome: the panel recommended against the applicants; for the final decision choose "
                f"'{outcome_label(OUTCOME_NOT_APPROVE, decision_type, source)}' to confirm the proposal, or "
                f"'{outcome_label(OUTCOME_DIFFER, decision_type, source)}' to decide for them after all.")
        else:
            problems.append("Outcome: agreeing that the applicants are not suitable is a proposal not to approve; "
                            "choose 'Propose not to approve (qualifying determination)'.")
    if (outcome == OUTCOME_DIFFER and decision_type in QD_TYPES and recommendation
            and recommendation not in NEGATIVE_RECOMMENDATIONS):
        if source == "qd_final":
            # the final decision after a proposal made against "suitable": "differ" would read as confirming
            # the refusal but is recorded and written as an approval (:func:`result_is_positive`) — review
            problems.append(f"Outcome: for the final decision choose '{outcome_label(OUTCOME_AGREE, decision_type, source)}' "
                            "to decide for the applicants as the panel recommended, or "
                            f"'{outcome_label(OUTCOME_NOT_APPROVE, decision_type, source)}' to confirm the proposal.")
        else:
            # differing from "suitable" (or "remains suitable", "not to be terminated") decides against the
            # applicants: by law that is a proposal, with 40 working days for representations (AA Regs 2005
            # regs 27 and 30), never a final decision (the final decision after those days is ``qd_final``)
            problems.append("Outcome: deciding against a recommendation that the applicants are suitable is a "
                            "proposal not to approve, with 40 working days for them to respond; choose "
                            "'Propose not to approve (qualifying determination)'. To approve on different terms "
                            "(such as the number or ages of children), choose 'Agree' and write the approval as "
                            "decided.")
    return problems


def check_outcome(decision_type: str, recommendation: str, outcome: str, text: str, reasons: str,
                  source: str = "panel") -> list[tuple[str, str]]:
    """Problems with a decision as recorded: (field, message naming the fix). Empty when it can be signed."""
    problems = [("outcome", msg) for msg in outcome_problems(decision_type, recommendation, outcome, source)]
    if outcome not in OUTCOMES:
        return problems
    if not text.strip():
        problems.append(("decision_text", "Decision: write the decision as it will appear on the letter."))
    elif (clash := wording_clash(decision_type, recommendation, outcome, text, source)) is not None:
        problems.append(("decision_text", clash))
    if outcome in (OUTCOME_DIFFER, OUTCOME_NOT_APPROVE) and len(reasons.strip()) < 10:
        problems.append(("decision_reasons", "Reasons: give the reasons for this decision (at least a "
                                             "sentence); they are sent to the applicants."))
    return problems


def wording_clash(decision_type: str, recommendation: str, outcome: str, text: str, source: str = "panel"
                  ) -> str | None:
    """Why the Decision wording contradicts the outcome chosen (None when it does not): a sentence this program
    writes for another outcome, or a proposal worded as a decision made (or the reverse). The letter states
    the outcome's own sentence and then the ADM's words: a trial's corrected letter read "I propose that your
    approval … should end." and then "I have decided that you are suitable to adopt…"."""
    text = text.strip()
    own = decision_sentence(decision_type, recommendation, outcome, source)
    if text == own:
        return None
    fix = (f"change the wording to match the outcome (\"{own}\") or choose the outcome it states.")
    if text in all_decision_sentences(decision_type, recommendation):
        return f"Decision: the wording states another outcome than the one chosen; {fix}"
    if source != "qd_final":
        lowered = text.casefold()
        if outcome == OUTCOME_NOT_APPROVE and lowered.startswith(("i have decided", "my final decision")):
            return ("Decision: the outcome is a proposal (the applicants have 40 working days to respond), but the "
                    f"wording says it is decided; {fix}")
        if outcome != OUTCOME_NOT_APPROVE and lowered.startswith("i propose"):
            return f"Decision: the outcome is a decision, but the wording says it is only proposed; {fix}"
    return None


# --- the clock ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pause:
    requested_on: dt.date
    received_on: dt.date | None


@dataclass(frozen=True)
class Clock:
    due_on: dt.date | None  # None while paused
    paused_since: dt.date | None
    used_working_days: int  # working days counted so far (to the pause, or to ``today``)


def decision_clock(received_on: dt.date, pauses: Sequence[Pause], n: int, cal: WorkingCalendar) -> Clock:
    """Due date of a decision received on ``received_on`` with ``n`` working days and these pauses."""
    start = received_on
    used = 0
    for p in sorted(pauses, key=lambda x: x.requested_on):
        if p.requested_on < start:
            if p.received_on is None:  # still open (the clock restarted, or another pause ended, meanwhile)
                return Clock(None, p.requested_on, used)
            continue  # asked before the clock (re)started: no effect on elapsed days
        used += max(cal.working_days_between(start, p.requested_on), 0)
        if p.received_on is None:
            return Clock(None, p.requested_on, used)
        start = max(p.received_on, p.requested_on)
    remaining = max(n - used, 0)
    return Clock(cal.add_working_days(start, remaining), None, used)


def has_applicants(decision_type: str, source: str, social_worker: str, addressee: str) -> bool:
    """Whether the decision has applicants to tell (orally within the set working days, then in writing).
    A child's plan for adoption has none, nor has a decision without panel written to the child's social
    worker with nobody else to write to: only its letter is owed."""
    return not (decision_type == "plan_for_adoption" or (source == "direct" and bool(social_worker)
                                                          and not addressee))


def notification_due(decided_on: dt.date, oral_wd: int, written_wd: int,
                     cal: WorkingCalendar) -> tuple[dt.date, dt.date]:
    """Oral and written notification due dates after a decision made on ``decided_on``."""
    return cal.add_working_days(decided_on, oral_wd), cal.add_working_days(decided_on, written_wd)


def told_of_version(chain: Sequence[tuple[int, str]],
                    told: Mapping[int, Mapping[str, dt.date]]) -> dict[str, dt.date]:
    """When the applicants were told of the last version in ``chain`` (one decision's signed versions, oldest
    first, as ``(id, outcome)``), from ``told`` (each version's notifications: ``{"oral": date, "written":
    date}``). A correction is a decision the applicants have not seen: the written notification counts only
    when it is of that version itself (its own letter sent). The oral one carries over from earlier versions
    with the same outcome (a corrected date or wording need not be told again by telephone), but not across
    a change of outcome. Returns only the kinds that were given."""
    if not chain:
        return {}
    current, outcome = chain[-1]
    out: dict[str, dt.date] = {}
    written = told.get(current, {}).get("written")
    if written is not None:
        out["written"] = written
    for version, version_outcome in reversed(chain):
        if version_outcome != outcome:
            break
        oral = told.get(version, {}).get("oral")
        if oral is not None:
            out["oral"] = oral
            break
    return out


#: AA Regulations 2005 reg 27(4)(b)/(6): 40 working days beginning with the date the notice was sent
QD_PERIOD_WD = 40
#: ``final_outcome`` of a qualifying determination closed because its proposal was corrected into an approval
QD_CLOSED_BY_CORRECTION = "closed_by_correction"


def qd_deadline(notice_sent_on: dt.date, cal: WorkingCalendar) -> dt.date:
    return cal.period_end(notice_sent_on, QD_PERIOD_WD)


def qd_final_clock_start(deadline: dt.date, representations_on: dt.date | None,
                         irm_recommendation_on: dt.date | None) -> dt.date:
    """The day the final decision's clock starts: the later of the representations received and the IRM
    recommendation received (whichever were recorded); with neither, the end of the 40-day period."""
    days = [d for d in (representations_on, irm_recommendation_on) if d is not None]
    return max(days) if days else deadline


def qd_date_problem(field: str, day: dt.date, decided_on: dt.date | None, today: dt.date) -> str | None:
    """Why a date recorded on a qualifying determination (representations, IRM application or
    recommendation) is refused: in the future, or before the proposal was decided."""
    if day > today:
        return (f"{field}: {day:%d/%m/%Y} is in the future; record it on or after the day it happened "
                f"(today is {today:%d/%m/%Y}).")
    if decided_on is not None and day < decided_on:
        return (f"{field}: {day:%d/%m/%Y} is before the proposal not to approve was decided "
                f"({decided_on:%d/%m/%Y}).")
    return None


#: the clock of a final decision while the IRM's recommendation is awaited
IRM_AWAITED_LABEL = "Paused: IRM recommendation awaited"


@dataclass(frozen=True)
class ClockStatus:
    code: str  # paused | overdue | due_today | due_soon | on_track | decided_on_time | decided_late
    label: str


def clock_status(state: str, due_on: dt.date | None, paused_since: dt.date | None,
                 decided_on: dt.date | None, today: dt.date, cal: WorkingCalendar) -> ClockStatus:
    if decided_on is not None:
        if due_on is not None and decided_on > due_on:
            late = cal.working_days_between(due_on, decided_on)
            return ClockStatus("decided_late", f"Decided {late} WD late")
        return ClockStatus("decided_on_time", "Decided in time")
    if state != STATE_PAUSED and due_on is None and paused_since is None:
        # pending with no due date and no request for information open: a final decision after a qualifying
        # determination waiting for the IRM's recommendation (its clock restarts from the recommendation)
        return ClockStatus("paused", IRM_AWAITED_LABEL)
    if state == STATE_PAUSED or due_on is None:
        since = f"{paused_since:%d/%m/%Y}" if paused_since else "?"
        return ClockStatus("paused", f"Paused since {since}")  # information asked that day
    if today > due_on:
        return ClockStatus("overdue", f"Overdue by {cal.working_days_between(due_on, today)} WD")
    if today == due_on:
        return ClockStatus("due_today", "Due today")
    left = cal.working_days_between(today, due_on)
    if left <= 2:
        return ClockStatus("due_soon", f"Due in {left} WD")
    return ClockStatus("on_track", f"{left} WD left")


def decided_text(first_decided_on: dt.date | None, decided_on: dt.date | None) -> str:
    """A decision's date as the queue, the search and the pane show it: the date of its first signed version
    (a correction is the same decision, as ``timeliness`` counts it), the correction's date noted when a
    later version was signed on another day: "12/03/2026 (corrected 02/06/2026)". "" when not decided."""
    first = first_decided_on or decided_on
    if first is None:
        return ""
    if decided_on is not None and decided_on != first:
        return f"{first:%d/%m/%Y} (corrected {decided_on:%d/%m/%Y})"
    return f"{first:%d/%m/%Y}"


def working_days_late(due_on: dt.date | None, decided_on: dt.date, cal: WorkingCalendar) -> int:
    """Working days past the statutory deadline a decision dated ``decided_on`` is (0 when in time)."""
    if due_on is None or decided_on <= due_on:
        return 0
    return max(cal.working_days_between(due_on, decided_on), 1)


#: the shortest reason for delay accepted (a word or two says nothing)
DELAY_REASON_MIN = 10


def delay_reason_problem(late_wd: int, due_on: dt.date | None, reason: str) -> str | None:
    """What is wrong with the reason for delay of a decision ``late_wd`` working days late, or None."""
    if late_wd <= 0 or len(reason.strip()) >= DELAY_REASON_MIN:
        return None
    due = f"{due_on:%d/%m/%Y}" if due_on else "?"
    days = "1 working day" if late_wd == 1 else f"{late_wd} working days"
    return (f"Reason for delay: this decision is {days} past its statutory deadline ({due}); say why it "
            "was late (at least a sentence). It goes in the record and the figures.")


# --- who may sign -------------------------------------------------------------------------------

def signer_conflict(user_id: int | None, member_user_ids: Iterable[int]) -> bool:
    """True when the would-be decision maker sat on the panel for this item: their user account is
    linked to a central-list member who was present for it or declared an interest in it (statutory
    guidance 1.50: the ADM is not a member of the panel that made the recommendation). Decided by the
    link, never by the name."""
    return user_id is not None and user_id in set(member_user_ids)


def sat_on_panel_refusal(full_name: str) -> str:
    """The refusal for a user linked to a member who sat on the panel for the item."""
    return (f"{full_name} sat on the panel for this item (the central-list member present is linked to this "
            "user account) and may neither record nor sign the agency's decision on it. Another agency "
            "decision maker must decide.")


def who_sat(members: Iterable[ItemMember], handoff_names: Iterable[str]) -> tuple[ItemMember, ...]:
    """The item's members the conflict rule counts, from ``panel.service.item_members`` and the names the
    hand-off listed as members (``handoff_names``: those present for the item and those not linked to an
    account, frozen on the decision): everyone who declared an interest, everyone present for it whose entry
    is a member's role now, and everyone present whose entry is an adviser's role now but whom the hand-off
    names (compared with ``name_key``). Nothing records the role a member sat in, so a vice chair whose
    entry was made a panel adviser after the sitting still sat on the item; an adviser then and now, whom
    the hand-off never named, did not."""
    from adoption_desktop.core.text_input import name_key

    sat = {name_key(n) for n in handoff_names}
    return tuple(m for m in members if not m.adviser or name_key(m.full_name) in sat)


def unlinked_names(members: Iterable[ItemMember], counted: Iterable[ItemMember],
                   handoff_unlinked: Iterable[str]) -> list[str]:
    """The names the name-match warning looks at: the members who count (``who_sat``) linked to no account
    now, and the names the hand-off froze as not linked (a member's entry whose role changed since, or who is
    no longer found present for the item, is still named), except those whose entry among ``members`` (all
    of ``item_members``) is linked to an account now: the link decides then. One name once (``name_key``),
    the current list's spelling first."""
    from adoption_desktop.core.text_input import name_key

    linked_now = {name_key(m.full_name) for m in members if m.user_id is not None}
    out: dict[str, str] = {}
    for name in [m.full_name for m in counted if m.user_id is None] + list(handoff_unlinked):
        key = name_key(name)
        if key and key not in linked_now:
            out.setdefault(key, name)
    return list(out.values())


def conflict_refusal(user_id: int | None, full_name: str, members: Iterable[ItemMember],
                     sitting_date: dt.date) -> str | None:
    """The refusal for the would-be decision maker, or None, from the item's members as linked *now*
    (``panel.service.item_members``, counted by :func:`who_sat`): a user linked to a member who declared an interest in the case
    (withdrawn from it or not) is told so; one linked to a member who sat on it, that they sat."""
    mine = [m for m in members if user_id is not None and m.user_id == user_id]
    if not mine:
        return None
    declared = next((m for m in mine if m.declared_interest), None)
    if declared is None:
        return sat_on_panel_refusal(full_name)
    withdrew = " and withdrew from it" if declared.withdrew else ""
    return (f"{full_name}: you declared an interest in this case at the panel on {sitting_date:%d/%m/%Y}"
            f"{withdrew} (the central-list member {declared.full_name} is linked to your user account): another "
            "agency decision maker must decide it. You may neither record nor sign the agency's decision on it.")


def name_match_warning(full_name: str, unlinked_member_names: Iterable[str], *,
                       declared: Iterable[str] = ()) -> str | None:
    """A warning (not a refusal) when the would-be decision maker's name matches, after
    normalisation (case, spacing, accents, titles such as Mr/Mrs/Ms/Dr dropped), a member of the item
    (present for it, or who declared an interest in it: ``declared`` names those) whose central-list entry
    is linked to no user account: it may be the same person."""
    from adoption_desktop.core.text_input import name_key

    me = name_key(full_name)
    if not me:
        return None
    same = [n for n in unlinked_member_names if name_key(n) == me]
    if not same:
        return None
    what = ("declared an interest in this case at the panel" if same[0] in set(declared)
            else "sat on the panel for this item")
    return (f"{same[0]} {what} and is not linked to a user account; if that is you, "
            "you may not make this decision: ask another agency decision maker, and ask the panel "
            "administrator to link the member to your account.")


def qd_final_started(deadline: dt.date, representations_on: dt.date | None,
                     irm_recommendation_on: dt.date | None) -> str:
    """What started a final decision's clock (:func:`qd_final_clock_start`), as a clause after its date:
    "when the IRM recommendation was received"."""
    start = qd_final_clock_start(deadline, representations_on, irm_recommendation_on)
    reps, irm = representations_on == start, irm_recommendation_on == start
    if reps and irm:
        return "when the applicants' representations and the IRM recommendation were received"
    if irm:
        return "when the IRM recommendation was received"
    if reps:
        return "when the applicants' representations were received"
    return "when the applicants' 40 working days for representations or an IRM application ended"


def order_problems(received_on: dt.date, decided_on: dt.date, today: dt.date,
                   sitting_date: dt.date | None = None, started: str = "") -> list[str]:
    """Why a decision cannot be signed with this date: not before the final minutes (or papers) were
    received, never before the sitting, and not in the future. ``started``: for a final decision after a
    qualifying determination, what started its clock on ``received_on`` (:func:`qd_final_started`)."""
    problems = []
    if received_on > today:
        problems.append(f"The final decision's clock starts on {received_on:%d/%m/%Y}, {started}; that day has "
                        "not come yet, and the final decision cannot be signed before it." if started else
                        f"The final minutes are recorded as received on {received_on:%d/%m/%Y}, which has not "
                        "come yet; a decision cannot be signed before the minutes are received.")
    # the decision date is said wrong once, by the bound it breaks that binds most: the later of the day the
    # minutes (or papers) arrived and the sitting; a future date only when it breaks neither
    if sitting_date is not None and decided_on < sitting_date and sitting_date > received_on:
        problems.append(f"Decision date: must be on or after the panel sitting of {sitting_date:%d/%m/%Y}.")
    elif decided_on < received_on:
        if received_on <= today:  # else said above: that day has not come yet
            problems.append(f"Decision date: must be on or after {received_on:%d/%m/%Y}, "
                            + (f"{started}." if started else "when the final minutes (or papers) were received."))
    elif decided_on > today:
        problems.append(f"Decision date: {decided_on:%d/%m/%Y} is in the future; sign on the day of the "
                        "decision.")
    return problems


#: the letters' names as people say them (the letters list, the command line)
LETTER_KINDS = {"adm_approval": "Approval", "adm_qd_notice": "Qualifying determination notice",
                "adm_final_decision": "Final decision", "adm_match_agreed": "Match agreed",
                "adm_plan_agreed": "Plan for adoption agreed", "adm_more_information": "Request for information",
                "adm_decision": "Decision"}


def letter_kind(decision_type: str, source: str, outcome: str, recommendation: str) -> str:
    """Which template a signed decision's letter uses."""
    if source == "qd_final":
        return "adm_final_decision"
    if outcome == OUTCOME_NOT_APPROVE:
        return "adm_qd_notice"
    if decision_type == "plan_for_adoption":
        return "adm_plan_agreed"
    if decision_type == "match":
        # agreeing with "match not recommended" (or differing from "recommended") is a decision NOT to match
        matched = ((outcome == OUTCOME_AGREE and recommendation not in NEGATIVE_RECOMMENDATIONS)
                   or (outcome == OUTCOME_DIFFER and recommendation in NEGATIVE_RECOMMENDATIONS))
        return "adm_match_agreed" if matched else "adm_decision"
    if decision_type in ("approval", "review", "early_permanence", "temporary_foster_approval") and (
            (outcome == OUTCOME_AGREE and recommendation not in NEGATIVE_RECOMMENDATIONS)
            or (outcome == OUTCOME_DIFFER and recommendation in NEGATIVE_RECOMMENDATIONS)):
        return "adm_approval"
    return "adm_decision"


# --- the decision in plain English (what the letter says) ----------------------------------------------

#: what each panel recommendation means, as a clause after "that" ("recommended that ...")
RECOMMENDATION_CLAUSES: dict[str, str] = {
    "suitable": "you are suitable to adopt a child",
    "not_suitable": "you are not suitable to adopt a child",
    "match_recommended": "the child should be placed for adoption with you",
    "match_not_recommended": "the child should not be placed for adoption with you",
    "should_be_placed": "the child should be placed for adoption",
    "should_not_be_placed": "the child should not be placed for adoption",
    "remains_suitable": "you remain suitable to adopt a child",
    "no_longer_suitable": "you are no longer suitable to adopt a child",
    "terminate": "your approval as prospective adopters should end",
    "not_terminate": "your approval as prospective adopters should continue",
    "ep_suitable": "you are suitable to care for a child under early permanence (fostering for adoption)",
    "ep_not_suitable": "you are not suitable to care for a child under early permanence",
    "temporary_foster_approval": "you should be approved as foster carers for the named child for a "
                                 "temporary period",
    "temporary_foster_refused": "you should not be approved as foster carers for the named child",
}
#: for each decision type: the result's code when it goes the applicants' way and when it does not
RESULT_CODES: dict[str, tuple[str, str]] = {
    "approval": ("suitable", "not_suitable"),
    "match": ("match_recommended", "match_not_recommended"),
    "relinquished": ("should_be_placed", "should_not_be_placed"),
    "review": ("remains_suitable", "no_longer_suitable"),
    "termination": ("not_terminate", "terminate"),
    "early_permanence": ("ep_suitable", "ep_not_suitable"),
    "plan_for_adoption": ("should_be_placed", "should_not_be_placed"),
    "temporary_foster_approval": ("temporary_foster_approval", "temporary_foster_refused"),
}


def recommendation_sentence(recommendation: str, label: str = "") -> str:
    """"recommended that you are suitable to adopt a child" (never the panel's list label as a quote)."""
    clause = RECOMMENDATION_CLAUSES.get(recommendation)
    if clause:
        return f"recommended that {clause}"
    if recommendation == "deferred":
        return "deferred its recommendation"
    return f"made this recommendation: {label}" if label.strip() else "made a recommendation"


def result_is_positive(decision_type: str, recommendation: str, outcome: str, source: str = "panel") -> bool:
    """Whether the decision goes the applicants' (or the plan's) way: agreeing with a positive
    recommendation, or deciding differently from a negative one. Proposals not to approve and final
    decisions "not approved" are negative. A recommendation this module does not know counts as positive."""
    if outcome == OUTCOME_NOT_APPROVE:
        return False
    negative_rec = recommendation in NEGATIVE_RECOMMENDATIONS
    if source == "qd_final":
        return True
    return negative_rec if outcome == OUTCOME_DIFFER else not negative_rec


#: a qualifying determination and the final decision after it, in each type's own words: the proposal
#: (a letter's subject), its summary row, and the final decision's row when it goes the applicants' way
#: and when it does not. Ending an approval is never called "not approving" someone.
QD_WORDS: dict[str, tuple[str, str, str, str]] = {
    "approval": ("not to approve you as prospective adopters", "Proposed not to approve",
                 "approved", "not approved"),
    "review": ("that you are no longer suitable to adopt a child", "Proposed: no longer suitable to adopt",
               "remains suitable to adopt", "no longer suitable to adopt"),
    "termination": ("to end your approval as prospective adopters", "Proposed to end the approval",
                    "approval continues", "approval ended"),
}


def proposal_words(decision_type: str) -> str:
    """What was proposed, as the final decision's letter recalls it: "to end your approval as …"."""
    return QD_WORDS.get(decision_type, QD_WORDS["approval"])[0]


def proposal_subject(decision_type: str) -> str:
    """The subject of a qualifying-determination notice: "Proposed decision to end your approval…"."""
    return f"Proposed decision {proposal_words(decision_type)}"


def decision_row(decision_type: str, outcome: str, source: str, agreed: str, differed: str) -> str:
    """The "Decision" row of a letter's summary table. ``agreed``/``differed`` are the words for the
    outcomes that are not proposals; a proposal and a final decision after one use the type's words."""
    words = QD_WORDS.get(decision_type, QD_WORDS["approval"])
    if source == "qd_final":
        return f"Final decision: {words[3] if outcome == OUTCOME_NOT_APPROVE else words[2]}"
    if outcome == OUTCOME_NOT_APPROVE:
        return f"{words[1]} (qualifying determination)"
    return agreed if outcome == OUTCOME_AGREE else differed if outcome == OUTCOME_DIFFER else outcome


def outcome_label(outcome: str, decision_type: str, source: str) -> str:
    """An outcome as the decision pane offers it for this decision. A final decision after a qualifying
    determination is named by its effect ("Final decision: approval ended"), never as a proposal (a trial's
    ADM was told that signing the final decision "sends the qualifying-determination notice"); a decision
    without panel agrees with the recommendation in the papers."""
    if source == "qd_final" and outcome in OUTCOMES:
        words = QD_WORDS.get(decision_type, QD_WORDS["approval"])
        if outcome == OUTCOME_NOT_APPROVE:
            return f"Final decision: {words[3]} (the route ends)"
        if outcome == OUTCOME_DIFFER:
            return f"Final decision: {words[2]} (deciding differently from the panel)"
        return f"Final decision: {words[2]}"
    if source == "direct" and outcome == OUTCOME_AGREE:
        return "Agree with the recommendation in the papers"
    if source == "direct" and outcome == OUTCOME_DIFFER:
        return "Decide differently from the papers (reasons required)"
    return OUTCOMES.get(outcome, outcome)


def signing_effect(outcome: str, source: str) -> str:
    """What signing does beyond filing the letter, said in the sign dialog ("" when nothing more)."""
    if source == "qd_final":
        return (" — this is the final decision after the qualifying determination: the route ends here and the "
                "final decision letter is filed.")
    if outcome == OUTCOME_NOT_APPROVE:
        return (" — signing sends the qualifying-determination notice: 40 working days for representations or "
                "an application to the IRM begin.")
    return "."


def decision_sentence(decision_type: str, recommendation: str, outcome: str, source: str = "panel") -> str:
    """The decision as the letter states it, in words a family understands; from what the ADM decided
    (type, panel recommendation, outcome), never from the panel's label.

    Examples: agree with "match not recommended" -> "I have decided that the child should not be placed
    for adoption with you."; propose not to approve -> "I propose that you are not suitable to adopt a
    child."; a final decision after representations -> "My final decision is that ..."."""
    codes = RESULT_CODES.get(decision_type)
    if codes is None:  # a type an administrator added: no wording known, the ADM's text carries it
        if outcome == OUTCOME_AGREE:
            return "I have decided to accept the recommendation."
        return "I have decided not to accept the recommendation."
    positive = result_is_positive(decision_type, recommendation, outcome, source)
    clause = RECOMMENDATION_CLAUSES[codes[0] if positive else codes[1]]
    if source == "qd_final":
        return f"My final decision is that {clause}."
    if outcome == OUTCOME_NOT_APPROVE:
        return f"I propose that {clause}."
    return f"I have decided that {clause}."


#: the wording older versions put in a final decision's Decision box ("Final decision after the qualifying
#: determination of 2026-09-24"): the program's, not the ADM's, so never printed as the ADM's own words
OLD_FINAL_PLACEHOLDER = re.compile(r"Final decision after the qualifying determination of (\d{4}-\d{2}-\d{2}|None)\.?")


def is_program_wording(text: str, decision_type: str, recommendation: str) -> bool:
    """Whether ``text`` is wording the program wrote (a decision sentence, or an older version's placeholder)."""
    text = text.strip()
    return text in all_decision_sentences(decision_type, recommendation) or bool(OLD_FINAL_PLACEHOLDER.fullmatch(text))


def all_decision_sentences(decision_type: str, recommendation: str) -> set[str]:
    """Every sentence this module would write for the type and recommendation (to tell the ADM's own
    words from a prefilled sentence)."""
    return {decision_sentence(decision_type, recommendation, o, s)
            for o in OUTCOMES for s in ("panel", "direct", "qd_final")}
