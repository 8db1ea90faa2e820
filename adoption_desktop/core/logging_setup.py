"""The application's log: rotated files in the per-user logs folder, with no personal data in them.

Policy (see ``docs/it-guide.md``): the log is for IT, so it records *what happened* — start-up,
version, which kind of database was opened, schema upgrades, commands run and their exit codes,
durations, and the type and code location of unexpected errors — never *who or what about*. Our code
logs ids and counts only. Two rules keep other text out:

* **Exception messages are dropped.** A message can quote data (a database error echoes the row it
  rejected), so a logged exception shows its type and stack frames (file, line, function) only.
* **Other libraries log warnings and above only**, and only their message *templates*: the values
  they were given (a server's error text can quote a row) are left out, and a Python warning is
  reduced to its category. As a last guard, anything shaped like an e-mail address, a UK postcode, a
  phone number or a file path is masked in every line.

Files: ``adoption-desktop.log`` plus five rotated copies of 1 MB each (``.log.1`` … ``.log.5``).
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import re
import sys
import traceback
from pathlib import Path
from types import TracebackType

LOG_FILE_NAME = "adoption-desktop.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
LOGGER_NAME = "adoption_desktop"

_MASKS = (
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE), "[postcode]"),
    (re.compile(r"(?<!\d)(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\d)"), "[phone]"),
    # a file path names its folders, and on Windows the user's own (C:\Users\jane.smith\…)
    (re.compile(r"(?:[A-Za-z]:)?[\\/](?:[^\s\\/'\"]+[\\/])+[^\s\\/'\"]*"), "[path]"),
)
_WARNING_CATEGORY = re.compile(r"\b(\w*(?:Warning|Error))\b")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def mask(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


class NoPersonalDataFormatter(logging.Formatter):
    """Exception *type* and frames only; masks contact details in the final line as a last guard."""

    def formatException(self, ei: ExcInfo) -> str:  # noqa: N802 (logging's name)
        kind, _exc, tb = ei
        frames = traceback.extract_tb(tb) if tb is not None else []
        lines = [f"  File {Path(f.filename).name}, line {f.lineno}, in {f.name}" for f in frames]
        name = kind.__qualname__ if kind is not None else "Exception"
        module = kind.__module__ if kind is not None else ""
        return "\n".join([f"{module}.{name} (message not logged)", *lines])

    def format(self, record: logging.LogRecord) -> str:
        # never reuse ``record.exc_text``: another handler may have cached the full traceback there
        saved = record.exc_info, record.exc_text, record.stack_info, record.msg, record.args
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        if not record.name.startswith(LOGGER_NAME):
            record.msg, record.args = _third_party_message(record), None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info, record.msg, record.args = saved
        if saved[0] and saved[0][0] is not None:
            text += "\n" + self.formatException(saved[0])
        return mask(text)


def _third_party_message(record: logging.LogRecord) -> str:
    """Another library's record without the values it was given: a warning's category only,
    otherwise the library's own message template with its ``%s`` placeholders unfilled."""
    if record.name == "py.warnings":
        category = _WARNING_CATEGORY.search(str(record.msg))
        return f"{category.group(1) if category else 'warning'} raised (text not logged)"
    # without arguments the message may have been formatted with the values already: drop it
    return f"{record.msg} (values not logged)" if record.args else "(message not logged)"


class _ThirdPartyAboveInfo(logging.Filter):
    """Our own records at any level; everyone else's at WARNING and above."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.startswith(LOGGER_NAME) or record.levelno >= logging.WARNING


class _SharedRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Rotation that tolerates a second process (a scheduled backup beside the open application) having
    the file open: Windows then refuses the rename, so this process keeps appending and tries again at
    its next record instead of losing what it logs.

    A log that cannot be opened or written (a read-only data folder, a full disk) is said once on stderr,
    in one plain line, and from then on the warnings go to stderr instead (each once): Python's own
    "--- Logging error ---" and its traceback, at every record, buried what each command said. The file is
    tried again at every record, so the log resumes once it can be written."""

    #: why the log's folder could not be made, if it could not
    folder_error: OSError | None = None

    def doRollover(self) -> None:  # noqa: N802 (logging's name)
        try:
            super().doRollover()
        except OSError:
            if self.stream is None:
                self.stream = self._open()

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        err = sys.exc_info()[1]
        if self.stream is not None:  # a stream that failed is not used again: the next record reopens it
            stream, self.stream = self.stream, None
            with contextlib.suppress(Exception):
                stream.close()
        if isinstance(err, FileNotFoundError) and self.folder_error is not None:
            err = self.folder_error  # the folder could not be made: that is the reason
        _cannot_write_log(Path(self.baseFilename), err)
        if record.levelno >= logging.WARNING:
            _fallback().handle(record)


class _OncePerMessage(logging.Filter):
    """Each message once (an anchor that cannot be written is tried at the open and at the close)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage() if record.name.startswith(LOGGER_NAME) else str(record.msg)
        if text in self.seen:
            return False
        self.seen.add(text)
        return True


class _PlainWarnings(NoPersonalDataFormatter):
    """A warning on stderr: its words, never a traceback's frames."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info
        record.exc_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info = saved


#: where the warnings go while the log file cannot be written (made at the first failure)
_stderr_handler: logging.Handler | None = None
_told_unwritable = False


def _fallback() -> logging.Handler:
    global _stderr_handler
    if _stderr_handler is None:
        _stderr_handler = logging.StreamHandler(_Stderr())
        _stderr_handler.setFormatter(_PlainWarnings("adoption-desktop: warning: %(message)s"))
        _stderr_handler.addFilter(_OncePerMessage())
    return _stderr_handler


class _Stderr:
    """``sys.stderr`` as it is when written to (a test's capture, or none at all in a windowed program)."""

    def write(self, text: str) -> int:
        stream = sys.stderr
        if stream is None:
            return 0
        try:
            return stream.write(text)
        except (OSError, ValueError):  # stderr closed too: nowhere left to say it
            return 0

    def flush(self) -> None:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            sys.stderr.flush()


def _cannot_write_log(path: Path, err: BaseException | None) -> None:
    """Say once, on stderr, that the log cannot be written, where, and what happens instead."""
    global _told_unwritable
    if _told_unwritable:
        return
    _told_unwritable = True
    why = (getattr(err, "strerror", None) or type(err).__name__) if err is not None else "unknown error"
    _Stderr().write(f"adoption-desktop: the log file {path} cannot be written ({why}), so nothing is recorded "
                    "there; warnings are shown here instead. Your work is not affected. Ask IT to make that "
                    "folder writable (adoption-desktop paths shows it).\n")


_configured: Path | None = None


def configure_logging(logs_dir: Path | None = None, *, level: int = logging.INFO) -> Path:
    """Send log records to the rotated file in ``logs_dir`` (default: the per-user logs folder).

    Idempotent: a second call returns the same file. Returns the log file's path.
    """
    global _configured
    if _configured is not None:
        return _configured
    if logs_dir is None:
        from adoption_desktop.core.config import app_paths

        logs_dir = app_paths().logs
    folder_error: OSError | None = None
    try:
        logs_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # said once, at the first record (a command's own output comes first)
        folder_error = err
    path = logs_dir / LOG_FILE_NAME
    handler = _SharedRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                         encoding="utf-8", delay=True)
    handler.folder_error = folder_error
    handler.setFormatter(NoPersonalDataFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_ThirdPartyAboveInfo())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO))
    logging.getLogger(LOGGER_NAME).setLevel(level)
    for noisy in ("sqlalchemy", "alembic", "PIL", "fontTools", "keyring"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    _configured = path
    return path


def reset_logging() -> None:
    """Remove our handler (tests, and the self-test, which logs into its own folder)."""
    global _configured, _stderr_handler, _told_unwritable
    _stderr_handler, _told_unwritable = None, False
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler) and isinstance(
                handler.formatter, NoPersonalDataFormatter):
            root.removeHandler(handler)
            handler.close()
    logging.captureWarnings(False)
    _configured = None


def log_unhandled(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """For ``sys.excepthook``: record an unexpected error (type and frames only)."""
    logging.getLogger(LOGGER_NAME).error("unexpected error", exc_info=(kind, exc, tb))


def describe_platform() -> str:
    import platform

    frozen = "frozen build" if getattr(sys, "frozen", False) else "from source"
    return f"Python {platform.python_version()} on {platform.system()} {platform.release()} ({frozen})"
