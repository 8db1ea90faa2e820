"""A new recovery key (``core.storage.recovery_key``, ``adoption-desktop new-recovery-key``).

An administrator replaces the recovery key's wrapping in ``NAME.db.keys``: the old recovery key no longer
opens the database, the new one does; the database key (and so every keyring entry) is unchanged; one
audit entry, no key material in it. Refused, with nothing changed, to a non-administrator, for a server and
when the key is not available. A failure or a crash part-way (a real program killed at each step) leaves the recovery key the
administrator holds working, and the audit log saying what is in force. Two administrators at once (two
real processes): one new key wins, the other is told and changes nothing. ``recover`` run meanwhile
(another real process) keeps the new recovery key.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adoption_desktop.cli import ENV_USER_PASSWORD, main
from adoption_desktop.cli_support import ENV_RECOVERY_KEY
from adoption_desktop.core import audit
from adoption_desktop.core.audit.readable import action_label
from adoption_desktop.core.errors import AppError, Conflict, KeyUnavailable, PermissionDenied
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import recovery_key
from adoption_desktop.core.storage.lifecycle import (
    backup_database,
    create_database,
    open_database,
    restore_database,
)
from adoption_desktop.core.storage.recovery_key import AUDIT_ACTION, recovery_stamp, replace_recovery_key
from tests.conftest import TEST_PASSWORD, MemoryKeyring, make_user

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "worker passphrase"


def _entries(path: Path, store: SecretStore, passphrase: str | None = None) -> list[audit.AuditRow]:
    db = open_database(path, store, passphrase)
    try:
        with db.session(write=False) as session:
            return [e for e in audit.query_entries(session, audit.AuditFilter(), limit=200) if e.action == AUDIT_ACTION]
    finally:
        db.dispose()


def _opens_with(path: Path, recovery: str) -> bool:
    try:
        keys.wipe(keys.key_from_recovery(keys.KeyEnvelope.load(keys.key_file_for(path)), recovery))
    except KeyUnavailable:
        return False
    return True


def _created(tmp_path: Path, store: SecretStore, passphrase: str | None = None) -> tuple[Path, str]:
    """A new database with an administrator ``admin`` and a clerk; its path and first recovery key."""
    created = create_database(tmp_path / "agency.db", store, passphrase)
    make_user(created.db, "admin", Role.ADMINISTRATOR)
    make_user(created.db, "clerk", Role.LETTERBOX_COORDINATOR)
    created.db.dispose()
    return tmp_path / "agency.db", created.recovery_key


def test_the_new_key_opens_the_database_the_old_one_no_longer_and_the_database_key_is_kept(
        tmp_path: Path, store: SecretStore, _isolation: MemoryKeyring) -> None:
    path, old = _created(tmp_path, store)
    before = keys.KeyEnvelope.load(keys.key_file_for(path))
    keyring_before = dict(_isolation.store)
    db = open_database(path, store)
    try:
        admin = make_user(db, "admin2", Role.ADMINISTRATOR)
        new = replace_recovery_key(db, admin)
    finally:
        db.dispose()
    after = keys.KeyEnvelope.load(keys.key_file_for(path))
    assert (after.db_id, after.mode, after.passphrase) == (before.db_id, before.mode, before.passphrase)
    assert dict(_isolation.store) == keyring_before  # every Windows user's keyring entry keeps working
    assert new != old and not _opens_with(path, old) and _opens_with(path, new)
    key = keys.load_key(after, store)
    assert keys.key_from_recovery(after, new) == key
    # no copy of the old wrapping beside the database
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("agency.db.keys")) == ["agency.db.keys"]
    (entry,) = _entries(path, store)
    assert entry.actor == "admin2" and action_label(entry.action) == "Recovery key replaced"
    text = f"{entry.detail} {entry.changes} {entry.entity_id}"
    assert old not in text and new not in text and key.hex() not in text


def test_command_prints_the_key_once_with_the_sheet_and_recover_takes_only_the_new_key(
        tmp_path: Path, store: SecretStore, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, _isolation: MemoryKeyring) -> None:
    path, old = _created(tmp_path, store)
    db = open_database(path, store)
    try:
        backup = backup_database(db, tmp_path / "before.adkbak")  # made with the old key file
    finally:
        db.dispose()
    monkeypatch.setenv(ENV_USER_PASSWORD, TEST_PASSWORD)
    sheet = tmp_path / "sheet.pdf"
    assert main(["new-recovery-key", "--db", str(path), "--user", "admin", "--pdf", str(sheet)]) == 0
    out = capsys.readouterr().out
    new = next(w for w in out.split() if len(w) == 35 and w.count("-") == 5)
    assert out.count(new) == 1 and _opens_with(path, new) and not _opens_with(path, old)
    assert "no longer opens" in out and "Backups made before now still open with the OLD recovery key" in out
    assert sheet.read_bytes().startswith(b"%PDF")
    assert len(_entries(path, store)) == 1

    _isolation.store.clear()  # the keyring entry lost: recover with the old key fails, with the new one works
    monkeypatch.setenv(ENV_RECOVERY_KEY, old)
    assert main(["recover", "--db", str(path)]) == 2
    assert "does not match" in capsys.readouterr().err
    monkeypatch.setenv(ENV_RECOVERY_KEY, new)
    assert main(["recover", "--db", str(path)]) == 0
    open_database(path, store).dispose()

    # as the command says: the backup from before opens with the old recovery key, not the new one
    _isolation.store.clear()
    with pytest.raises(KeyUnavailable):
        restore_database(backup, tmp_path / "r1.db", store, recovery_key=new)
    restore_database(backup, tmp_path / "r2.db", store, recovery_key=old)
    open_database(tmp_path / "r2.db", store).dispose()


def test_refused_with_nothing_changed_for_a_non_administrator_a_server_and_an_unavailable_key(
        tmp_path: Path, store: SecretStore, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, _isolation: MemoryKeyring) -> None:
    path, old = _created(tmp_path, store)
    key_file = keys.key_file_for(path)
    original = key_file.read_bytes()
    monkeypatch.setenv(ENV_USER_PASSWORD, TEST_PASSWORD)

    assert main(["new-recovery-key", "--db", str(path), "--user", "clerk"]) == 2
    err = capsys.readouterr().err
    assert "only an administrator may replace the recovery key" in err and "Nothing was changed" in err
    assert main(["new-recovery-key", "--db", str(path)]) == 2  # no user at all
    assert "--user NAME is needed" in capsys.readouterr().err
    assert main(["new-recovery-key", "--db", str(path), "--user", "admin", "--pdf", str(tmp_path / "key.txt")]) == 2
    assert "--pdf: give a file name ending .pdf" in capsys.readouterr().err  # before anything is opened

    url = "postgresql+psycopg://app:s3cret@server/agency"
    assert main(["new-recovery-key", "--db", url, "--user", "admin"]) == 2
    err = capsys.readouterr().err
    assert "PostgreSQL server" in err and "no key file" in err and "s3cret" not in err

    _isolation.store.clear()  # this computer's keyring no longer holds the key
    assert main(["new-recovery-key", "--db", str(path), "--user", "admin"]) == 2
    assert "recover" in capsys.readouterr().err

    assert key_file.read_bytes() == original and _opens_with(path, old)
    monkeypatch.setenv(ENV_RECOVERY_KEY, old)
    assert main(["recover", "--db", str(path)]) == 0
    assert _entries(path, store) == []
    db = open_database(path, store)
    try:
        clerk = make_user(db, "clerk2", Role.COUNSELLOR)
        with pytest.raises(PermissionDenied):
            replace_recovery_key(db, clerk)
    finally:
        db.dispose()
    assert key_file.read_bytes() == original


@pytest.mark.parametrize("where", ["missing folder", "a file as folder", "read-only folder"])
def test_a_pdf_that_cannot_be_written_is_refused_before_the_key_is_replaced(
        tmp_path: Path, store: SecretStore, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """User trial, 6 December: ``--pdf /nonexistent/dir/k.pdf`` replaced the key, then failed with exit 2 ("the
    sheet could not be written"), so a script read a failure although the key had changed. Now refused first."""
    path, old = _created(tmp_path, store)
    key_file = keys.key_file_for(path)
    original = key_file.read_bytes()
    monkeypatch.setenv(ENV_USER_PASSWORD, TEST_PASSWORD)
    if where == "missing folder":
        sheet = tmp_path / "nonexistent" / "dir" / "k.pdf"
    elif where == "a file as folder":
        (tmp_path / "notes.txt").write_text("x")
        sheet = tmp_path / "notes.txt" / "k.pdf"
    else:  # the folder exists but refuses a new file (read only; no permission; as root only simulated)
        from adoption_desktop.core import files

        folder = tmp_path / "locked"
        folder.mkdir()
        real = files.tempfile.mkstemp

        def refused(*a: object, **k: object) -> object:
            if Path(str(k.get("dir"))) == folder:
                raise PermissionError(13, "Permission denied")
            return real(*a, **k)  # type: ignore[call-overload]

        monkeypatch.setattr(files.tempfile, "mkstemp", refused)
        sheet = folder / "k.pdf"
    assert main(["new-recovery-key", "--db", str(path), "--user", "admin", "--pdf", str(sheet)]) == 2
    monkeypatch.undo()
    captured = capsys.readouterr()
    assert "--pdf:" in captured.err and "nothing changed" in captured.err
    assert str(sheet.parent) in captured.err and "RECOVERY KEY" not in captured.out
    assert key_file.read_bytes() == original and _opens_with(path, old)
    assert _entries(path, store) == []
    if sheet.parent.is_dir():  # no sheet, and no check file left beside it
        assert list(sheet.parent.iterdir()) == []


def test_a_server_is_refused(pg_db: object) -> None:
    from adoption_desktop.core.security.permissions import Principal
    from adoption_desktop.core.storage.engine import Database

    assert isinstance(pg_db, Database)
    admin = Principal(0, "system-admin", "Admin", frozenset({Role.ADMINISTRATOR}))
    with pytest.raises(AppError, match="team server"):
        replace_recovery_key(pg_db, admin)


def test_a_failure_part_way_leaves_the_old_key_file_whole(
        tmp_path: Path, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    path, old = _created(tmp_path, store)
    key_file = keys.key_file_for(path)
    original = key_file.read_bytes()
    db = open_database(path, store)
    try:
        admin = make_user(db, "admin2", Role.ADMINISTRATOR)
        with monkeypatch.context() as m:  # the rename fails (a disk error, a virus scanner holding the file)
            def no_rename(*_a: object) -> None:
                raise OSError(5, "Input/output error")

            m.setattr(keys.os, "replace", no_rename)
            with pytest.raises(OSError):
                replace_recovery_key(db, admin)
        assert key_file.read_bytes() == original
        with monkeypatch.context() as m:  # written, but it did not read back: the old one is put back
            def unreadable(*_a: object) -> None:
                raise KeyUnavailable("did not read back")

            m.setattr(recovery_key, "_check_saved", unreadable)
            with pytest.raises(KeyUnavailable):
                replace_recovery_key(db, admin)
        assert key_file.read_bytes() == original
    finally:
        db.dispose()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert _opens_with(path, old) and _entries(path, store) == []  # no entry for a replacement not made
    open_database(path, store).dispose()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE, ADOPTION_DESKTOP_PASSWORD=TEST_PASSWORD,
                PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", ADOPTION_DESKTOP_BUSY_WAIT="120",
                ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data"), ADOPTION_DESKTOP_NO_PG="1")


#: the child program: the CLI with one step of the replacement made to kill it (no clean-up runs)
CRASHES = {
    # the new key file written, the rename never made
    "before the rename": "keys.os = types.SimpleNamespace(**{**vars(os), 'replace': lambda *a: os._exit(9)})\n",
    # the new file renamed into place, the audit entry not committed, the key never shown
    "after the rename": "recovery_key._check_saved = lambda *a: os._exit(9)\n",
    # the audit entry committed, the key not yet shown
    "after the commit": ("issue = recovery_key.replace_recovery_key\n"
                         "recovery_key.replace_recovery_key = lambda *a, **k: issue(*a, **{**k, 'show': "
                         "lambda _key: os._exit(9)})\n"),
    # the key printed, the old one not yet withdrawn
    "after the key was shown": "recovery_key._withdraw = lambda *a: os._exit(9)\n",
}


def _printed_key(out: str) -> str | None:
    return next((w for w in out.split() if len(w) == 35 and w.count("-") == 5), None)


@pytest.mark.parametrize("point", list(CRASHES))
def test_a_crash_at_any_step_leaves_a_key_the_administrator_holds_working_and_the_audit_says_so(
        point: str, tmp_path: Path, store: SecretStore, env: dict[str, str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The program dies at each step of a new recovery key: the old key (which the administrator holds)
    or the new one it printed opens the database; the audit log says a new key was issued exactly when
    the new key is in force; the replacement left unfinished is told by ``verify`` and ended by the next
    one, which also removes a temporary file the dead program left."""
    path, old = _created(tmp_path, store, PASSPHRASE)
    key_file = keys.key_file_for(path)
    original = key_file.read_bytes()
    crash = ("import os, sys, types\n"
             "from adoption_desktop.core.security import keys\n"
             "from adoption_desktop.core.storage import recovery_key\n"
             + CRASHES[point] +
             "from adoption_desktop.cli import main\n"
             "sys.exit(main(sys.argv[1:]))\n")
    run = subprocess.run([sys.executable, "-c", crash, "new-recovery-key", "--db", str(path), "--user", "admin"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 9, run.stderr
    printed = _printed_key(run.stdout)
    assert (printed is not None) == (point == "after the key was shown")
    assert _opens_with(path, old)  # whatever the step: the key the administrator holds
    if printed is not None:
        assert _opens_with(path, printed)
    entries = _entries(path, store, PASSPHRASE)
    committed = point in ("after the commit", "after the key was shown")
    assert len(entries) == committed  # no entry for a replacement that was never in force
    if committed:  # the entry says what is true now: the old key works until the new one has been shown
        assert "stops opening this database once the new one has been shown" in (entries[0].detail or "")
    stray = [p.name for p in tmp_path.iterdir() if p.name.startswith("agency.db.keys.") and p.name.endswith(".tmp")]
    if point == "before the rename":
        assert key_file.read_bytes() == original and len(stray) == 1  # the old file, whole; a stray left
        assert not recovery_key.unfinished_replacement(path)
    else:
        assert recovery_key.unfinished_replacement(path)

    monkeypatch.setenv(keys.ENV_PASSPHRASE, PASSPHRASE)
    monkeypatch.setenv(ENV_USER_PASSWORD, TEST_PASSWORD)
    assert main(["verify", "--db", str(path)]) == 0
    assert ("An earlier new recovery key was not finished" in capsys.readouterr().out) == (
        point != "before the rename")

    # the next run ends it: only the key it shows opens the database; the stray file is gone
    assert main(["new-recovery-key", "--db", str(path), "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert ("An earlier new recovery key was not finished" in out) == (point != "before the rename")
    newest = _printed_key(out)
    assert newest is not None and _opens_with(path, newest)
    assert not _opens_with(path, old) and (printed is None or not _opens_with(path, printed))
    assert not recovery_key.unfinished_replacement(path)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("agency.db.keys")) == ["agency.db.keys"]
    assert len(_entries(path, store, PASSPHRASE)) == committed + 1


def test_recover_waiting_at_its_prompt_keeps_a_new_recovery_key_issued_meanwhile(
        tmp_path: Path, store: SecretStore, env: dict[str, str]) -> None:
    """Two real programs: ``recover`` (the old recovery key) has read the key file and waits at its
    passphrase prompt; meanwhile an administrator issues a new recovery key. ``recover`` then writes only
    its own part (the new passphrase): the new recovery key goes on working and the old one does not
    come back (it wrote back its stale copy of the file, with the old recovery wrapping)."""
    path, old = _created(tmp_path, store, PASSPHRASE)
    new_passphrase = "another worker passphrase"
    release = tmp_path / "release"
    recover = ("import sys, time\n"
               "from pathlib import Path\n"
               "from adoption_desktop import cli_support\n"
               "def prompt(confirm=False):\n"
               "    print('asking', flush=True)\n"
               "    while not Path(sys.argv[1]).exists():\n"
               "        time.sleep(0.05)\n"
               f"    return {new_passphrase!r}\n"
               "cli_support.passphrase_from_env_or_prompt = prompt\n"
               "from adoption_desktop.cli import main\n"
               "sys.exit(main(sys.argv[2:]))\n")
    waiting = subprocess.Popen([sys.executable, "-c", recover, str(release), "recover", "--db", str(path)],
                               cwd=ROOT, env={**env, ENV_RECOVERY_KEY: old}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert waiting.stdout is not None
    assert waiting.stdout.readline().strip() == "asking", waiting.communicate(timeout=60)
    issued = subprocess.run([sys.executable, "-m", "adoption_desktop", "new-recovery-key", "--db", str(path),
                             "--user", "admin"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert issued.returncode == 0, issued.stderr
    new = _printed_key(issued.stdout)
    assert new is not None and _opens_with(path, new) and not _opens_with(path, old)
    release.touch()
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert "Access to" in out
    assert _opens_with(path, new) and not _opens_with(path, old)  # the new key kept, the old one not back
    envelope = keys.KeyEnvelope.load(keys.key_file_for(path))
    assert envelope.mode == "passphrase" and not envelope.previous_recovery
    with pytest.raises(KeyUnavailable):
        keys.wipe(keys.load_key(envelope, store, PASSPHRASE))
    assert len(_entries(path, store, new_passphrase)) == 1  # recover's own part: the new passphrase opens it


def test_two_administrators_at_once_one_new_key_wins_and_the_other_is_told(
        tmp_path: Path, store: SecretStore, env: dict[str, str]) -> None:
    path, old = _created(tmp_path, store, PASSPHRASE)
    db = open_database(path, store, PASSPHRASE)
    try:
        make_user(db, "admin2", Role.ADMINISTRATOR)
        stamp = recovery_stamp(db)
    finally:
        db.dispose()
    release = tmp_path / "release"
    holder = subprocess.Popen([sys.executable, "-m", "tests.core.storage_workers", "holder", str(path), "120",
                               str(release)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"  # another program's long write: both must wait
    runs = [subprocess.Popen([sys.executable, "-m", "adoption_desktop", "new-recovery-key", "--db", str(path),
                              "--user", user], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for user in ("admin", "admin2")]
    for run in runs:  # each has read the key file and now waits for the write lock
        assert run.stderr is not None
        said = run.stderr.readline()
        assert "waiting" in said, said + run.stderr.read()
    release.touch()
    results = [(run.wait(timeout=300), *run.communicate(timeout=60)) for run in runs]
    holder.communicate(timeout=60)
    assert sorted(code for code, _out, _err in results) == [0, 2], results
    (out,) = [out for code, out, _err in results if code == 0]
    (err,) = [err for code, _out, err in results if code == 2]
    # told either that the other's replacement is done, or (still printing its key) that it is under way
    assert ("Another administrator has just replaced the recovery key" in err
            or "is issuing a new recovery key" in err), err
    assert "Nothing was changed" in err or "nothing" in err.lower()
    assert "Traceback" not in err
    new = next(w for w in out.split() if len(w) == 35 and w.count("-") == 5)
    assert _opens_with(path, new) and not _opens_with(path, old)
    assert str((keys.KeyEnvelope.load(keys.key_file_for(path)).recovery or {}).get("mac")) != stamp
    assert len(_entries(path, store, PASSPHRASE)) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_stamp_given_is_checked_under_the_write_lock(tmp_path: Path, store: SecretStore) -> None:
    """In one program: a replacement begun on a wrapping that has since changed is refused unchanged."""
    path, _old = _created(tmp_path, store)
    db = open_database(path, store)
    try:
        admin = make_user(db, "admin2", Role.ADMINISTRATOR)
        seen = recovery_stamp(db)
        first = replace_recovery_key(db, admin, expected=seen)
        with pytest.raises(Conflict, match="Another administrator"):
            replace_recovery_key(db, admin, expected=seen)
    finally:
        db.dispose()
    assert _opens_with(path, first)
    assert len(_entries(path, store)) == 1


def _pending_and_previous(path: Path) -> tuple[object, int]:
    envelope = keys.KeyEnvelope.load(keys.key_file_for(path))
    return envelope.replacing, len(envelope.previous_recovery)


def test_a_second_replacement_while_the_first_key_is_shown_is_refused_naming_who_and_where(
        tmp_path: Path, store: SecretStore) -> None:
    """Review, 6 December: admin B began while admin A's key window was open. B's stamp was A's new key, so
    B went ahead and withdrew A's key and the old one; A's finishing step then succeeded quietly, telling A
    "the old one no longer opens the database" of a sheet that opened nothing. And B was told that "the
    program stopped". Now B (another program on the same file, here from inside A's window) is told that A
    is issuing one, on which computer and since when, and nothing is changed; A's key then works."""
    path, old = _created(tmp_path, store)
    first = open_database(path, store)
    second = open_database(path, store)  # the second administrator's program
    got: dict[str, object] = {}
    try:
        avery = make_user(first, "avery", Role.ADMINISTRATOR)
        other = make_user(first, "blake", Role.ADMINISTRATOR)

        def show(key: str) -> None:
            got["first"] = key
            before = keys.key_file_for(path).read_bytes()
            assert not recovery_key.unfinished_replacement(path, second)  # in progress, not "the program stopped"
            busy = recovery_key.replacement_in_progress(second)
            assert busy is not None and busy.name == "Avery Tester"
            with pytest.raises(Conflict) as refused:
                replace_recovery_key(second, other, expected=recovery_stamp(second), show=lambda _k: None)
            got["refusal"] = str(refused.value)
            assert keys.key_file_for(path).read_bytes() == before  # nothing changed
            assert _opens_with(path, old) and _opens_with(path, key)

        replace_recovery_key(first, avery, expected=recovery_stamp(first), show=show)
        assert recovery_key.replacement_in_progress(second) is None
    finally:
        second.dispose()
        first.dispose()
    refusal = str(got["refusal"])
    assert "Avery Tester is issuing a new recovery key on " in refusal
    assert "wait until they have closed the key window" in refusal and "Nothing was changed" in refusal
    assert _opens_with(path, str(got["first"])) and not _opens_with(path, old)
    assert _pending_and_previous(path) == (None, 0)
    assert len(_entries(path, store)) == 1


def test_a_replacement_overtaken_while_its_key_was_shown_withdraws_nothing_and_says_so(
        tmp_path: Path, store: SecretStore) -> None:
    """A's replacement counts as abandoned once its lease has lapsed (a PC asleep with the window open), so B
    may go ahead. When A's window closes, A's finishing step finds B's wrapping in force: it drops nothing
    and tells A that the key they were shown opens nothing (to destroy the sheet); B's key works."""
    from sqlalchemy import update

    from adoption_desktop.core import presence

    path, old = _created(tmp_path, store)
    first = open_database(path, store)
    second = open_database(path, store)
    got: dict[str, str] = {}
    try:
        avery = make_user(first, "avery", Role.ADMINISTRATOR)
        other = make_user(first, "blake", Role.ADMINISTRATOR)

        def show(key: str) -> None:
            got["first"] = key
            with first.session() as session:  # two minutes and more without a renewal
                session.execute(update(presence.PresenceLease).values(
                    expires_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)))
            assert recovery_key.replacement_in_progress(second) is None
            assert recovery_key.unfinished_replacement(path, second)  # B is told, as after a crash

            def show_second(key2: str) -> None:
                got["second"] = key2
                assert _opens_with(path, old) and _opens_with(path, key) and _opens_with(path, key2)

            replace_recovery_key(second, other, expected=recovery_stamp(second), show=show_second)
            got["file"] = keys.key_file_for(path).read_text()

        with pytest.raises(recovery_key.ReplacedMeanwhile) as told:
            replace_recovery_key(first, avery, expected=recovery_stamp(first), show=show)
    finally:
        second.dispose()
        first.dispose()
    assert "does NOT open this database" in str(told.value) and "Destroy that sheet" in str(told.value)
    assert keys.key_file_for(path).read_text() == got["file"]  # A's finishing step dropped nothing
    assert _opens_with(path, got["second"]) and not _opens_with(path, got["first"]) and not _opens_with(path, old)
    assert _pending_and_previous(path) == (None, 0)


def test_a_replacement_in_another_program_refuses_a_second_until_it_ends_or_its_program_is_gone(
        tmp_path: Path, store: SecretStore, env: dict[str, str]) -> None:
    """Two real programs: while one shows its new key, ``new-recovery-key`` in another is refused, naming
    who and where (exit 2, nothing changed) and ``verify`` says nothing of an unfinished one; once the
    first has closed its window, only its key works. A first program killed while showing its key is
    abandoned at once (its process is gone): the next one goes ahead and says the earlier one was not
    finished."""
    path, old = _created(tmp_path, store, PASSPHRASE)
    db = open_database(path, store, PASSPHRASE)
    try:
        make_user(db, "avery", Role.ADMINISTRATOR)
    finally:
        db.dispose()

    def issuing(release: Path) -> tuple[subprocess.Popen[str], str]:
        run = subprocess.Popen([sys.executable, "-m", "tests.core.storage_workers", "recovery_key", str(path),
                                "avery", TEST_PASSWORD, str(release)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        assert run.stdout is not None
        line = run.stdout.readline()
        assert line.startswith("shown "), line + (run.stderr.read() if run.stderr else "")
        return run, line.split()[1]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "adoption_desktop", *args, "--db", str(path)], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=300, check=False)

    first, shown = issuing(tmp_path / "release1")
    before = keys.key_file_for(path).read_bytes()
    refused = cli("new-recovery-key", "--user", "admin")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "Avery Tester is issuing a new recovery key on " in refused.stderr, refused.stderr
    assert "wait until they have closed the key window" in refused.stderr and "Traceback" not in refused.stderr
    assert _printed_key(refused.stdout) is None and "not finished" not in refused.stdout
    checked = cli("verify")
    assert checked.returncode == 0 and "not finished" not in checked.stdout, checked.stdout + checked.stderr
    assert keys.key_file_for(path).read_bytes() == before and _opens_with(path, old)
    (tmp_path / "release1").touch()
    out, err = first.communicate(timeout=300)
    assert out.strip() == "done", out + err
    assert _opens_with(path, shown) and not _opens_with(path, old)
    assert _pending_and_previous(path) == (None, 0)

    second, lost = issuing(tmp_path / "release2")
    second.kill()  # the program dies while its key is shown
    second.communicate(timeout=60)
    after = cli("new-recovery-key", "--user", "admin")
    assert after.returncode == 0, after.stdout + after.stderr
    assert "An earlier new recovery key was not finished" in after.stdout
    newest = _printed_key(after.stdout)
    assert newest is not None and _opens_with(path, newest)
    assert not _opens_with(path, shown) and not _opens_with(path, lost)
    assert _pending_and_previous(path) == (None, 0)
    assert len(_entries(path, store, PASSPHRASE)) == 3
