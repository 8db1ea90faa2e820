"""File-system safety that must be cheap to import (start-up path)."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path


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


def _temporary_beside(path: Path) -> Path:
    """A new, empty temporary file in ``path``'s folder (so the final rename stays on one file system),
    with a short name whatever the length of ``path``'s and keeping its suffix (some writers choose the
    format by it)."""
    suffix = path.suffix.lower() if len(path.suffix) <= 10 else ""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=".adk-", suffix=".partial" + suffix)
    except OSError as exc:
        raise _named(exc, path) from exc
    os.close(fd)
    return Path(name)


def _named(exc: OSError, path: Path) -> OSError:
    """``exc`` naming the user's ``path`` rather than an internal temporary file."""
    try:
        return type(exc)(exc.errno, exc.strerror or str(exc), str(path))
    except TypeError:  # a subclass with its own constructor
        return OSError(exc.errno, exc.strerror or str(exc), str(path))


@contextmanager
def output_file(path: Path | str) -> Iterator[Path]:
    """Write ``path`` safely: yields a temporary file beside it to write to, which gets ``path``'s name only
    when the ``with`` block ends without an exception. Any exception (``KeyboardInterrupt`` too) removes the
    temporary file and leaves ``path`` as it was.

    An existing ``path`` that is not a regular file (directory, device, pipe) is refused before anything
    is written. Put whatever must be committed before the file is delivered (the audit entry for an
    export) *inside* the block: the file is put in place only after it. An ``OSError`` about the temporary
    file is raised naming ``path``."""
    path = Path(path)
    check_output_target(path)
    tmp = _temporary_beside(path)
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
