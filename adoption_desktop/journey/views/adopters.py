"""The Adopters' journey tab of the Panel page: prospective adopter households with their assessment dates
(registration = stage 1 starts, stage 1 completed, stage 2 started, panel, ADM approval) and the panel
approval item they are linked to, with the stage timescales (setting months) shown as met or not. The
editor checks the dates in order and names the field at fault; a stale save is refused and shown in the
conflict dialog. Keyboard: Alt+N adds a household, Enter or Alt+C edits."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, ValidationError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.wording import plural
from adoption_desktop.journey import adopters
from adoption_desktop.journey.adopters import DATE_LABELS, Household
from adoption_desktop.journey.rules import within_months
from adoption_desktop.journey.service import AdopterStages
from adoption_desktop.journey.settings import APPROVAL_MONTHS, STAGE1_MONTHS, STAGE2_MONTHS
from adoption_desktop.journey.views.children import parse_date
from adoption_desktop.ui import conflict
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.discard import FormKeptOnExit, field_values
from adoption_desktop.ui.field_message import ClearWhenChanged
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.record_list import RecordList, close_if_saved
from adoption_desktop.ui.table_model import OVERDUE_BRUSH, Column, RowTableModel


def _met(start: dt.date | None, end: dt.date | None, months: int) -> str:
    if start is None or end is None:
        return ""
    return "Yes" if within_months(start, end, months) else "No"


def columns(stage1: int, stage2: int, whole: int) -> list[Column[Household]]:
    """The list's columns, with the months set locally (``adopters.timescales``)."""
    def late(start: dt.date | None, end: dt.date | None, months: int) -> QBrush | None:
        return OVERDUE_BRUSH if _met(start, end, months) == "No" else None

    return [
        Column("Household", lambda h: h.reference),
        Column("Registered", lambda h: h.registered_on),
        Column("Stage 1 completed", lambda h: h.stage1_completed_on),
        Column(f"Stage 1 in {stage1} months", lambda h: _met(h.registered_on, h.stage1_completed_on, stage1),
               foreground=lambda h: late(h.registered_on, h.stage1_completed_on, stage1)),
        Column("Stage 2 started", lambda h: h.stage2_started_on),
        Column("Panel", lambda h: h.panel_on),
        Column("Approved", lambda h: h.approved_on),
        Column(f"Decision in {stage2} months",
               lambda h: _met(h.stage2_started_on, h.approved_on, stage2),
               foreground=lambda h: late(h.stage2_started_on, h.approved_on, stage2)),
        Column(f"Approved in {whole} months", lambda h: _met(h.registered_on, h.approved_on, whole),
               foreground=lambda h: late(h.registered_on, h.approved_on, whole)),
        Column("Approval item", lambda h: h.approval_item),
    ]


def _d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


class HouseholdEditor(FormKeptOnExit, QDialog):
    """One household's assessment dates. ``saved`` is emitted with the stored household."""

    saved = Signal(object)
    #: *Reload their version* put the record as stored now in the editor (the list shows it too)
    reloaded = Signal(object)

    def __init__(self, ctx: AppContext, household: Household | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.household = ctx, household
        self.setWindowTitle(f"Adopters' journey — {household.reference}" if household else "New adopter household")
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        labels = {"reference": "Household &reference *", "registered_on": "Re&gistered (stage 1 starts) *",
                  "stage1_completed_on": "Stage &1 completed", "stage2_started_on": "Stage &2 started",
                  "panel_on": "&Panel", "approved_on": "&Approved by the ADM"}
        for name, label in labels.items():
            value = getattr(household, name) if household else None
            edit = QLineEdit(household.reference if household and name == "reference" else _d(value))
            edit.setObjectName(name)
            if name != "reference":
                edit.setPlaceholderText("DD/MM/YYYY or blank")
            lab = QLabel(label)
            lab.setBuddy(edit)
            form.addRow(lab, edit)
            self.edits[name] = edit
        self.item = QComboBox()
        self.item.setObjectName("approval_item")
        self.item.addItem("Not linked", None)
        try:
            for it in adopters.approval_items(ctx.db, ctx.principal):
                self.item.addItem(it.label, it.id)
        except AppError:
            pass  # the list of items is a convenience; the household can be saved unlinked
        if household and household.approval_item_id is not None:
            index = self.item.findData(household.approval_item_id)
            if index < 0:
                self.item.addItem(household.approval_item or f"item {household.approval_item_id}",
                                  household.approval_item_id)
                index = self.item.count() - 1
            self.item.setCurrentIndex(index)
        item_label = QLabel("Panel appro&val item")
        item_label.setBuddy(self.item)
        form.addRow(item_label, self.item)
        self.message = MessageLine()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        error_tint(self.message)
        self.clears = ClearWhenChanged(self.message)  # a refusal goes once the field it names is changed
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ctx.can(Permission.PANEL_EDIT))
        hint = QLabel("Dates go in order: registration, stage 1 completed, stage 2 started, panel, approval. "
                      "Leave a date blank until it happens.")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.opened = conflict.as_opened(self.household, self.value)
        self.loaded = field_values(self)  # the fields as opened or reloaded (see changed)

    def fill(self, h: Household) -> None:
        """Show ``h`` (the household as stored now: *Reload their version*); it is then what the person's own
        changes are measured from."""
        for name, edit in self.edits.items():
            edit.setText(h.reference if name == "reference" else _d(getattr(h, name)))
        index = self.item.findData(h.approval_item_id) if h.approval_item_id is not None else 0
        if index < 0:  # an item this list does not offer (another sitting's): shown as the stored one
            self.item.addItem(h.approval_item or f"item {h.approval_item_id}", h.approval_item_id)
            index = self.item.count() - 1
        self.item.setCurrentIndex(index)
        self.setWindowTitle(f"Adopters' journey — {h.reference}")
        self.opened = conflict.as_opened(self.household, self.value)
        self.loaded = field_values(self)

    def _item_label(self, item_id: int) -> str:
        index = self.item.findData(item_id)
        return self.item.itemText(index) if index >= 0 else ""

    def labels(self, data: AdopterStages) -> dict[str, str]:
        """``data`` under the labels the service uses for the saved version (every field of the editor)."""
        return adopters.household_values(data, self._item_label)

    def value(self) -> AdopterStages:
        dates: dict[str, dt.date | None] = {}
        for name, label in DATE_LABELS.items():
            try:
                dates[name] = parse_date(self.edits[name].text(), label)
            except ValidationError as exc:
                raise ValidationError(str(exc), name) from None
        item = self.item.currentData()
        return AdopterStages(reference=self.edits["reference"].text(), approval_item_id=item, **dates)

    def mine(self) -> dict[str, str]:
        """The editor, under the labels the service uses for the saved version."""
        try:
            return self.labels(self.value())
        except AppError:
            return {"Household reference": self.edits["reference"].text(),
                    **{label: self.edits[name].text() for name, label in DATE_LABELS.items()}}

    def save(self, expected_version: int | None = None) -> Household | None:
        """Save what is typed; on success close and emit ``saved``. When a colleague saved the household
        first, *Re-apply my change* saves only the fields this person changed on top of their version."""
        def put(id_: int, version: int, data: AdopterStages) -> Household:
            return adopters.update_household(self.ctx.db, self.ctx.principal, id_, data, expected_version=version)

        def stored() -> AdopterStages | None:
            assert self.household is not None
            return adopters.stages_of(adopters.get_household(self.ctx.db, self.ctx.principal, self.household.id))

        def reload() -> Household | None:
            assert self.household is not None
            now = adopters.get_household(self.ctx.db, self.ctx.principal, self.household.id)
            self.fill(now)
            self.reloaded.emit(now)
            return now

        opened = self.opened
        result, held = conflict.save_versioned(
            self, self.household,
            add=lambda: adopters.add_household(self.ctx.db, self.ctx.principal, self.value()),
            update=lambda id_, version: put(id_, version, self.value()),
            mine=self.mine, message=self.message, fields={**self.edits, "approval_item_id": self.item},
            expected_version=expected_version, clears=self.clears,
            edit=None if opened is None else lambda: conflict.OwnEdit(opened, self.value(), self.labels),
            current=stored, put=put, reload=reload)
        self.household = held if result is None else result
        return close_if_saved(self, result)


class AdoptersJourneyTab(RecordList[Household, HouseholdEditor], QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.editor: HouseholdEditor | None = None
        try:
            months = adopters.timescales(ctx.db, ctx.principal)
        except AppError:
            months = (STAGE1_MONTHS.default, STAGE2_MONTHS.default, APPROVAL_MONTHS.default)
        self.model: RowTableModel[Household] = RowTableModel(columns(*months), (), self)
        self.make_view("adopter_households")
        self.add_button = QPushButton("Ne&w household…")  # Alt+N: the Central list tab
        self.add_button.setObjectName("new_household")
        self.add_button.setEnabled(ctx.can(Permission.PANEL_EDIT))
        self.add_button.clicked.connect(lambda: self.add())
        self.edit_button = QPushButton("&Change dates…")
        self.edit_button.setObjectName("edit_household")
        self.edit_button.clicked.connect(lambda: self.edit())
        stage1, stage2, whole = months
        # the months set (the columns' and the figures'): the note said 2, 4 and 6 whatever the settings held
        help_text = QLabel(f"Prospective adopter households and their assessment: stage 1 (pre-assessment) "
                           f"within {plural(stage1, 'month')} of registering, the decision within "
                           f"{plural(stage2, 'month')} of stage 2 starting, approval within {plural(whole, 'month')} "
                           "in all (the agency's timescales, in Settings; the figures use them too).")
        help_text.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        self.status = MessageLine()
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(help_text)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.reload()

    def load_rows(self) -> list[Household]:
        return adopters.list_households(self.ctx.db, self.ctx.principal)

    def fetch(self, record: Household) -> Household:
        return adopters.get_household(self.ctx.db, self.ctx.principal, record.id)  # the latest version, audited

    def make_editor(self, record: Household | None) -> HouseholdEditor:
        return HouseholdEditor(self.ctx, record, self)
