"""Foundation tables besides users and audit: local-practice settings and agency closure days."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String, Text
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
