"""Another program holding a lock file (the settings file's, the automatic backup's claim), for the tests that
check what this program does while it waits: a real second process, as on a user's PC (not a lock taken in
this process, which the operating system would let this process take again)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOLDER = """
import sys, fcntl
with open(sys.argv[1], "a+") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    print("held", flush=True)
    sys.stdin.readline()
"""


@contextmanager
def lock_held_elsewhere(lock_file: Path) -> Iterator[None]:
    """``lock_file`` locked (``flock``, as ``core.storage.hold.file_lock`` takes it on Linux) by another process
    until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(lock_file)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(30)
