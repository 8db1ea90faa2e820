"""Database objects the application never made: a trigger, a view or a rewrite rule that someone holding
the key (or the server login) added.

A row changed outside the application is caught by its seal; a trigger is not a change to any row until it
fires, and then it fires inside the application's own statement, so the row is sealed as the trigger left
it (the concurrency probe of 2026-12-04 planted one that rewrote an ADM decision's text as it was signed:
the sealed decision said the opposite of what the ADM signed, and ``verify`` passed). The application makes
no trigger, view or rule on the embedded store, and on PostgreSQL only the append-only guards of the audit
tables (``core.storage.team_setup``). Anything else is named by ``verify`` and holds the database on open,
as an audit alert does.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from adoption_desktop.core.audit.models import APPEND_ONLY_TABLES


def team_triggers() -> frozenset[tuple[str, str]]:
    """The audit tables' own guards in team mode (``team_setup``): (table, trigger)."""
    from adoption_desktop.core.storage.team_setup import HEAD_TABLE

    return frozenset({(t, name) for t in APPEND_ONLY_TABLES for name in ("adk_append_only", "adk_no_truncate")}
                     | {(HEAD_TABLE, "adk_head_forward"), (HEAD_TABLE, "adk_no_truncate")})


def foreign_objects(conn: Connection) -> list[str]:
    """Each trigger, view or rule in the application's schema that it did not make, as "trigger zz_x on
    adm_decisions"; ``[]`` when there is none (one catalogue read on SQLite, three on PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("SELECT type, name, tbl_name FROM sqlite_master "
                                    "WHERE type IN ('trigger', 'view') ORDER BY type, name").fetchall()
        return [f"{kind} {name}" + (f" on {table}" if kind == "trigger" else "") for kind, name, table in rows]
    ours = team_triggers()
    found = [f"trigger {name} on {table}" for table, name in conn.execute(text(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY c.relname, t.tgname"))
        if (table, name) not in ours]
    # the catalogue, not information_schema.views: that lists only views the login has rights on
    found += [f"view {name}" for (name,) in conn.execute(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('v', 'm') AND n.nspname = current_schema() ORDER BY c.relname"))]
    found += [f"rule {name} on {table}" for table, name in conn.execute(text(
        "SELECT tablename, rulename FROM pg_rules WHERE schemaname = current_schema() ORDER BY tablename, rulename"))]
    return found


def foreign_objects_problem(conn: Connection) -> str | None:
    """What ``verify`` and the audit alert say of them, or ``None``."""
    found = foreign_objects(conn)
    if not found:
        return None
    return (f"the database holds {', '.join(found)}, which the application never made and which can change "
            "records as they are saved; restore the database from a backup made before it appeared, or have IT "
            "remove it, and check the records it touched")
