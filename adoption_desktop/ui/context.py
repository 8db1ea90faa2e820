"""What every page receives: the open database, who is signed in, the task runner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.undo import UndoEntry, UndoStack

if TYPE_CHECKING:
    from adoption_desktop.core.storage.engine import Database
    from adoption_desktop.ui.tasks import TaskRunner


@dataclass
class AppContext:
    db: Database
    principal: Principal
    tasks: TaskRunner
    #: every message given to :meth:`notify`, newest last (tests read it)
    status_messages: list[str] = field(default_factory=list)
    #: set by the main window to show a message in its status bar
    on_message: Callable[[str], None] | None = None
    #: this signed-in session's undo stack (a new context, so a new stack, at every sign-in)
    undo: UndoStack = field(default_factory=UndoStack)
    #: set by the main window (``ui.undo``): show "… Undo" in the status bar after a reversible action
    on_undoable: Callable[[UndoEntry], None] | None = None
    #: pages that show records an undo may change refresh themselves (called after every undo or redo)
    after_undo: list[Callable[[UndoEntry], None]] = field(default_factory=list)
    #: set when this session's user signed out (``ui.session_switch.sign_out``): work of theirs still on the
    #: call stack (the code after an editor's exec(), ``ui.modal``) does nothing more
    ended: bool = False
    #: this computer's date now (tests give a clock of their own). The pages read it whenever they count a
    #: deadline or a wait, never once for the whole session: the window stays open for days
    today: Callable[[], dt.date] = dt.date.today
    #: pages whose lists count from today read them again when the date changes while the window is open
    #: (midnight, a PC woken after a night or a weekend): called by the main window's ``ui.day_watch.DayWatch``
    after_new_day: list[Callable[[dt.date], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.undo.set_owner(self.principal.user_id)

    def did(self, entry: UndoEntry | None) -> None:
        """A reversible action was done: put it on the undo stack and offer Undo in the status bar."""
        if entry is None:
            return
        self.undo.push(entry)
        self.status_messages.append(f"{entry.label}. Undo (Ctrl+Z)")
        if self.on_undoable is not None:
            self.on_undoable(entry)

    def notify(self, text: str) -> None:
        """Tell the user something finished (a batch written, a file saved) without a dialog."""
        self.status_messages.append(text)
        if self.on_message is not None:
            self.on_message(text)

    def change_own_password(self, current: str, new: str) -> None:
        """The signed-in user changes their own password: their other sessions end, this one goes on as
        the principal the change returns."""
        from adoption_desktop.core.security import service as security

        self.principal = security.change_own_password(self.db, self.principal, current, new)

    def can(self, permission: object) -> bool:
        from adoption_desktop.core.security.permissions import Permission

        return isinstance(permission, Permission) and self.principal.can(permission)


class CountsFromToday:
    """A page that counts deadlines and waits from today: :attr:`today` is the day given (tests), otherwise
    the context's date now, read each time (the window stays open across midnight, a weekend, a bank
    holiday). The page sets ``self.ctx`` and ``self._today``."""

    ctx: AppContext
    _today: dt.date | None

    @property
    def today(self) -> dt.date:
        return self._today or self.ctx.today()

    @today.setter
    def today(self, day: dt.date | None) -> None:
        self._today = day
