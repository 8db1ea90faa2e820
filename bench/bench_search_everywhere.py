"""Benchmark: search everywhere (Ctrl+K) per keystroke on the large demo (100,000 letterbox items, 1,500
arrangements, 2,000 counselling cases, the panel and ADM of several years).

    .venv/bin/python bench/bench_search_everywhere.py     (makes bench/out/large-demo.db first if needed)

Signed in as the demo administrator (who may see every area searched), the popup is shown and queries
are typed letter by letter: surnames, counselling and ADM references, initials and dates. Per keystroke,
in one process, alternating:
- **the program**: ``SearchEverywhereDialog.run_search(prefix)`` (what the popup runs for a keystroke:
  the search service's one read transaction over every area, the model reset, the first record made
  current) and a synchronous repaint of the result list; no extra ``processEvents``;
- **floor**: exactly the SQL statements the program sent for that keystroke (captured from the engine,
  including the session's start), run raw on the same connection pool, and the rows they returned shown
  as plain strings in a bare ``QListView`` (model reset and repaint).
Median, p90 and min–max; goal (issue 15): ≤ 50 ms per keystroke (median and p90). The ratio to the floor
is reported (no goal: it shows what the Python around the SQL costs). Writes
``bench/results/search_everywhere.md``.
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
from common import ROOT, bench_env, large_demo_db, use_bench_keyring, write_section

GOAL_MS = 50.0
REPEAT = 3  # each keystroke is also run twice more: the best of the three shows the cost without the
#             scheduler's noise of a shared machine (the first run is the one measured against the goal)


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def queries(db: Any) -> list[str]:
    from sqlalchemy import select

    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.letterbox.models import Arrangement, Item

    with db.session(write=False) as s:
        names = list(s.scalars(select(Arrangement.child_birth_name).order_by(Arrangement.id).limit(400)))
        cases = list(s.scalars(select(CounsellingCase.reference).order_by(CounsellingCase.id).limit(1500)))
        decisions = list(s.scalars(select(AdmDecision.subject_reference).order_by(AdmDecision.id).limit(300)))
        initials = [i for i in s.scalars(select(AdmDecision.subject_initials).where(
            AdmDecision.subject_initials.like("%.%")).limit(5)) if i]
        days = list(s.scalars(select(Item.received_on).order_by(Item.id).limit(90000)))
    surnames = [n.split()[-1] for n in names if n][::97][:4]
    return [*surnames, cases[700], cases[1400], decisions[150], decisions[290], *(initials[:1] or ["J.V."]),
            f"{days[30000]:%d/%m/%Y}", f"{days[80000]:%d/%m/%Y}"]


def measure(db_path: str) -> dict[str, Any]:
    from PySide6.QtCore import QStringListModel
    from PySide6.QtWidgets import QApplication, QListView
    from sqlalchemy import event, func, select

    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.security.service import principal_for
    from adoption_desktop.core.storage.lifecycle import open_database
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.letterbox.models import Item
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.search_everywhere import SearchEverywhereDialog
    from adoption_desktop.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    db = open_database(db_path, SecretStore())
    with db.session(write=False) as s:
        n_items = int(s.scalar(select(func.count(Item.id))) or 0)
        n_cases = int(s.scalar(select(func.count(CounsellingCase.id))) or 0)
    typed = queries(db)
    actor = principal_for(db, "admin")
    dialog = SearchEverywhereDialog(AppContext(db, actor, TaskRunner(synchronous=True)))
    dialog.resize(720, 460)
    dialog.show()
    app.processEvents()  # shown and laid out once, before anything is timed
    dialog.run_search("warm")
    dialog.view.viewport().repaint()
    bare_model = QStringListModel()
    bare_view = QListView()
    bare_view.setModel(bare_model)
    bare_view.resize(dialog.view.size())
    bare_view.show()
    app.processEvents()

    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    prog: list[float] = []
    best: list[float] = []
    floor: list[float] = []
    per_query: dict[str, list[float]] = {}
    for text in typed:
        for k in range(1, len(text) + 1):
            prefix = text[:k]
            runs = []
            for _ in range(REPEAT):
                captured.clear()
                t0 = time.perf_counter()
                dialog.run_search(prefix)
                dialog.view.viewport().repaint()
                runs.append((time.perf_counter() - t0) * 1000)
            ms = runs[0]  # the keystroke as typed
            prog.append(ms)
            best.append(min(runs))
            per_query.setdefault(text, []).append(ms)
            statements = list(captured)
            raw = db.engine.raw_connection()
            try:
                t0 = time.perf_counter()  # (the statements of the last run: the same SQL each time)
                cur = raw.cursor()
                shown: list[str] = []
                for statement, params in statements:
                    cur.execute(statement, params)
                    if cur.description:
                        shown.extend(" ".join(str(v) for v in row) for row in cur.fetchall())
                bare_model.setStringList(shown)  # the same rows, as plain strings, in a bare list
                bare_view.viewport().repaint()
                floor.append((time.perf_counter() - t0) * 1000)
                raw.rollback()
            finally:
                raw.close()
        dialog.box.clear()
    event.remove(db.engine, "before_cursor_execute", capture)
    dialog.close()
    bare_view.close()
    db.dispose()
    app.processEvents()
    kinds = ["surname"] * 4 + ["counselling reference"] * 2 + ["ADM reference"] * 2 + ["initials"] + ["date"] * 2
    return {"items": n_items, "cases": n_cases, "prog": prog, "best": best, "floor": floor,
            "per_query": [(kind, q, statistics.median(v), max(v)) for kind, (q, v) in zip(kinds, per_query.items(),
                                                                                          strict=False)]}


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        use_bench_keyring()
        print(json.dumps(measure(sys.argv[2])))
        return 0
    env = bench_env()
    large = large_demo_db()
    out = subprocess.run([sys.executable, __file__, "--child", str(large)], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    prog, floor = r["prog"], r["floor"]
    med, p, fmed = statistics.median(prog), p90(prog), statistics.median(floor)
    ok = med <= GOAL_MS and p <= GOAL_MS
    load = os.getloadavg()[0]
    lines = [
        "## Search everywhere (Ctrl+K): per keystroke on the large demo",
        "",
        f"{len(prog)} keystrokes (11 queries typed letter by letter: 4 surnames, 2 counselling references, "
        f"2 ADM references, initials, 2 dates), signed in as the administrator (every area searched), over "
        f"{r['items']:,} letterbox items and {r['cases']:,} counselling cases; program and floor alternating "
        f"in one process; load average at the end {load:.1f} (2 cores shared). See "
        "`bench/bench_search_everywhere.py`.",
        "",
        "| | per keystroke: median (p90; min–max) | goal |",
        "|---|---|---|",
        f"| **program**: `run_search` (service + model reset) + list repaint | **{med:.1f} ms** (p90 {p:.1f}; "
        f"{min(prog):.1f}–{max(prog):.1f}) | ≤ {GOAL_MS:.0f} ms: **{'met' if ok else 'NOT MET'}** |",
        f"| program, best of {REPEAT} runs of each keystroke (shared-machine noise removed) | "
        f"{statistics.median(r['best']):.1f} ms (p90 {p90(r['best']):.1f}; {min(r['best']):.1f}–{max(r['best']):.1f})"
        f" | {'met' if p90(r['best']) <= GOAL_MS else 'NOT MET'} (p90) |",
        f"| floor: the same SQL statements raw + a bare `QListView` reset and repainted | {fmed:.1f} ms (p90 {p90(floor):.1f}; "
        f"{min(floor):.1f}–{max(floor):.1f}) | |",
        f"| ratio program / floor (medians) | {med / fmed:.2f}× | (no goal) |",
        "",
        "Per query (median and worst keystroke):",
        "",
        "| kind | typed | median | worst |",
        "|---|---|---|---|",
        *(f"| {kind} | `{q}` | {m:.1f} ms | {w:.1f} ms |" for kind, q, m, w in r["per_query"]),
        "",
        "Letterbox items and arrangements are read through their full-text indexes (items: the newest logged "
        "first, straight from the index with LIMIT, so a one-letter prefix costs what a surname does); panel "
        "items, ADM decisions and counselling cases by LIMITed queries. No audit entry is written per keystroke.",
    ]
    if not ok:
        lines.append("")
        lines.append(f"Goal NOT MET: median {med:.1f} ms / p90 {p:.1f} ms against {GOAL_MS:.0f} ms.")
    write_section("search_everywhere", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
