"""Shared fixtures: offscreen Qt, an in-memory keyring, cheap hashing, a real SQLCipher file per test,
and (when a server can be started on loopback) a throwaway PostgreSQL for the storage tests."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import keyring
import pytest
from argon2 import PasswordHasher
from hypothesis import settings
from keyring.backend import KeyringBackend

from adoption_desktop.core import policy
from adoption_desktop.core.logging_setup import LOG_FILE_NAME, reset_logging
from adoption_desktop.core.security import keys, passwords
from adoption_desktop.core.security import service as security_service
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database, open_database

from .pg import PostgresServer, start_postgres

TEST_PASSWORD = "correct-horse-battery"

# No Hypothesis test is timed: its default deadline (200 ms an example) failed tests now and then in the
# whole suite, when a worker waited for one of the machine's two cores ("Unreliable test timings").
settings.register_profile("adoption-desktop", deadline=None)
settings.load_profile("adoption-desktop")


class MemoryKeyring(KeyringBackend):
    priority = 10

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


CHEAP_KDF = keys.KdfParams(1, 1024, 1)


def _cheap_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def _isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Every test: its own data folder, in-memory keyring, cheap argon2 parameters, and no real wait before a
    failed sign-in is answered (``FAILED_SIGN_IN_FLOOR``: half a second each, many times over in the suite;
    tests/core/test_sign_in_floor.py records the wait asked for instead)."""
    monkeypatch.setenv("ADOPTION_DESKTOP_DATA_DIR", str(tmp_path / "appdata"))
    # no machine policy or installation defaults unless a test writes these files
    monkeypatch.setenv("ADOPTION_DESKTOP_POLICY_FILE", str(tmp_path / "policy" / "policy.json"))
    monkeypatch.setenv("ADOPTION_DESKTOP_DEFAULTS_FILE", str(tmp_path / "policy" / "defaults.json"))
    policy.reset_cache()
    monkeypatch.delenv(keys.ENV_PASSPHRASE, raising=False)
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.setattr(keys, "PASSPHRASE_KDF", CHEAP_KDF)
    monkeypatch.setattr(keys, "RECOVERY_KDF", CHEAP_KDF)
    passwords.set_hasher(_cheap_hasher())
    monkeypatch.setattr(security_service, "_sleep", lambda _seconds: None)
    yield backend
    keyring.set_keyring(previous)
    policy.reset_cache()
    reset_logging()  # a command run in-process opened the log in this test's folder


@pytest.fixture(scope="module", autouse=True)
def _heap_frozen_after_each_module() -> Iterator[None]:
    """After each test module: its garbage collected, and what is left (the session's fixtures, modules
    imported, Qt's wrappers) moved out of the collector's sight (``gc.freeze``). A worker runs thousands of
    tests in one process; every full collection walked all it had kept (770,000 objects after tests/panel
    alone: 38 full collections took 49 s of its 578 s); now each walks only what the running module made.
    What a test makes is never frozen while it runs: a test that waits for an object to be collected sees
    it collected."""
    import gc

    yield
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test() -> Iterator[None]:
    """After each test: windows it left on screen (a dialog a page opened, not handed to ``qtbot``) are
    hidden, so the next test's focus, active window and F1 topic are its own. Hidden, not closed: a close
    could ask "discard your changes?" and wait for an answer no one gives."""
    yield
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    for window in app.topLevelWidgets():
        if window.isVisible():
            window.hide()


@pytest.fixture
def settings_notices_cleared() -> Iterator[None]:
    """No notice about the settings file left from an earlier test, and none left (nor a window's listener)
    for the next: for a test whose window listens itself (``finish_start_up``)."""
    from adoption_desktop.core.config import set_notice_listener, take_notices

    take_notices()
    try:
        yield
    finally:
        set_notice_listener(None)
        take_notices()


@pytest.fixture
def notices(settings_notices_cleared: None) -> Iterator[list[str]]:
    """What the user is told about the settings file (the window's status bar), in order."""
    from adoption_desktop.core.config import set_notice_listener

    said: list[str] = []
    set_notice_listener(said.append)
    yield said


@pytest.fixture
def window_thread() -> Iterator[None]:
    """This thread is the window's, as ``app.run_gui`` makes it; nothing left pending for the next test."""
    import contextlib
    import threading

    from adoption_desktop.core.config import defer_writes_on, flush_settings

    defer_writes_on(threading.current_thread())
    try:
        yield
    finally:
        defer_writes_on(None)
        with contextlib.suppress(OSError):
            flush_settings()


@pytest.fixture
def store() -> SecretStore:
    return SecretStore()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "agency.db"


@pytest.fixture
def db(db_path: Path, store: SecretStore) -> Iterator[Database]:
    created = create_database(db_path, store)
    yield created.db
    created.db.dispose()


@pytest.fixture
def other_pc(db_path: Path, store: SecretStore, db: Database) -> Iterator[Database]:
    """``db``'s file opened a second time: another PC (its own engine and connections)."""
    second = open_database(db_path, store)
    yield second
    second.dispose()


#: the files of an embedded database: the file, its wrapped keys, the audit anchor beside it
DATABASE_FILES = ("", ".keys", ".audit-anchor")


@pytest.fixture(scope="session")
def _small_demo_templates(tmp_path_factory: pytest.TempPathFactory) -> Callable[[dt.date | None], DemoTemplate]:
    """``template(today)``: the small demo dated ``today`` (None: the real today), made once per test run
    as ``adoption-desktop demo`` makes it (``create_database`` filled by ``demo.populate``; the real today's
    by the command itself, run in this process: tests/core/test_logging.py reads the log it wrote in the
    template's data folder), in its own data folder and keyring: the file and the keyring's entries. Each
    test that wants it gets a copy (:func:`small_demo_copy`): 0.1 s instead of 4–7 s of filling it again."""
    made: dict[dt.date | None, DemoTemplate] = dict(_inherited_templates())

    def template(today: dt.date | None) -> DemoTemplate:
        if today not in made:
            made[today] = _make_small_demo(tmp_path_factory.mktemp("small-demo"), today)
        return made[today]

    return template


#: set by a test for the pytest it runs as a child process (another screen, another scale): the small demo
#: templates the parent made, so the child copies them instead of filling the demo again (:func:`share_templates`)
TEMPLATES_ENV = "ADOPTION_TEST_SMALL_DEMO_TEMPLATES"


def share_templates(*templates: tuple[dt.date | None, DemoTemplate]) -> dict[str, str]:
    """The environment entry that hands ``templates`` (each with the day it was made for) to a child pytest."""
    import json

    return {TEMPLATES_ENV: json.dumps([[day.isoformat() if day else None, str(t.path),
                                        [[s, n, v] for (s, n), v in t.keyring.items()]] for day, t in templates])}


def _inherited_templates() -> Iterator[tuple[dt.date | None, DemoTemplate]]:
    import json

    for day, path, entries in json.loads(os.environ.get(TEMPLATES_ENV) or "[]"):
        if Path(path).exists():
            yield (dt.date.fromisoformat(day) if day else None,
                   DemoTemplate(Path(path), {(s, n): v for s, n, v in entries}))


def _make_small_demo(folder: Path, today: dt.date | None) -> DemoTemplate:
    from adoption_desktop import demo

    path = folder / "demo.db"
    if today is None:  # the command's own run: its log is in the template's data folder (test_logging)
        return make_template(path, None, command=["demo", "--db", str(path)])
    return make_template(path, lambda db: demo.populate(db, "small", today=today))


def demo_command_log(template: DemoTemplate) -> str:
    """What ``adoption-desktop demo`` wrote to the log making ``template`` (the real today's small demo)."""
    return "".join(p.read_text(encoding="utf-8")
                   for p in sorted((template.path.parent / "appdata").rglob(f"{LOG_FILE_NAME}*")))


def make_template(path: Path, populate: Callable[[Database], object] | None, *,
                  command: list[str] | None = None) -> DemoTemplate:
    """A database made at ``path`` by ``create_database(..., populate=populate)`` (or by the headless
    ``command``, run in this process, its output kept out of the test's) in its own data folder (beside
    ``path``) and keyring, as :func:`_isolation` sets them for a test: the file and the keyring's entries,
    for :func:`copy_template` to give each test that wants it a copy (a session- or module-scoped fixture
    makes it once)."""
    folder = path.parent
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    with pytest.MonkeyPatch.context() as mp:  # as _isolation does for a test: nothing of the user's touched
        mp.setenv("ADOPTION_DESKTOP_DATA_DIR", str(folder / "appdata"))
        mp.setenv("ADOPTION_DESKTOP_POLICY_FILE", str(folder / "policy" / "policy.json"))
        mp.setenv("ADOPTION_DESKTOP_DEFAULTS_FILE", str(folder / "policy" / "defaults.json"))
        mp.delenv(keys.ENV_PASSPHRASE, raising=False)
        mp.setattr(keys, "PASSPHRASE_KDF", CHEAP_KDF)
        mp.setattr(keys, "RECOVERY_KDF", CHEAP_KDF)
        policy.reset_cache()
        keyring.set_keyring(backend)
        passwords.set_hasher(_cheap_hasher())
        try:
            if command is not None:
                import contextlib
                import io

                from adoption_desktop import cli

                out = io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                    code = cli.main(command)
                assert code == 0, out.getvalue()
            else:
                assert populate is not None
                create_database(path, SecretStore(), populate=populate).db.dispose()
        finally:
            keyring.set_keyring(previous)
            policy.reset_cache()
            reset_logging()
    return DemoTemplate(path, dict(backend.store))


def copy_template(made: DemoTemplate, path: Path, backend: MemoryKeyring) -> Path:
    """``made``'s database copied to ``path``, its key put in ``backend`` (the test's keyring)."""
    for suffix in DATABASE_FILES:
        if Path(f"{made.path}{suffix}").exists():
            shutil.copyfile(f"{made.path}{suffix}", f"{path}{suffix}")
    for (service, name), value in made.keyring.items():
        backend.set_password(service, name, value)
    return path


@dataclass(frozen=True)
class DemoTemplate:
    path: Path
    keyring: dict[tuple[str, str], str]


@pytest.fixture
def small_demo_copy(_small_demo_templates: Callable[[dt.date | None], DemoTemplate],
                    _isolation: MemoryKeyring) -> Callable[..., Path]:
    """``copy(path, today=None)``: the small demo database at ``path`` (its key in this test's keyring), as
    ``adoption-desktop demo --db path`` would have made it (dated ``today``)."""

    def copy(path: Path, today: dt.date | None = None) -> Path:
        return copy_template(_small_demo_templates(today), path, _isolation)

    return copy


@pytest.fixture
def small_demo_db(small_demo_copy: Callable[..., Path], tmp_path: Path, store: SecretStore) -> Iterator[Database]:
    """The small demo database, open (a copy of the one made once per run)."""
    db = open_database(small_demo_copy(tmp_path / "demo.db"), store)
    yield db
    db.dispose()


@pytest.fixture
def open_demo(small_demo_copy: Callable[..., Path], tmp_path: Path) -> Iterator[Callable[..., Database]]:
    """``open_demo(today=None)``: a copy of the small demo dated ``today``, open (closed after the test)."""
    opened: list[Database] = []

    def open_(today: dt.date | None = None) -> Database:
        db = open_database(small_demo_copy(tmp_path / f"demo-{len(opened)}.db", today), SecretStore())
        opened.append(db)
        return db

    yield open_
    for db in opened:
        db.dispose()


def weekday_open(start: dt.date) -> dt.date:
    """The first day from ``start`` that may be a closure day: not a weekend day or a bank holiday."""
    from adoption_desktop.core.settings_service import closure_day_problem

    day = start
    while closure_day_problem(day) is not None:
        day += dt.timedelta(days=1)
    return day


def make_user(db: Database, username: str, *roles: Role, password: str = TEST_PASSWORD) -> Principal:
    from adoption_desktop.core.security.models import User, UserRole
    from adoption_desktop.core.security.passwords import hash_password

    with db.session() as session:
        user = User(username=username, full_name=f"{username.title()} Tester",
                    password_hash=hash_password(password))
        user.roles = [UserRole(role=str(r)) for r in roles]
        session.add(user)
        session.flush()
        return Principal(user.id, user.username, user.full_name, frozenset(roles))


def papers_received(db: Database, actor: Principal, item_id: int, day: dt.date) -> int:
    """Every paper on a panel item's checklist recorded as received on ``day`` (a recommendation is sent
    to the chair only with its core reports received); returns the item id."""
    import sqlalchemy as sa

    from adoption_desktop.panel import service as panel
    from adoption_desktop.panel.models import PanelPaper

    with db.session(write=False) as session:
        codes = list(session.scalars(sa.select(PanelPaper.code).where(PanelPaper.item_id == item_id)))
    for code in codes:
        panel.set_paper_received(db, actor, item_id, code, day)
    return item_id


@pytest.fixture
def admin(db: Database) -> Principal:
    return make_user(db, "admin", Role.ADMINISTRATOR)


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    # not under pytest's tmp folder: that is private to root and the server runs as "postgres"
    folder = Path(tempfile.mkdtemp(prefix="adk-pg-"))
    server = start_postgres(folder)
    yield server
    if server is not None:
        server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def open_counselling_case(path: Path) -> int:
    """The id of the first counselling case of a demo database that is still open (a closed case produces
    no letters): for the commands that make a counselling letter."""
    from sqlalchemy import select

    from adoption_desktop.counselling.models import CounsellingCase

    db = open_database(path, SecretStore())
    try:
        with db.session(write=False) as s:
            found = s.scalar(select(CounsellingCase.id).where(CounsellingCase.closed_on.is_(None))
                             .order_by(CounsellingCase.id).limit(1))
    finally:
        db.dispose()
    assert found is not None, "the demo has an open counselling case"
    return int(found)


@pytest.fixture
def pg(postgres_server: PostgresServer | None) -> PostgresServer:
    """The throwaway PostgreSQL server itself (a test may stop and start it); skipped when none could start."""
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    return postgres_server


@pytest.fixture
def pg_db(pg: PostgresServer) -> Iterator[Database]:
    """A fresh database on the throwaway PostgreSQL server."""
    yield from pg.fresh_database()


@pytest.fixture
def two_pcs(pg: PostgresServer) -> Iterator[tuple[Database, Database]]:
    """One fresh database on the throwaway PostgreSQL server, opened by two PCs (two engines, two pools)."""
    from adoption_desktop.core.storage.engine import open_postgresql

    made = pg.fresh_database()
    first = next(made)
    second = open_postgresql(first.engine.url.render_as_string(hide_password=False))
    try:
        yield first, second
    finally:
        second.dispose()
        made.close()


@pytest.fixture
def older_pg_url(pg: PostgresServer) -> str:
    """A database on the throwaway PostgreSQL server at the first schema, as an older version left it (its tables
    the superuser's): its URL, for ``upgrade`` and ``team-setup`` to meet."""
    from alembic import command

    from adoption_desktop.core.storage import migrations
    from adoption_desktop.core.storage.engine import open_postgresql

    url = pg.empty_database_url("older_")
    db = open_postgresql(url)
    try:
        with db.engine.connect() as conn:
            command.upgrade(migrations.alembic_config(conn), migrations.FIRST_REVISION)
            conn.commit()
    finally:
        db.dispose()
    return url


@pytest.fixture(params=["sqlcipher", "postgresql"])
def pcs(request: pytest.FixtureRequest) -> tuple[Database, Database]:
    """One database opened by two PCs, this person's and a colleague's (their own engines): a database file
    opened twice (``db``, ``other_pc``), and a database on the throwaway PostgreSQL server (``two_pcs``)."""
    if request.param == "sqlcipher":
        return request.getfixturevalue("db"), request.getfixturevalue("other_pc")
    first, second = request.getfixturevalue("two_pcs")
    return first, second


@pytest.fixture(params=["sqlcipher", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path, store: SecretStore) -> Iterator[Database]:
    """The same test on SQLCipher always, and on PostgreSQL when a throwaway server could start."""
    if request.param == "sqlcipher":
        created = create_database(tmp_path / "any.db", store)
        yield created.db
        created.db.dispose()
        return
    server: PostgresServer | None = request.getfixturevalue("postgres_server")
    if server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    yield from server.fresh_database()


#: a widget handed back as given
W = TypeVar("W")


def shown_active(qtbot: object, widget: W, width: int, height: int) -> W:
    """``widget`` added to ``qtbot``, sized, shown and the active window (keys typed go to it)."""
    qtbot.addWidget(widget)  # type: ignore[attr-defined]
    widget.resize(width, height)  # type: ignore[attr-defined]
    widget.show()  # type: ignore[attr-defined]
    widget.activateWindow()  # type: ignore[attr-defined]
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)  # type: ignore[attr-defined]
    return widget
