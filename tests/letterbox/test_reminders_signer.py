"""Who signs a batch of letterbox letters, and what a print that is not recorded says (two-user trial).

The demo administrator (no ``letterbox.edit``) printed a month's reminders: the command said only "14
reminder letters written", never that they were not recorded as sent; every letter was signed "Avery
Ashcombe / Letterbox coordinator", a job the administrator does not hold; and a coordinator's print of
the same month a little later said nothing of that copy, so two sets could be posted. Now the signatory
holds ``letterbox.edit`` whoever they are (``--signed-by``, or else ``--user``: refused before anything is
written); a copy printed by someone who cannot record it says so; a coordinator's first recorded print of
a month that was only printed says so; and the title under the name is the person's own job title or the
role they act in for the letterbox.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.documents import CannotSign, write_batch
from adoption_desktop.letterbox.models import LetterSent
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input

TODAY = dt.date(2026, 2, 14)
MARCH, APRIL = "2026-03", "2026-04"
NOT_RECORDED = ("Not recorded as sent: Admin Tester cannot record letters (no letterbox.edit). A coordinator's "
                "print of this month will be recorded as the first.")


def _text(path: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)


def _sent(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(LetterSent)) or 0)


def _entries(db: Database, action: str) -> list[AuditEntry]:
    with db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def _two_arrangements(db: Database, who: Principal) -> None:
    """Two arrangements writing in March (adopters) and April (birth relatives)."""
    service.create_arrangement(db, who, sample_input("LB-0001", coordinator="lbcoord"))
    service.create_arrangement(db, who, sample_input(
        "LB-0002", coordinator="lbcoord", adopters_name="Mr and Mrs Ferncastle", child_adoptive_name="Rosa Ferncastle",
        adopters_address="4 Heron Gate\nDellmouth\nZZ99 4EF"))


def _set_job_title(db: Database, username: str, title: str) -> None:
    with db.session() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        user.job_title = title


@pytest.fixture
def cli_run(db: Database, coordinator: Principal, admin: Principal, db_path: Path, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """``run(user, name, *extra)`` → (exit code, stdout, stderr, the file): ``export reminders`` for March."""
    from adoption_desktop.cli import main

    _two_arrangements(db, coordinator)
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    capsys.readouterr()

    def run(user: str, name: str, *extra: str) -> tuple[int, str, str, Path]:
        out = tmp_path / name
        code = main(["export", "reminders", "--db", str(db_path), "--user", user, "--month", MARCH,
                     "--out", str(out), *extra])
        captured = capsys.readouterr()
        return code, captured.out, captured.err, out

    return run


def _reopened(db_path: Path) -> Database:
    from adoption_desktop.core.security.secret_store import SecretStore

    return open_database(db_path, SecretStore())


def test_someone_without_letterbox_edit_cannot_sign_and_nothing_is_written(cli_run: Any, db_path: Path) -> None:
    code, out, err, pdf = cli_run("admin", "admin.pdf")
    assert code == 2 and out == ""
    assert ("--user: Admin Tester (admin) does not hold letterbox.edit, so cannot sign these letters; nothing "
            "was written. Name a coordinator who signs them with --signed-by USER.") in err, err
    assert not pdf.exists()
    db = _reopened(db_path)
    try:
        assert _sent(db) == 0 and _entries(db, "letterbox_letters_printed") == []
    finally:
        db.dispose()


def test_a_copy_signed_by_a_coordinator_says_it_was_not_recorded(cli_run: Any, db_path: Path) -> None:
    code, out, err, pdf = cli_run("admin", "copy.pdf", "--signed-by", "lbcoord")
    assert code == 0, err
    assert "2 reminder letters written to" in out
    assert NOT_RECORDED in out, out
    text = _text(pdf)
    assert "Lbcoord Tester" in text and "Letterbox coordinator" in text and "Admin Tester" not in text
    db = _reopened(db_path)
    try:
        [printed] = _entries(db, "letterbox_letters_printed")
        assert printed.entity_id.startswith("reminder-202603-") and printed.detail.startswith("2 letters")
        assert _sent(db) == 0
    finally:
        db.dispose()


def test_a_coordinators_first_print_after_a_copy_says_so_and_is_recorded(cli_run: Any, db_path: Path) -> None:
    assert cli_run("admin", "copy.pdf", "--signed-by", "lbcoord")[0] == 0
    code, out, err, _pdf = cli_run("lbcoord", "first.pdf")
    assert code == 0, err
    assert "2 reminder letters written to" in out
    assert "A copy of these reminders was printed by Admin Tester at " in out, out
    assert " but not recorded as sent; check it was not posted." in out
    assert "reprint" not in out and "Not recorded as sent" not in out
    code, out, err, _pdf = cli_run("lbcoord", "again.pdf")  # the month is recorded now: a reprint, no copy said
    assert code == 0, err
    assert "recorded as a reprint" in out and "A copy of these reminders" not in out
    db = _reopened(db_path)
    try:
        assert _sent(db) == 2  # the coordinator's first print recorded, once
        assert verify_database(db).ok
    finally:
        db.dispose()


def test_the_service_refuses_a_signer_without_letterbox_edit(db: Database, coordinator: Principal,
                                                            admin: Principal, tmp_path: Path) -> None:
    _two_arrangements(db, coordinator)
    counsellor = make_user(db, "counsellor", Role.COUNSELLOR)
    nobody = Principal(987_654, "nobody", "Nobody At All", frozenset({Role.LETTERBOX_COORDINATOR}))
    for n, signed_by in enumerate((None, counsellor, nobody)):  # no such account: its claimed roles count for nothing
        out = tmp_path / f"{n}.pdf"
        with pytest.raises(CannotSign, match=r"does not hold letterbox\.edit, so cannot sign these letters"):
            write_batch(db, admin, "reminder", out, month=MARCH, today=TODAY, signed_by=signed_by)
        assert not out.exists()
    assert _sent(db) == 0 and _entries(db, "letterbox_letters_printed") == []


def test_each_months_copy_is_audited_and_said_to_that_months_first_print(db: Database, coordinator: Principal,
                                                                        admin: Principal, tmp_path: Path) -> None:
    _two_arrangements(db, coordinator)
    copy = write_batch(db, admin, "reminder", tmp_path / "copy.pdf", months=[MARCH, APRIL], today=TODAY,
                       signed_by=coordinator)
    assert copy.letters == 4 and copy.not_recorded_by == "Admin Tester"
    assert copy.not_recorded_text.endswith("A coordinator's print of these months will be recorded as the first.")
    assert sorted(e.entity_id[:16] for e in _entries(db, "letterbox_letters_printed")) == [
        "reminder-202603-", "reminder-202604-"]
    march = write_batch(db, coordinator, "reminder", tmp_path / "march.pdf", month=MARCH, today=TODAY)
    assert [c.month for c in march.printed_before] == [MARCH] and march.not_recorded_text == ""
    assert march.printed_before_text.startswith("A copy of these reminders was printed by Admin Tester at ")
    both = write_batch(db, coordinator, "reminder", tmp_path / "both.pdf", months=[MARCH, APRIL], today=TODAY)
    # March is recorded now (a reprint); April was only printed: said, naming the month
    assert [c.month for c in both.printed_before] == [APRIL] and both.reprinted == 2
    assert both.printed_before_text.startswith("A copy was printed of the reminders for April 2026 by Admin Tester")
    assert _sent(db) == 4


def test_the_title_is_the_signers_own(db: Database, tmp_path: Path) -> None:
    """An older account of the same name (another person, another job, made first) gives the letters no
    title: the signer's own job title is printed, or the role they act in ("Letterbox coordinator")."""
    from adoption_desktop.core.security.service import principal_for

    make_user(db, "lbold", Role.MANAGER)
    make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    with db.session() as session:
        for user in session.scalars(select(User).where(User.username.in_(["lbold", "lbcoord"]))):
            user.full_name = "Lee Namesake"
            user.job_title = "Panel adviser" if user.username == "lbold" else ""
    signer = principal_for(db, "lbcoord")
    _two_arrangements(db, signer)
    write_batch(db, signer, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    text = _text(tmp_path / "a.pdf")
    assert "Lee Namesake" in text and "Letterbox coordinator" in text and "Panel adviser" not in text
    _set_job_title(db, "lbcoord", "Post-adoption support worker")
    write_batch(db, signer, "reminder", tmp_path / "b.pdf", month=MARCH, today=TODAY)
    text = _text(tmp_path / "b.pdf")
    assert "Post-adoption support worker" in text and "Letterbox coordinator" not in text


def test_signed_by_prints_the_named_accounts_own_title_not_a_namesakes(cli_run: Any, db_path: Path,
                                                                       admin: Principal) -> None:
    """``--signed-by`` is checked by user name and the letters are given that account, never its full name
    looked up again: with namesakes (two coordinators and a counsellor, all "Sam Brook", each their own job
    title) the letter carries the named account's own title, whoever prints it; the counsellor is refused."""
    from tests.same_name import SHARED_NAME, named

    db = _reopened(db_path)
    try:
        named(db, admin, "sbrook", Role.LETTERBOX_COORDINATOR, "Senior contact coordinator")
        named(db, admin, "sbrook2", Role.LETTERBOX_COORDINATOR, "Contact support worker")
        named(db, admin, "sbrook3", Role.COUNSELLOR, "Birth-records counsellor")
    finally:
        db.dispose()
    for user in ("admin", "sbrook"):  # the second coordinator named, by someone else and by the namesake
        code, _out, err, pdf = cli_run(user, f"{user}.pdf", "--signed-by", "sbrook2")
        assert code == 0, err
        text = _text(pdf)
        assert SHARED_NAME in text and "Contact support worker" in text, text
        assert "Senior contact coordinator" not in text and "Birth-records counsellor" not in text
    code, out, err, pdf = cli_run("admin", "counsellor.pdf", "--signed-by", "sbrook3")
    assert code == 2 and out == "" and not pdf.exists()
    assert "--signed-by: Sam Brook (sbrook3) does not hold letterbox.edit" in err, err


def test_the_service_refuses_a_namesake_without_letterbox_edit(db: Database, coordinator: Principal,
                                                              admin: Principal, tmp_path: Path) -> None:
    """The account named to sign is the one checked: a counsellor who shares a coordinator's full name is
    refused (by name, the coordinator would have been found and the letters printed)."""
    from tests.same_name import named

    named(db, admin, "sbrook", Role.LETTERBOX_COORDINATOR, "Senior contact coordinator")
    counsellor = named(db, admin, "sbrook3", Role.COUNSELLOR, "Birth-records counsellor")
    _two_arrangements(db, coordinator)
    out = tmp_path / "copy.pdf"
    with pytest.raises(CannotSign, match=r"Sam Brook \(sbrook3\) does not hold letterbox\.edit"):
        write_batch(db, admin, "reminder", out, month=MARCH, today=TODAY, signed_by=counsellor)
    assert not out.exists() and _sent(db) == 0 and _entries(db, "letterbox_letters_printed") == []


def test_the_window_offers_no_letters_to_someone_who_cannot_sign_them(qtbot: Any, db: Database, coordinator: Principal,
                                                                   admin: Principal) -> None:
    from adoption_desktop.letterbox.views.page import NO_SIGNER_TIP, LetterboxPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    _two_arrangements(db, coordinator)
    page = LetterboxPage(AppContext(db, admin, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    for button in (page.reminders_button, page.letters_button, page.chasers_button):
        assert not button.isEnabled() and button.toolTip() == NO_SIGNER_TIP
    assert "ask a coordinator to print them" in NO_SIGNER_TIP
    page = LetterboxPage(AppContext(db, coordinator, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    assert all(b.isEnabled() for b in (page.reminders_button, page.letters_button, page.chasers_button))


def test_the_window_says_a_copy_was_printed_before_the_coordinators_first(
        qtbot: Any, db: Database, coordinator: Principal, admin: Principal, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from adoption_desktop.letterbox.views import page as page_module
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    _two_arrangements(db, coordinator)
    write_batch(db, admin, "reminder", tmp_path / "copy.pdf", month=MARCH, today=TODAY,
                signed_by=coordinator)
    monkeypatch.setattr(page_module, "ask_letter_path", lambda *_a, **_k: str(tmp_path / "first.pdf"))
    page = page_module.LetterboxPage(AppContext(db, coordinator, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.letters_month.setCurrentIndex(page.letters_month.findData(MARCH))
    page._reminders_clicked()  # nothing recorded for March yet: not asked, recorded as the first
    assert (tmp_path / "first.pdf").exists() and _sent(db) == 2
    said = page.ctx.status_messages[-1]
    assert "A copy of these reminders was printed by Admin Tester at " in said, said
    assert "check it was not posted." in said
    box = page.findChild(QMessageBox, "printed_before_notice")
    assert box is not None and box.isVisible() and "check it was not posted." in box.text()
    box.close()


def test_a_copy_of_a_month_already_recorded_says_it_is_an_extra_and_the_reprint_names_it(
        cli_run: Any, db_path: Path) -> None:
    """Reviewer's finding: after the coordinator's print of March, the administrator's copy said "A
    coordinator's print of this month will be recorded as the first" (March was recorded: any later print
    is a reprint), and the coordinator's next print said only "recorded as a reprint", nothing of the copy."""
    assert cli_run("lbcoord", "first.pdf")[0] == 0
    code, out, err, pdf = cli_run("admin", "copy.pdf", "--signed-by", "lbcoord")
    assert code == 0, err
    assert pdf.exists()
    assert ("Not recorded as sent: Admin Tester cannot record letters (no letterbox.edit). These reminders were "
            "already recorded as sent (2 letters by Lbcoord Tester at ") in out, out
    assert "), so this copy is an extra: check it is not posted." in out
    assert "will be recorded as the first" not in out
    code, out, err, _pdf = cli_run("lbcoord", "again.pdf")
    assert code == 0, err
    assert "All 2 letters were produced before for the same month" in out and "recorded as a reprint" in out, out
    assert ("A copy of these reminders was also printed by Admin Tester at " in out
            and ", after they were recorded as sent, and not recorded; check it was not posted." in out), out
    db = _reopened(db_path)
    try:
        [sent] = _entries(db, "letterbox_letters_sent")
        [printed] = _entries(db, "letterbox_letters_printed")
        assert printed.entity_id.startswith("reminder-202603-")
        assert printed.detail == (f"2 letters (not recorded as sent: no edit permission; already recorded as sent "
                                  f"in {sent.entity_id}: an extra copy)")
        [reprinted] = _entries(db, "letterbox_letters_reprinted")
        assert reprinted.detail.endswith("; 1 copy printed since by Admin Tester and not recorded"), reprinted.detail
        assert _sent(db) == 2  # the coordinator's first print only
        assert verify_database(db).ok
    finally:
        db.dispose()


def test_a_copy_of_two_months_tells_each_the_truth(db: Database, coordinator: Principal, admin: Principal,
                                                   tmp_path: Path) -> None:
    """March recorded, April not: the copy says March's copy is an extra and April's will be the first."""
    _two_arrangements(db, coordinator)
    write_batch(db, coordinator, "reminder", tmp_path / "march.pdf", month=MARCH, today=TODAY)
    copy = write_batch(db, admin, "reminder", tmp_path / "copy.pdf", months=[MARCH, APRIL], today=TODAY,
                       signed_by=coordinator)
    assert [(r.month, r.extra, r.unrecorded) for r in copy.recorded_before] == [(MARCH, 2, 0)]
    text = copy.not_recorded_text
    assert text.startswith("Not recorded as sent: Admin Tester cannot record letters (no letterbox.edit). The "
                           "reminders for March 2026 were already recorded as sent (2 letters by Lbcoord Tester at "), text
    assert "so this copy of them is an extra: check it is not posted." in text
    assert text.endswith("Nothing is recorded yet for April 2026: a coordinator's print of it will be recorded as "
                         "the first."), text
    details = {e.entity_id[:15]: e.detail for e in _entries(db, "letterbox_letters_printed")}
    assert "an extra copy" in details["reminder-202603"] and "already" not in details["reminder-202604"]
    both = write_batch(db, coordinator, "reminder", tmp_path / "both.pdf", months=[MARCH, APRIL], today=TODAY)
    # March: a reprint, the copy printed since said; April: the first, the copy printed before said
    assert [c.month for c in both.printed_since] == [MARCH] and [c.month for c in both.printed_before] == [APRIL]
    assert both.printed_since_text.startswith("A copy was also printed of the reminders for March 2026 by Admin "
                                              "Tester at "), both.printed_since_text
    assert both.printed_before_text.startswith("A copy was printed of the reminders for April 2026 by Admin Tester")
    assert _sent(db) == 4


def test_the_window_says_a_copy_was_printed_since_the_month_was_recorded(
        qtbot: Any, db: Database, coordinator: Principal, admin: Principal, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    from adoption_desktop.letterbox.views import page as page_module
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    _two_arrangements(db, coordinator)
    write_batch(db, coordinator, "reminder", tmp_path / "first.pdf", month=MARCH, today=TODAY)
    write_batch(db, admin, "reminder", tmp_path / "copy.pdf", month=MARCH, today=TODAY,
                signed_by=coordinator)
    page = page_module.LetterboxPage(AppContext(db, coordinator, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.produce_letters("reminder", tmp_path / "again.pdf", month=MARCH)  # the reprint, once asked
    said = page.ctx.status_messages[-1]
    assert "recorded as a reprint" in said and "A copy of these reminders was also printed by Admin Tester" in said
    box = page.findChild(QMessageBox, "printed_before_notice")
    assert box is not None and box.isVisible() and "check it was not posted." in box.text()
    assert "recorded as a reprint" in box.informativeText()
    box.close()
    assert _sent(db) == 2


def test_a_copy_says_which_of_its_letters_a_recorded_month_does_not_hold(db: Database, coordinator: Principal,
                                                                        admin: Principal, tmp_path: Path) -> None:
    """A family added after March was recorded: the copy is an extra for the others, and its letter for the
    new family is left for a coordinator's print to record."""
    _two_arrangements(db, coordinator)
    write_batch(db, coordinator, "reminder", tmp_path / "march.pdf", month=MARCH, today=TODAY)
    service.create_arrangement(db, coordinator, sample_input(
        "LB-0003", coordinator="lbcoord", adopters_name="Mr and Mrs Quarrendon", child_adoptive_name="Ivy Quarrendon",
        adopters_address="7 Wren Row\nDellmouth\nZZ99 5GH"))
    copy = write_batch(db, admin, "reminder", tmp_path / "copy.pdf", month=MARCH, today=TODAY,
                       signed_by=coordinator)
    assert [(r.extra, r.unrecorded) for r in copy.recorded_before] == [(2, 1)]
    assert copy.not_recorded_text.endswith("so this copy is an extra: check it is not posted. 1 letter in it is not "
                                           "recorded yet (a family added since): a coordinator's print of the "
                                           "month will record it."), copy.not_recorded_text
