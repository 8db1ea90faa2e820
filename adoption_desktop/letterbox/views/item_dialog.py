"""One letterbox item: receive it, screen its text (findings highlighted), decide each finding, record the
outcome (forward / return / withhold / hold), second check, corrected version, and its history."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
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
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.concurrency import when_text
from adoption_desktop.core.errors import AppError, Conflict, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.undo import UndoEntry
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox import contact, rules, service
from adoption_desktop.letterbox import undo as lb_undo
from adoption_desktop.letterbox.service import EventRow, FindingRow, ItemDetail, ItemLetterRow
from adoption_desktop.letterbox.views.item_mistakes import ItemMistakes
from adoption_desktop.ui.ask import ask_yes_no
from adoption_desktop.ui.autosave import DraftAutosaver, FormField, field_value, restored_text
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate, qdate
from adoption_desktop.ui.discard import ask_discard, bring_forward, kept_nowhere_note
from adoption_desktop.ui.fit import keep_label_whole, resize_to_contents, scrolling, tall_enough
from adoption_desktop.ui.forms import child, load_dialog_form
from adoption_desktop.ui.geometry import FRAME_ALLOWANCE_W
from adoption_desktop.ui.list_keys import EnterActivates
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.presence import attach_banner
from adoption_desktop.ui.table_model import Column, RowTableModel
from adoption_desktop.ui.today_default import TodayDefaults
from adoption_desktop.ui.undo import confirm_final, editable_text, undo_keys

#: what QPlainTextEdit makes of characters it does not keep: a no-break space, line and paragraph separators
_EDITOR_FORMS = str.maketrans({"\u00a0": " ", "\u2028": "\n", "\u2029": "\n"})


def as_edited(text: str) -> str:
    """``text`` as the letter's text box holds it once shown there."""
    return text.translate(_EDITOR_FORMS)
KIND_COLOURS = {"protected term": "#F4B6B6", "postcode": "#FFD580", "phone": "#FFD580", "email": "#FFD580",
                "url": "#FFD580", "social handle": "#FFD580", "street address": "#FFD580",
                "institution": "#FFE9A8", "place": "#DDEBFF", "vehicle registration": "#FFD580",
                "date of birth": "#FFD580", "disguised word": "#F4B6B6", "surname": "#F4B6B6"}

FINDING_COLUMNS: list[Column[FindingRow]] = [
    Column("Kind", lambda f: f.kind), Column("Text", lambda f: f.text), Column("Decision", lambda f: f.decision),
    # why it was flagged ("names the adoptive family: the protected term 'Ashby'", "… (written 'Jessie': …)")
    Column("Why", lambda f: f.reason, tooltip=lambda f: f.reason or None)]
HISTORY_COLUMNS: list[Column[EventRow]] = [
    Column("When", lambda e: e.at), Column("Who", lambda e: e.who or e.actor),
    Column("Step", lambda e: rules.step_label(e.action)),
    Column("Detail", lambda e: e.detail)]


#: how a kind of letter about one item reads in the item window's list of letters sent
#: the item window's fields as a message names them (what is not saved when the program closes)
FIELD_WORDS = {"direction": "direction", "item_type": "type", "channel": "received by",
               "participant": "from (writer)", "writer": "signed as", "received_on": "date received",
               "notes": "notes", "letter_text": "letter text", "outcome": "outcome", "outcome_on": "date of outcome",
               "method": "method", "reason": "reason", "social_worker_informed": "social worker informed tick"}

#: the field words that take "are" (the "Discard what you typed?" explanation)
PLURAL_FIELD_WORDS = frozenset({"notes"})

#: the keys of an item window's drafts (``core.drafts``): a logged item's, by its id; a new item's, by its
#: arrangement; a corrected version's, by the item it corrects
DRAFT_ITEM = "letterbox.item"
DRAFT_NEW_ITEM = "letterbox.item.new"
DRAFT_CORRECTED = "letterbox.item.corrected"

LETTER_WORDS = {"acknowledgement": "Acknowledgement", "returned": "Returned for changes"}


def utf16_positions(text: str) -> Callable[[int], int]:
    """Python string offsets into ``text`` -> positions in a Qt text document, which counts UTF-16 code
    units: a character beyond U+FFFF (an emoji, mathematical bold "𝐏𝐞𝐧𝐧𝐲") is two of them, so a highlight
    after one would start a character early."""
    if text.isascii() or all(ord(c) <= 0xFFFF for c in text):
        return lambda i: i
    astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]
    return lambda i: i + bisect.bisect_left(astral, i)


def letters_sent_text(letters: tuple[ItemLetterRow, ...]) -> str:
    """The item window's line of letters sent about the item: which kind, to whom, on which day; a letter of
    a batch voided as not posted marked so, as the arrangement window marks it."""
    if not letters:
        return "Letters sent about this item: none."
    return "Letters sent about this item: " + "; ".join(
        f"{LETTER_WORDS.get(r.kind, r.kind)} to {r.recipient} on {r.sent_on:%d/%m/%Y}"
        + (f" ({r.voided})" if r.voided else "") for r in letters) + "."


def conflict_text(exc: Conflict) -> str:
    """What the item window says of a refused step. A save someone else overtook is said without the
    service's advice ("Reload to see their version, or re-apply your change"), written for the arrangement
    window's conflict dialog: the item window has neither button (keyboard trial). Its callers say what
    it does offer."""
    if not isinstance(exc, StaleRecord):
        return str(exc)
    at = exc.saved_at if isinstance(exc.saved_at, dt.datetime) else None
    return (f"{exc.saved_by or 'Someone else'} saved {exc.what or 'the item'} at {when_text(at)}, after you "
            "opened it; your change was not saved.")


class _ListChoiceBox(QComboBox):
    """A list box that tells a choice from its opened list (``from_list``) from one made by an arrow key or
    the wheel on the closed box."""

    def __init__(self) -> None:
        super().__init__()
        self.from_list = False

    def showPopup(self) -> None:  # noqa: N802
        self.from_list = True
        super().showPopup()

    def hidePopup(self) -> None:  # noqa: N802
        super().hidePopup()
        QTimer.singleShot(0, self._forget)  # after the choice it closed on (its activated) was handled

    def _forget(self) -> None:
        self.from_list = False


def _list_choice_box_for(old: QComboBox, layout: QFormLayout) -> _ListChoiceBox:
    """A :class:`_ListChoiceBox` in the place of the form's list box ``old`` in ``layout``: its name, tip and
    label (whose Alt key goes to it) carried over; ``old`` is removed."""
    box = _ListChoiceBox()
    box.setObjectName(old.objectName())
    box.setToolTip(old.toolTip())
    label = layout.labelForField(old)
    layout.replaceWidget(old, box)
    if isinstance(label, QLabel):
        label.setBuddy(box)
    old.setParent(None)
    old.deleteLater()
    return box


def _is_undo_key(event: QKeyEvent) -> bool:
    combo = QKeySequence(event.keyCombination())
    return any(combo.matches(k) == QKeySequence.SequenceMatch.ExactMatch for k in undo_keys())


def _text_undo_available(widget: QWidget) -> bool:
    """Whether the text field ``widget`` has typing of its own for Ctrl+Z to undo."""
    if isinstance(widget, QLineEdit):
        return widget.isUndoAvailable()
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return widget.document().isUndoAvailable()
    return True  # a spin box or an editable list box: its own undo, as ever


class _NothingToUndoHere(QObject):
    """On the item window's text fields: Ctrl+Z with no typing of the field's own to undo is said by the window
    (:meth:`ItemDialog.nothing_to_undo`) instead of doing nothing, silently (keyboard trial)."""

    def __init__(self, window: ItemDialog) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and _is_undo_key(event) \
                and isinstance(watched, QWidget) and editable_text(watched) and not _text_undo_available(watched):
            self.window.nothing_to_undo()
            return True
        return False


class _NotLogged(Exception):
    """Log another? was answered No after the save found the item logged meanwhile: nothing to say as an
    error."""


class ItemDialog(QDialog):
    corrected_requested = Signal(int)  # the returned item's id

    def __init__(self, ctx: AppContext, arrangement_id: int, reference: str, *, item_id: int | None = None,
                 previous_item_id: int | None = None, today: dt.date | None = None,
                 direction: str | None = None, parent: QWidget | None = None,
                 detail: ItemDetail | None = None) -> None:
        """``detail``: item ``item_id`` as its opener has just read it (``service.get_item``, which recorded the
        view): shown without reading it again, so that one opening is one view in the audit log (user trial
        ut21: every opening from the Letterbox page, My work or Ctrl+K wrote two)."""
        super().__init__(parent)
        self.ctx, self.arrangement_id, self.reference = ctx, arrangement_id, reference
        self.item_id, self.previous_item_id = item_id, previous_item_id
        #: the day given (tests); otherwise the context's date, read each time (the window stays open past
        #: midnight: see :meth:`_follow_today`)
        self._given_today = today
        #: the date fields given "today" ("received_on", "outcome_on"), while untouched (``ui.today_default``)
        self.today_dates = TodayDefaults(lambda: self.today)
        self._on_default = self.today_dates.on_default
        self.detail: ItemDetail | None = None
        self._shown = False
        form = load_dialog_form(self, "letterbox_item")
        self.setWindowTitle(f"Letterbox item — {reference}")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.setObjectName("buttons")
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("close_button")
        self.buttons.rejected.connect(self.reject)
        self.documents_button = self.buttons.addButton("&Paper and e-mail…", QDialogButtonBox.ButtonRole.ActionRole)
        self.documents_button.setObjectName("documents_button")
        self.documents_button.clicked.connect(self.open_documents)
        body = self.layout()
        assert body is not None  # made by load_dialog_form
        body.addWidget(self.buttons)
        self.heading = child(form, QLabel, "heading")
        # a red line under the heading when the item (with an outcome) was changed outside the application,
        # as the ADM page says of a signed decision (a trial: such an item was shown as genuine)
        self.seal_problem = QLabel()
        self.seal_problem.setObjectName("seal_problem")
        self.seal_problem.setWordWrap(True)
        self.seal_problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        error_tint(self.seal_problem, bold=True)
        self.seal_problem.hide()
        heading_layout = child(form, QVBoxLayout, "layout")
        heading_layout.insertWidget(heading_layout.indexOf(self.heading) + 1, self.seal_problem)
        self.direction = child(form, QComboBox, "direction")
        for key, label in rules.DIRECTIONS.items():
            self.direction.addItem(label, key)
        self.item_type = child(form, QComboBox, "item_type")
        for t in rules.ITEM_TYPES:
            self.item_type.addItem(t.title(), t)
        # a _ListChoiceBox in the form's place: a writer chosen by an arrow key is asked about (as Received by)
        self.participant = _list_choice_box_for(child(form, QComboBox, "participant"),
                                                child(form, QFormLayout, "log_form"))
        try:
            self.writer_choices = service.writer_choices(ctx.db, ctx.principal, arrangement_id)
        except AppError:
            self.writer_choices = ()
        self.writer = child(form, QLineEdit, "writer")
        self.received_on = child(form, QDateEdit, "received_on")
        self.channel = _ListChoiceBox()
        self.channel.setObjectName("channel")
        self.channel.setToolTip("How the item came in; change it on a logged item to correct it")
        for key, label in contact.CHANNELS.items():
            self.channel.addItem(label, key)
        channel_label = QLabel("Received &by")
        channel_label.setBuddy(self.channel)
        child(form, QFormLayout, "log_form").insertRow(2, channel_label, self.channel)
        self.channel.activated.connect(lambda _i: self._channel_activated())
        self.direction.currentIndexChanged.connect(lambda _i: self._fill_writers())
        self.participant.activated.connect(lambda _i: self._writer_activated())
        self._fill_writers()
        self.today_dates.add("received_on", self.received_on, FIELD_WORDS["received_on"])
        self.notes = child(form, QLineEdit, "notes")
        self.log_button = child(form, QPushButton, "log_button")
        self.text = child(form, QPlainTextEdit, "letter_text")
        self.screen_button = child(form, QPushButton, "screen_button")
        self.acceptable_button = child(form, QPushButton, "acceptable_button")
        self.remove_button = child(form, QPushButton, "remove_button")
        # the text as stored (what was screened), in place of text typed since (a refused screening keeps it)
        self.stored_text_button = child(form, QPushButton, "stored_text_button")
        self.stored_text_button.clicked.connect(self.show_stored_text)
        QShortcut(QKeySequence("F5"), self, self.show_stored_text)
        self.findings_view = child(form, QTableView, "findings")
        self.findings_model: RowTableModel[FindingRow] = RowTableModel(FINDING_COLUMNS, parent=self)
        self.findings_view.setModel(self.findings_model)
        self.findings_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.findings_view.horizontalHeader().setStretchLastSection(True)
        self.history_view = child(form, QTableView, "history")
        self.history_model: RowTableModel[EventRow] = RowTableModel(HISTORY_COLUMNS, parent=self)
        self.history_view.setModel(self.history_model)
        self.history_view.horizontalHeader().setStretchLastSection(True)
        # the letters sent about the item, to whom (the sent-list's record, whoever is its writer now)
        self.letters_sent = QLabel()
        self.letters_sent.setObjectName("letters_sent")
        self.letters_sent.setWordWrap(True)
        self.letters_sent.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        child(form, QVBoxLayout, "right").addWidget(self.letters_sent)
        self.outcome = child(form, QComboBox, "outcome")
        for o in rules.OUTCOMES:
            self.outcome.addItem({"forwarded": "Forward", "returned": "Return to writer for changes",
                                  "withheld": "Withhold", "held": "Hold on file"}[o], o)
        self.outcome_on = child(form, QDateEdit, "outcome_on")
        self.today_dates.add("outcome_on", self.outcome_on, FIELD_WORDS["outcome_on"])
        self.method = child(form, QLineEdit, "method")
        self.reason = child(form, QPlainTextEdit, "reason")  # a sentence or two: it was one line (trial)
        self.social_worker = child(form, QCheckBox, "social_worker_informed")
        self.outcome_button = child(form, QPushButton, "outcome_button")
        self.second_check_button = child(form, QPushButton, "second_check_button")
        self.corrected_button = child(form, QPushButton, "corrected_button")
        self.reword_button = child(form, QPushButton, "reword_button")
        self.message = child(form, QLabel, "message")
        self._keep_message_in_view(form)
        self.log_button.clicked.connect(self.log)
        self.screen_button.clicked.connect(self.screen_letter)
        self.acceptable_button.clicked.connect(lambda: self.decide("acceptable"))
        self.remove_button.clicked.connect(lambda: self.decide("remove"))
        self.outcome_button.clicked.connect(self.record_outcome)
        self.second_check_button.clicked.connect(self.second_check)
        self.corrected_button.clicked.connect(self._corrected)
        self.reword_button.clicked.connect(self.reword_reason)
        self.mistakes = ItemMistakes(self)  # Put a mistake right…: correct the logging, logged in error, a note
        # Enter on a finding shows it in the letter, as a double-click does (``activated``); EnterActivates keeps
        # Enter from also pressing the window's default button (Log item)
        EnterActivates(self.findings_view)
        self.findings_view.activated.connect(lambda idx: self._select_text(self.findings_model.row_at(idx.row())))
        QShortcut(QKeySequence("Ctrl+Return"), self, self.screen_letter)
        self._enter_logs()
        self._tab_in_reading_order()
        undo_filter = _NothingToUndoHere(self)
        for field in (self.writer, self.notes, self.text, self.method, self.reason):
            field.installEventFilter(undo_filter)
        if direction is not None and item_id is None and self.direction.findData(direction) >= 0:
            # a new item for an expected exchange (the work list): from that exchange's writer
            self.direction.setCurrentIndex(self.direction.findData(direction))  # its writers follow
        if previous_item_id is not None:
            try:
                prev = service.get_item(ctx.db, ctx.principal, previous_item_id)
                self.direction.setCurrentIndex(self.direction.findData(prev.direction))
                self._fill_writers(prev.participant_id)
                self.item_type.setCurrentIndex(self.item_type.findData(prev.item_type))
                self.writer.setText(prev.writer)
                self.text.setPlainText(prev.text)
            except AppError as exc:
                self.say(str(exc), error=True)
        self.presence = attach_banner(ctx, self, "letterbox_items" if item_id is not None else "", item_id,
                                      editing=ctx.can(Permission.LETTERBOX_EDIT))
        self.saved: dict[str, object] = {}  # the fields as opened, or as stored at the last save (see unsaved)
        self._discarded: dict[str, object] | None = None  # the fields as they were when discarded on the way out
        self._open = False  # shown and not closed (a window hidden by the lock is still open)
        self.finished.connect(lambda _r: setattr(self, "_open", False))
        self.reload(detail if detail is not None and detail.id == item_id else None)
        self.saved = {**self._values(), **self.saved}  # a new item's fields as opened; the rest as stored
        #: the letter's text, the notes and the reason kept as this user's draft while typed (encrypted, in
        #: the database like every draft), offered back when the item is opened again after a crash
        self.autosaver: DraftAutosaver | None = None
        self._keep_drafts()
        ctx.after_undo.append(self._after_undo)
        self.finished.connect(lambda _r: ctx.after_undo.remove(self._after_undo)
                              if self._after_undo in ctx.after_undo else None)
        # the date changing while the window is open (ui.day_watch): untouched "today" dates follow it
        self.today_dates.watch(ctx, self, self._new_day)

    @property
    def today(self) -> dt.date:
        return self._given_today or self.ctx.today()

    # --- the date changing while the window is open ---------------------------------------------
    def _follow_today(self) -> str:
        """When the date has changed since the window set its "today" defaults, move each date field still
        showing its default, untouched, to the new today (a window opened before midnight kept yesterday's
        date received and date of outcome, and saved them the next morning). Returns what was moved, in
        words ("" when nothing): the caller says it, and saves nothing on this press."""
        open_for_log = self.item_id is None
        open_for_outcome = self.detail is not None and self.detail.status not in rules.OUTCOMES
        before = self.today_dates.day

        def moved(name: str, edit: QDateEdit) -> None:
            if self.saved.get(name) == qdate(before):  # the new default is no change of the person's
                self.saved[name] = edit.date()
            if self.autosaver is not None and name in self.autosaver.opened:
                self.autosaver.opened[name] = field_value(edit)
        return self.today_dates.follow_text(
            "Change it if the item came, or was dealt with, the day before.",
            applies=lambda name: open_for_log if name == "received_on" else open_for_outcome, moved=moved)

    def _new_day(self, _day: dt.date) -> None:
        said = self._follow_today()
        if said:
            self.say(said)

    def _keep_message_in_view(self, form: QWidget) -> None:
        """The form scrolls; the message line and the window's buttons stay below it, the message never
        given fewer lines than its text needs (user trial at 1366×768: a refusal after a colleague forwarded
        the item was cut to one line of five, as the form asked for more height than the screen has)."""
        body = self.layout()
        assert isinstance(body, QVBoxLayout)  # made by load_dialog_form: the form, then the buttons
        child(form, QVBoxLayout, "left").removeWidget(self.message)
        body.removeWidget(form)
        body.removeWidget(self.buttons)
        # the window's margins go inside the scroll area (around the form) and around the foot
        margins = body.contentsMargins()
        inner = form.layout()
        assert inner is not None
        inner.setContentsMargins(margins.left(), margins.top(), margins.right(), 0)
        body.setContentsMargins(0, 0, 0, 0)
        area = scrolling(form)
        # fit_dialog's own name: on a small or scaled screen it wraps nothing more (the message stays out)
        area.setObjectName("fit_scroll_body")
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # as wide as the form and its vertical scroll bar, where the screen has the room (never sideways)
        screen = self.screen() or QApplication.primaryScreen()
        room = screen.availableGeometry().width() - FRAME_ALLOWANCE_W if screen is not None else 0
        wanted = form.minimumSizeHint().expandedTo(form.minimumSize()).width() \
            + area.verticalScrollBar().sizeHint().width()
        area.setMinimumWidth(min(room, wanted) if room > 0 else wanted)
        self._form_area = area  # the window opens tall enough for it, where the screen has the room (showEvent)
        body.addWidget(area, 1)
        foot = QVBoxLayout()
        foot.setContentsMargins(margins.left(), 0, margins.right(), margins.bottom())
        foot.addWidget(self.message)
        foot.addWidget(self.buttons)
        body.addLayout(foot)
        keep_label_whole(self.message)

    def _enter_logs(self) -> None:
        """Enter in a field of a new item logs it: Log item is the window's default button, and no other
        button is (user trial: Enter pressed "Paper and e-mail…", the first button that could take it). A
        button with the focus takes Enter itself (Tab to Close, Enter closes), as everywhere on Windows; once
        the focus is back in a field, Log item is the default again. On a logged item Log item is greyed
        out, so Enter in a field does nothing."""
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(True)
            button.setDefault(False)
        self.log_button.setDefault(True)

    def _tab_in_reading_order(self) -> None:
        """Tab goes through the window as it reads: 1. Receive top to bottom (Received by, added here, in
        its place under Type), Log item, 2. Screen top to bottom, 3. Outcome, then the window's buttons.
        Greyed-out controls are passed over."""
        chain: list[QWidget] = [
            self.direction, self.item_type, self.channel, self.participant, self.writer, self.received_on,
            self.notes, self.log_button,
            self.text, self.screen_button, self.acceptable_button, self.remove_button, self.stored_text_button,
            self.findings_view, self.history_view, self.letters_sent,
            self.outcome, self.outcome_on, self.method, self.reason, self.social_worker,
            self.second_check_button, self.outcome_button, self.reword_button, self.corrected_button,
            self.mistakes.button, *self._box_buttons()]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _box_buttons(self) -> list[QWidget]:
        """The window's buttons at the bottom, as they stand left to right (the order is the platform's)."""
        layout = self.buttons.layout()
        assert layout is not None
        found = (item.widget() for i in range(layout.count()) if (item := layout.itemAt(i)) is not None)
        return [w for w in found if isinstance(w, QPushButton)]

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """A new item starts at its first field, Direction (not at the window's buttons)."""
        super().showEvent(event)
        self._open = True
        if not self._shown:
            self._shown = True
            # as tall as the form needs, unscrolled (Record outcome in view at 1366×768), up to the screen's
            # room: Qt opened it at two thirds of the screen, the form scrolled
            tall_enough(self, self._form_area)
            QTimer.singleShot(0, self._focus_first)  # once the window is active (it would move it otherwise)

    def _focus_first(self) -> None:
        """A new item starts at Direction; a logged one at its findings, or its letter text when it has
        none, not at Received by, its first field not greyed out (keyboard trial: a stray arrow key there
        changed how the item was received). A window already sent elsewhere (to its reason, to reword it)
        stays there."""
        if self.item_id is None:
            self.direction.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        now = QApplication.focusWidget()
        if now is not None and now is not self.channel and self.isAncestorOf(now):
            return
        target: QWidget = self.findings_view if self.findings_model.rowCount() else self.text
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Ctrl+Z that reached the window: nothing took it (the undo stack is empty, so Edit → Undo is greyed,
        and the control with the keyboard has no undo of its own)."""
        if _is_undo_key(event):
            self.nothing_to_undo()
            event.accept()
            return
        super().keyPressEvent(event)

    def nothing_to_undo(self) -> None:
        """Ctrl+Z with nothing here for it to undo: logging an item and recording its outcome never enter the
        undo stack (a logged item is evidence: it is marked logged in error, with the reason, never taken
        away), so the window says the way that is (keyboard trial: right after a mistaken log, Ctrl+Z went to
        the empty letter box and said nothing). A finding's decision or a reworded reason is still undone by
        Ctrl+Z outside a text field (Edit → Undo, the main window's)."""
        if self.item_id is None:
            return
        if self.mistakes.logged_in_error_action.isEnabled():
            self.say("An item cannot be un-logged with Ctrl+Z: use Put a mistake right (Alt+Z) → Logged in error… "
                     "to mark it logged in error, with the reason.")
        elif self.mistakes.correction_note_action.isEnabled() and self.detail is not None \
                and self.detail.status not in rules.OPEN_STATUSES:
            self.say("An outcome cannot be undone with Ctrl+Z: use Put a mistake right (Alt+Z) → Add correction "
                     "note… to say what was done about it.")

    # --- state --------------------------------------------------------------------------------
    def reload(self, detail: ItemDetail | None = None) -> None:
        """Show the item as stored: read now (a view, recorded in the audit log), or ``detail`` when the
        caller has just read it for this showing (opening the window, Show stored text): one showing is one
        view in the log, not two (user trial ut21). Each reload after a step (a save, screening, an outcome, a
        conflict) reads the item again and is recorded as a view: the screen shows what is stored then."""
        logged = self.item_id is not None
        if logged:
            assert self.item_id is not None
            self.detail = detail if detail is not None else service.get_item(self.ctx.db, self.ctx.principal,
                                                                              self.item_id)
            d = self.detail
            self.direction.setCurrentIndex(self.direction.findData(d.direction))
            self._fill_writers(d.participant_id)
            self.item_type.setCurrentIndex(self.item_type.findData(d.item_type))
            self.writer.setText(d.writer)
            if not self.notes.text():
                self.notes.setText(d.notes)
            self.received_on.setDate(qdate(d.received_on))
            self._on_default.discard("received_on")
            self.channel.setCurrentIndex(max(0, self.channel.findData(d.channel)))
            if d.text and not self.text.toPlainText():
                self.text.setPlainText(d.text)
            self.findings_model.set_rows(d.findings)
            self.history_model.set_rows(d.history)
            resize_to_contents(self.history_view)
            self.letters_sent.setText(letters_sent_text(d.letters))
            self._highlight(d.findings)
            if d.status in rules.OUTCOMES:
                self._show_outcome(d)
            self._remember_stored(d)
        problem = self.detail.seal_problem if self.detail else ""
        self.seal_problem.setText(problem)
        self.seal_problem.setAccessibleName(problem)
        self.seal_problem.setVisible(bool(problem))
        status = self.detail.status if self.detail else "not yet logged"
        prev = f" — corrected version of item {self.previous_item_id}" if self.previous_item_id else ""
        self.heading.setText(f"<b>Arrangement {self.reference}</b> · item {self.item_id or '(new)'} · "
                             f"status: <b>{status}</b>{prev}")
        open_ = logged and status in ("received", "screened")
        can_edit = self.ctx.principal.can(Permission.LETTERBOX_EDIT)
        log_widgets: tuple[QWidget, ...] = (self.direction, self.item_type, self.writer, self.received_on,
                                             self.notes, self.log_button)
        for w in log_widgets:
            w.setEnabled(not logged and can_edit)
        self.channel.setEnabled(can_edit)  # a logged item's channel can still be corrected
        # so can who wrote it (letters about it go to them), when there is a choice
        self.participant.setEnabled(can_edit and self._birth_side() and (
            not logged or self.participant.count() > 1 or self._chosen_writer() is None))
        work_widgets: tuple[QWidget, ...] = (
            self.screen_button, self.acceptable_button, self.remove_button, self.outcome_button, self.outcome,
            self.outcome_on, self.method, self.reason, self.social_worker)
        for w in work_widgets:
            w.setEnabled(open_ and can_edit)
        self.stored_text_button.setEnabled(logged)
        self.second_check_button.setEnabled(open_ and status == "screened"
                                            and self.ctx.principal.can(Permission.LETTERBOX_SECOND_CHECK))
        self.corrected_button.setEnabled(status == "returned" and can_edit)
        # a returned item's reason (printed in the letter to its writer) can still be reworded
        reword = status == "returned" and can_edit
        self.reword_button.setEnabled(reword)
        if reword:
            self.reason.setEnabled(True)
        self.mistakes.show()

    # --- drafts (``ui.autosave``) ---------------------------------------------------------------
    def draft_key(self) -> str:
        """The draft's key: the logged item's, or before it is logged the arrangement's new item (or the
        corrected version of an item)."""
        if self.item_id is not None:
            return f"{DRAFT_ITEM}:{self.item_id}"
        if self.previous_item_id is not None:
            return f"{DRAFT_CORRECTED}:{self.previous_item_id}"
        return f"{DRAFT_NEW_ITEM}:{self.arrangement_id}"

    def _keep_drafts(self) -> None:
        """Keep what is typed as a draft under :meth:`draft_key`; a draft left by a crash comes back, said on
        the message line with the button that saves it (and, when someone saved the item since it was typed,
        how to see theirs first). Only for someone who may change items."""
        if not self.ctx.can(Permission.LETTERBOX_EDIT):
            return
        version = str(self.detail.row_version) if self.detail is not None else None
        fields = self._draft_fields()
        # a logged item's fields show it as stored: a draft's value comes back only while the item still holds
        # what it held when the draft was typed, and only where it can still be changed (not an outcome
        # recorded since); what is not brought back is said
        saver = DraftAutosaver(self.ctx, self.draft_key(), self.text, base=version, over_stored=True,
                               fields=fields, if_changed=("outcome_on",),
                               from_record=fields if self.item_id is not None else ())
        saver.status.connect(lambda text: self.say(text, error=bool(text)))
        self.autosaver = saver
        aside = saver.set_aside_text(FIELD_WORDS, "this item")
        if not saver.restored:
            # the form's own draft is what it shows; one from another window waits its turn
            self.say(" ".join(filter(None, (aside, saver.other_drafts_text()))))
            return
        typed = self.unsaved()
        button = (self.log_button if self.item_id is None else self.screen_button if "letter_text" in typed
                  else self.reword_button if self.reword_button.isEnabled() else self.outcome_button)
        said = restored_text("this item", button.text(), saver.other_window)
        if self.item_id is not None and saver.base != version:
            said += (" Someone saved this item after you typed it: press Show stored text (F5) to see theirs "
                     "before you screen yours.") if "letter_text" in typed else (
                " Someone saved this item after you typed it: check what it shows now.")
        self.say(" ".join(filter(None, (said, aside, saver.other_drafts_text()))))

    def _draft_fields(self) -> dict[str, FormField]:
        """Every field of the window a draft keeps beside the letter's text (named as :meth:`_values` names
        them), in the order they are filled: the direction before the writers it lists. The outcome's date
        is today unless changed, and kept only when changed (``if_changed``); the day received is kept as typed."""
        return {"direction": self.direction, "item_type": self.item_type, "channel": self.channel,
                "participant": self.participant, "writer": self.writer, "received_on": self.received_on,
                "notes": self.notes, "outcome": self.outcome, "outcome_on": self.outcome_on, "method": self.method,
                "reason": self.reason, "social_worker_informed": self.social_worker}

    def _drafts_after_step(self) -> None:
        """A step was saved: the draft goes once nothing typed is left unsaved; otherwise what is still
        unsaved is kept (under the item's own key once it is logged)."""
        saver = self.autosaver
        if saver is None:
            return
        if saver.key != self.draft_key():  # just logged: the new item's draft moves to the item
            saver.clear()
            saver.detach()
            self._keep_drafts()
            saver = self.autosaver
            assert saver is not None
        saver.base = str(self.detail.row_version) if self.detail is not None else None
        unsaved = set(self.unsaved())
        saver.rebase(set(saver.fields) - unsaved)  # the fields now as stored: the draft's new bases
        if ({"letter_text"} | set(saver.fields)) & unsaved:
            saver.save_now()
        else:
            saver.clear()

    # --- unsaved changes ----------------------------------------------------------------------
    def _values(self) -> dict[str, object]:
        """What the window's fields hold (the letter's text as the text box keeps it)."""
        return {"direction": self.direction.currentData(), "item_type": self.item_type.currentData(),
                "channel": self.channel.currentData(), "participant": self.participant.currentData(),
                "writer": self.writer.text(), "received_on": self.received_on.date(), "notes": self.notes.text(),
                "letter_text": as_edited(self.text.toPlainText()), "outcome": self.outcome.currentData(),
                "outcome_on": self.outcome_on.date(), "method": self.method.text(), "reason": self.reason.toPlainText(),
                "social_worker_informed": self.social_worker.isChecked()}

    def _remember_stored(self, d: ItemDetail) -> None:
        """The fields shown as stored are saved: the receipt, the letter's text as screened (or none yet)
        and a recorded outcome. A text typed since, or an outcome typed but not recorded, is not."""
        now = self._values()
        stored = ("direction", "item_type", "channel", "participant", "writer", "received_on", "notes")
        self.saved.update({k: now[k] for k in stored}, letter_text=as_edited(d.text))
        if d.status in rules.OUTCOMES:
            self.saved.update({k: now[k] for k in ("outcome", "outcome_on", "method", "reason",
                                                   "social_worker_informed")})

    def unsaved(self) -> list[str]:
        """The fields holding something not saved: typed, picked or ticked since the window opened (a new
        item) or since it was last stored."""
        now = self._values()
        return [k for k, v in self.saved.items() if now.get(k) != v]

    def reject(self) -> None:
        """Escape, Close, the window's close box: asks "Discard what you typed?" first when a field holds
        something not saved (*Keep editing* is the default); closes at once when nothing changed, or when
        what it holds was discarded already (as the program closed or the user signed out). Typing kept nowhere
        (a full disk refused its draft) is said so (:func:`kept_nowhere_note`)."""
        if self.isVisible() and self._unsaved_kept() \
                and not ask_discard(self, self.windowTitle(), informative=kept_nowhere_note(self)):
            return
        if self.autosaver is not None:  # closed with nothing to keep, or what was typed discarded
            self.autosaver.clear()
        super().reject()

    # --- the main window closes, the user signs out (``ui.session_switch``) -------------------------
    def _unsaved_kept(self) -> list[str]:
        """:meth:`unsaved`, unless those very values were discarded already (:meth:`confirm_discard_edits`);
        anything typed after that counts again."""
        if self._discarded is not None and self._values() == self._discarded:
            return []
        return self.unsaved()

    def save_pending_edits(self) -> bool:
        """Nothing is written on the way out: an item is stored only by its own buttons (Log item, Screen
        text, Record outcome, Reword reason), as the coordinator takes each step; a half-typed letter or an
        outcome not yet recorded must not be stored as if complete. True when nothing is left unsaved."""
        return not (self._open and self._unsaved_kept())

    def confirm_discard_edits(self) -> bool:
        """Asked when the main window closes or the user signs out while this window holds something not
        saved: "Discard what you typed?", naming the item and the fields. *Keep editing* (the default)
        brings this window forward and returns False (the main window stays, the sign-out stops);
        *Discard* closes this window, nothing written, and returns True."""
        fields = self._unsaved_kept() if self._open else []
        if not fields:
            return True
        which = f"item {self.item_id}" if self.item_id is not None else "new item (not logged yet)"
        names = [FIELD_WORDS.get(f, f) for f in fields]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        are = len(names) > 1 or names[0] in PLURAL_FIELD_WORDS  # "the notes ... are", "the letter text ... is"
        # its draft stopped (the account changed since signing in): the note said then, saving is refused too
        unkept = kept_nowhere_note(self)
        if not ask_discard(self, f"Letterbox {which}, arrangement {self.reference}: not saved", informative=(
                f"The {listed} you typed for the {which} {'are' if are else 'is'} not saved. " + (unkept or (
                    "Keep editing brings its window forward to finish the item; Discard throws what was typed "
                    "away and closes it (nothing is written).")))):
            bring_forward(self, self._field_widget(fields[0]))
            return False
        self._discarded = self._values()
        self.reject()  # asks nothing now: what it holds was just discarded
        return True

    def _field_widget(self, key: str) -> QWidget:
        widgets: dict[str, QWidget] = {
            "direction": self.direction, "item_type": self.item_type, "channel": self.channel,
            "participant": self.participant, "writer": self.writer, "received_on": self.received_on,
            "notes": self.notes, "letter_text": self.text, "outcome": self.outcome, "outcome_on": self.outcome_on,
            "method": self.method, "reason": self.reason, "social_worker_informed": self.social_worker}
        return widgets.get(key, self.text)

    def text_not_stored(self) -> bool:
        """Whether the letter text on screen differs from the item's stored text (the text screened, whose
        findings are listed and which is forwarded). Compared as the editor holds text: it turns a
        no-break space into a space and a line or paragraph separator into a line break, so a stored text
        holding them would otherwise never match what is shown (second review)."""
        return self.detail is not None and as_edited(self.text.toPlainText()) != as_edited(self.detail.text)

    def _refuse_unscreened_text(self) -> bool:
        """Refuse a step that acts on the stored text while the window shows other text: the findings, the
        second check and the outcome are about the stored text, not the one on screen."""
        if not self.text_not_stored():
            return False
        self.say("The text on screen is not the text that was screened: press Screen text (Alt+X) to screen "
                 "it, or Show stored text (F5) to see the stored text. Nothing was recorded.", error=True)
        return True

    def show_stored_text(self) -> None:
        """Reload the item and show its text as stored, in place of the text on screen."""
        if self.item_id is None:
            return
        if self.text_not_stored() and self.text.toPlainText().strip() and not ask_discard(
                self, "Show stored text"):  # the text typed or pasted here is not kept anywhere else
            self.say("Your text is kept; nothing was changed.")
            return
        try:
            self.detail = service.get_item(self.ctx.db, self.ctx.principal, self.item_id)
        except AppError as exc:
            self.say(str(exc), error=True)
            return
        self.text.setPlainText(self.detail.text)
        self.reload(self.detail)  # as just read: F5 is one view of the item, recorded once
        self.say("The stored text is shown, with its findings.")
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def _birth_side(self) -> bool:
        return rules.writer_side(str(self.direction.currentData())) == rules.BIRTH

    def _fill_writers(self, chosen: int | None = None) -> None:
        """From (writer): the adopters (as one family) for an item from the adoptive side; for one from the
        birth side the arrangement's birth relatives, to be chosen when there are several (letters about
        the item go to the writer alone), the only one when there is one."""
        self.participant.clear()
        if not self._birth_side():
            self.participant.addItem("The adopters", None)
            self.participant.setEnabled(False)
            return
        choices = [c for c in self.writer_choices if c.active or c.id == chosen]
        # the only one is taken for the writer only when the arrangement has no other birth relative at all
        # (one no longer taking part may still write): otherwise someone chooses (service._writer agrees)
        only = len(self.writer_choices) == 1
        if (not only or len(choices) != 1) and not any(c.id == chosen for c in choices):
            self.participant.addItem("Choose who wrote it…" if choices else "No birth relative on the arrangement",
                                     None)
        for c in choices:
            self.participant.addItem(c.label + ("" if c.active else " (no longer taking part)"), c.id)
        index = self.participant.findData(chosen) if chosen is not None else -1
        self.participant.setCurrentIndex(max(0, index))
        self.participant.setEnabled(self.ctx.can(Permission.LETTERBOX_EDIT))

    def _chosen_writer(self) -> int | None:
        data = self.participant.currentData()
        return int(data) if data is not None else None

    def _writer_activated(self) -> None:
        """From (writer) was chosen. From its opened list (F4, Alt+Down, a click), the choice is saved; by an
        arrow key or the wheel on the closed box, it is asked about first (No is the default, and puts the
        stored writer back), as for Received by: a stray Down on a logged item saved another birth relative
        as its writer at once, and the letters about the item would have gone to them."""
        from_list, self.participant.from_list = self.participant.from_list, False
        chosen = self._chosen_writer()
        if self.item_id is None or self.detail is None or chosen is None or chosen == self.detail.participant_id:
            return
        if not from_list:
            stored_id = self.detail.participant_id
            stored = next((c.label for c in self.writer_choices if c.id == stored_id), None)
            instead = f" instead of {stored}" if stored else ""
            if not ask_yes_no(self, "From (writer)", f"Record {self.participant.currentText()} as the writer of item "
                              f"{self.item_id}{instead}?", yes="&Record them",
                              no=f"&No, keep {stored}" if stored else "&No, leave it unrecorded",
                              name="writer_question",
                              informative="The writer is saved at once and written to the item's history; letters "
                                          "about the item go to them alone."):
                self._fill_writers(stored_id)  # the stored writer shown again (or "Choose who wrote it…")
                self.say(f"From (writer): not changed (still {stored or 'not recorded'}).")
                return
        self._writer_chosen()

    def _writer_chosen(self) -> None:
        """On a logged item, a new choice of writer is saved at once (checked against the version shown)."""
        chosen = self._chosen_writer()
        if self.item_id is None or self.detail is None or chosen is None or chosen == self.detail.participant_id:
            return
        item_id, version = self.item_id, self.detail.row_version
        self._run(f"From (writer): {self.participant.currentText()}. Letters about the item go to them.",
                  lambda: service.set_item_writer(self.ctx.db, self.ctx.principal, item_id, chosen,
                                                  expected_version=version))

    def _show_outcome(self, d: ItemDetail) -> None:
        """An item with an outcome shows what was recorded (not the defaults for a new outcome)."""
        self.outcome.setCurrentIndex(self.outcome.findData(d.status))
        if d.outcome_on is not None:
            self.outcome_on.setDate(qdate(d.outcome_on))
        self._on_default.discard("outcome_on")
        self.method.setText(d.method)
        self.reason.setPlainText(d.reason)
        self.social_worker.setChecked(d.social_worker_informed)

    def highlighted(self) -> list[tuple[int, int, str]]:
        """(start, end, text) of every highlighted span in the letter text (what the user sees)."""
        out = []
        for sel in self.text.extraSelections():
            c = sel.cursor
            out.append((c.selectionStart(), c.selectionEnd(), c.selectedText()))
        return out

    def _highlight(self, findings: tuple[FindingRow, ...]) -> None:
        selections = []
        text = self.text.toPlainText()
        at = utf16_positions(text)
        for f in findings:
            if text[f.start:f.end] != f.text:
                continue  # the text was edited after screening: screen again
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(KIND_COLOURS.get(f.kind, "#FFD580") if f.decision == "remove" else "#D7F0D2"))
            fmt.setForeground(QColor("#000000"))  # dark text on the light highlight, whatever the palette
            fmt.setToolTip(f"{f.kind}: {f.decision}" + (f"\n{f.reason}" if f.reason else ""))
            if f.decision == "remove":
                fmt.setFontUnderline(True)
            sel.format = fmt
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(at(f.start))
            cursor.setPosition(at(f.end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            selections.append(sel)
        self.text.setExtraSelections(selections)

    def _select_text(self, f: FindingRow) -> None:
        cursor = self.text.textCursor()
        at = utf16_positions(self.text.toPlainText())
        cursor.setPosition(at(f.start))
        cursor.setPosition(at(f.end), QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def say(self, text: str, *, error: bool = False) -> None:
        """Show a message under the buttons: red for an error or a refusal, the normal text colour for
        progress (what happened, what to do next)."""
        error_tint(self.message, error)
        self.message.setText(text)
        keep_label_whole(self.message)
        if self._shown:
            # a message of more lines takes its room from the form above it: the window grows for it where the
            # screen has the room (user trial at 1366×768: a new item screened in its window, "5 findings
            # highlighted; …" on two lines, and the form scrolled, Put a mistake right… cut at its foot).
            # Once the layout has given the message its lines; never smaller (tall_enough).
            QTimer.singleShot(0, self, lambda: tall_enough(self, self._form_area))

    def _run(self, action: str, fn: Callable[[], object], *,
             after_conflict: str = " The item is shown as it is stored now: do it again if it is still needed."
             ) -> bool:
        try:
            fn()
        except Conflict as exc:  # someone else acted first: show the item as it is now, and who did what
            if self.item_id is not None:
                self.reload()
            self.say(conflict_text(exc) + (after_conflict if isinstance(exc, StaleRecord) else ""), error=True)
            return False
        except AppError as exc:
            self.say(str(exc), error=True)
            return False
        self.say("")
        self.reload()
        self._drafts_after_step()
        self.say(action)
        return True

    # --- actions ------------------------------------------------------------------------------
    def open_documents(self) -> QDialog | None:
        """The item's scans and e-mails (attach, read the text, redact, forward by e-mail)."""
        if self.item_id is None:
            self.say("Log the item first, then attach its scan or e-mail.", error=True)
            return None
        from adoption_desktop.letterbox.views.attachments_panel import AttachmentsPanel

        def use_text(text: str) -> None:
            self.text.setPlainText(text)
            self.screen_letter()

        status = self.detail.status if self.detail is not None else ""
        panel = AttachmentsPanel(self.ctx, self.item_id, on_text=use_text,
                                 outcome="" if status in rules.OPEN_STATUSES else status, parent=self)
        panel.finished.connect(lambda _r: self.reload())
        panel.show()
        self.documents = panel
        return panel

    def _corrected(self) -> None:
        if self.item_id is not None:
            self.corrected_requested.emit(self.item_id)

    def log(self) -> None:
        participant_id = self._chosen_writer()
        if self._birth_side() and participant_id is None and self.participant.count() > 1:
            self.say("From (writer): choose which birth relative wrote it (letters about the item go to them "
                     "alone).", error=True)
            self.participant.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        moved = self._follow_today()
        if moved:  # never yesterday's date unseen: the new one is shown, and saved on the next press
            self.say(f"{moved} Nothing was logged yet: press Log item again to log it.", error=True)
            self.received_on.setFocus()
            return

        direction, received = str(self.direction.currentData()), pydate(self.received_on.date())
        found = self._found_already(direction, received)
        if found and not self._log_another(found, direction, received):
            self.say("Not logged: the item was logged already (open it from the Items tab).")
            return

        def save(log_again: bool) -> int:
            return service.log_item(
                self.ctx.db, self.ctx.principal, self.arrangement_id, direction=direction,
                received_on=received, item_type=str(self.item_type.currentData()),
                writer=self.writer.text(), participant_id=participant_id, notes=self.notes.text(),
                previous_item_id=self.previous_item_id,
                channel=str(self.channel.currentData()), log_again=log_again)

        def go() -> None:
            try:
                self.item_id = save(log_again=bool(found))  # Log another was answered above
            except service.AlreadyLogged as exc:
                # someone logged it between the look above and this save (two coordinators at once): the
                # save refused it, and the same question is asked now
                if not self._log_another(exc.found, direction, received):
                    raise _NotLogged from exc
                self.item_id = save(log_again=True)

        try:
            logged = self._run("Item logged. Now paste its text and screen it.", go)
        except _NotLogged:
            self.say("Not logged: the item was logged already (open it from the Items tab).")
            return
        if logged:
            self.text.setFocus()

    def _found_already(self, direction: str, received: dt.date) -> list[service.LoggedAlready]:
        """Items like this one (the arrangement's, the same direction, received the same day) logged in the
        last few days, by anyone; none for a corrected version, which is never asked about. Advice only: the
        logging itself refuses a second one (``service.AlreadyLogged``) unless Log another was answered."""
        if self.previous_item_id is not None:
            return []
        try:
            return service.already_logged(self.ctx.db, self.ctx.principal, self.arrangement_id,
                                          direction=direction, received_on=received)
        except AppError:
            return []  # the logging itself says what is wrong

    def _log_another(self, found: list[service.LoggedAlready], direction: str, received: dt.date) -> bool:
        """Whether to log this item when one like it (``found``: the arrangement's, the same direction,
        received the same day) was logged in the last few days, by anyone: asked, No the default (keyboard
        trial: two coordinators logged one letter twice with no warning)."""
        last = found[0]
        side = "the birth family" if rules.writer_side(direction) == rules.BIRTH else "the adoptive family"
        more = f" ({plural(len(found), 'item')} like it in the last {service.ALREADY_LOGGED_DAYS} days)" \
            if len(found) > 1 else ""
        return ask_yes_no(
            self, "Log item", f"An item from {side} received {received:%d/%m/%Y} was already logged by "
            f"{last.logged_by} at {when_text(last.logged_at)} (item {last.item_id}){more}. Log another?",
            yes="&Log another", no="&No, do not log it", name="already_logged_question",
            informative="Log another only for a second letter that came the same day.")

    def _channel_activated(self) -> None:
        """Received by was chosen. From its opened list (F4, Alt+Down, a click), the choice is saved; by an
        arrow key or the wheel on the closed box, it is asked about first (No is the default, and puts the
        stored channel back): keyboard trial, a stray Down saved "secure e-mail", and Ctrl+Z did not take
        it back."""
        from_list, self.channel.from_list = self.channel.from_list, False
        if self.item_id is None or self.detail is None or self.detail.channel == self.channel.currentData():
            return
        if not from_list:
            label = contact.CHANNELS.get(str(self.channel.currentData()), "").lower()
            stored = contact.CHANNELS.get(self.detail.channel, self.detail.channel).lower()
            if not ask_yes_no(self, "Received by", f"Correct how item {self.item_id} was received: {label} "
                              f"instead of {stored}?", yes="&Correct it", no=f"&No, keep {stored}",
                              name="channel_question",
                              informative="The correction is saved at once and written to the item's history."):
                self.channel.setCurrentIndex(max(0, self.channel.findData(self.detail.channel)))
                self.say(f"Received by: not changed (still {stored}).")
                return
        self._channel_chosen()

    def _channel_chosen(self) -> None:
        """On a logged item, a new choice of channel is saved at once (checked against the version shown)."""
        if self.item_id is None or self.detail is None or self.detail.channel == self.channel.currentData():
            return
        item_id, version, channel = self.item_id, self.detail.row_version, str(self.channel.currentData())
        label = contact.CHANNELS[channel].lower()
        self._run(f"Channel corrected: received by {label}.", lambda: contact.set_item_channel(
            self.ctx.db, self.ctx.principal, item_id, channel, expected_version=version))

    def screen_letter(self) -> None:
        if self.item_id is None:
            self.say("Log the item first.", error=True)
            return
        item_id = self.item_id
        version = self.detail.row_version if self.detail is not None else None
        no_text = rules.no_words(self.text.toPlainText())
        kind = str(self.item_type.currentData() or "")
        by_eye = no_text and kind in rules.WORDED_TYPES
        if by_eye and not self._read_by_eye(kind):
            self.say(f"Not screened: type or paste the {kind}'s words above (or use the text of its scan: Paper "
                     "and e-mail…), then press Screen text.", error=True)
            self.text.setFocus(Qt.FocusReason.OtherFocusReason)
            return

        def go() -> None:
            service.screen_item(self.ctx.db, self.ctx.principal, item_id, self.text.toPlainText(),
                                expected_version=version, read_by_eye=by_eye)

        if not self._run("Screened.", go, after_conflict=""):
            if self.detail is not None and self.detail.row_version != version:
                # someone else screened or changed it meanwhile: their findings are shown now, the text
                # typed here is kept; screening again (knowingly) replaces theirs
                self.say(self.message.text() + " Their findings are shown; your text is kept here: press Screen "
                         "text again (Alt+X) to screen it instead, or Show stored text (F5) to see theirs.", error=True)
            return
        if self.detail is not None and self.text_not_stored():
            self.text.setPlainText(self.detail.text)  # as stored (cleaned): the findings' offsets are into it
            self._highlight(self.detail.findings)
        if self.detail and self.detail.findings:
            # the first finding chosen, so Mark acceptable (Alt+A) and Mark to be removed (Alt+V) act from the
            # letter's text at once (keyboard trial: they said "Choose a finding in the list first", and the
            # list, with no Alt key of its own, was five Tabs away)
            self.findings_view.selectRow(0)
            first = self.findings_model.row_at(0)
            if len(self.detail.findings) == 1:
                self.say(f"1 finding highlighted, '{first.text}', chosen in the list. Mark it acceptable (Alt+A) or "
                         "to be removed (Alt+V), or return the item to its writer.")
            else:
                self.say(f"{plural(len(self.detail.findings), 'finding')} highlighted; the first, '{first.text}', is "
                         "chosen in the list. Mark each acceptable (Alt+A) or to be removed (Alt+V): the next is then "
                         "chosen. Or return the item to its writer.")
        elif no_text:
            self.say(f"Recorded as read by eye: the {kind} has no text here to screen.")
        else:
            self.say("No identifying details found.")

    def _read_by_eye(self, kind: str) -> bool:
        """A letter or e-mail with no text typed, pasted or read from its scan: screened only when the
        coordinator says they read it themselves (a handwritten letter); its history then says so."""
        return ask_yes_no(self, "No text to screen", f"There is no text of this {kind} to screen. Did you read it "
                          "yourself and check it for anything that could identify or locate anyone?",
                          yes="&Yes, I read it myself", no="&No, I will add its words",
                          informative="Its history will say it was read by eye. To have it screened, type or paste "
                                      "its words (or use the text of its scan) instead.")

    def decide(self, decision: str) -> None:
        if self._refuse_unscreened_text():
            return
        from adoption_desktop.ui.list_keys import chosen_row

        chosen = chosen_row(self.findings_view)  # the selected finding, else the focused one
        if chosen is None or chosen >= self.findings_model.rowCount():
            self.say("Choose a finding in the list first.", error=True)
            return
        f = self.findings_model.row_at(chosen)
        done: list[UndoEntry | None] = []
        checked = self.detail.checked_by if self.detail is not None else ""
        if self._run(f"Marked {decision}.", lambda: done.append(lb_undo.decide_finding(
                self.ctx.db, self.ctx.principal, f.id, decision))) and done:
            self.ctx.did(done[0])
            if checked and self.detail is not None and not self.detail.checked_by:
                self.say(f"Marked {decision}. The second check by {checked} covered the findings as they were "
                         "decided then, so it no longer stands: ask for it again before recording the outcome.")
            row = next((n for n, r in enumerate(self.findings_model.rows()) if r.id == f.id), None)
            if row is not None:
                # the next finding chosen, so Alt+A / Alt+V go down the list without leaving the letter
                following = row + 1 if row + 1 < self.findings_model.rowCount() else row
                self.findings_view.selectRow(following)
                if following != row and not (checked and self.detail is not None and not self.detail.checked_by):
                    after = self.findings_model.row_at(following)
                    self.say(f"Marked {decision}: '{f.text}'. Chosen next: '{after.text}' ({after.kind}).")

    def _after_undo(self, entry: UndoEntry) -> None:
        """An undo changed a finding (or the item) shown here: show it as stored now."""
        if entry.area == lb_undo.AREA and self.item_id is not None and self.isVisible():
            self.reload()
            # the line under the buttons said what was just done ("Marked acceptable.") after it was undone
            # (letterbox trial): it says what the undo did, as the status bar does
            said = self.ctx.status_messages[-1] if self.ctx.status_messages else f"Undone: {entry.label}."
            self.say(f"{said} The item is shown as it is now.")

    def record_outcome(self) -> None:
        if self.item_id is None:
            return
        if self._refuse_unscreened_text():
            return
        moved = self._follow_today()
        if moved:  # never yesterday's date unseen: the new one is shown, and recorded on the next press
            self.say(f"{moved} Nothing was recorded yet: press Record outcome again to record it.", error=True)
            self.outcome_on.setFocus()
            return
        item_id = self.item_id
        outcome = str(self.outcome.currentData())
        words = {"forwarded": "Forward this item", "returned": "Return this item to its writer",
                 "withheld": "Withhold this item", "held": "Hold this item on file"}

        def record(check_only: bool = False) -> None:
            service.record_outcome(
                self.ctx.db, self.ctx.principal, item_id, outcome, pydate(self.outcome_on.date()),
                method=self.method.text(), reason=self.reason.toPlainText(),
                social_worker_informed=self.social_worker.isChecked(),
                expected_version=self.detail.row_version if self.detail is not None else None, check_only=check_only)

        typed = self._typed_outcome()
        try:  # what would refuse it is said before the person is asked to confirm something final
            record(check_only=True)
        except Conflict as exc:  # someone else acted first: show the item as it is now
            self._outcome_refused(exc, outcome, typed)
            return
        except AppError as exc:  # what they typed stays; the refusal says what to do
            self.say(str(exc), error=True)
            self._focus_field_of(exc)
            return
        if not confirm_final(self, "Record the outcome", f"{words.get(outcome, outcome)} (item {item_id})?\n\n"
                             "An outcome is final: it cannot be undone or changed afterwards. If it turns out to be "
                             "a mistake, add a correction note to the item (Put a mistake right…) saying what was "
                             "done about it."):
            self.say("Nothing recorded.")
            return
        try:
            record()
        except Conflict as exc:
            # someone else recorded an outcome (or changed the item) between the check above and the answer
            # Yes (two coordinators at once): the same as a refusal before the question, what was typed kept
            self._outcome_refused(exc, outcome, typed)
            return
        except AppError as exc:
            self.say(str(exc), error=True)
            return
        self.say("")
        self.reload()
        self._drafts_after_step()
        self.say(f"Outcome recorded: {outcome}.")
        # the field that had the keyboard is greyed out now, and Qt gave it to the next it could: "Put a mistake
        # right (Z)…", whose menu Space opened by accident (keyboard trial). Close is safe: the message above
        # it says what was recorded, and Space or Enter there only closes the window
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_field_of(self, exc: AppError) -> None:
        """The focus to the outcome's field a refusal names ("Social worker informed: … tick the box"), so the
        keyboard is where the fix is typed (keyboard trial: it stayed on the Reason, the box out of reach but by
        Tab or its Alt key, which the message did not give)."""
        fields: dict[str, QWidget] = {"outcome": self.outcome, "on": self.outcome_on, "method": self.method,
                                      "reason": self.reason, "social_worker_informed": self.social_worker}
        widget = fields.get(exc.field or "") if isinstance(exc, ValidationError) else None
        if widget is not None and widget.isEnabled():
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _typed_outcome(self) -> dict[str, str]:
        """What was typed for an outcome (its reason and method), to quote if a refusal replaces it."""
        return {"reason": self.reason.toPlainText().strip(), "method": self.method.text().strip()}

    def _kept_text(self, typed: dict[str, str]) -> str:
        """The typed reason and method, quoted where the window no longer shows them (the item was reloaded
        with a colleague's outcome in their place): "The reason you typed was: “…”."."""
        kept = []
        if typed.get("reason") and self.reason.toPlainText().strip() != typed["reason"]:
            kept.append(f" The reason you typed was: \u201c{typed['reason']}\u201d.")
        if typed.get("method") and self.method.text().strip() != typed["method"]:
            kept.append(f" The method you typed was: \u201c{typed['method']}\u201d.")
        return "".join(kept)

    def _outcome_refused(self, exc: Conflict, outcome: str, typed: dict[str, str]) -> None:
        """Record outcome refused because someone else acted first: the item is shown as it is now, the
        refusal says who did what, what was typed is quoted (the window now shows the stored outcome), and
        an item that has gone out although this coordinator found a reason to keep it back is said plainly,
        with what to do (user trial: a Return's reason vanished when a colleague forwarded the item)."""
        said = conflict_text(exc) + (" The item is shown as it is stored now: check it, then record the outcome "
                                     "again if it is still right." if isinstance(exc, StaleRecord) else "")
        self.reload()
        now = self.detail.status if self.detail is not None else ""
        if now == "forwarded" and outcome in ("returned", "withheld"):
            why = "return it to its writer" if outcome == "returned" else "withhold it"
            said += (f" The item has already been forwarded, although you found a reason to {why}. Tell the "
                     "letterbox manager today, with your reason, so they can decide what to do about what was "
                     "sent, and add a correction note to the item saying so (Put a mistake right…).")
        self.say(said + self._kept_text(typed), error=True)

    def reword_reason(self) -> None:
        """Save the reason of a returned item as reworded in Reason (checked against the version shown and
        for the other side's details, as when it was returned); undoable."""
        if self.item_id is None or self.detail is None or self.detail.status != "returned":
            return
        if self.reason.toPlainText().strip() == self.detail.reason:
            self.say("Reason: reword it first, then press Reword reason.", error=True)
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        item_id, version, reason = self.item_id, self.detail.row_version, self.reason.toPlainText()
        typed = {"reason": reason.strip()}
        done: list[UndoEntry | None] = []
        if self._run("Reason reworded. Make the returned letter again (Letters → Returned for changes).",
                     lambda: done.append(lb_undo.reword_return_reason(
                         self.ctx.db, self.ctx.principal, item_id, reason, expected_version=version)[1])):
            if done and done[0] is not None:
                self.ctx.did(done[0])
        else:
            # a colleague's save meanwhile: the window shows their reason now; the rewording typed here is
            # quoted, to reword it again from (it was lost from sight)
            kept = self._kept_text(typed).replace("The reason you typed was", "The rewording you typed was")
            if kept:
                self.say(self.message.text() + kept, error=True)
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_reason(self) -> None:
        """Open at the reason, to reword it (the returned letter was refused because of it)."""
        self.say("The returned letter was refused: its reason names the other side. Reword Reason and press "
                 "Reword reason (Alt+W).", error=True)
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        self.reason.selectAll()

    def second_check(self) -> None:
        if self.item_id is None or self._refuse_unscreened_text():
            return
        item_id, version = self.item_id, self.detail.row_version if self.detail is not None else None
        self._run("Second check confirmed.", lambda: service.confirm_second_check(
            self.ctx.db, self.ctx.principal, item_id, expected_version=version))
