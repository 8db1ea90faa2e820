"""Tables of the panel feature: central list, sittings, agenda items, papers, attendance, declarations,
members not present for an item, minutes (versioned: approved minutes are never updated in place)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from adoption_desktop.core.concurrency import Versioned
from adoption_desktop.core.final_rows import register_final
from adoption_desktop.core.storage.base import Base, TimestampMixin, keep_reference_key


class PanelMember(Versioned, TimestampMixin, Base):
    """A person on the central list (members and advisers; ``role_type`` says which)."""

    __tablename__ = "panel_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role_type: Mapped[str] = mapped_column(String(30))
    pqe_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    independent: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_on: Mapped[dt.date] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    notice_given_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    leaves_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    leaving_kind: Mapped[str] = mapped_column(String(20), default="")  # "" / "left" / "removed"
    leaving_reason: Mapped[str] = mapped_column(Text, default="")
    appraisal_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    dbs_checked_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    training_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: optional profile for the panel make-up figures (codes of ``panel.profile``; "" = not recorded)
    gender: Mapped[str] = mapped_column(String(20), default="", server_default="")
    ethnicity: Mapped[str] = mapped_column(String(40), default="", server_default="")


class PanelAppraisal(TimestampMixin, Base):
    """An annual appraisal (review) of a central-list member held on ``done_on``; ``due_on`` is the
    appraisal due date it met (the member's ``appraisal_due`` when it was recorded; NMS 2014 17.3)."""

    __tablename__ = "panel_appraisals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_members.id"), index=True)
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    done_on: Mapped[dt.date] = mapped_column(Date)


class PanelSitting(Versioned, TimestampMixin, Base):
    __tablename__ = "panel_sittings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sitting_date: Mapped[dt.date] = mapped_column(Date, index=True)
    start_time: Mapped[str] = mapped_column(String(5), default="10:00")
    end_time: Mapped[str] = mapped_column(String(5), default="13:00")
    venue: Mapped[str] = mapped_column(String(200), default="")
    virtual_link: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="scheduled")  # scheduled / cancelled
    status_reason: Mapped[str] = mapped_column(Text, default="")
    moved_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    series: Mapped[str] = mapped_column(String(40), default="")


class PanelItem(Versioned, TimestampMixin, Base):
    __tablename__ = "panel_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("panel_sittings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    case_type: Mapped[str] = mapped_column(String(30))
    subject_reference: Mapped[str] = mapped_column(String(120), default="")
    #: ``core.text_input.reference_key(subject_reference)``, kept by ``keep_reference_key`` below: the audit log finds
    #: a case's entries by it (one indexed lookup)
    reference_key: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    subject_initials: Mapped[str] = mapped_column(String(30), default="")
    presenting_worker: Mapped[str] = mapped_column(String(120), default="")
    time_slot: Mapped[str] = mapped_column(String(20), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    deferred_from_id: Mapped[int | None] = mapped_column(ForeignKey("panel_items.id"), nullable=True)


keep_reference_key(PanelItem, "subject_reference")


class PanelPaper(Base):
    __tablename__ = "panel_papers"
    __table_args__ = (UniqueConstraint("item_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("panel_items.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    received_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class PanelAttendance(Base):
    __tablename__ = "panel_attendance"
    __table_args__ = (UniqueConstraint("sitting_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("panel_sittings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_members.id"))
    status: Mapped[str] = mapped_column(String(20))  # present / apologies / absent


class PanelDeclaration(TimestampMixin, Base):
    __tablename__ = "panel_declarations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("panel_items.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_members.id"))
    interest: Mapped[str] = mapped_column(Text)
    withdrew: Mapped[bool] = mapped_column(Boolean, default=True)


class PanelItemAbsence(TimestampMixin, Base):
    """A member marked present at the sitting who was not in the room for one item (arrived after it, left
    before it, or left during it before the panel gave its views): not counted in that item's quorum, vote
    or views (AAR 2005 reg 3: a recommendation is made only when the quorum meet as the panel for it).
    ``reason``: a code of ``panel.rules.ABSENCE_REASONS``."""

    __tablename__ = "panel_item_absences"
    __table_args__ = (UniqueConstraint("item_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("panel_items.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_members.id"))
    reason: Mapped[str] = mapped_column(String(30))


class PanelMinutes(Versioned, TimestampMixin, Base):
    """One version of an item's minutes and recommendation. Approved versions are locked; a correction
    is a new version (``supersedes_id``) with a ``correction_reason``."""

    __tablename__ = "panel_minutes"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("panel_items.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft / submitted / approved
    outcome: Mapped[str] = mapped_column(String(40), default="")
    recommendation_text: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[str] = mapped_column(Text, default="")
    discussion: Mapped[str] = mapped_column(Text, default="")
    member_views: Mapped[str] = mapped_column(Text, default="{}")  # JSON {member_id: view}
    vote: Mapped[str] = mapped_column(String(20), default="")
    votes_for: Mapped[int | None] = mapped_column(Integer, nullable=True)
    votes_against: Mapped[int | None] = mapped_column(Integer, nullable=True)
    advice_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    advice_age_range: Mapped[str] = mapped_column(String(60), default="")
    advice_sex: Mapped[str] = mapped_column(String(60), default="")
    advice_needs: Mapped[str] = mapped_column(Text, default="")
    deferral_reason: Mapped[str] = mapped_column(Text, default="")
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("panel_minutes.id"), nullable=True)
    quorum_statement: Mapped[str] = mapped_column(Text, default="")
    submitted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    approved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    approved_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_by_name: Mapped[str] = mapped_column(String(120), default="")
    handed_off_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    adm_decision_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


#: set once, in the approving transaction, after the hand-off to the ADM
_HANDOFF_FIELDS = frozenset({"handed_off_on", "adm_decision_id", "updated_at"})


APPROVED_IS_LOCKED = "These minutes are approved and locked; record a correction as a new version with a reason."

#: Signed is final: an approved version can be neither changed nor deleted, whatever the caller (one object at a
#: time through the ORM, or an ``update()``/``delete()`` statement run through a session: ``core.final_rows``),
#: but for the hand-off fields, filled in once while empty
_approved_minutes_are_locked = register_final(PanelMinutes, column="status", final_when="approved",
                                              message=APPROVED_IS_LOCKED, set_once=_HANDOFF_FIELDS)
