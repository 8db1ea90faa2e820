"""Sign out / switch user on one running window (File menu and the lock screen).

:func:`sign_out` keeps every autosaved draft (pending ones are written now, ``core/drafts.py``), closes
the open dialogs (a dialog that refuses to close stops the sign-out, nothing is lost), records the
sign-out in the audit log, takes the signed-in user's pages and menus down and shows the sign-in
dialog on the same database. The next user's sign-in is audited by ``security.authenticate``; they get
their own My work. Cancelling the sign-in dialog closes the window.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QWidget

from adoption_desktop.ui.autosave import NOT_KEPT_ON_SCREEN, DraftAutosaver, unkept_savers
from adoption_desktop.ui.clipboard_guard import clear_own_clipboard

if TYPE_CHECKING:
    from adoption_desktop.core.security.permissions import Principal
    from adoption_desktop.core.storage.engine import Database
    from adoption_desktop.ui.main_window import MainWindow

#: asks who signs in next; the default shows the sign-in dialog (tests pass their own)
SignIn = Callable[["QWidget", "Database"], "Principal | None"]


class PendingEdits(Protocol):
    """An editor with its own autosave (the panel minutes editor), a window whose edits are saved only by
    its own buttons (the letterbox item and arrangement windows, the counselling forms), or a pane whose typing
    is kept as drafts but may be kept nowhere once its drafts stopped (the ADM's decision): ``save_pending_edits``
    writes what waits for its timer now (False: still unsaved, e.g. refused by the service, or a window that
    saves nothing on the way out); ``confirm_discard_edits`` asks "keep editing / discard" about what is
    still unsaved (True: nothing left, or discarded; False: kept, the editor brought forward)."""

    def save_pending_edits(self) -> bool: ...

    def confirm_discard_edits(self) -> bool: ...


def _own_context(widget: QWidget) -> object | None:
    """``widget.ctx``, or None: the main window's raises until a database is attached (its start surface)."""
    try:
        return getattr(widget, "ctx", None)
    except RuntimeError:
        return None


def context_of(widget: QWidget) -> object | None:
    """The session (``AppContext``) a window was opened in: its own ``ctx``, or its nearest parent's."""
    w: QWidget | None = widget
    while w is not None:
        ctx = _own_context(w)
        if ctx is not None:
            return ctx
        w = w.parentWidget()
    return None


def pending_editors(window: QWidget) -> list[QWidget]:
    """The editors with their own autosave in ``window`` and every other top-level window opened in the
    same session (a window left from another session, e.g. another main window's, is not this one's to
    ask about)."""
    ours = _own_context(window)
    found: list[QWidget] = []
    for top in [window, *QApplication.topLevelWidgets()]:  # a parentless editor window is a top-level itself
        found.extend(w for w in [top, *top.findChildren(QWidget)]
                     if callable(getattr(w, "save_pending_edits", None))
                     and callable(getattr(w, "confirm_discard_edits", None))
                     and (ours is None or context_of(w) in (None, ours)))
    return list(dict.fromkeys(found))


def kept_editor(window: QWidget) -> QWidget | None:
    """After :func:`save_pending_drafts`: for each editor whose edits could not be saved, ask "keep
    editing / discard". The first editor the user keeps editing (its page brought forward; an editor
    window brings itself forward), or None when every one was saved or discarded."""
    for editor in pending_editors(window):
        if not cast(PendingEdits, editor).confirm_discard_edits():
            pages: dict[str, QWidget] = getattr(window, "_pages", {})
            for key, page in pages.items():  # the editor's page forward, as the sidebar would
                if page.isAncestorOf(editor) and editor.window() is window:
                    open_target = getattr(window, "open_target", None)
                    if callable(open_target):
                        open_target(key)
            return editor
    return None


def confirm_pending_edits(window: QWidget) -> bool:
    """:func:`kept_editor` as a yes/no: False as soon as the user keeps editing (the window stays, nothing
    is lost)."""
    return kept_editor(window) is None


def save_pending_drafts(window: QWidget) -> int:
    """Write every draft waiting for its autosave timer now, the minutes editor's included; returns how
    many ``DraftAutosaver`` drafts could not be saved (the server can't be reached: their text is still
    only on screen). Editors whose edits stay unsaved are asked about by :func:`confirm_pending_edits`."""
    for editor in pending_editors(window):
        cast(PendingEdits, editor).save_pending_edits()
    savers: list[DraftAutosaver] = []
    for top in [window, *QApplication.topLevelWidgets()]:
        savers.extend(top.findChildren(DraftAutosaver))
    for saver in dict.fromkeys(savers):
        if saver.due:  # waiting for its timer; or refused by a full disk, or by an audit hold acknowledged since
            saver.save_now()
    return sum(1 for saver in dict.fromkeys(savers) if saver.unsaved)


#: a sign-out stopped because typed text could not be saved (closing its windows would lose it)
SIGN_OUT_UNSAVED = ("Not signed out: the server can't be reached, and {n} typed draft(s) are not saved yet. "
                    "Your work is kept on screen; sign out when the server is back.")


#: a sign-out stopped because the user kept editing minutes that could not be saved
SIGN_OUT_KEPT_EDITING = ("Not signed out: the minutes you are editing could not be saved. Fix what the message "
                         "under them says and save (Ctrl+S), or revert (Ctrl+Shift+Z), then sign out.")


#: a sign-out stopped because the user kept editing a window (a letterbox item, a form) whose typing is not saved
SIGN_OUT_KEPT_WINDOW = ("Not signed out: “{title}” holds typing that is not saved. It is kept in its window: "
                        "finish it there, or close the window and choose Discard, then sign out.")


#: a sign-out stopped because the user kept typing that is kept nowhere: drafts stopped (the account changed since
#: signing in, the database takes no saves); ``note`` is what was said when they stopped (what to copy, what to do)
SIGN_OUT_NOT_KEPT = ("Not signed out, so that what you typed is not lost. {note} Signing out again asks once more: "
                     "choose Discard when you have copied what you need.")


#: the same, asked at the lock screen (Sign out / Switch user): the window is hidden until its user unlocks
SIGN_OUT_KEPT_LOCKED = ("Not signed out: “{title}” holds typing that is not saved, and it is kept. Unlock to "
                        "finish it there and save it, then sign out; or choose Sign out / Switch user again and "
                        "Discard it.")


def close_open_windows(window: MainWindow) -> bool:
    """Close every other top-level window the user opened (dialogs, case windows). False if one refused
    (e.g. it asked about unsaved changes and the user chose to stay)."""
    def ours(w: QWidget) -> bool:  # opened from this window, or a parentless window of this program
        if w.parentWidget() is None:
            return not isinstance(w, QMainWindow)
        p: QWidget | None = w
        while p is not None:
            if p is window:
                return True
            p = p.parentWidget()
        return False

    from adoption_desktop.ui.idle_lock import LockWindow, real_title

    others = [w for w in QApplication.topLevelWidgets()
              if w is not window and (w.isVisible() or w in window._hidden_while_locked)
              and w.window() is w and not w.inherits("QMenu") and not isinstance(w, LockWindow) and ours(w)]
    for w in others:  # a window the lock covers (a modal editor) stays covered as it closes
        hidden = w in window._hidden_while_locked
        if hidden:  # closed as an open window (its own question comes), but nothing of it reaches the screen
            w.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            w.show()
        try:
            closing = getattr(w, "close_for_sign_out", None)
            if callable(closing):  # a window with a question that is not for whoever stands at the lock screen
                closing()
            elif isinstance(w, QDialog):
                w.reject()  # a form with typing asks "Discard what you typed?" here
            # a dialog still open after that chose Keep editing: not closed as well, which asked the question again
            if not w.isVisible() or not (callable(closing) or isinstance(w, QDialog)):
                w.close()
            kept = w.isVisible()
            if kept and hidden:
                w.hide()  # kept, hidden again behind the lock screen until its user unlocks
        finally:
            if hidden:
                w.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, False)
        if kept:
            _say_at_lock_screen(window, SIGN_OUT_KEPT_LOCKED.format(title=real_title(w)))
            return False
    window._hidden_while_locked = []
    window._veils = []  # each went with its window
    return True


def _say_at_lock_screen(window: MainWindow, message: str) -> None:
    """Why a sign-out asked at the lock screen stopped, said there: the status bar is hidden while locked."""
    if window.locked and window.lock_screen is not None:
        window.lock_screen.message.setText(message)


def detach(window: MainWindow) -> None:
    """Take the signed-in user's pages, menus, shortcuts and lock screen down (the database stays open)."""
    from adoption_desktop.ui.navigation import placeholder

    app = QApplication.instance()
    if window.idle is not None:
        window.idle.pause()
        if app is not None:
            app.removeEventFilter(window.idle)
        window.idle.deleteLater()
        window.idle = None
    if window.day_watch is not None:
        window.day_watch.stop()
        window.day_watch.deleteLater()
        window.day_watch = None
    namer = getattr(window, "_dialog_namer", None)
    if app is not None and namer is not None:  # attach installs the next user's (they stacked up, one a switch)
        app.removeEventFilter(namer)
        namer.deleteLater()
        window._dialog_namer = None
    with contextlib.suppress(RuntimeError, TypeError):
        window.nav.currentRowChanged.disconnect(window._show_row)
    for action in window.nav_actions.values():
        window.removeAction(action)
    window.nav_actions.clear()
    # Ctrl+K and its popup belong to the user who signed out (their roles decide what it searches)
    search = getattr(window, "search_everywhere", None)
    if search is not None:
        window.removeAction(search.action)
        if search.dialog is not None:
            search.dialog.close()
            search.dialog.deleteLater()
        search.deleteLater()
        window.search_everywhere = None
    # the Edit menu's keys and the status-bar Undo link; the signed-out user's undo stack is emptied
    undo_ui = getattr(window, "undo_ui", None)
    if undo_ui is not None:
        undo_ui.uninstall()
        window.undo_ui = None
    window.menuBar().clear()
    window.menuBar().setEnabled(True)
    window.nav.clear()
    window.nav.setEnabled(False)
    while window.stack.count():
        page = window.stack.widget(0)
        if page is None:
            break
        window.stack.removeWidget(page)
        page.deleteLater()
    window._pages.clear()
    window.targets = []
    window.opening = placeholder("Adoption Desktop", "Signed out. Waiting for the next person to sign in…")
    window.stack.addWidget(window.opening)
    if window.locked:  # signed out at the lock screen: the status bar it hid is back for the next person
        window.statusBar().setVisible(window._status_shown_at_lock)
        window._focus_at_lock = None
    window.statusBar().clearMessage()  # nothing the signed-out user was told is left for the next to read
    window._end_lock_window()  # the lock screen's own window, when the lock covered a modal editor
    if window.lock_screen is not None:
        window.outer.removeWidget(window.lock_screen)
        window.lock_screen.deleteLater()
        window.lock_screen = None
    window.outer.setCurrentWidget(window.workspace)
    window.show_user("Not signed in")


def default_sign_in(parent: QWidget, db: Database) -> Principal | None:
    from adoption_desktop.app import audit_alert, sign_in

    principal = sign_in(parent, db)
    if principal is not None:
        audit_alert(parent, db, principal)
    return principal


def sign_out(window: MainWindow, *, ask: SignIn | None = None, reason: str = "") -> Principal | None:
    """Sign the current user out and let the next one sign in on the same window and database.

    Returns the new user, or None if the sign-out was stopped (a dialog stayed open) or nobody signed in
    (then the window closes)."""
    from adoption_desktop.core.security import service as security
    from adoption_desktop.ui.context import AppContext

    ctx = window.ctx
    if unsaved := save_pending_drafts(window):  # closing their windows now would lose what was typed
        window.statusBar().showMessage(SIGN_OUT_UNSAVED.format(n=unsaved), 15000)
        _say_at_lock_screen(window, SIGN_OUT_UNSAVED.format(n=unsaved))
        return None
    kept = kept_editor(window)  # edits refused or not saved: the user keeps editing them
    if kept is not None:
        from adoption_desktop.ui.idle_lock import real_title

        unkept = unkept_savers(kept)
        if unkept:  # its drafts stopped: said here too, where the person is (the pane's note may be gone)
            message = SIGN_OUT_NOT_KEPT.format(note=unkept[0].unkept_note or NOT_KEPT_ON_SCREEN)
            window.statusBar().showMessage(message)  # no time-out: it stays while they copy what they need
            _say_at_lock_screen(window, message)
            return None
        title = real_title(kept.window())  # its own, not the lock's cover title
        message = SIGN_OUT_KEPT_EDITING if kept.window() is window else SIGN_OUT_KEPT_WINDOW.format(title=title)
        window.statusBar().showMessage(message, 15000)
        if window.locked and window.lock_screen is not None:  # said where the person is: at the lock screen
            window.lock_screen.message.setText(message if kept.window() is window else
                                               SIGN_OUT_KEPT_LOCKED.format(title=title))
        return None
    if not close_open_windows(window):
        window.statusBar().showMessage("Sign-out stopped: close the open window first (your work is kept).", 10000)
        return None
    save_pending_drafts(window)  # a dialog may have written a draft as it closed
    # what this user copied in the program (an adopters' address) is not left for the next person to paste;
    # what they copied in another program is left
    clear_own_clipboard()
    # work still running for this user (a backup, a page loading, a password check at the lock screen)
    # finishes and reaches its page first
    window.finish_unlock_check()
    ctx.tasks.wait(30_000)
    QApplication.processEvents()
    security.sign_out(ctx.db, ctx.principal, reason=reason)
    # an editor's exec() this sign-out closed returns only after the next person has signed in: what its
    # caller does next must not run on this user's pages nor in their name (ui.modal.run_modal)
    ctx.ended = True
    idle_minutes = window.idle.timer.interval() / 60_000 if window.idle is not None else None
    detach(window)
    ctx.on_message = None
    window._ctx = None
    principal = (ask or default_sign_in)(window, ctx.db)
    if principal is None:
        window._ctx = ctx  # closeEvent and the caller still know the database; nobody is signed in
        window.close()
        return None
    window.attach(AppContext(ctx.db, principal, ctx.tasks), idle_minutes=idle_minutes)
    if ask is None:  # a person signed in at the dialog: their first time here starts the first-day tour
        from adoption_desktop.ui.guide import offer_first_day_tour

        offer_first_day_tour(window)
    return principal
