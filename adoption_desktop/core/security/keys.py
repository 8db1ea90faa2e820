"""The database key: generated at creation, kept in the keyring or wrapped with a passphrase.

Beside each embedded database ``foo.db`` lives ``foo.db.keys`` (JSON). It never holds the key in
plain text, only:

* ``db_id``: the name of the keyring entry that holds the key (keyring mode);
* ``passphrase``: the key wrapped with a key derived from a passphrase by argon2id (passphrase mode);
* ``recovery``: the key wrapped with the one-time recovery key shown at creation (or the newest one an
  administrator issued since);
* ``previous_recovery`` (only while a new recovery key is being issued): the wrappings it replaces, still
  opening the database until the new key has been shown (``core.storage.recovery_key``); left there by a
  crash part-way, so that the recovery key the administrator holds keeps working;
* ``replacing`` (only while a new recovery key is shown): who is issuing it, on which computer, in which
  program, since when, and the presence lease it renews, so that another administrator is told to wait
  rather than replace a key that is still being written down (``core.storage.recovery_key``);
* ``pending_key`` (only while the database key itself is being replaced, or left by a replacement cut
  short): the new key's keyring entry name (``db_id``) and its wrappings (``recovery``, and ``passphrase``
  in passphrase mode), written before the file is re-encrypted and made the file's own (:func:`promoted`)
  only once it is; whichever of the two keys opens the file is the one used (``core.storage.database_key``).

Wrapping: ``kek = argon2id(secret, salt)`` (64 bytes); the first 32 bytes XOR the database key (the
salt is random per wrap, so the pad is never reused), the last 32 bytes key an HMAC-SHA256 over the
wrapped bytes so a wrong secret is detected before the database is touched.

Key material lives in ``bytearray``s that are overwritten with zeros once used (:func:`wipe`): the
argon2id output (the key-encryption key) is written straight into one (argon2's C core with buffers we
own, rather than ``hash_secret_raw``, which returns immutable ``bytes``), and so is the unwrapped database
key. What Python cannot wipe: ``str`` objects (a passphrase or password as typed, the key's hex form in
the SQLCipher URL), temporary ``bytes`` made while encoding them, and SQLCipher's own copy of the key
inside the open connection. See "What stays in memory" in the README.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any

from argon2.low_level import ARGON2_VERSION, Type, core, error_to_str, ffi, lib

from adoption_desktop.core.errors import KeyUnavailable
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.security.strength import check_passphrase

ENV_PASSPHRASE = "ADOPTION_DESKTOP_PASSPHRASE"
KEY_BYTES = 32
_RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


@dataclass(frozen=True)
class KdfParams:
    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2

    def as_dict(self) -> dict[str, int]:
        return {"t": self.time_cost, "m": self.memory_kib, "p": self.parallelism}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KdfParams:
        return cls(int(d["t"]), int(d["m"]), int(d["p"]))


# Tests lower this; the recovery key has 150 bits of entropy and needs no stretching beyond the minimum.
PASSPHRASE_KDF = KdfParams()
RECOVERY_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)


def key_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".keys")


def generate_key() -> bytearray:
    return bytearray(secrets.token_bytes(KEY_BYTES))


def wipe(buffer: bytearray) -> None:
    """Overwrite key material in place (a ``bytearray`` keeps its buffer; ``bytes`` and ``str`` cannot
    be wiped)."""
    buffer[:] = bytes(len(buffer))


def generate_recovery_key() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(30))
    return "-".join(raw[i : i + 5] for i in range(0, 30, 5))


def normalise_recovery_key(text: str) -> str:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 5] for i in range(0, len(cleaned), 5))


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"))


def _derive(secret: str, salt: bytes, params: KdfParams) -> bytearray:
    """argon2id(secret, salt) -> 64 bytes, written into a ``bytearray`` the caller wipes. The encoded
    secret is a ``bytearray`` too, wiped here."""
    out = bytearray(64)
    pwd = bytearray(secret, "utf-8")
    csalt = ffi.new("uint8_t[]", salt)
    try:
        context = ffi.new("argon2_context *", {
            "version": ARGON2_VERSION, "out": ffi.from_buffer("uint8_t[]", out), "outlen": len(out),
            "pwd": ffi.from_buffer("uint8_t[]", pwd) if pwd else ffi.NULL, "pwdlen": len(pwd),
            "salt": csalt, "saltlen": len(salt), "secret": ffi.NULL, "secretlen": 0, "ad": ffi.NULL,
            "adlen": 0, "t_cost": params.time_cost, "m_cost": params.memory_kib, "lanes": params.parallelism,
            "threads": params.parallelism, "allocate_cbk": ffi.NULL, "free_cbk": ffi.NULL,
            "flags": lib.ARGON2_DEFAULT_FLAGS})
        code = core(context, Type.ID.value)
    finally:
        wipe(pwd)
    if code != lib.ARGON2_OK:
        wipe(out)
        raise KeyUnavailable(f"Key derivation failed: {error_to_str(code)}")
    return out


def wrap(key: bytes | bytearray, secret: str, params: KdfParams) -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    kek = _derive(secret, salt, params)
    try:
        wrapped = bytes(a ^ b for a, b in zip(key, kek[:32], strict=True))  # the key XOR a pad: safe to keep
        mac = hmac.new(bytes(kek[32:]), wrapped, sha256).digest()
    finally:
        wipe(kek)
    return {"kdf": "argon2id", "params": params.as_dict(), "salt": _b64(salt), "wrapped": _b64(wrapped),
            "mac": _b64(mac)}


def unwrap(blob: dict[str, Any], secret: str) -> bytearray | None:
    """The key (a ``bytearray``: wipe it when done), or None for a wrong secret."""
    kek = _derive(secret, _unb64(blob["salt"]), KdfParams.from_dict(blob["params"]))
    try:
        wrapped = _unb64(blob["wrapped"])
        if not hmac.compare_digest(hmac.new(bytes(kek[32:]), wrapped, sha256).digest(), _unb64(blob["mac"])):
            return None
        key = bytearray(len(wrapped))
        for i, (a, b) in enumerate(zip(wrapped, kek, strict=False)):
            key[i] = a ^ b
        return key
    finally:
        wipe(kek)


@dataclass
class KeyEnvelope:
    db_id: str
    mode: str  # "keyring" or "passphrase"
    passphrase: dict[str, Any] | None = None
    recovery: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: recovery wrappings being replaced (newest first): they open the database until the replacement ends
    previous_recovery: list[dict[str, Any]] = field(default_factory=list)
    #: the replacement in progress (its key window open): whose, where, since when; None otherwise
    replacing: dict[str, Any] | None = None
    #: a new database key not yet known to be in force (``core.storage.database_key``); None otherwise
    pending_key: dict[str, Any] | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {"version": 1, "db_id": self.db_id, "mode": self.mode,
                                "passphrase": self.passphrase, "recovery": self.recovery}
        if self.previous_recovery:  # absent otherwise: the file as every earlier version wrote it
            data["previous_recovery"] = self.previous_recovery
        if self.replacing:
            data["replacing"] = self.replacing
        if self.pending_key:
            data["pending_key"] = self.pending_key
        return json.dumps(data, indent=2)

    @classmethod
    def load(cls, path: Path) -> KeyEnvelope:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise KeyUnavailable(
                f"The key file {path.name} is missing beside the database; restore it from the backup "
                "or use the recovery key (adoption-desktop recover)."
            ) from exc
        except ValueError as exc:
            raise KeyUnavailable(f"The key file {path.name} is damaged.") from exc
        if not isinstance(data, dict) or not isinstance(data.get("db_id"), str) or \
                data.get("mode") not in ("keyring", "passphrase"):
            raise KeyUnavailable(f"The key file {path.name} is damaged (fields missing); restore it from a "
                                 "backup or use the recovery key.")
        previous = data.get("previous_recovery") or []
        if not isinstance(previous, list) or not all(isinstance(p, dict) for p in previous):
            raise KeyUnavailable(f"The key file {path.name} is damaged (fields missing); restore it from a "
                                 "backup or use the recovery key.")
        replacing = data.get("replacing")
        pending = data.get("pending_key")
        if pending is not None and not (isinstance(pending, dict) and isinstance(pending.get("db_id"), str)
                                        and isinstance(pending.get("recovery"), dict)):
            raise KeyUnavailable(f"The key file {path.name} is damaged (fields missing); restore it from a "
                                 "backup or use the recovery key.")
        return cls(data["db_id"], data["mode"], data.get("passphrase"), data.get("recovery"),
                   previous_recovery=list(previous), replacing=replacing if isinstance(replacing, dict) else None,
                   pending_key=pending)

    def recovery_wrappings(self) -> list[dict[str, Any]]:
        """Every wrapping a recovery key opens: the current one, then any still being replaced."""
        return [w for w in (self.recovery, *self.previous_recovery) if w is not None]

    def save(self, path: Path) -> None:
        """Written whole under a name of this writer's own, then renamed over ``path``: two recoveries at
        once each wrote one shared ``.keys.tmp`` and could rename the other's half-written file into place
        (multi-user trial). The new file is on the disk before the rename, so a power cut leaves the old
        file or the new one whole, never an empty one (the only copy of a passphrase-wrapped key)."""
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(self.to_json())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class CreatedKey:
    key: bytearray
    recovery_key: str
    envelope: KeyEnvelope


def create_key(store: SecretStore, passphrase: str | None) -> CreatedKey:
    """A new random key, stored in the keyring when one exists, else wrapped with ``passphrase`` (which
    must be strong enough: :mod:`core.security.strength`)."""
    if passphrase:
        check_passphrase(passphrase)
    key = generate_key()
    recovery = generate_recovery_key()
    env = KeyEnvelope(db_id=str(uuid.uuid4()), mode="keyring", recovery=wrap(key, recovery, RECOVERY_KDF))
    if store.available() and passphrase is None:
        store.set(env.db_id, key.hex())
    else:
        if not passphrase:
            raise KeyUnavailable(
                "No system keyring is available here: a passphrase is needed to protect the database key "
                f"(set {ENV_PASSPHRASE} for headless use)."
            )
        env.mode = "passphrase"
        env.passphrase = wrap(key, passphrase, PASSPHRASE_KDF)
    return CreatedKey(key, recovery, env)


class PassphraseNeeded(KeyUnavailable):
    """The envelope is passphrase-wrapped and no passphrase was given."""


#: :class:`KeyNotInKeyring`'s words for a database already here
NOT_IN_KEYRING = ("The database key is not in this computer's keyring. Use the recovery key to restore "
                  "access (adoption-desktop recover --db PATH).")


class KeyNotInKeyring(KeyUnavailable):
    """The envelope is keyring-mode and this computer's keyring has no entry for it. The message says to
    run ``recover`` (for a database already here); a caller for which that cannot work (``restore`` to a
    new path) says what to do instead."""


def load_key(envelope: KeyEnvelope, store: SecretStore, passphrase: str | None = None) -> bytearray:
    if envelope.mode == "keyring":
        hexkey = store.get(envelope.db_id)
        if not hexkey:
            raise KeyNotInKeyring(NOT_IN_KEYRING)
        return bytearray.fromhex(hexkey)
    if envelope.passphrase is None:
        raise KeyUnavailable("The key file has no passphrase entry.")
    if passphrase is None:
        passphrase = os.environ.get(ENV_PASSPHRASE)
    if not passphrase:
        raise PassphraseNeeded(f"A passphrase is needed to open this database (or set {ENV_PASSPHRASE}).")
    key = unwrap(envelope.passphrase, passphrase)
    if key is None:
        raise KeyUnavailable("Wrong passphrase: the database was not opened and nothing was changed.")
    return key


def key_from_recovery(envelope: KeyEnvelope, recovery_key: str,
                      opens: Callable[[bytearray], bool] | None = None) -> bytearray:
    """The key, unwrapped with the current recovery key or one still being replaced (a replacement that
    has not ended, or was cut short by a crash, leaves the key the administrator holds working). While a
    new database key is pending (:attr:`KeyEnvelope.pending_key`) the recovery key unwraps both the old
    database key and the new one: ``opens(key)`` says which one the file is encrypted with (without it,
    the old one: the one in force until the pending key is promoted)."""
    wrappings = envelope.recovery_wrappings()
    if envelope.pending_key:
        wrappings.append(envelope.pending_key["recovery"])
    if not wrappings:
        raise KeyUnavailable("This key file holds no recovery entry.")
    normalised = normalise_recovery_key(recovery_key)
    found: list[bytearray] = []
    for blob in wrappings:
        key = unwrap(blob, normalised)
        if key is None:
            continue
        if opens is None or opens(key):
            for other in found:
                wipe(other)
            return key
        found.append(key)
    if found:  # it unwraps, but opens nothing: the open that follows says so in its own words
        for other in found[1:]:
            wipe(other)
        return found[0]
    raise KeyUnavailable("That recovery key does not match this database.")


def load_pending_key(envelope: KeyEnvelope, store: SecretStore, passphrase: str | None = None) -> bytearray | None:
    """The pending new database key (:attr:`KeyEnvelope.pending_key`) as this user can get it: from the
    keyring under its new name, or unwrapped with the passphrase; None when there is none or it cannot be
    had here."""
    pending = envelope.pending_key
    if not pending:
        return None
    if envelope.mode == "keyring":
        try:
            hexkey = store.get(str(pending["db_id"]))
        except KeyUnavailable:
            return None
        return bytearray.fromhex(hexkey) if hexkey else None
    blob = pending.get("passphrase")
    passphrase = passphrase or os.environ.get(ENV_PASSPHRASE)
    if not isinstance(blob, dict) or not passphrase:
        return None
    return unwrap(blob, passphrase)


def promoted(envelope: KeyEnvelope) -> KeyEnvelope:
    """The key file once the file is encrypted with the pending key: its keyring name and wrappings in
    force, the old key's gone (they open only backups made before, which carry their own key file)."""
    pending = envelope.pending_key
    if not pending:
        return envelope
    passphrase = pending.get("passphrase") if envelope.mode == "passphrase" else None
    return KeyEnvelope(str(pending["db_id"]), envelope.mode, passphrase if isinstance(passphrase, dict) else None,
                       pending["recovery"])


def stray_temporaries(path: Path) -> list[Path]:
    """Files :meth:`KeyEnvelope.save` left beside the key file ``path`` when a program died between
    writing and renaming one (``NAME.db.keys.PID.HEX.tmp``; earlier versions' ``NAME.db.keys.tmp``)."""
    prefix = path.name + "."
    try:
        return [p for p in path.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return []


def remove_stray_temporaries(path: Path) -> None:
    """Remove what a crashed writer left (:func:`stray_temporaries`); only while holding the lock every
    writer of the key file takes, so no live writer's file is among them."""
    for stray in stray_temporaries(path):
        try:
            stray.unlink(missing_ok=True)
        except OSError:  # Windows: a virus scanner has it open; the next write tries again
            continue


def rewrap(envelope: KeyEnvelope, key: bytes | bytearray, store: SecretStore, passphrase: str | None) -> KeyEnvelope:
    """Keep ``key`` anew: in the keyring (no passphrase and a keyring exists) or under ``passphrase`` (a new
    passphrase, so it must be strong enough)."""
    new = KeyEnvelope(envelope.db_id, envelope.mode, envelope.passphrase, envelope.recovery,
                      previous_recovery=list(envelope.previous_recovery), replacing=envelope.replacing,
                      pending_key=envelope.pending_key)
    if passphrase is None and store.available():
        store.set(new.db_id, key.hex())
        new.mode, new.passphrase = "keyring", None
    else:
        if not passphrase:
            raise KeyUnavailable("A passphrase is needed: no keyring is available here.")
        check_passphrase(passphrase)
        new.mode, new.passphrase = "passphrase", wrap(key, passphrase, PASSPHRASE_KDF)
    return new
