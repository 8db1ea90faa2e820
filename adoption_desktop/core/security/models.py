"""User accounts (disabled, never deleted) and their roles."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from adoption_desktop.core.concurrency import Versioned
from adoption_desktop.core.storage.base import Base, TimestampMixin


class User(Versioned, TimestampMixin, Base):
    __tablename__ = "users"
    __audit_redact__ = frozenset({"password_hash"})  # a hash in an exportable log could be cracked offline

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    #: printed under the name where this user signs a letter ("Agency decision maker")
    job_title: Mapped[str] = mapped_column(String(120), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_login: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    #: raised when an administrator sets the password: a session signed in before it is refused at its next
    #: step (``Principal.password_serial`` is the value at sign-in)
    password_serial: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the password was set by an administrator (a new account, a reset): the user chooses their own at the
    #: next sign-in, before anything else
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    user: Mapped[User] = relationship(back_populates="roles")
