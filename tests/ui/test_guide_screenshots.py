"""The guide's pictures are made here, from the program itself, so they never go stale.

Each picture in ``resources/guide/images/`` is listed in :data:`SHOTS` with the role, page and tabs it shows
(or the window it opens). This test signs in as that demo user (demo database, offscreen, the window at
1366×768), shows that page and grabs it, and takes the page's **fingerprint**: its tab titles, column
titles, button and check-box texts and search hints, in order — what the page *is*, not the demo data it
happens to show. Then, for each picture:

* no committed picture, one of another size, a fingerprint that differs from the one recorded with the
  picture (``tests/ui/guide_shots.json``: a button added or renamed, a new column, a tab gone), or more
  than :data:`CHANGED` of its pixels different (a new look) → the fresh picture is written in its place,
  the fingerprint recorded, and the test **fails**, naming the pictures and what changed, so they are
  looked at and committed;
* a page or tab that no longer exists fails the test as well (it cannot be shown);
* otherwise (the demo's dates and names move with today: up to ~10 % of a picture's pixels from one day
  to the next) the committed picture is left alone, so a test run does not rewrite twenty files daily.

``ADOPTION_GUIDE_SHOTS=write`` rewrites every picture and fingerprint (after a change you want shown at
once). ``tests/ui/test_guide.py`` checks that every picture the guide shows is listed here and exists.
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
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QHeaderView,
    QLineEdit,
    QTabBar,
    QTabWidget,
    QWidget,
)

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
#: share of pixels that may differ (the demo's data moves with today) before a picture counts as stale
CHANGED = 0.25
FINGERPRINTS = Path(__file__).with_name("guide_shots.json")


def _open_case(window: MainWindow) -> QWidget:
    page: Any = window.page("counselling")
    page.table.selectRow(0)
    dialog = page.open_selected()
    assert dialog is not None
    dialog.show()
    return dialog


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


def _adm_match(window: MainWindow) -> None:
    """The demo's match decision selected: which decision comes first in the queue moves with today's date
    (working days against the demo's calendar days), and a match shows the Children… button."""
    page: Any = window.page("adm")
    match = next(r.id for r in page.model.rows() if r.decision_type == "match")
    assert page.select_decision(match)


def _adm_decision(window: MainWindow) -> None:
    _adm_match(window)
    show_tab(window.page("adm"), "Decision")


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
    "panel-adopters.png": Shot("paneladmin", "panel", ("Adopters' journey",)),
    "adm-queue.png": Shot("adm", "adm", prepare=_adm_match),
    "adm-decision.png": Shot("adm", "adm", prepare=_adm_decision),
    "letterbox-work-list.png": Shot("letterbox", "letterbox", ("Work list",)),
    "letterbox-arrangements.png": Shot("letterbox", "letterbox", ("Arrangements",)),
    "letterbox-items.png": Shot("letterbox", "letterbox", ("Items",)),
    "letterbox-support.png": Shot("letterbox", "letterbox", ("Birth-parent support",)),
    "counselling.png": Shot("counsellor", "counselling"),
    "counselling-case.png": Shot("counsellor", "counselling", window=_open_case),
    "reports.png": Shot("manager", "reports"),
    "admin-users.png": Shot("admin", "admin", ("Users",)),
    "admin-access-review.png": Shot("admin", "admin", ("Access review (Q)",)),
    "admin-settings.png": Shot("admin", "admin", ("Settings",)),
    "admin-profile.png": Shot("admin", "admin", ("Agency profile",)),
    "admin-audit.png": Shot("admin", "admin", ("Audit log",)),
    "search.png": Shot("letterbox", "my_work", window=_search),
}


def png_bytes(image: QImage) -> bytes:
    """The picture as a small PNG (256 colours, like the docs' screenshots)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")  # type: ignore[call-overload]
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


def fingerprint(target: QWidget) -> list[str]:
    """What the page is made of, without the data it shows: tabs, columns, buttons, check boxes, hints."""
    out: list[str] = []
    for w in target.findChildren(QWidget):
        if not w.isVisibleTo(target):
            continue
        if isinstance(w, QTabBar):
            out += [f"tab: {plain_tab(w.tabText(i))}" for i in range(w.count()) if w.isTabVisible(i)]
        elif isinstance(w, QHeaderView) and w.orientation() == Qt.Orientation.Horizontal and w.model() is not None:
            model = w.model()
            out += [f"column: {model.headerData(i, Qt.Orientation.Horizontal)}" for i in range(w.count())
                    if not w.isSectionHidden(i)]
        elif isinstance(w, QAbstractButton) and w.text():
            out.append(f"{'check' if w.isCheckable() else 'button'}: {plain_tab(w.text())}")
        elif isinstance(w, QLineEdit) and w.placeholderText():
            out.append(f"hint: {w.placeholderText()}")
    return out


def grab(db: Database, qtbot: Any, name: str, shot: Shot) -> tuple[QImage, list[str]]:
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
        window.db_label.set_path("agency.db")  # not the test's temporary folder
        QApplication.processEvents()
        target: QWidget = window
        if shot.window is not None:
            target = shot.window(window)
            QApplication.processEvents()
        image = target.grab().toImage()
        if target is window:
            assert (image.width(), image.height()) == SIZE
        return image, fingerprint(target)
    finally:
        for w in QApplication.topLevelWidgets():
            if w is not window and w.isVisible() and w.window() is w and w.parentWidget() is not None:
                w.close()
        window.close()


@pytest.fixture(scope="module")
def shots_dir() -> Path:
    IMAGES.mkdir(parents=True, exist_ok=True)
    return IMAGES


def test_the_guide_pictures_show_the_program_as_it_is(small_demo_db: Database, qtbot: Any, shots_dir: Path) -> None:
    import json

    db = small_demo_db  # the small demo dated today, made once per run (conftest): 10-15 s not spent filling it
    force = os.environ.get("ADOPTION_GUIDE_SHOTS") == "write"
    known: dict[str, list[str]] = json.loads(FINGERPRINTS.read_text(encoding="utf-8")) if FINGERPRINTS.exists() else {}
    recorded = {name: known[name] for name in SHOTS if name in known}
    stale: list[str] = []
    for name, shot in SHOTS.items():
        image, parts = grab(db, qtbot, name, shot)
        fresh = png_bytes(image)
        path = shots_dir / name
        old = path.read_bytes() if path.exists() else None
        why = stale_because(old, fresh, recorded.get(name), parts)
        if force or why:
            path.write_bytes(fresh)
            recorded[name] = parts
            if why and not force:
                stale.append(f"{name} ({why})")
    if recorded != known:
        FINGERPRINTS.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert not stale, ("The guide's pictures were out of date and have been redrawn in resources/guide/images; "
                       "look at them and commit them with tests/ui/guide_shots.json: " + "; ".join(stale))


def stale_because(old: bytes | None, fresh: bytes, recorded: list[str] | None, parts: list[str]) -> str:
    """Why the committed picture no longer shows the page ("" when it still does)."""
    if old is None:
        return "new"
    if recorded is None:
        return "no fingerprint recorded"
    if recorded != parts:
        gone = [p for p in recorded if p not in parts]
        added = [p for p in parts if p not in recorded]
        return "the page changed: " + ", ".join([*(f"+{p}" for p in added), *(f"-{p}" for p in gone)] or ["order"])
    share = changed_share(old, fresh)
    return f"{share:.0%} of it looks different" if share > CHANGED else ""


def test_a_changed_page_makes_its_picture_stale() -> None:
    black = QImage(40, 20, QImage.Format.Format_RGB32)
    black.fill(0x000000)  # a new QImage holds whatever memory held: it was once white enough to match `other`
    picture = png_bytes(black)
    assert stale_because(None, picture, None, []) == "new"
    assert stale_because(picture, picture, ["button: Save"], ["button: Save"]) == ""
    assert "+column: Due" in stale_because(picture, picture, ["button: Save"], ["button: Save", "column: Due"])
    assert "-tab: Items" in stale_because(picture, picture, ["tab: Items"], [])
    other = QImage(40, 20, QImage.Format.Format_RGB32)
    other.fill(0xFFFFFF)
    assert "looks different" in stale_because(picture, png_bytes(other), [], [])


def test_a_picture_of_a_page_that_is_gone_fails(small_demo_db: Database, qtbot: Any) -> None:
    db = small_demo_db  # a copy of the same demo the picture test grabs (its users and pages)
    with pytest.raises(AssertionError, match="no tab"):  # (the picture test then fails the same way)
        grab(db, qtbot, "x.png", Shot("letterbox", "letterbox", ("A tab that does not exist",)))
    with pytest.raises(AssertionError, match="no page"):
        grab(db, qtbot, "x.png", Shot("counsellor", "letterbox"))
