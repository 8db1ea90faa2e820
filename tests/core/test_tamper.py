"""The tamper suite: changes made with the key in hand, in raw SQL through a separate connection, and
to the files beside the database. Every one must be caught by ``verify``, naming the table and row.

The data is the small demo database (every feature's demo data, built through the feature services
and the demo generators), made once and copied for each case.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from adoption_desktop import demo
from adoption_desktop.core import audit
from adoption_desktop.core.audit import anchors
from adoption_desktop.core.security import keys, passwords
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import create_database, open_database, verify_database
from tests.conftest import CHEAP_KDF, _cheap_hasher

PASS = "tamper suite passphrase"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database, made once for the module (passphrase mode: no keyring needed). Its key is
    wrapped with the cheap derivation every test's own databases have (conftest's ``_isolation``, not yet
    in force for a module's fixture): the real one cost 0.2 s of CPU at each of the several openings a case
    makes, and what is tested here is the audit and the seals, not the key's wrapping."""
    folder = tmp_path_factory.mktemp("tamper-template")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADOPTION_DESKTOP_DATA_DIR", str(folder / "appdata"))
        mp.setattr(keys, "PASSPHRASE_KDF", CHEAP_KDF)
        mp.setattr(keys, "RECOVERY_KDF", CHEAP_KDF)
        passwords.set_hasher(_cheap_hasher())  # as every test has it (_isolation sets it again)
        created = create_database(folder / "demo.db", SecretStore(), passphrase=PASS)
        demo.populate(created.db, "small")
        created.db.checkpoint()
        created.db.engine.dispose()  # no anchors for the template: each case makes its own
    return folder / "demo.db"


@dataclass
class Case:
    path: Path
    store: SecretStore

    def open(self) -> Database:
        return open_database(self.path, self.store, PASS, upgrade=False)

    def key(self) -> bytes:
        return keys.load_key(keys.KeyEnvelope.load(keys.key_file_for(self.path)), self.store, PASS)

    def sql(self, *statements: str) -> None:
        """Tamper through a separate raw connection (no application, no anchors)."""
        raw = open_sqlcipher(self.path, self.key())
        with raw.engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
        raw.checkpoint()
        raw.engine.dispose()

    def value(self, query: str) -> object:
        raw = open_sqlcipher(self.path, self.key())
        with raw.engine.connect() as conn:
            found = conn.exec_driver_sql(query).scalar()
        raw.engine.dispose()
        return found

    def verify(self) -> list[str]:
        db = self.open()
        try:
            report = verify_database(db)
        finally:
            db.dispose()
        return report.problems

    def use(self) -> None:
        """Open and close as any command would (the application writes its anchors)."""
        self.open().dispose()


@pytest.fixture
def case(template: Path, tmp_path: Path, store: SecretStore) -> Iterator[Case]:
    path = tmp_path / "agency.db"
    shutil.copy2(template, path)
    shutil.copy2(keys.key_file_for(template), keys.key_file_for(path))
    c = Case(path, store)
    assert c.verify() == [], "the untouched demo must verify"
    c.use()  # opened once: anchors beside the file and in the user's folder
    yield c


def _caught(problems: list[str], *needles: str) -> None:
    text_ = "\n".join(problems)
    assert problems, "tampering went unnoticed: verify said the database is intact"
    for needle in needles:
        assert needle in text_, f"{needle!r} not named in:\n{text_}"


# --------------------------------------------------------------------------- business rows


def _first(case: Case, query: str) -> int:
    found = case.value(query)
    assert found is not None, query
    return int(str(found))


VALUE_CASES: dict[str, tuple[str, str, str]] = {
    # name: (row query, tampering (ROW = id), field expected)
    "signed ADM outcome": ("SELECT id FROM adm_decisions WHERE signed_at IS NOT NULL AND outcome = 'agree'",
                           "UPDATE adm_decisions SET outcome = 'not_approve' WHERE id = ROW", "outcome"),
    "signed ADM date": ("SELECT id FROM adm_decisions WHERE signed_at IS NOT NULL",
                        "UPDATE adm_decisions SET decided_on = '2020-01-01' WHERE id = ROW", "decided_on"),
    "filed letter": ("SELECT id FROM adm_letters", "UPDATE adm_letters SET recipient = 'Someone Else' WHERE id = ROW",
                     "recipient"),
    "approved minutes": ("SELECT id FROM panel_minutes WHERE status = 'approved'",
                         "UPDATE panel_minutes SET reasons = 'rewritten' WHERE id = ROW", "reasons"),
    "letterbox outcome": ("SELECT id FROM letterbox_items WHERE status = 'withheld'",
                          "UPDATE letterbox_items SET status = 'forwarded' WHERE id = ROW", "status"),
    "counselling name": ("SELECT id FROM counselling_cases",
                         "UPDATE counselling_cases SET current_name = 'Other Name' WHERE id = ROW", "current_name"),
    "password hash": ("SELECT id FROM users WHERE username = 'letterbox'",
                      "UPDATE users SET password_hash = password_hash || 'x' WHERE id = ROW", "password_hash"),
    "account re-enabled": ("SELECT id FROM users WHERE username = 'counsellor'",
                           "UPDATE users SET disabled = 1 WHERE id = ROW", "disabled"),
    "exchange event text": ("SELECT id FROM letterbox_item_events",
                            "UPDATE letterbox_item_events SET detail = 'nothing' WHERE id = ROW", "detail"),
}


@pytest.mark.parametrize("name", sorted(VALUE_CASES))
def test_a_value_changed_in_sql_is_named(case: Case, name: str) -> None:
    query, tamper, field = VALUE_CASES[name]
    row = _first(case, query)
    table = tamper.split()[1]
    case.sql(tamper.replace("ROW", str(row)))
    _caught(case.verify(), f"{table} row {row}: ", field)


def test_a_role_granted_in_sql_is_named(case: Case) -> None:
    uid = _first(case, "SELECT id FROM users WHERE username = 'letterbox'")
    case.sql(f"INSERT INTO user_roles (user_id, role) VALUES ({uid}, 'administrator')")
    _caught(case.verify(), f"user_roles row {uid}/administrator: inserted outside the application")


def test_a_role_removed_in_sql_is_named(case: Case) -> None:
    uid = _first(case, "SELECT id FROM users WHERE username = 'chair'")
    role = case.value(f"SELECT role FROM user_roles WHERE user_id = {uid}")
    case.sql(f"DELETE FROM user_roles WHERE user_id = {uid}")
    _caught(case.verify(), f"user_roles row {uid}/{role}: deleted outside the application")


def test_an_item_deleted_in_sql_is_named(case: Case) -> None:
    row = _first(case, "SELECT id FROM adm_notifications")
    case.sql(f"DELETE FROM adm_notifications WHERE id = {row}")
    _caught(case.verify(), f"adm_notifications row {row}: deleted outside the application")


def test_a_row_inserted_in_sql_is_named(case: Case) -> None:
    case.sql("INSERT INTO closure_days (day, reason) VALUES ('2031-01-02', 'invented')")
    _caught(case.verify(), "closure_days row 2031-01-02: inserted outside the application")


def test_a_decision_signed_in_sql_is_named(case: Case) -> None:
    row = _first(case, "SELECT id FROM adm_decisions WHERE signed_at IS NULL")
    case.sql(f"UPDATE adm_decisions SET signed_at = '2026-01-05 10:00:00.000000', state = 'signed', "
             f"outcome = 'agree' WHERE id = {row}")
    _caught(case.verify(), f"adm_decisions row {row}: ", "signed_at", "outside the application (no content seal)")


def test_a_change_with_a_forged_entry_but_no_seal_is_still_caught(case: Case) -> None:
    """Appending a well-formed entry for the change is not enough: the row's seal still differs."""
    row = _first(case, "SELECT id FROM counselling_cases")
    case.sql(f"UPDATE counselling_cases SET birth_name = 'Forged' WHERE id = {row}")
    raw = open_sqlcipher(case.path, case.key())
    with raw.session() as session:
        audit.record(session, "update", "counselling_cases", row, changes={"birth_name": ["x", "Forged"]})
    raw.engine.dispose()
    _caught(case.verify(), f"counselling_cases row {row}: birth_name changed")


# --------------------------------------------------------------------------- seals and the log


def test_a_seal_altered_is_caught(case: Case) -> None:
    case.sql("UPDATE audit_seal SET digest = 'ffffffffffffffffffffffffffffffff' WHERE id = 5")
    _caught(case.verify(), "seal records of audit entry")


def test_a_seal_deleted_is_caught(case: Case) -> None:
    case.sql("DELETE FROM audit_seal WHERE id = (SELECT max(id) FROM audit_seal)")
    _caught(case.verify(), "seal records of audit entry")


def test_a_seal_forged_for_a_changed_row_is_caught(case: Case) -> None:
    """Change a row, then write the seal it would now have, under an existing entry."""
    from adoption_desktop.core.audit.seals import column_key, field_sums, read_rows, row_digest

    row = _first(case, "SELECT id FROM panel_items")
    case.sql(f"UPDATE panel_items SET updated_at = '2020-01-01 00:00:00.000000' WHERE id = {row}")
    raw = open_sqlcipher(case.path, case.key())
    with raw.engine.begin() as conn:
        table = audit.seals.audited_tables()["panel_items"]
        current = read_rows(conn, table, [(row,)])[str(row)]
        cols = sorted(current)
        seq = conn.exec_driver_sql("SELECT max(seq) FROM audit_seal").scalar()
        conn.execute(text("INSERT INTO audit_seal (seq, entity, entity_id, columns, digest, fields) VALUES "
                          "(:s, 'panel_items', :i, :c, :d, :f)"),
                     {"s": seq, "i": str(row), "c": column_key(cols), "d": row_digest("panel_items", str(row), cols,
                                                                                      current),
                      "f": field_sums(cols, current)})
    raw.engine.dispose()
    _caught(case.verify(), "seal records of audit entry")


def test_a_content_seal_rewritten_is_caught(case: Case) -> None:
    case.sql("UPDATE audit_log SET seal = 'f' || substr(seal, 2) WHERE seq = "
             "(SELECT min(seq) FROM audit_log WHERE action = 'seal')")
    _caught(case.verify(), "first broken entry")


@pytest.mark.parametrize("tamper", ["alter", "insert", "delete"])
def test_an_audit_row_changed_is_caught_on_every_verify(case: Case, tamper: str) -> None:
    sql = {
        "alter": "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
        "insert": "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, changes, detail, "
                  "prev_hash, hash, seal) SELECT 100000, at, actor_id, actor, action, entity, entity_id, changes, "
                  "detail, hash, hash, '' FROM audit_log WHERE seq = 2",
        "delete": "DELETE FROM audit_log WHERE seq = 3",
    }[tamper]
    case.sql(sql)
    for _ in range(2):  # the first verify, or any command, must not wipe the evidence
        _caught(case.verify(), "audit log")
        case.use()


def _cut_tail(case: Case, n: int = 3) -> None:
    last = int(str(case.value("SELECT max(seq) FROM audit_log")))
    keep = last - n
    case.sql(f"DELETE FROM audit_seal WHERE seq > {keep}", f"DELETE FROM audit_log WHERE seq > {keep}",
             f"UPDATE audit_head SET last_seq = {keep}, last_hash = (SELECT hash FROM audit_log WHERE seq = {keep})")


def _grow(case: Case) -> None:
    """Some ordinary work through the application (new entries past the anchor)."""
    from adoption_desktop.core.security import service as users
    from adoption_desktop.core.settings_service import add_closure_day

    db = case.open()
    try:
        admin = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        import datetime as dt

        add_closure_day(db, admin, dt.date(2031, 12, 24), "Christmas Eve")
    finally:
        db.dispose()


def test_a_tail_cut_is_caught_by_the_anchor_and_stays_caught(case: Case) -> None:
    _grow(case)
    _cut_tail(case)
    for _ in range(3):
        _caught(case.verify(), "missing: the log was cut short")
        case.use()


def test_a_tail_cut_after_the_anchor_beside_the_file_was_deleted(case: Case) -> None:
    _grow(case)
    audit.anchor_file_for(case.path).unlink()
    _cut_tail(case)
    _caught(case.verify(), "missing: the log was cut short", "this user's data folder")


def test_an_old_anchor_replayed_beside_the_file(case: Case) -> None:
    side = audit.anchor_file_for(case.path)
    old = side.read_bytes()
    _grow(case)
    _cut_tail(case, 2)
    side.write_bytes(old)  # the anchor from before the new work, put back to match the cut log
    _caught(case.verify(), "missing: the log was cut short", "this user's data folder")


def test_a_rollback_to_an_older_copy_is_caught(case: Case, tmp_path: Path) -> None:
    older = tmp_path / "older.db"
    shutil.copy2(case.path, older)
    side_old = audit.anchor_file_for(case.path).read_bytes()
    _grow(case)
    shutil.copy2(older, case.path)  # the file replaced by the older copy, with its own anchor
    audit.anchor_file_for(case.path).write_bytes(side_old)
    _caught(case.verify(), "replaced by an older copy")


def test_an_older_copy_stays_named_after_a_sign_in_attempt_writes_into_the_gap(case: Case, tmp_path: Path) -> None:
    """Admin trial, 2026-12-04: with an older copy put back, a refused sign-in (audited even while held) wrote
    its entry under the number the anchor remembers, and the alert changed from "replaced by an older copy"
    to "the log was rewritten", misleading the administrator investigating it."""
    from adoption_desktop.core.security import service as users

    older = tmp_path / "older.db"
    shutil.copy2(case.path, older)
    _grow(case)
    shutil.copy2(older, case.path)  # the older copy, while the anchors remember the newer log
    db = case.open()
    try:
        assert db.audit_hold and "replaced by an older copy" in db.audit_hold
        for _ in range(3):
            with pytest.raises(users.SignInError):
                users.authenticate(db, "counsellor", "not-the-password")
    finally:
        db.dispose()
    _caught(case.verify(), "replaced by an older copy")


def test_a_rollback_is_caught_by_a_backup_when_both_anchor_files_are_gone(case: Case, tmp_path: Path) -> None:
    from adoption_desktop.core.config import app_paths
    from adoption_desktop.core.storage.lifecycle import backup_database

    older = tmp_path / "older.db"
    shutil.copy2(case.path, older)
    _grow(case)
    db = case.open()
    try:
        backup_database(db, app_paths().backups / "agency-latest.adkbak")
    finally:
        db.dispose()
    shutil.copy2(older, case.path)
    audit.anchor_file_for(case.path).unlink()
    db = case.open()
    anchors.user_anchor_file(db).unlink()
    db.engine.dispose()
    _caught(case.verify(), "replaced by an older copy", "in a backup")


def test_a_rewritten_log_is_caught_by_the_anchor(case: Case) -> None:
    """Alter an early entry and recompute every hash after it (and the head): the chain is consistent
    again, but the anchor's entry no longer has the hash recorded outside."""
    raw = open_sqlcipher(case.path, case.key())
    with raw.engine.begin() as conn:
        _rehash_from(conn, 2, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    raw.engine.dispose()
    problems = case.verify()
    _caught(problems, "was rewritten")
    assert not any("first broken entry" in p for p in problems)


def _rehash_from(conn: Connection, start: int, change: str) -> None:
    conn.exec_driver_sql(change)
    prev = conn.exec_driver_sql(f"SELECT hash FROM audit_log WHERE seq = {start - 1}").scalar()
    rows = conn.exec_driver_sql(
        "SELECT seq, at, actor_id, actor, action, entity, entity_id, changes, detail, seal FROM audit_log "
        f"WHERE seq >= {start} ORDER BY seq").fetchall()
    for r in rows:
        digest = audit.entry_hash(str(prev), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
        conn.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                     {"p": prev, "h": digest, "s": r[0]})
        prev = digest
    conn.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})


# --------------------------------------------------------------------------- the hold


def test_a_mismatched_anchor_holds_writes_until_an_administrator_acknowledges(case: Case) -> None:
    import datetime as dt

    from adoption_desktop.core.errors import PermissionDenied
    from adoption_desktop.core.security import service as users
    from adoption_desktop.core.settings_service import add_closure_day

    _grow(case)
    _cut_tail(case)
    side = audit.anchor_file_for(case.path)
    evidence = side.read_bytes()
    db = case.open()
    try:
        assert db.audit_hold and "cut short" in db.audit_hold
        admin = users.authenticate(db, "admin", demo.DEMO_PASSWORD)  # signing in still works
        with pytest.raises(PermissionDenied, match="acknowledge"):
            add_closure_day(db, admin, dt.date(2032, 1, 2), "refused")
        clerk = users.authenticate(db, "letterbox", demo.DEMO_PASSWORD)
        with pytest.raises(PermissionDenied):
            anchors.acknowledge(db, clerk, "not mine to acknowledge")
    finally:
        db.dispose()
    assert side.read_bytes() == evidence, "closing must not move the anchor over an unconfirmed head"
    db = case.open()
    try:
        admin = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        anchors.acknowledge(db, admin, "Restored from the IT copy; checked with the team lead.")
        add_closure_day(db, admin, dt.date(2032, 1, 2), "allowed again")
        with db.session(write=False) as session:
            acks = audit.query_entries(session, audit.AuditFilter(action=anchors.ACK_ACTION))
    finally:
        db.dispose()
    assert acks and acks[0].actor == "admin" and "recorded outside the database" in acks[0].detail
    assert list(side.parent.glob(side.name + ".superseded-*")), "the old anchor is kept as evidence"
    db = case.open()
    try:
        assert db.audit_hold is None
    finally:
        db.dispose()


def test_legitimate_work_keeps_verifying(case: Case) -> None:
    _grow(case)
    case.use()
    assert case.verify() == []


AreaCheck = Callable[[Case], None]
