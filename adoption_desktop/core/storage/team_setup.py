"""``adoption-desktop team-setup``: a PostgreSQL database where the application's login is not a master key.

Two roles are made (or brought into line, when run again):

* the **schema owner** owns every table; it is used only for ``upgrade`` (and by this command);
* the **application role**, which every PC signs in with, may read and write the business tables but
  may only *append* to the audit tables: no UPDATE, DELETE or TRUNCATE is granted on them, and a trigger
  owned by the schema owner refuses those statements whoever runs them (the head row may only move
  forward). The application role owns nothing, so it cannot drop or disable those triggers.

Run it as a login that can create roles and owns the database (or as a superuser). It is idempotent:
run it again after every ``upgrade`` so new tables get their grants.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import URL, Connection, Engine, create_engine, event, exc, inspect, make_url, text

from adoption_desktop.core.audit.models import APPEND_ONLY_TABLES
from adoption_desktop.core.errors import AppError, DatabaseBusy
from adoption_desktop.core.storage import migrations, search
from adoption_desktop.core.storage.engine import LIBPQ_TIMEOUTS, Database, is_postgres_url
from adoption_desktop.core.storage.hold import (
    MAINTENANCE_WAIT,
    PG_LOCK_KEY,
    PgHold,
    WaitReport,
    busy_wait,
    in_use_message,
)
from adoption_desktop.core.storage.setup_failures import setup_failure

OWNER_ROLE = "adoption_owner"
APP_ROLE = "adoption_app"
HEAD_TABLE = "audit_head"
READ_ONLY_TABLES = ("alembic_version",)

_APPEND_ONLY_FN = """
CREATE OR REPLACE FUNCTION adk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'Adoption Desktop: % on % refused: the audit log can only be appended to', TG_OP,
    TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$fn$
"""

#: the head moves only as an append moves it (``core.audit.chain.append_entry``): one step on from an entry that
#: is in the log (the sequence number), then to the hash of the entry just written after it. A trial's
#: application login moved it on by 1,000 in one statement; every later entry chained onto the gap, and
#: ``verify`` failed for good ("entry 124 was deleted") though nothing had been. Now such a move is refused,
#: and so is any append onto a head that does not match the log.
_HEAD_FORWARD_FN = """
CREATE OR REPLACE FUNCTION adk_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  s integer;
  h text;
  p text;
BEGIN
  IF TG_OP <> 'UPDATE' OR NEW.id <> OLD.id THEN
    RAISE EXCEPTION 'Adoption Desktop: the audit head can only move forward (% refused)', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.last_seq > OLD.last_seq AND NEW.last_hash = OLD.last_hash THEN
    -- the first step of an append: on from the newest entry in the log, as the head names it
    IF OLD.last_seq > 0 AND NOT EXISTS (SELECT 1 FROM audit_log
        WHERE seq = OLD.last_seq AND hash = OLD.last_hash) THEN
      RAISE EXCEPTION 'Adoption Desktop: the audit head (entry %) does not match the log; nothing is '
        'appended until IT has checked it (adoption-desktop verify)', OLD.last_seq
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.last_seq = OLD.last_seq AND NEW.last_hash <> OLD.last_hash THEN
    -- the second step: the hash of the newest entry just written; the entries back to the one the head
    -- named before must all be there, each chained to the one before it
    s := NEW.last_seq;
    h := NEW.last_hash;
    LOOP
      SELECT prev_hash INTO p FROM audit_log WHERE seq = s AND hash = h;
      IF NOT FOUND OR s < 1 THEN
        RAISE EXCEPTION 'Adoption Desktop: the audit head can only name an entry chained to the log '
          '(entry % refused)', s USING ERRCODE = 'insufficient_privilege';
      END IF;
      EXIT WHEN p = OLD.last_hash;
      s := s - 1;
      h := p;
    END LOOP;
    IF (s = 1 AND OLD.last_hash = repeat('0', 64)) OR EXISTS (SELECT 1 FROM audit_log
        WHERE seq = s - 1 AND hash = OLD.last_hash) THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'Adoption Desktop: the audit head moves only as entries are appended (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$fn$
"""


@dataclass(frozen=True)
class TeamSetupResult:
    owner_role: str
    app_role: str
    owner_password: str | None  # None: the role existed and kept its password
    app_password: str | None
    owner_url: str
    app_url: str
    tables: int


def _role_exists(conn: Connection, name: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first() is not None


def _ensure_role(conn: Connection, name: str) -> str | None:
    if _role_exists(conn, name):
        conn.execute(text(str(conn.execute(text("SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB "
                                                     "NOCREATEROLE NOBYPASSRLS', CAST(:n AS text))"), {"n": name}).scalar())))
        return None
    password = secrets.token_urlsafe(24)
    ddl = conn.execute(text("SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', "
                            "CAST(:n AS text), CAST(:p AS text))"), {"n": name, "p": password}).scalar()
    conn.execute(text(str(ddl)))
    return password


def _q(conn: Connection, name: str) -> str:
    return str(conn.execute(text("SELECT quote_ident(CAST(:n AS text))"), {"n": name}).scalar())


def _url_for(admin: URL, role: str, password: str | None) -> str:
    url = admin.set(username=role, password=password or "PASSWORD")
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def team_setup(admin_url: str, *, owner_role: str = OWNER_ROLE, app_role: str = APP_ROLE,
               on_wait: WaitReport | None = None) -> TeamSetupResult:
    """Create or update the two roles, the schema (as the owner), the grants and the triggers.

    A schema to create or upgrade is changed only under the exclusive hold that ``upgrade`` takes (refused,
    after a short wait that ``on_wait`` is told of, while anyone else has the database open): a trial's
    team-setup ran the migrations while another PC was saving. A schema already at this version is left
    alone, and the rest (roles, grants, triggers) is done without the hold, as it never takes a lock that
    stops a colleague's save. The server's refusals are said plainly (:func:`setup_failure`)."""
    if not is_postgres_url(admin_url):
        raise AppError("team-setup is for a PostgreSQL database: give --db postgresql+psycopg://ADMIN@HOST/DBNAME.")
    if owner_role == app_role:
        raise AppError("The schema owner and the application role must be two different roles.")
    admin = make_url(admin_url)
    if not admin.database:  # libpq would take the login's name for the database's
        raise AppError("--db names no database: give its name at the end, postgresql+psycopg://ADMIN@HOST/DBNAME. "
                       "Nothing was changed.")
    engine = _engine(admin)
    hold: PgHold | None = None
    try:
        try:
            with engine.connect() as conn:
                _check_rights(conn)
            probe = Database(engine, "postgresql", None, label="The database")
            behind = migrations.postgresql_is_empty(probe) or migrations.needs_upgrade(probe)
            if behind:  # before anything is changed: refused while anyone is in, with nothing done
                hold = _exclusive_hold(engine, on_wait)
            owner_pw, app_pw = _roles(engine, owner_role, app_role)
        except exc.DBAPIError as err:
            raise setup_failure(err, admin) from err
        # the schema, created or upgraded by the owner (it owns what it creates)
        owner_engine = _engine(admin)

        @event.listens_for(owner_engine, "connect")
        def _as_owner(dbapi_connection: object, _record: object) -> None:
            cur = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cur.execute(f"SET ROLE {owner_role}")
            cur.close()
            dbapi_connection.commit()  # type: ignore[attr-defined]

        owner_db = Database(owner_engine, "postgresql", None, label="team-setup")
        try:
            if behind:
                migrations.upgrade_postgresql(owner_db)
            with owner_engine.begin() as conn:
                for index in _search_indexes():  # created on first use otherwise, which the app role may not do
                    search.ensure_index(conn, index)
                tables = _grant_and_protect(conn, owner_role, app_role)
        except exc.DBAPIError as err:
            made = [role for role, pw in ((owner_role, owner_pw), (app_role, app_pw)) if pw]
            raise setup_failure(err, admin, started=True, new_roles=made) from err
        finally:
            owner_engine.dispose()
    finally:
        if hold is not None:
            hold.release()
        engine.dispose()
    return TeamSetupResult(owner_role, app_role, owner_pw, app_pw, _url_for(admin, owner_role, owner_pw),
                           _url_for(admin, app_role, app_pw), tables)


def _engine(url: URL) -> Engine:
    """An engine for ``url`` that gives up on a server that does not answer (as the application's does)."""
    return create_engine(url, connect_args={k: v for k, v in LIBPQ_TIMEOUTS.items() if k not in url.query})


def _check_rights(conn: Connection) -> None:
    """Refuse, before anything is changed, a login that lacks a right team-setup needs. Checked here because
    PostgreSQL does not always refuse: a login that does not own the database is only *warned* that GRANT or
    REVOKE CONNECT did nothing, and the database stayed open to every login on the server."""
    me, superuser, createrole, owner, owns, dbname = conn.execute(text(
        "SELECT r.rolname, r.rolsuper, r.rolcreaterole, o.rolname, pg_has_role(r.oid, d.datdba, 'MEMBER'), "
        "d.datname FROM pg_roles r, pg_database d, pg_roles o "
        "WHERE r.rolname = current_user AND d.datname = current_database() AND o.oid = d.datdba")).one()
    conn.rollback()
    if superuser:
        return
    if not createrole:
        raise AppError(f"The login {me} may not create roles: team-setup needs the CREATEROLE right (ALTER ROLE "
                       f"{me} CREATEROLE, run by a superuser), or run it as a superuser. Nothing was changed.")
    if not owns:
        raise AppError(f"The login {me} does not own the database {dbname} (its owner is {owner}): team-setup "
                       "decides who may connect to it, which only the database's owner may do. Run it as "
                       f"{owner} or as a superuser, or make {me} the owner (ALTER DATABASE {dbname} OWNER TO "
                       f"{me}). Nothing was changed.")


def _roles(engine: Engine, owner_role: str, app_role: str) -> tuple[str | None, str | None]:
    """The two roles made or brought into line, the database's connect rights, and the tables re-owned."""
    with engine.begin() as conn:
        owner_pw = _ensure_role(conn, owner_role)
        app_pw = _ensure_role(conn, app_role)
        owner, app = _q(conn, owner_role), _q(conn, app_role)
        dbname = _q(conn, str(conn.execute(text("SELECT current_database()")).scalar()))
        me = str(conn.execute(text("SELECT current_user")).scalar())
        if me not in (owner_role, app_role):
            conn.execute(text(f"GRANT {owner} TO {_q(conn, me)}"))  # so this login may act as the owner
        conn.execute(text(f"GRANT CONNECT ON DATABASE {dbname} TO {owner}, {app}, {_q(conn, me)}"))
        # PostgreSQL lets every login on the server connect to a new database (PUBLIC holds CONNECT): a
        # team database is reached only by its two roles and the login that set it up (team-mode trial)
        conn.execute(text(f"REVOKE CONNECT ON DATABASE {dbname} FROM PUBLIC"))
        conn.execute(text(f"GRANT USAGE, CREATE ON SCHEMA public TO {owner}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {app}"))
        conn.execute(text(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {app}"))
        # only what the owner does not own yet: ALTER … OWNER takes the table's exclusive lock even when
        # nothing changes, and a run while people worked deadlocked their saves (team-mode trial ut26)
        owned_by_others = {"role": owner_role}
        for (name,) in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                         "AND tableowner <> :role"), owned_by_others):
            conn.execute(text(f"ALTER TABLE public.{_q(conn, name)} OWNER TO {owner}"))
        for (name,) in conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' "
                                         "AND sequenceowner <> :role"), owned_by_others):
            conn.execute(text(f"ALTER SEQUENCE public.{_q(conn, name)} OWNER TO {owner}"))
    return owner_pw, app_pw


def _exclusive_hold(engine: Engine, on_wait: WaitReport | None) -> PgHold:
    """``upgrade``'s exclusive hold, or :class:`DatabaseBusy` naming how many others have the database open."""
    try:
        return PgHold.acquire(engine, exclusive=True, wait=busy_wait(MAINTENANCE_WAIT),
                              message=in_use_message("The database", "upgraded"), on_wait=on_wait)
    except DatabaseBusy as err:
        raise DatabaseBusy(others_in_message(engine)) from err


def others_in_message(engine: Engine, *, then: str = "run team-setup again") -> str:
    """Why the schema cannot be upgraded now (team-setup, ``upgrade``, the upgrade at first open): who holds
    the database open (the sessions holding the openers' shared hold; their login and where they connect from,
    when the server lets this login see it). ``then``: what to do once everyone has closed it."""
    key = PG_LOCK_KEY
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT l.pid, a.client_addr, a.usename FROM pg_locks l "
                "LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid() "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND l.classid = CAST(:hi AS oid) AND l.objid = CAST(:lo AS oid) AND l.objsubid = 1"),
                {"hi": key >> 32, "lo": key & 0xFFFF_FFFF}).all()
    except exc.DBAPIError:
        rows = []
    pids = {row[0] for row in rows}
    places = sorted({str(row[1]) for row in rows if row[1] is not None})
    logins = sorted({str(row[2]) for row in rows if row[2]})
    if pids:
        who = (f"{len(pids)} other connection{'s' if len(pids) != 1 else ''} (Adoption Desktop on another "
               "computer, or a command still running)"
               + (f" as {', '.join(logins)}" if logins else "") + (f" from {', '.join(places)}" if places else ""))
    else:
        who = "another connection (Adoption Desktop on another computer, or a command still running)"
    return (f"The database's schema must be upgraded first, but others are connected to it: {who}. The "
            "upgrade is never run while anyone is working: ask everyone to close Adoption Desktop, then "
            f"{then}. Nothing was changed.")


#: the feature modules that declare full-text indexes (``search.SearchIndex`` at module level)
SEARCH_MODULES = ("adoption_desktop.letterbox.service", "adoption_desktop.counselling.service",
                  "adoption_desktop.panel.service", "adoption_desktop.adm.service")


def _search_indexes() -> list[search.SearchIndex]:
    import importlib

    found: dict[str, search.SearchIndex] = {}
    for name in SEARCH_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, search.SearchIndex):
                found[value.name] = value
    return list(found.values())


def _grant_and_protect(conn: Connection, owner_role: str, app_role: str) -> int:
    owner, app = _q(conn, owner_role), _q(conn, app_role)
    names = inspect(conn).get_table_names(schema="public")
    missing = [t for t in (*APPEND_ONLY_TABLES, HEAD_TABLE) if t not in names]
    if missing:
        raise AppError(f"The database has no {', '.join(missing)} table: it is not an Adoption Desktop database.")
    conn.execute(text(_APPEND_ONLY_FN))
    conn.execute(text(_HEAD_FORWARD_FN))
    conn.execute(text("REVOKE ALL ON FUNCTION adk_audit_append_only(), adk_audit_head_forward() FROM PUBLIC"))
    for name in names:
        t = f"public.{_q(conn, name)}"
        conn.execute(text(f"REVOKE ALL ON {t} FROM PUBLIC, {app}"))
        if name in APPEND_ONLY_TABLES:
            grant = "SELECT, INSERT"
        elif name == HEAD_TABLE:
            grant = "SELECT, INSERT, UPDATE"
        elif name in READ_ONLY_TABLES:
            grant = "SELECT"
        else:
            grant = "SELECT, INSERT, UPDATE, DELETE"
        conn.execute(text(f"GRANT {grant} ON {t} TO {app}"))
    for name in APPEND_ONLY_TABLES:
        t = f"public.{_q(conn, name)}"
        _trigger(conn, "adk_append_only", t, "BEFORE DELETE OR UPDATE", "ROW", "adk_audit_append_only")
        _trigger(conn, "adk_no_truncate", t, "BEFORE TRUNCATE", "STATEMENT", "adk_audit_append_only")
    head = f"public.{HEAD_TABLE}"
    _trigger(conn, "adk_head_forward", head, "BEFORE DELETE OR UPDATE", "ROW", "adk_audit_head_forward")
    _trigger(conn, "adk_no_truncate", head, "BEFORE TRUNCATE", "STATEMENT", "adk_audit_append_only")
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}"))
    # tables a later upgrade creates: business rights by default (team-setup is run again after upgrades)
    conn.execute(text(f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                      f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"))
    conn.execute(text(f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                      f"GRANT USAGE, SELECT ON SEQUENCES TO {app}"))
    return len(names)


def _trigger(conn: Connection, name: str, table: str, when: str, each: str, function: str) -> None:
    """The trigger ``name`` on ``table`` as given, made again unless it is already there exactly so and enabled.
    ``when`` lists the events in PostgreSQL's own order (``pg_get_triggerdef``: INSERT, DELETE, UPDATE,
    TRUNCATE), so a trigger in place reads back as the statement that made it. Left alone when in place:
    DROP TRIGGER takes the table's exclusive lock, and a team-setup run again while people worked deadlocked
    their saves on the audit tables (team-mode trial ut26). A trigger missing, disabled, or changed in any way
    is made again, as before."""
    wanted = f"CREATE TRIGGER {name} {when} ON {table} FOR EACH {each} EXECUTE FUNCTION {function}()"
    found = conn.execute(text("SELECT pg_get_triggerdef(t.oid), t.tgenabled FROM pg_trigger t "
                              "WHERE t.tgrelid = CAST(:table AS regclass) AND t.tgname = :name"),
                         {"table": table, "name": name}).first()
    if found is not None and found[0] == wanted and found[1] == "O":
        return
    conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
    conn.execute(text(wanted))
