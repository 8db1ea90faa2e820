"""Concurrency probe, 2026-12-04 (panel):

* approved minutes list the papers the panel considered, yet a paper's date could still be changed (or an
  undo put one back) after approval, with ``verify`` clean: now refused;
* two clerks ticking one paper: the later silently replaced the earlier's date: now the later is told
  (the Papers dialog passes the dates it showed);
* ``defer_item`` run twice put the item on the later agenda twice and wiped the typed discussion: now the
  draft is kept and a second deferral is refused (also with two real processes at once).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core.errors import Conflict, StaleRecord
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import undo as panel_undo
from tests.conftest import TEST_PASSWORD, papers_received

from .conftest import SITTING_DAY, TODAY, Panel, attend, with_views
from .test_service import GOOD, _item


def _approved(panel: Panel) -> int:
    attend(panel, "chair", "vice", "sw", "med", "pe", "sw2", "adviser", "minutes")
    item = papers_received(panel.db, panel.clerk, _item(panel), SITTING_DAY)
    svc.save_minutes(panel.db, panel.clerk, item, with_views(panel, GOOD))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    return item


def test_papers_of_approved_minutes_cannot_change(panel: Panel) -> None:
    item = _approved(panel)
    code = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY).items[0].papers[0].code
    with pytest.raises(Conflict, match="approved, and the papers the panel considered are part of them"):
        svc.set_paper_received(panel.db, panel.clerk, item, code, None)
    with pytest.raises(Conflict, match="papers the panel considered"):
        panel_undo.restore_papers(panel.db, panel.clerk, item, {code: (None, dt.date(2026, 11, 1))})


def test_a_paper_recorded_by_a_colleague_since_the_dialog_opened_is_not_replaced(panel: Panel) -> None:
    item = _item(panel, "match")
    shown = {p.code: p.received_on for p in
             svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY).items[0].papers}
    assert shown["cpr"] is None
    svc.set_paper_received(panel.db, panel.clerk, item, "cpr", dt.date(2026, 11, 1))  # a colleague, meanwhile
    with pytest.raises(StaleRecord):
        panel_undo.set_papers_received(panel.db, panel.clerk, item, {"cpr": dt.date(2026, 11, 3)}, today=TODAY,
                                       shown=shown)
    stored = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY).items[0].papers
    assert {p.code: p.received_on for p in stored}["cpr"] == dt.date(2026, 11, 1)


def test_deferring_keeps_the_draft_and_happens_once(panel: Panel) -> None:
    item = _item(panel)
    later = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        SITTING_DAY + dt.timedelta(days=28), "10:00", "13:00", "Room 2, Civic Centre, Ambleford ZZ99 1AB"))[0]
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(discussion="Questions on the support plan."))
    new_id = svc.defer_item(panel.db, panel.clerk, item, "Medical report outstanding.", later)
    assert new_id is not None
    row = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY).items[0]
    assert row.minutes is not None and row.minutes.draft.discussion == "Questions on the support plan."
    assert row.minutes.draft.outcome == "deferred"
    with pytest.raises(Conflict, match="already recorded as deferred"):
        svc.defer_item(panel.db, panel.clerk, item, "Medical report outstanding.", later)
    assert len(svc.sitting_detail(panel.db, panel.clerk, later, today=TODAY).items) == 1


def _defer_worker(path: str, key_hex: str, item: int, later: int, clerk: Any, barrier: Any, out: Any) -> None:
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.storage.engine import open_sqlcipher

    db = open_sqlcipher(Path(path), bytes.fromhex(key_hex))
    try:
        barrier.wait(60)
        try:
            svc.defer_item(db, clerk, item, "Medical report outstanding.", later)
            out.put("ok")
        except AppError as exc:
            out.put(type(exc).__name__)
    finally:
        db.dispose()


def test_two_clerks_deferring_at_once_defer_it_once(panel: Panel) -> None:
    item = _item(panel)
    later = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        SITTING_DAY + dt.timedelta(days=28), "10:00", "13:00", "Room 2, Civic Centre, Ambleford ZZ99 1AB"))[0]
    db: Database = panel.db
    password = db.engine.url.password
    assert password is not None and db.path is not None
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_defer_worker, args=(str(db.path), password[2:-1], item, later, panel.clerk,
                                                     barrier, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = sorted(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert results[1] == "ok" and results[0] in ("Conflict", "StaleRecord"), results
    assert len(svc.sitting_detail(panel.db, panel.clerk, later, today=TODAY).items) == 1
