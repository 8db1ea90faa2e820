"""The same letterbox use cases and full-text search on SQLCipher and (when available) PostgreSQL."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.service import ArrangementFilter, ItemFilter
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input


def test_search_and_registers_on_both_stores(any_db: Database) -> None:
    who = make_user(any_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    aid = service.create_arrangement(any_db, who, sample_input())
    other = service.create_arrangement(any_db, who, sample_input(
        "LB-0002", child_birth_name="Kit Marrowby", child_adoptive_name="Kit Fenwick", adopters_name="Jo Fenwick",
        participants=()))
    for n in range(3):
        service.log_item(any_db, who, aid, direction=rules.TO_BIRTH, received_on=dt.date(2025, 2 + n, 1),
                         writer="Sam Thornley")
    service.log_item(any_db, who, other, direction=rules.TO_ADOPTIVE, received_on=dt.date(2025, 6, 1),
                     writer="Nan Marrowby", notes="100% cotton_card")
    assert service.count_items(any_db, who, ItemFilter(query="thornl")) == 3
    assert service.count_items(any_db, who, ItemFilter(query="marrow")) == 1
    assert service.count_items(any_db, who, ItemFilter(query="100% cotton_card")) == 1
    total, rows = service.item_page(any_db, who, ItemFilter(query="sam thorn", status="received"), 2)
    assert total == 3 and len(rows) == 2 and rows[0].received_on == dt.date(2025, 4, 1)
    assert [a.reference for a in service.list_arrangements(any_db, who, ArrangementFilter(query="fenw"))] == ["LB-0002"]
    assert service.count_arrangements(any_db, who, ArrangementFilter(month=3)) == 2
