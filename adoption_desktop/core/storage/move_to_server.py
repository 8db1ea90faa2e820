"""``adoption-desktop move-to-server``: an embedded database's records *and* its audit history moved onto a
team's PostgreSQL server, with the evidence intact.

Run by IT, as the schema owner's login, after ``team-setup`` and before anyone uses the server:

1. the file is held exclusively (as ``upgrade`` and ``move-database`` hold it: nobody saves into it during
   the copy), its anchors are checked and an administrator *of the file* signs in (audited in the file);
2. the file is checked as ``verify`` checks it (pages, audit chain, every row against its seal): a file that
   does not verify is not moved;
3. the server must be at the same schema as the file and as this version, set up by ``team-setup`` (its
   append-only triggers there), held exclusively, and empty: no row in any table;
4. in **one transaction** on the server every table's rows are copied as they are (ids kept), parents
   before children; the audit log, its seals, column lists and head as the file has them; the search
   indexes from the file's; each sequence set past the highest id. Each row of an audited table is read
   back and must give the file's stored value again exactly (the seals made in the file are checked on
   the server in the file's form: :mod:`adoption_desktop.core.audit.seals.filed_form`). One entry,
   :data:`MOVED_FROM_FILE`, is appended on the server: from which file, by whom, how many rows. The chain
   and every row's seal are checked on the server *inside* that transaction; anything wrong, an error or
   Ctrl+C, and it is rolled back: nothing is left on the server;
5. after the commit the file's own log records where it went (:data:`MOVED_TO_SERVER`); the file is
   otherwise as it was, readable, and still verifies, but kept **read-only** from then on (every save is
   refused: :mod:`adoption_desktop.core.storage.moved`), and a second move of it is refused;
6. this PC's witness of the server (:mod:`adoption_desktop.core.audit.anchors`) starts at the move's entry. A
   witness this PC kept of an earlier database of the same name (dropped and created again, or emptied and
   set up again) is set aside first, as ``init`` sets aside a file's at a path used before: only when the
   move itself filled the empty server, never otherwise.

Stopped part way (Ctrl+C), the message says what was done by then (:class:`MoveInterrupted`): before the
commit nothing is on the server; after it the records are, and only the file's own entry may be missing.
Running the command again then finds this file's move on the server (its log is the file's, up to the
move's entry) and writes nothing more there: it only records the move in the file.

No key is carried: the audit chain and the row seals are SHA-256 digests over the content alone, and the
file's key (SQLCipher's page HMACs) protects only the file's pages, which are checked in step 2.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, inspect, make_url, select, text
from sqlalchemy.orm import Session

from adoption_desktop.core.audit import anchors
from adoption_desktop.core.audit.chain import READ_ONLY_ACTIONS, append_entry, record, verify_chain
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.audit.seal_check import verify_record
from adoption_desktop.core.audit.seals import (
    MOVED_FROM_FILE,
    MOVED_TO_SERVER,
    _pk_columns,
    audited_tables,
    filed_difference,
    moved_at,
    pk_string,
)
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage import migrations, moved
from adoption_desktop.core.storage.engine import Database, check_file_shape, open_postgresql, read_connection
from adoption_desktop.core.storage.hold import (
    MAINTENANCE_WAIT,
    FileHold,
    PgHold,
    WaitReport,
    busy_wait,
    in_use_message,
)
from adoption_desktop.core.storage.migrations import KeySource

_log = logging.getLogger(__name__)

HEAD_TABLE = "audit_head"

#: rows inserted on the server per statement
BATCH = 1000
#: what every refusal made before the copy ends with
NOTHING_DONE = "Nothing was written on the server and the file is as it was."
#: what a failure during the copy ends with
ROLLED_BACK = ("Nothing was written on the server (the move is one transaction, and it was rolled back); "
               "the file is as it was and can go on being used. Put right what is said above and run the "
               "command again.")


#: the audit entries that record access or reading, not work saved (a sign-in or sign-out, a record opened, a
#: step refused, a backup or export: ``audit.READ_ONLY_ACTIONS``), and the detail of the account row's re-seal
#: that goes with a sign-in (``security.service``: failed attempts, last sign-in)
_ACCESS_ACTIONS = tuple(sorted(READ_ONLY_ACTIONS))
_ACCESS_DETAIL = "sign-in bookkeeping"


class MoveRefused(AppError):
    """The move was refused or failed; its message says what is on the server (nothing, but for a commit that
    failed, whose outcome is not known: running the command again finds out)."""


class MoveInterrupted(KeyboardInterrupt):
    """Ctrl+C stopped the move: ``message`` says what had been done by then, and what to do."""

    def __init__(self, message: str, *, on_server: bool | None) -> None:
        super().__init__(message)
        self.message = message
        #: whether the server's transaction had committed (None: stopped while committing, not known)
        self.on_server = on_server

    def __str__(self) -> str:
        return self.message


@dataclass
class _Stage:
    """How far the move has gone, for the message of a Ctrl+C (:func:`_stopped`)."""

    name: str = "before"  # "before" the commit, "committing", "committed" (on the server), "recorded" (in the file)
    move_entry: int = 0


@dataclass(frozen=True)
class MoveResult:
    per_table: dict[str, int]
    audit_entries: int  # copied from the file
    move_entry: int  # the number of the move's own entry on the server
    administrator: str
    server: str  # host/database, no login or password
    #: whether the file's own log records the move (it is said when it could not be)
    recorded_in_file: bool = False
    #: the server already held this file's move (a run stopped after its commit): nothing more was written
    #: there, and this run only recorded the move in the file
    finished_earlier_run: bool = False
    #: entries in the file after the move other than sign-ins (work saved into it that is not on the server)
    saved_after: int = 0
    #: what this PC's witness of the server found wrong with its log after the move ((): nothing)
    witness_problems: tuple[str, ...] = ()

    @property
    def records(self) -> int:
        """The rows copied outside the audit tables."""
        return sum(n for name, n in self.per_table.items() if not name.startswith("audit_"))


def server_label(url: str) -> str:
    """``host/database`` of a server URL, never its login or password."""
    given = make_url(url)
    return f"{given.host or 'localhost'}{f':{given.port}' if given.port else ''}/{given.database or ''}"


def move_to_server(source: Path, key: KeySource, server_url: str, username: str, password: str, *,
                   on_wait: WaitReport | None = None, progress: Callable[[str], None] | None = None) -> MoveResult:
    """Move the database file ``source`` (unlocked with ``key``, read under the move's hold when it is a
    reader: ``lifecycle.key_reader``) onto the empty team server ``server_url``,
    signing ``username`` in as an administrator of the file. See the module's description.

    A file whose log records a move already is refused; a Ctrl+C raises :class:`MoveInterrupted`, saying
    whether the records were on the server by then."""
    say = progress or (lambda _m: None)
    source = Path(source)
    stage = _Stage()
    try:
        return _move(source, key, server_url, username, password, on_wait, say, stage)
    except KeyboardInterrupt as stop:
        if isinstance(stop, MoveInterrupted):
            raise
        raise MoveInterrupted(_stopped(stage, source.name, server_label(server_url)),
                              on_server={"before": False, "committing": None}.get(stage.name, True)) from stop


def _stopped(stage: _Stage, file_name: str, label: str) -> str:
    """What a Ctrl+C at ``stage`` leaves, said as it is."""
    again = "Run the same command again"
    if stage.name == "before":
        return (f"The move was stopped before anything was committed on the server: nothing was written on the "
                f"server (its one transaction was rolled back) and {file_name} is as it was. {again} to move it.")
    if stage.name == "committing":
        return (f"The move was stopped while the server ({label}) was committing it: whether the records reached "
                f"the server is not known. {again}: it finds out, and either moves {file_name} or, if the server "
                "already holds its records, only records the move in the file. Point no PC at the server before "
                "then.")
    if stage.name == "committed":
        return (f"The move was stopped after it was committed on the server: the records and the audit history "
                f"ARE on the server ({label}; its entry {stage.move_entry} records the move), but {file_name}'s own "
                f"audit log may not say so yet, and until it does the file can still be saved into. {again}: it "
                f"finds this file's move on the server, writes nothing more there, and records the move in the file "
                "(which is then kept read-only). Then point each PC at the server.")
    return (f"The move was complete when it was stopped: the records are on the server ({label}; its entry "
            f"{stage.move_entry} records the move) and {file_name}'s audit log records it. Point each PC at the "
            "server.")


def _move(source: Path, key: KeySource, server_url: str, username: str, password: str,
          on_wait: WaitReport | None, say: Callable[[str], None], stage: _Stage) -> MoveResult:
    from adoption_desktop.core.storage.lifecycle import has_row_seals, verify_database

    check_file_shape(source)
    hold = FileHold.acquire(source, exclusive=True, wait=busy_wait(MAINTENANCE_WAIT),
                            message=in_use_message(source.name, "moved to the server"), on_wait=on_wait)
    try:
        db = migrations.open_checked(source, migrations.key_under_hold(key), hold=hold, on_wait=on_wait)
        try:
            if migrations.needs_upgrade(db) or not has_row_seals(db):
                raise MoveRefused(f"{source.name} is at an older schema than this version of Adoption Desktop. "
                                  f"Upgrade it first (adoption-desktop upgrade --db \"{source}\"), then run this "
                                  f"again. {NOTHING_DONE}")
            with read_connection(db.engine) as conn:
                earlier = moved.find(conn)
            if earlier is not None:
                raise MoveRefused(already_moved(source.name, earlier))
            if anchors.on_open(db):
                raise MoveRefused(f"{source.name} is on hold: {db.audit_hold}. An administrator must look into "
                                  f"it and acknowledge it (adoption-desktop audit-acknowledge) before it can be "
                                  f"moved. {NOTHING_DONE}")
            admin = _administrator(db, username, password)
            say("checking the file as verify does")
            report = verify_database(db)
            if not report.ok:
                raise MoveRefused(f"{source.name} did not verify, so it was not moved: "
                                  + "; ".join(report.problems[:10]) + f". {NOTHING_DONE} Run adoption-desktop "
                                  "verify on it, and restore it from a backup taken before the change.")
            result = _to_server(db, source.name, server_url, admin, on_wait, say, stage)
            recorded = _record_in_file(db, admin, result)
            if recorded:
                stage.name = "recorded"
            result = replace(result, recorded_in_file=recorded, saved_after=_saved_after(db, result.move_entry))
        except BaseException:
            db.dispose(write_anchor=False)
            raise
        db.dispose()
    finally:
        hold.release()
    return result


def _administrator(db: Database, username: str, password: str) -> Principal:
    from adoption_desktop.core.security.service import authenticate

    principal = authenticate(db, username, password, can_choose_password=False)
    if Role.ADMINISTRATOR not in principal.roles:
        raise MoveRefused(f"{principal.username} is not an administrator of this database: only an administrator "
                          f"may move it to a server. {NOTHING_DONE}")
    return principal


def _to_server(db: Database, file_name: str, url: str, admin: Principal, on_wait: WaitReport | None,
               say: Callable[[str], None], stage: _Stage) -> MoveResult:
    server = open_postgresql(url)
    label = server_label(url)
    try:
        hold = PgHold.acquire(server.engine, exclusive=True, wait=busy_wait(MAINTENANCE_WAIT),
                              message=in_use_message("The server's database", "moved onto"), on_wait=on_wait)
        try:
            with server.engine.connect() as conn:
                earlier = _this_files_move(conn, db, label)
                if earlier is None:
                    _check_server(conn, db)
            if earlier is not None:  # a run stopped after its commit: only the file's entry is left to write
                say(f"the server already holds this file's move (its entry {earlier.move_entry}): nothing more is "
                    "written there; recording the move in the file")
                stage.name, stage.move_entry = "committed", earlier.move_entry
                result = earlier
            else:
                say("copying (one transaction on the server)")
                result = _copy_committed(server, db, file_name, admin, label, stage)
                _set_aside_earlier_witness(server)  # the move filled an empty server: an older witness is not its
        finally:
            hold.release()
        found = anchors.on_open(server)  # this PC's witness of the server, from the move's entry on
        if found:
            _log.warning("this PC's witness of the server disagrees with its log after the move")
            result = replace(result, witness_problems=tuple(found))
    finally:
        server.dispose()
    return result


def _set_aside_earlier_witness(server: Database) -> None:
    """This PC's witness of an earlier database of the same name on the server set aside
    (:func:`anchors.forget_earlier_witness`): called only once the move has committed into a server it found
    empty. A witness that cannot be moved is reported by the check that follows (``witness_problems``)."""
    try:
        anchors.forget_earlier_witness(server)
    except OSError:
        _log.warning("this PC's earlier witness of the server could not be set aside", exc_info=True)


def _copy_committed(server: Database, db: Database, file_name: str, admin: Principal, label: str,
                    stage: _Stage) -> MoveResult:
    """The copy in one transaction on the server, ``stage`` moved on as it commits (a Ctrl+C's message)."""
    try:
        with server.engine.connect() as conn, read_connection(db.engine) as src:
            transaction = conn.begin()
            try:
                result = _copy(src, conn, file_name, admin, label)
            except BaseException:
                transaction.rollback()
                raise
            stage.name, stage.move_entry = "committing", result.move_entry
            transaction.commit()
            stage.name = "committed"
    except (MoveRefused, KeyboardInterrupt):
        raise
    except Exception as exc:
        if stage.name != "before":  # the COMMIT itself failed: the server may or may not have it
            _log.exception("the move's commit on the server failed")
            raise MoveRefused(f"The server's commit of the move failed ({type(exc).__name__}; the details are in "
                              f"the log): whether the records reached the server is not known. Run the same "
                              f"command again: it finds out, and either moves {file_name} or only records the "
                              "move in the file. Point no PC at the server before then.") from exc
        _log.exception("move to the server failed")
        raise MoveRefused(f"The move failed ({type(exc).__name__}; the details are in the log). "
                          f"{ROLLED_BACK}") from exc
    return result


def _this_files_move(conn: Connection, db: Database, label: str) -> MoveResult | None:
    """The server's record of *this* file's move, by a run stopped after its commit: the server's log is the
    file's up to its first :data:`MOVED_FROM_FILE` entry (the entry before it has the same hash in both: the
    chain makes every earlier one the same too). None for a server that holds no move, or another's."""
    if "audit_log" not in set(inspect(conn).get_table_names(schema="public")):
        return None
    at = moved_at(conn)
    if at is None or at < 2:
        return None
    log = cast(Table, AuditEntry.__table__)
    served = conn.execute(select(log.c.hash).where(log.c.seq == at - 1)).scalar()
    with read_connection(db.engine) as src:
        filed = src.execute(select(log.c.hash).where(log.c.seq == at - 1)).scalar()
    if served is None or served != filed:
        return None
    by = conn.execute(select(log.c.actor).where(log.c.seq == at)).scalar()
    return MoveResult({}, at - 1, at, str(by or ""), label, finished_earlier_run=True)


def already_moved(file_name: str, earlier: moved.MovedToServer) -> str:
    """The refusal of a second move of a file that was moved already."""
    return (f"{file_name} was moved to {earlier.where} on {earlier.date} by {earlier.by} (its audit entry "
            f"{earlier.seq} records it): a file is moved only once, and it is kept read-only as the record of the "
            f"work before the move. {NOTHING_DONE} Check the server with adoption-desktop verify --db and its "
            "address, and point each PC at it (docs/it-guide.md, Team mode).")


def _check_server(conn: Connection, db: Database) -> None:
    from adoption_desktop.schema import load_all_models

    names = set(inspect(conn).get_table_names(schema="public"))
    if not names:
        raise MoveRefused("The server's database has no tables yet: run adoption-desktop team-setup on it first "
                          f"(docs/it-guide.md, Team mode). {NOTHING_DONE}")
    with read_connection(db.engine) as src:
        filed = migrations.current_heads(src)
    served = migrations.current_heads(conn)
    if served != filed or filed != migrations.script_heads():
        raise MoveRefused("The server's database is not at the same schema as the file and this version of "
                          "Adoption Desktop: run adoption-desktop upgrade on it (as the schema owner) and "
                          f"team-setup again, then run this again. {NOTHING_DONE}")
    owner = conn.execute(text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public' "
                              "AND tablename = 'audit_log'")).scalar()
    if not conn.execute(text("SELECT pg_has_role(current_user, CAST(:o AS text), 'MEMBER')"), {"o": owner}).scalar():
        raise MoveRefused("Run this with the schema owner's login (the owner URL team-setup printed, "
                          "postgresql+psycopg://adoption_owner@HOST/DBNAME), not the application's: only the owner "
                          f"may set the tables' id counters. {NOTHING_DONE}")
    if conn.execute(text("SELECT 1 FROM pg_trigger WHERE tgname = 'adk_append_only' "
                         "AND tgrelid = 'public.audit_log'::regclass")).first() is None:
        raise MoveRefused("The server's database has not been set up for team mode (its audit log is not "
                          f"append-only yet): run adoption-desktop team-setup on it first. {NOTHING_DONE}")
    metadata = load_all_models()
    holding = [t.name for t in metadata.sorted_tables if t.name in names and t.name != HEAD_TABLE
               and conn.execute(select(text("1")).select_from(t).limit(1)).first() is not None]
    if conn.execute(text(f"SELECT 1 FROM {HEAD_TABLE} WHERE last_seq <> 0 OR id <> 1")).first() is not None:
        holding.append(HEAD_TABLE)  # a new schema's head names no entry yet
    holding += [n for n in sorted(names) if n.startswith("fts_")
                and conn.execute(text(f'SELECT 1 FROM "{n}" LIMIT 1')).first() is not None]
    if holding:
        users = "users" in holding
        raise MoveRefused("The server's database is not empty ("
                          + ("it has user accounts, " if users else "")
                          + f"records in {', '.join(holding[:8])}" + (" and more" if len(holding) > 8 else "")
                          + "): a file can only be moved onto a server nobody has used yet, or the two "
                            f"histories would mix. {NOTHING_DONE} Use a new, empty database on the server "
                            "(createdb, then team-setup).")


def _copy(src: Connection, conn: Connection, file_name: str, admin: Principal, label: str) -> MoveResult:
    from adoption_desktop.schema import load_all_models

    metadata = load_all_models()
    present = set(inspect(src).get_table_names())
    audited = audited_tables()
    per_table: dict[str, int] = {}
    for table in metadata.sorted_tables:  # parents before children
        if table.name not in present:
            continue
        if table.name != HEAD_TABLE:
            per_table[table.name] = _copy_table(src, conn, table)
        if table.name in audited:
            _same_as_filed(src, conn, table)
    if HEAD_TABLE in present:  # once the log is there: the trigger checks the head against it
        per_table[HEAD_TABLE] = _copy_head(src, conn, metadata.tables[HEAD_TABLE])
    _set_sequences(conn, metadata.sorted_tables, per_table)
    _copy_search(src, conn)
    entries = int(conn.execute(select(text("count(*)")).select_from(cast(Table, AuditEntry.__table__))).scalar_one())
    rows = sum(n for name, n in per_table.items() if not name.startswith("audit_"))
    detail = (f"moved from the database file {file_name} by {admin.username}: {rows} records in "
              f"{sum(1 for n in per_table if not n.startswith('audit_'))} tables, with audit entries 1 to "
              f"{entries} as they were in the file (seals made there are checked in the file's form)")
    seq = append_entry(conn, admin, MOVED_FROM_FILE, "database", "*", None, detail)
    _check_copy(conn)
    return MoveResult(per_table, entries, seq, admin.username, label)


def _copy_table(src: Connection, conn: Connection, table: Table) -> int:
    count = 0
    keys = [table.c[k] for k in _pk_columns(table)] if table.primary_key.columns else list(table.c)
    result = src.execute(select(table).order_by(*keys))
    while batch := result.fetchmany(BATCH):
        conn.execute(insert(table), [dict(r._mapping) for r in batch])
        count += len(batch)
    return count


def _copy_head(src: Connection, conn: Connection, table: Table) -> int:
    """The audit head as the file has it. A new schema has its row already (no entry named yet), which
    only moves forward (team-setup's trigger): on to the file's last entry, then to its hash, which the
    trigger accepts only when every entry back to the first is there, each chained to the one before."""
    head = src.execute(select(table.c.last_seq, table.c.last_hash).where(table.c.id == 1)).first()
    if head is None:
        return 0
    if conn.execute(select(table.c.id).where(table.c.id == 1)).first() is None:
        conn.execute(insert(table).values(id=1, last_seq=head.last_seq, last_hash=head.last_hash))
        return 1
    conn.execute(table.update().where(table.c.id == 1).values(last_seq=head.last_seq))
    conn.execute(table.update().where(table.c.id == 1).values(last_hash=head.last_hash))
    return 1


def _same_as_filed(src: Connection, conn: Connection, table: Table) -> None:
    """Every copied row of an audited table gives back the file's stored values exactly (else its seal,
    made in the file, could not be checked on the server): refused, naming the row and column."""
    keys = _pk_columns(table)
    served: dict[str, Mapping[str, Any]] = {}
    for row in conn.execute(text(f'SELECT * FROM "{table.name}"')).mappings():
        served[pk_string([row[k] for k in keys])] = dict(row)
    for row in src.execute(text(f'SELECT * FROM "{table.name}"')).mappings():
        pk = pk_string([row[k] for k in keys])
        copy = served.get(pk)
        column = "the whole row" if copy is None else filed_difference(table.name, dict(row), copy)
        if column is not None:
            raise MoveRefused(f"{table.name} row {pk}: {column} cannot be carried to the server exactly as the file "
                              f"holds it, so its seal could not be checked there. {ROLLED_BACK}")


def _set_sequences(conn: Connection, tables: list[Table], per_table: Mapping[str, int]) -> None:
    for table in tables:
        if table.name not in per_table:
            continue
        for column in table.primary_key.columns:
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": f"public.{table.name}", "c": column.name}).scalar()
            if seq:
                conn.execute(text(f'SELECT setval(CAST(:s AS regclass), COALESCE(max("{column.name}"), 1), '
                                  f'max("{column.name}") IS NOT NULL) FROM "{table.name}"'), {"s": seq})


def _copy_search(src: Connection, conn: Connection) -> None:
    from adoption_desktop.core.storage import search
    from adoption_desktop.core.storage.team_setup import _search_indexes

    present = set(inspect(src).get_table_names())
    for index in _search_indexes():
        if index.table not in present:
            continue
        rows = src.exec_driver_sql(f"SELECT rowid, body FROM {index.table} ORDER BY rowid")
        while batch := rows.fetchmany(BATCH):
            search.index_documents(conn, index, [(int(i), str(b)) for i, b in batch])


def _check_copy(conn: Connection) -> None:
    """The chain and every row against its seal, on the server, before the commit."""
    with Session(bind=conn) as session:
        broken = verify_chain(session)
    if broken is not None:
        raise MoveRefused(f"The audit log did not check out on the server after the copy: {broken.message}. "
                          f"{ROLLED_BACK}")
    problems = verify_record(conn)
    if problems:
        raise MoveRefused("The records did not check out against their seals on the server after the copy: "
                          + "; ".join(str(p) for p in problems[:5])
                          + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "") + f". {ROLLED_BACK}")


def _record_in_file(db: Database, admin: Principal, result: MoveResult) -> bool:
    """The file's own log says where it went: it is kept as evidence, not for new work (read-only from now on).
    False when that could not be written (the server has the move all the same; running the command again
    records it)."""
    if result.finished_earlier_run:
        what = (f"records and audit entries 1 to {result.audit_entries} (the server's entry {result.move_entry} "
                f"records the move, by {result.administrator}; recorded here when the command was run again after "
                "it had been stopped)")
    else:
        what = (f"{result.records} records, audit entries 1 to {result.audit_entries} (the server's entry "
                f"{result.move_entry} records the move)")
    try:
        with db.session(admin) as session:
            record(session, MOVED_TO_SERVER, "database", "*", actor=admin,
                   detail=f"moved to the server {result.server} by {admin.username}: {what}; this file is kept as "
                          "evidence and is not to be used for new work")
    except Exception:
        _log.exception("the move to the server was not recorded in the file's audit log")
        return False
    return True


def _saved_after(db: Database, move_entry: int) -> int:
    """Entries in the file from the server's move entry's number on that change records: work saved into the
    file after the server's copy was made (a run stopped after its commit, a PC still using the file), which
    is not on the server. Entries of access and reading (a sign-in, a record opened, a refusal, a backup:
    :data:`_ACCESS_ACTIONS`) and the file's own move entry are not counted: nothing of them is to be entered
    again on the server."""
    log = cast(Table, AuditEntry.__table__)
    with read_connection(db.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(log).where(
            log.c.seq >= move_entry, log.c.action.not_in(_ACCESS_ACTIONS), log.c.action != MOVED_TO_SERVER,
            func.coalesce(log.c.detail, "") != _ACCESS_DETAIL)).scalar_one())
