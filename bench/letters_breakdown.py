"""Where the time of one ``adoption-desktop export reminders`` process goes (used by ``bench_letters.py``).

    python bench/letters_breakdown.py SPAWN_MONOTONIC OUT.json -- ARGS…

runs ``adoption_desktop.cli.main(ARGS)`` in this process with timers around the phases of the export:
each module named in :data:`PHASES` gets its functions wrapped the moment it has been imported (an
import hook, so nothing is imported earlier than the program itself would import it), and
``builtins.__import__`` is timed so the time spent importing is told apart from the work. The phases
nest (the database open contains the key, the SQLCipher open and the schema check): each is reported
with its own time, nested phases and imports taken out. The result (JSON) lists, in seconds:

- ``start``: from the parent's spawn (``time.monotonic()`` is system-wide on Linux) to this file's
  first line: the interpreter starting, ``site``;
- ``imports``: every module import, wherever it happens;
- one entry per phase (its own time);
- ``other``: the rest of ``main`` (argument parsing, the logging set-up, printing);
- ``exit``: from the exit handlers to the process ending (measured by the parent).
"""

from __future__ import annotations

import builtins
import functools
import importlib.abc
import importlib.machinery
import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

T0 = time.monotonic()

#: module -> (attribute path, phase label); a method is "Class.method"
PHASES: dict[str, list[tuple[str, str]]] = {
    "adoption_desktop.core.security.keys": [("load_key", "key from the keyring")],
    "adoption_desktop.core.storage.engine": [
        ("make_sqlcipher_engine", "SQLCipher open (engine)"),
        ("_first_read", "SQLCipher open (first read: key check)"),
        ("Database.dispose", "close (audit anchors, connections)")],
    "adoption_desktop.core.storage.migrations": [
        ("refuse_newer", "schema version check"), ("needs_upgrade", "schema version check"),
        ("check_pages", "page check (HMACs of the pages changed since the last check)")],
    "adoption_desktop.core.storage.schema_version": [
        ("check_schema_version", "schema version check")],
    "adoption_desktop.core.storage.lifecycle": [("has_row_seals", "schema version check")],
    "adoption_desktop.core.audit.anchors": [("on_open", "audit anchors checked")],
    "adoption_desktop.core.security.passwords": [("verify_password", "argon2id password check")],
    "adoption_desktop.core.security.service": [
        ("authenticate", "sign-in (rest: user row, audit entry)"),
        ("PendingSignIn.__init__", "sign-in: account read, password check started"),
        ("PendingSignIn.confirm", "sign-in: waiting for the checks, sign-in recorded")],
    "adoption_desktop.cli_support": [("open_db", "open (rest)"), ("sign_in", "sign-in (rest)")],
    "adoption_desktop.letterbox.documents": [
        ("read_for_reminders", "query (arrangements, participants)"),
        ("reminder_jobs_from", "reminder jobs (months, recipients)"),
        ("check_no_leak", "leak check"),
        ("write_batch", "letters (rest: template, letterhead, render)")],
    "adoption_desktop.letterbox.sent_list": [("record_letters_sent", "sent-list + audit (one batch)")],
    "adoption_desktop.core.documents.pdf": [("register_fonts", "fonts (TTF parse)")],
    "adoption_desktop.core.documents.letter_canvas": [
        ("letter_blocks", "layout (line breaking)"), ("LetterCanvas.place", "drawing"),
        ("LetterCanvas.new_page", "drawing"), ("LetterCanvas.finish", "PDF file write (compress, save)")],
}

own: dict[str, float] = {}
_stack: list[list[float]] = []  # per active phase: [start, time of nested phases and imports]
_main_thread = threading.get_ident()


def _timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() != _main_thread:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                own[f"{label} (second thread)"] = own.get(f"{label} (second thread)", 0.0) + time.perf_counter() - t
        frame = [time.perf_counter(), 0.0]
        _stack.append(frame)
        try:
            return fn(*args, **kwargs)
        finally:
            _stack.pop()
            spent = time.perf_counter() - frame[0]
            own[label] = own.get(label, 0.0) + spent - frame[1]
            if _stack:
                _stack[-1][1] += spent
    return wrapper


def _wrap(module: Any) -> None:
    for attr, label in PHASES.get(module.__name__, []):
        owner: Any = module
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part, None)
        if owner is not None and callable(getattr(owner, name, None)):
            setattr(owner, name, _timed(label, getattr(owner, name)))


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def create_module(self, spec: Any) -> Any:
        return self.inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.inner.exec_module(module)
        _wrap(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in PHASES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


_real_import = builtins.__import__
_depth = 0


def _import(*args: Any, **kwargs: Any) -> Any:
    global _depth
    if _depth or threading.get_ident() != _main_thread:
        _depth += threading.get_ident() == _main_thread
        try:
            return _real_import(*args, **kwargs)
        finally:
            _depth -= threading.get_ident() == _main_thread
    _depth = 1
    t = time.perf_counter()
    try:
        return _real_import(*args, **kwargs)
    finally:
        _depth = 0
        spent = time.perf_counter() - t
        if spent > 2e-5:  # an already-imported name costs nothing worth counting
            own["imports"] = own.get("imports", 0.0) + spent
            if _stack:
                _stack[-1][1] += spent


def main() -> int:
    import atexit

    spawn, out = float(sys.argv[1]), sys.argv[2]
    args = sys.argv[sys.argv.index("--") + 1:]
    sys.argv = ["adoption-desktop", *args]  # run as the program (argv None): as the console script does
    sys.meta_path.insert(0, _Finder())
    builtins.__import__ = _import
    t = time.perf_counter()

    @atexit.register
    def _write() -> None:  # the exit handlers run before the interpreter is taken down (and by a fast exit)
        total = time.perf_counter() - t
        own["other"] = total - sum(v for k, v in own.items() if "second thread" not in k)
        with open(out, "w", encoding="utf-8") as fh:
            json.dump({"start": T0 - spawn, **own, "main_ended": time.monotonic()}, fh)

    from adoption_desktop.cli import main as cli_main  # timed as an import

    return int(cli_main())


if __name__ == "__main__":
    raise SystemExit(main())
