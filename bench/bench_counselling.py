"""Counselling benchmark (issue 6): the waiting list of 2,000 cases opens and re-orders in <= 200 ms (median).

The benchmark makes its own database in a temporary folder: the demo users and the large counselling
demo (2,000 cases over 15 years), then every case re-opened and unallocated so that the waiting list
really holds 2,000 cases (the worst case). With ``ADK_BENCH_DB`` set it uses that database instead
(list "all cases"). Measured offscreen with the real page and a synchronous task runner:

* open: ``CounsellingPage.refresh()`` = caseload query + priority order + counts + model reset;
* re-order: clicking a column heading (``sortByColumn``) on each column in turn;
* baseline: the raw SQL select of the same columns (for the ratio).

    .venv/bin/python bench/bench_counselling.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import median_time, use_bench_keyring, write_section

GOAL_MS = 200.0
TODAY = dt.date(2026, 11, 23)


def _make_db(folder: Path) -> tuple[object, int]:
    from sqlalchemy import update

    from adoption_desktop import demo
    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import create_database
    from adoption_desktop.counselling import demo as counselling_demo
    from adoption_desktop.counselling.models import CounsellingCase

    created = create_database(folder / "counselling-bench.db", SecretStore())
    db = created.db
    ctx = demo.DemoContext(size="large", rng=random.Random(6), today=TODAY)
    demo._create_users(db, ctx)
    t0 = time.perf_counter()
    counselling_demo.populate(db, ctx)
    print(f"counselling demo (2,000 cases) generated in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    with db.session(ctx.users[Role.ADMINISTRATOR]) as session:
        session.info["audit_disabled"] = True  # benchmark set-up only, not a use case
        session.execute(update(CounsellingCase).values(closed_on=None, outcome="", allocated_on=None,
                                                       counsellor_id=None))
    return db, ctx.users[Role.COUNSELLOR].user_id


def main() -> int:
    if os.environ.get("ADK_BENCH_TRACE"):
        import faulthandler

        faulthandler.dump_traceback_later(int(os.environ["ADK_BENCH_TRACE"]), exit=True)
    use_bench_keyring()
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from adoption_desktop.core.security.permissions import Principal, Role
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.counselling.views.page import CounsellingPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    tmp = tempfile.TemporaryDirectory(prefix="adk-bench-counselling-")
    given = os.environ.get("ADK_BENCH_DB")
    if given:
        from adoption_desktop.cli_support import open_db

        db = open_db(given)
        which, source = "all", f"`ADK_BENCH_DB` ({given}), list \"all cases\""
    else:
        db, _uid = _make_db(Path(tmp.name))  # type: ignore[assignment]
        which, source = "waiting", "generated: large counselling demo with all 2,000 cases waiting"
    principal = Principal(0, "bench", "Bench Counsellor", frozenset({Role.COUNSELLOR}))
    ctx = AppContext(db, principal, TaskRunner(synchronous=True))  # type: ignore[arg-type]
    page = CounsellingPage(ctx)
    page.today = lambda: TODAY
    page.show_combo.setCurrentIndex(page.show_combo.findData(which))
    page.resize(1400, 800)
    page.show()
    app.processEvents()

    def open_list() -> None:
        page.refresh()
        app.processEvents()

    open_list()
    rows = page.model.rowCount()
    opens = [median_time(open_list, runs=1, warmup=0) for _ in range(9)]

    sorts: list[float] = []
    for _round in range(3):
        for column in range(page.model.columnCount()):
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                t0 = time.perf_counter()
                page.table.sortByColumn(column, order)
                app.processEvents()
                sorts.append(time.perf_counter() - t0)
    c = CounsellingCase

    def raw() -> None:
        with db.session(principal, write=False) as session:  # type: ignore[attr-defined]
            session.execute(select(c.id, c.reference, c.current_name, c.birth_name, c.referral_date,
                                   c.adoption_order_date, c.date_of_birth, c.counsellor_id, c.allocated_on,
                                   c.closed_on)).all()

    baseline = median_time(raw, runs=9)
    open_ms, sort_ms = statistics.median(opens) * 1000, statistics.median(sorts) * 1000
    worst_sort = max(sorts) * 1000
    ok = open_ms <= GOAL_MS and sort_ms <= GOAL_MS
    page.close()
    db.dispose()  # type: ignore[attr-defined]
    tmp.cleanup()
    write_section("counselling", f"""## Counselling: waiting list of 2,000 cases (issue 6)

Data: {source}; {rows:,} rows in the list. Offscreen, real `CounsellingPage`, synchronous task runner.

| measure | median | goal | result |
|---|---|---|---|
| open the list (query, priority order with reasons, counts, model reset) | {open_ms:.1f} ms | ≤ {GOAL_MS:.0f} ms | {"pass" if open_ms <= GOAL_MS else "FAIL"} |
| re-order by a column heading ({len(sorts)} sorts, every column both ways; slowest {worst_sort:.1f} ms) | {sort_ms:.1f} ms | ≤ {GOAL_MS:.0f} ms | {"pass" if sort_ms <= GOAL_MS else "FAIL"} |
| baseline: raw SQL select of the same 2,000 rows | {baseline * 1000:.1f} ms | – | ratio open/raw {open_ms / (baseline * 1000):.1f}× |

Overall: **{"PASS" if ok else "FAIL"}**. Reproduce: `.venv/bin/python bench/bench_counselling.py`
(or `ADK_BENCH_DB=PATH .venv/bin/python bench/bench_counselling.py` on an existing demo database).
""")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
