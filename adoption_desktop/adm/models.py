"""Tables of the ADM feature: decisions (versioned, immutable once signed), information requests,
qualifying determinations, letters filed against decisions, oral notifications, extra decision types.

Portable SQL only (SQLCipher and PostgreSQL). A signed decision row is never updated or deleted: the rule
registered below with ``core.final_rows`` refuses it even when a caller goes around the services with the ORM,
one object at a time or by an ``update()``/``delete()`` statement.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from adoption_desktop.core.concurrency import Versioned
from adoption_desktop.core.final_rows import NOT_NULL, register_final
from adoption_desktop.core.storage.base import Base, TimestampMixin, keep_reference_key


class AdmDecisionType(TimestampMixin, Base):
    """Decision types without panel added by the administrator (the built-in ones live in rules.py)."""

    __tablename__ = "adm_decision_types"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AdmDecision(Versioned, TimestampMixin, Base):
    """One version of one decision. ``root_id`` groups the versions; ``supersedes_id`` links a
    correction to the version it corrects."""

    __tablename__ = "adm_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    root_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("adm_decisions.id"), nullable=True)
    correction_reason: Mapped[str] = mapped_column(Text, default="")

    decision_type: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(String(20), default="panel")  # panel | direct | qd_final
    state: Mapped[str] = mapped_column(String(20), index=True, default="pending")  # pending|paused|signed

    # hand-off from panel (or what the ADM is asked to decide, for decisions without panel)
    panel_item_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    sitting_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sitting_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    subject_reference: Mapped[str] = mapped_column(String(120), index=True)
    #: ``core.text_input.reference_key(subject_reference)``, kept by ``keep_reference_key`` below: the audit log finds
    #: a case's entries by it (one indexed lookup)
    reference_key: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    subject_initials: Mapped[str] = mapped_column(String(20), default="")
    recommendation: Mapped[str] = mapped_column(String(40), default="")
    recommendation_text: Mapped[str] = mapped_column(Text, default="")
    recommendation_reasons: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    minutes_extract: Mapped[str] = mapped_column(Text, default="")
    member_user_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of user ids
    member_names: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of full names
    #: JSON list of the names of members present who are linked to no user (NULL: not known, e.g. a
    #: decision handed over before members were linked; every name then counts as unlinked)
    unlinked_member_names: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)  # final minutes / papers received
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True, nullable=True)  # None while paused

    # letters: who they go to (synthetic in demo data)
    addressee: Mapped[str] = mapped_column(Text, default="")  # name and address lines
    salutation: Mapped[str] = mapped_column(String(120), default="")
    social_worker: Mapped[str] = mapped_column(String(120), default="")  # child's social worker

    # the decision (a draft while unsigned)
    outcome: Mapped[str] = mapped_column(String(40), default="")  # agree | differ | not_approve
    decision_text: Mapped[str] = mapped_column(Text, default="")
    decision_reasons: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date, index=True, nullable=True)
    signed_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    signed_by_name: Mapped[str] = mapped_column(String(120), default="")
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # why a decision signed past its statutory deadline was late (asked for at signing; in the figures)
    delay_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    qd_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # final decision after a QD


keep_reference_key(AdmDecision, "subject_reference")


class AdmInfoRequest(TimestampMixin, Base):
    """The ADM asked for more information: the clock is paused from ``requested_on`` until
    ``received_on``."""

    __tablename__ = "adm_info_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("adm_decisions.id"), index=True)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    what: Mapped[str] = mapped_column(Text)
    received_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    received_note: Mapped[str] = mapped_column(Text, default="")


class AdmQualifyingDetermination(Versioned, TimestampMixin, Base):
    """Proposal not to approve (AA Regs 2005 reg 27(4)-(10)): notice, 40 working days, representations
    or IRM, final decision."""

    __tablename__ = "adm_qualifying_determinations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("adm_decisions.id"), index=True)
    notice_sent_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    representations_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    representations: Mapped[str] = mapped_column(Text, default="")
    irm_applied_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    irm_recommendation_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    irm_recommendation: Mapped[str] = mapped_column(Text, default="")
    final_decision_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    final_outcome: Mapped[str] = mapped_column(String(40), default="")  # approved | not_approved
    final_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class AdmLetter(TimestampMixin, Base):
    """A letter generated from a decision and filed against it (PDF bytes in the encrypted database)."""

    __tablename__ = "adm_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("adm_decisions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # template name
    letter_date: Mapped[dt.date] = mapped_column(Date, index=True)
    recipient: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    content: Mapped[str] = mapped_column(Text, default="")  # the letter as laid out (JSON), for batches
    sent_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: the template that made it, e.g. "adm_decision v3" ("v0 shipped": the program's own text)
    template_version: Mapped[str] = mapped_column(String(80), default="", server_default="")


class AdmNotification(TimestampMixin, Base):
    """Oral or written notification of a decision to the applicants."""

    __tablename__ = "adm_notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("adm_decisions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # oral | written
    on_date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


SIGNED_IS_FINAL = ("A signed decision cannot be changed. Record a correction instead: it becomes a new "
                   "version with your reason, linked to this one.")


#: a decision signed is final: neither changed nor deleted afterwards, one object at a time through the ORM or by an
#: ``update()``/``delete()`` statement run through a session (``core.final_rows``)
_signed_is_final = register_final(AdmDecision, column="signed_at", final_when=NOT_NULL, message=SIGNED_IS_FINAL)
