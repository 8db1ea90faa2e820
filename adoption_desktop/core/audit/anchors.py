"""The audit head kept outside the database, so a log cut short, rewritten or rolled back is caught.

An *anchor* is the sequence number and hash of the last entry seen. It is kept

* beside an embedded database (``NAME.db.audit-anchor``),
* in this user's data folder (``audit-anchors/``, one file per database file or per server and database:
  for a PostgreSQL server this is the PC's *witness*), and
* in every backup's manifest.

Rules: on open every anchor is checked against the log **first**. A mismatch is reported, the anchors
are left exactly as they are (the evidence) and the database is *held*: nothing can be saved (except
signing in) until an administrator acknowledges the alert, which is itself an audit entry. An anchor is
only ever moved forward, to a head whose entries since the previous anchor have been checked; a close
never writes over an anchor it could not confirm.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import shutil
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.audit.chain import (
    anchor_file_for,
    check_anchor,
    current_anchor,
    entry_hash,
    record,
)
from adoption_desktop.core.audit.models import GENESIS, AuditEntry
from adoption_desktop.core.config import app_paths
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.base import server_clock, utcnow

if TYPE_CHECKING:
    from adoption_desktop.core.storage.engine import Database

_log = logging.getLogger(__name__)
ACK_ACTION = "audit_alert_acknowledged"
#: where the anchor kept beside an embedded database is said to be
BESIDE = "beside the database"


def identity(db: Database) -> str:
    """What an anchor in the per-user folder is kept for: the database file, or the server and database."""
    if db.is_sqlite and db.path is not None:
        return file_identity(Path(db.path))
    url = db.engine.url
    return f"postgresql://{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def file_identity(path: Path) -> str:
    return "file:" + str(Path(path).resolve())


def user_anchor_file(db: Database) -> Path:
    return _user_anchor_path(identity(db))


def _user_anchor_path(ident: str) -> Path:
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32]
    return app_paths().data / "audit-anchors" / f"{digest}.json"


def locations(db: Database) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    if db.is_sqlite and db.path is not None:
        out.append((BESIDE, anchor_file_for(Path(db.path))))
    out.append(("in this user's data folder" if db.is_sqlite else "in this PC's witness for the server",
                user_anchor_file(db)))
    return out


@dataclass(frozen=True)
class StoredAnchor:
    where: str
    path: Path
    seq: int
    hash: str
    at: str


def _read(where: str, path: Path) -> StoredAnchor:
    data: Any = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("seq"), int) or not isinstance(data.get("hash"), str):
        raise ValueError("not an anchor")
    return StoredAnchor(where, path, int(data["seq"]), str(data["hash"]), str(data.get("at", "")))


def stored(db: Database) -> tuple[list[StoredAnchor], list[str]]:
    """The anchors found for ``db`` and a problem for each that cannot be read."""
    found: list[StoredAnchor] = []
    problems: list[str] = []
    for where, path in locations(db):
        if not path.exists():
            continue
        try:
            found.append(_read(where, path))
        except (OSError, ValueError):
            problems.append(f"the audit anchor {where} ({path.name}) is damaged or unreadable")
    found.extend(_backup_anchors(db))
    return found, problems


def _acknowledged_file(db: Database) -> Path:
    return _acknowledged_path(identity(db))


def _acknowledged_path(ident: str) -> Path:
    return _user_anchor_path(ident).with_suffix(".acknowledged.json")


def _acknowledged(db: Database) -> set[tuple[int, str]]:
    return _acknowledged_for(identity(db))


def _acknowledged_for(ident: str) -> set[tuple[int, str]]:
    try:
        data = json.loads(_acknowledged_path(ident).read_text(encoding="utf-8"))
        return {(int(a["seq"]), str(a["hash"])) for a in data}
    except (OSError, ValueError, TypeError, KeyError):
        return set()


def _backup_anchors(db: Database) -> list[StoredAnchor]:
    """The anchors in this database's backups in the user's backups folder (not yet acknowledged as
    superseded): a rollback is caught even when both anchor files were deleted."""
    if not db.is_sqlite:
        return []
    return _backup_anchors_for(identity(db))


def _backup_anchors_for(ident: str) -> list[StoredAnchor]:
    import zipfile

    folder = app_paths().backups
    if not folder.is_dir():
        return []
    done = _acknowledged_for(ident)
    out: list[StoredAnchor] = []
    for archive in sorted(folder.glob("*.adkbak")):
        try:
            with zipfile.ZipFile(archive) as zf:
                manifest = json.loads(zf.read("manifest.json"))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            continue
        anchor = manifest.get("audit_anchor") if isinstance(manifest, dict) else None
        if manifest.get("db") != ident or not isinstance(anchor, dict):
            continue
        try:
            seq, digest = int(anchor["seq"]), str(anchor["hash"])
        except (KeyError, TypeError, ValueError):
            continue
        if (seq, digest) not in done:
            out.append(StoredAnchor("in a backup", archive, seq, digest, str(manifest.get("at", ""))))
    return out


@dataclass
class SetAside:
    """What :func:`forget_earlier` moved, so that a creation that fails puts it back (:func:`restore_earlier`):
    a failed or interrupted creation must not leave an earlier database's anchors forgotten."""

    beside: bytes | None = None
    user_from: Path | None = None
    user_to: Path | None = None
    ack_file: Path | None = None
    ack_before: str | None = None

    @property
    def anything(self) -> bool:
        """Whether an earlier database's anchor was found (and set aside) at all."""
        return self.beside is not None or self.user_to is not None or self.ack_file is not None


def forget_earlier(path: Path) -> SetAside:
    """A new database has just been made at ``path`` (its file created exclusively, under the exclusive
    hold): the anchors of an earlier database at that path (deleted, or left by an interrupted creation)
    are not this one's. The anchor beside it is removed; this user's anchor for the path is kept as
    ``….superseded-STAMP`` (evidence, as :func:`acknowledge` keeps it) and the earlier database's backups
    in the backups folder no longer count as its anchors. The new database's own anchors are written
    when it is first closed. Only ever called by the creation itself, never for a database that exists:
    a rewritten log of an existing database is still caught by every anchor."""
    ident = file_identity(path)
    aside = SetAside()
    beside = anchor_file_for(Path(path))
    with contextlib.suppress(OSError):
        aside.beside = beside.read_bytes()
    beside.unlink(missing_ok=True)
    user = _user_anchor_path(ident)
    moved_to = _set_aside_user_anchor(ident)
    if moved_to is not None:
        aside.user_from, aside.user_to = user, moved_to
    earlier = _backup_anchors_for(ident)
    if earlier:
        superseded = _acknowledged_for(ident) | {(a.seq, a.hash) for a in earlier}
        ack_file = _acknowledged_path(ident)
        aside.ack_file = ack_file
        aside.ack_before = ack_file.read_text(encoding="utf-8") if ack_file.exists() else None
        ack_file.parent.mkdir(parents=True, exist_ok=True)
        ack_file.write_text(json.dumps([{"seq": q, "hash": h} for q, h in sorted(superseded)]), encoding="utf-8")
    if aside.anything:  # a path never used before has nothing to set aside, and says nothing
        _log.info("a new database at a path used before: the earlier database's audit anchors were set aside")
    return aside


def _set_aside_user_anchor(ident: str) -> Path | None:
    """This user's anchor for ``ident`` kept as ``….superseded-STAMP`` (evidence, never deleted): where it
    went, or None when there was none."""
    user = _user_anchor_path(ident)
    if not user.exists():
        return None
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    to = user.with_name(f"{user.name}.superseded-{stamp}")
    n = 1
    while to.exists():  # two set aside within a second: neither is written over
        n += 1
        to = user.with_name(f"{user.name}.superseded-{stamp}-{n}")
    os.replace(user, to)
    return to


def forget_earlier_witness(server: Database) -> Path | None:
    """``move-to-server`` has just filled ``server``'s database, which it found empty under its exclusive
    hold (no audit entry, no row: ``move_to_server._check_server``), and committed: this PC's witness of an
    earlier database of the same name on the same server (dropped and created again, or emptied and set
    up again, by IT) is not this one's. It is kept as ``….superseded-STAMP`` (evidence, as :func:`acknowledge`
    keeps it) and the move's own witness is written next (:func:`on_open`). Without this the earlier witness
    named entries the new log does not have: every later open of the server from this PC was held, "the log
    was cut short, or the server's database was restored from an older copy", although nothing was wrong
    (user trial, 6 December 2026). Only ever called by the move, after its commit: a log cut short or
    rewritten on a server the move did not fill is still caught by the witness. Where the earlier witness
    went, or None when this PC had none."""
    if server.is_sqlite:
        raise ValueError("only a server's witness is set aside by a move")
    ident = identity(server)
    moved_to = _set_aside_user_anchor(ident)
    if moved_to is not None:
        _log.info("a team server's database filled by move-to-server had been used before under the same name: "
                  "this PC's earlier witness of it was set aside (kept as %s)", moved_to.name)
    return moved_to


def restore_earlier(path: Path, aside: SetAside) -> None:
    """A creation failed: its own anchors go (:func:`remove_new`) and the earlier database's come back, so
    that an interrupted creation cannot be used to make an earlier database's anchors forgotten."""
    remove_new(path)
    if aside.beside is not None:
        anchor_file_for(Path(path)).write_bytes(aside.beside)
    if aside.user_from is not None and aside.user_to is not None and aside.user_to.exists():
        os.replace(aside.user_to, aside.user_from)
    if aside.ack_file is not None:
        if aside.ack_before is None:
            aside.ack_file.unlink(missing_ok=True)
        else:
            aside.ack_file.write_text(aside.ack_before, encoding="utf-8")


def remove_new(path: Path) -> None:
    """The anchors written for a database whose creation failed (it is being removed)."""
    anchor_file_for(Path(path)).unlink(missing_ok=True)
    _user_anchor_path(file_identity(path)).unlink(missing_ok=True)


def check_all(db: Database, session: Session,
              read_first: tuple[list[StoredAnchor], list[str]] | None = None) -> list[str]:
    """Every anchor kept for ``db`` against its log; one line per disagreement ([] when all agree).

    The anchors must be read before ``session`` takes its snapshot (its first read): another program may
    commit and move them on meanwhile, and an anchor read after the snapshot could be ahead of it. A
    caller whose session has already read passes ``read_first`` (:func:`stored`, read before it began)."""
    found, unreadable = read_first if read_first is not None else stored(db)
    problems = list(unreadable)
    # the same fault found through several anchors (beside the file, this user's, a backup's) is said once,
    # naming them all
    by_fault: dict[tuple[int, str], list[StoredAnchor]] = {}
    kinds: dict[tuple[int, str], str] = {}
    for anchor in found:
        # "behind" / "older copy" only where the log shows it (chain.check_anchor), never for every mismatch
        problem = check_anchor(session, {"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at},
                               server=not db.is_sqlite)
        if problem is not None:
            by_fault.setdefault((problem.seq, problem.message), []).append(anchor)
            kinds[(problem.seq, problem.message)] = problem.kind
    for (seq, message), named in by_fault.items():
        first = _first_differing(session, found, seq) if kinds[(seq, message)] in ("rewritten", "older_copy") else ""
        problems.append(f"#{seq}: {message}{first} ({_naming(named)})")
    return problems


def _naming(named: list[StoredAnchor]) -> str:
    if len(named) == 1:
        return f"anchor {where_of(named[0])}"
    return "anchors " + "; ".join(where_of(a) for a in named)


def _first_differing(session: Session, found: list[StoredAnchor], seq: int) -> str:
    """Where the rewrite begins, as far as the other anchors show it cheaply (one lookup each): after the
    newest earlier anchor the log still agrees with, and no later than the oldest that it does not."""
    agree = [a.seq for a in found if 0 < a.seq < seq and _has_entry(session, (a.seq, a.hash))]
    differ = [a.seq for a in found if 0 < a.seq <= seq and not _has_entry(session, (a.seq, a.hash))]
    low, high = max(agree, default=0), min(differ, default=seq)
    if low + 1 == high:
        return f"; entry {high} is the first that differs (entry {low} is as recorded)" if low else ""
    if low:
        return f"; the first entry that differs is between entry {low + 1} and entry {high} (entry {low} is as recorded)"
    return ""


def where_of(anchor: StoredAnchor) -> str:
    return f"{anchor.where}: {anchor.path}"

#: the anchors each open (:func:`on_open`) checked the log against, before it moved them on to the head: what
#: vouched for the log when it was opened (``verify`` says so). Kept by the Database object's id, forgotten
#: when that object goes (``Database`` is not hashable: no WeakKeyDictionary).
_checked: dict[int, list[StoredAnchor]] = {}


def _remember_checked(db: Database, found: list[StoredAnchor]) -> None:
    key = id(db)
    if key not in _checked:
        weakref.finalize(db, _checked.pop, key, None)
    _checked[key] = list(found)


def checked_at_open(db: Database) -> list[StoredAnchor] | None:
    """The anchors found (and checked) when ``db`` was opened, as they were then; None when it was opened
    without them (:func:`on_open` was not called)."""
    return _checked.get(id(db))


@dataclass(frozen=True)
class Voucher:
    """An anchor that agrees with the log: the log, up to its entry, is as it was when the anchor was
    recorded."""

    where: str
    path: Path
    seq: int
    #: when the anchor was recorded (ISO with zone; "" when not known)
    recorded: str
    #: when its entry was written (the entry's own time: naive UTC ISO)
    entry_at: str

    @property
    def with_the_file(self) -> bool:
        """Kept beside the database file: whoever can replace the file can replace it too."""
        return self.where == BESIDE


@dataclass(frozen=True)
class Coverage:
    """What vouched for the log from outside the database, for ``verify``'s report: the anchors it agreed
    with (newest first) and the log's end."""

    server: bool
    head_seq: int
    head_at: str
    vouchers: tuple[Voucher, ...]

    @property
    def newest(self) -> Voucher | None:
        return self.vouchers[0] if self.vouchers else None

    @property
    def vouched_to(self) -> int:
        """The last entry some record outside the database vouches for (0: none)."""
        return self.vouchers[0].seq if self.vouchers else 0

    @property
    def independent_to(self) -> int:
        """The last entry vouched for by a record not kept with the file (this PC's own, a backup)."""
        return max((v.seq for v in self.vouchers if not v.with_the_file), default=0)

    def lines(self) -> list[str]:
        """The report, one sentence a line (times in this PC's zone, dd/mm/yyyy hh:mm)."""
        if self.head_seq == 0:
            return []
        newest = self.newest
        if newest is None:
            who = ("a superuser on the server who rewrote the whole log" if self.server
                   else "an edit with the key that rewrote the whole log")
            return ["No record of this log outside the database was found on this PC: the chain is consistent "
                    f"but {who} would not be seen."]
        out = ["The log was checked against these records of it kept outside the database:"]
        for v in self.vouchers:
            recorded = f"recorded {shown_time(v.recorded)}" if v.recorded else "recorded at a time not known"
            out.append(f"  entry #{v.seq} (written {shown_time(v.entry_at)}), {recorded}, {v.where}: {v.path}")
        if newest.seq < self.head_seq:
            out.append(f"Entries after #{newest.seq} ({shown_time(newest.entry_at)}) are vouched for only by the "
                       f"database itself (the log ends at #{self.head_seq}, {shown_time(self.head_at)}).")
        else:
            out.append(f"The whole log, to entry #{self.head_seq}, is vouched for by a record outside the database.")
        own = self.independent_to
        if own < newest.seq:
            if own:
                mine = next(v for v in self.vouchers if v.seq == own and not v.with_the_file)
                out.append(f"Entries after #{own} ({shown_time(mine.entry_at)}) up to #{newest.seq} are vouched "
                           "for only by the anchor beside the file: it is kept with the file, so whoever could "
                           "rewrite the log with the key could replace it too.")
            else:
                out.append("Only the anchor beside the file vouches for the log, and this PC has no record of its "
                           "own of it: the anchor is kept with the file, so whoever could rewrite the log with the "
                           "key could replace it too.")
        return out


def shown_time(at: str) -> str:
    """A stored time (an entry's naive UTC, or an anchor's with its zone) as this PC's dd/mm/yyyy hh:mm."""
    from adoption_desktop.core.concurrency import local_time

    try:
        return f"{local_time(dt.datetime.fromisoformat(at)):%d/%m/%Y %H:%M}"
    except ValueError:
        return at or "time not known"


def coverage(db: Database, session: Session, found: list[StoredAnchor] | None = None) -> Coverage:
    """Which anchors vouch for ``db``'s log and how far: by default those its open checked the log against
    (:func:`checked_at_open`, as they were before the open moved them on to the head), else those stored
    now. An anchor that disagrees with the log vouches for nothing (``verify`` reports it as a fault)."""
    if found is None:
        found = checked_at_open(db)
    if found is None:
        found = stored(db)[0]
    vouchers: list[Voucher] = []
    for anchor in found:
        if anchor.seq <= 0:
            continue
        entry = session.get(AuditEntry, anchor.seq)
        if entry is None or entry.hash != anchor.hash:
            continue
        vouchers.append(Voucher(anchor.where, anchor.path, anchor.seq, anchor.at, entry.at))
    vouchers.sort(key=lambda v: (-v.seq, v.with_the_file))
    head = current_anchor(session)
    last = session.get(AuditEntry, int(head["seq"])) if int(head["seq"]) else None
    return Coverage(not db.is_sqlite, int(head["seq"]), last.at if last is not None else "", tuple(vouchers))


def coverage_of(db: Database) -> Coverage:
    """:func:`coverage` in a read session of its own."""
    with db.session(write=False) as session:
        return coverage(db, session)


def _segment_ok(session: Session, base: StoredAnchor | None, head: dict[str, Any]) -> bool:
    """The entries after ``base`` up to the head follow on from it and were not altered."""
    prev, seq = (base.hash, base.seq) if base is not None else (GENESIS, 0)
    last = 0
    for e in session.scalars(select(AuditEntry).where(AuditEntry.seq > seq).order_by(AuditEntry.seq)):
        if e.seq != seq + 1 or e.prev_hash != prev:
            return False
        if entry_hash(e.prev_hash, e.seq, e.at, e.actor_id, e.actor, e.action, e.entity, e.entity_id, e.changes,
                      e.detail, e.seal or "") != e.hash:
            return False
        prev, seq, last = e.hash, e.seq, e.seq
    return (last or seq) == int(head["seq"]) and prev == str(head["hash"])


def recorded_now(session: Session) -> str:
    """When an anchor is recorded (ISO, UTC, with its zone): in team mode the server's clock, the clock of the
    entries it is compared with (``check_anchor``: an entry "written after that copy was recorded"), read in
    the session that read the head; on a database file this PC's clock."""
    if session.get_bind().dialect.name == "postgresql":
        now: dt.datetime = session.execute(select(server_clock())).scalar_one()
    else:
        now = utcnow()
    return now.replace(tzinfo=dt.UTC).isoformat(timespec="microseconds")


def _write(path: Path, head: dict[str, Any], ident: str, at: str = "") -> None:
    """Record the anchor ``head`` at ``path``, recorded at ``at`` (:func:`recorded_now`; by default this PC's
    clock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # a name of this writer's own: two programs closing at once each wrote, then renamed, one shared ".tmp"
    # (the second rename found it gone: "audit anchor could not be written")
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_text(json.dumps({"format": 2, "seq": int(head["seq"]), "hash": str(head["hash"]), "db": ident,
                                   "at": at or utcnow().replace(tzinfo=dt.UTC).isoformat(timespec="microseconds")}),
                       encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # no half-written file of this writer's left beside the anchor
        raise


def advance(db: Database) -> bool:
    """Move every anchor forward to the current head, if (and only if) they all still agree with the log,
    the entries since the newest of them check out and the log still has the last entry this program
    wrote (:attr:`Database.last_written`). False when the anchors were not moved to the head.

    A log without that entry was put back while the program had it open (every table rolled back with the
    key, say): the anchors are moved to the entry this program wrote instead, never to the log as it is now,
    so the next open and ``verify`` say it is missing, as they do after a signature (red-team, 6 December
    2026: a letterbox item forwarded and then erased was vouched for at the close)."""
    if db.audit_hold is not None:
        return False
    lost: tuple[int, str] | None = None
    with db.session(write=False) as session:
        if check_all(db, session):
            return False
        found, _ = stored(db)
        head = current_anchor(session)
        at = recorded_now(session)
        base = max(found, key=lambda a: a.seq, default=None)
        mine = db.last_written
        if mine is not None and not _has_entry(session, mine):
            if base is None or base.seq < mine[0]:
                lost = mine
            else:
                return False
        else:
            if base is not None and base.seq > int(head["seq"]):
                return False
            if not _segment_ok(session, base, head):
                return False
    ident = identity(db)
    if lost is not None:
        _log.warning(WRITTEN_ENTRY_GONE, lost[0])
        for _where, path in locations(db):
            _write(path, {"seq": lost[0], "hash": lost[1]}, ident, at)
        return False
    for _where, path in locations(db):
        _write(path, head, ident, at)
    return True


#: logged when the log no longer has the last entry this program wrote (:func:`advance`)
WRITTEN_ENTRY_GONE = ("the audit log no longer has entry %s, which this program wrote since it opened the database "
                      "(the database was put back or rewritten while it was open): the anchors now name that entry, "
                      "so the next open and verify report it missing")


def _has_entry(session: Session, entry: tuple[int, str]) -> bool:
    found = session.get(AuditEntry, entry[0])
    return found is not None and found.hash == entry[1]


#: logged (and, when the log itself cannot be written, said on stderr once) when the anchors cannot be
#: written: at the open, at the close, after a signature
ANCHOR_NOT_WRITTEN = ("the audit anchor could not be written (the record of the audit log's end kept outside "
                      "the database, which `verify` checks the log against; its folder may be read-only or "
                      "full). Nothing else is affected; it is tried again the next time the database is opened "
                      "or closed")


def on_open(db: Database) -> list[str]:
    """Check the anchors first; hold the database on any disagreement, else move them to the head."""
    from adoption_desktop.core.storage.foreign_objects import foreign_objects_problem
    from adoption_desktop.core.storage.missing_tables import (
        AUDIT_TABLES,
        missing_tables,
        missing_tables_problem,
    )

    db.audit_anchored = True
    kept = stored(db)  # before the session's snapshot (check_all)
    _remember_checked(db, kept[0])
    with db.session(write=False) as session:
        missing = missing_tables(session.connection())  # a table dropped with the key: its records are gone
        # without the audit tables the log cannot be read against its anchors: the missing table is the finding
        problems = [] if set(missing) & set(AUDIT_TABLES) else check_all(db, session, read_first=kept)
        foreign = foreign_objects_problem(session.connection())  # a planted trigger fires inside our own saves
    gone = missing_tables_problem(missing)
    if gone:
        problems.append(gone)
    if foreign:
        problems.append(foreign)
    if problems:
        db.audit_hold = "; ".join(problems)
        _log.warning("the check at open found a problem (the anchors, a missing table or a foreign object): the "
                     "database is held until an administrator acknowledges it")
        return problems
    if db.page_check_pending:  # nothing is written before the file is known to be whole: closing advances them
        return []
    try:
        advance(db)
    except (OSError, AppError):  # an unwritable folder must not stop the work; the next close retries
        _log.warning(ANCHOR_NOT_WRITTEN)
    return []


def on_close(db: Database) -> None:
    """Called when the database closes: anchors advance only over a head confirmed from the last one."""
    if not db.audit_anchored:
        return
    try:
        advance(db)
    except Exception:  # closing must never fail because of an anchor; nothing is overwritten on failure
        _log.warning(ANCHOR_NOT_WRITTEN)


def after_final(db: Database) -> None:
    """A decision was just signed or minutes approved: the anchors move on to the log's end now, not only
    when the program closes. Until they move, someone holding the key could rewrite the signature and every
    entry after the last anchor, and the next close would vouch for the rewrite (red-team, 4 December
    2026). Never fails the signing: an anchor that cannot be written is retried at the next close."""
    if not db.audit_anchored or db.page_check_pending:
        return
    try:
        advance(db)
    except Exception:
        _log.warning(ANCHOR_NOT_WRITTEN)


#: the longest acknowledgement note recorded (as the other free-text notes)
MAX_NOTE_CHARS = 4000


def clean_note(note: str | None, label: str = "Note") -> str:
    """An acknowledgement's note as recorded: free text as every note is (``core.text_input.clean_text``,
    several lines: tabs and line breaks kept, a NUL, an escape or any other control character refused),
    which must say something. A refusal begins with ``label`` (the command line's ``--note``, checked
    before the database is opened)."""
    from adoption_desktop.core.errors import ValidationError
    from adoption_desktop.core.text_input import clean_text

    text = clean_text(note, label, multiline=True, max_length=MAX_NOTE_CHARS).strip()
    if not text:
        raise ValidationError(f"{label}: say what was checked and why writing may resume.", "note")
    return text


def acknowledge(db: Database, actor: Principal, note: str, *, label: str = "Note") -> None:
    """An administrator has looked at the alert: an audit entry records it (with what was found), the
    old anchors are kept beside the new ones as evidence, and writing is allowed again. The note is
    checked by :func:`clean_note` (``label``: the field, or the command line's option)."""
    require(actor, Permission.USERS_MANAGE)
    hold = db.audit_hold
    if hold is None:
        raise AppError("There is no audit alert to acknowledge.")
    note = clean_note(note, label)
    db.audit_hold = None
    try:
        with db.session(actor) as session:
            record(session, ACK_ACTION, "audit_log", "*", detail=f"{note} | found: {hold}")
            head = current_anchor(session)
            at = recorded_now(session)
    except BaseException:
        db.audit_hold = hold
        raise
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    ident = identity(db)
    superseded = _acknowledged(db) | {(a.seq, a.hash) for a in _backup_anchors(db)}
    ack_file = _acknowledged_file(db)
    ack_file.parent.mkdir(parents=True, exist_ok=True)
    ack_file.write_text(json.dumps([{"seq": q, "hash": h} for q, h in sorted(superseded)]), encoding="utf-8")
    for _where, path in locations(db):
        if path.exists():
            shutil.copy2(path, path.with_name(f"{path.name}.superseded-{stamp}"))
        _write(path, head, ident, at)
