"""A banner "Being edited by NAME since HH:MM" over an editor, backed by ``core.presence`` leases.

The banner takes a lease while its host (a dialog, the minutes editor) is shown, renews it every
``RENEW_SECONDS`` and releases it when the host is hidden or closed; a crash simply lets it lapse. It asks
who else is editing every ``REFRESH_SECONDS`` and whenever its window is activated (the first person learns
of the second within seconds, not at the next renewal).
Presence is a courtesy: any failure talking to the database is ignored (saves are protected by versions)."""

from __future__ import annotations

import contextlib
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from adoption_desktop.core import presence
from adoption_desktop.ui.context import AppContext


class PresenceBanner(QLabel):
    def __init__(self, ctx: AppContext, host: QWidget, entity: str = "", entity_id: object = None, *,
                 editing: bool = True) -> None:
        """``editing=False`` for someone who may only read the record: they see who is editing it but
        take no lease (nobody is told they are "editing")."""
        super().__init__(host)
        self.ctx, self.host, self.editing = ctx, host, editing
        self.setObjectName("presence_banner")
        self.setWordWrap(True)
        self.setStyleSheet("background: #FFF4CE; color: #4A3B00; padding: 4px; border: 1px solid #E0C060;")
        self.setVisible(False)
        self.entity, self.entity_id = entity, entity_id
        self.lease: presence.Lease | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(presence.REFRESH_SECONDS * 1000)
        self.renewed_at = 0.0  # time.monotonic() of the last acquire or renewal
        self.timer.timeout.connect(self.tick)
        host.installEventFilter(self)
        if entity and host.isVisible():
            self.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.host:
            if event.type() == QEvent.Type.Show and self.entity:
                self.start()
            elif event.type() == QEvent.Type.WindowActivate and self.timer.isActive():
                self.refresh()  # back to this window: say at once who else has the record open
            elif event.type() in (QEvent.Type.Hide, QEvent.Type.Close):
                self.stop()
        return False

    def set_target(self, entity: str, entity_id: object) -> None:
        """Another record is now on screen (the minutes editor moves from item to item)."""
        if (entity, str(entity_id)) == (self.entity, str(self.entity_id)) and self.lease is not None:
            return
        self.stop()
        self.entity, self.entity_id = entity, entity_id
        if self.host.isVisible():
            self.start()

    def start(self) -> None:
        if self.lease is None and self.editing:
            with contextlib.suppress(Exception):
                self.lease = presence.acquire(self.ctx.db, self.ctx.principal, self.entity, self.entity_id)
                self.renewed_at = time.monotonic()
        self.refresh()
        self.timer.start()

    def tick(self) -> None:
        """Every ``REFRESH_SECONDS``: who else is editing; the lease is renewed every ``RENEW_SECONDS``.
        Skipped while a save on this thread waits for a colleague's write (the window is redrawn meanwhile,
        so timers fire): the next tick renews (a lease lasts several renewals)."""
        if self.ctx.db.waiting_for_writer:
            return
        if self.lease is not None and time.monotonic() - self.renewed_at >= presence.RENEW_SECONDS - 1:
            with contextlib.suppress(Exception):
                self.lease = presence.renew(self.ctx.db, self.ctx.principal, self.lease)
                self.renewed_at = time.monotonic()
        self.refresh()

    def refresh(self) -> None:
        text = ""
        with contextlib.suppress(Exception):
            text = presence.banner_text(presence.who_is_editing(
                self.ctx.db, self.ctx.principal, self.entity, self.entity_id, mine=self.lease),
                me=self.ctx.principal.user_id)
        self.setText(text)
        self.setVisible(bool(text))

    def stop(self) -> None:
        self.timer.stop()
        lease, self.lease = self.lease, None
        if lease is not None:
            with contextlib.suppress(Exception):
                presence.release(self.ctx.db, self.ctx.principal, lease)
        self.setVisible(False)


def attach_banner(ctx: AppContext, dialog: QWidget, entity: str, entity_id: object, *,
                  editing: bool = True) -> PresenceBanner:
    """A banner at the top of ``dialog`` (whose layout is a box layout), leased while the dialog is open."""
    from PySide6.QtWidgets import QBoxLayout

    banner = PresenceBanner(ctx, dialog, entity, entity_id, editing=editing)
    layout = dialog.layout()
    if isinstance(layout, QBoxLayout):
        layout.insertWidget(0, banner)
    return banner
