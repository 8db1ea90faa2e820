"""The page check of an embedded file: every page's HMAC, recomputed only where the bytes changed.

SQLCipher 4 ends every page of the file with a random IV and an HMAC-SHA512 of the page's ciphertext,
its IV and its page number, under a key derived from the database key (PBKDF2-HMAC-SHA512, 2 rounds,
over the file's salt with each byte XORed with ``0x3a``). A page whose bytes changed by accident (a disk
error, a copy cut short, bytes written by another program) fails its HMAC. Opening a file checks every
page this way before anything is written (:func:`adoption_desktop.core.storage.migrations.check_pages`).

``PRAGMA cipher_integrity_check`` does the same in C, but sets up OpenSSL's HMAC again for each page:
0.37–0.61 s for the 177 MB large demo on the reference machine, against 0.28–0.45 s here. And after the first
check on a PC most of the file has not changed: this check keeps, in the per-user data folder, the CRC-32
of each run of :data:`CHUNK_PAGES` pages whose HMACs it has verified (``page-checks/``, one small file
per database file). Next time a run whose bytes have the same CRC is not checked again; the others are,
page by page, and their new CRCs are kept. A reminder export changes about 8 % of the runs of the large
demo, so the check costs about 0.1 s instead of 0.4–0.6 s of a core (0.08 s when nothing changed; the 1M
demo's 914 MB: 0.28 s instead of 1.8–2.3 s).

What this does not weaken:

* the record only ever describes bytes that passed their HMAC in this function (never bytes merely
  written since), and a run is skipped only when its bytes have the CRC of bytes that passed: a random
  change to a run goes unnoticed with a chance of 1 in 2³²;
* a page that fails is read again (another program's checkpoint may have been writing it) and, if it
  still fails, the caller asks SQLCipher itself, whose verdict and words are the ones reported;
* ``verify`` reports a page SQLCipher's check found failing only if it still fails when read again with
  no checkpoint able to rewrite it (:meth:`PageChecker.still_failing`): a checkpoint of another program
  copying saved pages into the file under the check's reads is not damage. A page is excused because of
  the write-ahead log only if SQLite reads it from there (the wal-index says the frame is saved and not
  yet copied into the file) and that copy passes the page's HMAC: a log written without the key excuses
  nothing;
* the record is not a security control: whoever can rewrite it can, with the key, forge HMACs too.
  Edits made outside the application are ``verify``'s work (row seals, the audit chain), and ``verify``
  and every backup check every page with SQLCipher, whatever the record says;
* a file that lost pages since the record (a shrink, a cut) is checked in full by SQLCipher.

No Qt and no SQLAlchemy: it reads the file itself. The derived HMAC key lives in Python ``bytes`` that
cannot be wiped (README, "What stays in memory"); it cannot decrypt a page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import logging
import os
import struct
import sys
import tempfile
import time
import zlib
from array import array
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

_log = logging.getLogger(__name__)

PAGE_SIZE = 4096
SALT_SIZE = 16  # page 1 starts with the file's salt, in the clear
IV_SIZE = 16
HMAC_SIZE = 64
RESERVE = 80  # the IV and the HMAC at the end of each page, rounded up to the AES block
KEY_SIZE = 32  # a raw 256-bit key (``x'…'``): SQLCipher uses it as it is, no KDF
HMAC_SALT_MASK = 0x3A
FAST_KDF_ITER = 2
#: pages per run whose CRC the record keeps (256 KiB): small enough that a change re-checks little
CHUNK_PAGES = 64
RECORD_FORMAT = 1
#: a page that fails is read again this many times (a checkpoint of another program may be writing it)
REREADS = 2
#: the page holding byte 0x40000000 of a file of 1 GiB or more: SQLite keeps its byte-range locks there and
#: never writes it (SQLCipher's own check skips it too); on Windows a read of locked bytes fails, so it is
#: never read — it counts as zeros in its run's CRC
LOCK_PAGE = 0x40000000 // PAGE_SIZE + 1
#: the write-ahead log (``NAME-wal``, https://sqlite.org/fileformat.html#the_write_ahead_log): its header,
#: its two magic numbers (the last bit: checksums of big-endian words), each frame's header
WAL_HEADER = 32
WAL_MAGIC = (0x377F0682, 0x377F0683)
WAL_FRAME_HEADER = 24
#: the wal-index (``NAME-shm``, https://www.sqlite.org/walformat.html), in the byte order of the PC: two
#: copies of its header (WalIndexHdr), then WalCkptInfo, whose first number is nBackfill. Only the first
#: SHM_READ bytes of it are read: SQLite locks bytes 120–128 of it, and on Windows a read of locked bytes fails
SHM_HEADER = 48
SHM_HEADER_FORMAT = "=3I2BH2I2I8s2I"  # iVersion unused iChange isInit bigEndCksum szPage mxFrame nPage
SHM_VERSION = 3007000  #                aFrameCksum[2] aSalt (as in the log) aCksum[2]
SHM_READ = 2 * SHM_HEADER + 4
#: then blocks of 32 KiB, each the page numbers of 4096 frames and a hash table; the first block's
#: numbers start after the 136 bytes of header (so it maps 4062 frames)
SHM_INDEX_HEADER = 136
SHM_BLOCK = 32768
SHM_BLOCK_FRAMES = 4096
SHM_FIRST_FRAMES = SHM_BLOCK_FRAMES - SHM_INDEX_HEADER // 4
#: the most frames of the log (not yet copied into the file) that the page check looks through: 4 GiB
#: of log; SQLite copies the log into the file every 1000 frames or so unless a long read holds it back
MAX_LOG_FRAMES = 1 << 20


@dataclass
class Outcome:
    """What one check found: ``failed`` lists the pages (1-based) whose HMAC did not match."""

    pages: int = 0
    verified: int = 0  # pages whose HMAC was computed this time (the rest had the CRC of checked bytes)
    failed: list[int] = field(default_factory=list)
    shrunk: bool = False  # fewer pages than when last checked: the caller checks the whole file with SQLCipher
    reread: bool = False  # a page passed only when read again: no record is kept (its run's CRC was of the first read)


def hmac_key(key: bytes | bytearray, salt: bytes) -> bytes:
    """SQLCipher 4's HMAC key for a raw key and the file's salt."""
    mask = bytes(b ^ HMAC_SALT_MASK for b in salt)
    return hashlib.pbkdf2_hmac("sha512", bytes(key), mask, FAST_KDF_ITER, KEY_SIZE)


def record_file(path: Path, data_dir: Path) -> Path:
    """Where the record of ``path`` is kept in the per-user data folder (one file per database file)."""
    digest = hashlib.sha256(("file:" + str(Path(path).resolve())).encode("utf-8")).hexdigest()[:32]
    return data_dir / "page-checks" / f"{digest}.json"


def read_salt(path: Path) -> bytes:
    with Path(path).open("rb") as fh:
        return fh.read(SALT_SIZE)


def first_page_opens(path: Path, key: bytes | bytearray) -> bool:
    """Whether page 1 of the file passes its HMAC under ``key``: which of two keys the file is encrypted
    with, told without SQLCipher (a new database key that was pending when a program stopped:
    ``core.storage.database_key``). False for a file too short to tell, or a key of another size."""
    if len(key) != KEY_SIZE:
        return False
    try:
        with Path(path).open("rb") as fh:
            page = fh.read(PAGE_SIZE)
    except OSError:
        return False
    if len(page) < PAGE_SIZE:
        return False
    return PageChecker.for_salt(path, key, page[:SALT_SIZE])._page_ok(1, memoryview(page))


def _wal_checksum(data: bytes, s1: int, s2: int, big_endian: bool) -> tuple[int, int]:
    """SQLite's cumulative checksum of the write-ahead log, continued over ``data``."""
    words = array("I")
    assert words.itemsize == 4
    words.frombytes(data)
    if (sys.byteorder == "big") != big_endian:
        words.byteswap()
    pairs = iter(words)
    for x0, x1 in zip(pairs, pairs, strict=True):
        s1 = (s1 + x0 + s2) & 0xFFFFFFFF
        s2 = (s2 + x1 + s1) & 0xFFFFFFFF
    return s1, s2


@dataclass(frozen=True)
class WalIndex:
    """What the wal-index (``NAME-shm``) says of the write-ahead log: SQLite reads a page from the log's
    frames ``backfilled + 1 … max_frame`` (the last of them for that page), which a checkpoint has not
    yet copied into the file; every other page it reads from the file."""

    max_frame: int  # mxFrame: the log's last saved (committed) frame
    backfilled: int  # nBackfill: the frames a checkpoint has copied into the file
    salt: bytes  # the log's two salts, as each of its frames repeats them (8 bytes, as in the log)


def wal_index(path: Path) -> WalIndex | None:
    """The wal-index header of ``path`` (https://www.sqlite.org/walformat.html): its two copies must agree,
    be initialised, for this page size, with a good checksum. ``None`` when there is no ``-shm`` file, or
    it cannot be read, or the copies disagree (a writer is changing it this moment): then no page is
    taken from the log. Reads only its first :data:`SHM_READ` bytes (SQLite locks the bytes after them)."""
    try:
        with Path(f"{path}-shm").open("rb", buffering=0) as fh:
            data = fh.read(SHM_READ)
    except OSError:
        return None
    if len(data) < SHM_READ or data[:SHM_HEADER] != data[SHM_HEADER:2 * SHM_HEADER]:
        return None
    version, _unused, _change, init, _big, page_size, max_frame, _pages, _f1, _f2, salt, c1, c2 = \
        struct.unpack(SHM_HEADER_FORMAT, data[:SHM_HEADER])
    native = sys.byteorder == "big"
    if (version != SHM_VERSION or init != 1 or page_size != PAGE_SIZE
            or _wal_checksum(data[:SHM_HEADER - 8], 0, 0, native) != (c1, c2)):
        return None
    (backfilled,) = struct.unpack("=I", data[2 * SHM_HEADER:SHM_READ])
    if backfilled > max_frame:
        return None
    return WalIndex(max_frame, backfilled, salt)


def _log_page_numbers(path: Path, index: WalIndex) -> array[int] | None:
    """The page number of each frame ``index.backfilled + 1 … index.max_frame``, as the wal-index maps
    them (the numbers SQLite looks pages up by); ``None`` if more than :data:`MAX_LOG_FRAMES` (the check
    is bounded: nothing is taken from such a log) or the ``-shm`` file cannot be read."""
    if index.max_frame - index.backfilled > MAX_LOG_FRAMES:
        _log.warning("the write-ahead log of %s holds %d frames not yet copied into the file; the page check "
                     "does not read so many", path.name, index.max_frame - index.backfilled)
        return None
    numbers = array("I")
    assert numbers.itemsize == 4
    frame = index.backfilled + 1
    try:
        with Path(f"{path}-shm").open("rb", buffering=0) as fh:
            while frame <= index.max_frame:
                if frame <= SHM_FIRST_FRAMES:  # the first block: after the header
                    at, room = SHM_INDEX_HEADER + 4 * (frame - 1), SHM_FIRST_FRAMES - frame + 1
                else:
                    block, slot = divmod(frame - SHM_FIRST_FRAMES - 1, SHM_BLOCK_FRAMES)
                    at, room = (block + 1) * SHM_BLOCK + 4 * slot, SHM_BLOCK_FRAMES - slot
                count = min(room, index.max_frame - frame + 1)
                fh.seek(at)
                data = fh.read(4 * count)
                if len(data) < 4 * count:
                    return None
                numbers.frombytes(data)
                frame += count
    except OSError:
        return None
    return numbers


def _last_frames(numbers: array[int], first: int, pages: set[int]) -> dict[int, int]:
    """For each of ``pages`` mapped in ``numbers`` (frame ``first`` onwards), its last frame there: the
    copy SQLite reads."""
    if len(pages) > 64:  # many pages: one pass
        found = {n: first + i for i, n in enumerate(numbers) if n in pages}
        return found
    raw, found = numbers.tobytes(), {}
    for page in pages:
        needle, end = struct.pack("=I", page), len(raw)
        while (at := raw.rfind(needle, 0, end)) >= 0 and at % 4:
            end = at + 3  # not on a number's boundary: look further back
        if at >= 0:
            found[page] = first + at // 4
    return found


def wal_pages(path: Path) -> set[int]:
    """The pages SQLite reads now from the write-ahead log of ``path`` rather than from the file: those of
    the log's saved frames a checkpoint has not yet copied into the file, as the wal-index (``-shm``)
    says. Their copies in the file may be old, mid-copy or a gap not yet written. Empty when there is no
    wal-index, or it cannot be read or does not agree with itself. Whether the log's copy is good is
    :meth:`PageChecker.good_in_log`'s question (it needs the key)."""
    index = wal_index(path)
    numbers = _log_page_numbers(path, index) if index is not None else None
    return set(numbers or ()) - {0}


def _read_run(fh: io.FileIO, view: memoryview, first: int) -> int:
    """Read the run of pages starting at page ``first`` into ``view`` (the file positioned there); the
    bytes read. The lock-byte page (:data:`LOCK_PAGE`) is skipped and left as zeros."""
    count = len(view) // PAGE_SIZE
    lock = LOCK_PAGE - first
    if 0 <= lock < count:
        before = _read_fully(fh, view[:lock * PAGE_SIZE])
        if before < lock * PAGE_SIZE:
            return before
        view[lock * PAGE_SIZE:(lock + 1) * PAGE_SIZE] = bytes(PAGE_SIZE)
        fh.seek(LOCK_PAGE * PAGE_SIZE)
        return (lock + 1) * PAGE_SIZE + _read_fully(fh, view[(lock + 1) * PAGE_SIZE:])
    return _read_fully(fh, view)


def _read_fully(fh: io.FileIO, view: memoryview) -> int:
    got = 0
    while got < len(view):
        n = fh.readinto(view[got:])
        if not n:
            break
        got += n
    return got


class PageChecker:
    """The check of one file with one key, made ready at open (the key may be wiped after) and run when
    the caller chooses (:meth:`run`)."""

    def __init__(self, path: Path, key: bytes | bytearray, record: Path | None) -> None:
        if len(key) != KEY_SIZE:
            raise ValueError("the page check needs a raw 256-bit key")
        self.path = Path(path)
        self.record = record
        self.salt = read_salt(self.path)
        self._mac = hmac.new(hmac_key(key, self.salt), digestmod=hashlib.sha512)

    @classmethod
    def for_salt(cls, path: Path, key: bytes | bytearray, salt: bytes) -> PageChecker:
        """A checker for a file whose salt has been read already (no record kept)."""
        checker = cls.__new__(cls)
        checker.path, checker.record, checker.salt = Path(path), None, salt
        checker._mac = hmac.new(hmac_key(key, salt), digestmod=hashlib.sha512)
        return checker

    def _page_ok(self, number: int, page: memoryview) -> bool:
        start = SALT_SIZE if number == 1 else 0
        end = PAGE_SIZE - RESERVE + IV_SIZE
        mac = self._mac.copy()
        mac.update(page[start:end])
        mac.update(number.to_bytes(4, "little"))
        return hmac.compare_digest(mac.digest(), page[end:end + HMAC_SIZE])

    def _reread_ok(self, fh: io.FileIO, number: int) -> bool:
        """A failed page read again (a checkpoint of another program may have been writing it)."""
        buffer = bytearray(PAGE_SIZE)
        for _ in range(REREADS):
            time.sleep(0.02)
            fh.seek((number - 1) * PAGE_SIZE)
            if fh.readinto(buffer) == PAGE_SIZE and self._page_ok(number, memoryview(buffer)):
                return True
        return False

    def _ok_now(self, fh: io.FileIO, number: int) -> bool:
        """Page ``number`` read once more: True if it passes its HMAC, or the file no longer reaches it
        (SQLite truncated it after a checkpoint: the page is no longer part of the database)."""
        buffer = bytearray(PAGE_SIZE)
        fh.seek((number - 1) * PAGE_SIZE)
        got = _read_fully(fh, memoryview(buffer))
        return got == 0 or (got == PAGE_SIZE and self._page_ok(number, memoryview(buffer)))

    def good_in_log(self, pages: Iterable[int]) -> set[int]:
        """Of ``pages``, those SQLite reads from the write-ahead log, not from the file, and whose copy
        there is good: the last frame of the page among the saved frames a checkpoint has not yet copied
        into the file (``nBackfill + 1 … mxFrame`` of the wal-index, :func:`wal_index`), with the log's
        salts, passing the page's own HMAC under the key. A frame anyone could write without the key fails
        that HMAC; a frame SQLite does not use (already copied, past the last saved frame, or in a log the
        wal-index does not describe) is not looked at. Empty without a readable, consistent wal-index.

        Bounded: the wal-index's page numbers of those frames (4 bytes a frame, at most
        :data:`MAX_LOG_FRAMES`), then one frame read and checked per page; no checksum of the whole log."""
        wanted = set(pages)
        index = wal_index(self.path) if wanted else None
        numbers = _log_page_numbers(self.path, index) if index is not None else None
        if index is None or not numbers:
            return set()
        good: set[int] = set()
        buffer = bytearray(WAL_FRAME_HEADER + PAGE_SIZE)
        try:
            with Path(f"{self.path}-wal").open("rb", buffering=0) as fh:
                for page, frame in _last_frames(numbers, index.backfilled + 1, wanted).items():
                    fh.seek(WAL_HEADER + (frame - 1) * len(buffer))
                    if _read_fully(fh, memoryview(buffer)) < len(buffer):
                        continue
                    number = struct.unpack(">I", buffer[:4])[0]
                    if (number == page and bytes(buffer[8:16]) == index.salt
                            and self._page_ok(page, memoryview(buffer)[WAL_FRAME_HEADER:])):
                        good.add(page)
        except OSError:
            return set()
        return good

    def still_failing(self, pages: Iterable[int],
                      steady: Callable[[], AbstractContextManager[object]]) -> list[int]:
        """Of ``pages`` (found failing, e.g. by SQLCipher's own check), those that are damaged.

        Another program's checkpoint copies saved pages from the write-ahead log into the file while
        others read it: a read can meet a page half-copied, or a gap past the old end of the file not yet
        written (a checkpoint held back by a reader copies only the older frames). So each page is read
        again (:data:`REREADS` times, as the open does); one that still fails is judged inside
        ``steady``, a read transaction of the caller's: while it is held no checkpoint writes a page of
        the file that the log does not hold a saved copy of (SQLite's WAL locking: a checkpoint copies only
        frames every reader has, and none at all while a reader reads the file alone). A page SQLite
        reads from the log, whose copy there passes the page's HMAC (:meth:`good_in_log`), is not judged
        by its copy in the file (a checkpoint replaces it); any other is read once more and, if it fails
        again, is damaged. A damaged page nobody is saving fails every time, whatever lies in the log.

        The log is looked at only for pages still failing after the rereads, and costs little inside the
        read transaction (:meth:`good_in_log` is bounded). It must be looked at before the file is read
        again, inside it: a page whose frame a checkpoint finishes copying after the look is whole in the
        file by the time it is read.

        An :class:`OSError` (the file cannot be read here) is the caller's: SQLCipher's finding stands."""
        left = sorted(set(pages))
        with self.path.open("rb", buffering=0) as fh:
            for _ in range(REREADS):  # one pause for all the pages: a file damaged in many is not slow
                if not left:
                    return []
                time.sleep(0.02)
                left = [n for n in left if not self._ok_now(fh, n)]
            if left:
                with steady():
                    in_log = self.good_in_log(left)
                    left = [n for n in left if n not in in_log and not self._ok_now(fh, n)]
        return left

    def _previous(self) -> tuple[array[int], int] | None:
        """The CRCs kept for this file, if the record is for this file as it is (same salt, same page
        size and runs); ``None`` otherwise (everything is checked)."""
        if self.record is None:
            return None
        try:
            data = json.loads(self.record.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or (data.get("format") != RECORD_FORMAT or data.get("page_size") != PAGE_SIZE
                    or data.get("chunk_pages") != CHUNK_PAGES or data.get("salt") != self.salt.hex()):
                return None
            crcs = array("I")
            crcs.frombytes(base64.b64decode(data["crc"]))
            pages = int(data["pages"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if len(crcs) != -(-pages // CHUNK_PAGES):
            return None
        return crcs, pages

    def run(self) -> Outcome:
        """Check every page of the file as it is now (pages added while this runs are not checked)."""
        previous = self._previous()
        outcome = Outcome()
        crcs = array("I")
        chunk_bytes = CHUNK_PAGES * PAGE_SIZE
        buffer = bytearray(chunk_bytes)
        with self.path.open("rb", buffering=0) as fh:
            if fh.read(SALT_SIZE) != self.salt:
                outcome.failed.append(1)  # another file now has this name: SQLCipher decides
                return outcome
            fh.seek(0)
            size = os.fstat(fh.fileno()).st_size
            pages = size // PAGE_SIZE
            if size % PAGE_SIZE:  # a page cut short (or bytes added after the last): SQLCipher decides
                outcome.failed.append(pages + 1)
                return outcome
            old_crcs, old_pages = previous if previous is not None else (array("I"), 0)
            if pages < old_pages:
                outcome.shrunk = True
                return outcome
            outcome.pages = pages
            for index in range(-(-pages // CHUNK_PAGES)):
                first = index * CHUNK_PAGES + 1
                count = min(CHUNK_PAGES, pages - first + 1)
                view = memoryview(buffer)[:count * PAGE_SIZE]
                got = _read_run(fh, view, first)
                if got < len(view):  # cut short while being read: SQLCipher decides
                    outcome.failed.append(first + got // PAGE_SIZE)
                    return outcome
                crc = zlib.crc32(view)
                same_size = index < len(old_crcs) and min(CHUNK_PAGES, old_pages - first + 1) == count
                if not (same_size and old_crcs[index] == crc):
                    outcome.verified += count
                    for i in range(count):
                        number = first + i
                        if number == LOCK_PAGE:
                            continue
                        if not self._page_ok(number, view[i * PAGE_SIZE:(i + 1) * PAGE_SIZE]):
                            position = fh.tell()
                            outcome.reread = True
                            if not self._reread_ok(fh, number):
                                outcome.failed.append(number)
                            fh.seek(position)
                crcs.append(crc)
        if not outcome.failed and not outcome.reread and self.record is not None:
            self._keep(crcs, pages)
        return outcome

    def _keep(self, crcs: array[int], pages: int) -> None:
        """Keep the CRCs of the checked runs (written whole, then renamed: another program reading the
        record sees the old one or the new one). A record that cannot be written costs only time."""
        assert self.record is not None
        text = json.dumps({"format": RECORD_FORMAT, "page_size": PAGE_SIZE, "chunk_pages": CHUNK_PAGES,
                           "salt": self.salt.hex(), "pages": pages,
                           "crc": base64.b64encode(crcs.tobytes()).decode("ascii")})
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".page-check-", dir=self.record.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(tmp, self.record)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as err:
            _log.warning("the record of the pages this PC has checked could not be kept (%s); the next open "
                         "checks every page again, which takes longer", err.strerror or type(err).__name__)
