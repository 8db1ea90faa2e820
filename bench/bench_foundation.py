"""Foundation benchmark: a fixed write-and-query workload through the same SQLAlchemy code on SQLCipher
(the application's key and settings) against the same library with no key, alternating runs in one
process — goal <= 1.25x.

    .venv/bin/python bench/bench_foundation.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Integer, String, create_engine, event, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_section

from adoption_desktop.core.storage.engine import make_sqlcipher_engine


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


def _unkeyed_sqlcipher(path: Path) -> object:
    """The same library (sqlcipher3, SQLCipher's build of SQLite) with no key: the floor for encryption."""
    import sqlcipher3.dbapi2 as library

    engine = create_engine(f"sqlite:///{path}", module=library)

    @event.listens_for(engine, "connect")
    def _pragmas(conn: object, _r: object) -> None:
        cur = conn.cursor()  # type: ignore[attr-defined]
        for p in ("PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL",
                  "PRAGMA synchronous = NORMAL"):
            cur.execute(p)

    return engine


def bench_storage(runs: int = 5) -> tuple[float, float]:
    plain, cipher = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            plain.append(workload(_unkeyed_sqlcipher, Path(tmp) / f"plain{i}.db"))
            cipher.append(workload(lambda p: make_sqlcipher_engine(p, bytes(range(32))), Path(tmp) / f"c{i}.db"))
    return statistics.median(plain), statistics.median(cipher)


def main() -> None:
    plain, cipher = bench_storage()
    w_ratio = cipher / plain
    md = f"""## Foundation (issue 2)

Reproduce: `.venv/bin/python bench/bench_foundation.py` (or `python3 dev.py bench`).

| measure | baseline (same run) | Adoption Desktop | ratio | goal | result |
|---|---|---|---|---|---|
| write-and-query workload: 10,000 inserts in 100 transactions, 2,000 indexed look-ups, 50 aggregates, 50 pages, 500 updates (median of 5, alternating) | the same library (sqlcipher3) with no key: {plain * 1000:.0f} ms | SQLCipher with the application's key and settings: {cipher * 1000:.0f} ms | {w_ratio:.2f}× | ≤ 1.25× | {"met" if w_ratio <= 1.25 else "NOT MET"} |

Settings kept (`core/storage/engine.py`): SQLCipher 4 defaults (AES-256, HMAC-SHA512 per page, 4 KiB
pages), a raw 256-bit key (no per-connection key derivation), `cipher_memory_security` left at its
default (off in SQLCipher 4.5 and later: turning it on zeroes every freed allocation and costs more
than the encryption itself), WAL with `synchronous = NORMAL`. SQLCipher's own page cache (8 MB) is kept: 16 MB was tried and
did not help this workload.

Start-up is measured by `bench/bench_startup.py` (first paint of the real program).
"""
    write_section("foundation", md)


if __name__ == "__main__":
    main()
