"""``verify``'s OK says what vouched for the log from outside the database: which anchors it checked the
log against (where, up to which entry, when), and when nothing does, or not up to the log's end (another
PC, no anchor, the anchor beside the file replaced, a server's log rewritten past what this PC saw)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from adoption_desktop.cli import main
from adoption_desktop.core import audit
from adoption_desktop.core.audit import anchors
from adoption_desktop.core.security import keys
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.settings_service import add_closure_day
from tests.core import test_tamper as tamper
from tests.core import test_team_mode as team_mode
from tests.core.test_anchor_messages import (
    _grow,
    _head,
    _rewrite,
    _team_head,
    _team_rewrite,
    next_closure_day,
)
from tests.core.test_tamper import PASS, Case

# the tamper suite's demo database (made once for this module) and its per-test copy, opened once
template = tamper.template
case = tamper.case
team = team_mode.team
Team = team_mode.Team

def _verify_cli(target: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--db", target])
    out = capsys.readouterr()
    return code, out.out + out.err


def _other_pc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> None:
    """Everything this user keeps (anchors, witnesses, backups) as on another PC."""
    monkeypatch.setenv("ADOPTION_DESKTOP_DATA_DIR", str(tmp_path / name))


# --------------------------------------------------------------------------- defect 2: what vouched for the log


def test_verify_says_which_anchors_vouch_for_the_log(case: Case, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(keys.ENV_PASSPHRASE, PASS)
    head = _head(case)
    code, out = _verify_cli(str(case.path), capsys)
    assert code == 0, out
    assert out.startswith("OK: database intact; audit chain of"), out
    assert f"entry #{head} (written " in out, out
    assert f"beside the database: {audit.anchor_file_for(case.path)}" in out, out
    assert "in this user's data folder: " in out, out
    assert f"The whole log, to entry #{head}, is vouched for by a record outside the database." in out, out
    assert "vouched for only by" not in out and "No record" not in out, out


def test_verify_on_a_pc_with_no_anchor_says_nothing_vouches(case: Case, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(keys.ENV_PASSPHRASE, PASS)
    audit.anchor_file_for(case.path).unlink()
    _other_pc(monkeypatch, tmp_path, "pc-b")
    code, out = _verify_cli(str(case.path), capsys)
    assert code == 0, out
    assert ("No record of this log outside the database was found on this PC: the chain is consistent but an edit "
            "with the key that rewrote the whole log would not be seen.") in out, out
    # the open recorded the log as it found it: the next verify says when
    code, out = _verify_cli(str(case.path), capsys)
    assert code == 0 and "in this user's data folder" in out and "No record" not in out, out


def test_a_rewrite_past_this_pcs_record_with_the_anchor_beside_the_file_replaced(
        case: Case, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """PC B last saw entry #N. On PC A the work went on; then someone with the key rewrote the entries
    after #N and replaced the anchor beside the file to match. PC B's verify is OK (nothing it recorded was
    touched) but says how far its own record reaches."""
    monkeypatch.setenv(keys.ENV_PASSPHRASE, PASS)
    _other_pc(monkeypatch, tmp_path, "pc-b")
    case.use()  # PC B's record: entry #N
    seen = _head(case)
    _other_pc(monkeypatch, tmp_path, "pc-a")
    _grow(case)
    _grow(case)
    end = _head(case)
    assert end > seen + 1
    _rewrite(case, seen + 1)
    forged = str(case.value(f"SELECT hash FROM audit_log WHERE seq = {end}"))  # the anchor beside, made to match
    anchors._write(audit.anchor_file_for(case.path), {"seq": end, "hash": forged}, anchors.file_identity(case.path))
    _other_pc(monkeypatch, tmp_path, "pc-b")
    code, out = _verify_cli(str(case.path), capsys)
    assert code == 0, out
    assert f"entry #{seen} (written " in out and "in this user's data folder" in out, out
    assert f"entry #{end} (written " in out and "beside the database" in out, out
    assert f"Entries after #{seen} (" in out, out
    assert f"up to #{end} are vouched for only by the anchor beside the file" in out, out


def test_coverage_from_the_anchors_the_open_checked(case: Case, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """The report is about the anchors as the open found them, not as it left them (it moves them on)."""
    _other_pc(monkeypatch, tmp_path, "pc-b")
    case.use()
    seen = _head(case)
    _other_pc(monkeypatch, tmp_path, "pc-a")
    _grow(case)
    end = _head(case)
    audit.anchor_file_for(case.path).unlink()
    _other_pc(monkeypatch, tmp_path, "pc-b")
    db = case.open()
    try:
        cover = anchors.coverage_of(db)
        now = anchors.stored(db)[0]
    finally:
        db.dispose()
    assert [v.seq for v in cover.vouchers] == [seen]
    assert cover.head_seq == end and cover.vouched_to == seen and cover.independent_to == seen
    assert {a.seq for a in now} == {end}  # the open moved this PC's record on
    assert any(line.startswith(f"Entries after #{seen} (") and "only by the database itself" in line
               for line in cover.lines())


# --------------------------------------------------------------------------- team mode (a PostgreSQL server)


def _team_work(team: Team, days: int) -> None:
    db = team.open()
    try:
        admin = users.authenticate(db, "itadmin", "a-long-enough-password")
        boss = Principal(admin.user_id, admin.username, admin.full_name, frozenset({Role.ADMINISTRATOR}))
        for _ in range(days):
            add_closure_day(db, boss, next_closure_day(dt.date(2033, 2, 1)), "Inset day")
    finally:
        db.dispose()


def test_verify_on_another_pc_says_how_far_its_witness_reaches(
        team: Team, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The red-team case: the superuser rewrote the log after the last entry PC B saw. PC B's verify is OK
    (its witness still agrees) and now says that the entries after it are vouched for only by the server."""
    _other_pc(monkeypatch, tmp_path, "pc-b")
    team.open().dispose()  # PC B's witness
    seen = _team_head(team)
    _other_pc(monkeypatch, tmp_path, "pc-a")  # the signer's PC goes on working
    _team_work(team, 2)
    end = _team_head(team)
    _team_rewrite(team, seen + 1)
    _other_pc(monkeypatch, tmp_path, "pc-b")
    code, out = _verify_cli(team.app_url, capsys)
    assert code == 0, out
    assert out.startswith("OK: database intact;"), out
    assert f"entry #{seen} (written " in out and "in this PC's witness for the server" in out, out
    assert f"Entries after #{seen} (" in out and f"the log ends at #{end}" in out, out
    assert "vouched for only by the database itself" in out, out
    # the signer's PC, whose witness reaches the end, catches the rewrite
    _other_pc(monkeypatch, tmp_path, "pc-a")
    code, out = _verify_cli(team.app_url, capsys)
    assert code == 1 and "the log was rewritten" in out, out
    # a PC that never opened this database: nothing vouches
    _other_pc(monkeypatch, tmp_path, "pc-c")
    code, out = _verify_cli(team.app_url, capsys)
    assert code == 0 and "No record of this log outside the database was found on this PC" in out, out
