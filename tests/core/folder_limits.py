"""Folders that misbehave, made for real: read-only, or on a small full disk.

A read-only folder is ``chmod a-w`` for an ordinary user; the administrator (root, as on some build machines)
writes there all the same, so for root the folder is bind-mounted read-only onto itself instead. A full disk
is a small tmpfs mounted there (root only). Where neither can be made the test is skipped: the database is
never mocked."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _mount(*args: str) -> bool:
    try:
        done = subprocess.run(["mount", *args], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _unmount(folder: Path) -> None:
    done = subprocess.run(["umount", str(folder)], capture_output=True, timeout=30, check=False)
    if done.returncode != 0:  # a file left open there (the fault a test looks for): detached all the same
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30, check=False)


def open_files_under(folder: Path) -> list[str]:
    """The files under ``folder`` this process still has open (Linux: ``/proc/self/fd``; [] elsewhere)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return []
    found = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder) + os.sep):
            found.append(target)
    return found


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Within the block no file can be made, changed or removed in ``folder`` (it must exist)."""
    if sys.platform == "win32":
        pytest.skip("a folder is made read-only for this test by POSIX permissions or a mount")
    if not _is_root():
        mode = folder.stat().st_mode & 0o7777
        folder.chmod(mode & ~0o222)
        try:
            yield
        finally:
            folder.chmod(mode)
        return
    if not _mount("--bind", str(folder), str(folder)):
        pytest.skip("running as root, and a read-only bind mount cannot be made here")
    try:
        if not _mount("-o", "remount,ro,bind", str(folder)):
            pytest.skip("running as root, and a read-only bind mount cannot be made here")
        assert not os.access(folder, os.W_OK)
        yield
    finally:
        _unmount(folder)


@contextlib.contextmanager
def small_disk(folder: Path, size_kb: int) -> Iterator[Path]:
    """``folder`` (made empty) on a disk of ``size_kb`` kilobytes, for the block."""
    if sys.platform == "win32" or not _is_root():
        pytest.skip("a small disk is made for this test by mounting a tmpfs, which needs root")
    folder.mkdir(parents=True, exist_ok=True)
    if not _mount("-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)):
        pytest.skip("a tmpfs cannot be mounted here")
    try:
        yield folder
    finally:
        _unmount(folder)


def fill(folder: Path) -> None:
    """Fill the disk holding ``folder`` to the last byte."""
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as f:
        while True:
            f.write(b"\0" * 65536)
            f.flush()
    with contextlib.suppress(OSError), (folder / "filler2").open("wb") as f:
        while True:
            f.write(b"\0" * 512)
            f.flush()
