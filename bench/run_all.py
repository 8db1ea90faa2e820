"""Run every benchmark in bench/ and assemble docs/benchmarks.md from their sections.

    .venv/bin/python bench/run_all.py            run all, then assemble
    .venv/bin/python bench/run_all.py --assemble only assemble the sections already in bench/results/
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
ORDER = ["summary", "startup", "foundation", "letters", "search", "work_list", "search_everywhere", "panel", "adm", "letterbox", "import", "screening",
         "letterbox_documents", "counselling", "verify", "concurrency", "signin", "installer"]


def assemble() -> None:
    results = BENCH / "results"
    names = sorted((p.stem for p in results.glob("*.md")), key=lambda n: (ORDER.index(n) if n in ORDER else 99, n))
    parts = [
        "# Benchmarks",
        "",
        "Each benchmark measures against a baseline in the same run (ratios) or against a fixed goal, on "
        "a machine of the CI kind (2 cores, Debian 12, Python 3.11, offscreen Qt). Run them all with "
        "`python3 dev.py bench`; each section names its own command.",
        "",
        f"Last assembled: {dt.date.today().isoformat()} on {platform.platform()}, Python {platform.python_version()}.",
        "",
    ]
    for name in names:
        parts.append((results / f"{name}.md").read_text(encoding="utf-8").rstrip())
        parts.append("")
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(parts), encoding="utf-8")


def main() -> int:
    if "--assemble" not in sys.argv:
        failed = []
        for script in sorted(BENCH.glob("bench_*.py")):
            if script.name == "bench_keyring.py":
                continue
            print(f"== {script.name}", flush=True)
            if subprocess.run([sys.executable, str(script)], cwd=ROOT, check=False).returncode:
                failed.append(script.name)
        if failed:
            print("failed: " + ", ".join(failed))
    assemble()
    return 0


if __name__ == "__main__":
    sys.exit(main())
