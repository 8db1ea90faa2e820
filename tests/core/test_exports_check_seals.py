"""Approved minutes go out only as they were sealed (security review): changed with the key outside the
program, they were exported as "approved" in the Word minutes and the Ofsted pack, and only ``verify`` said so.
Every export of a sitting's minutes now checks the seals of the approved minutes it holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from adoption_desktop.core.audit.seal_check import check_rows
from adoption_desktop.core.audit.seals import content_columns, content_digest, field_sums, row_digest
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import SYSTEM, Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.demo import DEMO_PASSWORD
from adoption_desktop.panel import service as panel_service
from adoption_desktop.panel.models import PanelItem, PanelMinutes
from adoption_desktop.reports.ofsted import approved_sittings, write_ofsted_pack
from tests.adm.test_sign_while_minutes_corrected import APPROVED
from tests.adm.test_sign_while_minutes_corrected import _approved as _approved_item
from tests.conftest import TEST_PASSWORD, make_user


def _approved(db: Database) -> tuple[int, int]:
    """(minutes id, sitting id) of approved minutes in the demo."""
    with db.session(write=False) as s:
        row = s.execute(select(PanelMinutes.id, PanelItem.sitting_id).join(PanelItem, PanelItem.id == PanelMinutes.item_id)
                        .where(PanelMinutes.status == "approved").order_by(PanelMinutes.id.desc()).limit(1)).one()
    return int(row[0]), int(row[1])


def _approved_in_the_pack(db: Database, day: dt.date) -> tuple[int, int]:
    """(minutes id, sitting id) of approved minutes of the newest sitting the Ofsted pack of ``day`` holds
    (the newest minutes by id may belong to a sitting outside the last three, depending on the date)."""
    sitting_id = approved_sittings(db, SYSTEM, day)[0]
    with db.session(write=False) as s:
        minutes_id = s.scalar(select(PanelMinutes.id).join(PanelItem, PanelItem.id == PanelMinutes.item_id)
                              .where(PanelItem.sitting_id == sitting_id, PanelMinutes.status == "approved")
                              .order_by(PanelMinutes.id.desc()).limit(1))
    assert minutes_id is not None
    return int(minutes_id), sitting_id


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
    minutes_id, sitting_id = _approved_in_the_pack(db, dt.date.today())
    with db.engine.begin() as conn:
        conn.execute(text(change), {"i": minutes_id})
    with db.engine.connect() as conn:
        assert {p.entity_id for p in check_rows(conn, "panel_minutes", [minutes_id])} == {str(minutes_id)}
    officer = security.authenticate(db, "paneladmin", DEMO_PASSWORD)
    with pytest.raises(SealBroken, match=rf"approved minutes of this sitting are not as they were sealed: "
                                         rf"the minutes of [A-Z]+-\d+-\d+: .* \(panel_minutes row {minutes_id}"):
        panel_service.minutes_pack(db, officer, sitting_id)
    admin = security.authenticate(db, "admin", DEMO_PASSWORD)
    out = tmp_path / "pack.pdf"
    with pytest.raises(SealBroken):
        write_ofsted_pack(db, admin, out, as_of=dt.date.today())
    assert not out.exists()


def _reapproved(db: Database) -> tuple[Principal, int, int]:
    """(officer, item id, sitting id) of an item whose approved minutes were corrected and approved again."""
    clerk, item, _decision = _approved_item(db)
    panel_service.correct_minutes(db, clerk, item, "The reasons left out the support network.")
    chair = make_user(db, "rr_chair", Role.PANEL_CHAIR)
    panel_service.submit_minutes(db, clerk, item, today=APPROVED)
    panel_service.approve_minutes(db, chair, item, TEST_PASSWORD, today=APPROVED)
    with db.session(write=False) as s:
        return clerk, item, int(s.scalar(select(PanelItem.sitting_id).where(PanelItem.id == item)))


def test_corrected_and_approved_again_minutes_export_without_a_false_alarm(db: Database) -> None:
    clerk, _item, sitting = _reapproved(db)
    pack = panel_service.minutes_pack(db, clerk, sitting)
    assert [i.minutes.version for i in pack.items if i.minutes] == [2] and not pack.draft


def test_the_current_version_deleted_so_the_older_goes_out_is_refused(db: Database) -> None:
    """Deleting version 2 with the key made version 1 the 'current' approved minutes (review)."""
    clerk, item, sitting = _reapproved(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM panel_minutes WHERE item_id = :i AND version = 2"), {"i": item})
    with pytest.raises(SealBroken, match=r"deleted outside the application"):
        panel_service.minutes_pack(db, clerk, sitting)


def test_seals_rewritten_with_the_key_are_caught_by_their_audit_entry(db: Database) -> None:
    """The row changed, its row seal and its content seal recomputed (SHA-256, anyone with the key can):
    the audit entry holding the seal no longer matches its own hash (review)."""
    clerk, item, _decision = _approved_item(db)
    with db.engine.begin() as conn:
        mid = conn.execute(text("SELECT id FROM panel_minutes WHERE item_id = :i"), {"i": item}).scalar_one()
        conn.execute(text("UPDATE panel_minutes SET discussion = 'FORGED' WHERE id = :i"), {"i": mid})
        r = conn.exec_driver_sql(f"SELECT * FROM panel_minutes WHERE id = {int(mid)}")
        row = dict(zip(r.keys(), r.one(), strict=True))
        sid, cols = conn.execute(text(
            "SELECT s.id, a.columns FROM audit_seal s JOIN audit_columns a ON a.key = s.columns "
            "WHERE s.entity = 'panel_minutes' AND s.entity_id = :p ORDER BY s.seq DESC, s.id DESC LIMIT 1"),
            {"p": str(mid)}).one()
        columns = cols.split(",")
        conn.execute(text("UPDATE audit_seal SET digest = :d, fields = :f WHERE id = :s"),
                     {"d": row_digest("panel_minutes", str(mid), columns, row), "f": field_sums(columns, row),
                      "s": sid})
        conn.execute(text("UPDATE audit_log SET seal = :d WHERE action = 'seal' AND entity = 'panel_minutes' "
                          "AND entity_id = :p"),
                     {"d": content_digest("panel_minutes", str(mid), content_columns("panel_minutes", row), row),
                      "p": str(mid)})
    with db.engine.connect() as conn:
        found = [str(p) for p in check_rows(conn, "panel_minutes", [int(mid)])]
    assert any("which holds its seal, was altered" in p for p in found), found
    with db.session(write=False) as s:
        sitting = int(s.scalar(select(PanelItem.sitting_id).where(PanelItem.id == item)))
    with pytest.raises(SealBroken):
        panel_service.minutes_pack(db, clerk, sitting)


@pytest.mark.parametrize("change", [
    "UPDATE panel_items SET subject_reference = 'ADP-99' WHERE id = :item",
    "UPDATE panel_attendance SET status = 'absent' WHERE id = (SELECT MIN(id) FROM panel_attendance "
    "WHERE sitting_id = (SELECT sitting_id FROM panel_items WHERE id = :item))"])
def test_the_item_or_attendance_of_approved_minutes_changed_is_refused(db: Database, change: str) -> None:
    clerk, item, _decision = _approved_item(db)
    with db.engine.begin() as conn:
        assert conn.execute(text(change), {"item": item}).rowcount == 1
    with db.session(write=False) as s:
        sitting = int(s.scalar(select(PanelItem.sitting_id).where(PanelItem.id == item)))
    with pytest.raises(SealBroken, match=r"changed outside the application"):
        panel_service.minutes_pack(db, clerk, sitting)


class _AppendAfterFirstRead:
    """A connection whose first statement is followed by another session appending an audit entry: what
    another PC does in team mode between two reads of an export's check (READ COMMITTED)."""

    def __init__(self, conn: Any, append: Callable[[], None]) -> None:
        self.conn, self.append, self.done = conn, append, False
        self.engine = conn.engine

    def execute(self, statement: Any, *args: Any) -> Any:
        result = self.conn.execute(statement, *args)
        rows = result.fetchall()
        if not self.done:
            self.done = True
            self.append()
        return _Rows(rows)


class _Rows(list):  # type: ignore[type-arg]
    def first(self) -> Any:
        return self[0] if self else None


def test_an_entry_appended_by_another_session_during_the_check_is_no_false_alarm(pg_db: Database) -> None:
    """Review: in team mode (PostgreSQL, READ COMMITTED) the last entry's link was read from the audit head
    in a second statement; an entry another PC committed in between made the untouched last entry look
    altered, and the export was refused as tampered."""
    from adoption_desktop.core import audit
    from adoption_desktop.core.audit.seal_check import _vouched

    def append(detail: str) -> None:
        with pg_db.session() as other:
            audit.record(other, "view", "panel_sittings", 1, detail=detail)

    append("this PC opened a sitting")
    with pg_db.session(write=False) as s:
        last = int(s.scalar(text("SELECT MAX(seq) FROM audit_log")))
    with pg_db.engine.connect() as conn:
        reading = _AppendAfterFirstRead(conn, lambda: append("another PC opened a sitting"))
        assert _vouched(reading, "panel_minutes", set(), {last}) == []  # type: ignore[arg-type]
    with pg_db.session(write=False) as s:
        assert int(s.scalar(text("SELECT MAX(seq) FROM audit_log"))) == last + 1  # it did append meanwhile


def test_a_bulk_entry_is_read_once_and_a_changed_row_is_still_caught(open_demo: Callable[..., Database],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry with many seal records (the demo's bulk entries, an upgrade's first seals) is read once per
    process for the exports' check; the rows themselves are checked against their seals every time."""
    from adoption_desktop.core.audit import seal_check

    monkeypatch.setattr(seal_check, "BULK_SEALS", 1)
    monkeypatch.setattr(seal_check, "_BULK_OK", set())
    db = open_demo()
    minutes_id, _sitting = _approved(db)
    with db.engine.connect() as conn:
        assert check_rows(conn, "panel_minutes", [minutes_id]) == []
    assert seal_check._BULK_OK  # remembered
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE panel_minutes SET discussion = 'TAMPERED' WHERE id = :i"), {"i": minutes_id})
    with db.engine.connect() as conn:
        assert {p.entity_id for p in check_rows(conn, "panel_minutes", [minutes_id])} == {str(minutes_id)}
