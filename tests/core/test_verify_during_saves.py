"""``verify`` (and Administration → Audit log → Verify the audit chain…, the same function) while another
program saves: SQLCipher's page check reads the file itself, and another program's checkpoint copying
saved pages into the file made a good page fail its HMAC for a moment (a user trial: "FAULT: cipher
integrity: HMAC verification failed for page 4317" in 1 run of 3–6, "intact" once the saves stopped; the
IT guide says to restore the latest backup for a damaged file). A page that fails is checked again with
no checkpoint able to rewrite it; a page damaged while nobody saves is still reported every time.

Real processes (``tests/core/storage_workers.py``) on real SQLCipher files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import text

from adoption_desktop.core import audit
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import page_check
from adoption_desktop.core.storage.lifecycle import (
    create_database,
    open_database,
    unlock_key,
    verify_database,
)
from adoption_desktop.core.storage.page_check import PAGE_SIZE, PageChecker
from tests.core.test_holds import PASSPHRASE, _new_database, _wait_for, _worker
from tests.core.test_page_check import _fill, _flip


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE,
                PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data"), ADOPTION_DESKTOP_NO_PG="1")


def test_verify_while_another_programs_checkpoint_is_copying_a_page_says_intact(
        tmp_path: Path, store: SecretStore) -> None:
    """The other program saves, then its checkpoint stops half-way through copying one saved page into
    the file and stays there for the whole check (as a checkpoint held back by a third program's long read
    leaves the file): the page is named by SQLCipher's check, and is not damage — SQLite reads the saved
    copy in the log. The old code said "FAULT: cipher integrity: HMAC verification failed for page N"."""
    path = _new_database(tmp_path, store)
    control = tmp_path / "control"
    control.mkdir()
    worker = _worker(_env(tmp_path), "checkpoint_midway", str(path), str(control))
    db = None
    try:
        _wait_for(worker, "saved")
        db = open_database(path, store, PASSPHRASE)  # the open checks every page: the file is whole
        (control / "tear").touch()
        line = _wait_for(worker, None)[-1]
        assert line.startswith("torn "), line
        torn = int(line.split()[1])
        key = unlock_key(path, store, PASSPHRASE)
        assert PageChecker(path, key, None).run().failed == [torn]  # the file really is mid-copy now
        for _ in range(2):
            report = verify_database(db)
            assert report.problems == [] and report.ok
    finally:
        (control / "finish").touch()
        if db is not None:
            db.dispose()
        out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0 and "done" in out.split(), err
    assert PageChecker(path, key, None).run().failed == []  # the checkpoint finished: the page is whole
    db = open_database(path, store, PASSPHRASE)
    try:
        assert verify_database(db).ok
    finally:
        db.dispose()


def test_a_page_damaged_while_nobody_saves_is_reported_every_time(db_path: Path, store: SecretStore) -> None:
    """Bytes changed in the file of an open database (a page no read of SQLite's own meets: a free page,
    so only the page check can find it), nobody saving: named in SQLCipher's words on every run."""
    created = create_database(db_path, store)
    before = db_path.stat().st_size // PAGE_SIZE
    _fill(created.db)
    after = db_path.stat().st_size // PAGE_SIZE
    with created.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE filler")  # its pages stay in the file, free
    created.db.checkpoint()
    created.db.dispose()
    assert db_path.stat().st_size // PAGE_SIZE == after and after - before > 100
    db = open_database(db_path, store)
    try:
        page = (before + after) // 2
        _flip(db_path, (page - 1) * PAGE_SIZE + 200)
        for _ in range(3):
            report = verify_database(db)
            assert not report.ok
            assert report.problems == [f"cipher integrity: HMAC verification failed for page {page}"]
    finally:
        db.dispose(write_anchor=False)


def test_the_logs_saved_pages_are_read_as_sqlite_recovers_them(db_path: Path, store: SecretStore,
                                                               tmp_path: Path) -> None:
    created = create_database(db_path, store)
    db = created.db
    try:
        db.checkpoint()
        assert page_check.wal_pages(db_path) == set()  # an empty log holds nothing
        with db.session() as session:
            audit.record(session, "probe", "probe", "1")
            session.execute(text("SELECT 1"))
        saved = page_check.wal_pages(db_path)
        pages = db_path.stat().st_size // PAGE_SIZE
        assert saved and min(saved) >= 1 and max(saved) <= pages + len(saved)
        copy = tmp_path / "copy.db"
        shutil.copyfile(db_path, copy)
        log = bytearray(Path(f"{db_path}-wal").read_bytes())
        log[page_check.WAL_HEADER + page_check.WAL_FRAME_HEADER + 100] ^= 0xFF  # the first frame's page
        Path(f"{copy}-wal").write_bytes(bytes(log))
        assert page_check.wal_pages(copy) == set()  # a frame whose checksum fails ends the log
        Path(f"{copy}-wal").write_bytes(bytes(log[:page_check.WAL_HEADER + page_check.WAL_FRAME_HEADER]))
        assert page_check.wal_pages(copy) == set()  # a frame cut short is not there
        db.checkpoint()
        assert page_check.wal_pages(db_path) == set()
    finally:
        db.dispose()
