"""``adoption-desktop access-review``: the list the Administration page shows, printed, and as CSV (audited)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from adoption_desktop import cli, demo
from adoption_desktop.cli_support import open_db
from adoption_desktop.core import audit
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD


def test_access_review_prints_every_account_and_writes_the_csv(
        tmp_path: Path, small_demo_copy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = small_demo_copy(tmp_path / "demo.db")
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, demo.DEMO_PASSWORD)
    out = tmp_path / "review.csv"
    capsys.readouterr()
    assert cli.main(["access-review", "--db", str(path), "--user", "admin", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for username, _name, _role in demo.DEMO_USERS:
        assert f"\n{username} (" in f"\n{printed}"
    assert "  roles: Letterbox coordinator" in printed and "Next review: due now (no review recorded yet)" in printed
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert {r[0] for r in rows[1:] if r} >= {u for u, _n, _r in demo.DEMO_USERS}
    db = open_db(path)
    try:
        with db.session(write=False) as s:
            exported = audit.query_entries(s, audit.AuditFilter(action="export", entity="access_reviews"))
    finally:
        db.dispose()
    assert [e.actor for e in exported] == ["admin"]


def test_the_list_printed_to_the_terminal_is_audited_as_a_view(
        tmp_path: Path, small_demo_copy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Printed without ``--out`` the list may still be redirected into a file: the reading is in the log (review:
    only the CSV was audited), as a view naming how many accounts, and no export is claimed."""
    path = small_demo_copy(tmp_path / "demo.db")
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, demo.DEMO_PASSWORD)
    capsys.readouterr()
    assert cli.main(["access-review", "--db", str(path), "--user", "admin"]) == 0
    printed = capsys.readouterr().out
    listed = next(line.split(" accounts;")[0] for line in printed.splitlines() if " accounts; " in line)
    db = open_db(path)
    try:
        with db.session(write=False) as s:
            viewed = audit.query_entries(s, audit.AuditFilter(action="view", entity="access_reviews"))
            exported = audit.query_entries(s, audit.AuditFilter(action="export", entity="access_reviews"))
    finally:
        db.dispose()
    assert [(e.actor, e.entity_id) for e in viewed] == [("admin", "*")]
    assert viewed[0].detail == f"access review: {listed} accounts printed"
    assert exported == []


def test_the_review_on_a_held_database_says_it_could_not_be_printed(
        db: Database, db_path: Path, admin: Principal, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The audit log no longer matches its anchor, so the database is held until an administrator acknowledges
    it; printing the review would write its view into that log, so it is refused. The review only reads: it
    said "Nothing can be saved", as a save does (review); it now says the review could not be printed, why,
    and what lifts the hold, with nothing printed and no view of it in the log."""
    with db.session(admin) as s:
        audit.record(s, "note", "users", admin.user_id, detail="x")
    db.dispose()
    anchor_file = audit.anchor_file_for(db_path)
    head = json.loads(anchor_file.read_text(encoding="utf-8"))
    anchor_file.write_text(json.dumps({**head, "seq": int(head["seq"]) + 5}), encoding="utf-8")
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    capsys.readouterr()
    code = cli.main(["access-review", "--db", str(db_path), "--user", admin.username])
    printed = capsys.readouterr()
    assert code == 2 and printed.out == ""
    assert "saved" not in printed.err
    assert "The access review could not be printed" in printed.err
    assert "is missing: the log was cut short" in printed.err  # why: what the check found
    assert "audit-acknowledge" in printed.err  # what lifts it
    # read as an administrator reads it: it said "looked into the problem the check made when this database was
    # opened found (…)", a sentence to read twice
    assert "has looked into what the check found when this database was opened (#" in printed.err
    assert "the check made" not in printed.err
    with db.engine.connect() as conn:  # the sign-in is recorded, as on a held database it is; the review not
        assert conn.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'access_reviews'")).scalar_one() == 0
