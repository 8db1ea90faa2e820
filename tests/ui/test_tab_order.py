"""Tab inside every dialog and detail pane follows what the eye reads: top to bottom, left to right in a row,
the button row last, a tab's controls after its tab bar; Shift+Tab goes back the same way; and a dialog opens
with the focus in the first field a user fills, never on Cancel or on a line to read.

The pages' own order (the row above a list, the list, the details beside it) is checked by
``test_accessibility.test_tab_follows_the_order_on_the_screen``; this checks inside each dialog of
``tests/ui/dialog_registry.py`` (once, opened by the first role that can) and inside the detail panes: the
panel sitting's Agenda, Attendance and Minutes, the ADM decision pane (each of its tabs). The letterbox
arrangement and item windows and the counselling case window are dialogs of the registry.

Rules and tolerances (``tests/ui/walk.py``, :func:`~tests.ui.walk.tab_order_problems`): two controls are in
one row when their heights overlap by more than 4 pixels; Tab may go up only to start a column to the right
of the control before (a form's second column, details beside a list); neither a scroll area nor a tab bar's
scroll arrow (shown when its tabs do not all fit) is a Tab stop."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from adoption_desktop import demo
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database
from adoption_desktop.ui import geometry
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.ui.dialog_registry import ALL_ROLES, DIALOGS, capturing, open_entry
from tests.ui.walk import (
    SCREENS,
    TASKBAR,
    _control,
    _name,
    fillable,
    focus_walk,
    order_stops,
    plain,
    reading_first,
    tab_order_problems,
    tab_stops,
)

#: set in the child process of :func:`test_tab_follows_reading_order_at_150_percent`: this process's screen is a
#: 1366×768 laptop's at 150 % (``QT_SCALE_FACTOR``), so dialogs scroll and tabs do not all fit
SCALED_ENV = "ADOPTION_TAB_ORDER_SCALED"
ROOT = Path(__file__).resolve().parents[2]

#: the day the demo is made for (as ``test_dialogs``: the registry picks records by their state)
DEMO_DAY = dt.date(2026, 12, 3)

#: dialogs (their area and class) whose first focus is, on purpose, not the first field in Tab's order, and why
FIRST_FOCUS_EXCEPTIONS: dict[str, str] = {
    "panel.SittingDialog": "the date, times and frequency come filled in (the next sitting, 10:00 to 13:00, once): "
                     "the venue is the first field to fill",
    "letterbox.ItemDialog": "a logged letterbox item opens at the step to do, its findings or letter text (keyboard "
                  "trial: an arrow key on Received by, the first field not greyed out, changed it)",
}
#: Tab going back up that is meant, per dialog (area and class): (object name, object name)
ORDER_EXCEPTIONS: dict[str, frozenset[tuple[str, str]]] = {
    # the item window's steps are numbered: 1. Receive (top left), 2. Screen (the right column), 3. Outcome
    # (under 1.); Tab follows the numbers, from 2.'s last list (History) to 3.'s first field
    "letterbox.ItemDialog": frozenset({("history", "outcome")}),
}


@pytest.fixture
def demo_db(small_demo_copy: Callable[..., Path], tmp_path: Path, store: SecretStore) -> Iterator[Database]:
    db = open_database(small_demo_copy(tmp_path / "demo.db", DEMO_DAY), store)
    yield db
    db.dispose()


@pytest.fixture
def laptop(monkeypatch: pytest.MonkeyPatch) -> QRect:
    """A 1366×768 screen less the taskbar, for every Python caller (the dialogs are fitted to it). In the
    150 % run (:func:`test_tab_follows_reading_order_at_150_percent`) the real scaled screen, 911×512 logical
    pixels, less the taskbar."""
    area = QRect(0, 0, 1366, 768 - TASKBAR)
    if os.environ.get(SCALED_ENV):
        screen = QGuiApplication.primaryScreen()
        assert screen is not None
        whole = screen.geometry()
        assert (whole.width(), whole.height()) == SCREENS[-1][1:], "not a 1366×768 screen at 150 %"
        area = QRect(whole.x(), whole.y(), whole.width(), whole.height() - TASKBAR)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(area))
    return area


def _window(db: Database, username: str, area: QRect, qtbot: Any) -> MainWindow:
    window = MainWindow(AppContext(db, authenticate(db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.setGeometry(geometry.default_rect(area))
    window.show()
    QApplication.processEvents()
    return window


def _tab_views(top: QWidget) -> Iterator[str]:
    """``""`` and then each other tab of each tab widget shown in ``top``, that tab shown."""
    yield ""
    for tabs in top.findChildren(QTabWidget):
        if not tabs.isVisibleTo(top):
            continue
        before = tabs.currentIndex()
        for i in range(tabs.count()):
            if tabs.isTabVisible(i) and tabs.isTabEnabled(i) and i != before:
                tabs.setCurrentIndex(i)
                QApplication.processEvents()
                yield f" / {plain(tabs.tabText(i))}"
        tabs.setCurrentIndex(before)
        QApplication.processEvents()


def first_focus_problem(dialog: QWidget) -> str:
    """The focus on opening is in the first field a user fills, in Tab's order from the control read first (a
    dialog with nothing to fill may start on a button)."""
    focus = dialog.focusWidget()
    if focus is None:  # what Qt does when the window is activated: the first control in the chain
        dialog.focusNextPrevChild(True)
        focus = dialog.focusWidget()
    focus = _control(focus)
    stops = [s for s in tab_stops(dialog) if s.focusProxy() is None]
    fields = [s for s in stops if fillable(s)]
    if focus is None or not fields:
        return ""
    if not fillable(focus):
        return f"opens with the focus on {_name(focus)}, not a field to fill ({_name(fields[0])} is one)"
    walk = [w for w in focus_walk(dialog, reading_first(order_stops(dialog), dialog)) if w in fields]
    if walk and walk[0] is not focus:
        return f"opens with the focus on {_name(focus)}, not the first field {_name(walk[0])}"
    return ""


def _dialog_problems(dialog: QWidget) -> list[str]:
    problems = []
    area = type(dialog).__module__.split(".")[1]  # panel and letterbox each have an ItemDialog
    kind = f"{area}.{type(dialog).__name__}"
    if isinstance(dialog, QDialog) and not isinstance(dialog, QMessageBox) and kind not in FIRST_FOCUS_EXCEPTIONS \
            and (why := first_focus_problem(dialog)):
        problems.append(why)
    allowed = ORDER_EXCEPTIONS.get(kind, frozenset())
    for view in _tab_views(dialog):
        problems += [f"{view.lstrip(' /')}: {p}" if view else p for p in tab_order_problems(dialog, None, allowed)]
    return problems


def test_tab_follows_reading_order_in_every_dialog(demo_db: Database, laptop: QRect, qtbot: Any) -> None:
    problems: dict[str, list[str]] = {}
    opened: set[str] = set()
    scrolling: set[str] = set()  # the entries whose form scrolls (at 150 %: the walk crosses scroll areas)
    for username in ALL_ROLES:
        entries = [e for e in DIALOGS if e.roles[0] == username]
        if not entries:
            continue
        window = _window(demo_db, username, laptop, qtbot)
        for entry in entries:
            try:
                shown = open_entry(entry, window)
            except Exception as exc:
                problems[entry.name] = [f"could not be opened: {exc.__class__.__name__}: {exc}"]
                continue
            if shown:
                opened.add(entry.name)
            for dialog in reversed(shown):
                dialog.raise_()
                dialog.activateWindow()
                QApplication.processEvents()
                if dialog.findChild(QScrollArea, "fit_scroll_body") is not None:
                    scrolling.add(entry.name)
                if found := _dialog_problems(dialog):
                    problems.setdefault(entry.name, []).extend(found)
            with capturing():
                for dialog in reversed(shown):
                    if isinstance(dialog, QDialog):
                        dialog.reject()
                    dialog.close()
            QApplication.processEvents()
        with capturing():
            window.close()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    assert opened == {e.name for e in DIALOGS}, sorted({e.name for e in DIALOGS} - opened)
    if os.environ.get(SCALED_ENV):
        assert len(scrolling) >= 5, f"only {sorted(scrolling)} scroll at 150 %"
        print(f"scrolling at 150 %: {len(scrolling)}: {sorted(scrolling)}")


def _panel_panes(window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    page: Any = window.open_target("panel")
    assert page is not None
    for row in range(page.sittings_model.rowCount()):  # a sitting with items, the first selected
        page.sittings_view.selectRow(row)
        QApplication.processEvents()
        if page.agenda_model.rows():
            page.agenda_view.selectRow(0)
            QApplication.processEvents()
            break
    tabs = page.detail_tabs
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        QApplication.processEvents()
        yield f"panel sitting / {plain(tabs.tabText(i))}", tabs
    tabs.setCurrentIndex(0)


def _adm_panes(window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    """The decision pane of an open decision and of a signed one (their buttons differ), each tab."""
    page: Any = window.open_target("adm")
    assert page is not None
    for state in ("open", "signed"):
        page.state_combo.setCurrentIndex(max(0, page.state_combo.findData(state)))
        QApplication.processEvents()
        for row in range(page.model.rowCount()):
            page.view.selectRow(row)
            QApplication.processEvents()
            detail = page.detail.detail
            if detail is not None and (detail.signed_at is not None) == (state == "signed"):
                break
        else:
            raise AssertionError(f"no {state} decision in the demo")
        for view in _tab_views(page.detail):
            yield f"ADM decision ({state}){view}", page.detail


@pytest.mark.parametrize(("username", "panes"), [("paneladmin", _panel_panes), ("chair", _panel_panes),
                                                 ("adm", _adm_panes)])
def test_tab_follows_reading_order_in_every_detail_pane(
        demo_db: Database, laptop: QRect, qtbot: Any, username: str,
        panes: Callable[[MainWindow], Iterator[tuple[str, QWidget]]]) -> None:
    window = _window(demo_db, username, laptop, qtbot)
    problems: dict[str, list[str]] = {}
    checked = 0
    for place, pane in panes(window):
        if len(order_stops(pane)) > 1:
            checked += 1
        if found := tab_order_problems(window, pane):
            problems[place] = found
    with capturing():
        window.close()
    assert checked
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def _the_list(pane: QWidget) -> QWidget:
    """The list ``pane`` shows the details of: the ADM queue, the panel's sittings."""
    page: Any = pane.parentWidget()
    while page is not None and not hasattr(page, "sittings_view") and not hasattr(page, "queue_width"):
        page = page.parentWidget()
    assert page is not None
    return page.sittings_view if hasattr(page, "sittings_view") else page.view


def _between(walk: list[QWidget], target: QWidget) -> list[QWidget]:
    """What ``walk`` (from its first control) passes before it reaches ``target``."""
    assert target in walk, f"never reaches {_name(target)}: {[_name(w) for w in walk]}"
    return walk[1:walk.index(target)]


@pytest.mark.parametrize(("username", "panes"), [("paneladmin", _panel_panes), ("adm", _adm_panes)])
def test_the_list_is_reached_from_its_details_by_tab_and_shift_tab(
        demo_db: Database, laptop: QRect, qtbot: Any, username: str,
        panes: Callable[[MainWindow], Iterator[tuple[str, QWidget]]]) -> None:
    """The page's own order round the list and its details, on every tab of the pane (the lead's look at the ADM
    page, 7 December: "Tab from the end of the decision goes to the Areas list, not to the queue"). The
    convention, the panel sitting's and the ADM decision's alike: Shift+Tab from the pane's first control goes
    back to the list (past only what is under the list, the panel's sitting buttons); Tab from the pane's last
    control goes round the window in reading order, the Areas list on the left, then the row above the list,
    then the list, never through the pane again; Areas is not passed on the way back."""
    window = _window(demo_db, username, laptop, qtbot)
    problems: dict[str, str] = {}
    checked = 0
    for place, pane in panes(window):
        listed = _the_list(pane)
        stops = [s for s in order_stops(pane) if s.focusPolicy() & Qt.FocusPolicy.TabFocus]
        order = [w for w in focus_walk(window, reading_first(stops, window)) if w in stops]
        if not order:
            continue
        checked += 1
        box = QRect(listed.mapTo(window, listed.rect().topLeft()), listed.size())
        ahead = _between(focus_walk(window, order[-1]), listed)
        if not ahead or ahead[0] is not window.nav:
            problems[place] = f"Tab from {_name(order[-1])} goes to {[_name(w) for w in ahead[:3]]}, not Areas"
        elif wrong := [w for w in ahead[1:] if pane.isAncestorOf(w) or w is window.nav
                       or w.mapTo(window, w.rect().bottomLeft()).y() > box.top()]:
            problems[place] = f"Tab from {_name(order[-1])} to the list passes {[_name(w) for w in wrong]}"
        back = _between(focus_walk(window, order[0], forward=False), listed)
        if wrong := [w for w in back if pane.isAncestorOf(w) or w is window.nav
                     or w.mapTo(window, w.rect().topLeft()).x() > box.right()]:
            problems[f"{place} (Shift+Tab)"] = (f"Shift+Tab from {_name(order[0])} to the list passes "
                                               f"{[_name(w) for w in wrong]}")
    with capturing():
        window.close()
    assert checked
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def _adm_decision(page: Any, wanted: Callable[[Any], bool]) -> None:
    """The first decision under Show "All" for which ``wanted(pane)`` holds, chosen in the queue as a keyboard
    user does (the focus in the queue)."""
    page.view.setFocus(Qt.FocusReason.TabFocusReason)
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    QApplication.processEvents()
    for row in range(page.model.rowCount()):
        page.view.selectRow(row)
        QApplication.processEvents()
        if wanted(page.detail):
            return
    raise AssertionError("no such decision in the demo")


def test_a_qualifying_determination_tab_with_nothing_to_press_starts_on_a_line_a_screen_reader_reads(
        demo_db: Database, laptop: QRect, qtbot: Any) -> None:
    """Lead's look at the ADM page, 7 December: on a Qualifying determination tab where every button is greyed
    out (a decision not on that route, or one whose final decision is opened), Alt+Q from the Decision tab put
    the focus on the tab page itself, a widget with no name: a screen reader said nothing. The tab's summary
    is its first Tab stop then, named with its text and described with why nothing can be done there; where a
    button can be pressed the focus goes to the first button, as before, and the summary is no Tab stop."""
    from PySide6.QtTest import QTest

    from adoption_desktop.ui.accessibility import accessible_name

    window = _window(demo_db, "adm", laptop, qtbot)
    window.activateWindow()
    page: Any = window.open_target("adm")
    detail = page.detail
    qd_tab = next(i for i in range(detail.tabs.count()) if "Qualifying" in detail.tabs.tabText(i))
    # an open decision, not on the qualifying determination route: the Decision tab's fields can be used
    _adm_decision(page, lambda d: d.detail.qd is None and d.buttons["sign_button"].isEnabled())
    detail.tabs.setCurrentIndex(1)
    QApplication.processEvents()
    detail.outcome.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    assert window.focusWidget() is detail.outcome
    QTest.keyClick(detail.outcome, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    QApplication.processEvents()
    assert detail.tabs.currentIndex() == qd_tab
    focus = window.focusWidget()
    assert focus is detail.qd_summary, f"the focus is on {focus.objectName()!r}, named {accessible_name(focus)!r}"
    assert accessible_name(focus) == "No qualifying determination on this decision."
    assert focus.accessibleDescription() == ("Nothing to record on this tab: this decision has no qualifying "
                                             "determination.")
    bar = detail.tabs.tabBar()
    QTest.keyClick(focus, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert window.focusWidget() is bar
    QTest.keyClick(bar, Qt.Key.Key_Tab)
    assert window.focusWidget() is detail.qd_summary

    # a qualifying determination to record on: its first button takes the focus, the summary is read only
    _adm_decision(page, lambda d: d.buttons["reps_button"].isEnabled())
    detail.tabs.setCurrentIndex(2)
    QApplication.processEvents()
    detail.letters_view.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    QTest.keyClick(detail.letters_view, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    QApplication.processEvents()
    assert detail.tabs.currentIndex() == qd_tab
    assert window.focusWidget() is detail.buttons["reps_button"]
    assert not detail.qd_summary.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert detail.qd_summary.accessibleDescription() == ""
    assert "representations or IRM application by" in accessible_name(detail.qd_summary)
    with capturing():
        window.close()


def test_the_walk_sees_a_backward_jump_and_a_button_row_first(qtbot: Any) -> None:
    """The check itself: fields made in another order than shown are reported, and so is Tab reaching the
    button row before the last field; with the order set, nothing is."""
    from PySide6.QtWidgets import QFormLayout, QLineEdit, QVBoxLayout

    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    form = QFormLayout()
    second, first = QLineEdit(dialog), QLineEdit(dialog)  # made in the wrong order ...
    form.addRow("First", first)  # ... and shown in the right one
    form.addRow("Second", second)
    layout.addLayout(form)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    layout.addWidget(buttons)
    dialog.show()
    QApplication.processEvents()
    found = tab_order_problems(dialog)
    assert "Tab goes from QPushButton 'Cancel' to QLineEdit 'Second', above it" in found, found
    assert "the button row comes before [\"QLineEdit 'Second'\"]" in found, found
    QWidget.setTabOrder(first, second)
    QWidget.setTabOrder(second, buttons)
    assert tab_order_problems(dialog) == []


def test_a_tab_bars_scroll_arrows_are_no_tab_stops_and_every_tab_is_still_reached(qtbot: Any) -> None:
    """Keyboard trial (the ADM decision pane, narrow): Tab from the tab bar went to Qt's scroll arrow, a tiny
    button showing no text. The walk reports it; :func:`name_everything` (every page and dialog) takes the arrows
    out of Tab's way, and the tab bar's arrow keys still reach every tab, the ones scrolled out of view too."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit, QToolButton, QVBoxLayout

    from adoption_desktop.ui.accessibility import name_everything

    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLineEdit(dialog))
    tabs = QTabWidget(dialog)
    for n in range(8):
        tabs.addTab(QLineEdit(), f"&{n} Long tab title")
    layout.addWidget(tabs)
    dialog.resize(300, 200)
    dialog.show()
    QApplication.processEvents()
    arrows = [b for b in tabs.tabBar().findChildren(QToolButton) if b.isVisible()]
    assert arrows  # the tabs do not fit
    assert any("a tab bar's scroll arrow, is a Tab stop" in p for p in tab_order_problems(dialog))
    name_everything(dialog)
    assert tab_order_problems(dialog) == []
    assert all(a.focusPolicy() == Qt.FocusPolicy.NoFocus for a in arrows)
    bar = tabs.tabBar()
    bar.setFocus()
    for _ in range(tabs.count() - 1):
        QTest.keyClick(bar, Qt.Key.Key_Right)
    assert tabs.currentIndex() == tabs.count() - 1
    assert bar.rect().contains(bar.tabRect(tabs.count() - 1).center())  # scrolled into view


@pytest.mark.skipif(bool(os.environ.get(SCALED_ENV)), reason="the child process itself")
def test_tab_follows_reading_order_at_150_percent(tmp_path: Path) -> None:
    """The walks above (every dialog of the registry, the detail panes) again on a 1366×768 screen at 150 %,
    really scaled: a child process with ``QT_SCALE_FACTOR=1.5`` on a 1366×768 offscreen screen (as
    ``test_dialogs`` does), where tall forms scroll and the ADM pane's tabs do not all fit."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": "1.5",
           SCALED_ENV: "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    here = Path(__file__).relative_to(ROOT)
    run = subprocess.run([sys.executable, "-m", "pytest", f"{here}::test_tab_follows_reading_order_in_every_dialog",
                          f"{here}::test_tab_follows_reading_order_in_every_detail_pane", "-q", "-p",
                          "no:cacheprovider", "-p", "no:randomly"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200, check=False)
    found = [line for line in run.stdout.splitlines() if line.startswith("E ") and "QtWarningMsg" not in line]
    assert run.returncode == 0, "150 %:\n" + "\n".join(found[:80]) + f"\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
    assert "4 passed" in run.stdout, run.stdout[-3000:]
