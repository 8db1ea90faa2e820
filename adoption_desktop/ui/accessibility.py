"""Every control and view has an accessible name (and a description) for screen readers.

Qt names a button from its text and a field from its buddy label; what is left — a search box with only
a hint, a filter combo, a table — gets a name here, from (in order) its form label, its hint
(placeholder), its tooltip, or its object name in words. Views also get a description: what the
columns are. :func:`name_everything` runs on every page the main window opens and (through
:class:`DialogNamer`, an application event filter) on every dialog as it is shown; it also keeps a tab bar's
scroll arrows out of Tab's way (:func:`arrows_take_no_focus`) and takes a label's Alt letter away while its
field is greyed out (:func:`letter_follows_field`).

A message that appears on a line of the window (a refusal under a form, "Saved.", the status bar) is
*announced* (:func:`announce`): a screen reader says it without the user going to look for it. Message
lines are :class:`MessageLine` labels (a form's ``QLabel`` named ``message`` is made one by
``forms.load_form``); the main window's status bar announces each message it shows.
"""

from __future__ import annotations

import re
from itertools import pairwise

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QKeyEvent, QShowEvent
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QToolButton,
    QWidget,
)

INTERACTIVE = (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit,
               QPlainTextEdit, QTextEdit, QTabBar)


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader announces (Qt's own, from text or buddy label, or the one set)."""
    if widget.accessibleName():
        return widget.accessibleName()
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name) if iface is not None and iface.isValid() else ""


def announce(widget: QWidget, text: str) -> None:
    """Have a screen reader say ``text`` now, after what it is saying (Qt's announcement event: UI
    Automation's notification on Windows, which NVDA, JAWS and Narrator read). Markup is left out."""
    said = " ".join(re.sub(r"<[^>]+>", "", re.sub(r"<(br|/p|/li)\b[^>]*>", " ", text)).split())
    if not said:
        return
    event = QAccessibleAnnouncementEvent(widget, said)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
    if not _SAID_NOW:
        QTimer.singleShot(0, _SAID_NOW.clear)
    _SAID_NOW.append(said)


#: what was announced since the event loop last ran (:func:`said_just_now`)
_SAID_NOW: list[str] = []


def said_just_now(text: str) -> bool:
    """``text`` was part of an announcement made by the same key press or click (a page's line said
    "Removed agenda item …" before the undo notice comes to say it again)."""
    return any(text in said for said in _SAID_NOW)


class MessageLine(QLabel):
    """A window's message line: each new text set on it is announced (:func:`announce`), so a screen reader
    user hears the refusal under a form, or "Saved.", without hunting for it; text set while the window is
    not yet shown is announced when it is. Clearing it says nothing. With ``says_changes=False`` only the
    first text is announced (when the window is shown): a line that changes at each keystroke (Search
    everywhere's count) is announced by its window, when the typing pauses."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, says_changes: bool = True) -> None:
        super().__init__(text, parent)
        self._unsaid = text
        self._says_changes = says_changes

    def setText(self, text: str) -> None:  # noqa: N802
        changed = text != self.text()
        super().setText(text)
        if changed and self._says_changes:
            self._unsaid = text
            self._say()

    def _say(self) -> None:
        if self._unsaid and self.window().isVisible():
            text, self._unsaid = self._unsaid, ""
            announce(self, text)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        QTimer.singleShot(0, self, self._say)  # after the window's own announcement of itself


def tab_in_order(*widgets: QWidget) -> None:
    """Tab takes ``widgets`` in this order: the order the eye reads them (the row above a list left to
    right, then the list, then the details beside it), whatever order they were made in."""
    for before, after in pairwise(widgets):
        QWidget.setTabOrder(before, after)


def box_buttons(box: QDialogButtonBox) -> list[QWidget]:
    """A button row's buttons as they stand, left to right (the platform's order, not the order they were made
    in): what :func:`tab_in_order` takes last in a dialog, after fields made in code."""
    layout = box.layout()
    if layout is None:
        return []
    found = (item.widget() for i in range(layout.count()) if (item := layout.itemAt(i)) is not None)
    return [w for w in found if isinstance(w, QAbstractButton)]


def _words(name: str) -> str:
    text = re.sub(r"[_\-]+", " ", name).strip()
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    return text[:1].upper() + text[1:].lower() if text else ""


def _form_label(widget: QWidget) -> str:
    parent = widget.parentWidget()
    layout = parent.layout() if parent is not None else None
    if isinstance(layout, QFormLayout):
        label = layout.labelForField(widget)
        if isinstance(label, QLabel):
            return label.text().replace("&", "").rstrip(":")
    return ""


#: the dynamic property :func:`name_everything` sets on a field it had to name from its object name (a
#: programmer's word: "Received apr") or a list it could only call "List" (a list's tooltip says how to use
#: it, not what it is, and is never taken for its name): a screen reader announces that,
#: and the walk tests (``tests/ui/walk.py``) count it as unnamed. Give it a buddy label or an accessible name.
WEAK_NAME = "adk_weak_accessible_name"


def _derived(widget: QWidget) -> tuple[str, bool]:
    """The name to give ``widget`` and whether it is weak (a field's object name, or "List")."""
    if isinstance(widget, QLineEdit) and widget.parent() is not None and isinstance(widget.parent(), QComboBox | QAbstractSpinBox):
        return "", False
    if isinstance(widget, QAbstractButton) and isinstance(widget.parent(), QLineEdit):
        return "Clear", False  # a field's clear button (setClearButtonEnabled)
    # a list's tooltip says how to use it ("Enter or a double-click on a figure lists…"): taken for its name,
    # the screen reader announced that sentence for what the list is
    tooltip = "" if isinstance(widget, QAbstractItemView) else widget.toolTip()
    for text in (_form_label(widget), getattr(widget, "placeholderText", lambda: "")(), tooltip):
        if text:
            return re.sub(r"<[^>]+>", "", text).split("\n")[0][:80], False
    if widget.objectName() and not widget.objectName().startswith("qt_"):
        # a list's object name reads as its name ("Agenda", "Caseload"); a field's is a programmer's word
        # where its label should be ("Received apr" beside "Adoption Placement Report")
        return _words(widget.objectName()), not isinstance(widget, QAbstractItemView)
    if isinstance(widget, QAbstractItemView):
        return "List", True
    if isinstance(widget, QAbstractSlider):
        return ("Vertical scroll bar" if widget.orientation() == Qt.Orientation.Vertical else "Horizontal scroll bar"), False
    return "", False


def derived_name(widget: QWidget) -> str:
    return _derived(widget)[0]


def view_description(view: QAbstractItemView) -> str:
    model = view.model()
    if model is None:
        return ""
    horizontal = Qt.Orientation.Horizontal
    try:
        count = model.columnCount(QModelIndex())
    except TypeError:  # a list model (PySide6 keeps its columnCount private): no column titles
        return "Arrow keys move between rows."
    """What a screen reader says a list holds beyond its name: its column titles, and how to move in it."""
    titles = [str(model.headerData(c, horizontal)) for c in range(count)
              if model.headerData(c, horizontal)]
    return ("Columns: " + ", ".join(titles) + ". Arrow keys move between rows.") if titles else \
        "Arrow keys move between rows."


class _TabLeavesEmptyDate(QObject):
    """Qt keeps Tab inside a date edit that shows its "not set" text (it has no day, month and year to
    step through): Tab and Shift+Tab move on from it, like from any other field."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QDateTimeEdit) \
                or not isinstance(event, QKeyEvent) or event.key() not in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) \
                or event.modifiers() & Qt.KeyboardModifier.ControlModifier \
                or not watched.specialValueText() or watched.dateTime() != watched.minimumDateTime():
            return False
        forward = event.key() == Qt.Key.Key_Tab and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        target = watched.nextInFocusChain() if forward else watched.previousInFocusChain()
        while target is not None and target is not watched:
            if (target.focusPolicy() & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus \
                    and target.isVisible() and target.isEnabled() and not watched.isAncestorOf(target) \
                    and target.window() is watched.window() and target.focusProxy() is None:
                target.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
                return True
            target = target.nextInFocusChain() if forward else target.previousInFocusChain()
        return False


def _name_from_label(text: str) -> str:
    """What Qt names a field after its label's ``text``: each ``&`` marking a letter left out (``&&`` is one)."""
    return re.sub(r"&(.)", r"\1", text)


def without_mnemonic(text: str) -> str:
    """``text`` with its Alt letter taken away ("Initial &password" -> "Initial password"; a key named for it,
    "Votes against (Alt+&X)", goes with it, as do other Alt keys named in brackets for the field, "Outcome
    (Alt+1…3)"); a literal ``&&`` stays."""
    text = re.sub(r"\s*\(Alt\+[^()]*\)", "", text)
    return re.sub(r"&(.)", lambda m: "&&" if m.group(1) == "&" else m.group(1), text)


class _LetterFollowsField(QObject):
    """A label's Alt letter lives while its field (buddy) is enabled: greyed out, the label shows its text
    without the letter (and without the Alt keys it names for the field, which do nothing then), so no
    Alt+letter leads to a field that cannot take the keyboard (the User roles dialog's Alt+P and Alt+C went to
    greyed password fields, a signed ADM decision's Alt+O to its greyed outcome). The label keeps its colour: it
    is still read beside the field's value.

    A screen reader names the field after its label: where the label loses more than its letter (a key named for
    it, "Votes against (Alt+&X)"), the field is given the name it had, so that name does not change with its
    state (a field given a name of its own keeps it)."""

    def __init__(self, label: QLabel, buddy: QWidget) -> None:
        super().__init__(label)
        self._label = label
        self._own = ""  # the label's own text while its letter is away
        self._shown = ""  # what it shows meanwhile
        self._named = ""  # the name given to the field meanwhile
        buddy.installEventFilter(self)
        self.follow(buddy)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.EnabledChange and isinstance(watched, QWidget):
            self.follow(watched)
        return False

    def follow(self, buddy: QWidget) -> None:
        label = self._label
        if self._own and label.text() != self._shown:  # its owner gave it a new text meanwhile
            self._own = ""
            self._unname(buddy)
        if buddy.isEnabled():
            if self._own:
                own, self._own = self._own, ""
                label.setText(own)
                self._unname(buddy)
        elif not self._own and (shown := without_mnemonic(label.text())) != label.text():
            self._own, self._shown = label.text(), shown
            name = _name_from_label(self._own)
            if not buddy.accessibleName() and _name_from_label(shown) != name and accessible_name(buddy) == name:
                self._named = name  # named after its label (a list box on Linux is named after its value)
                buddy.setAccessibleName(name)
            label.setText(shown)

    def _unname(self, buddy: QWidget) -> None:
        if self._named and buddy.accessibleName() == self._named:
            buddy.setAccessibleName("")  # named after its label again, as Qt does
        self._named = ""


def letter_follows_field(label: QLabel) -> None:
    """Take ``label``'s Alt letter away while its buddy is greyed out, and give it back when it is enabled
    (once per label; :func:`name_everything` does it for every page and dialog)."""
    buddy = label.buddy()
    rich = label.textFormat() == Qt.TextFormat.RichText or (label.textFormat() == Qt.TextFormat.AutoText
                                                            and GuiQt.mightBeRichText(label.text()))
    if buddy is not None and not rich and label.findChild(_LetterFollowsField) is None:  # rich text: no letter
        _LetterFollowsField(label, buddy)


def arrows_take_no_focus(bar: QTabBar) -> None:
    """The scroll arrows Qt shows at the end of a tab bar whose tabs do not all fit are no Tab stops: a keyboard
    user landed on a tiny button showing no text (the ADM decision pane's tabs). The tabs stay reachable as Qt
    makes them: the tab bar takes the focus, its arrow keys and Ctrl+Tab change the tab."""
    for arrow in bar.findChildren(QToolButton):
        if arrow.parentWidget() is bar:
            arrow.setFocusPolicy(Qt.FocusPolicy.NoFocus)


def name_everything(root: QWidget) -> None:
    if isinstance(root, QInputDialog):  # Qt's input dialog: its one field is named by its question
        for field in root.findChildren(QWidget):
            if isinstance(field, QLineEdit | QPlainTextEdit | QAbstractSpinBox | QComboBox | QListView) \
                    and not isinstance(field.parent(), QComboBox | QAbstractSpinBox) and not field.accessibleName():
                field.setAccessibleName(root.labelText().replace("&", "").split("\n")[0][:80])
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QTabBar):
            arrows_take_no_focus(widget)
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            letter_follows_field(widget)
        if isinstance(widget, QAbstractItemView) and _read_only(widget):
            widget.setTabKeyNavigation(False)  # a list to read: arrows move in it, Tab moves on
        if isinstance(widget, QDateTimeEdit) and widget.findChild(_TabLeavesEmptyDate) is None:
            widget.installEventFilter(_TabLeavesEmptyDate(widget))
        if not isinstance(widget, INTERACTIVE):
            continue
        if not accessible_name(widget):
            name, weak = _derived(widget)
            if name:
                widget.setAccessibleName(name)
                widget.setProperty(WEAK_NAME, name if weak else None)
        elif widget.property(WEAK_NAME) and widget.accessibleName() != widget.property(WEAK_NAME):
            widget.setProperty(WEAK_NAME, None)  # named since (setAccessibleName after the first walk)
        if not widget.accessibleDescription():
            if isinstance(widget, QAbstractItemView):
                widget.setAccessibleDescription(view_description(widget))
            elif widget.toolTip():
                widget.setAccessibleDescription(re.sub(r"<[^>]+>", "", widget.toolTip())[:200])
            elif isinstance(widget, QLineEdit) and widget.placeholderText():
                widget.setAccessibleDescription(widget.placeholderText())


def _after_show(dialog: QDialog) -> None:
    from adoption_desktop.ui.fit import keep_on_screen

    name_everything(dialog)
    keep_on_screen(dialog)


def _read_only(view: QAbstractItemView) -> bool:
    if view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers:
        return True
    model = view.model()
    if model is None or model.rowCount() == 0:
        return True
    return not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


class DialogNamer(QObject):
    """Names the controls of every dialog as it is shown and fits it to its screen (``fit.fit_dialog``);
    installed on the application."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Show and isinstance(watched, QDialog):
            from adoption_desktop.ui.fit import fit_dialog

            name_everything(watched)
            if not isinstance(watched, QMessageBox):
                # a message box sizes itself in its showEvent, after this: fitted before, it was made as
                # wide as its text unwrapped and then cut to Qt's width limit, the text running off its
                # right edge (a long "Use only: ${…}, ${…}" error); it is kept on the screen just after
                fit_dialog(watched)
            # what the dialog does in its own showEvent (a message box sizes itself, adds scroll bars) is
            # named and kept on the screen next
            QTimer.singleShot(0, watched, lambda d=watched: _after_show(d))
        return False
