"""The letterbox services' plain data: the frozen dataclasses the use cases take and return (inputs, rows,
details, filters), never ORM objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from adoption_desktop.letterbox import rules


# --- plain data ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParticipantData:
    name: str
    relationship: str = ""
    address: str = ""  # "" = no current address: items are held on file
    id: int | None = None
    salutation: str = ""  # how they wish to be addressed; "" = from the name (core.salutation)


@dataclass(frozen=True)
class TermData:
    term: str
    category: str = "other"
    side: str = rules.ADOPTIVE


@dataclass(frozen=True)
class ArrangementInput:
    reference: str
    child_birth_name: str = ""
    child_adoptive_name: str = ""
    child_dob: dt.date | None = None
    adopters_name: str = ""
    adopters_address: str = ""
    may_send: str = "letters, cards, photos, drawings"
    frequency: int = 1
    exchange_months: str = ""
    first_writer: str = rules.ADOPTIVE
    replies_expected: bool = True
    email_allowed: bool = False
    start_date: dt.date | None = None
    review_date: dt.date | None = None
    status: str = "active"
    coordinator: str = ""
    notes: str = ""
    participants: tuple[ParticipantData, ...] = ()
    protected: tuple[TermData, ...] = ()
    adopters_salutation: str = ""  # how the adopters wish to be addressed; "" = from adopters_name
    contact_kind: str = "letterbox"  # letterbox.contact.CONTACT_KINDS
    direct_form: str = ""  # letterbox.contact.DIRECT_FORMS
    direct_started_on: dt.date | None = None
    direct_ended_on: dt.date | None = None


@dataclass(frozen=True)
class ArrangementRow:
    id: int
    reference: str
    child_birth_name: str
    child_adoptive_name: str
    exchange_months: str
    status: str
    coordinator: str
    last_exchange: dt.date | None
    review_date: dt.date | None


@dataclass(frozen=True)
class SentRow:
    kind: str
    side: str
    sent_on: dt.date
    batch: str
    #: "" or, for a batch voided as not posted, "voided: not posted — reason (who, when)"
    voided: str = ""


@dataclass(frozen=True)
class ArrangementDetail:
    data: ArrangementInput
    id: int
    status: str  # computed
    ends_on: dt.date | None
    sent: tuple[SentRow, ...] = ()
    #: the version read: pass it back to :func:`update_arrangement`
    row_version: int = 1
    #: its exchange pattern's history, earliest first (none when it never changed)
    pattern_changes: tuple[rules.PatternChange, ...] = ()


@dataclass(frozen=True)
class ItemRow:
    id: int
    reference: str
    received_on: dt.date
    direction: str
    writer: str
    item_type: str
    status: str
    outcome_on: dt.date | None
    coordinator: str


@dataclass(frozen=True)
class FindingRow:
    id: int
    start: int
    end: int
    kind: str
    text: str
    decision: str
    #: why it was flagged ("names the adoptive family: the protected term 'Ashby'"); "" when not known (the
    #: arrangement's terms changed since it was screened)
    reason: str = ""


@dataclass(frozen=True)
class EventRow:
    at: dt.datetime
    actor: str  # the login recorded
    action: str  # the step's code (``rules.STEP_LABELS`` has it in words)
    detail: str
    who: str = ""  # the full name on that login's user record (the login when there is none)


@dataclass(frozen=True)
class ItemLetterRow:
    """A letter sent about an item, from the sent-list: which kind, when, and to whom (as recorded when it
    was sent, whoever is recorded as the item's writer now)."""
    kind: str  # letterbox.documents.KINDS: acknowledgement, returned
    sent_on: dt.date
    recipient: str  # the birth relative's name, or the adopters'
    batch: str
    #: "" or, for a batch voided as printed by mistake and not posted (listed, not counted as sent), what
    #: the arrangement window says of it: "voided: not posted — reason (who, when)"
    voided: str = ""


@dataclass(frozen=True)
class ItemDetail:
    id: int
    arrangement_id: int
    reference: str
    direction: str
    writer: str
    item_type: str
    received_on: dt.date
    status: str
    text: str
    screened_by: str
    checked_by: str
    outcome_on: dt.date | None
    method: str
    reason: str
    previous_item_id: int | None
    findings: tuple[FindingRow, ...] = ()
    history: tuple[EventRow, ...] = ()
    notes: str = ""
    social_worker_informed: bool = False
    row_version: int = 1
    channel: str = "post"  # letterbox.contact.CHANNELS
    participant_id: int | None = None  # the birth relative who wrote it (None: the adopters, or not recorded)
    letters: tuple[ItemLetterRow, ...] = ()  # the letters sent about it, oldest first
    #: what is wrong with an item with an outcome (final) that is not as the application left it: changed
    #: outside the application ("" when it is as sealed, or has no outcome yet)
    seal_problem: str = ""


@dataclass(frozen=True)
class WriterChoice:
    """A birth relative who may have written an item (the item window's From (writer))."""
    id: int
    name: str
    relationship: str
    active: bool

    @property
    def label(self) -> str:
        return f"{self.name} ({self.relationship})" if self.relationship else self.name


@dataclass(frozen=True)
class ItemFilter:
    query: str = ""
    status: str = ""
    direction: str = ""
    month: str = ""  # YYYY-MM (received)
    coordinator: str = ""
    arrangement_id: int | None = None
    open_only: bool = False  # received or screened, no outcome yet
    sort: str = "received_on"
    descending: bool = True


@dataclass(frozen=True)
class ArrangementFilter:
    query: str = ""
    status: str = ""  # stored status or "inactive"/"overdue"
    month: int = 0  # exchange month
    coordinator: str = ""
    sort: str = "reference"
    descending: bool = False


@dataclass(frozen=True)
class WorkRow:
    arrangement_id: int
    reference: str
    due: dt.date
    side: str
    state: str
    reminder_on: dt.date
    chase_on: dt.date
    coordinator: str
    overdue_for: str = ""  # how long an overdue exchange has been overdue ("3 months"); "" when not overdue
    first: bool = True  # the exchange's first letter (False: the reply to the other side's letter a month before)


@dataclass(frozen=True)
class ScreeningResult:
    findings: tuple[FindingRow, ...]
    protected: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class LoggedAlready:
    """An item already logged (``service.already_logged``): which, when (naive UTC) and by whom (full name)."""

    item_id: int
    logged_at: dt.datetime
    logged_by: str
