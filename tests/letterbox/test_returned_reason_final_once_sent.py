"""A returned item's reason is final once its returned letter is recorded as sent (evidence gap, 8 December
2026): ``reword_return_reason`` refused it, but ``core.final_rows`` let the reason change at any time while the
item was returned, so a change through a session (an ORM object, an ``update()`` statement, a bulk update by
key) went through, audited and resealed as the program's own, and ``verify`` had nothing to report while the
record no longer said what the letter said. Now the rule reads the sent-list in the same transaction: before
the letter is sent the reason is reworded as before; after, every path through a session is refused, nothing
written. SQLCipher and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.documents import write_batch
from adoption_desktop.letterbox.models import ITEM_IS_FINAL, Item
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_final_items import _item, _problems, _refused, _row

pytestmark = pytest.mark.filterwarnings("ignore:Dialect .* does not support updated rowcount")


@pytest.mark.postgres
def test_the_reason_is_final_once_the_returned_letter_is_sent(any_db: Database, tmp_path: Path) -> None:
    coordinator = make_user(any_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(any_db, coordinator, sample_input())
    item = _item(any_db, coordinator, arrangement, 3, "returned", reason="Please leave out the school.")
    # before the letter is sent: reworded through the service, and through a session as before
    service.reword_return_reason(any_db, coordinator, item, "Please leave out the name of the school.",
                                 expected_version=None)
    with any_db.session(coordinator) as s:
        s.execute(update(Item).where(Item.id == item).values(reason="Please write again without the school."))
    assert _row(any_db, item)["reason"] == "Please write again without the school."

    today = dt.date.today()
    sent = write_batch(any_db, coordinator, "returned", tmp_path / "r.pdf", item_ids=[item], today=today)
    assert sent.letters == 1
    before = _row(any_db, item)
    # after: a statement, a bulk update by key and an ORM change of the reason are all refused
    _refused(any_db, coordinator, update(Item).where(Item.id == item).values(reason="Something the letter never said."))
    _refused(any_db, coordinator, update(Item), [{"id": item, "row_version": before["row_version"],
                                                  "reason": "Something the letter never said."}])
    with pytest.raises(Conflict) as err, any_db.session(coordinator) as s:
        found = s.get(Item, item)
        assert found is not None
        found.reason = "Something the letter never said."
    assert str(err.value) == ITEM_IS_FINAL
    assert _row(any_db, item) == before
    # what stays free on a final item still is: how it came in
    with any_db.session(coordinator) as s:
        s.execute(update(Item).where(Item.id == item).values(channel="email"))
    assert _row(any_db, item)["channel"] == "email" and _row(any_db, item)["reason"] == before["reason"]
    # a batch voided as not posted did not send the letter: the reason may be reworded again, as the service does
    service.void_batch(any_db, coordinator, sent.batch, "Printed by mistake, not posted.")
    service.reword_return_reason(any_db, coordinator, item, "Please leave out the school's name.",
                                 expected_version=None)
    with any_db.session(coordinator) as s:
        s.execute(update(Item).where(Item.id == item).values(reason="Please write again, no school names."))
    assert _row(any_db, item)["reason"] == "Please write again, no school names."
    assert _problems(any_db) == []
