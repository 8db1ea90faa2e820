"""Keyboard access: no two things visible at once answer the same Alt+letter.

Qt treats a shared mnemonic as ambiguous: Alt+F then cycles focus between a "&Find" label and the File
menu instead of opening the menu. Every page is opened over the demo database as each role that
changes what is shown, a row is selected in every list (so detail panes fill in), and every tab of
every tab widget is visited.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QPushButton,
    QTabWidget,
    QWidget,
)

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.accessibility import DialogNamer
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.ui.walk import mnemonic, plain, tab_widgets, visible_mnemonics


def _select_first_rows(page: QWidget) -> None:
    for view in page.findChildren(QAbstractItemView):
        model = view.model()
        if view.isVisibleTo(page) and model is not None and model.rowCount() > 0:
            view.setCurrentIndex(model.index(0, 0))
    QApplication.processEvents()


@pytest.fixture
def demo_db(small_demo_db: Database) -> Database:
    return small_demo_db  # the small demo, made once per run (conftest)


@pytest.mark.parametrize("username", ["admin", "chair", "adm", "counsellor", "letterbox"])
def test_no_two_visible_controls_share_a_mnemonic(demo_db: Database, username: str, qtbot: Any) -> None:
    principal = authenticate(demo_db, username, demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(demo_db, principal, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 850)
    window.show()
    clashes: dict[str, dict[str, list[str]]] = {}
    # every menu is reached with Alt+its letter, as the guide and the README promise
    no_letter = [a.text() for a in window.menuBar().actions() if a.isVisible() and not mnemonic(a.text())]
    if no_letter:
        clashes["menu bar"] = {"no Alt letter": no_letter}
    for target in window.targets:
        page = window.open_target(target.key)
        assert page is not None
        _select_first_rows(page)
        found = visible_mnemonics(window)
        if found:
            clashes[target.key] = found
        for tabs in tab_widgets(page):
            for i in range(tabs.count()):
                if not tabs.isTabVisible(i):
                    continue
                tabs.setCurrentIndex(i)
                _select_first_rows(page)
                found = visible_mnemonics(window)
                if found:
                    clashes[f"{target.key} / {tabs.tabText(i)}"] = found
            tabs.setCurrentIndex(0)
    window.close()
    assert clashes == {}


def _clashes_on_every_tab(window: QWidget) -> dict[str, dict[str, list[str]]]:
    clashes: dict[str, dict[str, list[str]]] = {}
    found = visible_mnemonics(window)
    if found:
        clashes["(first view)"] = found
    for tabs in window.findChildren(QTabWidget):
        for i in range(tabs.count()):
            if tabs.isTabVisible(i):
                tabs.setCurrentIndex(i)
                QApplication.processEvents()
                found = visible_mnemonics(window)
                if found:
                    clashes[tabs.tabText(i)] = found
    return clashes


def test_the_large_dialogs_have_no_shared_mnemonics(demo_db: Database, qtbot: Any) -> None:
    """The dialogs with many controls: a counselling case, a letterbox item, a new ADM decision."""
    import datetime as dt

    from sqlalchemy import select

    from adoption_desktop.adm.views.dialogs import NewDecisionDialog
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.counselling.views.case_dialog import CaseDialog
    from adoption_desktop.letterbox.models import Item
    from adoption_desktop.letterbox.views.page import LetterboxPage

    def ctx(username: str) -> AppContext:
        return AppContext(demo_db, authenticate(demo_db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True))

    with demo_db.session(write=False) as session:
        case_id = session.scalars(select(CounsellingCase.id).order_by(CounsellingCase.id)).first()
        item_id = session.scalars(select(Item.id).order_by(Item.id)).first()
    assert case_id is not None and item_id is not None
    today = dt.date(2026, 11, 23)
    app = QApplication.instance()
    assert app is not None
    namer = DialogNamer()  # what the main window installs: every dialog as it is shown (a greyed field's label)
    app.installEventFilter(namer)
    clashes = {}
    try:
        letterbox = LetterboxPage(ctx("letterbox"))
        qtbot.addWidget(letterbox)
        dialogs: list[QWidget] = [CaseDialog(ctx("counsellor"), case_id, lambda: today),
                                  letterbox.open_existing_item(item_id),
                                  NewDecisionDialog(None, {"plan": "Child's plan for adoption"}, today)]
        for dialog in dialogs:
            qtbot.addWidget(dialog)
            dialog.show()
            QApplication.processEvents()
            found = _clashes_on_every_tab(dialog)
            if found:
                clashes[type(dialog).__name__] = found
            dialog.close()
    finally:
        app.removeEventFilter(namer)
    assert clashes == {}


def test_every_go_menu_item_has_its_own_alt_letter(demo_db: Database, qtbot: Any) -> None:
    """User trial ut14: the Go menu's items had no Alt letter (L in the open menu did nothing)."""
    from PySide6.QtCore import Qt

    window = MainWindow(AppContext(demo_db, authenticate(demo_db, "admin", demo.DEMO_PASSWORD),
                                   TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    go = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Go")
    items = [a for a in go.actions() if not a.isSeparator()]
    letters = {a.text(): mnemonic(a.text()) for a in items}
    assert all(letters.values()), letters
    assert len(set(letters.values())) == len(letters), letters
    # the letter opens the area from the open menu
    go.popup(window.mapToGlobal(window.rect().topLeft()))
    qtbot.waitUntil(go.isVisible)
    qtbot.keyClick(go, Qt.Key.Key_L)
    QApplication.processEvents()
    assert window.stack.currentWidget() is not None and not go.isVisible()
    assert window.nav.currentItem() is not None and window.nav.currentItem().text() == "Letterbox"
    window.close()


# --- every tab and push button has an Alt letter ----------------------------------------------------------

#: a key named in a tooltip: "Ctrl+N: …", "Previous item (Ctrl+PgUp)", "F5"
_KEY_IN_TIP = re.compile(r"\b((?:(?:Ctrl|Shift|Alt)\+)+(?:PgUp|PgDown|Up|Down|Left|Right|Del|F\d{1,2}|[A-Z0-9])"
                         r"|F\d{1,2})\b")


def _own_key(button: QPushButton) -> str | None:
    """The key of the button's own that its tooltip names and that really does what it does wherever the button
    is shown: a shortcut on the button or on a widget holding it, or an action of the window. ``None`` when there
    is none (a key in a tooltip that nothing answers does not count)."""
    window = button.window()
    for text in _KEY_IN_TIP.findall(button.toolTip()):
        keys = QKeySequence(text)
        if not button.isEnabled():  # greyed for this user (their role): the key is made for those who may use it
            return text
        if button.shortcut() == keys:
            return text
        for shortcut in window.findChildren(QShortcut):
            holder = shortcut.parent()
            if shortcut.key() != keys or not shortcut.isEnabled() or not isinstance(holder, QWidget):
                continue
            if holder is button or (holder.isAncestorOf(button)
                                    and shortcut.context() != Qt.ShortcutContext.WidgetShortcut):
                return text
        if any(a.shortcut() == keys and a.isEnabled() for a in window.findChildren(QAction)):
            return text
    return None


def _outermost_tab_widgets(container: QWidget) -> list[QTabWidget]:
    """The tab widgets in ``container`` not inside another of its tab widgets (``container`` itself if it is one)."""
    if isinstance(container, QTabWidget):
        return [container]
    found = []
    for tabs in container.findChildren(QTabWidget):
        above = tabs.parentWidget()
        while above is not None and above is not container and not isinstance(above, QTabWidget):
            above = above.parentWidget()
        if above is container or above is None:
            found.append(tabs)
    return found


def _keyboard_problems(window: QWidget) -> list[str]:
    """What a keyboard user cannot reach with Alt+letter on what ``window`` shows now: a tab title without one,
    a push button with neither one nor a key of its own named in its tooltip (where every letter of its text
    is taken: ADM's New decision without panel…, Ctrl+N), and letters answered by more than one thing."""
    problems: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.window() is not window:
            continue
        if isinstance(widget, QTabWidget):
            problems += [f"tab {widget.tabText(i)!r} has no Alt letter" for i in range(widget.count())
                         if widget.isTabVisible(i) and not mnemonic(widget.tabText(i))]
        elif isinstance(widget, QPushButton) and widget.text() and not mnemonic(widget.text()) \
                and _own_key(widget) is None:
            problems.append(f"button {widget.text()!r} has no Alt letter (nor a key of its own in its tooltip)")
    for letter, holders in visible_mnemonics(window).items():
        problems.append(f"{letter}: {', '.join(holders)}" if letter == "dead"
                        else f"Alt+{letter.upper()} is shared: {', '.join(holders)}")
    return problems


@pytest.mark.parametrize("username", ["admin", "paneladmin", "chair", "adm"])
def test_every_tab_and_button_of_the_main_window_has_its_own_alt_letter(demo_db: Database, qtbot: Any,
                                                                        username: str) -> None:
    """Keyboard access (fifth release): the Panel page's tabs (Sittings, Central list, Adopters' journey) and
    several buttons (Papers…, Children…, Present, Administration's Remove logo) had no Alt letter, so a
    keyboard user had to Tab round the page to reach them. Signed in as admin (every page shown), every page
    and every tab of every tab widget (tabs within tabs too) is visited with a row chosen in each list, and
    each tab and push button shown must answer an Alt letter no other thing shown answers; a button may have
    a key of its own instead, named in its tooltip, where every letter of its text is taken on its tab. The
    admin sees the Panel and ADM pages read-only, so the panel administrator (the panel's buttons enabled,
    their keys made), the chair (Approve…) and the ADM (its buttons enabled) are walked too."""
    window = MainWindow(AppContext(demo_db, authenticate(demo_db, username, demo.DEMO_PASSWORD),
                                   TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 850)
    window.show()
    problems: dict[str, list[str]] = {}

    def note(where: str) -> None:
        found = _keyboard_problems(window)
        if found:
            problems[where] = found

    def visit(page: QWidget, container: QWidget, where: str) -> None:
        for tabs in _outermost_tab_widgets(container):
            for i in range(tabs.count()):
                if not tabs.isTabVisible(i):
                    continue
                tabs.setCurrentIndex(i)
                _select_first_rows(page)
                here = f"{where} / {plain(tabs.tabText(i))}"
                note(here)
                visit(page, tabs.widget(i), here)
            tabs.setCurrentIndex(0)
            QApplication.processEvents()

    for target in window.targets:
        page = window.open_target(target.key)
        assert page is not None
        _select_first_rows(page)
        note(target.key)
        visit(page, page, target.key)
    window.close()
    assert not problems, "\n" + "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in problems.items())


def test_the_panel_tabs_answer_their_alt_letters(demo_db: Database, qtbot: Any) -> None:
    """Alt+N the Central list, Alt+J the Adopters' journey, Alt+S the Sittings tab with the keyboard in the list
    of sittings (what the list's own Alt+S did before the tab took the letter), from another tab and from the
    agenda of the Sittings tab itself. The panel administrator: every button of the page enabled."""
    from PySide6.QtTest import QTest

    from tests.conftest import shown_active

    window = MainWindow(AppContext(demo_db, authenticate(demo_db, "paneladmin", demo.DEMO_PASSWORD),
                                   TaskRunner(synchronous=True)))
    shown_active(qtbot, window, 1366, 850)
    page: Any = window.open_target("panel")
    assert page is not None
    QApplication.processEvents()
    alt = Qt.KeyboardModifier.AltModifier

    def press(key: Qt.Key) -> None:
        focus = QApplication.focusWidget() or window
        QTest.keyClick(focus, key, alt)
        QApplication.processEvents()

    page.agenda_view.setFocus()
    press(Qt.Key.Key_N)
    assert page.tabs.currentWidget() is page.members_view.parentWidget()
    press(Qt.Key.Key_J)
    assert page.tabs.currentWidget() is page.adopters_tab
    press(Qt.Key.Key_S)
    assert plain(page.tabs.tabText(page.tabs.currentIndex())) == "Sittings"
    qtbot.waitUntil(page.sittings_view.hasFocus, timeout=2000)
    page.agenda_view.setFocus()
    qtbot.waitUntil(page.agenda_view.hasFocus, timeout=2000)
    press(Qt.Key.Key_S)  # the tab already shown: into the list all the same
    qtbot.waitUntil(page.sittings_view.hasFocus, timeout=2000)
    window.close()


def test_the_user_roles_dialogs_greyed_fields_answer_no_alt_letter(db: Database, qtbot: Any, make_window: Any) -> None:
    """Keyboard trial: the User roles dialog (Users → Roles…) greys out the name and the password fields, but
    their labels kept Alt+F, Alt+U, Alt+P and Alt+C, which led nowhere (Alt+P did nothing visible). Opened as
    the administrator does, the greyed fields' labels show no letter and Alt+P leaves the keyboard where it is;
    a field enabled again gets its letter back."""
    from PySide6.QtTest import QTest

    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.ui.admin_page import UserDialog
    from tests.conftest import make_user
    from tests.ui.dialog_registry import capturing

    admin = make_user(db, "admin", Role.ADMINISTRATOR)
    make_user(db, "counsellor", Role.COUNSELLOR)
    window = make_window(admin)
    page: Any = window.open_target("admin")
    page.setCurrentWidget(page.users)
    rows = page.users.model.rows()
    page.users.view.selectRow(next(n for n, u in enumerate(rows) if u.username == "counsellor"))
    with capturing():  # exec() shows the dialog and returns at once
        page.users.edit_roles()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, UserDialog) and w.isVisible())
    QApplication.processEvents()
    assert "dead" not in visible_mnemonics(dialog), visible_mnemonics(dialog)
    labels = {name: dialog.findChild(QLabel, f"{name}_label") for name in
              ("full_name", "username", "password", "confirm_password")}
    assert {n: mnemonic(lb.text()) for n, lb in labels.items() if lb is not None} == dict.fromkeys(labels)
    assert [plain(lb.text()) for lb in labels.values() if lb is not None] == \
        ["Full name", "User name", "Initial password", "Confirm password"]  # read as before
    focus = QApplication.focusWidget()
    assert focus is not None and focus is not dialog.password
    QTest.keyClick(focus, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is focus
    dialog.password.setEnabled(True)
    assert labels["password"] is not None and mnemonic(labels["password"].text()) == "p"
    with capturing():
        dialog.reject()


def test_a_greyed_fields_label_loses_only_its_letter(qtbot: Any) -> None:
    """What the label shows while its field is greyed out: the same words without the letter (a key named for
    it goes too; a literal & stays), and a rich-text label, which has no letter, untouched."""
    from PySide6.QtWidgets import QLineEdit

    from adoption_desktop.ui.accessibility import letter_follows_field, without_mnemonic

    assert without_mnemonic("Initial &password") == "Initial password"
    assert without_mnemonic("Votes against (Alt+&X)") == "Votes against"
    assert without_mnemonic("Terms && &conditions") == "Terms && conditions"
    holder = QWidget()
    qtbot.addWidget(holder)
    field, rich_field = QLineEdit(holder), QLineEdit(holder)
    label, rich = QLabel("Vot&es for", holder), QLabel("<b>Papers</b> &amp; notes", holder)
    label.setBuddy(field)
    rich.setBuddy(rich_field)
    field.setEnabled(False)
    rich_field.setEnabled(False)
    letter_follows_field(label)
    letter_follows_field(rich)
    letter_follows_field(label)  # once per label
    assert (label.text(), rich.text()) == ("Votes for", "<b>Papers</b> &amp; notes")
    holder.setEnabled(False)  # the field's parent greyed out and back: the field is still greyed out
    holder.setEnabled(True)
    assert label.text() == "Votes for"
    field.setEnabled(True)
    assert label.text() == "Vot&es for"
    label.setText("Votes &for")  # its owner's new text is kept, and follows the field from then on
    field.setEnabled(False)
    assert label.text() == "Votes for"
    field.setEnabled(True)
    assert label.text() == "Votes &for"


def test_a_greyed_fields_screen_reader_name_keeps_its_words(qtbot: Any) -> None:
    """A screen reader names a field by its label: the panel minutes' *Votes against (Alt+X)*, greyed out on
    minutes you cannot edit (or a unanimous vote), was named "Votes against" once its label lost the letter and the
    key named for it, and "Votes against (Alt+X)" again when enabled: the name changed with the field's state. It
    is now the same in both; a label that loses only its letter never changed it; a name the field was given
    is left alone."""
    from PySide6.QtWidgets import QLineEdit, QSpinBox

    from adoption_desktop.ui.accessibility import accessible_name, letter_follows_field

    holder = QWidget()
    qtbot.addWidget(holder)
    against, reasons, named = QSpinBox(holder), QLineEdit(holder), QLineEdit(holder)
    pairs = [(QLabel("Votes against (Alt+&X)", holder), against), (QLabel("&Reasons", holder), reasons),
             (QLabel("Notes (Alt+&N)", holder), named)]
    named.setAccessibleName("Notes on the vote")
    for label, field in pairs:
        label.setBuddy(field)
    enabled = [accessible_name(field) for _label, field in pairs]
    assert enabled == ["Votes against (Alt+X)", "Reasons", "Notes on the vote"]
    for label, field in pairs:
        field.setEnabled(False)
        letter_follows_field(label)
    assert [label.text() for label, _field in pairs] == ["Votes against", "Reasons", "Notes"]
    assert [accessible_name(field) for _label, field in pairs] == enabled
    for _label, field in pairs:
        field.setEnabled(True)
    assert [accessible_name(field) for _label, field in pairs] == enabled
    assert [label.text() for label, _field in pairs] == ["Votes against (Alt+&X)", "&Reasons", "Notes (Alt+&N)"]
    pairs[0][0].setText("Votes against")  # its owner's new text: the name follows it, as Qt gives it
    assert accessible_name(against) == "Votes against"
    against.setEnabled(False)
    assert accessible_name(against) == "Votes against"


def test_locked_minutes_name_no_keys_beside_their_greyed_choices(qtbot: Any) -> None:
    """Approved minutes grey out the outcome and the vote: *Votes against (Alt+X)* then lost its key, but
    *Outcome (Alt+1…3)* and *Vote (Alt+4 unanimous, Alt+5 majority)* still named keys that do nothing there.
    Greyed out, each label shows its words only; the keys come back with the field, and a screen reader's name
    of each field is the same either way."""
    from adoption_desktop.panel.views.minutes_editor import MinutesEditor
    from adoption_desktop.ui.accessibility import accessible_name, name_everything

    editor = MinutesEditor(lambda *_a: None, lambda *_a: None)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(editor)
    labels = {name: editor.findChild(QLabel, f"{name}_label") for name in ("outcome", "vote", "votes_against")}
    fields = {name: label.buddy() for name, label in labels.items() if label is not None}
    editor.form.setEnabled(True)  # an item shown, its minutes not approved: every choice may be made
    editor._lock(False)
    name_everything(editor)
    editable = {name: label.text() for name, label in labels.items() if label is not None}
    assert editable == {"outcome": "&Outcome (Alt+1…3)", "vote": "Vote (Alt+4 unanimous, Alt+5 majority)",
                        "votes_against": "Votes against (Alt+&X)"}
    names = {name: accessible_name(field) for name, field in fields.items() if field is not None}
    editor._lock(True)
    assert {name: label.text() for name, label in labels.items() if label is not None} == \
        {"outcome": "Outcome", "vote": "Vote", "votes_against": "Votes against"}
    assert {name: accessible_name(field) for name, field in fields.items() if field is not None} == names
    editor._lock(False)
    assert {name: label.text() for name, label in labels.items() if label is not None} == editable
    assert {name: accessible_name(field) for name, field in fields.items() if field is not None} == names
