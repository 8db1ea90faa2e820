"""The choice lists (stored code -> label) and the plain data the use cases take from and return to callers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from adoption_desktop.counselling import rules

ENTITY = "counselling_cases"

#: how the application reached us, as the acknowledgement says it (never the code or the list label)
ROUTE_PHRASES: dict[str, str] = {
    "gro_form": "through the General Register Office application form",
    "self": "directly from you",
    "agency": "through {referred_by}",
}
ROUTES: dict[str, str] = {"gro_form": "GRO application form", "self": "Self-referral",
                          "agency": "Another agency"}
CONTACT: dict[str, str] = {"letter": "Letter", "phone": "Phone", "email": "Email"}
HOLDERS: dict[str, str] = {"archive": "Archive", "court": "Court", "agency": "Agency"}
FORMATS: dict[str, str] = {"paper": "Paper", "electronic": "Electronic"}
SESSION_KINDS: dict[str, str] = {"in_person": "In person", "video": "Video", "phone": "Phone"}
#: what became of a session (``rules.HELD``: the only one that is the counselling interview); none recorded:
#: ``rules.session_status`` says "Booked" or "Not recorded"
SESSION_OUTCOMES: dict[str, str] = {"held": "Held", "cancelled": "Cancelled", "did_not_attend": "Did not attend"}
OUTCOMES: dict[str, str] = {
    "records_shared": "Records shared", "no_records_found": "No records found",
    "withdrawn": "Applicant withdrew", "no_contact": "No contact from applicant",
    "transferred": "Transferred to another agency",
    "duplicate": "Opened in error (duplicate)",
}
#: the outcome of a case opened in error (a second case for someone who already had one): it is no referral,
#: closure, wait or adult supported, so the figures and reports leave it out (``counselling.figures``)
OPENED_IN_ERROR = "duplicate"
#: the answer to "adopted before 12 November 1975?" while the adoption order date is not known
BEFORE_1975_ANSWERS: dict[bool | None, str] = {None: "Not known", True: "Yes", False: "No"}
FILTERS = ("open", "waiting", "mine", "closed", "all", "check")


# --- plain data returned to callers ------------------------------------------------------------

@dataclass(frozen=True)
class ReferralInput:
    referral_date: dt.date
    referral_route: str
    birth_name: str
    current_name: str
    date_of_birth: dt.date
    adoption_order_date: dt.date | None  # None: not known (yet)
    referred_by: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    preferred_contact: str = "letter"
    court: str = ""
    arranging_agency: str = ""
    salutation: str = ""  # how the applicant wishes to be addressed; "" = from current_name (core.salutation)
    #: only while the adoption order date is not known: adopted before 12 November 1975 as far as is known
    #: (True: yes, False: no, None: not known). Cleared when a date is given: the date decides.
    adopted_before_1975: bool | None = None


@dataclass(frozen=True)
class RequestInput:
    holder_kind: str
    holder_name: str
    sent_on: dt.date
    their_reference: str = ""
    holder_address: str = ""
    notes: str = ""


@dataclass(frozen=True)
class CaseRow:
    id: int
    reference: str
    name: str
    birth_name: str
    referral_date: dt.date
    adoption_order_date: dt.date | None
    date_of_birth: dt.date
    age: int
    flags: rules.CaseFlags
    counsellor: str
    allocated_on: dt.date | None
    closed_on: dt.date | None
    days_waiting: int
    rank: int | None
    reasons: str
    open_requests: int
    overdue_requests: int
    reasons_short: str = ""
    #: why the adoption order date cannot be right (:func:`~.common.order_date_problem`), "" when it can: a
    #: case saved before the date was checked, listed so it can be found and corrected
    order_date_problem: str = ""

    @property
    def status(self) -> str:
        return rules.case_status(self.allocated_on, self.closed_on)


@dataclass(frozen=True)
class CaseCounts:
    """Counts only: what roles without case access may see."""

    waiting: int
    allocated: int
    closed: int
    open_requests: int
    overdue_requests: int
    longest_wait_days: int | None


@dataclass(frozen=True)
class RequestRow:
    id: int
    holder_kind: str
    holder_name: str
    holder_address: str
    their_reference: str
    sent_on: dt.date
    chase_due: dt.date
    chase_count: int
    last_chased_on: dt.date | None
    received_on: dt.date | None
    record_format: str
    pages: int | None
    notes: str
    overdue: bool
    #: the request's version when read: pass it back to record_chase / remove_request (expected_version)
    row_version: int = 1

    @property
    def status(self) -> str:
        if self.received_on:
            return "Received"
        return "Overdue" if self.overdue else "Awaited"


@dataclass(frozen=True)
class SessionRow:
    id: int
    held_on: dt.date
    start_time: str
    kind: str
    location: str
    counsellor: str
    notes: str
    #: ``SESSION_OUTCOMES`` key, or "" when none is recorded
    outcome: str = ""
    #: what the Sessions tab shows: the outcome, else "Booked" (today or later) or "Not recorded" (past)
    status: str = ""


@dataclass(frozen=True)
class RedactionRow:
    id: int
    item: str
    third_party_reviewed: bool
    redactions_made: str
    reviewed_by: str
    reviewed_on: dt.date


@dataclass(frozen=True)
class DisclosureRow:
    id: int
    disclosed_on: dt.date
    disclosed_by: str
    recipient: str
    what: str
    method: str
    records_shared: bool


@dataclass(frozen=True)
class CaseDetail:
    id: int
    reference: str
    referral: ReferralInput
    flags: rules.CaseFlags
    age: int
    counsellor_id: int | None
    counsellor: str
    allocated_on: dt.date | None
    intermediary_signposted_on: dt.date | None
    acr_checked_on: dt.date | None
    acr_note: str
    veto_checked_on: dt.date | None
    veto_note: str
    closed_on: dt.date | None
    outcome: str
    closure_note: str
    priority_reasons: tuple[str, ...]
    requests: list[RequestRow] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)
    redactions: list[RedactionRow] = field(default_factory=list)
    disclosures: list[DisclosureRow] = field(default_factory=list)
    #: the case's version when read: pass it back to the use cases that change the case
    row_version: int = 1
    #: days records were shared before any counselling session although the interview is required (the
    #: adoption order date entered later showed a pre-1975 adoption): a fact of the case, always shown
    shared_without_interview: tuple[dt.date, ...] = ()
    #: since when the counsellor has had the case: the last hand-over (re-allocation), else ``allocated_on``
    counsellor_since: dt.date | None = None
    #: what the case's header shows in red: records shared before the interview, an order date that cannot
    #: be right (saved before it was checked)
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.referral.current_name

    @property
    def status(self) -> str:
        return rules.case_status(self.allocated_on, self.closed_on)


@dataclass(frozen=True)
class Counsellor:
    id: int
    name: str


@dataclass(frozen=True)
class SameApplicant:
    """A case already on file for the person a new referral names (the same name at birth and date of birth,
    :func:`~adoption_desktop.counselling.service.cases.same_applicant`)."""
    id: int
    reference: str
    birth_name: str
    date_of_birth: dt.date
    closed_on: dt.date | None

    @property
    def status(self) -> str:
        return f"closed {self.closed_on:%d/%m/%Y}" if self.closed_on else "open"


def same_applicant_question(found: list[SameApplicant]) -> str:
    """What the New referral form asks before saving a second case for the same person."""
    first = found[0]
    cases = ", ".join(f"{c.reference} ({c.status})" for c in found)
    return (f"A case for {first.birth_name} born {first.date_of_birth:%d/%m/%Y} already exists: {cases}. "
            "Open that case instead, or create a new one?\n\nNothing has been saved yet. Create a new case only "
            "if this is a new application (for example, the applicant has come back after a closed case).")


@dataclass(frozen=True)
class ClosingProblems:
    """What closing a case on a day leaves behind, to be confirmed first (:func:`closing_problems`):
    records requests not answered (they stay on the file, no longer pursued) and appointments after the
    closing day (cancelled by the closing). Each entry is (id, how the question names it)."""
    requests: tuple[tuple[int, str], ...] = ()
    appointments: tuple[tuple[int, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.requests or self.appointments)

    def question(self) -> str:
        """The question the case window asks, one line per loose end."""
        parts = []
        if self.requests:
            parts.append("Records requests not answered (they stay on the file and are no longer chased):\n"
                         + "\n".join(f"• {text}" for _id, text in self.requests))
        if self.appointments:
            parts.append("Appointments after the closing date (closing cancels them; tell the applicant):\n"
                         + "\n".join(f"• {text}" for _id, text in self.appointments))
        return "\n\n".join(parts)

    def confirmation(self, reference: str, name: str, on: dt.date, outcome: str) -> str:
        """The question asked before every closure (a closed case is a final record): the case, the day,
        the outcome, what closing cancels and leaves."""
        text = (f"Close case {reference} ({name}) on {on:%d/%m/%Y} as \u201c{outcome}\u201d?\n\n"
                "A closed case is a final record: it cannot be changed or reopened afterwards.")
        if not self.appointments:
            text += "\n\nNo appointments are cancelled."
        loose = self.question()
        return f"{text}\n\n{loose}" if loose else text
