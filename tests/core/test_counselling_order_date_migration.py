"""Migration ``counselling_0002_order_date_not_known``: cases recorded before it keep their adoption order
dates; afterwards a case may have none (NULL, not known) with the before-1975 answer beside it. On an
existing encrypted file through the application's copy-then-upgrade, and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text

from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.lifecycle import open_database
from tests.core.test_migrations import check_revision_follows, older_file

REVISION = "counselling_0002_order_not_known"  # alembic_version holds 32 characters (PostgreSQL)
BEFORE = "lbwork_0002_items_month_index"  # the revision before it
INSERT = text(
    "INSERT INTO counselling_cases (id, reference, referral_date, referral_route, referred_by, birth_name, "
    "current_name, date_of_birth, address, phone, email, preferred_contact, adoption_order_date, court, "
    "arranging_agency, acr_note, veto_note, outcome, closure_note) VALUES (:id, :ref, :referred, 'gro_form', '', "
    "'Amy Thornby', 'Amy Lark', :born, '12 Hazel Road', '', '', 'letter', :order, '', '', '', '', '', '')")
OLD_CASES = [(1, "BRC-2024-0001", dt.date(2024, 3, 1), dt.date(1960, 3, 4), dt.date(1961, 1, 10)),
             (2, "BRC-2024-0002", dt.date(2024, 4, 2), dt.date(1980, 7, 9), dt.date(1981, 2, 1))]


def _add_old_cases(conn: Connection) -> None:
    """The cases, and rows that point to the first (a session, a records request, a sharing): on SQLite the
    column is changed by rebuilding the cases' table, which enforced foreign keys refused (IntegrityError)
    for any agency that had used counselling (review, 2026-12-02)."""
    for cid, ref, referred, born, order in OLD_CASES:
        conn.execute(INSERT, {"id": cid, "ref": ref, "referred": referred, "born": born, "order": order})
    conn.execute(text("INSERT INTO counselling_sessions (id, case_id, held_on, start_time, kind, location, notes) "
                      "VALUES (1, 1, '2024-04-01', '10:00', 'in_person', 'Office', '')"))
    conn.execute(text("INSERT INTO counselling_requests (id, case_id, holder_kind, holder_name, holder_address, "
                      "their_reference, sent_on, chase_due, chase_count, record_format, notes) VALUES "
                      "(1, 1, 'court', 'County Court', '', '', '2024-03-05', '2024-04-02', 0, '', '')"))
    conn.execute(text("INSERT INTO counselling_disclosures (id, case_id, disclosed_on, recipient, what, method, "
                      "records_shared) VALUES (1, 1, '2024-05-01', 'Amy Lark', 'Birth records', 'in_person', :t)"),
                 {"t": True})


CHILDREN = ("counselling_sessions", "counselling_requests", "counselling_disclosures")


def _check_upgraded(conn: Connection) -> None:
    for table in CHILDREN:  # nothing that pointed to a case was lost with the rebuilt table
        assert conn.execute(text(f"SELECT case_id FROM {table}")).scalars().all() == [1], table
    rows = conn.execute(text("SELECT id, adoption_order_date, adopted_before_1975 FROM counselling_cases "
                             "ORDER BY id")).all()
    assert [(r[0], dt.date.fromisoformat(str(r[1])), r[2]) for r in rows] == [
        (cid, order, None) for cid, _ref, _referred, _born, order in OLD_CASES]
    # a referral with the date not known, and the answer "yes, before 12/11/1975"
    conn.execute(INSERT, {"id": 3, "ref": "BRC-2026-0001", "referred": dt.date(2026, 10, 1),
                          "born": dt.date(1966, 5, 5), "order": None})
    conn.execute(text("UPDATE counselling_cases SET adopted_before_1975 = :yes WHERE id = 3"), {"yes": True})
    assert conn.execute(text("SELECT adoption_order_date, adopted_before_1975 FROM counselling_cases "
                             "WHERE id = 3")).one() == (None, True)


def _check_downgrade(conn: Connection) -> None:
    # back to the old schema only once every case has a date again (the old schema needs one)
    with pytest.raises(RuntimeError, match="1 counselling case"):
        command.downgrade(migrations.alembic_config(conn), BEFORE)
    conn.rollback()
    conn.execute(text("DELETE FROM counselling_cases WHERE id = 3"))
    conn.commit()
    command.downgrade(migrations.alembic_config(conn), BEFORE)
    conn.commit()
    assert migrations.current_heads(conn) == {BEFORE}
    assert conn.execute(text("SELECT count(*) FROM counselling_cases WHERE adoption_order_date IS NOT NULL")
                        ).scalar() == len(OLD_CASES)
    with pytest.raises(Exception, match=r"(?i)null"):
        conn.execute(INSERT, {"id": 4, "ref": "BRC-2026-0009", "referred": dt.date(2026, 10, 1),
                              "born": dt.date(1966, 5, 5), "order": None})
    conn.rollback()


def test_revision_follows_the_last_head() -> None:
    """It followed the head of its day (``BEFORE``) and every head now descends from it (later migrations,
    such as ``panel_0002_item_absences``, come after it on the one line)."""
    check_revision_follows(REVISION, BEFORE)


def test_existing_cases_keep_their_dates_on_sqlcipher(tmp_path: Path, store: SecretStore) -> None:
    with older_file(tmp_path, store, BEFORE) as (path, conn):
        _add_old_cases(conn)
        conn.commit()

    upgraded = open_database(path, store)  # the application's path: a copy upgraded, then swapped in
    try:
        with upgraded.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            _check_upgraded(conn)
            conn.commit()
            # foreign keys are enforced again once it is open (they were off only for the upgrade)
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            with pytest.raises(Exception, match=r"(?i)foreign key"):
                conn.execute(text("DELETE FROM counselling_cases WHERE id = 1"))
            conn.rollback()
            for table in CHILDREN:  # the downgrade below rebuilds the table again: no rows point to it there
                conn.execute(text(f"DELETE FROM {table}"))
            conn.commit()
            _check_downgrade(conn)
    finally:
        upgraded.dispose()
    assert len(list(tmp_path.glob("old.db.pre-upgrade-*.bak"))) == 1


def test_existing_cases_keep_their_dates_on_postgresql(postgres_server: object) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    from adoption_desktop.core.storage.engine import open_postgresql

    db = open_postgresql(postgres_server.empty_database_url("od_"))  # type: ignore[attr-defined]
    try:
        with db.engine.connect() as conn:
            command.upgrade(migrations.alembic_config(conn, per_step=False), BEFORE)
            conn.commit()
            _add_old_cases(conn)
            conn.commit()
            command.upgrade(migrations.alembic_config(conn, per_step=False), "heads")
            conn.commit()
            _check_upgraded(conn)
            conn.commit()
            _check_downgrade(conn)
    finally:
        db.dispose()


def test_every_revision_id_fits_alembic_version() -> None:
    # alembic_version.version_num is VARCHAR(32): a longer id fails on PostgreSQL only, after the upgrade ran
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    too_long = [s.revision for s in scripts.walk_revisions() if len(s.revision) > 32]
    assert too_long == []
