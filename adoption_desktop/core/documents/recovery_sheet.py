"""A printable sheet with the database's recovery key (shown once at creation, or when an administrator
replaces it: ``core.storage.recovery_key``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.platypus import Paragraph, Spacer

from adoption_desktop.core.documents.pdf import Letterhead, long_date
from adoption_desktop.core.documents.pdf_flow import styles, write_document


def write_recovery_sheet(path: Path, database_label: str, recovery_key: str, *,
                         today: dt.date | None = None, replaced: bool = False) -> None:
    """``replaced``: a new recovery key issued for an existing database; the sheet says the old one no longer
    opens it, and which backups still need the old one."""
    st = styles()
    key_style = st["head"].clone("key", fontSize=18, leading=24)
    day = long_date(today or dt.date.today())
    flow = [
        Paragraph("Adoption Desktop: database recovery key", st["head"]), Spacer(1, 8),
        Paragraph(f"Database: {database_label}", st["body"]),
        Paragraph(f"{'Issued' if replaced else 'Created'}: {day}", st["body"]), Spacer(1, 12),
        Paragraph(recovery_key, key_style), Spacer(1, 12),
    ]
    if replaced:
        flow.append(Paragraph(
            "This key replaces the database's earlier recovery key, which no longer opens the database. "
            "Backups made before this key was issued still open only with that earlier key: keep its sheet "
            "with them for as long as they are kept, or destroy both together.", st["body"]))
    flow += [
        Paragraph("With this key the database can be opened if the key held in the computer's keyring is "
                  "lost (for example after a new Windows profile or a move to a new PC): run "
                  "<b>adoption-desktop recover --db PATH</b> and type it when asked.", st["body"]),
        Paragraph("Keep this sheet locked away, apart from the computer. Anyone with this key and a copy "
                  "of the database file can read it.", st["body"]),
    ]
    write_document(path, flow, Letterhead("Adoption Desktop", ""), "Recovery key")
