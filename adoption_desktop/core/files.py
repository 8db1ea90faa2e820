"""File-system safety that must be cheap to import (start-up path)."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the start path
if TYPE_CHECKING:
    from typing import TypeVar

    _Named = TypeVar("_Named")


def secure_umask() -> None:
    """Files we create are readable by their owner only."""
    if os.name != "nt":
        os.umask(0o077)


def check_output_target(path: Path | str) -> None:
    """Refuse an output path that exists and is not a regular file (a directory, a device such as
    /dev/null, a pipe): putting a file in its place would replace it. A missing path is fine."""
    from adoption_desktop.core.errors import ValidationError

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError:
        return  # unreadable: the write itself reports it, under the user's name for the file
    if not stat.S_ISREG(mode):
        raise ValidationError(f"{path} is not a regular file; give a file name.", "path")
    # An existing file must be replaceable. On Windows a PDF open in a reader, or a workbook open in Excel,
    # cannot be replaced: found only at the end, that would come after the export's audit entry (and a
    # batch's sent-list) had been committed for a file that never arrived. Asked before anything is done.
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except PermissionError as exc:
        raise ValidationError(f"{path} is open in another program, or cannot be changed: close it (or choose "
                              "another file name) and try again; nothing was written.", "path") from exc
    except OSError:
        return  # the write itself reports it, under the user's name for the file
    os.close(fd)


def check_output_folder(path: Path | str) -> None:
    """Refuse an output path whose folder does not exist, is not a folder, or where no file can be made (read
    only, no permission, full): a temporary file is made beside it and removed at once. For a file written
    only after something that cannot be taken back (a new recovery key's sheet), so the person is told before
    anything is done rather than after. The message names the folder; the caller adds what was kept."""
    from adoption_desktop.core.errors import ValidationError

    folder = Path(path).parent
    if not folder.is_dir():
        said = "is not a folder" if folder.exists() else "does not exist"
        raise ValidationError(f"the folder {folder} {said}; choose a folder that exists, or create it first.",
                              "path")
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".adk-{os.getpid()}-", suffix=".check")
    except OSError as exc:
        raise ValidationError(f"no file can be written in the folder {folder} "
                              f"({exc.strerror or type(exc).__name__}); choose another folder.", "path") from exc
    os.close(fd)
    with suppress(OSError):
        os.unlink(name)


#: names Windows keeps for devices, whatever the extension or case ("CON.pdf", "aux", "nul.txt"): a file so
#: named cannot be made, or writing it writes to the device (COM¹ ² ³ count as COM1 2 3 on Windows 11)
_DEVICE_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
                          | {f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"})
#: characters a Windows file name cannot hold (a colon would write to an "alternate data stream"; the slashes
#: would make it a path)
_NOT_IN_WINDOWS_NAMES = str.maketrans({c: "_" for c in '<>:"|?*/\\'})


def windows_safe_name(name: str, default: str = "file") -> str:
    """``name`` (a file name, no folders) as Windows can save it: the characters ``<>:"|?*/\\`` become ``_``,
    trailing dots and spaces go (Windows drops them, so "letter.pdf." would save as another name), and a
    device name ("CON.pdf", "aux", "Nul .txt", "COM1", "CONIN$") gets a ``_`` in front ("_CON.pdf"), so
    that it is saved as a file and not sent to the device. Empty: ``default``."""
    base = name.translate(_NOT_IN_WINDOWS_NAMES).rstrip(" .") or default
    if base.split(".", 1)[0].rstrip(" ").upper() in _DEVICE_NAMES:
        base = "_" + base
    return base


def check_output_suffix(path: Path | str, suffixes: Sequence[str]) -> None:
    """Refuse an output path whose suffix is not one of ``suffixes`` (``".pdf"``, ``".docx"``: lower case,
    with the dot; the path's is compared ignoring case). A writer that writes one format would otherwise put
    a PDF in ``report.txt``, and one that chooses its format by the suffix (letters: ``.docx`` a Word copy,
    anything else a PDF) would choose without being asked. Checked before any work is done."""
    from adoption_desktop.core.errors import ValidationError

    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise ValidationError(f"give a file name ending {' or '.join(suffixes)} (got {path.name or path}); "
                              "nothing was written.", "path")


#: an export's temporary file beside the chosen file untouched for this long, whose process is gone, was
#: left by an export killed while writing (task manager, power cut): the next export to that folder removes it.
#: A day, not an hour: on Windows, and in a folder shared by two PCs, whether the process has ended cannot be
#: asked, and a running export's file (made empty at its start, written at its end) may sit untouched for a
#: while, e.g. a command-line export waiting at its password prompt; its rename would then fail after the
#: sent-list was committed
PARTIAL_STALE_SECONDS = 24 * 60 * 60
#: ``.adk-<process id>-<8 random>.partial<suffix>``; names without the process id are those of versions
#: before it (the age alone decides for them)
_PARTIAL_NAME = r"\.adk-(?:(\d+)-)?[a-z0-9_]{8}\.partial(?:\.[A-Za-z0-9]{1,9})?"
_live_partials: set[Path] = set()
#: when each folder was last swept (``time.monotonic``): a batch of letters into one folder sweeps it once
_partials_swept: dict[Path, float] = {}


def sweep_stale_partials(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove the temporary files (``.adk-….partial.pdf``) that exports killed while writing left in
    ``folder``. Only regular files (never links or folders) named as :func:`output_file` names them, owned
    by this user where that can be asked, untouched for :data:`PARTIAL_STALE_SECONDS`, not this process's
    own and (where that can be asked) whose process has ended. A file another program still has open cannot
    be removed on Windows and is left. Returns those removed; never raises."""
    import re
    import time

    now = time.time() if now is None else now
    removed: list[Path] = []
    for path, named in own_stale_entries(folder, lambda name: re.fullmatch(_PARTIAL_NAME, name), stat.S_ISREG,
                                          PARTIAL_STALE_SECONDS, now):
        if path in _live_partials or (named.group(1) is not None and _process_alive(int(named.group(1)))):
            continue
        try:
            path.unlink()
        except OSError:
            continue  # open in another program, or not ours to remove: left for the next sweep
        removed.append(path)
    return removed


def own_stale_entries(folder: Path, match: Callable[[str], _Named | None], kind: Callable[[int], bool],
                       stale_seconds: float, now: float) -> Iterator[tuple[Path, _Named]]:
    """The entries of ``folder`` whose name ``match`` accepts (with what it matched), of the ``kind`` asked
    (``stat.S_ISREG`` or ``S_ISDIR`` of the entry itself: a link is never followed), owned by this user where
    that can be asked, and untouched for ``stale_seconds`` before ``now``. An unreadable folder or entry is
    passed over; never raises."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        named = match(entry.name)
        if named is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not kind(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            continue
        if now - st.st_mtime >= stale_seconds:
            yield Path(entry.path), named


def _sweep_partials_once(folder: Path) -> None:
    """:func:`sweep_stale_partials` of ``folder``, at most once a minute per folder in this process."""
    import time

    key = folder.absolute()
    last = _partials_swept.get(key)
    if last is None or time.monotonic() - last >= SWEEP_EVERY_SECONDS:
        sweep_stale_partials(folder)
        _partials_swept[key] = time.monotonic()


def _temporary_beside(path: Path, *, keep_suffix: bool = True) -> Path:
    """A new, empty temporary file in ``path``'s folder (so the final rename stays on one file system),
    with a short name whatever the length of ``path``'s and keeping its suffix (some writers choose the
    format by it) unless ``keep_suffix`` is False. Its name carries this process's id, so a sweep never takes
    a running export's file."""
    suffix = path.suffix.lower() if keep_suffix and len(path.suffix) <= 10 else ""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".adk-{os.getpid()}-", suffix=".partial" + suffix)
    except OSError as exc:
        raise _named(exc, path) from exc
    os.close(fd)
    _live_partials.add(Path(name))
    return Path(name)


def _named(exc: OSError, path: Path) -> OSError:
    """``exc`` naming the user's ``path`` rather than an internal temporary file."""
    try:
        return type(exc)(exc.errno, exc.strerror or str(exc), str(path))
    except TypeError:  # a subclass with its own constructor
        return OSError(exc.errno, exc.strerror or str(exc), str(path))


@contextmanager
def output_file(path: Path | str, *, keep_suffix: bool = True) -> Iterator[Path]:
    """Write ``path`` safely: yields a temporary file beside it to write to, which gets ``path``'s name only
    when the ``with`` block ends without an exception. Any exception (``KeyboardInterrupt`` too) removes the
    temporary file and leaves ``path`` as it was.

    An existing ``path`` that is not a regular file (directory, device, pipe) is refused before anything
    is written. Put whatever must be committed before the file is delivered (the audit entry for an
    export) *inside* the block: the file is put in place only after it. An ``OSError`` about the temporary
    file is raised naming ``path``. ``keep_suffix`` False: the temporary file's name does not end as
    ``path``'s (``.adk-….partial``), for a kind of file found by its ending (a backup, ``*.adkbak``: one left
    half-written by a program that ended while its folder did not answer must never be taken for one)."""
    path = Path(path)
    check_output_target(path)
    _sweep_partials_once(path.parent)  # what an export killed while writing here left behind
    tmp = _temporary_beside(path, keep_suffix=keep_suffix)
    try:
        try:
            yield tmp
            check_output_target(path)  # it may have changed while the file was being made
            os.replace(tmp, path)
        except OSError as exc:
            if exc.filename is None or str(tmp) in (str(exc.filename), str(exc.filename2)):
                raise _named(exc, path) from exc
            raise
    finally:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        _live_partials.discard(tmp)


# --- private scratch folders for an export's plain intermediate files --------------------------------
#: prefixes of the scratch folders of exports that write plain (unencrypted) intermediate PDFs in the
#: system temporary folder: the Ofsted pack's parts, an ADM letter before it is stored (encrypted) and a
#: template's preview counted for its pages (sample details only)
SCRATCH_PREFIXES = ("ofsted-pack-", "adk-adm-", "adk-preview-")
#: a scratch folder untouched for this long, whose process is gone, was left by an export killed mid-way
SCRATCH_STALE_SECONDS = 10 * 60
# the names this program gives them: prefix, this process's id, mkdtemp's 8 characters; and inside each, the
# marker file below, written first. Nothing without the marker is ever swept: a folder of the user's own
# named like ours ("ofsted-pack-20261203", review) is left alone, and so are the folders of versions before
# the marker (their plain PDFs stay until the system clears its temporary folder).
_RANDOM = "[a-z0-9_]{8}"
SCRATCH_MARKER = ".adoption-desktop-scratch"
_live_scratch: set[Path] = set()
#: when this process last swept (``time.monotonic``): a batch of letters sweeps once, not per letter
_last_sweep: float | None = None
SWEEP_EVERY_SECONDS = 60.0


def _scratch_name(name: str) -> tuple[str, int] | None:
    """``(prefix, process id or None)`` when ``name`` is one of our scratch folders' names."""
    import re

    for prefix in SCRATCH_PREFIXES:
        found = re.fullmatch(re.escape(prefix) + rf"(\d+)-{_RANDOM}", name)
        if found:
            return prefix, int(found.group(1))
    return None


def process_running(pid: int) -> bool | None:
    """Whether process ``pid`` of this computer runs; None where that cannot be asked (Windows: ``os.kill``
    would end it), for the caller to decide by other means (a file's age, a lease)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, another user's
    return True


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs; on Windows not asked (False): the age alone decides there."""
    return process_running(pid) is True


def sweep_stale_scratch(*, now: float | None = None, folder: Path | None = None) -> list[Path]:
    """Remove the scratch folders of our exports left in the system temporary folder by an export that
    was killed mid-way (power cut, task manager, crash): they hold plain PDFs. Only folders (never files
    or links) named as this program names them and holding its marker file, owned by this user, untouched for
    :data:`SCRATCH_STALE_SECONDS` and (where that can be asked) whose process has ended. Returns those
    removed. Never raises: a folder that cannot be removed is left for the next sweep."""
    import shutil
    import time

    now = time.time() if now is None else now
    where = Path(folder) if folder is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    for path, named in own_stale_entries(where, _scratch_name, stat.S_ISDIR, SCRATCH_STALE_SECONDS, now):
        pid = named[1]
        if path in _live_scratch or _process_alive(pid) or not (path / SCRATCH_MARKER).is_file():
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed


def _remove_live_scratch() -> None:
    import shutil

    for path in list(_live_scratch):
        shutil.rmtree(path, ignore_errors=True)
    _live_scratch.clear()


@contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A private folder (this user only) in the system temporary folder for an export's intermediate
    files, removed when the block ends — by an exception too — and, failing that, when the program exits.
    A process killed mid-way can do neither: each export first sweeps the stale folders such kills left
    (:func:`sweep_stale_scratch`). ``prefix``: one of :data:`SCRATCH_PREFIXES`."""
    import atexit
    import shutil

    global _last_sweep
    import time

    if prefix not in SCRATCH_PREFIXES:
        raise ValueError(f"unknown scratch prefix {prefix!r}")
    if _last_sweep is None or time.monotonic() - _last_sweep >= SWEEP_EVERY_SECONDS:
        sweep_stale_scratch()
        _last_sweep = time.monotonic()
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))  # mode 0700
    (path / SCRATCH_MARKER).write_bytes(b"")  # what the sweep looks for: ours, and nothing else
    if not _live_scratch:
        atexit.unregister(_remove_live_scratch)
        atexit.register(_remove_live_scratch)
    _live_scratch.add(path)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        _live_scratch.discard(path)
