"""Concurrency probe, 2026-12-04: with the key, a trigger was planted that rewrote an ADM decision's text as it
was signed; the decision was sealed as the trigger left it and ``verify`` passed. A trigger, view or rule the
application never made is now named by ``verify`` and holds the database on open (an audit alert), on the
embedded store and in team mode alike; team mode's own guards on the audit tables are not named."""

from __future__ import annotations

from pathlib import Path

from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.foreign_objects import foreign_objects
from adoption_desktop.core.storage.lifecycle import create_database, open_database, verify_database
from tests.core.test_team_mode import Team, team  # noqa: F401  (the team-mode fixture)

PLANTED = ("CREATE TRIGGER zz_x AFTER UPDATE OF signed_at ON adm_decisions BEGIN "
           "UPDATE adm_decisions SET decision_text = 'Not suitable to adopt.' WHERE id = NEW.id; END")


def test_a_planted_trigger_or_view_is_named_by_verify_and_holds_the_file(tmp_path: Path, store: SecretStore) -> None:
    path = tmp_path / "agency.db"
    db = create_database(path, store).db
    try:
        assert verify_database(db).ok
        with db.engine.begin() as conn:
            assert foreign_objects(conn) == []
            conn.exec_driver_sql(PLANTED)
            conn.exec_driver_sql("CREATE VIEW zz_v AS SELECT id FROM users")
        report = verify_database(db)
        assert not report.ok
        assert any("trigger zz_x on adm_decisions" in p and "view zz_v" in p for p in report.problems), report
    finally:
        db.dispose(write_anchor=False)
    held = open_database(path, store)
    try:
        assert held.audit_hold is not None and "trigger zz_x on adm_decisions" in held.audit_hold
    finally:
        held.dispose(write_anchor=False)


def test_team_mode_names_what_it_did_not_make_and_not_its_own_guards(team: Team) -> None:  # noqa: F811
    assert team.verify() == []  # the audit tables' append-only triggers are the application's own
    team.as_superuser(
        "CREATE FUNCTION zz_f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "NEW.decision_text := 'Not suitable to adopt.'; RETURN NEW; END $$",
        "CREATE TRIGGER zz_x BEFORE UPDATE ON adm_decisions FOR EACH ROW EXECUTE FUNCTION zz_f()",
        "CREATE RULE zz_r AS ON DELETE TO letterbox_items DO INSTEAD NOTHING",
        "CREATE VIEW zz_v AS SELECT id FROM users")
    problems = team.verify()
    assert len(problems) == 1 and problems[0].startswith("schema:"), problems
    for named in ("trigger zz_x on adm_decisions", "rule zz_r on letterbox_items", "view zz_v"):
        assert named in problems[0]
    db = team.open()
    try:
        assert db.audit_hold is not None and "zz_x" in db.audit_hold
    finally:
        db.dispose(write_anchor=False)
