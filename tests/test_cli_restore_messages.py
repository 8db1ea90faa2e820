"""What ``restore`` says when it cannot: the message names what to do for a restore, never a command that
cannot work there (an IT officer's trial, 6 December 2026)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_desktop import cli
from adoption_desktop.core.errors import KeyUnavailable
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.lifecycle import backup_database, create_database, open_database


def _backup_from_another_pc(tmp_path: Path, store: SecretStore) -> tuple[Path, str]:
    """A keyring-mode backup whose key this PC's keyring does not hold, and its recovery key."""
    created = create_database(tmp_path / "old-pc.db", store)
    out = backup_database(created.db, tmp_path / "b1.adkbak")
    created.db.dispose()
    store.delete(keys.KeyEnvelope.load(keys.key_file_for(tmp_path / "old-pc.db")).db_id)
    return out, created.recovery_key


def test_restore_without_the_key_says_to_add_recovery_key(tmp_path: Path, store: SecretStore,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    backup, _ = _backup_from_another_pc(tmp_path, store)
    (tmp_path / "new").mkdir()
    dest = tmp_path / "new" / "adoption.db"
    code = cli.main(["restore", "--from", str(backup), "--db", str(dest)])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code == 2 and len(err) == 1, err
    line = err[0]
    assert "--recovery-key" in line and "Nothing was restored" in line
    assert "recover --db" not in line  # recover needs a database at that path: there is none yet
    assert not dest.exists() and not keys.key_file_for(dest).exists()


def test_restore_with_recovery_key_after_that_message_works(tmp_path: Path, store: SecretStore,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    backup, recovery = _backup_from_another_pc(tmp_path, store)
    dest = tmp_path / "adoption.db"
    assert cli.main(["restore", "--from", str(backup), "--db", str(dest)]) == 2
    monkeypatch.setenv("ADOPTION_DESKTOP_RECOVERY_KEY", recovery)
    assert cli.main(["restore", "--from", str(backup), "--db", str(dest), "--recovery-key"]) == 0
    open_database(dest, store).dispose()


def test_opening_a_database_without_its_key_still_says_recover(tmp_path: Path, store: SecretStore) -> None:
    """The other callers keep their wording: for a database already here, recover is the way."""
    _backup_from_another_pc(tmp_path, store)
    with pytest.raises(KeyUnavailable, match=r"adoption-desktop recover --db PATH"):
        open_database(tmp_path / "old-pc.db", store)


def test_files_in_the_way_are_counted_and_named(tmp_path: Path, store: SecretStore,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """"adoption.db already exist(s) there": one file exists, two files exist, each named."""
    created = create_database(tmp_path / "here.db", store)
    backup = backup_database(created.db, tmp_path / "b1.adkbak")
    created.db.dispose()
    target = tmp_path / "new" / "adoption.db"
    target.parent.mkdir()
    target.write_bytes(b"left here")

    def refusal(argv: list[str]) -> str:
        code = cli.main(argv)
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert code == 2 and len(err) == 1, err
        assert "exist(s)" not in err[0]
        return err[0]

    restore = ["restore", "--from", str(backup), "--db", str(target)]
    line = refusal(restore)
    assert "a file already exists there (adoption.db)." in line and "move it away" in line, line
    keys.key_file_for(target).write_text("{}", encoding="utf-8")
    line = refusal(restore)
    assert "2 files already exist there (adoption.db, adoption.db.keys)." in line, line
    assert "move those files away" in line and "Nothing was changed" in line, line
    assert target.read_bytes() == b"left here"

    (target.parent / "here.db").write_bytes(b"in the way")
    line = refusal(["move-database", "--db", str(tmp_path / "here.db"), "--to", str(target.parent)])
    assert "a file already exists there (here.db)." in line, line


def test_a_folder_or_a_device_is_named_for_what_it_is(tmp_path: Path, store: SecretStore,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """User trial 19: ``--db <a folder>`` said "a file already exists there", ``--from /dev/zero`` said
    "No backup at /dev/zero"; both exist, neither is what was asked for."""
    created = create_database(tmp_path / "here.db", store)
    backup = backup_database(created.db, tmp_path / "b1.adkbak")
    created.db.dispose()
    folder = tmp_path / "restored"
    folder.mkdir()

    def refusal(argv: list[str]) -> str:
        code = cli.main(argv)
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert code == 2 and len(err) == 1, err
        return err[0]

    line = refusal(["restore", "--from", str(backup), "--db", str(folder)])
    assert "it is a folder" in line and "already exists" not in line and "Nothing was changed" in line, line
    assert str(folder / "adoption.db") in line, line
    assert list(folder.iterdir()) == []
    line = refusal(["restore", "--from", "/dev/zero", "--db", str(tmp_path / "new.db")])
    assert "/dev/zero is not a file (it is a device or a pipe)" in line and "No backup at" not in line, line
    line = refusal(["restore", "--from", str(folder), "--db", str(tmp_path / "new.db")])
    assert "is a folder, not a backup file" in line, line
    assert not (tmp_path / "new.db").exists()
