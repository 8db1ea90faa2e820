"""Reports benchmark (issue 16): the annual report on the large demo is built and written in <= 5 s.

Uses the large demo database (``adoption-desktop demo --size large``, made once in ``bench/out`` or the
file named by ``ADK_BENCH_DB``). Measured in this process, as a manager (reports.view only):

* the annual report end to end: ``build_report`` (every area's figures for the year, the year before and
  the same period last year, membership, ADM by type, journey measures, eight quarters) + ``write_report_docx``
  (tables, three Pillow charts, save);
* its two halves apart;
* floor: the existing figures for the one period (``reports.service.collect``), what the Reports page
  already counted before this issue; the ratio says what three periods and the charts cost on top;
* the Ofsted pack (three sets of minutes, central list, ADM timeliness, the year's figures), no goal.

    .venv/bin/python bench/bench_reports.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import large_demo_db, use_bench_keyring, write_section

GOAL_S = 5.0
RUNS = 5


def _times(fn: Callable[[], object], runs: int = RUNS) -> list[float]:
    fn()  # warm-up: imports, fonts, SQLCipher page cache
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _cell(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"


def main() -> int:
    use_bench_keyring()
    from adoption_desktop import demo
    from adoption_desktop.cli_support import open_db
    from adoption_desktop.core.security.service import authenticate
    from adoption_desktop.reports import service
    from adoption_desktop.reports.ofsted import write_ofsted_pack
    from adoption_desktop.reports.periods import default_period
    from adoption_desktop.reports.report_data import build_report
    from adoption_desktop.reports.report_docx import write_report_docx

    path = large_demo_db()
    db = open_db(path)
    manager = authenticate(db, "manager", demo.DEMO_PASSWORD)
    officer = authenticate(db, "paneladmin", demo.DEMO_PASSWORD)
    today = dt.date.today()
    period = default_period("annual", today)
    tmp = Path(tempfile.mkdtemp(prefix="adk-bench-reports-"))
    out = tmp / "annual.docx"
    data = build_report(db, manager, period, "annual")

    total = _times(lambda: write_report_docx(build_report(db, manager, period, "annual"), out))
    build = _times(lambda: build_report(db, manager, period, "annual"))
    write = _times(lambda: write_report_docx(data, out))
    floor = _times(lambda: service.collect(db, manager, period.start, period.end))
    pack = _times(lambda: write_ofsted_pack(db, officer, tmp / "pack.pdf", as_of=today), runs=3)
    db.dispose()
    median = statistics.median(total)
    ok = median <= GOAL_S
    k = data.key[0]
    md = f"""## Reports: the annual report and the Ofsted pack (issue 16)

Data: the large demo (`{path.name}`): {k.items} panel items, {k.adm_decisions} ADM decisions, {k.exchanges:,} post box
exchanges, {k.referrals} counselling referrals in {period.start}..{period.end}, counted again for the
comparison year and for eight quarters. {RUNS} runs after a warm-up; median (min–max).

| measure | median (min–max) | goal | result |
|---|---|---|---|
| annual report end to end: three periods' figures, eight quarters, .docx with 3 charts | {_cell(total)} | ≤ {GOAL_S:g} s | {"pass" if ok else "NOT MET"} |
| of which: the numbers (`build_report`) | {_cell(build)} | – | – |
| of which: the Word document and its charts (`write_report_docx`) | {_cell(write)} | – | – |
| floor: one period's figures as the Reports page counts them (`service.collect`) | {_cell(floor)} | – | ratio report/floor {median / statistics.median(floor):.1f}× |
| Ofsted pack: 3 sets of minutes, central list, ADM timeliness, year's figures (3 runs) | {_cell(pack)} | – | – |

Overall: **{"PASS" if ok else "NOT MET"}**. Reproduce: `.venv/bin/python bench/bench_reports.py`
(or `ADK_BENCH_DB=PATH .venv/bin/python bench/bench_reports.py` on an existing demo database).
"""
    write_section("reports", md)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
