"""What this program wrote to the audit log in the current transaction of this thread (``Database.session``
watches it): the last entry appended, and whether a record became final (a content seal, a seal record of a
final record). At the commit the database remembers the entry (``Database.last_written``: the anchors are
never moved on to a log without it) and, when a record became final, the anchors move on at once
(``anchors.after_final``). No imports from the project: the audit chain and the engine both use it."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass
class Written:
    #: the last entry appended in this transaction: (sequence number, hash)
    last: tuple[int, str] | None = None
    #: a final record (``seals.CONTENT_RULES``) was written, signed, approved, given its outcome or closed
    final: bool = False


_WRITTEN: contextvars.ContextVar[Written | None] = contextvars.ContextVar("audit_written", default=None)


def watch() -> tuple[Written, contextvars.Token[Written | None]]:
    """Begin watching this thread's transaction (a session's own; a nested one watches its own)."""
    written = Written()
    return written, _WRITTEN.set(written)


def stop(token: contextvars.Token[Written | None]) -> None:
    _WRITTEN.reset(token)


def appended(seq: int, digest: str) -> None:
    """An audit entry was appended (``chain.append_entry``)."""
    written = _WRITTEN.get()
    if written is not None:
        written.last = (seq, digest)


def final_record() -> None:
    """A final record was sealed in this transaction (``seals``)."""
    written = _WRITTEN.get()
    if written is not None:
        written.final = True
