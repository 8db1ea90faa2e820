"""Create or edit an arrangement: the agreement's terms, birth relatives, protected terms; shows the letters
sent and this year's expected exchanges."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.documents.pdf import long_date
from adoption_desktop.core.errors import AppError, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.letterbox import contact, rules, service
from adoption_desktop.letterbox.service import ArrangementInput, ParticipantData, TermData
from adoption_desktop.letterbox.service.data import SentRow
from adoption_desktop.letterbox.views.void_batch import VoidBatchDialog
from adoption_desktop.ui.accessibility import box_buttons, tab_in_order
from adoption_desktop.ui.ask import ask_yes_no
from adoption_desktop.ui.autosave import DraftAutosaver, FormField, field_value, restored_text
from adoption_desktop.ui.conflict import REAPPLY, RELOAD, OwnEdit, resolve_conflict
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import DateEdit, pydate, qdate
from adoption_desktop.ui.discard import (
    ask_discard,
    ask_discard_on_exit,
    field_values,
    kept_nowhere_note,
    still_open,
)
from adoption_desktop.ui.field_message import ClearWhenChanged
from adoption_desktop.ui.forms import child, load_dialog_form
from adoption_desktop.ui.presence import attach_banner
from adoption_desktop.ui.record_history import history_button
from adoption_desktop.ui.today_default import TodayDefaults, keep_opened

NOT_SET = QDate(1900, 1, 1)
#: the key of an arrangement editor's draft (``core.drafts``): the arrangement's id, or ``new``
DRAFT_ARRANGEMENT = "letterbox.arrangement"


def _set_date(edit: QDateEdit, day: dt.date | None) -> None:
    edit.setMinimumDate(NOT_SET)
    edit.setSpecialValueText("not set")
    edit.setDate(qdate(day) if day else NOT_SET)


def _get_date(edit: QDateEdit) -> dt.date | None:
    q = edit.date()
    return None if q == NOT_SET else pydate(q)


def parse_participants(text: str) -> tuple[ParticipantData, ...]:
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if not parts[0]:
            raise ValidationError(f"Birth relatives, line {n}: start the line with the relative's name.", "participants")
        address = "\n".join(x.strip() for x in (parts[2] if len(parts) > 2 else "").split(",") if x.strip())
        out.append(ParticipantData(parts[0], parts[1] if len(parts) > 1 else "", address,
                                   salutation=parts[3] if len(parts) > 3 else ""))
    return tuple(out)


def format_participants(parts: tuple[ParticipantData, ...]) -> str:
    return "\n".join(f"{p.name}; {p.relationship}; {', '.join(p.address.splitlines())}"
                     + (f"; {p.salutation}" if p.salutation else "") for p in parts)


def _terms(edit: QPlainTextEdit, side: str) -> tuple[TermData, ...]:
    return tuple(TermData(t.strip(), "protected", side) for t in edit.toPlainText().splitlines() if t.strip())


class ArrangementDialog(QDialog):
    def __init__(self, ctx: AppContext, arrangement_id: int | None = None, *, today: dt.date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.arrangement_id = ctx, arrangement_id
        self._given_today = today  # a page's given day (tests); otherwise the context's clock, read each time
        self._loaded_status: str | None = None  # the status as opened (or reloaded): ending is asked about
        form = load_dialog_form(self, "letterbox_arrangement")
        self.form = form
        self.loaded: list[object] = []  # the fields as last loaded (see changed)
        self.fields: dict[str, QLineEdit] = {
            k: child(form, QLineEdit, k) for k in ("reference", "child_birth_name", "child_adoptive_name",
                                                   "adopters_name", "may_send", "exchange_months",
                                                   "adopters_salutation")}
        self.coordinator = child(form, QComboBox, "coordinator")
        self._offer_coordinators()
        self.adopters_address = child(form, QPlainTextEdit, "adopters_address")
        self.notes = child(form, QPlainTextEdit, "notes")
        self.dates = {k: child(form, QDateEdit, k) for k in ("child_dob", "start_date", "review_date")}
        self.first_writer = child(form, QComboBox, "first_writer")
        self.first_writer.addItem("Adoptive family", rules.ADOPTIVE)
        self.first_writer.addItem("Birth relative(s)", rules.BIRTH)
        self.status = child(form, QComboBox, "status")
        for s in rules.STORED_STATUSES:
            self.status.addItem(s.title(), s)
        self.replies = child(form, QCheckBox, "replies_expected")
        self.email = child(form, QCheckBox, "email_allowed")
        self.participants = child(form, QPlainTextEdit, "participants")
        self.participants.setToolTip("Relationships the register knows: " + ", ".join(rules.RELATIONSHIPS)
                                     + " (\"mother\", \"aunt\" … are read as the birth relative)")
        self.protected = child(form, QPlainTextEdit, "protected")
        self.birth_protected = child(form, QPlainTextEdit, "birth_protected")
        self.summary = child(form, QPlainTextEdit, "summary")
        self.sent: tuple[SentRow, ...] = ()  # the letters sent, as last loaded (Void a batch lists their batches)
        # a batch printed by mistake and not posted is voided here, where the letters sent are listed
        self.void_button = QPushButton("Void a batch (not posted)…")  # every free Alt+letter is taken here
        self.void_button.setObjectName("void_batch")
        self.void_button.setToolTip("A batch of letters printed by mistake and never posted: kept in the list, "
                                    "marked voided, no longer counted as sent")
        self.void_button.clicked.connect(self.open_void_batch)
        self.void_button.setVisible(arrangement_id is not None)
        self.void_button.setEnabled(ctx.can(Permission.LETTERBOX_EDIT))
        # under the letters sent it voids, at their right (not below the window's Save and Cancel)
        child(form, QVBoxLayout, "right").addWidget(self.void_button, 0, Qt.AlignmentFlag.AlignRight)
        # administrators: who opened or changed this arrangement (and its items), from the audit log
        self.history_button = history_button(
            ctx, self, "letterbox_arrangements",
            lambda: (self.arrangement_id, f"arrangement {self.fields['reference'].text()}"))
        self.history_button.setVisible(ctx.can(Permission.AUDIT_VIEW) and arrangement_id is not None)
        child(form, QVBoxLayout, "right").addWidget(self.history_button, 0, Qt.AlignmentFlag.AlignRight)
        self.message = child(form, QLabel, "message")
        self.clears = ClearWhenChanged(self.message)  # a refusal naming a field goes once that field is changed
        self._add_contact_fields(child(form, QFormLayout, "form"))
        self._show_pattern_from(form)
        buttons = child(form, QDialogButtonBox, "buttons")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        # Enter in a field saves; Cancel takes Enter only when it has the focus (Tab to it, Enter cancels)
        buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        # Void a batch… and Who has seen this…, made here under the letters sent, where they stand: before Save
        # and Cancel (Tab reached them after Cancel)
        tab_in_order(self.summary, self.void_button, self.history_button, *box_buttons(buttons))
        self.version: int | None = None  # the arrangement's row_version as loaded: a save checks it
        self.load()
        # as tall as the screen allows (``ui.fit`` keeps it on the screen): at its bare size hint the
        # adopters' address and the notes showed a line and a half each
        self.resize(max(self.width(), 960), 760)
        self.presence = attach_banner(ctx, self, "letterbox_arrangements", arrangement_id,
                                      editing=ctx.can(Permission.LETTERBOX_EDIT)) \
            if arrangement_id is not None else None
        #: the form kept as this user's draft while typed (the notes with every other field), offered back
        #: when the arrangement is opened again after a crash
        self.autosaver: DraftAutosaver | None = None
        if ctx.can(Permission.LETTERBOX_EDIT):
            self._keep_drafts()

    def _keep_drafts(self) -> None:
        """Keep the form as a draft while it is typed in; a draft left by a crash comes back, said on the
        message line. When someone saved the arrangement since it was typed, Save checks against the version it
        was typed on, so their save is shown beside this one (the conflict window) rather than overwritten."""
        keep: dict[str, FormField] = {k: e for k, e in self.fields.items() if k != "coordinator"}
        keep.update({"coordinator": self.coordinator, "adopters_address": self.adopters_address,
                     "participants": self.participants, "protected": self.protected,
                     "birth_protected": self.birth_protected, "first_writer": self.first_writer,
                     "status": self.status, "contact_kind": self.contact_kind, "direct_form": self.direct_form,
                     "replies_expected": self.replies, "email_allowed": self.email,
                     "pattern_from": self.pattern_from, **self.dates, **self.direct_dates})
        version = str(self.version) if self.version is not None else None
        key = f"{DRAFT_ARRANGEMENT}:{self.arrangement_id if self.arrangement_id is not None else 'new'}"
        # the day a pattern change takes effect is today unless changed: kept only when changed. A saved
        # arrangement's fields show it as stored: each field of a draft comes back only while the arrangement
        # still holds what it held when the draft was typed, so a colleague's change since (an "e-mail allowed"
        # unticked) is neither shown as this person's own nor re-applied over theirs; a change of this person's
        # to a field they changed too is said, not brought back
        saver = DraftAutosaver(self.ctx, key, self.notes, base=version, over_stored=True, fields=keep,
                               if_changed=("pattern_from",),
                               from_record=keep if self.arrangement_id is not None else ())
        saver.status.connect(self.message.setText)
        self.autosaver = saver
        aside = saver.set_aside_text(what="this arrangement")
        if not saver.restored:
            # the form's own draft is what it shows; one from another window waits its turn
            self.message.setText(" ".join(filter(None, (aside, saver.other_drafts_text()))))
            return
        said = " ".join(filter(None, (restored_text("this arrangement", "Save", saver.other_window), aside)))
        if saver.base is not None and saver.base != version and saver.base.isdigit():
            self.version = int(saver.base)  # Save meets the conflict window: their save beside this one
            said += " Someone saved this arrangement after you typed this: Save shows their version beside yours."
        self.message.setText(" ".join(filter(None, (said, saver.other_drafts_text()))))

    def _offer_coordinators(self) -> None:
        """The coordinator is chosen from the letterbox coordinators' accounts, or typed (by user name or full
        name; anything else is refused, as a trial's typo was kept): each listed by user name, full name as
        its tooltip."""
        editor = self.coordinator.lineEdit()
        assert editor is not None
        editor.setObjectName("coordinator_text")
        self.fields["coordinator"] = editor
        try:
            self.accounts = service.coordinator_accounts(self.ctx.db, self.ctx.principal)
        except AppError:
            self.accounts = {}
        for login, name in sorted(self.accounts.items(), key=lambda p: p[0].casefold()):
            self.coordinator.addItem(login, login)
            self.coordinator.setItemData(self.coordinator.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
        self.coordinator.setToolTip("A letterbox coordinator's user name or full name: " + (", ".join(
            f"{login} ({name})" for login, name in sorted(self.accounts.items(), key=lambda p: p[0].casefold()))
            or "none yet"))

    def _set_coordinator(self, value: str) -> None:
        """The stored coordinator shown as it is: picked in the list when it is one of the accounts, typed
        otherwise (an account since disabled, a name from before the check)."""
        self.coordinator.setCurrentIndex(self.coordinator.findData(value))
        self.coordinator.setEditText(value)

    def _add_contact_fields(self, layout: QFormLayout) -> None:
        """The kind of contact (letterbox only, or direct contact with or without it), how direct contact
        happens and its dates, under the agreement's terms."""
        self.contact_kind = QComboBox()
        self.contact_kind.setObjectName("contact_kind")
        for key, label in contact.CONTACT_KINDS.items():
            self.contact_kind.addItem(label, key)
        self.direct_form = QComboBox()
        self.direct_form.setObjectName("direct_form")
        for key, label in contact.DIRECT_FORMS.items():
            self.direct_form.addItem(label, key)
        self.direct_dates = {k: DateEdit() for k in ("direct_started_on", "direct_ended_on")}
        for name, edit in self.direct_dates.items():
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        kind_label = QLabel("&Kind of contact")
        kind_label.setBuddy(self.contact_kind)
        layout.addRow(kind_label, self.contact_kind)
        form_label = QLabel("Direct contact: ho&w")
        form_label.setBuddy(self.direct_form)
        layout.addRow(form_label, self.direct_form)
        layout.addRow("Direct contact began", self.direct_dates["direct_started_on"])
        layout.addRow("Direct contact ended", self.direct_dates["direct_ended_on"])
        # Tab reaches them where they stand, under the form's last tick box (they came after Cancel)
        chain: list[QWidget] = [self.email, self.contact_kind, self.direct_form, *self.direct_dates.values(),
                                self.participants]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
        self.contact_kind.currentIndexChanged.connect(lambda _i: self._direct_enabled())

    def _show_pattern_from(self, form: QWidget) -> None:
        """The day a change of the exchange pattern (months, who writes first, replies) takes effect, under the
        months (in the form); today unless changed, never later. Shown for an arrangement already saved:
        nothing new is expected before that day, and what the old pattern expected before it is still owed."""
        self.pattern_from = child(form, QDateEdit, "pattern_from")
        self.pattern_from.setMaximumDate(qdate(self.today))
        child(form, QFormLayout, "form").setRowVisible(self.pattern_from, self.arrangement_id is not None)
        #: the day of a pattern change while it shows "today", untouched: it follows midnight, and its "never
        #: later" limit with it (``ui.today_default``)
        self.today_dates = TodayDefaults(lambda: self.today)
        self.today_dates.add("pattern_from", self.pattern_from, "pattern changes take effect from",
                             set_today=False)
        self.today_dates.watch(self.ctx, self, self._new_day)

    @property
    def today(self) -> dt.date:
        return self._given_today or self.ctx.today()

    def _follow_today(self) -> str:
        """*Pattern changes take effect from* still showing the "today" it was given, untouched, moves to the new
        today, and the latest day it takes moves with the date (set at opening, the new today could not be
        chosen after midnight). What the form opened with, and its draft's, follow: the new default is nothing
        typed. Returns what moved, in words ("" when nothing)."""
        self.pattern_from.setMaximumDate(qdate(self.today))
        before = field_values(self.form)

        def moved(_name: str, edit: QDateEdit) -> None:
            if self.autosaver is not None and "pattern_from" in self.autosaver.opened:
                self.autosaver.opened["pattern_from"] = field_value(edit)
        said = self.today_dates.follow_text("Change it if the change took effect the day before.", moved=moved)
        if said:
            self.loaded = keep_opened(self.loaded, before, field_values(self.form)) or self.loaded
        return said

    def _new_day(self, _day: dt.date) -> None:
        said = self._follow_today()
        if said and self.pattern_from.isVisibleTo(self):
            self.message.setText(said)

    def _pattern_changed(self) -> bool:
        """The exchange pattern (months, who writes first, replies) differs from the arrangement as opened: the
        day it takes effect is saved."""
        was = self.opened
        return self.arrangement_id is not None and (
            was is None or (was.exchange_months, was.first_writer, was.replies_expected)
            != (self.fields["exchange_months"].text(), str(self.first_writer.currentData()), self.replies.isChecked()))

    def _pattern_from(self) -> dt.date | None:
        """The day chosen for a pattern change; ``None``: today (as loaded), the service's own default."""
        day = pydate(self.pattern_from.date())
        return None if day == self.today else day

    def _direct_enabled(self) -> None:
        direct = contact.is_direct(str(self.contact_kind.currentData()))
        for w in (self.direct_form, *self.direct_dates.values()):
            w.setEnabled(direct)

    def load(self) -> None:
        if self.arrangement_id is None:
            self.setWindowTitle("New letterbox arrangement")
            data = ArrangementInput(reference="", coordinator=self.ctx.principal.username)
            status = "active"
            sent_lines: list[str] = []
            ends = None
            changes: tuple[rules.PatternChange, ...] = ()
        else:
            detail = service.get_arrangement(self.ctx.db, self.ctx.principal, self.arrangement_id, today=self.today)
            data, status, ends = detail.data, detail.status, detail.ends_on
            changes = detail.pattern_changes
            self.version = detail.row_version
            self.setWindowTitle(f"Letterbox arrangement {data.reference}")
            sent_lines = sent_text(detail.sent)
            self.sent = detail.sent
        self._set_coordinator(data.coordinator)
        self._loaded_people = (data.coordinator, {p.name.strip().casefold(): p.relationship
                                                  for p in data.participants})
        for k, edit in self.fields.items():
            if k == "coordinator":
                continue
            value = getattr(data, k)
            edit.setText(rules.months_text(rules.parse_months(value)) if k == "exchange_months" else str(value))
        self.adopters_address.setPlainText(data.adopters_address)
        self.notes.setPlainText(data.notes)
        for k, dedit in self.dates.items():
            _set_date(dedit, getattr(data, k))
        self.first_writer.setCurrentIndex(self.first_writer.findData(data.first_writer))
        self.status.setCurrentIndex(self.status.findData(data.status))
        self._loaded_status = data.status
        self._loaded_missing = self._missing(data) if self.arrangement_id is not None else []
        self._warned_missing: list[str] = []
        self.replies.setChecked(data.replies_expected)
        self.email.setChecked(data.email_allowed)
        self.contact_kind.setCurrentIndex(max(0, self.contact_kind.findData(data.contact_kind)))
        self.direct_form.setCurrentIndex(max(0, self.direct_form.findData(data.direct_form)))
        for k, dedit in self.direct_dates.items():
            _set_date(dedit, getattr(data, k))
        self._direct_enabled()
        self.participants.setPlainText(format_participants(data.participants))
        self.protected.setPlainText("\n".join(t.term for t in data.protected if t.side == rules.ADOPTIVE))
        self.birth_protected.setPlainText("\n".join(t.term for t in data.protected if t.side == rules.BIRTH))
        expected = rules.scheduled_exchanges(
            rules.Pattern(rules.parse_months(data.exchange_months), data.first_writer, data.replies_expected),
            changes, self.today.year)
        self.pattern_from.setMaximumDate(qdate(self.today))
        self.today_dates.set_today("pattern_from")  # today unless changed, never later
        # "inactive" is worked out, not stored: the stored status above still says Active
        # ("active, but inactive" read as a contradiction in the trial)
        shown = {"inactive": "active, with no exchange logged within the agency's inactivity period "
                             "(letterbox settings); exchanges are still expected: review it with the family"
                 }.get(status, status)
        lines = [f"Status: {shown}" + (f"; ends {long_date(ends)} (18th birthday)" if ends else ""),
                 f"Expected in {self.today.year}:"]
        lines += [f"  {long_date(e.due)}: {'adoptive family' if e.side == rules.ADOPTIVE else 'birth relative(s)'}"
                  for e in expected] or ["  none"]
        if changes:
            lines += ["Exchange pattern changed:"] + [
                f"  from {long_date(c.effective_from)} (before: {rules.months_text(c.before.months) or 'no months'}"
                f"; {'adoptive family' if c.before.first_writer == rules.ADOPTIVE else 'birth relative(s)'} first"
                f"{'' if c.before.replies_expected else '; no reply expected'})" for c in changes]
        lines += ["Letters sent:"] + ([f"  {x}" for x in sent_lines] or ["  none yet"])
        self.summary.setPlainText("\n".join(lines))
        self.loaded = field_values(self.form)
        self.opened = self._opened()

    def open_void_batch(self) -> VoidBatchDialog:
        """Void a batch of the letters listed (printed by mistake, not posted); the list is read again after."""
        dialog = VoidBatchDialog(self.ctx, self.sent, self)
        self.void_dialog = dialog
        dialog.accepted.connect(self._refresh_sent)
        dialog.open()
        return dialog

    def _refresh_sent(self) -> None:
        """The summary's letters sent read again (what was typed in the form is kept)."""
        if self.arrangement_id is None:
            return
        detail = service.get_arrangement(self.ctx.db, self.ctx.principal, self.arrangement_id, today=self.today)
        self.sent = detail.sent
        text = self.summary.toPlainText()
        head = text[:text.index("Letters sent:")] if "Letters sent:" in text else f"{text}\n"
        lines = ["Letters sent:"] + ([f"  {x}" for x in sent_text(detail.sent)] or ["  none yet"])
        self.summary.setPlainText(head + "\n".join(lines))

    def _opened(self) -> ArrangementInput | None:
        """The arrangement as the form was opened (or reloaded), as the form gives it: what the person's own
        changes are measured from when a colleague saved first (``None``: a stored value the form cannot
        read back; a conflict then compares every field, as before)."""
        if self.arrangement_id is None:
            return None
        try:
            return self.collect()
        except AppError:
            return None

    def changed(self) -> bool:
        """Whether a field differs from the arrangement as loaded (opened, or reloaded after a conflict)."""
        return field_values(self.form) != self.loaded

    def reject(self) -> None:
        """Escape, Cancel, the window's close box: asks "Discard what you typed?" first when a field was
        changed (*Keep editing* is the default), saying so when the typing is kept nowhere (a full disk refused
        its draft: :func:`kept_nowhere_note`); closes at once when nothing changed."""
        if self.isVisible() and self.changed() \
                and not ask_discard(self, self.windowTitle(), informative=kept_nowhere_note(self)):
            return
        self._drop_draft()
        super().reject()

    def _drop_draft(self) -> None:
        """Saved, or closed with what was typed discarded: the draft goes."""
        if self.autosaver is not None:
            self.autosaver.clear()

    # --- the main window closes, the user signs out (``ui.session_switch``) -------------------------
    def save_pending_edits(self) -> bool:
        """Nothing is written on the way out: an arrangement is saved only by Save (checked as a whole).
        True when no field was changed."""
        return not (still_open(self) and self.changed())

    def confirm_discard_edits(self) -> bool:
        """Changed fields are asked about ("… not saved"): *Keep editing* brings this window forward and
        gives False; *Discard* closes it, nothing saved, and gives True."""
        if self.save_pending_edits():
            return True
        if not ask_discard_on_exit(self, "Save"):
            return False
        self.loaded = field_values(self.form)  # discarded: closes without asking again
        self._drop_draft()
        super().reject()
        return True

    def collect(self) -> ArrangementInput:
        return ArrangementInput(
            reference=self.fields["reference"].text(), child_birth_name=self.fields["child_birth_name"].text().strip(),
            child_adoptive_name=self.fields["child_adoptive_name"].text().strip(),
            child_dob=_get_date(self.dates["child_dob"]), adopters_name=self.fields["adopters_name"].text().strip(),
            adopters_salutation=self.fields["adopters_salutation"].text().strip(),
            adopters_address=self.adopters_address.toPlainText().strip(), may_send=self.fields["may_send"].text(),
            exchange_months=self.fields["exchange_months"].text(),
            first_writer=str(self.first_writer.currentData()), replies_expected=self.replies.isChecked(),
            email_allowed=self.email.isChecked(), start_date=_get_date(self.dates["start_date"]),
            review_date=_get_date(self.dates["review_date"]), status=str(self.status.currentData()),
            coordinator=self.fields["coordinator"].text().strip(), notes=self.notes.toPlainText(),
            participants=parse_participants(self.participants.toPlainText()),
            protected=_terms(self.protected, rules.ADOPTIVE) + _terms(self.birth_protected, rules.BIRTH),
            **self._contact_values())

    def _contact_values(self) -> dict[str, Any]:
        kind = str(self.contact_kind.currentData())
        if not contact.is_direct(kind):  # letterbox only: no form or dates are kept
            return {"contact_kind": kind, "direct_form": "", "direct_started_on": None, "direct_ended_on": None}
        return {"contact_kind": kind, "direct_form": str(self.direct_form.currentData()),
                **{k: _get_date(e) for k, e in self.direct_dates.items()}}

    def mine(self, data: ArrangementInput) -> dict[str, str]:
        """The form, under the labels the service uses for the saved version (every field of the form)."""
        return service.arrangement_values(data)

    def save(self) -> None:
        said = self._follow_today()
        if said and self._pattern_changed():  # never yesterday's date unseen: shown, saved on the next press
            self.message.setText(f"{said} Nothing was saved yet: press Save again to save it.")
            self.pattern_from.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        ending = self.arrangement_id is not None and self.status.currentData() == "ended" \
            and self._loaded_status != "ended"
        if ending and not self._confirm_ending():
            return
        try:
            data = self.collect()
            if not self._incomplete_confirmed(data):
                return
            if self.arrangement_id is None:
                self.arrangement_id = service.create_arrangement(self.ctx.db, self.ctx.principal, data)
            else:
                refused = self._save_edit(data)
                if refused:
                    self.message.setText(refused)
                    return
        except AppError as exc:
            self.message.setText(str(exc))
            # an address refused (too long for the envelope's window, a line like a formula): the cursor there
            field = exc.field if isinstance(exc, ValidationError) else None
            target = {"Adopters' address": self.adopters_address, "Adopters' names": self.fields["adopters_name"],
                      "Birth relative's address": self.participants, "Birth relative": self.participants,
                      # the agreement's own terms (``rules.agreement_problems``, a month given twice), by key
                      **self.dates, "exchange_months": self.fields["exchange_months"],
                      "status": self.status}.get(field or "")  # made active again once the child is 18
            if target is not None:
                self.clears.watch(target, str(exc))  # the message goes once that field is changed
                target.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        # an ending is said by the status bar's undo notice ("Ended the arrangement …: its expected exchanges
        # have left the work list. Undo"), not by a status message: that hid the notice's link for 15 seconds
        self._drop_draft()
        self.accept()

    def _save_edit(self, data: ArrangementInput) -> str:
        """Save the form over the version it was opened with. When a colleague saved first the conflict
        window lists only the fields this person changed; *Re-apply my change* saves those on top of the
        version saved meanwhile and keeps the colleague's values in every other field (re-applying the
        whole form put its stale values back over their edits). A save refused again (they saved once more
        while the window was open) asks again. Returns what to say when nothing was saved ("" when saved)."""
        edit = OwnEdit(self.opened, data, self.mine) if self.opened is not None else None
        expected = self.version
        while True:
            try:
                self._update(data, expected)
                return ""
            except StaleRecord as exc:
                choice = resolve_conflict(self, exc, self.mine(data), edit.base() if edit is not None else None)
                if choice == RELOAD:
                    self.load()
                    return (f"Reloaded the version saved by {exc.saved_by or 'someone else'}; "
                            "make your change again if it is still needed.")
                if choice != REAPPLY or exc.saved_version is None:
                    return str(exc)
                if edit is not None:
                    data = edit.onto(self._stored())
                expected = exc.saved_version

    def _stored(self) -> ArrangementInput:
        """The arrangement as stored now, as the form's input (what a re-applied change goes on top of)."""
        assert self.arrangement_id is not None
        return service.get_arrangement(self.ctx.db, self.ctx.principal, self.arrangement_id, today=self.today).data

    def _missing(self, data: ArrangementInput) -> list[str]:
        return rules.missing_essentials(
            child_birth_name=data.child_birth_name, child_adoptive_name=data.child_adoptive_name,
            child_dob=data.child_dob, adopters_name=data.adopters_name, birth_relatives=len(data.participants),
            exchange_months=data.exchange_months)

    def _incomplete_confirmed(self, data: ArrangementInput) -> bool:
        """An active arrangement saved without its essentials (``rules.missing_essentials``) is said first and
        saved on a second Save with the same gaps (letterbox trial: one saved as active with only its
        reference, without a word). An edit that leaves gaps the arrangement already had is not held up."""
        # a value that is wrong (a letter pasted into the one-line Reference, a wrong month) is said before
        # what is missing, which would otherwise quote it and be said first
        service.check_arrangement(data, self.opened, today=self.today)
        if data.status != "active":
            return True
        self._check_people(data)
        missing = [m for m in self._missing(data) if m not in self._loaded_missing]
        if not missing or missing == self._warned_missing:
            self._warned_missing = []
            return True
        self._warned_missing = missing
        self.message.setText(f"Not saved yet: {self._reference()} is missing {_listed(missing)}. Without them "
                             "screening, the work list and the letters have less to go on. Fill them in, or press "
                             "Save again to save it as active anyway.")
        return False

    def _check_people(self, data: ArrangementInput) -> None:
        """The coordinator and relationships by the service's rules (``rules.coordinator_login``,
        ``rules.relationship_value``), so that a typo in them is said before what is missing; values as
        loaded are left to the service, which keeps what is already stored."""
        coordinator, relationships = self._loaded_people
        if data.coordinator != coordinator:
            rules.coordinator_login(data.coordinator, self.accounts)
        for p in data.participants:
            if p.relationship != relationships.get(p.name.strip().casefold()):
                rules.relationship_value(p.relationship, label=f"Birth relative {p.name.strip()}: relationship")

    def _reference(self) -> str:
        return self.fields["reference"].text().strip() or "The arrangement"

    def _confirm_ending(self) -> bool:
        """Ending an arrangement is asked about first, No the default (keyboard trial: Ended chosen in
        Status and Enter ended it at once): its expected exchanges leave the work list, and no reminder or
        chaser goes for it."""
        before = str(self._loaded_status or "active")
        if ask_yes_no(self, "End the arrangement", f"End the arrangement {self._reference()}?",
                      yes="&End it", no=f"&No, keep it {before}", name="end_arrangement_question",
                      informative="Its expected exchanges will leave the work list, and no reminders or chasers "
                                  "will be written for it. Ctrl+Z undoes the ending."):
            return True
        self.message.setText(f"Not saved: the arrangement is still {before}. Choose its status again, or "
                             "press Save to end it.")
        self.status.setFocus(Qt.FocusReason.OtherFocusReason)
        return False

    def _update(self, data: ArrangementInput, expected: int | None) -> None:
        assert self.arrangement_id is not None
        from adoption_desktop.letterbox import undo as lb_undo

        self.version, entry = lb_undo.update_arrangement(self.ctx.db, self.ctx.principal, self.arrangement_id, data,
                                                         expected_version=expected, pattern_from=self._pattern_from(),
                                                         today=self.today)  # "not in the future": by this clock
        self.ctx.did(entry)


def sent_text(sent: tuple[SentRow, ...]) -> list[str]:
    """The arrangement's letters sent as listed: day, kind, side, batch, and a voided batch's mark."""
    return [f"{long_date(s.sent_on)}: {s.kind} to the {s.side} side (batch {s.batch or 'not named'})"
            + (f" — {s.voided}" if s.voided else "") for s in sent]


def _listed(items: list[str]) -> str:
    """"a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
