"""A letterbox item with an outcome (forwarded, withheld, returned, held on file) or logged in error is final:
only the services kept it so (each refuses a change to an item no longer open), and an ``update()`` or
``delete()`` statement run through a session, or a change to the item object by any other code, rewrote what
went out, when and by whom without a word (``verify``'s content seal said so later). The item now registers
its rule with ``core.final_rows``, as a signed ADM decision does: refused at once with one message, nothing
written, but for what its content seal leaves out and the services still correct (how it came in, who wrote
it, a returned item's reason, the row's times and version). SQLCipher and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from adoption_desktop.letterbox import contact, rules, service
from adoption_desktop.letterbox.models import ITEM_IS_FINAL, Item
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input

D = dt.date
pytestmark = pytest.mark.filterwarnings("ignore:Dialect .* does not support updated rowcount")


def _item(db: Database, actor: Principal, arrangement: int, day: int, outcome: str | None = None,
          **fields: Any) -> int:
    item = service.log_item(db, actor, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, day),
                            writer="Sam Thornley")
    service.screen_item(db, actor, item, "Love from all of us. She is 9 now.")
    if outcome is not None:
        service.record_outcome(db, actor, item, outcome, D(2026, 3, day), **fields)
    return item


def _row(db: Database, item: int) -> dict[str, Any]:
    table = Item.__table__
    with db.session(write=False) as s:
        return dict(s.execute(select(table).where(table.c.id == item)).mappings().one())


def _refused(db: Database, actor: Principal, statement: Any, params: Any = None) -> None:
    with pytest.raises(Conflict) as err, db.session(actor) as s:
        s.execute(statement, params)
    assert str(err.value) == ITEM_IS_FINAL


def _problems(db: Database) -> list[str]:
    return [p for p in verify_database(db).problems if not p.startswith("search:")]


@pytest.mark.postgres
def test_a_forwarded_or_returned_item_is_not_changed_or_deleted_by_a_statement(any_db: Database) -> None:
    coordinator = make_user(any_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(any_db, coordinator, sample_input())
    forwarded = _item(any_db, coordinator, arrangement, 2, "forwarded", method="post")
    returned = _item(any_db, coordinator, arrangement, 3, "returned", reason="Please leave out the school.")
    open_item = _item(any_db, coordinator, arrangement, 4)
    before = {i: _row(any_db, i) for i in (forwarded, returned, open_item)}
    for statement in (update(Item).where(Item.id == forwarded).values(text="Something else went out."),
                      update(Item).where(Item.id == forwarded).values(status="screened", outcome_on=None),
                      update(Item).where(Item.id.in_([open_item, forwarded])).values(notes="Bulk note."),
                      update(Item).where(Item.id == forwarded).values(reason="Only a returned item's reason."),
                      update(Item).where(Item.id == returned).values(reason="Reworded.", method="post"),
                      update(Item).values(screened_by="someone"),  # no WHERE: every row
                      delete(Item).where(Item.id == returned)):
        _refused(any_db, coordinator, statement)
    # SQLAlchemy's bulk UPDATE by primary key: a final item named in the list refuses it
    _refused(any_db, coordinator, update(Item), [
        {"id": open_item, "row_version": before[open_item]["row_version"], "notes": "Bulk note."},
        {"id": forwarded, "row_version": before[forwarded]["row_version"], "text": "Something else."}])
    assert {i: _row(any_db, i) for i in before} == before  # refused as a whole: the open item not changed either

    with pytest.raises(Conflict) as err, any_db.session(coordinator) as s:  # the ORM path says the same
        found = s.get(Item, forwarded)
        assert found is not None
        found.outcome_on = D(2026, 3, 20)
    assert str(err.value) == ITEM_IS_FINAL
    assert _row(any_db, forwarded) == before[forwarded]
    assert _problems(any_db) == []


@pytest.mark.postgres
def test_what_a_final_item_may_still_have_corrected_is_corrected(any_db: Database) -> None:
    coordinator = make_user(any_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(any_db, coordinator, sample_input())
    forwarded = _item(any_db, coordinator, arrangement, 2, "forwarded", method="post")
    returned = _item(any_db, coordinator, arrangement, 3, "returned", reason="Please leave out the school.")
    open_item = _item(any_db, coordinator, arrangement, 4)
    # the services' corrections of a final item: how it came in, a returned item's reason
    contact.set_item_channel(any_db, coordinator, forwarded, "email", expected_version=None)
    service.reword_return_reason(any_db, coordinator, returned, "Please write again without the town's name.",
                                 expected_version=None)
    assert _row(any_db, forwarded)["channel"] == "email"
    assert _row(any_db, returned)["reason"] == "Please write again without the town's name."
    # and by a statement
    with any_db.session(coordinator) as s:
        s.execute(update(Item).where(Item.id.in_([forwarded, returned])).values(channel="hand"))
        s.execute(update(Item).where(Item.id == returned).values(reason="Please write again, no place names."))
        s.execute(update(Item), [{"id": open_item, "row_version": _row(any_db, open_item)["row_version"],
                                  "notes": "Came with a drawing."}])
    assert _row(any_db, forwarded)["channel"] == _row(any_db, returned)["channel"] == "hand"
    assert _row(any_db, returned)["reason"] == "Please write again, no place names."
    assert _row(any_db, open_item)["notes"] == "Came with a drawing."
    assert _row(any_db, forwarded)["status"] == "forwarded"
    assert _problems(any_db) == []


def test_the_other_pc_cannot_change_an_item_forwarded_on_this_one(db: Database, other_pc: Database) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input())
    forwarded = _item(db, coordinator, arrangement, 2, "forwarded", method="post")
    before = _row(db, forwarded)
    _refused(other_pc, coordinator, update(Item).where(Item.id == forwarded).values(method="hand"))
    _refused(other_pc, coordinator, delete(Item).where(Item.id == forwarded))
    assert _row(db, forwarded) == before == _row(other_pc, forwarded)
