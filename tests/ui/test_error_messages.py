"""User test, 2026-12-05: on a database with a table dropped outside the application, the ADM page said
"Something went wrong (OperationalError: no such table: adm_letters [SQL: SELECT …])". An error no screen
expected is said in a plain sentence (what happened, that nothing was saved, what to do); the details go
to the log, never the SQL."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from adoption_desktop.adm.models import AdmLetter
from adoption_desktop.app import audit_alert
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database
from adoption_desktop.ui import dialogs
from tests.conftest import make_user
from tests.core.test_dropped_tables import _drop

SQL_WORDS = ("[SQL", "SELECT", "FROM", "no such table", "adm_letters", "sqlcipher")


def _said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *_a: shown.append(text))
    return shown


def test_a_database_error_is_said_plainly_and_its_details_logged(
        qtbot: Any, db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    with db.engine.begin() as conn:  # dropped with the key, beside the application
        conn.exec_driver_sql("DROP TABLE adm_letters")
    with pytest.raises(OperationalError) as raised, db.session(write=False) as session:
        session.execute(select(AdmLetter)).all()
    assert "[SQL: SELECT" in str(raised.value)  # what the window showed
    shown = _said(monkeypatch)
    parent = QWidget()
    qtbot.addWidget(parent)
    with caplog.at_level(logging.ERROR):
        dialogs.show_error(parent, "ADM decisions", raised.value)
    assert len(shown) == 1
    for word in SQL_WORDS:
        assert word not in shown[0], shown[0]
    assert "could not be read" in shown[0] and "Nothing was saved" in shown[0] and "verify" in shown[0]
    assert any(r.exc_info and r.exc_info[1] is raised.value for r in caplog.records), "the details go to the log"


def test_an_unexpected_error_does_not_show_its_own_text(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _said(monkeypatch)
    parent = QWidget()
    qtbot.addWidget(parent)
    dialogs.show_error(parent, "Letters", KeyError("SELECT secret FROM adm_letters"))
    assert shown and "KeyError" in shown[0] and "SELECT" not in shown[0] and "log" in shown[0]


def test_a_page_that_reads_a_dropped_table_says_so_plainly(
        make_window: Callable[..., Any], db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    adm = make_user(db, "adm", Role.AGENCY_DECISION_MAKER)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.exec_driver_sql("DROP TABLE adm_decisions")
    shown = _said(monkeypatch)
    window = make_window(adm)
    window.open_target("adm")
    assert shown, "the page's failure was not said"
    for word in SQL_WORDS:
        assert word not in shown[-1], shown[-1]


def test_the_audit_alert_names_a_dropped_table(qtbot: Any, db: Database, db_path: Path, store: SecretStore,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    clerk = make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
    db.dispose()
    _drop(db_path, store, "adm_letters")
    held = open_database(db_path, store)
    try:
        shown: list[str] = []
        monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: shown.append(text))
        parent = QWidget()
        qtbot.addWidget(parent)
        audit_alert(parent, held, clerk)
    finally:
        held.dispose()
    assert shown and "adm_letters is missing (dropped outside the application)" in shown[0]
    assert "restore" in shown[0].lower() and "[SQL" not in shown[0]


def test_a_full_disk_is_said_as_a_full_disk_in_the_window(qtbot: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Not "the database could not be read … may be damaged": SQLite's own SQLITE_FULL, made for real."""
    from tests.test_cli_disk_full import _full_disk_error

    shown = _said(monkeypatch)
    parent = QWidget()
    qtbot.addWidget(parent)
    dialogs.show_error(parent, "Save", _full_disk_error(tmp_path))
    assert len(shown) == 1 and "The disk is full" in shown[0] and "nothing was saved" in shown[0]
    assert "damaged" not in shown[0] and not any(w in shown[0] for w in SQL_WORDS)
