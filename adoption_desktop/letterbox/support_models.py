"""The register of birth-parent support referrals: a birth parent (or other birth relative) referred to an
independent support service, when support was offered, whether it was taken up or declined, and when the
referral was closed. Initials and a case reference only, never a name. Portable SQL; audited and versioned
like every editable table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from adoption_desktop.core.concurrency import Versioned
from adoption_desktop.core.storage.base import Base, TimestampMixin


class SupportReferral(Versioned, TimestampMixin, Base):
    __tablename__ = "letterbox_support_referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_reference: Mapped[str] = mapped_column(String(40), index=True)
    initials: Mapped[str] = mapped_column(String(20), default="")
    relationship: Mapped[str] = mapped_column(String(60), default="")  # birth mother, birth father, grandparent …
    referred_on: Mapped[dt.date] = mapped_column(Date, index=True)
    service: Mapped[str] = mapped_column(String(160), default="")  # the independent support service
    offered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    response: Mapped[str] = mapped_column(String(12), default="")  # "" | taken_up | declined
    response_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
