"""Benchmark: a 12-item panel minutes export (.docx from the editable template), median of 9 runs.

    .venv/bin/python bench/bench_panel.py

Builds a throwaway encrypted database in a temp folder, fills one sitting with 12 items with full minutes
(declarations, members' views, advice), then times
``minutes_pack`` + ``write_minutes_docx`` (what ``export minutes`` does). Baseline in the same run: an
empty python-docx document saved to disk. Writes ``bench/results/panel.md``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
RUNS = 9


def _setup(folder: Path, n_items: int = 12) -> tuple[object, object, int]:
    from common import clerk_database

    from adoption_desktop.panel import service as svc

    db, clerk = clerk_database(folder)
    people = [("Rowan Ashcombe", "chair", None, True), ("Kit Brambleby", "vice_chair", None, True),
              ("Tara Dunmere", "social_worker", 6, False), ("Eli Fenwick", "social_worker", 4, False),
              ("Dr Quinn Hazelford", "medical_adviser", None, False), ("Nia Larkholt", "personal_experience", None, True),
              ("Cara Moss", "specialist", None, True), ("Gus Mossley", "panel_adviser", 12, False),
              ("Bea Nettleton", "legal_adviser", None, False), ("Ivo Pebbleton", "minute_taker", None, False)]
    ids = [svc.add_member(db, clerk, svc.MemberInput(n, r, dt.date(2024, 1, 1), p, i)).id for n, r, p, i in people]
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(dt.date(2026, 11, 10), "09:30", "16:30",
                                                                "Committee Room 1, Civic Offices, Ambleford ZZ99 1AB"))[0]
    for mid in ids:
        svc.set_attendance(db, clerk, sitting, mid, "present")
    kinds = ["approval", "match", "match", "review", "approval", "match", "early_permanence", "approval",
             "match", "termination", "approval", "match"]
    kinds = (kinds * (n_items // len(kinds) + 1))[:n_items]
    for n, kind in enumerate(kinds):
        item = svc.add_item(db, clerk, sitting, svc.ItemInput(kind, f"AD-2026-{n:04d}", "AB/CD", "Jay Quillby",
                                                             f"{9 + (n % 16) // 2}:{'00' if n % 2 == 0 else '30'}"))
        if n % 4 == 0:
            svc.declare_interest(db, clerk, item, ids[6], "Knows the applicants socially")
        outcome = {"approval": "suitable", "match": "match_recommended", "review": "remains_suitable",
                   "early_permanence": "ep_suitable", "termination": "terminate"}[kind]
        svc.save_minutes(db, clerk, item, svc.MinutesDraft(
            outcome=outcome, reasons="The panel's reasons, set out over a few sentences. " * 6,
            discussion="Questions and answers with the presenting social worker and the applicants. " * 12,
            member_views={mid: "In favour; the assessment is thorough and the support plan is clear." for mid in ids[:7]},
            vote="unanimous", advice_number=2 if outcome == "suitable" else None,
            advice_age_range="0-4 years" if outcome == "suitable" else ""))
    return db, clerk, sitting


def _measure(n_items: int) -> tuple[list[float], list[float], int, int]:
    from docx import Document

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db, clerk, sitting = _setup(folder, n_items)
        from adoption_desktop.panel import documents
        from adoption_desktop.panel import service as svc

        times, base = [], []
        for run in range(RUNS):
            t0 = time.perf_counter()
            Document().save(str(folder / f"empty{run}.docx"))
            base.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            pack = svc.minutes_pack(db, clerk, sitting)  # type: ignore[arg-type]
            documents.write_minutes_docx(pack, folder / f"minutes{run}.docx")
            times.append(time.perf_counter() - t0)
        items = len(pack.items)
        size = (folder / "minutes0.docx").stat().st_size
        db.dispose()  # type: ignore[attr-defined]
    return times, base, items, size


GOALS = {12: 0.5, 40: 1.2}


def main() -> int:
    rows = []
    ok_all = True
    for n_items, goal in GOALS.items():
        times, base, items, size = _measure(n_items)
        median, baseline = statistics.median(times), statistics.median(base)
        ok = median <= goal and items == n_items
        ok_all = ok_all and ok
        rows.append(f"| {n_items} items ({size // 1024} KB) | {median * 1000:.0f} ms "
                    f"({min(times) * 1000:.0f}–{max(times) * 1000:.0f}) | {baseline * 1000:.0f} ms | "
                    f"{median / baseline:.1f}× | ≤ {goal * 1000:.0f} ms | {'met' if ok else 'NOT MET'} |")
    lines = [
        "## Panel: minutes export",
        "",
        "Sitting minutes as .docx from `resources/templates/minutes.docx`, database read included "
        f"(`minutes_pack` + `write_minutes_docx`, as `export minutes` does); median of {RUNS} runs in process. "
        "Floor in the same run: an empty python-docx document saved to disk.",
        "",
        "| minutes | median (min–max) | floor | ratio | goal | result |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "Reproduce: `.venv/bin/python bench/bench_panel.py`",
        "",
    ]
    out = ROOT / "bench" / "results" / "panel.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if ok_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
