"""IT commands: ``paths``, ``upgrade``, ``move-database``; and ``self-test`` run from the source tree."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from adoption_desktop import selftest
from adoption_desktop.cli import main
from adoption_desktop.core.config import LocalConfig, app_paths
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import move_database, open_database, verify_database
from tests.other_program import lock_held_elsewhere


def test_paths_lists_the_per_user_folders(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["paths"]) == 0
    out = capsys.readouterr().out
    paths = app_paths()
    for folder in (paths.data, paths.backups, paths.settings_file, paths.logs):
        assert str(folder) in out


def test_upgrade_command_upgrades_an_old_database_and_keeps_a_copy(
        tmp_path: Path, store: SecretStore, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "old.db"
    created = keys.create_key(store, None)
    created.envelope.save(keys.key_file_for(path))
    old = open_sqlcipher(path, created.key, must_exist=False)
    with old.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn), migrations.FIRST_REVISION)
        conn.commit()
    old.checkpoint()
    old.dispose()
    assert main(["upgrade", "--db", str(path)]) == 0
    assert "the copy from before is" in capsys.readouterr().out
    assert len(list(tmp_path.glob("old.db.pre-upgrade-*.bak"))) == 1
    assert main(["upgrade", "--db", str(path)]) == 0
    assert "already at the latest schema" in capsys.readouterr().out
    assert len(list(tmp_path.glob("old.db.pre-upgrade-*.bak"))) == 1  # no second copy for no change


def test_move_database_to_another_folder_keeps_key_and_audit(db: Database, admin: Any, tmp_path: Path,
                                                             store: SecretStore) -> None:
    assert db.path is not None
    source = db.path
    db.dispose()
    other_drive = tmp_path / "D" / "Adoption"
    moved = move_database(source, other_drive, store)
    assert moved == other_drive / source.name
    for suffix in ("", ".keys", ".audit-anchor"):
        assert Path(str(moved) + suffix).exists()
    assert source.exists()  # kept unless asked
    reopened = open_database(moved, store)  # same keyring entry: the key file names it
    try:
        report = verify_database(reopened)
        assert report.ok and report.audit_entries > 0
    finally:
        reopened.dispose()
    with pytest.raises(AppError, match="already exist"):
        move_database(source, other_drive, store)


def test_move_database_command_points_the_application_at_the_new_place(
        db: Database, admin: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert db.path is not None
    source = db.path
    db.dispose()
    assert main(["move-database", "--db", str(source), "--to", str(tmp_path / "E"), "--remove-original"]) == 0
    dest = tmp_path / "E" / source.name
    assert dest.exists() and not source.exists() and not keys.key_file_for(source).exists()
    assert LocalConfig(app_paths().settings_file).get("last_database") == str(dest.resolve())
    assert "Moved to" in capsys.readouterr().out


def test_move_refuses_while_the_database_is_open_elsewhere(db: Database, admin: Any, tmp_path: Path,
                                                          store: SecretStore,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "0.3")
    assert db.path is not None
    with db.session(admin) as session:  # the application is open and has written something
        session.execute(__import__("sqlalchemy").text("SELECT 1"))
    with pytest.raises(AppError, match="open in another program"):
        move_database(db.path, tmp_path / "G", store)
    assert not (tmp_path / "G" / db.path.name).exists()
    db.dispose()
    assert move_database(db.path, tmp_path / "G", store).exists()  # once it is closed, it moves


def test_move_command_leaves_another_database_as_the_one_the_application_opens(
        db: Database, admin: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert db.path is not None
    db.dispose()
    config = LocalConfig(app_paths().settings_file)
    config.set("last_database", str(tmp_path / "the-one-in-use.db"))
    assert main(["move-database", "--db", str(db.path), "--to", str(tmp_path / "H")]) == 0
    assert LocalConfig(app_paths().settings_file).get("last_database") == str(tmp_path / "the-one-in-use.db")
    assert "still opens that one" in capsys.readouterr().out


def test_move_refuses_a_database_that_does_not_verify(db: Database, admin: Any, tmp_path: Path,
                                                      store: SecretStore) -> None:
    assert db.path is not None
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET detail = 'altered' WHERE seq = 1")
    db.dispose()
    with pytest.raises(AppError, match="did not verify"):
        move_database(db.path, tmp_path / "F", store)
    assert not (tmp_path / "F" / db.path.name).exists()


def test_self_test_passes_from_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keep = tmp_path / "kept"
    assert main(["self-test", "--keep", str(keep)]) == 0
    out = capsys.readouterr().out
    assert out.count("PASS ") == len(selftest.STEPS) and "Self-test passed" in out
    assert {p.name for p in keep.iterdir()} >= {"main-window.png", "decision-letter.pdf", "minutes.docx",
                                                "adoption-desktop.log"}
    assert not app_paths().data.exists() or not any(app_paths().data.iterdir())


def test_self_test_names_the_step_that_failed(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    def broken(run: selftest.SelfTestRun) -> str:
        raise selftest.SelfTestFailure("the letter's text does not carry the decision's reference")

    steps = tuple((name, broken if name == "pdf letter" else step) for name, step in selftest.STEPS)
    monkeypatch.setattr(selftest, "STEPS", steps)
    assert main(["self-test"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  pdf letter: SelfTestFailure: the letter's text" in out
    assert "Self-test FAILED at step 'pdf letter'" in out
    assert "word minutes" not in out  # it stops at the first failure


def test_a_command_says_a_damaged_settings_file_was_kept_aside(capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop.core.config import damaged_names, take_notices

    take_notices()
    settings = app_paths().ensure().settings_file
    settings.write_text('{"last_database": "C:/Agency/ado', encoding="utf-8")  # cut short by a crash
    assert main(["paths"]) == 0
    [aside] = damaged_names(settings)
    assert aside.read_text(encoding="utf-8") == '{"last_database": "C:/Agency/ado'
    err = capsys.readouterr().err
    assert "settings file was damaged" in err and aside.name in err and "the database to open" in err
    assert main(["paths"]) == 0
    assert "damaged" not in capsys.readouterr().err  # said once


@pytest.mark.skipif(sys.platform == "win32", reason="the holder process uses flock")
def test_a_move_whose_settings_stay_busy_is_said_as_moved_not_as_failed(
        db: Database, admin: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The window (another program) saving the settings past the wait: the database was moved and verified;
    the command said "unexpected problem" and exit 2 for the preference it could not save."""
    from adoption_desktop.core import config

    assert db.path is not None
    source = db.path
    db.dispose()
    settings = app_paths().ensure().settings_file
    monkeypatch.setattr(config.settings_locks, "SETTINGS_LOCK_WAIT", 0.3)
    with lock_held_elsewhere(config.lock_file_for_settings(settings)):
        assert main(["move-database", "--db", str(source), "--to", str(tmp_path / "F")]) == 0
    dest = tmp_path / "F" / source.name
    out = capsys.readouterr().out
    assert dest.exists() and "Moved to" in out and "settings could not be updated" in out and "--db" in out
    # the busy refusal's "Try again." sent the user to move the database again: it has gone from there
    assert "another copy of Adoption Desktop was saving them" in out and "Try again" not in out
    assert LocalConfig(settings).get("last_database") is None
