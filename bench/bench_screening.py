"""Screening assistant benchmark: speed of ``screen_text`` on a two-page letter with the full gazetteer loaded,
the gazetteer's load time and memory, and recall/precision on the synthetic corpus.

    .venv/bin/python bench/bench_screening.py

Measures, in one run: the gazetteer's load (fresh processes: import of the screening module, then reading and
indexing ``resources/places/places.txt.gz``) and the memory it holds (tracemalloc, and resident memory before
and after); screening a two-page letter (about 1,000 words, built from the corpus letters) as median with
min–max, against a floor in the same run (one regex pass that only splits the letter into words); recall by
kind and clean letters untouched on ``tests/letterbox/corpus``. Writes ``bench/results/screening.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import write_section  # noqa: E402

SCREEN_GOAL_MS = 20.0
RUNS = 41
LOAD_RUNS = 7

_LOAD_PROBE = r"""
import json, time, tracemalloc, gc
def rss():
    with open('/proc/self/statm') as fh:
        import os
        return int(fh.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
t0 = time.perf_counter()
from adoption_desktop.letterbox import screening
t1 = time.perf_counter()
gc.collect()
r0 = rss()
tracemalloc.start()
g = screening.gazetteer()
t2 = time.perf_counter()
current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
t3 = time.perf_counter()
screening.screen_text("We moved to Kessingland and my snap is kaz_h2011.")
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "first": t4 - t3, "held": current, "peak": peak,
                  "rss_delta": rss() - r0, "names": len(g)}))
"""


def _load_once() -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _LOAD_PROBE], cwd=ROOT, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _load_without_tracing() -> tuple[float, float, float]:
    """(wall, CPU) time of the load and CPU time of the import, without tracemalloc's overhead (it slows
    allocation-heavy code several-fold)."""
    probe = ("import time\nc0=time.process_time()\nfrom adoption_desktop.letterbox import screening\n"
             "t=time.perf_counter(); c=time.process_time()\nscreening.gazetteer()\n"
             "print(time.perf_counter()-t, time.process_time()-c, c-c0)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True)
    wall, cpu, imp = (float(v) for v in out.stdout.split())
    return wall, cpu, imp


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms ({min(values) * 1000:.1f}–{max(values) * 1000:.1f})"


def two_page_letter() -> tuple[str, tuple[str, ...]]:
    from tests.letterbox.corpus import load

    letters = load("planted") + load("clean")
    words = 0
    parts: list[str] = []
    protected: list[str] = []
    for letter in letters:
        parts.append(letter.text)
        protected += letter.protected
        words += len(letter.text.split())
        if words >= 1000:
            break
    return "\n\n".join(parts), tuple(dict.fromkeys(protected))


def main() -> int:
    import re

    loads = [_load_once() for _ in range(LOAD_RUNS)]
    plain_loads = [_load_without_tracing() for _ in range(LOAD_RUNS)]

    from adoption_desktop.letterbox.screening import gazetteer, screen_text

    gazetteer()
    text, protected = two_page_letter()
    n_words = len(text.split())
    times = []
    cpu = []
    floor = []
    word = re.compile(r"\w+")
    for _ in range(3):
        screen_text(text, protected)
    for _ in range(RUNS):
        t0, c0 = time.perf_counter(), time.process_time()
        screen_text(text, protected)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        t0 = time.perf_counter()
        word.findall(text)
        floor.append(time.perf_counter() - t0)
    findings = len(screen_text(text, protected))
    # the same letter with disguised writing in it (read through the view that undoes it: see unmask.py)
    disguised = text.replace(" ", " P e n n i n g t o n ", 1).replace("e", "е", 1).replace("a", "a\u200b", 1)
    disguised_cpu = []
    for _ in range(RUNS):
        c0 = time.process_time()
        screen_text(disguised, protected)
        disguised_cpu.append(time.process_time() - c0)

    from tests.letterbox.corpus import load
    from tests.letterbox.test_screening_corpus import measure, table

    planted, clean = load("planted"), load("clean")
    total, hit, missed, touched = measure(planted, clean)
    h_total, h_hit, _h_missed, h_touched = measure(load("heldout"), load("heldout_clean"))
    g_total, g_hit, _g_missed, g_touched = measure(load("heldout2"), load("heldout2_clean"))
    d_total, d_hit, _d_missed, d_touched = measure(load("disguised"), load("disguised_clean"))

    med = statistics.median(cpu) * 1000
    with open("/proc/loadavg", encoding="ascii") as fh:
        loadavg = fh.read().split()[0]
    recall = sum(hit.values()) / sum(total.values())
    untouched = len(clean) - len(touched)
    size = (ROOT / "resources" / "places" / "places.txt.gz").stat().st_size
    held = statistics.median(r["held"] for r in loads) / 2**20
    rss = statistics.median(r["rss_delta"] for r in loads) / 2**20
    names = int(loads[0]["names"])
    verdict = "PASS" if med <= SCREEN_GOAL_MS else "NOT MET"
    md = f"""## Letterbox screening

Full gazetteer: {names:,} place names (OS Open Names populated places + hand-kept additions), shipped as
`resources/places/places.txt.gz` ({size / 1024:.0f} KB). Two-page letter: {n_words:,} words, {len(text):,}
characters, {len(protected)} protected terms, {findings} findings. Measured {dt.date.today().isoformat()} on 2 cores
shared with other work (so the goal is judged on the process's CPU time; the wall-clock time is given too);
medians with min–max.

| measure | result | goal | |
|---|---|---|---|
| Screening a two-page letter, gazetteer loaded ({RUNS} runs): CPU time | {_ms(cpu)} | ≤ {SCREEN_GOAL_MS:.0f} ms | {verdict} |
| the same, wall-clock time (load average {loadavg} on 2 cores) | {_ms(times)} | - | - |
| the same letter with disguised writing in it (a spaced-out name, a look-alike letter, a zero-width space): CPU time | {_ms(disguised_cpu)} | ≤ {SCREEN_GOAL_MS:.0f} ms | - |
| Floor: splitting the same letter into words with one regex (wall) | {_ms(floor)} | - | ratio {statistics.median(times) / statistics.median(floor):.0f}× |
| Gazetteer load, fresh process ({LOAD_RUNS} runs): CPU time | {_ms([c for _w, c, _i in plain_loads])} | once per process, on first use | - |
| the same, wall-clock time | {_ms([w for w, _c, _i in plain_loads])} | - | - |
| Import of the screening module (regexes compiled): CPU time | {_ms([i for _w, _c, i in plain_loads])} | - | - |
| First screening after the load | {_ms([r["first"] for r in loads])} | - | - |
| Memory held by the gazetteer (tracemalloc) | {held:.1f} MB | - | - |
| Resident memory added by loading it | {rss:.1f} MB | - | - |
| Recall on the corpus ({len(planted)} letters, {sum(total.values())} planted details) | {recall:.1%} | ≥ 97 % | {"PASS" if recall >= 0.97 else "NOT MET"} |
| Clean letters with no finding | {untouched}/{len(clean)} | ≥ 29/30 | {"PASS" if untouched >= 29 else "NOT MET"} |
| Held-out letters (written after the first pass; 53/60 = 88 % when first measured, before the fixes they led to): recall now | {sum(h_hit.values())}/{sum(h_total.values())} | - | - |
| Held-out clean letters with no finding | {10 - len(h_touched)}/10 | - | - |
| Second held-out set (12 letters, written last; 31/36 = 86 % when first measured): recall now | {sum(g_hit.values())}/{sum(g_total.values())} | - | - |
| Second held-out set, clean letters with no finding | {5 - len(g_touched)}/5 | - | - |
| Disguised writing (8 letters: spaced-out, dotted, full-width, invisible and look-alike characters; 7/24 before the screener read it): recall now | {sum(d_hit.values())}/{sum(d_total.values())} | - | - |
| Disguised writing, clean letters (spaced "H A P P Y", initials, emoji) with no finding | {5 - len(d_touched)}/5 | - | - |

Recall by kind (corpus):

{table(total, hit)}

Missed: {"; ".join(missed) or "none"}. Flagged in clean letters: {"; ".join(touched) or "none"}.

Reproduce: `.venv/bin/python bench/bench_screening.py`.
"""
    write_section("screening", md)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
