"""Migration ``journey_0002_match_decision``: a child's link to its ADM match decision gets a column of its own
(``journey_children.match_decision_id``). A child on file whose ``plan_decision_id`` names a match decision was
linked from that decision (the version before wrote the match decision there, moving the child off its plan
decision): its link moves to the new column, sealed again by the upgrade, so ``verify`` stays clean; a child on a
plan decision keeps it. On an existing encrypted file through the application's copy-then-upgrade; the downgrade
puts the link back and seals every row again without the column, naming the match links it loses (SQLCipher and
PostgreSQL). PostgreSQL runs every migration in ``tests/core/test_migrations.py``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from sqlalchemy import Connection, inspect, text

from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from tests.core.test_lbsent_migration import _insert
from tests.core.test_migrations import check_revision_follows, older_file

REVISION = "journey_0002_match_decision"  # alembic_version holds 32 characters (PostgreSQL)
BEFORE = "access_0001_reviews"  # the head of its day


def test_revision_follows_the_last_head_and_fits_alembic_version() -> None:
    check_revision_follows(REVISION, BEFORE)


def _sealed(conn: Connection, table: str, row_id: int) -> None:
    """Seal the row as the version of its day did when it wrote it (its entry and seal over its columns then)."""
    from adoption_desktop.core.audit.chain import append_entry
    from adoption_desktop.core.audit.seals import _make_seals, _plain, _write, aggregate
    from adoption_desktop.core.security.permissions import SYSTEM

    row = _plain(conn.execute(text(f'SELECT * FROM "{table}" WHERE id = :i'), {"i": row_id}).mappings().one())
    seals, colsets = _make_seals(table, {str(row_id): row}, ())
    seq = append_entry(conn, SYSTEM, "create", table, str(row_id), None, "",
                       aggregate((s.entity, s.entity_id, s.digest) for s in seals))
    _write(conn, seq, seals, colsets)


def test_children_linked_from_a_match_decision_move_to_its_column(tmp_path: Path, store: SecretStore) -> None:
    with older_file(tmp_path, store, BEFORE) as (path, conn):
        assert "match_decision_id" not in {c["name"] for c in inspect(conn).get_columns("journey_children")}
        for did, kind in ((1, "plan_for_adoption"), (2, "match")):
            _insert(conn, "adm_decisions", id=did, root_id=did, decision_type=kind, subject_reference="CH-1",
                    version=1)
            _sealed(conn, "adm_decisions", did)
        # CH-1a on its plan decision; CH-1b linked from the match decision by the version before (plan link lost)
        for cid, ref, plan in ((1, "CH-1a", 1), (2, "CH-1b", 2), (3, "CH-1c", None)):
            _insert(conn, "journey_children", id=cid, reference=ref, reference_key=ref.lower(),
                    plan_decision_id=plan)
            _sealed(conn, "journey_children", cid)
        conn.commit()
    opened = open_database(path, store)  # the application's upgrade: a copy first, then the steps
    try:
        with opened.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            links = {r[0]: (r[1], r[2]) for r in conn.execute(text(
                "SELECT reference, plan_decision_id, match_decision_id FROM journey_children"))}
            assert links == {"CH-1a": (1, None), "CH-1b": (None, 2), "CH-1c": (None, None)}
            assert "ix_journey_children_match_decision_id" in {
                i["name"] for i in inspect(conn).get_indexes("journey_children")}
            assert conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'journey_match_link_moved'")
                                ).scalar() == 1
        from adoption_desktop.core.audit.readable import action_label

        # the audit window names the entry in words
        assert action_label("journey_match_link_moved") == (
            "Journey: children linked from a match decision moved to its own link (upgrade)")
        report = verify_database(opened)
        assert report.ok, report
        from adoption_desktop.core.security.permissions import SYSTEM
        from adoption_desktop.journey import service

        assert [c.reference for c in service.list_children(opened, SYSTEM, decision_id=2)] == ["CH-1b"]
        assert [c.reference for c in service.list_children(opened, SYSTEM, decision_id=1)] == ["CH-1a"]
        # CH-1a on its plan decision and now on the match decision too: the older schema has one link only
        service.link_child(opened, SYSTEM, "CH-1a", decision_id=2)
        with opened.engine.connect() as conn:
            command.downgrade(migrations.alembic_config(conn), BEFORE)
            conn.commit()
            assert "match_decision_id" not in {c["name"] for c in inspect(conn).get_columns("journey_children")}
            assert dict(conn.execute(text("SELECT reference, plan_decision_id FROM journey_children")).all()) == {
                "CH-1a": 1, "CH-1b": 2, "CH-1c": None}
            # one entry sealing the rows as the older schema has them, naming the match link lost
            (detail,) = conn.execute(text(
                "SELECT detail FROM audit_log WHERE action = 'journey_match_link_taken_away'")).scalars().all()
            assert "CH-1a (match decision 2)" in detail and "CH-1b" not in detail.split("lost")[-1], detail
        # every row sealed after the upgrade covered match_decision_id: the downgrade seals them again without it
        report = verify_database(opened)
        assert report.ok, report
    finally:
        opened.dispose()


def _insert_any(conn: Connection, table: str, **given: object) -> None:
    """:func:`_insert` on SQLite or PostgreSQL: the given values, and a plain value for every other required
    column without a default."""
    values = dict(given)
    for col in inspect(conn).get_columns(table):
        name, kind = col["name"], str(col["type"]).upper()
        if name in values or col["nullable"] or col.get("default") is not None or name == "id":
            continue
        values[name] = (1 if name == "row_version" else 0) if "INT" in kind else False if "BOOL" in kind else \
            dt.datetime(2026, 1, 1) if ("DATETIME" in kind or "TIMESTAMP" in kind) else \
            dt.date(2026, 1, 1) if "DATE" in kind else ""
    names = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


def test_the_downgrade_seals_every_row_again_and_names_the_match_links_it_loses(any_db: Database) -> None:
    """At the head every row's seal covers ``match_decision_id``: the downgrade drops the column, so it seals
    every row again without it (one entry), or ``verify`` reports each one changed outside the program; a child
    on both decisions keeps its plan decision and the entry names its lost match link. A row already changed
    outside the program is left unsealed and still reported. SQLCipher and PostgreSQL."""
    with any_db.engine.connect() as conn:
        for did, kind in ((1, "plan_for_adoption"), (2, "match")):
            _insert_any(conn, "adm_decisions", id=did, root_id=did, decision_type=kind, subject_reference="CH-9",
                        version=1)
            _sealed(conn, "adm_decisions", did)
        for cid, ref, plan, match in ((1, "CH-9a", 1, 2), (2, "CH-9b", None, 2), (3, "CH-9c", 1, None),
                                      (4, "CH-9d", None, None)):
            _insert_any(conn, "journey_children", id=cid, reference=ref, reference_key=ref.lower(),
                        plan_decision_id=plan, match_decision_id=match)
            _sealed(conn, "journey_children", cid)
        conn.execute(text("UPDATE journey_children SET notes = 'changed in SQL' WHERE id = 4"))
        conn.commit()
    before = [p for p in verify_database(any_db).problems if "journey_children" in p]
    assert before and all("row 4" in p for p in before), before
    with any_db.engine.connect() as conn:
        command.downgrade(migrations.alembic_config(conn), BEFORE)
        conn.commit()
        assert dict(conn.execute(text("SELECT reference, plan_decision_id FROM journey_children")).all()) == {
            "CH-9a": 1, "CH-9b": 2, "CH-9c": 1, "CH-9d": None}
        (detail,) = conn.execute(text(
            "SELECT detail FROM audit_log WHERE action = 'journey_match_link_taken_away'")).scalars().all()
    assert "match link lost, the child being on a plan decision: CH-9a (match decision 2)" in detail, detail
    assert "row 4 not sealed" in detail, detail
    problems = verify_database(any_db).problems  # row 4 only, as before
    assert problems and all("journey_children row 4" in p for p in problems), problems
