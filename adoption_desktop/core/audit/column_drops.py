"""Columns a downgrade takes away from audited tables: the rows sealed again without them, in one entry.

The counterpart of :mod:`.column_seals`. After an upgrade every row's seal covers the columns it added
(``seal_new_columns``, and every write since), and ``verify`` reports a row whose latest seal lists a
column the table no longer has as changed outside the program. A migration's downgrade that drops such a
column therefore asks :func:`before_drop` first (before it changes or drops anything) and, once the columns
are gone, :meth:`ColumnDrop.seal_again`: every row whose latest seal covers a dropped column (and any row
the downgrade itself changed) is sealed again as the older schema has it, all in one audit entry whose
detail says what was lost. A row that did not match its seal before the downgrade is left unsealed and
named, so ``verify`` goes on naming it.

A downgrade that drops a whole audited table names it in ``tables``: its rows still on file are sealed as
deleted (a tombstone each) in the same entry, or ``verify`` reports the table as dropped outside the program
with the rows the audit log says it held. A row there that did not match its seal before is not: it is named, and
``verify`` goes on reporting the table (a deletion never seals over a change made outside the program).

A final record's content seal (a signed decision, a letter sent, a closed case, an item's outcome) cannot be
made again: ``verify`` holds the record to its first one. When such a seal covers a dropped column, the
downgrade would leave the record reported as changed for good: :func:`before_drop` refuses it
(:class:`DowngradeRefused`), nothing changed by that step.

Imported by migrations (``adoption_desktop/migrations/versions``): it needs the seals, not the application.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Column, Connection, Integer, MetaData, Table, inspect, select, text

from adoption_desktop.core.audit.chain import append_entry
from adoption_desktop.core.audit.models import AuditColumns, AuditEntry, AuditSeal
from adoption_desktop.core.audit.seals.content_rules import CONTENT_RULES
from adoption_desktop.core.audit.seals.digests import TOMBSTONE, aggregate
from adoption_desktop.core.audit.seals.final_records import CONTENT_SEAL, _with_content, seal_content
from adoption_desktop.core.audit.seals.row_seals import (
    _make_seals,
    _Seal,
    _warn_unsealed,
    _write,
    not_sealed_note,
    rows_off_seal,
)
from adoption_desktop.core.audit.seals.tables import read_rows
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security.permissions import SYSTEM

#: the action of the entry a downgrade writes (``journey_0002_match_decision`` keeps its own)
DOWNGRADE_SEAL = "seal_downgrade"


class DowngradeRefused(AppError):
    """A downgrade that would leave a final record's sealed content reported as changed: nothing was done."""


def _table(name: str) -> Table:
    """The table as the seals read it (``SELECT *`` by ``id``): every table a migration drops a column of has
    an integer ``id`` key; no model is loaded."""
    return Table(name, MetaData(), Column("id", Integer, primary_key=True))


@dataclass
class ColumnDrop:
    """What :func:`before_drop` found, kept for :meth:`seal_again` once the columns are gone."""

    revision: str
    drops: dict[str, list[str]]
    #: by table dropped whole, its rows on file whose latest seal is not a deletion's (their key strings)
    gone: dict[str, list[str]] = field(default_factory=dict)
    #: by table, the rows to seal again (their key strings) and those left unsealed (off their seals before)
    rows: dict[str, list[str]] = field(default_factory=dict)
    unsound: dict[str, set[str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """How many rows are sealed again (those left unsealed not counted)."""
        return sum(len([k for k in keys if k not in self.unsound.get(t, set())]) for t, keys in self.rows.items())

    def seal_again(self, conn: Connection, *, action: str = DOWNGRADE_SEAL, detail: str = "") -> int | None:
        """One entry sealing again, as they now are, the rows :func:`before_drop` named; its detail says which
        columns were taken away, how many rows were sealed again, ``detail`` (what else was lost), and the rows
        left unsealed. None, and no entry, when there was no row to seal."""
        if not any(self.rows.values()) and not any(self.gone.values()) and not any(self.unsound.values()):
            return None
        seals: list[_Seal] = []
        colsets: dict[str, str] = {}
        found: dict[str, dict[str, dict[str, Any]]] = {}
        named: list[str] = []
        for name, keys in self.rows.items():
            skip = self.unsound.get(name, set())
            rows = {k: v for k, v in read_rows(conn, _table(name), [(int(k),) for k in keys]).items()
                    if k not in skip}
            made, cs = _make_seals(name, rows, ())
            _with_content(conn, name, rows, made, cs)
            seals.extend(made)
            colsets.update(cs)
            found[name] = rows
            left = skip & set(keys)
            if left:
                _warn_unsealed(name, left)
                named.append(f"{name}: {not_sealed_note(left)}")
        for name, keys in self.gone.items():
            made, _cs = _make_seals(name, {}, keys)
            seals.extend(made)
            left = self.unsound.get(name, set())
            if left:
                _warn_unsealed(name, left)
                named.append(f"{name}: {not_sealed_note(left)}")
        taken = "; ".join(f"{t}.{', '.join(cols)}" for t, cols in self.drops.items())
        said = [f"downgrade {self.revision}: column(s) taken away: {taken}",
                f"{self.count} row(s) sealed again without them"] if self.drops else \
            [f"downgrade {self.revision}"]
        said.extend(f"table {t} dropped: {len(keys)} row(s) sealed as deleted" for t, keys in self.gone.items()
                    if keys or self.unsound.get(t))
        if detail:
            said.append(detail)
        said.extend(named)
        touched = [*self.drops, *(t for t, keys in self.gone.items() if keys or self.unsound.get(t))]
        entity = touched[0] if len(set(touched)) == 1 else "database"
        seq = append_entry(conn, SYSTEM, action, entity, "*", None, "; ".join(said),
                           aggregate((s.entity, s.entity_id, s.digest) for s in seals) if seals else "")
        _write(conn, seq, seals, colsets)
        for name, rows in found.items():
            seal_content(conn, SYSTEM, name, rows)
        return seq


def before_drop(conn: Connection, revision: str, drops: Mapping[str, Sequence[str]], *,
                changed: Mapping[str, Iterable[int]] | None = None, tables: Sequence[str] = ()) -> ColumnDrop:
    """Asked by a downgrade before it changes or drops anything: the rows of each table in ``drops`` (table:
    the columns it drops) whose latest seal covers one of those columns, with the rows in ``changed`` (ids
    the downgrade itself rewrites), each checked against its seal now (:func:`rows_off_seal`), and the rows on
    file of each table in ``tables`` (dropped whole) whose latest seal is not a deletion's. Refuses
    (:class:`DowngradeRefused`) when a final record's content seal covers a dropped column (no table dropped
    whole by a downgrade holds final records)."""
    present = set(inspect(conn).get_table_names())
    wanted = {t: list(cols) for t, cols in drops.items() if t in present}
    whole = [t for t in tables if t in present]
    _refuse_final(conn, revision, wanted)
    plan = ColumnDrop(revision, {t: list(c) for t, c in drops.items()})
    for name in whole:
        live = {pk for pk, (_colkey, digest) in _latest(conn, name).items() if digest != TOMBSTONE}
        on_file = sorted(live & _ids(conn, name), key=int)
        # a row changed outside the program is not sealed as deleted (as a bulk delete leaves it): verify goes on
        # reporting the table, with that row, as dropped outside the program
        off = rows_off_seal(conn, _table(name), [(int(k),) for k in on_file], lock=False) if on_file else set()
        plan.gone[name] = [k for k in on_file if k not in off]
        if off:
            plan.unsound[name] = set(off)
    extra = {t: {str(i) for i in ids} for t, ids in (changed or {}).items()}
    for name, cols in wanted.items():
        keys = (_covering(conn, name, cols) | extra.get(name, set())) & _ids(conn, name)
        ordered = sorted(keys, key=int)
        plan.rows[name] = ordered
        plan.unsound[name] = rows_off_seal(conn, _table(name), [(int(k),) for k in ordered], lock=False) \
            if ordered else set()
    return plan


def _ids(conn: Connection, name: str) -> set[str]:
    return {str(i) for i in conn.execute(text(f'SELECT id FROM "{name}"')).scalars()}


def _colsets_with(conn: Connection, cols: Sequence[str]) -> set[str]:
    """The keys of the column lists (``audit_columns``) naming any of ``cols``."""
    return {str(k) for k, v in conn.execute(select(AuditColumns.key, AuditColumns.columns))
            if set(str(v).split(",") if v else []) & set(cols)}


def _covering(conn: Connection, name: str, cols: Sequence[str]) -> set[str]:
    """Rows of ``name`` whose latest seal (not a deletion's) covers one of ``cols``."""
    keys = _colsets_with(conn, cols)
    if not keys:
        return set()
    return {pk for pk, (colkey, digest) in _latest(conn, name).items() if digest != TOMBSTONE and colkey in keys}


def _latest(conn: Connection, name: str) -> dict[str, tuple[str, str]]:
    """Each row's latest seal (its column list key and digest), by key string."""
    seal_t = cast(Table, AuditSeal.__table__)
    latest: dict[str, tuple[str, str]] = {}
    for entity_id, colkey, digest in conn.execute(
            select(seal_t.c.entity_id, seal_t.c.columns, seal_t.c.digest).where(seal_t.c.entity == name)
            .order_by(seal_t.c.seq, seal_t.c.id)):
        latest[str(entity_id)] = (str(colkey), str(digest))
    return latest


def _refuse_final(conn: Connection, revision: str, drops: Mapping[str, Sequence[str]]) -> None:
    """:class:`DowngradeRefused` when a row still on file is held by ``verify`` to a content seal (the first one:
    an entry of its own, a ``<table>#…`` seal record, or a first-sealed table's first row seal) that covers a
    column being dropped."""
    said: list[str] = []
    for name, cols in drops.items():
        rule = CONTENT_RULES.get(name)
        if rule is None:
            continue
        held = _final_covering(conn, name, cols) & _ids(conn, name)
        if held:
            shown = sorted(held, key=int)
            listed = ", ".join(shown[:10]) + (f" and {len(shown) - 10} more" if len(shown) > 10 else "")
            rows = "row" if len(shown) == 1 else "rows"
            said.append(f"{len(shown)} {rule.what} record(s) of {name} ({rows} {listed}) whose sealed content "
                        f"includes {', '.join(cols)}")
    if said:
        raise DowngradeRefused(
            f"The downgrade of {revision} was refused: nothing was changed by it. It would take away a column "
            f"that final records were sealed with: {'; '.join(said)}. A final record's content seal cannot be "
            "made again, so 'adoption-desktop verify' would report each of them as changed outside the "
            "application. To go back to the older version, restore the copy taken before the upgrade "
            "(NAME.db.pre-upgrade-….bak; IT guide, section 7).")


def _final_covering(conn: Connection, name: str, cols: Sequence[str]) -> set[str]:
    rule = CONTENT_RULES[name]
    keys = _colsets_with(conn, cols)
    held: set[str] = set()
    seal_t = cast(Table, AuditSeal.__table__)
    if keys:
        first: dict[tuple[str, str], str] = {}
        query = select(seal_t.c.entity, seal_t.c.entity_id, seal_t.c.columns)
        where = seal_t.c.entity.startswith(f"{name}#", autoescape=True)
        if rule.first_seal:
            where = where | (seal_t.c.entity == name)
        for entity, entity_id, colkey in conn.execute(query.where(where).order_by(seal_t.c.seq, seal_t.c.id)):
            first.setdefault((str(entity), str(entity_id)), str(colkey))
        held.update(pk for (_e, pk), colkey in first.items() if colkey in keys)
    log = cast(Table, AuditEntry.__table__)
    sealed: dict[str, list[str]] = defaultdict(list)
    for entity_id, detail in conn.execute(select(log.c.entity_id, log.c.detail).where(
            log.c.action == CONTENT_SEAL, log.c.entity == name).order_by(log.c.seq)):
        if str(entity_id) in sealed:
            continue  # held to the first
        detail = str(detail or "")
        inner = detail[detail.find("(") + 1:detail.rfind(")")] if "(" in detail else ""
        sealed[str(entity_id)] = [c.strip() for c in inner.split(",") if c.strip()]
    held.update(pk for pk, listed in sealed.items() if set(listed) & set(cols))
    return held
