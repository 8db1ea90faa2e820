"""The CLI permission matrix: every headless command × every role × no user.

Commands that read or write case data sign in as a named user (``--user``) and act with that user's
roles only; a refused command exits 2 with one line on stderr naming what is missing (the option, or
the permission) and writes no file. IT commands (``verify``, ``backup``, ``paths``, ``upgrade``,
``move-database`` …) need the database key and no user. Every command the parser offers must be in
one of the two tables below, so a new command cannot slip in unclassified.

The demo database gives one user per role (``admin``, ``paneladmin`` … all ``demo-password``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from adoption_desktop import cli, demo
from adoption_desktop.cli_support import open_db
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.security.permissions import MATRIX, Permission, Role
from tests.conftest import open_counselling_case

ROOT = Path(__file__).resolve().parents[1]
P = Permission

#: A case command: the permissions its service requires, and its arguments (``out`` is a fresh path).
CASE_COMMANDS: dict[str, frozenset[Permission]] = {
    "export minutes": frozenset({P.PANEL_VIEW}),
    "export panel-calendar": frozenset({P.PANEL_VIEW}),
    "export decision-letter": frozenset({P.ADM_VIEW}),
    "export adm-letters-day": frozenset({P.ADM_VIEW}),
    "export reminders": frozenset({P.LETTERBOX_VIEW}),
    "export counselling-letter": frozenset({P.COUNSELLING_VIEW}),
    "import letterbox": frozenset({P.LETTERBOX_IMPORT}),
    "letterbox void-batch": frozenset({P.LETTERBOX_EDIT}),
    "export report": frozenset({P.REPORTS_VIEW}),
    "export ofsted-pack": frozenset({P.ADM_VIEW, P.PANEL_VIEW, P.REPORTS_VIEW}),
    "export template": frozenset({P.SETTINGS_MANAGE}),
    "import template": frozenset({P.SETTINGS_MANAGE}),
    "access-review": frozenset({P.USERS_MANAGE}),
}
#: Commands for IT (no case access): no user. ``team-setup`` arrives from another branch.
IT_COMMANDS = {"init", "demo", "verify", "backup", "restore", "recover", "self-test", "paths", "policy", "upgrade",
               "move-database", "team-setup"}
#: Commands an administrator signs in for (no case data): ``audit-acknowledge`` (tested in tests/core),
#: ``rebuild-search`` (tests/letterbox/test_search_index_check.py), ``move-to-server``
#: (tests/core/test_move_to_server.py: an administrator of the file), ``new-recovery-key``
#: (tests/core/test_new_recovery_key.py), ``new-database-key`` (tests/core/test_new_database_key.py).
ADMIN_COMMANDS = {"audit-acknowledge", "rebuild-search", "move-to-server", "new-recovery-key", "new-database-key"}
ROLE_USER = {role: username for username, _name, role in demo.DEMO_USERS}


def _parser_commands() -> dict[str, argparse.ArgumentParser]:
    """Every leaf command of the parser (``verify``, ``export minutes`` …) with its parser."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{prefix} {name}".strip())
                return
        found[prefix] = parser

    walk(cli.build_parser(), "")
    return found


def _has_user_option(parser: argparse.ArgumentParser) -> bool:
    return any("--user" in a.option_strings for a in parser._actions)


def test_every_command_is_classified_and_only_case_commands_take_a_user() -> None:
    commands = _parser_commands()
    unclassified = sorted(set(commands) - set(CASE_COMMANDS) - IT_COMMANDS - ADMIN_COMMANDS)
    assert unclassified == [], f"classify these commands in {__name__}: {unclassified}"
    assert sorted(c for c, p in commands.items() if _has_user_option(p)) == sorted({*CASE_COMMANDS, *ADMIN_COMMANDS})


@dataclass
class Demo:
    path: Path
    tmp: Path
    args: dict[str, Callable[[Path], list[str]]]


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            small_demo_copy: Callable[..., Path]) -> Demo:
    from adoption_desktop.adm.models import AdmDecision, AdmLetter
    from adoption_desktop.letterbox.models import Arrangement
    from adoption_desktop.letterbox.sent_list import record_letters_sent
    from tests.letterbox.test_import import good_rows, write_xlsx

    path = small_demo_copy(tmp_path / "demo.db")  # as `adoption-desktop demo --db` made it (conftest)
    db = open_db(path)
    try:
        with db.session(write=False) as s:
            decision_id, letter_day = s.execute(
                select(AdmLetter.decision_id, AdmLetter.letter_date).join(AdmDecision, AdmDecision.id == AdmLetter.decision_id)
                .where(AdmDecision.signed_at.is_not(None)).order_by(AdmLetter.id)).first() or (None, None)
            arrangement = s.scalar(select(Arrangement.id).order_by(Arrangement.id))
        with db.session() as s:  # a batch of letters to void (a chaser: never reprinted)
            batch = "chaser-20261206-cli001"
            record_letters_sent(s, [(int(arrangement or 0), "chaser", "birth", None, None)], dt.date(2026, 12, 6), batch)
    finally:
        db.dispose()
    assert decision_id is not None, "the demo has a signed decision with its letter"
    case_id = str(open_counselling_case(path))
    register = write_xlsx(tmp_path / "register.xlsx", good_rows())
    reminder = tmp_path / "reminder.txt"  # an edited letter template to import
    reminder.write_text("Subject: Letterbox reminder\nDear ${salutation},\n\nA reminder.\n", encoding="utf-8")
    db_arg = ["--db", str(path)]
    capsys.readouterr()
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, demo.DEMO_PASSWORD)
    return Demo(path, tmp_path, {
        "export minutes": lambda out: [*db_arg, "--sitting", "1", "--out", str(out.with_suffix(".docx"))],
        "export panel-calendar": lambda out: [*db_arg, "--out", str(out.with_suffix(".ics"))],
        "export decision-letter": lambda out: [*db_arg, "--decision", str(decision_id), "--out", str(out)],
        "export adm-letters-day": lambda out: [*db_arg, "--date", f"{letter_day:%Y-%m-%d}", "--out", str(out)],
        # signed by the coordinator: a role with letterbox.view but not letterbox.edit (the administrator)
        # may print a copy only when someone who may sign is named (tests/letterbox/test_reminders_signer.py)
        "export reminders": lambda out: [*db_arg, "--month", "2026-03", "--signed-by", "letterbox",
                                         "--out", str(out)],
        "export counselling-letter": lambda out: [*db_arg, "--case", case_id, "--kind", "acknowledgement",
                                                  "--out", str(out)],
        "import letterbox": lambda out: [*db_arg, "--file", str(register), "--dry-run"],
        "letterbox void-batch": lambda out: [*db_arg, "--batch", str(batch), "--reason", "printed by mistake"],
        "export report": lambda out: [*db_arg, "--kind", "six-monthly", "--period", "2026-04-01..2026-09-30",
                                      "--out", str(out.with_suffix(".docx"))],
        "export ofsted-pack": lambda out: [*db_arg, "--as-of", "2026-11-23", "--out", str(out)],
        "export template": lambda out: [*db_arg, "--name", "letterbox_reminder", "--out", str(out.with_suffix(".txt"))],
        "import template": lambda out: [*db_arg, "--name", "letterbox_reminder", "--file", str(reminder)],
        "access-review": lambda out: [*db_arg, "--out", str(out.with_suffix(".csv"))],
    })


def _run(command: str, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main([*command.split(), *args])
    return code, [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def _written(args: list[str]) -> list[Path]:
    outs = [Path(args[i + 1]) for i, a in enumerate(args) if a == "--out"]
    return [p for p in outs if p.exists()]


def test_case_commands_by_role_and_without_a_user(demo_db: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    """Every case command × (no user, each of the seven roles): allowed exactly where the role holds the
    permission; otherwise exit 2, one line naming what is missing, nothing written."""
    problems: list[str] = []
    n = 0
    for command, needed in CASE_COMMANDS.items():
        for role in [None, *Role]:
            n += 1
            args = demo_db.args[command](demo_db.tmp / f"out{n}.pdf")
            if role is not None:
                args += ["--user", ROLE_USER[role]]
            code, err = _run(command, args, capsys)
            allowed = role is not None and needed <= MATRIX[role]
            who = role.value if role else "no user"
            if allowed:
                if code != 0:
                    problems.append(f"{command} as {who}: exit {code}, {err}")
                continue
            names = ["--user"] if role is None else sorted(p.value for p in needed - MATRIX[role])
            missing = ", ".join(names)
            if code != 2 or len(err) != 1 or not all(name in err[0] for name in names):
                problems.append(f"{command} as {who}: expected exit 2 and one line naming {missing}; "
                                f"got exit {code}, {err}")
            if _written(args):
                problems.append(f"{command} as {who}: refused but wrote {_written(args)}")
    assert problems == []


def test_a_case_command_is_audited_under_the_signed_in_user(demo_db: Demo,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = demo_db.tmp / "letter.pdf"
    args = demo_db.args["export counselling-letter"](out)
    assert _run("export counselling-letter", [*args, "--user", "counsellor"], capsys)[0] == 0
    db = open_db(demo_db.path)
    try:
        with db.session(write=False) as s:
            last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(5)).all()
    finally:
        db.dispose()
    actions = {(e.action, e.actor) for e in last}
    assert any(action == "sign_in" and "counsellor" in actor for action, actor in actions), actions
    assert all(actor != "cli" and "Command line" not in actor for _a, actor in actions)
    assert any("counsellor" in actor and action != "sign_in" for action, actor in actions), actions


def test_a_refused_command_is_audited_under_the_user_only_once_the_password_is_right(
        demo_db: Demo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``export reminders`` reads while the password is checked (``signing_in``), ``export minutes`` signs
    in first (``signed_in``): a refusal is audited either way, naming the permission; with a wrong
    password nothing but the failed sign-in is."""
    for command, user in (("export reminders", "counsellor"), ("export minutes", "letterbox")):
        args = demo_db.args[command](demo_db.tmp / f"refused-{user}.pdf")
        assert _run(command, [*args, "--user", user], capsys)[0] == 2
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, "not the password")
    assert _run("export reminders", [*demo_db.args["export reminders"](demo_db.tmp / "w.pdf"),
                                     "--user", "manager"], capsys)[0] == 2
    db = open_db(demo_db.path)
    try:
        with db.session(write=False) as s:
            refused = [(e.actor, e.detail) for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "refused"))]
    finally:
        db.dispose()
    assert len(refused) == 2, refused
    (first_actor, first), (second_actor, second) = refused
    assert "counsellor" in first_actor and first.endswith("needs letterbox.view"), refused
    assert "letterbox" in second_actor and second.endswith("needs panel.view"), refused


def test_sign_in_rules_apply_wrong_password_disabled_and_locked(demo_db: Demo, capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.core.security import service as security
    from adoption_desktop.core.security.permissions import SYSTEM

    out = demo_db.tmp / "c.pdf"
    args = [*demo_db.args["export counselling-letter"](out), "--user", "counsellor"]
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, "not the password")
    code, err = _run("export counselling-letter", args, capsys)
    assert code == 2 and len(err) == 1 and "--user counsellor" in err[0] and "not right" in err[0]
    for _ in range(6):
        _run("export counselling-letter", args, capsys)
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, demo.DEMO_PASSWORD)
    code, err = _run("export counselling-letter", args, capsys)
    assert code == 2 and len(err) == 1 and "locked" in err[0]  # the window's lock-out applies
    db = open_db(demo_db.path)
    try:
        users = {u.username: u.id for u in security.list_users(db, SYSTEM)}
        security.unlock_account(db, SYSTEM, users["counsellor"])
        security.set_disabled(db, SYSTEM, users["counsellor"], True)
    finally:
        db.dispose()
    code, err = _run("export counselling-letter", args, capsys)
    assert code == 2 and len(err) == 1 and not out.exists()


def test_it_commands_need_no_user(demo_db: Demo, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli.ENV_USER_PASSWORD)
    tmp, db = demo_db.tmp, str(demo_db.path)
    assert _run("verify", ["--db", db], capsys)[0] == 0
    assert _run("backup", ["--db", db, "--out", str(tmp / "b.adkbak")], capsys)[0] == 0
    assert _run("restore", ["--from", str(tmp / "b.adkbak"), "--db", str(tmp / "restored.db")], capsys)[0] == 0
    assert _run("paths", [], capsys)[0] == 0
    assert _run("upgrade", ["--db", db], capsys)[0] == 0
    assert _run("init", ["--db", str(tmp / "new.db")], capsys)[0] == 0
    assert _run("move-database", ["--db", str(tmp / "restored.db"), "--to", str(tmp / "moved.db")], capsys)[0] == 0
    # demo only ever creates a new file: it refuses an existing database rather than touching it
    code, err = _run("demo", ["--db", db], capsys)
    assert code == 2 and len(err) == 1


def test_no_password_and_no_terminal_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A script (no terminal to ask at) that forgets the password gets one line naming the variable. The
    database is made in this process, as the script's program would make it (its passphrase, no keyring,
    this test's data folder); only the script's command runs as a program of its own."""
    import keyring
    from keyring.backends import fail

    monkeypatch.delenv(cli.ENV_USER_PASSWORD, raising=False)
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSPHRASE", "a passphrase for this test only")
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    path = tmp_path / "x.db"
    keyring.set_keyring(fail.Keyring())  # conftest's _isolation puts the test's own back
    made = cli.main(["init", "--db", str(path)])
    assert made == 0, capsys.readouterr().err
    run = [sys.executable, "-m", "adoption_desktop"]
    res = subprocess.run([*run, "export", "panel-calendar", "--db", str(path), "--user", "admin", "--out",
                          str(tmp_path / "c.ics")], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=300, check=False, stdin=subprocess.DEVNULL)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 2 and len(lines) == 1 and cli.ENV_USER_PASSWORD in lines[0], res.stderr


def test_a_refusal_names_the_missing_permissions_in_plain_grammar() -> None:
    from adoption_desktop.core.errors import PermissionDenied
    from adoption_desktop.core.security.permissions import Permission, Principal, Role, require

    manager = Principal(7, "manager", "Pat Example", frozenset({Role.MANAGER}))
    with pytest.raises(PermissionDenied) as refused:
        require(manager, Permission.PANEL_VIEW, Permission.ADM_VIEW, Permission.REPORTS_VIEW)
    assert "needs the permissions panel.view and adm.view. Ask" in str(refused.value)
    with pytest.raises(PermissionDenied) as one:
        require(manager, Permission.PANEL_VIEW)
    assert "needs the permission panel.view. Ask" in str(one.value)
