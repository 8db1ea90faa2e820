"""The guide's *Keyboard shortcuts* page, filled in from the program's real actions when it is shown.

The menus' keys are read from the menu bar of the running window (whatever the menus hold today); each
area's own keys are listed from :data:`AREA_KEYS`, which ``tests/ui/test_guide.py`` checks against the
shortcuts the area pages really create, so a key added, changed or removed fails the test until the
list says so. The "Who has seen this…" key (administrators) is added to the pages and windows that have the
button from :data:`adoption_desktop.ui.record_history.WHERE`, where the button is defined; it is listed
only to people who may use it (``audit.view``), as are each area's keys only to those who open the area.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.ui import record_history

if TYPE_CHECKING:
    from adoption_desktop.ui.main_window import MainWindow

MARKER = "<!-- generated: menu keys -->"
AREA_MARKER = "<!-- generated: area keys -->"

#: area → [(keys, what they do)], in the order a user meets them
AREA_KEYS: dict[str, list[tuple[str, str]]] = {
    "Panel": [
        ("Ctrl+N", "new sitting (or a run of recurring sittings)"),
        ("Ctrl+I", "add an item to the selected sitting's agenda"),
        ("Alt+Up", "move the selected agenda item up"),
        ("Alt+Down", "move the selected agenda item down"),
        ("Ctrl+D", "declare an interest on the selected item"),
        ("Ctrl+F", "find a case on any sitting (Search everywhere, as Ctrl+K)"),
        ("P", "attendance list: present, then the next person"),
        ("A", "attendance list: apologies, then the next person"),
        ("X", "attendance list: absent, then the next person"),
        ("Ctrl+PgDown", "minutes: next item"),
        ("Ctrl+PgUp", "minutes: previous item"),
        ("Alt+1", "minutes: the first outcome"),
        ("Alt+2", "minutes: the second outcome"),
        ("Alt+3", "minutes: deferred"),
        ("Alt+4", "minutes: vote unanimous"),
        ("Alt+5", "minutes: vote by majority"),
        ("Ctrl+M", "minutes: vote by majority"),
        ("Ctrl+S", "minutes: save the draft now (it also saves itself as you type)"),
        ("Ctrl+Shift+S", "minutes: send the item's minutes to the chair"),
        ("Ctrl+Shift+A", "minutes: approve (chair; asks for your password)"),
        ("Ctrl+Shift+Z", "minutes: undo every change since the last save"),
        ("Ctrl+Shift+E", "export the sitting's minutes as a Word document"),
    ],
    "ADM decisions": [
        ("Ctrl+N", "new decision without panel"),
        ("Ctrl+S", "decision: save the draft (as Save draft, Alt+V)"),
        ("Ctrl+F", "find a decision by reference or initials"),
        ("Ctrl+Shift+I", "ask for more information on the decision shown (the statutory clock pauses)"),
        ("Ctrl+P", "save a day's letters as one PDF"),
        ("F5", "refresh the queue"),
    ],
    "Letterbox": [
        ("Ctrl+Shift+L", "log an item received or sent (Ctrl+L locks, as everywhere)"),
        ("Ctrl+F", "find in the register shown (from the work list: in the items register)"),
    ],
    "Counselling": [
        ("Ctrl+N", "new referral"),
        ("Ctrl+F", "find a case by name, reference or counsellor"),
        ("F5", "refresh, back to the waiting-list order"),
    ],
    "Administration": [
        ("F5", "refresh the tab shown (each tab also refreshes when it is shown)"),
    ],
    "Reports": [
        ("Esc", "stop counting while the figures are being worked out"),
    ],
    "Letterbox arrangement window": [],
    "Letterbox item window": [
        ("Ctrl+Return", "screen the text typed or read from the scan"),
        ("F5", "show the item's stored text (the text screened) in place of the text on screen"),
    ],
    "Counselling case window": [
        ("F5", "reload the case"),
    ],
    "Guide window": [
        ("F1", "open the guide at the page for where you are (from anywhere in the program)"),
        ("Alt+Left", "back"),
        ("Alt+Right", "forward"),
        ("Ctrl+F", "search the guide"),
        ("Esc", "close the guide"),
    ],
}

#: a key only administrators have (``audit.view``) says so at the end of what it does
ADMINISTRATORS = " (administrators)"
for _heading, _what in record_history.WHERE.values():
    AREA_KEYS.setdefault(_heading, []).append((record_history.SHORTCUT, _what + ADMINISTRATORS))

#: the navigation key each area's keys belong to (the test opens these pages)
AREA_PAGES: dict[str, str] = {"Panel": "panel", "ADM decisions": "adm", "Letterbox": "letterbox",
                              "Counselling": "counselling", "Reports": "reports",
                              "Administration": "admin"}
#: the area each window's keys belong to: listed only to people who open the area
WINDOW_AREAS: dict[str, str] = {"Letterbox arrangement window": "letterbox", "Letterbox item window": "letterbox",
                                "Counselling case window": "counselling"}


def key_text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def menu_rows(window: MainWindow) -> list[tuple[str, str]]:
    """(menu → item, keys) for every menu item with a key, from the window's menu bar as it is now."""
    rows: list[tuple[str, str]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()
            if isinstance(sub, QMenu):
                walk(sub, f"{path} → {text}")
            elif not action.isSeparator() and not action.shortcut().isEmpty():
                rows.append((f"{path} → {text}", key_text(action.shortcut())))

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            walk(menu, top.text().replace("&", ""))
    seen = {keys for _, keys in rows}
    for action in window.findChildren(QAction):  # window-wide actions that are in no menu
        if not action.shortcut().isEmpty() and key_text(action.shortcut()) not in seen and action.text():
            rows.append((action.text().replace("&", "").rstrip("…"), key_text(action.shortcut())))
            seen.add(key_text(action.shortcut()))
    return rows


def fill(window: MainWindow | None, html: str) -> str:
    """The shipped page with its two tables filled in."""
    if window is not None and window.menuBar().actions():
        menu = "".join(f"<tr><td><kbd>{escape(k)}</kbd></td><td>{escape(t)}</td></tr>"
                       for t, k in menu_rows(window))
        menu_table = f'<table border="1" cellspacing="0">{menu}</table>'
    else:
        menu_table = "<p>(Sign in to see the menus' keys.)</p>"
    areas = []
    mine = {t.key for t in window.targets} if window is not None else set(AREA_PAGES.values())
    audits = window is None or window.ctx.can(Permission.AUDIT_VIEW)
    for area, all_keys in AREA_KEYS.items():
        if AREA_PAGES.get(area, WINDOW_AREAS.get(area, "")) not in mine | {""}:
            continue  # an area this person's roles do not open
        keys = [(k, t) for k, t in all_keys if audits or not t.endswith(ADMINISTRATORS)]
        if not keys:
            continue
        rows = "".join(f"<tr><td><kbd>{escape(k)}</kbd></td><td>{escape(t)}</td></tr>" for k, t in keys)
        areas.append(f"<h3>{escape(area)}</h3><table border=\"1\" cellspacing=\"0\">{rows}</table>")
    return html.replace(MARKER, menu_table).replace(AREA_MARKER, "".join(areas))
