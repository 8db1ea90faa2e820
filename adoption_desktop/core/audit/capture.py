"""Automatic capture: every insert, update and delete of an audited table becomes an entry and a seal.

Changes made through the ORM are captured in the session's ``after_flush`` hook (actor from
``session.info['actor']``); bulk ``update()``/``delete()`` statements in ``do_orm_execute``, which runs
the statement itself so the rows it touched can be sealed as they are afterwards; an ``insert()`` of an
audited table through a session is refused there (``NotImplementedError``: use ``session.add``).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, event, inspect, select
from sqlalchemy.orm import Session

from adoption_desktop.core.audit.chain import REDACTED, _column_changes, _identity, _jsonable, record
from adoption_desktop.core.audit.seals import (
    CONTENT_RULES,
    RowChange,
    filed_under,
    pk_string,
    row_matches_seal,
    rows_off_seal,
    seal_change,
    seal_each,
)
from adoption_desktop.core.security.permissions import SYSTEM
from adoption_desktop.core.storage import bulk_by_key


def _table_of(obj: Any) -> Table:
    return cast(Table, inspect(obj).mapper.local_table)


def _pk_of(obj: Any) -> tuple[Any, ...]:
    return tuple(inspect(obj).mapper.primary_key_from_instance(obj))


@event.listens_for(Session, "do_orm_execute")
def _audit_bulk_statements(state: Any) -> Any:
    """Bulk ``update()``/``delete()`` bypass the flush hook: record them (table, criteria, values) and seal
    every row they touched. An ``insert()`` of an audited table through a session (one row or SQLAlchemy's
    bulk INSERT, ``session.execute(insert(Model), [{...}, ...])``) bypasses it too: refused, nothing written
    (its rows would have no entry and no seal, and ``verify`` would report them as inserted outside the
    application)."""
    if not (state.is_update or state.is_delete or state.is_insert) or state.session.info.get("audit_disabled"):
        return None
    stmt = state.statement
    mapper = state.bind_mapper or _mapper_of_table(getattr(stmt, "table", None))
    if mapper is None or not getattr(mapper.class_, "__audit__", False):
        return None
    table = cast(Table, mapper.local_table)
    if state.is_insert:
        raise NotImplementedError(
            f"An insert() of {table.name} run through a session is not recorded or sealed: add the rows with "
            f"session.add() / session.add_all() (each gets its audit entry and seal at the flush), or write them "
            f"on session.connection() and seal them with core.audit.seals.seal_written in the same "
            f"transaction. Nothing was written.")
    redact: frozenset[str] = getattr(mapper.class_, "__audit_redact__", frozenset())
    if bulk_by_key.parameter_sets(state) is not None:
        if not bulk_by_key.is_bulk_by_key(state):
            raise NotImplementedError(
                f"An update()/delete() of {table.name} with a list of parameter sets is recorded and sealed only "
                "as SQLAlchemy's bulk UPDATE by primary key (the default strategy): nothing was written.")
        return _audit_bulk_by_key(state, table, redact)
    values: dict[str, Any] = {}
    for column, value in (getattr(stmt, "_values", None) or {}).items() if state.is_update else ():
        name = getattr(column, "key", str(column))
        values[name] = REDACTED if name in redact else _jsonable(getattr(value, "value", str(value)))
    where = "all rows"
    touched = select(*table.primary_key.columns)
    if getattr(stmt, "whereclause", None) is not None:
        touched = touched.where(stmt.whereclause)
        where = _where_text(stmt.whereclause)
    conn = state.session.connection()
    pks = [tuple(r) for r in conn.execute(touched)]
    unsound = rows_off_seal(conn, table, pks)  # asked before the statement changes them
    result = state.invoke_statement()
    seal_change(conn, state.session.info.get("actor", SYSTEM), "bulk_update" if state.is_update else "bulk_delete",
                table, pks, entity_id=filed_under(pks), changes=values or None,
                detail=f"where {where}", unsound=unsound)
    return result


def _mapper_of_table(table: Any) -> Any:
    """The mapper of the model whose table an ``update(Model.__table__)``/``delete(...)`` names: such a statement
    has no ORM entity (``bind_mapper`` is None), and went unrecorded while the final-row guard asked about it."""
    if not isinstance(table, Table):
        return None
    from adoption_desktop.core.storage.base import Base

    return next((m for m in Base.registry.mappers if m.local_table is table), None)


def _where_text(where: Any) -> str:
    try:
        return str(where.compile(compile_kwargs={"literal_binds": True}))
    except Exception:  # a value type with no literal form: keep the parameter names
        return str(where)


def _audit_bulk_by_key(state: Any, table: Table, redact: frozenset[str]) -> Any:
    """SQLAlchemy's bulk UPDATE by primary key (``session.execute(update(Model), [{"id": 1, ...}, ...])``):
    the rows its parameter sets name (those there, at the version named, meeting any WHERE the statement
    has) each get an entry with their own changes, filed under the row and sealed, as a flush's rows do;
    no other row is touched or sealed. A row off its seal before the statement is written but not sealed."""
    rows = bulk_by_key.keyed_rows(state)
    conn = state.session.connection()
    changed = bulk_by_key.rows_changed(conn, state, rows)
    unsound = rows_off_seal(conn, table, changed)  # asked before the statement changes them
    result = state.invoke_statement()
    sets = {pk_string(r.pk): r.sets for r in rows}
    where = getattr(state.statement, "whereclause", None)
    also = f" and {_where_text(where)}" if where is not None else ""
    key_cols = [c.name for c in table.primary_key.columns]
    entries = []
    for pk in changed:
        named = " and ".join(f"{table.name}.{c} = {v}" for c, v in zip(key_cols, pk, strict=True))
        changes = {k: REDACTED if k in redact else _jsonable(v) for k, v in sets.get(pk_string(pk), {}).items()}
        entries.append(RowChange("bulk_update", table, pk, pk_string(pk), changes or None,
                                 detail=f"where {named}{also} (one of {len(changed)} rows by primary key)"))
    if entries:
        seal_each(conn, state.session.info.get("actor", SYSTEM), entries, {table.name: unsound})
    return result


def _drifted(session: Session, table: Table, pk: tuple[Any, ...]) -> bool:
    """An update with no logged field (only ``updated_at``): does the row no longer match its seal?"""
    return not row_matches_seal(session.connection(), table, pk)


def add_changes(session: Session, obj: Any, changes: dict[str, Any]) -> None:
    """Changes that ``obj``'s own columns do not show (a user's roles, kept in another table), written into
    the entry of its next update in this session: one entry naming them, not an update entry with no
    changes beside another entry that names them."""
    session.info.setdefault("audit_changes", {})[(_table_of(obj).name, _identity(obj))] = changes


@event.listens_for(Session, "before_flush")
def _check_seals_before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    """The rows this flush is about to change or delete, checked against their seals while they are still
    as they were (:func:`.seals.rows_off_seal`): one changed outside the application is written but not
    sealed again (the after-flush hook, or ``bulk_audit`` at its end, leaves it out), as the sign-in
    bookkeeping does, or the new seal would vouch for the change. Under ``bulk_audit`` a row is checked the
    first time the bulk touches it (its seal is written only at the end), and rows it created not at all."""
    if session.info.get("audit_disabled"):
        return
    bulk = session.info.get("audit_bulk") is not None
    seen: dict[str, set[tuple[Any, ...]]] = session.info.setdefault("audit_bulk_seen", {}) if bulk else {}
    wanted: dict[str, tuple[Table, list[tuple[Any, ...]]]] = {}
    for obj in [*session.dirty, *session.deleted]:
        if not getattr(obj, "__audit__", False):
            continue
        identity = inspect(obj).identity
        if identity is None or (obj not in session.deleted and not session.is_modified(obj, include_collections=False)):
            continue
        table, pk = _table_of(obj), tuple(identity)
        if bulk:
            if pk in seen.setdefault(table.name, set()):
                continue
            seen[table.name].add(pk)
        wanted.setdefault(table.name, (table, []))[1].append(pk)
    found: dict[str, set[str]] = {}
    for name, (table, pks) in wanted.items():
        off = rows_off_seal(session.connection(), table, pks)
        if off and name in CONTENT_RULES:
            _refuse_final_record_table(session, name, off)
        if off:
            found[name] = off
    if bulk:
        kept: dict[str, set[str]] = session.info.setdefault("audit_bulk_unsound", {})
        for name, off in found.items():
            kept.setdefault(name, set()).update(off)
    else:
        session.info["audit_unsound"] = found


#: what a person calls a row of each final-record table (``seals.CONTENT_RULES``), for the refusal below
RECORD_NAMES = {"adm_decisions": "ADM decision", "panel_minutes": "panel minutes record", "adm_letters": "ADM letter",
                "letterbox_letters_sent": "record of a letterbox letter sent", "letterbox_items": "letterbox item",
                "letterbox_item_events": "correction note on a letterbox item",
                "counselling_cases": "counselling case", "counselling_disclosures": "counselling disclosure"}


def _refuse_final_record_table(session: Session, name: str, off: set[str]) -> None:
    """A row of a final-record table about to be changed that is not as the program last sealed it: nothing
    is written (the transaction is rolled back), never written unsealed as other tables' rows are. The
    services check the rows they sign, approve, close or edit first, in their own words
    (``seal_check.require_as_last_saved``); this catches any other write to such a row."""
    from adoption_desktop.core.audit.seal_check import ASK_ADMINISTRATOR, row_seal_problem
    from adoption_desktop.core.errors import SealBroken

    key = sorted(off, key=lambda k: (len(k), k))[0]
    problem = row_seal_problem(session.connection(), name, int(key)) if key.isdigit() else ""
    said = problem or "changed outside the application"
    raise SealBroken(f"This {RECORD_NAMES.get(name, 'record')} (record {key}) is not as the application last saved "
                     f"it: {said}. The change was not made. Nothing was saved; the record stays as it is. "
                     f"{ASK_ADMINISTRATOR}")


@event.listens_for(Session, "after_flush")
def _audit_after_flush(session: Session, _ctx: Any) -> None:
    if session.info.get("audit_disabled"):
        return
    bulk: dict[str, int] | None = session.info.get("audit_bulk")
    unsound: dict[str, set[str]] = session.info.pop("audit_unsound", None) or {}
    changed: list[RowChange] = []
    for obj, action in [*((o, "create") for o in session.new), *((o, "update") for o in session.dirty),
                        *((o, "delete") for o in session.deleted)]:
        if not getattr(obj, "__audit__", False):
            continue
        table = _table_of(obj)
        if bulk is not None:
            bulk[f"{action}:{table.name}"] = bulk.get(f"{action}:{table.name}", 0) + 1
            session.info.setdefault("audit_bulk_rows", {}).setdefault(table.name, (table, set()))[1].add(_pk_of(obj))
            if action == "create":  # sealed at the end of the bulk: not checked against a seal before then
                session.info.setdefault("audit_bulk_seen", {}).setdefault(table.name, set()).add(_pk_of(obj))
            continue
        if action == "update" and not session.is_modified(obj, include_collections=False):
            continue
        changes = _column_changes(obj, new=action == "create", deleted=action == "delete")
        changes.update(session.info.get("audit_changes", {}).pop((table.name, _identity(obj)), None) or {})
        if action == "update" and not changes and not _drifted(session, table, _pk_of(obj)):
            continue
        changed.append(RowChange(action, table, _pk_of(obj), _identity(obj), changes or None))
    if changed:
        seal_each(session.connection(), session.info.get("actor", SYSTEM), changed, unsound)


class bulk_audit:  # noqa: N801 - used as a context manager like a function
    """For generated or imported data: one summary entry per table and action instead of one per row
    (every row is still sealed, with the table's first summary entry, except a row that did not match its
    seal when the bulk first changed it: see :func:`_check_seals_before_flush`)."""

    def __init__(self, session: Session, detail: str) -> None:
        self.session, self.detail = session, detail

    def __enter__(self) -> bulk_audit:
        self.session.info["audit_bulk"] = {}
        self.session.info["audit_bulk_rows"] = {}
        self.session.info["audit_bulk_seen"] = {}
        self.session.info["audit_bulk_unsound"] = {}
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.session.flush()
        finally:
            counts: dict[str, int] = self.session.info.pop("audit_bulk", {})
            rows: dict[str, tuple[Table, set[tuple[Any, ...]]]] = self.session.info.pop("audit_bulk_rows", {})
            self.session.info.pop("audit_bulk_seen", None)
            unsound: dict[str, set[str]] = self.session.info.pop("audit_bulk_unsound", {})
        if exc[0] is not None:
            return
        actor = self.session.info.get("actor", SYSTEM)
        for key, n in sorted(counts.items()):
            action, table_name = key.split(":", 1)
            if table_name in rows:
                table, pks = rows.pop(table_name)
                seal_change(self.session.connection(), actor, f"bulk_{action}", table, sorted(pks, key=str),
                            entity_id="*", detail=f"{self.detail}: {n} rows", unsound=unsound.get(table_name, ()))
            else:
                record(self.session, f"bulk_{action}", table_name, "*", detail=f"{self.detail}: {n} rows")
