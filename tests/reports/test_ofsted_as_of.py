"""The Ofsted pack as of a date before today (user trial, December 2026): only minutes approved by then,
the central list's appraisals as they stood then and the other dates said to be as recorded today; and a
date after today refused, on the command line, in ``write_ofsted_pack`` and on the Reports page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph, Table
from sqlalchemy import select

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import rules as panel_rules
from adoption_desktop.panel.models import PanelAppraisal, PanelItem, PanelMember, PanelMinutes, PanelSitting
from adoption_desktop.reports.ofsted import approved_sittings, write_ofsted_pack
from adoption_desktop.reports.ofsted_parts import central_list_flowables
from tests.conftest import TEST_PASSWORD, make_user

D = dt.date
MADE = D(2026, 12, 6)      # the trial's demo and pack were made on this day
AS_OF = D(2026, 9, 30)     # ... as of this one


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def test_only_minutes_approved_by_the_packs_date_are_included(open_demo: Callable[..., Database]) -> None:
    """The sitting of 29/09/2026, its minutes approved on 2 and 8 October, was in a pack as of 30/09/2026."""
    db = open_demo(MADE)
    officer = make_user(db, "pa", Role.PANEL_ADMINISTRATOR)
    found = approved_sittings(db, officer, AS_OF)
    last_approved: dict[int, dt.date] = {}  # per sitting, the day its last item's minutes were approved
    with db.session(write=False) as s:
        dates = {sid: day for sid, day in s.execute(select(PanelSitting.id, PanelSitting.sitting_date))}
        for sid, day in s.execute(select(PanelItem.sitting_id, PanelMinutes.approved_on)
                                  .join(PanelMinutes, PanelMinutes.item_id == PanelItem.id)):
            last_approved[sid] = max(day or dt.date.max, last_approved.get(sid, dt.date.min))
    late = [sid for sid, day in dates.items() if day <= AS_OF and AS_OF < last_approved.get(sid, AS_OF) <= MADE]
    assert late, "the demo has a sitting before the date whose minutes were approved after it"
    assert len(found) == 3 and not set(found) & set(late)
    assert all(last_approved[sid] <= AS_OF for sid in found)
    # the three latest so approved: none left out between them and the date
    so_approved = sorted((sid for sid, day in dates.items() if day <= AS_OF and last_approved.get(sid, MADE) <= AS_OF),
                         key=lambda sid: dates[sid], reverse=True)
    assert [dates[sid] for sid in found] == [dates[sid] for sid in so_approved[:3]]


def test_an_appraisal_as_it_stood_on_a_day() -> None:
    held = [(D(2025, 10, 29), D(2025, 10, 19)), (D(2026, 10, 29), D(2026, 11, 16))]
    # on 30/09/2026: last held 19/10/2025, the due date then the one the November appraisal met
    assert panel_rules.appraisal_as_it_stood(D(2027, 11, 16), held, AS_OF) == (D(2026, 10, 29), D(2025, 10, 19))
    assert panel_rules.appraisal_as_it_stood(D(2027, 11, 16), held, MADE) == (D(2027, 11, 16), D(2026, 11, 16))
    assert panel_rules.appraisal_as_it_stood(D(2027, 1, 1), [], AS_OF) == (D(2027, 1, 1), None)
    assert panel_rules.appraisal_as_it_stood(None, held, D(2025, 1, 1)) == (D(2025, 10, 29), None)


def test_the_central_list_is_as_it_stood_on_the_packs_date(open_demo: Callable[..., Database], tmp_path: Path) -> None:
    from adoption_desktop.reports.ofsted import members_as_of

    db = open_demo(MADE)
    officer = make_user(db, "pa", Role.PANEL_ADMINISTRATOR)
    with db.session(write=False) as s:
        names = {mid: name for mid, name in s.execute(select(PanelMember.id, PanelMember.full_name))}
        training = {name: day for name, day in s.execute(select(PanelMember.full_name, PanelMember.training_on))}
        held: dict[int, list[tuple[dt.date | None, dt.date]]] = {}
        for mid, due, done in s.execute(select(PanelAppraisal.member_id, PanelAppraisal.due_on, PanelAppraisal.done_on)):
            held.setdefault(mid, []).append((due, done))
    # a member appraised after the date: the pack gives the due date they had then, not the one it moved to
    mid = next(m for m, rows in held.items() if any(done > AS_OF for _d, done in rows))
    before = max(done for _d, done in held[mid] if done <= AS_OF)
    met = min(held[mid], key=lambda r: r[1] if r[1] > AS_OF else dt.date.max)[0]
    expected = panel_rules.next_appraisal_due(met, before)
    flowables = central_list_flowables(members_as_of(db, officer, AS_OF), AS_OF, recorded_on=MADE)
    table = next(f for f in flowables if isinstance(f, Table))
    rows = {cells[0]: cells for cells in ([c.getPlainText() for c in r] for r in table._cellvalues[1:])}
    assert expected is not None and rows[names[mid]][3].startswith(f"{expected:%d/%m/%Y}"), rows[names[mid]]
    # a last training after the date is said to be after it, and the pack says those dates are today's
    late = next(n for n, day in training.items() if day and day > AS_OF and n in rows)
    assert rows[late][5] == f"{training[late]:%d/%m/%Y} (after 30/09/2026)"
    said = " ".join(f.getPlainText() for f in flowables if isinstance(f, Paragraph))
    assert "DBS checked and Last training are as recorded today (06/12/2026), not at 30 September 2026" in said
    # the whole pack, as the trial made it
    out = tmp_path / "pack.pdf"
    write_ofsted_pack(db, officer, out, as_of=AS_OF, today=MADE)
    text = _text(out)
    assert "as recorded today (06/12/2026)" in text and f"{training[late]:%d/%m/%Y} (after 30/09/2026)" in text
    # as of today, nothing to say: the dates are today's
    today_said = " ".join(f.getPlainText() for f in central_list_flowables(
        members_as_of(db, officer, MADE), MADE, recorded_on=MADE) if isinstance(f, Paragraph))
    assert "as recorded today" not in today_said


def test_a_pack_dated_after_today_is_refused_everywhere(db: Database, db_path: Path, tmp_path: Path, qtbot: Any,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop import cli
    from adoption_desktop.reports.views import page as page_module
    from adoption_desktop.reports.views.page import ReportsPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    officer = make_user(db, "pa", Role.PANEL_ADMINISTRATOR)
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    out = tmp_path / "pack.pdf"
    # the Reports page's pack: refused, said, nothing written
    errors: list[str] = []
    monkeypatch.setattr(page_module, "show_error", lambda _w, _t, exc: errors.append(str(exc)))
    page = ReportsPage(AppContext(db, officer, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.ofsted_pack_to(out, as_of=tomorrow)
    assert not out.exists()
    assert errors == [f"The pack's date is after today ({tomorrow:%d/%m/%Y}): the pack shows what has happened, so "
                      f"choose a date on or before today ({today:%d/%m/%Y}). Nothing was written."]
    page.ofsted_pack_to(out, as_of=today)  # today itself is a pack's date
    assert out.exists() and len(errors) == 1
    out.unlink()
    with pytest.raises(ValidationError, match=r"The pack's date is after today .* Nothing was written\."):
        write_ofsted_pack(db, officer, out, as_of=D(2027, 3, 1), today=MADE)
    assert not out.exists()
    # the command: refused before anything is done, exit 2, one line
    db.dispose()
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    code = cli.main(["export", "ofsted-pack", "--db", str(db_path), "--user", "pa", "--as-of", f"{tomorrow}",
                     "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert f"adoption-desktop: The pack's date is after today ({tomorrow:%d/%m/%Y})" in err, err


def test_a_correction_after_the_packs_date_keeps_the_minutes_approved_by_then(
        open_demo: Callable[..., Database], tmp_path: Path) -> None:
    """Review: correcting a sitting's minutes in December (a new draft version) dropped that sitting from a
    pack as of 30/09/2026; the pack keeps it, with the version approved by then, not the correction."""
    from adoption_desktop.panel import service as svc

    db = open_demo(MADE)
    officer = make_user(db, "pa", Role.PANEL_ADMINISTRATOR, Role.PANEL_CHAIR)
    before = approved_sittings(db, officer, AS_OF)
    with db.session(write=False) as s:
        item_id = s.scalar(select(PanelItem.id).where(PanelItem.sitting_id == before[0]).order_by(PanelItem.id))
        first = s.scalar(select(PanelMinutes.version).where(PanelMinutes.item_id == item_id,
                                                            PanelMinutes.status == "approved")
                         .order_by(PanelMinutes.version.desc()))
    svc.correct_minutes(db, officer, item_id, "A member's name was misspelt.")
    assert approved_sittings(db, officer, AS_OF) == before
    # the pack's minutes of that item: the version approved by then, without the correction's reason
    pack = svc.minutes_pack(db, officer, before[0], today=MADE, record_export=False, approved_by=AS_OF)
    item = next(i for i in pack.items if i.id == item_id)
    assert item.minutes is not None and item.minutes.locked and item.minutes.version == first
    assert not pack.draft
    out = tmp_path / "pack.pdf"
    write_ofsted_pack(db, officer, out, as_of=AS_OF, today=MADE)
    text = _text(out)
    assert "misspelt" not in text and f"(version {first + 1})" not in text
    # as of today the correction, still a draft, leaves the sitting out
    assert before[0] not in approved_sittings(db, officer, MADE)
