from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from adoption_desktop import cli
from adoption_desktop.core.documents.pdf import Letterhead
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.panel import documents
from adoption_desktop.panel import service as svc
from tests.conftest import TEST_PASSWORD

from .conftest import TODAY, Panel, attend

GOOD = svc.MinutesDraft(outcome="suitable", reasons="Thorough assessment.", discussion="Support network explored.",
                        vote="majority", votes_for=4, votes_against=1, advice_number=2,
                        advice_age_range="0-4 years", advice_sex="either", advice_needs="global delay")


def _sitting_with_minutes(p: Panel, approve: bool) -> list[int]:
    attend(p, "chair", "vice", "sw", "med", "pe", "adviser", "minutes")
    attend(p, "sw2", status="apologies")
    ids = []
    for n, case_type in enumerate(("approval", "match", "other")):
        ids.append(svc.add_item(p.db, p.clerk, p.sitting_id, svc.ItemInput(
            case_type, f"AD-2026-01{n}", "XY", "Jay Quillby", f"1{n}:00")))
    svc.declare_interest(p.db, p.clerk, ids[1], p.members["pe"], "Neighbour of the child's foster carer")
    svc.set_paper_received(p.db, p.clerk, ids[0], "par", dt.date(2026, 10, 20))
    views = {p.members["chair"]: "In favour.", p.members["sw"]: "Against: needs more support planning.",
             p.members["vice"]: "In favour.", p.members["med"]: "No view recorded: left before the vote.",
             p.members["pe"]: "In favour."}
    svc.save_minutes(p.db, p.clerk, ids[0], svc.MinutesDraft(**{**GOOD.__dict__, "member_views": views}))
    svc.defer_item(p.db, p.clerk, ids[1], "Adoption support plan not yet agreed.")
    svc.save_minutes(p.db, p.clerk, ids[2], svc.MinutesDraft(outcome="noted", discussion="Six-monthly report noted."))
    if approve:
        for i in ids:
            svc.submit_minutes(p.db, p.clerk, i, today=TODAY)
            svc.approve_minutes(p.db, p.chair, i, TEST_PASSWORD, today=TODAY)
    return ids


def _text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    for s in doc.sections:
        parts.extend(p.text for p in s.header.paragraphs)
    return "\n".join(parts)


def test_draft_minutes_have_every_section_and_a_watermark(panel: Panel, tmp_path: Path,
                                                         handoffs: list[PanelHandoff]) -> None:
    _sitting_with_minutes(panel, approve=False)
    out = documents.write_minutes_docx(svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY),
                                       tmp_path / "m.docx")
    text = _text(out)
    for needed in ("Example Regional Adoption Agency", "Adoption panel minutes: 10 November 2026", "DRAFT",
                   "Members present", "Rowan Ashcombe", "Independent chair", "6 years' PQE",
                   "Advisers in attendance", "Gus Mossley", "Panel adviser", "Apologies", "Eli Fenwick",
                   "Quorum", "Papers considered", "Prospective Adopter's Report (PAR)", "20 October 2026",
                   "Declarations of interest", "Neighbour of the child's foster carer", "withdrew",
                   "Discussion", "Support network explored.", "Members' views", "Against: needs more support",
                   "Recommendation", "Suitable to adopt", "Majority: 4 for, 1 against", "Reasons",
                   "Thorough assessment.", "Advice", "age range: 0-4 years", "Deferred",
                   "Adoption support plan not yet agreed.", "Item 3: Other business", "AD-2026-010 (XY)"):
        assert needed in text, needed
    header_xml = Document(str(out)).sections[0].header._element.xml
    assert "PowerPlusWaterMarkObject" in header_xml and 'string="DRAFT"' in header_xml


def test_approved_minutes_are_not_draft_and_extract_has_one_item(panel: Panel, tmp_path: Path,
                                                                 handoffs: list[PanelHandoff]) -> None:
    ids = _sitting_with_minutes(panel, approve=True)
    assert len(handoffs) == 1  # approval only: the deferral and other business do not go to the ADM
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY)
    assert not pack.draft
    full = _text(documents.write_minutes_docx(pack, tmp_path / "full.docx"))
    assert "DRAFT" not in full and "approved by Chairuser Tester" in full
    extract = _text(documents.write_minutes_docx(pack, tmp_path / "one.docx", item_id=ids[0]))
    assert "extract for the case file" in extract and "AD-2026-010" in extract and "AD-2026-011" not in extract


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_minutes(panel: Panel, tmp_path: Path, handoffs: list[PanelHandoff]) -> None:
    _sitting_with_minutes(panel, approve=False)
    out = documents.write_minutes_docx(svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id), tmp_path / "m.docx")
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=120)
    pdf = PdfReader(str(tmp_path / "m.pdf"))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Members present" in text and "Suitable to adopt" in text


def test_cli_exports_minutes(panel: Panel, tmp_path: Path, handoffs: list[PanelHandoff],
                             capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _sitting_with_minutes(panel, approve=True)
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    out = tmp_path / "cli.docx"
    assert panel.db.path is not None
    code = cli.main(["export", "minutes", "--db", str(panel.db.path), "--user", "clerk", "--sitting", str(panel.sitting_id),
                     "--out", str(out)])
    assert code == 0 and "approved" in capsys.readouterr().out
    assert "Suitable to adopt" in _text(out)
    assert cli.main(["export", "minutes", "--db", str(panel.db.path), "--user", "clerk", "--sitting", "999", "--out", str(out)]) == 2
    assert "No panel sitting with id 999" in capsys.readouterr().err
    ics = tmp_path / "cal.ics"
    assert cli.main(["export", "panel-calendar", "--db", str(panel.db.path), "--user", "clerk", "--out", str(ics)]) == 0
    body = ics.read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in body and "DTSTART;TZID=Europe/London:20261110T100000" in body
    assert "LOCATION:Room 2\\, Civic Centre\\, Ambleford ZZ99 1AB" in body


def test_ics_has_no_personal_data(panel: Panel, handoffs: list[PanelHandoff]) -> None:
    _sitting_with_minutes(panel, approve=False)
    # a sitting with minutes recorded is never cancelled: the next one is, before any item was heard
    later = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        dt.date(2026, 12, 8), "10:00", "13:00", "Room 2, Civic Centre, Ambleford ZZ99 1AB"))[0]
    svc.add_item(panel.db, panel.clerk, later, svc.ItemInput("approval", "AD-2026-0999", "XY", "Jay Quillby"))
    svc.cancel_sitting(panel.db, panel.clerk, later, "Chair ill")
    rows = svc.list_sittings(panel.db, panel.clerk)
    body = documents.sittings_ics(rows, "Agency")
    assert "STATUS:CANCELLED" in body
    for secret in ("AD-2026", "XY", "Jay Quillby", "Rowan", "Chair ill"):
        assert secret not in body


def test_invitation_letters_pdf(panel: Panel, tmp_path: Path, handoffs: list[PanelHandoff]) -> None:
    _sitting_with_minutes(panel, approve=False)
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id)
    # written ahead of the sitting of 10 November (a sitting held has nobody to invite: see test_invitations_to_come)
    n = documents.write_invitations(tmp_path / "inv.pdf", pack, Letterhead("Example RAA", "1 Example St\nZZ99 1AA"),
                                    "Pat Brackenley", today=dt.date(2026, 10, 27))
    assert n == 2  # approval and match; other business gets no letter
    text = "".join(p.extract_text() for p in PdfReader(str(tmp_path / "inv.pdf")).pages)
    assert "10 November 2026" in text and "Room 2, Civic Centre" in text and "Rowan Ashcombe" in text
    assert "Independent chair" in text and "AD-2026-010" in text


def test_an_interrupted_minutes_export_leaves_no_audit_entry_and_no_file(
        panel: Panel, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The export's audit entry was committed when the minutes were read, before the document was made: a
    Ctrl+C or failure while making it left an entry for a file that never arrived. It is now recorded as
    the file takes its name."""
    from sqlalchemy import select

    from adoption_desktop.cli_support import open_db
    from adoption_desktop.core.audit import AuditEntry

    with panel.db.session(write=False) as s:
        head = s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).one()
    panel.db.dispose()

    def exports() -> list[str]:
        db = open_db(db_path)
        try:
            with db.session(write=False) as s:
                return list(s.scalars(select(AuditEntry.detail).where(AuditEntry.seq > head)
                                      .where(AuditEntry.action == "export")))
        finally:
            db.dispose()

    def stop(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    out = tmp_path / "out" / "minutes.docx"
    out.parent.mkdir()
    argv = ["export", "minutes", "--db", str(db_path), "--user", "clerk", "--sitting", str(panel.sitting_id),
            "--out", str(out)]
    with monkeypatch.context() as m:
        m.setattr(documents, "_approval_block", stop)  # the document half made
        assert cli.main(argv) == 130
    assert capsys.readouterr().err.strip().endswith("interrupted")
    assert exports() == [] and list(out.parent.iterdir()) == []
    assert cli.main(argv) == 0
    assert exports() == ["minutes to minutes.docx"] and out.exists()


def test_a_video_link_is_labelled_as_one_in_the_minutes(panel: Panel, tmp_path: Path) -> None:
    """User trial: the minutes gave a video-call address as the "Venue"."""
    hybrid = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        TODAY, "10:00", "12:00", "Room 4, Hollinbrook House", "https://meet.example.invalid/panel-hybrid"))[0]
    online = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        TODAY + dt.timedelta(days=7), "10:00", "12:00", "", "https://meet.example.invalid/panel-online"))[0]
    rows = {}
    for sid in (hybrid, online):
        out = documents.write_minutes_docx(svc.minutes_pack(panel.db, panel.clerk, sid, today=TODAY),
                                           tmp_path / f"{sid}.docx")
        rows[sid] = {r.cells[0].text: r.cells[1].text for r in Document(str(out)).tables[0].rows}
    assert rows[hybrid]["Venue"] == "Room 4, Hollinbrook House"
    assert rows[hybrid]["Video link"] == "https://meet.example.invalid/panel-hybrid"
    assert "Venue" not in rows[online] and rows[online]["Video link"] == "https://meet.example.invalid/panel-online"


def test_members_views_follow_the_members_present_order(panel: Panel, tmp_path: Path,
                                                         handoffs: list[PanelHandoff]) -> None:
    """User trial: the views table ran by member number, while "Members present" runs by role then name;
    the agency checks one against the other, so both run in one order."""
    p = panel
    ids = _sitting_with_minutes(p, approve=False)
    late = svc.add_member(p.db, p.clerk, svc.MemberInput(  # joined last, listed with the social workers
        "Ada Applewood", "social_worker", dt.date(2026, 1, 1), 3, False, appraisal_due=dt.date(2027, 6, 1),
        dbs_checked_on=dt.date(2025, 1, 1), training_on=dt.date(2026, 6, 1)), today=TODAY).id
    svc.set_attendance(p.db, p.clerk, p.sitting_id, late, "present")
    views = {late: "In favour.", p.members["chair"]: "In favour.", p.members["sw"]: "Against.",
             p.members["vice"]: "In favour.", p.members["med"]: "In favour.", p.members["pe"]: "In favour."}
    svc.save_minutes(p.db, p.clerk, ids[0], svc.MinutesDraft(**{**GOOD.__dict__, "member_views": views}))
    out = documents.write_minutes_docx(svc.minutes_pack(p.db, p.clerk, p.sitting_id, today=TODAY),
                                       tmp_path / "m.docx")
    tables = Document(str(out)).tables
    present = next(t for t in tables if t.rows[0].cells[0].text == "Name")
    listed = [r.cells[0].text for r in present.rows[1:]]
    with_views = [r.cells[0].text for r in next(t for t in tables if t.rows[0].cells[0].text == "Member").rows[1:]]
    assert len(with_views) == 6 and set(with_views) <= set(listed), (listed, with_views)
    assert listed.index("Ada Applewood") < listed.index("Dr Quinn Hazelford")  # not last: the test can fail
    assert with_views == [name for name in listed if name in with_views], (listed, with_views)


def test_attendance_line_says_1_year_s_pqe() -> None:
    """The minutes' attendance listed a member with one year as "1 years' PQE"."""
    from adoption_desktop.panel.documents import people_rows
    from adoption_desktop.panel.service.data import AttendanceRow

    def row(years: int) -> AttendanceRow:
        return AttendanceRow(1, "Sam Testley", "member", "Panel member", False, False, years, "present")

    assert [r[1] for r in people_rows([row(1), row(0), row(6)])] == [
        "Panel member (1 year's PQE)", "Panel member (0 years' PQE)", "Panel member (6 years' PQE)"]


def test_ics_lines_are_folded_at_75_octets_never_inside_a_character(panel: Panel) -> None:
    """User trial: a 131-character LOCATION line was written whole. Every content line is folded (RFC 5545
    §3.1) so that no physical line is longer than 75 octets of UTF-8, each fold a CRLF and one space, never
    inside a multi-byte character (ŵ, ŷ are two octets); unfolded, each line is as it was."""
    place = ("Ystafell Gynhadledd Tŷ Gŵyn, Canolfan Ddinesig, Stryd y Bont, Llanfairpwllgwyngyllgogerychwyrndrobwll"
             "llantysiliogogogoch, Ynys Môn ŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷ ZZ99 1AB")
    for k in range(3):  # the two-octet letters fall on every side of a fold
        svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(dt.date(2027, 1, 12 + 7 * k), "10:00", "13:00",
                                                                      "x" * k + place))
    body = documents.sittings_ics(svc.list_sittings(panel.db, panel.clerk), "Asiantaeth Fabwysiadu Ŵŷ " * 4)
    raw = body.encode("utf-8")
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    for line in physical:
        assert len(line) <= 75, line
        line.decode("utf-8")  # a whole character on each line: never split inside one
    assert any(line.startswith(b" ") for line in physical)
    unfolded = body.replace("\r\n ", "").split("\r\n")
    escaped = place.replace(",", "\\,")
    for k in range(3):
        assert f"LOCATION:{'x' * k}{escaped}" in unfolded
    assert f"X-WR-CALNAME:{'Asiantaeth Fabwysiadu Ŵŷ ' * 4} adoption panel" in unfolded
    assert "BEGIN:VCALENDAR" in unfolded and unfolded[-2:] == ["END:VCALENDAR", ""]
