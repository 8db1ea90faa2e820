"""Installer benchmarks (issue 7): the frozen build's cost, measured in one run.

(a) the PyInstaller one-folder build: time and size (reported; the CI budget for build + self-test
    is 2 minutes);
(b) the self-test run from the bundle against the same self-test run from the source tree
    (ratio; reported), and the time both add to CI;
(c) `--version` from the bundle against the same command from source: the frozen program's own
    start-up cost (ratio; reported).

    .venv/bin/python bench/bench_installer.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, write_section

SPEC = ROOT / "installer" / "adoption_desktop.spec"
BUDGET_S = 120.0


def _timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - t0, result


def _folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]  # as `du` counts
    return sum(p.stat().st_size for p in files), len(files)


def main() -> int:
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.pop("QT_QPA_PLATFORM", None)  # the self-test chooses offscreen itself
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build_s, built = _timed([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                                 "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(SPEC)])
        if built.returncode:
            print(built.stderr[-3000:])
            return 1
        bundle = work / "dist" / "AdoptionDesktop"
        size, count = _folder_size(bundle)
        frozen = str(bundle / ("adoption-desktop.exe" if os.name == "nt" else "adoption-desktop"))
        source = [sys.executable, "-m", "adoption_desktop"]

        frozen_test_s, f = _timed([frozen, "self-test"], env)
        source_test_s, s = _timed([*source, "self-test"], env)
        if f.returncode or s.returncode:
            print(f.stdout, f.stderr, s.stdout, s.stderr)
            return 1
        frozen_version = statistics.median(_timed([frozen, "--version"], env)[0] for _ in range(5))
        source_version = statistics.median(_timed([*source, "--version"], env)[0] for _ in range(5))

    added = build_s + frozen_test_s
    rows = [
        "## Installer and frozen build (issue 7)",
        "",
        "Reproduce: `.venv/bin/python bench/bench_installer.py` (or `python3 dev.py bench`).",
        "",
        "| measure | baseline (same run) | frozen build | ratio | goal | result |",
        "|---|---|---|---|---|---|",
        f"| PyInstaller one-folder build (cold work folder) | — | {build_s:.1f} s | — | reported | — |",
        f"| bundle size on disk (`dist/AdoptionDesktop`, {count:,} files) | — | {size / 1e6:.0f} MB | — | "
        "reported | — |",
        f"| `self-test` (9 steps, wall time of the process) | from source: {source_test_s:.1f} s | "
        f"{frozen_test_s:.1f} s | {frozen_test_s / source_test_s:.2f}× | reported | — |",
        f"| `--version` (process start to exit, median of 5) | from source: {source_version * 1000:.0f} ms | "
        f"{frozen_version * 1000:.0f} ms | {frozen_version / source_version:.2f}× | reported | — |",
        f"| time the bundle adds to CI (build + self-test from the bundle) | — | {added:.0f} s | — | "
        f"≤ {BUDGET_S:.0f} s | {'pass' if added <= BUDGET_S else 'FAIL'} |",
        "",
        "The CI test (`tests/installer/test_bundle.py`) builds the same bundle once and runs the self-test,",
        "`--version` from both programs, an old-schema upgrade and `paths` from it. The Windows bundle is",
        "built by `.github/workflows/windows-build.yml`; its size is similar (Qt and Python dominate).",
    ]
    write_section("installer", "\n".join(rows))
    return 0 if added <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
