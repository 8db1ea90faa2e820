"""Every headless command that needs a database, on every kind of bad file: exit 2, one line on
stderr, no traceback, and every file left byte for byte as it was with nothing new beside it.

The commands run in this process through ``cli.main`` (a traceback would escape it as an exception
and fail the test), and a few once more as real processes."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adoption_desktop import demo
from adoption_desktop.cli import main
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import open_sqlcipher
from adoption_desktop.core.storage.lifecycle import backup_database, create_database, unlock_key

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "bad files passphrase"
NAME = "agency.db"

#: h-cli adds sign-in to the commands that read case data: set this to ["--user", "admin"] (the
#: password comes from ADOPTION_DESKTOP_PASSWORD, set below) and every case-data command gets it.
USER_ARGS: list[str] = ["--user", "admin"]
SIGN_IN_PASSWORD = demo.DEMO_PASSWORD


def _commands(db: Path, out: Path, sheet: Path) -> dict[str, list[str]]:
    case_data = {
        "export minutes": ["export", "minutes", "--db", str(db), "--sitting", "1", "--out", str(out / "m.docx")],
        "export panel-calendar": ["export", "panel-calendar", "--db", str(db), "--out", str(out / "c.ics")],
        "export decision-letter": ["export", "decision-letter", "--db", str(db), "--decision", "1",
                                   "--out", str(out / "d.pdf")],
        "export adm-letters-day": ["export", "adm-letters-day", "--db", str(db), "--date", "2026-01-05",
                                   "--out", str(out / "a.pdf")],
        "export reminders": ["export", "reminders", "--db", str(db), "--month", "2026-01",
                             "--out", str(out / "r.pdf")],
        "export counselling-letter": ["export", "counselling-letter", "--db", str(db), "--case", "1",
                                      "--kind", "acknowledgement", "--out", str(out / "l.pdf")],
        "import letterbox --dry-run": ["import", "letterbox", "--db", str(db), "--file", str(sheet),
                                       "--dry-run"],
        "import letterbox": ["import", "letterbox", "--db", str(db), "--file", str(sheet)],
    }
    maintenance = {
        "verify": ["verify", "--db", str(db)],
        "backup": ["backup", "--db", str(db), "--out", str(out / "b.adkbak")],
        "recover": ["recover", "--db", str(db)],
        "upgrade": ["upgrade", "--db", str(db)],
        "move-database": ["move-database", "--db", str(db), "--to", str(out / "moved")],
        "move-to-server": ["move-to-server", "--db", str(db), "--to", "postgresql+psycopg://owner@127.0.0.1:1/none",
                           *USER_ARGS],
        "new-recovery-key": ["new-recovery-key", "--db", str(db), *USER_ARGS],
        "new-database-key": ["new-database-key", "--db", str(db), *USER_ARGS],
        "demo": ["demo", "--db", str(db)],
        "restore (this file as the backup)": ["restore", "--from", str(db), "--db", str(out / "restored.db")],
        "restore (onto this file)": ["restore", "--from", str(sheet), "--db", str(db)],
    }
    return {**{k: v + USER_ARGS for k, v in case_data.items()}, **maintenance}


# --------------------------------------------------------------------------- the bad files


def _flip(path: Path, at: int, n: int = 64) -> None:
    data = bytearray(path.read_bytes())
    for i in range(at, at + n):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _mid_file(p: Path, _key: bytes) -> None:
    _flip(p, (p.stat().st_size // 2 // 4096) * 4096 + 1000)


def _zero(p: Path, _key: bytes) -> None:
    p.write_bytes(b"")


def _text(p: Path, _key: bytes) -> None:
    p.write_text("Minutes of the adoption panel (draft)\n" * 200, encoding="utf-8")


def _plain_sqlite(p: Path, _key: bytes) -> None:
    p.unlink()
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT)")
    conn.execute("INSERT INTO users (username) VALUES ('someone')")
    conn.commit()
    conn.close()


def _newer_schema(p: Path, key: bytes) -> None:
    db = open_sqlcipher(p, key)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('zz_0001_from_the_future')")
    db.checkpoint()
    db.dispose()


def _truncated(p: Path, _key: bytes) -> None:
    size = p.stat().st_size
    with p.open("r+b") as fh:
        fh.truncate((size // 2 // 4096) * 4096)  # at a page boundary: the hardest cut to notice


def _truncated_mid_page(p: Path, _key: bytes) -> None:
    with p.open("r+b") as fh:
        fh.truncate(p.stat().st_size // 2 + 100)


def _backup_with_flipped_bytes(p: Path, key: bytes) -> None:
    """A backup (with bytes flipped in the middle) where the database should be."""
    backup_bytes = _BASE["backup"].read_bytes()
    p.write_bytes(backup_bytes)
    _flip(p, len(backup_bytes) // 2)


BAD_DATABASES: dict[str, Callable[[Path, bytes], None]] = {
    "mid-file corruption": _mid_file,
    "zero bytes": _zero,
    "text": _text,
    "plain SQLite": _plain_sqlite,
    "newer schema": _newer_schema,
    "truncated at a page boundary": _truncated,
    "truncated mid-page": _truncated_mid_page,
    "a damaged backup instead": _backup_with_flipped_bytes,
}

_BASE: dict[str, Path] = {}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A demo database (passphrase mode, cheap key derivation) and a good backup of it, made once."""
    import keyring

    from tests.conftest import MemoryKeyring

    folder = tmp_path_factory.mktemp("base")
    saved = keys.PASSPHRASE_KDF, keys.RECOVERY_KDF
    keys.PASSPHRASE_KDF = keys.RECOVERY_KDF = keys.KdfParams(1, 1024, 1)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        created = create_database(folder / NAME, SecretStore(), passphrase=PASSPHRASE)
        demo.populate(created.db, "small")
        created.db.checkpoint()
        backup = backup_database(created.db, folder / "good.adkbak")
        created.db.dispose()
    finally:
        keys.PASSPHRASE_KDF, keys.RECOVERY_KDF = saved
        keyring.set_keyring(previous)
    _BASE.update(db=folder / NAME, backup=backup)
    yield {"db": folder / NAME, "backup": backup, "recovery": created.recovery_key}


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, base: dict[str, object]) -> None:
    monkeypatch.setenv(keys.ENV_PASSPHRASE, PASSPHRASE)
    monkeypatch.setenv("ADOPTION_DESKTOP_RECOVERY_KEY", str(base["recovery"]))
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", SIGN_IN_PASSWORD)
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "1")


def _copy_base(base: dict[str, object], folder: Path) -> Path:
    folder.mkdir(parents=True)
    src = Path(str(base["db"]))
    for f in src.parent.iterdir():
        if f.name.startswith(NAME):
            shutil.copy2(f, folder / f.name)
    return folder / NAME


def _state(folder: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())}


def _sheet(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sheet = folder / "register.csv"
    sheet.write_text("reference,child_name\nLB-0001,Test Child\n", encoding="utf-8")
    return sheet


def _run_all(bad: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
             expect: Callable[[str, str], None] | None = None) -> None:
    folder = bad.parent
    before = _state(folder)
    sheet = _sheet(tmp_path / "input")
    failures: list[str] = []
    for name, argv in _commands(bad, tmp_path / "out", sheet).items():
        out = tmp_path / "out"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        sheet_state = _state(sheet.parent)
        code = main(argv)
        captured = capsys.readouterr()
        lines = [ln for ln in captured.err.splitlines() if ln.strip() and not ln.endswith("waiting…")]
        if code != 2 or len(lines) != 1 or "Traceback" in captured.err:
            failures.append(f"{name}: exit {code}, stderr {captured.err!r}, stdout {captured.out[:200]!r}")
        elif expect is not None:
            try:
                expect(name, lines[0])
            except AssertionError as exc:
                failures.append(f"{name}: {exc}")
        if _state(folder) != before:
            failures.append(f"{name}: the files changed: {sorted(set(_state(folder).items()) ^ set(before.items()))}")
        if list(out.iterdir()):
            failures.append(f"{name}: wrote {[p.name for p in out.iterdir()]}")
        if _state(sheet.parent) != sheet_state:
            failures.append(f"{name}: changed the input folder")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("kind", list(BAD_DATABASES))
def test_every_command_refuses_a_bad_database_in_one_line_and_changes_nothing(
        kind: str, base: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _copy_base(base, tmp_path / "bad")
    key = unlock_key(bad, SecretStore(), PASSPHRASE)
    BAD_DATABASES[kind](bad, key)

    def expect(name: str, line: str) -> None:
        if kind == "newer schema" and not name.startswith(("demo", "restore")):
            assert "newer version" in line, line
        if kind == "mid-file corruption" and not name.startswith(("demo", "restore")):
            assert "damaged" in line, line

    _run_all(bad, tmp_path, capsys, expect)


# --------------------------------------------------------------------------- bad backups


def _backup_copy(base: dict[str, object], folder: Path) -> Path:
    folder.mkdir(parents=True)
    return Path(shutil.copy2(Path(str(base["backup"])), folder / "backup.adkbak"))


def _rezip(backup: Path, change: Callable[[Path], None]) -> None:
    """Rewrite one backup: its database changed by ``change`` (with the key), the manifest kept."""
    work = backup.parent / "work"
    with zipfile.ZipFile(backup) as zf:
        zf.extractall(work)
    change(work / "database.sqlcipher")
    backup.unlink()
    with zipfile.ZipFile(backup, "w") as zf:
        for name in ("database.sqlcipher", "database.keys", "manifest.json"):
            zf.write(work / name, name)
    shutil.rmtree(work)


def _cut_audit_tail(db_file: Path) -> None:
    """Delete the last ten audit entries and move the head back: the chain alone still verifies."""
    envelope = keys.KeyEnvelope.load(db_file.with_name("database.keys"))
    key = keys.load_key(envelope, SecretStore(), PASSPHRASE)
    db = open_sqlcipher(db_file, key, hold=_no_hold())
    with db.engine.begin() as conn:
        last = int(conn.exec_driver_sql("SELECT max(seq) FROM audit_log").scalar_one())
        conn.exec_driver_sql("DELETE FROM audit_log WHERE seq > ?", (last - 10,))
        row = conn.exec_driver_sql("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").one()
        conn.exec_driver_sql("UPDATE audit_head SET last_seq = ?, last_hash = ?", (row[0], row[1]))
    db.checkpoint()
    db.dispose(write_anchor=False)


def _no_hold() -> object:
    from adoption_desktop.core.storage.lifecycle import _NoHold

    return _NoHold()


BAD_BACKUPS: dict[str, Callable[[Path], None]] = {
    "flipped bytes": lambda p: _flip(p, p.stat().st_size // 2),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "zero bytes": lambda p: p.write_bytes(b""),
    "text": lambda p: p.write_text("not a backup\n" * 50, encoding="utf-8"),
    "audit tail cut off": lambda p: _rezip(p, _cut_audit_tail),
    "damaged database inside": lambda p: _rezip(p, lambda f: _flip(f, f.stat().st_size // 2)),
}


@pytest.mark.parametrize("kind", list(BAD_BACKUPS))
def test_restore_refuses_a_bad_backup_in_one_line_and_leaves_nothing(
        kind: str, base: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    backup = _backup_copy(base, tmp_path / "backups")
    BAD_BACKUPS[kind](backup)
    target_folder = tmp_path / "target"
    target_folder.mkdir()
    before = _state(backup.parent)
    code = main(["restore", "--from", str(backup), "--db", str(target_folder / "restored.db")])
    captured = capsys.readouterr()
    lines = [ln for ln in captured.err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1 and "Traceback" not in captured.err, captured.err
    if kind == "audit tail cut off":
        assert "cut short" in lines[0]
    assert _state(backup.parent) == before
    assert not list(target_folder.iterdir())


def test_a_good_backup_still_restores(base: dict[str, object], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    backup = _backup_copy(base, tmp_path / "backups")
    target = tmp_path / "target" / "restored.db"
    target.parent.mkdir()
    assert main(["restore", "--from", str(backup), "--db", str(target)]) == 0, capsys.readouterr().err
    assert main(["verify", "--db", str(target)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("kind", ["mid-file corruption", "zero bytes", "newer schema"])
def test_a_real_process_prints_one_line_and_no_traceback(kind: str, base: dict[str, object],
                                                         tmp_path: Path) -> None:
    bad = _copy_base(base, tmp_path / "bad")
    BAD_DATABASES[kind](bad, unlock_key(bad, SecretStore(), PASSPHRASE))
    before = _state(bad.parent)
    env = dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE, ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "d"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    for argv in (["verify", "--db", str(bad)], ["upgrade", "--db", str(bad)],
                 ["export", "panel-calendar", "--db", str(bad), "--out", str(tmp_path / "c.ics"), *USER_ARGS]):
        run = subprocess.run([sys.executable, "-m", "adoption_desktop", *argv], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
        assert "Traceback" not in run.stderr
    assert _state(bad.parent) == before


def test_a_newer_schema_makes_no_pre_upgrade_copies(base: dict[str, object], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    bad = _copy_base(base, tmp_path / "bad")
    _newer_schema(bad, unlock_key(bad, SecretStore(), PASSPHRASE))
    for _ in range(3):
        assert main(["upgrade", "--db", str(bad)]) == 2
        assert main(["export", "panel-calendar", "--db", str(bad), "--out", str(tmp_path / "c.ics"),
                     *USER_ARGS]) == 2
    assert "newer version" in capsys.readouterr().err
    assert not list(bad.parent.glob("*.pre-upgrade-*")) and not list(bad.parent.glob("*.upgrading*"))


@pytest.mark.parametrize("manifest_format", [1, 2])
def test_an_anchor_beyond_the_copy_is_refused_except_in_a_backup_from_an_earlier_version(
        manifest_format: int, base: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Format 1 read the anchor from the live database after the snapshot: under load it could name
    entries the copy never had. Those backups still restore; a format-2 backup like that is refused."""
    import json

    backup = _backup_copy(base, tmp_path / "backups")
    with zipfile.ZipFile(backup) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["format"] = manifest_format
    manifest["audit_anchor"] = {"seq": manifest["audit_anchor"]["seq"] + 5, "hash": "f" * 64}
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(backup, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    target = tmp_path / "target" / "restored.db"
    target.parent.mkdir()
    code = main(["restore", "--from", str(backup), "--db", str(target)])
    err = capsys.readouterr().err
    if manifest_format == 1:
        assert code == 0, err
        assert main(["verify", "--db", str(target)]) == 0, capsys.readouterr()
    else:
        assert code == 2 and "cut short" in err and not target.exists()
