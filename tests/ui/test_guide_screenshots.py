"""The guide's pictures are made here, from the program itself, so they never go stale.

Each picture in ``resources/guide/images/`` is listed in :data:`SHOTS` with the role, page and tabs it shows
(or the window it opens). This test signs in as that demo user (demo database, offscreen, the window at
1366×768), shows that page and grabs it. Then, for each picture:

* no committed picture, or one of another size, or one that differs from the fresh grab in more than
  :data:`CHANGED` of its pixels (a moved button, a new column, a new look) → the fresh grab is written in
  its place and the test **fails**, naming the pictures to commit;
* a page or tab that no longer exists fails the test as well (it cannot be shown);
* small differences (the demo's dates move with today) leave the committed picture alone, so a test run
  does not rewrite twenty files every day.

``ADOPTION_GUIDE_SHOTS=write`` rewrites every picture (after a change you want to show at once).
``tests/ui/test_guide.py`` checks that every picture the guide shows is listed here and exists.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from adoption_desktop import demo
from adoption_desktop.core.resources import resource_path
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.guide.topics import plain_tab
from adoption_desktop.ui.guide.tour import show_tab
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner

IMAGES = resource_path("guide", "images")
SIZE = (1366, 768)
#: share of pixels that may differ before a committed picture counts as stale
CHANGED = 0.06


def _open_case(window: MainWindow) -> QWidget:
    page: Any = window.page("counselling")
    page.table.selectRow(0)
    dialog = page.open_selected()
    assert dialog is not None
    dialog.show()
    return dialog  # type: ignore[no-any-return]


def _search(window: MainWindow) -> QWidget:
    assert window.search_everywhere is not None
    dialog = window.search_everywhere.open()
    assert dialog is not None
    dialog.box.setText("LB-0001")
    dialog.run_search(dialog.box.text())
    QApplication.processEvents()
    return dialog


def _busier_sitting(window: MainWindow) -> None:
    """A held sitting with a full agenda (the first row is the next sitting, often with one item)."""
    page: Any = window.page("panel")
    model = page.sittings_view.model()
    best = max(range(model.rowCount()), key=lambda r: int(model.index(r, 3).data() or 0))
    page.sittings_view.selectRow(best)


def _adm_decision(window: MainWindow) -> None:
    page: Any = window.page("adm")
    show_tab(page, "Decision")


@dataclass(frozen=True)
class Shot:
    role: str
    key: str
    tabs: tuple[str, ...] = ()
    window: Callable[[MainWindow], QWidget] | None = None  # a window opened from the page, grabbed instead
    prepare: Callable[[MainWindow], None] | None = field(default=None)


SHOTS: dict[str, Shot] = {
    "my-work-paneladmin.png": Shot("paneladmin", "my_work"),
    "my-work-manager.png": Shot("manager", "my_work"),
    "panel-sittings.png": Shot("paneladmin", "panel", ("Sittings",)),
    "panel-agenda.png": Shot("paneladmin", "panel", ("Sittings", "Agenda"), prepare=_busier_sitting),
    "panel-attendance.png": Shot("paneladmin", "panel", ("Sittings", "Attendance")),
    "panel-minutes.png": Shot("paneladmin", "panel", ("Sittings", "Minutes")),
    "panel-central-list.png": Shot("paneladmin", "panel", ("Central list",)),
    "adm-queue.png": Shot("adm", "adm"),
    "adm-decision.png": Shot("adm", "adm", prepare=_adm_decision),
    "letterbox-work-list.png": Shot("letterbox", "letterbox", ("Work list",)),
    "letterbox-arrangements.png": Shot("letterbox", "letterbox", ("Arrangements",)),
    "letterbox-items.png": Shot("letterbox", "letterbox", ("Items",)),
    "counselling.png": Shot("counsellor", "counselling"),
    "counselling-case.png": Shot("counsellor", "counselling", window=_open_case),
    "reports.png": Shot("manager", "reports"),
    "admin-users.png": Shot("admin", "admin", ("Users",)),
    "admin-settings.png": Shot("admin", "admin", ("Settings",)),
    "admin-profile.png": Shot("admin", "admin", ("Agency profile",)),
    "admin-audit.png": Shot("admin", "admin", ("Audit log",)),
    "search.png": Shot("letterbox", "my_work", window=_search),
}


def png_bytes(image: QImage) -> bytes:
    """The picture as a small PNG (256 colours, like the docs' screenshots)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    with Image.open(io.BytesIO(bytes(buffer.data().data()))) as shot:
        out = io.BytesIO()
        shot.convert("RGB").quantize(256).save(out, "PNG", optimize=True)
    return out.getvalue()


def changed_share(old: bytes, new: bytes) -> float:
    """The share of pixels that differ visibly between two pictures (1.0 if their sizes differ)."""
    with Image.open(io.BytesIO(old)) as a, Image.open(io.BytesIO(new)) as b:
        if a.size != b.size:
            return 1.0
        diff = ImageChops.difference(a.convert("L"), b.convert("L")).point(lambda v: 255 if v > 40 else 0)
        return float(diff.histogram()[255]) / (a.size[0] * a.size[1])


def grab(db: Database, qtbot: Any, name: str, shot: Shot) -> QImage:
    window = MainWindow(AppContext(db, authenticate(db, shot.role, demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.setGeometry(0, 0, *SIZE)
    window.show()
    try:
        page = window.open_target(shot.key)
        assert page is not None, f"{name}: the {shot.role} user has no page {shot.key!r}"
        for _ in range(3):
            QApplication.processEvents()
        for tab in shot.tabs:
            found = [t for t in ([page] if isinstance(page, QTabWidget) else []) + page.findChildren(QTabWidget)
                     if any(plain_tab(t.tabText(i)) == tab for i in range(t.count()))]
            assert found, f"{name}: the page {shot.key!r} has no tab {tab!r} any more"
            show_tab(page, tab)
            QApplication.processEvents()
        if shot.prepare is not None:
            shot.prepare(window)
        window.db_label.setText("Database: agency.db")  # not the test's temporary folder
        QApplication.processEvents()
        target: QWidget = window
        if shot.window is not None:
            target = shot.window(window)
            QApplication.processEvents()
        image = target.grab().toImage()
        if target is window:
            assert (image.width(), image.height()) == SIZE
        return image
    finally:
        for w in QApplication.topLevelWidgets():
            if w is not window and w.isVisible() and w.window() is w and w.parentWidget() is not None:
                w.close()
        window.close()


@pytest.fixture(scope="module")
def shots_dir() -> Path:
    IMAGES.mkdir(parents=True, exist_ok=True)
    return IMAGES


def test_the_guide_pictures_show_the_program_as_it_is(db: Database, qtbot: Any, shots_dir: Path) -> None:
    import datetime as dt

    demo.populate(db, "small", today=dt.date.today())
    force = os.environ.get("ADOPTION_GUIDE_SHOTS") == "write"
    stale: list[str] = []
    for name, shot in SHOTS.items():
        fresh = png_bytes(grab(db, qtbot, name, shot))
        path = shots_dir / name
        old = path.read_bytes() if path.exists() else None
        if old == fresh:
            continue
        share = 1.0 if old is None else changed_share(old, fresh)
        if force or share > CHANGED:
            path.write_bytes(fresh)
            if not force:
                stale.append(f"{name} ({'new' if old is None else f'{share:.0%} of it changed'})")
    assert not stale, ("The guide's pictures were out of date and have been redrawn in resources/guide/images; "
                       "look at them and commit them: " + ", ".join(stale))


def test_a_picture_of_a_page_that_is_gone_fails(db: Database, qtbot: Any) -> None:
    demo.populate(db, "small")
    with pytest.raises(AssertionError, match="no tab"):
        grab(db, qtbot, "x.png", Shot("letterbox", "letterbox", ("A tab that does not exist",)))
    with pytest.raises(AssertionError, match="no page"):
        grab(db, qtbot, "x.png", Shot("counsellor", "letterbox"))
