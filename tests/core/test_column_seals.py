"""A column an upgrade adds to an audited table is sealed on the rows already there (red-team, 4 December
2026): before, it was covered only from a row's next write, and a signed decision is never written again,
so its new column could be changed in SQL with no entry at all and ``verify`` said nothing."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from adoption_desktop.core.audit.column_seals import UPGRADE_SEAL, seal_new_columns
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import open_database
from tests.core import test_tamper
from tests.core.test_tamper import Case, _caught, _first

#: the tamper tests' demo copy, opened once (their fixtures)
template = test_tamper.template
case = test_tamper.case

#: what an upgrade step adding a column to a table of final records does
ADD_COLUMN = "ALTER TABLE adm_decisions ADD COLUMN review_note TEXT NOT NULL DEFAULT 'none'"


def _one_step_back() -> str:
    """The revision just before the newest, read from the scripts: a hard-coded one fell further behind
    with each migration added after it, and the upgrade re-ran steps whose work was already there
    (``lbwork_0005``'s table: "already exists")."""
    script = ScriptDirectory.from_config(migrations.alembic_config())
    heads = script.get_heads()
    assert len(heads) == 1, "one linear head expected"
    head = script.get_revision(heads[0])
    assert head is not None and isinstance(head.down_revision, str), "one linear head expected"
    return head.down_revision


def _put_back_one_step(conn: Connection) -> None:
    """The database as the version before the newest left it: the newest step's own downgrade, so that the
    upgrade runs that step for real (not a version stamp rewound over a schema that already has its work).
    SQLite: foreign keys off for it, as the upgrade has them (a step may rebuild a table others point to)."""
    sqlite = conn.dialect.name == "sqlite"
    raw = conn.connection.driver_connection
    if sqlite:
        conn.commit()
        raw.execute("PRAGMA foreign_keys = OFF")
    try:
        command.downgrade(migrations.alembic_config(conn, per_step=not sqlite), _one_step_back())
        conn.commit()
    finally:
        if sqlite:
            raw.execute("PRAGMA foreign_keys = ON")
    assert migrations.current_heads(conn) == {_one_step_back()}


def _schema(conn: Connection) -> dict[str, tuple[list[str], list[str]]]:
    """Each table's columns and index names: what a step changes."""
    found = inspect(conn)
    return {t: (sorted(c["name"] for c in found.get_columns(t)),
                sorted(str(i["name"]) for i in found.get_indexes(t)))
            for t in sorted(found.get_table_names())}


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
        with raw.engine.connect() as conn:
            current = _schema(conn)
            _put_back_one_step(conn)
        with raw.engine.begin() as conn:
            conn.exec_driver_sql(ADD_COLUMN)
        raw.checkpoint()
    finally:
        raw.dispose(write_anchor=False)
    db = open_database(case.path, case.store, test_tamper.PASS)  # as the program opens it: upgraded
    try:
        with db.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            upgraded = _schema(conn)
    finally:
        db.dispose()
    assert upgraded.pop("adm_decisions")[0] == sorted([*current.pop("adm_decisions")[0], "review_note"])
    assert upgraded == current  # the newest step ran again: its work is back
    # once for the column added here; a newest step whose downgrade sealed its rows without its own column
    # (``journey_0002_match_decision``) has them sealed again over it, in an entry of their table's
    assert case.value(f"SELECT count(*) FROM audit_log WHERE action = '{UPGRADE_SEAL}' "
                      "AND entity = 'adm_decisions'") == 1
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

    with pg_db.engine.connect() as conn:  # one step behind, as an older version left it
        current = _schema(conn)
        _put_back_one_step(conn)
        behind = _schema(conn)

    def fail(_conn: Connection) -> dict[str, int]:
        raise RuntimeError("connection lost while sealing")

    monkeypatch.setattr(column_seals, "seal_new_columns", fail)
    with pytest.raises((MigrationError, RuntimeError)):
        upgrade_postgresql(pg_db)
    assert needs_upgrade(pg_db)  # the step is undone with the sealing: the next upgrade does both
    with pg_db.engine.connect() as conn:
        assert _schema(conn) == behind  # its work too, not only the version
    monkeypatch.undo()
    assert upgrade_postgresql(pg_db).upgraded and not needs_upgrade(pg_db)
    with pg_db.engine.connect() as conn:
        assert _schema(conn) == current
