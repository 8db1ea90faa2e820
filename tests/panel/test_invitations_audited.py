"""Invitation letters have an audit entry of their own. Writing a sitting's invitations (*Invitations (PDF)…*)
read the sitting through ``minutes_pack``, which recorded an export of the minutes: an administrator reading the
log saw "Exported … minutes" for a sitting whose minutes nobody had exported. Now the letters are recorded as
``panel_invitations_written`` ("Panel invitation letters written"), as the file takes its name, and nothing
is recorded as a minutes export. Entries logged before keep their words ("Exported")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.audit import AuditEntry, readable
from adoption_desktop.core.documents.pdf import Letterhead
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.lifecycle import verify_database
from adoption_desktop.panel import documents
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

from .conftest import Panel

TODAY = dt.date(2026, 11, 2)  # the sitting of 10 November is still to come


def _with_items(p: Panel) -> None:
    for n, case_type in enumerate(("approval", "match")):
        svc.add_item(p.db, p.clerk, p.sitting_id, svc.ItemInput(case_type, f"AD-2026-07{n}", "XY", "Jay Quillby",
                                                                f"1{n}:00"))


def _entries(p: Panel, since: int = 0) -> list[tuple[str, str, str, str]]:
    with p.db.session(write=False) as s:
        return [(e.action, e.entity, e.entity_id, e.detail) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.seq > since, AuditEntry.action != "view").order_by(AuditEntry.seq))]


def _last_seq(p: Panel) -> int:
    with p.db.session(write=False) as s:
        return int(s.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) or 0)


def test_invitations_written_in_the_window_are_their_own_entry_not_a_minutes_export(
        qtbot: QtBot, panel: Panel, tmp_path: Path) -> None:
    _with_items(panel)
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.reload(select_sitting=panel.sitting_id)
    before = _last_seq(panel)
    out = tmp_path / "invitations.pdf"
    page.export_invitations(out)
    assert page.status.text() == f"2 invitation letters written to {out}."
    assert _entries(panel, before) == [
        (svc.INVITATIONS_WRITTEN, "panel_sittings", str(panel.sitting_id),
         "2 invitation letters for the sitting of 2026-11-10 to invitations.pdf")]
    assert verify_database(panel.db).ok


def test_the_viewer_reads_the_new_entry_in_words_and_old_entries_as_before(panel: Panel) -> None:
    assert svc.INVITATIONS_WRITTEN == "panel_invitations_written"  # the code in the log: never renamed
    assert readable.action_label(svc.INVITATIONS_WRITTEN) == "Panel invitation letters written"
    # the viewer's Action box takes the words or the code
    assert readable.action_code("Panel invitation letters written") == svc.INVITATIONS_WRITTEN
    assert readable.action_code("panel_invitations_written") == svc.INVITATIONS_WRITTEN
    # letters made from the records change none of them (what `move-to-server` leaves out of work done after
    # its copy): as an export was
    assert svc.INVITATIONS_WRITTEN in audit.READ_ONLY_ACTIONS
    # an entry logged by earlier versions for invitations reads as it did
    assert readable.action_label("export") == "Exported"
    admin = make_user(panel.db, "auditor", Role.ADMINISTRATOR)
    from adoption_desktop.core import audit_service

    svc.record_invitations_written(panel.db, panel.clerk, panel.sitting_id, "inv.pdf", 1)
    found = audit_service.list_entries(panel.db, admin, audit.AuditFilter(action=svc.INVITATIONS_WRITTEN))
    assert [(r.actor, r.detail) for r in found] == [
        ("clerk", "1 invitation letter for the sitting of 2026-11-10 to inv.pdf")]


def test_a_batch_stopped_before_it_is_saved_leaves_no_file(panel: Panel, tmp_path: Path) -> None:
    """The entry is written as the file takes its name: when recording it fails, nothing is written."""
    _with_items(panel)
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY, record_export=False)
    counted: list[int] = []

    def refused(n: int) -> None:
        counted.append(n)
        raise RuntimeError("not recorded")

    folder = tmp_path / "letters"
    folder.mkdir()
    out = folder / "inv.pdf"
    with pytest.raises(RuntimeError, match="not recorded"):
        documents.write_invitations(out, pack, Letterhead("Example RAA", "1 Example St"), "Pat Brackenley",
                                    today=TODAY, before_save=refused)
    assert counted == [2]
    assert list(folder.iterdir()) == []  # nor a part-written temporary file
