"""The Support for birth parents tab of the Letterbox page: the register of birth relatives referred to an
independent support service (model/view), with an editor whose dates are typed as DD/MM/YYYY (blank until
they happen; *Referred on*, always needed, is a date field showing today for a new referral, which follows
the date while the editor is left open past midnight: ``ui.today_default``). Every save is checked against
the version shown: a stale save is refused and shown in the conflict dialog. Keyboard: Alt+C records a
referral, Enter or Alt+D edits, Alt+O shows open referrals only."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, ValidationError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.journey.views.children import parse_date
from adoption_desktop.letterbox import support
from adoption_desktop.letterbox.support import ReferralInput, ReferralView
from adoption_desktop.ui import conflict
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import DISPLAY_FORMAT, DateEdit, qdate
from adoption_desktop.ui.discard import FormKeptOnExit, field_values
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.record_list import RecordList, close_if_saved
from adoption_desktop.ui.table_model import Column, RowTableModel
from adoption_desktop.ui.today_default import TodayDefaults, keep_opened

COLUMNS: list[Column[ReferralView]] = [
    Column("Case reference", lambda r: r.case_reference), Column("Initials", lambda r: r.initials),
    Column("Relationship", lambda r: r.relationship), Column("Referred on", lambda r: r.referred_on),
    Column("Referred to", lambda r: r.service), Column("Offered on", lambda r: r.offered_on),
    Column("Answer", lambda r: r.response_label), Column("Answer on", lambda r: r.response_on),
    Column("Closed on", lambda r: r.closed_on),
]
TEXTS = (("case_reference", "Case &reference *"), ("initials", "&Initials *"),
         ("relationship", "Relationship to the &child"), ("service", "Referred &to (support service) *"))
DATES = (("referred_on", "Referred on *"), ("offered_on", "Support offered on"),
         ("response_on", "Answer given on"), ("closed_on", "Closed on"))


def _d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


class ReferralEditor(FormKeptOnExit, QDialog):
    """One referral. ``saved`` is emitted with the stored referral; a bad value keeps the editor open with
    the message under the form and the cursor in the field at fault."""

    saved = Signal(object)
    #: *Reload their version* put the record as stored now in the editor (the list shows it too)
    reloaded = Signal(object)

    def __init__(self, ctx: AppContext, referral: ReferralView | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.referral = ctx, referral
        self.setWindowTitle(f"Support referral {referral.case_reference}" if referral else "New support referral")
        r = referral or ReferralInput(case_reference="")
        form = QFormLayout()
        self.edits: dict[str, QLineEdit | DateEdit] = {}
        for name, label in TEXTS[:3]:
            self.edits[name] = self._line(form, name, label, getattr(r, name))
        #: *Referred on*: a date field; a new referral's shows today (the context's clock) while untouched, and
        #: follows the date past midnight (an editor opened in the evening saved the evening's date the next
        #: morning, unseen). A date from the record is never moved.
        self.referred_on = DateEdit()
        self.referred_on.setObjectName("referred_on")
        self.referred_on.setCalendarPopup(True)
        self.referred_on.setDisplayFormat(DISPLAY_FORMAT)
        self.today_dates = TodayDefaults(lambda: self.ctx.today())
        if r.referred_on is not None:
            self.referred_on.setDate(qdate(r.referred_on))
        else:
            self.today_dates.add("referred_on", self.referred_on, "referred on")
        referred = QLabel("Referred &on *")
        referred.setBuddy(self.referred_on)
        form.addRow(referred, self.referred_on)
        self.edits["referred_on"] = self.referred_on
        self.edits["service"] = self._line(form, "service", TEXTS[3][1], r.service)
        self.edits["offered_on"] = self._line(form, "offered_on", "Support o&ffered on", _d(r.offered_on), True)
        self.response = QComboBox()
        self.response.setObjectName("response")
        for key, label in support.RESPONSES.items():
            self.response.addItem(label, key)
        self.response.setCurrentIndex(max(0, self.response.findData(r.response)))
        answer = QLabel("&Answer")
        answer.setBuddy(self.response)
        form.addRow(answer, self.response)
        self.edits["response_on"] = self._line(form, "response_on", "Answer &given on", _d(r.response_on), True)
        self.edits["closed_on"] = self._line(form, "closed_on", "C&losed on", _d(r.closed_on), True)
        self.notes = QPlainTextEdit(r.notes)
        self.notes.setTabChangesFocus(True)
        notes = QLabel("&Notes")
        notes.setBuddy(self.notes)
        form.addRow(notes, self.notes)
        self.message = MessageLine()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        error_tint(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        hint = QLabel("Initials and the case reference only, never a name. Dates as DD/MM/YYYY, blank until "
                      "they happen.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.can_save = ctx.can(Permission.LETTERBOX_EDIT)
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(self.can_save)
        self.opened = conflict.as_opened(self.referral, self.value)
        self.loaded = field_values(self)  # the fields as opened or reloaded (see changed)
        self.today_dates.watch(ctx, self, self._new_day)

    def _follow_today(self) -> str:
        """*Referred on* still showing the "today" it was given, untouched, moves to the new today; what the
        editor opened with follows (the new default is nothing typed: closing asks nothing). Returns what
        moved, in words ("" when nothing)."""
        before = field_values(self)
        said = self.today_dates.follow_text("Change it if the referral was made the day before.")
        if said:
            self.loaded = keep_opened(self.loaded, before, field_values(self)) or self.loaded
        return said

    def _new_day(self, _day: dt.date) -> None:
        said = self._follow_today()
        if said:
            self.message.setText(said)

    def fill(self, r: ReferralView) -> None:
        """Show ``r`` (the referral as stored now: *Reload their version*); it is then what the person's own
        changes are measured from."""
        for name, edit in self.edits.items():
            value = getattr(r, name)
            if isinstance(edit, DateEdit):
                edit.setDate(qdate(value))  # the record's: no longer the "today" default
                self.today_dates.touched(name)
            else:
                edit.setText(_d(value) if name in dict(DATES) else value)
        self.response.setCurrentIndex(max(0, self.response.findData(r.response)))
        self.notes.setPlainText(r.notes)
        self.setWindowTitle(f"Support referral {r.case_reference}")
        self.opened = conflict.as_opened(self.referral, self.value)
        self.loaded = field_values(self)

    def _line(self, form: QFormLayout, name: str, label: str, value: str, date: bool = False) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setObjectName(name)
        if date:
            edit.setPlaceholderText("DD/MM/YYYY or blank")
        lab = QLabel(label)
        lab.setBuddy(edit)
        form.addRow(lab, edit)
        return edit

    def _date(self, name: str, label: str) -> dt.date | None:
        edit = self.edits[name]
        text = edit.lineEdit().text() if isinstance(edit, DateEdit) else edit.text()  # as typed, read once here
        try:
            return parse_date(text, label.rstrip(" *"))
        except ValidationError as exc:
            raise ValidationError(str(exc), name) from None

    def value(self) -> ReferralInput:
        dates = {name: self._date(name, label) for name, label in DATES}
        return ReferralInput(
            case_reference=self.edits["case_reference"].text(), initials=self.edits["initials"].text(),
            relationship=self.edits["relationship"].text(), service=self.edits["service"].text(),
            response=str(self.response.currentData()), notes=self.notes.toPlainText(), **dates)

    def mine(self) -> dict[str, str]:
        """The editor, under the labels the service uses for the saved version."""
        try:
            return support.referral_values(self.value())
        except AppError:
            return {support.LABELS.get(n, n): self.edits[n].text() for n in self.edits}

    def save(self, expected_version: int | None = None) -> ReferralView | None:
        """Save what is typed; on success close and emit ``saved``. When a colleague saved the referral first,
        *Re-apply my change* saves only the fields this person changed on top of their version."""
        def put(id_: int, version: int, data: ReferralInput) -> ReferralView:
            return support.update_referral(self.ctx.db, self.ctx.principal, id_, data, expected_version=version,
                                           today=self.ctx.today())

        def stored() -> ReferralInput | None:
            assert self.referral is not None
            return support.input_of(support.get_referral(self.ctx.db, self.ctx.principal, self.referral.id))

        def reload() -> ReferralView | None:
            assert self.referral is not None
            now = support.get_referral(self.ctx.db, self.ctx.principal, self.referral.id)
            self.fill(now)
            self.reloaded.emit(now)
            return now

        moved = self._follow_today()
        if moved:  # never yesterday's date unseen: the new one is shown, and saved on the next press
            self.message.setText(f"{moved} Nothing was saved yet: press Save again to save it.")
            self.referred_on.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        opened = self.opened
        result, held = conflict.save_versioned(
            self, self.referral,
            add=lambda: support.add_referral(self.ctx.db, self.ctx.principal, self.value(), self.ctx.today()),
            update=lambda id_, version: put(id_, version, self.value()),
            mine=self.mine, message=self.message, fields=self.edits, expected_version=expected_version,
            edit=None if opened is None else lambda: conflict.OwnEdit(opened, self.value(), support.referral_values),
            current=stored, put=put, reload=reload)
        self.referral = held if result is None else result
        return close_if_saved(self, result)


class SupportRegister(RecordList[ReferralView, ReferralEditor], QWidget):
    """The register (newest referral first)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.editor: ReferralEditor | None = None
        self.model: RowTableModel[ReferralView] = RowTableModel(COLUMNS, (), self)
        self.make_view("support_referrals")
        can_edit = ctx.can(Permission.LETTERBOX_EDIT)
        self.add_button = QPushButton("Re&cord referral…")
        self.add_button.setObjectName("new_referral")
        self.add_button.setEnabled(can_edit)
        self.add_button.clicked.connect(lambda: self.add())
        self.edit_button = QPushButton("E&dit referral…")
        self.edit_button.setObjectName("edit_referral")
        self.edit_button.clicked.connect(lambda: self.edit())
        self.open_only = QCheckBox("&Open referrals only")
        self.open_only.toggled.connect(lambda _b: self.reload())
        help_text = QLabel("Birth parents and other birth relatives referred to an independent support service: "
                           "when support was offered, and whether it was taken up. Agencies must offer birth "
                           "parents support independent of the child's social worker.")
        help_text.setWordWrap(True)
        row = QHBoxLayout()
        for w in (self.add_button, self.edit_button, self.open_only):
            row.addWidget(w)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(help_text)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self.status = MessageLine()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.reload()

    def load_rows(self) -> list[ReferralView]:
        return support.list_referrals(self.ctx.db, self.ctx.principal, open_only=self.open_only.isChecked())

    def fetch(self, record: ReferralView) -> ReferralView:
        return support.get_referral(self.ctx.db, self.ctx.principal, record.id)  # the latest version, audited

    def make_editor(self, record: ReferralView | None) -> ReferralEditor:
        return ReferralEditor(self.ctx, record, self)
