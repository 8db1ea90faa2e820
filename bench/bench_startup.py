"""Benchmark: process start to the main window's first paint, the real program against a bare window.

    .venv/bin/python bench/bench_startup.py

Both are fresh processes timed from outside, from spawning to the line each prints from its first
paint event:
- the program as shipped: the ``adoption-desktop`` console script (the GUI path, ``--db`` the large demo),
  with ``ADOPTION_DESKTOP_REPORT_FIRST_PAINT=1``, which makes ``MainWindow.paintEvent`` print
  ``first-paint`` and changes nothing else (no extra event processing, no reordering);
- the floor: a bare PySide6 ``QMainWindow`` of the same size whose ``paintEvent`` prints the same line,
  run with ``app.exec()`` like the program.
The program's modules are compiled to bytecode first, as installing does (the bundle and a wheel install
carry .pyc files; under PYTHONDONTWRITEBYTECODE=1 every changed module would otherwise be compiled from
source on every run). Each process is ended once the line arrives. One warm-up run of each first (the OS file cache, as a
user's second start has it); then 9 alternating runs. Median and min–max; goal ≤ 1.5× the floor.
Writes ``bench/results/startup.md``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, bench_env, compile_as_installed, large_demo_db, write_section

RUNS = 9
GOAL = 1.5
BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
class W(QMainWindow):
    done = False
    def paintEvent(self, e):
        super().paintEvent(e)
        if not self.done:
            self.done = True
            print("first-paint", flush=True)
app = QApplication(sys.argv)
w = W()
w.resize(1280, 800)
w.show()
app.exec()
"""


def _time_to_paint(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "first-paint":
                return time.perf_counter() - t0
        raise RuntimeError(f"{cmd[:3]} ended without painting (exit {proc.wait()})")
    finally:
        proc.kill()
        proc.wait()


def program_command(db: Path) -> list[str]:
    script = Path(sys.executable).with_name("adoption-desktop")
    if script.exists():
        return [str(script), "--db", str(db)]
    return [sys.executable, "-m", "adoption_desktop", "--db", str(db)]


def main() -> int:
    db = large_demo_db()
    env = bench_env()
    env.pop("PYTHONPATH", None)  # the program as installed: nothing of the bench folder on its path
    env["ADOPTION_DESKTOP_REPORT_FIRST_PAINT"] = "1"
    compile_as_installed()  # the program runs from bytecode, as installed
    bare_cmd = [sys.executable, "-c", BARE]
    app_cmd = program_command(db)
    _time_to_paint(bare_cmd, env)
    _time_to_paint(app_cmd, env)
    bare, app = [], []
    for _ in range(RUNS):
        bare.append(_time_to_paint(bare_cmd, env))
        app.append(_time_to_paint(app_cmd, env))
    b, a = statistics.median(bare), statistics.median(app)
    ratio = a / b
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    write_section("startup", f"""## Start-up: first paint of the real program

Spawn to the first paint event of the main window, measured from outside (see `bench/bench_startup.py`):
the `adoption-desktop` console script on the large demo database against a bare PySide6 `QMainWindow`
process; {RUNS} alternating runs after one warm-up each; load average at the end {load:.1f}.

| | median (min–max) |
|---|---|
| bare PySide6 `QMainWindow`, `app.exec()` | {b * 1000:.0f} ms ({min(bare) * 1000:.0f}–{max(bare) * 1000:.0f}) |
| `adoption-desktop` (start surface painted; database, key and schema check after) | {a * 1000:.0f} ms ({min(app) * 1000:.0f}–{max(app) * 1000:.0f}) |
| ratio | **{ratio:.2f}×** (goal ≤ {GOAL}×: {"met" if ratio <= GOAL else "NOT MET"}) |

The program paints its window before SQLAlchemy, alembic, argon2 or any area is imported; the heavy
start-up work runs from `MainWindow.after_first_paint`. Reproduce: `.venv/bin/python bench/bench_startup.py`
""")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
