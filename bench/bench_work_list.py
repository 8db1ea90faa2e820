"""Benchmark: the letterbox work list at 100,000 and 1,000,000 exchanges.

    .venv/bin/python bench/bench_work_list.py       (makes bench/out/huge-demo.db first if needed)

The work list keeps every unanswered exchange (``letterbox.rules.outstanding_exchanges``): the tab lists the
ones due in the look-back (``letterbox.work_list_look_back_months``, 24 months) and *Show older unanswered
exchanges* adds the rest on a worker thread. Measured in a fresh process per size, on the program as
shipped, five times each on a new page:

- **the tab shown**: the register page open on its Items tab (untimed, as a user who came for the
  register), then the Work list tab chosen (``QTabWidget.setCurrentWidget``, what a click or Alt+W does)
  until the page has repainted with the list: the service read, the rows into the model, the columns
  sized, the paint. Goal ≤ 300 ms (the goal the register's own opening has);
- **the read alone**: ``service.work_list`` (a read session, the two queries, the rule over every active
  arrangement): the part of the above that is not Qt;
- **older exchanges**: ``service.work_list(older=True)``, what the button reads on a worker thread (the
  window stays responsive; progress is shown): no goal, reported so its cost is known.

Writes ``bench/results/work_list.md``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import OUT, ROOT, bench_env, large_demo_db, write_section

SHOWN_GOAL_MS = 300.0
RUNS = 5


def measure(db_path: str) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select

    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.security.service import principal_for
    from adoption_desktop.core.storage.lifecycle import open_database
    from adoption_desktop.letterbox import service
    from adoption_desktop.letterbox.models import Item
    from adoption_desktop.letterbox.views.page import create_page
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    db = open_database(db_path, SecretStore())
    with db.session(write=False) as s:
        n_items = int(s.scalar(select(func.count(Item.id))) or 0)
    actor = principal_for(db, "letterbox")
    ctx = AppContext(db, actor, TaskRunner())
    shown: list[float] = []
    read: list[float] = []
    older: list[float] = []
    rows = older_rows = 0
    for _ in range(RUNS):
        page: Any = create_page(ctx)
        page.show_items()
        page.resize(1200, 800)
        page.show()
        page.repaint()
        app.processEvents()  # untimed: the register painted and settled, as before the user's click
        t0 = time.perf_counter()
        page.tabs.setCurrentWidget(page._work_tab)
        page.repaint()
        shown.append((time.perf_counter() - t0) * 1000)
        rows = page.work_model.rowCount()
        assert rows > 0, "the work list listed nothing: the benchmark would time an empty table"
        page.close()
        page.deleteLater()
        app.processEvents()
        t0 = time.perf_counter()
        listed = service.work_list(db, actor, page.today)
        read.append((time.perf_counter() - t0) * 1000)
        assert len(listed) == rows
        t0 = time.perf_counter()
        older_rows = len(service.work_list(db, actor, page.today, older=True))
        older.append((time.perf_counter() - t0) * 1000)
    db.dispose()
    return {"items": n_items, "rows": rows, "older_rows": older_rows, "shown": shown, "read": read,
            "older": older}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms ({min(values):.0f}–{max(values):.0f})"


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2])))
        return 0
    env = bench_env()
    large = large_demo_db()
    huge = OUT / "huge-demo.db"
    if not huge.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_huge.py")], env=env, check=True, cwd=ROOT)
    results = []
    for path in (large, huge):
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], env=env, cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    ok = all(statistics.median(r["shown"]) <= SHOWN_GOAL_MS for r in results)
    lines = "\n".join(
        f"| {r['items']:,} | {r['rows']:,} | **{spread(r['shown'])}** "
        f"({'met' if statistics.median(r['shown']) <= SHOWN_GOAL_MS else 'NOT MET'}) | {spread(r['read'])} | "
        f"{r['older_rows']:,} in {spread(r['older'])} |" for r in results)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    write_section("work_list", f"""## Letterbox: the work list

Fresh process per size, {RUNS} runs each on a new page; load average at the end {load:.1f}.
See `bench/bench_work_list.py` for what is timed.

| exchanges | lines listed (24-month look-back) | Work list tab shown and painted: median (min–max), goal ≤ {SHOWN_GOAL_MS:.0f} ms | the read alone (`service.work_list`) | *Show older unanswered exchanges* (worker thread): lines, time |
|---|---|---|---|---|
{lines}

The list is built only when its tab is shown (opening the register does not pay for it). The read takes
the months each arrangement received a letter not returned for changes in, from a month before the
look-back on (an index range on `received_on` whose last column is the status, so the table is not read:
migrations `lbwork_0002_items_month_index`, `lbwork_0003_items_month_status`) and the active arrangements,
then applies `rules.outstanding_exchanges` to each; older exchanges are read on request, off the UI thread.
On 5 December 2026 this benchmark found the read at 1,066 ms at 1,000,000 exchanges (the tab 1,097 ms, goal
not met): since returned letters stopped counting as received, the months whose only letters were returned
were found through the table. With the status in the index: the figures above.
Reproduce: `.venv/bin/python bench/bench_work_list.py`.
""")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
