"""Final rows stay final, whatever the caller: a signed ADM decision, approved panel minutes, a letterbox
item with an outcome.

A model registers its rule once (:func:`register_final`): the column that says a row is final and the value
(or values) it then holds, the message of the refusal, the columns a final row may still have filled in once
(while they are empty: the minutes' hand-off to the ADM, in the approving transaction), and those it may still
change at any time (``free``; ``free_when``, given the row and the session's connection: an item's channel and
writer, a returned item's reason until its returned letter is recorded as sent, what its content seal leaves
out). Two hooks apply every rule:

* ``before_flush``, for rows changed or deleted one by one through the ORM: refused when the row was final
  as it was loaded (the value the row held before this change);
* ``do_orm_execute``, for an ``update()`` or ``delete()`` statement run through a session, which goes around
  the flush: the rows its WHERE would touch are read first, AND-ed with the rule's final condition, and the
  statement is refused (``Conflict``, nothing written) when any of them is final. An update that only fills
  in once-columns is refused only on a final row where one of them is already filled in.

A statement through a plain ``Connection`` or raw SQL text goes around both; the row's seal catches it
(docs/verify.md), and the program refuses any later change to such a row (``capture._check_seals_before_flush``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, event, inspect, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.storage import bulk_by_key

#: ``final_when`` for a rule whose row is final once its column holds any value (a signature's time)
NOT_NULL: Any = object()


@dataclass(frozen=True)
class FinalRule:
    model: type[Any]
    column: str  # the attribute that says the row is final
    final_when: Any  # its value then, or NOT_NULL
    message: str  # the refusal, the same on every path
    set_once: frozenset[str]  # attributes a final row may still have filled in while empty
    free: frozenset[str] = frozenset()  # attributes a final row may still change at any time
    #: attributes a final row may still change, given its stored values and the connection of the session that
    #: would change it (a returned item's reason, until the sent-list names its returned letter): read in the
    #: same transaction, so what this transaction recorded counts
    free_when: Callable[[Mapping[str, Any], Connection], frozenset[str]] | None = None

    @property
    def table(self) -> Table:
        return inspect(self.model).local_table

    def is_final(self, value: Any) -> bool:
        if self.final_when is NOT_NULL:
            return value is not None
        if isinstance(self.final_when, frozenset):
            return value in self.final_when
        return bool(value == self.final_when)

    def final_condition(self) -> ColumnElement[bool]:
        col = self.table.c[self.column]
        if self.final_when is NOT_NULL:
            return col.is_not(None)
        if isinstance(self.final_when, frozenset):
            return col.in_(sorted(self.final_when))
        return col == self.final_when

    def refuses(self, keys: set[str] | frozenset[str], row: Mapping[str, Any], conn: Connection) -> bool:
        """Would setting ``keys`` on this final row (its stored values) be refused? No keys: a delete, or an
        update whose values cannot be named. ``free_when`` is asked (through ``conn``) only when a key is
        not free anyway."""
        if not keys:
            return True
        rest = set(keys) - self.free
        if rest and self.free_when is not None:
            rest -= self.free_when(row, conn)
        return bool(rest) and not (rest <= self.set_once and all(row.get(k) is None for k in rest))


_RULES: dict[str, FinalRule] = {}


def register_final(model: type[Any], *, column: str, final_when: Any, message: str,
                   set_once: frozenset[str] = frozenset(), free: frozenset[str] = frozenset(),
                   free_when: Callable[[Mapping[str, Any], Connection], frozenset[str]] | None = None
                   ) -> FinalRule:
    """Make ``model``'s rows final once ``column`` holds ``final_when`` (one of them, a frozenset; or any
    value, :data:`NOT_NULL`): neither changed nor deleted afterwards, through the ORM or by a statement, but
    for ``set_once`` (filled in while empty), ``free`` (changed at any time) and what ``free_when`` returns
    for the row as stored, read through the changing session's connection (changed, on such a row, while it
    says so)."""
    rule = FinalRule(model, column, final_when, message, frozenset(set_once), frozenset(free), free_when)
    _RULES[rule.table.name] = rule
    return rule


def _rule_of_object(obj: Any) -> FinalRule | None:
    rule = _RULES.get(getattr(getattr(obj, "__table__", None), "name", ""))
    return rule if rule is not None and isinstance(obj, rule.model) else None


def _stored(obj: Any, key: str) -> Any:
    """``obj``'s ``key`` as it was loaded (before any change in this session not yet flushed)."""
    hist = get_history(obj, key)
    if hist.has_changes():
        return hist.deleted[0] if hist.deleted else None
    return hist.unchanged[0] if hist.unchanged else None


@event.listens_for(Session, "before_flush")
def _final_rows_in_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse any update or delete of a row that was already final when it was loaded."""
    if not _RULES:
        return
    for obj in [*session.dirty, *session.deleted]:
        rule = _rule_of_object(obj)
        if rule is None:
            continue
        state = inspect(obj)
        if not state.persistent or not rule.is_final(_stored(obj, rule.column)):
            continue
        if obj in session.deleted:
            raise Conflict(rule.message)
        changed = {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}
        if changed and rule.refuses(changed, {a.key: _stored(obj, a.key) for a in state.mapper.column_attrs},
                                    session.connection()):
            raise Conflict(rule.message)


def _set_keys(stmt: Any) -> set[str]:
    """The names of the columns an ``update()`` statement's ``values()`` set."""
    return set(bulk_by_key.statement_values(stmt))


@event.listens_for(Session, "do_orm_execute")
def _final_rows_in_bulk(state: Any) -> None:
    """The same for an ``update()`` or ``delete()`` statement run through the session (an ORM entity's or its
    table's). An update whose values this cannot name (none given to ``values()``) is refused on any final row;
    one with no WHERE reads the whole table."""
    if not (state.is_update or state.is_delete) or not _RULES:
        return
    stmt = state.statement
    rule = _RULES.get(getattr(getattr(stmt, "table", None), "name", ""))
    if rule is None:
        return
    table = rule.table
    if bulk_by_key.is_bulk_by_key(state):
        _final_rows_named(state, rule)
        return
    conditions: list[ColumnElement[bool]] = [rule.final_condition()]
    where = getattr(stmt, "whereclause", None)
    if where is not None and bulk_by_key.parameter_sets(state) is None:
        conditions.append(where)  # (run once per parameter set, its rows cannot be named: any final row)
    params = state.parameters  # the values of the WHERE's own parameters, if it has any
    keys = _set_keys(stmt) if state.is_update else set()
    with state.session.no_autoflush:  # which columns may change depends on the row as stored: read the final ones
        found = state.session.execute(select(table).where(and_(*conditions)),
                                      params if isinstance(params, dict) else None).mappings().all()
        conn = state.session.connection()
        if any(rule.refuses(keys, row, conn) for row in found):
            raise Conflict(rule.message)


def _final_rows_named(state: Any, rule: FinalRule) -> None:
    """SQLAlchemy's bulk UPDATE by primary key (``session.execute(update(Model), [{"id": 1, ...}, ...])``):
    refused when a row one of its parameter sets names, and the statement would change, is final; a set
    that only fills in once-columns, only where one of them is already filled in. Rows not named are not
    asked about (read as a statement with no WHERE, any final row in the table refused it)."""
    table = rule.table
    groups: dict[frozenset[str], list[bulk_by_key.KeyedRow]] = {}
    for row in bulk_by_key.keyed_rows(state):
        groups.setdefault(frozenset(row.sets), []).append(row)
    conn = state.session.connection()
    pk = list(table.primary_key.columns)
    for keys, rows in groups.items():
        named = bulk_by_key.rows_changed(conn, state, rows, rule.final_condition())
        for start in range(0, len(named), 200):
            found = conn.execute(select(table).where(or_(*(and_(*(c == v for c, v in zip(pk, k, strict=True)))
                                                          for k in named[start:start + 200])))).mappings()
            if any(rule.refuses(keys, row, conn) for row in found.all()):
                raise Conflict(rule.message)
