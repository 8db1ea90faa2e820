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
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from adoption_desktop.core.audit import record
from adoption_desktop.core.errors import AppError, Conflict, KeyUnavailable
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import SYSTEM, Permission, Principal, require
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
UNFINISHED_NOTE = ("An earlier new recovery key was not finished (the program stopped while the new key was "
                   "being issued or shown), so the recovery key from before it still opens this database, as "
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


def unfinished_replacement(db_path: Path) -> bool:
    """Whether the key file beside ``db_path`` still holds wrappings a new recovery key replaced (the
    program stopped before the replacement ended): :data:`UNFINISHED_NOTE`. False without a key file."""
    try:
        return bool(keys.KeyEnvelope.load(keys.key_file_for(Path(db_path))).previous_recovery)
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
                         show: Callable[[str], None] | None = None) -> str:
    """Replace the recovery key of the open database file ``db``; the new recovery key.

    An administrator only (``users.manage``); audited ("Recovery key replaced", no key material).
    ``expected``: :func:`recovery_stamp` as read when the administrator began; a different wrapping by the
    time the write lock is held (another administrator replaced it meanwhile) is a :class:`Conflict` and
    nothing is changed. The database key is unchanged.

    ``show`` shows the new key (the window, the printed line): until it returns, the old recovery key still
    opens the database, and if it raises (or the program dies first) it goes on doing so
    (:func:`unfinished_replacement`). Only once it has returned is the old one withdrawn. Without ``show``,
    the old one is withdrawn before the key is returned: for a caller that keeps it some other way."""
    require(actor, Permission.USERS_MANAGE)
    path = _key_file(db)
    if expected is None:
        expected = recovery_stamp(db)
    key = key_of(db)
    try:
        new_key = keys.generate_recovery_key()
        wrapped = keys.wrap(key, new_key, keys.RECOVERY_KDF)  # before the lock: argon2id takes a moment
        replaced = _add_beside(db, actor, path, expected, wrapped, key, new_key)
    finally:
        keys.wipe(key)
    if show is not None:
        show(new_key)
    _withdraw(db, actor, replaced)
    return new_key


def _add_beside(db: Database, actor: Principal, path: Path, expected: str, wrapped: dict[str, Any],
                key: bytearray, new_key: str) -> set[str]:
    """The first write: the new wrapping in force, the ones it replaces kept beside it, the audit entry
    committed. The check values of the wrappings replaced (for :func:`_withdraw`)."""
    written = False
    try:
        with db.session(actor) as session:  # the database's write lock: one key-file writer at a time
            keys.remove_stray_temporaries(path)
            before = keys.KeyEnvelope.load(path)
            if _stamp(before) != expected:
                raise Conflict(
                    "Another administrator has just replaced the recovery key. Nothing of yours was "
                    "changed: the key they were shown is the one that works now. If you need a new one "
                    "all the same, ask them first, then start again.")
            record(session, AUDIT_ACTION, "recovery_key", db.name, detail=AUDIT_DETAIL)
            session.flush()  # the audit entry is written (not yet committed) before the key file changes
            previous = before.recovery_wrappings()
            written = True
            replace(before, recovery=wrapped, previous_recovery=previous).save(path)
            _check_saved(path, before, key, new_key)
    except BaseException:
        if written:  # the audit entry was not kept: neither is the new wrapping (the old ones never went)
            with contextlib.suppress(Exception):  # if even that fails, both keys open it: nobody is locked out
                update_key_file(db, lambda env: _without(env, _mac(wrapped)))
        raise
    return {_mac(w) for w in previous}


def _without(envelope: keys.KeyEnvelope, mac: str) -> keys.KeyEnvelope | None:
    """``envelope`` with the new wrapping ``mac`` taken out again, the one it replaced back in force."""
    if envelope.recovery is None or _mac(envelope.recovery) != mac or not envelope.previous_recovery:
        return None
    return replace(envelope, recovery=envelope.previous_recovery[0],
                   previous_recovery=envelope.previous_recovery[1:])


def _withdraw(db: Database, actor: Principal, replaced: set[str]) -> None:
    """The second write, once the new key has been shown: the wrappings it replaced dropped (any a later
    replacement has kept meanwhile stay for that one to drop)."""
    def drop(envelope: keys.KeyEnvelope) -> keys.KeyEnvelope | None:
        kept = [w for w in envelope.previous_recovery if _mac(w) not in replaced]
        return replace(envelope, previous_recovery=kept)

    try:
        update_key_file(db, drop, actor)
    except (AppError, OSError) as exc:
        raise AppError(
            "The new recovery key works, but the old one could not be withdrawn "
            f"({exc}), so it still opens this database too. Keep the new key; issue a new recovery key "
            "again later to withdraw both.") from exc


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
