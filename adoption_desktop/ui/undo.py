"""Edit → Undo / Redo for the signed-in session, and the "… Undo" link in the status bar.

The stack itself is ``core.undo`` (on ``AppContext.undo``, a new one at every sign-in). This module only
gives it keys, a menu and a status line:

- **Ctrl+Z** undoes the last reversible action, **Ctrl+Y** redoes it (not Ctrl+Shift+Z: in the minutes
  editor that reverts to the last save). A text field keeps its own text undo: an editable line edit,
  text box, spin box or editable combo box claims these keys (Qt's shortcut override) and
  :class:`TextFirst` makes sure of it, so Ctrl+Z while typing undoes typing, never an agenda change. The
  Edit menu's items always act on the stack.
- After every reversible action (``AppContext.did``) the status bar says what was done, followed by an
  **Undo** link (mouse, or Tab to it and Enter). The idle lock hides the status bar, this line with it (it may
  name a case), and shows it again at the unlock (``MainWindow.lock``).
- A refused undo (someone else changed the record since: ``StaleRecord``) is said in a plain message box
  ("Not undone"), or, when the refusal carries the record's fields as saved, in the conflict dialog
  (``ui.conflict``) without "re-apply": nothing of theirs is overwritten. Either way the pages are told
  (``after_undo`` with a :class:`RefusedEntry`): they show the records as stored now, and their message line
  says it was not undone (it still offered "Ctrl+Z undoes it.").
- While the window is locked the keys do nothing; signing out takes the menu down and the stack goes
  with the signed-out user's context.
"""

from __future__ import annotations

import contextlib
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QSizePolicy,
    QTextEdit,
    QWidget,
)

from adoption_desktop.core.errors import AppError, StaleRecord
from adoption_desktop.core.undo import RELOAD_ADVICE, UndoEntry
from adoption_desktop.ui.accessibility import announce, said_just_now

if TYPE_CHECKING:
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow



class RefusedEntry(UndoEntry):
    """Given to the pages' ``after_undo`` when an undo or redo of the entry of this label and area was refused:
    nothing was changed by it, but someone else changed the record, so a page shows it as stored now, and says
    why (``ctx.status_messages[-1]``: it was not undone) in place of what was done."""


#: said instead of :data:`RELOAD_ADVICE` once the pages have shown the record again
SHOWN_NOW = "It is shown as it is now."


def undo_keys() -> tuple[QKeySequence, ...]:
    """Built when asked (a key sequence made before the QApplication crashes Qt)."""
    return (QKeySequence(QKeySequence.StandardKey.Undo),)


def redo_keys() -> tuple[QKeySequence, ...]:
    """Ctrl+Y only: Ctrl+Shift+Z already means "revert to the last save" in the minutes editor, and two
    shortcuts on one key would both be dead (Qt calls that ambiguous)."""
    return (QKeySequence("Ctrl+Y"),)


def editable_text(widget: QWidget | None) -> bool:
    """A focused widget that has its own text undo (so it keeps Ctrl+Z)."""
    if isinstance(widget, QLineEdit | QAbstractSpinBox):
        return not widget.isReadOnly()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return False


def _is(event: QKeyEvent, keys: tuple[QKeySequence, ...]) -> bool:
    combo = QKeySequence(event.keyCombination())
    return any(combo.matches(k) == QKeySequence.SequenceMatch.ExactMatch for k in keys)


class TextFirst(QObject):
    """Application event filter: a text field that can edit claims Ctrl+Z and Ctrl+Y before any
    application shortcut sees them (Qt's own override, made certain for every text widget)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and isinstance(watched, QWidget) and editable_text(watched) \
                and (_is(event, undo_keys()) or _is(event, redo_keys())):
            event.accept()  # the key goes to the text field as a key press: its own undo
        return False


class _Link(QLabel):
    """A one-link label that Enter or Space activates once it has the keyboard (Tab reaches it)."""

    href = ""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self.href:
            self.linkActivated.emit(self.href)
            return
        super().keyPressEvent(event)


class UndoNotice(QWidget):
    """The status bar's "Removed agenda item … — Undo" line; the link works with the mouse and, after Tab,
    with Enter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undo_notice")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.text = QLabel()
        self.text.setObjectName("undo_notice_text")
        # a long label never widens the window (it fits a 1366-pixel screen; the whole text is the tooltip),
        # yet it asks for its words' width: "Ignored" gave it none beside the stretch, and only "Undo" showed
        self.text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.text.setMinimumWidth(1)
        self.link = _Link()
        self.link.setObjectName("undo_link")
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByKeyboard
                                          | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.link.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        row.addWidget(self.text)
        row.addWidget(self.link)
        row.addStretch(1)

    #: the entry the link acts on (None: no link): the notice goes once the stack would act on another
    entry: UndoEntry | None = None

    def show_entry(self, message: str, link: str, what: str, entry: UndoEntry | None = None) -> None:
        self.what, self.entry = what, entry if link else None
        self.text.setText(message)
        self.text.setToolTip(message)
        self.link.href = link
        self.link.setText(f'<a href="{link}">{escape(link.capitalize())}</a>' if link else "")
        self.link.setAccessibleName(f"{link.capitalize()}: {what}" if link else "")
        self.link.setVisible(bool(link))
        self.setVisible(True)
        # said to a screen reader too, with the key that takes it back (the link is a Tab stop away); not
        # twice when the page's own message line has just said it
        if not said_just_now(message.rstrip(".")):
            announce(self, f"{message} {'Ctrl+Z' if link == 'undo' else 'Ctrl+Y'} to {link}." if link else message)


class UndoUi(QObject):
    """The Edit menu, its keys and the status-bar notice of one signed-in session on ``window``."""

    def __init__(self, window: MainWindow, ctx: AppContext) -> None:
        super().__init__(window)
        self.window, self.ctx = window, ctx
        # Alt+I: the I of every page's own controls was moved (Import…: Alt+M, Find: Alt+D) or given up
        # where the control has its own key (Add item…: Ctrl+I); test_mnemonics checks no page shares it
        self.menu: QMenu = window.menuBar().addMenu("Ed&it")
        self.menu.setObjectName("edit_menu")
        self.undo_action = QAction("&Undo", window)
        self.undo_action.setObjectName("undo_action")
        self.undo_action.setShortcuts(list(undo_keys()))
        self.redo_action = QAction("&Redo", window)
        self.redo_action.setObjectName("redo_action")
        self.redo_action.setShortcuts(list(redo_keys()))
        for action in (self.undo_action, self.redo_action):
            # the item dialogs and the arrangement form are windows of their own: the keys work there too
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            self.menu.addAction(action)
            window.addAction(action)
        self.undo_action.triggered.connect(self.undo)
        self.redo_action.triggered.connect(self.redo)
        self.notice = UndoNotice(window.statusBar())
        self.notice.link.linkActivated.connect(self._link)
        window.statusBar().addWidget(self.notice, 1)
        self.notice.hide()
        self.text_first = TextFirst(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.text_first)
        ctx.on_undoable = self.offer
        ctx.undo.on_change(self.refresh)
        self.refresh()

    # --- state -----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        stack = self.ctx.undo
        with contextlib.suppress(RuntimeError):  # the window is being taken down
            self.undo_action.setEnabled(stack.can_undo())
            self.undo_action.setText(f"&Undo: {stack.undo_label()}" if stack.can_undo() else "&Undo")
            self.redo_action.setEnabled(stack.can_redo())
            self.redo_action.setText(f"&Redo: {stack.redo_label()}" if stack.can_redo() else "&Redo")
            # the notice's link offers an entry the stack would no longer act on (a signed decision's drafts
            # were dropped; another entry of the same words is next): the notice goes rather than offer a
            # link that does nothing, or something else
            href = self.notice.link.href
            gone = bool(href) and (stack.next_redo() if href == "redo" else stack.next_undo()) is not self.notice.entry
            if gone and self.notice.isVisible():
                self.notice.hide()

    def offer(self, entry: UndoEntry) -> None:
        """Right after a reversible action: say what was done, with the Undo link."""
        self.window.statusBar().clearMessage()
        self.notice.show_entry(f"{entry.label}.", "undo", entry.label, entry)

    def _link(self, href: str) -> None:
        (self.redo if href == "redo" else self.undo)()

    # --- acting ----------------------------------------------------------------------------------------
    def _blocked(self) -> bool:
        return bool(getattr(self.window, "locked", False))

    def undo(self) -> None:
        self._step(redo=False)

    def redo(self) -> None:
        self._step(redo=True)

    def _step(self, *, redo: bool) -> None:
        stack = self.ctx.undo
        if self._blocked() or not (stack.can_redo() if redo else stack.can_undo()):
            return
        attempted = stack.next_redo() if redo else stack.next_undo()
        try:
            entry = stack.redo() if redo else stack.undo()
        except StaleRecord as exc:
            message = str(exc).replace(RELOAD_ADVICE, SHOWN_NOW)
            self.notice.show_entry(message, "", "")
            self.ctx.status_messages.append(message)
            self._refused(attempted)
            if exc.saved_values:  # the fields as saved, to read beside nothing of the person's: the dialog
                self._show_conflict(exc)
            else:  # nothing to compare (an agenda, a deferral): a table of no fields and "Keep editing" said nothing
                self._show_refusal(message, redo=redo)
            return
        except AppError as exc:
            message = f"Not undone: {exc}" if not redo else f"Not redone: {exc}"
            self.notice.show_entry(message, "", "")
            self.ctx.status_messages.append(message)
            self._refused(attempted)
            return
        message = f"Redone: {entry.label}." if redo else f"Undone: {entry.label}."
        self.ctx.status_messages.append(message)
        link = "undo" if redo else ("redo" if stack.can_redo() else "")
        self.notice.show_entry(message, link, entry.label, stack.next_undo() if redo else stack.next_redo())
        self._after(entry)

    def _after(self, entry: UndoEntry) -> None:
        for callback in list(self.ctx.after_undo):
            try:
                callback(entry)
            except RuntimeError:  # a page or dialog that is gone
                with contextlib.suppress(ValueError):
                    self.ctx.after_undo.remove(callback)

    def _refused(self, attempted: UndoEntry | None) -> None:
        """The pages of the refused entry's area show its records as stored now and say it was not undone."""
        if attempted is not None:
            self._after(RefusedEntry(attempted.label, lambda: None, attempted.user_id, attempted.area,
                                     attempted.record))

    def _show_refusal(self, message: str, *, redo: bool) -> None:
        """A plain box with the refusal's words (not modal to the application: the window stays usable)."""
        box = QMessageBox(QMessageBox.Icon.Information, "Not redone" if redo else "Not undone", message,
                          QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("undo_refused")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.refused_box = box
        box.open()

    def _show_conflict(self, exc: StaleRecord) -> None:
        from adoption_desktop.ui.conflict import RELOAD, ConflictDialog

        dialog = ConflictDialog(self.window, exc, {})
        dialog.setWindowTitle("Not undone: changed by someone else")
        dialog.reapply_button.hide()  # an undo is never forced over someone else's change
        dialog.reload_button.setText("&Reload")
        self.conflict_dialog = dialog

        def finished(_result: int) -> None:
            if dialog.choice == RELOAD:
                self._after(UndoEntry(exc.what, lambda: None))

        dialog.finished.connect(finished)
        dialog.open()

    def uninstall(self) -> None:
        """Signing out: the keys, the menu (cleared with the menu bar) and the notice go; the stack is
        emptied so nothing of this user's can be undone by the next."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.text_first)
        for action in (self.undo_action, self.redo_action):
            self.window.removeAction(action)
        self.ctx.on_undoable = None
        self.ctx.after_undo.clear()
        self.ctx.undo.clear()
        self.window.statusBar().removeWidget(self.notice)
        self.notice.deleteLater()
        self.deleteLater()


def confirm_final(parent: QWidget | None, title: str, text: str, *, yes: str = "&Yes, it is final") -> bool:
    """Ask before a final act (sign, approve, forward): it never enters the undo stack. No is the
    default, so Enter alone never does it."""
    from adoption_desktop.ui.ask import ask_yes_no

    return ask_yes_no(parent, title, text, yes=yes, name="confirm_final")


def install_undo(window: MainWindow) -> UndoUi:
    """Called by the main window while it builds its menus (right after File)."""
    return UndoUi(window, window.ctx)
