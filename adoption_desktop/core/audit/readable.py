"""The audit log as a person reads it: actions, records and changes in words (no Qt).

The log itself keeps its codes (``sign_in``, ``adm_qualifying_determinations``, JSON changes): they are the
evidence, exported as they are and hashed into the chain. The administrator's viewer shows these words
instead (a trial's administrator read ``bulk_update adm_letters *`` and ``{"disabled": false, …}`` and asked
what they meant), keeps the code in each cell's tooltip, and its filters take either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

#: actions whose words are not just the code with spaces
ACTIONS: dict[str, str] = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "bulk_create": "Created in bulk",
    "bulk_update": "Changed in bulk",
    "bulk_delete": "Deleted in bulk",
    "view": "Viewed",
    "export": "Exported",
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "sign_in_failed": "Sign-in failed",
    "sign_in_refused": "Sign-in refused",
    "reauthenticate": "Password asked again",
    "unlock": "Account unlocked",
    "sign": "Signed",
    "approve": "Approved",
    "correct": "Corrected",
    "seal": "Sealed",
    "undo": "Undone",
    "refused": "Refused",
    "disclose": "Disclosed",
    "letter": "Letter written",
    "handoff": "Sent to the ADM",
    "access_review": "Access review recorded",
    "panel_invitations_written": "Panel invitation letters written",
    # once, at the first open after the December 2026 upgrade (``letterbox.findings_backfill``)
    "letterbox_findings_backfill": "Letterbox: screening findings of older items sealed (once, after the upgrade)",
    # once, in the upgrade to migration ``journey_0002_match_decision``
    "journey_match_link_moved": "Journey: children linked from a match decision moved to its own link (upgrade)",
    # once, in that migration's downgrade (the links put back as the version before wrote them)
    "journey_match_link_taken_away": "Journey: the match decision's own link taken away (downgrade)",
    # a migration's downgrade taking columns away: the rows sealed again without them (``core.audit.column_drops``)
    "seal_downgrade": "Rows sealed again without the columns a downgrade took away",
}
#: the first word of a table's or action's code, as it is read
AREAS: dict[str, str] = {"adm": "ADM", "qd": "Qualifying determination:", "panel": "Panel",
                         "letterbox": "Letterbox", "counselling": "Counselling", "journey": "Journey"}
#: words that are not plurals though they end in s
_NOT_PLURAL = frozenset({"minutes", "status", "address", "access", "progress", "analysis", "settings_history"})


def _words(code: str) -> list[str]:
    words = [w for w in code.split("_") if w]
    if words and words[0] in AREAS:
        words[0] = AREAS[words[0]]
    return words


def action_label(code: str) -> str:
    """``sign_in`` → "Signed in", ``qd_notice_sent`` → "Qualifying determination: notice sent"."""
    if code in ACTIONS:
        return ACTIONS[code]
    text = " ".join(_words(code)) or code
    return text[0].upper() + text[1:] if text else text


def _singular(word: str) -> str:
    if word in _NOT_PLURAL or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


def record_label(entity: str, entity_id: str = "") -> str:
    """``adm_qualifying_determinations``, ``7`` → "ADM qualifying determination 7"; ``*`` (a bulk entry) →
    "ADM qualifying determinations (many)"."""
    words = _words(entity)
    if not words:
        return f"{entity} {entity_id}".strip()
    many = entity_id == "*"
    if not many:
        words[-1] = _singular(words[-1])
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    if many:
        return f"{text} (many)"
    return f"{text} {entity_id}".strip()


def _value(v: object, limit: int = 80) -> str:
    if v is None or v == "":
        return "(blank)"
    if v is True:
        return "yes"
    if v is False:
        return "no"
    if isinstance(v, str):
        if v == "<changed>":
            return "(changed, not shown)"
        text = v if len(v) <= limit else v[:limit - 1] + "…"
        return f"“{text}”"
    if isinstance(v, (list, dict)):
        text = json.dumps(v, ensure_ascii=False)
        return text if len(text) <= limit else text[:limit - 1] + "…"
    return str(v)


def _field(name: str) -> str:
    return re.sub(r"_+", " ", name).strip()


#: the fields of a logged change that name a user account by its id (``users.id``): a case's counsellor (its
#: hand-overs and allocation corrections log ``counsellor_id: [before, after]``), who reviewed or disclosed,
#: an account's own entries. Shown with the person's name (a trial's administrator read "counsellor id: 3 → 5")
USER_FIELDS = frozenset({"counsellor_id", "reviewed_by_id", "disclosed_by_id", "user_id"})


def _account_id(v: object) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _changes_dict(changes: str) -> dict[str, object] | None:
    try:
        data = json.loads(changes) if changes else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def user_ids(changes: Iterable[str]) -> set[int]:
    """The user accounts named by id in these logged changes (:data:`USER_FIELDS`), before and after."""
    found: set[int] = set()
    for text in changes:
        for name, v in (_changes_dict(text) or {}).items():
            if name in USER_FIELDS:
                found.update(a for x in (v if isinstance(v, list) else [v]) if (a := _account_id(x)) is not None)
    return found


def _user(v: object, names: Mapping[int, str]) -> str:
    """An account id as the person: "Ann Example (user 3)"; the id as logged when the account is not known."""
    account = _account_id(v)
    if account is None or account not in names:
        return _value(v)
    return f"{names[account]} (user {account})"


def changes_text(changes: str, names: Mapping[int, str] | None = None) -> str:
    """``{"full_name": ["A", "B"], "disabled": [false, true]}`` → "full name: “A” → “B”; disabled: no → yes";
    a created record's fields as "field “value”". Text that is not a JSON object is returned as it is.
    ``names``: user accounts' display names by id: a field naming an account (:data:`USER_FIELDS`) is shown
    as the person, ``{"counsellor_id": [3, 5]}`` → "counsellor: Ann Example (user 3) → Ben Example (user 5)"."""
    if not changes:
        return ""
    data = _changes_dict(changes)
    if data is None:
        return changes
    parts = []
    for name, v in data.items():
        if names and name in USER_FIELDS:
            label = _field(name.removesuffix("_id"))
            if isinstance(v, list) and len(v) == 2:
                parts.append(f"{label}: {_user(v[0], names)} → {_user(v[1], names)}")
            else:
                parts.append(f"{label} {_user(v, names)}")
        elif isinstance(v, list) and len(v) == 2:
            parts.append(f"{_field(name)}: {_value(v[0])} → {_value(v[1])}")
        else:
            parts.append(f"{_field(name)} {_value(v)}")
    return "; ".join(parts)


def people_text(changes: str, names: Mapping[int, str]) -> str:
    """The accounts a logged change names by id, with their names: "3 = Ann Example; 5 = Ben Example" (the
    audit export's ``people`` column, beside ``changes`` kept as logged)."""
    return "; ".join(f"{i} = {names[i]}" for i in sorted(user_ids([changes])) if i in names)


def action_code(typed: str) -> str:
    """What the viewer's Action filter looks for: the code itself, or the code of the words shown
    ("Signed in" → ``sign_in``; "qualifying determination: notice sent" → ``qd_notice_sent``)."""
    text = typed.strip()
    folded = text.casefold()
    for code, label in ACTIONS.items():
        if folded == label.casefold():
            return code
    for code, word in AREAS.items():
        if folded.startswith(word.casefold() + " "):
            folded = code + " " + folded[len(word) + 1:]
            break
    if " " in folded or folded != text:
        return re.sub(r"[\s:]+", "_", folded).strip("_")
    return text


def entity_code(typed: str, tables: list[str] | tuple[str, ...]) -> str:
    """What the viewer's Record filter looks for: a table's code, or the table whose words were typed
    ("ADM qualifying determination" or "… determinations" → ``adm_qualifying_determinations``)."""
    text = typed.strip()
    if text in tables:
        return text
    folded = text.casefold().removesuffix(" (many)")
    for table in tables:
        many = record_label(table, "*").casefold().removesuffix(" (many)")
        if folded in (record_label(table).casefold(), many):
            return table
    return text
