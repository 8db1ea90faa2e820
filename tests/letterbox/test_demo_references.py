"""Arrangement references in the demo (user trial of the letterbox corrections, 6 December 2026).

The demo inserted its arrangements in bulk, around the ORM hook that keeps ``reference_key``: every demo
arrangement had no key, so "Correct how it was logged…" never found an arrangement by its reference ("there is
no arrangement LB-00051"), and the duplicate-reference check missed, so a new arrangement with a demo reference
failed with a raw database error. Now the demo writes the key, and the look-ups also compare rows with no key
by their reference (a demo file made before this fix: its keys are covered by the rows' seals, so they are not
filled in by an upgrade)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from adoption_desktop import demo
from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.models import Arrangement, Item, LetterSent
from tests.letterbox.conftest import sample_input


def _forget_keys(db: Database) -> None:
    """As a demo file made before 6 December 2026: no arrangement has a reference key."""
    with db.session() as session:
        session.execute(update(Arrangement).values(reference_key=None))


def _open_item_and_other_arrangement(db: Database) -> tuple[int, int, str]:
    with db.session(write=False) as session:
        sent = select(LetterSent.item_id).where(LetterSent.item_id.is_not(None))
        item_id, aid = session.execute(select(Item.id, Item.arrangement_id).where(
            Item.status.in_(tuple(rules.OPEN_STATUSES)), Item.previous_item_id.is_(None),
            Item.id.not_in(sent)).order_by(Item.id).limit(1)).one()
        other, ref = session.execute(select(Arrangement.id, Arrangement.reference).where(
            Arrangement.id != aid, Arrangement.status != "ended").order_by(Arrangement.id).limit(1)).one()
    return int(item_id), int(other), str(ref)


@pytest.mark.parametrize("older_file", [False, True], ids=["new demo", "demo made before the fix"])
def test_an_item_is_moved_to_a_demo_arrangement_named_by_its_reference(small_demo_db: Database,
                                                                       older_file: bool) -> None:
    db = small_demo_db
    if older_file:
        _forget_keys(db)
    else:  # the demo writes the key the ORM keeps
        with db.session(write=False) as session:
            assert session.scalar(select(Arrangement.id).where(Arrangement.reference_key.is_(None))) is None
    who = authenticate(db, "letterbox", demo.DEMO_PASSWORD)
    item_id, other, ref = _open_item_and_other_arrangement(db)
    found = service.find_arrangement(db, who, f" {ref.lower()} ")  # typed as a person might
    assert found is not None and (found.id, found.reference) == (other, ref)
    item = service.get_item(db, who, item_id)
    done = service.correct_item_logging(db, who, item_id, arrangement_id=found.id, direction=item.direction,
                                        received_on=item.received_on, item_type=item.item_type,
                                        expected_version=None)
    assert done.reference == ref
    assert service.get_item(db, who, item_id).arrangement_id == other


@pytest.mark.parametrize("older_file", [False, True], ids=["new demo", "demo made before the fix"])
def test_a_new_arrangement_with_a_demo_reference_is_refused_in_plain_words(small_demo_db: Database,
                                                                          older_file: bool) -> None:
    db = small_demo_db
    if older_file:
        _forget_keys(db)
    who = authenticate(db, "letterbox", demo.DEMO_PASSWORD)
    with pytest.raises(Conflict, match=r"^Reference: LB-00001 is already used by another arrangement\.$"):
        service.create_arrangement(db, who, sample_input(reference="LB-00001"))
    with pytest.raises(Conflict, match=r"already used by another arrangement \(as LB-00001\)"):
        service.create_arrangement(db, who, sample_input(reference="lb-00001"))
    with db.session(write=False) as session:
        assert session.scalar(select(Arrangement.id).where(Arrangement.reference == "lb-00001")) is None
