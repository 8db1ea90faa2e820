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
import struct
from pathlib import Path

from sqlalchemy import text

from adoption_desktop.core import audit
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import page_check
from adoption_desktop.core.storage.engine import read_connection
from adoption_desktop.core.storage.lifecycle import (
    create_database,
    open_database,
    unlock_key,
    verify_database,
)
from adoption_desktop.core.storage.page_check import PAGE_SIZE, PageChecker, _wal_checksum
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
        assert PageChecker(path, key, None).good_in_log([torn]) == {torn}  # SQLite reads the log's good copy
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
    before, after = _free_pages(db_path, store)
    assert db_path.stat().st_size // PAGE_SIZE == after
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


def _frames_of_log(path: Path) -> list[int]:
    """The page number of each frame of the log's current generation (its header's salts), read from the
    log itself."""
    log = Path(f"{path}-wal").read_bytes()
    frame_size = page_check.WAL_FRAME_HEADER + PAGE_SIZE
    return [struct.unpack(">I", log[at:at + 4])[0]
            for at in range(page_check.WAL_HEADER, len(log) - frame_size + 1, frame_size)
            if log[at + 8:at + 16] == log[16:24]]


def test_the_pages_sqlite_reads_from_the_log_are_read_from_the_wal_index(db_path: Path, store: SecretStore,
                                                                         tmp_path: Path) -> None:
    """wal_pages: the frames the wal-index (-shm) says are saved and not yet copied into the file, past
    its first block of 4062 frames too; nothing without a -shm, with one whose two header copies
    disagree or whose checksum fails, or past the bound."""
    created = create_database(db_path, store)
    db = created.db
    try:
        db.checkpoint()
        assert page_check.wal_pages(db_path) == set()  # an empty log holds nothing
        with db.session() as session:
            audit.record(session, "probe", "probe", "1")
            session.execute(text("SELECT 1"))
        saved = page_check.wal_pages(db_path)
        assert saved and saved == set(_frames_of_log(db_path))
        index = page_check.wal_index(db_path)
        assert index is not None and index.backfilled == 0 and index.max_frame == len(_frames_of_log(db_path))

        copy = tmp_path / "copy.db"
        shutil.copyfile(db_path, copy)
        shutil.copyfile(f"{db_path}-wal", f"{copy}-wal")
        assert page_check.wal_pages(copy) == set()  # no wal-index: nothing is taken from the log
        shm = bytearray(Path(f"{db_path}-shm").read_bytes())
        Path(f"{copy}-shm").write_bytes(bytes(shm))
        assert page_check.wal_pages(copy) == saved
        torn = bytearray(shm)
        torn[page_check.SHM_HEADER + 16] ^= 1  # the second copy's mxFrame: a writer is changing the header
        Path(f"{copy}-shm").write_bytes(bytes(torn))
        assert page_check.wal_index(copy) is None and page_check.wal_pages(copy) == set()
        for at in (16, page_check.SHM_HEADER + 16):  # both copies changed alike: the checksum fails
            torn[at] = shm[at] ^ 1
        Path(f"{copy}-shm").write_bytes(bytes(torn))
        assert page_check.wal_index(copy) is None

        with read_connection(db.engine) as reader:  # a reader holds checkpoints back: the log grows
            reader.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE big (x)")
                conn.exec_driver_sql("INSERT INTO big (x) VALUES "
                                     + ",".join("(randomblob(3000))" for _ in range(5000)))
            frames = _frames_of_log(db_path)
            index = page_check.wal_index(db_path)
            assert index is not None and index.max_frame == len(frames)
            assert index.backfilled < 100  # copied only up to where the reader began
            assert len(frames) > page_check.SHM_FIRST_FRAMES + 100  # into the wal-index's second block
            unbackfilled = frames[index.backfilled:]
            assert page_check.wal_pages(db_path) == set(unbackfilled)
            early, late = unbackfilled[0], frames[-1]  # a page whose last frame is in the second block
            key = unlock_key(db_path, store, None)
            assert PageChecker(db_path, key, None).good_in_log([late, early]) == {late, early}
            bound = page_check.MAX_LOG_FRAMES
            page_check.MAX_LOG_FRAMES = len(unbackfilled) - 1
            try:
                assert page_check.wal_pages(db_path) == set()  # more than the bound: nothing is read
                assert PageChecker(db_path, key, None).good_in_log([late]) == set()
            finally:
                page_check.MAX_LOG_FRAMES = bound
        db.checkpoint()
        assert page_check.wal_pages(db_path) == set()
    finally:
        db.dispose()


def _free_pages(db_path: Path, store: SecretStore) -> tuple[int, int]:
    """A closed database with a dropped table's pages left free in the file, checkpointed: the first and
    one-past-the-last of those pages."""
    created = create_database(db_path, store)
    before = db_path.stat().st_size // PAGE_SIZE
    _fill(created.db)
    after = db_path.stat().st_size // PAGE_SIZE
    with created.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE filler")  # its pages stay in the file, free
    created.db.checkpoint()
    created.db.dispose()
    assert after - before > 100
    return before, after


def _forge_wal(db_path: Path, page: int) -> None:
    """What anyone who can write the -wal file can make without the key: a log header and one "committed"
    frame of zeros for PAGE, with SQLite's checksums computed (a reviewer's reproduction)."""
    salt1, salt2 = 1234, 5678
    head = struct.pack(">6I", page_check.WAL_MAGIC[0], 3007000, PAGE_SIZE, 0, salt1, salt2)
    sums = _wal_checksum(head, 0, 0, False)
    header = head + struct.pack(">2I", *sums)
    data = bytes(PAGE_SIZE)
    frame_head = struct.pack(">2I", page, page + 10)
    sums = _wal_checksum(frame_head, *sums, False)
    sums = _wal_checksum(data, *sums, False)
    frame = frame_head + struct.pack(">2I", salt1, salt2) + struct.pack(">2I", *sums) + data
    Path(f"{db_path}-wal").write_bytes(header + frame)


def test_a_log_frame_made_up_without_the_key_does_not_hide_a_damaged_page(db_path: Path,
                                                                          store: SecretStore) -> None:
    """A damaged page, and a made-up log lying beside the file claiming a saved copy of it (right
    checksums, wrong contents: no key is needed to make one). The old code took the log's word and said
    "intact"; the page is damaged and SQLite never reads that frame."""
    before, after = _free_pages(db_path, store)
    db = open_database(db_path, store)
    try:
        db.checkpoint()
        page = (before + after) // 2
        _flip(db_path, (page - 1) * PAGE_SIZE + 200)
        damaged = [f"cipher integrity: HMAC verification failed for page {page}"]
        assert verify_database(db).problems == damaged
        _forge_wal(db_path, page)
        report = verify_database(db)
        assert not report.ok and report.problems == damaged
        with db.engine.begin() as conn:  # the program goes on saving with the made-up log there
            conn.exec_driver_sql("CREATE TABLE t2 (x)")
        report = verify_database(db)
        assert not report.ok and report.problems == damaged
    finally:
        db.dispose(write_anchor=False)


def test_a_real_saved_copy_already_copied_into_the_file_does_not_hide_a_damaged_page(
        db_path: Path, store: SecretStore) -> None:
    """A page saved, its frame copied into the file by a checkpoint that left the log in place (as
    SQLite's own checkpoints do): the frame is genuine (it passes the page's HMAC) but SQLite no longer
    reads it, it reads the file. Damage to the file's copy is reported; and a genuine frame of that page
    replayed after the log's last saved frame (one SQLite does not use) does not hide it either."""
    before, after = _free_pages(db_path, store)
    db = open_database(db_path, store)
    try:
        db.checkpoint()
        page = (before + after) // 2
        with db.engine.begin() as conn:  # the pages of a new table come from the free ones
            conn.exec_driver_sql("CREATE TABLE t2 (x)")
            conn.exec_driver_sql("INSERT INTO t2 (x) VALUES " + ",".join("(randomblob(300))" for _ in range(4000)))
        saved = page_check.wal_pages(db_path)
        assert page in saved, "the test needs a saved copy of the page in the log"
        raw = db.engine.raw_connection()  # copied into the file, the log kept (not TRUNCATE)
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            raw.close()
        log = Path(f"{db_path}-wal").read_bytes()
        frame_size = page_check.WAL_FRAME_HEADER + PAGE_SIZE
        frames = [log[at:at + frame_size] for at in range(page_check.WAL_HEADER, len(log) - frame_size + 1,
                                                          frame_size)]
        genuine = [f for f in frames if struct.unpack(">I", f[:4])[0] == page][-1]
        key = unlock_key(db_path, store, None)
        assert PageChecker(db_path, key, None)._page_ok(page, memoryview(genuine)[page_check.WAL_FRAME_HEADER:])
        _flip(db_path, (page - 1) * PAGE_SIZE + 200)
        damaged = [f"cipher integrity: HMAC verification failed for page {page}"]
        report = verify_database(db)
        assert not report.ok and damaged[0] in report.problems  # SQLite's own check may see it too
        with Path(f"{db_path}-wal").open("ab") as fh:  # replayed past the log's end: SQLite does not use it
            fh.write(genuine)
        report = verify_database(db)
        assert not report.ok and damaged[0] in report.problems  # SQLite's own check may see it too
    finally:
        db.dispose(write_anchor=False)


def _rechecksum(log: bytearray) -> None:
    """Recompute SQLite's checksums of a whole log (header and every frame): no key is needed."""
    big = bool(struct.unpack(">I", log[:4])[0] & 1)
    sums = _wal_checksum(bytes(log[:24]), 0, 0, big)
    log[24:32] = struct.pack(">2I", *sums)
    frame_size = page_check.WAL_FRAME_HEADER + PAGE_SIZE
    for at in range(page_check.WAL_HEADER, len(log) - frame_size + 1, frame_size):
        sums = _wal_checksum(bytes(log[at:at + 8]), *sums, big)
        sums = _wal_checksum(bytes(log[at + page_check.WAL_FRAME_HEADER:at + frame_size]), *sums, big)
        log[at + 16:at + 24] = struct.pack(">2I", *sums)


def test_a_saved_copy_changed_without_the_key_does_not_hide_a_damaged_page(db_path: Path,
                                                                            store: SecretStore) -> None:
    """A page whose saved copy SQLite reads from the log (not yet copied into the file): its older copy
    in the file is not judged, even damaged. But the log's copy changed by someone without the key, with
    SQLite's checksums made right again, fails the page's own HMAC: the page is reported. The old code
    took the checksums' word and said "intact"."""
    before, after = _free_pages(db_path, store)
    db = open_database(db_path, store)
    try:
        db.checkpoint()
        page = (before + after) // 2
        with db.engine.begin() as conn:  # the pages of a new table come from the free ones
            conn.exec_driver_sql("CREATE TABLE t2 (x)")
            conn.exec_driver_sql("INSERT INTO t2 (x) VALUES " + ",".join("(randomblob(300))" for _ in range(4000)))
        with db.engine.begin() as conn:  # free again: no read of SQLite's own meets the page
            conn.exec_driver_sql("DROP TABLE t2")
        assert page in page_check.wal_pages(db_path), "the test needs a saved copy of the page in the log"
        _flip(db_path, (page - 1) * PAGE_SIZE + 200)  # the file's old copy, which SQLite does not read
        assert verify_database(db).ok
        log = bytearray(Path(f"{db_path}-wal").read_bytes())
        frame_size = page_check.WAL_FRAME_HEADER + PAGE_SIZE
        last = [at for at in range(page_check.WAL_HEADER, len(log) - frame_size + 1, frame_size)
                if struct.unpack(">I", log[at:at + 4])[0] == page][-1]
        log[last + page_check.WAL_FRAME_HEADER:last + frame_size] = bytes(PAGE_SIZE)
        _rechecksum(log)
        Path(f"{db_path}-wal").write_bytes(bytes(log))
        report = verify_database(db)
        assert not report.ok
        assert report.problems == [f"cipher integrity: HMAC verification failed for page {page}"]
    finally:
        db.dispose(write_anchor=False)
