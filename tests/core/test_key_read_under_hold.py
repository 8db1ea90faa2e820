"""A maintenance that takes its own hold on the file reads the key under that hold
(``lifecycle.key_reader``): a new database key put in force while it waited (for the hold, or for the
administrator to type a password) is the key it opens the file with, not the replaced one."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_desktop.cli import ENV_USER_PASSWORD, main
from adoption_desktop.core.errors import DatabaseOpenError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage import database_key, migrations
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database, key_reader, open_database, unlock_key
from tests.conftest import TEST_PASSWORD, make_user


def _created(tmp_path: Path, store: SecretStore) -> tuple[Path, str]:
    created = create_database(tmp_path / "agency.db", store)
    make_user(created.db, "admin", Role.ADMINISTRATOR)
    created.db.dispose()
    return tmp_path / "agency.db", created.recovery_key


def _replace_key(path: Path, store: SecretStore, recovery: str) -> None:
    def sign_in(db: Database) -> Principal:
        return authenticate(db, "admin", TEST_PASSWORD, can_choose_password=False)
    database_key.replace_database_key(path, store, sign_in=sign_in, recovery_key=lambda: recovery)


def test_upgrade_command_uses_the_key_the_file_has_when_its_hold_is_taken(
        tmp_path: Path, store: SecretStore, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path, recovery = _created(tmp_path, store)
    real = migrations.upgrade_sqlcipher

    def key_replaced_meanwhile(p: Path, key: migrations.KeySource, **kw: object) -> migrations.UpgradeResult:
        _replace_key(path, store, recovery)  # another administrator, while this one waited for the hold
        return real(p, key, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(migrations, "upgrade_sqlcipher", key_replaced_meanwhile)
    assert main(["upgrade", "--db", str(path)]) == 0
    assert "already at the latest schema" in capsys.readouterr().out


def test_a_key_read_before_the_hold_is_the_replaced_one_a_reader_is_not(tmp_path: Path, store: SecretStore) -> None:
    path, recovery = _created(tmp_path, store)
    early = unlock_key(path, store)
    reader = key_reader(path, store)
    _replace_key(path, store, recovery)
    with pytest.raises(DatabaseOpenError):  # "the key is wrong": the file has the new one
        migrations.upgrade_sqlcipher(path, early)
    assert migrations.upgrade_sqlcipher(path, reader).upgraded is False
    open_database(path, store).dispose()


def test_move_reads_the_key_after_the_password_is_typed(
        tmp_path: Path, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The administrator types the password at the prompt; a new database key put in force meanwhile is
    the one the move opens the file with (the move then goes on to the server's own checks)."""
    from adoption_desktop.core.storage import move_to_server as mover

    path, recovery = _created(tmp_path, store)
    opened_with: list[bytes] = []
    real_open = migrations.open_checked

    def record(p: Path, key: bytes | bytearray, **kw: object) -> Database:
        opened_with.append(bytes(key))
        return real_open(p, key, **kw)  # type: ignore[arg-type]

    def typed(_name: str) -> str:
        _replace_key(path, store, recovery)  # while the password was being typed
        return TEST_PASSWORD

    monkeypatch.setattr("adoption_desktop.maintenance_cli.user_password", typed, raising=False)
    monkeypatch.setattr("adoption_desktop.cli_support.user_password", typed)
    monkeypatch.setattr(migrations, "open_checked", record)
    monkeypatch.setattr(mover, "_administrator", lambda *a: (_ for _ in ()).throw(SystemExit(7)))
    monkeypatch.delenv(ENV_USER_PASSWORD, raising=False)
    with pytest.raises(SystemExit) as stop:
        main(["move-to-server", "--db", str(path), "--to", "postgresql+psycopg://owner@127.0.0.1/none",
              "--user", "admin"])
    assert stop.value.code == 7
    assert opened_with[-1] == bytes(unlock_key(path, store))  # the last open is the move's own
