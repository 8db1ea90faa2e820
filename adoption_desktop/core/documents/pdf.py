"""PDF letters: letterhead, address block, body, signature; batches go into one document, drawn
straight onto the canvas (``letter_canvas``). Fonts are the DejaVu TTFs in ``resources/fonts``
(reportlab's built-ins are WinAnsi only). Free-form documents laid out with platypus (the recovery
sheet) are in ``pdf_flow``, so a letter batch never imports platypus.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.core.errors import WorkCancelled
from adoption_desktop.core.files import output_file
from adoption_desktop.core.resources import resource_path
from adoption_desktop.core.wording import date_in_words

FONT, FONT_BOLD, FONT_ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"
_registered: set[str] = set()


class Cancelled(WorkCancelled):
    """Raised inside a batch when the user cancels; the partial file is removed."""


def register_fonts(*, italic: bool = True) -> None:
    """The DejaVu fonts, each parsed once per process. ``italic=False``: the regular and bold faces
    only (what a letter draws; parsing a TTF costs ~10 ms); the italic and the font family come with the
    first call that wants them (platypus documents)."""
    faces: tuple[tuple[str, str], ...] = ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf"))
    if italic:
        faces += ((FONT_ITALIC, "DejaVuSans-Oblique.ttf"),)
    for name, file in faces:
        if name not in _registered:
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file))))
            _registered.add(name)
    if italic and "family" not in _registered:
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                      boldItalic=FONT_BOLD)
        _registered.add("family")


@dataclass(frozen=True)
class Letterhead:
    """What heads every letter and the minutes (the agency profile: ``core.documents.letterhead``)."""

    agency_name: str
    agency_address: str
    footer: str = "OFFICIAL-SENSITIVE: this letter contains personal information. Keep it secure."
    team_name: str = ""          # the team writing (per area), under the agency's name
    telephone: str = ""
    email: str = ""
    website: str = ""
    logo_png: bytes | None = None  # PNG bytes, drawn at most 18 mm high beside the name
    data_protection: str = ""    # one line above the footer (how the agency uses personal data)

    @property
    def contact_lines(self) -> list[str]:
        """Telephone, e-mail and website as the letterhead prints them (empty ones left out)."""
        return [line for line in (f"Telephone {self.telephone}" if self.telephone else "",
                                  self.email, self.website) if line]


@dataclass(frozen=True)
class Letter:
    """One letter. ``recipient`` lines are printed in the window position; ``reference`` is ours."""

    recipient: Sequence[str]
    text: RenderedLetterText
    date: dt.date
    reference: str
    signatory: str
    signatory_title: str
    extra: Sequence[tuple[str, str]] = field(default_factory=tuple)  # a small key/value table
    #: the table read as one (a decision's summary): its rows never split over two pages, the closing with it
    #: (``core.documents.letter_canvas``); otherwise its rows flow like lines
    keep_table_together: bool = False


def long_date(day: dt.date) -> str:
    """'5 March 2026' (``core.wording.date_in_words``: the same words on every platform and locale)."""
    return date_in_words(day)


def write_letters(path: Path, letters: Iterable[Letter], head: Letterhead, *, title: str = "Letters",
                  total: int | None = None, progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None, before_save: Callable[[], object] | None = None
                  ) -> int:
    """All ``letters`` into one PDF at ``path`` (each from a new page). Returns how many were written.

    ``before_save()``, if given, is called once every letter is drawn (in memory) and before anything is
    written to disk: it may raise to stop the batch with nothing written (a headless export confirms
    its sign-in there, ``cli_support.signing_in``).

    Drawn straight onto the canvas (``core.documents.letter_canvas``: the same layout, at close to the
    cost of a bare reportlab canvas). ``progress(done, total)`` is called as letters are drawn;
    ``cancelled()`` returning True stops the batch, removes the partial file and raises
    :class:`Cancelled`. A letter whose address block does not fit a window envelope's window stops the batch
    with nothing written (``address_block.AddressTooLong``, naming the letter's record).

    A ``path`` ending ``.docx`` writes a Word copy of the same letters instead
    (``core.documents.letter_docx``), for a last edit before sending."""
    from adoption_desktop.core.documents.address_block import check_recipient_fits

    def fitting(letters: Iterable[Letter]) -> Iterable[Letter]:
        # an address block the envelope's window cannot show (stored before the limit, or imported) stops the
        # batch naming its record, before anything is written: never printed cut short or over the body
        for letter in letters:
            check_recipient_fits(letter.recipient, letter.reference)
            yield letter

    letters = fitting(letters)
    if Path(path).suffix.lower() == ".docx":  # letter_docx.is_docx, without importing python-docx for a PDF
        from adoption_desktop.core.documents.letter_docx import write_docx_letters

        if before_save is not None:
            before_save()
        return write_docx_letters(Path(path), letters, head, title=title, total=total, progress=progress,
                                  cancelled=cancelled)
    from adoption_desktop.core.documents.letter_canvas import write_canvas_letters

    register_fonts(italic=False)
    path = Path(path)

    def fields() -> Iterable[dict[str, object]]:
        for letter in letters:
            yield {"recipient": letter.recipient, "reference": letter.reference,
                   "date_text": long_date(letter.date), "subject": letter.text.subject,
                   "salutation": letter.text.salutation, "paragraphs": letter.text.paragraphs,
                   "extra": letter.extra, "closing": letter.text.closing, "signatory": letter.signatory,
                   "signatory_title": letter.signatory_title,
                   "keep_table_together": letter.keep_table_together}

    def step(done: int) -> None:
        if progress:
            progress(done, total or done)

    try:
        with output_file(path) as tmp:
            count = write_canvas_letters(tmp, fields(), fonts=(FONT, FONT_BOLD, FONT_ITALIC), head=head,
                                         title=title, progress=step, cancelled=cancelled,
                                         before_save=before_save)
            if not count:
                raise ValueError("no letters to write")
    except RuntimeError as exc:
        if str(exc) == "cancelled":
            raise Cancelled() from exc
        raise
    return count
