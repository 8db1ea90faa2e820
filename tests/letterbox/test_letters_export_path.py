"""The fast export path of a letter batch (issue 17): same letters, same checks, nothing written early.

``adoption-desktop export reminders`` checks the password on a second thread while the letters are read
and drawn in memory (``cli_support.signing_in``), checks the file's pages on a second thread after the
reads, and records the sent-list with one audit entry per batch. These tests hold it to what the slow
path did: the letters read back the same as before the change (``golden_reminders.json``, made by the
code before it), the leak check still refuses, a wrong password or a missing permission writes nothing
(no file, no sent-list, no letters entry), one entry per batch, and ``verify`` stays clean.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.documents import write_batch
from adoption_desktop.letterbox.models import LetterSent
from adoption_desktop.letterbox.service import ParticipantData
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input

GOLDEN = Path(__file__).with_name("golden_reminders.json")
FIXED_DAY = dt.date(2026, 2, 14)


def pdf_pages(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


def _arrangements(db: Database, coordinator: Principal, *, leak: bool = False) -> None:
    """Three arrangements writing in March (adopters) and April (birth relatives)."""
    for n, (adopters, mother) in enumerate((("Sam and Alex Thornley", "Gina Quillfield"),
                                            ("Mr and Mrs Ferncastle", "Lena Brackwater"),
                                            ("Jo Pellingham", "Tess Morrowdale")), start=1):
        surname = adopters.split()[-1]
        greeting = f"Dear Gina {surname}," if leak and n == 1 else ""  # the other side's name in a letter
        service.create_arrangement(db, coordinator, sample_input(
            f"LB-000{n}", adopters_name=adopters, child_adoptive_name=f"Rosa {surname}",
            adopters_address=f"{n} Heron Gate\nDellmouth\nZZ99 4EF",
            participants=(ParticipantData(mother, "birth mother", f"{n} Moss Row\nGreystow\nZZ99 7QT",
                                          salutation=greeting),)))


def _cli(db_path: Path, user: str, out: Path, *months: str) -> int:
    from adoption_desktop.cli import main

    return main(["export", "reminders", "--db", str(db_path), "--user", user,
                 *[a for m in months for a in ("--month", m)], "--out", str(out)])


def _letters_entries(db: Database) -> list[AuditEntry]:
    with db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.entity == "letterbox_letters_sent")
                                    .order_by(AuditEntry.seq)))


def _sent_rows(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(LetterSent)) or 0)


def _reopen(db_path: Path) -> Database:
    from adoption_desktop.core.security.secret_store import SecretStore

    return open_database(db_path, SecretStore())


def test_letters_read_back_as_before_the_change(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """The page text of a batch, read back with pypdf, is what the code before the fast path wrote."""
    _arrangements(db, coordinator)
    out = tmp_path / "batch.pdf"
    result = write_batch(db, coordinator, "reminder", out, months=["2026-03", "2026-04"], today=FIXED_DAY)
    pages = pdf_pages(out)
    assert result.letters == len(pages) == 6
    if os.environ.get("ADK_WRITE_GOLDEN"):  # made once with the code before the change
        GOLDEN.write_text(json.dumps(pages, indent=1, ensure_ascii=False), encoding="utf-8")
    assert pages == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_command_writes_the_same_letters_as_the_library(db: Database, coordinator: Principal, db_path: Path,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command (password checked beside the drawing) and the plain use case give the same pages."""
    _arrangements(db, coordinator)
    plain = tmp_path / "plain.pdf"
    write_batch(db, coordinator, "reminder", plain, months=["2026-03", "2026-04"])
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    out = tmp_path / "cli.pdf"
    assert _cli(db_path, "lbcoord", out, "2026-03", "2026-04") == 0
    assert pdf_pages(out) == pdf_pages(plain)
    assert "Dear Mr and Mrs Ferncastle" in "\n".join(pdf_pages(out))


def test_the_leak_check_still_refuses_a_batch_with_a_leak(db: Database, coordinator: Principal, db_path: Path,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    _arrangements(db, coordinator, leak=True)
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    out = tmp_path / "leak.pdf"
    assert _cli(db_path, "lbcoord", out, "2026-04") == 2
    assert "other side of the arrangement (Thornley)" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob("leak.pdf*"))
    db = _reopen(db_path)
    try:
        assert _sent_rows(db) == 0 and _letters_entries(db) == []
    finally:
        db.dispose()


def test_a_wrong_password_writes_nothing_and_is_counted(db: Database, coordinator: Principal, db_path: Path,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _arrangements(db, coordinator)
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", "not-the-password")
    out = tmp_path / "wrong.pdf"
    assert _cli(db_path, "lbcoord", out, "2026-03", "2026-04") == 2
    assert "--user lbcoord: User name or password is not right." in capsys.readouterr().err
    assert not list(tmp_path.glob("wrong.pdf*"))
    db = _reopen(db_path)
    try:
        assert _sent_rows(db) == 0 and _letters_entries(db) == []
        with db.session(write=False) as session:
            user = session.scalar(select(User).where(User.username == "lbcoord"))
            assert user is not None and user.failed_attempts == 1  # the lock-out still counts it
            actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "users")))
        assert "sign_in_failed" in actions and "sign_in" not in actions
        assert verify_database(db).ok
    finally:
        db.dispose()


def test_an_unknown_user_reads_nothing_and_writes_nothing(db: Database, coordinator: Principal, db_path: Path,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    _arrangements(db, coordinator)
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    assert _cli(db_path, "nobody", tmp_path / "n.pdf", "2026-03") == 2
    assert "--user nobody: User name or password is not right." in capsys.readouterr().err
    assert not list(tmp_path.glob("n.pdf*"))


def test_a_role_without_the_permission_writes_nothing(db: Database, coordinator: Principal, db_path: Path,
                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _arrangements(db, coordinator)
    make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    db.dispose()
    # with a wrong password the refusal is the password's, never the permission's (roles stay unknown)
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", "not-the-password")
    assert _cli(db_path, "clerk", tmp_path / "p.pdf", "2026-03") == 2
    assert "not right" in capsys.readouterr().err
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    assert _cli(db_path, "clerk", tmp_path / "p.pdf", "2026-03") == 2
    assert "letterbox.view" in capsys.readouterr().err
    assert not list(tmp_path.glob("p.pdf*"))
    db = _reopen(db_path)
    try:
        assert _sent_rows(db) == 0 and _letters_entries(db) == []
    finally:
        db.dispose()


def test_one_audit_entry_per_batch_and_verify_stays_clean(db: Database, coordinator: Principal, db_path: Path,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _arrangements(db, coordinator)
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)

    def entries() -> int:
        d = _reopen(db_path)
        try:
            with d.session(write=False) as session:
                return int(session.scalar(select(func.count()).select_from(AuditEntry).where(
                    AuditEntry.entity != "users")) or 0)  # the sign-in's own entries aside
        finally:
            d.dispose()

    counts = []
    # three letters, then six: one entry for each month's batch (a month's reminders are a batch of their
    # own, so that printing them again is known as a reprint), never one per letter
    for months in (["2026-03"], ["2026-04", "2026-09"]):
        before = entries()
        assert _cli(db_path, "lbcoord", tmp_path / "b.pdf", *months) == 0
        counts.append(entries() - before)
    assert counts == [1, 2]
    db = _reopen(db_path)
    try:
        batches = _letters_entries(db)
        assert [(e.action, e.detail) for e in batches] == [("letterbox_letters_sent", "3 letters")] * 3
        assert [e.entity_id[:16] for e in batches] == ["reminder-202603-", "reminder-202604-", "reminder-202609-"]
        assert _sent_rows(db) == 9
        report = verify_database(db)
        assert report.ok, report.problems
    finally:
        db.dispose()


def test_a_sent_row_changed_later_is_reported_even_through_the_application(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """A sent-list row is final when written: its first seal is its content seal."""
    _arrangements(db, coordinator)
    write_batch(db, coordinator, "reminder", tmp_path / "b.pdf", month="2026-03")
    assert verify_database(db).ok
    with db.session(coordinator) as session:  # an update through the ORM: sealed, yet the content was final
        row = session.scalars(select(LetterSent).order_by(LetterSent.id)).first()
        assert row is not None
        row.side = "birth"
        first_id = row.id
    problems = verify_database(db).problems
    assert any(f"letterbox_letters_sent row {first_id}: the letter sent's content differs" in p for p in problems), \
        problems
    with db.session() as session:  # and one changed in SQL is named as before
        session.execute(text("UPDATE letterbox_letters_sent SET kind = 'chaser' WHERE id = :i"), {"i": first_id + 1})
    problems = verify_database(db).problems
    assert any(f"letterbox_letters_sent row {first_id + 1}: kind changed outside the application" in p
               for p in problems), problems


def test_reportlab_draws_with_its_c_accelerators() -> None:
    """The hot paths of a batch (string widths of the TrueType font, number formatting) are rl-accel's C
    functions, not reportlab's pure-Python fallbacks."""
    from reportlab.lib import rl_accel

    for name in ("fp_str", "instanceStringWidthTTF", "asciiBase85Encode", "escapePDF"):
        assert type(getattr(rl_accel, name)).__name__ == "builtin_function_or_method", name


def test_a_batch_on_both_stores_is_one_entry_and_verifies(any_db: Database, tmp_path: Path) -> None:
    """The sent-list's one entry per month's batch and its first seals, in team mode (PostgreSQL) too; the
    same months printed again are a reprint: one entry each, nothing recorded as sent again."""
    coordinator = make_user(any_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    _arrangements(any_db, coordinator)
    result = write_batch(any_db, coordinator, "reminder", tmp_path / "b.pdf", months=["2026-03", "2026-04"])
    assert result.letters == 6 and _sent_rows(any_db) == 6
    assert [(e.action, e.detail) for e in _letters_entries(any_db)] == [("letterbox_letters_sent", "3 letters")] * 2
    again = write_batch(any_db, coordinator, "reminder", tmp_path / "c.pdf", months=["2026-03", "2026-04"])
    assert (again.letters, again.reprinted, _sent_rows(any_db)) == (6, 6, 6)
    assert [e.action for e in _letters_entries(any_db)][2:] == ["letterbox_letters_reprinted"] * 2
    report = verify_database(any_db)
    assert report.ok, report.problems
