"""Security details: new passphrases must be strong (zxcvbn), sign-in spends the same work on an unknown
user name as on a known one, changing one's own password needs the current one, key material is wiped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from adoption_desktop import cli
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security import keys, passwords, strength
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database
from tests.conftest import TEST_PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
WEAK = ["a", "password1234", "aaaaaaaaaaaaaaaa", "qwertyuiop123", "short words"]
STRONG = ["kestrel meadow lantern 42", "correct-horse-battery", "Velvet plums on the Tyne"]


@pytest.mark.parametrize("passphrase", WEAK)
def test_weak_passphrases_are_refused_with_advice(passphrase: str) -> None:
    problem = strength.passphrase_problem(passphrase)
    assert problem is not None and problem.startswith("Passphrase:")
    if len(passphrase) >= strength.MIN_LENGTH:
        assert "strength" in problem and ("Add another word" in problem or "common" in problem)


@pytest.mark.parametrize("passphrase", STRONG)
def test_strong_passphrases_pass(passphrase: str) -> None:
    assert strength.passphrase_problem(passphrase) is None


def test_a_database_is_never_created_or_rewrapped_under_a_weak_passphrase(tmp_path: Path,
                                                                           store: SecretStore) -> None:
    with pytest.raises(ValidationError, match="Passphrase"):
        create_database(tmp_path / "weak.db", store, passphrase="a")
    assert list(tmp_path.iterdir()) == []  # nothing left behind
    created = create_database(tmp_path / "ok.db", store, passphrase=STRONG[0])
    created.db.dispose()
    envelope = keys.KeyEnvelope.load(keys.key_file_for(tmp_path / "ok.db"))
    key = keys.load_key(envelope, store, STRONG[0])
    with pytest.raises(ValidationError, match="Passphrase"):
        keys.rewrap(envelope, key, SecretStore("no-keyring-needed"), "password1234")


def _headless(tmp_path: Path, passphrase: str) -> dict[str, str]:
    return dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=passphrase,
                PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data"))


def test_cli_init_refuses_a_weak_passphrase_in_one_line(tmp_path: Path) -> None:
    """The case from the issue: ``init`` with passphrase "a" on a machine with no keyring."""
    path = tmp_path / "a.db"
    res = subprocess.run([sys.executable, "-m", "adoption_desktop", "init", "--db", str(path)],
                         capture_output=True, text=True, env=_headless(tmp_path, "a"), cwd=ROOT, timeout=300,
                         check=False, stdin=subprocess.DEVNULL)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 2 and len(lines) == 1 and "at least 12 characters" in lines[0], res.stderr
    assert not path.exists() and not keys.key_file_for(path).exists()


def test_cli_init_and_recover_check_the_new_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(keys.ENV_PASSPHRASE, "password1234")
    assert cli.main(["init", "--db", str(tmp_path / "x.db"), "--passphrase"]) == 2
    assert "too easy to guess" in capsys.readouterr().err and not (tmp_path / "x.db").exists()
    monkeypatch.setenv(keys.ENV_PASSPHRASE, STRONG[0])
    assert cli.main(["init", "--db", str(tmp_path / "x.db"), "--passphrase"]) == 0
    recovery = capsys.readouterr().out.split("RECOVERY KEY")[1].split()[-1]
    monkeypatch.setenv("ADOPTION_DESKTOP_RECOVERY_KEY", recovery)
    monkeypatch.setenv(keys.ENV_PASSPHRASE, "aaaaaaaaaaaaaaaa")
    before = keys.key_file_for(tmp_path / "x.db").read_text()
    assert cli.main(["recover", "--db", str(tmp_path / "x.db"), "--passphrase"]) == 2
    err = capsys.readouterr().err  # names where the passphrase came from, not the window's field
    assert f"{keys.ENV_PASSPHRASE}: too easy to guess" in err and "Passphrase:" not in err
    assert keys.key_file_for(tmp_path / "x.db").read_text() == before  # unchanged


def test_passphrase_dialog_refuses_a_weak_new_passphrase(qtbot: Any) -> None:
    from adoption_desktop.ui.dialogs import PassphraseDialog

    dialog = PassphraseDialog(None, confirm=True, database="agency.db")
    qtbot.addWidget(dialog)
    dialog.first.setText("password1234")
    assert dialog.second is not None
    dialog.second.setText("password1234")
    dialog._check()
    assert dialog.result() == 0 and "too easy to guess" in dialog.message.text()
    dialog.first.setText(STRONG[0])
    dialog.second.setText(STRONG[0])
    dialog._check()
    assert dialog.result() == 1
    unlock = PassphraseDialog(None, confirm=False, database="agency.db")  # an existing one: no rule
    qtbot.addWidget(unlock)
    unlock.first.setText("a")
    unlock._check()
    assert unlock.result() == 1


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verifies = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verifies += 1
        return super().verify(hash, password)


def test_unknown_and_disabled_users_cost_one_password_check_like_a_wrong_password(
        db: Database, admin: Principal) -> None:
    """Timing cannot tell user names apart: every failed sign-in runs exactly one argon2 verify (the
    measured times are in bench/results/signin.md; no test asserts a time)."""
    make_user(db, "known", Role.COUNSELLOR)
    gone = make_user(db, "gone", Role.COUNSELLOR)
    users.set_disabled(db, admin, gone.user_id, True)
    hasher = CountingHasher()
    passwords.set_hasher(hasher)
    spent = {}
    for name in ("known", "nobody-by-this-name", "gone"):
        hasher.verifies = 0
        with pytest.raises(users.SignInError, match="not right"):
            users.authenticate(db, name, "wrong password")
        spent[name] = hasher.verifies
    assert spent == {"known": 1, "nobody-by-this-name": 1, "gone": 1}


def test_changing_your_own_password_needs_the_current_one(db: Database, admin: Principal) -> None:
    me = make_user(db, "self", Role.COUNSELLOR)
    with pytest.raises(ValidationError, match="Current password"):
        users.reset_password(db, me, me.user_id, "a-new-long-password")
    with pytest.raises(ValidationError, match="Current password"):
        users.change_own_password(db, me, "not my password", "a-new-long-password")
    assert users.authenticate(db, "self", TEST_PASSWORD)  # unchanged
    users.change_own_password(db, me, TEST_PASSWORD, "a-new-long-password")
    assert users.authenticate(db, "self", "a-new-long-password")
    # an administrator resetting their own password is asked too; someone else's is simply reset
    with pytest.raises(ValidationError, match="Current password"):
        users.reset_password(db, admin, admin.user_id, "another-long-password")
    users.reset_password(db, admin, me.user_id, "set-by-the-admin-1", must_change=False)
    assert users.authenticate(db, "self", "set-by-the-admin-1")


def test_wrong_current_passwords_count_towards_the_lock_out(db: Database) -> None:
    me = make_user(db, "guessed", Role.COUNSELLOR)
    for _ in range(5):
        with pytest.raises(ValidationError):
            users.change_own_password(db, me, "a guess", "a-new-long-password")
    with pytest.raises(users.AccountLocked):
        users.authenticate(db, "guessed", TEST_PASSWORD)


def test_password_dialogs_ask_for_the_current_password_only_for_your_own(db: Database, admin: Principal,
                                                                       qtbot: Any) -> None:
    from adoption_desktop.ui.admin_page import AdminPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    other = make_user(db, "other", Role.COUNSELLOR)
    page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    summaries = {u.username: u for u in users.list_users(db, admin)}
    own = page.users.password_dialog(summaries["admin"])
    qtbot.addWidget(own)
    assert own.current is not None
    own.new.setText("a-new-long-password")
    own.repeat.setText("a-new-long-password")
    own.current.setText("wrong")
    own._check()
    assert own.result() == 0 and "Current password" in own.message.text()
    assert own.new.text() == "a-new-long-password"  # nothing typed is lost
    own.current.setText(TEST_PASSWORD)
    own._check()
    assert own.result() == 1 and users.authenticate(db, "admin", "a-new-long-password")
    theirs = page.users.password_dialog(summaries["other"])
    qtbot.addWidget(theirs)
    assert theirs.current is None
    theirs.new.setText("reset-by-admin-22")
    theirs.repeat.setText("reset-by-admin-22")
    theirs._check()
    with pytest.raises(users.PasswordChangeRequired) as required:  # they choose their own at sign-in
        users.authenticate(db, "other", "reset-by-admin-22")
    assert required.value.principal.user_id == other.user_id


def test_key_material_is_wiped_after_wrapping_and_unwrapping(monkeypatch: pytest.MonkeyPatch) -> None:
    wiped: list[bytearray] = []
    real_wipe = keys.wipe

    def spy(buffer: bytearray) -> None:
        real_wipe(buffer)
        wiped.append(buffer)

    monkeypatch.setattr(keys, "wipe", spy)
    key = keys.generate_key()
    assert isinstance(key, bytearray)
    blob = keys.wrap(key, STRONG[0], keys.PASSPHRASE_KDF)
    assert wiped and all(not any(b) for b in wiped)  # the encoded passphrase and the key-encryption key
    assert [len(b) for b in wiped] == [len(STRONG[0].encode()), 64]
    wiped.clear()
    again = keys.unwrap(blob, STRONG[0])
    assert again == key and isinstance(again, bytearray)
    assert [len(b) for b in wiped] == [len(STRONG[0].encode()), 64] and all(not any(b) for b in wiped)
    assert keys.unwrap(blob, "another passphrase entirely") is None
    real_wipe(key)
    assert key == bytearray(keys.KEY_BYTES)


def test_two_key_files_written_at_once_leave_one_whole_file(tmp_path: Path) -> None:
    """Each writer writes under a name of its own before the rename: the file is always one whole envelope,
    and no temporary file is left beside it."""
    import threading

    target = tmp_path / "agency.db.keys"
    envelopes = [keys.KeyEnvelope(f"db-{n}", "keyring", None, {"n": n}) for n in range(2)]

    errors: list[BaseException] = []

    def write(envelope: keys.KeyEnvelope) -> None:
        try:
            for _ in range(200):
                envelope.save(target)
        except OSError as exc:  # the shared name: the other writer had renamed it away
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(e,)) for e in envelopes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert keys.KeyEnvelope.load(target).db_id in {"db-0", "db-1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agency.db.keys"]
