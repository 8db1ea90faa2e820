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
from sqlalchemy import select

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel.models import PanelItem, PanelMinutes, PanelSitting
from adoption_desktop.reports.ofsted import approved_sittings, write_ofsted_pack
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
