"""Benchmark: what optimistic concurrency and presence cost per action, on an encrypted file.

    .venv/bin/python bench/bench_concurrency.py

Builds a throwaway encrypted database in a temp folder with one agenda item and its minutes, then times
(medians of 21 runs, with fastest–slowest):

* ``save_minutes`` with ``expected_version`` (row lock, version check, new version, audit entry);
* the same use case without a version (scripts' path: it still locks the item);
* floor: one bare ``UPDATE panel_minutes`` in a write transaction (no service, no audit);
* a presence round: ``acquire`` + ``who_is_editing`` + ``release``, and one ``renew`` (every 40 s per open
  editor).

Goals: a checked save ≤ 50 ms median and ≤ 1.5× the unchecked save (the check must be cheap next to the
save itself); a presence renew ≤ 15 ms. Writes ``bench/results/concurrency.md``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
RUNS = 21
SAVE_GOAL_MS = 50.0
RATIO_GOAL = 1.5
RENEW_GOAL_MS = 15.0


def _times(fn: Callable[[], object]) -> list[float]:
    fn()
    out = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _cell(ms: list[float]) -> str:
    return f"{statistics.median(ms):.1f} ms ({min(ms):.1f}–{max(ms):.1f})"


def main() -> None:
    from common import clerk_database

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        from sqlalchemy import text

        from adoption_desktop.core import presence
        from adoption_desktop.panel import service as svc

        db, clerk = clerk_database(folder)
        sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(dt.date(2026, 11, 10), venue="Room 1"))[0]  # type: ignore[arg-type]
        item = svc.add_item(db, clerk, sitting, svc.ItemInput("approval", "AD-2026-0001", "AB"))  # type: ignore[arg-type]
        row = svc.save_minutes(db, clerk, item, svc.MinutesDraft(discussion="start"))  # type: ignore[arg-type]
        state = {"v": row.row_version, "n": 0}

        def checked() -> None:
            state["n"] += 1
            saved = svc.save_minutes(db, clerk, item, svc.MinutesDraft(discussion=f"text {state['n']}"),
                                     expected_version=state["v"])
            state["v"] = saved.row_version

        def unchecked() -> None:
            state["n"] += 1
            saved = svc.save_minutes(db, clerk, item, svc.MinutesDraft(discussion=f"text {state['n']}"))
            state["v"] = saved.row_version

        def floor() -> None:
            state["n"] += 1
            with db.session() as session:
                session.execute(text("UPDATE panel_minutes SET discussion = :t WHERE id = :i"),
                                {"t": f"floor {state['n']}", "i": row.id})

        def presence_round() -> None:
            lease = presence.acquire(db, clerk, "panel_items", item)
            presence.who_is_editing(db, clerk, "panel_items", item, mine=lease)
            presence.release(db, clerk, lease)

        lease = presence.acquire(db, clerk, "panel_items", item)
        results = {"checked": _times(checked), "unchecked": _times(unchecked), "floor": _times(floor),
                   "presence": _times(presence_round),
                   "renew": _times(lambda: presence.renew(db, clerk, lease))}
        db.dispose()

    med = {k: statistics.median(v) for k, v in results.items()}
    ratio = med["checked"] / med["unchecked"]
    save_ok = med["checked"] <= SAVE_GOAL_MS and ratio <= RATIO_GOAL
    renew_ok = med["renew"] <= RENEW_GOAL_MS
    lines = [
        "## Concurrency: cost of version checks and presence",
        "",
        f"One agenda item's minutes saved through the service, {RUNS} runs each (median, fastest–slowest), "
        "on an encrypted file.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| `save_minutes` with `expected_version` (lock, check, new version, audit) | {_cell(results['checked'])} |",
        f"| `save_minutes` without a version (locks the item, no check) | {_cell(results['unchecked'])} |",
        f"| floor: bare `UPDATE panel_minutes` in a write transaction | {_cell(results['floor'])} |",
        f"| ratio checked / unchecked | {ratio:.2f}× |",
        f"| ratio checked / floor | {med['checked'] / med['floor']:.1f}× |",
        f"| presence: acquire + who is editing + release | {_cell(results['presence'])} |",
        f"| presence: renew (every {presence.RENEW_SECONDS} s per open editor) | {_cell(results['renew'])} |",
        f"| goal: checked save ≤ {SAVE_GOAL_MS:.0f} ms and ≤ {RATIO_GOAL}× unchecked | "
        f"{'PASS' if save_ok else 'NOT MET'} |",
        f"| goal: renew ≤ {RENEW_GOAL_MS:.0f} ms | {'PASS' if renew_ok else 'NOT MET'} |",
        "",
        "Reproduce: `.venv/bin/python bench/bench_concurrency.py`",
    ]
    from common import write_section

    write_section("concurrency", "\n".join(lines))


if __name__ == "__main__":
    main()
