"""Panel dialogs. Each is non-blocking (``open()``): ``submit`` runs the service call and the dialog stays
open with the message (naming the field and the fix) when validation fails."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NoReturn, TypeVar

from PySide6.QtCore import QDate, QTime
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.concurrency import when_text
from adoption_desktop.core.errors import AppError, Conflict, StaleRecord, ValidationError
from adoption_desktop.core.wording import weekday_date
from adoption_desktop.panel import profile, rules
from adoption_desktop.panel.service import (
    AbsenceRow,
    AttendanceRow,
    ItemInput,
    ItemRow,
    MemberInput,
    MemberRow,
    SittingInput,
    SittingRow,
)
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.conflict import REAPPLY, RELOAD, OwnEdit, resolve_conflict
from adoption_desktop.ui.dates import DateEdit, pydate, qdate
from adoption_desktop.ui.discard import ask_discard, field_values
from adoption_desktop.ui.fit import grow_with_message, keep_on_screen
from adoption_desktop.ui.forms import child, load_dialog_form
from adoption_desktop.ui.ok_on_worker import CHECKING_PASSWORD, OkOnWorker
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.tasks import TaskRunner

NOT_SET = QDate(1900, 1, 1)  # an optional date left blank (shown as its special value text)


class DiscardAsks(QDialog):
    """What both panel dialogs do on Escape, Cancel and the close box (and signing out): ask "Discard what
    you typed?" first when a field was changed since :attr:`loaded` (*Keep editing* is the default), as the
    letterbox and counselling forms do."""

    #: the fields as shown when opened (or reloaded); None until shown
    loaded: list[object] | None = None
    #: False where nothing typed is worth keeping (a password)
    ask_before_discard = True

    def fields_holder(self) -> QWidget:
        """The widget whose input fields count."""
        return self

    def changed(self) -> bool:
        return self.loaded is not None and field_values(self.fields_holder()) != self.loaded

    def reject(self) -> None:
        if self.ask_before_discard and self.isVisible() and self.changed() \
                and not ask_discard(self, self.windowTitle()):
            return
        super().reject()


class FormDialog(DiscardAsks):
    """A dialog around a Designer form with ``message`` and ``buttons``; ``submit()`` may raise AppError."""

    def __init__(self, form_name: str, parent: QWidget | None, on_done: Callable[[Any], None]) -> None:
        super().__init__(parent)
        self.form = load_dialog_form(self, form_name)
        self.message = child(self.form, QLabel, "message")
        error_tint(self.message)  # readable under a high-contrast palette
        buttons = child(self.form, QDialogButtonBox, "buttons")
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        self.on_done = on_done
        self.result_value: Any = None
        self.loaded = None  # the fields as shown when opened (or reloaded)

    def submit(self) -> Any:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self.loaded is None:
            self.mark_loaded()

    def mark_loaded(self) -> None:
        """What the fields hold now is what was loaded (on opening; after *Reload their version*)."""
        self.loaded = field_values(self.form)

    def fields_holder(self) -> QWidget:
        return self.form

    def _ok(self) -> None:
        try:
            self.result_value = self.submit()
        except AppError as exc:
            self.message.setText(str(exc))
            field = exc.field if isinstance(exc, ValidationError) else None
            if field:
                target = self.form.findChild(QWidget, field)
                if target is not None:
                    target.setFocus()
            return
        self.accept()
        self.on_done(self.result_value)


T = TypeVar("T")
D = TypeVar("D")


class StaleGuard:
    """The version of the record an edit dialog was opened on, and what a save refused because someone else
    saved first does: the shared conflict window (``ui.conflict.resolve_conflict``: the typed values beside
    the saved ones, who saved and when). *Re-apply my change* saves the typed values over the version saved
    meanwhile (checked again: a save in between asks again); *Reload their version* fills the dialog with
    it (``reload`` returns its version, None when it is gone) and the dialog stays open; *Keep editing*
    leaves the typed values on screen, with the refusal above OK. The dialog never closes on a refusal, so
    nothing typed is lost until the user chooses."""

    def __init__(self, version: int) -> None:
        self.version = version

    def save(self, dialog: QWidget, save: Callable[[int], T], mine: Callable[[StaleRecord], dict[str, str]],
             reload: Callable[[], int | None]) -> T:
        """A save that writes only its own fields (cancel, move, notice): ``mine`` gives the saved values with
        the typed ones in their places."""
        expected = self.version
        while True:
            try:
                return save(expected)
            except StaleRecord as exc:
                choice = resolve_conflict(dialog, exc, mine(exc))
                if choice == REAPPLY and exc.saved_version is not None:
                    expected = exc.saved_version
                    continue
                self._not_saved(choice, exc, reload)

    def save_edit(self, dialog: QWidget, save: Callable[[D, int], T], edit: OwnEdit[D],
                  current: Callable[[], D | None], reload: Callable[[], int | None]) -> T:
        """A whole form's save (Edit member…, an agenda item's Edit…): ``edit`` holds the form as opened and as
        typed. A stale save's window lists only the fields the person changed (and which ones the colleague
        did); *Re-apply my change* saves those on top of the version saved meanwhile (``current()``: the
        record as stored now, as the form's input), keeping the colleague's values for the rest. Re-applying
        the whole form put the form's stale values back over the colleague's edits (user trial)."""
        data, expected = edit.typed, self.version
        while True:
            try:
                return save(data, expected)
            except StaleRecord as exc:
                choice = resolve_conflict(dialog, exc, edit.mine(), edit.base())
                if choice == REAPPLY and exc.saved_version is not None:
                    now = current()  # newer than the version shown: the save below is refused and asks again
                    data, expected = (edit.onto(now) if now is not None else data), exc.saved_version
                    continue
                self._not_saved(choice, exc, reload)

    def _not_saved(self, choice: str, exc: StaleRecord, reload: Callable[[], int | None]) -> NoReturn:
        if choice == RELOAD:
            version = reload()
            if version is not None:
                self.version = version
            raise Conflict(f"Showing the version {exc.saved_by or 'someone else'} saved at "
                           f"{when_text(exc.saved_at if isinstance(exc.saved_at, dt.datetime) else None)};"
                           " your change was not saved. Make it again if it is still needed.") from exc
        raise exc


def item_values(data: ItemInput) -> dict[str, str]:
    """The Edit… form under the labels of the saved version in the conflict window."""
    return {"Case type": rules.CASE_TYPES.get(data.case_type, data.case_type),
            "Reference": data.subject_reference.strip(), "Initials": data.subject_initials.strip().upper(),
            "Presenting worker": data.presenting_worker.strip(), "Time": data.time_slot.strip(),
            "Notes": data.notes.strip()}


def item_input(row: ItemRow) -> ItemInput:
    """An agenda item as stored, as the Edit… form gives it (what a re-applied change goes on top of)."""
    return ItemInput(**{f.name: getattr(row, f.name) for f in dataclasses.fields(ItemInput)})


def member_input(row: MemberRow) -> MemberInput:
    """A central-list member as stored, as the member form gives it (what a re-applied change goes on top
    of; ``appraised_on``, the last appraisal, records nothing new)."""
    return MemberInput(**{f.name: getattr(row, f.name) for f in dataclasses.fields(MemberInput)})


def account_label(user_id: int | None) -> str:
    """A member's linked user account in the conflict window (the same words as the service's)."""
    return f"account no. {user_id}" if user_id is not None else "none"


def member_values(data: MemberInput) -> dict[str, str]:
    """The member form under the labels of the saved version in the conflict window."""
    def day(value: dt.date | None) -> str:
        return f"{value:%d/%m/%Y}" if value else ""

    return {"Name": data.full_name.strip(), "Role": rules.ROLE_LABELS.get(data.role_type, data.role_type),
            "Joined": day(data.joined_on), "PQE years": "" if data.pqe_years is None else str(data.pqe_years),
            "Independent": "yes" if data.independent else "no", "Appraisal due": day(data.appraisal_due),
            "DBS checked": day(data.dbs_checked_on), "Training": day(data.training_on),
            "Gender": profile.GENDERS.get(data.gender, data.gender),
            "Ethnicity": profile.ethnicity_label(data.ethnicity) if profile.ethnicity_problem(data.ethnicity) is None
            else data.ethnicity,
            # every field the save overwrites: a Re-apply that would undo a colleague's link must show it
            "User account": account_label(data.user_id)}


class SittingDialog(FormDialog):
    """New sitting…: ``papers_problem`` says why a first date leaves no time for its papers (their deadline
    already past, ``rules.papers_deadline_problem``); the message line says so as soon as such a date is
    shown, and clears once the date leaves time. A warning only: the sitting can still be booked."""

    def __init__(self, parent: QWidget | None, first: dt.date, submit: Callable[[SittingInput], Any],
                 on_done: Callable[[Any], None],
                 papers_problem: Callable[[dt.date], str | None] | None = None) -> None:
        super().__init__("panel_sitting", parent, on_done)
        self._submit = submit
        self._papers_problem = papers_problem
        self._papers_said = ""
        self.first_date = child(self.form, QDateEdit, "first_date")
        self.first_date.setDate(qdate(first))
        self.first_date.dateChanged.connect(lambda _d: self._say_papers())
        self._say_papers()
        self.start_time = child(self.form, QTimeEdit, "start_time")
        self.start_time.setTime(QTime(10, 0))
        self.end_time = child(self.form, QTimeEdit, "end_time")
        self.end_time.setTime(QTime(13, 0))
        self.venue = child(self.form, QLineEdit, "venue")
        self.virtual_link = child(self.form, QLineEdit, "virtual_link")
        self.recurrence = child(self.form, QComboBox, "recurrence")
        for code, label in rules.RECURRENCES.items():
            self.recurrence.addItem(label, code)
        self.count = child(self.form, QSpinBox, "count")
        self.venue.setFocus()

    def _say_papers(self) -> None:
        """The papers warning for the date shown, in the message line (a refusal shown there stays until the
        date changes)."""
        problem = (self._papers_problem(pydate(self.first_date.date())) if self._papers_problem else None) or ""
        if problem or self.message.text() == self._papers_said:
            self.message.setText(problem)
        self._papers_said = problem

    def submit(self) -> Any:
        return self._submit(SittingInput(
            pydate(self.first_date.date()), self.start_time.time().toString("HH:mm"),
            self.end_time.time().toString("HH:mm"), self.venue.text(), self.virtual_link.text(),
            str(self.recurrence.currentData()), self.count.value()))


class ItemDialog(FormDialog):
    def __init__(self, parent: QWidget | None, submit: Callable[[ItemInput], Any], on_done: Callable[[Any], None],
                 existing: ItemRow | None = None) -> None:
        super().__init__("panel_item", parent, on_done)
        self._submit = submit
        self.case_type = child(self.form, QComboBox, "case_type")
        for code, label in rules.CASE_TYPES.items():
            self.case_type.addItem(label, code)
        self.subject_reference = child(self.form, QLineEdit, "subject_reference")
        self.subject_initials = child(self.form, QLineEdit, "subject_initials")
        self.presenting_worker = child(self.form, QLineEdit, "presenting_worker")
        self.time_slot = child(self.form, QLineEdit, "time_slot")
        self.notes = child(self.form, QLineEdit, "notes")
        if existing:
            self.fill(existing)
        self.case_type.setFocus()

    def fill(self, existing: ItemRow) -> None:
        """Show ``existing`` (on opening, and when the user reloads the version someone else saved)."""
        self.case_type.setCurrentIndex(list(rules.CASE_TYPES).index(existing.case_type))
        self.subject_reference.setText(existing.subject_reference)
        self.subject_initials.setText(existing.subject_initials)
        self.presenting_worker.setText(existing.presenting_worker)
        self.time_slot.setText(existing.time_slot)
        self.notes.setText(existing.notes)
        self.opened = self.value()  # what the user's own changes are measured from (a conflict's re-apply)
        if self.loaded is not None:  # reloaded after a conflict: their version is what is loaded now
            self.mark_loaded()

    def value(self) -> ItemInput:
        return ItemInput(str(self.case_type.currentData()), self.subject_reference.text(),
                         self.subject_initials.text(), self.presenting_worker.text(), self.time_slot.text(),
                         self.notes.text())

    def submit(self) -> Any:
        return self._submit(self.value())


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


#: characters the member form's ethnicity box is wide for: its longest ONS label (111 characters) made the
#: dialog 886 px wide, over the screen at 150 % on 1366×768 and scrolling sideways on smaller windows
ETHNICITY_CHARS = 34


def _narrow_combo(combo: QComboBox, chars: int) -> int:
    """``combo`` at least ``chars`` characters wide (its minimum: the dialog fits a small screen without
    scrolling sideways), its open list as wide as its longest entry (up to the screen), and the whole
    choice in its tooltip when the box shows it cut. Returns the width the box needs beyond its minimum to
    show its longest entry whole (the dialog opens that much wider where the screen has the room)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    metrics = combo.fontMetrics()
    widest = max((metrics.horizontalAdvance(combo.itemText(n)) for n in range(combo.count())), default=0)
    extra = max(0, widest - chars * metrics.horizontalAdvance("X"))  # Qt sizes the box by "X" characters
    screen = combo.screen()
    room = screen.availableGeometry().width() - 40 if screen is not None else widest
    combo.view().setMinimumWidth(min(widest + 40, room))
    about = combo.toolTip()

    def tip(_index: int = 0) -> None:
        combo.setToolTip("\n\n".join(t for t in (combo.currentText(), about) if t))

    combo.currentIndexChanged.connect(tip)
    tip()
    return extra


class MemberDialog(FormDialog):
    def __init__(self, parent: QWidget | None, today: dt.date, users: Sequence[tuple[int, str]],
                 submit: Callable[[MemberInput], Any], on_done: Callable[[Any], None],
                 existing: MemberRow | None = None) -> None:
        super().__init__("panel_member", parent, on_done)
        self._submit = submit
        self.full_name = child(self.form, QLineEdit, "full_name")
        self.role_type = child(self.form, QComboBox, "role_type")
        for code, label in rules.ROLE_LABELS.items():
            self.role_type.addItem(label + (" (adviser)" if rules.is_adviser(code) else ""), code)
        self.pqe_years = child(self.form, QSpinBox, "pqe_years")
        self.independent = child(self.form, QCheckBox, "independent")
        self.dates = {name: child(self.form, DateEdit, name)
                      for name in ("joined_on", "appraisal_due", "dbs_checked_on", "training_on")}
        self.dates["joined_on"].setDate(qdate(today))  # joining the list: recorded as it happens
        self.dates["appraisal_due"].setDate(qdate(_a_year_after(today)))  # a plan, changed at will
        # a DBS check and training are facts about the member: empty until entered, never "today" (the
        # member list then shows "No DBS check" rather than a check nobody made)
        for name in ("dbs_checked_on", "training_on"):
            self.dates[name].set_blank("not recorded")
        self.user_id = child(self.form, QComboBox, "user_id")
        self.user_id.addItem("(none)", None)
        self.user_id.setToolTip("The member's own user account, if they have one. The ADM conflict rule uses this "
                                "link: a user linked to a member present for an item can neither record nor sign "
                                "the agency decision on it.")
        for uid, label in users:
            self.user_id.addItem(label, uid)
        self.appraised_on = child(self.form, QDateEdit, "appraised_on")
        self.appraised_on.setMinimumDate(NOT_SET)
        self.appraised_on.setSpecialValueText("not recorded")
        self.appraised_on.setDate(NOT_SET)
        self.gender = child(self.form, QComboBox, "gender")
        for code, label in profile.GENDERS.items():
            self.gender.addItem(label, code)
        self.ethnicity = child(self.form, QComboBox, "ethnicity")
        for code, label in profile.ethnicity_choices():
            self.ethnicity.addItem(label, code)
        wider = _narrow_combo(self.ethnicity, ETHNICITY_CHARS)
        # Independent follows the role until the user sets it (rules.independent_by_default: ticked for the
        # independent chair, unticked for an agency social worker …): independence counts toward quorum, so
        # it is never left ticked from the first role in the list (user trial: every new member was
        # independent). A box ticked or unticked by hand, or an existing member's stored value, is never
        # changed by a change of role; the service refuses a chair not marked independent and says why.
        self.independent_set_by_hand = False
        self.independent.clicked.connect(self._independent_chosen)
        self.role_type.currentIndexChanged.connect(self._role_changed)
        # PQE reads as words: "0 years" (a real value for a social worker, not "not applicable"), "1 year";
        # blank reads "not applicable" only for a role PQE is not asked of (rules.pqe_text)
        self.pqe_years.valueChanged.connect(self._pqe_words)
        self._role_changed()
        self._pqe_words()
        if existing:
            self.fill(existing)
        self.full_name.setFocus()  # the first thing typed is the name (user trial: the keyboard was elsewhere)
        # as wide as the longest ethnicity where the screen has the room (fit_dialog narrows it to the screen,
        # down to the form's minimum: never sideways scroll bars)
        hint = self.sizeHint()
        self.resize(hint.width() + wider, hint.height())

    def _independent_chosen(self, *_args: object) -> None:
        self.independent_set_by_hand = True

    def _role_changed(self, *_args: object) -> None:
        role = str(self.role_type.currentData())
        if not self.independent_set_by_hand:
            self.independent.setChecked(rules.independent_by_default(role))
        self.pqe_years.setSpecialValueText(rules.pqe_text(None, role))

    def _pqe_words(self, *_args: object) -> None:
        """" year" after 1, " years" after any other number (the blank value shows its own words)."""
        years = self.pqe_years.value()
        suffix = rules.pqe_text(years, "").removeprefix(str(years)) if years >= 0 else ""
        if self.pqe_years.suffix() != suffix:
            self.pqe_years.setSuffix(suffix)

    def fill(self, existing: MemberRow) -> None:
        """Show ``existing`` (on opening, and when the user reloads the version someone else saved)."""
        self.full_name.setText(existing.full_name)
        self.role_type.setCurrentIndex(list(rules.ROLE_LABELS).index(existing.role_type))
        self.pqe_years.setValue(-1 if existing.pqe_years is None else existing.pqe_years)
        self.independent.setChecked(existing.independent)
        self.independent_set_by_hand = True  # the stored value was someone's choice: a role change keeps it
        for name, edit in self.dates.items():
            value = getattr(existing, name)
            if value:
                edit.setDate(qdate(value))
            elif name != "joined_on":
                edit.set_blank("not recorded")
        idx = self.user_id.findData(existing.user_id)
        self.user_id.setCurrentIndex(max(0, idx))
        self.appraised_on.setDate(qdate(existing.appraised_on) if existing.appraised_on else NOT_SET)
        self.gender.setCurrentIndex(max(0, self.gender.findData(existing.gender)))
        self.ethnicity.setCurrentIndex(max(0, self.ethnicity.findData(existing.ethnicity)))
        self.opened = self.value()  # what the user's own changes are measured from (a conflict's re-apply)
        if self.loaded is not None:  # reloaded after a conflict: their version is what is loaded now
            self.mark_loaded()

    def value(self) -> MemberInput:
        pqe = self.pqe_years.value()
        return MemberInput(
            self.full_name.text(), str(self.role_type.currentData()), self.dates["joined_on"].required_date(),
            None if pqe < 0 else pqe, self.independent.isChecked(), self.user_id.currentData(),
            self.dates["appraisal_due"].optional_date(), self.dates["dbs_checked_on"].optional_date(),
            self.dates["training_on"].optional_date(), str(self.gender.currentData() or ""),
            str(self.ethnicity.currentData() or ""),
            None if self.appraised_on.date() == NOT_SET else pydate(self.appraised_on.date()))

    def submit(self) -> Any:
        return self._submit(self.value())


class SimpleDialog(DiscardAsks):
    """A short code-built dialog (three fields at most) with the same submit/message behaviour."""

    def __init__(self, parent: QWidget | None, title: str, on_done: Callable[[Any], None], *,
                 ok_text: str = "", cancel_text: str = "", enter_submits: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fields: list[QWidget] = []
        self.enter_submits = enter_submits  # False where one stray Enter would record something lasting
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.message = MessageLine()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        error_tint(self.message)
        self.layout_.addWidget(self.message)
        # a message needing more lines makes the dialog taller: the papers checklist's midnight line showed
        # in the room of one, cut above and below
        grow_with_message(self, self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        # say what the buttons do: "Cancel" must never be the way to *keep* a sitting
        if ok_text:
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        if cancel_text:
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(self.buttons)
        self.on_done = on_done
        self.submit: Callable[[], Any] = lambda: None
        self.loaded = None  # the fields as shown when opened
        #: set (with :attr:`runner`): OK reads the fields here and returns the work that runs on the runner's
        #: worker thread (a password check: argon2 and the failed-answer floor), so the dialog keeps drawing
        self.prepare: Callable[[], Callable[[], Any]] | None = None
        self.runner: TaskRunner | None = None
        #: on the dialog's thread, before an error from the worker is shown: True when it dealt with it
        self.on_error: Callable[[BaseException], bool] | None = None
        #: the work of OK on the runner's worker: Cancel greyed while it runs (:attr:`prepare`)
        self.ok_work = OkOnWorker(self, self.buttons, lambda: self.fields)

    def add(self, label: str, widget: QWidget, name: str) -> QWidget:
        widget.setObjectName(name)
        lab = QLabel(label)
        lab.setBuddy(widget)
        self.form.addRow(lab, widget)
        self.fields.append(widget)
        return widget

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """Tab runs through the fields first, then the buttons; the first field has the focus, so Enter
        never submits a dialog nobody has filled in."""
        chain = [*self.fields, self.buttons.button(QDialogButtonBox.StandardButton.Ok),
                 self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
        focused = self.focusWidget()
        if self.fields and not any(focused is f or (focused is not None and f.isAncestorOf(focused))
                                   for f in self.fields):
            next((f for f in self.fields if f.isEnabled()), self.fields[0]).setFocus()
        super().showEvent(event)
        if self.loaded is None:
            self.loaded = field_values(self)
        if not self.enter_submits:
            for button in self.buttons.buttons():
                if isinstance(button, QPushButton):
                    button.setAutoDefault(False)
                    button.setDefault(False)

    @property
    def checking(self) -> bool:
        """The work of OK is running on the runner's worker thread (:attr:`prepare`)."""
        return self.ok_work.running

    def _ok(self) -> None:
        if self.ok_work.running:  # OK or Enter again while the first runs: one check, one failure counted
            return
        if self.prepare is not None and self.runner is not None:
            work = self.prepare()
            self.message.clear()
            self.ok_work.start(self.runner, work, on_done=self._worked, on_error=self._work_failed)
            return
        try:
            value = self.submit()
        except AppError as exc:
            self._refused(exc)
            return
        self.accept()
        self.on_done(value)

    def _worked(self, value: Any) -> None:
        self.accept()
        self.on_done(value)

    def _work_failed(self, exc: BaseException) -> None:
        if self.on_error is not None and self.on_error(exc):
            return
        if not isinstance(exc, AppError):
            raise exc  # as when it ran on this thread: to the window's handler of unexpected errors
        self._refused(exc)

    def reject(self) -> None:
        if self.ok_work.holds_cancel():  # Cancel is greyed while the check runs; Esc likewise does nothing
            return
        super().reject()

    def _refused(self, exc: AppError) -> None:
        self.message.setText(str(exc))
        self._show_whole_message()
        field = exc.field if isinstance(exc, ValidationError) else None
        target = self.findChild(QWidget, field) if field else None
        if target is not None and target in self.fields:
            target.setFocus()
            if isinstance(target, QLineEdit) and target.echoMode() == QLineEdit.EchoMode.Password:
                target.selectAll()  # a refused password is typed again over itself


    def _show_whole_message(self) -> None:
        """A message longer than the dialog is wide wraps onto more lines: the dialog grows to show all of
        it (never shrinks), staying on the screen."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        needed = max(self.minimumSizeHint().height(), self.heightForWidth(self.width()))
        if needed > self.height():
            self.resize(self.width(), needed)
            keep_on_screen(self)


def declaration_dialog(parent: QWidget | None, item: ItemRow, attendance: Sequence[AttendanceRow],
                       submit: Callable[[int, str, bool], Any], on_done: Callable[[Any], None]) -> SimpleDialog:
    dlg = SimpleDialog(parent, f"Declaration of interest — item {item.position}", on_done)
    member = QComboBox()
    members = [a for a in attendance if not a.is_adviser]
    present = [a for a in members if a.status == "present"]
    for a in present or members:  # those sitting; everyone on the list while attendance is not recorded
        member.addItem(f"{a.full_name} ({a.role_label})", a.member_id)
    dlg.add("&Member", member, "member")
    interest = QLineEdit()
    dlg.add("&Interest", interest, "interest")
    withdrew = QCheckBox("&Withdrew from this item (does not count to quorum)")
    withdrew.setChecked(True)
    dlg.add("", withdrew, "withdrew")
    dlg.submit = lambda: submit(int(member.currentData()), interest.text(), withdrew.isChecked())
    member.setFocus()
    return dlg


def absence_dialog(parent: QWidget | None, item: ItemRow, attendance: Sequence[AttendanceRow],
                   submit: Callable[[int, str, bool], Any], on_done: Callable[[Any], None]) -> SimpleDialog:
    """"Not present for item…": a member present at the sitting who was out of the room for this item
    (arrived after it, left before it, or left during it before the panel's views): not counted in its
    quorum. ``submit(member_id, reason, every_later_item)``; the last is the "left the sitting" box."""
    dlg = SimpleDialog(parent, f"Not present for item {item.position}", on_done, enter_submits=False)
    member = QComboBox()
    away = {x.member_id for x in item.absences}
    for a in attendance:
        if a.status == "present" and not a.is_adviser and a.member_id not in away:
            member.addItem(f"{a.full_name} ({a.role_label})", a.member_id)
    dlg.add("&Member", member, "member_id")
    reason = QComboBox()
    for code, label in rules.ABSENCE_REASONS.items():
        reason.addItem(label, code)
    dlg.add("&Reason", reason, "reason")
    later = QCheckBox("Left the sitting: also &not present for every later item")
    dlg.add("", later, "every_later_item")

    def reason_changed() -> None:  # "left the sitting" is a member who left before this item (or during it)
        allowed = reason.currentData() != "arrived_after"
        later.setEnabled(allowed)
        if not allowed:
            later.setChecked(False)

    reason.currentIndexChanged.connect(lambda _i: reason_changed())
    reason_changed()  # the first reason shown ("arrived after") rules the box out from the start
    if member.count() == 0:
        dlg.message.setText("Nobody is marked present at this sitting who is not already recorded as not present "
                            "for this item; mark the attendance first (Attendance tab).")
    dlg.submit = lambda: submit(int(member.currentData()) if member.count() else 0, str(reason.currentData()),
                                later.isChecked())
    member.setFocus()
    return dlg


def present_again_dialog(parent: QWidget | None, item: ItemRow, submit: Callable[[int], Any],
                         on_done: Callable[[Any], None]) -> SimpleDialog:
    """"Mark present again…": remove a "not present for this item" record made in error (undo puts it back)."""
    dlg = SimpleDialog(parent, f"Present for item {item.position} after all", on_done, ok_text="Remove the record")
    record = QComboBox()
    rows: Sequence[AbsenceRow] = item.absences
    for x in rows:
        record.addItem(x.text, x.id)
    dlg.add("&Not present", record, "absence_id")
    dlg.submit = lambda: submit(int(record.currentData()))
    record.setFocus()
    return dlg


class DeferDialog(SimpleDialog):
    """*Defer to a later sitting…*: the later sitting (soonest first) and the reason."""

    def sitting_id(self) -> int:
        combo = self.findChild(QComboBox, "to_sitting_id")
        return int(combo.currentData()) if combo is not None and combo.count() else 0


def defer_dialog(parent: QWidget | None, item: ItemRow, later: Sequence[SittingRow], reason: str,
                 submit: Callable[[int, str], Any], on_done: Callable[[Any], None]) -> DeferDialog:
    """``later``: the sittings the case can come back to; ``reason``: the deferral reason already in the
    minutes (shown to keep or change). ``submit(sitting_id, reason)``."""
    dlg = DeferDialog(parent, f"Defer item {item.position} to a later sitting", on_done, ok_text="&Defer",
                      enter_submits=False)
    text = QLabel(f"Item {item.position}, {item.subject or item.case_label}: its minutes record the deferral and the "
                  "reason below, and the case goes on the agenda of the sitting chosen, linked to this item.")
    text.setWordWrap(True)
    dlg.form.addRow(text)
    sitting = QComboBox()
    for s in later:
        sitting.addItem(f"{weekday_date(s.sitting_date)}, {s.start_time}"
                        + (f" — {s.place}" if s.place else "") + f" ({s.item_count} on the agenda)", s.id)
    dlg.add("Later &sitting", sitting, "to_sitting_id")
    why = QLineEdit(reason)
    why.setMinimumWidth(380)
    why.setPlaceholderText("What the panel needs before the case comes back")
    dlg.add("&Reason for deferring", why, "reason")

    def go() -> Any:
        if not sitting.count():
            raise ValidationError("Later sitting: there is none to choose. Schedule one first (New sitting…), then "
                                  "defer the item.", "to_sitting_id")
        return submit(int(sitting.currentData()), why.text())

    dlg.submit = go
    return dlg


def reason_dialog(parent: QWidget | None, title: str, label: str, submit: Callable[[str], Any],
                  on_done: Callable[[Any], None], *, with_date: dt.date | None = None,
                  date_label: str = "&New date", ok_text: str = "", cancel_text: str = "") -> SimpleDialog:
    dlg = SimpleDialog(parent, title, on_done, ok_text=ok_text, cancel_text=cancel_text)
    date_edit: QDateEdit | None = None
    if with_date is not None:
        date_edit = DateEdit(qdate(with_date))
        date_edit.setCalendarPopup(True)
        date_edit.setDisplayFormat("dd/MM/yyyy")
        dlg.add(date_label, date_edit, "date")
    reason = QLineEdit()
    reason.setMinimumWidth(380)  # a sentence, not a word
    dlg.add(label, reason, "reason")
    if date_edit is not None:
        dlg.submit = lambda: submit(f"{pydate(date_edit.date()).isoformat()}|{reason.text()}")
    else:
        dlg.submit = lambda: submit(reason.text())
    # a move's new date is what is changed first (the keyboard was on the reason, under it)
    (date_edit or reason).setFocus()
    return dlg


def password_dialog(parent: QWidget | None, what: str, submit: Callable[[str], Any],
                    on_done: Callable[[Any], None]) -> SimpleDialog:
    dlg = SimpleDialog(parent, "Approve minutes", on_done, ok_text="Approve")
    dlg.ask_before_discard = False  # a password is typed again, never kept
    text = QLabel(f"Approving {what} locks them and sends the recommendation to the agency decision maker. "
                  "Re-enter your password to approve.")
    text.setWordWrap(True)
    dlg.form.addRow(text)
    password = QLineEdit()
    password.setEchoMode(QLineEdit.EchoMode.Password)
    dlg.add("&Password", password, "password")
    dlg.submit = lambda: submit(password.text())
    # with a runner the password is checked on its worker thread (argon2, and a refusal's floor): the dialog
    # keeps drawing, Approve greyed meanwhile (see SimpleDialog.prepare)
    dlg.prepare = lambda: partial(submit, password.text())
    # the worker commits the approval when the password is right, so a Cancel pressed meanwhile could not
    # take it back: Cancel stays greyed, and the dialog says what it waits for
    dlg.ok_work.note_text = CHECKING_PASSWORD
    password.setFocus()
    return dlg


def notice_dialog(parent: QWidget | None, today: dt.date, submit: Callable[[dt.date, str, str], Any],
                  on_done: Callable[[Any], None]) -> SimpleDialog:
    dlg = SimpleDialog(parent, "Notice of leaving (one month)", on_done, ok_text="Record notice",
                       enter_submits=False)
    date_edit = DateEdit(qdate(today))
    date_edit.setCalendarPopup(True)
    date_edit.setDisplayFormat("dd/MM/yyyy")
    dlg.add("&Written notice given on", date_edit, "notice_on")
    kind = QComboBox()
    kind.addItem("The member is leaving", "left")
    kind.addItem("The agency removes the member (reasons required)", "removed")
    dlg.add("&Kind", kind, "kind")
    reason = QLineEdit()
    dlg.add("&Reasons", reason, "reason")
    dlg.submit = lambda: submit(pydate(date_edit.date()), str(kind.currentData()), reason.text())
    return dlg


def _paper_ticked(box: QCheckBox, unticked: str, label: str, on: bool) -> None:
    box.setText(f"{label}  — received (save to record it)" if on else unticked)


def papers_dialog(parent: QWidget | None, item: ItemRow, deadline: dt.date, today: dt.date,
                  submit: Callable[[dict[str, dt.date | None]], Any], on_done: Callable[[Any], None]) -> SimpleDialog:
    """The papers checklist of one item: tick what has arrived and when."""
    dlg = SimpleDialog(parent, f"Papers for item {item.position} (due {deadline:%d/%m/%Y})", on_done)
    rows: dict[str, tuple[QCheckBox, QDateEdit]] = {}
    for p in item.papers:
        box = QCheckBox(p.label + {"late": "  — LATE", "overdue": "  — NOT RECEIVED (overdue)"}.get(p.state, ""))
        box.setChecked(p.received_on is not None)
        if p.received_on is None:  # ticked, it is no longer "not received"; unticked again, it says so again
            box.toggled.connect(partial(_paper_ticked, box, box.text(), p.label))
        edit = DateEdit(qdate(p.received_on or today))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setEnabled(p.received_on is not None)
        box.toggled.connect(edit.setEnabled)
        box.setObjectName(f"paper_{p.code}")
        edit.setObjectName(f"received_{p.code}")
        edit.setAccessibleName(f"{p.label}: received on")  # its label is the tick box: a screen reader read "Received cpr"
        dlg.form.addRow(box, edit)
        dlg.fields += [box, edit]
        rows[p.code] = (box, edit)
    dlg.submit = lambda: submit({code: pydate(e.date()) if b.isChecked() else None for code, (b, e) in rows.items()})
    return dlg


def ask_sitting_days(parent: QWidget | None, title: str, question: str) -> bool:
    """Ask before saving sittings on days that are not working days (``question`` from
    ``rules.sitting_days_question``). No is the default, so Enter alone never schedules on a bank holiday;
    Esc answers No. True only when Yes was chosen."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, question,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setObjectName("sitting_day_warning")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    box.exec()
    return box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)
