"""Start-up dialogs: choose a database, passphrase, recovery key, first administrator, sign in."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, ValidationError
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.ask import ask_yes_no
from adoption_desktop.ui.discard import AsksBeforeDiscard
from adoption_desktop.ui.files import save_file_name
from adoption_desktop.ui.forms import child, load_dialog_form
from adoption_desktop.ui.ok_on_worker import CHECKING_PASSWORD, SETTING_PASSWORD, OkOnWorker
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.tasks import TaskRunner


class StartDialog(QDialog):
    """First run: create a new database, open the demo database, or open an existing file."""

    CREATE, DEMO, OPEN = 1, 2, 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Adoption Desktop")
        self.choice = 0
        layout = QVBoxLayout(self)
        intro = QLabel("<h2>Welcome to Adoption Desktop</h2><p>Choose a database to work with. Data is "
                       "always encrypted on disk.</p>")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        for text, value in (("&Create a new database", self.CREATE),
                            ("Open the &demo database (synthetic data)", self.DEMO),
                            ("&Open an existing database…", self.OPEN)):
            button = QPushButton(text)
            button.setObjectName(f"choice_{value}")
            button.clicked.connect(lambda _=False, v=value: self._choose(v))
            layout.addWidget(button)
        cancel = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel.rejected.connect(self.reject)
        layout.addWidget(cancel)

    def _choose(self, value: int) -> None:
        self.choice = value
        self.accept()


class PassphraseDialog(QDialog):
    def __init__(self, parent: QWidget | None, *, confirm: bool, database: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Database passphrase")
        layout = QVBoxLayout(self)
        text = ("No system keyring is available, so the database key is protected with a passphrase. "
                "Choose one you will remember (at least 12 characters; a few unrelated words work well); the "
                "recovery key is the only other way in." if confirm
                else f"Enter the passphrase for {database}.")
        self.setMinimumWidth(480)  # a database path reads on one line
        label = QLabel(text)
        label.setWordWrap(True)
        layout.addWidget(label)
        fields = QFormLayout()
        self.first = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.first.setObjectName("passphrase")
        first_label = QLabel("&Passphrase")
        first_label.setBuddy(self.first)
        fields.addRow(first_label, self.first)
        self.second: QLineEdit | None = None
        if confirm:
            self.second = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
            self.second.setObjectName("confirm")
            second_label = QLabel("&Repeat it")
            second_label.setBuddy(self.second)
            fields.addRow(second_label, self.second)
        layout.addLayout(fields)
        self.message = MessageLine()
        error_tint(self.message)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if not self.first.text():
            self.message.setText("Passphrase: type it, or press Cancel.")
            return
        if self.second is not None:  # only a new passphrase has rules
            from adoption_desktop.core.security.strength import passphrase_problem

            problem = passphrase_problem(self.first.text())
            if problem:
                self.message.setText(problem)
                self.first.setFocus()
                return
            if self.second.text() != self.first.text():
                self.message.setText("The two passphrases differ.")
                return
        self.accept()

    @property
    def passphrase(self) -> str:
        return self.first.text()


class PasswordDialog(QDialog):
    """A new password for a user. For one's own password the current one is asked for first (the service
    refuses a change without it); an administrator resetting someone else's gives only the new one.
    ``required``: one's own, at sign-in, because an administrator set it (the current one was just typed
    to sign in, so it is not asked again). ``submit(current, new)`` runs on OK: an error is shown in the
    dialog and nothing typed is lost.

    ``runner``: ``submit`` runs on its worker thread (a password change checks the current password,
    argon2 and, when refused, the failed-answer floor; a new password is hashed): the dialog keeps drawing,
    its fields read-only and both buttons greyed meanwhile (the worker commits the change, so a Cancel
    could not take it back), the dialog saying "Checking your password…" ("Setting the password…" for a
    reset), and Enter again starts nothing (a wrong password is counted once). Before, it ran on the
    window's thread and froze it."""

    def __init__(self, parent: QWidget | None, *, for_whom: str, own: bool,
                 submit: Callable[[str | None, str], None], required: bool = False,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle("Choose your password" if required else
                            "Change your password" if own else "Reset password")
        self.submit = submit
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        label = QLabel(f"{for_whom}: your password was set by an administrator. Choose your own to go on: "
                       "type it twice. Three or four unrelated words are easy to remember and hard to guess."
                       if required else
                       "Enter your current password, then the new one twice." if own else
                       f"New password for {for_whom}. They are asked to choose their own when they next sign "
                       "in; if they are signed in now, their next step asks them to sign in again.")
        label.setWordWrap(True)
        layout.addWidget(label)
        fields = QFormLayout()
        self.current: QLineEdit | None = None
        if own and not required:
            self.current = self._field(fields, "current_password", "&Current password")
        self.new = self._field(fields, "new_password", "&New password")
        self.repeat = self._field(fields, "repeat_password", "&Repeat it")
        layout.addLayout(fields)
        self.message = MessageLine()
        self.message.setObjectName("message")
        error_tint(self.message)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "Change password" if own or required else "Set password")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        # the work commits the change (and the window goes on as the principal it returns), so a Cancel
        # pressed meanwhile could not undo it: Cancel greyed, the dialog saying what it waits for
        self.ok_work = OkOnWorker(self, buttons, [e for e in (self.current, self.new, self.repeat) if e is not None],
                                  note=CHECKING_PASSWORD if own or required else SETTING_PASSWORD)

    def _field(self, form: QFormLayout, name: str, text: str) -> QLineEdit:
        edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        edit.setObjectName(name)
        label = QLabel(text)
        label.setBuddy(edit)
        form.addRow(label, edit)
        return edit

    @property
    def checking(self) -> bool:
        """``submit`` is running on the runner's worker thread."""
        return self.ok_work.running

    def _check(self) -> None:
        if self.ok_work.running:  # OK or Enter again while the first runs: one check, one failure counted
            return
        self.message.clear()  # an earlier refusal ("too easy to guess") is not left beside a later success
        if self.current is not None and not self.current.text():
            self.message.setText("Current password: enter it to change your password.")
            self.current.setFocus()
            return
        if self.new.text() != self.repeat.text():
            self.message.setText("The two new passwords differ.")
            self.repeat.setFocus()
            return
        submit, new = self.submit, self.new.text()
        current = self.current.text() if self.current is not None else None
        if self.runner is None:
            try:
                submit(current, new)
            except AppError as exc:
                self._refused(exc)
                return
            self._changed(None)
            return
        self.ok_work.start(self.runner, partial(submit, current, new), on_done=self._changed, on_error=self._failed)

    def _changed(self, _result: object) -> None:
        for edit in (self.current, self.new, self.repeat):  # the Qt copies, at least, are cleared
            if edit is not None:
                edit.clear()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, AppError):
            raise exc  # as when it ran on this thread: to the window's handler of unexpected errors
        self._refused(exc)

    def _refused(self, exc: AppError) -> None:
        self.message.setText(str(exc))
        if self.current is not None and isinstance(exc, ValidationError) and exc.field == "current_password":
            self.current.setFocus()  # the current password was refused: typed again over itself
            self.current.selectAll()

    def reject(self) -> None:
        if self.ok_work.holds_cancel():  # Cancel is greyed while the password is checked; Esc likewise does nothing
            return
        super().reject()


class RecoveryKeyDialog(QDialog):
    """Shows the recovery key once, with an option to save it as a PDF to print: at creation, and
    (``replaced``) when an administrator issues a new one (Administration > Users > "New recovery key…")."""

    def __init__(self, parent: QWidget | None, recovery_key: str, database_label: str, *,
                 replaced: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("New recovery key" if replaced else "Recovery key")
        self.recovery_key, self.database_label, self.replaced = recovery_key, database_label, replaced
        layout = QVBoxLayout(self)
        text = ("<p>This is the database's <b>recovery key</b>. It is shown only this once. Print it "
                "or write it down and keep it locked away: it opens the database if the key on this "
                "computer is lost.</p>")
        if replaced:
            from adoption_desktop.core.storage.recovery_key import BACKUPS_NOTE

            text = ("<p>This is the database's <b>new recovery key</b>. The old one no longer opens the "
                    "database. It is shown only this once. Print it or write it down and keep it locked away: "
                    f"it opens the database if the key on this computer is lost.</p><p>{BACKUPS_NOTE}</p>")
        label = QLabel(text)
        label.setWordWrap(True)
        layout.addWidget(label)
        key = QLineEdit(recovery_key, readOnly=True)
        key.setObjectName("recovery_key")
        key.setAccessibleName("Recovery key")
        font = key.font()
        font.setPointSize(font.pointSize() + 4)
        key.setFont(font)
        # the whole key must be visible at once: a key scrolled half out of view gets copied wrongly
        key.setMinimumWidth(key.fontMetrics().horizontalAdvance(recovery_key) + 24)
        key.setCursorPosition(0)
        layout.addWidget(key)
        row = QHBoxLayout()
        save = QPushButton("&Save as PDF to print…")
        save.clicked.connect(self._save_pdf)
        row.addWidget(save)
        row.addStretch(1)
        done = QPushButton("I have &kept it safe")  # Alt+S saves the PDF
        done.clicked.connect(self.accept)
        row.addWidget(done)
        layout.addLayout(row)
        self.saved_to: Path | None = None
        #: closed by a sign-out or Switch user (not by its administrator): a new key is then not finished
        self.closed_by_sign_out = False

    def close_for_sign_out(self) -> None:
        """Sign out / Switch user (perhaps at the lock screen, where someone else may stand): closed without
        asking anything about the key; :attr:`closed_by_sign_out` tells the caller it was not kept."""
        self.closed_by_sign_out = True
        QDialog.reject(self)

    def reject(self) -> None:
        """Escape or the window's close button: the key is shown only this once, so closing before it was
        saved asks first (Keep it open, the default, is also the Escape answer); after *Save as PDF to
        print…* it closes as it is."""
        if self.saved_to is None and not ask_yes_no(
                self, self.windowTitle(), "Close without keeping the recovery key?", yes="&Close",
                no="&Keep it open", name="close_recovery_key",
                informative="It is shown only this once. Save it as a PDF to print, or write it down, before "
                            "closing: without it the database cannot be opened if the key on this computer "
                            "is lost."):
            return
        super().reject()

    def _save_pdf(self) -> None:
        path = save_file_name(self, "recovery_key", "Save recovery key", "recovery-key.pdf", "PDF (*.pdf)")
        if path:
            self.save_pdf(Path(path))

    def save_pdf(self, path: Path) -> None:
        from adoption_desktop.core.documents.recovery_sheet import write_recovery_sheet

        write_recovery_sheet(path, self.database_label, self.recovery_key, replaced=self.replaced)
        self.saved_to = path


class FirstAdminDialog(AsksBeforeDiscard, QDialog):
    """The first administrator; Escape or Cancel after a name was typed asks "Discard what you typed?"."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.principal: Principal | None = None
        form = load_dialog_form(self, "first_admin_dialog")
        self.full_name = child(form, QLineEdit, "full_name")
        self.username = child(form, QLineEdit, "username")
        self.password = child(form, QLineEdit, "password")
        self.confirm = child(form, QLineEdit, "confirm")
        self.message = child(form, QLabel, "message")
        buttons = child(form, QDialogButtonBox, "buttons")
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)

    def _create(self) -> None:
        if self.password.text() != self.confirm.text():
            self.message.setText("The two passwords differ.")
            return
        try:
            self.principal = users.create_first_administrator(
                self.db, self.username.text(), self.full_name.text(), self.password.text())
        except AppError as exc:
            self.message.setText(str(exc))
            return
        self.accept()


#: what the sign-in dialog says once its sign-in has waited the quiet moment for another user's save
SIGN_IN_WAITING = "Waiting for another user's save to finish…"
SIGN_IN_WAITING_DETAIL = ("You are signed in as soon as it is done. Cancel stops waiting: nothing is recorded, "
                          "and you can sign in again.")
#: said when Cancel was pressed while the password was checked, before any wait was said: nothing recorded
SIGN_IN_CANCELLED = ("Not signed in: you pressed Cancel while your password was checked. Nothing was recorded "
                     "against your account; sign in again when you are ready.")
#: said when Cancel was pressed just as the sign-in was recorded (it is ended again at once, audited)
SIGN_IN_STOPPED_LATE = ("Not signed in: you pressed Cancel as your sign-in was being recorded, so you were signed "
                        "out again (both are in the audit log). Sign in again when you are ready.")


class LoginDialog(QDialog):
    """User name and password. The sign-in runs on a worker thread (``runner``): behind another user's long
    save (an import holding the database) the dialog keeps drawing, and after the quiet moment
    (``engine.QUIET_WAIT``) it says :data:`SIGN_IN_WAITING`, with the seconds waited and a working Cancel
    (Esc, the close button); past the bound it says the database is busy with another user's work. Neither
    a wait, its Cancel, nor the bound counts a failed attempt or writes anything. Before, the sign-in ran
    on the window's thread: two seconds frozen, then a "colleague's change to be saved" dialog meant for
    forms, and "Not saved … your entries are still in the form" after Cancel."""

    #: the worker's wait said (from its thread): shown by the dialog's thread
    wait_said = Signal(str)

    def __init__(self, db: Database, parent: QWidget | None = None, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.principal: Principal | None = None
        self.runner = runner or TaskRunner()
        form = load_dialog_form(self, "login_dialog")
        child(form, QLabel, "database_label").setText(f"Database: {db.label}")
        self.username = child(form, QLineEdit, "username")
        self.password = child(form, QLineEdit, "password")
        self.message = child(form, QLabel, "message")
        self.buttons = child(form, QDialogButtonBox, "buttons")
        self.buttons.accepted.connect(self._sign_in)
        self.buttons.rejected.connect(self.reject)
        # the wait, below the fields: what is waited for, the seconds so far, a moving bar (not an error colour)
        self.waiting = QLabel()
        self.waiting.setObjectName("sign_in_waiting")
        self.waiting.setWordWrap(True)
        self.waiting_bar = QProgressBar()
        self.waiting_bar.setRange(0, 0)
        self.waiting_bar.setTextVisible(False)
        self.waiting_bar.setAccessibleName("Waiting")
        layout = form.layout()
        assert isinstance(layout, QVBoxLayout)
        at = layout.indexOf(self.message)
        layout.insertWidget(at, self.waiting)
        layout.insertWidget(at + 1, self.waiting_bar)
        self.waiting.hide()
        self.waiting_bar.hide()
        # the sign-in is recorded by the worker, so Cancel meanwhile cannot drop it: it stays enabled and asks
        # the work to stop waiting (a sign-in recorded as it was pressed is ended again, audited: _signed_in)
        self.ok_work = OkOnWorker(self, self.buttons, [self.username, self.password], on_cancel=self._stop_waiting,
                                  on_running=self._running)
        self._stop = threading.Event()
        self._waiting_since: float | None = None
        self._wait_said = False  # this sign-in said it waits for another user's save
        self._clock = QTimer(self)
        self._clock.setInterval(500)
        self._clock.timeout.connect(self._show_seconds)
        self.wait_said.connect(self._said)

    @property
    def signing_in(self) -> bool:
        """A sign-in is running (on the worker thread)."""
        return self.ok_work.running

    def _sign_in(self) -> None:
        if self.ok_work.running:  # Enter pressed again while it runs
            return
        from adoption_desktop.core.storage.engine import WaitWatch, watching_waits

        db, username, password = self.db, self.username.text(), self.password.text()
        self._stop = stop = threading.Event()
        watch = WaitWatch(on_wait=self.wait_said.emit, stopped=stop.is_set)

        def work() -> Principal:
            with watching_waits(watch):
                return users.authenticate(db, username, password)

        self.message.clear()
        self._wait_said = False
        self.ok_work.start(self.runner, work, on_done=self._signed_in, on_error=self._not_signed_in)

    def _running(self, running: bool) -> None:
        """The sign-in began or ended (fields and Sign in are :attr:`ok_work`'s): a wait said goes."""
        if not running:
            self._said("")

    def _said(self, message: str) -> None:
        """The worker's wait began (after the quiet moment) or ended ("")."""
        if message and self.ok_work.running:
            self._waiting_since = time.monotonic()
            self._wait_said = True
            self._show_seconds()
            self.waiting.show()
            self.waiting_bar.show()
            self._clock.start()
        elif not message:
            self._waiting_since = None
            self._clock.stop()
            self.waiting.hide()
            self.waiting_bar.hide()

    def _show_seconds(self) -> None:
        if self._waiting_since is None:
            return
        seconds = int(time.monotonic() - self._waiting_since)
        self.waiting.setText(f"<b>{SIGN_IN_WAITING}</b><br>{SIGN_IN_WAITING_DETAIL}<br>"
                             f"Waited {seconds} second{'' if seconds == 1 else 's'} so far.")

    def reject(self) -> None:
        """Cancel, Esc or the close button: while a sign-in runs, it stops waiting (the dialog stays, saying
        so); otherwise the dialog closes."""
        if self.ok_work.holds_cancel():
            return
        super().reject()

    def _stop_waiting(self) -> None:
        self._stop.set()

    def _signed_in(self, principal: Principal) -> None:
        if self._stop.is_set():  # Cancel pressed just as the sign-in was recorded: ended again, audited
            self._signed_out_after_cancel(principal)
            return
        self.principal = principal
        self.accept()

    def _signed_out_after_cancel(self, principal: Principal) -> None:
        """Cancel was pressed as the sign-in was recorded: it is ended again (audited) and the dialog says so."""
        try:
            users.sign_out(self.db, principal, reason="pressed Cancel as the sign-in was recorded")
        except Exception:  # the refusal below is what matters; the error goes to the log
            import logging

            logging.getLogger(__name__).exception("sign-out after a late Cancel failed")
        self.message.setText(SIGN_IN_STOPPED_LATE)
        self.adjustSize()

    def _not_signed_in(self, exc: BaseException) -> None:
        if isinstance(exc, users.PasswordChangeRequired):  # before anything else: their own password
            if self._stop.is_set():  # signed in as Cancel was pressed: no password dialog after a Cancel
                self._signed_out_after_cancel(exc.principal)
                return
            if self.choose_password(exc.principal):
                self.accept()
            return
        if isinstance(exc, users.SignInBusy | users.SignInWaitStopped):
            # nothing was judged or recorded: what was typed stays, to press Sign in again. A Cancel during
            # the password's check, with no wait said, is not said as a wait for another user's save
            stopped = isinstance(exc, users.SignInWaitStopped) and not self._wait_said
            self.message.setText(SIGN_IN_CANCELLED if stopped else str(exc))
            self.adjustSize()
            return
        if isinstance(exc, AppError):
            self.message.setText(str(exc))
            self.adjustSize()  # a message of two or three lines is shown whole, not cut at the dialog's edge
            self.password.clear()
            self.password.setFocus()
            return
        # e.g. the database unreachable: say so, keep the dialog
        self.message.setText(f"The database did not answer ({exc.__class__.__name__}); try again.")

    def choose_password(self, principal: Principal) -> bool:
        """The user signed in with a password an administrator set: they choose their own now (nothing
        else is allowed until then). Cancelled: signed out again (audited), and this dialog says why."""
        typed = self.password.text()
        dialog = self.password_dialog(principal, typed)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            users.sign_out(self.db, principal, reason="did not choose a password of their own")
            self.message.setText("Not signed in: your password was set by an administrator, so choose your own "
                                 "to go on. Sign in again to choose it.")
            self.password.clear()
            self.password.setFocus()
            return False
        return True

    def password_dialog(self, principal: Principal, typed: str) -> PasswordDialog:
        def submit(_current: str | None, new: str) -> None:  # signed in as the principal the change returns
            self.principal = users.change_own_password(self.db, principal, typed, new)

        return PasswordDialog(self, for_whom=principal.display, own=True, required=True, submit=submit,
                              runner=self.runner)


def plain_error(exc: BaseException) -> str:
    """What a person is told of an error: a refusal's own words; for anything no screen expected, a plain
    sentence and never the error's own text (a database error's holds the SQL statement and its values: a
    user test of 2026-12-05 was shown "Something went wrong (OperationalError: no such table … [SQL: SELECT
    …])" on a database with a table dropped). The details go to the log (:func:`show_error`)."""
    from sqlalchemy.exc import DBAPIError

    from adoption_desktop.core.storage.engine import is_busy_error, is_disk_full_error

    if isinstance(exc, AppError):
        return str(exc)
    if is_disk_full_error(exc):  # not "may be damaged … ask for verify": nothing is wrong with the database
        return ("The disk is full: nothing was saved by the step that failed, and the database is as it was. "
                "Make room on the disk (or ask IT to), then try again; your typing is still on the screen.")
    if isinstance(exc, OSError):
        return f"The file could not be written or read: {exc.strerror or exc}. Check the folder and try again."
    if isinstance(exc, DBAPIError) and is_busy_error(exc):
        return ("The database is busy: another program is writing to it. Nothing was saved by the step that "
                "failed; try again in a moment.")
    if isinstance(exc, DBAPIError) or type(exc).__name__ in ("OperationalError", "DatabaseError"):
        return ("The database could not be read: part of it may be missing or damaged. Nothing was saved by the "
                "step that failed; your other work is safe. Ask an administrator to run 'adoption-desktop verify', "
                "which names what is wrong; the details are in the program's log.")
    return (f"Something went wrong ({exc.__class__.__name__}). Nothing was saved by the step that failed; your "
            "other work is safe. The details are in the program's log.")


def show_error(parent: QWidget | None, title: str, exc: BaseException, *, logged: bool = False) -> None:
    """``exc`` said plainly (:func:`plain_error`); an error no screen expected goes to the log (the kind and
    where it happened, not its message) unless the caller has ``logged`` it already."""
    if not logged and not isinstance(exc, AppError | OSError):
        import logging

        logging.getLogger(__name__).error("%s: unexpected error", title, exc_info=(type(exc), exc, exc.__traceback__))
    QMessageBox.critical(parent, title, plain_error(exc))
