"""A column an upgrade adds to an audited table is sealed on the rows already there (red-team, 4 December
2026): before, it was covered only from a row's next write, and a signed decision is never written again,
so its new column could be changed in SQL with no entry at all and ``verify`` said nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection

from adoption_desktop.core.audit.column_seals import UPGRADE_SEAL, seal_new_columns
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import open_database
from tests.core import test_tamper
from tests.core.test_tamper import Case, _caught, _first

#: the tamper tests' demo copy, opened once (their fixtures)
template = test_tamper.template
case = test_tamper.case

#: what an upgrade step adding a column to a table of final records does
ADD_COLUMN = "ALTER TABLE adm_decisions ADD COLUMN review_note TEXT NOT NULL DEFAULT 'none'"


def _upgrade_step_then_seal(case: Case) -> dict[str, int]:
    raw = open_sqlcipher(case.path, case.key())
    try:
        with raw.engine.begin() as conn:
            conn.exec_driver_sql(ADD_COLUMN)
        with raw.engine.begin() as conn:
            sealed = seal_new_columns(conn)
            assert seal_new_columns(conn) == {}  # once: every row is whole now
        raw.checkpoint()
    finally:
        raw.engine.dispose()
    return sealed


def test_without_the_seal_a_new_column_of_a_signed_decision_changes_unseen(case: Case) -> None:
    """The gap itself, so that the next test is seen to close it."""
    row = _first(case, "SELECT id FROM adm_decisions WHERE signed_at IS NOT NULL")
    case.sql(ADD_COLUMN, f"UPDATE adm_decisions SET review_note = 'changed' WHERE id = {row}")
    assert case.verify() == []


def test_the_new_column_is_sealed_on_every_row_and_a_change_to_it_is_reported(case: Case) -> None:
    decisions = int(str(case.value("SELECT count(*) FROM adm_decisions")))
    sealed = _upgrade_step_then_seal(case)
    assert sealed == {"adm_decisions": decisions}
    assert case.value(f"SELECT detail FROM audit_log WHERE action = '{UPGRADE_SEAL}'") == (
        f"columns added by an upgrade sealed (review_note): {decisions} rows")
    assert case.verify() == []
    row = _first(case, "SELECT id FROM adm_decisions WHERE signed_at IS NOT NULL")
    case.sql(f"UPDATE adm_decisions SET review_note = 'changed' WHERE id = {row}")
    _caught(case.verify(), f"adm_decisions row {row}: review_note changed outside the application")


def test_a_row_changed_before_the_upgrade_is_not_sealed_over(case: Case) -> None:
    """The upgrade must not vouch for a change made outside the program: that row keeps being named."""
    row = _first(case, "SELECT id FROM adm_decisions WHERE signed_at IS NOT NULL")
    case.sql(f"UPDATE adm_decisions SET outcome = 'not_approve' WHERE id = {row}")
    decisions = int(str(case.value("SELECT count(*) FROM adm_decisions")))
    assert _upgrade_step_then_seal(case) == {"adm_decisions": decisions - 1}
    _caught(case.verify(), f"adm_decisions row {row}: outcome changed outside the application")


def test_the_upgrade_seals_the_columns_its_steps_added(case: Case) -> None:
    """Through the program's upgrade: the database one step behind, with a column that step added."""
    raw = open_sqlcipher(case.path, case.key())  # closed with its hold given up (an upgrade waits for it)
    try:
        with raw.engine.begin() as conn:
            conn.exec_driver_sql(ADD_COLUMN)
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'auditview_0001_reference_keys'")
        raw.checkpoint()
    finally:
        raw.dispose(write_anchor=False)
    db = open_database(case.path, case.store, test_tamper.PASS)  # as the program opens it: upgraded
    db.dispose()
    assert case.value(f"SELECT count(*) FROM audit_log WHERE action = '{UPGRADE_SEAL}'") == 1
    assert case.verify() == []
    row = _first(case, "SELECT id FROM adm_decisions WHERE signed_at IS NOT NULL")
    case.sql(f"UPDATE adm_decisions SET review_note = 'changed' WHERE id = {row}")
    _caught(case.verify(), "review_note changed outside the application")


def test_on_postgresql_a_failed_sealing_leaves_the_upgrade_undone(pg_db: Database,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Team mode: the steps were committed before the added columns were sealed, in a transaction of its
    own; had the sealing failed (or the connection dropped), the new columns of final records stayed
    unsealed, the schema current, and nothing would seal them again. Now both are one transaction."""
    from adoption_desktop.core.audit import column_seals
    from adoption_desktop.core.storage.migrations import MigrationError, needs_upgrade, upgrade_postgresql

    with pg_db.engine.begin() as conn:  # one step behind, as an older version left it
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'auditview_0001_reference_keys'")

    def fail(_conn: Connection) -> dict[str, int]:
        raise RuntimeError("connection lost while sealing")

    monkeypatch.setattr(column_seals, "seal_new_columns", fail)
    with pytest.raises((MigrationError, RuntimeError)):
        upgrade_postgresql(pg_db)
    assert needs_upgrade(pg_db)  # the step is undone with the sealing: the next upgrade does both
    monkeypatch.undo()
    assert upgrade_postgresql(pg_db).upgraded and not needs_upgrade(pg_db)
