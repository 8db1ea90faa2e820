"""ADM benchmark (issue 4): the decision queue with 3,000 decisions opens and sorts in <= 200 ms (median).

The benchmark makes its own database in a temporary folder: the demo users, 3,000 panel hand-offs over
two years (``open_decision_from_panel``, as the panel feature calls it) and the ADM demo deciding them
(signed, some late, some paused, a qualifying determination). With ``ADK_BENCH_DB`` set it uses that
database instead. Measured offscreen with the real ``AdmPage``, show "All", synchronous task runner:

* model + view: a new ``RowTableModel`` with the 3,000 rows, a ``QTableView`` on it, shown, sorted by
  the clock (the page's default), laid out (the goal);
* sort: clicking each column heading both ways on the page;
* open: the whole page refresh including the database query (``list_queue``);
* baseline: the raw SQL select of the same decisions (for the ratio).

    .venv/bin/python bench/bench_adm.py
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
N_DECISIONS = 3000


def _make_db(folder: Path) -> object:
    from adoption_desktop import demo
    from adoption_desktop.adm import demo as adm_demo
    from adoption_desktop.adm.service import open_decision_from_panel
    from adoption_desktop.core import audit
    from adoption_desktop.core.handoff import PanelHandoff
    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import create_database
    from adoption_desktop.core.workdays import WorkingCalendar

    created = create_database(folder / "adm-bench.db", SecretStore())
    db = created.db
    ctx = demo.DemoContext(size="large", rng=random.Random(4), today=TODAY)
    demo._create_users(db, ctx)
    cal = WorkingCalendar()
    t0 = time.perf_counter()
    types = (("approval", "suitable"), ("match", "match_recommended"), ("review", "remains_suitable"),
             ("match", "match_recommended"), ("early_permanence", "ep_suitable"))
    n_panel = N_DECISIONS - 110  # the ADM demo adds 110 plans for adoption without panel
    with db.session(ctx.users[Role.PANEL_ADMINISTRATOR]) as session, audit.bulk_audit(session, "bench"):
        for i in range(n_panel):
            sitting = TODAY - dt.timedelta(days=730 - (i * 730) // n_panel)
            case_type, rec = types[i % len(types)] if i % 97 else ("approval", "not_suitable")
            received = cal.add_working_days(sitting, 5)
            open_decision_from_panel(session, PanelHandoff(
                panel_item_id=i + 1, sitting_id=i // 12 + 1, sitting_date=sitting, case_type=case_type,
                subject_reference=f"ADP-{sitting.year}-{i:05d}", subject_initials=f"{ctx.first_name()[0]}."
                f"{ctx.surname()[0]}.", recommendation=rec, recommendation_text=f"Recommendation: {rec}",
                reasons="Synthetic reasons for the benchmark.", advice="", minutes_extract="Synthetic minutes.",
                minutes_approved_on=received, member_names=(ctx.full_name(), ctx.full_name())))
    t1 = time.perf_counter()
    adm_demo.populate(db, ctx)
    print(f"{N_DECISIONS:,} hand-offs in {t1 - t0:.1f} s, decided by the ADM demo in "
          f"{time.perf_counter() - t1:.1f} s", file=sys.stderr)
    return db


def main() -> int:
    use_bench_keyring()
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QTableView
    from sqlalchemy import func, select

    from adoption_desktop.adm import service
    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.adm.views.queue_model import COL_CLOCK, queue_model
    from adoption_desktop.core.security.permissions import Principal, Role
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    tmp = tempfile.TemporaryDirectory(prefix="adk-bench-adm-")
    given = os.environ.get("ADK_BENCH_DB")
    if given:
        from adoption_desktop.cli_support import open_db

        db = open_db(given)
        source = f"`ADK_BENCH_DB` ({given})"
    else:
        db = _make_db(Path(tmp.name))
        source = f"generated: {N_DECISIONS:,} panel hand-offs over two years plus the ADM demo's decisions"
    principal = Principal(0, "bench", "Bench Decider", frozenset({Role.AGENCY_DECISION_MAKER}))
    ctx = AppContext(db, principal, TaskRunner(synchronous=True))  # type: ignore[arg-type]
    with db.session(principal, write=False) as session:  # type: ignore[attr-defined]
        total = session.scalar(select(func.count()).select_from(AdmDecision))
    rows = service.list_queue(db, principal, TODAY)  # type: ignore[arg-type]

    def model_and_view() -> None:
        model = queue_model(rows)
        view = QTableView()
        view.setModel(model)
        view.setSortingEnabled(False)
        model.sort(COL_CLOCK)
        view.resize(1200, 800)
        view.show()
        app.processEvents()
        view.close()
        view.deleteLater()

    builds = [median_time(model_and_view, runs=1, warmup=0) for _ in range(11)]

    page = AdmPage(ctx)
    page.today = TODAY
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    page.resize(1500, 850)
    page.show()
    app.processEvents()

    def open_page() -> None:
        page.reload()
        app.processEvents()

    open_page()
    shown = page.model.rowCount()
    opens = [median_time(open_page, runs=1, warmup=0) for _ in range(9)]
    sorts: list[float] = []
    for _round in range(3):
        for column in range(page.model.columnCount()):
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                t0 = time.perf_counter()
                page.view.sortByColumn(column, order)
                app.processEvents()
                sorts.append(time.perf_counter() - t0)
    queries = [median_time(lambda: service.list_queue(db, principal, TODAY), runs=1, warmup=0)  # type: ignore[arg-type]
               for _ in range(9)]
    a = AdmDecision

    def raw() -> None:
        with db.session(principal, write=False) as session:  # type: ignore[attr-defined]
            session.execute(select(a.id, a.decision_type, a.state, a.subject_reference, a.subject_initials,
                                   a.received_on, a.due_on, a.decided_on, a.signed_by_name)).all()

    baseline = median_time(raw, runs=9)
    build_ms = statistics.median(builds) * 1000
    sort_ms = statistics.median(sorts) * 1000
    worst_sort = max(sorts) * 1000
    open_ms = statistics.median(opens) * 1000
    query_ms = statistics.median(queries) * 1000
    ok = build_ms <= GOAL_MS and sort_ms <= GOAL_MS and open_ms <= GOAL_MS
    page.close()
    db.dispose()  # type: ignore[attr-defined]
    tmp.cleanup()
    verdict = lambda ms: "pass" if ms <= GOAL_MS else "FAIL"  # noqa: E731
    write_section("adm", f"""## ADM decisions: queue of {shown:,} decisions (issue 4)

Data: {source}; {total:,} decisions in the database, {shown:,} in the queue (show "All"; corrected
versions are folded into their latest). Offscreen, real `AdmPage`, synchronous task runner, 2 cores.

| measure | median | goal | result |
|---|---|---|---|
| build the queue model + view with {shown:,} rows, sort by clock, show and lay out | {build_ms:.1f} ms | ≤ {GOAL_MS:.0f} ms | {verdict(build_ms)} |
| sort by a column heading ({len(sorts)} sorts, every column both ways; slowest {worst_sort:.1f} ms) | {sort_ms:.1f} ms | ≤ {GOAL_MS:.0f} ms | {verdict(sort_ms)} |
| whole page refresh incl. database query, clocks, filter, model reset | {open_ms:.1f} ms | ≤ {GOAL_MS:.0f} ms | {verdict(open_ms)} |
| of which `service.list_queue` (query + clock of each decision) | {query_ms:.1f} ms | – | – |
| baseline: raw SQL select of the same columns | {baseline * 1000:.1f} ms | – | ratio list_queue/raw {query_ms / (baseline * 1000):.1f}× |

Overall: **{"PASS" if ok else "FAIL"}**. Reproduce: `.venv/bin/python bench/bench_adm.py`
(or `ADK_BENCH_DB=PATH .venv/bin/python bench/bench_adm.py` on an existing demo database).
""")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
