"""A command that must ask for a secret (recovery key, passphrase, password) and has no terminal, or whose
input ends at the prompt (Ctrl+D, Ctrl+Z), stops with one plain line and exit code 2 — never "an unexpected
error stopped the command (EOFError)" (tester: ``recover --db X < /dev/null``)."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adoption_desktop import cli
from adoption_desktop.core.security import keys
from adoption_desktop.core.storage.engine import Database

ROOT = Path(__file__).resolve().parents[1]
#: what the environment could otherwise answer each prompt with
ANSWERING = ("ADOPTION_DESKTOP_RECOVERY_KEY", keys.ENV_PASSPHRASE, cli.ENV_USER_PASSWORD,
             "ADOPTION_DESKTOP_ADMIN_PASSWORD")


def _no_terminal_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ANSWERING}
    env.update(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "d"))
    return env


@pytest.mark.parametrize("extra", [[], ["--passphrase"]])
def test_recover_with_its_input_closed_says_one_plain_line(db: Database, db_path: Path, tmp_path: Path,
                                                           extra: list[str]) -> None:
    db.dispose()
    key_file = keys.key_file_for(db_path).read_bytes()
    res = subprocess.run([sys.executable, "-m", "adoption_desktop", "recover", "--db", str(db_path), *extra],
                         capture_output=True, text=True, env=_no_terminal_env(tmp_path), cwd=ROOT, timeout=300,
                         check=False, stdin=subprocess.DEVNULL)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 2, res.stderr
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("adoption-desktop: no recovery key given; set ADOPTION_DESKTOP_RECOVERY_KEY or "
                               "run the command in a terminal"), lines[0]
    assert "EOFError" not in res.stderr and "Traceback" not in res.stderr and "unexpected" not in res.stderr
    assert keys.key_file_for(db_path).read_bytes() == key_file  # nothing changed


def _one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = cli.main(argv)
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code == 2 and len(err) == 1, (argv, code, err)
    assert "EOFError" not in err[0] and "unexpected" not in err[0], err[0]
    return err[0]


def test_input_ending_at_any_prompt_is_one_plain_line(db: Database, db_path: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """At a terminal, Ctrl+D (Ctrl+Z on Windows) at each prompt the commands have."""
    db.dispose()
    for name in ANSWERING:
        monkeypatch.delenv(name, raising=False)
    asked: list[str] = []

    def end_of_input(prompt: str = "") -> str:
        asked.append(prompt)
        raise EOFError

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", end_of_input)
    cases = [
        (["recover", "--db", str(db_path)], "Recovery key: ", "no recovery key given"),
        (["restore", "--from", str(tmp_path / "none.adkbak"), "--db", str(tmp_path / "r.db"), "--recovery-key"],
         "Recovery key: ", "no recovery key given"),
        (["init", "--db", str(tmp_path / "n.db"), "--passphrase"], "Database passphrase: ", "passphrase"),
        (["init", "--db", str(tmp_path / "n.db"), "--admin-user", "admin"], "Administrator password: ",
         "No administrator password given"),
        (["export", "panel-calendar", "--db", str(db_path), "--user", "someone", "--out",
          str(tmp_path / "c.ics")], "Password for someone: ", "--user someone: no password given"),
        (["audit-acknowledge", "--db", str(db_path), "--user", "someone", "--note", "seen"],
         "Password for someone: ", "No password"),
    ]
    for argv, prompt, said in cases:
        asked.clear()
        line = _one_line(argv, capsys)
        assert asked == [prompt], (argv, asked)
        assert said in line, (argv, line)
    assert not (tmp_path / "n.db").exists() and not (tmp_path / "r.db").exists()


def test_input_ending_at_the_second_prompt_is_one_plain_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    for name in ANSWERING:
        monkeypatch.delenv(name, raising=False)
    answers = ["kestrel meadow lantern 42"]

    def first_then_end(prompt: str = "") -> str:
        if answers:
            return answers.pop()
        raise EOFError

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", first_then_end)
    line = _one_line(["init", "--db", str(tmp_path / "n.db"), "--passphrase"], capsys)
    assert line == "adoption-desktop: The passphrase was not repeated; nothing was changed."
    assert not (tmp_path / "n.db").exists()


def test_recover_passphrase_with_no_terminal_is_refused_not_kept_in_the_keyring(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``recover --passphrase`` asked for a passphrase it could not get: the key went to the keyring instead."""
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import create_database

    path = tmp_path / "x.db"
    created = create_database(path, SecretStore())
    created.db.dispose()
    for name in ANSWERING:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADOPTION_DESKTOP_RECOVERY_KEY", created.recovery_key)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    before = keys.key_file_for(path).read_bytes()
    line = _one_line(["recover", "--db", str(path), "--passphrase"], capsys)
    assert line.startswith("adoption-desktop: --passphrase: no passphrase given; set ADOPTION_DESKTOP_PASSPHRASE")
    assert keys.key_file_for(path).read_bytes() == before
