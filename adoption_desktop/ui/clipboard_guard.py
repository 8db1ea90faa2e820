"""What this program put on the clipboard is taken off it when the screen locks, the user signs out or the
program closes.

A coordinator who copies an adoptive family's address (Ctrl+C in a text field, a list's cell, a selectable
label) and then locks the screen or signs out left it on the clipboard of the shared PC: the next person could
paste it. :func:`clear_own_clipboard` (called by ``MainWindow.lock``, ``session_switch.sign_out`` and when the
application is about to quit) empties the clipboard only when it still holds what this program put there;
text the user copied in another program since (an e-mail, a document) is left alone.

Whose the clipboard's content is, per mode (the clipboard; the X11 selection, which selecting text sets, and
the macOS find buffer where the platform has them):

* the platform says so where it can (``QClipboard.ownsClipboard`` and the like: true on Windows, X11 and
  Wayland exactly while this process's data is the current content; always false where the platform cannot
  tell, such as offscreen);
* otherwise it is ours when it changed while a window of this program was the active one (a copy by keyboard
  or from a context menu in our window: a copy in another program happens while that program is in front, our
  ``QApplication.activeWindow()`` None then), or while one of our widgets handled Copy or Cut (Ctrl+C,
  Ctrl+Insert, Ctrl+X, Shift+Delete: a text field, a list's cell, a selectable label) or a context menu's
  choice. A digest of its formats and text is kept (never the text itself) and compared again before
  clearing, so a later copy elsewhere is never wiped on an old record. The digest is an HMAC under a random key
  made when the program starts and never stored: a plain hash of a postcode or a phone number could be turned
  back into it by hashing every possible value, from a memory dump or a crash dump; without the key it cannot.

After the unlock the clipboard stays empty: nothing of the copied text is kept to put back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QWidget

Mode = QClipboard.Mode

#: this process's key for the clipboard digests (:func:`_digest`): random, made at the first digest (the
#: hashing modules cost the first paint ~4 ms when imported at start-up), only ever in memory
_KEY: bytes | None = None


def _modes(clipboard: QClipboard) -> list[Mode]:
    """The clipboard modes this platform has: the clipboard always, X11's selection, macOS's find buffer."""
    modes = [Mode.Clipboard]
    if clipboard.supportsSelection():
        modes.append(Mode.Selection)
    if clipboard.supportsFindBuffer():
        modes.append(Mode.FindBuffer)
    return modes


def _owned(clipboard: QClipboard, mode: Mode) -> bool:
    """The platform's word that this process's data is the current content (False where it cannot tell)."""
    if mode == Mode.Selection:
        return clipboard.ownsSelection()
    if mode == Mode.FindBuffer:
        return clipboard.ownsFindBuffer()
    return clipboard.ownsClipboard()


def _digest(clipboard: QClipboard, mode: Mode) -> bytes | None:
    """A digest of what is on the clipboard in ``mode`` (its formats and its text), None when it is empty: an
    HMAC-SHA-256 under this process's random :data:`_KEY`, so what was copied (a postcode, a phone number) cannot
    be found again by hashing every candidate. Images and other data are represented by their format names only:
    reading them is costly, and the program's own copies are text."""
    data = clipboard.mimeData(mode)
    if data is None:
        return None
    formats = sorted(data.formats())
    text = data.text() if data.hasText() else ""
    if not formats and not text:
        return None
    import hashlib
    import hmac
    import secrets

    global _KEY
    if _KEY is None:
        _KEY = secrets.token_bytes(32)
    h = hmac.new(_KEY, digestmod=hashlib.sha256)
    for name in formats:
        h.update(name.encode("utf-8", "surrogatepass") + b"\0")
    h.update(b"\1" + text.encode("utf-8", "surrogatepass"))
    return h.digest()


def _ours_in_front() -> bool:
    """A window of this program is the active one (a popup menu opened from it keeps it active)."""
    return QApplication.activeWindow() is not None or QApplication.activePopupWidget() is not None


def _copy_or_cut(event: QEvent) -> bool:
    return isinstance(event, QKeyEvent) and (event.matches(QKeySequence.StandardKey.Copy)
                                             or event.matches(QKeySequence.StandardKey.Cut))


class ClipboardGuard(QObject):
    """Watches the clipboard for the application (one per ``QApplication``: see :func:`watch_clipboard`)."""

    def __init__(self, app: QGuiApplication, *, copies_now: bool = True) -> None:
        super().__init__(app)
        self.setObjectName("clipboard_guard")
        self._clipboard = QGuiApplication.clipboard()
        #: per mode, the digest of what this program put there last (absent: not ours, or nothing)
        self._ours: dict[Mode, bytes] = {}
        self._clearing = False
        #: one of our widgets is handling Copy or Cut (or a menu choice) and the clipboard has not changed since
        self._copying = False
        self._clipboard.changed.connect(self._changed)
        app.aboutToQuit.connect(self.clear_own)
        self._app = app
        self._filtering = False
        if copies_now:
            self.note_copies()

    def note_copies(self) -> None:
        """From now on, note the copies our widgets make (:meth:`eventFilter`). An application event filter in
        Python is called for every event of every widget: installed as the main window is made, it cost the
        first paint ~23 ms (the widgets' start-up events), so the main window installs it once it has been
        painted, before anyone can have selected anything to copy."""
        if not self._filtering:
            self._filtering = True
            self._app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Note a copy being made by one of our widgets: Copy/Cut keys, or a choice in a (context) menu."""
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonRelease) or self._copying:
            return False
        if not isinstance(watched, QWidget):
            return False
        if _copy_or_cut(event) or isinstance(watched, QMenu):
            self._copying = True
            QTimer.singleShot(0, self._after_copy)  # once the widget has handled it
        return False

    def _record(self, mode: Mode) -> None:
        digest = _digest(self._clipboard, mode)
        if digest is None:
            self._ours.pop(mode, None)
        else:
            self._ours[mode] = digest

    def _after_copy(self) -> None:
        """After a copy by one of our widgets whose change the clipboard has not announced (yet): what is there
        is ours if the platform says so (Windows announces changes later; a Ctrl+C with nothing selected
        changes nothing)."""
        if not self._copying:
            return
        self._copying = False
        if _owned(self._clipboard, Mode.Clipboard):
            self._record(Mode.Clipboard)

    def _changed(self, mode: Mode) -> None:
        if self._clearing:
            return
        if mode == Mode.Clipboard and self._copying:  # the change made by the copy one of our widgets is handling
            self._copying = False
            self._record(mode)
        elif _ours_in_front():
            self._record(mode)
        elif mode in self._ours and _digest(self._clipboard, mode) != self._ours[mode]:
            del self._ours[mode]  # another program's copy (read once: nothing is recorded for it)

    def holds_own(self, mode: Mode = Mode.Clipboard) -> bool:
        """The clipboard (or ``mode``) still holds what this program put there."""
        self._after_copy()  # a copy whose check has not run yet (no event processed since) is taken in first
        if _owned(self._clipboard, mode):
            return True
        kept = self._ours.get(mode)
        return kept is not None and kept == _digest(self._clipboard, mode)

    def clear_own(self) -> bool:
        """Empty each clipboard mode that still holds what this program put there; True if any was emptied."""
        cleared = False
        for mode in _modes(self._clipboard):
            if self.holds_own(mode):
                self._clearing = True
                try:
                    self._clipboard.clear(mode)
                finally:
                    self._clearing = False
                cleared = True
            self._ours.pop(mode, None)  # not ours (any more): never cleared later on an old record
        return cleared


def watch_clipboard(*, copies_now: bool = True) -> ClipboardGuard | None:
    """The application's clipboard guard, made on the first call (the main window's construction: before any
    of the program's windows can copy). None without a ``QGuiApplication``."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return None
    guard = app.findChild(ClipboardGuard, "clipboard_guard")
    if guard is None:
        guard = ClipboardGuard(app, copies_now=copies_now)
    elif copies_now:
        guard.note_copies()
    return guard


def clear_own_clipboard() -> bool:
    """Take what this program put on the clipboard off it (the lock, the sign-out, the program closing);
    what another program put there is left. True if something was taken off."""
    guard = watch_clipboard()
    return guard.clear_own() if guard is not None else False
