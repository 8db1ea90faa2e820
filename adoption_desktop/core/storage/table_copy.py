"""A migration step that changes a SQLite table by copying it, while rows of other tables refer to it.

Alembic's batch mode makes a change SQLite cannot ``ALTER`` (a column made required again) by copying the
table: create a new one, copy the rows, drop the old one, rename the new one. With foreign keys enforced (a
downgrade run directly: every connection the program opens turns them on, and ``PRAGMA foreign_keys`` cannot
be changed inside the step's transaction) the ``DROP`` of a table that other rows refer to failed with
"FOREIGN KEY constraint failed" (``counselling_0002``'s downgrade, under a counselling case's sessions).
Deferring the checks to the commit (``PRAGMA defer_foreign_keys``, the one switch allowed inside a
transaction) is not enough in that order: the ``DROP`` counts every row that refers to the table as broken,
and renaming the copy does not count them back, so the commit failed instead. SQLite counts such a row as
whole again when the row it refers to is inserted into a table of that name: so :func:`copy_table` holds the
rows aside, drops the old table, makes the new one under its own name, puts the rows back, and makes its
indexes again.

The new table's definition and indexes are alembic's own (its batch run in a savepoint, read back from
``sqlite_master``, the savepoint rolled back). After the copy ``PRAGMA foreign_key_check`` must find nothing
(every reference is checked, as the program's upgrade does), or :class:`TableCopyRefused` is raised and the
step's transaction, rolled back, leaves the database as it was. On PostgreSQL the batch is plain ``ALTER``s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from adoption_desktop.core.errors import AppError


class TableCopyRefused(AppError):
    """The copy would leave rows referring to rows that are not there: the step changed nothing."""


def copy_table(conn: Connection, table: str, change: Callable[[Any], None]) -> None:
    """``change(batch)`` applied to ``table`` (alembic's ``batch_alter_table``): on SQLite by a copy that keeps
    the rows of other tables referring to it. ``change`` may drop columns and change their constraints
    (nullability, type); every column it keeps keeps its name (the rows are copied by name)."""
    from alembic import op

    if conn.dialect.name != "sqlite":
        with op.batch_alter_table(table) as batch:
            change(batch)
        return
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # ends at the commit or rollback, or below
    try:
        savepoint = conn.begin_nested()
        try:
            with op.batch_alter_table(table) as batch:
                change(batch)
            made = [str(sql) for (sql,) in conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
                "ORDER BY type = 'index', name", (table,))]
            columns = [str(row[1]) for row in conn.exec_driver_sql(f'PRAGMA table_info("{table}")')]
        finally:
            savepoint.rollback()  # the schema as it was, and the count of deferred references with it
        names = ", ".join(f'"{c}"' for c in columns)
        held = f"_adk_copy_{table}"  # in the encrypted file: no case data in a temporary file
        conn.exec_driver_sql(f'CREATE TABLE "{held}" AS SELECT {names} FROM "{table}"')
        conn.exec_driver_sql(f'DROP TABLE "{table}"')
        conn.exec_driver_sql(made[0])  # the table (its UNIQUE constraints' indexes with it)
        conn.exec_driver_sql(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{held}"')
        conn.exec_driver_sql(f'DROP TABLE "{held}"')
        for index in made[1:]:
            conn.exec_driver_sql(index)
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            tables = sorted({str(row[0]) for row in broken})
            raise TableCopyRefused(
                f"The change to {table} was refused: it would leave {len(broken)} reference(s) to missing rows "
                f"in {', '.join(tables)}. Nothing was changed by this step.")
    finally:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = OFF")
