"""The Ofsted pack and the ADM letters write plain PDFs in a scratch folder of the system temporary folder.
An export killed mid-way left them there (security review): now the folder is private, removed however the
export ends, and the next export sweeps the folders a killed one left. The system temporary folder is a
folder of the test's own here (``tempfile.tempdir``), so nothing of the machine's is looked at."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core import files
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import make_user

TODAY = dt.date(2026, 11, 23)
HOUR_AGO = time.time() - 3600


@pytest.fixture
def systemp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary folder, as ``tempfile.gettempdir()`` gives it, for this test alone; the
    once-a-minute sweep is due."""
    folder = tmp_path / "systemp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(files, "_last_sweep", None)
    assert tempfile.gettempdir() == str(folder)
    return folder


def ours(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(files.SCRATCH_PREFIXES))


def _scratch_seen(folder: Path) -> list[Path]:
    """Our scratch folders in ``folder`` now, each checked private (this user only)."""
    found = [p for p in folder.iterdir() if p.name.startswith(files.SCRATCH_PREFIXES)]
    for p in found:
        assert p.is_dir() and p.name.split("-")[-2] == str(os.getpid())
        if os.name != "nt":
            assert p.stat().st_mode & 0o077 == 0
    return found


def test_an_ofsted_pack_failing_mid_way_leaves_nothing_in_the_temp_folder(
        open_demo: Callable[..., Database], systemp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.reports import ofsted

    db = open_demo(TODAY)
    officer = make_user(db, "pa", Role.PANEL_ADMINISTRATOR)
    seen: list[list[str]] = []

    def stamp_then_fail(writer: Any, scratch: Path) -> None:  # every part written, plain, by now
        [folder] = _scratch_seen(systemp)
        seen.append(sorted(p.name for p in folder.iterdir()))
        raise RuntimeError("the export was stopped here")

    monkeypatch.setattr(ofsted, "_stamp_page_numbers", stamp_then_fail)
    out = tmp_path / "pack.pdf"
    with pytest.raises(RuntimeError, match="stopped here"):
        ofsted.write_ofsted_pack(db, officer, out, as_of=TODAY)
    assert seen and {"central.pdf", "adm.pdf", "figures.pdf", "minutes.pdf", "index.pdf"} <= set(seen[0])
    assert ours(systemp) == [] and not out.exists()


def _decision(db: Database) -> tuple[Principal, int]:
    from adoption_desktop.adm import service as adm
    from tests.adm.conftest import handoff, open_from_panel

    decider = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    with db.session() as s:
        decision = open_from_panel(s, handoff())
    adm.record_decision(db, decider, decision, outcome="agree", decision_text="Approved as suitable to adopt.",
                        reasons="I agree with the panel's reasons.")
    return decider, decision


def test_an_adm_letter_failing_mid_way_leaves_nothing_in_the_temp_folder(
        db: Database, systemp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.adm import documents
    from adoption_desktop.adm import service as adm
    from adoption_desktop.adm.models import AdmDecision
    from tests.conftest import TEST_PASSWORD

    decider, decision = _decision(db)
    real = documents.write_letters
    written: list[Path] = []

    def write_then_fail(path: Path, *args: Any, **kwargs: Any) -> int:
        real(path, *args, **kwargs)
        assert path.read_bytes().startswith(b"%PDF")  # the plain letter, in our scratch folder
        [folder] = _scratch_seen(systemp)
        assert path.parent == folder
        written.append(path)
        raise RuntimeError("the export was stopped here")

    monkeypatch.setattr(documents, "write_letters", write_then_fail)
    with pytest.raises(RuntimeError, match="stopped here"):
        adm.sign_decision(db, decider, decision, TEST_PASSWORD, dt.date(2025, 12, 3))
    assert written and ours(systemp) == []
    with db.session() as s:
        assert s.get(AdmDecision, decision).signed_at is None  # type: ignore[union-attr]


def test_a_killed_export_leaves_a_folder_that_the_next_export_sweeps(
        db: Database, systemp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed (no ``finally``, no ``atexit``): its plain PDF stays, as before; the next ADM letter, once the
    folder is a few minutes old and its process gone, removes it — and leaves nothing of its own."""
    from adoption_desktop.adm import service as adm
    from tests.conftest import TEST_PASSWORD

    script = ("import os\nfrom adoption_desktop.core.files import scratch_folder\n"
              "with scratch_folder('adk-adm-') as f:\n"
              "    (f / 'letter.pdf').write_bytes(b'%PDF-1.4 a plain letter')\n"
              "    os._exit(9)\n")
    env = {**os.environ, "TMPDIR": str(systemp), "TEMP": str(systemp), "TMP": str(systemp),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    assert subprocess.run([sys.executable, "-c", script], env=env, timeout=120).returncode == 9
    [left] = [systemp / name for name in ours(systemp)]
    assert (left / "letter.pdf").read_bytes().startswith(b"%PDF")

    decider, decision = _decision(db)
    adm.sign_decision(db, decider, decision, TEST_PASSWORD, dt.date(2025, 12, 3))
    assert left.exists()  # a few seconds old: perhaps an export still running elsewhere, kept
    os.utime(left, (HOUR_AGO, HOUR_AGO))
    monkeypatch.setattr(files, "_last_sweep", None)
    _, second = _decision_again(db, decider)
    adm.sign_decision(db, decider, second, TEST_PASSWORD, dt.date(2025, 12, 3))
    assert ours(systemp) == []


def _decision_again(db: Database, decider: Principal) -> tuple[Principal, int]:
    from adoption_desktop.adm import service as adm
    from tests.adm.conftest import handoff, open_from_panel

    with db.session() as s:
        decision = open_from_panel(s, handoff())
    adm.record_decision(db, decider, decision, outcome="agree", decision_text="Approved as suitable to adopt.",
                        reasons="I agree with the panel's reasons.")
    return decider, decision


def _planted(folder: Path, name: str, *, age: float = 3600, pdf: bool = True, ours: bool = True) -> Path:
    """A folder as an export left it (``ours``: with the program's marker file) or as someone else made it."""
    path = folder / name
    path.mkdir()
    if pdf:
        (path / "part.pdf").write_bytes(b"%PDF-1.4 plain")
    if ours:
        (path / files.SCRATCH_MARKER).write_bytes(b"")
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_the_sweep_removes_only_stale_folders_of_ours(systemp: Path) -> None:
    legacy = _planted(systemp, "ofsted-pack-ab12cd_4", ours=False)  # an older version's: no marker, kept
    gone = _planted(systemp, "adk-adm-999999999-abcdefgh")  # a process that no longer runs
    # the user's own folders named like ours (review: "ofsted-pack-20261203" holding their notes was removed)
    users_dated = _planted(systemp, "ofsted-pack-20261203", ours=False)
    users_like_ours = _planted(systemp, "adk-adm-999999997-abcdefgh", ours=False)
    fresh = _planted(systemp, "adk-adm-999999998-abcdefgh", age=60)  # perhaps still being written
    running = _planted(systemp, f"ofsted-pack-{os.getpid()}-zzzzzzzz")  # this process: still running
    users_pack = systemp / "ofsted-pack-2026-12-03.pdf"  # a pack the user saved there
    users_pack.write_bytes(b"%PDF-1.4 the user's")
    os.utime(users_pack, (HOUR_AGO, HOUR_AGO))
    users_folder = _planted(systemp, "ofsted-pack-2026-12-03")  # a folder named by the user
    other = _planted(systemp, "other-app-abcdefgh")
    target = _planted(systemp, "elsewhere")
    link = systemp / "adk-adm-abcdefgh"
    if os.name != "nt":
        link.symlink_to(target)

    removed = files.sweep_stale_scratch()
    assert removed == [gone]
    assert not gone.exists()
    for kept in (legacy, users_dated, users_like_ours, fresh, running, users_pack, users_folder, other,
                 target / "part.pdf"):
        assert kept.exists(), kept
    if os.name != "nt":
        assert link.is_symlink()
    # with the clock an hour on, the fresh one is stale too
    assert files.sweep_stale_scratch(now=time.time() + 3600) == [fresh]


def test_the_scratch_folder_is_private_and_gone_after_the_block(systemp: Path) -> None:
    with files.scratch_folder("ofsted-pack-") as folder:
        assert _scratch_seen(systemp) == [folder]
        (folder / "part.pdf").write_bytes(b"%PDF-1.4 plain")
    assert ours(systemp) == []
    with pytest.raises(KeyboardInterrupt), files.scratch_folder("adk-adm-") as folder:
        (folder / "letter.pdf").write_bytes(b"%PDF-1.4 plain")
        raise KeyboardInterrupt
    assert ours(systemp) == []
    with pytest.raises(ValueError), files.scratch_folder("anything-"):
        pass
