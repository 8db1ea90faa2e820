"""``adoption-desktop self-test``: prove that this installation (a checkout or the frozen build) works.

Everything happens in a new temporary folder and nothing outside it is changed (the keyring check
writes one throw-away entry and deletes it again). The steps, in order:

1. ``keyring``      the system keyring answers (when there is one); ``keyrings.alt`` is not present
2. ``create``       a new SQLCipher database with a passphrase-wrapped key; the file is not plain SQLite
3. ``open``         closed and opened again with its key; a wrong passphrase is refused
4. ``migrations``   a database at the first schema version is upgraded to the latest, backup kept
5. ``demo data``    the synthetic demo is written through the services (every area of work)
6. ``audit chain``  the hash chain verifies, and one altered entry is caught
7. ``pdf letter``   an ADM decision letter is written and read back (its reference is in the text)
8. ``word minutes`` panel minutes are written as .docx and read back
8b. ``ocr``         the offline OCR engine reads the shipped synthetic sample page (resources/samples)
8c. ``user guide``  every page of the guide (resources/guide) is shipped, with every picture and link
9. ``main window``  the main window is shown (offscreen unless ``--visible``), with fonts, and saved
                    as a screenshot

Each step prints ``PASS`` or ``FAIL`` with its time; the first failure stops the run with exit code 1
and names the step. ``--keep DIR`` copies the screenshot, letter, minutes and the run's log to DIR.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adoption_desktop.cli import CliRegistry
    from adoption_desktop.core.security.permissions import Principal
    from adoption_desktop.core.storage.engine import Database

SELF_TEST_SERVICE = "Adoption Desktop self-test"
#: the files ``--keep`` copies (with the run's log)
LETTER_FILE, MINUTES_FILE, SCREENSHOT_FILE = "decision-letter.pdf", "minutes.docx", "main-window.png"


class SelfTestFailure(Exception):
    """A check inside a step did not hold."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


@dataclass
class SelfTestRun:
    """State shared by the steps; every file lives under ``folder``."""

    folder: Path
    visible: bool = False
    passphrase: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    db: Database | None = None
    principal: Principal | None = None
    artefacts: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def db_path(self) -> Path:
        return self.folder / "selftest.db"

    def store(self) -> Any:
        from adoption_desktop.core.security.secret_store import SecretStore

        return SecretStore()


def step_keyring(run: SelfTestRun) -> str:
    import importlib.util

    check(importlib.util.find_spec("keyrings") is None or importlib.util.find_spec("keyrings.alt") is None,
          "keyrings.alt is installed: it would keep database keys in a plain file")
    store = run.store()
    if not store.available():
        return f"no system keyring here ({store.describe()}); databases use a passphrase"
    from adoption_desktop.core.security.secret_store import SecretStore

    probe = SecretStore(SELF_TEST_SERVICE)
    name, value = secrets.token_hex(8), secrets.token_hex(16)
    probe.set(name, value)
    try:
        check(probe.get(name) == value, "the keyring did not return what was stored")
    finally:
        probe.delete(name)
    check(probe.get(name) is None, "the keyring kept an entry that was deleted")
    return store.describe()


def step_create(run: SelfTestRun) -> str:
    from adoption_desktop.core.storage.lifecycle import create_database

    created = create_database(run.db_path, run.store(), run.passphrase)
    created.db.dispose()
    header = run.db_path.read_bytes()[:16]
    check(header and not header.startswith(b"SQLite format 3"), "the database file is not encrypted")
    check(len(created.recovery_key) >= 20, "no recovery key was made")
    return f"{run.db_path.stat().st_size:,} bytes, encrypted"


def step_open(run: SelfTestRun) -> str:
    from adoption_desktop.core.errors import KeyUnavailable
    from adoption_desktop.core.storage.lifecycle import open_database

    try:
        open_database(run.db_path, run.store(), "not-" + run.passphrase).dispose()
    except KeyUnavailable:
        pass
    else:
        raise SelfTestFailure("a wrong passphrase opened the database")
    run.db = open_database(run.db_path, run.store(), run.passphrase)
    with run.db.engine.connect() as conn:
        tables = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'").scalar()
    check(tables and tables > 10, f"the schema has only {tables} tables")
    return f"{tables} tables"


def step_migrations(run: SelfTestRun) -> str:
    from alembic import command

    from adoption_desktop.core.security import keys
    from adoption_desktop.core.storage import migrations
    from adoption_desktop.core.storage.engine import open_sqlcipher
    from adoption_desktop.core.storage.lifecycle import open_database

    path = run.folder / "previous-version.db"
    created = keys.create_key(run.store(), run.passphrase)
    created.envelope.save(keys.key_file_for(path))
    old = open_sqlcipher(path, created.key, must_exist=False)
    try:
        with old.engine.connect() as conn:
            command.upgrade(migrations.alembic_config(conn), migrations.FIRST_REVISION)
            conn.commit()
        old.checkpoint()
    finally:
        old.dispose()
    upgraded = open_database(path, run.store(), run.passphrase)
    try:
        with upgraded.engine.connect() as conn:
            heads = migrations.current_heads(conn)
    finally:
        upgraded.dispose()
    expected = migrations.script_heads()
    check(heads == expected, f"upgraded to {sorted(heads)}, expected {sorted(expected)}")
    backups = list(run.folder.glob("previous-version.db.pre-upgrade-*.bak"))
    check(len(backups) == 1, "no pre-upgrade copy was kept")
    return f"{migrations.FIRST_REVISION} → {', '.join(sorted(expected))}; copy kept"


def step_demo(run: SelfTestRun) -> str:
    from adoption_desktop import demo
    from adoption_desktop.core.security.service import authenticate

    assert run.db is not None
    demo.populate(run.db, "small")
    run.principal = authenticate(run.db, "admin", demo.DEMO_PASSWORD)
    return "small demo written; signed in as the demo administrator"


def step_audit(run: SelfTestRun) -> str:
    from adoption_desktop.core.storage.lifecycle import verify_database

    assert run.db is not None
    report = verify_database(run.db)
    check(report.ok, "; ".join(report.problems) or "the audit chain did not verify")
    check(report.audit_entries > 100, f"only {report.audit_entries} audit entries were written")
    with run.db.engine.begin() as conn:  # alter one entry behind the application's back …
        original = conn.exec_driver_sql("SELECT detail FROM audit_log WHERE seq = 2").scalar()
        conn.exec_driver_sql("UPDATE audit_log SET detail = 'altered' WHERE seq = 2")
    caught = not verify_database(run.db).ok
    with run.db.engine.begin() as conn:  # … and put it back
        conn.exec_driver_sql("UPDATE audit_log SET detail = ? WHERE seq = 2", (original,))
    check(caught, "an altered audit entry was not detected")
    check(verify_database(run.db).ok, "the audit chain did not verify after the alteration was undone")
    return f"{report.audit_entries:,} entries verified; an altered entry was caught"


def step_pdf(run: SelfTestRun) -> str:
    from pypdf import PdfReader
    from sqlalchemy import select

    from adoption_desktop.adm import service
    from adoption_desktop.adm.models import AdmLetter

    assert run.db is not None and run.principal is not None
    with run.db.session(write=False) as session:
        decision_id = session.scalars(select(AdmLetter.decision_id).order_by(AdmLetter.id)).first()
    check(decision_id is not None, "the demo has no decision letter")
    assert decision_id is not None
    out = run.folder / LETTER_FILE
    view = service.export_decision_letter(run.db, run.principal, decision_id, out)
    text = "".join(page.extract_text() or "" for page in PdfReader(out).pages)
    check(view.subject_reference and view.subject_reference in text,
          "the letter's text does not carry the decision's reference")
    run.artefacts["letter"] = out
    return f"{out.stat().st_size:,} bytes; {len(text):,} characters read back"


OCR_SAMPLE_WORDS = ("Rosa", "bedroom", "swimming", "wishes")


def step_ocr(run: SelfTestRun) -> str:
    """The offline OCR engine (models inside the bundle) reads the shipped synthetic sample page."""
    from PIL import Image

    from adoption_desktop.core import ocr
    from adoption_desktop.core.resources import resource_path

    with Image.open(resource_path("samples", "ocr-sample.png")) as image:
        page = ocr.read_image(image)
    missing = [w for w in OCR_SAMPLE_WORDS if w not in page.text]
    check(not missing, f"OCR did not read {', '.join(missing)} from the sample page")
    return f"{len(page.words)} words read, confidence {page.confidence:.0%}"


def step_guide(run: SelfTestRun) -> str:
    """Help → User guide works offline: every topic's page is shipped, with the pictures and pages it links."""
    from adoption_desktop.ui.guide.content import guide_dir, load
    from adoption_desktop.ui.guide.topics import TOPICS

    missing = [t.file for t in TOPICS if not (guide_dir() / t.file).is_file()]
    check(not missing, f"guide pages missing from {guide_dir()}: {', '.join(missing)}")
    pictures = 0
    for topic in TOPICS:
        page = load(topic.file)
        for src in page.images:
            check((guide_dir() / src).is_file(), f"{topic.file} shows a missing picture {src}")
            pictures += 1
        for href in page.links:
            target = href.partition("#")[0]
            check(not target or (guide_dir() / target).is_file(), f"{topic.file} links to a missing {target}")
    return f"{len(TOPICS)} pages, {pictures} pictures"


def step_docx(run: SelfTestRun) -> str:
    from docx import Document
    from sqlalchemy import func, select

    from adoption_desktop.panel import documents, service
    from adoption_desktop.panel.models import PanelItem

    assert run.db is not None and run.principal is not None
    with run.db.session(write=False) as session:
        sitting_id = session.scalars(select(PanelItem.sitting_id).group_by(PanelItem.sitting_id)
                                     .order_by(func.count().desc())).first()
    check(sitting_id is not None, "the demo has no panel sitting with items")
    assert sitting_id is not None
    pack = service.minutes_pack(run.db, run.principal, sitting_id)
    out = run.folder / MINUTES_FILE
    documents.write_minutes_docx(pack, out)
    doc = Document(str(out))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    text = "\n".join(parts)
    check(pack.agency_name in text, "the minutes do not name the agency")
    check(all(item.subject_reference in text for item in pack.items if item.subject_reference),
          "an agenda item's reference is missing from the minutes")
    run.artefacts["minutes"] = out
    return f"{len(pack.items)} items; {len(text):,} characters read back"


def step_window(run: SelfTestRun) -> str:
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication

    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow
    from adoption_desktop.ui.tasks import TaskRunner

    assert run.db is not None and run.principal is not None
    app = QApplication.instance() or QApplication([sys.argv[0]])
    check(QFontDatabase.families(), "Qt found no fonts: every label would be drawn as empty boxes")
    qt_messages: list[str] = []
    previous = qInstallMessageHandler(lambda _kind, _context, message: qt_messages.append(message))
    window = MainWindow()
    runner = TaskRunner()
    try:
        window.attach(AppContext(run.db, run.principal, runner))
        window.resize(1280, 800)
        window.show()
        deadline = time.perf_counter() + 2.0
        while time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.02)
        image = window.grab().toImage()
        out = run.folder / SCREENSHOT_FILE
        check(image.save(str(out)), "the screenshot could not be saved")
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        check(len(colours) > 8, "the window is blank")
    finally:
        window.close()
        runner.wait(2000)
        window.deleteLater()
        app.processEvents()
        qInstallMessageHandler(previous)  # Qt's own chatter (offscreen size hints) is not a failure
    run.artefacts["screenshot"] = out
    return f"{image.width()}×{image.height()} screenshot, {len(colours)} colours sampled"


STEPS: tuple[tuple[str, Callable[[SelfTestRun], str]], ...] = (
    ("keyring", step_keyring),
    ("create", step_create),
    ("open", step_open),
    ("migrations", step_migrations),
    ("demo data", step_demo),
    ("audit chain", step_audit),
    ("pdf letter", step_pdf),
    ("word minutes", step_docx),
    ("ocr", step_ocr),
    ("user guide", step_guide),
    ("main window", step_window),
)


def run_self_test(keep: Path | None = None, *, visible: bool = False,
                  echo: Callable[[str], None] = print) -> int:
    """Run every step; 0 when all pass, 1 naming the first that failed."""
    if not visible:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        if os.name == "nt":  # Qt's offscreen platform on Windows reads fonts from one folder only:
            from adoption_desktop.core.resources import resource_path  # ours (the same DejaVu as letters)

            os.environ.setdefault("QT_QPA_FONTDIR", str(resource_path("fonts")))
    from adoption_desktop import __version__
    from adoption_desktop.core.logging_setup import configure_logging, describe_platform, reset_logging

    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="adoption-desktop-selftest-"))
    saved_data_dir = os.environ.get("ADOPTION_DESKTOP_DATA_DIR")
    os.environ["ADOPTION_DESKTOP_DATA_DIR"] = str(folder / "appdata")  # never the user's own folders
    reset_logging()
    log_file = configure_logging(folder / "logs")
    run = SelfTestRun(folder, visible=visible)
    echo(f"Adoption Desktop {__version__} self-test ({describe_platform()})")
    import logging

    logging.getLogger("adoption_desktop.selftest").info("self-test of %s, %s", __version__, describe_platform())
    failed: str | None = None
    try:
        for name, step in STEPS:
            t0 = time.perf_counter()
            try:
                detail = step(run)
            except Exception as exc:
                failed = name
                echo(f"FAIL  {name}: {type(exc).__name__}: {exc}")
                logging.getLogger("adoption_desktop.selftest").exception("self-test step %s failed", name)
                break
            echo(f"PASS  {name} ({time.perf_counter() - t0:.2f} s): {detail}")
    finally:
        if run.db is not None:
            run.db.dispose()
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for artefact in [*run.artefacts.values(), log_file]:
                if artefact.exists():
                    shutil.copy2(artefact, keep / artefact.name)
        reset_logging()
        if saved_data_dir is None:
            os.environ.pop("ADOPTION_DESKTOP_DATA_DIR", None)
        else:
            os.environ["ADOPTION_DESKTOP_DATA_DIR"] = saved_data_dir
        shutil.rmtree(folder, ignore_errors=True)
    took = time.perf_counter() - started
    if failed is not None:
        echo(f"Self-test FAILED at step '{failed}' after {took:.1f} s.")
        return 1
    echo(f"Self-test passed: {len(STEPS)} steps in {took:.1f} s."
         + (f" Screenshot, letter, minutes and log copied to {keep}." if keep else ""))
    return 0


def check_keep(keep: Path) -> None:
    """``--keep DIR`` must be a folder the run's files can be copied into: checked (and the folder made, as
    the run would make it at the end) before the first step, so a file of that name, a parent that is a
    file or a folder that cannot be written is refused at once rather than after a minute of steps."""
    from adoption_desktop.cli_support import CliError
    from adoption_desktop.core.errors import ValidationError
    from adoption_desktop.core.files import check_output_target
    from adoption_desktop.core.logging_setup import LOG_FILE_NAME

    if keep.exists() and not keep.is_dir():
        raise CliError(f"--keep: {keep} is a file, not a folder; give a folder (it is made if it does not "
                       "exist). Nothing was run.")
    try:
        keep.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"--keep: the folder {keep} cannot be made ({exc.strerror or type(exc).__name__}). "
                       "Nothing was run.") from exc
    if not os.access(keep, os.W_OK | os.X_OK):
        raise CliError(f"--keep: the folder {keep} cannot be written to. Nothing was run.")
    for name in (LETTER_FILE, MINUTES_FILE, SCREENSHOT_FILE, LOG_FILE_NAME):
        try:
            check_output_target(keep / name)
        except ValidationError as exc:
            raise CliError(f"--keep: {exc} Nothing was run.") from exc


def _cmd_self_test(args: argparse.Namespace) -> int:
    keep = Path(args.keep) if args.keep else None
    if keep is not None:
        check_keep(keep)
    return run_self_test(keep, visible=args.visible)


def register(registry: CliRegistry) -> None:
    p = registry.top.add_parser(
        "self-test", help="check this installation end to end in a temporary folder (exit 1 names the "
                          "failed step)")
    p.add_argument("--keep", metavar="DIR", help="copy the screenshot, letter, minutes and log here")
    p.add_argument("--visible", action="store_true", help="show the window on screen (default offscreen)")
    p.set_defaults(handler=_cmd_self_test, own_log=True)
