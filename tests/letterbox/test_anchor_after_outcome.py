"""A letterbox outcome is a final record: the anchors move on as soon as it is saved, as after a signature,
and a log put back while the program has the file open is never vouched for at the close (evidence trial,
6 December 2026: item 1996 forwarded, every table rolled back with the key while the program was still open,
the close moved the anchors on to the rolled-back log, ``verify`` said OK and the forward was gone).
Real SQLCipher files; the rollback is the trial's own tool (tests/rollback_tool.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import text

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.letterbox import rules, service
from tests.rollback_tool import keep_copy, roll_back_in_place


def _anchored_seq(db_path: Path) -> int:
    return int(json.loads(Path(str(db_path) + ".audit-anchor").read_text(encoding="utf-8"))["seq"])


def _head(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(text("SELECT last_seq FROM audit_head")) or 0)


def _screened_item(db: Database, coordinator: Principal, arrangement: int) -> int:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                            received_on=dt.date(2026, 3, 2), writer="Sam Thornley", log_again=True)
    assert service.screen_item(db, coordinator, item, "Love from all of us. She is 9 now.").findings == ()
    return item


def _verify(db_path: Path, store: SecretStore) -> list[str]:
    db = open_database(db_path, store)
    try:
        return verify_database(db).problems
    finally:
        db.dispose()


def test_a_forwarded_item_is_vouched_for_at_once_and_its_erasure_is_caught(
        db: Database, coordinator: Principal, arrangement: int, db_path: Path, store: SecretStore,
        tmp_path: Path) -> None:
    item = _screened_item(db, coordinator, arrangement)
    db.dispose()
    earlier = keep_copy(db_path, tmp_path / "as-opened.db")
    opened = open_database(db_path, store)  # as the program opens it: the anchors checked and moved on
    try:
        at_open = _anchored_seq(db_path)
        service.record_outcome(opened, coordinator, item, "forwarded", dt.date(2026, 3, 3), method="post")
        assert at_open < _head(opened) == _anchored_seq(db_path)  # before the program closes
        roll_back_in_place(db_path, earlier, store)
    finally:
        opened.dispose()
    problems = "\n".join(_verify(db_path, store))
    assert "is missing: the log was cut short, or the file was replaced by an older copy" in problems, problems


def test_a_log_put_back_while_open_is_not_vouched_for_at_the_close(
        db: Database, coordinator: Principal, arrangement: int, db_path: Path, store: SecretStore,
        tmp_path: Path) -> None:
    """No final record in the session: the close itself refuses the rolled-back log (the entries this
    program wrote are gone) and names the last of them, as after a signature."""
    db.dispose()
    earlier = keep_copy(db_path, tmp_path / "as-opened.db")
    opened = open_database(db_path, store)
    try:
        at_open = _anchored_seq(db_path)
        _screened_item(opened, coordinator, arrangement)  # received and screened: not final yet
        wrote = _head(opened)
        assert _anchored_seq(db_path) == at_open < wrote
        roll_back_in_place(db_path, earlier, store)
        assert _head(opened) == at_open
    finally:
        opened.dispose()
    assert _anchored_seq(db_path) == wrote  # the entry this program wrote, not the rolled-back log's end
    problems = "\n".join(_verify(db_path, store))
    assert f"#{wrote}: entry {wrote}" in problems and "is missing" in problems, problems


def test_the_log_grown_past_the_lost_entry_again_is_still_not_vouched_for(
        db: Database, coordinator: Principal, arrangement: int, db_path: Path, store: SecretStore,
        tmp_path: Path) -> None:
    """After the rollback the program goes on working until the log is longer than before: the entry it
    wrote before the rollback is still the one the anchors name (its number now holds another entry)."""
    db.dispose()
    earlier = keep_copy(db_path, tmp_path / "as-opened.db")
    opened = open_database(db_path, store)
    try:
        _screened_item(opened, coordinator, arrangement)
        wrote = _head(opened)
        roll_back_in_place(db_path, earlier, store)
        while _head(opened) <= wrote + 2:
            _screened_item(opened, coordinator, arrangement)
    finally:
        opened.dispose()
    assert _anchored_seq(db_path) == wrote
    problems = "\n".join(_verify(db_path, store))
    assert f"#{wrote}: entry {wrote} differs" in problems, problems


def test_two_programs_working_on_one_file_raise_no_alarm(
        db: Database, coordinator: Principal, arrangement: int, db_path: Path, store: SecretStore) -> None:
    """Entries written by another program in between are not a rollback: both closes move the anchors on."""
    db.dispose()
    first, second = open_database(db_path, store), open_database(db_path, store)
    try:
        one = _screened_item(first, coordinator, arrangement)
        two = _screened_item(second, coordinator, arrangement)
        service.record_outcome(first, coordinator, one, "forwarded", dt.date(2026, 3, 3), method="post")
        service.record_outcome(second, coordinator, two, "forwarded", dt.date(2026, 3, 3), method="post")
        _screened_item(first, coordinator, arrangement)
    finally:
        first.dispose()
        second.dispose()
    with open_database(db_path, store).engine.connect() as conn:
        head = int(conn.scalar(text("SELECT last_seq FROM audit_head")) or 0)
    assert _anchored_seq(db_path) == head
    assert _verify(db_path, store) == []
