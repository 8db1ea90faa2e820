"""Administrators view, filter and export the audit log (the export itself is audited), find the entries
of a case by the reference people know it by, and verify the chain as ``adoption-desktop verify`` does.

The viewer lists the log a page at a time (:func:`list_page`): the newest :data:`PAGE` entries the filter
keeps and how many it keeps in all (one COUNT with the same conditions), then older pages on request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.audit import readable
from adoption_desktop.core.documents.spreadsheet_safety import csv_writer
from adoption_desktop.core.errors import ValidationError, WorkCancelled
from adoption_desktop.core.files import output_file
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database, secure_umask
from adoption_desktop.core.text_input import reference_key

if TYPE_CHECKING:
    from adoption_desktop.core.storage.lifecycle import VerifyReport

#: entries the viewer lists at a time (the newest first; "Show next" adds the next older ones)
PAGE = 2000

#: ``changes`` as logged (the evidence); ``people``: the user accounts it names by id, with their names
#: (``readable.people_text``: "3 = Ann Example; 5 = Ben Example")
EXPORT_COLUMNS = ("seq", "at", "actor", "action", "entity", "entity_id", "changes", "detail", "people")


def user_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The display names (full name, else the user name) of these user accounts, by id; an id with no
    account is left out (shown as logged)."""
    from adoption_desktop.core.security.models import User

    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {uid: (full or login) for uid, full, login in session.execute(
        select(User.id, User.full_name, User.username).where(User.id.in_(wanted)))}


def list_entries(db: Database, actor: Principal, flt: audit.AuditFilter | None = None, *,
                 limit: int = 2000) -> list[audit.AuditRow]:
    require(actor, Permission.AUDIT_VIEW)
    with db.session(actor, write=False) as session:
        return audit.query_entries(session, flt, limit=limit)


@dataclass(frozen=True)
class AuditPage:
    """One page of the viewer's list: ``rows`` newest first, and ``total``: the entries the filter keeps,
    counted up to ``newest_seq`` (the newest entry of the list's first page, so that entries written
    since do not change the count of a list being paged through)."""

    rows: list[audit.AuditRow]
    total: int
    newest_seq: int | None
    #: the user accounts the rows' changes name by id (a case's counsellor), by id: their display names
    names: dict[int, str] = field(default_factory=dict)


def list_page(db: Database, actor: Principal, flt: audit.AuditFilter | None = None, *, limit: int = PAGE,
              before_seq: int | None = None, newest_seq: int | None = None,
              total: int | None = None) -> AuditPage:
    """The first page (no ``before_seq``), or the next one: entries older than ``before_seq`` (keyset
    paging on ``seq``: entries written meanwhile are newer than the first page and never move the pages
    after it), counted up to ``newest_seq`` as the first page was. ``total``: that count, from the first
    page of the same filter; the next page then is one query (the COUNT over the whole log took 0.1–0.6 s
    at a million entries, and up to ``newest_seq`` it cannot have changed). Without it the page is counted
    in the same read as its rows, so that the two agree."""
    require(actor, Permission.AUDIT_VIEW)
    with db.session(actor, write=False) as session:
        rows = audit.query_entries(session, flt, limit=limit, before_seq=before_seq)
        names = user_names(session, readable.user_ids(r.changes for r in rows))
        upto = newest_seq if before_seq is not None else (rows[0].seq if rows else None)
        if before_seq is not None and total is not None:
            return AuditPage(rows, total, upto, names)
        total = audit.count_entries(session, flt, upto_seq=upto) if rows or before_seq is not None else 0
    return AuditPage(rows, total, upto, names)


def local_day_bounds(since: dt.date | None, until: dt.date | None) -> tuple[str | None, str | None]:
    """From and To, days on this PC's calendar (either None: no limit), as the UTC timestamps the log
    stores: from the start of From to the end of To (the start of the next day, not included). A
    :class:`ValidationError` when From is after To."""
    if since is not None and until is not None and since > until:
        raise ValidationError(f"From ({since:%d/%m/%Y}) is after To ({until:%d/%m/%Y}): the search would "
                              "find nothing. Change one of the dates, or empty one for no limit.", "since")

    def utc(day: dt.date) -> str:
        local_midnight = dt.datetime.combine(day, dt.time()).astimezone()  # this PC's zone, summer time too
        return local_midnight.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")

    return (utc(since) if since else None,
            utc(until + dt.timedelta(days=1)) if until else None)


def _reference_columns() -> list[tuple[Table, Any, Any]]:
    """The references people know a case by, and where each is kept: a counselling case's reference
    (BRC-…), an ADM decision's subject reference, a panel item's case reference and a letterbox
    arrangement's reference; each with its indexed ``reference_key`` column (``core.text_input.reference_key``
    of the reference, kept on every ORM write)."""
    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.letterbox.models import Arrangement
    from adoption_desktop.panel.models import PanelItem

    return [(model.__table__, column, model.reference_key) for model, column in (  # type: ignore[misc]
        (CounsellingCase, CounsellingCase.reference), (AdmDecision, AdmDecision.subject_reference),
        (PanelItem, PanelItem.subject_reference), (Arrangement, Arrangement.reference))]


def _parts_of(table: Table) -> list[tuple[Table, Any]]:
    """The tables whose rows belong to a row of ``table`` directly (a foreign key to its ``id``: a case's
    requests and sessions, a decision's letters, an item's papers, an arrangement's items), each with
    that column; only tables keyed by a single ``id``, as the log names their rows."""
    from adoption_desktop.schema import load_all_models

    found = []
    for child in load_all_models().tables.values():
        if child is table or [c.name for c in child.primary_key.columns] != ["id"]:
            continue
        for fk in child.foreign_keys:
            if fk.column.table is table and fk.column.name == "id":
                found.append((child, fk.parent))
    return found


def _records_for_reference(session: Session, reference: str) -> tuple[tuple[str, str], ...]:
    key = reference_key(reference)
    found: set[tuple[str, str]] = set()
    if not key:
        return ()
    for table, column, key_column in _reference_columns():
        # the index answers; a row without a key (written around the ORM, which keeps it) is compared here
        ids = list(session.scalars(select(table.c.id).where(key_column == key)))
        ids += [row_id for row_id, ref in session.execute(select(table.c.id, column).where(key_column.is_(None)))
                if reference_key(ref or "") == key]
        if not ids:
            continue
        found.update((table.name, str(i)) for i in ids)
        for child, fk_column in _parts_of(table):
            found.update((child.name, str(i)) for i in session.scalars(select(child.c.id).where(fk_column.in_(ids))))
    return tuple(sorted(found))


def records_for_reference(db: Database, actor: Principal, reference: str) -> tuple[tuple[str, str], ...]:
    """The (table, id) pairs the audit log names for a case reference: every record holding it (compared
    as references are, ignoring capitals, spacing and invisible characters: ``core.text_input.reference_key``)
    in :func:`_reference_columns`, and the records that belong to each directly (:func:`_parts_of`).
    Empty when no record holds it. For :attr:`AuditFilter.records`."""
    require(actor, Permission.AUDIT_VIEW)
    with db.session(actor, write=False) as session:
        return _records_for_reference(session, reference)


def verify(db: Database, actor: Principal) -> VerifyReport:
    """What ``adoption-desktop verify`` checks (``lifecycle.verify_database``: the file's integrity, the
    audit chain and the anchors kept outside the database, every audited row against its seal, every
    stored letterbox file), for an administrator in the application. Like the command it only reads:
    it writes no audit entry, so that checking the log never changes it."""
    from adoption_desktop.core.storage.lifecycle import verify_database

    require(actor, Permission.AUDIT_VIEW)
    with db.session(actor, write=False):  # the account is checked as for any read: still enabled, same roles
        pass
    return verify_database(db)


class ExportCancelled(WorkCancelled):
    """The user cancelled an export: nothing was written under the chosen name, and nothing audited."""


#: entries read and written at a time by :func:`export_csv` (progress is told and cancel checked after each)
EXPORT_CHUNK = 5000


def export_csv(db: Database, actor: Principal, out: Path, flt: audit.AuditFilter | None = None, *,
               progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None, chunk: int = EXPORT_CHUNK) -> int:
    """Write the filtered log to ``out`` (UTF-8 CSV); returns the number of rows written.

    The entries the filter keeps up to the newest one when the export starts (entries written meanwhile
    are not in it), read newest first a ``chunk`` at a time by ``seq`` (no OFFSET, which rereads every
    earlier row), in a read transaction: the write that audits the export is short and comes last.
    ``progress(done, total)`` after each chunk; ``cancelled()`` true: :class:`ExportCancelled`, and the
    file written so far (a temporary file beside ``out``) is removed, ``out`` left as it was."""
    require(actor, Permission.AUDIT_VIEW)
    flt = flt or audit.AuditFilter()
    secure_umask()
    count = 0
    # the file takes its name only once the export's own entry is committed
    with output_file(out) as partial:
        with db.session(actor, write=False) as session, partial.open("w", newline="", encoding="utf-8-sig") as fh:
            newest = audit.query_entries(session, flt, limit=1)
            upto = newest[0].seq if newest else None
            total = audit.count_entries(session, flt, upto_seq=upto) if upto is not None else 0
            writer = csv_writer(fh)  # a logged value starting with '=' stays text
            writer.writerow(EXPORT_COLUMNS)
            before = None if upto is None else upto + 1
            while before is not None:
                if cancelled is not None and cancelled():
                    raise ExportCancelled()
                rows = audit.query_entries(session, flt, limit=chunk, before_seq=before)
                names = user_names(session, readable.user_ids(r.changes for r in rows))
                for r in rows:
                    writer.writerow([r.seq, r.at, r.actor, r.action, r.entity, r.entity_id, r.changes, r.detail,
                                     readable.people_text(r.changes, names)])
                count += len(rows)
                before = rows[-1].seq if len(rows) == chunk else None
                if progress is not None:
                    progress(count, total)
        if cancelled is not None and cancelled():
            raise ExportCancelled()
        with db.session(actor) as session:
            audit.record(session, "export", "audit_log", "*",
                         detail=f"{count} {'entry' if count == 1 else 'entries'} exported; filter: {flt.describe()}")
    return count
