"""What was copied in the program is not left on the clipboard for the next person at a shared PC.

Leak trial (6 December): a letterbox coordinator copied the adoptive family's address (Ctrl+A, Ctrl+C in the
arrangement's "Adopters' address"), closed the window and locked the screen (or signed out / switched user);
the counsellor who signed in next pasted the address. Now the lock (Ctrl+L or idle), the sign-out and the
program closing take off the clipboard what the program put there; what another program put there is left.
Offscreen, real SQLCipher file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service as letterbox
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.session_switch import sign_out
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input

ADDRESS = "12 Heron Gate\nDellmouth\nZZ99 4EF"  # sample_input's adopters' address
ELSEWHERE = "Agenda for Tuesday's team meeting"  # copied in another program (an e-mail, say)


def clipboard_text() -> str:
    return QGuiApplication.clipboard().text()


def another_program_copies(text: str) -> None:
    """Another program comes in front and copies ``text``: no window of this program is active then (what Qt
    itself sets when the system says another program has the keyboard), and none of its widgets copies."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        QApplication.setActiveWindow(None)  # type: ignore[arg-type]
    assert QApplication.activeWindow() is None
    QGuiApplication.clipboard().setText(text)


@pytest.fixture
def coordinator_window(db: Database, make_window: Any) -> tuple[MainWindow, int]:
    who = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = letterbox.create_arrangement(db, who, sample_input(coordinator="lbcoord"))
    make_user(db, "counsellor", Role.COUNSELLOR)
    QGuiApplication.clipboard().clear()
    window: MainWindow = make_window(who)
    return window, arrangement


def _arrangement(window: MainWindow, arrangement: int, qtbot: QtBot) -> Any:
    page = window.open_target("letterbox")
    assert isinstance(page, LetterboxPage)
    dialog: Any = page.open_arrangement_dialog(arrangement, modal=False)
    qtbot.waitExposed(dialog)
    return dialog


def _copy_all(qtbot: QtBot, edit: QWidget) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)


def _counsellor(_parent: QWidget, database: Database) -> Principal | None:
    return security.authenticate(database, "counsellor", TEST_PASSWORD)


def test_an_address_copied_from_a_text_box_is_gone_at_the_lock(
        qtbot: QtBot, coordinator_window: tuple[MainWindow, int]) -> None:
    window, arrangement = coordinator_window
    dialog = _arrangement(window, arrangement, qtbot)
    assert isinstance(dialog.adopters_address, QPlainTextEdit)
    _copy_all(qtbot, dialog.adopters_address)
    assert clipboard_text() == ADDRESS
    dialog.close()

    window.lock(manual=True)  # Ctrl+L
    assert window.locked
    assert clipboard_text() == ""
    # the same user unlocks: nothing is put back (it is copied again if needed), nothing is said about it
    assert window.try_unlock(TEST_PASSWORD)
    assert clipboard_text() == ""


def test_a_name_copied_from_a_line_edit_is_gone_after_sign_out(
        qtbot: QtBot, coordinator_window: tuple[MainWindow, int]) -> None:
    window, arrangement = coordinator_window
    dialog = _arrangement(window, arrangement, qtbot)
    name = dialog.fields["adopters_name"]
    assert isinstance(name, QLineEdit)
    _copy_all(qtbot, name)
    assert clipboard_text() == "Sam and Alex Thornley"
    dialog.close()

    new = sign_out(window, ask=_counsellor)
    assert new is not None and new.username == "counsellor"
    assert clipboard_text() == ""


def test_a_cell_copied_from_a_list_is_gone_at_the_idle_lock(
        qtbot: QtBot, coordinator_window: tuple[MainWindow, int]) -> None:
    window, _arrangement_id = coordinator_window
    page = window.open_target("letterbox")
    assert isinstance(page, LetterboxPage)
    view = page.work_view
    model = view.model()
    assert model.rowCount() > 0
    cell = model.index(0, 0)
    view.setFocus()
    view.setCurrentIndex(cell)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)  # a table view copies its current cell
    copied = clipboard_text()
    assert copied and copied == model.data(cell)

    assert window.idle is not None
    window.idle.idle.emit()  # the idle lock
    assert window.locked
    assert clipboard_text() == ""


def test_a_copy_from_the_context_menu_of_the_active_window_is_gone_at_the_lock(
        qtbot: QtBot, coordinator_window: tuple[MainWindow, int]) -> None:
    window, arrangement = coordinator_window
    dialog = _arrangement(window, arrangement, qtbot)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    edit = dialog.adopters_address
    edit.selectAll()
    menu = edit.createStandardContextMenu(QPoint(5, 5))
    copy = next(a for a in menu.actions() if a.objectName() == "edit-copy")
    copy.trigger()  # right-click → Copy (the menu's own keys and clicks are not needed to copy)
    menu.deleteLater()
    assert clipboard_text() == ADDRESS
    dialog.close()

    window.lock()
    assert clipboard_text() == ""


def test_what_another_program_copied_is_left_at_the_lock_and_the_sign_out(
        qtbot: QtBot, coordinator_window: tuple[MainWindow, int]) -> None:
    window, arrangement = coordinator_window
    dialog = _arrangement(window, arrangement, qtbot)
    _copy_all(qtbot, dialog.adopters_address)
    assert clipboard_text() == ADDRESS
    dialog.close()
    another_program_copies(ELSEWHERE)  # after the address: the clipboard holds the other program's text

    window.lock()
    assert window.locked
    assert clipboard_text() == ELSEWHERE
    assert window.try_unlock(TEST_PASSWORD)
    assert sign_out(window, ask=_counsellor) is not None
    assert clipboard_text() == ELSEWHERE


def test_what_another_program_copied_is_left_when_nothing_was_copied_here(
        qtbot: QtBot, coordinator_window: tuple[MainWindow, int]) -> None:
    window, _arrangement_id = coordinator_window
    another_program_copies(ELSEWHERE)
    window.lock(manual=True)
    assert clipboard_text() == ELSEWHERE


QUIT_SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout
    from adoption_desktop.ui.main_window import MainWindow

    app = QApplication(sys.argv)
    window = MainWindow()  # as run_gui makes it: the clipboard is watched from here on
    window.show()
    for _ in range(500):  # painted, as the user sees it before selecting anything (copies noted from then on)
        if window._painted and not window._after_paint:
            break
        QTest.qWait(10)
    dialog = QDialog(window)
    edit = QLineEdit("12 Heron Gate, Dellmouth", dialog)
    QVBoxLayout(dialog).addWidget(edit)
    dialog.show()
    edit.setFocus()
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(edit, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    print("copied:", QGuiApplication.clipboard().text())
    QTimer.singleShot(0, app.quit)
    app.exec()
    print("after quit:", QGuiApplication.clipboard().text())
""")


def test_what_was_copied_is_gone_when_the_program_closes(tmp_path: Path) -> None:
    """A real quit (``QApplication.quit``) in a process of its own: on Windows what a program leaves on the
    clipboard stays there after it has closed."""
    done = subprocess.run([sys.executable, "-c", QUIT_SCRIPT], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert "copied: 12 Heron Gate, Dellmouth" in done.stdout
    assert "after quit: \n" in done.stdout


def test_the_guide_says_what_happens_to_the_clipboard() -> None:
    from adoption_desktop.ui.guide.content import search

    hits = search("clipboard lock")
    assert hits and hits[0].file == "signing-in.html"


def test_the_record_of_a_copy_cannot_be_turned_back_into_the_postcode(
        qtbot: QtBot, coordinator_window: tuple[MainWindow, int]) -> None:
    """The guard keeps a digest of what was copied for as long as the program runs. A plain SHA-256 of a postcode
    or a phone number is turned back into it by hashing every possible value (a memory or crash dump is enough);
    the digest is keyed with a random key of this process, so the same hash of a guessed value does not match."""
    import hashlib

    from PySide6.QtGui import QClipboard

    from adoption_desktop.ui.clipboard_guard import watch_clipboard

    window, arrangement = coordinator_window
    dialog = _arrangement(window, arrangement, qtbot)
    _copy_all(qtbot, dialog.adopters_address)  # the address, its postcode with it
    copied = clipboard_text()
    assert copied == ADDRESS
    guard = watch_clipboard()
    assert guard is not None
    kept = guard._ours.get(QClipboard.Mode.Clipboard)
    assert kept is not None  # the copy was recorded as the program's own
    data = QGuiApplication.clipboard().mimeData()
    assert data is not None

    def unkeyed(formats: list[str]) -> bytes:  # what anyone can compute for a guessed value
        h = hashlib.sha256()
        for name in sorted(formats):
            h.update(name.encode("utf-8", "surrogatepass") + b"\0")
        h.update(b"\1" + copied.encode("utf-8", "surrogatepass"))
        return h.digest()

    guesses = {unkeyed(list(data.formats())), unkeyed(["text/plain"]), hashlib.sha256(copied.encode()).digest()}
    assert kept not in guesses  # before: kept == the plain SHA-256 of its formats and the copied text
    assert guard.holds_own()  # still recognised as the program's own, and taken off at the lock
    dialog.close()
    window.lock(manual=True)
    assert clipboard_text() == ""
