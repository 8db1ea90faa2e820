import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from adoption_desktop.core import audit
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import create_database, verify_database
from tests.conftest import make_user

ROOT = Path(__file__).resolve().parents[2]


def _entries(db: Database) -> list[audit.AuditRow]:
    with db.session(write=False) as session:
        return list(reversed(audit.query_entries(session)))


def test_create_update_delete_and_view_are_logged_with_fields(any_db: Database) -> None:
    actor = make_user(any_db, "hazelby")
    with any_db.session(actor) as session:
        user = session.get(User, actor.user_id)
        assert user is not None
        user.full_name = "Hazel Renamed"
        audit.record_view(session, "users", user.id)
    rows = _entries(any_db)
    created = [r for r in rows if r.action == "create" and r.entity == "users"]
    assert created and "hazelby" in created[0].changes
    update = [r for r in rows if r.action == "update" and r.entity == "users"][-1]
    assert update.actor == "hazelby" and '"full_name": ["Hazelby Tester", "Hazel Renamed"]' in update.changes
    assert rows[-1].action == "view" and rows[-1].entity_id == str(actor.user_id)
    with any_db.session(write=False) as session:
        assert audit.verify_chain(session) is None


def test_rolled_back_change_leaves_no_entry(any_db: Database) -> None:
    before = len(_entries(any_db))
    with pytest.raises(RuntimeError), any_db.session() as session:
        session.add(User(username="ghost", full_name="Ghost", password_hash="x"))
        session.flush()
        raise RuntimeError("boom")
    assert len(_entries(any_db)) == before


@pytest.mark.parametrize("tamper", ["alter", "insert", "delete_middle", "delete_last", "alter_head"])
def test_any_single_change_to_the_log_is_detected(any_db: Database, tamper: str) -> None:
    for name in ("a1", "a2", "a3", "a4"):
        make_user(any_db, name)
    with any_db.session(write=False) as session:
        assert audit.verify_chain(session) is None
        last = int(session.execute(text("SELECT max(seq) FROM audit_log")).scalar_one())
    sql = {
        "alter": "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
        "insert": "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, changes, detail, "
                  "prev_hash, hash) SELECT 1000, at, actor_id, actor, action, entity, entity_id, changes, detail, "
                  "hash, hash FROM audit_log WHERE seq = 2",
        "delete_middle": "DELETE FROM audit_log WHERE seq = 2",
        "delete_last": f"DELETE FROM audit_log WHERE seq = {last}",
        "alter_head": "UPDATE audit_head SET last_hash = 'x'",
    }[tamper]
    with any_db.session() as session:
        session.execute(text(sql))
    with any_db.session(write=False) as session:
        problem = audit.verify_chain(session)
    assert problem is not None
    expected = {"alter": 3, "delete_middle": 2, "delete_last": last, "insert": last + 1, "alter_head": last}
    assert problem.seq == expected[tamper], problem


def test_verify_command_names_the_first_broken_entry(tmp_path: Path, store: SecretStore) -> None:
    path = tmp_path / "orig.db"
    created = create_database(path, store, passphrase="verify passphrase")
    for name in ("b1", "b2", "b3"):
        make_user(created.db, name)
    created.db.checkpoint()
    created.db.dispose()
    copy = tmp_path / "copy.db"
    shutil.copy2(path, copy)
    shutil.copy2(keys.key_file_for(path), keys.key_file_for(copy))
    key = keys.load_key(keys.KeyEnvelope.load(keys.key_file_for(copy)), store, "verify passphrase")
    tampered = open_sqlcipher(copy, key)
    with tampered.session() as session:
        session.execute(text("UPDATE audit_log SET detail = 'edited' WHERE seq = 2"))
    tampered.checkpoint()
    tampered.dispose()
    env = dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE="verify passphrase",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    ok = subprocess.run([sys.executable, "-m", "adoption_desktop", "verify", "--db", str(path)],
                        capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run([sys.executable, "-m", "adoption_desktop", "verify", "--db", str(copy)],
                         capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert bad.returncode == 1
    assert "#2" in bad.stdout


def test_verify_database_reports_integrity(db: Database) -> None:
    report = verify_database(db)
    assert report.ok and report.audit_entries >= 0


def test_password_hashes_never_reach_the_log(any_db: Database) -> None:
    from adoption_desktop.core.security import service as users
    from tests.conftest import TEST_PASSWORD

    admin = make_user(any_db, "rootish")
    from adoption_desktop.core.security.permissions import Principal, Role

    boss = Principal(admin.user_id, admin.username, admin.full_name, frozenset({Role.ADMINISTRATOR}))
    with any_db.session() as session:
        from adoption_desktop.core.security.models import UserRole

        session.add(UserRole(user_id=admin.user_id, role="administrator"))
    created = users.create_user(any_db, boss, "hashless", "Hash Less", "long-enough-pw", [Role.COUNSELLOR],
                                must_change=False)
    users.reset_password(any_db, boss, created.id, "another-long-pw", must_change=False)
    users.authenticate(any_db, "hashless", "another-long-pw")
    assert TEST_PASSWORD
    rows = _entries(any_db)
    assert not any("$argon2" in (r.changes + r.detail) for r in rows)
    assert any('"password_hash": "<changed>"' in r.changes for r in rows if r.action == "update")


def test_new_records_are_logged_with_their_id(any_db: Database) -> None:
    p = make_user(any_db, "withid")
    created = [r for r in _entries(any_db) if r.action == "create" and r.entity == "users"]
    assert created[-1].entity_id == str(p.user_id)


def test_bulk_update_and_delete_are_logged(any_db: Database) -> None:
    from sqlalchemy import delete, update

    from adoption_desktop.core.models import ClosureDay

    p = make_user(any_db, "bulky")
    with any_db.session() as session:
        session.execute(update(User).where(User.id == p.user_id).values(full_name="Renamed In Bulk"))
        session.execute(delete(ClosureDay))
    rows = _entries(any_db)
    bulk_update = [r for r in rows if r.action == "bulk_update" and r.entity == "users"]
    assert bulk_update and "Renamed In Bulk" in bulk_update[-1].changes and str(p.user_id) in bulk_update[-1].detail
    # one row touched: filed under its record, so a filter on the user's record finds it (the failed-sign-in
    # count is kept this way)
    assert bulk_update[-1].entity_id == str(p.user_id)
    assert any(r.action == "bulk_delete" and r.entity == "closure_days" for r in rows)
    with any_db.session(write=False) as session:
        assert audit.verify_chain(session) is None


def test_a_log_cut_short_with_its_head_moved_back_is_caught_by_the_anchor(db: Database) -> None:
    for name in ("c1", "c2", "c3", "c4"):
        make_user(db, name)
    db.dispose()  # closing leaves the anchor beside the file
    assert db.path is not None and audit.anchor_file_for(db.path).exists()
    with db.session() as session:
        last = int(session.execute(text("SELECT max(seq) FROM audit_log")).scalar_one())
        session.execute(text(f"DELETE FROM audit_log WHERE seq > {last - 3}"))
        prev = session.execute(text(f"SELECT hash FROM audit_log WHERE seq = {last - 3}")).scalar_one()
        session.execute(text("UPDATE audit_head SET last_seq = :s, last_hash = :h"), {"s": last - 3, "h": prev})
        assert audit.verify_chain(session) is None  # the chain alone looks intact
    report = verify_database(db)
    assert not report.ok and f"#{last}" in report.problems[0] and "cut short" in report.problems[0]


def test_sealing_one_table_finds_it_without_loading_every_model() -> None:
    """``seal_written`` on the users row (every sign-in does it) looks the table up among the classes
    already mapped; loading every model of the program (and configuring their mappers) cost a headless
    export ~80 ms. A table that is not audited is refused either way."""
    script = (
        "import sys\n"
        "from adoption_desktop.core.audit.seals import audited_table\n"
        "from adoption_desktop.core.security.models import User\n"
        "assert audited_table('users') is User.__table__\n"
        "assert 'adoption_desktop.panel.models' not in sys.modules, 'every model was loaded'\n"
        "assert audited_table('letterbox_items').name == 'letterbox_items'  # not loaded yet: loads the models\n"
        "assert 'adoption_desktop.panel.models' in sys.modules\n"
        "try:\n"
        "    audited_table('audit_log')\n"
        "except KeyError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('the audit log itself is not an audited table')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
