"""What the letterbox use cases share: the two full-text indexes, the permission shorthand ``P``, the type
of a select (``AnySelect``) and the indexed text of an item or an arrangement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from adoption_desktop.core.concurrency import when_text
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.storage import search
from adoption_desktop.core.text_input import reference_key
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement, Item, ItemEvent
from adoption_desktop.letterbox.service.data import ArrangementInput

ITEMS_INDEX = search.SearchIndex("letterbox_items")
ARRANGEMENTS_INDEX = search.SearchIndex("letterbox_arrangements")
P = Permission
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"


#: the step of an item's history that records each outcome (``ItemEvent.action``), by the item's status
OUTCOME_STEPS = {"forwarded": "forwarded", "returned": "returned", "withheld": "withheld", "held": "held",
                 rules.LOGGED_IN_ERROR: "logged_in_error"}


# --- helpers ------------------------------------------------------------------------------------
def outcome_recorded(session: Session, item: Item) -> str:
    """Who recorded ``item``'s outcome (or marked it logged in error) and when, as a refusal says it: "by NAME
    at HH:MM on DD/MM/YYYY", from the outcome's own step in the item's history (what its window shows). Not
    the last audit entry on the item: on a final item that is most often a correction made since (how it came
    in, who wrote it, a correction note), whose author the refusal named as the one who forwarded it (user
    trial, 8 December 2026). An item with no such step (its outcome came with the register, as the demo's):
    "on DD/MM/YYYY", the outcome's date."""
    step = OUTCOME_STEPS.get(item.status)
    found = None if step is None else session.execute(
        select(ItemEvent.actor, ItemEvent.at, User.full_name).outerjoin(User, User.username == ItemEvent.actor)
        .where(ItemEvent.item_id == item.id, ItemEvent.action == step)
        .order_by(ItemEvent.id.desc()).limit(1)).first()
    if found is not None:
        return f"by {found.full_name or found.actor} at {when_text(found.at)}"
    return f"on {item.outcome_on:%d/%m/%Y}" if item.outcome_on is not None else "before it was kept in its history"


def item_document(reference: str, birth: str, adoptive: str, adopters: str, writer: str, notes: str,
                  item_type: str) -> str:
    return " ".join(x for x in (reference, birth, adoptive, adopters, writer, notes, item_type) if x)


def arrangement_document(a: ArrangementInput | Arrangement, participants: Iterable[str] = ()) -> str:
    return " ".join(x for x in (a.reference, a.child_birth_name, a.child_adoptive_name, a.adopters_name,
                                a.coordinator, a.notes, *participants) if x)


def arrangement_by_reference(session: Session, reference: str, *,
                             other_than: int | None = None) -> tuple[int, str] | None:
    """The (id, reference) of the first arrangement (lowest id) whose reference is ``reference`` as references
    are compared (``core.text_input.reference_key``: case, spacing and invisible characters aside), leaving out
    arrangement ``other_than``; ``None`` when there is none. By the indexed key the ORM keeps; a row written
    around the ORM has none (the demo's bulk insert before 6 December 2026): such rows are compared by their
    reference. Their key is not filled in by an upgrade: it is covered by the rows' seals."""
    key = reference_key(reference)
    if not key:
        return None
    skip = other_than or 0
    row = session.execute(select(Arrangement.id, Arrangement.reference).where(
        Arrangement.reference_key == key, Arrangement.id != skip).order_by(Arrangement.id).limit(1)).first()
    if row is not None:
        return int(row.id), str(row.reference)
    return next(((int(aid), str(ref)) for aid, ref in session.execute(
        select(Arrangement.id, Arrangement.reference).where(
            Arrangement.reference_key.is_(None), Arrangement.id != skip).order_by(Arrangement.id))
        if reference_key(ref or "") == key), None)
