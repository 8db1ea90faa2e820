"""Approved minutes go out only as they were sealed (security review): changed with the key outside the
program, they were exported as "approved" in the Word minutes and the Ofsted pack, and only ``verify`` said so.
Every export of a sitting's minutes now checks the seals of the approved minutes it holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text

from adoption_desktop.core.audit.seal_check import check_rows
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security import service as security
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.demo import DEMO_PASSWORD
from adoption_desktop.panel import service as panel_service
from adoption_desktop.panel.models import PanelItem, PanelMinutes
from adoption_desktop.reports.ofsted import write_ofsted_pack


def _approved(db: Database) -> tuple[int, int]:
    """(minutes id, sitting id) of approved minutes in the demo."""
    with db.session(write=False) as s:
        row = s.execute(select(PanelMinutes.id, PanelItem.sitting_id).join(PanelItem, PanelItem.id == PanelMinutes.item_id)
                        .where(PanelMinutes.status == "approved").order_by(PanelMinutes.id.desc()).limit(1)).one()
    return int(row[0]), int(row[1])


def test_untouched_approved_minutes_pass_and_export(open_demo: Callable[..., Database]) -> None:
    db = open_demo()
    minutes_id, sitting_id = _approved(db)
    with db.engine.connect() as conn:
        assert check_rows(conn, "panel_minutes", [minutes_id]) == []
    officer = security.authenticate(db, "paneladmin", DEMO_PASSWORD)
    assert panel_service.minutes_pack(db, officer, sitting_id).items


@pytest.mark.parametrize("change", ["UPDATE panel_minutes SET discussion = 'TAMPERED' WHERE id = :i",
                                    "UPDATE panel_minutes SET row_version = row_version + 3 WHERE id = :i"])
def test_approved_minutes_changed_outside_the_program_are_not_exported(open_demo: Callable[..., Database],
                                                                        tmp_path: Path, change: str) -> None:
    db = open_demo()
    minutes_id, sitting_id = _approved(db)
    with db.engine.begin() as conn:
        conn.execute(text(change), {"i": minutes_id})
    with db.engine.connect() as conn:
        assert {p.entity_id for p in check_rows(conn, "panel_minutes", [minutes_id])} == {str(minutes_id)}
    officer = security.authenticate(db, "paneladmin", DEMO_PASSWORD)
    with pytest.raises(SealBroken, match=rf"approved minutes of this sitting are not as they were sealed: "
                                         rf"panel_minutes row {minutes_id}"):
        panel_service.minutes_pack(db, officer, sitting_id)
    admin = security.authenticate(db, "admin", DEMO_PASSWORD)
    out = tmp_path / "pack.pdf"
    with pytest.raises(SealBroken):
        write_ofsted_pack(db, admin, out, as_of=dt.date.today())
    assert not out.exists()
