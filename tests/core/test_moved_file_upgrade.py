"""A file moved to the team server is evidence, kept unchanged (``core.storage.moved``). A newer version
of the program that finds its schema behind must not upgrade it: the upgrade rewrites the whole file (a
working copy swapped in), so opening it, or ``upgrade``, is refused with a plain message and the file is
left byte for byte as it was; ``verify`` still checks it without writing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import text

from adoption_desktop.cli import main
from adoption_desktop.core import audit
from adoption_desktop.core.audit.seals import MOVED_TO_SERVER
from adoption_desktop.core.errors import DatabaseOpenError
from adoption_desktop.core.security.permissions import SYSTEM
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import open_database, unlock_key
from tests.core.test_column_seals import _one_step_back, _put_back_one_step


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(path: Path) -> dict[str, str]:
    """The file, its keys and its anchor, and whatever else beside it (a pre-upgrade copy would show here)."""
    return {p.name: _sha(p) for p in sorted(path.parent.iterdir()) if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture
def moved_old_file(db: Database, db_path: Path, store: SecretStore) -> Path:
    """A file moved to the server (its ``moved_to_server`` entry, as the move writes it at its end), then left
    at the schema of the version before this one."""
    with db.session(SYSTEM) as session:
        audit.record(session, MOVED_TO_SERVER, "database", "*",
                     detail="moved to the server db.example/adoption by admin: records and audit entries 1 to 3")
    db.checkpoint()
    db.dispose()
    old = open_sqlcipher(db_path, unlock_key(db_path, store))
    try:
        with old.engine.connect() as conn:
            _put_back_one_step(conn)
        old.checkpoint()
    finally:
        old.dispose(write_anchor=False)
    return db_path


def test_opening_a_moved_file_that_needs_an_upgrade_is_refused_and_changes_nothing(
        moved_old_file: Path, store: SecretStore) -> None:
    before = _files(moved_old_file)
    with pytest.raises(DatabaseOpenError) as refused:
        open_database(moved_old_file, store)
    said = str(refused.value)
    assert "moved to the team server (db.example/adoption) on " in said
    assert "kept unchanged as the evidence" in said and "its records are on the server" in said
    assert "verify" in said and "nothing was changed" in said.lower()
    assert _files(moved_old_file) == before
    check = open_sqlcipher(moved_old_file, unlock_key(moved_old_file, store))
    try:
        with check.engine.connect() as conn:
            assert migrations.current_heads(conn) == {_one_step_back()}
    finally:
        check.dispose(write_anchor=False)


def test_the_upgrade_command_refuses_it_too(moved_old_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _files(moved_old_file)
    assert main(["upgrade", "--db", str(moved_old_file)]) != 0
    err = capsys.readouterr().err
    assert "moved to the team server" in err and "nothing was changed" in err.lower()
    assert _files(moved_old_file) == before


def test_verify_checks_it_without_writing(moved_old_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _sha(moved_old_file)  # the anchor beside it is refreshed on closing, as after any open
    assert main(["verify", "--db", str(moved_old_file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: database intact")
    # not "it will be upgraded the next time the database is opened": it will not be
    assert "will be upgraded" not in out
    assert "moved to the team server" in out and "kept unchanged" in out
    assert _sha(moved_old_file) == before


def test_an_unmoved_file_is_still_upgraded(db: Database, db_path: Path, store: SecretStore) -> None:
    db.dispose()
    old = open_sqlcipher(db_path, unlock_key(db_path, store))
    with old.engine.connect() as conn:
        _put_back_one_step(conn)
    old.checkpoint()
    old.dispose(write_anchor=False)
    upgraded = open_database(db_path, store)
    try:
        with upgraded.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() >= 0
    finally:
        upgraded.dispose()
