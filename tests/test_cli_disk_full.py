"""A full disk is not a damaged database (a tester's trial, 5 December: an import onto a full disk was told
"the database could not be read (it may be damaged) … restore it from a backup", which would have thrown
away every change since the backup; `verify` afterwards: intact). The error is SQLite's own, made for real
by a database that may not grow (``max_page_count``), through SQLAlchemy as the program meets it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from adoption_desktop.cli import _unexpected
from adoption_desktop.core.storage.engine import is_damage_error, is_disk_full_error


def _full_disk_error(tmp_path: Path) -> OperationalError:
    engine = create_engine(f"sqlite:///{tmp_path / 'small.db'}")

    @event.listens_for(engine, "connect")
    def _small(conn, _record):  # type: ignore[no-untyped-def]
        conn.execute("PRAGMA max_page_count = 4")

    with pytest.raises(OperationalError) as raised, engine.begin() as c:
        c.execute(text("CREATE TABLE t (x TEXT)"))
        for _ in range(50):
            c.execute(text("INSERT INTO t VALUES (:x)"), {"x": "x" * 4000})
    engine.dispose()
    return raised.value


def test_a_full_disk_is_said_as_a_full_disk_not_damage(tmp_path: Path) -> None:
    err = _full_disk_error(tmp_path)
    assert "full" in str(err.orig)  # SQLite's SQLITE_FULL, as the program meets it
    assert is_disk_full_error(err) and not is_damage_error(err)
    said = _unexpected(err)
    assert "disk that holds the database is full" in said and "not saved" in said
    assert "damaged" not in said and "backup" not in said


def test_the_operating_systems_no_space_for_a_file_is_a_full_disk_too(tmp_path: Path) -> None:
    err = OSError(28, "No space left on device", str(tmp_path / "x.pdf"))
    said = _unexpected(err)
    assert is_disk_full_error(err) and "x.pdf" in said and "the disk is full" in said and "database" not in said
