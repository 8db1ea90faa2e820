"""What the letterbox use cases share: the two full-text indexes, the permission shorthand ``P``, the type
of a select (``AnySelect``) and the indexed text of an item or an arrangement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.storage import search
from adoption_desktop.core.text_input import reference_key
from adoption_desktop.letterbox.models import Arrangement
from adoption_desktop.letterbox.service.data import ArrangementInput

ITEMS_INDEX = search.SearchIndex("letterbox_items")
ARRANGEMENTS_INDEX = search.SearchIndex("letterbox_arrangements")
P = Permission
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"


# --- helpers ------------------------------------------------------------------------------------
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
