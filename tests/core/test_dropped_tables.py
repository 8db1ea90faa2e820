"""User test, 2026-12-05 (with the key in hand): whole tables dropped in SQL.

``DROP TABLE adm_letters`` (or ``panel_minutes``, ``counselling_disclosures``) and ``verify`` said "OK:
database intact": the check skipped a table it could not find. ``DROP TABLE audit_seal`` stopped ``verify``
with "an unexpected error stopped the command (OperationalError)", ``audit_log`` or ``audit_head`` with
"could not be read (it may be damaged): run `adoption-desktop verify`". Opening the database in the window
ended in the SQL error of the first page that read the table. A table the schema must have that is gone is
now a fault of ``verify`` (exit 1, the table named, with the sealed rows the log says it held) and holds the
database on open with a plain message; a sign-in the database cannot record says why.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from adoption_desktop.cli import main
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security import keys
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.settings_service import add_closure_day
from adoption_desktop.core.storage.engine import AuditHoldError, Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from tests.conftest import TEST_PASSWORD, make_user
from tests.core.test_team_mode import Team, team  # noqa: F401  (the team-mode fixture)


def _drop(path: Path, store: SecretStore, *tables: str) -> None:
    """Drop tables through a separate raw connection, as someone holding the key would (no application)."""
    key = keys.load_key(keys.KeyEnvelope.load(keys.key_file_for(path)), store, None)
    raw = open_sqlcipher(path, key)
    with raw.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        for table in tables:
            conn.exec_driver_sql(f"DROP TABLE {table}")
    raw.checkpoint()
    raw.engine.dispose()


@pytest.fixture
def agency(db: Database, db_path: Path) -> Path:
    """Two users with a role each (two sealed rows of user_roles), closed as the application closes it."""
    make_user(db, "admin", Role.ADMINISTRATOR)
    make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
    assert verify_database(db).ok
    db.dispose()
    return db_path


def _verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--db", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_a_dropped_record_table_is_a_fault_naming_it_and_its_sealed_rows(
        agency: Path, store: SecretStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert _verify(agency, capsys)[0] == 0
    _drop(agency, store, "user_roles", "adm_letters", "letterbox_document_keys")
    code, said = _verify(agency, capsys)
    assert code == 1, said
    assert "OK" not in said
    lines = [line for line in said.splitlines() if line.startswith("FAULT: ")]
    assert any("user_roles: the whole table is missing (dropped outside the application)" in line
               and "held 2 sealed rows" in line for line in lines), said
    # no row of it was ever written: still a table this schema must have
    assert any("adm_letters: the whole table is missing" in line and "no rows" in line for line in lines), said
    # not audited row by row (a document key is never logged): named as missing all the same
    assert any("the table letterbox_document_keys is missing" in line for line in lines), said


@pytest.mark.parametrize("table", ["audit_seal", "audit_log", "audit_head", "audit_columns"])
def test_a_dropped_audit_table_is_a_fault_not_an_error(
        agency: Path, store: SecretStore, capsys: pytest.CaptureFixture[str], table: str) -> None:
    _drop(agency, store, table)
    code, said = _verify(agency, capsys)
    assert code == 1, said
    assert f"FAULT: audit log: the audit table {table} is missing (dropped outside the application)" in said
    assert "unexpected error" not in said and "run `adoption-desktop verify`" not in said, said


def test_opening_with_a_record_table_dropped_holds_the_database(agency: Path, store: SecretStore) -> None:
    _drop(agency, store, "adm_letters")
    db = open_database(agency, store)
    try:
        assert db.audit_hold is not None
        assert "the table adm_letters is missing (dropped outside the application)" in db.audit_hold
        assert "SELECT" not in db.audit_hold and "restore" in db.audit_hold.lower()
        admin = users.authenticate(db, "admin", TEST_PASSWORD)  # signing in still works, to review it
        with pytest.raises(AuditHoldError, match="adm_letters"):
            add_closure_day(db, admin, dt.date(2032, 1, 2), "refused while held")
    finally:
        db.dispose()


@pytest.mark.parametrize("table", ["audit_seal", "audit_log", "audit_head"])
def test_opening_with_an_audit_table_dropped_holds_it_and_sign_in_says_why(
        agency: Path, store: SecretStore, table: str) -> None:
    _drop(agency, store, table)
    db = open_database(agency, store)  # not an SQL error at open
    try:
        assert db.audit_hold is not None
        assert f"the audit table {table} is missing (dropped outside the application)" in db.audit_hold
        with pytest.raises(AppError) as refused:  # the sign-in cannot be recorded without the log
            users.authenticate(db, "admin", TEST_PASSWORD)
        assert table in str(refused.value) and "[SQL" not in str(refused.value)
    finally:
        db.dispose()



def test_team_mode_names_a_dropped_table_and_holds_the_database(team: Team) -> None:  # noqa: F811
    team.as_superuser("DROP TABLE closure_days CASCADE", "DROP TABLE audit_seal CASCADE")
    problems = team.verify()
    assert "audit log: the audit table audit_seal is missing (dropped outside the application)" in problems, problems
    assert any("closure_days is missing" in p for p in problems), problems
    db = team.open()
    try:
        assert db.audit_hold is not None and "audit_seal" in db.audit_hold and "closure_days" in db.audit_hold
    finally:
        db.dispose(write_anchor=False)
