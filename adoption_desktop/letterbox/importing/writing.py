"""Writing a checked register: one transaction, bulk inserts, one audit entry per row, or nothing.

New arrangements, their birth relatives and protected terms go in with Core ``INSERT … RETURNING``
executemany (the ids come back in order, on SQLCipher and PostgreSQL alike), the full-text index is loaded
in bulk, and the audit log gets one ``create`` entry per inserted row — the same entry the flush hook writes
for a row saved one at a time, naming the table and the row's id with its values — chained in memory and
appended in one go (:mod:`.audit_rows`; with row seals, one sealed ``bulk_create`` entry per table and
batch instead), then one ``letterbox_import`` summary.
Arrangements that already exist are updated through the service (:func:`save_arrangement_in`), whose
changes the flush hook audits as usual. Any failure, or a cancel, rolls the whole transaction back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table as SATable
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.base import record_now
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import reference_key
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox.importing.audit_rows import record_inserted
from adoption_desktop.letterbox.importing.fields import guess_mapping
from adoption_desktop.letterbox.importing.planning import ImportPlan, compare, problem_column
from adoption_desktop.letterbox.importing.reading import Table, read_table
from adoption_desktop.letterbox.importing.validation import (
    Cancelled,
    ImportCancelled,
    Problem,
    Progress,
    check_rows,
)
from adoption_desktop.letterbox.models import Arrangement, Participant, ProtectedTerm
from adoption_desktop.letterbox.service import (
    ARRANGEMENT_COLUMNS,
    ARRANGEMENTS_INDEX,
    ArrangementInput,
    _default_terms,
    arrangement_document,
    save_arrangement_in,
)

_BATCH = 5000


@dataclass(frozen=True)
class ImportReport:
    written: bool
    dry_run: bool
    creates: int
    updates: int
    unchanged: int
    problems: tuple[Problem, ...]  # refusals: when there is one, nothing is written
    warnings: tuple[Problem, ...] = ()  # imported as they are, listed for the user to look at
    kept: int = 0  # stored values an update keeps because their cells are empty

    @property
    def kept_text(self) -> str:
        """The report's line about empty cells ("12 empty cells kept what is stored …"), or "" for none."""
        return kept_text(self.kept)


def kept_text(kept: int) -> str:
    """What the report says about stored values kept because their cells were empty, or "" for none."""
    if not kept:
        return ""
    return (f"{plural(kept, 'empty cell')} kept what is stored (an empty cell in the register never "
            "clears a stored value).")


def _t(model: Any) -> SATable:
    return cast(SATable, model.__table__)


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids in the same order.

    SQLite: the ids are given here, after the largest in use — the write transaction began with
    ``BEGIN IMMEDIATE``, so nobody else can insert meanwhile, and it is the id SQLite would pick itself (no
    AUTOINCREMENT table) — because ``RETURNING`` in parameter order falls back to one statement per row
    there. PostgreSQL: ``INSERT … RETURNING`` in parameter order, which keeps the sequence right."""
    if not rows:
        return []
    table = _t(model)
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        start = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
        ids = list(range(start + 1, start + 1 + len(rows)))
        for r, i in zip(rows, ids, strict=True):
            r["id"] = i
        conn.execute(insert(table), rows)
        return ids
    result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [int(i) for i in result.scalars().all()]


def _create_all(session: Session, new: Sequence[tuple[int, ArrangementInput]], step: Callable[[int], None],
                detail: str) -> None:
    """Insert the new arrangements with their relatives and terms; audit every row; index them."""
    now = record_now(session)  # the server's clock in team mode
    # a stored comparison key beside the reference, where the schema has one (kept by ORM events otherwise,
    # which Core inserts do not run)
    with_key = "reference_key" in _t(Arrangement).c
    for start in range(0, len(new), _BATCH):
        chunk = [data for _, data in new[start:start + _BATCH]]
        arr_rows = [{**{c: getattr(d, c) for c in ARRANGEMENT_COLUMNS}, "last_exchange": None, "created_at": now,
                     "updated_at": now} for d in chunk]
        if with_key:
            for row in arr_rows:
                row["reference_key"] = reference_key(row["reference"])
        ids = _insert(session, Arrangement, arr_rows)
        part_rows: list[dict[str, Any]] = []
        term_rows: list[dict[str, Any]] = []
        docs: list[tuple[int, str]] = []
        for aid, d in zip(ids, chunk, strict=True):
            names: list[str] = []
            for p in d.participants:
                part_rows.append({"arrangement_id": aid, "name": p.name.strip(), "relationship": p.relationship,
                                  "address": p.address, "active": True, "created_at": now, "updated_at": now})
                names.append(p.name.strip())
            have: set[tuple[str, str]] = set()
            for t in (*d.protected, *_default_terms(d)):
                key = (t.term.strip().lower(), t.side)
                if t.term.strip() and key not in have:
                    term_rows.append({"arrangement_id": aid, "side": t.side, "category": t.category,
                                      "term": t.term.strip()})
                    have.add(key)
            docs.append((aid, arrangement_document(d, names)))
        part_ids = _insert(session, Participant, part_rows)
        term_ids = _insert(session, ProtectedTerm, term_rows)
        record_inserted(session, [(Arrangement, ids, arr_rows), (Participant, part_ids, part_rows),
                                  (ProtectedTerm, term_ids, term_rows)], detail)
        search.index_documents(session.connection(), ARRANGEMENTS_INDEX, docs)
        step(len(chunk))


def write_plan(session: Session, plan: ImportPlan, *, source: str = "", progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> None:
    """Everything the plan says, inside the caller's transaction; raises (so it rolls back) on any failure."""
    total = plan.creates + plan.updates
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if cancelled and cancelled():
            raise ImportCancelled()
        if progress:
            progress(done, total, f"Writing arrangement {done:,} of {total:,}")

    step(0)
    _create_all(session, plan.new, step, f"letterbox import {source}".rstrip())
    problems: list[Problem] = []
    for n, (first, aid, data) in enumerate(plan.changed, start=1):
        try:
            save_arrangement_in(session, data, aid)
        except AppError as exc:
            problems.append(Problem(first, problem_column(plan.columns, getattr(exc, "field", None)), str(exc)))
        if n % 200 == 0:
            step(200)
    if problems:
        raise _ImportFailed(problems)
    audit.record(session, "letterbox_import", "letterbox_arrangements", "*",
                 detail=f"{source}: {plan.creates} created, {plan.updates} updated, {plan.unchanged} unchanged"
                        + (f", {len(plan.warnings)} warning(s)" if plan.warnings else "")
                        + (f", {plural(plan.kept, 'empty cell')} kept what is stored" if plan.kept else ""))


class _ImportFailed(AppError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("import failed")
        self.problems = problems


def _report(plan: ImportPlan, *, written: bool, dry_run: bool,
            problems: Sequence[Problem] | None = None) -> ImportReport:
    return ImportReport(written, dry_run, plan.creates, plan.updates, plan.unchanged,
                        tuple(plan.problems if problems is None else problems), tuple(plan.warnings), plan.kept)


def import_table(db: Database, actor: Principal, table: Table, mapping: dict[str, int] | None = None, *,
                 dry_run: bool = False, source: str = "", today: dt.date | None = None,
                 progress: Progress | None = None, cancelled: Cancelled | None = None) -> ImportReport:
    """Check every row (no database needed), then compare and write in one transaction — or nothing.

    With ``dry_run`` (and whenever there is a problem) nothing is written and the report says what would
    happen. A cancel (``cancelled()`` true) raises :class:`ImportCancelled` after rolling everything back."""
    require(actor, Permission.LETTERBOX_IMPORT)
    mapping = mapping if mapping is not None else guess_mapping(table.headers)
    groups, problems, warnings = check_rows(table, mapping, today=today, progress=progress, cancelled=cancelled)
    plan = ImportPlan(problems, warnings)
    if dry_run or problems:
        with db.session(actor, write=False) as session:
            compare(session, groups, plan, progress=progress, cancelled=cancelled)
        plan.problems.sort(key=lambda p: p.row)
        return _report(plan, written=False, dry_run=dry_run)
    try:
        with db.session(actor) as session:
            compare(session, groups, plan, progress=progress, cancelled=cancelled)
            if plan.problems:
                session.rollback()
                return _report(plan, written=False, dry_run=False)
            write_plan(session, plan, source=source, progress=progress, cancelled=cancelled)
    except _ImportFailed as failed:
        search.forget_ensured()
        return _report(plan, written=False, dry_run=False, problems=failed.problems)
    except BaseException:
        # a search index first created in this transaction was rolled back with it: let the next write make it
        search.forget_ensured()
        raise
    return _report(plan, written=True, dry_run=False)


def import_file(db: Database, actor: Principal, path: Path, mapping: dict[str, int] | None = None, *,
                dry_run: bool = False, today: dt.date | None = None, progress: Progress | None = None,
                cancelled: Cancelled | None = None, file_label: str = "File") -> ImportReport:
    """Read, check, then write all rows in one transaction, or nothing. Problems are in the report. A file
    that is no register is refused naming ``file_label`` (the command line's ``--file``)."""
    require(actor, Permission.LETTERBOX_IMPORT)  # before the file is even read
    if progress:
        progress(0, 0, f"Reading {Path(path).name}")
    table = read_table(path, label=file_label)
    return import_table(db, actor, table, mapping, dry_run=dry_run, source=Path(path).name, today=today,
                        progress=progress, cancelled=cancelled)


__all__ = ["ImportCancelled", "ImportReport", "import_file", "import_table", "kept_text", "write_plan"]
