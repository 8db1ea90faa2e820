"""Text and dates as they come in from a form, a spreadsheet or the command line (no Qt).

Every service that stores a name, a reference or free text passes it through here first, so that
what is stored is what a person can see: no control characters (a NUL, a bell, a stray escape), no
zero-width or direction-changing characters that make two references look the same while comparing
different, and one Unicode form (NFC) for everything. References are compared by
:func:`reference_key`, after compatibility normalisation and case folding.

Dates are checked against a range per kind of field: a date of birth cannot be in the year 0001,
a letter cannot have arrived in 9999.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Final

from adoption_desktop.core.errors import ValidationError

#: Zero-width and invisible formatting characters (Unicode category Cf) that people never mean to type
#: but that survive a copy and paste: zero-width space/joiners, word joiner, BOM, soft hyphen,
#: bidirectional overrides and isolates.
INVISIBLE_CHARS: Final = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0001-\U000e007f"
)  # the inside of a character class (the screening assistant reads past them too); the last: Unicode "tags"
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
#: ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER: part of the spelling in the scripts that join their letters or
#: build conjuncts (Persian "نیک\u200cزاد", Devanagari "क्\u200dष"), a disguise between Latin letters
_JOINERS: Final = "\u200c\u200d"
#: the scripts whose words hold joiners: Arabic (and Persian, Urdu), Syriac, Thaana, N'Ko, the Indic scripts from
#: Devanagari to Sinhala, Tibetan, Myanmar, Khmer, Mongolian, and Arabic presentation forms
_JOINING_SCRIPTS: Final = ((0x0600, 0x08FF), (0x0900, 0x0DFF), (0x0F00, 0x109F), (0x1780, 0x18AF),
                           (0xA8E0, 0xA8FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
#: emoji, for a ZERO WIDTH JOINER inside an emoji sequence ("👩\u200d💻"): harmless, and part of the picture
_EMOJI: Final = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF))


def _in(ch: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in ranges)


def _script_letter(ch: str) -> bool:
    """A letter or a mark (a vowel sign, a virama) of a script that spells with joiners."""
    return _in(ch, _JOINING_SCRIPTS) and unicodedata.category(ch)[0] in "LM"


def _joins(text: str, i: int) -> bool:
    """Whether the joiner at ``text[i]`` is part of the spelling: between two letters of a script that uses
    joiners, or (a ZERO WIDTH JOINER) between two emoji (a variation selector or skin tone before it allowed)."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if before and after and _script_letter(before) and _script_letter(after):
        return True
    if text[i] != "\u200d" or not after or not _in(after, _EMOJI):
        return False
    j = i - 1
    while j >= 0 and "\ufe00" <= text[j] <= "\ufe0f":
        j -= 1
    return j >= 0 and _in(text[j], _EMOJI)


def strip_invisible(text: str) -> str:
    """``text`` without its invisible characters (:data:`INVISIBLE_CHARS`), but for a zero width joiner or
    non-joiner that is part of a word's spelling (:func:`_joins`: Persian, Arabic, Indic scripts, emoji
    sequences). Between Latin letters ("Tho\u200crnley") a joiner is a disguise and is removed."""
    if text.isascii():
        return text
    if "\u200c" not in text and "\u200d" not in text:
        return _INVISIBLE.sub("", text)
    return _INVISIBLE.sub(lambda m: m.group() if m.group() in _JOINERS and _joins(text, m.start()) else "", text)


def without_invisible(text: str) -> str:
    """``text`` without any invisible character, joiners included: how a name is compared with a letter's
    words, which are read without them (the screening's ``unmask``), so a name stored with a joiner
    ("نیک\u200cزاد") is found written with or without it."""
    return text if text.isascii() else _INVISIBLE.sub("", text)
#: C0 and C1 controls other than tab, line feed and carriage return (kept in multi-line text).
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_SINGLE = re.compile("[\x00-\x1f\x7f-\x9f]")
#: what Word and web pages take for the end of a line besides line feed and carriage return: Unicode's line
#: and paragraph separators (a paste from a PDF or a web page); NEL (U+0085) stays a control character, refused
_OTHER_LINE_BREAKS = re.compile("[\u2028\u2029]")
#: what prints as a space: the Braille blank (U+2800) too, which a name of nothing but it would show as blank
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u2800\u3000]+")


def clean_text(value: str | None, field: str, *, multiline: bool = False, max_length: int | None = None,
               required: bool = False) -> str:
    """``value`` made safe to store: NFC, invisible characters removed (:func:`strip_invisible`: a joiner that
    is part of a Persian, Arabic or Indic word's spelling is kept), control characters refused.

    A NUL or other control character is refused with a message naming the field (it is never what a
    person meant, and silently dropping it would hide a paste from somewhere else); invisible
    formatting characters are removed; single-line text has its runs of spaces collapsed and is
    trimmed. ``required`` refuses an empty result; ``max_length`` refuses a longer one.
    """
    value = value or ""
    if value.isascii() and (value.replace("\n", "") if multiline else value).isprintable():
        # the common case (the import checks every cell this way, some twice): plain ASCII letters, digits,
        # punctuation and spaces, and line feeds where allowed. Nothing to normalise or remove, no carriage
        # return and no control character or tab (isprintable is False for each of them), no space but " " to
        # collapse or trim: the general path's result, without its passes
        text = ("\n".join(line.rstrip() for line in value.split("\n")).strip("\n") if multiline
                else " ".join(value.split()))
    else:
        text = _clean_general(value, field, multiline)
    if required and not text:
        raise ValidationError(f"{field}: required; enter it before saving.", field)
    if max_length is not None and len(text) > max_length:
        raise ValidationError(f"{field}: at most {max_length} characters (this has {len(text)}).", field)
    return text


def _clean_general(value: str, field: str, multiline: bool) -> str:
    """:func:`clean_text` of any text, before its length checks."""
    text = strip_invisible(unicodedata.normalize("NFC", value))
    if multiline:
        text = _OTHER_LINE_BREAKS.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    elif has_line_break(text):
        raise ValidationError(f"{field}: is on more than one line; put it on one line.", field)
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL_SINGLE
    bad = pattern.search(text)
    if bad:
        raise ValidationError(
            f"{field}: contains an invisible control character (code {ord(bad.group()):#04x}); "
            "retype the text rather than pasting it.",
            field,
        )
    if multiline:
        text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    else:
        text = _SPACES.sub(" ", text).strip()
    return text


def has_line_break(text: str) -> bool:
    """True when ``text`` holds the end of a line: line feed, carriage return, or Unicode's line and
    paragraph separators (U+2028, U+2029), which a one-line field must not hold: a name with one in it
    printed as two lines run together ("Dear Dan and Eve Test Flat 3 Hidden Road")."""
    return "\n" in text or "\r" in text or _OTHER_LINE_BREAKS.search(text) is not None


#: one e-mail address as people type it: something, an @, a domain with a dot; no spaces, one @. Deliberately
#: loose (a real address can hold almost anything); it catches a phone number or a name typed in the wrong box.
_EMAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email_address(text: str) -> bool:
    """Whether ``text`` (already cleaned) looks like one e-mail address: the one check every form uses."""
    return bool(_EMAIL_ADDRESS.match(text))


def check_email(value: str, field: str, key: str = "email") -> str:
    """``value`` (already cleaned) when it is empty or one e-mail address; otherwise refused, quoting it, with
    ``field`` as the form labels it and ``key`` the form field to put right."""
    if value and not is_email_address(value):
        raise ValidationError(f"{field}: '{value}' is not an e-mail address (name@example.org).", key)
    return value


def reference_key(value: str) -> str:
    """The form in which two references are compared: compatibility-normalised, case-folded, with
    invisible characters and all spacing removed ("AD-2026-0142", "ad-2026-0142 " and
    "AD-2026\u200b-0142" are one reference)."""
    text = unicodedata.normalize("NFKC", value or "")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL_SINGLE.sub("", text)
    return re.sub(r"\s+", "", text).casefold()


#: How far back and forward a date of each kind may sensibly lie, in years from today.
DATE_RANGES: Final[dict[str, tuple[int, int]]] = {
    "birth": (120, 0),          # a date of birth: not in the future, not before 120 years ago
    "adoption": (110, 0),       # adoption orders: records are kept 100 years
    "event": (30, 1),           # something that happened (an item received, a meeting held)
    "schedule": (30, 20),       # something planned (a sitting, an expected exchange)
}


#: the largest row number a database can hold (SQLite and PostgreSQL ``bigint``): a longer number typed
#: for a record is no record, not an overflow deep in the driver
MAX_ROW_ID: Final[int] = 2**63 - 1
#: the years a date typed on the command line may have: date arithmetic near year 1 or 9999 overflows
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


def row_number(text: str) -> int | None:
    """``text`` as a record number (digits only, within :data:`MAX_ROW_ID`), else None."""
    text = text.strip()
    if not text.isdigit() or not text.isascii():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None


def check_date(value: dt.date | None, field: str, kind: str = "event", *, today: dt.date | None = None,
               required: bool = False, key: str | None = None) -> dt.date | None:
    """``value`` if it lies within the range for ``kind`` (see :data:`DATE_RANGES`), else a
    :class:`ValidationError` naming the field and the range, keyed ``key`` (the form widget's name; the
    label ``field`` if not given), as :func:`check_not_future` is."""
    key = key or field
    if value is None:
        if required:
            raise ValidationError(f"{field}: required; enter a date as DD/MM/YYYY.", key)
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    today = today or dt.date.today()
    back, forward = DATE_RANGES[kind]
    earliest = dt.date(max(1, today.year - back), 1, 1)
    latest = today if forward == 0 else dt.date(min(9999, today.year + forward), 12, 31)
    if value < earliest or value > latest:
        raise ValidationError(
            f"{field}: {value.strftime('%d/%m/%Y')} is not a likely date; it should lie between "
            f"{earliest.strftime('%d/%m/%Y')} and {latest.strftime('%d/%m/%Y')}.",
            key,
        )
    return value



def check_not_future(value: dt.date | None, field: str, key: str, *, today: dt.date | None = None,
                     advice: str = "record it once it has happened", grace_days: int = 0,
                     required: bool = True, name_range: bool = False) -> dt.date | None:
    """``value`` when it lies in the range for something that happened (from the first of January
    :data:`DATE_RANGES` ``event`` years back) and not after ``today`` (plus ``grace_days``: a day's grace
    where a late-evening entry may carry tomorrow's date); else a :class:`ValidationError` naming ``field``
    with the date, for the form field ``key``. A date ahead is "in the future", ending in ``advice`` (and,
    with ``name_range``, the days allowed), however far ahead: the range of any event reaches to the end of
    next year, and naming that range for 01/01/2099 while refusing 31/12 of this year as in the future
    contradicted itself (keyboard trial). A date too far back names the days allowed, which end at today
    (and the grace). The one future-date check every service uses: a date something happened on that lies
    ahead would count days not yet passed, or push a deadline out."""
    if value is None:
        if required:
            raise ValidationError(f"{field}: required; enter a date as DD/MM/YYYY.", key)
        return None
    day = value.date() if isinstance(value, dt.datetime) else value
    today = today or dt.date.today()
    earliest = dt.date(max(1, today.year - DATE_RANGES["event"][0]), 1, 1)
    last = today + dt.timedelta(days=grace_days)
    between = f"it should lie between {earliest:%d/%m/%Y} and {last:%d/%m/%Y}"
    if day > last:
        raise ValidationError(f"{field}: {day:%d/%m/%Y} is in the future; {advice}"
                              + (f" ({between})." if name_range else "."), key)
    if day < earliest:
        raise ValidationError(f"{field}: {day:%d/%m/%Y} is not a likely date; {between}.", key)
    return day


#: What a spreadsheet treats as the start of a formula (OWASP "CSV injection"): text beginning with one
#: of these runs as a formula when a list holding it is opened in Excel or LibreOffice.
_FORMULA_START: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r", "|")


def _refuse_formula(text: str, field: str) -> str:
    if text.startswith(_FORMULA_START):
        raise ValidationError(
            f"{field}: cannot begin with {text[0]!r}; a spreadsheet would run such text as a formula. "
            "Remove the leading character.",
            field,
        )
    return text


def clean_name(value: str | None, field: str, *, max_length: int | None = 120, required: bool = False) -> str:
    """A person's or an organisation's name: :func:`clean_text` on one line, and refused when it begins
    like a spreadsheet formula (``=cmd|' /C calc'!A0``) or when it holds no letter at all (".", "?", two
    accents with nothing under them: a name that shows as blank or as a mark in every list)."""
    text = _refuse_formula(clean_text(value, field, max_length=max_length, required=required), field)
    if text and not any(ch.isalpha() for ch in text):
        raise ValidationError(f"{field}: has no letters; type it out in letters.", field)
    return text


def clean_address(value: str | None, field: str, *, max_length: int | None = 1000, required: bool = False,
                  window_lines: int | None = None, split_commas: bool = False, above: str = "") -> str:
    """Who a letter goes to, a name and address on several lines: :func:`clean_text` over lines, each line
    refused when it begins like a spreadsheet formula (an exported list puts each line in a cell).

    ``window_lines``: the lines the address may take in a window envelope's window (the window's
    ``core.documents.address_block.WINDOW_LINES`` less those printed above it, ``above`` saying which:
    "the name"); more, or a line too wide for the window, is refused naming the field
    (``address_block.address_problem``). ``split_commas``: the letter prints each comma as a new line."""
    text = clean_text(value, field, multiline=True, max_length=max_length, required=required)
    if window_lines is not None:
        from adoption_desktop.core.documents.address_block import address_lines, address_problem

        problem = address_problem(address_lines(text, split_commas=split_commas), window_lines=window_lines,
                                  above=above)
        if problem:
            raise ValidationError(f"{field}: {problem}.", field)
    lines = [line.strip() for line in text.splitlines()]
    for number, line in enumerate(lines, 1):
        if _PHONE_LINE.fullmatch(line):
            continue  # "+44 7700 900123" under an address: a telephone number, long written so
        try:
            _refuse_formula(line, f"{field}, line {number}" if len(lines) > 1 else field)
        except ValidationError as refused:
            raise ValidationError(str(refused), field) from None  # the form's field, for the focus
    return text


#: an address line that is a telephone number ("+44 7700 900123", "-0117 496 0000"): kept, not a formula
_PHONE_LINE: Final = re.compile(r"[+-]\(?\d[\d ()-]{5,}")


def clean_reference(value: str | None, field: str, *, max_length: int | None = 40, required: bool = False) -> str:
    """An agency reference as stored: :func:`clean_text` on one line, no formula start. Compare two
    references with :func:`reference_key`, never as stored."""
    return _refuse_formula(clean_text(value, field, max_length=max_length, required=required), field)


#: Courtesy titles and honours that do not identify a person (dropped before names are compared).
_TITLES: Final[frozenset[str]] = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor", "sir", "dame", "lady", "lord",
    "rev", "revd", "reverend", "cllr", "councillor",
})


def name_key(value: str) -> str:
    """The form in which two people's names are compared: compatibility-normalised, case-folded,
    accents, punctuation and courtesy titles dropped ("Mr Ben Umberdale", "ben  umberdale" and
    "Dr. Ben Umberdale" are one name)."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _INVISIBLE.sub("", text).casefold()
    words = re.sub(r"[^\w\s'-]|_", " ", text).replace("'", "").replace("-", " ").split()
    while words and words[0].rstrip(".") in _TITLES:
        words.pop(0)
    return " ".join(words)


#: what may stand between the day, month and year of a typed date: / - . or spaces (one or more)
_DATE_PARTS = re.compile(r"^(\d{1,4})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,4})$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
DATE_HINT: Final[str] = "type it as DD/MM/YYYY, for example 20/06/1980"


def read_date(text: str, field: str) -> dt.date:
    """A date as a person types or pastes it, else a :class:`ValidationError` naming ``field``.

    Day, month and year in that order (the English way), with / - . or spaces between them, with or
    without leading zeros (``20/06/1980``, ``1/6/1980``, ``20-6-1980``, ``20 06 1980``); eight digits
    without separators (``20061980``); or a pasted ISO date (``1980-06-20``). The year is written in full
    and lies between :data:`EARLIEST_YEAR` and :data:`LATEST_YEAR`. A date that cannot exist
    (31/02/2020) is refused, never moved to a neighbouring day.
    """
    raw = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text or "")).strip()
    if not raw:
        raise ValidationError(f"{field}: required; {DATE_HINT}.", field)
    if raw.isdigit() and raw.isascii() and len(raw) == 8:
        day_s, month_s, year_s = raw[:2], raw[2:4], raw[4:]
    else:
        match = _DATE_PARTS.match(raw)
        if match is None or not raw.isascii():
            raise ValidationError(f"{field}: {raw!r} is not a date; {DATE_HINT}.", field)
        day_s, month_s, year_s = match.groups()
        if len(day_s) == 4 and len(year_s) <= 2:  # 1980-06-20, as a spreadsheet or another program writes it
            day_s, year_s = year_s, day_s
        elif len(day_s) > 2:
            raise ValidationError(f"{field}: {raw!r} is not a date; {DATE_HINT}.", field)
    if len(year_s) != 4:
        raise ValidationError(f"{field}: {raw!r}: write the year in full (four digits), {DATE_HINT}.", field)
    day, month, year = int(day_s), int(month_s), int(year_s)
    if not 1 <= month <= 12:
        raise ValidationError(f"{field}: {raw!r} is not a date: there is no month {month}; {DATE_HINT}.", field)
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValidationError(f"{field}: {raw!r}: the year {year} is outside {EARLIEST_YEAR}–{LATEST_YEAR}; "
                              "check the year.", field)
    try:
        return dt.date(year, month, day)
    except ValueError:
        last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
        raise ValidationError(f"{field}: {raw!r} is not a date: {_MONTHS[month - 1]} {year} has {last} days."
                              if day else f"{field}: {raw!r} is not a date: there is no day 0.", field) from None


#: the refusal of a name where initials are asked for (panel agenda items, ADM decisions without panel)
INITIALS_ONLY = "Initials: enter initials only (e.g. AB/CD), never a name."


def initials_problem(initials: str) -> str | None:
    """Initials, never a name (the papers and letters name a child or adult by initials only): refused when
    longer than 30 characters, holding a space, or holding three lower-case letters in a row ("John",
    "Smith", "JohnSmith": a name typed without a space, which "AB/CD", "A.B." or "Jo" are not)."""
    text = initials.strip()
    if len(text) > 30 or " " in text:
        return INITIALS_ONLY
    run = 0
    for ch in text:
        run = run + 1 if ch.islower() else 0
        if run >= 3:
            return INITIALS_ONLY
    return None
