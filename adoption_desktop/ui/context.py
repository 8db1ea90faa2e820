"""What every page receives: the open database, who is signed in, the task runner."""

from __future__ import annotations

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
    #: the main window registers callbacks to show messages in its status bar
    status_messages: list[str] = field(default_factory=list)

    def can(self, permission: object) -> bool:
        from adoption_desktop.core.security.permissions import Permission

        return isinstance(permission, Permission) and self.principal.can(permission)
