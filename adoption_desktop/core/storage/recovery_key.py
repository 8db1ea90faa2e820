"""A new recovery key for a database file: the recovery key's wrapping replaced, the database key kept.

The recovery key is shown once when a database is created (IT guide §4). When the printed sheet is lost,
or was seen by someone who has since left, an administrator issues a new one (``adoption-desktop
new-recovery-key``, or Administration > Users > "New recovery key…"): the database key itself is not
changed, so every Windows user's keyring entry, and a passphrase, go on opening the database; only the
``recovery`` entry of ``NAME.db.keys`` is replaced by the key wrapped with a new recovery key. From then on
the old recovery key opens nothing here. A backup carries its own copy of the key file: a backup made
before still opens with the old recovery key, and never with the new one.

One at a time: every write of the key file (a new recovery key, ``recover``'s new keyring entry or
passphrase) runs inside a write transaction of the database (its write lock, across programs and computers:
:func:`update_key_file`), re-reads the file there and changes only its own part: ``recover`` begun before a
new recovery key was issued no longer writes its stale copy back (which undid the new key and brought the
old one, perhaps seen, back to life). A caller says which wrapping it saw when it began
(:func:`recovery_stamp`). Two administrators at once: the first replaces it; the second finds the wrapping
changed, is told, and changes nothing (otherwise the first would have been shown a key that had already
stopped working).

Never without a key the administrator holds, whenever the program dies: the replacement is two writes.
First, under the write lock, the new wrapping goes in beside the old ones (kept as ``previous_recovery``;
both open the database), the file is read back, and the audit entry is committed. Then the new key is shown
(``show``), and only then a second write drops the wrappings it replaced. A crash before the first rename
leaves the old file; after it, or after the commit, or while the key is shown, both keys work, and
:func:`unfinished_replacement` (``verify``, the next new recovery key) says so; the next replacement ends
it. A failure before the commit takes the new wrapping out again. A file left by a writer that died before
its rename is removed at the next write (:func:`keys.remove_stray_temporaries`). The old wrapping is kept
nowhere else beside the database (no ``.old`` copy: a copy would keep the old recovery key working for
whoever finds it).

One replacement in progress at a time: while a new key is shown, the key file's ``replacing`` entry names
the administrator, the computer, the program (its process and ``core.running`` mark) and the time, and a
presence lease (``core.presence``, renewed while the key is shown) says the program is still there. A
second replacement then is refused, naming them (:func:`in_progress_message`): it would have withdrawn the
key the first administrator is still writing down. A replacement whose program has ended (known at once on
the same computer, else once its lease lapses), or whose window was closed by a sign-out, is abandoned: the
next one ends it, as after a crash. The second write checks that the wrapping in force is still its own:
if another replacement came meanwhile it drops nothing and says that the key shown no longer opens the
database (:class:`ReplacedMeanwhile`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from adoption_desktop.core import presence, running
from adoption_desktop.core.audit import record
from adoption_desktop.core.concurrency import when_text
from adoption_desktop.core.errors import AppError, Conflict, KeyUnavailable
from adoption_desktop.core.files import process_running
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import SYSTEM, Permission, Principal, require
from adoption_desktop.core.storage.base import utcnow
from adoption_desktop.core.storage.engine import Database, key_of

AUDIT_ACTION = "recovery_key_replaced"  # "Recovery key replaced" in the audit viewer

TEAM_REFUSAL = ("A team server's database has no key file and no recovery key: its logins are kept by IT "
                "(docs/it-guide.md, \"Team mode\"). Nothing was changed.")

#: what every caller says once the new key is shown: what the old one still opens
BACKUPS_NOTE = ("Backups made before now still open with the OLD recovery key, not this one (each backup "
                "carries its own copy of the key file): keep the old sheet with those backups for as long as "
                "you keep them, or destroy both together.")


#: the audit entry, committed while both keys open the database: what it says is true at every crash point
AUDIT_DETAIL = ("A new recovery key was issued; the old one stops opening this database once the new one has "
                "been shown (if the program stopped before that, both go on working until the next new "
                "recovery key). Backups made before still open with the old one.")

#: what ``verify``, the next new recovery key and the Administration page say of a replacement cut short
UNFINISHED_NOTE = ("An earlier new recovery key was not finished (the program stopped, or its administrator "
                   "was signed out, while the new key was being issued or shown), so the recovery key from before it still opens this database, as "
                   "may the one issued then. Issue a new recovery key (Administration > Users > New recovery "
                   "key…, or adoption-desktop new-recovery-key) and keep the one it shows: from then on only "
                   "that one opens the database.")


def _key_file(db: Database) -> Path:
    if not db.is_sqlite or db.path is None:
        raise AppError(TEAM_REFUSAL)
    return keys.key_file_for(db.path)


def _stamp(envelope: keys.KeyEnvelope) -> str:
    return str((envelope.recovery or {}).get("mac", ""))


def _mac(wrapping: dict[str, Any]) -> str:
    return str(wrapping.get("mac", ""))


def recovery_stamp(db: Database) -> str:
    """Which recovery wrapping the key file holds now (no key material: the wrapping's check value), to
    hand to :func:`replace_recovery_key` as ``expected``."""
    return _stamp(keys.KeyEnvelope.load(_key_file(db)))


#: the presence lease (``core.presence``) a replacement holds while its new key is shown
LEASE_ENTITY = "recovery_key"

#: said by :func:`replace_recovery_key` when ``show`` says the key window was closed by a sign-out (a caller
#: whose window went with its user says nothing; the next new recovery key and ``verify`` say it)
LEFT_UNFINISHED = ("The new recovery key was not finished: its window was closed by a sign-out before it was "
                   "kept. The recovery key from before still opens the database (so may the new one). Issue "
                   "a new recovery key again and keep the one it shows.")

#: said to an administrator whose replacement another one overtook while their key window was open
REPLACED_MEANWHILE = ("Another administrator issued a new recovery key while yours was being shown, so the "
                      "key you were just shown does NOT open this database. Destroy that sheet, and delete "
                      "any PDF of it. The recovery key that works is the one the other administrator was "
                      "shown; nothing else was changed.")


class ReplacementLeftUnfinished(AppError):
    """The key window was closed by a sign-out: the old key is not withdrawn (:data:`LEFT_UNFINISHED`)."""


class ReplacedMeanwhile(AppError):
    """Another replacement took over while this one's key was shown: nothing was withdrawn, and the key
    shown opens nothing (:data:`REPLACED_MEANWHILE`)."""


@dataclass(frozen=True)
class Replacement:
    """A new recovery key being issued now (its key window open): by whom, on which computer, since when
    (naive UTC)."""
    user_id: int
    name: str
    host: str
    since: dt.datetime | None


def in_progress_message(replacement: Replacement, actor: Principal) -> str:
    """What a second administrator is told (nothing is changed)."""
    since = when_text(replacement.since).split(" on ")[0]
    lapse = (f"If that program stopped without closing the window, you can start again within "
             f"{presence.LEASE_SECONDS // 60} minutes. Nothing was changed.")
    if replacement.user_id == actor.user_id:
        return (f"You are already issuing a new recovery key on {replacement.host} since {since} (in another "
                f"window or program); close that key window first, then start again if you still need one. "
                + lapse)
    return (f"{replacement.name} is issuing a new recovery key on {replacement.host} since {since}; wait until "
            f"they have closed the key window, then start again if you still need one. " + lapse)


def _host() -> str:
    return socket.gethostname() or "this computer"


def _process_running(pid: object) -> bool:
    """Whether process ``pid`` of this computer runs; True where that cannot be asked (Windows: the
    program's ``core.running`` mark and the lease decide there)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    return process_running(pid) is not False


def _pending(db: Database, actor: Principal, lease: presence.Lease, mac: str) -> dict[str, Any]:
    """The key file's ``replacing`` entry of a replacement starting now."""
    return {"user_id": actor.user_id, "name": actor.full_name or actor.username, "host": _host(),
            "pid": os.getpid(), "program": running.this_program(), "since": utcnow().isoformat(),
            "lease": lease.token, "mac": mac, "database": db.name}


def _alive(pending: dict[str, Any] | None, session: Session | None) -> bool:
    """Whether the replacement ``pending`` names is still in progress: its program not known to have ended
    (on this computer) and, when ``session`` is given, its lease live."""
    if not pending:
        return False
    program = pending.get("program")
    if isinstance(program, str) and running.has_ended(program):
        return False
    if pending.get("host") == _host() and not _process_running(pending.get("pid")):
        return False
    if session is None:
        return True
    token = pending.get("lease")
    lease = session.get(presence.PresenceLease, token) if isinstance(token, str) else None
    return lease is not None and lease.expires_at >= utcnow()


def _replacement(pending: dict[str, Any]) -> Replacement:
    try:
        since: dt.datetime | None = dt.datetime.fromisoformat(str(pending.get("since")))
    except ValueError:
        since = None
    user_id = pending.get("user_id")
    return Replacement(user_id if isinstance(user_id, int) else 0, str(pending.get("name") or "Another administrator"),
                       str(pending.get("host") or "another computer"), since)


def replacement_in_progress(db: Database) -> Replacement | None:
    """The new recovery key another program (or window) is issuing now, its key window still open; None
    when there is none (or it was abandoned: see :func:`unfinished_replacement`)."""
    path = _key_file(db)
    with db.session(write=False) as session:
        envelope = keys.KeyEnvelope.load(path)
        if envelope.previous_recovery and envelope.replacing and _alive(envelope.replacing, session):
            return _replacement(envelope.replacing)
    return None


def unfinished_replacement(db_path: Path, db: Database | None = None) -> bool:
    """Whether the key file beside ``db_path`` still holds wrappings a new recovery key replaced, and that
    replacement is not in progress (the program stopped, or its window was closed by a sign-out, before the
    replacement ended): :data:`UNFINISHED_NOTE`. With ``db`` (the database open) a replacement whose
    program is on another computer is judged by its lease; without, it is taken to be in progress. False
    without a key file."""
    try:
        envelope = keys.KeyEnvelope.load(keys.key_file_for(Path(db_path)))
        if not envelope.previous_recovery:
            return False
        if db is not None:
            with contextlib.suppress(AppError, SQLAlchemyError), db.session(write=False) as session:
                return not _alive(envelope.replacing, session)
        return not _alive(envelope.replacing, None)  # the leases unreadable (a file not yet upgraded)
    except (KeyUnavailable, OSError):
        return False


def update_key_file(db: Database, change: Callable[[keys.KeyEnvelope], keys.KeyEnvelope | None],
                    actor: Principal = SYSTEM) -> keys.KeyEnvelope:
    """Change ``NAME.db.keys`` of the open database ``db`` under its write lock: the file read afresh
    there, ``change`` given it and returning the file to write (or None: nothing to write), stray
    temporary files of a writer that died removed. Every writer of an existing key file goes through here
    (or holds the same lock), so two take turns and each keeps what the other wrote. The file as it now is."""
    path = _key_file(db)
    with db.session(actor):
        keys.remove_stray_temporaries(path)
        before = keys.KeyEnvelope.load(path)
        after = change(before)
        if after is None or after.to_json() == before.to_json():
            return before
        after.save(path)
        return after


def replace_recovery_key(db: Database, actor: Principal, *, expected: str | None = None,
                         show: Callable[[str], bool | None] | None = None) -> str:
    """Replace the recovery key of the open database file ``db``; the new recovery key.

    An administrator only (``users.manage``); audited ("Recovery key replaced", no key material).
    ``expected``: :func:`recovery_stamp` as read when the administrator began; a different wrapping by the
    time the write lock is held (another administrator replaced it meanwhile) is a :class:`Conflict` and
    nothing is changed. So is another replacement still in progress (:func:`in_progress_message`). The
    database key is unchanged.

    ``show`` shows the new key (the window, the printed line): until it returns, the old recovery key still
    opens the database, and if it raises (or the program dies first) it goes on doing so
    (:func:`unfinished_replacement`). If it returns False (its window was closed by a sign-out, not by its
    administrator), the same, and :class:`ReplacementLeftUnfinished`. Only once it has returned otherwise is
    the old one withdrawn, provided the new wrapping is still the one in force (else
    :class:`ReplacedMeanwhile`, nothing withdrawn). Without ``show``, the old one is withdrawn before the key
    is returned: for a caller that keeps it some other way."""
    require(actor, Permission.USERS_MANAGE)
    path = _key_file(db)
    if expected is None:
        expected = recovery_stamp(db)
    key = key_of(db)
    try:
        new_key = keys.generate_recovery_key()
        wrapped = keys.wrap(key, new_key, keys.RECOVERY_KDF)  # before the lock: argon2id takes a moment
        mine = _add_beside(db, actor, path, expected, wrapped, key, new_key)
    finally:
        keys.wipe(key)
    if show is not None:
        stop = threading.Event()
        renewing = threading.Thread(target=_renew, args=(db, actor, mine, stop), name="recovery-key-lease",
                                    daemon=True)
        renewing.start()
        try:
            kept = show(new_key)
        except BaseException:
            stop.set()
            renewing.join()
            _set_aside(db, actor, mine)
            raise
        stop.set()
        renewing.join()
        if kept is False:
            _set_aside(db, actor, mine)
            raise ReplacementLeftUnfinished(LEFT_UNFINISHED)
    _withdraw(db, actor, mine)
    return new_key


@dataclass
class _Mine:
    """A replacement under way: the check values of the wrappings it replaced and of its own, its lease."""
    replaced: set[str]
    mac: str
    lease: presence.Lease


def _renew(db: Database, actor: Principal, mine: _Mine, stop: threading.Event) -> None:
    """While the key is shown: the lease renewed, so that another administrator goes on being told to wait
    (a failure is left: the lease then lapses and the replacement counts as abandoned)."""
    while not stop.wait(presence.RENEW_SECONDS):
        with contextlib.suppress(Exception):
            mine.lease = presence.renew(db, actor, mine.lease)


def _add_beside(db: Database, actor: Principal, path: Path, expected: str, wrapped: dict[str, Any],
                key: bytearray, new_key: str) -> _Mine:
    """The first write: the new wrapping in force, the ones it replaces kept beside it, who is replacing
    them noted (with a lease), the audit entry committed."""
    written = False
    now = utcnow()
    lease = presence.Lease(uuid.uuid4().hex, LEASE_ENTITY, db.name,
                           now + dt.timedelta(seconds=presence.LEASE_SECONDS))
    pending = _pending(db, actor, lease, _mac(wrapped))  # the program's mark made before the lock is taken
    try:
        with db.session(actor) as session:  # the database's write lock: one key-file writer at a time
            keys.remove_stray_temporaries(path)
            before = keys.KeyEnvelope.load(path)
            if before.previous_recovery and before.replacing and _alive(before.replacing, session):
                raise Conflict(in_progress_message(_replacement(before.replacing), actor))
            if _stamp(before) != expected:
                raise Conflict(
                    "Another administrator has just replaced the recovery key. Nothing of yours was "
                    "changed: the key they were shown is the one that works now. If you need a new one "
                    "all the same, ask them first, then start again.")
            record(session, AUDIT_ACTION, "recovery_key", db.name, detail=AUDIT_DETAIL)
            session.add(presence.PresenceLease(
                token=lease.token, entity=LEASE_ENTITY, entity_id=db.name, user_id=actor.user_id,
                user_name=actor.full_name or actor.username, since=now, expires_at=lease.expires_at,
                holder=pending["program"]))
            session.flush()  # the audit entry is written (not yet committed) before the key file changes
            previous = before.recovery_wrappings()
            written = True
            replace(before, recovery=wrapped, previous_recovery=previous, replacing=pending).save(path)
            _check_saved(path, before, key, new_key)
    except BaseException:
        if written:  # the audit entry was not kept: neither is the new wrapping (the old ones never went)
            with contextlib.suppress(Exception):  # if even that fails, both keys open it: nobody is locked out
                update_key_file(db, lambda env: _without(env, _mac(wrapped)))
        raise
    return _Mine({_mac(w) for w in previous}, _mac(wrapped), lease)


def _without(envelope: keys.KeyEnvelope, mac: str) -> keys.KeyEnvelope | None:
    """``envelope`` with the new wrapping ``mac`` taken out again, the one it replaced back in force."""
    if envelope.recovery is None or _mac(envelope.recovery) != mac or not envelope.previous_recovery:
        return None
    pending = envelope.replacing if (envelope.replacing or {}).get("mac") != mac else None
    return replace(envelope, recovery=envelope.previous_recovery[0],
                   previous_recovery=envelope.previous_recovery[1:], replacing=pending)


def _set_aside(db: Database, actor: Principal, mine: _Mine) -> None:
    """The key was not kept (a sign-out closed its window; ``show`` failed): nothing withdrawn, the
    replacement no longer in progress, so the next one (or ``verify``) says it was not finished."""
    def abandon(envelope: keys.KeyEnvelope) -> keys.KeyEnvelope | None:
        if (envelope.replacing or {}).get("mac") != mine.mac:
            return None
        return replace(envelope, replacing=None)

    with contextlib.suppress(Exception):  # if this fails, the lease lapses and it counts as abandoned then
        update_key_file(db, abandon, actor)
    with contextlib.suppress(Exception):
        presence.release(db, actor, mine.lease)


def _withdraw(db: Database, actor: Principal, mine: _Mine) -> None:
    """The second write, once the new key has been shown: the wrappings it replaced dropped, if its own
    wrapping is still the one in force (any a later replacement has kept meanwhile stay for that one to
    drop). Another replacement meanwhile: nothing dropped, :class:`ReplacedMeanwhile`."""
    path = _key_file(db)
    try:
        with db.session(actor) as session:
            keys.remove_stray_temporaries(path)
            envelope = keys.KeyEnvelope.load(path)
            session.execute(delete(presence.PresenceLease).where(presence.PresenceLease.token == mine.lease.token))
            overtaken = _mac(envelope.recovery or {}) != mine.mac
            if not overtaken:
                kept = [w for w in envelope.previous_recovery if _mac(w) not in mine.replaced]
                pending = None if (envelope.replacing or {}).get("mac") == mine.mac else envelope.replacing
                after = replace(envelope, previous_recovery=kept, replacing=pending)
                if after.to_json() != envelope.to_json():
                    after.save(path)
    except (AppError, OSError) as exc:
        raise AppError(
            "The new recovery key works, but the old one could not be withdrawn "
            f"({exc}), so it still opens this database too. Keep the new key; issue a new recovery key "
            "again later to withdraw both.") from exc
    if overtaken:
        raise ReplacedMeanwhile(REPLACED_MEANWHILE)


def _check_saved(path: Path, before: keys.KeyEnvelope, key: bytearray, new_key: str) -> None:
    """The key file as written: the same database key behind the same keyring entry or passphrase, and the
    new recovery key opens it."""
    after = keys.KeyEnvelope.load(path)
    if (after.db_id, after.mode, after.passphrase) != (before.db_id, before.mode, before.passphrase):
        raise KeyUnavailable(f"{path.name} did not read back as written; the old one was put back.")
    got = keys.key_from_recovery(after, new_key)
    try:
        if not hmac.compare_digest(bytes(got), bytes(key)):
            raise KeyUnavailable(f"{path.name} did not read back as written; the old one was put back.")
    finally:
        keys.wipe(got)
