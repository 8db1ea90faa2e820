"""Every dialog the application can open, and how to open it on the demo database for each role.

The dialog tests (``tests/ui/test_dialogs.py``) open each entry of :data:`DIALOGS` as a user would — the page's
own action, the menu's own slot — while :func:`capturing` is active: ``exec()`` shows the dialog and returns
*Rejected* instead of blocking, and Qt's static helpers (``QMessageBox.question``, ``QInputDialog.getText``…)
build the same standard dialog, show it and answer *Cancel*. Whatever dialog the action showed is then
checked at 1366×768 at 100 %, 125 % and 150 %, under the system and a high-contrast palette.

**Registering a new dialog**: add one :class:`Entry` to :data:`DIALOGS` (or call :func:`register`) with

* ``name`` — what the failure messages call it;
* ``roles`` — the demo users who can open it (``admin``, ``paneladmin``, ``chair``, ``adm``, ``letterbox``,
  ``counsellor``, ``manager``);
* ``open`` — ``open(window)`` does what the user does (``window`` is a signed-in
  :class:`~adoption_desktop.ui.main_window.MainWindow` at the screen size under test); it may return the
  dialog, otherwise the dialogs shown while it ran are taken;
* ``covers`` — the ``QDialog`` subclasses it shows (``test_every_dialog_class_is_registered`` fails for a
  ``QDialog`` subclass in the package that no entry covers).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)

ALL_ROLES = ("admin", "paneladmin", "chair", "adm", "letterbox", "counsellor", "manager")


@dataclass(frozen=True)
class Entry:
    name: str
    roles: tuple[str, ...]
    open: Callable[[Any], QWidget | None]
    covers: tuple[str, ...] = ()  # class names ("ItemDialog", or "letterbox.ItemDialog" when ambiguous)
    tags: tuple[str, ...] = field(default=())


DIALOGS: list[Entry] = []


def register(name: str, roles: tuple[str, ...] | str, *covers: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Decorator form: ``@register("Sign the decision", "adm", "SignDialog")`` over ``def open(window)``."""
    role_list = (roles,) if isinstance(roles, str) else roles

    def add(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        DIALOGS.append(Entry(name, role_list, fn, covers))
        return fn

    return add


# --- capturing what an action shows ----------------------------------------------------------------------


class Capture:
    def __init__(self) -> None:
        self.shown: list[QWidget] = []

    def add(self, dialog: QWidget) -> None:
        if dialog not in self.shown:
            self.shown.append(dialog)


def _message_box(capture: Capture, icon: QMessageBox.Icon, answer: QMessageBox.StandardButton) -> Any:
    def show(parent: QWidget | None, title: str, text: str, buttons: Any = QMessageBox.StandardButton.Ok,
             default: Any = QMessageBox.StandardButton.NoButton) -> QMessageBox.StandardButton:
        box = QMessageBox(icon, title, text, buttons, parent)
        box.setDefaultButton(default)
        box.show()
        capture.add(box)
        return answer

    return staticmethod(show)


def _about(capture: Capture) -> Any:
    def show(parent: QWidget | None, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
        box.show()
        capture.add(box)

    return staticmethod(show)


def _input(capture: Capture, mode: str) -> Any:
    def show(parent: QWidget | None, title: str, label: str, *args: Any, **kwargs: Any) -> tuple[Any, bool]:
        dialog = QInputDialog(parent)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        if mode == "text":
            dialog.setInputMode(QInputDialog.InputMode.TextInput)
            if len(args) > 1:
                dialog.setTextValue(str(args[1]))
        elif mode == "multi":
            dialog.setInputMode(QInputDialog.InputMode.TextInput)
            dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
            if args:
                dialog.setTextValue(str(args[0]))
        elif mode == "int":
            dialog.setInputMode(QInputDialog.InputMode.IntInput)
            if len(args) >= 3:
                dialog.setIntRange(int(args[1]), int(args[2]))
            if args:
                dialog.setIntValue(int(args[0]))
        elif mode == "item":
            items = list(args[0]) if args else []
            dialog.setComboBoxItems(items)
            if len(args) > 1 and items:
                dialog.setTextValue(items[int(args[1])])
            if len(args) > 2:
                dialog.setComboBoxEditable(bool(args[2]))
        dialog.show()
        capture.add(dialog)
        return ({"int": 0}.get(mode, ""), False)

    return staticmethod(show)


@contextlib.contextmanager
def capturing() -> Iterator[Capture]:
    """While active, dialogs are shown instead of run: ``exec()`` shows and answers *Rejected*, the static
    message boxes and input dialogs are built (as Qt builds them), shown and answer No/Cancel, and file
    dialogs (the operating system's own) answer Cancel."""
    capture = Capture()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = set(app.topLevelWidgets())
    saved: list[tuple[type, str, Any]] = []

    def patch(cls: type, name: str, value: Any) -> None:
        saved.append((cls, name, cls.__dict__.get(name)))
        setattr(cls, name, value)

    def exec_(self: QDialog) -> int:
        self.show()
        capture.add(self)
        return 0

    original_open = QDialog.open

    def open_(self: QDialog) -> None:
        original_open(self)
        capture.add(self)

    for cls in (QDialog, QMessageBox, QInputDialog, QFileDialog):
        patch(cls, "exec", exec_)
    patch(QDialog, "open", open_)
    patch(QMessageBox, "information", _message_box(capture, QMessageBox.Icon.Information, QMessageBox.StandardButton.Ok))
    patch(QMessageBox, "warning", _message_box(capture, QMessageBox.Icon.Warning, QMessageBox.StandardButton.Ok))
    patch(QMessageBox, "critical", _message_box(capture, QMessageBox.Icon.Critical, QMessageBox.StandardButton.Ok))
    patch(QMessageBox, "question", _message_box(capture, QMessageBox.Icon.Question, QMessageBox.StandardButton.No))
    patch(QMessageBox, "about", _about(capture))
    patch(QInputDialog, "getText", _input(capture, "text"))
    patch(QInputDialog, "getMultiLineText", _input(capture, "multi"))
    patch(QInputDialog, "getInt", _input(capture, "int"))
    patch(QInputDialog, "getItem", _input(capture, "item"))
    patch(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    patch(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    patch(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([], "")))
    try:
        yield capture
    finally:
        for cls, name, value in reversed(saved):
            if value is None:
                delattr(cls, name)
            else:
                setattr(cls, name, value)
        for widget in app.topLevelWidgets():  # shown with show(): a case, an item, a progress dialog
            if widget not in before and isinstance(widget, QDialog) and widget.isVisible():
                capture.add(widget)


def open_entry(entry: Entry, window: Any) -> list[QWidget]:
    with capturing() as capture:
        returned = entry.open(window)
    QApplication.processEvents()
    if isinstance(returned, QWidget) and returned not in capture.shown:
        returned.show()
        capture.shown.insert(0, returned)
    return [d for d in capture.shown if d.isVisible()]


# --- helpers for the openers ----------------------------------------------------------------------------


def _page(window: Any, key: str) -> Any:
    page = window.open_target(key)
    assert page is not None, key
    QApplication.processEvents()
    return page


def _panel(window: Any, *, with_items: bool = True, case_types: tuple[str, ...] = ()) -> Any:
    """The panel page with a sitting chosen that has items (of ``case_types``, if given), the first such
    item selected."""
    page = _page(window, "panel")
    model = page.sittings_model
    for row in range(model.rowCount()):
        page.sittings_view.selectRow(row)
        QApplication.processEvents()
        items = page.agenda_model.rows()
        if not with_items:
            return page
        wanted = [n for n, i in enumerate(items) if not case_types or i.case_type in case_types]
        if wanted:
            page.agenda_view.selectRow(wanted[0])
            QApplication.processEvents()
            return page
    raise AssertionError("no sitting with such items in the demo")


def _adm(window: Any) -> Any:
    page = _page(window, "adm")
    QApplication.processEvents()
    return page


def _letterbox(window: Any) -> Any:
    return _page(window, "letterbox")


def _first_item_id(window: Any) -> int:
    from adoption_desktop.letterbox import service
    from adoption_desktop.letterbox.service import ItemFilter

    rows = service.list_items(window.ctx.db, window.ctx.principal, ItemFilter(), 0, 5)
    assert rows
    return int(rows[0].id)


def _counselling_case(window: Any) -> Any:
    page = _page(window, "counselling")
    assert page.model.rowCount() > 0
    page.table.selectRow(0)
    dialog = page.open_selected()
    assert dialog is not None
    return dialog


# --- the registry ---------------------------------------------------------------------------------------
# start-up and account


@register("Start (first run)", ALL_ROLES[:1], "StartDialog")
def _start(window: Any) -> QWidget:
    from adoption_desktop.ui.dialogs import StartDialog

    return StartDialog(window)


@register("Database passphrase (new)", ALL_ROLES[:1], "PassphraseDialog")
def _passphrase_new(window: Any) -> QWidget:
    from adoption_desktop.ui.dialogs import PassphraseDialog

    return PassphraseDialog(window, confirm=True, database="C:/Users/someone/Documents/Adoption Desktop/agency.db")


@register("Database passphrase (open)", ALL_ROLES[:1], "PassphraseDialog")
def _passphrase_open(window: Any) -> QWidget:
    from adoption_desktop.ui.dialogs import PassphraseDialog

    return PassphraseDialog(window, confirm=False, database="C:/Users/someone/Documents/Adoption Desktop/agency.db")


@register("Recovery key", ALL_ROLES[:1], "RecoveryKeyDialog")
def _recovery(window: Any) -> QWidget:
    from adoption_desktop.ui.dialogs import RecoveryKeyDialog

    return RecoveryKeyDialog(window, "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789", "agency.db")


@register("First administrator", ALL_ROLES[:1], "FirstAdminDialog")
def _first_admin(window: Any) -> QWidget:
    from adoption_desktop.ui.dialogs import FirstAdminDialog

    return FirstAdminDialog(window.ctx.db, window)


@register("Sign in", ALL_ROLES, "LoginDialog")
def _login(window: Any) -> QWidget:
    from adoption_desktop.ui.dialogs import LoginDialog

    return LoginDialog(window.ctx.db, window)


@register("Change your password", ALL_ROLES, "PasswordDialog")
def _own_password(window: Any) -> QWidget:
    return window.password_dialog()  # type: ignore[no-any-return]


@register("About", ALL_ROLES[:1])
def _about_box(window: Any) -> None:
    QMessageBox.about(window, "About Adoption Desktop", window.about_text())


@register("Licences", ALL_ROLES[:1], "LicencesDialog")
def _licences(window: Any) -> None:
    window.show_licences()


@register("Search everywhere", ALL_ROLES, "SearchEverywhereDialog")
def _search(window: Any) -> QWidget:
    from adoption_desktop.ui.search_everywhere import SearchEverywhereDialog

    dialog = SearchEverywhereDialog(window.ctx, window)
    dialog.show()
    box = dialog.findChild(QLineEdit)
    if box is not None:
        box.setText("a")
    return dialog


@register("Error message", ALL_ROLES[:1])
def _error(window: Any) -> None:
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.ui.dialogs import show_error

    show_error(window, "Open case", AppError("The case could not be opened: it was closed by someone else a "
                                             "moment ago. Refresh the list and try again."))


@register("Audit alert", ALL_ROLES[:1])
def _audit_alert(window: Any) -> None:
    from adoption_desktop import app

    db = window.ctx.db
    db.audit_hold = "the anchor beside the file is at entry 1,204; the log ends at entry 1,180"
    try:
        app.audit_alert(window, db, window.ctx.principal)
    finally:
        db.audit_hold = None


@register("Progress", ("adm",), "QProgressDialog")
def _progress(window: Any) -> QWidget:
    from adoption_desktop.ui.tasks import progress_dialog

    dialog = progress_dialog(window, "Printing letters")
    dialog.setLabelText("Letter 3 of 12 — AD-2026-0142")
    dialog.setMaximum(12)
    dialog.setValue(3)
    dialog.show()
    return dialog


@register("Saved by someone else first", ALL_ROLES[:1], "ConflictDialog")
def _conflict(window: Any) -> QWidget:
    from adoption_desktop.core.errors import StaleRecord
    from adoption_desktop.ui.conflict import ConflictDialog

    err = StaleRecord("Arrangement LB-00012 was saved by Pat Example at 14:05 after you opened it; nothing of "
                      "yours was saved.", what="letterbox arrangement LB-00012", saved_by="Pat Example",
                      saved_at=dt.datetime(2026, 11, 30, 14, 5), saved_version=4,
                      saved_values={"Notes": "Exchange moved to March at the birth mother's request.",
                                    "Writer": "Birth mother"})
    return ConflictDialog(window, err, {"Notes": "Exchange in January as agreed.", "Writer": "Birth mother"})


@register("Waiting for a colleague's change", ALL_ROLES[:1], "WaitDialog")
def _writer_wait(window: Any) -> QWidget:
    from adoption_desktop.ui.writer_wait import WaitDialog

    dialog = WaitDialog(window)
    dialog.set_seconds(4)
    dialog.show()
    return dialog


# administration


def _admin_tab(window: Any, name: str) -> Any:
    page = _page(window, "admin")
    tab = getattr(page, name)
    page.setCurrentWidget(tab)
    QApplication.processEvents()
    return tab


@register("Choose your password", ALL_ROLES[:1], "PasswordDialog")
def _choose_password(window: Any) -> QWidget:
    """At sign-in, when an administrator set the password (the current one was just typed)."""
    from adoption_desktop.ui.dialogs import LoginDialog

    login = LoginDialog(window.ctx.db, window)
    return login.password_dialog(window.ctx.principal, "typed-at-sign-in")


def _select_user(tab: Any, username: str = "counsellor") -> Any:
    rows = tab.model.rows()
    row = next(n for n, u in enumerate(rows) if u.username == username)
    tab.view.selectRow(row)
    return rows[row]


@register("New user", ("admin",), "UserDialog")
def _new_user(window: Any) -> None:
    _admin_tab(window, "users").new_user()


@register("User roles", ("admin",), "UserDialog")
def _user_roles(window: Any) -> None:
    tab = _admin_tab(window, "users")
    _select_user(tab)
    tab.edit_roles()


@register("Disable user", ("admin",))
def _disable_user(window: Any) -> None:
    tab = _admin_tab(window, "users")
    _select_user(tab)
    tab.toggle_disabled()


@register("Reset password", ("admin",), "PasswordDialog")
def _reset_password(window: Any) -> QWidget:
    tab = _admin_tab(window, "users")
    return tab.password_dialog(_select_user(tab))  # type: ignore[no-any-return]


@register("New recovery key: asked first", ("admin",))
def _new_recovery_key_asked(window: Any) -> None:
    _admin_tab(window, "users").new_recovery_key()  # the question answered Cancel: nothing changed


@register("New recovery key: shown once", ("admin",), "RecoveryKeyDialog")
def _new_recovery_key_shown(window: Any) -> QWidget:
    from adoption_desktop.ui.dialogs import RecoveryKeyDialog

    return RecoveryKeyDialog(window, "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ", "C:/Users/someone/Documents/Adoption "
                             "Desktop/agency.db", replaced=True)


@register("Record the access review", ("admin",), "RecordReviewDialog")
def _record_access_review(window: Any) -> QWidget:
    return _admin_tab(window, "access_review").record()  # type: ignore[no-any-return]


@register("Who has seen this record", ("admin",), "RecordHistoryDialog")
def _who_has_seen(window: Any) -> QWidget:
    from adoption_desktop.letterbox import service

    rows = service.list_arrangements(window.ctx.db, window.ctx.principal, service.ArrangementFilter(), 0, 3)
    arrangement = _letterbox(window).open_arrangement_dialog(rows[0].id, modal=False)
    arrangement.history_button.click()
    return arrangement.history_dialog  # type: ignore[no-any-return]


@register("Job title", ("admin",))
def _job_title(window: Any) -> None:
    tab = _admin_tab(window, "users")
    _select_user(tab, "adm")
    tab.edit_job_title()


def _setting(window: Any, kind: type) -> None:
    from adoption_desktop.ui.admin_page import SETTINGS_REGISTRY

    tab = _admin_tab(window, "settings")
    for n, row in enumerate(tab.model.rows()):
        if type(SETTINGS_REGISTRY[row[0]].default) is kind:
            tab.view.selectRow(n)
            tab.edit()
            return
    raise AssertionError(f"no {kind.__name__} setting")


@register("Change a number setting", ("admin",))
def _setting_int(window: Any) -> None:
    _setting(window, int)


@register("Change a yes/no setting", ("admin",))
def _setting_bool(window: Any) -> None:
    _setting(window, bool)


@register("Change a text setting", ("admin",))
def _setting_text(window: Any) -> None:
    _setting(window, str)


def _template(window: Any) -> Any:
    tab = _admin_tab(window, "templates")
    tab.view.selectRow(0)
    QApplication.processEvents()
    assert tab.current is not None
    return tab


@register("Template history", ("admin",))
def _template_history(window: Any) -> None:
    _template(window).history()


@register("Restore shipped template", ("admin",))
def _template_restore(window: Any) -> None:
    _template(window).restore()


# panel


@register("Schedule sittings", ("paneladmin",), "SittingDialog")
def _new_sitting(window: Any) -> None:
    _panel(window, with_items=False).new_sitting()


@register("Cancel a sitting", ("paneladmin",), "SimpleDialog")
def _cancel_sitting(window: Any) -> None:
    _panel(window, with_items=False).cancel_sitting()


@register("Move a sitting", ("paneladmin",), "SimpleDialog")
def _move_sitting(window: Any) -> None:
    _panel(window, with_items=False).move_sitting()


@register("Defer to a later sitting", ("paneladmin",), "DeferDialog")
def _defer_item(window: Any) -> None:
    """The first agenda item the demo can defer (minutes not approved, a later sitting to come)."""
    page = _page(window, "panel")
    for row in range(page.sittings_model.rowCount()):
        page.sittings_view.selectRow(row)
        QApplication.processEvents()
        for n in range(len(page.agenda_model.rows())):
            page.agenda_view.selectRow(n)
            QApplication.processEvents()
            if page._defer_problem(page.item) is None:
                page.defer_item()
                return
    raise AssertionError("no agenda item in the demo can be deferred")


def _next_saturday() -> dt.date:
    today = dt.date.today()
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


def _press_ok(dialog: QWidget) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()


@register("Sittings on non-working days (the question)", ("paneladmin",), "SittingDialog")
def _new_sitting_not_working_day(window: Any) -> None:
    """A year of Saturdays: the longest question (ten dates listed, then "and 42 more"), answered No."""
    page = _panel(window, with_items=False)
    page.new_sitting()
    dialog = page.dialog
    saturday = _next_saturday()
    dialog.first_date.setDate(QDate(saturday.year, saturday.month, saturday.day))
    dialog.venue.setText("Room 2, Civic Centre")
    dialog.recurrence.setCurrentIndex(dialog.recurrence.findData("weekly"))
    dialog.count.setValue(52)
    _press_ok(dialog)


@register("Move a sitting to a non-working day (the question)", ("paneladmin",), "SimpleDialog")
def _move_sitting_not_working_day(window: Any) -> None:
    page = _panel(window, with_items=False)
    page.move_sitting()
    dialog = page.dialog
    saturday = _next_saturday()
    date = dialog.findChild(QDateEdit, "date")
    date.setDate(QDate(saturday.year, saturday.month, saturday.day))
    reason = dialog.findChild(QLineEdit, "reason")
    reason.setText("The chair can only sit at the weekend this month")
    _press_ok(dialog)


@register("Add an agenda item", ("paneladmin",), "panel.ItemDialog")
def _add_item(window: Any) -> None:
    _panel(window, with_items=False).add_item()


@register("Edit an agenda item", ("paneladmin",), "panel.ItemDialog")
def _edit_item(window: Any) -> None:
    _panel(window).edit_item()


@register("Papers checklist", ("paneladmin",), "SimpleDialog")
def _papers(window: Any) -> None:
    _panel(window).papers()


@register("Declaration of interest", ("paneladmin", "chair"), "SimpleDialog")
def _declare(window: Any) -> None:
    _panel(window).declare()


@register("Not present for an item", ("paneladmin",), "SimpleDialog")
def _item_absence(window: Any) -> None:
    page = _panel(window)
    for row in range(page.sittings_model.rowCount()):  # a held sitting: its members present can be chosen
        if page.detail is not None and any(a.status == "present" for a in page.detail.attendance):
            break
        page.sittings_view.selectRow(row)
        QApplication.processEvents()
    page.record_absence()


@register("Present for an item after all", ("paneladmin",), "SimpleDialog")
def _item_present_again(window: Any) -> None:
    """An item with a member recorded as not present: one of the demo's, or one recorded here on the latest
    held sitting's item whose minutes are not approved yet."""
    from adoption_desktop.panel import service

    page = _panel(window)
    for row in range(page.sittings_model.rowCount()):
        page.sittings_view.selectRow(row)
        QApplication.processEvents()
        detail = page.detail
        present = [a for a in detail.attendance if a.status == "present" and not a.is_adviser]
        away = [i for i in detail.items if i.absences]
        open_items = [i for i in detail.items if not (i.minutes and i.minutes.locked)]
        if away or (present and open_items):
            break
    if away:
        item = away[0]
    else:
        item = open_items[0]
        service.record_item_absence(window.ctx.db, window.ctx.principal, item.id, present[-1].member_id,
                                    "arrived_after")
    page._load_detail(keep_item=item.id)
    QApplication.processEvents()
    page.remove_absence()


@register("Children on a match item", ("paneladmin",), "ChildrenDialog")
def _children(window: Any) -> None:
    _panel(window, case_types=("match", "relinquished", "early_permanence")).open_children()


@register("Add a child", ("paneladmin",), "ChildEditor")
def _add_child(window: Any) -> None:
    from adoption_desktop.journey.views.children import ChildrenDialog

    page = _panel(window, case_types=("match", "relinquished", "early_permanence"))
    dialog = ChildrenDialog(window.ctx, page, item_id=page.item.id, title="Children")
    dialog.show()
    dialog.add()


@register("Link an existing child", ("paneladmin",))
def _link_child(window: Any) -> None:
    from adoption_desktop.journey.views.children import ChildrenDialog

    page = _panel(window, case_types=("match", "relinquished", "early_permanence"))
    dialog = ChildrenDialog(window.ctx, page, item_id=page.item.id, title="Children")
    dialog.link()


@register("Approve minutes", ("chair",), "SimpleDialog")
def _approve(window: Any) -> QWidget:
    from adoption_desktop.panel.views import dialogs

    page = _panel(window)
    return dialogs.password_dialog(page, f"the minutes of item {page.item.position}", lambda _p: None,
                                   lambda _v: None)


@register("Correct approved minutes", ("chair",), "SimpleDialog")
def _correct_minutes(window: Any) -> None:
    page = _panel(window)
    page.correct(page.item.id)


def _members(window: Any) -> Any:
    page = _panel(window, with_items=False)
    page.reload_members()
    page.members_view.selectRow(0)
    return page


@register("Add a central-list member", ("paneladmin",), "MemberDialog")
def _add_member(window: Any) -> None:
    _members(window).add_member()


@register("Edit a central-list member", ("paneladmin",), "MemberDialog")
def _edit_member(window: Any) -> None:
    _members(window).edit_member()


@register("Notice of leaving", ("paneladmin",), "SimpleDialog")
def _notice(window: Any) -> None:
    _members(window).notice()


# ADM


@register("New decision without panel", ("adm",), "NewDecisionDialog")
def _new_decision(window: Any) -> None:
    _adm(window).new_decision()


@register("Print a day's letters", ("adm",), "DatedNoteDialog")
def _print_day(window: Any) -> None:
    _adm(window).print_day()


def _detail(window: Any, *, signed: bool) -> Any:
    page = _adm(window)
    page.state_combo.setCurrentIndex(max(0, page.state_combo.findData("signed" if signed else "open")))
    QApplication.processEvents()
    for row in range(page.model.rowCount()):
        page.view.selectRow(row)
        QApplication.processEvents()
        detail = page.detail.detail
        if detail is not None and (detail.signed_at is not None) == signed:
            return page.detail
    raise AssertionError("no such decision in the demo")


@register("Sign the decision", ("adm",), "SignDialog")
def _sign(window: Any) -> QWidget:
    from adoption_desktop.adm.views.dialogs import SignDialog

    detail = _detail(window, signed=False)
    return SignDialog(detail, "Warning: a member of the panel is linked to your account.\n\nSigning makes this "
                      "decision final and files its letter.", late_by=3, minutes_correction=(
                          "The panel minutes this decision rests on are being corrected: Pat Ellery opened a "
                          "correction (version 2) at 15:09 on 02/12/2026, reason: \"The reasons left out the "
                          "support network.\". It is not approved yet, so the minutes may still change. Consider "
                          "waiting for the corrected minutes before signing."))


@register("Correct a signed decision", ("adm",), "SignDialog")
def _correct_signed(window: Any) -> QWidget:
    from adoption_desktop.adm.views.dialogs import SignDialog

    detail = _detail(window, signed=True)
    return SignDialog(detail, "A correction is a new signed version; the signed original stays in the history. "
                      "Give the reason for the correction.", correction=True)


@register("Ask for more information", ("adm",), "DatedNoteDialog")
def _ask_information(window: Any) -> None:
    _detail(window, signed=False).ask_information()


@register("Information received", ("adm",), "DatedNoteDialog")
def _log_information(window: Any) -> None:
    _detail(window, signed=False).log_information()


@register("Letter sent", ("adm",), "DatedNoteDialog")
def _mark_sent(window: Any) -> None:
    _detail(window, signed=True).mark_sent()


@register("Children on a decision", ("adm",), "ChildrenDialog")
def _adm_children(window: Any) -> None:
    _detail(window, signed=False).open_children()


# letterbox


@register("New arrangement", ("letterbox",), "ArrangementDialog")
def _new_arrangement(window: Any) -> None:
    _letterbox(window).open_arrangement_dialog()


@register("Arrangement", ("letterbox",), "ArrangementDialog")
def _arrangement(window: Any) -> None:
    from adoption_desktop.letterbox import service

    rows = service.list_arrangements(window.ctx.db, window.ctx.principal, service.ArrangementFilter(), 0, 3)
    _letterbox(window).open_arrangement_dialog(rows[0].id)


@register("Void a batch (not posted)", ("letterbox",), "VoidBatchDialog")
def _void_batch(window: Any) -> QWidget:
    from adoption_desktop.letterbox import service

    rows = service.list_arrangements(window.ctx.db, window.ctx.principal, service.ArrangementFilter(), 0, 3)
    arrangement = _letterbox(window).open_arrangement_dialog(rows[0].id, modal=False)
    return arrangement.open_void_batch()  # type: ignore[attr-defined, no-any-return]


@register("Log item (none chosen)", ("letterbox",))
def _log_item_none(window: Any) -> None:
    page = _letterbox(window)
    page.show_items()
    page.open_item_dialog()


@register("Letterbox item", ("letterbox",), "letterbox.ItemDialog")
def _item(window: Any) -> QWidget:
    return _letterbox(window).open_existing_item(_first_item_id(window))  # type: ignore[no-any-return]


@register("Correct how an item was logged", ("letterbox",), "CorrectLoggingDialog")
def _correct_logging(window: Any) -> QWidget:
    from adoption_desktop.letterbox import service
    from adoption_desktop.letterbox.service import ItemFilter

    rows = service.list_items(window.ctx.db, window.ctx.principal, ItemFilter(open_only=True), 0, 1)
    assert rows
    item = _letterbox(window).open_existing_item(rows[0].id)
    item.mistakes.correct_logging()
    return item.mistakes.logging_dialog  # type: ignore[no-any-return]


@register("Paper and e-mail", ("letterbox",), "AttachmentsPanel")
def _attachments(window: Any) -> QWidget:
    item = _letterbox(window).open_existing_item(_first_item_id(window))
    return item.open_documents()  # type: ignore[no-any-return]


@register("Redacted copy", ("letterbox",), "RedactionDialog")
def _redaction(window: Any) -> QWidget:
    from adoption_desktop.core.resources import resource_path
    from adoption_desktop.letterbox import attachments
    from adoption_desktop.letterbox.views.redaction_view import RedactionDialog

    item_id = _first_item_id(window)
    scan = resource_path("samples", "ocr-sample.png")
    attachments.attach(window.ctx.db, window.ctx.principal, item_id, "scan.png", scan.read_bytes())
    return RedactionDialog(window.ctx, item_id, window)


@register("Import letterbox register", ("letterbox",), "ImportDialog")
def _import(window: Any) -> QWidget:
    from pathlib import Path

    from adoption_desktop.letterbox.importing import Table
    from adoption_desktop.letterbox.views.import_dialog import ImportDialog

    table = Table(headers=["Reference", "Child initials", "Writer", "Recipient", "Frequency", "Next due"],
                  rows=[["LB-90001", "A.B.", "Birth mother", "Adoptive parents", "Annual", "01/03/2027"]])
    return ImportDialog(window.ctx, Path("register.xlsx"), window, table=table)


# counselling


@register("Counselling case", ("counsellor",), "CaseDialog")
def _case(window: Any) -> QWidget:
    return _counselling_case(window)  # type: ignore[no-any-return]


@register("New referral", ("counsellor",), "counselling.FormDialog")
def _referral(window: Any) -> QWidget:
    return _page(window, "counselling").new_referral()  # type: ignore[no-any-return]


def _case_form(method: str, *args: Any) -> Callable[[Any], QWidget]:
    def open_(window: Any) -> QWidget:
        case = _counselling_case(window)
        return getattr(case, method)(*args)  # type: ignore[no-any-return]

    return open_


for _name, _method, _args in (
        ("Edit the referral", "edit_referral", ()), ("Allocate a counsellor", "allocate_dialog", ()),
        ("Correct the allocation", "correct_allocation_dialog", ()),
        ("Request records", "add_request_dialog", ()), ("Record a session", "session_dialog", ()),
        ("Redaction decision", "redaction_dialog", ()), ("Disclosure", "disclosure_dialog", (True,)),
        ("Checks", "checks_dialog", ()), ("Close the case", "close_dialog", ())):
    DIALOGS.append(Entry(_name, ("counsellor",), _case_form(_method, *_args), ("counselling.FormDialog",)))


@register("Records received", ("counsellor",), "counselling.FormDialog")
def _receipt(window: Any) -> QWidget:
    from adoption_desktop.counselling import service

    case = _counselling_case(window)
    service.add_request(window.ctx.db, window.ctx.principal, case.case_id, service.RequestInput(
        holder_kind="archive", holder_name="Wexmoor Record Office", holder_address="1 Archive Row\nWexmoor",
        their_reference="WRO/2026/118", sent_on=case.today(), notes=""), case.today())
    case.reload()
    return case.receipt_dialog()  # type: ignore[no-any-return]


@register("Record a chase", ("counsellor",), "counselling.FormDialog")
def _chase(window: Any) -> QWidget:
    from adoption_desktop.counselling import service

    case = _counselling_case(window)
    service.add_request(window.ctx.db, window.ctx.principal, case.case_id, service.RequestInput(
        holder_kind="court", holder_name="Dellmouth County Court", holder_address="Court Street\nDellmouth",
        their_reference="", sent_on=case.today(), notes=""), case.today())
    case.reload()
    return case.record_chase()  # type: ignore[no-any-return]


# reports


@register("Write report", ("manager",))
def _write_report(window: Any) -> None:
    _page(window, "reports").write_report()


_FIGURES_FROM, _FIGURES_TO = dt.date(2026, 4, 1), dt.date(2026, 9, 30)


@register("The cases behind a figure", ("admin",), "BehindDialog")
def _cases_behind(window: Any) -> Any:
    from adoption_desktop.letterbox import support_figures
    from adoption_desktop.reports import service

    page = _page(window, "reports")
    page.show_compared(service.collect_compared(window.ctx.db, window.ctx.principal, _FIGURES_FROM, _FIGURES_TO))
    tree = page.tree
    top = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
               if tree.topLevelItem(i).text(0) == support_figures.SECTION)
    row = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0) == support_figures.REFERRED)
    return page.open_figure(row, 1)


@register("The members behind a figure", ("paneladmin",), "FigureRowsDialog")
def _members_behind(window: Any) -> Any:
    from adoption_desktop.panel import attendance
    from adoption_desktop.reports import drilldown
    from adoption_desktop.reports.views.behind import FigureRowsDialog

    label = "Members who attended every sitting they were invited to"
    rows = drilldown.behind(window.ctx.db, window.ctx.principal, attendance.ATTENDANCE, label,
                            _FIGURES_FROM, _FIGURES_TO)
    dialog = FigureRowsDialog(window, f"{attendance.ATTENDANCE}: {label}", (_FIGURES_FROM, _FIGURES_TO), rows)
    dialog.show()
    return dialog


@register("Adopters' journey: a household", ("paneladmin",), "HouseholdEditor")
def _household(window: Any) -> Any:
    return _page(window, "panel").adopters_tab.add()


@register("Birth-parent support: a referral", ("letterbox",), "ReferralEditor")
def _support_referral(window: Any) -> Any:
    return _letterbox(window).support_register.add()


@register("First-day tour", ALL_ROLES, "TourDialog")
def _tour(window: Any) -> Any:
    return window.guide_help.open_tour()
