"""A Word export onto a full disk (a user trial, 6 December 2026): after its own message, `export minutes`
printed "Exception ignored in ZipFile.__del__ … OSError: [Errno 28] No space left on device" (python-docx
left its ZipFile open when the write failed, and Python closed it later, failing again)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop import cli, demo
from tests.core.folder_limits import fill, open_files_under, small_disk


def test_minutes_to_a_full_disk_say_it_once_and_nothing_more(
        tmp_path: Path, small_demo_copy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = small_demo_copy(tmp_path / "demo.db")
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, demo.DEMO_PASSWORD)
    ignored: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    with small_disk(tmp_path / "tiny", 256) as tiny:
        fill(tiny)
        code = cli.main(["export", "minutes", "--db", str(path), "--user", "paneladmin", "--sitting", "1",
                         "--out", str(tiny / "m.docx")])
        left_open = open_files_under(tiny)  # before any collection: python-docx's ZipFile held its file
        gc.collect()
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert code != 0 and len(err) == 1, err
        assert "m.docx" in err[0] and "the disk is full" in err[0], err
        assert sorted(p.name for p in tiny.iterdir()) == ["filler", "filler2"]  # no partial file left
        assert left_open == []
    assert not [f"{u.exc_type.__name__} in {u.object!r}" for u in ignored]
