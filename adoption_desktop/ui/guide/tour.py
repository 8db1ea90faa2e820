"""The first-day tour: a few steps through the pages a person's roles give them, My work first.

Started once per person and database on this PC (remembered in the per-user settings file, key
``first_day_tour_seen``), the first time they sign in; Help → First-day tour opens it again. It is a
small window beside the page (not modal): each step shows its page in the main window, so the person
sees what the step describes. Next/Back (Alt+N/Alt+B), Open the guide page (Alt+G), Close (Esc).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from adoption_desktop.core.security.permissions import Permission, Principal

if TYPE_CHECKING:
    from adoption_desktop.core.config import LocalConfig
    from adoption_desktop.ui.guide import GuideHelp
    from adoption_desktop.ui.main_window import MainWindow

CONFIG_KEY = "first_day_tour_seen"


@dataclass(frozen=True)
class Step:
    key: str | None  # the navigation key of the page shown, or None to stay
    title: str
    text: str
    topic: str  # the guide page with more
    tab: str | None = None  # a tab of that page to show


def steps_for(principal: Principal, keys: list[str]) -> list[Step]:
    """The tour for this person: My work, then each area their roles use, then the helpers."""
    can = principal.can
    out = [Step("my_work", "My work: where every day starts",
                "This page lists what is waiting for <b>you</b>, most urgent first: overdue lines in red, "
                "lines due soon in amber. Use the arrow keys and press <b>Enter</b> (or double-click) to open a "
                "line on its own page. <b>Ctrl+0</b> brings you back here from anywhere.", "my-work.html")]
    if can(Permission.PANEL_APPROVE_MINUTES) and not can(Permission.PANEL_EDIT):
        out.append(Step("panel", "Panel: approving minutes",
                        "As chair you read each item's minutes on the <b>Minutes</b> tab of a sitting. When they "
                        "are right, press <b>Approve…</b> (Ctrl+Shift+A) and type your password: the "
                        "recommendation then goes to the Agency Decision Maker. Approved minutes never change; a "
                        "correction is a new version.", "panel-minutes.html", "Minutes"))
    if can(Permission.PANEL_EDIT):
        out += [
            Step("panel", "Panel: sittings and agendas",
                 "Book sittings (<b>Ctrl+N</b>), add the cases to each agenda (<b>Ctrl+I</b>) and tick off papers "
                 "as they arrive: late papers are flagged against the deadline (5 working days before, unless "
                 "your agency set another).", "panel-sittings.html", "Sittings"),
            Step("panel", "Panel: attendance and minutes",
                 "On the day, record who is present (P, A, X on the Attendance tab) and any declarations of "
                 "interest; quorum is checked for each item. Draft the minutes on the Minutes tab while the "
                 "panel sits: they save themselves as you type. Send them to the chair with Ctrl+Shift+S.",
                 "panel-attendance.html", "Attendance"),
            Step("panel", "Panel: the central list",
                 "The people who may sit on panels, with their appraisal, DBS and training dates. Warnings "
                 "show a month before something falls due.", "panel-central-list.html", "Central list"),
        ]
    if can(Permission.ADM_DECIDE):
        out += [
            Step("adm", "ADM decisions: the queue and the clock",
                 "Every recommendation the chair approves arrives here with its working-day clock (7 working "
                 "days by default). The most urgent is opened on the right. Read the <b>Recommendation</b> "
                 "tab, then record your decision on the <b>Decision</b> tab.", "adm-queue.html"),
            Step("adm", "ADM decisions: signing",
                 "<b>Sign decision…</b> asks for your password again and files the letter. If you need more "
                 "information first, ask for it: the clock pauses and restarts when it is logged. You cannot "
                 "decide an item you sat on at panel.", "adm-decision.html", "Decision"),
        ]
    elif can(Permission.ADM_EDIT):
        out.append(Step("adm", "ADM decisions: following up",
                        "You can open decisions made without panel (Ctrl+N), log information the ADM asked for, "
                        "and record letters sent and oral notifications on the <b>Letters and history</b> tab.",
                        "adm-letters.html"))
    if can(Permission.LETTERBOX_EDIT):
        out += [
            Step("letterbox", "Letterbox: the work list",
                 "Exchanges due this month, due soon and overdue, with the reminder and chase dates. Reminder "
                 "and chaser letters for a month come from the buttons above the list.",
                 "letterbox-work-list.html", "Work list"),
            Step("letterbox", "Letterbox: arrangements",
                 "One written agreement per child: who takes part, what may be sent, and when. Add the "
                 "<b>protected terms</b> (new names, school, home town): screening looks for them.",
                 "letterbox-arrangements.html", "Arrangements"),
            Step("letterbox", "Letterbox: logging and screening items",
                 "<b>Ctrl+Shift+L</b> logs an item as it arrives. Paste or scan the letter and screen it: anything "
                 "that could identify where the child lives is highlighted for you to decide. Nothing is "
                 "forwarded until it has been screened.", "letterbox-screening.html", "Items"),
        ]
    if can(Permission.COUNSELLING_EDIT):
        out += [
            Step("counselling", "Counselling: the waiting list and your cases",
                 "The page opens on the waiting list in its documented order (adopted before 12 November 1975 "
                 "and applicants aged 75 or over first, then longest wait). <b>Show</b> → My cases lists "
                 "yours.", "counselling.html"),
            Step("counselling", "Counselling: working on a case",
                 "Open a case with Enter: records requests with their chase dates, sessions, the redaction "
                 "check, every disclosure, and closure. Letters are made from the case.",
                 "counselling-case.html"),
        ]
    elif "counselling" in keys and can(Permission.REPORTS_VIEW):
        out.append(Step("counselling", "Counselling: counts only",
                        "You see how many cases wait, are open and were closed, never names: counselling "
                        "records are for counsellors.", "counselling.html#counts"))
    if can(Permission.REPORTS_VIEW):
        pack = all(can(p) for p in (Permission.PANEL_VIEW, Permission.ADM_VIEW))
        out.append(Step("reports", "Reports",
                        "Figures for the six-monthly and annual reports (<b>Write report…</b> makes the Word "
                        "document) and the scorecard's timeliness measures"
                        + (", and the Ofsted pack for inspectors" if pack else "")
                        + ". Counts only: no names leave this page.", "reports.html"))
    if can(Permission.USERS_MANAGE) or can(Permission.SETTINGS_MANAGE):
        out.append(Step("admin", "Administration",
                        "Users and their roles, the agency's local-practice settings and closure days, the agency "
                        "profile and letter templates, and the audit log of who did what.", "admin-users.html",
                        "Users"))
    out += [
        Step(None, "Find anything: Ctrl+K",
             "<b>Ctrl+K</b> searches every area you can see: a reference, initials, a name or a date.",
             "search.html"),
        Step(None, "Help is always one key away",
             "<b>F1</b> opens the guide at the page for where you are, in any window. <b>Ctrl+L</b> locks the "
             "screen when you leave your desk; File → <b>Sign out / switch user</b> lets a colleague sign in. "
             "This tour is under Help → First-day tour.", "first-day.html"),
    ]
    return [s for s in out if s.key is None or s.key in keys]


def _identity(window: MainWindow) -> str:
    return f"{window.ctx.principal.username}@{window.ctx.db.label}"


def _config(window: MainWindow) -> LocalConfig | None:
    """The window's own settings file object: it writes the window's place on closing, so a second copy
    would lose what the other wrote."""
    from adoption_desktop.core.config import LocalConfig, app_paths

    config = getattr(window, "_config", None)
    if isinstance(config, LocalConfig):
        return config
    try:
        return LocalConfig(app_paths().settings_file)
    except OSError:
        return None


def seen(window: MainWindow) -> bool:
    config = _config(window)
    return config is not None and _identity(window) in config.text_list(CONFIG_KEY)


def mark_seen(window: MainWindow) -> None:
    config = _config(window)
    if config is not None:
        me = _identity(window)
        if me not in config.text_list(CONFIG_KEY):
            with contextlib.suppress(OSError):  # a read-only profile: the tour comes again next time
                # added to the tours seen as the file has them now: one seen in another program since is kept
                config.add_text(CONFIG_KEY, me)


def start_if_first(help_: GuideHelp) -> None:
    help_.open_tour()


def show_tab(page: QWidget, title: str) -> None:
    from adoption_desktop.ui.guide.topics import plain_tab

    for tabs in ([page] if isinstance(page, QTabWidget) else []) + page.findChildren(QTabWidget):
        assert isinstance(tabs, QTabWidget)
        for i in range(tabs.count()):
            if plain_tab(tabs.tabText(i)) == title:
                tabs.setCurrentIndex(i)
                return


class TourDialog(QDialog):
    """Next/Back/Close through :func:`steps_for`; each step shows its page in the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("first_day_tour")
        self.window_ = window
        self.setModal(False)
        self.setWindowTitle("First-day tour")
        self.steps = steps_for(window.ctx.principal, [t.key for t in window.targets])
        self.index = 0
        layout = QVBoxLayout(self)
        self.counter = QLabel()
        self.counter.setObjectName("tour_counter")
        self.heading = QLabel()
        self.heading.setObjectName("tour_heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.body = QLabel()
        self.body.setObjectName("tour_text")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.body.setMinimumHeight(80)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.counter)
        layout.addWidget(self.heading)
        layout.addWidget(self.body, 1)
        buttons = QHBoxLayout()
        self.guide_button = QPushButton("Open the &guide page")
        self.back_button = QPushButton("&Back")
        self.next_button = QPushButton("&Next")
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close the tour (Esc). Help → First-day tour opens it again.")
        buttons.addWidget(self.guide_button)
        buttons.addStretch(1)
        for b in (self.back_button, self.next_button, self.close_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.next_button.setDefault(True)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.close_button.clicked.connect(self.close)
        self.guide_button.clicked.connect(self.open_guide)
        self.setAccessibleName("First-day tour")
        self.setAccessibleDescription("A few steps through your pages; Next (Alt+N), Back (Alt+B), Esc closes.")
        self.body.setAccessibleName("What this step says")
        self.resize(500, 220)
        geo = window.geometry()  # bottom right of the main window, clear of the page's lists
        self.move(max(geo.left(), geo.right() - 520), max(geo.top(), geo.bottom() - 280))
        mark_seen(window)  # once begun, it is not offered again (Help → First-day tour opens it)
        self.show_step(0)

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def show_step(self, index: int) -> None:
        self.index = max(0, min(index, len(self.steps) - 1))
        step = self.step
        if step.key is not None:
            page = self.window_.open_target(step.key)
            if page is not None and step.tab:
                show_tab(page, step.tab)
        self.counter.setText(f"Step {self.index + 1} of {len(self.steps)}")
        self.heading.setText(step.title)
        self.body.setText(step.text)
        self.setWindowTitle(f"First-day tour — {step.title}")
        self.back_button.setEnabled(self.index > 0)
        last = self.index == len(self.steps) - 1
        self.next_button.setText("&Finish" if last else "&Next")
        self.next_button.setAccessibleName("Finish the tour" if last else "Next step")
        if self.isVisible():  # the page may have taken the focus: the tour keeps it, so Alt+N goes on working
            self.raise_()
            self.activateWindow()
        self.next_button.setFocus()

    def next(self) -> None:
        if self.index == len(self.steps) - 1:
            self.close()
        else:
            self.show_step(self.index + 1)

    def back(self) -> None:
        self.show_step(self.index - 1)

    def open_guide(self) -> None:
        help_ = getattr(self.window_, "guide_help", None)
        if help_ is not None:
            help_.open(self.step.topic)
