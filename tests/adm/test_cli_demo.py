"""Headless export of a decision letter; the demo's ADM data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from adoption_desktop import cli
from adoption_desktop.adm import service
from adoption_desktop.adm.models import AdmDecision, AdmQualifyingDetermination
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD

D = dt.date


def test_export_decision_letter_command(db: Database, adm_user: Principal, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert db.path is not None
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    with db.session() as s:
        did = open_from_panel(s, handoff(ref="ADP-2025-0777"))
    out = tmp_path / "letter.pdf"
    # not signed yet: a one-line error, exit 2, nothing written
    assert cli.main(["export", "decision-letter", "--db", str(db.path), "--user", "decider", "--decision", str(did),
                     "--out", str(out)]) == 2
    assert "not signed" in capsys.readouterr().err and not out.exists()
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="Sound assessment.")
    service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 3))
    with db.session() as s:
        before = s.execute(select(AdmDecision.__table__).where(AdmDecision.id == did)).one()
    assert cli.main(["export", "decision-letter", "--db", str(db.path), "--user", "decider", "--decision", str(did),
                     "--out", str(out)]) == 0
    # said in words, not the template's code (a user trial read "Wrote adm_approval letter of 2025-12-03")
    assert capsys.readouterr().out.startswith(f"Wrote the approval letter dated 03/12/2025 for ADP-2025-0777 (decision {did}) to ")
    text = " ".join((p.extract_text() or "") for p in PdfReader(str(out)).pages)
    assert "ADP-2025-0777" in text and "Approved as suitable to adopt." in text
    with db.session() as s:
        after = s.execute(select(AdmDecision.__table__).where(AdmDecision.id == did)).one()
    assert before == after
    day = tmp_path / "day.pdf"
    assert cli.main(["export", "adm-letters-day", "--db", str(db.path), "--user", "decider", "--date", "2025-12-03",
                     "--out", str(day)]) == 0
    assert day.exists()
    assert cli.main(["export", "adm-letters-day", "--db", str(db.path), "--user", "decider", "--date", "3/12/2025",
                     "--out", str(day)]) == 2


def test_adm_demo_small(db: Database) -> None:
    from adoption_desktop import demo

    demo.populate(db, "small", today=D(2026, 11, 23))
    with db.session() as s:
        states = {str(k): int(v) for k, v in s.execute(
            select(AdmDecision.state, func.count()).group_by(AdmDecision.state))}
        assert states.get("signed", 0) > 50 and states.get("paused", 0) >= 1
        late = s.scalar(select(func.count()).select_from(AdmDecision).where(
            AdmDecision.decided_on > AdmDecision.due_on))
        assert late and late > 0
        qd = s.scalars(select(AdmQualifyingDetermination).where(
            AdmQualifyingDetermination.representations_on.is_not(None))).first()
        assert qd is not None and qd.final_decision_id is not None
        plans = s.scalar(select(func.count()).select_from(AdmDecision).where(
            AdmDecision.decision_type == "plan_for_adoption"))
        assert plans and plans >= 10
