"""The scale database for the benchmarks: 1,000,000 letterbox exchanges and 10,000 counselling cases.

    .venv/bin/python bench/make_huge.py [--out bench/out/huge-demo.db] [--items 1000000] [--cases 10000]

Starts from the large demo (``common.large_demo_db()``, made with ``adoption-desktop demo --size large``)
copied with its key, then multiplies its letterbox items (and their search index rows) and its
counselling cases inside the database with ``INSERT … SELECT`` in a few transactions, so no Python
object per row exists and memory stays flat. One audited ``bulk_create`` summary per table records
what was added. Prints the time taken and the peak memory (goal: under 5 minutes, under 1 GB).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import OUT, large_demo_db, use_bench_keyring


def copy_database(source: Path, dest: Path) -> None:
    for suffix in ("", ".keys", ".audit-anchor"):
        src = Path(str(source) + suffix)
        if src.exists():
            shutil.copyfile(src, Path(str(dest) + suffix))


def multiply(db_path: Path, items: int, cases: int) -> dict[str, int]:
    from sqlalchemy import func, select, text

    from adoption_desktop.core import audit
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import open_database
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.letterbox.findings_digest import NO_FINDINGS
    from adoption_desktop.letterbox.models import Item
    from adoption_desktop.letterbox.service import ITEMS_INDEX

    db = open_database(str(db_path), SecretStore())
    added: dict[str, int] = {}
    try:
        item_cols = [c.name for c in Item.__table__.columns if c.name != "id"]
        with db.session() as session:
            base = int(session.scalar(select(func.max(Item.id))) or 0)
        copies = max(0, -(-items // base) - 1)  # ceil(items / base) - 1 more copies
        for k in range(1, copies + 1):
            room = items - base * k
            if room <= 0:
                break
            with db.session() as session:
                conn = session.connection()
                cols = ", ".join(item_cols)
                # a copy has no findings (they are not copied): its findings digest is that of none, written
                # with it, as every new item's is (a NULL would ask for the back-fill meant for old files)
                values = ", ".join(":no_findings" if c == "findings_digest" else c for c in item_cols)
                conn.execute(text(f"INSERT INTO letterbox_items (id, {cols}) SELECT id + :off, {values} "
                                  "FROM letterbox_items WHERE id <= :n"),
                             {"off": base * k, "n": min(base, room), "no_findings": NO_FINDINGS})
                conn.execute(text(f"INSERT INTO {ITEMS_INDEX.table}(rowid, body) SELECT rowid + :off, body "
                                  f"FROM {ITEMS_INDEX.table} WHERE rowid <= :n"), {"off": base * k, "n": min(base, room)})
                added["letterbox_items"] = added.get("letterbox_items", 0) + min(base, room)
                audit.record(session, "bulk_create", "letterbox_items", "*",
                             detail=f"benchmark scale copy {k}: {min(base, room)} rows")
            print(f"  items: {base * k + min(base, room):,}", file=sys.stderr)
        with db.session() as session:
            conn = session.connection()
            conn.exec_driver_sql(f"INSERT INTO {ITEMS_INDEX.table}({ITEMS_INDEX.table}) VALUES ('optimize')")
        case_cols = [c.name for c in CounsellingCase.__table__.columns if c.name not in ("id", "reference")]
        with db.session() as session:
            have = int(session.scalar(select(func.count(CounsellingCase.id))) or 0)
            top = int(session.scalar(select(func.max(CounsellingCase.id))) or 0)
            k = 1
            while have < cases:
                n = min(top, cases - have)
                cols = ", ".join(case_cols)
                session.connection().execute(text(
                    f"INSERT INTO counselling_cases (id, reference, {cols}) SELECT id + :off, reference || :suffix, "
                    f"{cols} FROM counselling_cases WHERE id <= :n"), {"off": top * k, "suffix": f"-S{k}", "n": n})
                have += n
                k += 1
                added["counselling_cases"] = added.get("counselling_cases", 0) + n
            if "counselling_cases" in added:
                audit.record(session, "bulk_create", "counselling_cases", "*",
                             detail=f"benchmark scale copies: {added['counselling_cases']} rows")
    finally:
        db.dispose()
    return added


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=OUT / "huge-demo.db")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    use_bench_keyring()
    source = large_demo_db()
    t0 = time.perf_counter()
    if args.out.exists():
        print(f"{args.out} exists; remove it to make it again", file=sys.stderr)
        return 0
    copy_database(source, args.out)
    added = multiply(args.out, args.items, args.cases)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"huge database {args.out}: added {added} in {seconds:.0f} s, peak memory {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
