"""SQLAlchemy 2's "ORM bulk UPDATE by primary key", ``session.execute(update(Model), [{"id": 1, ...}, ...])``
(a statement with no ``values()`` and a list of parameter sets), through the two ``do_orm_execute`` hooks.

The audit hook read the statement's ``values()`` (there are none: ``AttributeError`` on ``None``, nothing
written) and, with no WHERE, would have sealed every row of the table as it stood (a row changed outside the
application among them, so ``verify`` would have gone quiet about it). The final-row guard read it as a
statement on every row: any signed decision in the table refused a change to a draft, and it did not ask
about the rows named. Now both read the rows the parameter sets name: each changed row gets its own entry
with its own changes, and is sealed; no other row is; a final row named is refused. SQLCipher and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import bindparam, select, text, update

from adoption_desktop.adm.models import SIGNED_IS_FINAL, AdmDecision
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from tests.conftest import make_user
from tests.core.test_final_rows_in_bulk import _row, _signed

# SQLAlchemy's own word on a versioned bulk UPDATE whose driver reports no executemany rowcount (psycopg, and
# pysqlcipher with a WHERE): it cannot check the versions itself. The hooks read the rows at the version named.
pytestmark = pytest.mark.filterwarnings("ignore:Dialect .* does not support updated rowcount")


def _versions(db: Database, *ids: int) -> dict[int, int]:
    with db.session(write=False) as s:
        return {int(i): int(v) for i, v in s.execute(select(User.id, User.row_version).where(User.id.in_(ids)))}


def _bulk_entries_after(db: Database, seq: int, entity: str) -> list[AuditEntry]:
    with db.session(write=False) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.seq > seq, AuditEntry.action == "bulk_update",
                                                       AuditEntry.entity == entity).order_by(AuditEntry.seq)))


def _last_seq(db: Database) -> int:
    with db.session(write=False) as s:
        return int(s.execute(text("SELECT max(seq) FROM audit_log")).scalar_one())


def _users(db: Database, *names: str) -> list[Principal]:
    return [make_user(db, name) for name in names]


@pytest.mark.postgres
def test_a_bulk_update_by_primary_key_records_and_seals_the_rows_it_names(any_db: Database) -> None:
    alpha, bravo, charlie = _users(any_db, "alphauser", "bravouser", "charlieuser")
    assert verify_database(any_db).problems == []
    # a row changed outside the application, not named by the statement: must not be sealed over
    with any_db.session() as s:
        s.execute(text("UPDATE users SET full_name = 'Changed In Sql' WHERE id = :i"), {"i": charlie.user_id})
    before = _last_seq(any_db)
    v = _versions(any_db, alpha.user_id, bravo.user_id)
    with any_db.session(alpha) as s:
        s.execute(update(User), [
            {"id": alpha.user_id, "row_version": v[alpha.user_id], "full_name": "Alpha Renamed"},
            {"id": bravo.user_id, "row_version": v[bravo.user_id], "full_name": "Bravo Renamed",
             "password_hash": "not-a-real-hash"}])
    with any_db.session(write=False) as s:
        names = {i: n for i, n in s.execute(select(User.id, User.full_name).where(
            User.id.in_([alpha.user_id, bravo.user_id, charlie.user_id])))}
    assert names == {alpha.user_id: "Alpha Renamed", bravo.user_id: "Bravo Renamed",
                     charlie.user_id: "Changed In Sql"}

    entries = _bulk_entries_after(any_db, before, "users")
    assert [e.entity_id for e in entries] == [str(alpha.user_id), str(bravo.user_id)]  # exactly the rows named
    assert json.loads(entries[0].changes) == {"full_name": "Alpha Renamed"}
    assert json.loads(entries[1].changes) == {"full_name": "Bravo Renamed", "password_hash": "<changed>"}
    assert all(e.seal and e.actor == "alphauser" for e in entries)
    assert f"users.id = {bravo.user_id}" in entries[1].detail

    # the rows named are sealed as they now are; the one changed in SQL is still reported, and only it
    problems = verify_database(any_db).problems
    assert len(problems) == 1 and f"users row {charlie.user_id}:" in problems[0], problems
    assert "full_name" in problems[0] and "changed outside the application" in problems[0]


@pytest.mark.postgres
def test_a_bulk_update_by_primary_key_with_a_where_records_only_the_rows_it_changed(any_db: Database) -> None:
    alpha, bravo = _users(any_db, "alphauser", "bravouser")
    before = _last_seq(any_db)
    v = _versions(any_db, alpha.user_id, bravo.user_id)
    with any_db.session(alpha) as s:
        s.execute(update(User).where(User.username != "bravouser").execution_options(synchronize_session=None), [
            {"id": alpha.user_id, "row_version": v[alpha.user_id], "full_name": "Alpha Again"},
            {"id": bravo.user_id, "row_version": v[bravo.user_id], "full_name": "Bravo Again"}])
    entries = _bulk_entries_after(any_db, before, "users")
    assert [e.entity_id for e in entries] == [str(alpha.user_id)]  # bravo's row was named but not changed
    assert "bravouser" in entries[0].detail
    assert verify_database(any_db).problems == []


@pytest.mark.postgres
def test_the_final_row_guard_asks_only_about_the_rows_named(any_db: Database) -> None:
    decider, signed, draft = _signed(any_db)
    signed_before, draft_before = _row(any_db, AdmDecision, signed), _row(any_db, AdmDecision, draft)
    assert signed_before is not None and draft_before is not None

    def by_key(*rows: tuple[int, str]) -> list[dict[str, Any]]:
        found = {r: _row(any_db, AdmDecision, r) for r, _t in rows}
        return [{"id": r, "row_version": found[r]["row_version"], "decision_text": t}  # type: ignore[index]
                for r, t in rows]

    # a signed decision named in the list: refused, nothing written (the draft beside it neither)
    with pytest.raises(Conflict) as err, any_db.session(decider) as s:
        s.execute(update(AdmDecision), by_key((draft, "Redrafted."), (signed, "Not approved.")))
    assert str(err.value) == SIGNED_IS_FINAL
    assert _row(any_db, AdmDecision, signed) == signed_before and _row(any_db, AdmDecision, draft) == draft_before

    # a draft alone: runs, though the table holds a signed decision, and is recorded and sealed
    before = _last_seq(any_db)
    with any_db.session(decider) as s:
        s.execute(update(AdmDecision), by_key((draft, "Redrafted.")))
    after = _row(any_db, AdmDecision, draft)
    assert after is not None and after["decision_text"] == "Redrafted."
    assert _row(any_db, AdmDecision, signed) == signed_before
    assert [e.entity_id for e in _bulk_entries_after(any_db, before, "adm_decisions")] == [str(draft)]
    assert [p for p in verify_database(any_db).problems if not p.startswith("search:")] == []


def test_another_statement_with_a_list_of_parameter_sets_is_refused_not_written_unrecorded(db: Database) -> None:
    """Run as a Core executemany (an explicit ``dml_strategy``), its rows cannot be named before it runs:
    refused with nothing written, rather than written without an entry or a seal."""
    alpha, bravo = _users(db, "alphauser", "bravouser")
    statement = (update(User).where(User.id == bindparam("uid")).values(full_name=bindparam("fn"))
                 .execution_options(dml_strategy="core_only"))
    with pytest.raises(NotImplementedError, match="bulk UPDATE by primary key"), db.session(alpha) as s:
        s.execute(statement, [{"uid": alpha.user_id, "fn": "Alpha Core"}, {"uid": bravo.user_id, "fn": "Bravo Core"}])
    with db.session(write=False) as s:
        assert set(s.scalars(select(User.full_name).where(User.id.in_([alpha.user_id, bravo.user_id])))) == {
            "Alphauser Tester", "Bravouser Tester"}
    assert verify_database(db).problems == []


@pytest.mark.postgres
def test_a_statement_on_a_models_table_is_recorded_and_sealed_as_the_models(any_db: Database) -> None:
    """``update(Model.__table__)`` run through a session: the final-row guard asked about it (by its table), but
    the audit hook knew a statement only by its ORM entity, and let it through unrecorded: the change it made to a
    draft decision was then reported by ``verify`` as made outside the application."""
    decider, _signed_id, draft = _signed(any_db)
    table = AdmDecision.__table__
    before = _last_seq(any_db)
    with any_db.session(decider) as s:
        s.execute(update(table).where(table.c.id == draft).values(social_worker="Sam Worker"))
    after = _row(any_db, AdmDecision, draft)
    assert after is not None and after["social_worker"] == "Sam Worker"
    entries = _bulk_entries_after(any_db, before, "adm_decisions")
    assert [json.loads(e.changes) for e in entries] == [{"social_worker": "Sam Worker"}]
    assert entries[0].actor == decider.username and entries[0].seal
    assert [p for p in verify_database(any_db).problems if not p.startswith("search:")] == []
