"""Downgrades that take a column away from an audited table seal the rows again without it
(``core.audit.column_drops``): after the upgrade every row's seal covers the new column (``seal_new_columns``),
and a seal over a column that is gone is reported by ``verify`` as a change made outside the program.

For each migration: a database at the revision before it, with rows sealed as the version of its day wrote them;
the upgrade to the migration and the seals the application adds after an upgrade; the downgrade; ``verify``
clean, and one audit entry saying what was taken away. A final record sealed with the column (its content seal
cannot be made again) refuses the downgrade instead, nothing changed. A downgrade that drops an audited table
whole seals its rows as deleted in the same entry. SQLCipher and PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text

from adoption_desktop.core.audit.column_drops import DOWNGRADE_SEAL, DowngradeRefused
from adoption_desktop.core.audit.column_seals import seal_new_columns
from adoption_desktop.core.audit.seals import seal_written
from adoption_desktop.core.security.permissions import SYSTEM
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import verify_database
from adoption_desktop.core.storage.table_copy import TableCopyRefused
from tests.core.test_journey_match_decision_migration import _insert_any
from tests.core.test_migrations import _blank_sqlcipher

DAY = dt.date(2026, 3, 2)


def _row(conn: Connection, table: str, **values: object) -> None:
    """A row written and sealed as the program writes one (its content sealed too when it is final)."""
    _insert_any(conn, table, **values)
    seal_written(conn, SYSTEM, table, [(values["id"],)], action="create")


def _letterbox(conn: Connection) -> None:
    _row(conn, "letterbox_arrangements", id=1, reference="LB-0901", reference_key="lb-0901")
    _row(conn, "letterbox_participants", id=1, arrangement_id=1, name="Birth Relative One")


def _item(conn: Connection, item_id: int, status: str) -> None:
    _row(conn, "letterbox_items", id=item_id, arrangement_id=1, participant_id=1, direction="birth_to_adoptive",
         received_on=DAY, status=status)


def _wording_rows(conn: Connection) -> None:
    _letterbox(conn)
    _row(conn, "counselling_cases", id=1, reference="BR-0901", referral_date=DAY, date_of_birth=DAY)
    _row(conn, "counselling_cases", id=2, reference="BR-0902", referral_date=DAY, date_of_birth=DAY,
         closed_on=DAY)  # closed before the upgrade: its sealed content has no salutation


def _wording_final(conn: Connection) -> None:
    _row(conn, "counselling_cases", id=3, reference="BR-0903", referral_date=DAY, date_of_birth=DAY,
         closed_on=DAY, salutation="Dear Sam")


def _lbsent_rows(conn: Connection) -> None:
    _letterbox(conn)
    _item(conn, 1, "received")
    _row(conn, "letterbox_letters_sent", id=1, arrangement_id=1, kind="reminder", side="birth", sent_on=DAY)


def _lbsent_final(conn: Connection) -> None:
    _row(conn, "letterbox_letters_sent", id=2, arrangement_id=1, kind="forwarded", side="birth", sent_on=DAY,
         item_id=1, participant_id=1)


def _auditview_rows(conn: Connection) -> None:
    _row(conn, "counselling_cases", id=1, reference="BR-0901", referral_date=DAY, date_of_birth=DAY,
         closed_on=DAY)
    _row(conn, "adm_decisions", id=1, root_id=1, decision_type="plan_for_adoption", subject_reference="CH-0901",
         received_on=DAY, version=1)
    _row(conn, "adm_decisions", id=2, root_id=2, decision_type="match", subject_reference="CH-0902",
         received_on=DAY, version=1, signed_at=dt.datetime(2026, 3, 3, 10, 0))  # signed before the upgrade
    _row(conn, "panel_sittings", id=1, sitting_date=DAY)
    _row(conn, "panel_items", id=1, sitting_id=1, case_type="adopter_approval", subject_reference="AP-0901")
    # rows that refer to each of the three tables: a copy of one was dropped under them
    _row(conn, "counselling_sessions", id=1, case_id=1, held_on=DAY)
    _row(conn, "adm_letters", id=1, decision_id=2, kind="match", letter_date=DAY, pdf=b"%PDF-synthetic")
    _row(conn, "panel_members", id=1, full_name="Panel Member One")
    _row(conn, "panel_item_absences", id=1, item_id=1, member_id=1)


def _auditview_final(conn: Connection) -> None:
    _row(conn, "adm_decisions", id=3, root_id=3, decision_type="match", subject_reference="CH-0903",
         reference_key="ch-0903", received_on=DAY, version=1, signed_at=dt.datetime(2026, 3, 4, 10, 0))


def _lbseal_rows(conn: Connection) -> None:
    _letterbox(conn)
    _item(conn, 1, "received")
    _item(conn, 2, "forwarded")  # its outcome sealed before the upgrade, without a findings digest


def _lbseal_final(conn: Connection) -> None:
    _item(conn, 3, "forwarded")


def _finish_rows(conn: Connection) -> None:
    _row(conn, "adm_decisions", id=1, root_id=1, decision_type="plan_for_adoption", subject_reference="CH-0901",
         received_on=DAY, version=1)
    _row(conn, "adm_decisions", id=2, root_id=2, decision_type="match", subject_reference="CH-0902",
         received_on=DAY, version=1, signed_at=dt.datetime(2026, 3, 3, 10, 0))  # signed before the upgrade
    _row(conn, "adm_letters", id=1, decision_id=2, kind="match", letter_date=DAY, pdf=b"%PDF-synthetic")


def _finish_final(conn: Connection) -> None:
    _row(conn, "adm_decisions", id=3, root_id=3, decision_type="match", subject_reference="CH-0903",
         received_on=DAY, version=1, signed_at=dt.datetime(2026, 3, 4, 10, 0), delay_reason="Panel adjourned")


def _figpanel_rows(conn: Connection) -> None:
    _row(conn, "panel_members", id=1, full_name="Panel Member One")
    _row(conn, "panel_sittings", id=1, sitting_date=DAY)
    _row(conn, "panel_attendance", id=1, sitting_id=1, member_id=1, status="present")


def _user(conn: Connection) -> None:
    """A user with a role (a row that refers to it: a copy of the users table is refused under it)."""
    _insert_any(conn, "users", id=1, username="worker1")
    _insert_any(conn, "user_roles", user_id=1, role="admin")
    seal_written(conn, SYSTEM, "users", [(1,)], action="create")
    seal_written(conn, SYSTEM, "user_roles", [(1, "admin")], action="create")


def _profile_rows(conn: Connection) -> None:
    _user(conn)
    _letterbox(conn)
    _row(conn, "letterbox_letters_sent", id=1, arrangement_id=1, kind="reminder", side="birth", sent_on=DAY)
    _row(conn, "adm_decisions", id=1, root_id=1, decision_type="match", subject_reference="CH-0901",
         received_on=DAY, version=1)
    _row(conn, "adm_letters", id=1, decision_id=1, kind="match", letter_date=DAY, pdf=b"%PDF-synthetic")
    # filed before the upgrade: its content has no template version


def _profile_final(conn: Connection) -> None:
    _row(conn, "letterbox_letters_sent", id=2, arrangement_id=1, kind="reminder", side="birth", sent_on=DAY,
         template_version="reminder v2")


def _users_rows(conn: Connection) -> None:
    # no role: users_0001's upgrade copies the users table, which the test's foreign keys refuse under one (the
    # program's upgrade turns them off for it); profile_0001's case has one
    _row(conn, "users", id=1, username="worker1")


def _order_rows(conn: Connection) -> None:
    _row(conn, "counselling_cases", id=1, reference="BR-0901", referral_date=DAY, date_of_birth=DAY,
         adoption_order_date=DAY)
    _row(conn, "counselling_cases", id=2, reference="BR-0902", referral_date=DAY, date_of_birth=DAY,
         adoption_order_date=DAY, closed_on=DAY)  # closed before the upgrade: its content has no answer


def _order_final(conn: Connection) -> None:
    _row(conn, "counselling_cases", id=3, reference="BR-0903", referral_date=DAY, date_of_birth=DAY,
         adoption_order_date=DAY, adopted_before_1975=True, closed_on=DAY)


def _outcome_rows(conn: Connection) -> None:
    _row(conn, "counselling_cases", id=1, reference="BR-0901", referral_date=DAY, date_of_birth=DAY)
    _row(conn, "counselling_sessions", id=1, case_id=1, held_on=DAY)


def _figletter_rows(conn: Connection) -> None:
    _letterbox(conn)
    _item(conn, 1, "received")
    _item(conn, 2, "forwarded")


@dataclass(frozen=True)
class Case:
    revision: str
    before: str
    rows: Callable[[Connection], None]
    #: a final record sealed with the column, written after the upgrade (None: no column taken away is ever
    #: in a final record's sealed content)
    final: Callable[[Connection], None] | None
    #: table: the column the downgrade takes away
    dropped: dict[str, str]
    #: a row sealed with the column: what the refusal names
    refused: str = ""


CASES = [
    Case("wording_0001_salutations", "journey_0001_children", _wording_rows, _wording_final,
         {"letterbox_participants": "salutation", "letterbox_arrangements": "adopters_salutation",
          "counselling_cases": "salutation"}, "counselling_cases (row 3)"),
    Case("lbsent_0001_item_recipient", "panel_0002_item_absences", _lbsent_rows, _lbsent_final,
         {"letterbox_letters_sent": "item_id"}, "letterbox_letters_sent (row 2)"),
    Case("auditview_0001_reference_keys", "users_0001_password_change", _auditview_rows, _auditview_final,
         {"adm_decisions": "reference_key", "counselling_cases": "reference_key", "panel_items": "reference_key"},
         "adm_decisions (row 3)"),
    Case("lbseal_0001_findings_digest", "counselling_0004_chase_history", _lbseal_rows, _lbseal_final,
         {"letterbox_items": "findings_digest"}, "letterbox_items (row 3)"),
    Case("finish_0001_adm_delay_reason", "profile_0001_templates", _finish_rows, _finish_final,
         {"adm_decisions": "delay_reason"}, "adm_decisions (row 3)"),
    Case("figpanel_0001_member_profile", "finish_0001_adm_delay_reason", _figpanel_rows, None,
         {"panel_members": "ethnicity"}),
    Case("profile_0001_templates", "wording_0001_salutations", _profile_rows, _profile_final,
         {"letterbox_letters_sent": "template_version", "adm_letters": "template_version", "users": "job_title"},
         "letterbox_letters_sent (row 2)"),
    Case("users_0001_password_change", "lbsent_0001_item_recipient", _users_rows, None,
         {"users": "must_change_password"}),
    Case("counselling_0002_order_not_known", "lbwork_0002_items_month_index", _order_rows, _order_final,
         {"counselling_cases": "adopted_before_1975"}, "counselling_cases (row 3)"),
    Case("counselling_0003_session_outcome", "conc_0002_lease_holder", _outcome_rows, None,
         {"counselling_sessions": "outcome"}),
    Case("figletter_0001_contact_support", "pgsearch_0001_stored_tsvector", _figletter_rows, None,
         {"letterbox_arrangements": "direct_ended_on", "letterbox_items": "channel"}),
]
REFUSING = [c for c in CASES if c.final is not None]


@pytest.fixture(params=["sqlcipher", "postgresql"])
def blank(request: pytest.FixtureRequest, tmp_path: Path, store: SecretStore) -> Iterator[Database]:
    """An empty database with no schema yet: a new SQLCipher file, or a new PostgreSQL database."""
    if request.param == "sqlcipher":
        path, key = _blank_sqlcipher(tmp_path, store)
        db = open_sqlcipher(path, key)
    else:
        server = request.getfixturevalue("postgres_server")
        if server is None:
            pytest.skip("no PostgreSQL server could be started on loopback")
        from adoption_desktop.core.storage.engine import open_postgresql

        db = open_postgresql(server.empty_database_url("dg_"))
    try:
        yield db
    finally:
        db.dispose()


@contextlib.contextmanager
def _at(db: Database, revision: str) -> Iterator[Connection]:
    with db.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn), revision)
        conn.commit()
        yield conn
        conn.commit()


def _upgraded(db: Database, case: Case) -> None:
    """The rows of the day before the migration; the upgrade, and the seals the application adds after it."""
    with _at(db, case.before) as conn:
        case.rows(conn)
    with _at(db, case.revision) as conn:
        assert seal_new_columns(conn)  # every row sealed again over the new column
    assert _problems(db) == []


def _problems(db: Database) -> list[str]:
    """What ``verify`` reports, but the search index (these rows are written in SQL, not indexed)."""
    return [p for p in verify_database(db).problems if not p.startswith("search:")]


def _columns(db: Database, table: str) -> set[str]:
    with db.engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


@pytest.mark.parametrize("case", CASES, ids=[c.revision for c in CASES])
def test_the_downgrade_seals_again_the_rows_it_takes_a_column_from(blank: Database, case: Case) -> None:
    _upgraded(blank, case)
    with blank.engine.connect() as conn:
        command.downgrade(migrations.alembic_config(conn), case.before)
        conn.commit()
        details = conn.execute(text("SELECT detail FROM audit_log WHERE action = :a"), {"a": DOWNGRADE_SEAL}
                               ).scalars().all()
    for table, column in case.dropped.items():
        assert column not in _columns(blank, table)
    assert _problems(blank) == []
    (detail,) = details  # one entry for the migration, naming every column it took away
    assert case.revision in detail, detail
    assert all(f"{t}.{c}" in detail for t, c in case.dropped.items()), detail


@pytest.mark.parametrize("case", REFUSING, ids=[c.revision for c in REFUSING])
def test_a_final_record_sealed_with_the_column_refuses_the_downgrade(blank: Database, case: Case) -> None:
    """Its content seal covers the column and cannot be made again: the downgrade is refused, nothing changed."""
    assert case.final is not None
    _upgraded(blank, case)
    with blank.engine.connect() as conn:
        case.final(conn)
        conn.commit()
    with blank.engine.connect() as conn, pytest.raises(DowngradeRefused) as refused:
        command.downgrade(migrations.alembic_config(conn), case.before)
    said = str(refused.value)
    assert case.revision in said and case.refused in said and "pre-upgrade" in said, said
    with blank.engine.connect() as conn:
        assert migrations.current_heads(conn) == {case.revision}
    for table, column in case.dropped.items():
        assert column in _columns(blank, table)
    assert _problems(blank) == []


def _absence(conn: Connection) -> None:
    _row(conn, "panel_sittings", id=1, sitting_date=DAY)
    _row(conn, "panel_items", id=1, sitting_id=1, case_type="adopter_approval", subject_reference="AP-0901")
    _row(conn, "panel_members", id=1, full_name="Panel Member One")
    _row(conn, "panel_item_absences", id=1, item_id=1, member_id=1)


def _chase(conn: Connection) -> None:
    _row(conn, "counselling_cases", id=1, reference="BR-0901", referral_date=DAY, date_of_birth=DAY)
    _row(conn, "counselling_requests", id=1, case_id=1, sent_on=DAY)
    _row(conn, "counselling_chases", id=1, request_id=1, chased_on=DAY)


def _missed(conn: Connection) -> None:
    _row(conn, "letterbox_arrangements", id=1, reference="LB-0901", reference_key="lb-0901")
    _row(conn, "letterbox_missed_exchanges", id=1, arrangement_id=1, due=DAY)


def _pattern(conn: Connection) -> None:
    _row(conn, "letterbox_arrangements", id=1, reference="LB-0901", reference_key="lb-0901")
    _row(conn, "letterbox_pattern_changes", id=1, arrangement_id=1, effective_from=DAY)


def _appraisal(conn: Connection) -> None:
    _row(conn, "panel_members", id=1, full_name="Panel Member One")
    _row(conn, "panel_appraisals", id=1, member_id=1, done_on=DAY)


#: revision, the revision before it, the rows written after the upgrade, the audited table its downgrade drops
DROPPED_TABLES: list[tuple[str, str, Callable[[Connection], None], str]] = [
    ("panel_0002_item_absences", "counselling_0002_order_not_known", _absence, "panel_item_absences"),
    ("counselling_0004_chase_history", "counselling_0003_session_outcome", _chase, "counselling_chases"),
    ("access_0001_reviews", "lbseal_0002_digest_waiting",
     lambda conn: _row(conn, "access_reviews", id=1, reviewer="Reviewer One"), "access_reviews"),
    ("lbwork_0001_missed_exchanges", "search_0001_fts_prefix_1", _missed, "letterbox_missed_exchanges"),
    ("lbwork_0005_pattern_changes", "lbwork_0004_items_by_arrangement", _pattern, "letterbox_pattern_changes"),
    ("figpanel_0001_member_profile", "finish_0001_adm_delay_reason", _appraisal, "panel_appraisals"),
    ("figletter_0001_contact_support", "pgsearch_0001_stored_tsvector",
     lambda conn: _row(conn, "letterbox_support_referrals", id=1, case_reference="LB-0901", referred_on=DAY),
     "letterbox_support_referrals"),
    ("profile_0001_templates", "wording_0001_salutations",
     lambda conn: _row(conn, "template_versions", id=1, name="reminder"), "template_versions"),
    ("journey_0001_children", "docs_0001_attachments",
     lambda conn: _row(conn, "journey_children", id=1, reference="CH-0901", reference_key="ch-0901"),
     "journey_children"),
]


@pytest.mark.parametrize(("revision", "before", "rows", "table"), DROPPED_TABLES, ids=[d[0] for d in DROPPED_TABLES])
def test_the_downgrade_seals_as_deleted_the_rows_of_a_table_it_drops(
        blank: Database, revision: str, before: str, rows: Callable[[Connection], None], table: str) -> None:
    """A table dropped whole with rows on file: ``verify`` reported it as dropped outside the program, with the
    rows the audit log said it held. Its rows are sealed as deleted in the downgrade's entry."""
    with _at(blank, before):
        pass
    with _at(blank, revision) as conn:
        seal_new_columns(conn)
        rows(conn)
    assert _problems(blank) == []
    with blank.engine.connect() as conn:
        command.downgrade(migrations.alembic_config(conn), before)
        conn.commit()
        details = conn.execute(text("SELECT detail FROM audit_log WHERE action = :a"), {"a": DOWNGRADE_SEAL}
                               ).scalars().all()
        assert table not in inspect(conn).get_table_names()
    assert _problems(blank) == []
    (detail,) = details
    assert revision in detail and f"table {table} dropped: 1 row(s) sealed as deleted" in detail, detail


@pytest.mark.parametrize(("revision", "before", "rows", "table"), DROPPED_TABLES[:2],
                         ids=[d[0] for d in DROPPED_TABLES[:2]])
def test_a_row_changed_in_sql_before_a_table_is_dropped_stays_reported(
        blank: Database, revision: str, before: str, rows: Callable[[Connection], None], table: str) -> None:
    """Review: every row of a table dropped whole was sealed as deleted, one changed outside the program before the
    downgrade too, so ``verify`` went quiet about that change (a bulk delete leaves such a row reported). It is
    left unsealed, named in the downgrade's entry, and ``verify`` still reports the table."""
    with _at(blank, before):
        pass
    with _at(blank, revision) as conn:
        seal_new_columns(conn)
        rows(conn)
        column = {"panel_item_absences": "reason", "counselling_chases": "due_before"}[table]
        changed: object = "changed in SQL" if column == "reason" else DAY + dt.timedelta(days=1)
        conn.execute(text(f'UPDATE "{table}" SET {column} = :v WHERE id = 1'), {"v": changed})
    assert any(table in p for p in _problems(blank)), _problems(blank)
    with blank.engine.connect() as conn:
        command.downgrade(migrations.alembic_config(conn), before)
        conn.commit()
        details = conn.execute(text("SELECT detail FROM audit_log WHERE action = :a"), {"a": DOWNGRADE_SEAL}
                               ).scalars().all()
        assert table not in inspect(conn).get_table_names()
    problems = _problems(blank)
    assert any(table in p and "missing" in p for p in problems), problems
    (detail,) = details
    assert "0 row(s) sealed as deleted" in detail and "1" in detail and "not sealed" in detail.lower(), detail


def _documents(conn: Connection) -> None:
    """An item with a document attached (its encrypted content, its key, a page of its text) and a redacted copy
    of it (a row that refers to the first): what the letterbox stores once documents came in."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from adoption_desktop.letterbox.attachments import _aad

    _letterbox(conn)
    _item(conn, 1, "received")
    key = AESGCM.generate_key(bit_length=256)
    _insert_any(conn, "letterbox_document_keys", id=1, key=key)
    for aid, parent, kind in ((1, None, "original"), (2, 1, "redacted")):
        data = f"%PDF-synthetic letter {aid}".encode()
        digest = hashlib.sha256(data).hexdigest()
        _row(conn, "letterbox_attachments", id=aid, item_id=1, parent_id=parent, kind=kind,
             filename=f"letter-{aid}.pdf", media_type="application/pdf", size=len(data), sha256=digest, pages=1,
             created_by="letterbox", note="")
        nonce = bytes(12)
        _insert_any(conn, "letterbox_attachment_blobs", attachment_id=aid, key_id=1, nonce=nonce,
                    data=AESGCM(key).encrypt(nonce, data, _aad(aid, digest)))
        _row(conn, "letterbox_attachment_pages", id=aid, attachment_id=aid, page_no=1, source="text",
             text="Dear Birth Relative One", words="[]", width=595, height=842, confidence=1.0,
             low_confidence=False)


def test_the_documents_downgrade_seals_as_deleted_the_attachments_and_their_pages(blank: Database) -> None:
    """``docs_0001_attachments`` drops the letterbox's two audited document tables (and the unaudited blobs and
    keys) with documents on file, a redacted copy referring to its original: one entry seals every attachment and
    page as deleted and ``verify`` is clean."""
    revision, before = "docs_0001_attachments", "audit_0001"
    with _at(blank, before):
        pass
    with _at(blank, revision) as conn:
        seal_new_columns(conn)
        _documents(conn)
    assert _problems(blank) == []
    with blank.engine.connect() as conn:
        command.downgrade(migrations.alembic_config(conn), before)
        conn.commit()
        details = conn.execute(text("SELECT detail FROM audit_log WHERE action = :a"), {"a": DOWNGRADE_SEAL}
                               ).scalars().all()
        left = set(inspect(conn).get_table_names())
        assert migrations.current_heads(conn) == {before}
    assert not {"letterbox_attachments", "letterbox_attachment_pages", "letterbox_attachment_blobs",
                "letterbox_document_keys"} & left
    assert _problems(blank) == []
    (detail,) = details
    assert revision in detail, detail
    for table in ("letterbox_attachments", "letterbox_attachment_pages"):
        assert f"table {table} dropped: 2 row(s) sealed as deleted" in detail, detail
    assert "documents attached to letterbox items" in detail, detail


def test_the_order_date_downgrade_runs_under_sessions_that_refer_to_the_cases(blank: Database) -> None:
    """``counselling_0002_order_not_known`` makes the order date required again, which on SQLite copies
    ``counselling_cases``: with foreign keys on (a downgrade run directly), dropping the old table under a case's
    session, request and disclosure failed with "FOREIGN KEY constraint failed". The cases, their references and
    their indexes are kept, the answer is taken away, and ``verify`` is clean."""
    revision, before = "counselling_0002_order_not_known", "lbwork_0002_items_month_index"
    with _at(blank, before):
        pass
    with _at(blank, revision) as conn:
        seal_new_columns(conn)
        for cid in (1, 2):  # open cases (a case closed since the upgrade refuses the downgrade)
            _row(conn, "counselling_cases", id=cid, reference=f"BR-090{cid}", referral_date=DAY, date_of_birth=DAY,
                 adoption_order_date=DAY, adopted_before_1975=cid == 1)
        _row(conn, "counselling_sessions", id=1, case_id=1, held_on=DAY)
        _row(conn, "counselling_sessions", id=2, case_id=2, held_on=DAY)
        _row(conn, "counselling_requests", id=1, case_id=1, sent_on=DAY)
        _row(conn, "counselling_disclosures", id=1, case_id=2, disclosed_on=DAY)
        indexes = {i["name"] for i in inspect(conn).get_indexes("counselling_cases")}
    assert _problems(blank) == []
    with blank.engine.connect() as conn:
        command.downgrade(migrations.alembic_config(conn), before)
        conn.commit()
        assert migrations.current_heads(conn) == {before}
        assert conn.execute(text("SELECT id FROM counselling_cases ORDER BY id")).scalars().all() == [1, 2]
        assert conn.execute(text("SELECT case_id FROM counselling_sessions ORDER BY id")).scalars().all() == [1, 2]
        assert {i["name"] for i in inspect(conn).get_indexes("counselling_cases")} == indexes
        (order_date,) = [c for c in inspect(conn).get_columns("counselling_cases")
                         if c["name"] == "adoption_order_date"]
        assert order_date["nullable"] is False  # required again, as the older schema has it
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    assert "adopted_before_1975" not in _columns(blank, "counselling_cases")
    assert _problems(blank) == []


def test_the_order_date_downgrade_is_refused_when_a_reference_would_be_left_broken(
        tmp_path: Path, store: SecretStore) -> None:
    """The copy defers the reference checks to its end: ``PRAGMA foreign_key_check`` then finds a session of a case
    that is not there (deleted in SQL with the checks off), and the downgrade is refused, nothing changed by it."""
    path, key = _blank_sqlcipher(tmp_path, store)
    db = open_sqlcipher(path, key)
    try:
        revision, before = "counselling_0002_order_not_known", "lbwork_0002_items_month_index"
        with _at(db, revision) as conn:
            _row(conn, "counselling_cases", id=1, reference="BR-0901", referral_date=DAY, date_of_birth=DAY,
                 adoption_order_date=DAY)
            _row(conn, "counselling_sessions", id=1, case_id=1, held_on=DAY)
            _row(conn, "counselling_sessions", id=2, case_id=1, held_on=DAY)
        with db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys = OFF")  # between transactions, where the pragma applies
            try:
                conn.execute(text("UPDATE counselling_sessions SET case_id = 9 WHERE id = 2"))
                conn.commit()
            finally:
                raw.execute("PRAGMA foreign_keys = ON")
        with db.engine.connect() as conn, pytest.raises(TableCopyRefused) as refused:
            command.downgrade(migrations.alembic_config(conn), before)
        assert "counselling_sessions" in str(refused.value) and "Nothing was changed" in str(refused.value)
        with db.engine.connect() as conn:
            assert migrations.current_heads(conn) == {revision}
            assert conn.execute(text("SELECT count(*) FROM audit_log WHERE action = :a"),
                                {"a": DOWNGRADE_SEAL}).scalar() == 0
            assert not {t for t in inspect(conn).get_table_names() if t.startswith(("_adk_copy", "_alembic"))}
        assert "adopted_before_1975" in _columns(db, "counselling_cases")
    finally:
        db.dispose()
