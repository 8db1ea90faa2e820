"""Bad input on the command line (a QA run over every command): each refusal is one line that names what
the user typed — the option (``--note``), never the window's field label (``Note:``) — and is made before
anything is done where it can be."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_desktop import cli
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD, make_user

#: the window's labels for what these commands' options carry
FIELD_LABELS = ("Sitting:", "Decision:", "Signed by:", "Month:", "File:", "Import:", "Note:", "User name:",
                "Full name:", "Password:", "Passphrase:")


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
    ]
    for argv, expected in cases:
        line = _refusal(argv, capsys)
        assert line.startswith(f"adoption-desktop: {expected}"), (argv, line)
        assert not any(label in line for label in FIELD_LABELS), line
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".docx", ".pdf")]
