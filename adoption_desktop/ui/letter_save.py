"""Where a letter is saved, and in which format: PDF (the default and the record of what was sent) or a
Word copy (``.docx``) for a last edit. The save dialog offers both; the chosen type sets the suffix, and
the suffix chooses the format (``core.documents.letter_docx``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

PDF_FILTER = "PDF (*.pdf)"
WORD_FILTER = "Word document, for a last edit (*.docx)"
LETTER_FILTERS = f"{PDF_FILTER};;{WORD_FILTER}"


def with_format_suffix(path: str, chosen_filter: str) -> str:
    """``path`` with the suffix of the chosen file type (a name typed without one gets it; a ``.pdf`` name
    saved as Word becomes ``.docx``)."""
    p = Path(path)
    want = ".docx" if chosen_filter == WORD_FILTER or p.suffix.lower() == ".docx" else ".pdf"
    if p.suffix.lower() in (".pdf", ".docx"):
        return str(p.with_suffix(want))
    return str(p) + want


def ask_letter_path(parent: QWidget, title: str, default_name: str) -> str | None:
    """Ask where to save letters, as PDF or as a Word copy; None when cancelled. The dialog opens in the
    folder last used for letters (Documents at first: ``ui.files``)."""
    from adoption_desktop.core.files import windows_safe_name
    from adoption_desktop.ui.files import focus_kept, remember_folder, start_folder

    start = start_folder("letters") / windows_safe_name(Path(default_name).name)
    with focus_kept(parent):  # Esc included: the focus goes back to the button that asked
        path, chosen = QFileDialog.getSaveFileName(parent, title, str(start), LETTER_FILTERS)
    if not path:
        return None
    remember_folder("letters", path)
    return with_format_suffix(path, chosen)
