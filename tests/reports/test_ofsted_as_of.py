"""The Ofsted pack as of a date before today (user trial, December 2026): only minutes approved by then,
the central list's appraisals as they stood then and the other dates said to be as recorded today; and a
date after today refused, on the command line, in ``write_ofsted_pack`` and on the Reports page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel.models import PanelItem, PanelMinutes, PanelSitting
from adoption_desktop.reports.ofsted import approved_sittings
from tests.conftest import make_user

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
