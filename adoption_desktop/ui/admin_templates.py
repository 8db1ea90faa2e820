"""Administration: the agency profile (letterhead) and the letter and minutes templates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop import template_admin as ta
from adoption_desktop.core.agency_profile import (
    AREA_LABELS,
    AREAS,
    LOGO_MAX_PX,
    AgencyProfile,
    agency_profile,
    heading_not_set,
    locked_fields,
    logo_render_size,
    profile_versions,
    set_agency_logo,
)
from adoption_desktop.core.errors import AppError, ValidationError
from adoption_desktop.core.files import windows_safe_name
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.discard import ask_discard
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.table_model import ROW_ROLE, Column, RowTableModel
from adoption_desktop.ui.table_view import make_table_view
from adoption_desktop.ui.wrap_row import WrapRow


def svg_to_png(data: bytes, height: int = LOGO_MAX_PX) -> bytes:
    """Rasterise an SVG logo with Qt's QSvgRenderer (QtSvg ships in pyside6-essentials)."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        raise ValidationError("Logo: the SVG file cannot be read; export it again or use a PNG.", "logo")
    size = renderer.defaultSize()
    # its size and shape checked first: 100,000,000 × 1 would be billions of pixels wide (QImage: SystemError)
    width, height = logo_render_size(size.width(), size.height(), height)
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    if image.isNull():
        raise ValidationError(f"Logo: the SVG could not be drawn ({width:,} × {height:,} pixels); export it "
                              "again as PNG and choose that. The logo on letters was not changed.", "logo")
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise ValidationError("Logo: the SVG could not be turned into a PNG; export it again as PNG and "
                              "choose that. The logo on letters was not changed.", "logo")
    return bytes(buffer.data().data())


#: the box the logo's preview is fitted in (pixels), its shape kept
LOGO_PREVIEW = QSize(240, 48)


class ProfileTab(QWidget):
    """Name, address, contact details, team names, data-protection line and logo of every letter."""

    TEXT_FIELDS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("name", "Agency name"), ("legal_name", "Legal name (if different)"), ("telephone", "Telephone"),
        ("email", "E-mail"), ("website", "Website"), ("data_protection", "Data-protection line"),
        *((f"team_{a}", f"Team name: {AREA_LABELS[a]}") for a in AREAS))

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.setObjectName("agency_profile_tab")
        self.ctx = ctx
        self.edits: dict[str, QLineEdit] = {}
        layout = QVBoxLayout(self)
        note = QLabel("What heads every letter and the minutes. Every change is audited. A field IT "
                      "has set by policy cannot be changed here.")
        note.setWordWrap(True)  # wraps on a narrow or scaled screen rather than widening the page
        layout.addWidget(note)
        # a new database: the name and address are the shipped example until saved here (or set by IT)
        self.example_note = QLabel()
        self.example_note.setObjectName("example_note")
        self.example_note.setWordWrap(True)
        error_tint(self.example_note)
        self.example_note.setVisible(False)
        layout.addWidget(self.example_note)
        form = QFormLayout()
        for name, label in self.TEXT_FIELDS[:2]:
            self.edits[name] = QLineEdit()
            form.addRow(label, self.edits[name])
        self.address = QPlainTextEdit()
        self.address.setObjectName("address")
        self.address.setFixedHeight(80)
        form.addRow("Postal address", self.address)
        for name, label in self.TEXT_FIELDS[2:]:
            self.edits[name] = QLineEdit()
            self.edits[name].setObjectName(name)
            form.addRow(label, self.edits[name])
        self.logo = QLabel("(no logo)")
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo)
        for text, slot in (("Choose &logo… (PNG or SVG)", self.choose_logo), ("&Remove logo", self.remove_logo)):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, f=slot: f())
            logo_row.addWidget(b)
        logo_row.addStretch(1)
        form.addRow("Logo", logo_row)
        layout.addLayout(form)
        save = QPushButton("Sa&ve profile")
        save.setObjectName("save_profile")
        save.clicked.connect(self.save)
        layout.addWidget(save, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.versions: dict[str, int] = {}
        self.loaded: AgencyProfile | None = None
        self.refresh()
        ctx.after_undo.append(lambda entry: self.refresh() if entry.area in ('', 'admin') else None)

    def refresh(self) -> None:
        with self.ctx.db.session(self.ctx.principal, write=False) as session:
            p = agency_profile(session)
            self.versions = profile_versions(session)
            unset = heading_not_set(session)
        self.loaded = p
        self.example_note.setText(
            f"The {' and '.join(unset)} below {'are' if len(unset) > 1 else 'is'} the program's example, not "
            "yours: every letter, the minutes and the reports are headed with it until you enter your agency's "
            "and save the profile." if unset else "")
        self.example_note.setVisible(bool(unset))
        locked = locked_fields()
        for name, edit in self.edits.items():
            edit.setText(str(getattr(p, name)))
            edit.setReadOnly(name in locked)
            edit.setToolTip(f"Set by IT (policy {locked[name]})" if name in locked else "")
        self.address.setPlainText(p.address)
        self.address.setReadOnly("address" in locked)
        if p.logo_png:
            pix = QPixmap()
            pix.loadFromData(p.logo_png)
            # a preview fitted in a small box, its shape kept: a wide logo (a 1120-pixel banner) shown whole
            # would push Choose/Remove logo off the page and make it scroll sideways
            self.logo.setPixmap(pix.scaled(LOGO_PREVIEW, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))
            self.logo.setToolTip(f"The logo as chosen: {pix.width()}×{pix.height()} pixels")
        else:
            self.logo.setText("(no logo)")
            self.logo.setToolTip("")

    def profile(self) -> AgencyProfile:
        assert self.loaded is not None
        values = {name: edit.text() for name, edit in self.edits.items()}
        return replace(self.loaded, address=self.address.toPlainText(), **values)  # type: ignore[arg-type]

    def save(self) -> bool:
        try:
            from adoption_desktop.core.settings_undo import save_profile

            self.ctx.did(save_profile(self.ctx.db, self.ctx.principal, self.profile(),
                                      expected_versions=self.versions))
        except AppError as exc:
            show_error(self, "Agency profile", exc)
            return False
        self.refresh()
        return True

    def choose_logo(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Agency logo", "", "Images (*.png *.svg)")
            if not name:
                return
            path = Path(name)
        try:
            data = path.read_bytes()
            if path.suffix.lower() == ".svg":
                data = svg_to_png(data)
            set_agency_logo(self.ctx.db, self.ctx.principal, data)
        except OSError as exc:
            show_error(self, "Agency logo", ValidationError(f"Logo: cannot read {path} ({exc.strerror}).", "logo"))
        except AppError as exc:
            show_error(self, "Agency logo", exc)
        self.refresh()

    def remove_logo(self) -> None:
        try:
            set_agency_logo(self.ctx.db, self.ctx.principal, None)
        except AppError as exc:
            show_error(self, "Agency logo", exc)
        self.refresh()


_AREA_SHORT = {"adm": "ADM", "counselling": "Counselling", "letterbox": "Letterbox", "panel": "Panel"}


def template_title(name: str) -> str:
    """What a template is called in the list: "counselling_records-request" → "Counselling: records request"
    (the file name, which exports and letters record, stays in the tooltip)."""
    if name == ta.MINUTES:
        return "Panel: minutes (Word document)"
    area, _, rest = name.partition("_")
    if area not in _AREA_SHORT or not rest:
        return name
    return f"{_AREA_SHORT[area]}: {rest.replace('_', ' ').replace('-', ' ')}"


class TemplatesTab(QWidget):
    """Every letter template and the minutes template: edit, preview, export/import, restore, history."""

    COLUMNS: ClassVar[list[Column[ta.TemplateInfo]]] = [
        Column("Template", lambda t: template_title(t.name), tooltip=lambda t: f"{t.name} ({t.label})"),
        # the version and where it came from (the kind is in the title): two short columns, so the list
        # shows whole beside the editor on a 1366-pixel screen
        Column("In use", lambda t: f"v{t.version} ({t.source})")]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.setObjectName("templates_tab")
        self.ctx = ctx
        self.model: RowTableModel[ta.TemplateInfo] = RowTableModel(self.COLUMNS)
        self.view: QTableView = make_table_view(self.model, sortable=True)
        self.view.setAccessibleName("Templates")
        self.view.setWordWrap(False)
        self.model.modelReset.connect(self._fit_list)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("template_editor")
        self.editor.setAccessibleName("Template text")
        self.placeholders = QPlainTextEdit()
        self.placeholders.setReadOnly(True)
        self.placeholders.setObjectName("placeholders")
        self.placeholders.setMaximumWidth(260)
        self.current: ta.TemplateInfo | None = None
        #: the text the editor was filled with: anything else in it is typing not yet saved
        self.loaded_text = ""
        self._reverting = False
        layout = QVBoxLayout(self)
        note = QLabel("Templates are kept in the database: every PC of a team uses the same ones and "
                      "an upgrade never replaces them. Every save is a new version; older versions are kept.")
        note.setWordWrap(True)  # wraps on a narrow or scaled screen rather than widening the page
        layout.addWidget(note)
        buttons = WrapRow()  # wraps onto a second line on a narrow (scaled) screen
        self.buttons: dict[str, QPushButton] = {}
        for text, slot in (("Sa&ve", self.save), ("Previe&w…", self.preview), ("&Export…", self.export),
                           ("I&mport…", self.import_file), ("&Restore shipped version", self.restore),
                           ("Hist&ory", self.history)):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, f=slot: f())
            buttons.addWidget(b)
            self.buttons[text.replace("&", "")] = b
        buttons.addStretch(1)
        layout.addLayout(buttons)
        split = QSplitter()
        split.addWidget(self.view)
        split.addWidget(self.editor)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        placeholders_label = QLabel("Placeholders it may use:")
        placeholders_label.setBuddy(self.placeholders)  # what a screen reader calls the box beneath it
        side_layout.addWidget(placeholders_label)
        side_layout.addWidget(self.placeholders)
        split.addWidget(side)
        split.setStretchFactor(1, 3)
        layout.addWidget(split, 1)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self._reload()

    def _fit_list(self) -> None:
        """The list as wide as its columns: every title whole, the editor takes the rest."""
        self.view.resizeColumnsToContents()
        self.view.setMinimumWidth(self.view.horizontalHeader().length() + self.view.verticalHeader().width()
                                  + self.view.verticalScrollBar().sizeHint().width() + 2 * self.view.frameWidth()
                                  + 4)  # the grid line and rounding: without it the list scrolled sideways by a few

    def unsaved(self) -> bool:
        """The letter in the editor was changed and not saved."""
        return (self.current is not None and self.current.kind == "letter"
                and self.editor.toPlainText() != self.loaded_text)

    def _may_replace(self) -> bool:
        """Nothing typed would be lost, or the user chose to discard it."""
        assert self.current is not None or not self.unsaved()
        return not self.unsaved() or ask_discard(
            self, f"Template {template_title(self.current.name) if self.current else ''} not saved")

    def _selection_changed(self) -> None:
        """Another template picked: typing not yet saved is only thrown away when the user says so; on
        *Keep editing* the list goes back to the edited template."""
        if self._reverting:
            return
        index = self.view.currentIndex()
        info = index.data(ROW_ROLE) if index.isValid() else None
        same = isinstance(info, ta.TemplateInfo) and self.current is not None and info.name == self.current.name
        if not same and not self._may_replace():
            self._select(self.current.name if self.current else None)
            return
        self.show_selected()

    def _select(self, name: str | None) -> bool:
        """Select the template ``name`` in the list without reloading the editor."""
        for row in range(self.view.model().rowCount()):
            info = self.view.model().index(row, 0).data(ROW_ROLE)
            if isinstance(info, ta.TemplateInfo) and info.name == name:
                self._reverting = True
                try:
                    self.view.selectRow(row)
                finally:
                    self._reverting = False
                return True
        return False

    def refresh(self, keep: str | None = None) -> None:
        """Reload the list and the template shown (F5); a letter edited and not saved is only replaced when
        the user chooses to discard it."""
        if not self._may_replace():
            return
        self._reload(keep)

    def _reload(self, keep: str | None = None) -> None:
        """Reload without asking (after a save, an import or a restore, or when nothing is typed)."""
        rows = ta.list_templates(self.ctx.db, self.ctx.principal)
        self._reverting = True  # the list's selection changes here: the editor is reloaded below, once
        try:
            self.model.set_rows(rows)
        finally:
            self._reverting = False
        self._select(keep or (self.current.name if self.current else None))
        self.show_selected()

    def show_selected(self) -> None:
        index = self.view.currentIndex()
        info = index.data(ROW_ROLE) if index.isValid() else None
        self.current = info if isinstance(info, ta.TemplateInfo) else None
        if self.current is None:
            self.editor.clear()
            self.placeholders.clear()
            self.loaded_text = ""
            return
        minutes = self.current.kind == "minutes"
        self.placeholders.setPlainText(ta.placeholder_help(self.current.name) + (
            "\n\nKeep a paragraph reading {{minutes}}: the minutes are written there." if minutes else ""))
        self.editor.setReadOnly(minutes)
        self.buttons["Save"].setEnabled(not minutes)
        self.buttons["Preview…"].setEnabled(not minutes)
        if minutes:
            self.editor.setPlainText("The minutes template is a Word document: Export it, edit it in Word, then "
                                     "Import it. Use the placeholders on the right in its header.")
        else:
            self.editor.setPlainText(ta.letter_text(self.ctx.db, self.ctx.principal, self.current.name))
        self.loaded_text = self.editor.toPlainText()

    def save(self) -> bool:
        if self.current is None or self.current.kind != "letter":
            return False
        try:
            ta.save_letter_template(self.ctx.db, self.ctx.principal, self.current.name,
                                    self.editor.toPlainText(), expected_version=self.current.version)
        except AppError as exc:
            show_error(self, "Save template", exc)
            return False
        self._warn_if_long()
        self._reload()
        return True

    def _warn_if_long(self) -> None:
        """Saved or imported: a letter that runs to many pages is pointed out (it is allowed)."""
        if self.current is None:
            return
        try:
            warning = ta.long_letter_warning(self.ctx.db, self.ctx.principal, self.current.name)
        except AppError:
            return  # the template was saved; the preview's failure is the Preview button's to report
        if warning:
            QMessageBox.information(self, "Long letter", warning)

    def preview(self, path: Path | None = None) -> Path | None:
        if self.current is None or self.current.kind != "letter":
            return None
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Preview with demo data",
                                                  windows_safe_name(f"preview-{self.current.name}.pdf"),
                                                  "PDF (*.pdf)")
            if not name:
                return None
            path = Path(name)
        try:
            out = ta.preview_letter(self.ctx.db, self.ctx.principal, self.current.name, path,
                                    text=self.editor.toPlainText())
        except AppError as exc:
            show_error(self, "Preview", exc)
            return None
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))
        return out

    def export(self, path: Path | None = None) -> Path | None:
        if self.current is None:
            return None
        suffix = ".docx" if self.current.kind == "minutes" else ".txt"
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Export template", windows_safe_name(self.current.name + suffix),
                                                  f"Template (*{suffix})")
            if not name:
                return None
            path = Path(name)
        try:
            return ta.export_template(self.ctx.db, self.ctx.principal, self.current.name, path)
        except (AppError, OSError) as exc:
            show_error(self, "Export template", exc if isinstance(exc, AppError) else AppError(str(exc)))
            return None

    def import_file(self, path: Path | None = None) -> bool:
        if self.current is None:
            return False
        suffix = ".docx" if self.current.kind == "minutes" else ".txt"
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Import edited template", "", f"Template (*{suffix})")
            if not name:
                return False
            path = Path(name)
        try:
            ta.import_template(self.ctx.db, self.ctx.principal, self.current.name, path,
                               expected_version=self.current.version)
        except AppError as exc:
            show_error(self, "Import template", exc)
            return False
        self.ctx.notify(f"{path.name} imported as the new version of {self.current.name}.")
        self._warn_if_long()
        self._reload()
        return True

    def restore(self, *, confirmed: bool = False) -> bool:
        if self.current is None:
            return False
        if not confirmed and QMessageBox.question(
                self, "Restore shipped version",
                f"Use the program's own {self.current.name} from now on? Your versions stay in the history.") \
                != QMessageBox.StandardButton.Yes:
            return False
        try:
            ta.restore_shipped(self.ctx.db, self.ctx.principal, self.current.name,
                               expected_version=self.current.version)
        except AppError as exc:
            show_error(self, "Restore shipped version", exc)
            return False
        self._reload()
        return True

    def history(self) -> None:
        if self.current is None:
            return
        rows = ta.versions(self.ctx.db, self.ctx.principal, self.current.name)
        lines = [f"v{r.version}  {r.created_at:%d/%m/%Y %H:%M}  {r.created_by}  {r.source}  {r.note}" for r in rows]
        if not lines:
            lines = ["Never changed: the shipped version is in use."]
        elif self.current.kind == "letter":
            versions = [str(r.version) for r in rows if r.source != "shipped"]
            if versions:
                choice, ok = QInputDialog.getItem(self, f"History of {self.current.name}",
                                                  "\n".join(lines) + "\n\nOpen an older version in the editor:",
                                                  versions, 0, False)
                if ok:
                    self.editor.setPlainText(ta.letter_text(self.ctx.db, self.ctx.principal, self.current.name,
                                                            int(choice)))
                return
        QMessageBox.information(self, f"History of {self.current.name}", "\n".join(lines))
