"""Foundation benchmarks (issue 2), each a ratio measured in one run against a baseline:

(a) start-up to the main window shown, on the large demo database, against a bare PySide6 QMainWindow
    shown by the same interpreter — goal <= 1.5x;
(b) a fixed write-and-query workload through the same SQLAlchemy code on SQLCipher against plain
    SQLite — goal <= 1.25x.

    .venv/bin/python bench/bench_foundation.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Integer, String, create_engine, event, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, bench_env, large_demo_db, write_section

from adoption_desktop.core.storage.engine import make_sqlcipher_engine

PROBE = Path(__file__).resolve().parent / "startup_probe.py"


def _startup(args: list[str]) -> tuple[float, float]:
    """Seconds from spawning the probe to "shown" and to "ready" (ready = shown for the bare window)."""
    env = bench_env()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(PROBE), *args], stdout=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "shown":
        raise RuntimeError("probe failed before the window was shown")
    shown = time.perf_counter() - t0
    ready = shown
    if args[0] == "app":
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("probe failed after the window was shown")
        ready = time.perf_counter() - t0
    proc.wait()
    return shown, ready


def bench_startup(runs: int = 7) -> tuple[float, float, float]:
    """Median seconds: bare window shown, application window shown, application ready."""
    db = large_demo_db()
    _startup(["bare"])
    _startup(["app", str(db), "admin"])  # warm the OS file cache for both
    bare, shown, ready = [], [], []
    for _ in range(runs):  # interleaved so machine load affects both alike
        bare.append(_startup(["bare"])[0])
        s, r = _startup(["app", str(db), "admin"])
        shown.append(s)
        ready.append(r)
    return statistics.median(bare), statistics.median(shown), statistics.median(ready)


class _Base(DeclarativeBase):
    pass


class Row(_Base):
    __tablename__ = "bench_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    body: Mapped[str] = mapped_column(String(400))


def workload(engine_factory: object, path: Path) -> float:
    engine = engine_factory(path)  # type: ignore[operator]
    _Base.metadata.create_all(engine)
    t0 = time.perf_counter()
    for batch in range(100):  # 10,000 rows in 100 transactions
        with Session(engine) as s, s.begin():
            s.add_all(Row(ref=f"R{batch:03d}-{i:03d}", status=("open", "closed", "held")[i % 3],
                          body="Letter text " * 20) for i in range(100))
    with Session(engine) as s:
        for i in range(2000):  # indexed point look-ups
            s.scalars(select(Row).where(Row.ref == f"R{i % 100:03d}-{i % 97:03d}")).all()
        for _ in range(50):  # aggregates over the table
            s.execute(select(Row.status, func.count()).group_by(Row.status)).all()
        for page in range(50):  # paged list
            s.scalars(select(Row).order_by(Row.ref).limit(200).offset(page * 200)).all()
    with Session(engine) as s, s.begin():
        for i in range(500):
            row = s.get(Row, i + 1)
            assert row is not None
            row.status = "closed"
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed


def _plain_sqlite(path: Path) -> object:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(conn: object, _r: object) -> None:
        cur = conn.cursor()  # type: ignore[attr-defined]
        for p in ("PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"):
            cur.execute(p)

    return engine


def bench_storage(runs: int = 5) -> tuple[float, float]:
    plain, cipher = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            plain.append(workload(_plain_sqlite, Path(tmp) / f"plain{i}.db"))
            cipher.append(workload(lambda p: make_sqlcipher_engine(p, bytes(range(32))), Path(tmp) / f"c{i}.db"))
    return statistics.median(plain), statistics.median(cipher)


def main() -> None:
    plain, cipher = bench_storage()
    bare, app, ready = bench_startup()
    s_ratio, w_ratio = app / bare, cipher / plain
    md = f"""## Foundation (issue 2)

Reproduce: `.venv/bin/python bench/bench_foundation.py` (or `python3 dev.py bench`).

| measure | baseline (same run) | Adoption Desktop | ratio | goal | result |
|---|---|---|---|---|---|
| start-up to main window shown, large demo database (median of 7 fresh processes) | bare PySide6 `QMainWindow` shown: {bare * 1000:.0f} ms | {app * 1000:.0f} ms | {s_ratio:.2f}× | ≤ 1.5× | {"pass" if s_ratio <= 1.5 else "FAIL"} |
| start-up to first page populated (database open, schema checked, user's first area loaded) | — | {ready * 1000:.0f} ms | {ready / bare:.2f}× | reported | — |
| write-and-query workload: 10,000 inserts in 100 transactions, 2,000 indexed look-ups, 50 aggregates, 50 pages, 500 updates (median of 5) | plain SQLite: {plain * 1000:.0f} ms | SQLCipher: {cipher * 1000:.0f} ms | {w_ratio:.2f}× | ≤ 1.25× | {"pass" if w_ratio <= 1.25 else "FAIL"} |

Start-up is timed from spawning the process to the window being on screen (interpreter start-up
included). The application shows its main window before it imports SQLAlchemy, alembic or any feature
(`adoption_desktop/app.py`), then opens the database and signs in with the window on screen; the
second row measures that whole path to the first page with data, which the user sees filling in.
The database key comes from a keyring stand-in (`bench/bench_keyring.py`) as the OS keyring would
give it, and the user is already known: the sign-in dialog's wait for the user (and its argon2id
check, ~120 ms) is not start-up.
"""
    write_section("foundation", md)


if __name__ == "__main__":
    main()
