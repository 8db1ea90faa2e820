"""The Children dialog: the children on one ADM plan decision or panel match item (a sibling group is
several rows), with Add, Edit and Link existing child. Everything works from the keyboard: each button
has an Alt+letter, Enter on a row edits it, dates are typed as DD/MM/YYYY (blank = not yet).

A plan date that differs from the date of the signed plan-for-adoption decision the child is on is asked
about (:func:`ask_plan_date`): use the decision's date, save anyway, or cancel and go back to the date. A child
already linked to another decision of the same kind, or to a panel item that is not an earlier hearing of this
item's case, is not moved unless the person says so (:func:`ask_move`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.text_input import read_date
from adoption_desktop.journey import rules, service
from adoption_desktop.journey.service import AlreadyLinked, ChildInput, ChildView, PlanDateDiffers
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.conflict import CANCEL as CANCEL_CHOICE
from adoption_desktop.ui.conflict import REAPPLY, RELOAD, OwnEdit, as_opened, reloaded_text, resolve_conflict
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.discard import FormKeptOnExit, field_values
from adoption_desktop.ui.field_message import ClearWhenChanged
from adoption_desktop.ui.modal import run_modal, session_ended
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.table_model import Column, RowTableModel
from adoption_desktop.ui.table_view import show_cut_text


def _d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def parse_date(text: str, label: str) -> dt.date | None:
    """A date as typed (``20/06/1980``, ``1/6/1980``, ``20-06-1980``, ``20061980``: see
    :func:`~adoption_desktop.core.text_input.read_date`), None when blank (not yet), or a ValidationError
    naming the field."""
    if not text.strip():
        return None
    try:
        return read_date(text, label)
    except ValidationError as exc:
        raise ValidationError(f"{exc} Or leave it blank until it happens.", label) from None


#: the answers to :func:`ask_plan_date`
USE_DECISION_DATE, SAVE_ANYWAY, CANCEL = "decision", "anyway", "cancel"


def _question(parent: QWidget | None, name: str, title: str, text: str,
              choices: Sequence[tuple[str, str, QMessageBox.ButtonRole]], default: str = CANCEL) -> str:
    """Ask ``text``: a question window (object name ``name``) with a button for each of ``choices`` (its text with
    the Alt letter, its object name, its role), then Cancel, which Esc presses. Enter presses the button named
    ``default`` (:data:`CANCEL`: Cancel). Returns the object name of the button clicked, or :data:`CANCEL`."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName(name)
    buttons: dict[str, QPushButton] = {}
    for label, key, role in choices:
        buttons[key] = box.addButton(label, role)
        buttons[key].setObjectName(key)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(buttons.get(default, cancel))
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return next((key for key, button in buttons.items() if button is clicked), CANCEL)


def ask_plan_date(parent: QWidget | None, exc: PlanDateDiffers) -> str:
    """Ask what to do when the child's plan date differs from the date the linked decision agreed the plan:
    "Use the decision's date" (the default: Enter), "Save anyway", or Cancel (Esc). Each has an Alt+letter."""
    answer = _question(parent, "plan_date_differs", "Plan date differs from the decision's", str(exc), [
        (f"&Use the decision's date ({_d(exc.decision_date)})", "use_decision_date",
         QMessageBox.ButtonRole.AcceptRole),
        ("&Save anyway", "save_anyway", QMessageBox.ButtonRole.DestructiveRole)], default="use_decision_date")
    return {"use_decision_date": USE_DECISION_DATE, "save_anyway": SAVE_ANYWAY}.get(answer, CANCEL)


def ask_move(parent: QWidget | None, exc: AlreadyLinked) -> bool:
    """Ask whether to move a child already linked to another decision (a colleague may have linked it a moment
    ago), or to another case's panel item or a later hearing of this one, to this one: "Move it here" (Alt+M) or
    Cancel, the default (Enter or Esc): nothing is moved unasked."""
    title = f"Child already linked to another {'panel item' if exc.on_item else 'decision'}"
    return _question(parent, "child_already_linked", title, str(exc), [
        ("&Move it here", "move_child_here", QMessageBox.ButtonRole.DestructiveRole)]) == "move_child_here"


COLUMNS: list[Column[ChildView]] = [
    Column("Reference", lambda c: c.reference),
    Column("Initials", lambda c: c.initials),
    Column("Sibling group", lambda c: c.sibling_group),
    Column("Entered care", lambda c: _d(c.entered_care_on)),
    Column("Plan for adoption", lambda c: _d(c.plan_decided_on)),
    Column("Placement order", lambda c: _d(c.placement_order_on)),
    Column("Match agreed", lambda c: _d(c.match_agreed_on)),
    Column("Moved in", lambda c: _d(c.placed_on)),
    Column("Adoption order", lambda c: _d(c.adoption_order_on)),
    Column("Early permanence", lambda c: rules.EARLY_PERMANENCE[c.early_permanence] if c.early_permanence else ""),
    Column("Disruption", lambda c: _d(c.disrupted_on)),
]


#: the journey dates' labels in the editor, each with its own Alt letter (none shared with the other fields, Save
#: or Cancel): typed in, an adoption order is Alt+O, not fifteen Tabs down a form that scrolls
DATE_KEYS: dict[str, str] = {
    "entered_care_on": "&Entered care:",
    "plan_decided_on": "&Decision that adoption is the plan:",
    "placement_order_on": "P&lacement order:",
    "match_recommended_on": "Matc&h recommended by panel:",
    "match_agreed_on": "Match &agreed by the ADM:",
    "placed_on": "Mo&ved in with the adoptive family:",
    "adoption_order_on": "Ad&option order:",
    "early_permanence_placed_on": "Early permanence place&ment:",
    "foster_carer_placed_on": "Moved in &with those carers:",
}


class ChildEditor(FormKeptOnExit, QDialog):
    """One child's details and journey dates."""

    def __init__(self, parent: QWidget | None, child: ChildView | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Child {child.reference}" if child else "Add a child")
        self.child = child
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        self.texts: dict[str, QLineEdit] = {}
        self.dates: dict[str, QLineEdit] = {}

        def line(name: str, label: str, value: str, date: bool = False) -> None:
            edit = QLineEdit(value)
            edit.setObjectName(name)
            if date:
                edit.setPlaceholderText("DD/MM/YYYY or blank")
                self.dates[name] = edit
            else:
                self.texts[name] = edit
            form.addRow(label, edit)

        c = child or ChildInput(reference="")
        line("reference", "&Reference:", c.reference)
        line("initials", "&Initials:", c.initials)
        line("date_of_birth", "Date of &birth:", _d(c.date_of_birth), True)
        self.sex = QComboBox()
        for code, label in rules.SEXES.items():
            self.sex.addItem(label, code)
        self.sex.setCurrentIndex(max(0, self.sex.findData(c.sex)))
        form.addRow("Se&x:", self.sex)
        line("ethnicity", "E&thnicity:", c.ethnicity)
        line("disability", "Disabilit&y:", c.disability)
        line("sibling_group", "Sibling &group:", c.sibling_group)
        for field, _label in rules.JOURNEY_ORDER[1:]:
            line(field, DATE_KEYS[field], _d(getattr(c, field)), True)
        self.ep = QComboBox()
        for code, label in rules.EARLY_PERMANENCE.items():
            self.ep.addItem(label, code)
        self.ep.setCurrentIndex(max(0, self.ep.findData(c.early_permanence)))
        form.addRow("Early &permanence:", self.ep)
        line("early_permanence_placed_on", DATE_KEYS["early_permanence_placed_on"], _d(c.early_permanence_placed_on),
             True)
        self.foster = QCheckBox("Adopted by their &foster carers")
        self.foster.setChecked(c.foster_carer_adoption)
        form.addRow("", self.foster)
        line("foster_carer_placed_on", DATE_KEYS["foster_carer_placed_on"], _d(c.foster_carer_placed_on), True)
        line("disrupted_on", "Disr&uption:", _d(c.disrupted_on), True)
        self.notes = QPlainTextEdit(c.notes)
        self.notes.setTabChangesFocus(True)
        form.addRow("&Notes:", self.notes)
        scroll = QScrollArea()
        scroll.setWidget(form_widget)
        scroll.setWidgetResizable(True)
        # not a Tab stop of its own: the window opened with the keyboard on it, the reference typed went nowhere
        # (Tab to a field scrolls it into view)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.message = MessageLine()
        self.message.setWordWrap(True)
        error_tint(self.message)  # white under High Contrast
        self.clears = ClearWhenChanged(self.message)  # a refusal goes once the field it names is changed
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(520, 640)
        self.opened = as_opened(self.child, self.value)
        self.loaded = field_values(self)  # the fields as opened or reloaded (see changed)

    def fill(self, c: ChildInput) -> None:
        """Put ``c`` in the form (a re-applied change: the colleague's version with the person's changes)."""
        for name, edit in self.texts.items():
            edit.setText(getattr(c, name))
        for name, edit in self.dates.items():
            edit.setText(_d(getattr(c, name)))
        self.sex.setCurrentIndex(max(0, self.sex.findData(c.sex)))
        self.ep.setCurrentIndex(max(0, self.ep.findData(c.early_permanence)))
        self.foster.setChecked(c.foster_carer_adoption)
        self.notes.setPlainText(c.notes)

    def value(self) -> ChildInput:
        """What was typed, or a ValidationError naming the field (shown under the form; focus goes there)."""
        values: dict[str, Any] = {name: edit.text() for name, edit in self.texts.items()}
        for name, edit in self.dates.items():
            try:
                values[name] = parse_date(edit.text(), rules.LABELS.get(name, "Date of birth"))
            except ValidationError as exc:  # keyed by the field (parse_date names the label), as the others are
                raise ValidationError(str(exc), name) from None
        values.update(sex=self.sex.currentData(), early_permanence=self.ep.currentData(),
                      foster_carer_adoption=self.foster.isChecked(), notes=self.notes.toPlainText())
        return ChildInput(**values)

    def show_problem(self, exc: AppError) -> None:
        self.message.setText(str(exc))
        field = getattr(exc, "field", None)
        if field == rules.PLAN_DATE_DIFFERS:
            field = "plan_decided_on"
        widget = self.texts.get(str(field)) or self.dates.get(str(field))
        if widget is not None:
            self.clears.watch(widget, str(exc))
            widget.setFocus()
            widget.selectAll()


class ChildrenDialog(QDialog):
    """The children on one decision (``decision_id``) or one panel item (``item_id``)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, decision_id: int | None = None,
                 item_id: int | None = None, title: str = "") -> None:
        super().__init__(parent)
        self.ctx, self.decision_id, self.item_id = ctx, decision_id, item_id
        self.setWindowTitle(f"Children — {title}" if title else "Children")
        self.model: RowTableModel[ChildView] = RowTableModel(COLUMNS, [], self)
        self.view = QTableView()
        show_cut_text(self.view)  # a cell cut short reads whole on hover
        self.view.setObjectName("children_view")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.verticalHeader().hide()
        self.view.activated.connect(lambda _i: self.edit())
        edit_perm = Permission.ADM_EDIT if decision_id is not None else Permission.PANEL_EDIT
        can_edit = ctx.can(edit_perm)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for text, slot, name in (("&Add child…", self.add, "add_child"), ("&Edit…", self.edit, "edit_child"),
                                 ("&Link existing child…", self.link, "link_child")):
            b = QPushButton(text)
            b.setObjectName(name)
            b.setEnabled(can_edit)
            b.clicked.connect(lambda _=False, s=slot: s())
            row.addWidget(b)
            self.buttons[name] = b
        row.addStretch(1)
        close = QPushButton("&Close")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        hint = QLabel("A sibling group is several children: add each child and give them the same sibling "
                      "group. A child already recorded on the plan decision is linked, not added again.")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self.resize(900, 360)
        self.reload()

    def reload(self, select: int | None = None) -> None:
        try:
            rows = service.list_children(self.ctx.db, self.ctx.principal, decision_id=self.decision_id,
                                         item_id=self.item_id)
        except AppError as exc:
            show_error(self, "Children", exc)
            return
        self.model.set_rows(rows)
        ids = [r.id for r in rows]
        if rows:
            self.view.selectRow(ids.index(select) if select in ids else 0)
        self.buttons["edit_child"].setEnabled(bool(rows) and self.buttons["add_child"].isEnabled())

    def current(self) -> ChildView | None:
        idx = self.view.currentIndex()
        return self.model.row_at(idx.row()) if idx.isValid() else None

    def _editor_loop(self, editor: ChildEditor, save: Callable[[ChildInput, bool], ChildView]) -> ChildView | None:
        """Show the editor until it saves or is cancelled; a bad value keeps it open with the message.
        ``save(data, plan_date_anyway)``. A plan date that differs from the decision's is asked about: the
        decision's date is put in the form and saved, or the date typed is saved anyway (that date only: change
        it and it is asked about again), or Cancel goes back to the form at the plan date."""
        confirmed: dt.date | None = None  # the plan date the person chose to save anyway
        again = False  # save again at once: the question was answered
        # the lock covers it (not a Cancel); a sign-out ends it, and the loop with it (nothing saved)
        while (again and not session_ended(editor)) or run_modal(editor):
            again = False
            try:
                data = editor.value()
                return save(data, data.plan_decided_on is not None and data.plan_decided_on == confirmed)
            except PlanDateDiffers as exc:
                choice = ask_plan_date(self, exc)
                if choice == USE_DECISION_DATE:
                    editor.dates["plan_decided_on"].setText(_d(exc.decision_date))
                    again = True
                elif choice == SAVE_ANYWAY:
                    confirmed, again = exc.typed, True
                else:
                    editor.show_problem(exc)
            except StaleRecord as exc:
                choice = self._resolve(editor, exc, data)
                if choice == REAPPLY:
                    again = True  # saved at once: the form now holds what re-applying saves
                elif not choice:
                    return None  # the child is no longer on this list
                # Reload: the editor is shown again with their version; Keep editing: with what was typed
            except AppError as exc:
                editor.show_problem(exc)
        return None

    def _resolve(self, editor: ChildEditor, exc: StaleRecord, data: ChildInput) -> str:
        """A colleague saved the child first: the conflict window's choice, acted on. :data:`REAPPLY`: the
        form holds what re-applying saves (:meth:`_reapply`). :data:`RELOAD`: the form shows the child as
        stored now (the list too), at that version, and says the change was not saved; it closed before,
        the list unchanged, so the change was neither saved nor reloaded. :data:`CANCEL` (Keep editing):
        the form stays with what was typed. "" when the child is no longer on this list."""
        choice = self._reapply(editor, exc, data)
        if choice != RELOAD or editor.child is None:
            if choice == CANCEL_CHOICE:
                editor.show_problem(exc)
            return choice
        now = self._stored_view(editor.child.id)
        self.reload(editor.child.id)
        if now is None:
            return ""
        editor.fill(service.input_of(now))
        editor.child, editor.opened = now, service.input_of(now)
        editor.loaded = field_values(editor)
        editor.message.setText(reloaded_text(exc))
        return RELOAD

    def _reapply(self, editor: ChildEditor, exc: StaleRecord, data: ChildInput) -> str:
        """A colleague saved the child first: the conflict window lists only the fields this person changed
        (measured from the child as the editor opened it). *Re-apply my change* puts those changes on
        top of the child as stored now, in the form, which is then saved at the colleague's version: their
        values stay in every other field (re-applying the whole form put its stale values back over their
        edits). The form then counts as opened at their version, so a later conflict is measured from it.
        Returns the choice (:data:`REAPPLY` only when re-applied)."""
        edit = OwnEdit(editor.opened, data, service.child_values) if editor.opened is not None else None
        choice = resolve_conflict(self, exc, edit.mine() if edit else service.child_values(data),
                                  edit.base() if edit else None)
        if choice != REAPPLY or exc.saved_version is None or editor.child is None:
            return CANCEL_CHOICE if choice == REAPPLY else choice
        now = self._stored(editor.child.id) if edit is not None else None
        if edit is not None and now is not None:
            editor.fill(edit.onto(now))
            editor.opened = now
        editor.child = dataclasses.replace(editor.child, row_version=exc.saved_version)
        return REAPPLY

    def _stored_view(self, child_id: int) -> ChildView | None:
        """The child as stored now (None when it is no longer on this list)."""
        now = service.list_children(self.ctx.db, self.ctx.principal, decision_id=self.decision_id,
                                    item_id=self.item_id)
        return next((c for c in now if c.id == child_id), None)

    def _stored(self, child_id: int) -> ChildInput | None:
        """The child as stored now, as the editor gives it (None when it is no longer on this list)."""
        now = self._stored_view(child_id)
        return service.input_of(now) if now is not None else None

    def add(self) -> None:
        editor = ChildEditor(self, None)
        saved = self._editor_loop(editor, lambda data, anyway: service.add_child(
            self.ctx.db, self.ctx.principal, data, decision_id=self.decision_id, item_id=self.item_id,
            plan_date_anyway=anyway))
        if saved:
            self.reload(saved.id)

    def edit(self) -> None:
        c = self.current()
        if c is None or not self.buttons["edit_child"].isEnabled():
            return
        editor = ChildEditor(self, c)
        saved = self._editor_loop(editor, lambda data, anyway: service.update_child(
            self.ctx.db, self.ctx.principal, c.id, data,
            expected_version=editor.child.row_version if editor.child else c.row_version, plan_date_anyway=anyway))
        if saved:
            self.reload(saved.id)

    def link(self, reference: str | None = None) -> None:
        if reference is None:
            text, ok = QInputDialog.getText(self, "Link existing child", "Child's &reference:")
            if not ok:
                return
            reference = text
        dates: dict[str, bool] = {}
        moving_from: int | None = None  # the link the person agreed to move the child off (asked again if moved since)
        while True:
            try:
                linked = service.link_child(self.ctx.db, self.ctx.principal, reference, decision_id=self.decision_id,
                                            item_id=self.item_id, relink=moving_from is not None,
                                            moving_from=moving_from, **dates)
                break
            except PlanDateDiffers as exc:
                choice = ask_plan_date(self, exc)
                if choice == CANCEL:
                    return
                dates = {"use_decision_date" if choice == USE_DECISION_DATE else "plan_date_anyway": True}
            except AlreadyLinked as exc:
                if not ask_move(self, exc):
                    return
                moving_from = exc.linked_to
            except AppError as exc:
                show_error(self, "Link existing child", exc)
                return
        self.reload(linked.id)
