"""Other programs for the multi-process storage tests: ``python -m tests.core.storage_workers MODE …``.

The key is a passphrase (``ADOPTION_DESKTOP_PASSPHRASE``): a separate process has no in-memory keyring.

* ``writer TARGET STOP_FILE``: open (no upgrade), print ``ready``, then write one audit entry per
  transaction and print its number once committed (an *acknowledged* write) until STOP_FILE exists.
* ``holder TARGET SECONDS [RELEASE_FILE]``: open, write inside one transaction, print ``holding``, keep
  the write lock for SECONDS (a long import) or until RELEASE_FILE exists, commit, print ``done``.
* ``lease TARGET USER PASSWORD ENTITY ID``: open, sign in, take a presence lease on the record, print
  ``leased MARK`` (this program's ``core.running`` mark), then wait (for 120 s) to be ended.
* ``recovery_key TARGET USER PASSWORD RELEASE_FILE``: open, sign in, issue a new recovery key and, while it
  is "shown", print ``shown KEY`` and wait (up to 120 s) until RELEASE_FILE exists; then print ``done``, or
  ``refused: MESSAGE``.
* ``killed_backup TARGET OUT``: open, and back up to OUT; the program is killed (SIGKILL, as Task Manager
  ends it) once the snapshot has been written beside OUT, before it is checked.
* ``threads TARGET N ROUNDS``: one database shared by N threads, each writing and reading ROUNDS
  times; prints the number of entries written.
* ``items TARGET USER PASSWORD ARRANGEMENT CONTROL_DIR``: open, sign in, print ``ready``; each time
  CONTROL_DIR/save-N exists (N = 1, 2 …) log ``ITEMS_PER_BATCH`` letterbox items on the arrangement (one
  transaction each, as a coordinator saves them: the item and its search index row) and print ``saved N``;
  end once CONTROL_DIR/stop exists (or after 120 s without an order).
* ``items_until TARGET USER PASSWORD ARRANGEMENT STOP_FILE``: open, sign in, print ``ready``, then log one
  letterbox item per transaction and print its number until STOP_FILE exists.
* ``checkpoint_midway TARGET CONTROL_DIR``: open, save 20 audit entries (one transaction each), print
  ``saved``; once CONTROL_DIR/tear exists, copy one saved page from the write-ahead log into the file as a
  checkpoint does, but stop half-way through the page (print ``torn PAGE``): what a program reading the
  file sees while another program's checkpoint is copying that page. Once CONTROL_DIR/finish exists
  (or after 120 s), copy the rest of the page, run a real checkpoint and print ``done``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from adoption_desktop.core import audit
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database


def _open(target: str) -> Database:
    return open_database(target if target.startswith("postgresql") else Path(target), SecretStore(),
                         os.environ.get("ADOPTION_DESKTOP_PASSPHRASE"), upgrade=False)


def writer(target: str, stop_file: str) -> None:
    db = _open(target)
    print("ready", flush=True)
    i = 0
    try:
        while not os.path.exists(stop_file):
            i += 1
            with db.session() as session:
                audit.record(session, "probe", "probe", f"{os.getpid()}-{i}")
            print(i, flush=True)
    finally:
        db.dispose()


def holder(target: str, seconds: str, release: str = "") -> None:
    db = _open(target)
    with db.session() as session:
        for i in range(200):
            audit.record(session, "probe", "import", i)
        session.flush()
        print("holding", flush=True)
        until = time.monotonic() + float(seconds)
        while time.monotonic() < until and not (release and os.path.exists(release)):
            time.sleep(0.05)
    db.dispose()
    print("done", flush=True)


def lease(target: str, user: str, password: str, entity: str, entity_id: str) -> None:
    from adoption_desktop.core import presence, running
    from adoption_desktop.core.security.service import authenticate

    db = _open(target)
    presence.acquire(db, authenticate(db, user, password), entity, entity_id)
    print(f"leased {running.this_program()}", flush=True)
    time.sleep(120)


def recovery_key(target: str, user: str, password: str, release: str) -> None:
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security.service import authenticate
    from adoption_desktop.core.storage.recovery_key import replace_recovery_key

    db = _open(target)

    def show(key: str) -> None:  # the administrator reads the key in its window until RELEASE_FILE
        print(f"shown {key}", flush=True)
        for _ in range(1200):
            if Path(release).exists():
                return
            time.sleep(0.1)

    try:
        replace_recovery_key(db, authenticate(db, user, password), show=show)
    except AppError as exc:
        print(f"refused: {exc}", flush=True)
    else:
        print("done", flush=True)
    finally:
        db.dispose()


def threads(target: str, n: str, rounds: str) -> None:
    db = _open(target)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for i in range(int(rounds)):
                with db.session() as session:
                    audit.record(session, "probe", "thread", f"{threading.get_ident()}-{i}")
                with db.session(write=False) as session:
                    session.scalar(select(func.count()).select_from(audit.AuditEntry))
        except BaseException as exc:  # reported below, the test fails on it
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(int(n))]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    with db.session(write=False) as session:
        count = session.scalar(select(func.count()).select_from(audit.AuditEntry).where(
            audit.AuditEntry.entity == "thread"))
    db.dispose()
    if errors:
        print(f"errors: {errors[:3]!r}", flush=True)
        sys.exit(1)
    print(count, flush=True)


def killed_backup(target: str, out: str) -> None:
    import signal

    from adoption_desktop.core.storage import lifecycle

    db = _open(target)

    def killed(snapshot: Path, _db: Database) -> None:
        print("snapshot", snapshot.parent.name, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    lifecycle._check_snapshot = killed  # type: ignore[assignment]
    lifecycle.backup_database(db, Path(out))


def _saved_frames(path: Path) -> dict[int, bytes]:
    """Each page's latest saved copy in the write-ahead log of ``path`` (this program the only writer:
    the frames of the log's current generation, up to its last commit)."""
    import struct

    data = Path(f"{path}-wal").read_bytes()
    page_size, salts = struct.unpack(">I", data[8:12])[0], data[16:24]
    frames: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    at = 32
    while at + 24 + page_size <= len(data) and data[at + 8:at + 16] == salts:
        number, commit = struct.unpack(">II", data[at:at + 8])
        pending[number] = data[at + 24:at + 24 + page_size]
        if commit:
            frames.update(pending)
            pending = {}
        at += 24 + page_size
    return frames


def checkpoint_midway(target: str, control: str) -> None:
    from adoption_desktop.core.storage.page_check import PAGE_SIZE

    db = _open(target)
    path, ctl = Path(target), Path(control)
    try:
        for i in range(20):
            with db.session() as session:
                audit.record(session, "probe", "probe", f"{os.getpid()}-{i}")
        print("saved", flush=True)
        _wait_file(ctl / "tear")
        frames = _saved_frames(path)
        pages = path.stat().st_size // PAGE_SIZE
        with path.open("r+b", buffering=0) as fh:
            for number in sorted(frames):  # a page of the file that the log holds a newer copy of
                fh.seek((number - 1) * PAGE_SIZE)
                if 1 < number <= pages and fh.read(PAGE_SIZE) != frames[number]:
                    break
            else:
                raise SystemExit("no saved page to copy")
            new = frames[number]
            fh.seek((number - 1) * PAGE_SIZE)
            fh.write(new[:PAGE_SIZE // 2])  # the checkpoint's copy of this page is half done
            print(f"torn {number}", flush=True)
            _wait_file(ctl / "finish")
            fh.seek((number - 1) * PAGE_SIZE + PAGE_SIZE // 2)
            fh.write(new[PAGE_SIZE // 2:])
        raw = db.engine.raw_connection()  # no BEGIN: a checkpoint runs outside a transaction
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            raw.close()
        print("done", flush=True)
    finally:
        db.dispose()


#: items a batch of ``items`` logs: enough saves for the search index to merge its segments (FTS5 merges
#: four of a level into one and deletes them) several times over
ITEMS_PER_BATCH = 24


def _log_one_item(db: Database, actor: Principal, arrangement: int, n: int) -> None:
    import datetime as dt

    from adoption_desktop.letterbox import rules, service

    service.log_item(db, actor, arrangement, direction=rules.TO_ADOPTIVE,
                     received_on=dt.date.today(), writer="Gina Quillfield", log_again=True,
                     notes=f"synthetic note {os.getpid()} {n} word{n} heron{n % 7} birthday card")


def _signed_in(target: str, user: str, password: str) -> tuple[Database, Principal]:
    from adoption_desktop.core.security.service import authenticate

    db = _open(target)
    return db, authenticate(db, user, password)


def items(target: str, user: str, password: str, arrangement: str, control: str) -> None:
    db, actor = _signed_in(target, user, password)
    ctl = Path(control)
    print("ready", flush=True)
    try:
        batch, n = 0, 0
        while True:
            batch += 1
            _wait_file(ctl / f"save-{batch}", also=ctl / "stop")
            if not (ctl / f"save-{batch}").exists():
                break
            for _ in range(ITEMS_PER_BATCH):
                n += 1
                _log_one_item(db, actor, int(arrangement), n)
            print(f"saved {batch}", flush=True)
    finally:
        db.dispose()


def items_until(target: str, user: str, password: str, arrangement: str, stop_file: str) -> None:
    db, actor = _signed_in(target, user, password)
    print("ready", flush=True)
    i = 0
    try:
        while not os.path.exists(stop_file):
            i += 1
            _log_one_item(db, actor, int(arrangement), i)
            print(i, flush=True)
    finally:
        db.dispose()


def _wait_file(path: Path, seconds: float = 120, also: Path | None = None) -> None:
    until = time.monotonic() + seconds
    while not path.exists() and not (also and also.exists()) and time.monotonic() < until:
        time.sleep(0.02)


if __name__ == "__main__":
    {"writer": writer, "holder": holder, "lease": lease, "threads": threads,
     "recovery_key": recovery_key, "killed_backup": killed_backup,
     "checkpoint_midway": checkpoint_midway, "items": items, "items_until": items_until}[sys.argv[1]](*sys.argv[2:])
