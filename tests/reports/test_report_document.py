"""The six-monthly/annual report (.docx) and its charts, read back with python-docx and converted with
LibreOffice; the periods it compares."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from PIL import Image

from adoption_desktop import demo
from adoption_desktop.core.errors import PermissionDenied, ValidationError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import figures as panel_figures
from adoption_desktop.reports import charts, measures, report_data
from adoption_desktop.reports.periods import (
    Period,
    last_year,
    parse_period,
    previous,
    quarter_label,
    quarters_to,
)
from adoption_desktop.reports.report_data import build_report
from adoption_desktop.reports.report_docx import NO_CHILDREN, write_report_docx
from tests.conftest import make_user

D = dt.date
TODAY = D(2026, 11, 23)
HALF = Period(D(2026, 4, 1), D(2026, 9, 30))
CHAPTERS = ("Summary", "Panel activity", "Membership and training", "ADM decisions and timeliness",
            "Children's journey", "Adopters' journey", "Post box contact", "Birth-records counselling")


def test_previous_period_and_last_year_move_by_whole_months_or_by_days() -> None:
    assert previous(HALF) == Period(D(2025, 10, 1), D(2026, 3, 31))
    assert last_year(HALF) == Period(D(2025, 4, 1), D(2025, 9, 30))
    year = Period(D(2025, 4, 1), D(2026, 3, 31))
    assert previous(year) == Period(D(2024, 4, 1), D(2025, 3, 31))
    feb = Period(D(2024, 2, 1), D(2024, 2, 29))
    assert last_year(feb) == Period(D(2023, 2, 1), D(2023, 2, 28))
    odd = Period(D(2026, 4, 10), D(2026, 4, 19))
    assert previous(odd) == Period(D(2026, 3, 31), D(2026, 4, 9))
    qs = quarters_to(D(2026, 9, 30))
    assert len(qs) == 8 and qs[-1] == Period(D(2026, 7, 1), D(2026, 9, 30)) and qs[0].start == D(2024, 10, 1)
    assert [quarter_label(q) for q in qs[:2]] == ["Q4 2024", "Q1 2025"]
    assert parse_period("2026-04-01..2026-09-30") == HALF
    for bad in ("2026-04-01", "2026-13-01..2026-09-30", "2026-09-30..2026-04-01"):
        with pytest.raises(ValueError, match="--period"):
            parse_period(bad)


def _tables(doc: object) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]  # type: ignore[attr-defined]


@pytest.fixture
def demo_db(open_demo: Callable[..., Database]) -> Database:
    return open_demo(TODAY)  # the small demo, made once per run (conftest)


def test_report_has_every_chapter_three_periods_and_charts(demo_db: Database, tmp_path: Path) -> None:
    manager = make_user(demo_db, "mgr", Role.MANAGER)
    data = build_report(demo_db, manager, HALF, "six-monthly", today=TODAY)
    out = write_report_docx(data, tmp_path / "report.docx")
    doc = Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert [h for h in headings if h in CHAPTERS] == list(CHAPTERS)
    assert doc.paragraphs[0].style.name == "Title" and "Six-monthly report" in doc.paragraphs[0].text
    tables = _tables(doc)
    assert len(tables) >= 12
    compared = [t for t in tables if len(t[0]) >= 4 and t[0][1].startswith("This period")]
    assert len(compared) >= 12
    for t in compared:
        assert t[0][2].startswith("Previous period\nOct 2025–Mar 2026"), t[0]
        assert t[0][3].startswith("Same period last year\nApr 2025–Sep 2025"), t[0]
    # the summary's panel items agree with the panel figures of each period, counted independently
    summary = next(t for t in tables if t[0][0] == "Figure" and any(r[0] == "Panel items considered" for r in t))
    items_row = next(r for r in summary if r[0] == "Panel items considered")
    for value, p in zip(items_row[1:], (HALF, previous(HALF), last_year(HALF)), strict=True):
        activity = panel_figures.figures(demo_db, manager, p.start, p.end)[0]
        assert value == dict(activity.rows)["Items considered"]
    assert int(items_row[1]) > 0 and int(items_row[2]) > 0 and int(items_row[3]) > 0
    # the adopters' chapter has the ADM's approval decisions beside the panel's (they were missed — user trial)
    approvals = [t for t in tables if any(r[0].startswith("Items: Prospective adopter approval") for r in t)
                 and any(r[0].startswith("Review of approval: ") for r in t)]  # the panel's and the ADM's rows
    assert len(approvals) == 1
    assert any(r[0].startswith("Approval of prospective adopters: ") for r in approvals[0])
    # charts: PNG images, each with a caption and alternative text
    assert len(doc.inline_shapes) >= 3  # the trends, and a chart for each measure with a threshold
    images = [r.target_part for r in doc.part.rels.values() if "image" in r.reltype]
    assert len(images) == len(doc.inline_shapes)
    for part in images:
        with Image.open(io.BytesIO(part.blob)) as im:
            assert im.format == "PNG" and im.width >= 1200
    captions = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert len(captions) == len(doc.inline_shapes) and all(c.startswith("Figure ") for c in captions)
    assert all(s._inline.docPr.get("descr") for s in doc.inline_shapes)
    # no names leave the report: no member of the panel is mentioned
    from adoption_desktop.panel import service as panel_service

    everything = "\n".join([p.text for p in doc.paragraphs] + ["\t".join(c for r in t for c in r) for t in tables])
    admin = make_user(demo_db, "adm2", Role.ADMINISTRATOR)
    for member in panel_service.list_members(demo_db, admin):
        assert member.full_name not in everything


def test_children_journey_section_shows_measures_against_thresholds(demo_db: Database, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The report renders whatever the journey work returns (here a stand-in list for the stub)."""
    def fake(db: Database, actor: object, start: D, end: D) -> list[measures.Measure]:
        scale = 1.0 if start == HALF.start else 1.2
        return [measures.Measure("A1", "Days from entering care to placement", 400 * scale, "days", 426, 12,
                                 "Average days between entering care and moving in with the adoptive family.",
                                 within=9),
                measures.Measure("A2", "Days from placement order to match", None, "days", 121, 0,
                                 "Average days from the placement order to the match decision.")]

    monkeypatch.setattr(report_data.journey, "journey_measures", fake)
    manager = make_user(demo_db, "mgr", Role.MANAGER)
    doc = Document(str(write_report_docx(build_report(demo_db, manager, HALF, "annual", today=TODAY),
                                         tmp_path / "r.docx")))
    assert not any(p.text == NO_CHILDREN for p in doc.paragraphs)
    table = next(t for t in _tables(doc) if t[0][0] == "Measure")
    assert table[0][4:] == ["Threshold", "Within threshold"]
    assert table[1] == ["A1 Days from entering care to placement", "400 days (n=12)", "480 days (n=12)",
                        "480 days (n=12)", "426 days", "75% (9 of 12)"]
    assert table[2][1] == "n/a" and table[2][5] == "–"
    assert len(doc.inline_shapes) == 4  # the A1 chart against its threshold joins the three
    assert any("A1 Days from entering care to placement:" in p.text for p in doc.paragraphs)


def test_report_needs_the_reports_permission_and_a_known_kind(demo_db: Database) -> None:
    counsellor = make_user(demo_db, "cns", Role.COUNSELLOR)
    with pytest.raises(PermissionDenied, match=r"reports\.view"):
        build_report(demo_db, counsellor, HALF)
    manager = make_user(demo_db, "mgr", Role.MANAGER)
    with pytest.raises(ValidationError, match="Kind"):
        build_report(demo_db, manager, HALF, "quarterly")


def test_an_empty_database_gives_a_report_with_n_a_not_errors(db: Database, tmp_path: Path) -> None:
    manager = make_user(db, "mgr", Role.MANAGER)
    doc = Document(str(write_report_docx(build_report(db, manager, HALF, today=TODAY), tmp_path / "e.docx")))
    assert any(p.text == NO_CHILDREN for p in doc.paragraphs)
    assert len(doc.inline_shapes) >= 3  # the trends, and a chart for each measure with a threshold


def test_charts_are_black_and_white_and_say_n_a_for_missing_values() -> None:
    png = charts.against_threshold("t", ["Q1", "Q2", "Q3"], [3, None, 9], 7, threshold_label="Timescale 7")
    with Image.open(io.BytesIO(png)) as im:
        rgb = im.convert("RGB")
        colours = {c for _n, c in rgb.getcolors(maxcolors=1 << 16) or []}
    assert all(max(c) - min(c) <= 2 for c in colours)  # greys only: readable when printed in black and white
    assert len(colours) > 2  # hatching and text, not a blank image


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed here: the .docx cannot be converted to PDF")
def test_the_report_converts_with_libreoffice_without_warnings(demo_db: Database, tmp_path: Path) -> None:
    from pypdf import PdfReader

    manager = make_user(demo_db, "mgr", Role.MANAGER)
    out = write_report_docx(build_report(demo_db, manager, HALF, today=TODAY), tmp_path / "report.docx")
    env = {**os.environ, "HOME": str(tmp_path)}
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)], capture_output=True, text=True, timeout=180, env=env, check=False)
    assert done.returncode == 0, done.stderr
    # LibreOffice's own start-up note about Java is not about the document
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if ("warn" in line.lower() or "error" in line.lower()) and "javaldx" not in line]
    assert problems == []
    pdf = PdfReader(str(tmp_path / "report.pdf"))
    assert len(pdf.pages) >= 5
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for chapter in CHAPTERS:
        assert chapter.replace("'", "") in text.replace("'", "").replace("’", "")


@pytest.mark.parametrize(("period", "out_name", "named"), [
    ("2026-09-30..2026-04-01", "r.docx", "--period"),
    ("April to September", "r.docx", "--period"),
    ("2026-04-01..2026-09-30", "r.pdf", ".docx"),  # the report is a Word document
])
def test_export_report_explains_a_bad_option_in_one_line(period: str, out_name: str, named: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop import cli

    out = tmp_path / out_name
    code = cli.main(["export", "report", "--db", str(tmp_path / "none.db"), "--user", "mgr", "--kind", "annual",
                     "--period", period, "--out", str(out)])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1 and named in err[0]
    assert not out.exists()


@pytest.fixture(params=["sqlcipher", "postgresql"])
def demo_anywhere(request: pytest.FixtureRequest, open_demo: Callable[..., Database]) -> Database:
    """The small demo dated ``TODAY`` on SQLCipher and on PostgreSQL (skipped when no server could start).
    On SQLCipher it is the copy of the one made once per run (conftest: ``demo.populate`` on a new
    database, as ``demo_db`` above), not the demo filled again; on PostgreSQL it is filled here."""
    if request.param == "sqlcipher":
        return open_demo(TODAY)
    db: Database = request.getfixturevalue("pg_db")
    demo.populate(db, "small", today=TODAY)
    return db


def test_report_and_pack_on_sqlcipher_and_postgresql(demo_anywhere: Database, tmp_path: Path) -> None:
    """The same queries in team mode: the small demo, the report's numbers and the pack."""
    from pypdf import PdfReader

    from adoption_desktop.reports.ofsted import write_ofsted_pack

    any_db = demo_anywhere
    officer = make_user(any_db, "pa", Role.PANEL_ADMINISTRATOR)
    data = build_report(any_db, officer, HALF, today=TODAY)
    assert data.key[0].items > 0 and data.key[0].adm_decisions > 0 and len(data.quarter_key) == 8
    assert sum(q.exchanges for q in data.quarter_key) > 0
    result = write_ofsted_pack(any_db, officer, tmp_path / "pack.pdf", as_of=TODAY)
    assert len(result.sittings) == 3 and len(PdfReader(str(result.path)).pages) > 5


def test_a_grey_chart_is_written_in_greyscale_with_the_same_pixels_and_a_coloured_image_in_colour() -> None:
    """Charts are greys only: written as greyscale PNG (half the bytes and the encoding time), pixel for pixel
    the image drawn; an image with a colour in it keeps its colours."""
    from PIL import ImageDraw

    grey = Image.new("RGB", (120, 40), (255, 255, 255))
    ImageDraw.Draw(grey).rectangle((10, 10, 60, 30), fill=(90, 90, 90))
    coloured = grey.copy()
    ImageDraw.Draw(coloured).line((0, 0, 119, 39), fill=(200, 30, 30), width=3)
    for drawn, mode in ((grey, "L"), (coloured, "RGB")):
        with Image.open(io.BytesIO(charts._png(drawn))) as im:
            assert im.mode == mode
            assert list(im.convert("RGB").getdata()) == list(drawn.getdata())
    with Image.open(io.BytesIO(charts.against_threshold("t", ["Q1"], [3], 7, threshold_label="7"))) as im:
        assert im.mode == "L"
