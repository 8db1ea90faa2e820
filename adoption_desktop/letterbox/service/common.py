"""What the letterbox use cases share: the two full-text indexes, the permission shorthand ``P``, the type
of a select (``AnySelect``) and the indexed text of an item or an arrangement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias

from sqlalchemy import Select

from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.storage import search
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
