"""The letterbox's search indexes against their records (2026-12-06).

Someone holding the key deleted an item's row from ``fts_letterbox_items`` (or changed an arrangement's
words): no audited record changed, so ``verify`` said "intact", and a coordinator's search no longer found
the family. ``verify`` now compares every record's words with its index row and names the records a search
would miss; ``adoption-desktop rebuild-search`` (an administrator, audited) makes the indexes again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from adoption_desktop.cli import main
from adoption_desktop.core import audit
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.search_check import index_problems, rebuild_search
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input


def _raw(path: Path, store: SecretStore, *statements: str) -> None:
    """Change the file through a separate connection, as someone holding the key would."""
    key = keys.load_key(keys.KeyEnvelope.load(keys.key_file_for(path)), store, None)
    raw = open_sqlcipher(path, key)
    with raw.engine.begin() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)
    raw.checkpoint()
    raw.engine.dispose()


def test_the_demo_index_matches_its_records(small_demo_db: Database) -> None:
    with small_demo_db.session(write=False) as session:
        assert index_problems(session.connection()) == []
    assert verify_database(small_demo_db).ok


def test_a_deleted_or_changed_index_row_is_a_fault_and_rebuild_mends_it(
        small_demo_db: Database, store: SecretStore, capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(small_demo_db.path)  # type: ignore[arg-type]
    with small_demo_db.session(write=False) as session:
        conn = session.connection()
        item_id = int(conn.exec_driver_sql("SELECT min(id) FROM letterbox_items").scalar_one())
        arr_id = int(conn.exec_driver_sql("SELECT max(id) FROM letterbox_arrangements").scalar_one())
        item_ref = conn.exec_driver_sql("SELECT a.reference FROM letterbox_items i JOIN letterbox_arrangements a "
                                        f"ON a.id = i.arrangement_id WHERE i.id = {item_id}").scalar_one()
        arr_ref = conn.exec_driver_sql(f"SELECT reference FROM letterbox_arrangements WHERE id = {arr_id}"
                                       ).scalar_one()
    small_demo_db.dispose()
    _raw(path, store, f"DELETE FROM fts_letterbox_items WHERE rowid = {item_id}",
         f"UPDATE fts_letterbox_arrangements SET body = 'nothing to see' WHERE rowid = {arr_id}")

    capsys.readouterr()
    assert main(["verify", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    # the records as people know them (user trial: "ids 5" meant nothing to anyone)
    assert (f"FAULT: search: 1 of the letterbox items is not in the search index as its record is "
            f"(item {item_id} ({item_ref});" in out)
    assert (f"search: 1 of the letterbox arrangements is not in the search index as its record is ({arr_ref};"
            in out)
    assert "ids " not in out
    # the whole command, to run as it stands with the file and an administrator's name
    assert "'adoption-desktop rebuild-search --db PATH --user ADMIN'" in out

    db = open_database(path, store)
    try:
        clerk = make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
        with pytest.raises(PermissionDenied):
            rebuild_search(db, clerk)
        make_user(db, "itadmin", Role.ADMINISTRATOR)
    finally:
        db.dispose()
    import os
    os.environ["ADOPTION_DESKTOP_PASSWORD"] = TEST_PASSWORD
    try:
        assert main(["rebuild-search", "--db", str(path), "--user", "itadmin"]) == 0
    finally:
        del os.environ["ADOPTION_DESKTOP_PASSWORD"]
    assert "Search indexes rebuilt from the records" in capsys.readouterr().out
    assert main(["verify", "--db", str(path)]) == 0
    db = open_database(path, store)
    try:
        with db.session(write=False) as session:
            entries = audit.query_entries(session, audit.AuditFilter(), limit=5)
        assert any(e.action == "search_index_rebuilt" and e.actor == "itadmin" for e in entries)
    finally:
        db.dispose()


def test_team_mode_index_checked_and_rebuilt(any_db: Database) -> None:
    """The same on a server, where the index keeps each document's distinct words (and on a file)."""
    coord = make_user(any_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    admin = make_user(any_db, "itadmin", Role.ADMINISTRATOR)
    arrangement_id = service.create_arrangement(any_db, coord, sample_input("LB-0042"))
    item_id = service.log_item(any_db, coord, arrangement_id, direction="birth_to_adoptive",
                               received_on=dt.date(2026, 11, 20), writer="Aunt Quill", notes="card and drawing")
    with any_db.session(write=False) as session:
        assert index_problems(session.connection()) == []
    col = "rowid" if any_db.is_sqlite else "doc_id"
    with any_db.engine.begin() as conn:  # the key (or the server login) in hand, around the application
        conn.exec_driver_sql(f"DELETE FROM fts_letterbox_items WHERE {col} = {item_id}")
    with any_db.session(write=False) as session:
        found = index_problems(session.connection())
    assert [(d.what, d.count, d.first_ids) for d in found] == [("letterbox items", 1, (item_id,))]
    assert found[0].first_names == (f"item {item_id} (LB-0042)",)
    assert not verify_database(any_db).ok
    made = rebuild_search(any_db, admin)
    assert made == {"letterbox arrangements": 1, "letterbox items": 1}
    with any_db.session(write=False) as session:
        assert index_problems(session.connection()) == []
    assert verify_database(any_db).ok


def test_an_imported_register_is_indexed_as_its_records(db: Database, tmp_path: Path) -> None:
    """The import indexes what it read; the check compares with what was stored (no false fault)."""
    from adoption_desktop.letterbox.importing import import_file
    from tests.letterbox.test_import import good_rows, write_xlsx

    coord = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    rows = good_rows()
    rows[2][14] = "  notes  with   spaces  "  # cleaned on the way in
    assert import_file(db, coord, write_xlsx(tmp_path / "register.xlsx", rows)).written
    with db.session(write=False) as session:
        assert index_problems(session.connection()) == []
