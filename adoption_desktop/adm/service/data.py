"""Plain data the ADM use cases return to views and the CLI (frozen dataclasses, never ORM objects)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# --- plain data returned to views and the CLI ----------------------------------------------------

@dataclass(frozen=True)
class DecisionRow:
    id: int
    root_id: int
    version: int
    decision_type: str
    type_label: str
    source: str
    state: str
    subject_reference: str
    subject_initials: str
    recommendation: str
    received_on: dt.date
    due_on: dt.date | None
    paused_since: dt.date | None
    decided_on: dt.date | None
    clock_code: str
    clock_label: str
    outcome: str
    signed_by: str
    superseded: bool
    #: a signed decision's follow-up in a few words (``FollowUp.short``); "" for a clock
    clock_short: str = ""
    #: the decision's date: its first signed version's (a correction is the same decision); ``decided_on``
    #: is this version's own (a correction's: the day it was corrected)
    first_decided_on: dt.date | None = None

    @property
    def decision_date(self) -> dt.date | None:
        """The day the decision was made (a correction keeps its first version's date)."""
        return self.first_decided_on or self.decided_on


@dataclass(frozen=True)
class InfoRequestView:
    id: int
    requested_on: dt.date
    what: str
    received_on: dt.date | None
    received_note: str


@dataclass(frozen=True)
class LetterView:
    id: int
    decision_id: int
    kind: str
    letter_date: dt.date
    recipient: str
    sent_on: dt.date | None
    subject_reference: str = ""


@dataclass(frozen=True)
class QdView:
    id: int
    decision_id: int
    notice_sent_on: dt.date
    deadline: dt.date
    representations_on: dt.date | None
    representations: str
    irm_applied_on: dt.date | None
    irm_recommendation_on: dt.date | None
    irm_recommendation: str
    final_decision_id: int | None
    final_outcome: str
    final_on: dt.date | None
    #: the version shown: recording representations or an IRM application passes it back (``expected_version``)
    row_version: int = 0


@dataclass(frozen=True)
class VersionView:
    id: int
    version: int
    outcome: str
    decision_text: str
    decision_reasons: str
    decided_on: dt.date | None
    signed_by: str
    signed_at: dt.datetime | None
    correction_reason: str
    supersedes_id: int | None


@dataclass(frozen=True)
class DecisionDetail:
    row: DecisionRow
    recommendation_text: str
    recommendation_reasons: str
    advice: str
    minutes_extract: str
    sitting_date: dt.date | None
    member_names: tuple[str, ...]
    addressee: str
    salutation: str
    social_worker: str
    decision_text: str
    decision_reasons: str
    signed_at: dt.datetime | None
    correction_reason: str
    oral_due: dt.date | None
    written_due: dt.date | None
    oral_notified_on: dt.date | None
    written_notified_on: dt.date | None
    info_requests: tuple[InfoRequestView, ...]
    letters: tuple[LetterView, ...]
    qd: QdView | None
    history: tuple[VersionView, ...]
    #: for the user reading it: a warning when their name matches an unlinked member of the item's panel
    conflict_warning: str = ""
    #: for the user reading it: why they may not record or sign this decision ("" when they may)
    conflict_refusal: str = ""
    #: the record's version when read: pass it back to the use cases that change it
    row_version: int = 1
    #: applicants to tell (``rules.has_applicants``); when not (a child's plan), ``oral_due`` is ``None``
    has_applicants: bool = True
    #: a signed decision that is not as it was sealed (changed outside the application): what is wrong, said
    #: on the pane ("" when it is as signed). A trial changed a signed decision's text in SQL and the pane
    #: showed it as genuine; only exports and ``verify`` said so.
    seal_problem: str = ""
    #: the panel minutes behind the decision corrected after they were handed over: on a decision that took the
    #: correction, what changed (a note); on a signed one, that it rests on superseded minutes (a flag, said in
    #: red: ``minutes_flag``). "" when the minutes were never corrected after the hand-off.
    minutes_note: str = ""
    minutes_flag: bool = False


@dataclass(frozen=True)
class SignResult:
    decision_id: int
    letter_id: int
    qd_id: int | None
    warnings: tuple[str, ...] = ()
