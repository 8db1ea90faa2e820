"""A data folder that cannot be written (``ADOPTION_DESKTOP_DATA_DIR`` on a read-only share; a user trial,
6 December 2026): every command printed Python's "--- Logging error ---" with a traceback for each record it
logged, and the warnings that the audit anchor and the page-check record could not be written went only to
that log. Now: one plain line saying the log cannot be written and where, and each warning once."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_desktop import cli
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.lifecycle import create_database
from tests.core.folder_limits import read_only


@pytest.mark.parametrize("logs_folder_exists", [False, True])
def test_a_read_only_data_folder_says_once_that_the_log_cannot_be_written(
        tmp_path: Path, store: SecretStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        logs_folder_exists: bool) -> None:
    path = tmp_path / "db" / "f.db"
    create_database(path, store).db.dispose()
    data = tmp_path / "shared-profile"
    (data / "logs" if logs_folder_exists else data).mkdir(parents=True)
    monkeypatch.setenv("ADOPTION_DESKTOP_DATA_DIR", str(data))
    with read_only(data):
        if logs_folder_exists:
            with read_only(data / "logs"):
                code = cli.main(["verify", "--db", str(path)])
        else:
            code = cli.main(["verify", "--db", str(path)])
    out, err = capsys.readouterr()
    assert code == 0 and out.startswith("OK: database intact")
    assert "Logging error" not in err and "Traceback" not in err, err
    lines = err.splitlines()
    said = [ln for ln in lines if "log file" in ln]
    assert len(said) == 1, err
    assert str(data / "logs" / "adoption-desktop.log") in said[0] and "cannot be written" in said[0]
    assert "No such file" not in said[0]  # the folder's own reason
    anchor = [ln for ln in lines if "audit anchor could not be written" in ln]
    assert len(anchor) == 1, err  # tried at the open and at the close: said once
    assert len([ln for ln in lines if "pages this PC has checked could not be kept" in ln]) == 1, err
    assert len(lines) == 3, err
