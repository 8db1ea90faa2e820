"""One counselling case: referral, requests, sessions, redaction, disclosures, checks and closure, letters.

Every action opens a small form (non-modal ``open()``, so tests drive it); OK calls the service; a
validation error stays in the form with the field focused. Letters are written on the task runner with
progress and cancel.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.documents.pdf import long_date
from adoption_desktop.core.errors import AppError, Conflict, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.undo import UndoEntry
from adoption_desktop.counselling import documents, rules, service
from adoption_desktop.counselling import undo as counselling_undo
from adoption_desktop.counselling.service import (
    BEFORE_1975_ANSWERS,
    CONTACT,
    FORMATS,
    HOLDERS,
    LETTER_KINDS,
    OUTCOMES,
    ROUTES,
    SESSION_KINDS,
    SESSION_OUTCOMES,
    CaseDetail,
    DisclosureRow,
    RedactionRow,
    ReferralInput,
    RequestRow,
    SessionRow,
)
from adoption_desktop.counselling.service.common import referral_values
from adoption_desktop.counselling.views.widgets import (
    FormDialog,
    combo_key,
    date_edit,
    fill_combo,
    small_form,
)
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.ask import ask_yes_no
from adoption_desktop.ui.autosave import DraftAutosaver, FormField, field_value, restored_text
from adoption_desktop.ui.conflict import REAPPLY, RELOAD, OwnEdit, reloaded_text, resolve_conflict
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import field_label, pydate, qdate
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.discard import field_values
from adoption_desktop.ui.forms import child, load_form
from adoption_desktop.ui.letter_save import ask_letter_path
from adoption_desktop.ui.palette import tint
from adoption_desktop.ui.presence import attach_banner
from adoption_desktop.ui.record_history import history_button
from adoption_desktop.ui.table_model import OVERDUE_BRUSH, Column, RowTableModel
from adoption_desktop.ui.table_view import make_table_view
from adoption_desktop.ui.tasks import run_with_progress
from adoption_desktop.ui.today_default import TodayDefaults, keep_opened
from adoption_desktop.ui.undo import confirm_final


def _holder_tooltip(r: RequestRow) -> str:
    """The records holder's name and postal address as a letter would be addressed, or why none can be."""
    if not r.holder_address.strip():
        return f"{r.holder_name}\nNo postal address recorded: no request or chaser letter can be written to it."
    return "\n".join([r.holder_name, *(line for line in r.holder_address.splitlines() if line.strip())])


REQUEST_COLUMNS: list[Column[RequestRow]] = [
    Column("Held by", lambda r: HOLDERS[r.holder_kind]),
    # the address and notes were nowhere on the tab (trial): the address as the name's tooltip, notes a column
    Column("Name", lambda r: r.holder_name, tooltip=_holder_tooltip),
    Column("Their reference", lambda r: r.their_reference),
    Column("Sent", lambda r: r.sent_on),
    Column("Chase due", lambda r: None if r.received_on else r.chase_due,
           foreground=lambda r: OVERDUE_BRUSH if r.overdue else None),
    Column("Chased", lambda r: r.chase_count, align_right=True),
    Column("Received", lambda r: r.received_on),
    Column("Format", lambda r: FORMATS.get(r.record_format, "")),
    Column("Pages", lambda r: r.pages, align_right=True),
    Column("Status", lambda r: r.status, foreground=lambda r: OVERDUE_BRUSH if r.overdue else None),
    Column("Notes", lambda r: " ".join(r.notes.split()), tooltip=lambda r: r.notes or None),
]
SESSION_COLUMNS: list[Column[SessionRow]] = [
    Column("Date", lambda s: s.held_on), Column("Time", lambda s: s.start_time),
    Column("Type", lambda s: SESSION_KINDS[s.kind]), Column("Where", lambda s: s.location),
    # long notes are cut in the cell (trial): whole in the tooltip, as a request's notes are
    Column("Counsellor", lambda s: s.counsellor),
    Column("Notes", lambda s: " ".join(s.notes.split()), tooltip=lambda s: s.notes or None),
    # held, cancelled, did not attend; "Booked" ahead, "Not recorded" once its day has passed unmarked
    Column("Outcome", lambda s: s.status),
]
REDACTION_COLUMNS: list[Column[RedactionRow]] = [
    Column("Reviewed", lambda r: r.reviewed_on), Column("Document", lambda r: r.item, tooltip=lambda r: r.item),
    Column("Third-party information reviewed", lambda r: r.third_party_reviewed),
    Column("Redactions made", lambda r: " ".join(r.redactions_made.split()),
           tooltip=lambda r: r.redactions_made or None),
    Column("By", lambda r: r.reviewed_by),
]
DISCLOSURE_COLUMNS: list[Column[DisclosureRow]] = [
    Column("Date", lambda d: d.disclosed_on), Column("By", lambda d: d.disclosed_by),
    Column("To", lambda d: d.recipient), Column("What", lambda d: d.what, tooltip=lambda d: d.what),
    Column("How", lambda d: d.method),
    Column("Records shared", lambda d: d.records_shared),
]


#: the widest a column of a case's lists grows (pixels): the lists fit the dialog on a 1366-pixel screen
LONG_COLUMN_MAX = 320


def _table(name: str, model: RowTableModel[object]) -> QTableView:
    return make_table_view(model, name)


def _button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.clicked.connect(lambda _=False: slot())
    return b


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for w in widgets:
        row.addWidget(w)
    row.addStretch(1)
    return row


ACTION_BUTTONS = frozenset({"edit_referral", "allocate", "correct_allocation", "add_request", "record_chase", "record_receipt",
                            "remove_request", "remove_session", "session_outcome",
                            "add_session", "add_redaction", "add_disclosure", "share_records", "record_checks",
                            "close_case"})
LETTER_BUTTONS = frozenset({"letter_acknowledgement", "letter_records_request", "letter_chaser",
                            "letter_records_ready", "letter_appointment"})


#: the checks form's checks and the case column each one's date is in
CHECK_COLUMNS = {"acr": "acr_checked_on", "veto": "veto_checked_on", "intermediary": "intermediary_signposted_on"}


@dataclass(frozen=True)
class _Checks:
    """The register and veto checks as the checks form shows them (a date: the check is recorded)."""

    acr_checked_on: dt.date | None
    acr_note: str
    veto_checked_on: dt.date | None
    veto_note: str
    intermediary_signposted_on: dt.date | None

    @staticmethod
    def of(d: CaseDetail) -> _Checks:
        return _Checks(d.acr_checked_on, d.acr_note, d.veto_checked_on, d.veto_note, d.intermediary_signposted_on)

    def labels(self) -> dict[str, str]:
        """Under the labels a conflict shows the saved case's checks with."""
        return service.checks_values(self.acr_checked_on, self.acr_note.strip(), self.veto_checked_on,
                                     self.veto_note.strip(), self.intermediary_signposted_on)


def _case_kept_values(d: CaseDetail) -> dict[str, str]:
    """The case's fields that Edit referral does not write, as a conflict shows them (the service's labels)."""
    return {"Counsellor": str(d.counsellor_id or ""), "Allocated": f"{d.allocated_on:%d/%m/%Y}" if d.allocated_on
            else "", "Closed": f"{d.closed_on:%d/%m/%Y}" if d.closed_on else "", "Outcome": d.outcome}


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


class CaseDialog(QDialog):
    changed = Signal()

    def __init__(self, ctx: AppContext, case_id: int, today: Callable[[], dt.date],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.case_id, self.today = ctx, case_id, today
        self.setObjectName("counselling_case")
        self.resize(1000, 640)
        self.ask_path: Callable[[str], str | None] = self._ask_path
        #: after a chaser letter, whether to record the chase (tests answer it)
        self.ask_chase: Callable[[str], bool] = self._ask_chase
        self.last_letter: Path | None = None
        self.forms: list[FormDialog] = []
        self.detail: CaseDetail = service.open_case(ctx.db, ctx.principal, case_id, today())

        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setObjectName("case_header")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)  # a long flag or note wraps, never widening the window past the screen
        layout.addWidget(self.header)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        layout.addWidget(self.tabs, 1)
        self.editable = ctx.principal.can(Permission.COUNSELLING_EDIT)
        self.presence = attach_banner(ctx, self, "counselling_cases", case_id, editing=self.editable)

        # summary
        summary = QWidget()
        sl = QVBoxLayout(summary)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        sl.addWidget(self.summary, 1)
        sl.addLayout(_row(_button("&Edit referral…", "edit_referral", self.edit_referral),
                          _button("&Allocate…", "allocate", self.allocate_dialog),
                          _button("Co&rrect allocation…", "correct_allocation", self.correct_allocation_dialog),
                          _button("Acknowledgement &letter…", "letter_acknowledgement",
                                  lambda: self.letter("acknowledgement"))))
        self.tabs.addTab(summary, "&Summary")

        # requests
        self.request_model: RowTableModel[RequestRow] = RowTableModel(REQUEST_COLUMNS)
        self.requests_view = _table("requests_table", self.request_model)  # type: ignore[arg-type]
        req = QWidget()
        rl = QVBoxLayout(req)
        rl.addWidget(self.requests_view, 1)
        rl.addLayout(_row(_button("&Add request…", "add_request", self.add_request_dialog),
                          _button("Record c&hase…", "record_chase", self.record_chase),
                          _button("Record &receipt…", "record_receipt", self.receipt_dialog),
                          _button("Re&move request…", "remove_request", self.remove_request_dialog)))
        rl.addLayout(_row(_button("Request &letter…", "letter_records_request",
                                  lambda: self.letter("records-request", request_id=self._request_id())),
                          _button("Chaser le&tter…", "letter_chaser",
                                  lambda: self.letter("chaser", request_id=self._request_id())),
                          _button("Records-read&y letter…", "letter_records_ready",
                                  lambda: self.letter("records-ready", request_id=self._request_id()))))
        self.tabs.addTab(req, "Re&quests")

        # sessions
        self.session_model: RowTableModel[SessionRow] = RowTableModel(SESSION_COLUMNS)
        self.sessions_view = _table("sessions_table", self.session_model)  # type: ignore[arg-type]
        ses = QWidget()
        s2 = QVBoxLayout(ses)
        s2.addWidget(self.sessions_view, 1)
        s2.addLayout(_row(_button("&Add session…", "add_session", self.session_dialog),
                          _button("Re&move session…", "remove_session", self.remove_session_dialog),
                          _button("Record o&utcome…", "session_outcome", self.session_outcome_dialog),
                          _button("A&ppointment letter…", "letter_appointment",
                                  lambda: self.letter("appointment", session_id=self._session_id()))))
        self.tabs.addTab(ses, "Sessio&ns")

        # redaction
        self.redaction_model: RowTableModel[RedactionRow] = RowTableModel(REDACTION_COLUMNS)
        red = QWidget()
        r2 = QVBoxLayout(red)
        r2.addWidget(_table("redactions_table", self.redaction_model), 1)  # type: ignore[arg-type]
        r2.addLayout(_row(_button("&Add redaction check…", "add_redaction", self.redaction_dialog)))
        self.tabs.addTab(red, "Re&daction")

        # disclosures
        self.disclosure_model: RowTableModel[DisclosureRow] = RowTableModel(DISCLOSURE_COLUMNS)
        dis = QWidget()
        d2 = QVBoxLayout(dis)
        d2.addWidget(_table("disclosures_table", self.disclosure_model), 1)  # type: ignore[arg-type]
        d2.addLayout(_row(_button("Record d&isclosure…", "add_disclosure", lambda: self.disclosure_dialog(False)),
                          _button("Share &records…", "share_records", lambda: self.disclosure_dialog(True))))
        self.tabs.addTab(dis, "Dis&closures")

        # checks and closure
        chk = QWidget()
        c2 = QVBoxLayout(chk)
        self.checks = QLabel()
        self.checks.setObjectName("checks")
        self.checks.setTextFormat(Qt.TextFormat.RichText)
        self.checks.setWordWrap(True)
        self.checks.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        c2.addWidget(self.checks, 1)
        c2.addLayout(_row(_button("Record chec&ks…", "record_checks", self.checks_dialog),
                          _button("Close cas&e…", "close_case", self.close_dialog)))
        self.tabs.addTab(chk, "Checks && cl&osure")

        # the window's Close sits bottom right, outside the tabs, as in every other dialog — well apart from
        # "Close case…" (which records the case's closure) at the bottom left of its tab
        self.status = MessageLine()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.setObjectName("buttons")
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("close_window")
        close.setToolTip("Close this window. The case stays as it is (use Close case… to close the case).")
        close.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        # administrators: who opened or changed this case (and its requests, sessions …), from the audit log
        self.history_button = history_button(ctx, self, "counselling_cases",
                                             lambda: (self.case_id, f"counselling case {self.detail.reference}"))
        bottom.addWidget(self.history_button)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        QShortcut(QKeySequence("F5"), self, self.reload)
        ctx.after_undo.append(self._after_undo)
        self.finished.connect(lambda _r: ctx.after_undo.remove(self._after_undo)
                              if self._after_undo in ctx.after_undo else None)
        self._show()

    def _after_undo(self, entry: UndoEntry) -> None:
        """An undo or redo changed this area's records (a chase): show the case as stored now."""
        if entry.area == counselling_undo.AREA and self.isVisible():
            before = {r.id: r.chase_count for r in self.detail.requests}
            outcomes = {x.id: x.status for x in self.detail.sessions}
            self.reload()
            moved = [x for x in self.detail.sessions if outcomes.get(x.id, x.status) != x.status]
            if moved:  # a session's outcome put back (or recorded again)
                self.status.setText(f"Session of {moved[0].held_on:%d/%m/%Y}: now {moved[0].status.lower()}.")
                return
            # the status line said "Chase of … recorded": say what the undo (or redo) left instead (trial)
            changed = [r for r in self.detail.requests if before.get(r.id, r.chase_count) != r.chase_count]
            self.status.setText(next((
                f"Chase of {r.holder_name} {'undone' if r.chase_count < before[r.id] else 'recorded again'}; "
                f"next chase due {r.chase_due:%d/%m/%Y}." for r in changed), ""))

    # --- display --------------------------------------------------------------------------------
    def reload(self) -> None:
        self.detail = service.open_case(self.ctx.db, self.ctx.principal, self.case_id, self.today(),
                                        audit_view=False)
        self._show()

    def _show(self) -> None:
        d = self.detail
        r = d.referral
        self.setWindowTitle(f"Counselling case {d.reference} — {r.current_name}")
        red = tint("#B00020", self.header).name()  # the palette's text colour under High Contrast
        flag_html = "".join(
            f'<span style="color:{red}"><b>{_esc(f)}</b></span><br/>' if "required" in f else f"{_esc(f)}<br/>"
            for f in d.flags.labels)
        flag_html += "".join(f'<span style="color:{red}"><b>{_esc(note)}</b></span><br/>' for note in d.notes)
        self.header.setText(
            f"<h2>{_esc(d.reference)}: {_esc(r.current_name)}</h2>"
            f"<p>Status: <b>{_esc(d.status)}</b>"
            + (f" — counsellor {_esc(d.counsellor)} since {d.counsellor_since or d.allocated_on:%d/%m/%Y}"
               if d.allocated_on else "")
            + (f" — closed {d.closed_on:%d/%m/%Y}: {_esc(OUTCOMES.get(d.outcome, d.outcome))}" if d.closed_on
               else "") + f"</p><p>{flag_html}</p>")
        left = rules.left_waiting_list(r.referral_date, d.allocated_on, d.closed_on)
        rows = [
            ("Referral", f"{long_date(r.referral_date)} — {ROUTES[r.referral_route]}"
             + (f" ({r.referred_by})" if r.referred_by else "")),
            ("Name at birth", r.birth_name), ("Name now", r.current_name),
            ("Date of birth", f"{long_date(r.date_of_birth)} (aged {d.age})"),
            ("Address", r.address.replace("\n", ", ")), ("Phone", r.phone), ("Email", r.email),
            ("Preferred contact", CONTACT[r.preferred_contact]),
            ("Adoption order", long_date(r.adoption_order_date) if r.adoption_order_date else "Not known"),
            *([("Adopted before 12 November 1975?", BEFORE_1975_ANSWERS[r.adopted_before_1975]
                + (" (from the date of birth)" if rules.before_1975_from_birth(r.date_of_birth) is not None
                   else ""))] if r.adoption_order_date is None else []),
            ("Court", r.court),
            ("Arranging agency", r.arranging_agency),
            # the position and "waiting N days" belong to a case still waiting; one allocated or closed says
            # when it left the list and after how long
            ("Waiting-list position", "; ".join(d.priority_reasons)) if left is None else ("Waiting list", left),
        ]
        self.summary.setText("<table cellspacing='4'>" + "".join(
            f"<tr><td><b>{_esc(k)}</b></td><td>{_esc(v)}</td></tr>" for k, v in rows) + "</table>")
        self.request_model.set_rows(d.requests)
        self.session_model.set_rows(d.sessions)
        self.redaction_model.set_rows(d.redactions)
        self.disclosure_model.set_rows(d.disclosures)
        checks = [
            ("Adoption Contact Register checked", d.acr_checked_on, d.acr_note),
            ("Veto checked", d.veto_checked_on, d.veto_note),
            ("Intermediary service signposted", d.intermediary_signposted_on, ""),
        ]
        lines = "".join(
            f"<tr><td><b>{_esc(k)}</b></td><td>{f'{on:%d/%m/%Y}' if on else 'not yet'}</td><td>{_esc(n)}</td></tr>"
            for k, on, n in checks)
        hint = ("<p>Pre-commencement adoption: check the Adoption Contact Register and any veto, and "
                "signpost intermediary services.</p>" if d.flags.pre_commencement else
                "<p>Adoption order date not known: if the adoption was before 30 December 2005, check the "
                "Adoption Contact Register and any veto, and signpost intermediary services.</p>"
                if d.flags.pre_commencement is None else "")
        self.checks.setText(f"{hint}<table cellspacing='4'>{lines}</table>")
        closed_reason = (service.closed_letter_reason(d.reference, d.closed_on, d.outcome)
                         if d.closed_on is not None else "")
        for b in self.findChildren(QPushButton):
            if b.objectName() in ACTION_BUTTONS:
                b.setEnabled(self.editable and d.closed_on is None)
                b.setToolTip(f"Case closed on {d.closed_on:%d/%m/%Y}: it cannot be changed." if d.closed_on else "")
                if b.objectName() == "correct_allocation" and d.closed_on is None:
                    b.setEnabled(self.editable and d.allocated_on is not None)
                    b.setToolTip("Correct the date or the counsellor of the current allocation, entered wrongly."
                                 if d.allocated_on else "Not allocated yet: there is no allocation to correct "
                                 "(use Allocate…).")
            elif b.objectName() in LETTER_BUTTONS:  # a closed case sends nothing more (the service refuses too)
                b.setEnabled(d.closed_on is None)
                b.setToolTip(closed_reason)
        for view in self.findChildren(QTableView):
            view.resizeColumnsToContents()
            for column in range(view.horizontalHeader().count()):  # a long "What" cut (whole in its tooltip)
                if view.columnWidth(column) > LONG_COLUMN_MAX:  # rather than "By" and "How" out of sight
                    view.setColumnWidth(column, LONG_COLUMN_MAX)

    def _request_id(self) -> int | None:
        rows = self.requests_view.selectionModel().selectedRows()
        return self.request_model.row_at(rows[0].row()).id if rows else None

    def _session_id(self) -> int | None:
        rows = self.sessions_view.selectionModel().selectedRows()
        return self.session_model.row_at(rows[0].row()).id if rows else None

    def _after_change(self, message: str) -> None:
        self.reload()
        self.status.setText(message)
        self.changed.emit()

    def draft_key(self, what: str) -> str:
        """The autosave key of a long free-text field of this case (one draft per user, field and case)."""
        return f"counselling.{what}:{self.case_id}"

    def _form(self, title: str, form: QWidget, submit: Callable[[], str],
              drafts: dict[str, QPlainTextEdit] | None = None, *, ok_text: str = "",
              keep: dict[str, FormField] | None = None, if_changed: tuple[str, ...] = (),
              base: str | None = None, from_record: bool = False,
              today_dates: tuple[QDateEdit, ...] = ()) -> FormDialog:
        """A form dialog; ``drafts`` (key suffix -> text field) are autosaved as encrypted drafts while
        typed, restored when the form is opened again after a crash, and cleared once OK has saved.
        ``keep`` (name -> field): the form's other fields, kept with its one draft and restored with it;
        those in ``if_changed`` (a date the form sets to today) only once changed, so a draft brought back on
        a later day does not date the record back. ``from_record``: the form shows the case as stored (Edit
        referral; ``base`` its version): a draft's text comes back over the stored text, and each other field
        only while the case still holds what it held when the draft was typed (a colleague's change since is
        kept, and the draft's value said). ``today_dates``: the date fields showing "today" as their default:
        while untouched they follow the date changing with the form open (``ui.today_default``), and OK
        pressed after midnight moves them and saves nothing on that press (:meth:`follow_today`)."""
        if keep and len(drafts or {}) != 1:
            raise ValueError("a form's other fields are kept with its one draft")
        dates = TodayDefaults(self.today)
        for day in today_dates:
            dates.add(day.objectName(), day, field_label(day).lower())  # before a draft is brought back
        savers = [DraftAutosaver(self.ctx, self.draft_key(what), edit, fields=keep, if_changed=if_changed,
                                 base=base, over_stored=from_record, from_record=keep or () if from_record else ())
                  for what, edit in (drafts or {}).items()]

        def run() -> None:
            moved = self.follow_today(dialog, dates)
            if moved:  # never yesterday's date unseen: the new one is shown, and saved on the next press
                ok_text = (dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).text() or "OK").replace("&", "")
                raise ValidationError(f"{moved[1]} Nothing was saved yet: press {ok_text} again to save it.",
                                      moved[0])
            message = submit()
            for saver in savers:
                saver.clear()
            self._after_change(message)

        dialog = FormDialog(self, title, form, run)
        dialog.autosavers = savers
        if today_dates:
            def new_day(_day: dt.date) -> None:
                moved = self.follow_today(dialog, dates)
                if moved:
                    dialog.message.setText(moved[1])
            dates.watch(self.ctx, dialog, new_day)
        for saver in savers:  # an autosave that could not reach the server says so here, never in a dialog
            saver.status.connect(dialog.message.setText)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok_text:  # say what pressing it does (Share records)
            ok.setText(ok_text)
        others = " ".join(filter(None, [*(saver.set_aside_text(what="this case") for saver in savers),
                                         *(saver.other_drafts_text() for saver in savers)]))
        if any(saver.restored for saver in savers):  # name the button as it reads, not always "OK"
            other_window = next((saver.other_window for saver in savers if saver.other_window), "")
            dialog.message.setText(" ".join(filter(None, (restored_text("this form", ok.text(), other_window),
                                                          others))))
        elif others:  # a draft from another window waits its turn
            dialog.message.setText(others)
        self.forms.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self.forms.remove(d) if d in self.forms else None)
        dialog.open()
        return dialog

    @staticmethod
    def follow_today(dialog: FormDialog, dates: TodayDefaults) -> tuple[str, str] | None:
        """The form's date fields still showing the "today" they were given, untouched, move to the new today
        (a form opened before midnight saved a session, a request or a receipt as of the day before, unseen).
        Returns the first field moved and what moved, in words; None when nothing moved. What the form opened
        with, and its draft's, follow: the new default is nothing the person typed."""
        before = field_values(dialog.form)
        names: list[str] = []

        def moved(name: str, edit: QDateEdit) -> None:
            names.append(name)
            for saver in dialog.autosavers:
                for key, field in saver.fields.items():
                    if field is edit and key in saver.opened:
                        saver.opened[key] = field_value(edit)
        said = dates.follow_text("Change it if it was the day before.", moved=moved)
        if not said:
            return None
        dialog.opened_with = keep_opened(dialog.opened_with, before, field_values(dialog.form))
        return names[0], said

    # --- actions --------------------------------------------------------------------------------
    def edit_referral(self) -> FormDialog:
        """Edit referral. When a colleague saved the case first the conflict window lists only the fields
        this counsellor changed since the form opened (and names the colleague's); *Re-apply my change* saves
        those on top of the case as stored now, keeping the colleague's values in every other field
        (re-applying the whole form put its stale date of birth, court or address back over their
        correction). Saved once more meanwhile: asked again. *Reload their version* opens the form again on
        the case as saved."""
        from adoption_desktop.counselling.views.page import ReferralForm

        form = ReferralForm(self.detail.referral)
        loaded = self.detail.row_version
        opened: list[FormDialog] = []
        try:
            as_opened: ReferralInput | None = form.value()  # what the counsellor's own changes are measured from
        except AppError:
            as_opened = None  # a stored value the form cannot read back: every field is compared, as before
        # the case's other fields are not written by this save: as opened on both sides (a colleague's
        # allocation is then named as theirs, never read as an un-allocation of this counsellor's)
        kept = _case_kept_values(self.detail)

        def submit() -> str:
            data = form.value()
            edit = OwnEdit(as_opened, data, referral_values) if as_opened is not None else None
            sending, expected, over = data, loaded, ""
            while True:
                try:
                    warning = service.update_referral(self.ctx.db, self.ctx.principal, self.case_id, sending,
                                                      self.today(), expected_version=expected)
                    break
                except StaleRecord as exc:
                    theirs = kept if edit is not None else {k: exc.saved_values[k] for k in kept
                                                            if k in exc.saved_values}
                    choice = resolve_conflict(self, exc, {**theirs, **referral_values(data)},
                                              {**kept, **edit.base()} if edit is not None else None)
                    if choice != REAPPLY or exc.saved_version is None:
                        if choice == RELOAD:  # their version in the form: it opens again on the case as saved
                            for saver in opened[0].autosavers:  # (not this form's draft over it)
                                saver.clear()
                            self.reload()
                            QTimer.singleShot(0, partial(self._reopen, opened[0], self.edit_referral,
                                                         reloaded_text(exc)))
                        raise
                    if edit is not None:  # only this counsellor's changes, on top of the case as stored now
                        sending = edit.onto(service.open_case(self.ctx.db, self.ctx.principal, self.case_id,
                                                              self.today(), audit_view=False).referral)
                    expected, over = exc.saved_version, exc.saved_by or "the other person"
                except ValidationError as exc:
                    if not over:
                        raise
                    raise ValidationError(
                        f"Your change could not be saved on top of {over}'s version, so nothing was saved: {exc} "
                        "Correct it and save again; you will be asked again about their version.", exc.field) from exc
            return f"Referral updated. {warning}" if warning else "Referral updated."
        # the whole form is kept as a draft while typed (the address its text), back after a crash (user trial)
        opened.append(self._form("Edit referral", form.widget, submit, {"referral": form.address},
                                 keep=form.draft_fields(), base=str(loaded), from_record=True))
        return opened[0]

    @staticmethod
    def _reopen(dialog: QDialog, opener: Callable[[], object], said: str = "") -> None:
        """Close ``dialog`` without asking about what was typed (the person chose their colleague's
        version) and open the form again on the record as saved now, saying so (``said``)."""
        QDialog.done(dialog, int(QDialog.DialogCode.Rejected))
        again = opener()
        if said and isinstance(again, FormDialog):
            again.message.setText(said)

    def allocate_dialog(self) -> FormDialog:
        who = QComboBox()
        for c in service.counsellors(self.ctx.db, self.ctx.principal):
            who.addItem(c.name, c.id)
        if self.detail.counsellor_id is not None:
            who.setCurrentIndex(max(who.findData(self.detail.counsellor_id), 0))
        on = date_edit(self.today())
        form = small_form([("&Counsellor", who, "counsellor"), ("&Date", on, "allocated_on")])
        loaded = self.detail.row_version

        def submit() -> str:
            if who.currentIndex() < 0:
                raise ValidationError("Counsellor: no user holds the counsellor role; ask an administrator.",
                                      "counsellor")
            service.allocate(self.ctx.db, self.ctx.principal, self.case_id, int(who.currentData()),
                             pydate(on.date()), expected_version=loaded)
            return f"Allocated to {who.currentText()}."
        return self._form("Allocate to a counsellor", form, submit, today_dates=(on,))

    def correct_allocation_dialog(self) -> FormDialog:
        """Correct the current allocation (the first one, or the last hand-over): its counsellor and its date,
        with the reason (``service.correct_allocation``)."""
        who = QComboBox()
        for c in service.counsellors(self.ctx.db, self.ctx.principal):
            who.addItem(c.name, c.id)
        current = self.detail.counsellor_id
        if current is not None and who.findData(current) < 0:
            # the case's counsellor has left the role (or the agency): kept, so correcting only the date never
            # hands the case to whoever comes first in the list (review)
            who.insertItem(0, f"{self.detail.counsellor} (no longer a counsellor)", current)
        if current is not None:
            who.setCurrentIndex(who.findData(current))
        on = date_edit(self.detail.counsellor_since or self.detail.allocated_on or self.today())
        reason = QLineEdit()
        reason.setPlaceholderText("for example: the wrong date was typed")
        reason.setToolTip("Kept in the audit log with the correction.")
        reason.setMinimumWidth(reason.fontMetrics().horizontalAdvance("for example: the wrong date was typed") + 24)
        form = small_form([("&Counsellor", who, "counsellor"), ("&Date allocated", on, "allocated_on"),
                           ("&Reason for the correction", reason, "reason")])
        loaded = self.detail.row_version

        def submit() -> str:
            if who.currentIndex() < 0:
                raise ValidationError("Counsellor: no user holds the counsellor role; ask an administrator.",
                                      "counsellor")
            return service.correct_allocation(self.ctx.db, self.ctx.principal, self.case_id, int(who.currentData()),
                                              pydate(on.date()), reason.text(), expected_version=loaded,
                                              today=self.today())
        return self._form("Correct the allocation", form, submit)

    def add_request_dialog(self) -> FormDialog:
        form = load_form("counselling_request")
        kind = child(form, QComboBox, "holder_kind")
        fill_combo(kind, HOLDERS, "archive")
        sent = child(form, QDateEdit, "sent_on")
        sent.setDate(qdate(self.today()))

        def submit() -> str:
            data = service.RequestInput(
                holder_kind=combo_key(kind), holder_name=child(form, QLineEdit, "holder_name").text(),
                holder_address=child(form, QPlainTextEdit, "holder_address").toPlainText(),
                their_reference=child(form, QLineEdit, "their_reference").text(), sent_on=pydate(sent.date()),
                notes=child(form, QPlainTextEdit, "notes").toPlainText())
            service.add_request(self.ctx.db, self.ctx.principal, self.case_id, data, self.today())
            return f"Records request to {data.holder_name} recorded."
        # the whole form is the draft: who was asked, where, their reference and the day it was sent
        return self._form("Records request", form, submit,
                          {"request_notes": child(form, QPlainTextEdit, "notes")},
                          keep={"holder_kind": kind, "holder_name": child(form, QLineEdit, "holder_name"),
                                "holder_address": child(form, QPlainTextEdit, "holder_address"),
                                "their_reference": child(form, QLineEdit, "their_reference"), "sent_on": sent},
                          today_dates=(sent,),
                          if_changed=("sent_on",))  # today unless changed

    def _selected_or_latest_request(self) -> RequestRow:
        rid = self._request_id()
        rows = [r for r in self.detail.requests if rid is None or r.id == rid]
        if not rows:
            raise ValidationError("Requests: add a records request first.", "requests_table")
        return rows[-1]

    def record_chase(self) -> FormDialog | None:
        """Ask which outstanding request was chased (the selected one first) and on which day (today
        unless changed; not before it was sent, not in the future); the chase can be undone."""
        open_requests = [r for r in self.detail.requests if r.received_on is None]
        if not open_requests:
            show_error(self, "Record chase", ValidationError(
                "Requests: no records request is waiting for an answer; add one first.", "requests_table"))
            return None
        which = QComboBox()
        for r in open_requests:
            chased = f", chased {r.chase_count}×, last {r.last_chased_on:%d/%m/%Y}" if r.last_chased_on else ""
            which.addItem(f"{r.holder_name} — sent {r.sent_on:%d/%m/%Y}{chased}", r.id)
        selected = self._request_id()
        which.setCurrentIndex(max(which.findData(selected), 0) if selected is not None else 0)
        on = date_edit(self.today())
        form = small_form([("&Request chased", which, "request"), ("Chaser &sent on", on, "chased_on")])

        def submit() -> str:
            rid = int(which.currentData())
            req = next(r for r in open_requests if r.id == rid)
            due, entry = counselling_undo.record_chase(self.ctx.db, self.ctx.principal, rid, on.required_date(),
                                                       today=self.today(), expected_version=req.row_version)
            self.ctx.did(entry)
            return f"Chase of {req.holder_name} recorded; next chase due {due:%d/%m/%Y}."
        return self._form("Record a chase", form, submit, today_dates=(on,))

    def _removal_dialog(self, title: str, what: str, remove: Callable[[str], None]) -> FormDialog:
        """Remove an entry made by mistake: names it, and asks why (the reason goes in the audit log)."""
        named = QLabel(f"Remove {what} from this case? Only for an entry made by mistake; the removal and "
                       "its reason are recorded in the audit log.")
        named.setWordWrap(True)
        reason = QLineEdit()
        reason.setPlaceholderText("for example: entered on the wrong case")
        form = small_form([("", named, "removing"), ("Reason for &removal", reason, "reason")])

        def submit() -> str:
            remove(reason.text())
            return f"Removed {what}."
        dialog = self._form(title, form, submit)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Re&move")
        return dialog

    def remove_request_dialog(self) -> FormDialog | None:
        rid = self._request_id()
        req = next((r for r in self.detail.requests if r.id == rid), None)
        if req is None:
            show_error(self, "Remove request", ValidationError(
                "Requests: select the request entered by mistake in the list first.", "requests_table"))
            return None
        return self._removal_dialog(
            "Remove records request", f"the records request to {req.holder_name} sent {req.sent_on:%d/%m/%Y}",
            lambda why: service.remove_request(self.ctx.db, self.ctx.principal, req.id, why,
                                               expected_version=req.row_version))

    def remove_session_dialog(self) -> FormDialog | None:
        sid = self._session_id()
        ses = next((s for s in self.detail.sessions if s.id == sid), None)
        if ses is None:
            show_error(self, "Remove session", ValidationError(
                "Sessions: select the session entered by mistake in the list first.", "sessions_table"))
            return None
        return self._removal_dialog(
            "Remove counselling session", f"the session of {ses.held_on:%d/%m/%Y}",
            lambda why: service.remove_session(self.ctx.db, self.ctx.principal, ses.id, why,
                                               expected_outcome=ses.outcome))

    def session_outcome_dialog(self) -> FormDialog | None:
        """Record what became of the selected session: held (the counselling interview), cancelled, did not
        attend, or not recorded (to take a mistake back); audited, and undone with Undo."""
        sid = self._session_id()
        ses = next((x for x in self.detail.sessions if x.id == sid), None)
        if ses is None:
            show_error(self, "Record outcome", ValidationError(
                "Sessions: select the session in the list first.", "sessions_table"))
            return None
        choice = QComboBox()
        for key, text in SESSION_OUTCOMES.items():
            choice.addItem(text, key)
        choice.addItem("Not recorded", "")
        current = ses.outcome or ("held" if ses.held_on <= self.today() else "cancelled")
        choice.setCurrentIndex(max(choice.findData(current), 0))
        named = QLabel(f"The session of {ses.held_on:%d/%m/%Y}"
                       + (f" at {ses.start_time}" if ses.start_time else "")
                       + f" ({SESSION_KINDS[ses.kind].lower()}), now {ses.status.lower()}. Only a session held "
                       "counts as the counselling interview.")
        named.setWordWrap(True)
        form = small_form([("", named, "session"), ("&Outcome", choice, "outcome")])

        def submit() -> str:
            done, entry = counselling_undo.set_session_outcome(
                self.ctx.db, self.ctx.principal, ses.id, str(choice.currentData()) or None, expected=ses.outcome,
                today=self.today())
            self.ctx.did(entry)
            return (f"Session of {done.held_on:%d/%m/%Y} recorded as "
                    f"{SESSION_OUTCOMES.get(done.after, 'not recorded').lower()} (Undo: Ctrl+Z).")
        return self._form("Session outcome", form, submit)

    def receipt_dialog(self) -> FormDialog | None:
        """Record the receipt of the chosen request (none chosen: the latest still waiting), or correct the
        receipt of one already received."""
        try:
            req = self._selected_or_latest_request()
            if self._request_id() is None:
                req = next((r for r in reversed(self.detail.requests) if r.received_on is None), req)
        except AppError as exc:
            show_error(self, "Record receipt", exc)
            return None
        correcting = req.received_on is not None  # a receipt on record: the form corrects it
        on = date_edit(req.received_on if req.received_on is not None else self.today())
        fmt = QComboBox()
        fill_combo(fmt, FORMATS, req.record_format if correcting and req.record_format else "paper")
        pages = QSpinBox()
        pages.setRange(0, 100000)
        pages.setSpecialValueText("not counted")
        if correcting and req.pages:
            pages.setValue(req.pages)
        form = small_form([("Date &received", on, "received_on"), ("&Format", fmt, "record_format"),
                           ("&Pages", pages, "pages")])

        def submit() -> str:
            service.record_receipt(self.ctx.db, self.ctx.principal, req.id, pydate(on.date()), combo_key(fmt),
                                   pages.value() or None, self.today(),
                                   correcting_version=req.row_version if correcting else None)
            return (f"Receipt from {req.holder_name} corrected." if correcting
                    else f"Records from {req.holder_name} received.")
        return self._form(f"Correct the receipt from {req.holder_name}" if correcting
                          else f"Records received from {req.holder_name}", form, submit,
                          today_dates=() if correcting else (on,))

    def session_dialog(self) -> FormDialog:
        form = load_form("counselling_session")
        kind = child(form, QComboBox, "kind")
        fill_combo(kind, SESSION_KINDS, "in_person")
        held = child(form, QDateEdit, "held_on")
        held.setDate(qdate(self.today()))
        start, where = child(form, QLineEdit, "start_time"), child(form, QLineEdit, "location")
        notes = child(form, QPlainTextEdit, "notes")
        outcome = child(form, QComboBox, "outcome")
        outcome.addItem("Booked (still to come)", "")
        for key, text in SESSION_OUTCOMES.items():
            outcome.addItem(text, key)
        picked = [False]  # the person chose an outcome: the date no longer changes it

        def follow_date() -> None:
            # a day passed: held; today or ahead: booked, as the service takes a session with no outcome given
            # (a review: an appointment booked for later today became the interview with nothing chosen; one
            # held today is marked Held here or with Record outcome… afterwards)
            if not picked[0]:
                outcome.setCurrentIndex(outcome.findData("held" if pydate(held.date()) < self.today() else ""))
        held.dateChanged.connect(lambda _d: follow_date())
        outcome.activated.connect(lambda _i: picked.__setitem__(0, True))
        follow_date()

        def submit() -> str:
            chosen = str(outcome.currentData() or "") or None
            service.add_session(self.ctx.db, self.ctx.principal, self.case_id, pydate(held.date()), combo_key(kind),
                                start.text(), where.text(), notes.toPlainText(), today=self.today(),
                                outcome=chosen)
            return f"Session recorded ({SESSION_OUTCOMES.get(chosen or '', 'booked').lower()})."
        # the whole form is the draft: after a crash the session comes back on the day it was held, not today
        return self._form("Counselling session", form, submit, {"session_notes": notes},
                          keep={"held_on": held, "kind": kind, "start_time": start, "location": where,
                                "outcome": outcome}, today_dates=(held,))

    def redaction_dialog(self) -> FormDialog:
        item = QLineEdit()
        on = date_edit(self.today())
        reviewed = QCheckBox("I have read it for information about other people")
        made = QPlainTextEdit()
        made.setTabChangesFocus(True)
        form = small_form([("&Document", item, "item"), ("Reviewed &on", on, "reviewed_on"),
                           ("&Third parties", reviewed, "third_party_reviewed"),
                           ("&Redactions made", made, "redactions_made")])

        def submit() -> str:
            service.add_redaction(self.ctx.db, self.ctx.principal, self.case_id, item.text(), pydate(on.date()),
                                  made.toPlainText(), reviewed.isChecked(), today=self.today())
            return "Redaction check recorded."
        # the whole form is the draft: the document, the day and the tick that it was read
        return self._form("Redaction check", form, submit, {"redactions_made": made},
                          keep={"item": item, "reviewed_on": on, "third_party_reviewed": reviewed}, today_dates=(on,),
                          if_changed=("reviewed_on",))  # today unless changed

    def disclosure_dialog(self, records_shared: bool) -> FormDialog:
        on = date_edit(self.today())
        to = QLineEdit(self.detail.referral.current_name if records_shared else "")
        what = QPlainTextEdit()
        what.setTabChangesFocus(True)
        how = QComboBox()
        how.setEditable(True)
        how.addItems(["in person", "post (recorded delivery)", "secure email", "phone", "video"])
        form = small_form([("&Date", on, "disclosed_on"), ("Disclosed &to", to, "recipient"),
                           ("&What", what, "what"), ("&How", how, "method")])

        def submit() -> str:
            service.record_disclosure(self.ctx.db, self.ctx.principal, self.case_id, pydate(on.date()), to.text(),
                                      what.toPlainText(), how.currentText(), records_shared=records_shared,
                                      today=self.today())
            return "Records shared and recorded." if records_shared else "Disclosure recorded."
        # the accept button says what pressing it does: the records go to the person
        return self._form("Share records" if records_shared else "Record a disclosure", form, submit,
                          {"records_shared_what" if records_shared else "disclosure_what": what},
                          ok_text="&Share records" if records_shared else "",
                          keep={"disclosed_on": on, "recipient": to, "method": how}, today_dates=(on,),
                          if_changed=("disclosed_on",))  # today unless changed

    def checks_dialog(self) -> FormDialog:
        d = self.detail
        acr, veto, inter = QCheckBox("&Adoption Contact Register checked"), QCheckBox("&Veto checked"), \
            QCheckBox("&Intermediary service signposted")
        acr.setChecked(d.acr_checked_on is not None)
        veto.setChecked(d.veto_checked_on is not None)
        inter.setChecked(d.intermediary_signposted_on is not None)
        on = date_edit(self.today())
        acr_note, veto_note = QLineEdit(d.acr_note), QLineEdit(d.veto_note)
        # unticking a check on record takes it off, with a reason (UT1: it said "Checks recorded." and kept it)
        reason = QLineEdit()
        reason.setToolTip("Asked only when you untick a check that is on record (taken off as recorded by mistake).")
        form = small_form([("", acr, "acr"), ("ACR &note", acr_note, "acr_note"), ("", veto, "veto"),
                           ("Veto n&ote", veto_note, "veto_note"), ("", inter, "intermediary"),
                           ("&Date", on, "checked_on"), ("&Reason for removing", reason, "removal_reason")])
        shown = {"detail": d, "version": d.row_version}  # what the form shows: reloaded on "Reload their version"
        opened: list[FormDialog] = []

        def unticked() -> list[str]:
            d = cast(CaseDetail, shown["detail"])
            return [name for name, box, day in (("acr", acr, d.acr_checked_on), ("veto", veto, d.veto_checked_on),
                                                ("intermediary", inter, d.intermediary_signposted_on))
                    if day is not None and not box.isChecked()]

        def follow() -> None:
            reason.setEnabled(bool(unticked()))
        for box in (acr, veto, inter):
            box.toggled.connect(lambda _on: follow())
        follow()

        def fill(detail: CaseDetail) -> None:
            acr.setChecked(detail.acr_checked_on is not None)
            veto.setChecked(detail.veto_checked_on is not None)
            inter.setChecked(detail.intermediary_signposted_on is not None)
            acr_note.setText(detail.acr_note)
            veto_note.setText(detail.veto_note)
            shown.update(detail=detail, version=detail.row_version)
            follow()
            if opened:  # what it shows now is what it opened with: Escape asks nothing about their values
                opened[0].opened_with = field_values(opened[0].form)

        def submit() -> str:
            d, loaded = cast(CaseDetail, shown["detail"]), cast(int, shown["version"])
            day = pydate(on.date())

            def ticked(box: QCheckBox, on_record: dt.date | None) -> dt.date | None:
                """The check's date as the form now says: as recorded, ``day`` when newly ticked, None unticked."""
                return (on_record or day) if box.isChecked() else None

            # only what this counsellor changed is saved (a note left as it was is not sent: it went back over
            # a colleague's newer note when a stale save was re-applied)
            edit = OwnEdit(_Checks.of(d), _Checks(ticked(acr, d.acr_checked_on), acr_note.text(),
                                                  ticked(veto, d.veto_checked_on), veto_note.text(),
                                                  ticked(inter, d.intermediary_signposted_on)), _Checks.labels)
            changed = set(edit.changed())
            typed = edit.typed
            # each with the date unticked: a check a colleague recorded since is theirs, never taken off by a
            # re-applied untick
            on_record = {"acr": d.acr_checked_on, "veto": d.veto_checked_on, "intermediary": d.intermediary_signposted_on}
            remove = {name: on_record[name] for name, column in CHECK_COLUMNS.items()
                      if column in changed and getattr(typed, column) is None}
            removed: list[str] = []

            def note(check: str) -> str | None:
                """The check's note to save: None (left as stored) unless this counsellor changed it or the
                check's date; never for a check taken off (its note goes with it)."""
                wanted = f"{check}_note" in changed or CHECK_COLUMNS[check] in changed
                return str(getattr(typed, f"{check}_note")) if wanted and check not in remove else None

            def new(check: str) -> dt.date | None:
                column = CHECK_COLUMNS[check]
                return cast(dt.date | None, getattr(typed, column)) if column in changed else None

            def save(version: int | None) -> None:
                removed[:] = service.record_checks(
                    self.ctx.db, self.ctx.principal, self.case_id,
                    acr_checked_on=new("acr"), acr_note=note("acr"), veto_checked_on=new("veto"),
                    veto_note=note("veto"), intermediary_signposted_on=new("intermediary"),
                    today=self.today(), expected_version=version, remove=remove, removal_reason=reason.text())
            expected = loaded
            while True:
                try:
                    save(expected)
                    break
                except StaleRecord as exc:
                    # a colleague recorded checks (or changed the case) since this form opened: never replace
                    # their note silently; the window lists only this counsellor's own changes, the form (with
                    # what they typed) stays open unless they choose to save those on top of the colleague's
                    choice = resolve_conflict(self, exc, edit.mine(), edit.base())
                    if choice != REAPPLY or exc.saved_version is None:
                        if choice == RELOAD:  # the form shows their checks and notes, at their version
                            self.reload()
                            fill(self.detail)
                            raise Conflict(reloaded_text(exc)) from exc
                        raise
                    expected = exc.saved_version  # saved once more while the window was open: asked again
            if removed:
                return (f"Checks recorded; removed: {', '.join(removed)} (the reason is kept in the audit log). "
                        "Tick it again to record it on the right day.")
            return "Checks recorded."
        opened.append(self._form("Register and veto checks", form, submit, today_dates=(on,)))
        return opened[0]

    def close_dialog(self) -> FormDialog:
        on = date_edit(self.today())
        outcome = QComboBox()
        fill_combo(outcome, OUTCOMES)
        # no outcome chosen for the counsellor (trial: "Records shared" was preselected, and kept unread)
        outcome.setPlaceholderText("Choose the outcome")
        outcome.setCurrentIndex(-1)
        note = QPlainTextEdit()
        note.setTabChangesFocus(True)
        form = small_form([("&Date", on, "closed_on"), ("&Outcome", outcome, "outcome"), ("&Note", note, "note")])
        loaded = self.detail.row_version

        def submit() -> str:
            if outcome.currentIndex() < 0:
                raise ValidationError("Outcome: choose how the case ended (" + ", ".join(OUTCOMES.values()).lower()
                                      + ").", "outcome")
            day = pydate(on.date())
            problems = service.closing_problems(self.ctx.db, self.ctx.principal, self.case_id, day, self.today())
            # always asked, No the default (user trial: one OK closed a case for good, and its later
            # appointments with it, when nothing was outstanding)
            question = problems.confirmation(self.detail.reference, self.detail.referral.current_name, day,
                                             outcome.currentText())
            if not confirm_final(self, "Close case", question, yes="&Close the case"):
                loose = problems.question()
                raise ValidationError("Not closed. The case is still open and nothing was changed"
                                      + (f".\n\n{loose}" if loose else "; press OK again to close it."),
                                      "closed_on")
            service.close_case(self.ctx.db, self.ctx.principal, self.case_id, day, combo_key(outcome),
                               note.toPlainText(), self.today(), expected_version=loaded, confirmed=problems)
            n = len(problems.appointments)
            return "Case closed." + (f" {n} appointment{'s' if n > 1 else ''} after the closing date cancelled: "
                                     "tell the applicant." if n else "")
        return self._form("Close case", form, submit, {"closure_note": note}, today_dates=(on,))

    # --- letters --------------------------------------------------------------------------------
    def _ask_chase(self, text: str) -> bool:
        return ask_yes_no(self, "Record the chase?", text, yes="&Record the chase", no="&Not now",
                          name="record_chase_question")

    def _offer_chase(self, request_id: int, day: dt.date) -> None:
        """After a chaser letter: ask whether to record the chase on the letter's day (UT1: the letter went out
        and the request still showed it unchased). Recorded, it can be undone as any chase."""
        req = next((r for r in self.detail.requests if r.id == request_id), None)
        if req is None or req.received_on is not None or req.last_chased_on == day or not self.editable:
            return
        if not self.ask_chase(f"Record a chase of the request to {req.holder_name} on {day:%d/%m/%Y}, the chaser "
                              "letter's date? The next chase then falls due from that day."):
            return
        try:
            due, entry = counselling_undo.record_chase(self.ctx.db, self.ctx.principal, req.id, day,
                                                       today=self.today(), expected_version=req.row_version)
        except AppError as exc:
            show_error(self, "Record chase", exc)
            return
        self.ctx.did(entry)
        self._after_change(f"Letter saved; chase of {req.holder_name} recorded, next chase due {due:%d/%m/%Y}.")

    def _ask_path(self, default: str) -> str | None:
        return ask_letter_path(self, "Save letter", default)

    def letter(self, kind: str, *, request_id: int | None = None, session_id: int | None = None) -> None:
        today = self.today()
        try:  # a letter that would be refused is refused before the person chooses where to save it
            checked = service.letter_data(self.ctx.db, self.ctx.principal, self.case_id, kind, request_id=request_id,
                                          session_id=session_id, today=today, check_only=True)
        except AppError as exc:
            show_error(self, "Letter", exc)
            return
        default = f"{self.detail.reference}-{kind}.pdf"
        path = self.ask_path(default)
        if not path:
            return
        out = Path(path)

        def work(task: object) -> Path:
            from adoption_desktop.ui.tasks import TaskHandle

            assert isinstance(task, TaskHandle)
            return documents.write_case_letter(
                self.ctx.db, self.ctx.principal, self.case_id, kind, out, request_id=request_id,
                session_id=session_id, today=today, progress=lambda d, t: task.progress(d, t, "Writing letter"),
                cancelled=lambda: task.cancelled)

        def done(result: object) -> None:
            self.last_letter = Path(str(result))
            self.reload()
            # "Letter saved to …" first: the kind's own name ("Records request to an archive or agency")
            # put before "letter saved" read as one muddled sentence
            self.status.setText(f"Letter saved to {result} ({LETTER_KINDS[kind]}).")
            if kind == "chaser" and checked.request is not None:
                self._offer_chase(checked.request.id, today)

        run_with_progress(self, self.ctx.tasks, f"{LETTER_KINDS[kind]} letter…", work, done,
                          lambda exc: show_error(self, "Letter", exc))
