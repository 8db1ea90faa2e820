"""Tamper-evident audit log: every create, update, delete and every view of a case record.

* :mod:`.chain` — the hash chain (``record``, ``verify_chain``; ``append_entry`` for the code that writes
  the log itself: seals, upgrades, ``move-to-server``), entries written in the caller's transaction;
* :mod:`.capture` — automatic entries for every change of an audited table, each row sealed;
* :mod:`.seals` — per-row and content seals, made and written;
* :mod:`.seal_check` — ``verify_record``: the whole record against the log;
* :mod:`.anchors` — the head kept outside the database (beside it, in the per-user data folder, in each
  backup; for a server, the witness of this PC) and the hold on writing when they disagree.
"""

from adoption_desktop.core.audit.capture import add_changes, bulk_audit
from adoption_desktop.core.audit.chain import (
    READ_ONLY_ACTIONS,
    REDACTED,
    VIEW,
    AuditFilter,
    AuditRow,
    ChainProblem,
    anchor_file_for,
    append_entry,
    check_anchor,
    count_entries,
    current_anchor,
    entry_hash,
    query_entries,
    record,
    record_view,
    take_head,
    verify_chain,
)
from adoption_desktop.core.audit.models import GENESIS, AuditColumns, AuditEntry, AuditHead, AuditSeal
from adoption_desktop.core.audit.seal_check import RecordProblem, verify_record
from adoption_desktop.core.audit.seals import seal_baseline, seal_unsealed, seal_written

__all__ = [
    "GENESIS", "READ_ONLY_ACTIONS", "REDACTED", "VIEW", "AuditColumns", "AuditEntry", "AuditFilter", "AuditHead", "AuditRow", "AuditSeal",
    "ChainProblem", "RecordProblem", "add_changes", "anchor_file_for", "append_entry", "bulk_audit", "check_anchor",
    "count_entries", "current_anchor",
    "entry_hash", "query_entries", "record", "record_view", "seal_baseline", "seal_unsealed", "seal_written", "take_head", "verify_chain",
    "verify_record",
]
