"""The main window: navigation on the left, one page per area, status bar with user and database.

Start-up shows this window first, built from Qt alone (:class:`MainWindow` with no context), so the
user sees the application at once; the database, sign-in and pages are attached afterwards with
:meth:`MainWindow.attach`. Nothing here imports SQLAlchemy at module level.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop import __version__
from adoption_desktop.ui.clipboard_guard import clear_own_clipboard, watch_clipboard
from adoption_desktop.ui.files import save_file_name
from adoption_desktop.ui.geometry import place_window, remember_window
from adoption_desktop.ui.navigation import NAV_TARGETS, NavTarget, allowed, create_page, placeholder
from adoption_desktop.ui.palette import window_base

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex, QPersistentModelIndex

    from adoption_desktop.core.config import LocalConfig
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.day_watch import DayWatch
    from adoption_desktop.ui.dialogs import PasswordDialog
    from adoption_desktop.ui.idle_lock import IdleWatcher, LockScreen, LockVeil, LockWindow
    from adoption_desktop.ui.tasks import TaskRunner

# Plain role and alignment numbers in the start-up path: touching PySide6's ``Qt`` namespace the
# first time builds all of its enums (~14 ms), which would double the shell's cost over a bare window.
_KEY_ROLE = 0x0100  # Qt.ItemDataRole.UserRole
_SHORTCUT_ROLE = 0x0101  # Qt.ItemDataRole.UserRole + 1
_ALIGN_RIGHT_VCENTER = 0x0002 | 0x0080  # Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ALIGN_LEFT_VCENTER = 0x0001 | 0x0080  # Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
#: Set (to anything) to have the window print ``first-paint`` on stdout when it is first painted: how
#: ``bench/bench_startup.py`` times the real program from outside without changing its event order.
ENV_REPORT_FIRST_PAINT = "ADOPTION_DESKTOP_REPORT_FIRST_PAINT"

#: how often the window looks whether its settings read, past the start-up's wait, has arrived (its place)
PLACE_WHEN_READ_MS = 200

#: what must not be loaded before the first paint (issue 17: the window first, the heavy work after it)
NOT_BEFORE_PAINT = ("sqlalchemy", "alembic", "argon2", "sqlcipher3", "psycopg", "keyring", "holidays", "reportlab",
                    "docx", "adoption_desktop.core.storage", "adoption_desktop.panel", "adoption_desktop.adm",
                    "adoption_desktop.letterbox", "adoption_desktop.counselling", "adoption_desktop.reports")

#: PySide classes whose enums PySide builds as the class is first loaded (~1 ms each; QStyle's eleven cost the first
#: paint ~8 ms): an import of the class, or the first event of its kind reaching Python (an event filter in Python
#: before the paint, or a Python override of ``eventFilter`` on a widget of the window, is handed them all)
NOT_BEFORE_PAINT_CLASSES = ("PySide6.QtWidgets.QStyle", "PySide6.QtGui.QPlatformSurfaceEvent",
                            "PySide6.QtGui.QInputMethodEvent", "PySide6.QtGui.QFocusEvent")

def _loaded_at_first_paint() -> list[str]:
    """Which of :data:`NOT_BEFORE_PAINT` had been loaded at the first paint, and ``PySide6.QtCore.Qt`` if Qt's
    namespace had been built (its ~90 enums cost ~12 ms, so the modules loaded before the paint use plain
    values or import it inside the function that needs it), and any of :data:`NOT_BEFORE_PAINT_CLASSES`
    PySide had loaded. Printed for the start-up test."""
    import sys

    import PySide6.QtCore

    loaded = [name for name in NOT_BEFORE_PAINT if any(m == name or m.startswith(name + ".") for m in sys.modules)]
    if "Qt" in vars(PySide6.QtCore):
        loaded.append("PySide6.QtCore.Qt")
    for name in NOT_BEFORE_PAINT_CLASSES:
        module, _, cls = name.rpartition(".")
        if module in sys.modules and cls in vars(sys.modules[module]):
            loaded.append(name)
    return loaded


def _parent_of(window: QWidget, other: QWidget) -> bool:
    """Whether ``window`` is a parent of ``other`` at any level, through windows (a list under its editor)."""
    parent = other.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False


class _NavDelegate(QStyledItemDelegate):
    """Draws the area's keyboard shortcut right-aligned and dimmed after its title."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        # a line of text and 8 pixels above and below it, whatever room the style adds (the focus frame's
        # style keeps 4 round a list's text: focus_frame.CELL_PADDING; importing it here, before the first
        # paint, would load Qt's namespace early, issue 17)
        size = super().sizeHint(option, index)
        return QSize(size.width(), option.fontMetrics.height() + 16)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        from PySide6.QtWidgets import QStyle

        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:  # background and selection only
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        rect = opt.rect
        painter.save()
        # palette roles, not fixed colours: Windows High Contrast and dark themes are followed
        pen = opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        painter.setPen(pen)
        painter.drawText(rect.adjusted(14, 0, -60, 0), _ALIGN_LEFT_VCENTER, text)
        shortcut = index.data(_SHORTCUT_ROLE)
        if shortcut:
            painter.drawText(rect.adjusted(0, 0, -12, 0), _ALIGN_RIGHT_VCENTER, shortcut)
        painter.restore()



def _announce(widget: QWidget, text: str) -> None:
    """:func:`accessibility.announce`, imported when first needed: importing ``ui.accessibility`` takes ~20 ms
    (PySide6 loads every class it names), which the window's first paint no longer waits for."""
    from adoption_desktop.ui.accessibility import announce

    announce(widget, text)

class MainWindow(QMainWindow):
    #: the unlock check's wait for another user's save began (after the quiet moment) or ended (""): said on
    #: the worker's thread, shown by the window's
    unlock_wait_said = Signal(str)
    #: the per-user settings file was damaged and kept aside (``core.config``): said on whichever thread found
    #: it (the automatic backup's writes its time), shown by the window's
    settings_notice = Signal(str)

    def __init__(self, ctx: AppContext | None = None, *, idle_minutes: float | None = None) -> None:
        super().__init__()
        self._ctx: AppContext | None = None
        self.setWindowTitle("Adoption Desktop")
        self.setAccessibleName("Adoption Desktop")
        self._config = self._local_config()
        place_window(self, self._config)  # the available area of its screen, or where it was left there
        # the settings read past its start-up wait (a slow profile share): the default place meanwhile, and the
        # one left there once the read arrives, unless the user has moved or resized the window since
        self._placed_at = (self.pos(), self.size())
        self._place_timer: QTimer | None = None
        if self._config is not None and not self._config.read_finished():
            self._place_timer = QTimer(self)
            self._place_timer.setInterval(PLACE_WHEN_READ_MS)
            self._place_timer.timeout.connect(self._place_when_read)
            self._place_timer.start()
        self._pages: dict[str, QWidget] = {}
        self.targets: list[NavTarget] = []
        self.nav_actions: dict[str, QAction] = {}
        self._hidden_while_locked: list[QWidget] = []
        # a modal window left open while locked, covered (see lock), and the lock screen's own window then
        self._veils: list[LockVeil] = []
        self._lock_window: LockWindow | None = None
        # where the keyboard was when the window locked (it goes back there at the unlock), and whether the
        # status bar was shown: it is hidden while locked (its Undo line and messages name cases)
        self._focus_at_lock: QWidget | None = None
        self._status_shown_at_lock = True
        # the password typed at the lock screen being checked (see try_unlock; running: the lock screen's
        # ok_work): its stop, its runner
        self._unlock_stop = threading.Event()
        self._unlock_runner: TaskRunner | None = None
        self.unlock_wait_said.connect(self._unlock_waits)
        #: the settings notices said this session, kept in Help → About (the status bar line may be cut short)
        self.settings_notices: list[str] = []
        self.settings_notice.connect(self._say_settings_notice)
        # what the program's windows copy is taken off the clipboard at the lock, the sign-out and the close
        # (see ui/clipboard_guard.py): watched from before any of them can copy; the copies our widgets make
        # are noted from the first paint on (an application event filter slows every event before it)
        self._clipboard_guard = watch_clipboard(copies_now=False)

        self.outer = QStackedWidget()
        self.workspace = QWidget()
        column = QVBoxLayout(self.workspace)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        # over every page while the database is one moved to the team server (kept read-only): see attach
        self.moved_banner = QLabel()
        self.moved_banner.setObjectName("moved_banner")
        self.moved_banner.setWordWrap(True)
        self.moved_banner.setStyleSheet("background: #FFF4CE; color: #4A3B00; padding: 6px; "
                                        "border-bottom: 1px solid #E0C060;")
        self.moved_banner.setVisible(False)
        column.addWidget(self.moved_banner)
        body = QWidget()
        column.addWidget(body, 1)
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(210)
        self.nav.setAccessibleName("Areas")
        self.nav.setAccessibleDescription("The areas of the program; Ctrl+1 to Ctrl+6 open them from anywhere.")
        # the system palette (High Contrast included): the list is drawn in Window/WindowText colours
        self.nav.setPalette(window_base(self.nav))
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        font = self.nav.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.nav.setFont(font)
        self.nav.setItemDelegate(_NavDelegate(self.nav))
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.outer.addWidget(self.workspace)
        # what this window shows while locked when the lock screen is in a window of its own (see lock)
        self.lock_cover = placeholder("Locked", "Type your password in the Locked window to unlock.")
        self.outer.addWidget(self.lock_cover)
        self.setCentralWidget(self.outer)
        # built on attach: nothing to lock before someone has signed in
        self.lock_screen: LockScreen | None = None
        self.idle: IdleWatcher | None = None
        #: reads the pages' lists again when the date changes while the window is open (see attach)
        self.day_watch: DayWatch | None = None
        self._dialog_namer: QObject | None = None  # names the fields of every dialog (see attach)
        # "Opening the database…" only once one is being opened (show_opening): behind the welcome dialog,
        # before any database was chosen, it said something that was not happening
        self.opening = placeholder("Adoption Desktop", "Starting…")
        self.stack.addWidget(self.opening)
        for target in NAV_TARGETS:
            self.nav.addItem(self._nav_item(target))
        self.nav.setEnabled(False)

        from adoption_desktop.ui.status_bar import StatusBar

        # a message longer than the room is cut at a word with "…", whole in its tooltip (ui.status_bar)
        self.setStatusBar(StatusBar())
        status = self.statusBar()
        self.user_label = QLabel("Not signed in")
        self.user_label.setObjectName("status_user")
        from adoption_desktop.ui.status_bar import PathLabel

        # its path shortened in the middle to a third of the bar at most, the whole in its tooltip (ui.status_bar)
        self.db_label = PathLabel("Database: ")
        self.db_label.setObjectName("status_database")
        self.user_label.setAccessibleName("Signed-in user")
        self.db_label.setAccessibleName("Database")
        # the user at the top right of the menu bar, always in view; the database in the status bar
        self.user_label.setContentsMargins(8, 0, 10, 0)
        self.menuBar().setCornerWidget(self.user_label)
        status.addPermanentWidget(self.db_label)
        # what the status bar says ("Saved.", a backup written, a warning at sign-in) is said to a screen
        # reader too: nobody hears a line at the bottom of the window change
        status.messageChanged.connect(lambda text: _announce(status, text))
        from adoption_desktop.ui.scheduled_backup import BackgroundBackup

        # IT's BackupSchedule while the window is open (not only at close): its line in the status bar
        self.background_backup = BackgroundBackup(self)
        self._after_paint: list[Callable[[], None]] = []
        self._painted = False
        if self._clipboard_guard is not None:
            self.after_first_paint(self._clipboard_guard.note_copies)
        if ctx is not None:
            self.attach(ctx, idle_minutes=idle_minutes)

    # --- start-up: paint first ------------------------------------------------------------------

    def show_user(self, text: str) -> None:
        """The signed-in user at the top right, whole: the menu bar lays its corner out again (it keeps the
        corner's old width when only the text changes, which cut a longer name short after a switch)."""
        self.user_label.setText(text)
        self.user_label.adjustSize()
        bar = self.menuBar()
        bar.setCornerWidget(self.user_label)
        bar.adjustSize()
        bar.resize(bar.width() + 1, bar.height())  # a resize is what makes QMenuBar place its corner
        bar.resize(bar.width() - 1, bar.height())

    def _say_withheld_roles(self) -> None:
        """A role row on the account that is not in effect (added outside the application): said in the
        status bar and kept in the user label's tooltip while signed in."""
        from adoption_desktop.core.security.service import withheld_notice

        notice = withheld_notice(self.ctx.principal)
        self.user_label.setToolTip(notice)
        if notice:
            self.show_user(f"Signed in: {self.ctx.principal.display} — a role not in effect")
            self.statusBar().showMessage(notice, 60000)

    def _say_settings_notice(self, words: str) -> None:
        """A damaged settings file kept aside: said in the status bar for a minute, cut to the room left of the
        database's name at the end of a phrase or word (``fit.elide_words``: the preferences come first, the
        damaged copy's name last) and kept whole in Help → About."""
        from adoption_desktop.ui.fit import elide_words
        from adoption_desktop.ui.scheduled_backup import ROOM_AT_ENDS, ROOM_BETWEEN

        self.settings_notices.append(words)
        status = self.statusBar()
        backup = self.background_backup
        shown = [w for w in (self.db_label, backup.busy, backup.label) if not w.isHidden()]
        room = status.width() - sum(w.sizeHint().width() + ROOM_BETWEEN for w in shown) - ROOM_AT_ENDS
        metrics, line = status.fontMetrics(), words
        if metrics.horizontalAdvance(line) > room:
            rest = " (all of it in Help → About)"
            line = elide_words(metrics, line, room - metrics.horizontalAdvance(rest)) + rest
        status.showMessage(line, 60000)

    def after_first_paint(self, callback: Callable[[], None], *, fallback_ms: int = 2000) -> None:
        """Run ``callback`` once the window has been painted for the first time (start-up's heavy work:
        imports, the key, the schema check). A zero-delay timer set before ``exec()`` runs *before* the
        first paint, so the user would stare at nothing; this runs it just after. If no paint comes
        (a window started minimised), ``fallback_ms`` later it runs anyway."""
        if self._painted:
            QTimer.singleShot(0, callback)
            return
        self._after_paint.append(callback)
        QTimer.singleShot(fallback_ms, self._run_after_paint)

    def _run_after_paint(self) -> None:
        callbacks, self._after_paint = self._after_paint, []
        for callback in callbacks:
            callback()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            report = os.environ.get(ENV_REPORT_FIRST_PAINT)
            if report:  # the start-up benchmark reads this line
                print("first-paint", flush=True)
                if report == "modules":  # the start-up test: what had been loaded before the paint
                    print(" ".join(_loaded_at_first_paint()), flush=True)
            QTimer.singleShot(0, self._run_after_paint)

    @property
    def ctx(self) -> AppContext:
        if self._ctx is None:
            raise RuntimeError("no database is attached yet")
        return self._ctx

    def show_opening(self, text: str) -> None:
        """What the window says behind the start-up dialogs ("Opening the database…")."""
        labels = self.opening.findChildren(QLabel)
        if labels:
            labels[-1].setText(text)

    def attach(self, ctx: AppContext, *, idle_minutes: float | None = None) -> None:
        """Bind the window to an open database and a signed-in user; build navigation and menus."""
        from adoption_desktop.ui.idle_lock import IdleWatcher, LockScreen

        self._ctx = ctx
        ctx.on_message = lambda text: self.statusBar().showMessage(text, 15000)
        self.lock_screen = LockScreen()
        self.lock_screen.unlock_requested.connect(self.try_unlock)
        self.lock_screen.switch_requested.connect(self.sign_out)
        self.lock_screen.cancel_requested.connect(self._unlock_stop_waiting)
        self.lock_screen.set_user(ctx.principal.display)
        self.outer.addWidget(self.lock_screen)
        self.idle = IdleWatcher(10, self)
        self.idle.idle.connect(self.lock)
        from adoption_desktop.ui.day_watch import DayWatch

        if self.day_watch is not None:
            self.day_watch.stop()
            self.day_watch.deleteLater()
        self.day_watch = DayWatch(ctx, self)
        self.targets = [t for t in NAV_TARGETS if allowed(t, ctx)]
        self.nav.clear()
        for target in self.targets:
            self.nav.addItem(self._nav_item(target))
            self.stack.addWidget(placeholder(target.title, "Loading…"))
        self.stack.removeWidget(self.opening)
        self.nav.setEnabled(True)
        self.nav.currentRowChanged.connect(self._show_row)
        self._build_menus()
        self.show_user(f"Signed in: {ctx.principal.display}")
        self._say_withheld_roles()
        if ctx.db.login_warning:  # team mode with a superuser's or the owner's login: said while it is open
            from adoption_desktop.ui.palette import tint

            self.db_label.set_path(ctx.db.label, warning="not the application login",
                                   colour=tint("#B00020", self.db_label).name(), why=ctx.db.login_warning)
            self.statusBar().showMessage(ctx.db.login_warning, 30000)
        else:
            self.db_label.set_path(ctx.db.label)
        # a file moved to the team server: said over every page while it is open; every save is refused
        self.moved_banner.setText(ctx.db.moved_to_server or "")
        self.moved_banner.setAccessibleName(ctx.db.moved_to_server or "")
        self.moved_banner.setVisible(bool(ctx.db.moved_to_server))
        if ctx.db.moved_to_server:
            self.db_label.set_path(ctx.db.label, warning="read-only (moved to the team server)",
                                   why=ctx.db.moved_to_server)
        if idle_minutes is None:
            from adoption_desktop.core.config import IDLE_LOCK_MINUTES
            from adoption_desktop.core.settings_service import get_setting

            with ctx.db.session(write=False) as session:
                idle_minutes = float(get_setting(session, IDLE_LOCK_MINUTES))
        self.idle.set_minutes(idle_minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
            from adoption_desktop.ui.accessibility import DialogNamer
            from adoption_desktop.ui.palette import apply_accessible_palette

            apply_accessible_palette()  # hint text at 4.5:1 on whatever palette the system gives
            self._dialog_namer = DialogNamer(self)
            app.installEventFilter(self._dialog_namer)
        self.background_backup.start()
        if self.targets:
            self.nav.setCurrentRow(0)

    # --- navigation ---------------------------------------------------------------------------
    @staticmethod
    def _nav_item(target: NavTarget) -> QListWidgetItem:
        item = QListWidgetItem(target.title)
        item.setData(_KEY_ROLE, target.key)
        item.setData(_SHORTCUT_ROLE, target.shortcut)
        item.setToolTip(f"{target.title} ({target.shortcut})")
        return item

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        backup = QAction("&Back up database…", self)
        backup.triggered.connect(self.backup)
        file_menu.addAction(backup)
        self.backup_action = backup
        # offered only to those who may (a trial's letterbox coordinator chose it and was refused after the
        # click); checked again whenever the menu opens, as the person signed in can change
        file_menu.setToolTipsVisible(True)
        file_menu.aboutToShow.connect(self._enable_backup)
        self._enable_backup()
        change_password = QAction("Change my &password…", self)
        change_password.triggered.connect(lambda: self.password_dialog().exec())
        file_menu.addAction(change_password)
        lock = QAction("&Lock now", self, shortcut=QKeySequence("Ctrl+L"))
        lock.triggered.connect(lambda _=False: self.lock(manual=True))
        file_menu.addAction(lock)
        switch = QAction("Sign &out / switch user…", self)
        switch.setObjectName("sign_out")
        switch.triggered.connect(self.sign_out)
        file_menu.addAction(switch)
        file_menu.addSeparator()
        quit_action = QAction("E&xit", self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        from adoption_desktop.ui.undo import UndoUi, install_undo

        self.undo_ui: UndoUi | None = install_undo(self)  # Edit → Undo (Ctrl+Z) / Redo; the status-bar link
        go = self.menuBar().addMenu("&Go")
        for target in NAV_TARGETS:
            action = QAction(target.menu_text or target.title, self, shortcut=QKeySequence(target.shortcut))
            action.setEnabled(target in self.targets)
            action.triggered.connect(lambda _=False, t=target: self.open_target(t.key))
            go.addAction(action)
            self.addAction(action)
            self.nav_actions[target.key] = action
        self._build_reports_menu()
        from adoption_desktop.ui.search_everywhere import SearchEverywhere, install_search_everywhere

        self.search_everywhere: SearchEverywhere | None = install_search_everywhere(self, go)  # Ctrl+K
        from PySide6.QtWidgets import QMessageBox

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About", self)
        about.triggered.connect(lambda: QMessageBox.about(self, "About Adoption Desktop", self.about_text()))
        help_menu.addAction(about)
        licences = QAction("&Licences…", self)
        licences.triggered.connect(self.show_licences)
        help_menu.addAction(licences)
        from adoption_desktop.ui.guide import install_help

        install_help(self, help_menu)  # User guide (F1 anywhere) and First-day tour, above About

    def _build_reports_menu(self) -> None:
        """Reports → Write report… / Ofsted pack…: open the Reports page and start there."""
        from adoption_desktop.core.security.permissions import Permission

        # Alt+P: the P of every page's own controls was moved (Period: Alt+R, Reset password: Alt+W,
        # Preview: Alt+W) or given up (Print a day's letters keeps Ctrl+P; the panel's Papers… is in Tab order)
        menu = self.menuBar().addMenu("Re&ports")
        can = self.ctx.principal.can
        for text, method, needs in (
                ("&Write report…", "write_report", (Permission.REPORTS_VIEW,)),
                ("&Ofsted pack…", "ofsted_pack", (Permission.ADM_VIEW, Permission.PANEL_VIEW, Permission.REPORTS_VIEW))):
            action = QAction(text, self)
            action.setEnabled(all(can(p) for p in needs))
            action.triggered.connect(lambda _=False, m=method: self._reports_action(m))
            menu.addAction(action)

    def _reports_action(self, method: str) -> None:
        page = self.open_target("reports")
        if page is not None and hasattr(page, method):
            getattr(page, method)()

    def show_licences(self) -> None:
        """This program's MIT licence and every shipped package's licence (the third-party notices)."""
        from adoption_desktop.ui.licences import LicencesDialog

        LicencesDialog(self).exec()

    def password_dialog(self) -> PasswordDialog:
        """The signed-in user changes their own password (the current one first)."""
        from adoption_desktop.ui.dialogs import PasswordDialog

        return PasswordDialog(self, for_whom=self.ctx.principal.display, own=True,
                              submit=lambda current, new: self.ctx.change_own_password(current or "", new),
                              runner=self.ctx.tasks)  # the check on a worker thread: the window keeps drawing

    def about_text(self) -> str:
        """Version, database and where this user's files are kept (what IT asks for on a support call)."""
        from adoption_desktop.core.config import app_paths
        from adoption_desktop.core.logging_setup import LOG_FILE_NAME

        paths = app_paths()
        return "\n".join([
            f"Adoption Desktop {__version__}",
            f"Database: {self.ctx.db.label}",
            "",
            f"Data and backups: {paths.data}",
            f"Settings: {paths.settings_file}",
            *self.settings_notices,
            f"Log (no personal data): {paths.logs / LOG_FILE_NAME}",
            "",
            self._backup_line(),
            "",
            "Run 'adoption-desktop self-test' to check this installation.",
            "",
            "Free software under the MIT licence; the packages it ships keep their own licences "
            "(Help → Licences…).",
            *self._policy_lines(),
        ])

    def _backup_line(self) -> str:
        """The automatic backup (IT's BackupSchedule) in words: when it last ran and where, or for a team
        database that the server's backups are IT's."""
        import datetime as dt

        from adoption_desktop.core.policy import current_policy
        from adoption_desktop.core.scheduled_backup import describe

        return describe(self.ctx.db, current_policy(), self._config, dt.datetime.now())

    @staticmethod
    def _policy_lines() -> list[str]:
        from adoption_desktop.core.policy import current_policy

        policy = current_policy()
        if not policy.values:
            return []
        return ["", f"Settings set by IT ({policy.source}): " + ", ".join(sorted(policy.values))]

    def open_target(self, key: str) -> QWidget | None:
        for row, target in enumerate(self.targets):
            if target.key == key:
                self.nav.setCurrentRow(row)
                return self.page(key)
        return None

    def page(self, key: str) -> QWidget | None:
        return self._pages.get(key)

    def _show_row(self, row: int) -> None:
        if row < 0 or row >= len(self.targets):
            return
        target: NavTarget = self.targets[row]
        if target.key not in self._pages:
            try:
                page = create_page(target, self.ctx)
            except Exception as exc:  # a broken page must not take the window down
                import logging

                logging.getLogger(__name__).exception("page %s could not be opened", target.key)
                from adoption_desktop.ui.dialogs import plain_error

                page = placeholder(target.title, f"This area could not be opened. {plain_error(exc)}")
            from adoption_desktop.ui.fit import fit_page, scrolling

            fit_page(page)  # whole column titles and hints; the page scrolls on a small or scaled screen
            old = self.stack.widget(row)
            self.stack.insertWidget(row, scrolling(page))
            if old is not None:
                self.stack.removeWidget(old)
                old.deleteLater()
            self._pages[target.key] = page
        self.stack.setCurrentIndex(row)

    # --- locking ------------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.lock_screen is not None and self.outer.currentWidget() in (self.lock_screen, self.lock_cover)

    def lock(self, *, manual: bool = False) -> None:
        """Lock the window: after a period without input, or ``manual`` (File → Lock now, Ctrl+L), which
        the lock screen says."""
        if self.locked or self.lock_screen is None or self.idle is None:
            return
        if self._ctx is not None and self._ctx.db.waiting_for_writer:
            # a save is waiting for a colleague's write, its dialog on screen: the lock (which covers every
            # dialog, and asks for the password) comes after another idle period, not over the wait
            self.idle.resume()
            return
        from adoption_desktop.ui.idle_lock import LockVeil, LockWindow, runs_modal

        self.idle.pause()
        # an address copied from a case must not be pasted by whoever comes to the PC next; what the user
        # copied in another program is left. Nothing is put back at the unlock (copy it again)
        clear_own_clipboard()
        self._focus_at_lock = QApplication.focusWidget()
        # the status bar says what was just done ("Marked the finding '14 Holly Road' acceptable. Undo", a
        # message naming a case): nothing of it while locked, its Undo link out of Tab's reach; what it held,
        # and any message given meanwhile (still within its time), is back at the unlock
        status = self.statusBar()
        self._status_shown_at_lock = not status.isHidden()
        status.hide()
        self.menuBar().setEnabled(False)
        for action in self.nav_actions.values():
            action.setEnabled(False)
        # open windows are not closed (their unsaved edits are kept) and come back on unlock. A modal one (an
        # editor run with exec()) and any window under it stay open, covered: hiding it would end its exec()
        # as if cancelled, and the Save of the editor that came back would save nothing. The others are hidden.
        shown = [w for w in QApplication.topLevelWidgets() if w is not self and w.isVisible()]
        modal = [w for w in shown if runs_modal(w)]
        kept = [w for w in shown if w in modal or any(_parent_of(w, m) for m in modal)]
        self._hidden_while_locked = [w for w in shown if w not in kept]
        for w in self._hidden_while_locked:
            w.hide()
        self._veils = [LockVeil(w) for w in kept]
        self.lock_screen.message.clear()
        self.lock_screen.set_reason(manual)
        if self._veils:  # a modal window blocks this one: the lock screen comes in a window on top of it
            self.outer.setCurrentWidget(self.lock_cover)
            self._lock_window = LockWindow(self, self.lock_screen)
            self._lock_window.show()
            self._lock_window.raise_()
            self._lock_window.activateWindow()
        else:
            self.outer.setCurrentWidget(self.lock_screen)
        self.lock_screen.password.setFocus()

    @property
    def unlocking(self) -> bool:
        """A password typed at the lock screen is being checked (on the unlock runner's thread)."""
        return self.lock_screen is not None and self.lock_screen.ok_work.running

    def try_unlock(self, password: str) -> bool:
        """Check ``password`` (the lock screen's Enter or Unlock) and unlock the window if it is the user's.

        The check (argon2 and its audited bookkeeping: ``security.service.confirm_password``) runs on a worker
        thread (the window's own one-thread runner), so the window keeps drawing meanwhile: the lock screen says
        "Checking your password…", and when another user's long save holds the database it says so after the
        quiet moment, with the seconds waited and a Cancel that stops the wait (the window stays locked,
        nothing is judged or counted). Enter or Unlock again while a check runs does nothing. A wrong password
        counts once towards the lock-out and is audited, as before. Before, the check ran on the window's
        thread: behind a colleague's long save the window froze for seconds with nothing said.

        Returns whether the window is unlocked on return: only with a runner that works on this thread (the
        tests' synchronous runner); otherwise the outcome comes later (:meth:`_unlock_checked`)."""
        from adoption_desktop.core.security import service as users
        from adoption_desktop.core.storage.engine import WaitWatch, watching_waits

        assert self.lock_screen is not None and self.idle is not None
        if self.unlocking:  # pressed again while the first is checked
            return False
        ctx = self.ctx
        db, principal = ctx.db, ctx.principal
        self._unlock_stop = stop = threading.Event()
        watch = WaitWatch(on_wait=self.unlock_wait_said.emit, stopped=stop.is_set)

        def work() -> None:
            with watching_waits(watch):
                users.confirm_password(db, principal, password)

        self.lock_screen.message.clear()
        # the lock screen read-only and saying so meanwhile, as a dialog's OK that checks a password; the
        # outcome comes back on this thread (never to a lock screen deleted meanwhile, at Sign out)
        self.lock_screen.ok_work.start(self._unlock_tasks(ctx), work,
                                       on_done=lambda _none: self._unlock_checked(ctx, stop, None),
                                       on_error=lambda exc: self._unlock_checked(ctx, stop, exc))
        return not self.locked

    def _unlock_tasks(self, ctx: AppContext) -> TaskRunner:
        """The unlock's own runner (one thread): never queued behind the page's long work (an export) that
        may be running on the shared runner. A synchronous runner (tests) is used as it is."""
        if ctx.tasks.synchronous:
            return ctx.tasks
        if self._unlock_runner is None:
            from adoption_desktop.ui.tasks import TaskRunner

            self._unlock_runner = TaskRunner(max_threads=1)
        return self._unlock_runner

    def finish_unlock_check(self, msecs: int = 30_000) -> None:
        """Before the window closes or its session ends: a password check under way stops waiting for a
        colleague's save and is finished (its audit entry committed, or nothing written) before the database
        may be closed or the next person signed in; its outcome is then that ended session's (ignored)."""
        if self.unlocking:
            self._unlock_stop.set()
        if self._unlock_runner is not None:
            self._unlock_runner.wait(msecs)

    def _unlock_waits(self, message: str) -> None:
        if self.unlocking and self.lock_screen is not None:
            self.lock_screen.set_waiting(bool(message))

    def _unlock_stop_waiting(self) -> None:
        """Cancel on the lock screen: the check stops waiting for the other user's save; the window stays
        locked (said by :meth:`_unlock_checked` once the worker has stopped)."""
        if self.unlocking:
            self._unlock_stop.set()

    def _unlock_checked(self, ctx: AppContext, stop: threading.Event, exc: BaseException | None) -> None:
        """The check's outcome, on the window's thread (the lock screen as before the check): unlocked, or
        still locked saying why."""
        import shiboken6

        from adoption_desktop.core.errors import AppError, DatabaseBusy, DatabaseUnavailable, WaitCancelled
        from adoption_desktop.ui import idle_lock

        if not shiboken6.isValid(self):
            return
        screen = self.lock_screen
        if ctx is not self._ctx or ctx.ended or screen is None or not shiboken6.isValid(screen):
            return  # signed out meanwhile: the outcome was that session's
        if exc is None:
            if stop.is_set():  # Cancel pressed as the password was accepted: locked, as asked
                screen.message.setText(idle_lock.UNLOCK_STOPPED_LATE)
                return
            self._unlocked()
            return
        if isinstance(exc, WaitCancelled):
            said = idle_lock.UNLOCK_STOPPED
        elif isinstance(exc, DatabaseBusy):
            said = idle_lock.unlock_busy_message(ctx.db.name)
        elif isinstance(exc, DatabaseUnavailable):
            said = idle_lock.UNLOCK_UNREACHABLE
        elif isinstance(exc, AppError):  # wrong (attempts left) or locked (minutes left): the same words everywhere
            said = str(exc)
        else:
            import logging

            logging.getLogger(__name__).error("unlock check failed", exc_info=exc)
            said = idle_lock.unlock_failed_message(exc.__class__.__name__)
        screen.message.setText(said)
        screen.password.setFocus()

    def _unlocked(self) -> None:
        """The password was right: the work is shown again as it was when the window locked."""
        assert self.idle is not None
        self._end_lock_window()
        self.outer.setCurrentWidget(self.workspace)
        self.statusBar().setVisible(self._status_shown_at_lock)
        self.menuBar().setEnabled(True)
        for target in NAV_TARGETS:
            self.nav_actions[target.key].setEnabled(target in self.targets)
        for w in self._hidden_while_locked:
            w.show()
        self._hidden_while_locked = []
        self._lift_veils()
        top = QApplication.activeModalWidget()  # the editor that was in front is in front again, keyboard too
        if top is not None:
            top.raise_()
            top.activateWindow()
        else:
            self._restore_focus()
        self._focus_at_lock = None
        self.idle.resume()
        if self.day_watch is not None:  # back after a night or a weekend: the lists count from today at once
            self.day_watch.check()

    def _restore_focus(self) -> None:
        """The keyboard back in the field it was in when the window locked (the minutes' Questions and answers),
        not in the first field of the window (the Sittings list, where arrow keys change the sitting)."""
        import shiboken6

        focus = self._focus_at_lock
        if focus is None or not shiboken6.isValid(focus) or not focus.isVisible():
            return
        owner = focus.window()
        if owner is not self:  # a window the lock hid, shown again
            owner.raise_()
        owner.activateWindow()
        focus.setFocus()  # Qt's default reason: OtherFocusReason

    def _end_lock_window(self) -> None:
        """The lock screen back in this window (for the next lock), its own window gone."""
        if self._lock_window is not None:
            if self.lock_screen is not None:
                self.outer.addWidget(self.lock_screen)
            self._lock_window.release()
            self._lock_window = None

    def _lift_veils(self) -> None:
        import shiboken6

        for veil in self._veils:
            if shiboken6.isValid(veil):
                veil.lift()
        self._veils = []

    def sign_out(self) -> None:
        """Sign out / switch user: drafts kept, dialogs closed, audited; the next user signs in here."""
        from adoption_desktop.ui.session_switch import sign_out

        sign_out(self)

    # --- work ---------------------------------------------------------------------------------
    def _enable_backup(self) -> None:
        from adoption_desktop.core.security.permissions import Permission

        allowed = self.ctx.principal.can(Permission.DATABASE_BACKUP)
        team = not self.ctx.db.is_sqlite  # a server's database is backed up by IT with the server's tools
        self.backup_action.setEnabled(allowed and not team)
        self.backup_action.setToolTip(
            "A team database is backed up on the server by IT (pg_dump or the server's scheduled backups)"
            if team else "Write an encrypted, verified copy of the database" if allowed else
            "Backups are made by an administrator (permission database.backup)")

    def backup(self) -> None:
        from pathlib import Path

        from adoption_desktop.core.config import app_paths
        from adoption_desktop.core.security.permissions import Permission, require
        from adoption_desktop.core.storage.lifecycle import backup_database
        from adoption_desktop.ui.dialogs import show_error
        from adoption_desktop.ui.tasks import run_with_progress

        try:
            require(self.ctx.principal, Permission.DATABASE_BACKUP)
        except Exception as exc:
            show_error(self, "Back up", exc)
            return
        import datetime as dt

        from adoption_desktop.core.scheduled_backup import default_backup_name

        path = save_file_name(self, "backup", "Back up database", default_backup_name(self.ctx.db, dt.datetime.now()),
                              "Backup (*.adkbak)", default_folder=app_paths().ensure_local().backups)
        if not path:
            return
        if not Path(path).suffix:  # a name typed without its ending (the dialog does not always add it)
            path += ".adkbak"
        run_with_progress(self, self.ctx.tasks, "Backing up…",
                          lambda _task: backup_database(self.ctx.db, Path(path), self.ctx.principal),
                          lambda out: self.statusBar().showMessage(f"Backup written and verified: {out}", 8000),
                          lambda exc: show_error(self, "Back up", exc))

    def _place_when_read(self) -> None:
        """The settings read that ended after the start-up's wait: the window moved and sized to the place it was
        left in on this screen, if it is still where it opened at its default place and size (the user has not
        moved, resized, maximised or minimised it meanwhile: it never jumps from where they put it)."""
        config = self._config
        if config is None or not config.read_finished() or self._place_timer is None:
            return
        self._place_timer.stop()
        self._place_timer = None
        moved = (self.pos(), self.size()) != self._placed_at
        if moved or self.isMaximized() or self.isMinimized() or self.isFullScreen():
            return
        place_window(self, config)
        self._placed_at = (self.pos(), self.size())

    @staticmethod
    def _local_config() -> LocalConfig | None:
        from adoption_desktop.core.config import LocalConfig, app_paths, settings_locks

        try:
            # before the window is shown: waited for SETTINGS_START_WAIT at most (a profile folder on a stalled
            # network share), then the default size and place; the start-up reads the rest from this object
            return LocalConfig(app_paths().settings_file, wait=settings_locks.SETTINGS_START_WAIT)
        except OSError:  # an unreadable profile folder must not stop the window
            return None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        from adoption_desktop.ui.session_switch import confirm_pending_edits, save_pending_drafts

        # text waiting for an autosave timer (the minutes editor's too) is written before the window goes;
        # edits the service refused are never dropped silently: "keep editing" keeps the window open
        save_pending_drafts(self)
        if not confirm_pending_edits(self):
            event.ignore()
            return
        remember_window(self, self._config)
        self.background_backup.timer.stop()  # no automatic backup starts once the window has gone
        clear_own_clipboard()  # the window goes: nothing copied from it stays for the next person at the PC
        self.finish_unlock_check()  # the database is closed after the window: no check may still be using it
        app = QApplication.instance()
        if app is not None and self.idle is not None:
            app.removeEventFilter(self.idle)
        if app is not None and self._dialog_namer is not None:
            app.removeEventFilter(self._dialog_namer)  # a window signed in next installs its own
        super().closeEvent(event)
