"""Shared fixtures: offscreen Qt, an in-memory keyring, cheap hashing, a real SQLCipher file per test,
and (when a server can be started on loopback) a throwaway PostgreSQL for the storage tests."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from argon2 import PasswordHasher
from keyring.backend import KeyringBackend

from adoption_desktop.core import policy
from adoption_desktop.core.logging_setup import reset_logging
from adoption_desktop.core.security import keys, passwords
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database

from .pg import PostgresServer, start_postgres

TEST_PASSWORD = "correct-horse-battery"


class MemoryKeyring(KeyringBackend):
    priority = 10

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def _isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Every test: its own data folder, in-memory keyring, cheap argon2 parameters."""
    monkeypatch.setenv("ADOPTION_DESKTOP_DATA_DIR", str(tmp_path / "appdata"))
    # no machine policy or installation defaults unless a test writes these files
    monkeypatch.setenv("ADOPTION_DESKTOP_POLICY_FILE", str(tmp_path / "policy" / "policy.json"))
    monkeypatch.setenv("ADOPTION_DESKTOP_DEFAULTS_FILE", str(tmp_path / "policy" / "defaults.json"))
    policy.reset_cache()
    monkeypatch.delenv(keys.ENV_PASSPHRASE, raising=False)
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.setattr(keys, "PASSPHRASE_KDF", keys.KdfParams(1, 1024, 1))
    monkeypatch.setattr(keys, "RECOVERY_KDF", keys.KdfParams(1, 1024, 1))
    passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield backend
    keyring.set_keyring(previous)
    policy.reset_cache()
    reset_logging()  # a command run in-process opened the log in this test's folder


@pytest.fixture
def store() -> SecretStore:
    return SecretStore()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "agency.db"


@pytest.fixture
def db(db_path: Path, store: SecretStore) -> Iterator[Database]:
    created = create_database(db_path, store)
    yield created.db
    created.db.dispose()


def make_user(db: Database, username: str, *roles: Role, password: str = TEST_PASSWORD) -> Principal:
    from adoption_desktop.core.security.models import User, UserRole
    from adoption_desktop.core.security.passwords import hash_password

    with db.session() as session:
        user = User(username=username, full_name=f"{username.title()} Tester",
                    password_hash=hash_password(password))
        user.roles = [UserRole(role=str(r)) for r in roles]
        session.add(user)
        session.flush()
        return Principal(user.id, user.username, user.full_name, frozenset(roles))


@pytest.fixture
def admin(db: Database) -> Principal:
    return make_user(db, "admin", Role.ADMINISTRATOR)


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    # not under pytest's tmp folder: that is private to root and the server runs as "postgres"
    folder = Path(tempfile.mkdtemp(prefix="adk-pg-"))
    server = start_postgres(folder)
    yield server
    if server is not None:
        server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlcipher", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path, store: SecretStore) -> Iterator[Database]:
    """The same test on SQLCipher always, and on PostgreSQL when a throwaway server could start."""
    if request.param == "sqlcipher":
        created = create_database(tmp_path / "any.db", store)
        yield created.db
        created.db.dispose()
        return
    server: PostgresServer | None = request.getfixturevalue("postgres_server")
    if server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    yield from server.fresh_database()
