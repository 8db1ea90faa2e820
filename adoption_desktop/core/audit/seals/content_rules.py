"""Which audited records become final and when (``CONTENT_RULES``), which columns make up a final
record's content, and whether a row still has the content sealed for it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from adoption_desktop.core.audit.seals.digests import INLINE_DIGEST, content_digest


@dataclass(frozen=True)
class ContentRule:
    """When a row's content is final (``when``) and which columns make up that content."""

    what: str
    when: Callable[[Mapping[str, Any]], bool]
    #: never content: timestamps, and ``row_version`` (the save counter of ``core.concurrency``), which the
    #: flush after an approval's hand-off to the ADM raised past the content seal written by the flush
    #: before it (the row seals still cover it: a change in SQL is reported all the same)
    exclude: frozenset[str] = frozenset({"created_at", "updated_at", "row_version"})
    #: final from the moment the row is written: its first row seal (written with the entry that made the
    #: row, covered by that entry's hash like every seal) is its content seal, so a batch of such rows
    #: costs one audit entry, not one per row. ``verify_record`` checks the row against that first seal.
    first_seal: bool = False
    #: the content seal is a seal record (entity ``<table>#content``) written with the entry that made the
    #: row final, not an entry of its own: for records that become final in numbers (a demo's register)
    inline: bool = False
    #: columns left out of the content of a particular row (a returned item's reason may be reworded until
    #: the returned letter is sent)
    loose: Callable[[Mapping[str, Any]], frozenset[str]] | None = None
    #: columns left out of the content because they are filled in later, each group sealed once on its own
    #: (a seal record, entity ``<table>#<name>``) when its first column is filled in: a filed letter's date
    #: sent, approved minutes' hand-off to the ADM. ``verify`` holds them to that first record.
    set_once: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _returned_reason(row: Mapping[str, Any]) -> frozenset[str]:
    return frozenset({"reason"}) if row.get("status") == "returned" else frozenset()


#: the outcomes after which an item is never changed (``letterbox.service.record_outcome`` refuses another
#: outcome once one is recorded, "held on file" included), and an item marked as logged in error
#: (``letterbox.service.mark_logged_in_error``: it is never worked again, and is not deleted)
FINAL_ITEM_STATUSES = frozenset({"forwarded", "withheld", "returned", "held", "logged in error"})

#: signed decisions, approved minutes, filed letters: final once ``when`` holds
CONTENT_RULES: dict[str, ContentRule] = {
    "adm_decisions": ContentRule("signed decision", lambda r: r.get("signed_at") is not None),
    "panel_minutes": ContentRule("approved minutes", lambda r: r.get("status") == "approved",
                                 frozenset({"created_at", "updated_at", "row_version", "handed_off_on",
                                            "adm_decision_id"}),
                                 set_once={"handoff": ("handed_off_on", "adm_decision_id")}),
    "adm_letters": ContentRule("filed letter", lambda r: True,
                               frozenset({"created_at", "updated_at", "row_version", "sent_on"}),
                               set_once={"sent": ("sent_on",)}),
    "letterbox_letters_sent": ContentRule("letter sent", lambda r: True, first_seal=True),
    # an item's outcome is final (forwarded, withheld, returned): the record of what went out, when, by whom,
    # screened by whom. Who wrote it and how it came in may still be corrected (each a step in its history).
    "letterbox_items": ContentRule(
        "forwarded, withheld, returned or held item", lambda r: r.get("status") in FINAL_ITEM_STATUSES,
        frozenset({"created_at", "updated_at", "row_version", "channel", "participant_id"}), inline=True,
        loose=_returned_reason),
    # a correction note on a letterbox item with an outcome (``letterbox.service.add_correction_note``): a step of
    # the item's history, final when written (the item's own sealed content is untouched); other steps are not
    "letterbox_item_events": ContentRule(
        "correction note", lambda r: r.get("action") == "correction_note", inline=True),
    # a closed case is never changed (``counselling.service.common._open_case_for_edit``); its reference key
    # is derived from its reference (kept by the ORM, rebuilt by an upgrade)
    "counselling_cases": ContentRule(
        "closed case", lambda r: r.get("closed_on") is not None,
        frozenset({"created_at", "updated_at", "row_version", "reference_key"}), inline=True),
    # the disclosure log: what was disclosed to whom, when and how; never changed or removed
    "counselling_disclosures": ContentRule("disclosure", lambda r: True, first_seal=True),
}


def content_columns(table: str, row: Mapping[str, Any]) -> list[str]:
    rule = CONTENT_RULES[table]
    loose = rule.loose(row) if rule.loose is not None else frozenset()
    return sorted(c for c in row if c not in rule.exclude and c not in loose)


def content_matches(table: str, pk: str, columns: Sequence[str], row: Mapping[str, Any], digest: str) -> bool:
    """Whether ``row`` still has the content sealed as ``digest`` over ``columns``. A seal written before
    ``row_version`` was left out of the content (2 December 2026) lists it: such a seal matches when the
    rest agrees and ``row_version`` was any earlier value of the row's counter (it is bookkeeping, which
    a later save raises; the row seals cover it), so ordinary work done then is not reported as tampering."""
    if _same(content_digest(table, pk, columns, row), digest):
        return True
    version = row.get("row_version")
    if "row_version" not in columns or not isinstance(version, int):
        return False
    return any(_same(content_digest(table, pk, columns, {**row, "row_version": v}), digest)
               for v in range(max(0, version - 1000), version))


def _same(full: str, digest: str) -> bool:
    """A content digest against a sealed one: whole (an entry's content seal) or its first 32 hex digits
    (an inline content seal, in a seal record)."""
    return full == digest or (len(digest) == INLINE_DIGEST and full[:INLINE_DIGEST] == digest)
