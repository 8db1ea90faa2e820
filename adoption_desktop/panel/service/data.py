"""Panel service, plain data: what the use cases take in (``*Input``, :class:`MinutesDraft`) and hand
out (``*Row``, :class:`SittingDetail`), frozen dataclasses with no database behind them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from adoption_desktop.panel import rules
from adoption_desktop.panel.rules import QuorumResult


# --- plain data ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberInput:
    full_name: str
    role_type: str
    joined_on: dt.date
    pqe_years: int | None = None
    independent: bool = False
    user_id: int | None = None
    appraisal_due: dt.date | None = None
    dbs_checked_on: dt.date | None = None
    training_on: dt.date | None = None
    gender: str = ""          # panel.profile.GENDERS ("" = not recorded)
    ethnicity: str = ""       # panel.profile.ETHNICITIES, "" or "prefer_not_to_say"
    #: the day the member's last annual appraisal was held; a date later than the last one recorded
    #: records an appraisal that met the appraisal due date the member had until now
    appraised_on: dt.date | None = None


@dataclass(frozen=True)
class MemberRow:
    id: int
    full_name: str
    role_type: str
    role_label: str
    is_adviser: bool
    pqe_years: int | None
    independent: bool
    joined_on: dt.date
    user_id: int | None
    notice_given_on: dt.date | None
    leaves_on: dt.date | None
    leaving_kind: str
    leaving_reason: str
    appraisal_due: dt.date | None
    dbs_checked_on: dt.date | None
    training_on: dt.date | None
    warnings: tuple[str, ...]
    row_version: int = 1
    gender: str = ""
    ethnicity: str = ""
    appraised_on: dt.date | None = None  # the last appraisal recorded
    #: when the next appraisal falls due (rules.next_appraisal_due: the typed date and the last held)
    next_appraisal: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.leaves_on is None or day < self.leaves_on)


@dataclass(frozen=True)
class SittingInput:
    first_date: dt.date
    start_time: str = "10:00"
    end_time: str = "13:00"
    venue: str = ""
    virtual_link: str = ""
    recurrence: str = "once"
    count: int = 1


@dataclass(frozen=True)
class SittingRow:
    id: int
    sitting_date: dt.date
    start_time: str
    end_time: str
    venue: str
    virtual_link: str
    status: str  # scheduled / held / cancelled
    status_reason: str
    moved_from: dt.date | None
    item_count: int
    papers_deadline: dt.date
    minutes_due: dt.date
    row_version: int = 1

    @property
    def place(self) -> str:
        return " / ".join(x for x in (self.venue, self.virtual_link) if x)


@dataclass(frozen=True)
class ItemInput:
    case_type: str
    subject_reference: str
    subject_initials: str
    presenting_worker: str = ""
    time_slot: str = ""
    notes: str = ""


@dataclass(frozen=True)
class PaperRow:
    code: str
    label: str
    received_on: dt.date | None
    late: bool
    #: ``panel.rules.paper_state``: on_time / late / overdue / awaited (a paper not received is never on time)
    state: str = ""

    @property
    def on_time_text(self) -> str:
        """What the minutes and the screens say in the "On time" column."""
        return rules.PAPER_STATES.get(self.state, "late" if self.late else "")


@dataclass(frozen=True)
class DeclarationRow:
    id: int
    member_id: int
    member_name: str
    interest: str
    withdrew: bool


@dataclass(frozen=True)
class AbsenceRow:
    """A member present at the sitting who was not present for one item (``rules.ABSENCE_REASONS``)."""

    id: int
    member_id: int
    member_name: str
    reason: str

    @property
    def reason_label(self) -> str:
        return rules.ABSENCE_REASONS.get(self.reason, self.reason)

    @property
    def text(self) -> str:
        """"A. Member (left before this item)"."""
        return rules.absence_text(self.member_name, self.reason)


@dataclass(frozen=True)
class MinutesDraft:
    outcome: str = ""
    recommendation_text: str = ""
    reasons: str = ""
    discussion: str = ""
    member_views: dict[int, str] = field(default_factory=dict)
    vote: str = ""
    votes_for: int | None = None
    votes_against: int | None = None
    advice_number: int | None = None
    advice_age_range: str = ""
    advice_sex: str = ""
    advice_needs: str = ""
    deferral_reason: str = ""


@dataclass(frozen=True)
class MinutesRow:
    id: int
    item_id: int
    version: int
    status: str
    draft: MinutesDraft
    correction_reason: str
    supersedes_id: int | None
    quorum_statement: str
    submitted_on: dt.date | None
    approved_on: dt.date | None
    approved_by_name: str
    handed_off_on: dt.date | None
    adm_decision_id: int | None
    row_version: int = 1
    #: approved minutes changed outside the application: what the Minutes tab says in red ("" when they are as
    #: approved, or not approved; filled by ``sitting_detail``)
    seal_problem: str = ""

    @property
    def locked(self) -> bool:
        return self.status == "approved"

    @property
    def advice_text(self) -> str:
        return advice_text(self.draft)


@dataclass(frozen=True)
class ItemRow:
    id: int
    sitting_id: int
    position: int
    case_type: str
    subject_reference: str
    subject_initials: str
    presenting_worker: str
    time_slot: str
    notes: str
    papers: tuple[PaperRow, ...]
    declarations: tuple[DeclarationRow, ...]
    quorum: QuorumResult
    minutes: MinutesRow | None
    #: False while nobody's attendance is recorded for the sitting (e.g. a future sitting): the quorum
    #: result is then not a shortfall yet, and the screens show "attendance not recorded".
    attendance_recorded: bool = True
    row_version: int = 1
    #: members present at the sitting but not for this item: not counted in its quorum
    absences: tuple[AbsenceRow, ...] = ()
    #: the later sitting (not cancelled) whose agenda the case was deferred to (``defer_item``), else None
    deferred_to: dt.date | None = None

    @property
    def quorum_locked(self) -> bool:
        """The item's current minutes are approved: who counted for it — declarations, members out of the
        room — stands as approved. A correction of them open (drafted or sent, not yet approved: the current
        minutes are then the correction) reopens it until the chair approves the correction."""
        return self.minutes is not None and self.minutes.status == "approved"

    @property
    def quorum_state(self) -> str:
        """``"quorate"``, ``"inquorate"`` (a real shortfall) or ``"not_recorded"`` (no attendance yet)."""
        if self.quorum.quorate:
            return "quorate"
        return "inquorate" if self.attendance_recorded else "not_recorded"

    @property
    def quorum_text(self) -> str:
        if self.quorum_state == "not_recorded":
            return "Attendance not recorded yet: quorum is checked once attendance is marked."
        return self.quorum.summary

    @property
    def case_label(self) -> str:
        return rules.CASE_TYPES.get(self.case_type, self.case_type)

    @property
    def subject(self) -> str:
        return f"{self.subject_reference} ({self.subject_initials})" if self.subject_initials else \
            self.subject_reference

    @property
    def late_papers(self) -> int:
        return sum(1 for p in self.papers if p.late)

    @property
    def outcome_label(self) -> str:
        if not self.minutes or not self.minutes.draft.outcome:
            return ""
        return rules.OUTCOMES[self.minutes.draft.outcome]

    @property
    def minutes_status(self) -> str:
        return "" if not self.minutes else f"{self.minutes.status} (v{self.minutes.version})"


@dataclass(frozen=True)
class ItemParts:
    """What goes with an agenda item when it is removed, as a screen showed it (``remove_item``'s
    ``expected_parts``): its papers (code, date received or None), its declarations of interest and its
    members recorded out of the room (ids), each sorted."""

    papers: tuple[tuple[str, dt.date | None], ...] = ()
    declarations: tuple[int, ...] = ()
    absences: tuple[int, ...] = ()

    @classmethod
    def make(cls, papers: Iterable[tuple[str, dt.date | None]], declarations: Iterable[int],
             absences: Iterable[int]) -> ItemParts:
        return cls(tuple(sorted(papers, key=lambda p: p[0])), tuple(sorted(declarations)), tuple(sorted(absences)))

    @classmethod
    def of(cls, item: ItemRow) -> ItemParts:
        """The parts the screen shows for ``item``."""
        return cls.make(((p.code, p.received_on) for p in item.papers), (d.id for d in item.declarations),
                        (a.id for a in item.absences))


@dataclass(frozen=True)
class AttendanceRow:
    member_id: int
    full_name: str
    role_type: str
    role_label: str
    is_adviser: bool
    independent: bool
    pqe_years: int | None
    status: str  # "" = not recorded
    #: on the central list on the sitting's day (joined on or before it, not yet left); a mark recorded
    #: for someone who was not on it never counts them
    on_list: bool = True


@dataclass(frozen=True)
class SittingDetail:
    sitting: SittingRow
    items: tuple[ItemRow, ...]
    attendance: tuple[AttendanceRow, ...]


def advice_text(d: MinutesDraft) -> str:
    parts = []
    if d.advice_number:
        parts.append(f"number of children: {d.advice_number}")
    if d.advice_age_range:
        parts.append(f"age range: {d.advice_age_range}")
    if d.advice_sex:
        parts.append(f"sex: {d.advice_sex}")
    if d.advice_needs:
        parts.append(f"needs and background: {d.advice_needs}")
    return "; ".join(parts)


def minutes_draft_values(d: MinutesDraft) -> dict[str, str]:
    """A draft's fields under the conflict window's labels, the editor's version and the stored one alike:
    every field the minutes editor has (members' views in the members' order, vote counts), so a change to
    any of them is named when a colleague saved first."""
    counts = ", ".join(f"{n} {word}" for n, word in ((d.votes_for, "for"), (d.votes_against, "against"))
                       if n is not None)
    return {"Outcome": rules.OUTCOMES.get(d.outcome, d.outcome), "Recommendation": d.recommendation_text,
            "Reasons": d.reasons, "Discussion": d.discussion,
            "Members' views": "\n".join(text.strip() for _member, text in sorted(d.member_views.items())
                                         if text.strip()),
            "Vote": rules.VOTES.get(d.vote, d.vote), "Votes": counts, "Advice": advice_text(d),
            "Deferral reason": d.deferral_reason}
