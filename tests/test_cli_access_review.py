"""``adoption-desktop access-review``: the list the Administration page shows, printed, and as CSV (audited)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from adoption_desktop import cli, demo
from adoption_desktop.cli_support import open_db
from adoption_desktop.core import audit


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
