"""A command whose output is read by a program that stops early (``verify --db X | head -1``) exits with
its own code and says nothing on stderr (an IT officer's trial, 6 December 2026: it said "a file could not
be read or written: Broken pipe." and exited 2 although verify had passed). The same for its messages on
stderr (``move-to-server … 2>&1 | head -1`` stopped at its first progress line with exit 1, nothing copied:
user trial, 6 December 2026)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.pg import PostgresServer

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(os.name == "nt", reason="closing a pipe's read end early is POSIX here")


PASSPHRASE = "synthetic pipe test passphrase 4417"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)  # the test's own data folder and policy files (conftest)
    env.update(PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1",
               ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "appdata"), ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", **extra)
    return env


def _program(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "adoption_desktop", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, cwd=ROOT)


@pytest.fixture
def verified_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A database whose verify prints several lines (the anchors a first verify recorded): made and verified
    by the command line's entry point in this process (the data folder and the passphrase the programs
    started below are given), not by two more programs; only what a reader does to a program's pipes needs
    one."""
    path = tmp_path / "pipe.db"
    for args in (["init", "--db", str(path)], ["verify", "--db", str(path)]):
        _in_process(args, tmp_path, monkeypatch, capsys)
    return path


def _in_process(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                capsys: pytest.CaptureFixture[str], code: int = 0) -> str:
    """``adoption-desktop <args>`` run by its entry point in this process, as :func:`_env` has the programs
    (this test's data folder, the passphrase, no keyring): for a database the programs then work on, or to
    check what one made where no process boundary is under test. Its exit code must be ``code``: its
    standard output is returned (standard error when it is not 0)."""
    import keyring
    from keyring.backends import fail

    from adoption_desktop import cli

    assert os.environ["ADOPTION_DESKTOP_DATA_DIR"] == _env(tmp_path)["ADOPTION_DESKTOP_DATA_DIR"]
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSPHRASE", PASSPHRASE)
    keyring.set_keyring(fail.Keyring())  # as the programs have it (conftest's _isolation puts its own back)
    got = cli.main(args)
    out, err = capsys.readouterr()
    assert got == code, out + err
    return out if code == 0 else err


def _passphrase_demo(path: Path, small_demo_copy: Callable[..., Path]) -> Path:
    """The small demo at ``path`` as ``adoption-desktop demo --db path`` makes it where there is no keyring
    (its key wrapped with the passphrase): the run's small demo copied (made once, conftest), its key moved
    from this test's keyring to the passphrase, instead of filling the demo again for each test."""
    from adoption_desktop.core.security import keys
    from adoption_desktop.core.security.secret_store import SecretStore

    small_demo_copy(path)
    key_file = keys.key_file_for(path)
    envelope = keys.KeyEnvelope.load(key_file)
    assert envelope.mode == "keyring"
    store = SecretStore()
    keys.rewrap(envelope, keys.load_key(envelope, store), store, PASSPHRASE).save(key_file)
    store.delete(envelope.db_id)  # as where there is no keyring: the passphrase is the only way in
    return path


def test_reader_gone_before_any_output(verified_db: Path, tmp_path: Path) -> None:
    proc = _program("verify", "--db", str(verified_db), env=_env(tmp_path))
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before verify has printed anything
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0, err
    assert err == ""


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_reader_stops_after_the_first_line(verified_db: Path, tmp_path: Path, unbuffered: str) -> None:
    """``| head -1``: with Python's output written line by line too (PYTHONUNBUFFERED, as some scripts set)."""
    proc = _program("verify", "--db", str(verified_db), env=_env(tmp_path, PYTHONUNBUFFERED=unbuffered))
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"OK: database intact")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0, err
    assert err == ""


def test_a_failed_check_keeps_its_code_when_the_reader_is_gone(tmp_path: Path) -> None:
    """Exit 2 still says what went wrong on stderr: only stdout's reader went away."""
    missing = tmp_path / "no-such.db"
    proc = _program("verify", "--db", str(missing), env=_env(tmp_path))
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 2
    assert "Broken pipe" not in err and len([ln for ln in err.splitlines() if ln.strip()]) == 1


#: a child whose standard output is a file on a full disk: every write reaching the file fails (ENOSPC), as
#: the end-of-command flush does when the output was small enough to sit in the buffer until then
FULL_DISK_CHILD = """
import errno, io, os, sys
class Full(io.RawIOBase):
    def writable(self): return True
    def write(self, b): raise OSError(errno.ENOSPC, "No space left on device")
sys.stdout = io.TextIOWrapper(io.BufferedWriter(Full(), 8192), encoding="utf-8")
sys.argv = ["adoption-desktop", "paths"]
from adoption_desktop import cli
code = cli.main()
sys.stderr.write(f"returned {code}\\n")
sys.stderr.flush()
os._exit(0)
"""


def test_output_that_cannot_be_written_is_an_error_not_exit_0(tmp_path: Path) -> None:
    """A reviewer's finding: the flush at the end of a command swallowed any error, so `paths > out.txt` on a
    full disk left an empty file, said nothing and was logged as exit code 0."""
    done = subprocess.run([sys.executable, "-c", FULL_DISK_CHILD], capture_output=True, text=True,
                          env=_env(tmp_path), cwd=ROOT, timeout=120, check=False)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[-1] == "returned 2", done.stderr
    assert lines[:-1] == ["adoption-desktop: the command's output could not be written: the disk is full. Make "
                          "room on the disk, or ask IT to, and run the command again."], done.stderr


def test_invalid_argument_is_a_reader_gone_only_on_a_pipe(tmp_path: Path) -> None:
    """Windows reports a pipe closed at the other end as "Invalid argument" (EINVAL); the same error writing
    to a file is a real failure and must be reported, not sent to the null device (a reviewer's concern)."""
    import errno

    from adoption_desktop import cli

    exc = OSError(errno.EINVAL, "Invalid argument")
    read_end, write_end = os.pipe()
    with open(tmp_path / "out.txt", "w", encoding="utf-8") as file, os.fdopen(write_end, "w") as pipe:
        for stdout, gone in ((file, False), (pipe, True)):
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(sys, "stdout", stdout)
                mp.setattr(cli.os, "name", "nt")
                assert cli._reader_gone(exc) is gone
                mp.setattr(sys, "stdout", None)
                assert cli._reader_gone(exc, stdout) is gone  # stderr's guard names its own stream
    os.close(read_end)
    assert cli._reader_gone(BrokenPipeError(errno.EPIPE, "Broken pipe"))


# --- stderr's reader gone: the progress lines a command writes there ---------------------------------------

def test_demo_runs_to_its_end_when_the_reader_of_its_progress_stops(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``demo`` (a file-only command) says how far it has got on stderr: the reader stopping after the first
    line must not stop it (it removed the half-made database and exited 1). The program is the demo; the
    verify after it is run in this process."""
    path = tmp_path / "demo.db"
    env = _env(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "adoption_desktop", "demo", "--db", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
                            cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stderr.readline().startswith(b"  demo: ")
    proc.stderr.close()  # the reader of the progress lines is gone
    out = proc.stdout.read().decode()
    assert proc.wait(timeout=600) == 0, out
    assert out.startswith("Demo database (small) created at"), out
    assert _in_process(["verify", "--db", str(path)], tmp_path, monkeypatch, capsys).startswith(
        "OK: database intact")


@pytest.mark.parametrize("reader", ["2>&1 | head -1", "stderr closed after its first line"])
def test_move_to_server_runs_to_its_end_when_the_reader_stops(
        tmp_path: Path, postgres_server: PostgresServer | None, reader: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], small_demo_copy: Callable[..., Path]) -> None:
    """The program is the move; the demo it moves is the run's small demo (as ``demo`` makes it with a
    passphrase), and the checks after it are run in this process (verify, the second move refused)."""
    from sqlalchemy import create_engine, text

    from adoption_desktop.core.storage.team_setup import team_setup

    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    from adoption_desktop import demo

    env = _env(tmp_path, ADOPTION_DESKTOP_PASSWORD=demo.DEMO_PASSWORD)
    path = tmp_path / "demo.db"
    _passphrase_demo(path, small_demo_copy)  # the program under test is the move, not the demo
    url = postgres_server.empty_database_url("pipe_")
    suffix = url.rsplit("_", 1)[-1]
    server = team_setup(url, owner_role=f"own_{suffix}", app_role=f"app_{suffix}")
    command = [sys.executable, "-m", "adoption_desktop", "move-to-server", "--db", str(path), "--to",
               server.owner_url, "--user", "admin"]
    if reader == "2>&1 | head -1":
        done = subprocess.run(["bash", "-c", '"$@" 2>&1 | head -1; exit "${PIPESTATUS[0]}"', "bash", *command],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=600, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith("  move-to-server: ") and done.stdout.count("\n") == 1, done.stdout
    else:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                env=env, cwd=ROOT)
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stderr.readline().startswith(b"  move-to-server: ")
        proc.stderr.close()
        out = proc.stdout.read().decode()
        assert proc.wait(timeout=600) == 0, out
        assert "Moved demo.db to the server" in out and "verified there" in out, out
    # the move ran to its end: on the server, recorded in the file, and both verify (this PC's witness too)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'moved_from_file'")).scalar() == 1
    finally:
        engine.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", demo.DEMO_PASSWORD)
    for target in (server.app_url, str(path)):
        assert _in_process(["verify", "--db", target], tmp_path, monkeypatch, capsys).startswith("OK")
    again = _in_process(["move-to-server", "--db", str(path), "--to", server.owner_url, "--user", "admin"],
                        tmp_path, monkeypatch, capsys, code=2)
    assert "was moved to the team server" in again, again
