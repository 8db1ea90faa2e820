"""Tables of birth-records counselling: cases, records requests, sessions, redaction checks, disclosures.

Portable types only (SQLCipher and PostgreSQL). Every change is audited by the foundation's
``after_flush`` hook; opening a case and every disclosure add their own audit entries.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from adoption_desktop.core.concurrency import Versioned
from adoption_desktop.core.storage.base import Base, TimestampMixin, keep_reference_key


class CounsellingCase(Versioned, TimestampMixin, Base):
    __tablename__ = "counselling_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    #: ``core.text_input.reference_key(reference)``, kept by ``keep_reference_key`` below: the audit log finds
    #: a case's entries by it (one indexed lookup)
    reference_key: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    # referral
    referral_date: Mapped[dt.date] = mapped_column(Date, index=True)
    referral_route: Mapped[str] = mapped_column(String(20))  # gro_form, self, agency
    referred_by: Mapped[str] = mapped_column(String(200), default="")
    # applicant
    birth_name: Mapped[str] = mapped_column(String(120))
    current_name: Mapped[str] = mapped_column(String(120))
    #: how they wish to be addressed ("Mr Heronmere"); "" = from ``current_name`` (``core.salutation``)
    salutation: Mapped[str] = mapped_column(String(120), default="", server_default="")
    #: indexed: a new referral looks for a case of the same person by it (``service.same_applicant``)
    date_of_birth: Mapped[dt.date] = mapped_column(Date, index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    preferred_contact: Mapped[str] = mapped_column(String(20), default="letter")  # letter, phone, email
    # adoption
    #: None: not known yet (older adopted adults often learn it later, from the court or the records)
    adoption_order_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: only while the date is not known: adopted before 12 November 1975 as far as is known (True: yes,
    #: False: no, None: not known); None whenever the date is known (the date decides)
    adopted_before_1975: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    court: Mapped[str] = mapped_column(String(200), default="")
    arranging_agency: Mapped[str] = mapped_column(String(200), default="")
    # work
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    allocated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    intermediary_signposted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    acr_checked_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    acr_note: Mapped[str] = mapped_column(Text, default="")
    veto_checked_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    veto_note: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    outcome: Mapped[str] = mapped_column(String(40), default="")
    closure_note: Mapped[str] = mapped_column(Text, default="")


keep_reference_key(CounsellingCase, "reference")


class RecordsRequest(Versioned, TimestampMixin, Base):
    __tablename__ = "counselling_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("counselling_cases.id"), index=True)
    holder_kind: Mapped[str] = mapped_column(String(20))  # archive, court, agency
    holder_name: Mapped[str] = mapped_column(String(200))
    holder_address: Mapped[str] = mapped_column(Text, default="")
    their_reference: Mapped[str] = mapped_column(String(80), default="")
    sent_on: Mapped[dt.date] = mapped_column(Date)
    chase_due: Mapped[dt.date] = mapped_column(Date, index=True)
    chase_count: Mapped[int] = mapped_column(Integer, default=0)
    last_chased_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    received_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    record_format: Mapped[str] = mapped_column(String(20), default="")  # paper, electronic
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")


class RecordsChase(Base):
    """One chase of a records request: the day the chaser was sent, the chase date it replaced and the one it
    set. What was known on a past day is read from it (``outstanding.overdue_on``): the chase date in force then
    is the one the first chase after that day replaced. Chases recorded before December 2026 have no row."""

    __tablename__ = "counselling_chases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("counselling_requests.id"), index=True)
    chased_on: Mapped[dt.date] = mapped_column(Date)
    due_before: Mapped[dt.date] = mapped_column(Date)
    due_after: Mapped[dt.date] = mapped_column(Date)


class CounsellingSession(TimestampMixin, Base):
    __tablename__ = "counselling_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("counselling_cases.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    start_time: Mapped[str] = mapped_column(String(5), default="")  # HH:MM
    kind: Mapped[str] = mapped_column(String(20))  # in_person, video, phone
    location: Mapped[str] = mapped_column(String(200), default="")
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: held, cancelled, did_not_attend (``service.SESSION_OUTCOMES``); None: not recorded yet (an appointment,
    #: or a past session no one has marked). Only ``held`` is the counselling interview (migration
    #: ``counselling_0003_session_outcome``: sessions on file then, dated on or before its day, were marked held)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)


class RedactionCheck(TimestampMixin, Base):
    """A document reviewed for third-party information before anything is shared."""

    __tablename__ = "counselling_redactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("counselling_cases.id"), index=True)
    item: Mapped[str] = mapped_column(String(200))
    third_party_reviewed: Mapped[bool] = mapped_column(Boolean, default=True)
    redactions_made: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_on: Mapped[dt.date] = mapped_column(Date)


class Disclosure(TimestampMixin, Base):
    """Every disclosure of information: who disclosed what to whom, when and how."""

    __tablename__ = "counselling_disclosures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("counselling_cases.id"), index=True)
    disclosed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    disclosed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recipient: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(40))  # in person, post, secure email, letter…
    records_shared: Mapped[bool] = mapped_column(Boolean, default=False)
