"""A good database in a folder that misbehaves (a user trial, 6 December 2026): a read-only folder was
reported as a damaged file ("Restore it from a backup"), a backup killed part-way left a 13 MB temporary
folder behind for ever, and a backup onto a full disk blamed the database's disk. Real files, real
folders: see :mod:`tests.core.folder_limits`."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_desktop import cli
from adoption_desktop.core.errors import DatabaseOpenError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.lifecycle import create_database, open_database
from tests.conftest import TEST_PASSWORD, make_user
from tests.core.folder_limits import read_only


def _good_database(folder: Path, store: SecretStore) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "f.db"
    db = create_database(path, store).db
    make_user(db, "admin", Role.ADMINISTRATOR)
    db.dispose()
    return path


def _said_read_only(message: str) -> None:
    assert "folder holding f.db is read-only" in message and "the file is not damaged" in message, message
    assert "Nothing was changed" in message
    assert "damaged (" not in message and "restore" not in message.lower() and "backup" not in message.lower()


def test_a_good_database_in_a_read_only_folder_is_not_called_damaged(tmp_path: Path, store: SecretStore) -> None:
    path = _good_database(tmp_path / "shared", store)
    before = path.read_bytes()
    with read_only(path.parent):
        with pytest.raises(DatabaseOpenError) as refused:
            open_database(path, store)  # the window's open path
        _said_read_only(str(refused.value))
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", [["verify"], ["backup", "--out", "{folder}/b.adkbak"],
                                     ["export", "panel-calendar", "--user", "admin", "--out", "{folder}/p.ics"]])
def test_commands_on_a_read_only_folder_say_so_in_one_line(tmp_path: Path, store: SecretStore,
                                                           capsys: pytest.CaptureFixture[str],
                                                           command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    path = _good_database(tmp_path / "shared", store)
    args = [a.format(folder=tmp_path) for a in command]
    at = 2 if args[0] == "export" else 1
    with read_only(path.parent):
        code = cli.main([*args[:at], "--db", str(path), *args[at:]])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code != 0 and len(err) == 1, err
    _said_read_only(err[0])
