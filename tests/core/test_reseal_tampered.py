"""A row changed outside the application stays reported after the application writes it again (review: the
writers that seal rows again did so over the change, so ``verify`` went quiet: the change was laundered).

Each writer that seals an existing row again — the ORM flush, a bulk ``update()``/``delete()`` statement, the
``bulk_audit`` summary, the letterbox import's updates, the sent-list of a letter batch — first checks the row
against its seal, as the sign-in bookkeeping does: a row that no longer matches is written but not sealed, the
entry says so, and ``verify`` goes on naming the change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from adoption_desktop.core import audit
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.documents import write_batch
from adoption_desktop.letterbox.importing import import_file
from adoption_desktop.letterbox.models import Arrangement, LetterSent, ProtectedTerm
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_import import good_rows, write_xlsx


def _problems(db: Database) -> list[str]:
    """The record's faults (the search indexes aside: rows these tests change in a bare ORM session, around
    the letterbox service, are not indexed again, and ``verify`` says so as well)."""
    return [p for p in verify_database(db).problems if not p.startswith("search:")]


def _sql(db: Database, statement: str, **params: object) -> None:
    """A change past the application: plain SQL in a session's transaction (no ORM, no seal)."""
    with db.session() as s:
        s.execute(text(statement), params)


def _named(problems: list[str], table: str, row: int, field: str) -> bool:
    return any(f"{table} row {row}: " in p and field in p and "changed outside the application" in p
               for p in problems)


def _last_entry(db: Database) -> AuditEntry:
    with db.session(write=False) as s:
        found = s.scalar(select(AuditEntry).where(AuditEntry.action != "view").order_by(AuditEntry.seq.desc())
                         .limit(1))
    assert found is not None
    return found


@pytest.fixture
def coordinator(any_db: Database) -> Principal:
    return make_user(any_db, "lbcoord", Role.LETTERBOX_COORDINATOR)


@pytest.mark.postgres
def test_a_form_save_does_not_seal_over_a_change_made_in_sql(any_db: Database, coordinator: Principal) -> None:
    tampered = service.create_arrangement(any_db, coordinator, sample_input("LB-0001"))
    sound = service.create_arrangement(any_db, coordinator, sample_input("LB-0002"))
    assert _problems(any_db) == []
    # a column the form does not carry (a form's field changed in SQL would be written over by the save)
    _sql(any_db, "UPDATE letterbox_arrangements SET last_exchange = '2020-01-01' WHERE id = :i", i=tampered)
    for aid, ref in ((tampered, "LB-0001"), (sound, "LB-0002")):
        detail = service.get_arrangement(any_db, coordinator, aid)
        service.update_arrangement(any_db, coordinator, aid, sample_input(ref, notes="reviewed"),
                                   expected_version=detail.row_version)
    problems = _problems(any_db)
    assert _named(problems, "letterbox_arrangements", tampered, "last_exchange"), problems
    assert not any(f"letterbox_arrangements row {sound}:" in p for p in problems), problems
    with any_db.session(write=False) as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.entity == "letterbox_arrangements",
                                                  AuditEntry.entity_id == str(tampered), AuditEntry.action == "update")
                         .order_by(AuditEntry.seq.desc()).limit(1))
    assert entry is not None and "not sealed" in entry.detail and entry.seal == ""


@pytest.mark.postgres
def test_a_bulk_update_statement_does_not_seal_over_a_change_made_in_sql(any_db: Database,
                                                                         coordinator: Principal) -> None:
    """``set_arrangement_status`` is an ``update()`` statement (sealed by the ``do_orm_execute`` hook)."""
    tampered = service.create_arrangement(any_db, coordinator, sample_input("LB-0001"))
    sound = service.create_arrangement(any_db, coordinator, sample_input("LB-0002"))
    _sql(any_db, "UPDATE letterbox_arrangements SET child_adoptive_name = 'Other Name' WHERE id = :i", i=tampered)
    service.set_arrangement_status(any_db, coordinator, sound, "suspended",
                                   expected_version=service.get_arrangement(any_db, coordinator, sound).row_version)
    assert _problems(any_db) != [] and not any(f"row {sound}:" in p for p in _problems(any_db))
    service.set_arrangement_status(any_db, coordinator, tampered, "suspended",
                                   expected_version=service.get_arrangement(any_db, coordinator, tampered).row_version)
    problems = _problems(any_db)
    assert _named(problems, "letterbox_arrangements", tampered, "child_adoptive_name"), problems
    with any_db.session(write=False) as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "bulk_update",
                                                  AuditEntry.entity == "letterbox_arrangements")
                         .order_by(AuditEntry.seq.desc()).limit(1))
    assert entry is not None and f"row {tampered} not sealed" in entry.detail


@pytest.mark.postgres
def test_a_bulk_delete_statement_leaves_a_changed_row_reported(any_db: Database, coordinator: Principal) -> None:
    """A row changed in SQL and then deleted by a statement is not sealed as deleted: the log's entry for the
    deletion names it as not sealed, and verify goes on reporting the row (it cannot show the change any more)."""
    aid = service.create_arrangement(any_db, coordinator, sample_input("LB-0001"))
    with any_db.session(write=False) as s:
        term = s.scalar(select(ProtectedTerm.id).where(ProtectedTerm.arrangement_id == aid).limit(1))
    assert term is not None
    _sql(any_db, "UPDATE letterbox_protected_terms SET term = 'nothing to hide' WHERE id = :i", i=term)
    with any_db.session(coordinator) as s:
        s.execute(delete(ProtectedTerm).where(ProtectedTerm.id == term))
    problems = _problems(any_db)
    assert any(f"letterbox_protected_terms row {term}:" in p for p in problems), problems
    assert f"row {term} not sealed" in _last_entry(any_db).detail


@pytest.mark.postgres
def test_bulk_audit_does_not_seal_over_a_change_made_in_sql(any_db: Database, coordinator: Principal) -> None:
    tampered = service.create_arrangement(any_db, coordinator, sample_input("LB-0001"))
    sound = service.create_arrangement(any_db, coordinator, sample_input("LB-0002"))
    _sql(any_db, "UPDATE letterbox_arrangements SET adopters_address = 'elsewhere' WHERE id = :i", i=tampered)
    with any_db.session(coordinator) as s, audit.bulk_audit(s, "test"):
        for aid in (tampered, sound):
            a = s.get(Arrangement, aid)
            assert a is not None
            a.notes = "bulk note"
        s.flush()
        for aid in (tampered, sound):  # changed again in a later flush of the same bulk: still one check
            a = s.get(Arrangement, aid)
            assert a is not None
            a.notes = "bulk note, again"
        new = Arrangement(reference="LB-0003", child_birth_name="New Child")
        s.add(new)
        s.flush()
        new.notes = "made and changed in the bulk"  # a row the bulk made has no seal yet: not a tampered one
    problems = _problems(any_db)
    assert _named(problems, "letterbox_arrangements", tampered, "adopters_address"), problems
    assert len(problems) == 1, problems
    with any_db.session(write=False) as s:
        details = list(s.scalars(select(AuditEntry.detail).where(AuditEntry.action.startswith("bulk_"),
                                                                 AuditEntry.entity == "letterbox_arrangements")))
    assert any(f"row {tampered} not sealed" in d for d in details), details


@pytest.mark.postgres
def test_a_reimport_does_not_seal_over_a_change_made_in_sql(any_db: Database, coordinator: Principal,
                                                            tmp_path: Path) -> None:
    assert import_file(any_db, coordinator, write_xlsx(tmp_path / "register.xlsx", good_rows())).written
    with any_db.session(write=False) as s:
        ids = {str(r): int(i) for r, i in s.execute(select(Arrangement.reference, Arrangement.id))}
    assert _problems(any_db) == []
    # a column the register has no column for, so the import keeps it as it is
    _sql(any_db, "UPDATE letterbox_arrangements SET last_exchange = '2020-01-01' WHERE id = :i", i=ids["IMP-002"])
    rows = good_rows()
    rows[2][9] = "June"  # IMP-002 changed in the register: the import writes it again
    rows[0][14] = rows[1][14] = "changed notes"  # IMP-001 too (no change in SQL: sealed as before)
    report = import_file(any_db, coordinator, write_xlsx(tmp_path / "register2.xlsx", rows))
    assert report.written and report.updates == 2
    problems = _problems(any_db)
    assert _named(problems, "letterbox_arrangements", ids["IMP-002"], "last_exchange"), problems
    assert not any(f"row {ids['IMP-001']}:" in p for p in problems), problems


def test_a_letter_batch_does_not_seal_over_a_sent_list_row_changed_in_sql(any_db: Database,
                                                                          coordinator: Principal,
                                                                          tmp_path: Path) -> None:
    """Reminders export: the batch seals only the rows it writes; an earlier batch's row changed in SQL, and
    the arrangement it is about, stay reported after the next batch."""
    aid = service.create_arrangement(any_db, coordinator, sample_input("LB-0001"))
    write_batch(any_db, coordinator, "reminder", tmp_path / "a.pdf", months=["2026-03", "2026-09"],
                today=dt.date(2026, 6, 14))  # September's may be printed from June
    with any_db.session(write=False) as s:
        first = s.scalar(select(LetterSent.id).order_by(LetterSent.id).limit(1))
    assert first is not None and _problems(any_db) == []
    _sql(any_db, "UPDATE letterbox_letters_sent SET batch = 'never-sent' WHERE id = :i", i=first)
    _sql(any_db, "UPDATE letterbox_arrangements SET notes = 'rewritten' WHERE id = :i", i=aid)
    write_batch(any_db, coordinator, "reminder", tmp_path / "b.pdf", months=["2026-03", "2026-09"],
                today=dt.date(2026, 6, 15))
    problems = _problems(any_db)
    assert _named(problems, "letterbox_letters_sent", first, "batch"), problems
    assert _named(problems, "letterbox_arrangements", aid, "notes"), problems

