"""``verify`` run again and again inside one program (Administration → Audit log → "Verify the audit
chain…" runs it in the window) while another program saves letterbox items to the same file: "FAULT:
integrity: fts5: corruption found reading blob … from table "fts_letterbox_items"" in 4 runs of 5, never
from the command line (a new process each time), "intact" once the saves stopped. The IT guide says to
restore the latest backup for a damaged file: good work would have been lost.

The cause: SQLite's ``PRAGMA integrity_check`` checks a search index (FTS5) with the index's layout (its
list of segments) as the connection last loaded it, and does not ask whether another program has saved
since; a search, or ``verify``'s own comparison of the index with its records, had loaded it on a pooled
connection. Each save adds a segment and every few saves the index merges them and deletes the old ones,
so the check went looking for a segment that is gone. The check now runs on a connection of its own,
in one read transaction. A search index really damaged, while nobody saves, is still reported every time.

Real processes (``tests/core/storage_workers.py``) on real SQLCipher files."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.letterbox import rules, service
from tests.conftest import TEST_PASSWORD, make_user
from tests.core.test_holds import PASSPHRASE, _new_database, _wait_for, _worker
from tests.letterbox.conftest import sample_input

#: the search index of letterbox items, whose check named a segment another program's save had deleted
ITEMS_FTS = "fts_letterbox_items"


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE,
                PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data"), ADOPTION_DESKTOP_NO_PG="1")


@pytest.fixture
def live(tmp_path: Path, store: SecretStore) -> Iterator[tuple[Database, int]]:
    """A passphrase-keyed file (another process has no in-memory keyring), open in this program, with a
    letterbox coordinator ``lbcoord`` and one arrangement (its id) that has a few items."""
    path = _new_database(tmp_path, store)
    db = open_database(path, store, PASSPHRASE)
    try:
        coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
        arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
        yield db, arrangement
    finally:
        db.dispose()


def _finish(worker: subprocess.Popen[str]) -> str:
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    return out


def test_verify_again_and_again_while_another_program_saves_items_in_batches_says_intact(
        tmp_path: Path, live: tuple[Database, int]) -> None:
    """Step by step, so that every run meets an index changed since the last: this program checks, the
    other saves a batch of items (their index merges its segments), this program checks twice; three
    times. The old code said "integrity: fts5: corruption found reading blob …" after the first batch."""
    db, arrangement = live
    path = Path(db.path)  # type: ignore[arg-type]
    control = tmp_path / "control"
    control.mkdir()
    assert verify_database(db).ok  # loads the index's layout into this program's connections
    worker = _worker(_env(tmp_path), "items", str(path), "lbcoord", TEST_PASSWORD, str(arrangement), str(control))
    try:
        _wait_for(worker, "ready")
        for batch in range(1, 4):
            (control / f"save-{batch}").touch()
            _wait_for(worker, f"saved {batch}")
            for _ in range(2):
                report = verify_database(db)
                assert report.problems == [] and report.ok
    finally:
        (control / "stop").touch()
        _finish(worker)
    with db.session(write=False) as session:
        assert session.connection().exec_driver_sql(
            "SELECT count(*) FROM letterbox_items").scalar_one() == 3 * 24
    assert verify_database(db).ok


def test_verify_while_another_program_keeps_saving_items_says_intact(tmp_path: Path,
                                                                     live: tuple[Database, int]) -> None:
    """As the user saw it: the other program saves items one after another, without pause, while this
    program verifies five times."""
    db, arrangement = live
    path = Path(db.path)  # type: ignore[arg-type]
    stop = tmp_path / "stop"
    assert verify_database(db).ok
    worker = _worker(_env(tmp_path), "items_until", str(path), "lbcoord", TEST_PASSWORD, str(arrangement),
                     str(stop))
    try:
        _wait_for(worker, "ready", writes=8)
        for _ in range(5):
            report = verify_database(db)
            assert report.problems == [] and report.ok
            _wait_for(worker, None, writes=4)  # at least four more saves before the next run
    finally:
        stop.touch()
        _finish(worker)
    assert verify_database(db).ok


def test_a_search_index_damaged_while_nobody_saves_is_reported_every_time(
        tmp_path: Path, store: SecretStore, live: tuple[Database, int]) -> None:
    """A block of the items' index changed in SQL by someone holding the key (no record changed, nobody
    saving): named on every run inside this program, and by a program that opens the file afresh."""
    db, arrangement = live
    path = Path(db.path)  # type: ignore[arg-type]
    coordinator = make_user(db, "lbcoord2", Role.LETTERBOX_COORDINATOR)
    for i in range(6):
        service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                         received_on=dt.date.today(), writer="Gina Quillfield",
                         log_again=True, notes=f"synthetic note {i}")
    assert verify_database(db).ok
    with db.engine.begin() as conn:  # outside the application's sessions, as someone with the key would
        conn.exec_driver_sql(f"UPDATE {ITEMS_FTS}_data SET block = zeroblob(length(block)) "
                             f"WHERE id = (SELECT max(id) FROM {ITEMS_FTS}_data)")
    for _ in range(3):
        report = verify_database(db)
        assert not report.ok
        found = [p for p in report.problems if ITEMS_FTS in p]
        assert len(found) == 1 and re.fullmatch(  # the very words of the false alarm, now only for damage
            rf'integrity: fts5: corruption found reading blob \d+ from table "{ITEMS_FTS}"', found[0]), found
    again = open_database(path, store, PASSPHRASE)  # as the command line opens it: a new process's view
    try:
        assert verify_database(again).problems == report.problems
    finally:
        again.dispose(write_anchor=False)
