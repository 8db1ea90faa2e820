"""Benchmark: search-as-you-type in the exchange register at 100,000 and 1,000,000 exchanges.

    .venv/bin/python bench/bench_search.py            (makes bench/out/huge-demo.db first if needed)

Per keystroke of ten surnames typed letter by letter, in one process, alternating:
- **the program**: ``Register.apply_search(prefix)`` (what the debounce timer calls: the capped count, the
  first page, the model reset) and a synchronous repaint of the register's table;
- **floor**: exactly the SQL statements the program sent for that keystroke (captured from the engine),
  run raw on the same connection pool, and a bare ``QTableView`` over a minimal model of the same rows
  reset and repainted.
Median, p90 and min–max; goals (issue 17): program ≤ 1.2× the floor at both sizes, and at 1,000,000
p90 ≤ 2× the median. Also the register opened at 1,000,000 exchanges (page built with the Items tab
chosen, shown and painted), goal ≤ 300 ms; and the same keystrokes in team mode on a throwaway
PostgreSQL 15 holding the large demo, goal ≤ 1.5× SQLCipher. Writes ``bench/results/search.md``.

    .venv/bin/python bench/bench_search.py --pg     (only SQLCipher at 100,000 and PostgreSQL; rewrites
                                                     the PostgreSQL line of the results file)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import OUT, ROOT, bench_env, large_demo_db, use_bench_keyring, write_section

RATIO_GOAL, P90_GOAL, OPEN_GOAL_MS, PG_GOAL = 1.2, 2.0, 300.0, 1.5


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def measure(db_path: str) -> dict[str, Any]:
    from PySide6.QtCore import QAbstractTableModel, Qt
    from PySide6.QtWidgets import QApplication, QTableView
    from sqlalchemy import event, func, select

    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.security.service import principal_for
    from adoption_desktop.core.storage.lifecycle import open_database
    from adoption_desktop.letterbox.models import Arrangement, Item
    from adoption_desktop.letterbox.views.page import create_page
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    db = open_database(db_path, SecretStore())
    with db.session(write=False) as s:
        n_items = int(s.scalar(select(func.count(Item.id))) or 0)
        names = [r for r in s.scalars(select(Arrangement.child_birth_name).order_by(Arrangement.id).limit(40))]
    actor = principal_for(db, "letterbox")
    ctx = AppContext(db, actor, TaskRunner(synchronous=True))

    open_ms: list[float] = []
    for _ in range(5):
        t0 = time.perf_counter()
        page = create_page(ctx)
        page.show_items()  # type: ignore[attr-defined]  # the register the user came for
        page.resize(1200, 800)
        page.show()
        page.repaint()
        open_ms.append((time.perf_counter() - t0) * 1000)
        page.close()
        page.deleteLater()
    page = create_page(ctx)
    page.show_items()  # type: ignore[attr-defined]
    page.resize(1200, 800)
    page.show()
    register = page.items_register  # type: ignore[attr-defined]

    class Bare(QAbstractTableModel):
        rows: list[tuple[Any, ...]] = []  # noqa: RUF012 - replaced, never mutated

        def rowCount(self, parent: Any = None) -> int:  # noqa: N802
            return len(self.rows)

        def columnCount(self, parent: Any = None) -> int:  # noqa: N802
            return 9

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if role == Qt.ItemDataRole.DisplayRole:
                row = self.rows[index.row()]
                return str(row[index.column()]) if index.column() < len(row) else ""
            return None

    bare_model = Bare()
    bare_view = QTableView()
    bare_view.setModel(bare_model)
    bare_view.resize(register.view.size())
    bare_view.show()

    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    words = [n.split()[-1].lower() for n in names[:10]]
    prog: list[float] = []
    floor: list[float] = []
    for word in words:
        for k in range(1, len(word) + 1):
            prefix = word[:k]
            captured.clear()
            t0 = time.perf_counter()
            register.apply_search(prefix)
            register.view.viewport().repaint()
            prog.append((time.perf_counter() - t0) * 1000)
            statements = list(captured)
            raw = db.engine.raw_connection()
            try:
                t0 = time.perf_counter()
                cur = raw.cursor()
                last: list[tuple[Any, ...]] = []
                for statement, params in statements:
                    cur.execute(statement, params)
                    got = cur.fetchall() if cur.description else []
                    if len(got) > 1 or (got and len(got[0]) > 1):
                        last = [tuple(r) for r in got]
                bare_model.beginResetModel()
                bare_model.rows = last
                bare_model.endResetModel()
                bare_view.viewport().repaint()
                floor.append((time.perf_counter() - t0) * 1000)
                raw.rollback()
            finally:
                raw.close()
        register.apply_search("")
    event.remove(db.engine, "before_cursor_execute", capture)
    db.dispose()
    app.processEvents()
    return {"items": n_items, "prog": prog, "floor": floor, "open": open_ms}


def child(db: str) -> None:
    import json

    use_bench_keyring()
    print(json.dumps(measure(db)))


def postgres_large(folder: Path) -> tuple[str, Any]:
    """A throwaway PostgreSQL 15 on loopback (as the tests start it) holding the large demo."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine

    from adoption_desktop import demo
    from adoption_desktop.core.storage import migrations
    from adoption_desktop.core.storage.engine import open_postgresql
    from tests.pg import start_postgres

    server = start_postgres(folder)
    if server is None:
        raise RuntimeError("PostgreSQL could not be started")
    url = server.empty_database_url("bench_")
    db = open_postgresql(url)
    migrations.create_schema(db)
    demo.populate(db, "large")
    db.dispose()
    engine = create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum has done on a team's server in use
    engine.dispose()
    return url, server


def postgres_line(env: dict[str, str], lite_prog: list[float], lite_db: str | None = None,
                  rounds: int = 3) -> tuple[str, bool]:
    """The team-mode keystrokes on a throwaway PostgreSQL holding the large demo, against the SQLCipher
    keystrokes (100,000 exchanges) of the same run: the results file's PostgreSQL line, goal met.

    With ``lite_db`` the two are measured in ``rounds`` alternating rounds (SQLCipher, PostgreSQL, …) and
    pooled, so a change in the machine's load between the two is not read as a ratio (the machine is
    shared); ``lite_prog`` is then the first SQLCipher round."""
    import json

    def keystrokes(target: str) -> dict[str, Any]:
        out = subprocess.run([sys.executable, __file__, "--child", target], env=env, cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result

    line = "PostgreSQL 15: not measured: PostgreSQL could not be started here"
    folder = Path(tempfile.mkdtemp(prefix="adk-bench-pg-"))
    server = None
    try:
        url, server = postgres_large(folder)
        lite_all: list[float] = []
        pg_all: list[float] = []
        pg_floor: list[float] = []
        ratios: list[float] = []
        items = 0
        for r in range(rounds if lite_db else 1):
            lite_round = lite_prog if r == 0 else keystrokes(str(lite_db))["prog"]
            pg = keystrokes(url)
            items = pg["items"]
            lite_all += lite_round
            pg_all += pg["prog"]
            pg_floor += pg["floor"]
            ratios.append(statistics.median(pg["prog"]) / statistics.median(lite_round))
        pg_m, lite_m = statistics.median(pg_all), statistics.median(lite_all)
        ok = pg_m / lite_m <= PG_GOAL
        per_round = " / ".join(f"{x:.2f}×" for x in ratios)
        line = (f"PostgreSQL 15 (team mode: stored tsvector + GIN, count and page in one statement) at "
                f"{items:,} exchanges, {len(ratios)} round(s) alternating with SQLCipher: **{pg_m:.1f} ms** per "
                f"keystroke (p90 {p90(pg_all):.1f}; {min(pg_all):.1f}–{max(pg_all):.1f}; same SQL raw "
                f"{statistics.median(pg_floor):.1f} ms) against SQLCipher's {lite_m:.1f} ms (p90 {p90(lite_all):.1f}): "
                f"**{pg_m / lite_m:.2f}×** (per round {per_round}; goal ≤ {PG_GOAL}×: {'met' if ok else 'NOT MET'})")
        return line, ok
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        return line + f" ({type(exc).__name__})", True
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def postgres_only(env: dict[str, str]) -> int:
    """``--pg``: only the SQLCipher 100,000 keystrokes and the PostgreSQL ones; rewrites the PostgreSQL
    line of ``bench/results/search.md`` and leaves the rest of it as it was."""
    import json

    large = str(large_demo_db())
    out = subprocess.run([sys.executable, __file__, "--child", large], env=env, cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    lite = json.loads(out.strip().splitlines()[-1])
    line, ok = postgres_line(env, lite["prog"], large)
    path = ROOT / "bench" / "results" / "search.md"
    kept: list[str] = []
    for x in path.read_text(encoding="utf-8").splitlines():
        if x.startswith("PostgreSQL 15"):
            continue
        if not x and kept and not kept[-1]:
            continue  # the blank line that followed it
        kept.append(x)
    at = next((i for i, x in enumerate(kept) if x.startswith("Counts stop at")), len(kept))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    kept[at:at] = [f"{line} (load average at the end {load:.1f}).", ""]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    print(line)
    return 0 if ok else 1


def main() -> int:
    import json

    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return 0
    if sys.argv[1:] == ["--pg"]:
        return postgres_only(bench_env())
    env = bench_env()
    large = large_demo_db()
    huge = OUT / "huge-demo.db"
    if not huge.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_huge.py")], env=env, check=True, cwd=ROOT)
    results = {}
    for label, path in (("100,000", str(large)), ("1,000,000", str(huge))):
        out = subprocess.run([sys.executable, __file__, "--child", path], env=env, cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        results[label] = json.loads(out.strip().splitlines()[-1])
    pg_line, pg_ok = postgres_line(env, results["100,000"]["prog"], str(large))
    rows = []
    ok = True
    for label, r in results.items():
        pm, fm = statistics.median(r["prog"]), statistics.median(r["floor"])
        ratio = pm / fm
        tail = p90(r["prog"]) / pm
        ratio_ok = ratio <= RATIO_GOAL
        tail_ok = tail <= P90_GOAL or label == "100,000"
        ok = ok and ratio_ok and tail_ok
        rows.append(f"| {r['items']:,} | {pm:.1f} ms (p90 {p90(r['prog']):.1f}; {min(r['prog']):.1f}–{max(r['prog']):.1f}) | "
                    f"{fm:.1f} ms (p90 {p90(r['floor']):.1f}) | **{ratio:.2f}×** ({'met' if ratio_ok else 'NOT MET'}) | "
                    f"{tail:.2f}× ({'met' if tail_ok else 'NOT MET'}{'' if label != '100,000' else ', no goal'}) |")
    huge_open = statistics.median(results["1,000,000"]["open"])
    open_ok = huge_open <= OPEN_GOAL_MS
    ok = ok and open_ok and pg_ok
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    n = len(results["100,000"]["prog"])
    write_section("search", f"""## Letterbox: search-as-you-type and opening the register

{n} keystrokes (ten surnames typed letter by letter) per size, program and floor alternating in one
process; load average at the end {load:.1f}. See `bench/bench_search.py`.

| exchanges | program per keystroke: median (p90; min–max) | floor: same SQL raw + bare `QTableView` | ratio (goal ≤ {RATIO_GOAL}×) | p90 / median (goal ≤ {P90_GOAL}× at 1M) |
|---|---|---|---|---|
{chr(10).join(rows)}

Opening the exchange register at 1,000,000 exchanges (page built with the Items tab chosen, shown, painted;
median of 5): **{huge_open:.0f} ms** (goal ≤ {OPEN_GOAL_MS:.0f} ms: {'met' if open_ok else 'NOT MET'}).

{pg_line}.

Counts stop at 10,000 (`letterbox.service.COUNT_CAP`: "more than 10,000 … type more to narrow");
the work list is built only when its tab is shown. The 1,000,000-exchange database is made by
`bench/make_huge.py` (from the large demo, inside the database).
""")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
