"""An export killed while writing leaves its temporary ``.adk-….partial.pdf`` beside the chosen file; the
next export into that folder removes such leftovers once they are a day old and their process has
ended — never a running export's file (its process is alive, or it is this process's own), never a
recent one, never a file or link of the user's own. Real files, a real killed process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from adoption_desktop.core import files
from adoption_desktop.core.files import PARTIAL_STALE_SECONDS, output_file, sweep_stale_partials

#: a child process that starts an export into a folder and waits there to be killed mid-write
_KILLED_MID_WRITE = """
import sys, time
from pathlib import Path
from adoption_desktop.core.files import output_file
with output_file(Path(sys.argv[1])) as tmp:
    print(tmp, flush=True)
    time.sleep(60)
"""


def _killed_export(out: Path) -> Path:
    """Run an export of ``out`` in another process and kill it while it writes; returns its leftover."""
    child = subprocess.Popen([sys.executable, "-c", _KILLED_MID_WRITE, str(out)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert child.stdout is not None
    leftover = Path(child.stdout.readline().strip())
    child.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    child.wait(timeout=30)
    assert leftover.is_file() and leftover.stat().st_size == 0 and not out.exists()
    return leftover


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_the_next_export_removes_a_killed_exports_leftover(tmp_path: Path) -> None:
    leftover = _killed_export(tmp_path / "letter.pdf")
    assert leftover.name.startswith(".adk-") and leftover.name.endswith(".partial.pdf")
    _age(leftover, PARTIAL_STALE_SECONDS + 60)
    with output_file(tmp_path / "report.pdf") as tmp:
        tmp.write_bytes(b"%PDF-1.4 report")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_a_recent_leftover_and_the_users_own_files_stay(tmp_path: Path) -> None:
    recent = _killed_export(tmp_path / "letter.pdf")  # under a day old: perhaps another copy's slow export
    own = [tmp_path / "report.partial.pdf", tmp_path / ".adk-notes.txt", tmp_path / ".adk-1234-abcdefgh.pdf"]
    for path in own:
        path.write_bytes(b"mine")
        _age(path, PARTIAL_STALE_SECONDS + 60)
    folder = tmp_path / ".adk-99999-abcdefgh.partial.pdf"  # a folder named like one
    folder.mkdir()
    _age(folder, PARTIAL_STALE_SECONDS + 60)
    if hasattr(os, "symlink"):
        link = tmp_path / ".adk-99999-zyxwvuts.partial.pdf"
        link.symlink_to(tmp_path / "report.partial.pdf")
        _age(link, PARTIAL_STALE_SECONDS + 60)
    assert sweep_stale_partials(tmp_path) == []
    assert recent.exists() and all(p.exists() for p in own) and folder.is_dir()


@pytest.mark.skipif(os.name == "nt", reason="a running process is asked about on POSIX only (age alone on Windows)")
def test_a_running_exports_file_stays_however_old(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = tmp_path / f".adk-{child.pid}-abcdefgh.partial.pdf"
        running.write_bytes(b"")
        _age(running, PARTIAL_STALE_SECONDS * 5)
        assert sweep_stale_partials(tmp_path) == []
        assert running.exists()
    finally:
        child.kill()
        child.wait(timeout=30)
    assert sweep_stale_partials(tmp_path) == [running]  # its process has ended now


def test_this_processs_own_export_in_progress_stays(tmp_path: Path) -> None:
    with output_file(tmp_path / "pack.pdf") as tmp:
        _age(tmp, PARTIAL_STALE_SECONDS * 5)  # a long export in another thread of this program
        assert sweep_stale_partials(tmp_path) == [] and tmp.exists()
        tmp.write_bytes(b"%PDF-1.4 pack")
    assert (tmp_path / "pack.pdf").read_bytes() == b"%PDF-1.4 pack"
    assert tmp not in files._live_partials


def test_a_leftover_named_by_an_earlier_version_is_removed_by_age(tmp_path: Path) -> None:
    old = tmp_path / ".adk-k3j2h1g0.partial.pdf"  # before the process number was in the name
    old.write_bytes(b"")
    _age(old, PARTIAL_STALE_SECONDS + 60)
    assert sweep_stale_partials(tmp_path) == [old]
    assert not old.exists()
