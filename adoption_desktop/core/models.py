"""Foundation tables besides users and audit: local-practice settings and agency closure days."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from adoption_desktop.core.concurrency import Versioned
from adoption_desktop.core.storage.base import Base, TimestampMixin


class SettingValue(Versioned, TimestampMixin, Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON


class ClosureDay(Base):
    """A day the agency is closed (counts as a non-working day in every clock)."""

    __tablename__ = "closure_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(200), default="")


class Draft(Base):
    """Unsaved text a user was typing, kept (encrypted, like everything here) so a crash loses nothing.

    Not audited: a draft is not a record until the user saves it through a service."""

    __tablename__ = "drafts"
    __audit__ = False

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime)


class TemplateVersion(Base):
    """One saved version of a letter or minutes template (``core.documents.templates``). Never updated:
    an edit, an import or a restore of the shipped text adds a version; the highest one is in use.

    ``text`` holds a letter template, ``content`` a minutes ``.docx``; both empty with ``source`` "shipped"
    means "use the file shipped with the program" (what "restore the shipped version" saves)."""

    __tablename__ = "template_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), index=True)  # e.g. "adm_decision", "minutes"
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # "letter" or "minutes"
    source: Mapped[str] = mapped_column(String(10))  # "edited", "imported" or "shipped"
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(60), default="")

    __table_args__ = (UniqueConstraint("name", "version", name="uq_template_versions_name_version"),)


class AccessReviewRecord(Base):
    """An administrator's record that the access review was done (``core.access_review``): who, when, their
    note, and the accounts as they were reviewed (``listing``, the JSON of the list the reviewer read, so the
    record says what was looked at, not only that something was). Never updated, never deleted: each review
    adds a row, audited and sealed as it is written; ``verify`` names one changed afterwards."""

    __tablename__ = "access_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    reviewer_id: Mapped[int] = mapped_column(Integer)
    #: "Full Name (username)" as signed in: up to 120 + 60 characters and the brackets
    reviewer: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    listing: Mapped[str] = mapped_column(Text, default="")  # JSON: the accounts as reviewed
    digest: Mapped[str] = mapped_column(String(64), default="")  # SHA-256 of ``listing``
