"""Void a batch printed by mistake and not posted ("mistakes" user trial, /tmp/ut22/reminders_wrong_month.sh:
``export reminders --month 2027-02`` run when January was meant recorded February's letters as sent; the real
February run was then told "reprint, not counted again" and the figures counted the shredded letters).

A coordinator voids the batch with a reason: a new audit entry; the batch's sent-list rows are kept, sealed,
and listed marked voided; the month's next print is recorded as the first; the figures leave the batch out.
Two people voiding at once, or voiding while another prints the month, take turns (two engines on one
SQLCipher file)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import AppError, Conflict, ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.documents import KINDS, write_batch
from adoption_desktop.letterbox.figures import figures
from adoption_desktop.letterbox.models import LetterSent
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input

TODAY = dt.date(2026, 12, 6)
FEB = "2027-02"  # sample_input's months are March and September: February is the adopters' March letter's
MARCH = "2027-03"


def _sent(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(LetterSent)) or 0)


def _reminders_counted(db: Database, who: Principal) -> str:
    sent = next(s for s in figures(db, who, dt.date(2026, 1, 1), dt.date(2027, 12, 31)) if s.title == "Letters sent")
    return dict(sent.rows)[KINDS["reminder"]]


def _voids(db: Database) -> list[AuditEntry]:
    with db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "letterbox_batch_voided")))


def _two(db: Database, who: Principal) -> None:
    service.create_arrangement(db, who, sample_input("LB-0001", coordinator="lbcoord"))
    service.create_arrangement(db, who, sample_input(
        "LB-0002", coordinator="lbcoord", adopters_name="Mr and Mrs Ferncastle", child_adoptive_name="Rosa Ferncastle",
        adopters_address="4 Heron Gate\nDellmouth\nZZ99 4EF"))


def test_a_voided_batch_is_kept_marked_and_the_next_print_is_the_first(db: Database, coordinator: Principal,
                                                                         tmp_path: Path) -> None:
    _two(db, coordinator)
    wrong = write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    assert wrong.recorded == (wrong.batch,) and wrong.batch.startswith("reminder-202703-20261206-")
    assert _reminders_counted(db, coordinator) == "2"

    voided = service.void_batch(db, coordinator, wrong.batch, "  printed for March by mistake,\nshredded ")
    assert (voided.letters, voided.reason, voided.by) == (2, "printed for March by mistake, shredded",
                                                          coordinator.full_name)
    assert _sent(db) == 2  # the rows stay
    assert _reminders_counted(db, coordinator) == "0"  # not counted
    assert service.reminders_produced(db, coordinator, MARCH) == []  # nothing "already produced"
    [entry] = _voids(db)
    assert entry.entity_id == wrong.batch and "not posted (printed for March by mistake, shredded)" in entry.detail
    detail = service.get_arrangement(db, coordinator, 1)
    [row] = detail.sent
    assert row.batch == wrong.batch
    assert row.voided.startswith(f"voided: not posted — printed for March by mistake, shredded ({coordinator.full_name}, ")

    real = write_batch(db, coordinator, "reminder", tmp_path / "b.pdf", month=MARCH, today=TODAY)
    assert (real.letters, real.reprinted, real.reprint_text) == (2, 0, "")  # the first, not a reprint
    assert real.recorded == (real.batch,) and real.batch != wrong.batch
    assert _sent(db) == 4 and _reminders_counted(db, coordinator) == "2"
    assert [b.batch for b in service.reminders_produced(db, coordinator, MARCH)] == [real.batch]
    assert verify_database(db).ok


def test_voiding_is_refused_plainly(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    _two(db, coordinator)
    first = write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    with pytest.raises(ValidationError, match="Reason: say why"):
        service.void_batch(db, coordinator, first.batch, "  ")
    with pytest.raises(ValidationError, match="No batch \"reminder-nothing\" is in the letters sent"):
        service.void_batch(db, coordinator, "reminder-nothing", "typo")
    manager = make_user(db, "lbmanager", Role.MANAGER)  # no letterbox.edit
    with pytest.raises(AppError):
        service.void_batch(db, manager, first.batch, "not mine")
    # printed again as a reprint: that print's letters stand on this batch's record, so it is not voided
    second = write_batch(db, coordinator, "reminder", tmp_path / "b.pdf", month=MARCH, today=TODAY)
    [reprint] = second.reprint_batches  # the name the refusal gives: the print says it (cli: test below)
    assert reprint != first.batch and second.recorded == ()
    with pytest.raises(Conflict, match=r"were printed again since .* cannot be voided\. Nothing was changed\.") as no:
        service.void_batch(db, coordinator, first.batch, "wrong month")
    # the person's name, as messages give it, not the login (user trial: "by letterbox")
    assert f"(batch {reprint}, by Lbcoord Tester at " in str(no.value)
    assert _voids(db) == [] and _reminders_counted(db, coordinator) == "2"
    assert verify_database(db).ok


def test_two_people_voiding_the_same_batch_void_it_once(db: Database, other_pc: Database, coordinator: Principal,
                                                        tmp_path: Path) -> None:
    _two(db, coordinator)
    wrong = write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    results: list[object] = []
    start = threading.Barrier(2)

    def void(on: Database) -> None:
        start.wait()
        try:
            results.append(service.void_batch(on, coordinator, wrong.batch, "wrong month"))
        except AppError as exc:
            results.append(exc)

    threads = [threading.Thread(target=void, args=(d,)) for d in (db, other_pc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(results) == 2 and len(refused) == 1, results
    assert "is already voided: not posted — wrong month" in str(refused[0])
    assert len(_voids(db)) == 1 and _sent(db) == 2
    assert verify_database(db).ok


def test_voiding_while_another_prints_the_month_loses_nothing(db: Database, other_pc: Database,
                                                              coordinator: Principal, tmp_path: Path) -> None:
    """Whichever goes first, the month's letters are recorded once: voided first, the print is the first;
    printed first (a reprint standing on the batch), the void is refused."""
    _two(db, coordinator)
    wrong = write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    out: dict[str, Any] = {}
    start = threading.Barrier(2)

    def void() -> None:
        start.wait()
        try:
            out["void"] = service.void_batch(db, coordinator, wrong.batch, "wrong month")
        except AppError as exc:
            out["void"] = exc

    def print_month() -> None:
        start.wait()
        out["print"] = write_batch(other_pc, coordinator, "reminder", tmp_path / "b.pdf", month=MARCH, today=TODAY)

    threads = [threading.Thread(target=void), threading.Thread(target=print_month)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    printed = out["print"]
    if isinstance(out["void"], AppError):  # the print went first: a reprint, and the batch stands
        assert printed.reprinted == 2 and _voids(db) == []
    else:  # the void went first: the print is the month's first
        assert printed.reprinted == 0 and printed.recorded == (printed.batch,)
    assert _reminders_counted(db, coordinator) == "2"  # counted once either way
    assert verify_database(db).ok


def test_the_command_names_the_batch_voids_it_and_warns_of_a_past_month(
        db: Database, coordinator: Principal, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop.cli import main

    _two(db, coordinator)
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    past = f"{dt.date.today().replace(day=1) - dt.timedelta(days=1):%Y-%m}"  # last month, whatever today is
    args = ["export", "reminders", "--db", str(db_path), "--user", "lbcoord", "--month", "2026-03"]
    assert main([*args, "--out", str(tmp_path / "a.pdf")]) == 0
    said = capsys.readouterr()
    [line] = [ln for ln in said.out.splitlines() if ln.startswith("Recorded as sent in batch ")]
    batch = line.removeprefix("Recorded as sent in batch ").rstrip(".")
    assert batch.startswith("reminder-202603-")
    if past >= "2026-03":  # March 2026 is a past month: said plainly with the result, and how to void it
        assert "Warning: the exchanges of 2026-03 fell due before this month" in said.out
        assert f"adoption-desktop letterbox void-batch --batch {batch} --reason" in said.out
    void = ["letterbox", "void-batch", "--db", str(db_path), "--user", "lbcoord", "--batch", batch]
    assert main([*void, "--reason", "printed for the wrong month, shredded"]) == 0
    out = capsys.readouterr().out
    assert f"Batch {batch} is voided: not posted — printed for the wrong month, shredded" in out
    assert "no longer counted as sent; the month's next print of reminders is recorded as the first." in out
    assert main([*void, "--reason", "again"]) != 0  # twice: refused, said
    assert "is already voided" in capsys.readouterr().err
    again = open_database(db_path, SecretStore())
    try:
        assert len(_voids(again)) == 1 and _sent(again) == 2
        assert verify_database(again).ok
    finally:
        again.dispose()


def test_the_arrangement_window_voids_a_batch_it_lists(qtbot: Any, db: Database, coordinator: Principal,
                                                      arrangement: int, tmp_path: Path) -> None:
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog

    wrong = write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True))
    dialog = ArrangementDialog(ctx, arrangement, today=TODAY)
    qtbot.addWidget(dialog)
    assert f"(batch {wrong.batch})" in dialog.summary.toPlainText()
    assert dialog.void_button.isEnabled()
    void = dialog.open_void_batch()
    assert void.batch.currentData() == wrong.batch
    void.accept()  # no reason: said in the window, nothing changed
    assert "Reason: say why" in void.message.text() and _voids(db) == []
    void.reason.setText("printed for March by mistake")
    void.accept()
    assert len(_voids(db)) == 1
    assert "voided: not posted — printed for March by mistake" in dialog.summary.toPlainText()
    assert ctx.status_messages[-1].startswith(f"Batch {wrong.batch} is voided: not posted")
    assert dialog.open_void_batch().batch.count() == 0  # nothing left to void
    assert verify_database(db).ok


def test_the_command_names_a_reprints_batch_that_a_refusal_names(
        db: Database, coordinator: Principal, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """User trial of the letterbox corrections: void-batch refused a batch "printed again since (batch …, by
    letterbox)": a batch the print never named, and a login where messages give the person's name."""
    from adoption_desktop.cli import main

    _two(db, coordinator)
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    # a past month, whatever today is (a month too far ahead is refused; a past one is written, with a warning)
    args = ["export", "reminders", "--db", str(db_path), "--user", "lbcoord", "--month", "2026-03"]
    assert main([*args, "--out", str(tmp_path / "a.pdf")]) == 0
    [first] = [ln.removeprefix("Recorded as sent in batch ").rstrip(".")
               for ln in capsys.readouterr().out.splitlines() if ln.startswith("Recorded as sent in batch ")]
    assert main([*args, "--out", str(tmp_path / "b.pdf")]) == 0
    out = capsys.readouterr().out
    assert "Recorded as sent in batch" not in out  # nothing of the reprint is recorded
    [line] = [ln for ln in out.splitlines() if ln.startswith("Printed again as batch ")]
    reprint = line.removeprefix("Printed again as batch ").split(" ")[0]
    assert reprint.startswith("reminder-202603-") and reprint != first
    void = ["letterbox", "void-batch", "--db", str(db_path), "--user", "lbcoord", "--batch", first]
    assert main([*void, "--reason", "printed for the wrong month"]) != 0
    err = capsys.readouterr().err
    assert f"printed again since (batch {reprint}, by Lbcoord Tester at " in err and "by lbcoord" not in err


def test_a_voided_returned_letter_is_marked_in_the_item_and_does_not_stop_a_reword(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """Review of the void (6 December 2026): the item's own records still took a voided letter as posted: its
    reason was refused a reword ("was sent on …") and the item window listed the letter unmarked, where the
    arrangement window marks it voided."""
    from adoption_desktop.letterbox.views.item_dialog import letters_sent_text
    from tests.letterbox.conftest import sample_input as sample
    from tests.letterbox.test_item_writer_letters import DAY, TWO, returned_item

    aid = service.create_arrangement(db, coordinator, sample(reference="LB-0061", participants=TWO))
    item = returned_item(db, coordinator, aid, "Please leave out your telephone number.", writer="Donna Marsh")
    res = write_batch(db, coordinator, "returned", tmp_path / "r.pdf", item_ids=[item], today=DAY)
    service.void_batch(db, coordinator, res.batch, "printed by mistake, shredded")

    d = service.get_item(db, coordinator, item)
    [letter] = d.letters
    assert letter.batch == res.batch
    assert letter.voided.startswith("voided: not posted — printed by mistake, shredded")
    assert "(voided: not posted — printed by mistake, shredded" in letters_sent_text(d.letters)
    service.reword_return_reason(db, coordinator, item, "Please leave out your phone number.",
                                 expected_version=d.row_version)
    assert service.get_item(db, coordinator, item).reason == "Please leave out your phone number."
    assert verify_database(db).ok


def test_a_voided_acknowledgement_does_not_offer_a_correction_note(qtbot: Any, db: Database,
                                                                   coordinator: Principal) -> None:
    """The item window offered "Add correction note" for an open item whose only letter was voided (not
    posted: the writer was told nothing), which the service then refused."""
    from adoption_desktop.letterbox import rules
    from tests.letterbox.test_item_mistakes import MARCH as LOGGED
    from tests.letterbox.test_item_mistakes import acknowledge, two_arrangements
    from tests.letterbox.test_item_mistakes_window import open_window

    _meant, wrong = two_arrangements(db, coordinator)
    item = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=LOGGED)
    acknowledge(db, coordinator, wrong, item, "ack-v1")
    service.void_batch(db, coordinator, "ack-v1", "printed for the wrong item, shredded")
    window = open_window(qtbot, db, coordinator, wrong, "LB-0002", item)
    assert "voided: not posted" in window.letters_sent.text()
    assert not window.mistakes.correction_note_action.isEnabled()


def _append_void(db: Database, who: Principal, batch: str) -> None:
    """A void appended on the chain as the application appends it, but not by :func:`void_batch`."""
    from adoption_desktop.core.audit.chain import append_entry

    with db.engine.begin() as conn:
        append_entry(conn, who, "letterbox_batch_voided", "letterbox_letters_sent", batch,
                     {"reason": [None, "x"], "letters": [None, 2]}, "")


def test_verify_names_a_void_the_application_would_not_have_written(
        db: Database, coordinator: Principal, admin: Principal, tmp_path: Path) -> None:
    """Review of the void (6 December 2026): the readers obey any void entry on the log, and one appended
    on the chain by an account without letterbox.edit, a void of a batch printed again before, or a second
    void of one batch left ``verify`` saying OK."""
    _two(db, coordinator)
    first = write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    again = write_batch(db, coordinator, "reminder", tmp_path / "b.pdf", month=MARCH, today=TODAY)
    assert again.reprinted == 2
    manager = make_user(db, "mgr", Role.MANAGER)
    _append_void(db, manager, first.batch)  # by a manager (no letterbox.edit), of a batch printed again since
    _append_void(db, coordinator, first.batch)  # and voided a second time
    problems = verify_database(db).problems
    assert not verify_database(db).ok
    said = "\n".join(problems)
    assert f"voids letterbox batch {first.batch} as not posted, but it was made by Mgr Tester, whose account " \
           "did not hold letterbox.edit" in said
    assert f"voids letterbox batch {first.batch}, whose reminders had been printed again before" in said
    assert f"batch {again.batch})" in said
    assert f"voids letterbox batch {first.batch} again (it was voided by entry #" in said
    assert len(problems) == 4, problems  # the coordinator's void: only printed again, and a second one


def test_verify_takes_a_voiders_roles_when_they_voided(db: Database, coordinator: Principal, admin: Principal,
                                                       tmp_path: Path) -> None:
    """A coordinator who voided and later left the letterbox held letterbox.edit then: not reported. One who
    was given the role only after a void they could not have made is."""
    from adoption_desktop.core.security.service import set_roles

    _two(db, coordinator)
    done = write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    service.void_batch(db, coordinator, done.batch, "printed for the wrong month")
    set_roles(db, admin, coordinator.user_id, [Role.MANAGER])
    assert verify_database(db).ok

    manager = make_user(db, "mgr2", Role.MANAGER)
    _append_void(db, manager, "reminder-202709-20261206-zzzzzz")
    set_roles(db, admin, manager.user_id, [Role.LETTERBOX_COORDINATOR])  # given the role only afterwards
    said = "\n".join(verify_database(db).problems)
    assert "it was made by Mgr2 Tester, whose account did not hold letterbox.edit (then)" in said


def test_the_command_says_what_voiding_an_acknowledgement_batch_changes(
        db: Database, coordinator: Principal, db_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Review of the void: an acknowledgement batch voided ended "…the month's next print of reminders is
    recorded as the first.", which says nothing true of acknowledgements."""
    from adoption_desktop.cli import main
    from adoption_desktop.letterbox import rules
    from tests.letterbox.test_item_mistakes import MARCH as LOGGED
    from tests.letterbox.test_item_mistakes import acknowledge, two_arrangements

    _meant, wrong = two_arrangements(db, coordinator)
    item = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=LOGGED)
    acknowledge(db, coordinator, wrong, item, "ack-c1")
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    assert main(["letterbox", "void-batch", "--db", str(db_path), "--user", "lbcoord", "--batch", "ack-c1",
                 "--reason", "printed twice, shredded"]) == 0
    out = capsys.readouterr().out
    assert "reminders" not in out
    assert out.rstrip().endswith("no longer counted as sent; if these letters are still to go, print them again: "
                                 "that print is the one recorded as sent.")
