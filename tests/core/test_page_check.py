"""The quick page check (core.storage.page_check) on real SQLCipher files: it agrees with SQLCipher on
every page, re-checks only runs whose bytes changed, keeps a record only of bytes that passed, and a
damaged page anywhere is still refused with SQLCipher's words, the file left byte for byte as it was."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from array import array
from pathlib import Path

import pytest
from sqlalchemy import text

from adoption_desktop.core.config import app_paths
from adoption_desktop.core.errors import DatabaseDamaged
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations, page_check
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import create_database, open_database, unlock_key
from adoption_desktop.core.storage.page_check import CHUNK_PAGES, PAGE_SIZE, PageChecker


def _fill(db: Database, rows: int = 1500) -> None:
    """Enough pages for several runs of CHUNK_PAGES (a bulk table of random-looking text)."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT)")
        conn.exec_driver_sql("INSERT INTO filler (body) VALUES " + ",".join(
            f"('{hashlib.sha512(str(i).encode()).hexdigest() * 4}')" for i in range(rows)))
    db.checkpoint()


@pytest.fixture
def filled(db_path: Path, store: SecretStore) -> tuple[Path, bytearray]:
    """A database of several runs of pages, closed, and its key."""
    created = create_database(db_path, store)
    _fill(created.db)
    created.db.dispose()
    return db_path, unlock_key(db_path, store, None)


def _record(path: Path) -> Path:
    return page_check.record_file(path, app_paths().data)


def _flip(path: Path, at: int, n: int = 8) -> None:
    data = bytearray(path.read_bytes())
    for i in range(at, at + n):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _sqlcipher_problems(path: Path, key: bytearray) -> list[str]:
    db = open_sqlcipher(path, key)
    try:
        with db.engine.connect() as conn:
            return [str(r[0]) for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()]
    finally:
        db.dispose(write_anchor=False)


def test_every_page_of_a_real_file_passes_as_sqlcipher_says(filled: tuple[Path, bytearray]) -> None:
    path, key = filled
    pages = path.stat().st_size // PAGE_SIZE
    assert pages > 3 * CHUNK_PAGES, "the file must span several runs for this test to mean anything"
    assert _sqlcipher_problems(path, key) == []
    outcome = PageChecker(path, key, None).run()
    assert outcome.failed == [] and not outcome.shrunk
    assert outcome.pages == pages and outcome.verified == pages


def test_a_second_check_recomputes_only_the_runs_that_changed(filled: tuple[Path, bytearray],
                                                               store: SecretStore) -> None:
    path, key = filled
    record = _record(path)
    first = PageChecker(path, key, record).run()
    assert first.verified == first.pages and record.exists()
    again = PageChecker(path, key, record).run()
    assert again.failed == [] and again.verified == 0  # nothing changed: nothing recomputed
    db = open_database(path, store)
    with db.session() as session:
        session.execute(text("UPDATE filler SET body = 'changed' WHERE id = 700"))
    db.checkpoint()
    db.dispose()
    after = PageChecker(path, key, record).run()
    assert after.failed == []
    assert 0 < after.verified < after.pages  # the changed runs only, and they pass


@pytest.mark.parametrize("where", ["ciphertext", "iv", "hmac"])
def test_a_changed_byte_in_any_part_of_a_page_is_refused_with_sqlciphers_words(
        filled: tuple[Path, bytearray], store: SecretStore, where: str) -> None:
    path, key = filled
    record = _record(path)
    PageChecker(path, key, record).run()  # a record that says the whole file was fine
    kept = record.read_bytes()
    page = (path.stat().st_size // PAGE_SIZE) // 2
    offset = {"ciphertext": 100, "iv": PAGE_SIZE - page_check.RESERVE + 4,
              "hmac": PAGE_SIZE - page_check.HMAC_SIZE + 10}[where]
    _flip(path, (page - 1) * PAGE_SIZE + offset)
    outcome = PageChecker(path, key, record).run()
    assert outcome.failed == [page]
    assert record.read_bytes() == kept  # a failed check keeps no record
    before = path.read_bytes()
    with pytest.raises(DatabaseDamaged) as err:
        open_database(path, store)
    assert "damaged" in str(err.value).lower() and "hmac" in str(err.value).lower()
    assert path.read_bytes() == before


def test_page_one_is_checked_after_its_salt(filled: tuple[Path, bytearray]) -> None:
    path, key = filled
    _flip(path, page_check.SALT_SIZE + 200)
    assert PageChecker(path, key, None).run().failed == [1]


def test_a_record_of_another_file_or_of_nothing_is_not_trusted(filled: tuple[Path, bytearray],
                                                                tmp_path: Path, store: SecretStore) -> None:
    path, key = filled
    record = _record(path)
    PageChecker(path, key, record).run()
    data = json.loads(record.read_text(encoding="utf-8"))
    data["salt"] = "00" * page_check.SALT_SIZE  # the record of another database at this path
    record.write_text(json.dumps(data), encoding="utf-8")
    outcome = PageChecker(path, key, record).run()
    assert outcome.verified == outcome.pages
    for garbage in ("", "not json", json.dumps({"format": 1, "crc": "!!"}), json.dumps([1, 2])):
        record.write_text(garbage, encoding="utf-8")
        outcome = PageChecker(path, key, record).run()
        assert outcome.failed == [] and outcome.verified == outcome.pages


def test_a_file_with_fewer_pages_than_recorded_goes_to_sqlcipher(filled: tuple[Path, bytearray]) -> None:
    path, key = filled
    record = _record(path)
    PageChecker(path, key, record).run()
    data = json.loads(record.read_text(encoding="utf-8"))
    data["pages"] += CHUNK_PAGES  # as if the file had been longer when last checked
    crcs = array("I")
    crcs.frombytes(base64.b64decode(data["crc"]))
    crcs.append(0)
    data["crc"] = base64.b64encode(crcs.tobytes()).decode()
    record.write_text(json.dumps(data), encoding="utf-8")
    assert PageChecker(path, key, record).run().shrunk


def test_the_open_keeps_the_record_and_a_deferred_check_runs_on_the_callers_thread(
        filled: tuple[Path, bytearray], store: SecretStore) -> None:
    path, _key = filled
    record = _record(path)
    assert not record.exists()
    db = open_database(path, store, defer_page_check=True)
    try:
        assert db.page_check_inline and db.page_check_pending
        db.start_page_check()
        assert db.page_check is not None and db.page_check.done()  # ran here, not on a thread
        db.wait_checked()
    finally:
        db.dispose()
    assert record.exists()
    _flip(path, (path.stat().st_size // PAGE_SIZE // 2) * PAGE_SIZE + 300)
    before = path.read_bytes()
    db = open_database(path, store, defer_page_check=True)
    db.start_page_check()
    with pytest.raises(DatabaseDamaged):
        db.wait_checked()
    with pytest.raises(DatabaseDamaged), db.session() as session:  # every time
        session.execute(text("UPDATE filler SET body = 'changed' WHERE id = 1"))
    db.dispose()
    assert path.read_bytes() == before


def test_without_a_raw_key_sqlciphers_check_runs(filled: tuple[Path, bytearray]) -> None:
    path, _key = filled
    db = open_sqlcipher(path, _key)
    try:
        assert migrations.page_checker(db, None) is None
        assert migrations.page_checker(db, bytearray(16)) is None
        migrations.check_pages(db, None)  # SQLCipher's own check: passes
    finally:
        db.dispose(write_anchor=False)


def test_checks_while_another_program_writes_and_checkpoints_never_call_the_file_damaged(
        tmp_path: Path, store: SecretStore) -> None:
    """Another process commits audit entries while this one checkpoints them into the file (pages of
    the file rewritten under the check's reads) and checks the pages 30 times, keeping its record: never
    a false "damaged", and the other program's acknowledged writes are all there afterwards."""
    from tests.core.test_holds import PASSPHRASE, _new_database, _stop_writers, _wait_for, _worker

    env = dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data"), ADOPTION_DESKTOP_NO_PG="1")
    path = _new_database(tmp_path, store)
    db = open_database(path, store, PASSPHRASE)
    _fill(db, 3000)
    key = unlock_key(path, store, PASSPHRASE)
    checker = migrations.page_checker(db, key)
    assert checker is not None
    stop, halt = tmp_path / "stop", threading.Event()
    writer = _worker(env, "writer", str(path), str(stop))

    def checkpoints() -> None:
        raw = db.engine.raw_connection()  # no BEGIN: a checkpoint runs outside a transaction
        try:
            while not halt.is_set():
                raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            raw.close()

    thread = threading.Thread(target=checkpoints)
    try:
        first = _wait_for(writer, "ready", writes=5)
        thread.start()
        verified = 0
        for _ in range(30):
            outcome = checker.run()  # the quick check itself, before any fallback to SQLCipher
            assert outcome.failed == [] and not outcome.shrunk
            verified += outcome.verified
            migrations.check_pages(db, checker)  # and as an open runs it: raises DatabaseDamaged on a false alarm
        first += _wait_for(writer, None, writes=5)
        assert verified > 0  # the other program's writes reached the file while it was checked
    finally:
        halt.set()
        if thread.is_alive():
            thread.join()
        acknowledged = _stop_writers([writer], stop, [first])
        db.dispose()
    db = open_database(path, store, PASSPHRASE)
    try:
        with db.session(write=False) as session:
            probes = session.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'probe'")).scalar_one()
    finally:
        db.dispose()
    assert probes >= acknowledged > 0


def test_a_page_that_passes_only_when_read_again_passes_but_keeps_no_record(
        filled: tuple[Path, bytearray], monkeypatch: pytest.MonkeyPatch) -> None:
    """As when another program's checkpoint was writing the page under the first read."""
    path, key = filled
    record = _record(path)
    checker = PageChecker(path, key, record)
    real, torn = PageChecker._page_ok, {7}

    def first_read_torn(self: PageChecker, number: int, page: memoryview) -> bool:
        if number in torn:
            torn.discard(number)
            return False
        return real(self, number, page)

    monkeypatch.setattr(PageChecker, "_page_ok", first_read_torn)
    outcome = checker.run()
    assert outcome.failed == [] and outcome.reread
    assert not record.exists()  # the run's CRC was taken of the torn read
    monkeypatch.setattr(PageChecker, "_page_ok", lambda self, number, page: number != 7 and real(self, number, page))
    assert checker.run().failed == [7]  # fails every read: reported


@pytest.mark.parametrize("change", ["cut inside a page", "bytes added after the last page"])
def test_a_file_that_is_not_whole_pages_is_refused(filled: tuple[Path, bytearray], store: SecretStore,
                                                  change: str) -> None:
    """A multiple of 512 bytes (so the file's shape passes) that is not a multiple of the page size."""
    path, key = filled
    record = _record(path)
    PageChecker(path, key, record).run()
    with path.open("r+b") as fh:
        if change == "cut inside a page":
            fh.truncate(path.stat().st_size - 3584)
        else:
            fh.seek(0, 2)
            fh.write(bytes(512))
    outcome = PageChecker(path, key, record).run()
    assert outcome.failed == [path.stat().st_size // PAGE_SIZE + 1]
    before = path.read_bytes()
    with pytest.raises(DatabaseDamaged):
        open_database(path, store)
    assert path.read_bytes() == before


def test_the_lock_byte_page_is_never_read_nor_checked(filled: tuple[Path, bytearray],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Files of 1 GiB or more hold SQLite's locks in the page at byte 0x40000000, which is never written
    (a read of it can fail on Windows): moved here to page 100 of a small file, zeroed, it passes, and
    the pages beside it are still read and checked."""
    path, key = filled
    monkeypatch.setattr(page_check, "LOCK_PAGE", 100)
    data = bytearray(path.read_bytes())
    data[99 * PAGE_SIZE:100 * PAGE_SIZE] = bytes(PAGE_SIZE)
    path.write_bytes(bytes(data))
    outcome = PageChecker(path, key, None).run()
    assert outcome.failed == [] and outcome.verified == outcome.pages
    _flip(path, 100 * PAGE_SIZE + 50)  # page 101, right after it
    assert PageChecker(path, key, None).run().failed == [101]


def test_a_file_that_cannot_be_read_here_is_judged_by_sqlcipher(filled: tuple[Path, bytearray],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A read error of the quick check (a sharing violation, a network share's hiccup) is not "damaged":
    SQLCipher's own check decides."""
    path, key = filled

    def refused(self: PageChecker) -> page_check.Outcome:
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(PageChecker, "run", refused)
    db = open_sqlcipher(path, key)
    try:
        migrations.check_pages(db, migrations.page_checker(db, key))  # healthy: passes
    finally:
        db.dispose(write_anchor=False)
    _flip(path, (path.stat().st_size // PAGE_SIZE // 2) * PAGE_SIZE + 70)
    db = open_sqlcipher(path, key)
    try:
        with pytest.raises(DatabaseDamaged):
            migrations.check_pages(db, migrations.page_checker(db, key))
    finally:
        db.dispose(write_anchor=False)


def test_an_interrupted_check_stops_the_command_and_never_leaves_a_wait_hanging(
        filled: tuple[Path, bytearray], store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    path, _key = filled
    db = open_database(path, store, defer_page_check=True)

    def interrupted(self: PageChecker) -> page_check.Outcome:
        assert db.page_check is not None and not db.page_check.done()  # pending while it runs
        raise KeyboardInterrupt

    monkeypatch.setattr(PageChecker, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        db.start_page_check()
    with pytest.raises(KeyboardInterrupt):
        db.wait_checked()
    db.dispose(write_anchor=False)
