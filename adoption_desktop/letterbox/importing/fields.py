"""The fields an imported register can fill, and the guess of which column holds which field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str = "text"  # text / date / bool / months
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int = 2000  # the column's width in the database (text fields)
    multiline: bool = False  # addresses, notes and term lists keep their line breaks
    date_kind: str = "event"  # core.text_input.DATE_RANGES key (date fields)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("reference", "Reference", required=True, max_length=40,
              aliases=("ref", "case ref", "child ref", "agency reference", "case reference", "id")),
    FieldSpec("child_birth_name", "Child's birth name", max_length=120,
              aliases=("birth name", "child birth name", "child name")),
    FieldSpec("child_adoptive_name", "Child's adoptive name", max_length=120,
              aliases=("adoptive name", "new name", "child adoptive name")),
    FieldSpec("child_dob", "Child's date of birth", "date", date_kind="birth",
              aliases=("dob", "date of birth", "child dob")),
    FieldSpec("adopters_name", "Adopters", max_length=160, aliases=("adopters", "adoptive parents", "adopter names")),
    FieldSpec("adopters_address", "Adopters' address", multiline=True,
              aliases=("adopters address", "adoptive address")),
    FieldSpec("relative_name", "Birth relative", max_length=120,
              aliases=("birth relative", "relative", "birth family member", "relative name")),
    FieldSpec("relationship", "Relationship", max_length=60, aliases=("relation", "relationship to child")),
    FieldSpec("relative_address", "Birth relative's address", multiline=True,
              aliases=("birth address", "relative address", "birth relative address")),
    FieldSpec("exchange_months", "Exchange months", "months",
              aliases=("months", "exchange month", "month(s)", "exchange")),
    FieldSpec("first_writer", "Who writes first", max_length=40, aliases=("first writer", "writes first")),
    FieldSpec("replies_expected", "Replies expected", "bool", aliases=("reply", "replies")),
    FieldSpec("email_allowed", "Email allowed", "bool", aliases=("email", "email exchange")),
    FieldSpec("start_date", "Start date", "date", date_kind="event", aliases=("start", "agreement date")),
    FieldSpec("review_date", "Review date", "date", date_kind="schedule", aliases=("review",)),
    FieldSpec("status", "Status", max_length=40, aliases=("state",)),
    FieldSpec("coordinator", "Coordinator", max_length=60, aliases=("worker", "social worker", "coordinator")),
    FieldSpec("protected_terms", "Protected terms", multiline=True,
              aliases=("protected", "do not disclose", "protected terms")),
    FieldSpec("birth_protected_terms", "Birth side's protected terms", multiline=True,
              aliases=("birth protected terms", "birth side protected terms", "protected terms birth side",
                       "birth do not disclose")),
    FieldSpec("notes", "Notes", multiline=True, aliases=("note", "comments")),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9()]+", " ", header.lower()).strip()


def guess_mapping(headers: Sequence[str]) -> dict[str, int]:
    """Field key -> column index, by header label, key or alias (case and punctuation ignored)."""
    out: dict[str, int] = {}
    normalised = [_norm(h) for h in headers]
    for spec in FIELDS:
        names = {_norm(spec.label), _norm(spec.key), *(_norm(a) for a in spec.aliases)}
        for i, h in enumerate(normalised):
            if h in names and i not in out.values():
                out[spec.key] = i
                break
    return out


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as the spreadsheet shows it)."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out
