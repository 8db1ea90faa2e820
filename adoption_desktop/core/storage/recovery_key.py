"""A new recovery key for a database file: the recovery key's wrapping replaced, the database key kept.

The recovery key is shown once when a database is created (IT guide §4). When the printed sheet is lost,
or was seen by someone who has since left, an administrator issues a new one (``adoption-desktop
new-recovery-key``, or Administration > Users > "New recovery key…"): the database key itself is not
changed, so every Windows user's keyring entry, and a passphrase, go on opening the database; only the
``recovery`` entry of ``NAME.db.keys`` is replaced by the key wrapped with a new recovery key. From then on
the old recovery key opens nothing here. A backup carries its own copy of the key file: a backup made
before still opens with the old recovery key, and never with the new one.

One at a time: the replacement runs inside a write transaction of the database (its write lock, across
programs and computers), and a caller says which wrapping it saw when it began (:func:`recovery_stamp`).
Two administrators at once: the first replaces it; the second finds the wrapping changed, is told, and
changes nothing (otherwise the first would have been shown a key that had already stopped working).

Written whole: the new key file is written under a name of its own and renamed over the old one
(:meth:`KeyEnvelope.save`), then read back; if anything fails before the audit entry is committed, the
old key file is put back. The old wrapping is kept nowhere else beside the database (no ``.old`` copy:
a copy would keep the old recovery key working for whoever finds it).
"""

from __future__ import annotations

import hmac
from dataclasses import replace
from pathlib import Path

from adoption_desktop.core.audit import record
from adoption_desktop.core.errors import AppError, Conflict, KeyUnavailable
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database, key_of

AUDIT_ACTION = "recovery_key_replaced"  # "Recovery key replaced" in the audit viewer

TEAM_REFUSAL = ("A team server's database has no key file and no recovery key: its logins are kept by IT "
                "(docs/it-guide.md, \"Team mode\"). Nothing was changed.")

#: what every caller says once the new key is shown: what the old one still opens
BACKUPS_NOTE = ("Backups made before now still open with the OLD recovery key, not this one (each backup "
                "carries its own copy of the key file): keep the old sheet with those backups for as long as "
                "you keep them, or destroy both together.")


def _key_file(db: Database) -> Path:
    if not db.is_sqlite or db.path is None:
        raise AppError(TEAM_REFUSAL)
    return keys.key_file_for(db.path)


def _stamp(envelope: keys.KeyEnvelope) -> str:
    return str((envelope.recovery or {}).get("mac", ""))


def recovery_stamp(db: Database) -> str:
    """Which recovery wrapping the key file holds now (no key material: the wrapping's check value), to
    hand to :func:`replace_recovery_key` as ``expected``."""
    return _stamp(keys.KeyEnvelope.load(_key_file(db)))


def replace_recovery_key(db: Database, actor: Principal, *, expected: str | None = None) -> str:
    """Replace the recovery key of the open database file ``db``; the new recovery key, to show once.

    An administrator only (``users.manage``); audited ("Recovery key replaced", no key material).
    ``expected``: :func:`recovery_stamp` as read when the administrator began; a different wrapping by the
    time the write lock is held (another administrator replaced it meanwhile) is a :class:`Conflict` and
    nothing is changed. The database key is unchanged."""
    require(actor, Permission.USERS_MANAGE)
    path = _key_file(db)
    if expected is None:
        expected = recovery_stamp(db)
    key = key_of(db)
    try:
        new_key = keys.generate_recovery_key()
        wrapped = keys.wrap(key, new_key, keys.RECOVERY_KDF)  # before the lock: argon2id takes a moment
        saved: keys.KeyEnvelope | None = None
        try:
            with db.session(actor) as session:  # the database's write lock: one replacement at a time
                before = keys.KeyEnvelope.load(path)
                if _stamp(before) != expected:
                    raise Conflict(
                        "Another administrator has just replaced the recovery key. Nothing of yours was "
                        "changed: the key they were shown is the one that works now. If you need a new one "
                        "all the same, ask them first, then start again.")
                record(session, AUDIT_ACTION, "recovery_key", db.name,
                       detail="A new recovery key was issued; the old one no longer opens this database. "
                              "Backups made before still open with the old one.")
                session.flush()  # the audit entry is written (not yet committed) before the key file changes
                saved = before
                replace(before, recovery=wrapped).save(path)
                _check_saved(path, before, key, new_key)
        except BaseException:
            if saved is not None:  # the audit entry was not kept: neither is the new wrapping
                saved.save(path)
            raise
    finally:
        keys.wipe(key)
    return new_key


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
