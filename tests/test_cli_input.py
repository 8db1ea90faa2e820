"""Bad input on the command line (a QA run over every command): each refusal is one line that names what
the user typed — the option (``--note``), never the window's field label (``Note:``) — and is made before
anything is done where it can be."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from adoption_desktop import cli
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[1]

#: the window's labels for what these commands' options carry
FIELD_LABELS = ("Sitting:", "Decision:", "Signed by:", "Month:", "File:", "Import:", "Note:", "User name:",
                "Full name:", "Password:", "Passphrase:", "Case:")


def _refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one line a refused command prints (exit 2)."""
    code = cli.main(argv)
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code == 2 and len(err) == 1, (argv, code, err)
    return err[0]


def test_messages_name_the_option_before_anything_is_opened(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    missing = str(tmp_path / "missing.db")  # never opened: each is refused before
    cases = [
        (["import", "template", "--db", missing, "--user", "admin", "--name", "letterbox_reminder",
          "--restore-shipped", "--note", "why\x1b[2J"], "--note: contains an invisible control character"),
        (["import", "template", "--db", missing, "--user", "admin", "--name", "letterbox_reminder",
          "--restore-shipped", "--note", "x" * 201], "--note: at most 200 characters"),
        (["export", "reminders", "--db", missing, "--user", "lb", "--month", "2026-13", "--out",
          str(tmp_path / "r.pdf")], "--month: '2026-13' is not a month"),
        (["init", "--db", str(tmp_path / "new.db"), "--admin-user", "ad\x07min"],
         "--admin-user: contains an invisible control character"),
        (["init", "--db", str(tmp_path / "new.db"), "--admin-user", "admin", "--admin-name", "=HYPERLINK()"],
         "--admin-name: cannot begin with '='"),
        (["export", "panel-calendar", "--db", missing, "--user", "u", "--from", "2027-01-01", "--to", "2026-01-01",
          "--out", str(tmp_path / "c.ics")], "--to: 2026-01-01 is before --from 2027-01-01; nothing was written."),
    ]
    monkeypatch.setenv("ADOPTION_DESKTOP_ADMIN_PASSWORD", "short")
    cases.append((["init", "--db", str(tmp_path / "new.db"), "--admin-user", "admin"],
                  "ADOPTION_DESKTOP_ADMIN_PASSWORD: use at least"))
    for argv, expected in cases:
        line = _refusal(argv, capsys)
        assert line.startswith(f"adoption-desktop: {expected}"), (argv, line)
        assert not any(label in line for label in FIELD_LABELS), line
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "new.db").exists()


def test_messages_about_records_name_the_option(db: Database, db_path: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(db, "clerk", Role.PANEL_ADMINISTRATOR, Role.AGENCY_DECISION_MAKER, Role.LETTERBOX_COORDINATOR)
    make_user(db, "counsellor", Role.COUNSELLOR)
    db.dispose()
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    not_a_register = tmp_path / "register.txt"
    not_a_register.write_text("reference\n", encoding="utf-8")
    base = ["--db", str(db_path), "--user", "clerk"]
    cases = [
        (["export", "minutes", *base, "--sitting", "AD-2026-0142", "--out", str(tmp_path / "m.docx")],
         "--sitting: no panel sitting heard case AD-2026-0142"),
        (["export", "decision-letter", *base, "--decision", "AD-2026-0142", "--out", str(tmp_path / "d.pdf")],
         "--decision: no ADM decision about AD-2026-0142"),
        (["export", "reminders", *base, "--month", "2026-03", "--signed-by", "nobody", "--out",
          str(tmp_path / "r.pdf")], "--signed-by: there is no enabled user 'nobody'"),
        (["export", "reminders", *base, "--month", "2026-03", "--signed-by", "counsellor", "--out",
          str(tmp_path / "r.pdf")], "--signed-by: Counsellor Tester (counsellor) does not hold letterbox.edit"),
        (["import", "letterbox", *base, "--file", str(not_a_register)], "--file: register.txt is not a .xlsx"),
        (["export", "counselling-letter", "--db", str(db_path), "--user", "counsellor", "--case", "BRC-1999-0001",
          "--kind", "acknowledgement", "--out", str(tmp_path / "c.pdf")],
         "--case: no counselling case with reference 'BRC-1999-0001'"),
    ]
    for argv, expected in cases:
        line = _refusal(argv, capsys)
        assert line.startswith(f"adoption-desktop: {expected}"), (argv, line)
        assert not any(label in line for label in FIELD_LABELS), line
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".docx", ".pdf")]


# --- --out: a suffix the command writes, checked before anything is opened ---------------------------------

#: every command with --out: its other options, and the suffixes it writes (where the suffix chooses the
#: format, letters, both are accepted)
LETTERS = (".pdf", ".docx")
OUT_COMMANDS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "backup": ([], (".adkbak",)),
    "access-review": (["--user", "u"], (".csv",)),
    "export minutes": (["--user", "u", "--sitting", "1"], (".docx",)),
    "export panel-calendar": (["--user", "u"], (".ics",)),
    "export decision-letter": (["--user", "u", "--decision", "1"], LETTERS),
    "export adm-letters-day": (["--user", "u", "--date", "2026-03-05"], LETTERS),
    "export reminders": (["--user", "u", "--month", "2026-03"], LETTERS),
    "export counselling-letter": (["--user", "u", "--case", "1", "--kind", "acknowledgement"], LETTERS),
    "export report": (["--user", "u", "--kind", "annual"], (".docx",)),
    "export ofsted-pack": (["--user", "u"], (".pdf",)),
    "export template": (["--user", "u", "--name", "letterbox_reminder"], (".txt",)),
    "export template (minutes)": (["--user", "u", "--name", "minutes"], (".docx",)),
}


def test_every_command_with_out_declares_the_suffixes_it_writes() -> None:
    from tests.test_cli_permissions import _parser_commands

    with_out = {name: parser for name, parser in _parser_commands().items()
                if any("--out" in a.option_strings for a in parser._actions)}
    assert sorted(with_out) == sorted({c.removesuffix(" (minutes)") for c in OUT_COMMANDS})
    assert [name for name, parser in with_out.items() if parser.get_default("out_suffixes") is None] == []


@pytest.mark.parametrize("command", sorted(OUT_COMMANDS))
def test_out_with_a_suffix_the_command_does_not_write_is_refused_before_the_database_is_opened(
        command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    options, suffixes = OUT_COMMANDS[command]
    words = command.removesuffix(" (minutes)").split()
    missing = str(tmp_path / "missing.db")  # opened only if --out passed: then the refusal is about it
    wrong = [s for s in (".txt", ".pdf", ".pdf.txt", ".docx.pdf", "") if Path(f"x{s}").suffix not in suffixes]
    for suffix in wrong:
        out = tmp_path / f"out{suffix}"
        line = _refusal([*words, "--db", missing, *options, "--out", str(out)], capsys)
        assert line == f"adoption-desktop: --out: give a file name ending {' or '.join(suffixes)} (got {out.name}); " \
                       "nothing was written.", (command, line)
        assert not out.exists()
    for suffix in (*suffixes, suffixes[0].upper()):
        line = _refusal([*words, "--db", missing, *options, "--out", str(tmp_path / f"out{suffix}")], capsys)
        assert "No database at" in line and "--out" not in line, (command, suffix, line)


# --- self-test --keep: checked before the first step ----------------------------------------------------


def test_self_test_keep_that_cannot_take_the_files_is_refused_before_any_step(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop import selftest

    ran: list[str] = []
    monkeypatch.setattr(selftest, "STEPS", (("probe", lambda run: ran.append("probe") or "ran"),))
    a_file = tmp_path / "keep.txt"
    a_file.write_text("mine", encoding="utf-8")
    taken = tmp_path / "taken"
    (taken / selftest.MINUTES_FILE).mkdir(parents=True)  # where the minutes would be copied: a folder
    for keep, expected in ((a_file, f"{a_file} is a file, not a folder"),
                           (a_file / "sub", f"the folder {a_file / 'sub'} cannot be made"),
                           (taken, f"{taken / selftest.MINUTES_FILE} is not a regular file")):
        line = _refusal(["self-test", "--keep", str(keep)], capsys)
        assert line.startswith(f"adoption-desktop: --keep: {expected}") and "Nothing was run" in line, line
    assert ran == [] and a_file.read_text(encoding="utf-8") == "mine"
    # as the program: the one line only (the command's log is its own, so the refusal's log record must not
    # reach the console through Python's last-resort handler)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-m", "adoption_desktop", "self-test", "--keep", str(a_file)],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 2 and res.stderr.splitlines() == [
        f"adoption-desktop: --keep: {a_file} is a file, not a folder; give a folder (it is made if it does not "
        "exist). Nothing was run."] and "PASS" not in res.stdout, (res.stdout, res.stderr)
    # a folder that is not there yet is made, and gets the run's files
    assert cli.main(["self-test", "--keep", str(tmp_path / "new" / "keep")]) == 0
    assert ran == ["probe"] and (tmp_path / "new" / "keep").is_dir()


# --- audit-acknowledge --note: free text, no control characters ----------------------------------------


def test_audit_acknowledge_refuses_a_note_with_control_characters(db: Database, db_path: Path, admin: Principal,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The note goes into the audit log as the reason work may resume: a NUL, an escape sequence or another
    control character is refused (as in every free-text field), before anything is opened; tabs and line
    breaks are kept, as in the other notes."""
    import json

    from sqlalchemy import select

    from adoption_desktop.cli_support import open_db
    from adoption_desktop.core import audit
    from adoption_desktop.core.audit import AuditEntry, anchors

    with db.session() as s:
        audit.record(s, "note", "users", 1, detail="something to anchor")
    db.dispose()
    anchor_file = audit.anchor_file_for(db_path)
    head = json.loads(anchor_file.read_text(encoding="utf-8"))
    anchor_file.write_text(json.dumps({**head, "seq": int(head["seq"]) + 5}), encoding="utf-8")  # a held log
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    base = ["audit-acknowledge", "--db", str(db_path), "--user", "admin", "--note"]
    for bad, code in (("checked\x00", 0x00), ("\x1b[31mchecked", 0x1B), ("checked\x07", 0x07), ("a\x7fb", 0x7F),
                      ("a\x85b", 0x85), ("   ", None)):
        line = _refusal([*base, bad], capsys)
        expected = ("--note: say what was checked" if code is None
                    else f"--note: contains an invisible control character (code {code:#04x})")
        assert line.startswith(f"adoption-desktop: {expected}"), (bad, line)
    held = open_db(db_path)  # still held, and nobody signed in: refused before the database was opened
    try:
        assert held.audit_hold is not None
        with held.session(write=False) as s:
            assert s.scalar(select(AuditEntry).where(AuditEntry.action == "sign_in")) is None
    finally:
        held.dispose()
    assert cli.main([*base, "Restored from the IT copy;\tchecked with\r\nthe team lead."]) == 0
    capsys.readouterr()
    cleared = open_db(db_path)
    try:
        assert cleared.audit_hold is None
        with cleared.session(write=False) as s:
            ack = s.scalars(select(AuditEntry).where(AuditEntry.action == anchors.ACK_ACTION)).one()
    finally:
        cleared.dispose()
    assert ack.detail.startswith("Restored from the IT copy;\tchecked with\nthe team lead. | found: ")


def test_import_template_restore_shipped_keeps_the_note_given(db: Database, db_path: Path, admin: Principal,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``--restore-shipped --note TEXT`` was accepted and the note dropped without a word."""
    from adoption_desktop.template_admin import versions

    db.dispose()
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    assert cli.main(["import", "template", "--db", str(db_path), "--user", "admin", "--name", "letterbox_reminder",
                     "--restore-shipped", "--note", "Back to the shipped wording (ticket 4411)"]) == 0
    capsys.readouterr()
    from adoption_desktop.cli_support import open_db

    again = open_db(db_path)
    try:
        notes = [v.note for v in versions(again, admin, "letterbox_reminder")]
    finally:
        again.dispose()
    assert "Back to the shipped wording (ticket 4411)" in notes


@pytest.mark.parametrize("command", [["init"], ["demo"], ["restore", "--from", "x.adkbak"], ["recover"]])
def test_a_file_command_given_a_server_address_is_refused_without_repeating_it(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """User trial: ``demo --db postgresql+psycopg://adoption_app:PASSWORD@host/team`` made a database file in
    the folder path the address spells (the password a folder's name), said it was made "at" the server
    and exited 0; restore and recover refused with the password in their message."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    for url in ("postgresql+psycopg://adoption_app:S3cret-Pw@127.0.0.1:5999/team",
                "PostgreSQL+psycopg2://adoption_app:S3cret-Pw@db.example.invalid/team"):
        line = _refusal([command[0], "--db", url, *command[1:]], capsys)
        assert "--db names a PostgreSQL server" in line and "Nothing was done" in line
        assert "S3cret" not in line and "adoption_app" not in line
    assert list(here.iterdir()) == []  # no file, no folder made


def test_import_template_says_when_its_letters_run_long(db: Database, db_path: Path, admin: Principal,
                                                        tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """User trial: a template making every reminder four pages long was taken with only "version 3 is now in
    use". Still taken, with a note on stderr."""
    from adoption_desktop.template_admin import letter_text

    long_text = letter_text(db, admin, "letterbox_reminder") + "".join(
        f"\nA paragraph of our own, number {n}, that goes on and on to fill the page.\n" for n in range(150))
    db.dispose()
    (tmp_path / "long.txt").write_text(long_text, encoding="utf-8")
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    assert cli.main(["import", "template", "--db", str(db_path), "--user", "admin", "--name", "letterbox_reminder",
                     "--file", str(tmp_path / "long.txt")]) == 0
    out = capsys.readouterr()
    assert "is now in use" in out.out
    assert "adoption-desktop: note: Filled with the preview's sample details, a letter from letterbox_reminder " \
           "runs to" in out.err
