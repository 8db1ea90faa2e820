"""The check made before a letterbox item's outcome (its screening findings as last saved), at many findings.

    .venv/bin/python bench/bench_findings_check.py [FINDINGS ...]     # default: 20000 100000

For each count, a new encrypted database in a temp folder: one arrangement, two items screened through the
program (per-row audit entries), and FINDINGS more findings made in bulk (Core inserts, one bulk seal per
table, as generated data is) on items of 5 findings each. Times ``record_outcome(check_only=True)``
(the item locked, its row and its findings checked, nothing written) on an item screened through the program
and on a bulk item, each with its findings digest (``letterbox_items.findings_digest``, when the code has it)
and with the digest cleared (an item saved before the digest: the whole-table check), median of 7.
Prints a Markdown table; writes nothing else.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PER_ITEM = 5
LETTER = "Dear all, we moved to 12 Acacia Avenue, Leeds LS1 4AB. Call 07700 900123."


def _coordinator(db: Any) -> Any:
    from adoption_desktop.core.security.models import User, UserRole
    from adoption_desktop.core.security.permissions import Principal, Role

    with db.session() as session:
        user = User(username="lbcoord", full_name="Robin Ashdale", password_hash="x")
        user.roles = [UserRole(role=str(Role.LETTERBOX_COORDINATOR))]
        session.add(user)
        session.flush()
        return Principal(user.id, "lbcoord", user.full_name, frozenset({Role.LETTERBOX_COORDINATOR}))


def _bulk(db: Any, arrangement: int, findings: int) -> list[int]:
    """``findings`` findings on new screened items (``PER_ITEM`` each), written with Core and sealed in bulk."""
    from sqlalchemy import func, insert, select

    from adoption_desktop.core import audit
    from adoption_desktop.core.security.permissions import SYSTEM
    from adoption_desktop.letterbox.models import Finding, Item

    digest_of = None
    if hasattr(Item, "findings_digest"):
        from adoption_desktop.letterbox.findings_digest import digest_of
    now = dt.datetime(2026, 3, 1, 9, 0)
    with db.session(SYSTEM) as session:
        conn = session.connection()
        first_item = int(conn.execute(select(func.coalesce(func.max(Item.id), 0))).scalar_one()) + 1
        first_finding = int(conn.execute(select(func.coalesce(func.max(Finding.id), 0))).scalar_one()) + 1
        items: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for n in range(findings // PER_ITEM):
            iid = first_item + n
            mine = [dict(id=first_finding + len(rows) + k, item_id=iid, start=10 * k, end=10 * k + 8, kind="postcode",
                         text=f"ZZ99 {k}AB", decision="remove") for k in range(PER_ITEM)]
            rows += mine
            item = dict(id=iid, arrangement_id=arrangement, participant_id=None, direction="birth_to_adoptive",
                        writer="Gina Quillfield", item_type="letter", received_on=dt.date(2026, 3, 2),
                        status="screened", screened_at=now, screened_by="lbcoord", checked_by="", outcome_on=None,
                        method="", reason="", social_worker_informed=False, text=LETTER, notes="",
                        previous_item_id=None, channel="post", created_at=now, updated_at=now, row_version=1)
            if digest_of is not None:
                item["findings_digest"] = digest_of((r["id"], r["start"], r["end"], r["kind"], r["text"], r["decision"])
                                                    for r in mine)
            items.append(item)
        for table, chunk in ((Item.__table__, items), (Finding.__table__, rows)):
            for at in range(0, len(chunk), 20_000):
                conn.execute(insert(table), chunk[at:at + 20_000])  # type: ignore[arg-type]
            audit.seal_unsealed(conn, SYSTEM, "bulk_create", table.name, "bench")  # type: ignore[attr-defined]
    return [int(i["id"]) for i in items]


def _clear_digest(db: Any, item_id: int) -> bool:
    """The item as if saved before the digest (through the program: sealed as such); False without the column."""
    from adoption_desktop.letterbox.models import Item

    if not hasattr(Item, "findings_digest"):
        return False
    from adoption_desktop.core.security.permissions import SYSTEM

    with db.session(SYSTEM) as session:
        item = session.get(Item, item_id)
        assert item is not None
        item.findings_digest = None
    return True


def run(findings: int) -> list[str]:
    from common import clerk_database, median_time

    from adoption_desktop.letterbox import rules, service
    from adoption_desktop.letterbox.service import ArrangementInput, ParticipantData

    out = []
    with tempfile.TemporaryDirectory(prefix="adk-findings-") as folder:
        db, _clerk = clerk_database(Path(folder))
        coordinator = _coordinator(db)
        arrangement = service.create_arrangement(db, coordinator, ArrangementInput(
            reference="LB-0001", child_birth_name="Poppy Quillfield", child_adoptive_name="Rosa Thornley",
            child_dob=dt.date(2016, 5, 14), adopters_name="Sam and Alex Thornley",
            adopters_address="12 Heron Gate\nDellmouth\nZZ99 4EF", exchange_months="March, September",
            start_date=dt.date(2018, 1, 10), review_date=dt.date(2027, 1, 10),
            participants=(ParticipantData("Gina Quillfield", "birth mother", "3 Moss Row\nGreystow\nZZ99 7QT"),)))
        screened = []
        for day in (2, 3):
            item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                                    received_on=dt.date(2026, 3, day), writer="Gina Quillfield")
            service.screen_item(db, coordinator, item, LETTER)
            screened.append(item)
        bulk = _bulk(db, arrangement, findings)

        def check(item: int) -> float:
            return median_time(lambda: service.record_outcome(db, coordinator, item, "held", dt.date(2026, 3, 9),
                                                              check_only=True)) * 1000

        times = {"screened in the program": check(screened[0]), "made in bulk": check(bulk[0])}
        cleared = _clear_digest(db, screened[1]) and _clear_digest(db, bulk[1])
        if cleared:
            times["screened in the program, no digest (saved before it)"] = check(screened[1])
            times["made in bulk, no digest"] = check(bulk[1])
        for what, ms in times.items():
            out.append(f"| {findings:,} | {what} | {ms:.1f} ms |")
        db.dispose()
    return out


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    counts = [int(a) for a in sys.argv[1:]] or [20_000, 100_000]
    lines = ["| findings in the database | item | outcome check (median of 7) |", "|---:|---|---:|"]
    for n in counts:
        lines += run(n)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
