"""Letterbox trial finding #12: an arrangement's coordinator was any typed text and a relative's relationship
any typo, and both were kept. The rules are plain Python (``rules.coordinator_login``,
``rules.relationship_value``); the service, the import (spreadsheet, CSV, command line), undo and the
arrangement form use them; a value already stored is kept."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from sqlalchemy import select, update

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.service import list_users, set_disabled
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import demo as lb_demo
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox import undo as lb_undo
from adoption_desktop.letterbox.importing import import_file
from adoption_desktop.letterbox.models import Arrangement, Participant
from adoption_desktop.letterbox.service import ArrangementFilter, ParticipantData
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_import import HEADERS, good_rows, write_xlsx

TODAY = dt.date(2026, 3, 20)


@pytest.fixture(autouse=True)
def _discard_on_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """A form left open with typing is closed at the test's end: its "Discard what you typed?" is answered."""
    from adoption_desktop.letterbox.views import arrangement_dialog

    monkeypatch.setattr(arrangement_dialog, "ask_discard", lambda *_a, **_k: True)


# --- the rules ---------------------------------------------------------------------------------------------
@given(st.sampled_from(rules.RELATIONSHIPS), st.sampled_from([str.upper, str.title, str.lower]),
       st.sampled_from(["", " ", "  "]))
def test_known_relationships_are_stored_as_known(known: str, case: Any, pad: str) -> None:
    assert rules.relationship_value(pad + case(known) + pad) == known


@given(st.text(max_size=25))
def test_any_relationship_is_known_or_refused_with_the_list(text: str) -> None:
    try:
        value = rules.relationship_value(text)
    except ValidationError as exc:
        assert str(exc).startswith("Relationship: ") and "birth mother" in str(exc)
    else:
        assert value == "" or value in rules.RELATIONSHIPS


def test_relationship_words_and_typos() -> None:
    assert rules.relationship_value("Mother") == "birth mother"
    assert rules.relationship_value("aunt") == "birth aunt"
    assert rules.relationship_value("") == ""
    with pytest.raises(ValidationError, match=r"'birth mothr' is not a relationship.*Did you mean 'birth mother'"):
        rules.relationship_value("birth mothr")
    with pytest.raises(ValidationError, match="'neighbour' is not a relationship"):
        rules.relationship_value("neighbour")


@given(st.dictionaries(st.from_regex(r"[a-z][a-z.]{0,8}", fullmatch=True),
                       st.from_regex(r"[A-Z][a-z]{1,6} [A-Z][a-z]{1,6}", fullmatch=True), max_size=4),
       st.text(max_size=20))
def test_a_coordinator_is_an_account_or_refused(accounts: dict[str, str], text: str) -> None:
    try:
        login = rules.coordinator_login(text, accounts)
    except ValidationError as exc:
        assert str(exc).startswith("Coordinator: ")
        assert all(name in str(exc) for name in accounts)
    else:
        assert login == "" or login in accounts


def test_coordinator_named_by_login_or_full_name() -> None:
    accounts = {"lbcoord": "Lbcoord Tester", "kim.ash": "Kim Ash"}
    assert rules.coordinator_login("KIM.ASH", accounts) == "kim.ash"
    assert rules.coordinator_login(" kim  ash ", accounts) == "kim.ash"
    assert rules.coordinator_login("", accounts) == ""
    with pytest.raises(ValidationError, match=r"'lbcord' is not the user name.*kim.ash \(Kim Ash\), lbcoord"):
        rules.coordinator_login("lbcord", accounts)


# --- the service, on SQLCipher and PostgreSQL ------------------------------------------------------------------
def test_the_service_refuses_an_unknown_coordinator_or_relationship(any_db: Database) -> None:
    db = any_db
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    make_user(db, "reporter", Role.MANAGER)
    with pytest.raises(ValidationError, match="Coordinator: 'lbcord' is not the user name"):
        service.create_arrangement(db, coordinator, sample_input(coordinator="lbcord"))
    with pytest.raises(ValidationError, match="'reporter' is not the user name"):  # cannot keep the letterbox
        service.create_arrangement(db, coordinator, sample_input(coordinator="reporter"))
    with pytest.raises(ValidationError, match="Birth relative Gina Quillfield: relationship: 'brith mother'"):
        service.create_arrangement(db, coordinator, sample_input(
            coordinator="lbcoord", participants=(ParticipantData("Gina Quillfield", "brith mother"),)))
    assert service.count_arrangements(db, coordinator, ArrangementFilter()) == 0
    aid = service.create_arrangement(db, coordinator, sample_input(
        coordinator="Lbcoord Tester", participants=(ParticipantData("Gina Quillfield", "Mum"),)))
    saved = service.get_arrangement(db, coordinator, aid).data
    assert saved.coordinator == "lbcoord"  # the login is stored
    assert [p.relationship for p in saved.participants] == ["birth mother"]


def test_a_value_already_stored_is_kept_but_a_new_one_is_checked(any_db: Database) -> None:
    """An account since disabled, a relationship from before the rule: saving other changes keeps them."""
    db = any_db
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    leaver = make_user(db, "leaver", Role.LETTERBOX_COORDINATOR)
    aid = service.create_arrangement(db, coordinator, sample_input(coordinator="leaver"))
    admin = make_user(db, "lbadmin", Role.ADMINISTRATOR)
    summary = next(u for u in list_users(db, admin) if u.username == "leaver")
    set_disabled(db, admin, leaver.user_id, True, expected_version=summary.row_version)
    with db.session(coordinator) as session:
        session.execute(update(Participant).where(Participant.arrangement_id == aid,
                                                  Participant.name == "Gina Quillfield").values(relationship="mum's side"))
    detail = service.get_arrangement(db, coordinator, aid)
    service.update_arrangement(db, coordinator, aid, replace(detail.data, notes="Reviewed."),
                               expected_version=detail.row_version)
    again = service.get_arrangement(db, coordinator, aid)
    assert again.data.coordinator == "leaver" and again.data.notes == "Reviewed."
    assert {p.relationship for p in again.data.participants} == {"mum's side", "birth grandfather"}
    with pytest.raises(ValidationError, match="'leaver' is not the user name"):  # a new arrangement: refused
        service.create_arrangement(db, coordinator, sample_input("LB-0002", coordinator="leaver"))
    with pytest.raises(ValidationError, match='"mum\'s sde" is not a relationship'):  # a changed one: checked
        service.update_arrangement(db, coordinator, aid, replace(again.data, participants=tuple(
            replace(p, relationship="mum's sde") if p.relationship == "mum's side" else p
            for p in again.data.participants)), expected_version=again.row_version)


def test_undo_puts_an_old_arrangements_values_back(any_db: Database) -> None:
    """An arrangement from before the checks, corrected in the form; Undo restores it as it was (its values
    were stored), and Redo the correction."""
    db = any_db
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    aid = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    with db.session(coordinator) as session:  # imported before coordinators and relationships were checked
        session.execute(update(Arrangement).where(Arrangement.id == aid).values(coordinator="old.login"))
        session.execute(update(Participant).where(Participant.arrangement_id == aid,
                                                  Participant.name == "Gina Quillfield").values(relationship="mam"))
    old = service.get_arrangement(db, coordinator, aid)
    fixed = replace(old.data, coordinator="lbcoord", participants=tuple(
        replace(p, relationship="birth mother") if p.relationship == "mam" else p for p in old.data.participants))
    _version, entry = lb_undo.update_arrangement(db, coordinator, aid, fixed, expected_version=old.row_version)

    def people() -> tuple[str, set[str]]:
        data = service.get_arrangement(db, coordinator, aid).data
        return data.coordinator, {p.relationship for p in data.participants}

    assert people() == ("lbcoord", {"birth mother", "birth grandfather"})
    redo = entry.reverse()
    assert people() == ("old.login", {"mam", "birth grandfather"})
    assert redo is not None
    redo.reverse()
    assert people() == ("lbcoord", {"birth mother", "birth grandfather"})


# --- the import --------------------------------------------------------------------------------------------
def _rows() -> tuple[list[str], list[list[object]]]:
    return [*HEADERS, "Coordinator"], [[*r, "Lbcoord Tester"] for r in good_rows()]


def test_the_import_says_each_unknown_value_by_row_and_writes_nothing(db: Database, coordinator: Principal,
                                                                      tmp_path: Path) -> None:
    headers, rows = _rows()
    rows[1][7] = "grandad"
    ok = import_file(db, coordinator, write_xlsx(tmp_path / "ok.xlsx", rows, headers), dry_run=True)
    assert not ok.problems and ok.creates == 2
    rows[0][7] = "birth mothr"
    rows[2][-1] = "Lbcord Tester"
    bad = import_file(db, coordinator, write_xlsx(tmp_path / "bad.xlsx", rows, headers))
    assert not bad.written
    said = {(p.row, p.column.split(" ")[0]): p.problem for p in bad.problems}
    assert "Did you mean 'birth mother'" in said[(2, "H")]
    assert said[(4, "P")].startswith("IMP-002: Coordinator: 'Lbcord Tester' is not the user name")
    assert "lbcoord (Lbcoord Tester)" in said[(4, "P")]
    with db.session(write=False) as session:
        assert list(session.scalars(select(Arrangement.id))) == []
    rows[0][7], rows[2][-1] = "mother", "lbcoord"
    report = import_file(db, coordinator, write_xlsx(tmp_path / "good.xlsx", rows, headers))
    assert report.written and report.creates == 2
    with db.session(write=False) as session:
        assert set(session.scalars(select(Arrangement.coordinator))) == {"lbcoord"}
        assert set(session.scalars(select(Participant.relationship))) == {
            "birth mother", "birth grandfather", "birth sister"}


def test_an_update_by_import_keeps_the_stored_coordinator(db: Database, coordinator: Principal,
                                                          tmp_path: Path) -> None:
    headers, rows = _rows()
    assert import_file(db, coordinator, write_xlsx(tmp_path / "first.xlsx", rows, headers)).written
    with db.session(coordinator) as session:  # from before the check: no such account
        session.execute(update(Arrangement).values(coordinator="old.login"))
    for r in rows:
        r[-1] = "old.login"
    rows[2][14] = "updated"
    report = import_file(db, coordinator, write_xlsx(tmp_path / "again.xlsx", rows, headers))
    assert not report.problems and report.written and report.updates == 1
    rows[2][-1] = "old.logn"  # a different value is checked
    again = import_file(db, coordinator, write_xlsx(tmp_path / "typo.xlsx", rows, headers))
    assert [p.row for p in again.problems] == [4] and "'old.logn'" in again.problems[0].problem


def test_the_command_line_import_of_a_csv_names_row_and_column(db: Database, db_path: Path,
                                                               coordinator: Principal, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop.cli import main

    headers, rows = _rows()
    rows[2][7], rows[2][-1] = "nieghbour", "nobody"
    path = tmp_path / "register.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows([[c.strftime("%d/%m/%Y") if isinstance(c, dt.datetime) else c for c in r] for r in rows])
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    assert main(["import", "letterbox", "--db", str(db_path), "--user", "lbcoord", "--file", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 4, column H (Relationship): Relationship: 'nieghbour' is not a relationship" in err
    assert "Traceback" not in err


# --- demo data ---------------------------------------------------------------------------------------------
def test_demo_relationships_are_known_ones() -> None:
    assert set(lb_demo.RELATIONSHIPS) <= set(rules.RELATIONSHIPS)


def test_the_small_demo_passes_the_checks_and_its_arrangements_save(small_demo_db: Database) -> None:
    with small_demo_db.session(write=False) as session:
        accounts = service.coordinator_accounts_in(session)
        coordinators = set(session.scalars(select(Arrangement.coordinator)))
        relationships = set(session.scalars(select(Participant.relationship)))
        first = session.scalar(select(Arrangement.id).where(Arrangement.status == "active").order_by(Arrangement.id))
    assert coordinators and coordinators <= set(accounts)
    assert relationships <= set(rules.RELATIONSHIPS)
    assert first is not None
    from adoption_desktop.core.security.models import User

    with small_demo_db.session(write=False) as session:
        login = session.scalar(select(User.username).where(User.username.in_(coordinators)).order_by(User.username))
    actor = next(p for p in _principals(small_demo_db) if p.username == login)
    detail = service.get_arrangement(small_demo_db, actor, first)
    service.update_arrangement(small_demo_db, actor, first, replace(detail.data, notes="Checked."),
                               expected_version=detail.row_version)
    assert service.get_arrangement(small_demo_db, actor, first).data.notes == "Checked."


def _principals(db: Database) -> list[Principal]:
    from adoption_desktop.core.security.models import User, UserRole

    with db.session(write=False) as session:
        roles: dict[int, set[Role]] = {}
        for uid, role in session.execute(select(UserRole.user_id, UserRole.role)):
            roles.setdefault(uid, set()).add(Role(role))
        return [Principal(u.id, u.username, u.full_name, frozenset(roles.get(u.id, set())))
                for u in session.scalars(select(User))]


# --- the arrangement form ------------------------------------------------------------------------------------
def _dialog(qtbot: Any, db: Database, who: Principal, arrangement_id: int | None = None) -> ArrangementDialog:
    dialog = ArrangementDialog(AppContext(db, who, TaskRunner(synchronous=True)), arrangement_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_form_offers_the_coordinators_accounts(qtbot: Any, db: Database, coordinator: Principal) -> None:
    make_user(db, "kim", Role.LETTERBOX_COORDINATOR)
    make_user(db, "reporter", Role.MANAGER)
    dialog = _dialog(qtbot, db, coordinator)
    assert [dialog.coordinator.itemText(i) for i in range(dialog.coordinator.count())] == ["kim", "lbcoord"]
    assert dialog.coordinator.itemData(0, Qt.ItemDataRole.ToolTipRole) == "Kim Tester"  # the full name as the item's tooltip
    assert dialog.fields["coordinator"].text() == "lbcoord"  # a new arrangement: the user's own
    assert not dialog.changed()


def test_a_wrong_coordinator_or_relationship_is_said_before_what_is_missing(qtbot: Any, db: Database,
                                                                            coordinator: Principal) -> None:
    make_user(db, "kim", Role.LETTERBOX_COORDINATOR)
    dialog = _dialog(qtbot, db, coordinator)
    dialog.fields["reference"].setText("LB-0400")
    dialog.coordinator.setEditText("kimm")
    dialog.save()
    assert dialog.message.text().startswith("Coordinator: 'kimm' is not the user name")
    assert "kim (Kim Tester), lbcoord (Lbcoord Tester)" in dialog.message.text()
    assert dialog.arrangement_id is None
    dialog.coordinator.setCurrentIndex(dialog.coordinator.findData("kim"))
    dialog.participants.setPlainText("Mia Fenn; granmother; 2 Fen Walk, Lowmarsh")
    dialog.save()
    assert dialog.message.text().startswith("Birth relative Mia Fenn: relationship: 'granmother'")
    assert dialog.arrangement_id is None
    dialog.participants.setPlainText("Mia Fenn; Nan; 2 Fen Walk, Lowmarsh")
    dialog.save()
    assert dialog.message.text().startswith("Not saved yet: LB-0400 is missing")  # main's second-Save rule
    dialog.save()
    assert dialog.arrangement_id is not None
    saved = service.get_arrangement(db, coordinator, dialog.arrangement_id).data
    assert saved.coordinator == "kim" and [p.relationship for p in saved.participants] == ["birth grandmother"]


def test_the_form_keeps_an_old_arrangements_values(qtbot: Any, db: Database, coordinator: Principal) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    with db.session(coordinator) as session:
        session.execute(update(Arrangement).where(Arrangement.id == aid).values(coordinator="Pat (left 2019)"))
        session.execute(update(Participant).where(Participant.arrangement_id == aid,
                                                  Participant.name == "Gina Quillfield").values(relationship="mam"))
    dialog = _dialog(qtbot, db, coordinator, aid)
    assert dialog.fields["coordinator"].text() == "Pat (left 2019)" and dialog.coordinator.currentIndex() == -1
    assert not dialog.changed()
    dialog.notes.setPlainText("Reviewed with the family.")
    dialog.save()
    assert dialog.result() == 1, dialog.message.text()
    saved = service.get_arrangement(db, coordinator, aid).data
    assert saved.coordinator == "Pat (left 2019)" and "mam" in {p.relationship for p in saved.participants}
    assert saved.notes == "Reviewed with the family."
