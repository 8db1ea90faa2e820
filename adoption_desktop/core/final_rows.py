"""Final rows stay final, whatever the caller: a signed ADM decision, approved panel minutes.

A model registers its rule once (:func:`register_final`): the column that says a row is final and the value
it then holds, the message of the refusal, and the columns a final row may still have filled in once (while
they are empty: the minutes' hand-off to the ADM, in the approving transaction). Two hooks apply every rule:

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

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, event, inspect, or_, select
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

    @property
    def table(self) -> Table:
        return inspect(self.model).local_table

    def is_final(self, value: Any) -> bool:
        return value is not None if self.final_when is NOT_NULL else bool(value == self.final_when)

    def final_condition(self) -> ColumnElement[bool]:
        col = self.table.c[self.column]
        return col.is_not(None) if self.final_when is NOT_NULL else col == self.final_when


_RULES: dict[str, FinalRule] = {}


def register_final(model: type[Any], *, column: str, final_when: Any, message: str,
                   set_once: frozenset[str] = frozenset()) -> FinalRule:
    """Make ``model``'s rows final once ``column`` holds ``final_when`` (or any value, :data:`NOT_NULL`):
    neither changed nor deleted afterwards, through the ORM or by a statement, but for ``set_once``."""
    rule = FinalRule(model, column, final_when, message, frozenset(set_once))
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
        if not all(k in rule.set_once and state.attrs[k].history.deleted in ((), [None]) for k in changed):
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
    if state.is_update and keys and keys <= rule.set_once:  # only filling in: refused where already filled
        conditions.append(or_(*(table.c[k].is_not(None) for k in sorted(keys))))
    query = select(*table.primary_key.columns).where(and_(*conditions)).limit(1)
    with state.session.no_autoflush:
        hit = state.session.execute(query, params if isinstance(params, dict) else None).first()
    if hit is not None:
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
    for keys, rows in groups.items():
        also: list[ColumnElement[bool]] = [rule.final_condition()]
        if keys and keys <= rule.set_once:
            also.append(or_(*(table.c[k].is_not(None) for k in sorted(keys))))
        if bulk_by_key.rows_changed(conn, state, rows, *also):
            raise Conflict(rule.message)
