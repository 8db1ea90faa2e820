"""The item window fills a corrected version from the item returned to its writer (who wrote it, its type,
its text). A returned item changed with the key outside the application is not built on: the corrected
version is refused, naming what changed, and nothing is logged (the same rule as a correction of a signed
ADM decision or of approved panel minutes)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_logged_once import DAY, items, returned_item


def test_a_changed_returned_item_gets_no_corrected_version(db: Database) -> None:
    who = make_user(db, "lbfix", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, who, sample_input())
    returned = returned_item(db, who, arrangement)
    with db.engine.begin() as conn:
        assert conn.execute(text("UPDATE letterbox_items SET writer = 'Someone Else' WHERE id = :i"),
                            {"i": returned}).rowcount == 1
    with pytest.raises(SealBroken, match=rf"The returned item {returned} is not as it was when it was returned: "
                                         r"writer changed outside the application .* The corrected version was not "
                                         r"logged: nothing was saved\. Ask an administrator"):
        service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=DAY, previous_item_id=returned)
    assert items(db, who, arrangement) == 1


def test_an_untouched_returned_item_gets_its_corrected_version(db: Database) -> None:
    who = make_user(db, "lbfix", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, who, sample_input())
    returned = returned_item(db, who, arrangement)
    service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=DAY, previous_item_id=returned)
    assert items(db, who, arrangement) == 2
