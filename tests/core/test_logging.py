"""The log: rotated, in the per-user logs folder, and never carrying personal data."""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adoption_desktop import demo
from adoption_desktop.cli import main
from adoption_desktop.core.config import app_paths
from adoption_desktop.core.logging_setup import (
    BACKUP_COUNT,
    LOG_FILE_NAME,
    configure_logging,
    log_unhandled,
    mask,
    reset_logging,
)
from tests.conftest import DemoTemplate, demo_command_log, open_counselling_case

DEMO_TOWNS = demo.FICTIONAL_TOWNS


def _demo_words() -> set[str]:
    """Every name the demo can make: staff, first names, surnames, towns."""
    words = {full for _u, full, _r in demo.DEMO_USERS}
    words |= {name for name in demo.FIRST_NAMES if len(name) >= 4}
    words |= {head + tail for head in demo._SURNAME_HEADS for tail in demo._SURNAME_TAILS}
    words |= set(DEMO_TOWNS)
    return words


def _names_in(text: str, words: set[str]) -> set[str]:
    return {w for w in words if re.search(rf"\b{re.escape(w)}\b", text)}


def test_log_goes_to_the_per_user_logs_folder_and_rotates(tmp_path: Path) -> None:
    path = configure_logging()
    assert path == app_paths().logs / LOG_FILE_NAME
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(path))
    handler.maxBytes = 2_000  # type: ignore[attr-defined]
    for i in range(200):
        logging.getLogger("adoption_desktop.test").info("line %d of a long run", i)
    rotated = sorted(p.name for p in path.parent.iterdir())
    assert rotated[0] == LOG_FILE_NAME and f"{LOG_FILE_NAME}.1" in rotated
    assert len(rotated) == 1 + BACKUP_COUNT  # older copies are dropped, not kept for ever


def test_rotation_refused_by_another_process_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Windows refuses to rename a log another process has open (a scheduled backup while the
    application runs): records keep going to the current file and rotation is tried again later."""
    path = configure_logging(tmp_path / "logs")
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(path))
    handler.maxBytes = 500  # type: ignore[attr-defined]

    def refused(_source: str, _dest: str) -> None:
        raise PermissionError(32, "The process cannot access the file because it is being used")

    monkeypatch.setattr(handler, "rotate", refused)
    log = logging.getLogger("adoption_desktop.test")
    for i in range(40):
        log.info("record %d while another process holds the file", i)
    text = path.read_text(encoding="utf-8")
    assert all(f"record {i} while" in text for i in range(40))
    assert "Traceback" not in capsys.readouterr().err  # no "--- Logging error ---" reports either
    monkeypatch.undo()
    log.info("record after the other process let go")
    assert (tmp_path / "logs" / f"{LOG_FILE_NAME}.1").exists()


def test_exception_messages_and_other_libraries_chatter_are_not_logged(tmp_path: Path) -> None:
    path = configure_logging(tmp_path / "logs")
    try:
        raise ValueError("Cannot save the letter for Jane Example at 1 Example Road, ZZ99 1AA")
    except ValueError:
        exc_info = sys.exc_info()
    log_unhandled(*exc_info)  # type: ignore[arg-type]
    logging.getLogger("sqlalchemy.engine").info("INSERT ... ('Jane Example',)")
    logging.getLogger("adoption_desktop.test").info("sent to jane@example.org, 07700 900123, ZZ99 1AA")
    text = path.read_text(encoding="utf-8")
    assert "ValueError (message not logged)" in text
    assert "test_logging.py" in text  # where it happened is kept for IT
    assert "Jane" not in text and "Example Road" not in text
    assert "jane@example.org" not in text and "07700" not in text and "ZZ99" not in text
    assert "[e-mail]" in text and "[phone]" in text and "[postcode]" in text


def test_other_libraries_and_warnings_log_no_values(tmp_path: Path) -> None:
    import warnings

    path = configure_logging(tmp_path / "logs")
    warnings.warn("could not parse 'Jane Example' from C:\\Users\\jane.smith\\case.db", UserWarning,
                  stacklevel=1)
    logging.getLogger("psycopg").warning("error ignored in rollback on %s: %s", "<conn>",
                                         "Key (surname)=(Smith) already exists")
    logging.getLogger("keyring.backend").warning("config file at /home/jane.smith/.config/keyringrc.cfg")
    logging.getLogger("adoption_desktop.test").info("opened %s", "C:\\Users\\jane.smith\\AppData\\a.db")
    text = path.read_text(encoding="utf-8")
    assert "UserWarning raised (text not logged)" in text
    assert "error ignored in rollback on %s: %s (values not logged)" in text
    assert "keyring.backend: (message not logged)" in text
    assert "opened [path]" in text
    for leaked in ("Jane", "Smith", "jane.smith", "Users", "keyringrc"):
        assert leaked not in text, leaked


def test_command_names_never_carry_an_option_value() -> None:
    from adoption_desktop.cli import build_parser, command_name

    for argv, expected in ((["--db", "/home/jane/Smith family.db", "verify", "--db", "x.db"], "verify"),
                           (["export", "counselling-letter", "--kind", "chaser", "--db", "export", "--case", "1",
                             "--out", "o.pdf"], "export counselling-letter"),
                           (["import", "letterbox", "--db", "d.db", "--file", "f.xlsx"], "import letterbox")):
        assert command_name(build_parser().parse_args(argv), argv) == expected


def test_mask_leaves_ordinary_text_alone() -> None:
    assert mask("command export minutes ended with exit code 0 after 0.13 s") == \
        "command export minutes ended with exit code 0 after 0.13 s"


def test_a_run_over_the_demo_database_writes_no_demo_name_to_the_log(
        tmp_path: Path, qtbot: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        small_demo_copy: Callable[..., Path],
        _small_demo_templates: Callable[[dt.date | None], DemoTemplate]) -> None:
    """Headless commands and the window's pages over the demo database, plus failures whose messages
    quote names: the log records the commands and errors, and not one name. The demo command is the run's
    own (conftest: it made the small demo every test copies, with the log in its data folder): its log is
    checked as this test's is, and this test works on a copy of what it made."""
    from adoption_desktop.demo import DEMO_PASSWORD

    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", DEMO_PASSWORD)
    made = _small_demo_templates(None)
    db_file = small_demo_copy(tmp_path / "demo.db")
    assert main(["verify", "--db", str(db_file)]) == 0
    assert main(["export", "minutes", "--db", str(db_file), "--user", "admin", "--sitting", "1", "--out",
                 str(tmp_path / "m.docx")]) == 0
    assert main(["export", "counselling-letter", "--db", str(db_file), "--user", "admin", "--case",
                 str(open_counselling_case(db_file)), "--kind", "acknowledgement", "--out", str(tmp_path / "c.pdf")]) == 0
    assert main(["export", "decision-letter", "--db", str(db_file), "--user", "admin", "--decision", "999999", "--out",
                 str(tmp_path / "x.pdf")]) == 2  # refused: its message is printed, not logged
    bad = tmp_path / "register.csv"
    bad.write_text("child reference,birth relative,adoptive family\nLB-1,Amy Ashcombe,\n", encoding="utf-8")
    assert main(["import", "letterbox", "--db", str(db_file), "--user", "admin", "--file", str(bad), "--dry-run"]) == 1
    assert main(["--db", str(db_file), "verify", "--db", str(db_file)]) == 0  # a path before the command

    # the window over the same database: every page opened, as a user would
    from adoption_desktop.cli_support import open_db
    from adoption_desktop.core.security.service import authenticate
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow
    from adoption_desktop.ui.tasks import TaskRunner

    db = open_db(db_file)
    try:
        principal = authenticate(db, "admin", demo.DEMO_PASSWORD)
        window = MainWindow(AppContext(db, principal, TaskRunner(synchronous=True)))
        qtbot.addWidget(window)
        window.show()
        for target in window.targets:
            window.open_target(target.key)
            qtbot.wait(10)
        # an unexpected error whose message quotes the data it was handling
        from adoption_desktop.core.security.models import User

        with db.session(write=False) as session:
            staff_name = session.scalars(select(User.full_name)).first()
        try:
            raise RuntimeError(f"unexpected while showing {staff_name} in {DEMO_TOWNS[0]}")
        except RuntimeError:
            log_unhandled(*sys.exc_info())  # type: ignore[arg-type]
        window.close()
    finally:
        db.dispose()
    capsys.readouterr()

    reset_logging()  # flush and close
    text = "".join(p.read_text(encoding="utf-8") for p in app_paths().logs.iterdir())
    demo_text = demo_command_log(made)
    assert "command demo ended with exit code 0" in demo_text
    assert "command export decision-letter refused" in text
    assert "RuntimeError (message not logged)" in text
    assert _names_in(demo_text + text, _demo_words()) == set()
    # paths (with Windows user names in them) are not logged either
    assert str(tmp_path) not in text and str(made.path.parent) not in demo_text
