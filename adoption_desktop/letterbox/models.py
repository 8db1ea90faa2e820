"""Tables of the letterbox feature: arrangements, participants, protected terms, items (exchanges),
item history, screening findings and letters sent. Portable SQL only (SQLCipher and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from adoption_desktop.core.audit.seals.content_rules import CONTENT_RULES, FINAL_ITEM_STATUSES
from adoption_desktop.core.concurrency import Versioned
from adoption_desktop.core.final_rows import register_final
from adoption_desktop.core.storage.base import RECORD_TIME, Base, TimestampMixin, utcnow


class Arrangement(Versioned, TimestampMixin, Base):
    """One written letterbox agreement for one child. Birth and adoptive names are stored apart."""

    __tablename__ = "letterbox_arrangements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    #: ``core.text_input.reference_key(reference)``: how references are compared for uniqueness (kept in
    #: step with ``reference`` on every ORM insert and update, below)
    reference_key: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
    child_birth_name: Mapped[str] = mapped_column(String(120), default="")
    child_adoptive_name: Mapped[str] = mapped_column(String(120), default="")
    child_dob: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    adopters_name: Mapped[str] = mapped_column(String(160), default="")
    #: how the adopters wish to be addressed ("Mr and Mrs Heronmere"); "" = from ``adopters_name``
    #: (``core.salutation``)
    adopters_salutation: Mapped[str] = mapped_column(String(120), default="", server_default="")
    adopters_address: Mapped[str] = mapped_column(Text, default="")
    may_send: Mapped[str] = mapped_column(String(120), default="letters, cards, photos, drawings")
    frequency: Mapped[int] = mapped_column(Integer, default=1)  # exchanges a year
    exchange_months: Mapped[str] = mapped_column(String(40), default="")  # "3,9"
    first_writer: Mapped[str] = mapped_column(String(12), default="adoptive")  # or "birth"
    replies_expected: Mapped[bool] = mapped_column(Boolean, default=True)
    email_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    review_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)  # active/suspended/ended
    coordinator: Mapped[str] = mapped_column(String(60), default="", index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    last_exchange: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # kept by the service
    #: the kind of contact agreed (``letterbox.contact.CONTACT_KINDS``): letterbox only, or direct contact
    #: (face to face or by video, ``direct_form``) with or without the letterbox, and when direct contact
    #: began and ended
    contact_kind: Mapped[str] = mapped_column(String(24), default="letterbox", server_default="letterbox")
    direct_form: Mapped[str] = mapped_column(String(24), default="", server_default="")
    direct_started_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    direct_ended_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


@event.listens_for(Arrangement, "before_insert")
@event.listens_for(Arrangement, "before_update")
def _keep_reference_key(_mapper: Any, _conn: Any, target: Arrangement) -> None:
    from adoption_desktop.core.text_input import reference_key

    key = reference_key(target.reference or "")
    if target.reference_key != key:
        target.reference_key = key


class Participant(TimestampMixin, Base):
    """A birth relative taking part. No address means items for them are held on file."""

    __tablename__ = "letterbox_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("letterbox_arrangements.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: how they wish to be addressed ("Mrs Heronmere", "Nan"); "" = from ``name`` (``core.salutation``)
    salutation: Mapped[str] = mapped_column(String(120), default="", server_default="")
    relationship: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(Text, default="")  # "" = no current address, hold on file
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ProtectedTerm(Base):
    """Something that must never reach the other side (adoptive surname, new names, school ...)."""

    __tablename__ = "letterbox_protected_terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("letterbox_arrangements.id"), index=True)
    side: Mapped[str] = mapped_column(String(12), default="adoptive")  # whose secret it is
    category: Mapped[str] = mapped_column(String(40), default="other")
    term: Mapped[str] = mapped_column(String(120))


class Item(Versioned, TimestampMixin, Base):
    """One item received for the letterbox (an exchange). Corrections are new items linked back."""

    __tablename__ = "letterbox_items"
    #: the work list reads which months each arrangement received a letter not returned for changes in, for
    #: the look-back only: the first index answers it without reading the table (migrations lbwork_0002,
    #: 0003); the second gives each arrangement's items, and their dates, without it (lbwork_0004: the last
    #: item received by a date, for the figures); the third holds only the items without a findings digest, so
    #: the check at every open whether any waits for the digests' back-fill is one probe (lbseal_0002)
    __table_args__ = (Index("ix_letterbox_items_received_on_arrangement_direction_status", "received_on",
                            "arrangement_id", "direction", "status"),
                      Index("ix_letterbox_items_arrangement_id_received_on", "arrangement_id", "received_on"),
                      Index("ix_letterbox_items_findings_digest_waiting", "id",
                            sqlite_where=text("findings_digest IS NULL"),
                            postgresql_where=text("findings_digest IS NULL")))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("letterbox_arrangements.id"))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("letterbox_participants.id"), nullable=True)
    direction: Mapped[str] = mapped_column(String(20), index=True)  # adoptive_to_birth / birth_to_adoptive
    writer: Mapped[str] = mapped_column(String(120), default="")
    item_type: Mapped[str] = mapped_column(String(12), default="letter")
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    screened_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    screened_by: Mapped[str] = mapped_column(String(60), default="")
    checked_by: Mapped[str] = mapped_column(String(60), default="")  # second checker
    outcome_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    method: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    social_worker_informed: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text, default="")  # transcription screened
    notes: Mapped[str] = mapped_column(Text, default="")
    previous_item_id: Mapped[int | None] = mapped_column(ForeignKey("letterbox_items.id"), nullable=True)
    #: how the item came in (``letterbox.contact.CHANNELS``): post, secure e-mail, the digital letterbox
    channel: Mapped[str] = mapped_column(String(12), default="post", server_default="post", index=True)
    #: a SHA-256 over the item's screening findings as the program last saved them
    #: (``letterbox.findings_digest``), written in the same transaction as any change to them: the item's seal
    #: vouches for it, so the check before an outcome reads this item's findings only. NULL: an item saved
    #: before it was kept (migration lbseal_0001), or made in bulk with no findings (the demo's register),
    #: checked against every finding's seal as before (until it is screened)
    findings_digest: Mapped[str | None] = mapped_column(String(64), nullable=True, default=None)


ITEM_IS_FINAL = ("This letterbox item has an outcome (forwarded, withheld, returned or held on file) or was marked as "
                 "logged in error: it is final and is not changed or deleted. Add a correction note to the item "
                 "instead (Put a mistake right… → Add correction note…). Nothing was saved.")

_ITEM_RULE = CONTENT_RULES["letterbox_items"]


def _item_still_free(row: Mapping[str, Any], conn: Connection) -> frozenset[str]:
    """What a final item may still change beyond ``_ITEM_RULE.exclude``: a returned item's reason, until its
    returned letter is recorded as sent (a sent-list row for it, in a batch not voided as not posted, as
    ``reword_return_reason`` asks): the writer then has the letter with that reason, and it is the record."""
    loose = _ITEM_RULE.loose(row) if _ITEM_RULE.loose is not None else frozenset()
    if "reason" in loose and row.get("id") is not None:
        from adoption_desktop.letterbox.sent_list import not_voided

        sent = conn.scalar(select(LetterSent.id).where(LetterSent.item_id == row["id"],
                                                       LetterSent.kind == "returned", not_voided()).limit(1))
        if sent is not None:
            return loose - {"reason"}
    return loose


#: an item with an outcome, or logged in error, is final (its content sealed: ``CONTENT_RULES``): neither
#: changed nor deleted afterwards, one object at a time through the ORM or by an ``update()``/``delete()``
#: statement run through a session (``core.final_rows``), but for what its content seal leaves out: how it
#: came in and who wrote it (``set_item_channel``, ``set_item_writer``), a returned item's reason until its
#: returned letter is recorded as sent (``reword_return_reason``), and the row's times and version
_item_is_final = register_final(Item, column="status", final_when=FINAL_ITEM_STATUSES, message=ITEM_IS_FINAL,
                                free=_ITEM_RULE.exclude,
                                free_when=_item_still_free)


class ItemEvent(Base):
    """The item's visible history (each step is also in the audit log)."""

    __tablename__ = "letterbox_item_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("letterbox_items.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, info={RECORD_TIME: "created"})
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="")


class Finding(Base):
    """A screening finding and the coordinator's decision on it (acceptable / remove)."""

    __tablename__ = "letterbox_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("letterbox_items.id"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(12), default="remove")  # or "acceptable"


class LetterSent(Base):
    """What was sent to whom and when (the sent-list against each arrangement)."""

    __tablename__ = "letterbox_letters_sent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("letterbox_arrangements.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    side: Mapped[str] = mapped_column(String(12))
    sent_on: Mapped[dt.date] = mapped_column(Date, index=True)
    batch: Mapped[str] = mapped_column(String(40), default="")
    #: the template that made it, e.g. "letterbox_reminder v2" (see core.documents.templates)
    template_version: Mapped[str] = mapped_column(String(80), default="", server_default="")
    #: the item a letter about one item was about (acknowledgement, returned for changes); None for the
    #: others and for rows written before this was recorded (migration lbsent_0001)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("letterbox_items.id"), nullable=True, index=True)
    #: the birth relative it went to; None for a letter to the adopters (one family, no participant) and for
    #: rows written before this was recorded. Kept here because an item's writer may be corrected later
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("letterbox_participants.id"), nullable=True)


class MissedExchange(Base):
    """An expected exchange the coordinator has marked as missed (the writer will not write this time): it
    leaves the work list without an item. Removed again by undo (the mark and its removal are audited)."""

    __tablename__ = "letterbox_missed_exchanges"
    __table_args__ = (UniqueConstraint("arrangement_id", "due", "side"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("letterbox_arrangements.id"), index=True)
    due: Mapped[dt.date] = mapped_column(Date, index=True)
    side: Mapped[str] = mapped_column(String(12))  # the side that was to write
    marked_by: Mapped[str] = mapped_column(String(60))
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, info={RECORD_TIME: "created"})
    note: Mapped[str] = mapped_column(Text, default="")


class PatternChange(Base):
    """A change of an agreement's exchange pattern (its months, who writes first, whether replies are
    expected) on an existing arrangement, effective from ``effective_from``: the pattern before it (what the
    work list expects up to the day before) and after it. The arrangement's own columns hold the pattern now;
    an arrangement whose pattern never changed has no row (``rules.PatternChange``). Written by the service
    in the same transaction as the arrangement's new version."""

    __tablename__ = "letterbox_pattern_changes"
    __table_args__ = (UniqueConstraint("arrangement_id", "effective_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("letterbox_arrangements.id"), index=True)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    months_before: Mapped[str] = mapped_column(String(40), default="")  # "3"
    first_writer_before: Mapped[str] = mapped_column(String(12), default="adoptive")
    replies_expected_before: Mapped[bool] = mapped_column(Boolean, default=True)
    months: Mapped[str] = mapped_column(String(40), default="")  # "3,9"
    first_writer: Mapped[str] = mapped_column(String(12), default="adoptive")
    replies_expected: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, info={RECORD_TIME: "created"})
