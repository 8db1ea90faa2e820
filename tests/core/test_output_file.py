"""``core.files.output_file``: an output path that is not a regular file is refused and left alone; any
failure (KeyboardInterrupt too) leaves no temporary file; a name near the file-system limit still works;
errors name the user's path, not the temporary file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.files import output_file


def test_writes_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    out.write_bytes(b"old")
    with output_file(out) as tmp:
        assert tmp.parent == tmp_path and tmp != out
        assert out.read_bytes() == b"old"  # not replaced until the block ends
        tmp.write_bytes(b"new")
    assert out.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pdf"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_and_untouched(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValidationError, match=rf"{fifo} is not a regular file; give a file name"), \
            output_file(fifo) as tmp:
        tmp.write_bytes(b"data")  # pragma: no cover - never reached
    assert fifo.is_fifo()
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_directory_is_refused_and_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    (folder / "inside.txt").write_text("keep")
    with pytest.raises(ValidationError, match="is not a regular file"), output_file(folder):
        pass  # pragma: no cover - never reached
    assert (folder / "inside.txt").read_text() == "keep"
    assert [p.name for p in tmp_path.iterdir()] == ["adir"]


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), ValueError("bad"), KeyboardInterrupt()])
def test_any_failure_removes_the_temporary_file(tmp_path: Path, error: BaseException) -> None:
    out = tmp_path / "x.pdf"
    with pytest.raises(type(error)), output_file(out) as tmp:
        tmp.write_bytes(b"half")
        raise error
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_stays_as_it_was_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    out.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), output_file(out) as tmp:
        tmp.write_bytes(b"new")
        raise KeyboardInterrupt
    assert out.read_bytes() == b"old" and list(tmp_path.iterdir()) == [out]


def test_an_os_error_names_the_users_path(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    with pytest.raises(OSError) as caught, output_file(out) as tmp:
        tmp.unlink()
        tmp.read_bytes()  # an error about the temporary file
    assert caught.value.filename == str(out)
    missing = tmp_path / "no such folder" / "y.pdf"
    with pytest.raises(OSError) as caught, output_file(missing):
        pass  # pragma: no cover - never reached
    assert caught.value.filename == str(missing)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("length", [250, 255])
def test_a_long_name_works(tmp_path: Path, length: int) -> None:
    out = tmp_path / ("a" * (length - 4) + ".pdf")
    with output_file(out) as tmp:
        assert len(tmp.name) < 40
        tmp.write_bytes(b"%PDF")
    assert out.read_bytes() == b"%PDF"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_the_temporary_file_keeps_the_suffix(tmp_path: Path) -> None:
    """Writers that choose the format by the suffix (``.docx`` or PDF) see the right one."""
    with output_file(tmp_path / "Letters.DOCX") as tmp:
        assert tmp.suffix == ".docx"
        tmp.write_bytes(b"PK")
    assert (tmp_path / "Letters.DOCX").exists()


def test_a_file_that_cannot_be_replaced_is_refused_before_anything_is_done(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows a PDF open in a reader cannot be replaced; found at the end, that came after the export's
    audit entry was committed. The target is tried first (here the sharing violation is simulated: this
    machine's tests run as root, whom permissions do not stop)."""
    from adoption_desktop.core import files

    target = tmp_path / "reminders.pdf"
    target.write_bytes(b"the letters already sent")
    real_open = os.open

    def locked(path: Any, flags: int, *args: Any) -> int:
        if Path(path) == target and flags & os.O_RDWR:
            raise PermissionError(13, "The process cannot access the file because it is being used")
        return real_open(path, flags, *args)

    monkeypatch.setattr(files.os, "open", locked)
    ran: list[bool] = []
    with pytest.raises(ValidationError, match="open in another program"), files.output_file(target):
        ran.append(True)  # the export's work (and its audit entry) would go here
    assert ran == [] and target.read_bytes() == b"the letters already sent"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reminders.pdf"]
