"""Every dialog (``tests/ui/dialog_registry.py``), for every role that can open it, on a 1366×768 screen at
100 %, 125 % and 150 % scaling — really scaled: each size runs in its own process with ``QT_SCALE_FACTOR``
and a 1366×768 offscreen screen — and once more under a high-contrast palette. A dialog fails when it
opens larger than the screen less the taskbar, cuts a label, column title, button or hint short, leaves a
control without an accessible name, shows text below 4.5:1, or has a control Tab never reaches."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QPalette, QScreen
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QScrollArea, QTabWidget, QWidget

import adoption_desktop
from adoption_desktop import demo
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database
from adoption_desktop.ui import geometry
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.fit import window_title_needs
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.palette import high_contrast_palette
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import DemoTemplate, share_templates
from tests.ui.dialog_registry import ALL_ROLES, DIALOGS, capturing, open_entry
from tests.ui.walk import (
    TASKBAR,
    clipped,
    cut_short,
    low_contrast,
    not_reachable_by_tab,
    plain,
    unnamed,
    visible_mnemonics,
)

#: the environment variable that makes this process the one screen under test (set by the parent test)
SCREEN_ENV = "ADOPTION_DIALOG_SCREEN"
#: screen -> QT_SCALE_FACTOR; the high-contrast run is at 100 %
SCREENS = {"100%": "1", "125%": "1.25", "150%": "1.5", "high contrast": "1"}
ROOT = Path(__file__).resolve().parents[2]


def _covered() -> set[str]:
    return {name for entry in DIALOGS for name in entry.covers}


def _dialog_classes() -> dict[str, type]:
    """Every QDialog subclass defined in the package, as ``Class`` or ``feature.Class`` when two share a name."""
    found: dict[str, list[type]] = {}
    for info in pkgutil.walk_packages(adoption_desktop.__path__, "adoption_desktop."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, QDialog) and cls.__module__ == info.name:
                found.setdefault(cls.__name__, []).append(cls)
    named: dict[str, type] = {}
    for name, classes in found.items():
        for cls in classes:
            feature = cls.__module__.split(".")[1]
            named[name if len(classes) == 1 else f"{feature}.{name}"] = cls
    return named


def _key(cls: type, classes: dict[str, type]) -> str:
    return next((k for k, v in classes.items() if v is cls), cls.__name__)


def test_every_dialog_class_is_registered() -> None:
    classes = _dialog_classes()
    assert len(classes) > 20  # the walk found the package's dialogs
    covered = [classes[name] for name in _covered() if name in classes]
    # a base class (panel's FormDialog) is covered by its subclasses' entries
    missing = sorted(name for name, cls in classes.items() if not any(issubclass(c, cls) for c in covered))
    unknown = sorted(n for n in _covered() if n not in classes and n not in ("QProgressDialog",))
    assert unknown == [], f"entries cover classes that do not exist: {unknown}"
    assert missing == [], ("dialogs no entry of tests/ui/dialog_registry.py opens (add an Entry, see its "
                           f"docstring): {missing}")
    for entry in DIALOGS:
        assert set(entry.roles) <= set(ALL_ROLES), entry.name


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_dialog_fits_reads_and_is_reachable(screen: str, tmp_path: Path,
                                                  _small_demo_templates: Callable[[dt.date | None], DemoTemplate]) -> None:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": SCREENS[screen],
           SCREEN_ENV: screen,  # the demo made once here, copied by each screen's process (not filled 4 times)
           **share_templates((DEMO_DAY, _small_demo_templates(DEMO_DAY)))}
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run([sys.executable, "-m", "pytest", f"{Path(__file__).relative_to(ROOT)}::test_dialogs_on_this_screen",
                          "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200, check=False)
    assert run.returncode == 0, f"{screen}:\n{run.stdout[-12000:]}\n{run.stderr[-2000:]}"
    assert "1 passed" in run.stdout, run.stdout[-3000:]


# --- the run on one screen (a child process of the test above) --------------------------------------------


#: the day the demo is made for: the walk picks records by their state (an item not yet forwarded, a sitting
#: with an item someone can be marked absent for), and a demo made for another day may hold none such
DEMO_DAY = dt.date(2026, 12, 3)


@pytest.fixture
def demo_db(small_demo_copy: Callable[..., Path], tmp_path: Path, store: SecretStore) -> Iterator[Database]:
    db = open_database(small_demo_copy(tmp_path / "demo.db", DEMO_DAY), store)
    yield db
    db.dispose()


@pytest.fixture
def palette_kept() -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = QPalette(app.palette())
    yield
    app.setPalette(before)


@pytest.fixture
def taskbar(monkeypatch: pytest.MonkeyPatch) -> QRect:
    """Windows' taskbar at the bottom of the screen: the offscreen screen has none, so the available area
    every Python caller (``ui.fit``, ``ui.geometry``) reads is the screen less :data:`TASKBAR`."""
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    whole = screen.geometry()
    area = QRect(whole.x(), whole.y(), whole.width(), whole.height() - TASKBAR)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(area))
    return area


def _views(dialog: QWidget) -> Iterator[str]:
    yield ""
    for tabs in dialog.findChildren(QTabWidget):
        if not tabs.isVisibleTo(dialog):
            continue
        for i in range(tabs.count()):
            if tabs.isTabVisible(i) and tabs.isTabEnabled(i) and i != tabs.currentIndex():
                before = tabs.currentIndex()
                tabs.setCurrentIndex(i)
                QApplication.processEvents()
                yield f" / {plain(tabs.tabText(i))}"
                tabs.setCurrentIndex(before)


def check_dialog(dialog: QWidget, available: QRect) -> list[str]:
    QApplication.processEvents()
    problems: list[str] = []
    room_w, room_h = available.width() - geometry.FRAME_ALLOWANCE_W, available.height() - geometry.FRAME_ALLOWANCE_H
    if not dialog.windowTitle():
        problems.append("no window title (a screen reader announces the dialog by it)")
    elif not isinstance(dialog, QMessageBox) and dialog.width() < min(window_title_needs(dialog), room_w):
        problems.append(f"title {dialog.windowTitle()!r} cut: {dialog.width()} < {window_title_needs(dialog)}")
    if dialog.width() > room_w or dialog.height() > room_h:
        problems.append(f"opens at {dialog.width()}×{dialog.height()}, larger than the screen's {room_w}×{room_h}")
    minimum = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
    if minimum.width() > room_w or minimum.height() > room_h:
        problems.append(f"cannot be made smaller than {minimum.width()}×{minimum.height()} ({room_w}×{room_h} free)")
    for body in dialog.findChildren(QScrollArea, "fit_scroll_body"):
        sideways = body.horizontalScrollBar()
        if sideways.isVisible() and sideways.maximum() > 0:  # tall forms may scroll down, never sideways
            problems.append(f"scrolls sideways by {sideways.maximum()} px")
    frame = dialog.frameGeometry()
    if not available.contains(QRect(frame.topLeft(), dialog.size())):
        problems.append(f"opens at {frame.x()},{frame.y()}, partly off the screen")
    for view in _views(dialog):
        found = [*clipped(dialog), *cut_short(dialog), *unnamed(dialog), *low_contrast(dialog),
                 *not_reachable_by_tab(dialog),
                 *(f"Alt+{k}: {v}" for k, v in visible_mnemonics(dialog).items())]
        problems += [f"{view.lstrip(' /')}: {p}" if view else p for p in found]
    return problems


def _screenshot(folder: Path, name: str, dialog: QWidget) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    dialog.raise_()
    dialog.activateWindow()
    for _ in range(5):
        QApplication.processEvents()
    screen = QGuiApplication.primaryScreen()
    image = screen.grabWindow(0) if QGuiApplication.platformName() != "offscreen" else dialog.grab()
    slug = "".join(c if c.isalnum() or c in "-%" else "_" for c in name)
    image.save(str(folder / f"{slug}.png"))


@pytest.mark.skipif(SCREEN_ENV not in os.environ, reason="run by test_every_dialog_fits_reads_and_is_reachable")
def test_dialogs_on_this_screen(demo_db: Database, qtbot: Any, palette_kept: None, taskbar: QRect) -> None:
    """Every role in turn on one demo database (built once: it is most of the time this takes)."""
    screen = os.environ[SCREEN_ENV]
    problems: dict[str, list[str]] = {}
    roles = os.environ.get("ADOPTION_DIALOG_ROLES", "").split(",") if os.environ.get("ADOPTION_DIALOG_ROLES") \
        else ALL_ROLES  # ADOPTION_DIALOG_ROLES=adm,chair: a quicker run while working on some dialogs
    for username in roles:
        for name, found in _dialogs_of(demo_db, username, screen, taskbar, qtbot).items():
            problems[f"{username}: {name}"] = found
    assert problems == {}, f"{screen}:\n" + "\n".join(f"{k}: {v}" for k, v in problems.items())


def _dialogs_of(db: Database, username: str, screen: str, available: QRect, qtbot: Any) -> dict[str, list[str]]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    if screen == "high contrast":
        app.setPalette(high_contrast_palette())
    window = MainWindow(AppContext(db, authenticate(db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    if screen == "high contrast":
        app.setPalette(high_contrast_palette())  # the start-up hint fix on top: still black and white
    window.setGeometry(geometry.default_rect(available))
    window.show()
    QApplication.processEvents()
    classes = _dialog_classes()
    problems: dict[str, list[str]] = {}
    opened = 0
    for entry in DIALOGS:
        if username not in entry.roles:
            continue
        try:
            shown = open_entry(entry, window)
        except Exception as exc:  # every entry is reported, not only the first
            problems[entry.name] = [f"could not be opened: {exc.__class__.__name__}: {exc}"]
            continue
        if not shown:
            problems[entry.name] = ["no dialog was shown"]
            continue
        if entry.covers and not any(_key(type(d), classes) in entry.covers or type(d).__name__ in entry.covers
                                    for d in shown):
            problems.setdefault(entry.name, []).append(f"showed {[type(d).__name__ for d in shown]}, "
                                                       f"not {entry.covers}")
        opened += 1
        for dialog in reversed(shown):  # the last opened is on top
            found = check_dialog(dialog, available)
            if found:
                problems.setdefault(entry.name, []).extend(found)
        if os.environ.get("ADOPTION_DIALOG_SHOTS"):  # what a user sees (xvfb-run: the whole screen)
            _screenshot(Path(os.environ["ADOPTION_DIALOG_SHOTS"]), f"{screen}-{username}-{entry.name}", shown[-1])
        with capturing():  # a "discard your changes?" question is answered, never waited for
            for dialog in reversed(shown):
                if isinstance(dialog, QDialog):
                    dialog.reject()
                dialog.close()
        QApplication.processEvents()
    with capturing():
        window.close()
    if not opened:
        problems["(none)"] = [f"no dialog was opened for {username}"]
    return problems
