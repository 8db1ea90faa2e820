"""``core.files.output_file``: an output path that is not a regular file is refused and left alone; any
failure (KeyboardInterrupt too) leaves no temporary file; a name near the file-system limit still works;
errors name the user's path, not the temporary file."""

from __future__ import annotations

import os
from pathlib import Path

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
