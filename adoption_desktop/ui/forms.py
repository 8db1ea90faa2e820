"""The one way screens are built from Qt Designer files: ``forms/NAME.ui`` loaded at run time.

    form = load_form("login_dialog", parent)
    name = child(form, QLineEdit, "username")

A dialog built around a form uses ``load_dialog_form(self, NAME)``: the form laid out with the dialog's
normal margins, and its window title taken from the form.

``child`` raises a clear error when a widget is missing, so a renamed widget fails a test at once.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice, QObject, QSize, Qt
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QDialog, QPlainTextEdit, QTableView, QVBoxLayout, QWidget

from adoption_desktop.core.resources import form_path
from adoption_desktop.ui.table_view import show_cut_text

W = TypeVar("W", bound=QObject)


#: the lines of text a compact view asks for (its preferred height; it still grows with its window)
COMPACT_LINES = 6


class CompactPlainTextEdit(QPlainTextEdit):
    """A text box that asks for :data:`COMPACT_LINES` lines of height, not Qt's 192 pixels; its layout's
    stretch gives it the rest of the window. A form asks for one as a promoted ``QPlainTextEdit`` (``class=
    "CompactPlainTextEdit"``, see ``forms/letterbox_item.ui``): in a scroll area a form is given its preferred
    height, so three views of 192 pixels made the letterbox item window scroll at 1366×768."""

    def sizeHint(self) -> QSize:  # noqa: N802
        margin = round(self.document().documentMargin())
        height = COMPACT_LINES * self.fontMetrics().lineSpacing() + 2 * (self.frameWidth() + margin)
        return QSize(super().sizeHint().width(), height)


class CompactTableView(QTableView):
    """A table that asks for :data:`COMPACT_LINES` lines of height (its titles and a few rows), not Qt's 192
    pixels, as :class:`CompactPlainTextEdit` does; it scrolls its rows and grows with its window."""

    def sizeHint(self) -> QSize:  # noqa: N802
        height = COMPACT_LINES * self.fontMetrics().lineSpacing() + 2 * self.frameWidth()
        return QSize(super().sizeHint().width(), height)


#: the promoted classes a form may name (``<customwidgets>``), made by the loader
_PROMOTED: dict[str, type[QWidget]] = {"CompactPlainTextEdit": CompactPlainTextEdit,
                                       "CompactTableView": CompactTableView}


class _Loader(QUiLoader):
    """Builds every ``QDateEdit`` of a form as a :class:`~adoption_desktop.ui.dates.DateEdit` (dates typed
    as DD/MM/YYYY are read as typed), the ``QLabel`` named ``message`` as a
    :class:`~adoption_desktop.ui.accessibility.MessageLine` (a screen reader says what it shows), the promoted classes of :data:`_PROMOTED` (compact views), and every
    ``QPlainTextEdit`` without a sideways scroll bar: its lines wrap at the box's width, yet a box laid out
    narrow before the window first showed kept an empty scroll bar under its text (a form that turns
    wrapping off sets the policy back in its properties)."""

    def createWidget(self, class_name: str, parent: QWidget | None = None, name: str = "") -> QWidget:  # noqa: N802
        if class_name == "QLabel" and name == "message":  # the form's message line: what it says is announced
            from adoption_desktop.ui.accessibility import MessageLine

            line = MessageLine(parent=parent)
            line.setObjectName(name)
            return line
        if class_name == "QDateEdit":
            from adoption_desktop.ui.dates import DateEdit

            widget = DateEdit(parent=parent)
            widget.setObjectName(name)
            return widget
        promoted = _PROMOTED.get(class_name)
        made = super().createWidget(class_name, parent, name) if promoted is None else promoted(parent)
        if promoted is not None:
            made.setObjectName(name)
        if isinstance(made, QPlainTextEdit):
            made.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return made


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    path = form_path(name)
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(f"form {path} cannot be opened")
    try:
        widget = _Loader().load(file, parent)
    finally:
        file.close()
    if widget is None:
        raise RuntimeError(f"form {path} could not be loaded")
    for table in widget.findChildren(QTableView):  # a cell cut short reads whole on hover, as in every list
        show_cut_text(table)
    _tint_message_lines(widget)
    return widget


def _tint_message_lines(form: QWidget) -> None:
    """A message line's colour fixed in the form (``color: #B00020;``) read at 2.9:1 on High Contrast's
    black: it becomes :func:`~adoption_desktop.ui.palette.tint_style` of that colour, the palette's own text
    colour where the fixed one would not read at 4.5:1."""
    from adoption_desktop.ui.accessibility import MessageLine
    from adoption_desktop.ui.palette import tint_style

    for line in form.findChildren(MessageLine):
        sheet = line.styleSheet()
        if sheet.startswith("color:") and sheet.count(";") <= 1:
            line.setStyleSheet(tint_style(sheet.removeprefix("color:").strip().rstrip(";").strip(), line))


def load_dialog_form(dialog: QDialog, name: str) -> QWidget:
    """``forms/NAME.ui`` as the body of ``dialog``: laid out with the dialog's own margins (text never
    touches the window edge) and the form's window title; set another title afterwards if needed."""
    form = load_form(name, dialog)
    dialog.setWindowTitle(form.windowTitle())
    layout = QVBoxLayout(dialog)
    layout.addWidget(form)
    return form


def child(form: QObject, kind: type[W], name: str) -> W:
    found = form.findChild(kind, name)
    if found is None:
        raise LookupError(f"form has no {kind.__name__} named {name!r}")
    return found
