"""Autosave a text field as a draft after a pause in the typing (and at least every ~10 s while it keeps
changing: ``ui/save_timer.py``); restore it when reopened.

    saver = DraftAutosaver(ctx, "counselling.session:42", notes_edit)
    ...on save:  saver.clear()

The draft is restored into an empty field when the saver is created (``restored`` tells whether it
was), so text typed before a crash comes back; with ``over_stored=True`` also into a field the form filled
with the record's stored text, when the draft differs from it. ``base`` (what the record was when the field was filled:
its version, its stored text; see ``core/drafts.py``) is kept with the draft; a restored draft brings back
the base it was typed against (``saver.base``), so the screen can tell whether someone saved since and, if
so, show the conflict dialog rather than save over their work.

A form of several fields keeps them all with its text: ``DraftAutosaver(ctx, key, notes, fields={"held_on":
date_edit, "kind": combo, "replies": check_box, ...})`` saves the date, the choice, the tick boxes and the
short lines with the notes whenever any of them changes, and brings every one back (restored draft or not, the form is as it was typed: the day the
session was held, not today). A field's draft is its value as text (:func:`field_value`); a value the field
no longer takes (a choice since removed) is left as the form set it.

Each saver is one window's hold on its form's draft (``core.drafts.DraftCopy``): when the same person has
the form open in another window (the program opened twice, two PCs) and that window kept its own draft
first, this one's is kept apart rather than over it, said once on the status line (:data:`KEPT_APART`).
A form opened again brings back its own draft, else one kept apart; :meth:`DraftAutosaver.other_drafts_text`
says which, and that any other waits its turn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence

import shiboken6
from PySide6.QtCore import QDate, QObject, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QTextEdit,
)

from adoption_desktop.core import drafts
from adoption_desktop.core.concurrency import local_time
from adoption_desktop.core.errors import DatabaseBusy, DatabaseUnavailable, PermissionDenied
from adoption_desktop.core.storage.engine import (
    ACCOUNT_DISABLED,
    ACCOUNT_PASSWORD_CHANGED,
    ACCOUNT_PASSWORD_DUE,
    ACCOUNT_ROLES_CHANGED,
    AccountChanged,
    AuditHoldError,
    MovedToServerError,
    is_disk_full_error,
)
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.save_timer import SaveTimer

TextWidget = QPlainTextEdit | QTextEdit | QLineEdit
#: a form's other fields a draft keeps beside its text (``fields``)
FormField = QPlainTextEdit | QTextEdit | QLineEdit | QComboBox | QDateEdit | QCheckBox
#: how a draft keeps a tick box: ticked, not ticked
TICKED, NOT_TICKED = "1", "0"
#: while the server can't be reached a draft is tried again this often (the text stays in the field)
RETRY_MS = 5000
def restored_text(place: str, button: str, other_window: str = "") -> str:
    """The one sentence every form says when it brought a draft back, e.g. ``restored_text("this form",
    "OK")``; ``button`` is the save button as it reads. ``other_window``: when the draft is another window's
    that may still be open (:attr:`DraftAutosaver.other_window`), when it kept it ("14:02 on 02/04")."""
    press = button.replace('&', '')
    if other_window:
        return (f"Unsaved text typed in another window of {place} ({other_window}), which may still be open, "
                f"was copied here; that window keeps its own draft. Check it, then press {press} to save it.")
    return f"Unsaved text from your last visit to {place} was restored; check it, then press {press} to save it."


def _when(at: dt.datetime) -> str:
    return f"{local_time(at):%H:%M on %d/%m}"


#: said (through ``DraftAutosaver.status``) while a draft could not be saved for an outage
NOT_SAVED_OUTAGE = "Not saved: the server can't be reached — kept here, will retry."
#: said once when drafts stop: the database takes no saves (moved to the team server, or held for an audit alert)
NOT_KEPT_MOVED = ("Drafts are not kept: this database was moved to the team server and is read-only. What you type "
                  "here stays on screen only; make changes on the server.")
#: said (through ``DraftAutosaver.status``) while a draft could not be written because the disk is full; the next
#: change tries again
NOT_KEPT_FULL = ("Draft not kept: the disk is full — your typing is still on screen. Make room on the disk (or "
                 "ask IT to); it is kept again as you type.")
#: said (through ``DraftAutosaver.status``) when another window had kept its own draft of the form first
KEPT_APART = ("You have this form open in another window too, and it kept a draft first: what you type here is "
              "kept as a separate draft, so neither replaces the other. Both are listed on My work.")
#: said once when drafts stop for an audit hold; they are kept again from the first change after an administrator
#: acknowledged the alert in this program (:attr:`DraftAutosaver.held`), which :data:`KEPT_AGAIN` then says
NOT_KEPT_HELD = ("Drafts are not kept while saving is stopped by the audit alert: what you type here stays on "
                 "screen only. Once an administrator has acknowledged the alert in this Adoption Desktop window, "
                 "your next change is kept as a draft again, with everything typed before it.")
#: said when drafts are kept again after an audit hold was acknowledged
KEPT_AGAIN = ("Drafts are kept again: the audit alert was acknowledged, and what is on screen now is kept as a "
              "draft.")
#: what "Discard what you typed?" says, on the way out, of typing whose draft the full disk refused
NOT_KEPT_FULL_ON_EXIT = ("What you typed could not be kept as a draft because the disk is full: it is only on "
                         "screen, and is lost if it goes now. Copy what you need (select it and press Ctrl+C), or "
                         "make room on the disk (or ask IT to) and try again.")
#: what happened to the signed-in account since signing in (another administrator, perhaps on another
#: computer, or the user in another window), by :attr:`~adoption_desktop.core.storage.engine.AccountChanged.reason`
ACCOUNT_CHANGED_WHAT = {
    ACCOUNT_DISABLED: "your account has been disabled by an administrator.",
    ACCOUNT_ROLES_CHANGED: "an administrator changed your access (your roles) since you signed in.",
    ACCOUNT_PASSWORD_CHANGED: ("your password was changed since you signed in (by an administrator, or by you in "
                               "another window)."),
    ACCOUNT_PASSWORD_DUE: ("an administrator set a new password for your account, and you must choose your own "
                           "before anything else is saved."),
}
#: what to do once the text is copied, by the same reason
ACCOUNT_CHANGED_TODO = {
    ACCOUNT_DISABLED: "Then ask an administrator about your account.",
    ACCOUNT_ROLES_CHANGED: ("Then sign in again (File → Sign out / switch user) to carry on; ask an administrator "
                            "if you no longer have the access you need."),
    ACCOUNT_PASSWORD_CHANGED: ("Then sign in again (File → Sign out / switch user) with the new password; ask an "
                               "administrator if you do not know it."),
    ACCOUNT_PASSWORD_DUE: "Then sign in again (File → Sign out / switch user) to be asked for it.",
}
#: the refusal of an account for a reason not named above: the program's own words, and this
_TODO_OTHERWISE = "Then ask an administrator, and sign in again."
#: what is said of the text on screen, before what to do
COPY_WHAT_YOU_NEED = "Copy what you need now (select it and press Ctrl+C)."


def account_changed_note(refused: PermissionDenied, lead: str, kept: str) -> str:
    """``lead``: what was not done ("Drafts are no longer kept"); then what happened to the account (from the
    refusal: :class:`~adoption_desktop.core.storage.engine.AccountChanged`), ``kept`` (what became of the text
    on screen), to copy what is needed, and what to do."""
    reason = refused.reason if isinstance(refused, AccountChanged) else ""
    what = ACCOUNT_CHANGED_WHAT.get(reason) or str(refused).strip()
    return f"{lead}: {what} {kept} {COPY_WHAT_YOU_NEED} {ACCOUNT_CHANGED_TODO.get(reason, _TODO_OTHERWISE)}"


#: what a page's note says was kept when reading its list was refused for the account: reading changes nothing
NOTHING_CHANGED = "Nothing you saved has changed."


def not_shown_for_account(refused: PermissionDenied, lead: str) -> str:
    """What a page says in place of its list when reading the list was refused because the account changed
    since signing in (disabled, roles or password changed: ``AccountChanged``): ``lead`` (what is no longer
    shown), what happened and what to do in the forms' own words (:func:`account_changed_note`), and that
    nothing saved has changed. The list's lines are taken off the screen by the page (user trial ut21: a
    disabled counsellor's My work kept its case names on screen)."""
    reason = refused.reason if isinstance(refused, AccountChanged) else ""
    what = ACCOUNT_CHANGED_WHAT.get(reason) or str(refused).strip()
    todo = ACCOUNT_CHANGED_TODO.get(reason, _TODO_OTHERWISE).removeprefix("Then ")
    return f"{lead}: {what} {NOTHING_CHANGED} {todo[:1].upper()}{todo[1:]}"


#: what a draft's note says of the text on screen
_NOT_A_DRAFT = ("The text on screen is not kept as a draft: it is only in this window, and is lost when the window "
                "closes.")


def not_kept_for_account(refused: PermissionDenied) -> str:
    """What a form's status line says when a draft was refused because the account changed since signing in
    (disabled, roles or password changed): what happened, that the text on screen is not kept, what to do."""
    return account_changed_note(refused, "Drafts are no longer kept", _NOT_A_DRAFT)


#: said once when drafts stop because the signed-in account changed since signing in
NOT_KEPT_DISABLED = not_kept_for_account(AccountChanged("", ACCOUNT_DISABLED))
NOT_KEPT_ROLES = not_kept_for_account(AccountChanged("", ACCOUNT_ROLES_CHANGED))
NOT_KEPT_PASSWORD = not_kept_for_account(AccountChanged("", ACCOUNT_PASSWORD_CHANGED))
NOT_KEPT_PASSWORD_DUE = not_kept_for_account(AccountChanged("", ACCOUNT_PASSWORD_DUE))


def _stopped_note(refused: PermissionDenied) -> str:
    """What is said once when drafts stop because ``refused``: the database takes no saves (moved to the server,
    an audit hold), or no longer takes this user's (:func:`not_kept_for_account`)."""
    if isinstance(refused, MovedToServerError):
        return NOT_KEPT_MOVED
    if isinstance(refused, AuditHoldError):
        return NOT_KEPT_HELD
    return not_kept_for_account(refused)


def _lifted_by_acknowledging(refused: PermissionDenied) -> bool:
    """Whether ``refused`` is an audit hold, which an administrator's acknowledgement lifts (a file moved to the
    server is a kind of hold that none lifts)."""
    return isinstance(refused, AuditHoldError) and not isinstance(refused, MovedToServerError)


def _text(widget: TextWidget) -> str:
    return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()


def _choice(combo: QComboBox, index: int) -> str:
    """A list's choice as a draft keeps it: its key (the item's data), or its text when it has none."""
    data = combo.itemData(index)
    return combo.itemText(index) if data is None else str(data)


def field_value(widget: FormField) -> str:
    """What a form field holds, as a draft keeps it: text as typed, a date in ISO form (the value, not
    half-typed text), a choice by its key (:func:`_choice`; the text typed into an editable list), a tick box
    as :data:`TICKED` or :data:`NOT_TICKED`."""
    if isinstance(widget, QCheckBox):
        return TICKED if widget.isChecked() else NOT_TICKED
    if isinstance(widget, QComboBox):
        return widget.currentText() if widget.isEditable() else _choice(widget, widget.currentIndex())
    if isinstance(widget, QDateEdit):
        return widget.dateTime().date().toString(Qt.DateFormat.ISODate)  # dateTime: never refuses
    return _text(widget)


def set_field_value(widget: FormField, value: str) -> bool:
    """Put a kept value back into its field; False when the field no longer takes it (a choice since
    removed, a date out of the field's range), and the field is left as it was."""
    if isinstance(widget, QCheckBox):
        if value not in (TICKED, NOT_TICKED):
            return False
        widget.setChecked(value == TICKED)
        return True
    if isinstance(widget, QComboBox):
        if widget.isEditable():
            widget.setCurrentText(value)
            return True
        index = next((i for i in range(widget.count()) if _choice(widget, i) == value), -1)
        if index < 0:
            return False
        widget.setCurrentIndex(index)
        return True
    if isinstance(widget, QDateEdit):
        day = QDate.fromString(value, Qt.DateFormat.ISODate)
        if not day.isValid() or not widget.minimumDate() <= day <= widget.maximumDate():
            return False
        widget.setDate(day)
        return True
    if isinstance(widget, QLineEdit):
        widget.setText(value)
    else:
        widget.setPlainText(value)
    return True


def shown_value(widget: FormField, value: str) -> str:
    """A kept value as the person would read it in ``widget``: a choice by its words, a date as dd/mm/yyyy,
    a tick box as ticked / not ticked, text in quotes."""
    if isinstance(widget, QCheckBox):
        return "ticked" if value == TICKED else "not ticked"
    if isinstance(widget, QComboBox) and not widget.isEditable():
        index = next((i for i in range(widget.count()) if _choice(widget, i) == value), -1)
        return widget.itemText(index) if index >= 0 else value
    if isinstance(widget, QDateEdit):
        day = QDate.fromString(value, Qt.DateFormat.ISODate)
        return day.toString("dd/MM/yyyy") if day.isValid() else value
    return f"\u201c{value}\u201d" if value.strip() else "(blank)"


def field_words(widget: FormField, name: str) -> str:
    """How the form names a field: its label (the one whose Alt key goes to it), a tick box's own text, else
    its name in words."""
    if isinstance(widget, QCheckBox) and widget.text():
        return widget.text().replace("&", "")
    window = widget.window()
    for label in window.findChildren(QLabel):
        if label.buddy() is widget and label.text():
            return label.text().replace("&", "").rstrip(": ")
    return name.replace("_", " ")


def _editable(widget: FormField) -> bool:
    """Whether the person can change ``widget`` now (not greyed out, not read-only)."""
    if not widget.isEnabled():
        return False
    return not (isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit) and widget.isReadOnly())


def _changed(widget: FormField) -> SignalInstance:
    """The signal a field sends when the person changes it."""
    if isinstance(widget, QCheckBox):
        return widget.toggled
    if isinstance(widget, QComboBox):
        return widget.currentTextChanged  # a choice picked, or an editable list's text typed
    if isinstance(widget, QDateEdit):
        return widget.dateChanged
    return widget.textChanged


class DraftAutosaver(QObject):
    #: NOT_SAVED_OUTAGE when a draft could not be saved because the server can't be reached, "" once a
    #: draft is saved again: for the host's status line (an autosave never pops a dialog)
    status = Signal(str)

    def __init__(self, ctx: AppContext, key: str, widget: TextWidget, *, interval_ms: int = 3000,
                 base: str | None = None, fields: Mapping[str, FormField] | None = None,
                 max_wait_ms: int | None = None, over_stored: bool = False,
                 if_changed: Collection[str] = (), from_record: Collection[str] = (),
                 program_text: Callable[[str], bool] | None = None) -> None:
        super().__init__(widget)
        self.ctx, self.key, self.widget = ctx, key, widget
        #: due after a pause in the typing, and at the latest ``max_wait_ms`` (``save_timer.MAX_WAIT_MS``) after
        #: the first change not yet kept, however steadily the person types
        self.timer = SaveTimer(self, interval_ms=interval_ms, max_wait_ms=max_wait_ms)
        self.timer.timeout.connect(self._due)
        self.restored = False
        self.interval_ms = interval_ms
        self.unsaved = False  # True while the last attempt failed for an outage (a retry is scheduled)
        #: True while the last attempt failed because the disk is full (tried again on the next change)
        self.disk_full = False
        #: True once a save was refused because the database takes none (moved to the server, an audit hold)
        #: or no longer takes this user's (the account disabled, its roles or password changed): drafts are no
        #: longer tried (said once), the typing stays in the field
        self.stopped = False
        #: True while drafts are stopped for an audit hold: the first change after an administrator acknowledged
        #: it (in this program: ``Database.audit_hold`` cleared) keeps a draft again (:data:`KEPT_AGAIN`)
        self.held = False
        #: whether a text is the program's own wording (a sentence the form pre-filled), not the person's typing:
        #: such a text is never taken for typing kept nowhere (:meth:`holds_unkept`)
        self.program_text = program_text
        #: what the record was when the text was typed: as shown now, or a restored draft's own
        self.base = base
        #: the form's other fields, kept with the text (name -> field), and what they held when the form
        #: opened (before a draft was restored): a form back as it opened, with no text, is no draft
        self.fields = dict(fields or {})
        self.opened = self._values()
        #: fields whose value the form sets to mean "today unless changed" (the day a decision is made): kept
        #: only once changed, so a draft brought back on a later day does not date the record back
        self.if_changed = frozenset(if_changed)
        #: fields the form fills from the record as stored: each is kept with its *base* (what the record held
        #: when the draft was typed), and a draft's value comes back only while the record still holds its base
        #: (otherwise the stored value stays, and the draft's is said: :attr:`set_aside`)
        self.from_record = frozenset(from_record) & set(self.fields) - self.if_changed
        self.field_bases = {name: self.opened[name] for name in self.from_record}
        #: the draft's values not brought back (name -> the value as the field shows it): the field can no
        #: longer be changed here (an outcome recorded since), or the record was changed since the draft was
        #: typed; the form says them (:meth:`set_aside_text`) so nothing typed is lost unseen
        self.set_aside: dict[str, str] = {}
        #: this window's hold on the draft: a save never replaces, nor a clear removes, another window's
        self.copy = drafts.DraftCopy(ctx.db, ctx.principal, key, alive=self._window_open)
        self.destroyed.connect(lambda _o=None, copy=self.copy: copy.close())
        found = self.copy.offer()
        #: the draft brought back (or offered, when the form already held it); the others wait their turn
        self.offered: drafts.FoundDraft | None = found[0] if found else None
        self.others: list[drafts.FoundDraft] = found[1:]
        saved = self.offered.text if self.offered is not None else None
        # ``over_stored``: the form shows the record's stored text in the field (a letter's text, an arrangement's
        # notes), so a draft that differs from it is what was typed over it, and comes back in its place
        if saved and (not _text(widget).strip() or (over_stored and saved != _text(widget))):
            set_field_value(widget, saved)
            self.restored = True
        if self.offered is not None and self.fields:
            self._restore_fields(self.offered)
        if self.offered is not None and (self.restored or self.set_aside or self._holds(self.offered)):
            self.copy.took(self.offered)  # the form holds it: this window's typing may be kept over it
        if self.restored and self.offered is not None:
            self.base = self.offered.base
        #: what the form held when its typing was last kept: as it opened (the record's text, or a draft brought
        #: back), as a draft last saved, or as saved for real or discarded (:meth:`clear`)
        self._kept = self._state()
        #: the note said once when drafts stopped (what happened, what to copy, what to do); "" until then
        self.note = ""
        #: True once :meth:`detach` let the form go (it shows another record now, or is closing)
        self.detached = False
        self._signals = [_changed(w) for w in (widget, *self.fields.values())]
        for signal in self._signals:
            signal.connect(self.timer.changed)

    def _window_open(self) -> bool:
        """Whether this saver's window is open (shown): another window bringing its draft back leaves it
        to this one (``core.drafts.DraftCopy.borrowed``)."""
        return shiboken6.isValid(self.widget) and self.widget.window().isVisible()

    def _restore_fields(self, found: drafts.FoundDraft) -> None:
        """Bring back the draft's fields, in the form's order (a choice may fill the next list): each only
        where the form can still change it and, for a field from the record, only while the record still
        holds what it held when the draft was typed. A value not brought back that was the person's own
        change is kept in :attr:`set_aside`."""
        for name, widget in self.fields.items():
            value = found.fields.get(name)
            if value is None or value == field_value(widget):
                continue
            base = found.field_bases.get(name) if name in self.from_record else None
            changed_since = base is not None and base != field_value(widget)
            if _editable(widget) and not changed_since and set_field_value(widget, value):
                self.restored = True
                if name in self.from_record:
                    self.field_bases[name] = base if base is not None else self.opened[name]
            elif value != base:  # the person's own change, not the record as it then was
                self.set_aside[name] = shown_value(widget, value)

    def set_aside_text(self, words: Mapping[str, str] | None = None, what: str = "this record") -> str:
        """The sentence that says the draft's values not brought back (:attr:`set_aside`), each named by
        ``words`` (field name -> its words, e.g. "outcome"); "" when none."""
        if not self.set_aside:
            return ""
        listed = "; ".join(f"{(words or {}).get(name) or field_words(self.fields[name], name)}: {value}"
                           for name, value in self.set_aside.items())
        return (f"Your draft also held changes that were not brought back, because {what} was changed (or "
                f"completed) after you typed them, so it shows what is stored: {listed}. These are not kept "
                "once you close this window: note any you still need.")

    @property
    def other_window(self) -> str:
        """When the draft brought back was kept by another window that may still be open ("" otherwise)."""
        borrowed = self.copy.borrowed
        return _when(borrowed.saved_at) if borrowed is not None else ""

    def rebase(self, names: Collection[str]) -> None:
        """The record was stored with these fields as they now show: they are the draft's new bases."""
        values = self._values()
        for name in set(names) & self.from_record:
            self.field_bases[name] = values[name]

    def _state(self) -> tuple[str, dict[str, str]]:
        return _text(self.widget), self._values()

    def holds_unkept(self) -> bool:
        """Drafts have stopped (:attr:`stopped`: the account changed since signing in, or the database takes no
        saves) or the last one could not be written (:attr:`disk_full`) while the form holds typing kept nowhere:
        not in the record as it opened, not in the last draft kept, not saved since. It is lost when its window
        closes, its user signs out or its form shows another record, so each asks first
        (``ui.session_switch.kept_editor``) and the question says :attr:`unkept_note`. Only the person's own
        changes count: a sentence the program put in the field (:attr:`program_text`) is not typing."""
        return (self.stopped or self.disk_full) and not self.detached \
            and self._typed(self._state()) != self._typed(self._kept)

    def _typed(self, state: tuple[str, dict[str, str]]) -> tuple[str, dict[str, str]]:
        """``state`` with the program's own wording taken as no text (:attr:`program_text`)."""
        text, values = state
        if self.program_text is not None and self.program_text(text):
            text = ""
        return text, values

    @property
    def unkept_note(self) -> str:
        """What the question on the way out says of typing kept nowhere: the note said when drafts stopped, or
        that the disk is full (:data:`NOT_KEPT_FULL_ON_EXIT`); "" when neither."""
        if self.stopped:
            return self.note
        return NOT_KEPT_FULL_ON_EXIT if self.disk_full else ""

    @property
    def due(self) -> bool:
        """A draft is waiting to be written: its timer runs, the last attempt met a full disk, or drafts stopped
        for an audit hold since acknowledged (:meth:`save_now` writes it, on the way out)."""
        return not self.detached and (self.timer.isActive() or self.disk_full or self._may_resume())

    def discarded(self) -> None:
        """The person chose to throw away what the form holds (asked on the way out): no longer held as unkept.
        The last draft kept, if any, stays for its owner's next sign-in (it cannot be dropped now)."""
        self._kept = self._state()

    def _values(self) -> dict[str, str]:
        return {name: field_value(field) for name, field in self.fields.items()}

    def _holds(self, found: drafts.FoundDraft) -> bool:
        """The form holds exactly ``found`` (nothing of it would be lost by keeping this form over it)."""
        values = self._values()
        return found.text == _text(self.widget) and all(values.get(k, v) == v for k, v in found.fields.items())

    def other_drafts_text(self) -> str:
        """What to add to the form's message about drafts from another window: that the one brought back was
        typed in another window, and that others are kept and offered in turn ("" when none)."""
        said = []
        if self.restored and self.offered is not None and self.offered.apart and not self.other_window:
            said.append(f"It is a draft from another window, {_when(self.offered.saved_at)}.")
        if self.others:
            when = _when(self.others[0].saved_at)
            said.append(
                f"Another draft of this form, from another window ({when}), is kept too: it is offered here "
                "after you save or discard this one." if len(self.others) == 1 else
                f"{len(self.others)} other drafts of this form, from other windows (the latest {when}), are kept "
                "too: each is offered here in turn after you save or discard this one.")
        return " ".join(said)

    def _due(self) -> None:
        """The timer: save the draft, unless a save on this thread is waiting for a colleague's write (the
        window is redrawn meanwhile, so timers fire): then tried again after the interval."""
        if self.stopped and not self._may_resume():
            return
        if self.ctx.db.waiting_for_writer:
            self.timer.start()
            return
        try:
            self.save_now()
        except DatabaseBusy:  # still busy after the wait, or its Cancel pressed: a draft is tried again quietly
            self.timer.start(RETRY_MS)

    def save_now(self) -> bool:
        """Save the draft now. False when the server can't be reached: the text stays in the field,
        ``status`` says so quietly and the draft is tried again on a timer (no dialog while typing). False when
        the disk is full: said quietly (:data:`NOT_KEPT_FULL`), tried again on the next change. False too
        when the database takes no saves (a file moved to the team server, an audit hold), or no longer takes
        this user's (the account disabled, its roles or password changed since signing in:
        :func:`not_kept_for_account`): said once, and drafts are not tried again (:attr:`stopped`), except after
        an audit hold that an administrator has acknowledged since (:attr:`held`): then this save keeps the form
        again, and says so (:data:`KEPT_AGAIN`)."""
        self.timer.stop()
        resumed = self._may_resume()
        if self.stopped and not resumed:
            return False
        if resumed:  # an audit hold acknowledged since: this change is kept again
            self.stopped = self.held = False
            self.note = ""
        text, values = _text(self.widget), self._values()
        kept = ({k: v for k, v in values.items() if k not in self.if_changed or v != self.opened[k]}
                if values and (text.strip() or values != self.opened) else None)
        try:
            in_place = self.copy.save(text, base=self.base, fields=kept, field_bases=self.field_bases)
        except PermissionDenied as refused:
            # an audit hold, a file moved to the server: from a timer, raised, it reached the error dialog at every
            # pause. The account disabled, or its roles or password changed, since signing in (an administrator,
            # perhaps on another PC): it reached the "Please check" box mid-typing at every pause (user trial
            # ut16, D2). Drafts stop, said once; the typing stays in the field
            self._stop(refused)
            return False
        except DatabaseUnavailable:  # a COMMIT lost too (DatabaseCommitUncertain): saving a draft twice is harmless
            self.unsaved = True
            self.timer.start(RETRY_MS)
            self._say(NOT_SAVED_OUTAGE)
            return False
        except Exception as exc:  # only a full disk is said here; anything else is raised
            if not is_disk_full_error(exc):
                raise
            # from a timer, raised, it reached "Unexpected problem" at every pause (user trial ut15, D4): the
            # draft is rolled back, the text is on screen; said quietly, tried again when the text changes
            self.disk_full = True
            self._say(NOT_KEPT_FULL)
            return False
        self._kept = (text, values)
        self.timer.setInterval(self.interval_ms)
        if not in_place:
            self.unsaved = self.disk_full = False
            self._say(KEPT_APART)
        elif resumed:
            self.unsaved = self.disk_full = False
            self._say(KEPT_AGAIN)
        elif self.unsaved or self.disk_full:
            self.unsaved = self.disk_full = False
            self._say("")
        return True

    def _may_resume(self) -> bool:
        """Drafts stopped for an audit hold that an administrator has since acknowledged here: they may be kept
        again (a hold acknowledged elsewhere still holds this program's saves until the database is opened again)."""
        return self.stopped and self.held and self.ctx.db.audit_hold is None

    def _stop(self, refused: PermissionDenied) -> None:
        """Drafts stop because ``refused``: its note is said once, and kept for the question asked on the way out.
        An audit hold's stop lasts until an administrator acknowledges it (:attr:`held`); any other, for good."""
        self.stopped = True
        self.held = _lifted_by_acknowledging(refused)
        self.note = _stopped_note(refused)
        self._say(self.note)

    def _say(self, text: str) -> None:
        """To the host's status line (``status``), and the main window's status bar when the field is in one."""
        self.status.emit(text)
        window = self.widget.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text) if text else window.statusBar().clearMessage()

    def detach(self) -> None:
        """Stop following the form (it is about to show another record): typing not yet saved as a draft
        is saved now, for the next opening; the saver goes."""
        if self.timer.isActive():
            self.save_now()
        self.timer.stop()
        self.detached = True
        for signal in self._signals:
            signal.disconnect(self.timer.changed)
        self.copy.close()
        self.deleteLater()

    def clear(self) -> None:
        """Call after the text was saved for real, or discarded. When the draft cannot be dropped because the
        account was refused since signing in (disabled, its roles or password changed) or the database takes no
        saves (an audit hold, a file moved to the server), it stays as last kept, for its owner's next sign-in,
        and drafts stop: the window closes as asked (raised, it reached the error box, and a disabled user could
        neither discard the form nor sign out)."""
        self.timer.stop()
        self._kept = self._state()  # saved for real, or thrown away: nothing on screen is left to lose
        self.disk_full = False  # nothing is waiting to be written (a stray draft of the saved text would follow)
        try:
            self.copy.clear()
        except PermissionDenied as refused:
            self.stopped = True
            self.held = _lifted_by_acknowledging(refused)
            self.note = self.note or _stopped_note(refused)  # for typing that follows, kept nowhere


def unkept_savers(widget: QObject) -> list[DraftAutosaver]:
    """The autosavers in ``widget`` (a form, a window, an editor pane) whose typing is kept nowhere
    (:meth:`DraftAutosaver.holds_unkept`)."""
    return [s for s in widget.findChildren(DraftAutosaver) if s.holds_unkept()]


#: the note of drafts that stopped with nothing said (should there be one): what is on screen, what to do
NOT_KEPT_ON_SCREEN = f"Drafts are no longer kept: {_NOT_A_DRAFT} {COPY_WHAT_YOU_NEED}"


#: what a question asked on the way out ("Discard what you typed?") says after the note of drafts that stopped
KEEP_TO_COPY = ("Keep editing leaves what you typed on screen, so you can copy what you need first; Discard throws "
                "it away.")


def unkept_question(unkept: Sequence[DraftAutosaver]) -> str:
    """The explanation of "Discard what you typed?" asked on the way out of a form whose drafts stopped while it
    holds typing kept nowhere (``unkept``: :func:`unkept_savers`): the note said when they stopped (what
    happened, to copy what is needed, what to do), and what each answer does; "" when ``unkept`` is empty."""
    if not unkept:
        return ""
    note = next((saver.unkept_note for saver in unkept if saver.unkept_note), NOT_KEPT_ON_SCREEN)
    return f"{note} {KEEP_TO_COPY}"
