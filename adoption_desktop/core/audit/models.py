"""The audit tables: the hash-chained log, its head, the per-row seals and their column lists.

``audit_log``, ``audit_seal`` and ``audit_columns`` are append-only: the application never updates or
deletes a row of them (in team mode a trigger and the grants made by ``team-setup`` enforce it).
``audit_head`` is the one row the application updates (it serialises writers); its sequence number may
only grow.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from adoption_desktop.core.storage.base import Base

GENESIS = "0" * 64

#: the tables a team's application role may only append to (see core/storage/team_setup.py)
APPEND_ONLY_TABLES = ("audit_log", "audit_seal", "audit_columns")


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __audit__ = False
    #: one record's entries (Who has seen this record, the viewer's Case reference): the single-column
    #: indexes made SQLite read every entry of the table named (all letterbox items' views) to find one item's
    __table_args__ = (Index("ix_audit_log_entity_record", "entity", "entity_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))  # ISO-8601 UTC, part of the hashed content
    actor_id: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str] = mapped_column(String(80), index=True)
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    changes: Mapped[str] = mapped_column(Text, default="")  # JSON {field: [old, new]}
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: digest of the seal rows written with this entry (or, for action ``seal``, of the sealed content);
    #: part of the hashed content when not empty
    seal: Mapped[str] = mapped_column(String(64), default="", server_default="")


class AuditHead(Base):
    __tablename__ = "audit_head"
    __audit__ = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditSeal(Base):
    """What one row of an audited table looked like after the entry ``seq`` changed it.

    ``digest`` is a SHA-256 (128 bits kept) over the table, the row's key and every column's value;
    ``-`` marks a deleted row. ``fields`` holds a 16-bit checksum per column (in the order of the column
    list ``columns``) only to *name* the field that differs; detection rests on ``digest``."""

    __tablename__ = "audit_seal"
    __audit__ = False
    __table_args__ = (Index("ix_audit_seal_entity_row", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    entity: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str] = mapped_column(String(64))
    columns: Mapped[str] = mapped_column(String(16), default="")
    digest: Mapped[str] = mapped_column(String(32))
    fields: Mapped[str] = mapped_column(Text, default="")


class AuditColumns(Base):
    """A column list used by seals (tables gain columns over time: each seal says which it covers)."""

    __tablename__ = "audit_columns"
    __audit__ = False

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    columns: Mapped[str] = mapped_column(Text)
