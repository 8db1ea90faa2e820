"""Help → Licences: the program's MIT licence and the third-party notices, as shipped."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from adoption_desktop.core.resources import licence_texts


class LicencesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Licences")
        own, notices = licence_texts()
        self.tabs = QTabWidget()
        for title, text, name in (("Adoption &Desktop (MIT)", own, "Adoption Desktop licence"),
                                  ("&Third-party notices", notices, "Third-party notices")):
            view = QPlainTextEdit(text)
            view.setReadOnly(True)
            view.setFont(QFont("DejaVu Sans Mono", 9))
            view.setAccessibleName(name)
            self.tabs.addTab(view, title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(760, 560)
