"""Administration: users and roles, local-practice settings, agency closure days, the agency profile and
templates (``ui.admin_templates``), the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from adoption_desktop.core import audit_service
from adoption_desktop.core.audit import AuditFilter, AuditRow, readable
from adoption_desktop.core.concurrency import local_time
from adoption_desktop.core.config import SETTINGS_REGISTRY
from adoption_desktop.core.errors import AppError, ValidationError
from adoption_desktop.core.models import ClosureDay
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Permission, Role
from adoption_desktop.core.settings_service import (
    all_settings,
    locked_by_policy,
    setting_versions,
)
from adoption_desktop.core.settings_undo import add_closure, change_setting, remove_closure
from adoption_desktop.core.wording import plural, plural_form
from adoption_desktop.ui.accessibility import box_buttons, tab_in_order
from adoption_desktop.ui.ask import ask_text
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import DateEdit, pydate
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.discard import AsksBeforeDiscard
from adoption_desktop.ui.files import save_file_name
from adoption_desktop.ui.fit import TITLE_MARGIN, fold_pairs, title_metrics
from adoption_desktop.ui.forms import child, load_dialog_form, load_form
from adoption_desktop.ui.list_keys import SearchKeys
from adoption_desktop.ui.modal import run_modal, session_ended
from adoption_desktop.ui.table_model import ROW_ROLE, Column, RowTableModel
from adoption_desktop.ui.table_view import make_table_view
from adoption_desktop.ui.tasks import TaskHandle, run_with_progress
from adoption_desktop.ui.wrap_row import WrapRow

if TYPE_CHECKING:
    from adoption_desktop.core.storage.lifecycle import VerifyReport
    from adoption_desktop.ui.dialogs import PasswordDialog


def _table(model: RowTableModel[object], name: str, *, last_fills: bool = False) -> QTableView:
    """``name``: what a screen reader calls the list (unnamed, it was announced as "List" on every tab).
    ``last_fills``: the last column (a sentence: a setting's meaning, an audit entry's changes) takes
    the room the others leave and is cut short with its whole text in the tooltip; sized to its contents
    it made the table scroll sideways, and the Audit log's "Changes" column so wide its title was out of
    sight."""
    view = make_table_view(model, sortable=True)
    view.setAccessibleName(name)
    view.setWordWrap(False)
    model.modelReset.connect(view.resizeColumnsToContents)
    if last_fills:
        def narrow_last() -> None:  # then the header's stretchLastSection gives it the room that is left
            header = view.horizontalHeader()
            last = header.count() - 1
            title = str(model.headerData(last, Qt.Orientation.Horizontal) or "")
            header.resizeSection(last, title_metrics(header).horizontalAdvance(title) + TITLE_MARGIN)
            header.setStretchLastSection(True)

        model.modelReset.connect(narrow_last)
    return view


def _selected(view: QTableView) -> object | None:
    index = view.currentIndex()
    return index.data(ROW_ROLE) if index.isValid() else None


class UserDialog(AsksBeforeDiscard, QDialog):
    """New user; Escape or Cancel after a name was typed or a role ticked asks "Discard what you typed?"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = load_dialog_form(self, "admin_user_dialog")
        self.setWindowTitle("New user")
        self.full_name = child(form, QLineEdit, "full_name")
        self.username = child(form, QLineEdit, "username")
        self.password = child(form, QLineEdit, "password")
        self.confirm_password = child(form, QLineEdit, "confirm_password")
        self.message = child(form, QLabel, "message")
        box_layout = child(form, QWidget, "roles_box").layout()
        assert box_layout is not None
        self.role_boxes: dict[Role, QCheckBox] = {}
        for role in Role:
            box = QCheckBox(role.label)
            box_layout.addWidget(box)
            self.role_boxes[role] = box
        buttons = child(form, QDialogButtonBox, "buttons")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        # the role tick boxes, made here, where they stand: after the password, before OK and Cancel (Tab
        # reached them after Cancel)
        tab_in_order(self.confirm_password, *self.role_boxes.values(), *box_buttons(buttons))

    def roles(self) -> list[Role]:
        return [r for r, b in self.role_boxes.items() if b.isChecked()]


def _roles_text(user: users.UserSummary) -> str:
    """The roles in effect, then any role row added outside the application, which is not in effect."""
    text = ", ".join(r.label for r in user.roles)
    if user.roles_withheld:
        named = ", ".join(users.role_label(r) for r in user.roles_withheld)
        text += f"{'; ' if text else ''}NOT IN EFFECT (added outside the application): {named}"
    return text


class UsersTab(QWidget):
    COLUMNS: ClassVar[list[Column[users.UserSummary]]] = [
        Column("User name", lambda u: u.username),
        Column("Full name", lambda u: u.full_name),
        Column("Job title", lambda u: u.job_title),
        Column("Roles", _roles_text),
        Column("Status", lambda u: "Disabled" if u.disabled else ("Locked" if u.locked() else "Active")),
        Column("Last sign-in", lambda u: local_time(u.last_login) if u.last_login else None),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.model: RowTableModel[users.UserSummary] = RowTableModel(self.COLUMNS)
        self.view = _table(self.model, "Users")  # type: ignore[arg-type]
        layout = QVBoxLayout(self)
        buttons = WrapRow()  # wraps onto a second line on a narrow (scaled) screen instead of scrolling sideways
        made: dict[str, QPushButton] = {}
        for text, slot in (("&New user…", self.new_user), ("&Roles…", self.edit_roles),
                           ("&Disable user…", self.toggle_disabled), ("Reset pass&word…", self.reset_password),
                           ("Un&lock", self.unlock), ("&Job title…", self.edit_job_title)):
            b = QPushButton(text)
            b.clicked.connect(lambda _checked=False, f=slot: f())
            buttons.addWidget(b)
            made[text] = b
        # Enter or a double-click on a user: what Roles… does (the user's one edit dialog)
        self.view.activated.connect(lambda _i: made["&Roles…"].click())
        self.disable_button = made["&Disable user…"]  # says what it will do to the selected user
        self.disable_button.setObjectName("disable_user")
        self.unlock_button = made["Un&lock"]  # only for a locked account; its tooltip says why not
        self.unlock_button.setObjectName("unlock_user")
        buttons.addStretch(1)
        if ctx.db.is_sqlite:  # a database file's recovery key; a team server has none
            recovery = QPushButton("New recovery &key…")
            recovery.setObjectName("new_recovery_key")
            recovery.setToolTip("Issue a new recovery key for this database; the old printed one stops working")
            recovery.clicked.connect(lambda _checked=False: self.new_recovery_key())
            buttons.addWidget(recovery)
        layout.addLayout(buttons)
        layout.addWidget(self.view)
        note = QLabel("Users are disabled, never deleted, so the audit log keeps its meaning.")
        layout.addWidget(note)
        # the selected account is read again (one row) when chosen, clicked or the tab shown: its lock may
        # have come on another PC since the list was read (review: Unlock stayed greyed "not locked")
        self._listing = False
        self._read_again: tuple[int, float] | None = None  # (account, when): a click after a row change
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._read_selected_again())
        self.view.clicked.connect(lambda *_: self._read_selected_again())
        self.model.modelReset.connect(self._update_disable_button)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._read_selected_again()

    def _read_selected_again(self) -> None:
        """The selected account as it is now (one row read again, the list's row replaced), then the buttons.
        Not while the whole list is being read, nor for a session that has ended; if the read fails the
        row stays as listed (Unlock itself still reads the account before changing anything)."""
        import logging
        import time

        listed = self._current()
        if listed is not None and not self._listing and not self.ctx.ended:
            now = time.monotonic()
            if self._read_again is None or self._read_again[0] != listed.id or now - self._read_again[1] > 1:
                self._read_again = (listed.id, now)
                try:
                    fresh = users.user_summary(self.ctx.db, self.ctx.principal, listed.id)
                except Exception:  # the listed row stays; the button as it was read
                    logging.getLogger(__name__).exception("reading the selected account again failed")
                    fresh = None
                if fresh is not None and fresh != listed:
                    self.model.replace_row(listed, fresh)
        self._update_disable_button()

    def refresh(self, select_id: int | None = None) -> None:
        """Reload the list; the user acted on (``select_id``, else the one selected) stays selected."""
        current = self._current()
        wanted = select_id if select_id is not None else (current.id if current is not None else None)
        self._listing = True  # the list just read: the selected row is not read again
        try:
            self.model.set_rows(users.list_users(self.ctx.db, self.ctx.principal))
            for row in range(self.model.rowCount()):
                user = self.model.index(row, 0).data(ROW_ROLE)
                if isinstance(user, users.UserSummary) and user.id == wanted:
                    self.view.selectRow(row)
                    break
        finally:
            self._listing = False
        self._update_disable_button()

    def _update_disable_button(self) -> None:
        """The buttons that depend on the selected user: Disable/Enable, and Unlock (greyed, saying why,
        unless the account is locked or has failed sign-ins to clear: ``users.unlock_refusal``)."""
        user = self._current()
        self.disable_button.setEnabled(user is not None)
        self.disable_button.setText("&Enable user…" if user is not None and user.disabled else "&Disable user…")
        refusal = users.unlock_refusal(user)
        self.unlock_button.setEnabled(refusal is None)
        self.unlock_button.setToolTip(refusal if refusal is not None else users.unlock_hint(user) if user else "")

    def _current(self) -> users.UserSummary | None:
        row = _selected(self.view)
        return row if isinstance(row, users.UserSummary) else None

    def new_user(self) -> None:
        dialog = UserDialog(self)
        while run_modal(dialog):
            if dialog.password.text() != dialog.confirm_password.text():  # checked before anything is saved
                dialog.message.setText("Confirm password: the two passwords differ; type the same one in both.")
                dialog.confirm_password.setFocus()
                continue
            try:
                made = users.create_user(self.ctx.db, self.ctx.principal, dialog.username.text(),
                                         dialog.full_name.text(), dialog.password.text(), dialog.roles())
            except AppError as exc:
                dialog.message.setText(str(exc))
                continue
            self.ctx.notify(f"User {dialog.username.text().strip()} ({dialog.full_name.text().strip()}) created: "
                            "they can sign in now, and choose their own password when they do.")
            self.refresh(made.id)
            return
        if not session_ended(self):  # signed out meanwhile: the list went with the page
            self.refresh()

    def edit_roles(self) -> None:
        user = self._current()
        if user is None:
            return
        dialog = UserDialog(self)
        dialog.setWindowTitle(f"Roles of {user.full_name}")
        for w in (dialog.full_name, dialog.username, dialog.password, dialog.confirm_password):
            w.setEnabled(False)
        dialog.full_name.setText(user.full_name)
        dialog.username.setText(user.username)
        for role, box in dialog.role_boxes.items():
            box.setChecked(role in user.roles)
        # the roles are all there is to change: the keyboard starts on the first (it was on OK, so Enter
        # saved at once)
        next(iter(dialog.role_boxes.values())).setFocus()
        if user.roles_withheld:  # unticked: saving gives it only when ticked here, as a grant of yours
            named = ", ".join(users.role_label(r) for r in user.roles_withheld)
            dialog.message.setText(f"Not in effect: {named} (added outside the application). Tick it to give it "
                                   "as your own grant; saving without it removes it.")
        if run_modal(dialog):
            try:
                users.set_roles(self.ctx.db, self.ctx.principal, user.id, dialog.roles(),
                                expected_version=user.row_version)
            except AppError as exc:
                show_error(self, "Roles", exc)
        if not session_ended(self):
            self.refresh()

    def toggle_disabled(self, *, confirmed: bool = False) -> None:
        user = self._current()
        if user is None:
            return
        verb = "Enable" if user.disabled else "Disable"
        if not confirmed:
            consequence = ("They can sign in again with their password." if user.disabled else
                           "They are refused at their next action, even if signed in now; their records and "
                           "audit entries stay.")
            answer = QMessageBox.question(
                self, f"{verb} user", f"{verb} {user.full_name} ({user.username})? {consequence}",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            users.set_disabled(self.ctx.db, self.ctx.principal, user.id, not user.disabled,
                               expected_version=user.row_version)
        except AppError as exc:
            show_error(self, f"{verb} user", exc)
        self.refresh()

    def reset_password(self) -> None:
        user = self._current()
        if user is None:
            return
        run_modal(self.password_dialog(user))
        if not session_ended(self):
            self.refresh()  # a refusal (set again meanwhile) or a reset: the list shows the account as it is now

    def password_dialog(self, user: users.UserSummary) -> PasswordDialog:
        """Your own password needs the current one; another user's is simply reset."""
        from adoption_desktop.ui.dialogs import PasswordDialog

        own = user.id == self.ctx.principal.user_id

        def submit(current: str | None, new: str) -> None:
            if own:  # this window goes on as the principal the change returns
                self.ctx.change_own_password(current or "", new)
            else:
                users.reset_password(self.ctx.db, self.ctx.principal, user.id, new,
                                     expected_serial=user.password_serial)

        # checked (and hashed) on a worker thread: the window keeps drawing, OK greyed meanwhile
        return PasswordDialog(self, for_whom=f"{user.full_name} ({user.username})", own=own, submit=submit,
                              runner=self.ctx.tasks)

    def edit_job_title(self, title: str | None = None) -> None:
        """The job title printed under this user's name on the letters they sign."""
        user = self._current()
        if user is None:
            return
        if title is None:
            text, ok = QInputDialog.getText(self, "Job title", f"Job title of {user.full_name} (printed under "
                                            "their name on the letters they sign):", text=user.job_title)
            if not ok:
                return
            title = text
        try:
            users.set_job_title(self.ctx.db, self.ctx.principal, user.id, title, expected_version=user.row_version)
        except AppError as exc:
            show_error(self, "Job title", exc)
        self.refresh()

    def new_recovery_key(self) -> None:
        """Replace the database's recovery key (``core.storage.recovery_key``), once the administrator has
        read what that does; the new key shown once in the dialog that shows it at creation."""
        from adoption_desktop.core.storage.recovery_key import (
            BACKUPS_NOTE,
            UNFINISHED_NOTE,
            ReplacementLeftUnfinished,
            in_progress_message,
            recovery_stamp,
            replace_recovery_key,
            replacement_in_progress,
            unfinished_replacement,
        )
        from adoption_desktop.ui.dialogs import RecoveryKeyDialog

        title = "New recovery key"
        db = self.ctx.db
        try:
            stamp = recovery_stamp(db)  # as seen now: another administrator's replacement meanwhile is told
            busy = replacement_in_progress(db)  # another administrator's key window open: told before asking
        except AppError as exc:
            show_error(self, title, exc)
            return
        if busy is not None:
            QMessageBox.information(self, title, in_progress_message(busy, self.ctx.principal))
            return
        unfinished = (f"\n\n{UNFINISHED_NOTE}" if db.path is not None and unfinished_replacement(db.path, db)
                      else "")
        answer = QMessageBox.question(
            self, title,
            "Issue a new recovery key for this database?\n\nUse this when the printed recovery key is lost, or "
            "may have been seen by someone who should not have it. The new one is shown once, to print or write "
            "down; the recovery key in use now stops opening the database once that window is closed. The "
            f"database, its key and everyone's access to it are unchanged.\n\n{BACKUPS_NOTE}{unfinished}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return

        def show(recovery: str) -> bool:
            # the idle lock covers it (MainWindow.lock) and its exec() runs on through the lock: the key, shown
            # only once, is there again at the unlock. The old key is withdrawn only once this window has
            # been closed by its administrator; closed by a sign-out or Switch user, it is not (False)
            dialog = RecoveryKeyDialog(self, recovery, str(db.path), replaced=True)
            dialog.exec()
            return not dialog.closed_by_sign_out

        try:
            replace_recovery_key(db, self.ctx.principal, expected=stamp, show=show)
        except ReplacementLeftUnfinished:  # its administrator was signed out: nothing said to whoever is here
            return
        except (AppError, OSError) as exc:  # nothing changed; or, once shown, the old key not yet withdrawn
            show_error(self, title, exc)
            return
        self.ctx.notify("A new recovery key was issued; the old one no longer opens the database.")

    def unlock(self) -> None:
        user = self._current()
        if user is not None:
            try:
                users.unlock_account(self.ctx.db, self.ctx.principal, user.id)
            except AppError as exc:
                show_error(self, "Unlock", exc)
            self.refresh()


#: the widest the Settings tab's label column grows (pixels)
SETTING_COLUMN_MAX = 520


class SettingsTab(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        # the label and the value in words (units, Yes/No); the internal key only in the tooltip, for IT
        self.model: RowTableModel[tuple[str, str, str, str, str]] = RowTableModel([
            Column("Setting", lambda r: r[1],
                   tooltip=lambda r: f"{r[1]}\n{r[3]}\n(policy key: {r[0]})".replace("\n\n", "\n")),
            Column("Value", lambda r: r[2]), Column("Set by", lambda r: r[4]),
            Column("Meaning", lambda r: r[3], tooltip=lambda r: r[3] or None)])
        self.view = _table(self.model, "Settings", last_fills=True)  # type: ignore[arg-type]
        # one label is a long sentence: capped, so the values stay in view on a 1366-pixel screen (elided
        # labels are whole in their tooltip)
        self.model.modelReset.connect(
            lambda: self.view.setColumnWidth(0, min(self.view.columnWidth(0), SETTING_COLUMN_MAX)))
        self.view.activated.connect(lambda _i: self.edit())  # Enter or a double-click: Change value…
        layout = QVBoxLayout(self)
        edit = QPushButton("Change &value…")  # Alt+C is the Closure days tab
        edit.clicked.connect(self.edit)
        note = QLabel("Local practice: timescales and rules your agency may set differently. Every change is "
                      "audited. The agency's name, address, contact details, team names and logo on letters: the "
                      "Agency profile tab.")
        note.setWordWrap(True)  # wraps on a narrow or scaled screen rather than widening the page
        layout.addWidget(note)
        layout.addWidget(edit, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.view)
        self.refresh()
        ctx.after_undo.append(lambda entry: self.refresh() if entry.area in ('', 'admin') else None)

    def refresh(self) -> None:
        with self.ctx.db.session(self.ctx.principal, write=False) as session:
            values = all_settings(session)
        rows = []
        from adoption_desktop.core.agency_profile import PROFILE_SETTINGS

        # the Agency profile tab owns what heads the letters (the name and address included): shown in one
        # place only, a name saved there can never sit out of date here
        on_profile_tab = {s.key for s in PROFILE_SETTINGS}
        for key, value in values.items():
            if key in on_profile_tab:
                continue
            setting = SETTINGS_REGISTRY[key]
            policy_name = locked_by_policy(setting)
            set_by = f"IT (policy {policy_name}): locked" if policy_name else "Agency"
            rows.append((key, setting.label, setting.display(value), setting.help, set_by))
        self.model.set_rows(rows)

    def edit(self) -> None:
        row = _selected(self.view)
        if not isinstance(row, tuple):
            return
        setting = SETTINGS_REGISTRY[row[0]]
        policy_name = locked_by_policy(setting)
        if policy_name is not None:
            QMessageBox.information(self, setting.label, f"{setting.label} is set by your IT department for this "
                                    f"computer (policy {policy_name}) and cannot be changed here.")
            return
        with self.ctx.db.session(self.ctx.principal, write=False) as session:
            current = all_settings(session)[setting.key]
            version = setting_versions(session)[setting.key]
        try:
            if isinstance(setting.default, bool):
                value: object = QMessageBox.question(
                    self, setting.label, f"{setting.label}\n\nNow: {setting.display(current)}. Answer Yes or No.",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.Yes if current else QMessageBox.StandardButton.No,
                ) == QMessageBox.StandardButton.Yes
            elif isinstance(setting.default, int):
                unit = setting.unit_name()
                bounds = (f"at least {setting.minimum}" if setting.maximum is None
                          else f"{setting.minimum} to {setting.maximum}")
                prompt = f"{setting.label}" + (f" (in {plural_form(unit) if unit not in ('MB', '%') else unit}, "
                                                f"{bounds})" if unit else f" ({bounds})")
                number, ok = QInputDialog.getInt(self, setting.label, prompt, int(current),
                                                 setting.minimum, setting.maximum or 100000)
                if not ok:
                    return
                value = number
            else:
                text, ok = ask_text(self, setting.label, setting.label, str(current))
                if not ok:
                    return
                value = text
            # the service checks the value (its range; a reference prefix's rules) and says what it may be
            self.ctx.did(change_setting(self.ctx.db, self.ctx.principal, setting, value, expected_version=version))
        except AppError as exc:
            show_error(self, "Settings", exc)
        self.refresh()


class ClosureTab(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.model: RowTableModel[tuple[dt.date, str]] = RowTableModel([
            Column("Day", lambda r: r[0]), Column("Reason", lambda r: r[1])])
        self.view = _table(self.model, "Closure days")  # type: ignore[arg-type]
        layout = QVBoxLayout(self)
        note = QLabel("Days the agency is closed count as non-working days in every deadline, "
                      "on top of England and Wales bank holidays.")
        note.setWordWrap(True)  # wraps on a narrow or scaled screen rather than widening the page
        layout.addWidget(note)
        row = QHBoxLayout()
        self.day = DateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setAccessibleName("Day the agency is closed")  # no label beside it: named for screen readers
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Reason, e.g. office move")
        add = QPushButton("A&dd")  # Alt+A is the Audit log tab
        add.clicked.connect(self.add)
        remove = QPushButton("&Remove selected")
        remove.clicked.connect(self.remove)
        for w in (self.day, self.reason, add, remove):
            row.addWidget(w)
        layout.addLayout(row)
        layout.addWidget(self.view)
        self.refresh()
        ctx.after_undo.append(lambda entry: self.refresh() if entry.area in ('', 'admin') else None)

    def refresh(self) -> None:
        with self.ctx.db.session(self.ctx.principal, write=False) as session:
            rows = [(c.day, c.reason) for c in session.scalars(select(ClosureDay).order_by(ClosureDay.day))]
        self.model.set_rows(rows)

    def add(self) -> None:
        try:
            self.ctx.did(add_closure(self.ctx.db, self.ctx.principal, pydate(self.day.date()), self.reason.text()))
        except AppError as exc:
            show_error(self, "Closure days", exc)  # the reason typed stays, to be corrected
        else:
            self.reason.clear()
        self.refresh()

    def remove(self) -> None:
        row = _selected(self.view)
        if isinstance(row, tuple):
            try:
                self.ctx.did(remove_closure(self.ctx.db, self.ctx.principal, row[0], expected_reason=row[1]))
            except AppError as exc:
                show_error(self, "Closure days", exc)
            self.refresh()


def _at_local(at: str) -> dt.datetime | None:
    """An entry's stored time (ISO, UTC) in this PC's zone; None when it cannot be read."""
    try:
        return local_time(dt.datetime.fromisoformat(at))
    except ValueError:
        return None


def _detail(r: AuditRow, names: Mapping[int, str] | None = None) -> str:
    """The entry's changes in words (an account named by id as the person, from ``names``) and its detail."""
    return "; ".join(x for x in (readable.changes_text(r.changes, names), r.detail) if x)


def _when(r: AuditRow) -> str:
    local = _at_local(r.at)
    return f"{local:%d/%m/%Y %H:%M:%S}" if local else r.at[:19]


class AuditTab(QWidget):
    """The audit log, newest first, a page (``audit_service.PAGE`` entries) at a time: the line above the
    list says how many of how many entries are shown, and Show next adds the next older page. Narrowed
    by user (name or its start, capitals ignored), action, record, a case reference and days (From and
    To, on this PC's calendar); times are this PC's (as Last sign-in on Users). Loading and Verify run off
    the UI thread (``ctx.tasks``)."""

    def _columns(self) -> list[Column[AuditRow]]:
        """The list's columns; changes naming a user account by id (a case's counsellor) show the person, from
        the names the pages loaded (``self.names``)."""
        def detail(r: AuditRow) -> str:
            return _detail(r, self.names)

        return [
            Column("#", lambda r: r.seq, align_right=True),
            Column("When", _when, sort_key=lambda r: r.seq,
                   tooltip=lambda r: f"{r.at[:19].replace('T', ' ')} UTC"),
            Column("Who", lambda r: r.actor),
            # in words; the codes as logged (what the CSV export and verify show) in the tooltips
            Column("Action", lambda r: readable.action_label(r.action), tooltip=lambda r: f"Logged as: {r.action}"),
            Column("Record", lambda r: readable.record_label(r.entity, r.entity_id),
                   tooltip=lambda r: f"Logged as: {r.entity} {r.entity_id}"),
            Column("Changes / detail", lambda r: detail(r)[:300],
                   tooltip=lambda r: (detail(r)[:2000] + (f"\n\nLogged as: {r.changes}"[:2000] if r.changes else ""))
                   or None),
        ]

    TEXT_FILTERS: ClassVar[tuple[str, ...]] = ("actor", "action", "entity", "entity_id", "reference")

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        #: display names of the user accounts the listed entries name by id (each page's, added up)
        self.names: dict[int, str] = {}
        self.model: RowTableModel[AuditRow] = RowTableModel(self._columns())
        self.view = _table(self.model, "Audit log", last_fills=True)  # type: ignore[arg-type]
        self._applied: AuditFilter | None = None  # the filter as typed, that the list shows
        self._query: AuditFilter | None = None  # the same, with a reference's records found
        self._page: audit_service.AuditPage | None = None  # the last page loaded (its total, its newest)
        self._generation = 0  # a list asked for later replaces one still loading
        form = load_form("audit_filters", self)
        # four filters a row; two a row on a narrow (scaled) screen, rather than scrolling the page sideways
        self.filter_folder = fold_pairs(child(form, QGridLayout, "fields"), self)
        self.filters: dict[str, QLineEdit] = {key: child(form, QLineEdit, key) for key in self.TEXT_FILTERS}
        self.since = child(form, DateEdit, "since")
        self.until = child(form, DateEdit, "until")
        for day in (self.since, self.until):
            day.set_blank("no limit")
            day.installEventFilter(self)  # Enter filters, as in the other boxes
        for edit in self.filters.values():
            edit.returnPressed.connect(lambda: self.refresh())
            # Down and Page Down go to the entries (filtered first when the box was changed since)
            SearchKeys(edit, self.view, ready=self._filtered)
        child(form, QPushButton, "apply_button").clicked.connect(lambda: self.refresh())
        child(form, QPushButton, "export_button").clicked.connect(self.export)
        self.verify_button = child(form, QPushButton, "verify_button")
        self.verify_button.clicked.connect(self.verify)
        self.verify_label = child(form, QLabel, "verify_label")
        self.shown_label = QLabel()
        self.shown_label.setObjectName("shown_label")
        self.shown_label.setWordWrap(True)
        self.more_button = QPushButton()
        self.more_button.setObjectName("more_button")
        self.more_button.setToolTip("Add the next older entries to the list")
        self.more_button.clicked.connect(self.show_more)
        self.more_button.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(form)
        # the line under the filters is the tab's own: wrapped to two lines, inside the form it squeezed the
        # boxes above it instead of taking a second line's height
        shown = QHBoxLayout()
        shown.addWidget(self.shown_label, 1)
        shown.addWidget(self.more_button)
        layout.addLayout(shown)
        layout.addWidget(self.view, 1)
        self.refresh()

    # -- the filter -------------------------------------------------------------------------------

    def _filter_values(self) -> AuditFilter:
        """The filter as typed; a :class:`ValidationError` naming From or To when either is not a date, or
        From is after To."""
        def typed(key: str) -> str | None:
            return self.filters[key].text().strip() or None

        since, until = audit_service.local_day_bounds(self.since.optional_date(), self.until.optional_date())
        from adoption_desktop.core.storage.base import Base

        action, entity = typed("action"), typed("entity")
        # the words shown in the list, or the codes as logged
        action = readable.action_code(action) if action else None
        entity = readable.entity_code(entity, sorted(Base.metadata.tables)) if entity else None
        return AuditFilter(actor=typed("actor"), action=action, entity=entity,
                           entity_id=typed("entity_id"), reference=typed("reference"), since=since, until=until)

    def _checked_filter(self) -> AuditFilter | None:
        """The filter as typed, or None once the user is told what is wrong with From or To."""
        try:
            return self._filter_values()
        except ValidationError as exc:
            show_error(self, "Audit log", exc)
            (self.until if self.until.problem() and not self.since.problem() else self.since).setFocus()
            return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched in (self.since, self.until) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~(
                    Qt.KeyboardModifier.KeypadModifier):
                if isinstance(watched, DateEdit) and watched.commit():
                    self.refresh()
                return True
        return super().eventFilter(watched, event)

    # -- loading ----------------------------------------------------------------------------------

    def refresh(self, then: Callable[[], object] | None = None) -> None:
        """The newest page for the filter typed (in the background); ``then`` runs once it is shown."""
        wanted = self._checked_filter()
        if wanted is None:
            return
        self._generation += 1
        generation = self._generation
        db, me = self.ctx.db, self.ctx.principal

        def work(_task: TaskHandle) -> tuple[AuditFilter, audit_service.AuditPage]:
            query = wanted
            if wanted.reference:
                query = replace(wanted, records=audit_service.records_for_reference(db, me, wanted.reference))
            return query, audit_service.list_page(db, me, query)

        def done(result: tuple[AuditFilter, audit_service.AuditPage]) -> None:
            if generation != self._generation:
                return  # a newer list was asked for
            self._applied, (self._query, self._page) = wanted, result
            self.names = dict(self._page.names)
            self.model.set_rows(self._page.rows)
            self._say_what_is_shown()
            if then is not None:
                then()

        self.shown_label.setText("Listing…")
        self.ctx.tasks.run(work, on_done=done, on_error=lambda exc: show_error(self, "Audit log", exc))

    def show_more(self) -> None:
        """The next older page, added below the entries shown (the count is the first page's: not run again)."""
        page, query = self._page, self._query
        if page is None or query is None or not self.model.rowCount():
            return
        generation = self._generation
        oldest = min(r.seq for r in self.model.rows())
        db, me = self.ctx.db, self.ctx.principal

        def done(more: audit_service.AuditPage) -> None:
            if generation != self._generation:
                return
            self._page = more
            self.names.update(more.names)
            shown = self.model.rows()
            self.model.set_rows([*shown, *more.rows])
            if more.rows:  # the first entry added, so the list goes on where it was
                at = next(i for i, r in enumerate(self.model.rows()) if r.seq == more.rows[0].seq)
                self.view.selectRow(at)
                self.view.scrollTo(self.model.index(at, 0))
            self._say_what_is_shown()

        def failed(exc: BaseException) -> None:
            self.more_button.setEnabled(True)  # to try again
            show_error(self, "Audit log", exc)

        self.more_button.setEnabled(False)
        # the first page's count holds for every later page of the same filter (F5 or Apply counts again)
        self.ctx.tasks.run(lambda _t: audit_service.list_page(db, me, query, before_seq=oldest,
                                                              newest_seq=page.newest_seq, total=page.total),
                           on_done=done, on_error=failed)

    def _say_what_is_shown(self) -> None:
        shown = self.model.rowCount()
        total = self._page.total if self._page else 0
        query = self._query or AuditFilter()
        matching = " that match" if query != AuditFilter() else ""
        if query.records == ():
            text = (f"No record has the case reference \"{query.reference}\": it takes a counselling case's "
                    "reference (BRC-…), an ADM decision's or panel item's case reference, or a letterbox "
                    "arrangement's reference.")
        elif total == 0:
            text = "No entries match." if matching else "The log has no entries."
        elif shown < total:
            text = (f"Showing the newest {shown:,} of {plural(total, 'entry', 'entries')}{matching} — narrow "
                    "the search or show more.")
        else:
            text = f"Showing all {plural(total, 'entry', 'entries')}{matching}." if total > 1 else \
                f"Showing the one entry{' that matches' if matching else ''}."
        self.shown_label.setText(text)
        left = total - shown
        self.more_button.setVisible(left > 0)
        self.more_button.setEnabled(left > 0)
        self.more_button.setText(f"Show ne&xt {min(left, audit_service.PAGE):,}")

    def _filtered(self, action: Callable[[], object]) -> None:
        try:
            same = self._filter_values() == self._applied
        except ValidationError:
            same = False  # refresh says what is wrong
        if same:
            action()
        else:
            self.refresh(then=action)

    # -- export and verify ------------------------------------------------------------------------

    def export(self) -> None:
        """Every entry the filter typed keeps (not only those listed), as CSV (times in UTC, as stored), in
        the background with a progress window whose Cancel leaves no file under the name chosen."""
        wanted = self._checked_filter()
        if wanted is None:
            return
        path = save_file_name(self, "exports", "Export audit log", "audit-log.csv", "CSV (*.csv)")
        if not path:
            return
        if not Path(path).suffix:  # a name typed without its ending (as the backup adds .adkbak)
            path += ".csv"
        db, me, out = self.ctx.db, self.ctx.principal, Path(path)

        def work(task: TaskHandle) -> int:
            query = wanted
            if wanted.reference:
                task.progress(0, 0, "Finding the records of the case reference…")
                query = replace(wanted, records=audit_service.records_for_reference(db, me, wanted.reference))
            return audit_service.export_csv(
                db, me, out, query, cancelled=lambda: task.cancelled,
                progress=lambda done, total: task.progress(done, total, f"{done:,} of {total:,} entries written…"))

        def done(n: int) -> None:
            QMessageBox.information(self, "Audit log", f"{plural(n, 'entry', 'entries')} exported.")

        # a cancel (ExportCancelled) is the user's own choice: no file, and the status bar says so
        run_with_progress(self, self.ctx.tasks, "Exporting the audit log…", work, done,
                          lambda exc: show_error(self, "Audit log", exc))

    def verify(self) -> None:
        """What ``adoption-desktop verify`` checks, in the background with a progress window; the result in
        a message and beside the button. Not audited, as the command is not: checking the log does not
        add to it."""
        db, me = self.ctx.db, self.ctx.principal
        handles: list[TaskHandle] = []

        def done(report: VerifyReport) -> None:
            at = dt.datetime.now().astimezone()
            self.verify_button.setEnabled(True)
            if report.ok:
                self.verify_label.setText(f"Verified at {at:%H:%M}: intact.")
                # which records outside the database vouched, and how far (or that none did): "match the
                # copies kept outside" was said even on a PC that had none
                message = (f"The audit chain is intact: all {plural(report.audit_entries, 'entry', 'entries')} "
                           "follow on one from another, and every audited record matches the log. The database "
                           "file is intact.\n\n" + "\n".join(line.strip() for line in report.vouched)
                           if report.full else
                           "The database file is intact (every page checked). Its audit log and records are "
                           "checked in full once the database is upgraded to this version.")
            else:
                first = next((p for p in report.problems if "first broken entry" in p), report.problems[0])
                self.verify_label.setText(f"Verified at {at:%H:%M}: <b>{plural(len(report.problems), 'problem')}"
                                          "</b>.")
                listed = "\n".join(f"• {p}" for p in report.problems[:12])
                more = len(report.problems) - 12
                message = (f"Verification found {plural(len(report.problems), 'problem')}. The first: {first}\n\n"
                           f"{listed}" + (f"\n… and {more:,} more" if more > 0 else "") +
                           "\n\nSomething was changed outside the application. Call IT before anything else is "
                           "done; they can run `adoption-desktop verify` on the file for the same list.")
            if handles and handles[0].cancelled:
                return  # the window was closed: the result is beside the button
            if report.ok:
                QMessageBox.information(self, "Verify the audit chain", message)
            else:
                QMessageBox.warning(self, "Verify the audit chain", message)

        def failed(exc: BaseException) -> None:
            self.verify_button.setEnabled(True)
            self.verify_label.setText("")
            show_error(self, "Verify the audit chain", exc)

        self.verify_button.setEnabled(False)
        self.verify_label.setText("Verifying…")
        handles.append(run_with_progress(self, self.ctx.tasks, "Verifying the audit chain…",
                                         lambda _t: audit_service.verify(db, me), done, failed))


class AdminPage(QTabWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.setObjectName("admin_page")
        if ctx.principal.can(Permission.USERS_MANAGE):
            self.users = UsersTab(ctx)
            self.addTab(self.users, "&Users")
            from adoption_desktop.ui.access_review import AccessReviewTab

            self.access_review = AccessReviewTab(ctx)
            self.addTab(self.access_review, "Access review (&Q)")
        if ctx.principal.can(Permission.SETTINGS_MANAGE):
            self.settings = SettingsTab(ctx)
            self.addTab(self.settings, "&Settings")
            self.closures = ClosureTab(ctx)
            self.addTab(self.closures, "&Closure days")
            from adoption_desktop.ui.admin_templates import ProfileTab, TemplatesTab

            self.profile = ProfileTab(ctx)
            self.addTab(self.profile, "Agenc&y profile")
            self.templates = TemplatesTab(ctx)
            self.addTab(self.templates, "&Templates")
        if ctx.principal.can(Permission.AUDIT_VIEW):
            self.audit = AuditTab(ctx)
            self.addTab(self.audit, "&Audit log")
        # a tab shows what is in the database when it is shown (a change made on another tab, or the new
        # audit entries of one); F5 reloads the tab shown, as on the ADM and counselling pages
        self.currentChanged.connect(lambda _i: self.refresh_shown(lists_only=True))
        QShortcut(QKeySequence("F5"), self, self.refresh_shown)

    def refresh_shown(self, *, lists_only: bool = False) -> None:
        """Reload the tab shown; ``lists_only``: not the profile or a template (typing not yet saved stays)."""
        tab = self.currentWidget()
        from adoption_desktop.ui.access_review import AccessReviewTab

        if isinstance(tab, UsersTab | SettingsTab | ClosureTab | AuditTab | AccessReviewTab) or (not lists_only and hasattr(tab, "refresh")):
            tab.refresh()


def create_page(ctx: AppContext) -> QWidget:
    return AdminPage(ctx)
