"""What every page receives: the open database, who is signed in, the task runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from adoption_desktop.core.security.permissions import Principal

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

    def notify(self, text: str) -> None:
        """Tell the user something finished (a batch written, a file saved) without a dialog."""
        self.status_messages.append(text)
        if self.on_message is not None:
            self.on_message(text)

    def can(self, permission: object) -> bool:
        from adoption_desktop.core.security.permissions import Permission

        return isinstance(permission, Permission) and self.principal.can(permission)
