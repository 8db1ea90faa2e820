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
    #: choice fields: the stored value and the words a register may write for it (case and punctuation ignored)
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()


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
    # the kind of contact (letterbox.contact): an empty cell leaves an arrangement's kind as it is
    FieldSpec("contact_kind", "Kind of contact", "choice",
              aliases=("contact kind", "contact type", "type of contact", "contact"),
              choices=(("letterbox", ("letterbox", "letterbox only", "letterbox only (indirect contact)", "indirect",
                                      "indirect contact", "indirect only")),
                       ("direct_and_letterbox", ("direct contact and letterbox", "direct and letterbox",
                                                 "letterbox and direct", "letterbox and direct contact", "both")),
                       ("direct", ("direct contact only", "direct only", "direct", "direct contact")))),
    FieldSpec("direct_form", "Direct contact form", "choice",
              aliases=("direct contact form", "form of direct contact", "direct form", "direct contact type"),
              choices=(("face_to_face", ("face to face", "in person", "face to face contact")),
                       ("video", ("video call", "video", "video calls")),
                       ("both", ("face to face and video", "video and face to face", "both")))),
    FieldSpec("direct_started_on", "Direct contact began", "date", date_kind="event",
              aliases=("direct contact began", "direct contact start", "direct contact from", "direct start")),
    FieldSpec("direct_ended_on", "Direct contact ended", "date", date_kind="event",
              aliases=("direct contact ended", "direct contact end", "direct contact to", "direct end")),
)
#: the columns of the kind of contact, checked together (letterbox.contact.contact_problems)
CONTACT_KEYS = ("contact_kind", "direct_form", "direct_started_on", "direct_ended_on")
FIELD_BY_KEY = {f.key: f for f in FIELDS}


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9()]+", " ", header.lower()).strip()


def choice_value(spec: FieldSpec, text: str) -> str:
    """The stored value a register's word stands for (``ValueError`` naming the words it may use)."""
    word = _norm(text)
    for value, words in spec.choices:
        if word == _norm(value) or word in {_norm(w) for w in words}:
            return value
    raise ValueError(f"{text.strip()!r} is not one of: {'; '.join(words[0] for _, words in spec.choices)}")


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
