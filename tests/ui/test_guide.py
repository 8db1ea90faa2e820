"""The user guide inside the application: its pages, links and pictures, the guide window, F1 for where
you are (every page, every tab, dialogs), the keyboard shortcuts page, and the first-day tour per role."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QTabWidget, QWidget

import adoption_desktop
from adoption_desktop import demo
from adoption_desktop.core.config import LocalConfig, app_paths
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.guide import GuideHelp, offer_first_day_tour
from adoption_desktop.ui.guide.content import all_pages, guide_dir, load, search
from adoption_desktop.ui.guide.shortcuts import AREA_KEYS, AREA_PAGES, key_text, menu_rows
from adoption_desktop.ui.guide.topics import DIALOG_TOPICS, PAGE_TOPICS, TOPICS, dialog_topic, plain_tab
from adoption_desktop.ui.guide.tour import CONFIG_KEY, TourDialog, steps_for
from adoption_desktop.ui.guide.window import GuideWindow
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.navigation import NAV_TARGETS
from adoption_desktop.ui.tasks import TaskRunner
from tests.ui.test_guide_screenshots import SHOTS

ROLES = ["admin", "paneladmin", "chair", "adm", "letterbox", "counsellor", "manager"]


@pytest.fixture
def demo_db(small_demo_db: Database) -> Database:
    return small_demo_db  # the small demo, made once per run (conftest)


def _window(db: Database, username: str, qtbot: Any) -> MainWindow:
    window = MainWindow(AppContext(db, authenticate(db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.setGeometry(0, 0, 1366, 728)
    window.show()
    return window


def _activate(w: Any, qtbot: Any) -> None:
    """Make ``w`` the active window (mnemonics go to the active window) and wait until it is: another
    window left from an earlier step may hold the activation on a loaded machine."""
    def active() -> bool:
        if not w.isActiveWindow():
            w.raise_()
            w.activateWindow()
        return bool(w.isActiveWindow())

    qtbot.waitUntil(active, timeout=30000)


def _help(window: MainWindow) -> GuideHelp:
    help_ = window.guide_help  # type: ignore[attr-defined]
    assert isinstance(help_, GuideHelp)
    return help_


def _press_f1(qtbot: Any, widget: QWidget) -> None:
    widget.setFocus()
    QApplication.processEvents()
    qtbot.keyClick(widget, Qt.Key.Key_F1)


# --- the pages, their links and pictures ---------------------------------------------------------------
def test_every_topic_is_a_page_and_every_page_a_topic() -> None:
    files = {p.name for p in guide_dir().glob("*.html")}
    assert files == {t.file for t in TOPICS}
    for page in all_pages():
        assert page.text.startswith(page.title.split(" (")[0].split(":")[0]), page.file  # the heading is the title
        assert len(page.text) > 400, f"{page.file} says too little"


def test_every_link_and_anchor_resolves_and_every_picture_exists() -> None:
    problems: list[str] = []
    shown: set[str] = set()
    for page in all_pages():
        for href in page.links:
            assert not href.startswith(("http:", "https:", "//")), f"{page.file}: the guide is offline: {href}"
            file, _, anchor = href.partition("#")
            if file.endswith(".png"):  # a picture shown at full size
                if not (guide_dir() / file).is_file():
                    problems.append(f"{page.file}: link to a missing picture {href}")
                continue
            target = load(file or page.file) if (guide_dir() / (file or page.file)).exists() else None
            if target is None:
                problems.append(f"{page.file}: link to a missing page {href}")
            elif anchor and anchor not in target.anchors:
                problems.append(f"{page.file}: link to a missing anchor {href}")
        for src in page.images:
            shown.add(src.removeprefix("images/"))
            if not (guide_dir() / src).is_file():
                problems.append(f"{page.file}: missing picture {src}")
    topics = [*PAGE_TOPICS.values(), *DIALOG_TOPICS.values(), *(s.topic for r in ROLES for s in _all_steps())]
    for topic in topics:
        file, _, anchor = topic.partition("#")
        if not (guide_dir() / file).exists():
            problems.append(f"topic {topic}: no such page")
        elif anchor and anchor not in load(file).anchors:
            problems.append(f"topic {topic}: no such anchor")
    assert problems == []
    # every picture the guide shows is made by the screenshot test, and every one it makes is shown
    assert shown == set(SHOTS)


def _all_steps() -> list[Any]:
    from adoption_desktop.core.security.permissions import Principal, Role

    everyone = Principal(1, "x", "X", frozenset(Role))
    return steps_for(everyone, [t.key for t in NAV_TARGETS])


def test_a_missing_picture_or_link_is_found(tmp_path: Any) -> None:
    from adoption_desktop.ui.guide.content import parse

    page = parse("x.html", '<h1 id="top">X</h1><a href="nowhere.html#x">x</a><img src="images/none.png">')
    assert page.links == ("nowhere.html#x",) and page.images == ("images/none.png",) and "top" in page.anchors
    assert not (guide_dir() / "nowhere.html").exists() and not (guide_dir() / "images/none.png").exists()


def test_every_dialog_of_the_program_has_a_topic() -> None:
    missing: list[str] = []
    for info in pkgutil.walk_packages(adoption_desktop.__path__, "adoption_desktop."):
        if ".views" not in info.name and not info.name.startswith("adoption_desktop.ui"):
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, (QDialog, GuideWindow)):
                continue
            names = [f"{k.__module__}.{k.__qualname__}" for k in cls.__mro__]
            if dialog_topic(names) is None:
                missing.append(f"{cls.__module__}.{cls.__qualname__}")
    assert missing == []


def test_search_finds_pages_holding_every_word() -> None:
    hits = search("quorum independent")
    assert hits and hits[0].file in ("panel-attendance.html", "panel-central-list.html")
    assert all("quorum" in load(h.file).text.lower() for h in hits)
    assert search("protected terms")[0].file.startswith("letterbox")
    assert search("zzzz-no-such-word") == []


# --- the guide window --------------------------------------------------------------------------------
def test_the_guide_window_contents_search_back_forward_and_keyboard(demo_db: Database, qtbot: Any) -> None:
    window = _window(demo_db, "letterbox", qtbot)
    help_menu = window.menuBar().actions()[-1].menu()
    names = [a.objectName() for a in help_menu.actions()]
    assert names[:2] == ["user_guide", "first_day_tour"]
    guide_action = help_menu.actions()[0]
    assert guide_action.shortcut().toString() == "F1"
    guide_action.trigger()
    guide = _help(window).guide
    assert guide is not None and guide.isVisible()
    assert guide.current_topic == "my-work.html"  # where the user was
    titles = [guide.contents.topLevelItem(i).child(j).text(0) for i in range(guide.contents.topLevelItemCount())
              for j in range(guide.contents.topLevelItem(i).childCount())]
    assert titles == [t.title for t in TOPICS]
    # search: type, Enter opens the first result with the word selected
    qtbot.keyClicks(guide.search_box, "second check")
    assert guide.side.currentWidget() is guide.results and guide.results.count() > 0
    qtbot.keyClick(guide.search_box, Qt.Key.Key_Return)
    assert guide.current_topic.startswith("letterbox") and guide.browser.textCursor().selectedText().lower() == "second"
    first = guide.current_topic
    # a link, then back and forward (Alt+Left / Alt+Right)
    guide.open_topic("conflicts.html")
    assert guide.back_button.isEnabled()
    qtbot.keyClick(guide.browser, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert guide.current_topic == first
    qtbot.keyClick(guide.browser, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert guide.current_topic == "conflicts.html"
    guide.search_box.clear()
    assert guide.side.currentWidget() is guide.contents
    # every control has a name a screen reader can say
    from adoption_desktop.ui.accessibility import INTERACTIVE, accessible_name

    unnamed = [w.objectName() or type(w).__name__ for w in guide.findChildren(QWidget)
               if isinstance(w, INTERACTIVE) and w.isVisible() and not accessible_name(w)]
    assert unnamed == []
    # a picture is drawn (the page's images are found offline)
    guide.open_topic("letterbox-work-list.html")
    assert "images/letterbox-work-list.png" in guide.browser.toHtml()
    guide.browser.setSource(QUrl("images/letterbox-work-list.png"))  # its link: the picture at full size
    assert guide.browser.document().size().width() >= 1366
    guide.browser.backward()
    assert guide.current_topic == "letterbox-work-list.html"
    guide.activateWindow()
    _activate(guide, qtbot)
    qtbot.keyClick(guide.browser, Qt.Key.Key_Escape)
    assert not guide.isVisible()


def test_the_shortcuts_page_lists_the_real_menu_keys(demo_db: Database, qtbot: Any) -> None:
    window = _window(demo_db, "admin", qtbot)
    guide = _help(window).open("shortcuts.html")
    text = guide.browser.toPlainText()
    menu_keys = {key_text(a.shortcut()) for a in window.findChildren(QAction) if not a.shortcut().isEmpty()}
    assert {"Ctrl+K", "Ctrl+L", "Ctrl+0", "Ctrl+6", "F1"} <= menu_keys
    for keys in menu_keys:
        assert keys in text, keys
    assert ("Go → Search everywhere", "Ctrl+K") in menu_rows(window)
    assert "generated:" not in guide.browser.toHtml()  # both tables were filled in


def test_each_areas_keys_in_the_guide_are_the_keys_the_page_has(demo_db: Database, qtbot: Any) -> None:
    for username in ("admin", "paneladmin"):
        _area_keys(demo_db, username, qtbot)


def _area_keys(demo_db: Database, username: str, qtbot: Any) -> None:
    window = _window(demo_db, username, qtbot)
    for area, key in AREA_PAGES.items():
        page = window.open_target(key)
        if page is None:
            continue
        QApplication.processEvents()
        real = ({key_text(s.key()) for s in page.findChildren(QShortcut)}
                | {key_text(a.shortcut()) for a in page.findChildren(QAction) if not a.shortcut().isEmpty()}
                | {key_text(b.shortcut()) for b in page.findChildren(QAbstractButton)
                   if not b.shortcut().isEmpty() and not key_text(b.shortcut()).startswith("Alt+")})
        listed = {k for k, _ in AREA_KEYS[area]}
        assert real - listed == set(), f"{area}: keys the guide does not list"
        # a page's key that is also a menu key is ambiguous: Qt then runs neither (Ctrl+L once did that)
        window_keys = {keys for _, keys in menu_rows(window)} - {"F1"}
        assert real & window_keys == set(), f"{area}: keys the menus already use"
        # keys for administrators only (Who has seen this…, audit.view): the administrator has them
        admins_only = {k for k, what in AREA_KEYS[area] if "(administrators)" in what}
        if username == "admin":
            assert admins_only <= real, f"{area}: administrators' keys the page does not have"
        if username == "paneladmin" or area != "Panel":  # the panel administrator has every other panel key
            missing = listed - real - {"Esc"} - (admins_only if username != "admin" else set())
            assert missing == set() or page.objectName() == "counselling_counts_page", \
                f"{area}: keys the guide lists that the page does not have"


# --- F1 for where you are ----------------------------------------------------------------------------
def _tab_widgets(page: QWidget) -> list[QTabWidget]:
    return [t for t in ([page] if isinstance(page, QTabWidget) else []) + page.findChildren(QTabWidget)
            if t.isVisibleTo(page.window())]


def test_f1_on_every_page_and_tab_opens_a_topic_that_names_it(demo_db: Database, qtbot: Any) -> None:
    for username in ("admin", "paneladmin", "manager", "counsellor"):  # every page and tab there is
        _f1_walk(demo_db, username, qtbot)


def _f1_walk(demo_db: Database, username: str, qtbot: Any) -> None:
    window = _window(demo_db, username, qtbot)
    checked: list[str] = []
    for target in window.targets:
        page = window.open_target(target.key)
        assert page is not None
        QApplication.processEvents()
        _press_f1(qtbot, window.nav)  # the focus on the list of areas: the page's own topic
        guide = _help(window).guide
        assert guide is not None and guide.isVisible()
        topic = guide.current_topic
        file, _, anchor = topic.partition("#")
        words = target.title.split()[0].lower()  # "ADM decisions" → "adm"
        assert words in load(file).text.lower(), f"{target.key}: F1 opened {topic}"
        checked.append(f"{target.key} → {topic}")
        for tabs in _tab_widgets(page):
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                QApplication.processEvents()
                _press_f1(qtbot, tabs.tabBar())
                topic = guide.current_topic
                file, _, anchor = topic.partition("#")
                title = plain_tab(tabs.tabText(i))
                assert file != "index.html", f"{target.key} / {title}: no topic"
                assert title.lower() in load(file).text.lower(), f"{target.key} / {title}: F1 opened {topic}"
                if anchor:
                    assert anchor in load(file).anchors
                checked.append(f"{target.key} / {title} → {topic}")
            tabs.setCurrentIndex(0)
    assert len(checked) >= len(window.targets)
    if username == "admin":  # every tab of every page (admin sees them all)
        assert any(c.startswith("panel / Minutes → panel-minutes.html") for c in checked)
        assert any(c.startswith("admin / Audit log → admin-audit.html") for c in checked)
        assert any(c.startswith("adm / Qualifying determination → adm-qd.html") for c in checked)
        assert any(c.startswith("letterbox / Items → letterbox-items.html") for c in checked)
    if username == "manager":
        assert "counselling → counselling.html#counts" in checked
    window.close()


def test_f1_in_the_minutes_editor_follows_the_focus(demo_db: Database, qtbot: Any) -> None:
    window = _window(demo_db, "paneladmin", qtbot)
    page: Any = window.open_target("panel")
    page.detail_tabs.setCurrentWidget(page.minutes)
    QApplication.processEvents()
    field = next(w for w in page.minutes.findChildren(QWidget) if w.focusPolicy() != Qt.FocusPolicy.NoFocus
                 and w.isVisible() and not isinstance(w, QAbstractButton))
    _press_f1(qtbot, field)
    assert _help(window).guide is not None and _help(window).guide.current_topic == "panel-minutes.html"
    _press_f1(qtbot, page.sittings_view)  # the sittings list: the sittings topic
    assert _help(window).guide.current_topic == "panel-sittings.html"


def test_f1_in_a_dialog_opens_the_dialogs_own_topic(demo_db: Database, qtbot: Any) -> None:
    window = _window(demo_db, "counsellor", qtbot)
    page: Any = window.open_target("counselling")
    page.table.selectRow(0)
    dialog = page.open_selected()
    assert dialog is not None
    dialog.hide()
    dialog.setModal(True)  # as with exec(): every other window is blocked
    dialog.show()
    QApplication.processEvents()
    assert QApplication.activeModalWidget() is dialog or dialog.isModal()
    dialog.tabs.setCurrentIndex(1)
    _press_f1(qtbot, dialog.tabs.tabBar())
    opened = [w for w in dialog.findChildren(GuideWindow)]
    assert opened, "a guide over a modal dialog belongs to the dialog (not blocked by it)"
    assert opened[-1].current_topic == "counselling-case.html#requests"
    assert "Requests" in load("counselling-case.html").text
    _press_f1(qtbot, opened[-1].browser)  # F1 in that guide: its own page on using the guide, in the same window
    assert [w for w in dialog.findChildren(GuideWindow)] == opened
    assert opened[-1].current_topic == "using-the-guide.html"
    opened[-1].close()
    dialog.tabs.setCurrentIndex(5)
    _press_f1(qtbot, dialog.tabs.tabBar())
    assert [w for w in dialog.findChildren(GuideWindow)][-1].current_topic == "counselling-case.html#closure"
    dialog.close()


def test_f1_does_nothing_while_locked(demo_db: Database, qtbot: Any) -> None:
    window = _window(demo_db, "chair", qtbot)
    window.lock()
    _press_f1(qtbot, window.lock_screen.password)  # type: ignore[union-attr]
    assert _help(window).guide is None


def test_the_guide_is_not_loaded_before_the_first_paint() -> None:
    code = ("import sys; import adoption_desktop.ui.main_window as m; "
            "print(any(n.startswith('adoption_desktop.ui.guide') for n in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.stdout.strip() == "False"


# --- the first-day tour ------------------------------------------------------------------------------
EXPECTED_AREAS = {
    "admin": ["my_work", "counselling", "reports", "admin"],
    "paneladmin": ["my_work", "panel", "adm", "counselling", "reports"],
    "chair": ["my_work", "panel"],
    "adm": ["my_work", "adm", "counselling", "reports"],
    "letterbox": ["my_work", "letterbox"],
    "counsellor": ["my_work", "counselling"],
    "manager": ["my_work", "counselling", "reports"],
}


def test_the_first_day_tour_per_role(demo_db: Database, qtbot: Any) -> None:
    assert CONFIG_KEY not in LocalConfig(app_paths().settings_file).values
    for username in ROLES:
        _tour(demo_db, username, qtbot)
    seen = LocalConfig(app_paths().settings_file).get(CONFIG_KEY)
    assert [s.split("@")[0] for s in seen] == ROLES  # remembered per person (and database)


def _tour(demo_db: Database, username: str, qtbot: Any) -> None:
    window = _window(demo_db, username, qtbot)
    offer_first_day_tour(window)  # the first sign-in
    tour = _help(window).tour
    assert isinstance(tour, TourDialog) and tour.isVisible() and not tour.isModal()
    keys = [s.key for s in tour.steps if s.key is not None]
    assert keys[0] == "my_work"  # My work first
    assert sorted(set(keys), key=keys.index) == EXPECTED_AREAS[username]
    assert tour.steps[-1].topic == "first-day.html"
    # keyboard: Alt+N forward through every step, each showing its page; Alt+B back
    for n, step in enumerate(tour.steps):
        assert tour.counter.text() == f"Step {n + 1} of {len(tour.steps)}"
        if step.key is not None:
            assert window.targets[window.nav.currentRow()].key == step.key
        if n + 1 < len(tour.steps):  # a mnemonic "animates" the click: it lands a moment later
            _activate(tour, qtbot)
            qtbot.keyClick(tour.next_button, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
            qtbot.waitUntil(lambda n=n: tour.index == n + 1, timeout=30000)
    assert tour.next_button.text() == "&Finish"
    _activate(tour, qtbot)
    qtbot.keyClick(tour.next_button, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: tour.index == len(tour.steps) - 2, timeout=30000)
    _activate(tour, qtbot)
    qtbot.keyClick(tour.next_button, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _help(window).guide is not None)  # the step's guide page
    assert _help(window).guide.current_topic == tour.step.topic
    tour.activateWindow()
    _activate(tour, qtbot)
    qtbot.keyClick(tour.next_button, Qt.Key.Key_Escape)
    assert not tour.isVisible()
    # remembered: the next sign-in does not start it again; Help → First-day tour does
    offer_first_day_tour(window)
    assert _help(window).tour is tour and not tour.isVisible()
    help_menu = window.menuBar().actions()[-1].menu()
    next(a for a in help_menu.actions() if a.objectName() == "first_day_tour").trigger()
    again = _help(window).tour
    assert again is not tour and again is not None and again.isVisible() and again.index == 0
    again.close()
    window.close()


def test_the_tour_comes_once_per_person(demo_db: Database, qtbot: Any) -> None:
    first = _window(demo_db, "letterbox", qtbot)
    offer_first_day_tour(first)
    assert _help(first).tour is not None
    _help(first).tour.close()  # type: ignore[union-attr]
    other = _window(demo_db, "counsellor", qtbot)
    offer_first_day_tour(other)  # someone else on the same PC: their own first time
    assert _help(other).tour is not None and _help(other).tour.isVisible()  # type: ignore[union-attr]
    _help(other).tour.close()  # type: ignore[union-attr]
    again = _window(demo_db, "letterbox", qtbot)
    offer_first_day_tour(again)
    assert _help(again).tour is None


def test_enter_opens_a_letterbox_register_row_as_the_guide_says(demo_db: Database, qtbot: Any) -> None:
    """letterbox-items.html: "Double-click an item, or select it and press Enter, to open it"."""
    window = _window(demo_db, "letterbox", qtbot)
    page: Any = window.open_target("letterbox")
    page.tabs.setCurrentWidget(page.items_register)
    register = page.items_register
    opened: list[object] = []
    register.activated.connect(opened.append)
    register.view.setFocus()
    register.view.setCurrentIndex(register.model.index(0, 0))
    qtbot.keyClick(register.view, Qt.Key.Key_Return)
    assert len(opened) == 1
    assert "press Enter, to open it" in load("letterbox-items.html").text


def test_f1_ignores_the_focus_left_in_a_window_since_hidden(demo_db: Database, qtbot: Any) -> None:
    """A window put away by hiding it (an arrangement form) can stay Qt's focus and active window when no
    other window is activated after it (offscreen, and some Windows set-ups): F1 on a main window shown next
    opened the form's topic, not My work (found when the guide test ran after the letterbox views' tests,
    where the focus was the hidden form's Reference box). The topic is a visible window's."""
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
    from adoption_desktop.ui.guide.where import topic_for

    window = _window(demo_db, "letterbox", qtbot)
    form = ArrangementDialog(window.ctx)
    qtbot.addWidget(form)
    form.show()
    assert topic_for(window, form.fields["reference"]) == "letterbox-arrangements.html#form"
    form.hide()
    assert topic_for(window, form.fields["reference"]) == "my-work.html"  # the focus as that run had it


def test_each_case_windows_keys_are_in_the_guide_for_who_may_use_them(demo_db: Database, qtbot: Any) -> None:
    """The guide's keys lacked Ctrl+Shift+H (Who has seen this…) for the letterbox arrangement window
    (accessibility trial, December 2026): each case window's real keys are the ones its section lists, the
    administrators' key listed to those who hold ``audit.view`` and only to them."""
    import datetime as dt

    from sqlalchemy import select

    from adoption_desktop.core.security.permissions import Permission
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.counselling.views.case_dialog import CaseDialog
    from adoption_desktop.letterbox.models import Arrangement, Item
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
    from adoption_desktop.letterbox.views.page import LetterboxPage
    from adoption_desktop.ui.guide.shortcuts import ADMINISTRATORS, fill
    from adoption_desktop.ui.record_history import SHORTCUT, WHERE

    with demo_db.session(write=False) as session:
        case_id = session.scalars(select(CounsellingCase.id).order_by(CounsellingCase.id)).first()
        item_id = session.scalars(select(Item.id).order_by(Item.id)).first()
        arrangement_id = session.scalars(select(Arrangement.id).order_by(Arrangement.id)).first()
    assert case_id is not None and item_id is not None and arrangement_id is not None
    today = dt.date.today()
    assert {heading for heading, _ in WHERE.values()} <= set(AREA_KEYS)
    for username, letterbox_user, counsellor in (("admin", "admin", "admin"), ("letterbox", "letterbox", "counsellor")):
        window = _window(demo_db, username, qtbot)
        audits = window.ctx.can(Permission.AUDIT_VIEW)
        assert audits == (username == "admin")
        letterbox = LetterboxPage(_window(demo_db, letterbox_user, qtbot).ctx)
        qtbot.addWidget(letterbox)
        counselling_ctx = _window(demo_db, counsellor, qtbot).ctx
        windows = {"Letterbox arrangement window": ArrangementDialog(letterbox.ctx, arrangement_id),
                   "Letterbox item window": letterbox.open_existing_item(item_id),
                   "Counselling case window": CaseDialog(counselling_ctx, case_id, lambda: today)}
        for section, dialog in windows.items():
            assert dialog is not None
            qtbot.addWidget(dialog)
            real = {key_text(s.key()) for s in dialog.findChildren(QShortcut) if s.isEnabled()}
            listed = {k for k, what in AREA_KEYS[section] if audits or not what.endswith(ADMINISTRATORS)}
            assert real == listed, f"{username}, {section}: the window has {real}, the guide lists {listed}"
            dialog.close()
        html = fill(window, "<!-- generated: menu keys --><!-- generated: area keys -->")
        if audits:
            for heading, what in WHERE.values():
                section = html.split(f"<h3>{heading}</h3>")[1].split("<h3>")[0]
                assert f"<kbd>{SHORTCUT}</kbd></td><td>{what}{ADMINISTRATORS}" in section, heading
        else:
            assert ADMINISTRATORS not in html and SHORTCUT not in html
            # the letterbox coordinator is not shown the counselling case window's keys
            assert "<h3>Letterbox item window</h3>" in html and "Counselling case window" not in html
