"""Editors run with ``exec()`` whose caller goes on afterwards (a save with what was typed, a list refreshed).

Sign out / Switch user at the lock screen closes such an editor as if cancelled, but its ``exec()`` returns
only once the sign-out has finished: after the next person has signed in. The code after it would then run
on the signed-out user's page, in their name. :func:`run_modal` runs the editor and says False when the
session it was opened in has ended meanwhile, and opens nothing once it has (a loop that opens its editor
again); a caller that goes on after a Cancel too asks :func:`session_ended` first.

    while run_modal(dialog):
        ...save...
    if not session_ended(self):
        self.refresh()
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget


def _session_of(widget: QWidget) -> object | None:
    """The session (``AppContext``) ``widget`` was opened in: its own ``ctx``, or its nearest parent's; None
    when none is known (a sign-in dialog) or the widget is gone (its page was taken down at the sign-out)."""
    from adoption_desktop.ui.session_switch import context_of

    try:
        return context_of(widget)
    except RuntimeError:  # the C++ object is deleted
        return None


def _ended(ctx: object | None) -> bool:
    return bool(getattr(ctx, "ended", False))


def session_ended(widget: QWidget) -> bool:
    """Whether the user ``widget`` was opened for has signed out (or the widget went with their pages)."""
    try:
        widget.parentWidget()
    except RuntimeError:
        return True
    return _ended(_session_of(widget))


def run_modal(dialog: QDialog) -> bool:
    """``dialog.exec()``: True when it was accepted, in the session it was opened in. False when it was
    cancelled, or when that session ended while it was open (closed by Sign out / Switch user), or had ended
    before (then it is not opened at all)."""
    ctx = _session_of(dialog)
    if _ended(ctx):
        return False
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return accepted and not _ended(ctx)
