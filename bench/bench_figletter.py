"""Benchmark of the contact, birth-parent support and adopters' journey figures (issue 16) on the large
demo: what the three new figures modules cost beside the letterbox's own figures for the same year (the
floor, same run), what the Reports page's three periods cost beside one period, and opening the longest
list behind a figure (every item received by post in a year).

Goals: the new sections together cost no more than the letterbox figures they sit beside (ratio ≤ 1×); the
three-period page costs no more than 3.5× one period; the longest list opens in ≤ 1 s.
Writes ``bench/results/figletter.md``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import large_demo_db, use_bench_keyring, write_section

RUNS = 5


def _times(fn: Callable[[], object], runs: int = RUNS) -> list[float]:
    fn()  # warm-up: imports and the SQLCipher page cache
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _cell(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.0f} ms ({min(times) * 1000:.0f}–{max(times) * 1000:.0f})"


def main() -> int:
    use_bench_keyring()
    from adoption_desktop import demo
    from adoption_desktop.cli_support import open_db
    from adoption_desktop.core.security.service import authenticate
    from adoption_desktop.journey import adopter_figures
    from adoption_desktop.letterbox import contact_figures, support_figures
    from adoption_desktop.letterbox import figures as letterbox_figures
    from adoption_desktop.reports import service
    from adoption_desktop.reports.behind import open_figure
    from adoption_desktop.reports.periods import default_period

    path = large_demo_db()
    db = open_db(path)
    admin = authenticate(db, "admin", demo.DEMO_PASSWORD)  # reports.view and letterbox.view
    period = default_period("annual", dt.date.today())
    s, e = period.start, period.end

    def new_sections() -> None:
        contact_figures.figures(db, admin, s, e)
        support_figures.figures(db, admin, s, e)
        adopter_figures.figures(db, admin, s, e)

    new = _times(new_sections)
    floor = _times(lambda: letterbox_figures.figures(db, admin, s, e))
    one = _times(lambda: service.collect(db, admin, s, e), runs=3)
    three = _times(lambda: service.collect_compared(db, admin, s, e), runs=3)
    post = open_figure(db, admin, contact_figures.EMAIL, contact_figures.CHANNEL_LABELS["post"], s, e)
    behind = _times(lambda: open_figure(db, admin, contact_figures.EMAIL, contact_figures.CHANNEL_LABELS["post"],
                                        s, e))
    db.dispose()
    r_new = statistics.median(new) / statistics.median(floor)
    r_three = statistics.median(three) / statistics.median(one)
    t_behind = statistics.median(behind)
    goals = [("new sections / letterbox figures", r_new <= 1.0), ("three periods / one period", r_three <= 3.5),
             ("longest list opened", t_behind <= 1.0)]
    ok = all(g for _n, g in goals)
    md = f"""## Contact, birth-parent support and adopters' journey figures (issue 16)

Data: the large demo (`{path.name}`), the year {s}..{e}; the longest list behind a figure is every item
received by post in that year ({len(post.rows):,} rows). {RUNS} runs after a warm-up (3 for the whole page);
median (min–max).

| measure | median (min–max) | goal | result |
|---|---|---|---|
| the three new figures modules (e-mail facility use, direct contact, support referrals, adopters' stages) | {_cell(new)} | ≤ 1× the floor | {r_new:.2f}× {"pass" if r_new <= 1.0 else "NOT MET"} |
| floor: the letterbox's own figures for the same year (`letterbox.figures`) | {_cell(floor)} | – | – |
| Reports page, one period (`service.collect`) | {_cell(one)} | – | – |
| Reports page, three periods (`service.collect_compared`) | {_cell(three)} | ≤ 3.5× one period | {r_three:.2f}× {"pass" if r_three <= 3.5 else "NOT MET"} |
| the list behind "Items received by post" (`reports.behind.open_figure`) | {_cell(behind)} | ≤ 1 s | {"pass" if t_behind <= 1.0 else "NOT MET"} |

Overall: **{"PASS" if ok else "NOT MET: " + ", ".join(n for n, g in goals if not g)}**.
Reproduce: `.venv/bin/python bench/bench_figletter.py` (or `ADK_BENCH_DB=PATH …` on an existing large demo).
"""
    write_section("figletter", md)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
