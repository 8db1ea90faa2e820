"""Headless commands take the references people see (issue 14 item 7): ``--decision AD-2026-0142``,
``--sitting 2026-12-08`` or a case reference heard at it, ``--case BRC-…``; numbers still work. Batch
letters are signed by a named user (``--signed-by``, checked against the users table)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from adoption_desktop import cli, demo
from adoption_desktop.cli_support import open_db


@pytest.fixture
def demo_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
              small_demo_copy: Callable[..., Path]) -> Path:
    path = small_demo_copy(tmp_path / "demo.db")  # as `adoption-desktop demo --db` made it (conftest)
    capsys.readouterr()
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, demo.DEMO_PASSWORD)
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, list[str]]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, [ln for ln in captured.err.splitlines() if ln.strip()]


def _text(path: Path) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_decision_by_case_reference(demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop.adm.models import AdmDecision, AdmLetter

    db = open_db(demo_path)
    try:
        with db.session(write=False) as s:
            did, reference = s.execute(select(AdmDecision.id, AdmDecision.subject_reference)
                                       .join(AdmLetter, AdmLetter.decision_id == AdmDecision.id)
                                       .where(AdmDecision.signed_at.is_not(None)).order_by(AdmDecision.id)).first()
            same = s.scalar(select(AdmDecision.id).where(AdmDecision.subject_reference == reference)
                            .where(AdmDecision.id != did))
    finally:
        db.dispose()
    assert same is None, "pick a reference with one decision"
    base = ["export", "decision-letter", "--db", str(demo_path), "--user", "adm"]
    by_ref, by_id = tmp_path / "ref.pdf", tmp_path / "id.pdf"
    code, out, err = _run([*base, "--decision", f" {reference.lower()} ", "--out", str(by_ref)], capsys)
    assert code == 0, err
    assert reference in out
    assert _run([*base, "--decision", str(did), "--out", str(by_id)], capsys)[0] == 0
    assert by_ref.read_bytes() == by_id.read_bytes()
    code, _out, err = _run([*base, "--decision", "AD-1999-9999", "--out", str(tmp_path / "no.pdf")], capsys)
    assert code == 2 and len(err) == 1 and "AD-1999-9999" in err[0] and not (tmp_path / "no.pdf").exists()


def test_sitting_by_date_by_case_reference_and_by_number(demo_path: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop.panel.models import PanelItem, PanelSitting

    db = open_db(demo_path)
    try:
        with db.session(write=False) as s:
            sitting = s.get(PanelSitting, 1)
            assert sitting is not None
            day = sitting.sitting_date
            reference = s.scalar(select(PanelItem.subject_reference).where(PanelItem.sitting_id == 1)
                                 .order_by(PanelItem.id))
            others = s.scalar(select(PanelItem.sitting_id).where(PanelItem.subject_reference == reference)
                              .where(PanelItem.sitting_id != 1))
    finally:
        db.dispose()
    base = ["export", "minutes", "--db", str(demo_path), "--user", "paneladmin"]
    assert reference and others is None, "the demo's first sitting hears a case heard nowhere else"
    for n, given in enumerate([f"{day:%Y-%m-%d}", f"{day.year}-{day.month}-{day.day}", "1", reference]):
        out = tmp_path / f"m{n}.docx"
        code, text, err = _run([*base, "--sitting", given, "--out", str(out)], capsys)
        assert code == 0, (given, err)
        assert f"{day:%d/%m/%Y}" in text
    code, _text_out, err = _run([*base, "--sitting", "1990-01-01", "--out", str(tmp_path / "no.docx")], capsys)
    assert code == 2 and len(err) == 1 and "01/01/1990" in err[0]
    # an impossible date is said to be one, not looked up as a case reference (user trial)
    code, _text_out, err = _run([*base, "--sitting", "2026-02-29", "--out", str(tmp_path / "no.docx")], capsys)
    assert code == 2 and len(err) == 1 and "'2026-02-29' is not a date" in err[0] and "heard case" not in err[0]


def test_reminders_are_signed_by_a_named_user(demo_path: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    base = ["export", "reminders", "--db", str(demo_path), "--user", "letterbox"]
    month = next(m for m in (f"2026-{n:02d}" for n in range(1, 13))
                 if _run([*base, "--month", m, "--out", str(tmp_path / "probe.pdf")], capsys)[0] == 0
                 and (tmp_path / "probe.pdf").exists())
    assert "Lee Elderholt" in _text(tmp_path / "probe.pdf")  # by default: the signed-in user, never "Command line"
    assert "Command line" not in _text(tmp_path / "probe.pdf")
    base = ["export", "reminders", "--db", str(demo_path), "--user", "admin"]
    # the administrator holds no letterbox.edit: cannot sign, so names a coordinator who does (two-user trial:
    # the administrator's letters were signed "Avery Ashcombe / Letterbox coordinator")
    code, _out, err = _run([*base, "--month", month, "--out", str(tmp_path / "admin.pdf")], capsys)
    assert code == 2 and len(err) == 1 and "--signed-by USER" in err[0] and not (tmp_path / "admin.pdf").exists()
    signed = tmp_path / "signed.pdf"
    code, out, err = _run([*base, "--month", month, "--out", str(signed), "--signed-by", "LETTERBOX"], capsys)
    assert code == 0, err
    assert "Lee Elderholt" in _text(signed) and "Avery Ashcombe" not in _text(signed)
    assert "Not recorded as sent: Avery Ashcombe cannot record letters (no letterbox.edit)." in out
    for who, why in (("nobody", "no enabled user"), ("counsellor", "letterbox.edit")):
        out = tmp_path / f"{who}.pdf"
        code, _out, err = _run([*base, "--month", month, "--out", str(out), "--signed-by", who], capsys)
        assert code == 2 and len(err) == 1 and why in err[0] and not out.exists()


def test_counselling_case_by_reference_as_typed(demo_path: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop.counselling.models import CounsellingCase

    db = open_db(demo_path)
    try:
        with db.session(write=False) as s:
            case_id = s.scalar(select(CounsellingCase.id).where(CounsellingCase.closed_on.is_(None))
                               .order_by(CounsellingCase.id).limit(1))  # a closed case has no letters
            reference = s.scalar(select(CounsellingCase.reference).where(CounsellingCase.id == case_id))
    finally:
        db.dispose()
    assert reference
    base = ["export", "counselling-letter", "--db", str(demo_path), "--user", "counsellor", "--kind",
            "acknowledgement"]
    for n, given in enumerate([reference, f" {reference.lower()}", str(case_id)]):
        code, _out, err = _run([*base, "--case", given, "--out", str(tmp_path / f"c{n}.pdf")], capsys)
        assert code == 0, (given, err)
    code, _out, err = _run([*base, "--case", "BRC-1999-0001", "--out", str(tmp_path / "no.pdf")], capsys)
    assert code == 2 and len(err) == 1 and "BRC-1999-0001" in err[0]


FAR_OUT = [
    (["export", "reminders", "--user", "letterbox", "--month", "0000-01"], "--month"),
    (["export", "reminders", "--user", "letterbox", "--month", "9999-12"], "--month"),
    (["export", "report", "--user", "manager", "--kind", "annual", "--period", "0001-01-01..9999-12-31"],
     "--period"),
    (["export", "ofsted-pack", "--user", "manager", "--as-of", "9999-12-31"], "--as-of"),
    (["export", "decision-letter", "--user", "adm", "--decision", "99999999999999999999999"], "99999999999"),
    (["export", "counselling-letter", "--user", "counsellor", "--case", "99999999999999999999999",
      "--kind", "acknowledgement"], "case"),
    (["export", "counselling-letter", "--user", "counsellor", "--case", "1", "--kind", "acknowledgement",
      "--date", "9999-12-31"], "--date"),
    (["export", "minutes", "--user", "paneladmin", "--sitting", "99999999999999999999999"], "99999999999"),
    (["export", "minutes", "--user", "paneladmin", "--sitting", " "], "give its date"),
]


def test_values_far_out_of_range_are_one_line_naming_the_option(
        demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A QA run found these stopping with "an unexpected error (ValueError/OverflowError)": year 0 or 9999
    overflows date arithmetic, and a 23-digit number overflows the database's integers."""
    for command, needle in FAR_OUT:
        out = tmp_path / ("out.docx" if "report" in command or "minutes" in command else "out.pdf")
        code, _out, err = _run([*command[:2], "--db", str(demo_path), *command[2:], "--out", str(out)], capsys)
        assert code == 2 and len(err) == 1, (command, err)
        assert needle in err[0] and "unexpected" not in err[0], (command, err[0])
        assert not out.exists()
    # record numbers parsed by the options themselves: a usage error naming the option
    for option in (["--request", "99999999999999999999999"], ["--session", "0"]):
        with pytest.raises(SystemExit) as exited:  # argparse's own usage error
            cli.main(["export", "counselling-letter", "--db", str(demo_path), "--user", "counsellor", "--case", "1",
                      "--kind", "appointment", *option, "--out", str(tmp_path / "r.pdf")])
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert exited.value.code == 2 and option[0] in err[-1] and "not a record number" in err[-1], err

