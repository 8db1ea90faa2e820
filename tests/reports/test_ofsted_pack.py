"""The Ofsted pack: every part opened with pypdf (pages, outline, text of each section), its permission
and its audit entry."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from adoption_desktop import demo
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as panel_service
from adoption_desktop.reports.ofsted import SECTION_TITLES, approved_sittings, write_ofsted_pack
from tests.conftest import make_user

D = dt.date
TODAY = D(2026, 11, 23)


def _outline(reader: PdfReader) -> list[tuple[str, int, int]]:
    """(title, page number 1-based, depth) of every outline entry, in order."""
    out: list[tuple[str, int, int]] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((str(item.title), reader.get_destination_page_number(item) + 1, depth))  # type: ignore[attr-defined, arg-type]

    walk(reader.outline, 0)  # type: ignore[arg-type]
    return out


def test_the_pack_has_every_part_bookmarked_and_readable(open_demo: Callable[..., Database], tmp_path: Path) -> None:
    db = open_demo(TODAY)
    officer = make_user(db, "pa", Role.PANEL_ADMINISTRATOR)
    out = tmp_path / "pack.pdf"
    result = write_ofsted_pack(db, officer, out, as_of=TODAY)
    reader = PdfReader(str(out))
    assert len(reader.pages) == sum(s.pages for s in result.sections)
    outline = _outline(reader)
    top = [(t, p) for t, p, depth in outline if depth == 0]
    assert [t for t, _p in top] == list(SECTION_TITLES)
    assert [p for _t, p in top] == [s.first_page for s in result.sections]
    minutes = [(t, p) for t, p, depth in outline if depth == 1]
    assert len(result.sittings) == 3 and len(minutes) == 3
    assert result.sittings == tuple(sorted(result.sittings, reverse=True)) and max(result.sittings) <= TODAY

    def text(first: int, pages: int) -> str:
        return "\n".join(reader.pages[i].extract_text() for i in range(first - 1, first - 1 + pages))

    sections = {s.title: s for s in result.sections}
    index = text(1, 1)
    for title, first in top[1:]:
        assert title in index and str(first) in index
    # each set of minutes starts on its bookmarked page, with the sitting's date and approval lines
    for (title, page), sitting_date in zip(minutes, result.sittings, strict=True):
        first_page = reader.pages[page - 1].extract_text()
        assert "Adoption panel minutes" in first_page and f"{sitting_date.day} " in title
        assert f"{sitting_date:%B %Y}" in first_page
    minutes_text = text(sections["Approved panel minutes"].first_page, sections["Approved panel minutes"].pages)
    assert "approved by" in minutes_text and "DRAFT" not in minutes_text
    # a recommendation reads as sentences: "Match recommended. Vote: Unanimous.", never "recommended Vote:"
    flat_minutes = " ".join(minutes_text.split())
    assert ". Vote: " in flat_minutes and not re.search(r"[a-z] Vote: ", flat_minutes)
    # the central list names every current member with their role
    central = text(sections["Central list of panel members"].first_page, sections["Central list of panel members"].pages)
    members = [m for m in panel_service.list_members(db, officer, today=TODAY) if m.active_on(TODAY)]
    assert members
    flat = " ".join(central.split())
    for m in members:
        assert m.full_name in flat, m.full_name
    assert "Appraisal due" in flat
    # which members are overdue, not only how many (a trial's inspector could not tell)
    # (the date the central list's warning counts from: never more than a year after the last appraisal held)
    overdue = [m for m in members if m.next_appraisal and m.next_appraisal < TODAY]
    assert len(re.findall(r"\d\d/\d\d/\d{4} OVERDUE", flat)) == len(overdue) > 0
    for m in overdue:
        assert f"{m.next_appraisal:%d/%m/%Y} OVERDUE" in flat
    assert f"Appraisals overdue: {len(overdue)}" in flat
    adm = text(sections["ADM timeliness"].first_page, sections["ADM timeliness"].pages)
    assert "By decision type" in adm and "By quarter" in adm and "All decisions" in adm
    figures = text(sections["Figures for the year"].first_page, sections["Figures for the year"].pages)
    assert "Adoption panel: activity" in figures and "Birth-records counselling" in figures
    assert f"page {len(reader.pages)} of {len(reader.pages)}" in reader.pages[-1].extract_text()
    with db.session(write=False) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "ofsted_pack")).one()
    assert entry.action == "export" and "pack.pdf" in entry.detail and "pa" in entry.actor


def test_only_fully_approved_sittings_are_included(open_demo: Callable[..., Database]) -> None:
    db = open_demo(TODAY)
    officer = make_user(db, "pa", Role.PANEL_ADMINISTRATOR)
    for sitting_id in approved_sittings(db, officer, TODAY):
        pack = panel_service.minutes_pack(db, officer, sitting_id, today=TODAY)
        assert not pack.draft and pack.items
    # a sitting with an unapproved item is skipped: the latest sittings before "today" are still drafts
    sittings = [s for s in panel_service.list_sittings(db, officer) if s.sitting_date <= TODAY
                and s.status != "cancelled"]
    drafts = [s.id for s in sittings if panel_service.minutes_pack(db, officer, s.id, today=TODAY).draft]
    assert drafts and not set(drafts) & set(approved_sittings(db, officer, TODAY, count=50))


def test_the_pack_needs_panel_adm_and_reports_access(db: Database, tmp_path: Path) -> None:
    chair = make_user(db, "chair", Role.PANEL_CHAIR)
    out = tmp_path / "pack.pdf"
    with pytest.raises(PermissionDenied, match=r"the permissions adm\.view and reports\.view"):
        write_ofsted_pack(db, chair, out, as_of=TODAY)
    assert not out.exists()


def test_an_empty_database_still_gives_a_pack_that_says_so(db: Database, tmp_path: Path) -> None:
    adm = make_user(db, "adm", Role.AGENCY_DECISION_MAKER)
    result = write_ofsted_pack(db, adm, tmp_path / "pack.pdf", as_of=TODAY)
    reader = PdfReader(str(result.path))
    assert result.sittings == ()
    assert "No sitting on or before this date has all its minutes approved" in reader.pages[0].extract_text()
    assert [t for t, _p, d in _outline(reader) if d == 0] == list(SECTION_TITLES)


def _entries_after(db: Database, seq: int) -> list[tuple[str, str, str]]:
    with db.session(write=False) as s:
        return [(e.action, e.detail, e.entity) for e in s.scalars(select(AuditEntry).where(AuditEntry.seq > seq)
                                                                   .order_by(AuditEntry.seq))]


def test_the_packs_audit_entries_and_its_file_are_delivered_together_or_not_at_all(
        db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The pack exports several sets of minutes. They were each recorded (committed) as they were read, so
    an interruption midway left audit entries for minutes exports whose file never got a name. Now the
    minutes' entries and the pack's are one transaction, committed just before the file takes its name."""
    from adoption_desktop import cli
    from adoption_desktop.reports import ofsted
    from tests.conftest import TEST_PASSWORD

    demo.populate(db, "small", today=TODAY)
    officer = make_user(db, "pa", Role.PANEL_ADMINISTRATOR)
    out = tmp_path / "out" / "pack.pdf"
    out.parent.mkdir()
    with db.session(write=False) as s:
        head = s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).one()

    def stop(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    # Ctrl+C midway: every set of minutes has been read, the ADM part is being made
    with monkeypatch.context() as m:
        m.setattr(ofsted, "adm_timeliness", stop)
        with pytest.raises(KeyboardInterrupt):
            write_ofsted_pack(db, officer, out, as_of=TODAY)
    assert _entries_after(db, head) == [] and list(out.parent.iterdir()) == []
    # a failure inside the pack's transaction, after the first minutes' entry was recorded in it
    recorded: list[int] = []

    def second_fails(session: object, sitting_id: int, **kwargs: str) -> None:
        recorded.append(sitting_id)
        if len(recorded) == 2:
            raise OSError("disk full")
        real(session, sitting_id, **kwargs)  # type: ignore[arg-type]

    real = panel_service.record_minutes_export
    with monkeypatch.context() as m:
        m.setattr(panel_service, "record_minutes_export", second_fails)
        with pytest.raises(OSError, match="disk full"):
            write_ofsted_pack(db, officer, out, as_of=TODAY)
    assert len(recorded) == 2 and _entries_after(db, head) == [] and list(out.parent.iterdir()) == []
    # the command, interrupted midway: one line, exit 130, no entry, no file
    db.dispose()
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    with monkeypatch.context() as m:
        m.setattr(ofsted, "adm_timeliness", stop)
        code = cli.main(["export", "ofsted-pack", "--db", str(db_path), "--user", "pa", "--as-of", f"{TODAY}",
                         "--out", str(out)])
    assert code == 130 and capsys.readouterr().err.strip().endswith("adoption-desktop: interrupted")
    assert list(out.parent.iterdir()) == []
    from adoption_desktop.cli_support import open_db

    again = open_db(db_path)
    try:
        assert [e for e in _entries_after(again, head) if e[2] != "users"] == []  # the sign-in's only
        # and uninterrupted: the minutes' entries and the pack's, naming the pack, with the file
        result = write_ofsted_pack(again, officer, out, as_of=TODAY)
        entries = [e for e in _entries_after(again, head) if e[2] != "users"]
    finally:
        again.dispose()
    assert out.exists() and len(result.sittings) == 3
    assert entries[:3] == [("export", "minutes, in the Ofsted pack pack.pdf", "panel_sittings")] * 3
    assert [(e[0], e[2]) for e in entries[3:]] == [("export", "ofsted_pack")]


def test_the_pack_marks_overdue_as_the_central_list_does(db: Database) -> None:
    """A member last appraised on 08/01/2025 with 16/01/2027 typed as due is overdue on the screen (annual
    appraisals): the pack says so too, not the typed date."""
    from dataclasses import replace

    from reportlab.platypus import Paragraph, Table

    from adoption_desktop.panel import rules
    from adoption_desktop.reports.ofsted_parts import central_list_flowables

    officer = make_user(db, "pa", Role.PANEL_ADMINISTRATOR)
    panel_service.add_member(db, officer, panel_service.MemberInput(
        full_name="Ada Example", role_type="member", independent=True, joined_on=dt.date(2024, 1, 1)))
    row = panel_service.list_members(db, officer, today=TODAY)[0]
    typed, held = dt.date(2027, 1, 16), dt.date(2025, 1, 8)
    member = replace(row, appraisal_due=typed, appraised_on=held, next_appraisal=rules.next_appraisal_due(typed, held))
    flowables = central_list_flowables([member], dt.date(2026, 12, 5))
    said = " ".join(f.getPlainText() for f in flowables if isinstance(f, Paragraph))
    table = next(f for f in flowables if isinstance(f, Table))
    assert "Appraisals overdue: 1" in said, said
    cells = [c.getPlainText() if isinstance(c, Paragraph) else str(c) for c in table._cellvalues[1]]
    assert "08/01/2026 OVERDUE" in cells, cells
