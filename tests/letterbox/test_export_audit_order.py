"""An export gets its file name only after its audit entry is committed: when the audit log refuses
writes (held, as after a mismatch with its anchor) or the commit is interrupted, nothing is left at the
output path, not even a temporary file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import AuditHoldError, Database
from adoption_desktop.letterbox import documents, sent_list
from adoption_desktop.letterbox.documents import write_batch


def _audited(db: Database) -> list[str]:
    with db.session(write=False) as s:
        return [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


@pytest.mark.parametrize("name", ["rem.pdf", "rem.docx"])
def test_reminders_with_a_held_audit_log_leave_no_file(db: Database, coordinator: Principal, arrangement: int,
                                                       tmp_path: Path, name: str) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = _audited(db)
    db.audit_hold = "test: the log does not match its anchor"
    with pytest.raises(AuditHoldError, match="Nothing can be saved"):
        write_batch(db, coordinator, "reminder", out_dir / name, month="2026-03", today=dt.date(2026, 2, 14))
    assert list(out_dir.iterdir()) == []
    db.audit_hold = None
    assert _audited(db) == before
    result = write_batch(db, coordinator, "reminder", out_dir / name, month="2026-03", today=dt.date(2026, 2, 14))
    assert result.letters == 1 and [p.name for p in out_dir.iterdir()] == [name]


def test_reminders_interrupted_at_the_sent_list_leave_no_file(db: Database, coordinator: Principal,
                                                              arrangement: int, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C after the PDF is drawn but before the sent-list and its audit entry are committed."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def interrupted(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(documents, "record_letters_sent", interrupted)
    before = _audited(db)
    with pytest.raises(KeyboardInterrupt):
        write_batch(db, coordinator, "reminder", out_dir / "rem.pdf", month="2026-03", today=dt.date(2026, 2, 14))
    assert list(out_dir.iterdir()) == [] and _audited(db) == before
    monkeypatch.setattr(documents, "record_letters_sent", sent_list.record_letters_sent)


def test_register_export_with_a_held_audit_log_leaves_no_file(db: Database, coordinator: Principal,
                                                              arrangement: int, tmp_path: Path) -> None:
    out = tmp_path / "register.xlsx"
    db.audit_hold = "test"
    with pytest.raises(AuditHoldError):
        documents.export_xlsx(db, coordinator, "arrangements", out, ["Reference"],
                              lambda offset, limit: [["LB-0001"]][offset:offset + limit], 1)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if "partial" in p.name]


def test_panel_calendar_command_with_a_held_audit_log_leaves_no_file(db: Database, db_path: Path,
                                                                     coordinator: Principal, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The headless command, on a database whose audit anchor no longer matches the log (so it is held)."""
    from adoption_desktop import cli
    from adoption_desktop.core.security.permissions import Role
    from tests.conftest import TEST_PASSWORD, make_user

    make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    with db.session(coordinator) as s:
        audit.record(s, "note", "users", coordinator.user_id, detail="x")
    db.dispose()
    anchor_file = audit.anchor_file_for(db_path)
    head = json.loads(anchor_file.read_text(encoding="utf-8"))
    anchor_file.write_text(json.dumps({**head, "seq": int(head["seq"]) + 5}), encoding="utf-8")
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code = cli.main(["export", "panel-calendar", "--db", str(db_path), "--user", "clerk",
                     "--out", str(out_dir / "cal.ics")])
    err = capsys.readouterr().err
    assert code == 2 and "Nothing can be saved" in err
    assert list(out_dir.iterdir()) == []


def test_out_onto_a_directory_is_refused_by_the_command(db: Database, db_path: Path, coordinator: Principal,
                                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop import cli
    from tests.conftest import TEST_PASSWORD

    db.dispose()
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    adir = tmp_path / "adir"
    adir.mkdir()
    code = cli.main(["export", "reminders", "--db", str(db_path), "--user", coordinator.username,
                     "--month", "2026-03", "--out", str(adir)])
    assert code == 2
    assert f"--out: {adir} is not a regular file; give a file name" in capsys.readouterr().err
    assert adir.is_dir() and list(adir.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
