"""The navigation targets and how their pages are found.

A feature page lives in ``adoption_desktop.<feature>.views.page`` and exposes
``create_page(ctx: AppContext) -> QWidget``. It is imported only when first opened (start-up imports only
what the first window needs). Missing modules show a "coming soon" page.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.ui.context import AppContext


@dataclass(frozen=True)
class NavTarget:
    key: str
    title: str
    shortcut: str
    module: str
    permissions: tuple[Permission, ...]  # any one of these shows the target
    #: the Go menu's text, its Alt letter marked with "&" (one letter per item of the menu)
    menu_text: str = ""


NAV_TARGETS: tuple[NavTarget, ...] = (
    # every signed-in user has work: no permission needed (each section checks its own)
    NavTarget("my_work", "My work", "Ctrl+0", "adoption_desktop.ui.my_work", (), "&My work"),
    NavTarget("panel", "Panel", "Ctrl+1", "adoption_desktop.panel.views.page",
              (Permission.PANEL_VIEW,), "&Panel"),
    NavTarget("adm", "ADM decisions", "Ctrl+2", "adoption_desktop.adm.views.page", (Permission.ADM_VIEW,),
              "A&DM decisions"),
    NavTarget("letterbox", "Letterbox", "Ctrl+3", "adoption_desktop.letterbox.views.page",
              (Permission.LETTERBOX_VIEW,), "&Letterbox"),
    NavTarget("counselling", "Counselling", "Ctrl+4", "adoption_desktop.counselling.views.page",
              (Permission.COUNSELLING_VIEW, Permission.REPORTS_VIEW), "&Counselling"),
    NavTarget("reports", "Reports", "Ctrl+5", "adoption_desktop.reports.views.page",
              (Permission.REPORTS_VIEW,), "&Reports"),
    NavTarget("admin", "Administration", "Ctrl+6", "adoption_desktop.ui.admin_page",
              (Permission.USERS_MANAGE, Permission.AUDIT_VIEW, Permission.SETTINGS_MANAGE), "&Administration"),
)


def allowed(target: NavTarget, ctx: AppContext) -> bool:
    return not target.permissions or any(ctx.principal.can(p) for p in target.permissions)


def placeholder(title: str, text: str) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    heading = QLabel(title)  # plain text: rich text layout is slow on the start-up path
    font = heading.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    heading.setFont(font)
    layout.addWidget(heading)
    label = QLabel(text)
    label.setWordWrap(True)
    layout.addWidget(label)
    layout.addStretch(1)  # keeps the text at the top without touching the Qt namespace at start-up
    return page


def create_page(target: NavTarget, ctx: AppContext) -> QWidget:
    if not allowed(target, ctx):
        return placeholder(target.title, "Your roles do not include this area.")
    if importlib.util.find_spec(target.module) is None:
        return placeholder(target.title, "Coming soon.")
    module = importlib.import_module(target.module)
    page: QWidget = module.create_page(ctx)
    return page
