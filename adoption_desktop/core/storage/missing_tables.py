"""Tables the schema should have that are gone: dropped outside the application by someone holding the key
(or the server login).

A user test of 2026-12-05 dropped whole audited tables (``DROP TABLE adm_letters``, ``panel_minutes``,
``counselling_disclosures``): ``verify`` skipped a table it could not find and said the database was intact,
and the window, opened on it, showed the SQL error of the first page that read it. Dropping an audit table
(``audit_seal``, ``audit_log``, ``audit_head``) stopped ``verify`` with an error that told the reader to run
``verify``. A table this version's schema has (every model's table, when the database is at this version's
schema; the audit tables whenever it has the seals) that is not there is now named by ``verify`` as a fault
and holds the database on open, as an audit alert does (:mod:`.foreign_objects` does the same for objects
the application never made).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, inspect, text

#: the audit log, its head, the row seals and their column lists: without any of them nothing else can be
#: checked (every schema that has the seals has all four)
AUDIT_TABLES = ("audit_log", "audit_head", "audit_seal", "audit_columns")


def _stored_heads(conn: Connection) -> frozenset[str] | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return frozenset(str(r[0]) for r in conn.execute(text("SELECT version_num FROM alembic_version")))


def _script_heads() -> frozenset[str]:
    from adoption_desktop.core.storage import schema_version

    heads = schema_version.script_heads()
    if heads is None:  # a script alembic must read itself
        from adoption_desktop.core.storage.migrations import script_heads

        return frozenset(script_heads())
    return heads


def expected_tables(conn: Connection) -> frozenset[str]:
    """The tables this database must hold: every model's table when it is at this version's schema (its
    stored revisions are this version's heads), else only the audit tables (an older schema, opened without
    being upgraded, lacks the tables later versions added). Reads on ``conn`` without ending its
    transaction (``verify`` reads in one snapshot)."""
    from adoption_desktop.schema import TABLE_NAMES

    if _stored_heads(conn) == _script_heads():
        return TABLE_NAMES
    return frozenset(AUDIT_TABLES)


def present_tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def missing_tables(conn: Connection) -> list[str]:
    """The tables of :func:`expected_tables` that are not in the database, by name; ``[]`` when none is."""
    return sorted(expected_tables(conn) - present_tables(conn))


def audit_table_missing(name: str) -> str:
    """What ``verify`` and the audit alert say of a dropped audit table."""
    return f"the audit table {name} is missing (dropped outside the application)"


def missing_tables_problem(missing: Iterable[str]) -> str | None:
    """What the audit alert on open says of them, or ``None``: the audit tables first (without them the log
    cannot be checked), then the record tables."""
    gone = list(missing)
    if not gone:
        return None
    parts = [audit_table_missing(n) for n in gone if n in AUDIT_TABLES]
    records = [n for n in gone if n not in AUDIT_TABLES]
    if len(records) == 1:
        parts.append(f"the table {records[0]} is missing (dropped outside the application): the records it held "
                     "are gone from this database")
    elif records:
        parts.append(f"the tables {', '.join(records)} are missing (dropped outside the application): the records "
                     "they held are gone from this database")
    return ("; ".join(parts) + ". The rest of the database is as it was. Restore the database from a backup made "
            "before the change (adoption-desktop restore), then run `adoption-desktop verify` to see what else "
            "was changed")
