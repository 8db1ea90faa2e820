"""SQLAlchemy 2's "ORM bulk UPDATE by primary key", read for the ``do_orm_execute`` hooks that must know
which rows a statement changes (the audit's seals, the final-row guard).

``session.execute(update(Model), [{"id": 1, "field": "x"}, ...])``: a statement with (usually) no
``values()`` and no WHERE, and a list of parameter sets, each naming one row by its primary key (and its
``row_version``, on a versioned model) and the attributes to set on it. SQLAlchemy runs it as one UPDATE per
set, ``WHERE`` the row's key (and version) and any criteria the statement has; ``values()`` given to the
statement are set on every row. Read as a statement with no WHERE it would seem to touch every row of the
table, and its values would seem to be none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Connection, Table, and_, or_, select
from sqlalchemy.orm import ColumnProperty, Mapper
from sqlalchemy.sql import visitors

#: rows asked about in one SELECT (a condition per row, OR-ed)
_CHUNK = 200


@dataclass
class KeyedRow:
    """One row a bulk UPDATE by primary key names: its key, the version it must still have (versioned
    models), and the columns set on it (column key -> value): the statement's ``values()`` and its own."""

    pk: tuple[Any, ...]
    version: Any
    sets: dict[str, Any]
    params: dict[str, Any]  # the parameter set as given (for criteria with parameters of their own)


def parameter_sets(state: Any) -> list[dict[str, Any]] | None:
    """The parameter sets of an ``update()``/``delete()`` run through a session with a list of them
    (executemany), or None for a statement run once."""
    params = state.parameters
    return list(params) if isinstance(params, list) else None


def is_bulk_by_key(state: Any) -> bool:
    """Is this ORM ``update()`` run as SQLAlchemy's bulk UPDATE by primary key (a list of parameter sets
    and the default or ``"bulk"`` strategy)? Any other statement with a list of parameter sets (a bulk
    ``delete()``, which SQLAlchemy refuses itself, or an explicit ``dml_strategy`` of ``"core_only"`` or
    ``"orm"``, run as a Core executemany) is not."""
    if not state.is_update or parameter_sets(state) is None or state.bind_mapper is None:
        return False
    return state.execution_options.get("dml_strategy", "auto") in ("auto", "bulk")


def _column_key(mapper: Mapper[Any], attr: str) -> str | None:
    prop = mapper.attrs.get(attr)
    if not isinstance(prop, ColumnProperty) or not prop.columns:
        return None
    column = prop.columns[0]
    return str(column.key) if isinstance(column, ColumnElement) else None


def statement_values(stmt: Any) -> dict[str, Any]:
    """The columns an ``update()``'s ``values()`` set (column key -> plain value), in order."""
    pairs = list((getattr(stmt, "_values", None) or {}).items()) or list(getattr(stmt, "_ordered_values", None) or ())
    return {str(getattr(k, "key", k)): getattr(v, "value", v) for k, v in pairs}


def keyed_rows(state: Any) -> list[KeyedRow]:
    """The rows a bulk UPDATE by primary key names, in the order first named; a row named twice is one row
    with the sets merged in order (the later value is the one left)."""
    mapper: Mapper[Any] = state.bind_mapper
    table: Table = mapper.local_table  # type: ignore[assignment]
    key_attrs = [mapper.get_property_by_column(c).key for c in table.primary_key.columns]
    version_col = mapper.version_id_col
    version_attr = mapper.get_property_by_column(version_col).key if version_col is not None else None
    common = statement_values(state.statement)
    rows: dict[tuple[Any, ...], KeyedRow] = {}
    for params in parameter_sets(state) or []:
        pk = tuple(params[a] for a in key_attrs)
        sets = dict(common)
        for attr, value in params.items():
            if attr in key_attrs or attr == version_attr:
                continue
            column = _column_key(mapper, attr)
            if column is not None:
                sets[column] = value
        version = params.get(version_attr) if version_attr is not None else None
        if pk in rows:
            rows[pk].sets.update(sets)
            rows[pk].params.update(params)
        else:
            rows[pk] = KeyedRow(pk, version, sets, dict(params))
    return list(rows.values())


def _own_parameters(where: Any, rows: Sequence[KeyedRow]) -> set[str]:
    """The names of the WHERE criteria's parameters that the parameter sets give values for (SQLAlchemy
    takes them from each set, as it does the key)."""
    if where is None or not rows:
        return set()
    named = {str(b.key) for b in visitors.iterate(where) if isinstance(b, BindParameter)}
    return {n for n in named if any(n in r.params for r in rows)}


def rows_changed(conn: Connection, state: Any, rows: Sequence[KeyedRow],
                 *also: ColumnElement[bool]) -> list[tuple[Any, ...]]:
    """Of ``rows``, the keys of those the statement will change, asked before it runs: there, still at the
    version named, meeting the statement's own WHERE (and ``also``)."""
    mapper: Mapper[Any] = state.bind_mapper
    table: Table = mapper.local_table  # type: ignore[assignment]
    pk_cols = list(table.primary_key.columns)
    version_col = mapper.version_id_col
    where = getattr(state.statement, "whereclause", None)
    own = _own_parameters(where, rows)

    def named(row: KeyedRow) -> ColumnElement[bool]:
        parts = [c == v for c, v in zip(pk_cols, row.pk, strict=True)]
        if version_col is not None and row.version is not None:
            parts.append(version_col == row.version)
        return and_(*parts)

    extra = [*([where] if where is not None else []), *also]
    found: list[tuple[Any, ...]] = []
    groups = [[r] for r in rows] if own else [list(rows[i:i + _CHUNK]) for i in range(0, len(rows), _CHUNK)]
    for group in groups:
        query = select(*pk_cols).where(or_(*(named(r) for r in group)), *extra)
        params = {n: group[0].params[n] for n in own if n in group[0].params} if own else None
        found.extend(tuple(r) for r in conn.execute(query, params))
    order = {r.pk: i for i, r in enumerate(rows)}
    return sorted(found, key=lambda pk: order.get(pk, len(order)))
