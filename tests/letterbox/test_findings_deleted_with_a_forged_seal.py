"""An evidence trial (6 December 2026): once an item had an outcome, one of its screening findings deleted in SQL
together with ONE forged audit entry sealing the deletion (a tombstone seal; no existing entry touched) left
``verify`` saying OK, and the item window showed the forwarded item with one finding and no seal problem. The
item's findings digest (``letterbox_items.findings_digest``, vouched for by the item's seal and, once it has
an outcome, its content seal) now shows it: ``verify`` recomputes every item's digest from its findings as
they are stored now (one query over the findings), and the item window says the same. An untouched item, and
an item saved before the digest was kept (NULL), are not reported. Real SQLCipher files."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text, update

from adoption_desktop.core.audit import seals
from adoption_desktop.core.audit.seal_check import verify_record
from adoption_desktop.core.security.permissions import SYSTEM, Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from adoption_desktop.letterbox import findings_digest, rules, service
from adoption_desktop.letterbox.models import Finding, Item
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input

D = dt.date
#: an address, a postcode, a telephone number...
NAMES_ADDRESS = "Dear all, we moved to 12 Acacia Avenue, Leeds LS1 4AB. Call 07700 900123."
SAID = "its screening findings are not those saved with it (added, changed or deleted outside the application)"


def _forwarded(db: Database, coordinator: Principal, checker: Principal, arrangement: int, day: int) -> int:
    """An item screened (its findings, all marked acceptable), second-checked and forwarded."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, day),
                            writer="Sam Thornley")
    assert len(service.screen_item(db, coordinator, item, NAMES_ADDRESS).findings) >= 2
    for f in service.get_item(db, coordinator, item).findings:
        service.decide_finding(db, coordinator, f.id, "acceptable")
    service.confirm_second_check(db, checker, item)
    service.record_outcome(db, coordinator, item, "forwarded", D(2026, 3, day + 1), method="collected")
    return item


def _forge_deletion(db: Database, finding: int) -> None:
    """What the trial did with the key: the finding deleted in SQL, then one entry appended (as the program
    writes them) sealing it as deleted. No existing entry or seal is touched."""
    admin = Principal(1, "admin", "Admin", frozenset({Role.ADMINISTRATOR}))
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM letterbox_findings WHERE id = :f"), {"f": finding})
        seals.seal_change(conn, admin, "delete", seals.audited_table("letterbox_findings"), [(finding,)],
                          entity_id=str(finding))


def test_a_finding_deleted_with_a_forged_tombstone_is_reported(db: Database) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    checker = make_user(db, "lbcheck", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    tampered = _forwarded(db, coordinator, checker, arrangement, 2)
    untouched = _forwarded(db, coordinator, checker, arrangement, 5)
    # an item saved before the digest was kept: NULL, saved through the program (sealed), then forwarded
    older = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 8),
                             writer="Sam Thornley")
    service.screen_item(db, coordinator, older, NAMES_ADDRESS)
    with db.session(SYSTEM) as session:
        session.execute(update(Item).where(Item.id == older).values(findings_digest=None))
    for f in service.get_item(db, coordinator, older).findings:
        service.decide_finding(db, coordinator, f.id, "acceptable")
    service.confirm_second_check(db, checker, older)
    service.record_outcome(db, coordinator, older, "forwarded", D(2026, 3, 9), method="collected")
    had = len(service.get_item(db, coordinator, tampered).findings)
    before = verify_database(db)
    assert before.ok, before.problems  # no false alarm: every item as the program saved it
    with db.engine.connect() as conn:
        assert conn.scalar(select(Item.findings_digest).where(Item.id == older)) is None
        first = int(conn.scalar(select(Finding.id).where(Finding.item_id == tampered).order_by(Finding.id)) or 0)

    _forge_deletion(db, first)

    with db.engine.connect() as conn:  # the findings' own seals agree with the forgery: that was the hole
        assert not [p for p in verify_record(conn) if p.entity == "letterbox_findings"]
    report = verify_database(db)
    assert not report.ok
    assert f"record: letterbox item {tampered}: {SAID}" in report.problems, report.problems
    assert not [p for p in report.problems if f"letterbox item {untouched}:" in p or f"item {older}:" in p]

    shown = service.get_item(db, coordinator, tampered)
    assert len(shown.findings) == had - 1 and shown.status == "forwarded"
    assert shown.seal_problem.startswith(f"This item is not as it was when its outcome was recorded: {SAID}.")
    assert "Ask an administrator to run 'adoption-desktop verify'" in shown.seal_problem
    assert service.get_item(db, coordinator, untouched).seal_problem == ""
    assert service.get_item(db, coordinator, older).seal_problem == ""
    with db.engine.connect() as conn:
        assert findings_digest.mismatched_items(conn) == [tampered]


def test_findings_added_to_an_item_without_any_are_reported(db: Database) -> None:
    """An item logged and never screened carries the digest of no findings: a finding inserted for it in SQL
    (sealed by a forged entry) is reported too; items with no findings are otherwise not."""
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    empty = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 2))
    other = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 3),
                             log_again=True)
    assert verify_database(db).ok
    admin = Principal(1, "admin", "Admin", frozenset({Role.ADMINISTRATOR}))
    with db.engine.begin() as conn:
        fid = conn.execute(text("INSERT INTO letterbox_findings (item_id, start, \"end\", kind, text, decision) "
                                "VALUES (:i, 0, 4, 'surname', 'Dear', 'acceptable') RETURNING id"),
                           {"i": empty}).scalar_one()
        seals.seal_change(conn, admin, "create", seals.audited_table("letterbox_findings"), [(fid,)],
                          entity_id=str(fid))
    report = verify_database(db)
    assert f"record: letterbox item {empty}: {SAID}" in report.problems, report.problems
    assert not [p for p in report.problems if f"letterbox item {other}:" in p]
