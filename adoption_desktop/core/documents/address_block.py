"""Whether a letter's address block fits the window of a window envelope (plain Python, no Qt).

Every letter prints who it goes to at the left margin where a DL or C5 window envelope shows it
(``core.documents.letter_canvas``). The window shows at most :data:`WINDOW_LINES` lines (the name and six
address lines, the postcode on the last: Royal Mail's clear-addressing guidance asks for the name, the
building and street, the locality, the post town and the postcode, each on its own line) and
:data:`WINDOW_WIDTH` of each line (a 90 mm window, less 5 mm for the letter moving in the envelope), in the
letter's font (DejaVu Sans, 10.5 pt). See docs/letters.md, "Rules every letter follows".

An address that breaks either limit is refused where it is typed (:func:`address_problem`, through
``core.text_input.clean_address(window_lines=…)``) and, when it was stored before (an older version, an
import), where a letter is made (:func:`check_recipient_fits`): never cut short, as a truncated address sends
a letter to the wrong place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from adoption_desktop.core.errors import ValidationError

#: points in a millimetre (reportlab's ``units.mm``); reportlab itself is imported only to measure a line, so a
#: service that checks an address as it is typed does not load it with its module
mm = 72 / 25.4

#: the lines a window envelope shows: the name and six address lines (the postcode line the last)
WINDOW_LINES = 7
#: how wide a line may be: the window's 90 mm less 5 mm for the letter moving in the envelope
WINDOW_WIDTH = 85 * mm
#: the letter's font and size (``core.documents.pdf.FONT``, ``letter_canvas.BODY_SIZE``)
FONT_SIZE = 10.5


def address_lines(address: str, *, split_commas: bool = False) -> list[str]:
    """The lines ``address`` prints as: one a line typed, empty ones left out; ``split_commas``: each comma
    starts a line too (the letterbox's letters print "12 Long Lane, Bristol" on two lines)."""
    if split_commas:
        address = address.replace(",", "\n")
    return [ln.strip(" ,") for ln in address.splitlines() if ln.strip(" ,")]


def line_width(line: str) -> float:
    """``line``'s width in points in the letter's font."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from adoption_desktop.core.documents.pdf import FONT, register_fonts

    register_fonts(italic=False)
    return stringWidth(line, FONT, FONT_SIZE)


def too_wide(lines: Iterable[str]) -> list[tuple[int, str]]:
    """The (1-based number, text) of each of ``lines`` wider than the window."""
    return [(n, ln) for n, ln in enumerate(lines, 1) if line_width(ln) > WINDOW_WIDTH]


def _short(line: str) -> str:
    return line if len(line) <= 40 else line[:37] + "…"


def address_problem(lines: Sequence[str], *, window_lines: int = WINDOW_LINES, above: str = "") -> str:
    """Why ``lines`` (an address as printed) do not fit the envelope's window, or "" when they do.
    ``window_lines``: the lines the address may take (the window's, less the lines printed above it, such as
    the name); ``above`` says what those are ("the name")."""
    if len(lines) > window_lines:
        room = f"{window_lines} lines (with {above}, {WINDOW_LINES})" if above else f"{window_lines} lines"
        return (f"it has {len(lines)} lines, and a window envelope shows at most {room}. Keep a line each "
                "for the house and street, the locality if needed, the post town and the postcode; a county "
                "(or \"England\") is not needed with the postcode")
    wide = too_wide(lines)
    if wide:
        n, line = wide[0]
        return (f"line {n} (\"{_short(line)}\") is too long for the envelope's window "
                f"(at most {WINDOW_WIDTH / mm:.0f} mm at the letter's size): split it over two lines")
    return ""


def check_name_line(name: str, field: str) -> str:
    """``name`` (the first line of an address block: whom a letter is to), refused as ``field`` when wider than
    the window: the envelope would hide its end."""
    if line_width(name.strip()) > WINDOW_WIDTH:
        raise ValidationError(f"{field}: \"{_short(name.strip())}\" is too long for the envelope's window (at most "
                              f"{WINDOW_WIDTH / mm:.0f} mm at the letter's size), where letters print it above the "
                              "address: write it shorter, as letters are addressed (\"Mr and Mrs Heronmere\").",
                              field)
    return name


class AddressTooLong(ValidationError):
    """A letter's address block (stored before the limit, or imported) would not fit the window: the letter is
    not made, never printed cut short. ``reference``: the record it was for."""

    def __init__(self, message: str, reference: str) -> None:
        super().__init__(message, "address")
        self.reference = reference


def check_recipient_fits(recipient: Sequence[str], reference: str) -> None:
    """Raise :class:`AddressTooLong` naming the record ``reference`` when the address block ``recipient`` (as
    printed: name and address lines) does not fit the window."""
    lines = [ln for ln in recipient if ln.strip()]
    problem = address_problem(lines)
    if problem:
        to = f" to {lines[0]}" if lines else ""
        raise AddressTooLong(
            f"The letter for {reference}{to} was not made: its address block does not fit the envelope's "
            f"window: {problem}. Correct the address on {reference}, then make the letter again. Nothing was "
            "written; an address is never cut short, as that would send the letter to the wrong place.",
            reference)
