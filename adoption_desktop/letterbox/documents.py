"""Letterbox letters: reminder, chaser, acknowledgement, returned for changes, annual confirmation and
review invitation, batched into one PDF (progress and cancel) with the sent-list recorded per arrangement.

No letter may carry an address or a name from the other side of the arrangement: letters to birth
relatives name the child by the birth name only; letters to adopters name birth relatives by their
relationship only; and every letter is checked (:func:`check_no_leak`) before the PDF is written.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import when_text
from adoption_desktop.core.documents.letterhead import letterhead
from adoption_desktop.core.documents.pdf import Letter, long_date, write_letters
from adoption_desktop.core.documents.reply_by import reply_by
from adoption_desktop.core.documents.templates import RenderedLetterText, Spans, load_template, template_file
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.files import output_file
from adoption_desktop.core.salutation import salutation_for
from adoption_desktop.core.security.permissions import Permission, Principal, Role, require
from adoption_desktop.core.settings_service import calendar
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import without_invisible
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement, Item, MissedExchange, Participant, ProtectedTerm
from adoption_desktop.letterbox.screening.detectors import (
    ADDRESS,
    JOINED,
    PET_FORM,
    WHOLE,
    WORD,
    TermMatch,
    TextWords,
    could_match_words,
    fold,
    match_terms,
)
from adoption_desktop.letterbox.screening.ordinary_names import ORDINARY_WORD_SURNAMES
from adoption_desktop.letterbox.screening.short_forms import is_everyday
from adoption_desktop.letterbox.screening.unmask import unmask
from adoption_desktop.letterbox.sent_list import (
    ReminderKey,
    batch_month_key,
    month_key,
    record_letters_sent,
    reminder_batch,
    reminder_batches_like,
    reminders_sent_for,
    voided_batches,
)
from adoption_desktop.letterbox.service.arrangements import pattern_changes_in
from adoption_desktop.letterbox.service.data import WorkRow
from adoption_desktop.letterbox.service.expected_exchanges import (
    SentBatch,
    _naive_utc,
    missed_marks,
    passed_on,
    received_months,
    received_months_select,
    sent_batches,
    work_rows_in,
)

#: how an item type reads in a sentence ("Thank you for your card")
ITEM_WORDS = {"letter": "letter", "card": "card", "photo": "photographs", "drawing": "drawing", "email": "e-mail"}
FORWARD_TEXT = ("It will be read in line with the agreement and passed on as soon as possible. A copy is kept "
                "on file.")
HELD_TEXT = ("We do not have a current address for the person it is for, so we will keep it safely on file "
             "and pass it on if they get in touch with us. We will let you know if that happens.")
#: the same, for a birth relative's item when the arrangement has no adopters' address (a family, not a person)
HELD_FAMILY_TEXT = ("We do not have a current address for the family it is for, so we will keep it safely on "
                    "file and pass it on if they get in touch with us. We will let you know if that happens.")
#: an item held on file for a recipient whose address is known (held for another reason): no claim about an
#: address, nothing promised
KEPT_TEXT = ("It is being kept safely on file for now. A member of the team will be in touch with you about "
             "it.")
FORWARDED_TEXT = "It has been read in line with the agreement and passed on. A copy is kept on file."
#: a withheld item (or one returned for changes): nothing is promised, and the internal reason is never quoted
TEAM_TEXT = "A member of the team will be in touch with you about it."
RETURNED_TEXT = "We have written to you separately about the changes it needs before it can be passed on."
CHANGES_TEXT = "We will contact you if anything needs to change before it can be passed on."
QUESTIONS_TEXT = "If you have any questions, please contact us quoting our reference."
#: what an acknowledgement says by the item's status: (forwarding_text, next_steps_text)
ACK_WORDING = {"received": (FORWARD_TEXT, CHANGES_TEXT), "screened": (FORWARD_TEXT, CHANGES_TEXT),
               "forwarded": (FORWARDED_TEXT, QUESTIONS_TEXT), "held": (KEPT_TEXT, QUESTIONS_TEXT),
               "withheld": (TEAM_TEXT, QUESTIONS_TEXT), "returned": (RETURNED_TEXT, QUESTIONS_TEXT)}
#: the values of a letterbox letter that are the program's own wording, not words from the records: dates, months,
#: its fixed sentences. Like the template's own text, the leak check does not read them as the family's words (a
#: child renamed April is not named by "due in April 2027": :func:`leaked_terms`)
LETTER_WORDING = frozenset(("month", "months", "due_date", "reply_by", "received_on", "review_date",
                            "first_writer_text", "forwarding_text", "next_steps_text"))
#: where a term found by the leak check came from, when the coordinator typed it ("found in ...")
TYPED_REASON = "the reason you typed for returning the item"

_M = TypeVar("_M", Arrangement, Participant, ProtectedTerm)

KINDS = {"reminder": "Reminders", "chaser": "Chasers", "acknowledgement": "Acknowledgements",
         "returned": "Returned for changes", "confirmation": "Annual confirmations", "review": "Review invitations"}


@dataclass(frozen=True)
class LetterJob:
    arrangement_id: int
    kind: str
    side: str  # the side receiving the letter
    recipient: tuple[str, ...]
    values: dict[str, object]
    reference: str
    forbidden: tuple[str, ...]  # names and address lines of the other side
    #: text the coordinator typed that goes into the letter, with where it was typed (for the leak check's
    #: refusal: "found in the reason you typed for returning the item")
    typed: tuple[tuple[str, str], ...] = ()
    #: the item a letter about one item is about (for the sent-list; None for the others)
    item_id: int | None = None
    #: the birth relative it goes to (for the sent-list; None for a letter to the adopters)
    participant_id: int | None = None
    #: names the reader already knows (the child's name on their side: see :func:`_known`)
    known: tuple[str, ...] = ()
    #: which of ``forbidden`` are the other side's address lines and places (see :func:`leaked_terms`)
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeldLetter:
    """A letter not written because its reader has no current address: held on file, not recorded as sent."""

    reference: str
    side: str  # the side it was for
    to: str  # "the adopters", or the birth relative's name

    @property
    def text(self) -> str:
        return f"{self.reference} ({self.to})"


@dataclass(frozen=True)
class PrintedCopy:
    """A month's reminders printed by someone who cannot record letters (a ``letterbox_letters_printed``
    audit entry): who (full name) and when (naive UTC, as the audit log has it)."""

    month: str  # YYYY-MM
    by: str
    at: dt.datetime | None
    #: printed after the month's reminders were first recorded as sent (an extra copy, not the first)
    after_recorded: bool = False


@dataclass(frozen=True)
class RecordedMonth:
    """A month whose reminders were already recorded as sent when a copy of them was printed by someone who
    cannot record letters: the batches that recorded them (who, when), how many of the copy's letters they
    cover (``extra``: the copy of a letter already sent) and how many they do not (``unrecorded``: a family
    added since; a coordinator's print records them)."""

    month: str  # YYYY-MM
    earlier: tuple[SentBatch, ...]
    extra: int
    unrecorded: int = 0


def _copies_text(copies: Sequence[PrintedCopy], several: bool, head: str, tail: str) -> str:
    """``{head} by NAME at TIME{tail}`` (each copy, "; " and "and" between them), naming each copy's month
    when ``several`` months are in question."""
    parts = []
    for c in copies:
        of = f" of the reminders for {month_words(c.month)}" if several else ""
        parts.append(f"{of} by {c.by} at {when_text(c.at)}" if c.at else f"{of} by {c.by}")
    if len(parts) == 1:
        return f"{head}{parts[0]}{tail}"
    return f"{head}{'; '.join(parts[:-1])} and{parts[-1]}{tail}"


def month_words(month: str) -> str:
    """``2027-01`` as "January 2027"."""
    return f"{rules.month_bounds(month)[0]:%B %Y}"


@dataclass(frozen=True)
class BatchResult:
    path: Path | None
    letters: int
    batch: str
    #: letters not written: their reader (adopters or birth relative) has no current address; each names the
    #: arrangement and whom it was for
    held: tuple[HeldLetter, ...] = ()
    #: reminders already produced for their month (:func:`record_reminders`): printed again as a reprint,
    #: not recorded as sent a second time; ``earlier`` the batches that first recorded them
    reprinted: int = 0
    earlier: tuple[SentBatch, ...] = ()
    #: the person who printed the batch when they cannot record letters (no ``letterbox.edit``): the file
    #: was written (signed by a coordinator) but nothing was recorded as sent; "" when it was recorded
    not_recorded_by: str = ""
    #: the reminders' months (``YYYY-MM``), for what the batch says; () for other letters
    months: tuple[str, ...] = ()
    #: copies of these months' reminders printed before by someone who could not record them, when the
    #: month had nothing recorded as sent: this batch is recorded as the first, and says so
    printed_before: tuple[PrintedCopy, ...] = ()
    #: a copy only (``not_recorded_by``): the months whose reminders were already recorded as sent, so the
    #: copy of them is an extra (not the first); the other months have nothing recorded yet
    recorded_before: tuple[RecordedMonth, ...] = ()
    #: a reprint: copies of these months' reminders printed, and not recorded, by someone who could not
    #: record them after the month was recorded as sent (extras that may have been posted too)
    printed_since: tuple[PrintedCopy, ...] = ()
    #: the batches this print recorded letters as sent in (a reminder batch for each month with new
    #: letters): the names to void it by if it is never posted; () when nothing was recorded
    recorded: tuple[str, ...] = ()
    #: the batches this print was audited as a reprint in (a month whose reminders were recorded as sent
    #: before): the name a refusal to void the first batch gives; () when nothing was printed again
    reprint_batches: tuple[str, ...] = ()

    @property
    def held_on_file(self) -> int:
        return len(self.held)

    @property
    def not_recorded_text(self) -> str:
        """What a copy that was not recorded says ("" when the batch was recorded), for each month the truth:
        ``Not recorded as sent: Avery Ashcombe cannot record letters (no letterbox.edit). A coordinator's
        print of this month will be recorded as the first.`` when nothing is recorded for it yet, or
        ``… These reminders were already recorded as sent (2 letters by Lee Elderholt at 14:02 on
        02/12/2026), so this copy is an extra: check it is not posted.`` when they were."""
        if not self.not_recorded_by:
            return ""
        head = f"Not recorded as sent: {self.not_recorded_by} cannot record letters (no letterbox.edit)."
        recorded = {r.month: r for r in self.recorded_before}
        if not recorded:
            what = ("this month" if len(self.months) == 1 else "these months" if self.months else "these letters")
            return f"{head} A coordinator's print of {what} will be recorded as the first."
        several = len(self.months) > 1
        said = [head]
        for r in self.recorded_before:
            by = "; ".join(b.said() for b in r.earlier)
            whose = f"The reminders for {month_words(r.month)} were" if several else "These reminders were"
            copy = "this copy of them" if several else "this copy"
            said.append(f"{whose} already recorded as sent" + (f" ({by})" if by else "")
                        + f", so {copy} is an extra: check it is not posted.")
            if r.unrecorded:
                its = plural(r.unrecorded, "letter")
                said.append(f"{its} in it {'is' if r.unrecorded == 1 else 'are'} not recorded yet (a family "
                            "added since): a coordinator's print of the month will record "
                            f"{'it' if r.unrecorded == 1 else 'them'}.")
        first = [m for m in self.months if m not in recorded]
        if first:
            names = ", ".join(month_words(m) for m in first[:-1])
            names = f"{names} and {month_words(first[-1])}" if names else month_words(first[-1])
            said.append(f"Nothing is recorded yet for {names}: a coordinator's print of "
                        f"{'it' if len(first) == 1 else 'them'} will be recorded as the first.")
        return " ".join(said)

    @property
    def printed_before_text(self) -> str:
        """``A copy of these reminders was printed by Avery Ashcombe at 09:12 on 06/12/2026 but not recorded
        as sent; check it was not posted.`` ("" when none was)."""
        return self._copies_said(self.printed_before, "printed", " but not recorded as sent; check {} not posted.")

    @property
    def printed_since_text(self) -> str:
        """What a reprint says of the copies printed, and not recorded, after the month was recorded as sent
        ("" when none was): ``A copy of these reminders was also printed by Avery Ashcombe at 10:05 on
        06/12/2026, after they were recorded as sent, and not recorded; check it was not posted.``"""
        return self._copies_said(self.printed_since, "also printed",
                                 ", after they were recorded as sent, and not recorded; check {} not posted.")

    def _copies_said(self, copies: Sequence[PrintedCopy], verb: str, tail: str) -> str:
        """The sentence on unrecorded copies: "A copy … was {verb}" or "Copies … were {verb}", then each copy
        (naming its month when several are in question), then ``tail`` with "it was" / "they were"."""
        if not copies:
            return ""
        several = len({c.month for c in copies}) > 1 or len(self.months) > 1
        one = len(copies) == 1
        head = ("A copy" if one else "Copies") + (" of these reminders" if not several else "") \
            + (f" was {verb}" if one else f" were {verb}")
        return _copies_text(copies, several, head, tail.format("it was" if one else "they were"))

    @property
    def reprint_text(self) -> str:
        """What the batch says about the reminders it printed again ("" when none): ``All 3 letters were
        produced before for the same month (3 letters by Lee Elderholt at 14:02 on 02/12/2026): recorded as a
        reprint, not counted again as letters sent.``"""
        if not self.reprinted:
            return ""
        said = "; ".join(b.said() for b in self.earlier)
        if self.reprinted == self.letters == 1:
            head, rest = "The letter was", ""
        elif self.reprinted == self.letters:
            head, rest = f"All {self.letters:,} letters were", ""
        else:
            others = self.letters - self.reprinted
            head = f"{self.reprinted:,} of these {self.letters:,} letters {'was' if self.reprinted == 1 else 'were'}"
            rest = f" The other {others:,} {'is' if others == 1 else 'are'} recorded as sent."
        return (f"{head} produced before for the same month" + (f" ({said})" if said else "")
                + ": recorded as a reprint, not counted again as letters sent." + rest)

    @property
    def held_text(self) -> str:
        """What the batch says about its held letters ("" when none)."""
        return held_text(self.held)


def held_text(held: Sequence[HeldLetter], shown: int = 10) -> str:
    """``2 letters held on file (no current address): LB-0001 (the adopters), LB-0007 (Umar Quillfield).``,
    naming at most ``shown`` of them; "" when none."""
    if not held:
        return ""
    names = ", ".join(h.text for h in held[:shown]) + (f" and {len(held) - shown:,} more" if len(held) > shown else "")
    return f"{plural(len(held), 'letter')} held on file (no current address): {names}."


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else "the child"


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def contains_term(text: str, folded: str, term: str) -> bool:
    """Whether ``term`` appears in ``text`` as whole words (what ``(?<!\\w)term(?!\\w)`` matches).

    A single capitalised word is matched as written (so the name "Will" is not found in "we will");
    anything else (address lines, lower-case protected terms) whatever its case; ``folded`` is
    ``text.lower()``, computed once per letter. Plain string search: a batch checks thousands of
    terms, and compiling a pattern for each cost more than drawing the letters."""
    exact = " " not in term and term[:1].isupper()
    hay, needle = (text, term) if exact else (folded, term.lower())
    start = hay.find(needle)
    while start != -1:
        end = start + len(needle)
        if (start == 0 or not _word_char(hay[start - 1])) and (end == len(hay) or not _word_char(hay[end])):
            return True
        start = hay.find(needle, start + 1)
    return False


class TypedTextLeaks(Conflict):
    """The leak check found details of the other side in text the coordinator typed (``where``: the reason
    an item was returned for): that text is to be reworded, not the arrangement's names. ``item_id``: the
    item whose reason it is, when the letter is about one (the screen then offers to open it)."""

    def __init__(self, message: str, where: str, item_id: int | None = None) -> None:
        super().__init__(message)
        self.where, self.item_id = where, item_id


class TemplateTextLeaks(Conflict):
    """The leak check found details of the other side in the agency's own wording of a letter (its template's
    text or the agency profile's details), not in a value from the records: the template is to be reworded
    by an administrator. ``terms``: what was found there; ``paragraph``: the first paragraph it is in."""

    def __init__(self, message: str, terms: tuple[str, ...], paragraph: str) -> None:
        super().__init__(message)
        self.terms, self.paragraph = terms, paragraph


#: what the refusal of a returned letter says to do about a reason that names the other side
REWORD_HINT = ("Open item {item} ({reference}), reword its Reason (returned / withheld) and press Reword reason "
               "(Alt+W), then make the letter again.")


def check_no_leak(text: RenderedLetterText, recipient: Sequence[str], forbidden: Sequence[str],
                  typed: Sequence[tuple[str, str]] = (), known: Sequence[str] = (),
                  addresses: Sequence[str] = ()) -> None:
    """Raise :class:`Conflict` if a name or address line of the other side appears in the letter.

    Neither the body nor the address block may carry a forbidden name, street line or postcode. A single
    word that is also part of the recipient's own name or address (two families can share a town or a
    first name), or one the reader already knows (``known``: the child's name on their side), is not a
    leak. ``typed``: (where, text) the coordinator typed that went into the letter; a term found there is
    blamed on it (reword it), not on the arrangement's names. ``addresses``: which of ``forbidden`` are the
    other side's address lines and places. How terms are found: :func:`leaked_terms`."""
    leaks = leaked_terms(text, recipient, forbidden, known, addresses)
    if not leaks:
        return
    found = ", ".join(leaks)
    own = _own_words(recipient, known)
    places = _Places.of(tuple(addresses))
    for where, typed_text in typed:
        if _found_in(typed_text, leaks, own, places) or _found_in(unmask(typed_text).text, leaks, own, places):
            raise TypedTextLeaks(f"A letter would carry details from the other side of the arrangement "
                                 f"({found}), found in {where}; it was not produced. Reword it without them.",
                                 where)
    where_at: list[int] = []
    agencys = sorted(_leaks(text, recipient, leaks, known, addresses, agencys=True, at=where_at))
    if agencys:
        parts = text.parts()
        said = next((parts[i] for i in where_at if i >= 0), "")
        others = [t for t in leaks if t not in agencys]
        also = (f" It would also carry {', '.join(others)} from the arrangement's records: check its names and "
                "addresses." if others else "")
        raise TemplateTextLeaks(
            f"A letter would carry details from the other side of the arrangement ({', '.join(agencys)}), found "
            f"in the letter template's own wording, not in the family's records: \"{_passage(said)}\". It was "
            "not produced, and nothing was recorded as sent. An administrator should reword the template's "
            "paragraph without these words (Administration > Templates), even where a word is meant in its "
            f"everyday sense (the check cannot tell), then make the letters again.{also}", tuple(agencys), said)
    raise Conflict(f"A letter would carry details from the other side of the arrangement ({found}); it was "
                   "not produced. Check the arrangement's names.")


def _passage(text: str, most: int = 90) -> str:
    """A paragraph as a message quotes it: on one line, cut to ``most`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= most else line[:most - 1].rstrip() + "…"


def leaked_terms(text: RenderedLetterText, recipient: Sequence[str], forbidden: Sequence[str],
                 known: Sequence[str] = (), addresses: Sequence[str] = ()) -> list[str]:
    """The other side's names, address lines and protected terms that :func:`check_no_leak` finds in a
    letter (sorted, each once).

    With the incoming screening's own matcher (:func:`_found_in`): both sides without accents ("Jéss" is
    "Jess", "Zoe" is "Zoë"), a name written with other dashes, apostrophes or spaces ("Smith Jones",
    "O’Neill"), a street's other forms ("43 Quill Rd"), a postcode without its space, a distinctive word of a
    longer term alone ("Kestrel Vale"), and a one-word name also in its pet forms, capitalised ("Jessie",
    "Jessie's" of "Jess"; not "jessie"). Names are matched as written or in capitals (whole words) so "Will"
    the adopter does not clash with "we will", and also in the plural ("the Thornleys", "THORNLEYS", "Thornleys'"); address lines and
    lower-case protected terms whatever their case, never in a plural. The recipient's own words and
    ``known`` ones are never a leak, nor a pet form that is one of them ("Annie" writing, "Ann" forbidden).

    **The program's own wording is no leak** (sixth release, 6 December 2026): a match lying entirely inside a
    value the program generated (``RenderedLetterText.wording``: a date, a month, one of its standard sentences,
    ``LETTER_WORDING``) is not the family's words: a child renamed April is not named by "due in April 2027".
    Everything else counts: the values from the records, the address block, the agency's details and the
    template's own text (an agency template that says "Sam and Alex Thornley … 14 Kestrel Vale" stops the batch;
    one that says "Hope you are well" stops it for a child called Hope, and :func:`check_no_leak` says to
    reword the template). A text not rendered from a template counts whole.

    **Address lines and places** (``addresses``, among ``forbidden``): a line with a postcode and a town
    ("Ivelcombe ZZ99 1HJ") is also looked for as its postcode and its town alone; a one-word place also in
    lower case ("ivelcombe"), unless it is an everyday word ("reading" of Reading: only "Reading"). A line,
    its street and a place of several words count whatever their case ("church lane", "mountain ash"), a
    distinctive word of a line alone capitalised ("Kestrel", "KESTREL" of "14 Kestrel Vale"), as always; only
    the words that say what kind of street or building a line is (:data:`ADDRESS_TYPE_WORDS`: "Cottage" of
    "Rose Cottage") are no leak alone."""
    return sorted(_leaks(text, recipient, forbidden, known, addresses))


def _leaks(text: RenderedLetterText, recipient: Sequence[str], forbidden: Sequence[str], known: Sequence[str],
           addresses: Sequence[str], *, agencys: bool = False, at: list[int] | None = None) -> set[str]:
    """:func:`leaked_terms` (unsorted); ``agencys``: only those found in the agency's own words (the template's
    text or the agency profile's details: nowhere in a value from the records nor in the address block), ``at``
    given: where each was found is added to it (the index of the part of :meth:`RenderedLetterText.parts`)."""
    parts = text.parts()
    # a typed reason keeps its lines in the letter; read also as one run of words, so a name or address
    # line typed over two of them ("12 Heron" / "Gate") is found as it always was
    runs = [i for i, part in enumerate(parts) if "\n" in part]
    # the body and the address block as one text: a term is whole words, never across two of its parts (no
    # space or dash of a term's pattern crosses "|")
    joined = _PARTS_APART.join((*parts, *(" ".join(parts[i].split()) for i in runs), *recipient))
    own = _own_words(recipient, known)
    places = _Places.of(tuple(addresses))
    terms = (*forbidden, *places.pieces) if places.pieces else forbidden
    programs = _Spans(parts, text.wording_spans(), runs, inside=True)
    filled = _Spans(parts, text.filled_spans(), runs)

    def counts(start: int, end: int) -> bool:
        if programs.partly and programs(start, end):
            return False  # entirely inside the program's own wording: "due in April 2027"
        if filled.partly and not filled(start, end) and _shipped_words_only(joined[start:end]):
            return False  # the template's text, in words of the program's own letters: "Dear", "the exchange"
        if agencys and filled(start, end):
            return False
        if at is not None:
            at.append(_part_at(parts, runs, start))
        return True

    check = counts if programs.partly or filled.partly or agencys or at is not None else None
    found = _found_in(joined, terms, own, places, check)
    # disguised writing read as the screening reads it ("Thorn\u200bley", a Cyrillic "о", "T h o r n l e y")
    view = unmask(joined)
    if not view.plain:
        found |= _found_in(view.text, terms, own, places,
                           (lambda a, b: counts(*view.original(a, b))) if check is not None else None)
    return found


_WORD = re.compile(r"[^\W\d_]+")


@functools.cache
def _shipped_words() -> frozenset[str]:
    """The words of the letterbox letters as the program ships them (their text outside the ``${…}``
    values), lower case: "dear", "exchange", "takes", "place" …"""
    words: set[str] = set()
    for path in template_file("letterbox_reminder").parent.glob("letterbox_*.txt"):
        fixed = re.sub(r"\$\{[^}]*\}", " ", path.read_text(encoding="utf-8"))
        words.update(w.casefold() for w in _WORD.findall(fixed))
    return frozenset(words)


def _shipped_words_only(found: str) -> bool:
    """Whether a match in a template's own text is made only of words the program's shipped letters use:
    the family named Dear, by the greeting "Dear Gina Quillfield,"; an address at "The Exchange", by "the
    exchange takes place". Such a word is the program's, not the family's, whoever edited the template; a
    template that names the family ("Sam and Alex Thornley") still stops the batch."""
    words = _WORD.findall(found)
    return bool(words) and all(w.casefold() in _shipped_words() for w in words)


def _part_at(parts: Sequence[str], runs: Sequence[int], start: int) -> int:
    """Which of ``parts`` a position of :func:`_leaks`' joined text is in (a run of words: its part; the
    address block: -1)."""
    gap = len(_PARTS_APART)
    at = 0
    for i, part in enumerate((*parts, *(" ".join(parts[r].split()) for r in runs))):
        if start < at + len(part) + gap:
            return i if i < len(parts) else runs[i - len(parts)]
        at += len(part) + gap
    return -1


class _Spans:
    """Spans of :func:`_leaks`' joined text (its parts, the runs of words of those with several lines, then the
    address block), worked out only when asked (most letters have no match to ask about). Called with a
    match's span. The values filled in from the records (``spans`` of :meth:`RenderedLetterText.filled_spans`,
    None: the whole part; and the address block): whether the match overlaps one. The program's own wording
    (``inside``, of :meth:`RenderedLetterText.wording_spans`): whether it lies entirely inside one.
    ``partly``: whether there is anything to ask (else every match counts)."""

    def __init__(self, parts: Sequence[str], spans: Sequence[Spans | None], runs: Sequence[int], *,
                 inside: bool = False) -> None:
        self._parts, self._spans, self._runs, self._inside = parts, spans, runs, inside
        self.partly = any(s for s in spans) if inside else any(s is not None for s in spans)
        self._starts: list[int] = []
        self._ends: list[int] = []

    def _build(self) -> None:
        gap = len(_PARTS_APART)
        at = 0
        for part, spans in zip(self._parts, self._spans, strict=True):
            self._add(((0, len(part)),) if spans is None else spans, at)
            at += len(part) + gap
        for i in self._runs:  # a part read as one run of words
            part, spans, word_at = self._parts[i], self._spans[i], 0
            found: list[tuple[int, int]] = []
            for w in re.finditer(r"\S+", part):
                n = len(w.group())
                if spans is None or any(
                        (a <= w.start() and w.end() <= b) if self._inside else (a < w.end() and w.start() < b)
                        for a, b in spans):
                    # the program's wording: the words wholly inside one value, side by side, as one span
                    if self._inside and found and found[-1][1] == word_at - 1:
                        found[-1] = (found[-1][0], word_at + n)
                    else:
                        found.append((word_at, word_at + n))
                word_at += n + 1
            self._add(tuple(found), at)
            at += len(" ".join(part.split())) + gap
        if not self._inside:
            self._add(((0, 1 << 60),), at)  # the address block, to the end
        if not self._starts:
            self._starts.append(-1)
            self._ends.append(-1)

    def _add(self, spans: Spans, at: int) -> None:
        for a, b in spans:
            if b > a:
                self._starts.append(at + a)
                self._ends.append(at + b)

    def __call__(self, start: int, end: int) -> bool:
        if not self._starts:
            self._build()
        if self._inside:  # the last span starting at or before the match's start holds all of it
            k = bisect.bisect_right(self._starts, start) - 1
            return k >= 0 and self._ends[k] >= end
        k = bisect.bisect_right(self._starts, max(start, end - 1)) - 1  # the last span starting before the end
        return k >= 0 and self._ends[k] > start


@dataclass(frozen=True)
class _Places:
    """What :func:`leaked_terms` reads differently in the other side's address lines and places: ``pieces``,
    the postcode and the town of a line that has both ("ZZ99 1HJ", "Ivelcombe" of "Ivelcombe ZZ99 1HJ");
    ``keys``: every line and piece, as :func:`_found_in` names terms (folded); ``one_word``: the keys of the
    one-word places (found in lower case too, unless an everyday word)."""

    pieces: tuple[str, ...] = ()
    keys: frozenset[str] = frozenset()
    one_word: frozenset[str] = frozenset()

    @staticmethod
    @functools.lru_cache(maxsize=1024)  # an arrangement's letters share them
    def of(addresses: tuple[str, ...]) -> _Places:
        if not addresses:
            return _NO_PLACES
        pieces: list[str] = []
        for line in addresses:
            code = _POSTCODE_IN_LINE.search(line)
            if code is not None and (rest := " ".join(f"{line[:code.start()]} {line[code.end():]}"
                                                      .replace(",", " ").split())):
                pieces += [" ".join(code.group().split()), rest]
        keys = frozenset(fold(" ".join(t.split())) for t in (*addresses, *pieces) if t.strip())
        return _Places(tuple(p for p in dict.fromkeys(pieces) if p), keys, frozenset(k for k in keys if " " not in k))


_NO_PLACES = _Places()
#: a postcode inside an address line ("Ivelcombe ZZ99 1HJ"): what ``screening``'s postcode rule finds
_POSTCODE_IN_LINE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}(?![A-Za-z0-9])")


#: what parts the lines of a letter read as one text: nothing of a term is read across it
_PARTS_APART = "\n|\n"
#: a hashtag or an account name in a letter (as ``screening.detectors``' ``_TAG`` starts; not an e-mail address)
_TAGGED = re.compile(r"(?<![\w#@/&.])[#@][^\W_]")


def _own_words(recipient: Sequence[str], known: Sequence[str]) -> frozenset[str]:
    """The words of the recipient's name and address and those the reader knows, folded, in lower case; a word
    of a NAME (the recipient's first line, the names the reader knows) with dashes or apostrophes also each of
    its parts of two letters or more ("anne-marie", "anne", "marie" of "Anne-Marie": the reader's own "Anne" is
    no leak of the other side's "Anne Marie Baker"). An address line's words stay whole: "King's Lynn" or
    "St Mary's Road" do not make the other side's "Mary King" the reader's own."""
    words = [fold(w).lower() for line in (*recipient, *known) for w in line.split()]
    names = [fold(w).lower() for line in (*recipient[:1], *known) for w in line.split()]
    return frozenset((*words, *(p for w in names for p in _NAME_MARKS.split(w) if len(p) > 1)))


#: what parts a name's words ("Anne-Marie", "O’Neill"): dashes and apostrophes as people write them
_NAME_MARKS = re.compile("[-\u2010-\u2015\u2212'\u2019\u2018`\u00b4\u02bc]+")


def _found_in(text: str, terms: Iterable[str], own: frozenset[str], places: _Places | None = None,
              counts: Callable[[int, int], bool] | None = None) -> set[str]:
    """The ``terms`` found in ``text`` (see :func:`leaked_terms`), by the incoming screening's own matcher
    (``screening.detectors.match_terms``: hyphens, dashes, apostrophes and spaces as people write them, a
    street's other written forms, a postcode without its space, a distinctive word of a longer term alone, a
    term inside a hashtag or joined-up word), with the leak check's rule on top (:func:`_as_leak`): a name
    capitalised as written or in capitals, plurals only of names, never a word the reader owns. No short forms
    ("Will" of "William"): a false alarm here stops a batch. ``places``: the other side's address lines and
    places, read as :func:`leaked_terms` says; ``counts``: whether a match at a span of ``text`` counts (None:
    every match does; :func:`_leaks`: not one entirely inside the program's own wording)."""
    places = places or _NO_PLACES
    given: dict[str, list[str]] = {}
    joined = "".join(own)  # the reader's words are mostly of plain letters and digits, their own keys
    own_keys = own if joined.isascii() and joined.isalnum() else frozenset(_key(w) for w in own)
    words = TextWords(text)
    tagged = _TAGGED.search(text) is not None  # a name inside a hashtag counts in lower case too: "#thornleyfam"

    def owned(word: str) -> bool:
        return _owned(word, own_keys)

    for term in {t.strip() for t in terms if len(t.strip()) >= 2}:
        # a name stored with the joiner of its Persian or Indic spelling is matched without it, as the
        # unmasked letter is read (and reported as stored)
        bare = without_invisible(term)
        key = fold(bare)
        if " " not in key and ((low := key.lower()) in own or (low if low.isalnum() else _key(key)) in own_keys):
            continue
        name = " " not in key and key[:1].isupper()
        capitalised = not tagged and name
        # a text with a hashtag is searched for a name in lower case too, and also in the plural as a name is
        # ("the Thornleys #family": before, the plural was lost there and the letter went out)
        if not could_match_words(words, bare, capitalised=capitalised, owned=owned) and not (
                (capitalised and key in places.one_word and could_match_words(words, bare, owned=owned))
                or (tagged and name and could_match_words(words, bare, capitalised=True, owned=owned))):
            continue  # most letters name none of the other side's terms as whole words: no pattern is run for them
        given.setdefault(fold(" ".join(bare.split())), []).append(term)
    if not given:
        return set()
    wanted = tuple(sorted(given))  # the same terms in the same order: the matcher's patterns are cached by them
    out: set[str] = set()
    def accept(m: TermMatch) -> bool:
        return _as_leak(m, own_keys, places) and (counts is None or counts(m.start, m.end))

    for m in match_terms(text, wanted, short_forms=False, accept=accept, each=True):
        out.update(given[fold(m.term)])
    return out


def _key(word: str) -> str:
    """A word as the reader's own words are compared: folded, in lower case, its letters and digits only
    ("o’neill," -> "oneill")."""
    return _NOT_ALNUM.sub("", fold(word).lower())


_NOT_ALNUM = re.compile(r"[\W_]+")
#: what may follow any term in a letter: a possessive apostrophe ("12 Heron Gate's", "kaz_h2011's")
_POSSESSIVE = ("", "'", "’", "'s", "’s")


def _as_leak(m: TermMatch, own: frozenset[str], places: _Places | None = None) -> bool:
    """Whether a match of the shared matcher is a leak in an outgoing letter. A one-word capitalised name
    ("Thornley", "Smith-Jones", "O'Neill") counts written as the name is (its letters in the same case, with
    any dashes, apostrophes or spaces between them: "Smith Jones", "O’Neill", "ONeill") or all in capitals,
    also in the plural ("Thornleys", "THORNLEYS"; "-es" only after s, x, z, ch, sh: "Joneses"), so "Will"
    the adopter does not clash with "we will"; a name of parts (a dash or apostrophe in it, or a capital after
    its first letter: "Lily-Mae", "O'Neill", "McDonald") also with its first letter a capital whatever the case
    of the rest ("Lily mae", "Lilymae", "Oneill", "Mcdonald"); anything else (address lines, several words,
    lower-case terms such as handles) whatever its case, with no plural. Inside a hashtag or an account name a
    term counts whatever its case ("#thornleyfamilyadventures", "@lily_mae_2019"), but not an everyday word
    (``ORDINARY_WORD_SURNAMES``: "#HopeForTheBest" with "Hope"); inside a word joined up without "#" or "@"
    it never does: the agency's own text names services ("YoungMinds", "FosterTalk", "WhatsApp"). A pet form
    or a distinctive word alone is capitalised. Never a leak: a term all of whose words or parts are the
    reader's own ("Anne-Marie" in a letter to Anne Marie Baker), a pet form, word alone or term in a hashtag
    that is one of the reader's own words (``own``, as :func:`_key` makes them), a distinctive word with a
    digit in it ("ZZ99" of a postcode). Of the other side's address lines and places (``places``), what
    :func:`leaked_terms` says."""
    if m.how == JOINED and not m.sign:
        return False
    letters = "".join(c for c in m.body if c.isalnum())
    key = fold(m.term)
    if places is not None and key in places.keys and not _as_address_leak(m, key, letters, places):
        return False
    words = _NAME_PARTS.findall(key)
    if words and not any(c.isdigit() for c in key) and all(_key(w) in own for w in words):
        return False  # "Anne-Marie" (or "Mary-Jane") in a letter to Anne Marie Baker: her own name
    if m.how in (PET_FORM, WORD, JOINED) and _owned(letters, own):
        return False
    if m.how == ADDRESS and all(_owned(w, own) for w in re.findall(r"[^\W_]+", m.body) if not w.isdigit()):
        return False  # "Moss Row" of "41 Moss Row" in a letter to "3 Moss Row": the reader's own street
    if m.how == WORD and any(c.isdigit() for c in letters):
        return False
    if m.how in (PET_FORM, WORD):
        return m.body[:1].isupper()
    if m.how == JOINED:  # in a hashtag or an account name
        return key.lower() not in ORDINARY_WORD_SURNAMES
    name = " " not in key and key[:1].isupper()
    if name and not _written_as_name(letters, key):
        return places is not None and key in places.one_word and m.tail.lower() in _POSSESSIVE
    tail = m.tail.lower()
    if tail in _POSSESSIVE:
        return True
    if not name:
        return False
    return tail in ("s", "s'", "s’") or (tail == "es" and key.lower().endswith(_HISSING))


#: the words and parts of a term ("anne", "marie" of "Anne-Marie"; "o", "neill" of "O'Neill")
_NAME_PARTS = re.compile(r"[^\W_]+")


#: the only words of the other side's address lines that are no leak written alone: what KIND of street or
#: building a line names, never which one ("Cottage pie" with "Rose Cottage"; "the Lane" with "Church Lane").
#: A closed list, on purpose: any other word of a line alone ("Kestrel" of "14 Kestrel Vale", "Orchard" of "12
#: Orchard Lane", "Rectory" of "The Old Rectory") may be the place, and is refused capitalised as before; a
#: false alarm only stops a batch until the reason or template is reworded, a missed one can put a child at
#: risk. (The shared matcher never takes most of these alone anyway: ``detectors._NOT_ALONE``.)
ADDRESS_TYPE_WORDS = frozenset((
    "road", "lane", "street", "close", "way", "avenue", "drive", "crescent", "grove", "terrace", "place",
    "square", "walk", "mews", "row", "rise", "gardens", "court", "cottage", "cottages", "house", "farm",
    "farmhouse", "flat", "flats", "apartment", "bungalow", "lodge", "barn",
))


def _as_address_leak(m: TermMatch, key: str, letters: str, places: _Places) -> bool:
    """What an address line or place of the other side must be written as to be a leak, besides
    :func:`_as_leak`'s rule (capitalised as written or in capitals for a word alone; a line, its street or a
    place of several words whatever its case, as always): a word of a line alone is no leak only when it is
    one of :data:`ADDRESS_TYPE_WORDS` ("Cottage" of "Rose Cottage"). A one-word place is also taken in lower
    case ("ivelcombe"), unless an everyday word (:func:`_as_leak` takes it as a name otherwise: "Reading"
    but not "reading")."""
    if m.how == WORD:
        word = _key(letters)
        return word not in ADDRESS_TYPE_WORDS and not (word.endswith("s") and word[:-1] in ADDRESS_TYPE_WORDS)
    if m.how in (WHOLE, ADDRESS) and key in places.one_word:
        return _written_as_name(letters, key) or not is_everyday(key.lower())
    return True


def _written_as_name(letters: str, name: str) -> bool:
    """Whether a one-word capitalised ``name`` is written so (``letters``: the letters and digits found): with
    the name's own capitals or all in capitals; a name of parts ("Lily-Mae", "O'Neill", "McDonald", "ONeill")
    also with only its first letter a capital ("Lilymae", "Oneill", "Mcdonald", "Smith jones")."""
    if letters == "".join(c for c in name if c.isalnum()) or (letters[:1].isupper() and letters.isupper()):
        return True
    of_parts = _NAME_MARKS.search(name) is not None or any(c.isupper() for c in name[1:])
    return of_parts and letters[:1].isupper()


def _owned(letters: str, own: frozenset[str]) -> bool:
    """Whether a word (its letters) is one of the reader's own, also in the plural ("Quillfields")."""
    key = _key(letters)
    return key in own or (key.endswith("s") and key[:-1] in own) or (key.endswith("es") and key[:-2] in own)


#: the endings after which a name's plural takes "-es" ("the Joneses", "the Foxes"); after others "-s" only
_HISSING = ("s", "x", "z", "ch", "sh")


def _lines(address: str) -> list[str]:
    return [ln.strip(" ,") for ln in address.replace(",", "\n").splitlines() if ln.strip(" ,")]


def _known(side: str, a: Arrangement) -> tuple[str, ...]:
    """The names the side receiving a letter already knows: the birth family the child's birth name, the
    adopters their own and the child's names (never a leak, nor a pet form of a forbidden name that is one
    of them: "Jessie" to the birth family with "Jess" the child's new name)."""
    if side == rules.BIRTH:
        return tuple(a.child_birth_name.split())
    return (*a.child_adoptive_name.split(), *a.adopters_name.split())


def _forbidden(side: str, a: Arrangement, parts: list[Participant], terms: list[ProtectedTerm]) -> tuple[str, ...]:
    if side == rules.BIRTH:  # writing to birth relatives: nothing of the adoptive side
        out = [a.child_adoptive_name, a.adopters_name, *a.child_adoptive_name.split(), *a.adopters_name.split(),
               *_lines(a.adopters_address), *(t.term for t in terms if t.side == rules.ADOPTIVE)]
    else:
        out = [*(p.name for p in parts), *(w for p in parts for w in p.name.split()),
               *(ln for p in parts for ln in _lines(p.address)), *(t.term for t in terms if t.side == rules.BIRTH)]
    known = {w.lower() for w in _known(side, a)}
    return tuple(x for x in out if x and x.lower() not in known and x.lower() not in {"mr", "mrs", "ms", "and"})


#: the protected terms' category that names a place (a town), read as an address line's town is
PLACE_CATEGORIES = frozenset(("home town",))


def _addresses(side: str, a: Arrangement, parts: list[Participant], terms: list[ProtectedTerm]) -> tuple[str, ...]:
    """The other side's address lines and the places among its protected terms (of :func:`_forbidden`): read
    as places, not names, by the leak check (:func:`leaked_terms`)."""
    other = rules.ADOPTIVE if side == rules.BIRTH else rules.BIRTH
    lines = _lines(a.adopters_address) if side == rules.BIRTH else [ln for p in parts for ln in _lines(p.address)]
    known = {w.lower() for w in _known(side, a)}
    return tuple(x for x in dict.fromkeys((*lines, *(t.term for t in terms
                                                      if t.side == other and t.category in PLACE_CATEGORIES)))
                 if x and x.lower() not in known)


def _jobs_for(a: Arrangement, parts: list[Participant], terms: list[ProtectedTerm], side: str, kind: str,
              values: dict[str, object]) -> tuple[list[LetterJob], list[HeldLetter]]:
    """Letters for one side of one arrangement; a reader with no current address — the adopters, or a birth
    relative — gets none: the letter is held on file (named in the batch, never recorded as sent)."""
    jobs: list[LetterJob] = []
    held: list[HeldLetter] = []
    if side == rules.ADOPTIVE:
        if not a.adopters_address.strip():  # never "To The adoptive family / Dear Sir or Madam" with no address
            held.append(HeldLetter(a.reference, side, "the adopters"))
            return jobs, held
        child = first_name(a.child_adoptive_name or a.child_birth_name)
        recipient = (a.adopters_name or "The adoptive family", *_lines(a.adopters_address))
        jobs.append(LetterJob(a.id, kind, side, recipient,
                              {**values, "child": child,
                               "salutation": salutation_for(a.adopters_salutation, a.adopters_name)},
                              a.reference, _forbidden(side, a, parts, terms), known=_known(side, a),
                              addresses=_addresses(side, a, parts, terms)))
        return jobs, held
    addresses = _addresses(side, a, parts, terms)
    for p in parts:
        if not p.active:
            continue
        if not p.address.strip():
            held.append(HeldLetter(a.reference, side, p.name))
            continue
        child = first_name(a.child_birth_name)
        jobs.append(LetterJob(a.id, kind, side, (p.name, *_lines(p.address)),
                              {**values, "child": child, "salutation": salutation_for(p.salutation, p.name)},
                              a.reference,
                              _forbidden(side, a, parts, terms), participant_id=p.id, known=_known(side, a),
                              addresses=addresses))
    return jobs, held


def _load(session: Session, ids: Sequence[int]) -> tuple[dict[int, Arrangement], dict[int, list[Participant]],
                                                          dict[int, list[ProtectedTerm]]]:
    arrs: dict[int, Arrangement] = {}
    parts: dict[int, list[Participant]] = {}
    terms: dict[int, list[ProtectedTerm]] = {}
    for chunk in range(0, len(ids), 500):
        part = list(ids[chunk:chunk + 500])
        arrs.update({a.id: a for a in _rows(session, Arrangement, Arrangement.id.in_(part))})
        for p in _rows(session, Participant, Participant.arrangement_id.in_(part), order_by=Participant.id):
            parts.setdefault(p.arrangement_id, []).append(p)
        for t in _rows(session, ProtectedTerm, ProtectedTerm.arrangement_id.in_(part)):
            terms.setdefault(t.arrangement_id, []).append(t)
    return arrs, parts, terms


def _rows(session: Session, model: type[_M], *where: ColumnElement[bool],
          order_by: InstrumentedAttribute[Any] | None = None) -> list[_M]:
    """``model``'s rows as plain result rows, read only: every column under its attribute's name (the
    models name their columns as their attributes) with the column's type applied, without building an
    ORM object and its identity-map entry for each (a batch reads thousands; the letters only read)."""
    stmt = select(*model.__table__.columns).where(*where)
    if order_by is not None:
        stmt = stmt.order_by(order_by)
    return cast(list[_M], list(session.execute(stmt)))


def reminder_jobs(session: Session, month: str, *, limit: int | None = None) -> tuple[list[LetterJob], list[HeldLetter]]:
    """Reminders for every active arrangement with an exchange due in ``month`` (YYYY-MM), to the side(s)
    whose letter for it has not come in."""
    return reminder_jobs_for(session, [month], limit=limit)


def reminder_jobs_for(session: Session, months: Sequence[str], *,
                      limit: int | None = None) -> tuple[list[LetterJob], list[HeldLetter]]:
    """Reminders for each of ``months`` in turn (as :func:`reminder_jobs` month by month), the
    arrangements read once for all of them."""
    return reminder_jobs_from(read_for_reminders(session, months), months, limit=limit)


@dataclass(frozen=True)
class ReminderRows:
    """What a batch of reminders is made from (:func:`read_for_reminders`), read once for all its months."""

    ids: list[int]  # the active arrangements, in reference order
    arrangements: dict[int, Arrangement]
    participants: dict[int, list[Participant]]
    terms: dict[int, list[ProtectedTerm]]
    #: the months letters came in around the batch's months (``rules.received_key``), the exchanges marked
    #: missed in them and the agreements' pattern history: what ``rules.outstanding_exchanges`` decides by
    received: dict[int, set[tuple[str, int]]]
    missed: dict[int, set[tuple[dt.date, str]]]
    changes: dict[int, list[rules.PatternChange]]


def read_for_reminders(session: Session, months: Sequence[str]) -> ReminderRows:
    """What reminders for ``months`` are made from: the active arrangements (in reference order), their
    participants and protected terms, and what decides who is still to write (the items received from the
    month before the first month to the month after the last, the exchanges marked missed, the pattern
    history): each read once for the batch, however many letters and months. Only reads;
    :func:`reminder_jobs_from` makes the letters' jobs without the database."""
    ids = list(session.scalars(select(Arrangement.id).where(Arrangement.status == "active")
                               .order_by(Arrangement.reference)))
    arrs, parts, terms = _load(session, ids)
    bounds = [rules.month_bounds(m) for m in months]
    first = min((b[0] for b in bounds), default=dt.date.min)
    last = max((b[1] for b in bounds), default=dt.date.min)
    # is_received: a letter counts for an exchange if it came in the month before its due month, in it or
    # in the month after
    received = received_months(session, received_months_select().where(
        Item.received_on >= rules.add_months(first, -1), Item.received_on < rules.add_months(last, 1))
    ) if bounds else {}
    missed = missed_marks(session, first, last) if bounds else {}
    changes = pattern_changes_in(session) if bounds else {}
    return ReminderRows(ids, arrs, parts, terms, received, missed, changes)


def reminder_jobs_from(read: ReminderRows, months: Sequence[str], *,
                       limit: int | None = None) -> tuple[list[LetterJob], list[HeldLetter]]:
    """The reminder jobs for ``months`` from :func:`read_for_reminders`'s rows."""
    jobs: list[LetterJob] = []
    held: list[HeldLetter] = []
    for month in months:
        j, h = _reminders_in(month, read, limit=None if limit is None else limit - len(jobs))
        jobs, held = jobs + j, held + h
        if limit is not None and len(jobs) >= limit:
            break
    return jobs, held


#: an agency's arrangements share a handful of month patterns ("3, 9"): each is parsed once (a pattern
#: that is not months raises, every time, as ``rules.parse_months`` does)
_parse_months = functools.lru_cache(maxsize=1024)(rules.parse_months)


def _reminders_in(month: str, read: ReminderRows, *, limit: int | None) -> tuple[list[LetterJob], list[HeldLetter]]:
    """The reminders for the exchanges due in ``month``: one to each side still to write. Who is still to
    write is the work list's rule, :func:`rules.outstanding_exchanges` (a letter in the month before, the
    month or the month after, not returned for changes, is its exchange's; an exchange marked missed is not
    awaited; the pattern in effect that month): a family whose letter has come in is not reminded."""
    start, end = rules.month_bounds(month)
    before = rules.add_months(start, -1).month  # a reply due this month answers the month before's letter
    jobs: list[LetterJob] = []
    held: list[HeldLetter] = []
    for aid in read.ids:
        a = read.arrangements[aid]
        months = _parse_months(a.exchange_months)
        if aid not in read.changes and start.month not in months and not (a.replies_expected and before in months):
            continue  # nothing of its pattern falls due this month (most arrangements: skipped without the rule)
        ends = rules.eighteenth_birthday(a.child_dob) if a.child_dob else None
        for e, _state in rules.outstanding_exchanges(
                months, today=start, since=start, until=end - dt.timedelta(days=1),
                received=read.received.get(aid, ()), first_writer=a.first_writer,
                replies_expected=a.replies_expected, start=a.start_date, end=ends,
                missed=read.missed.get(aid, ()), changes=read.changes.get(aid, ())):
            values: dict[str, object] = {"reference": a.reference, "month": f"{e.due:%B %Y}",
                                         "due_date": long_date(e.due), "due_on": e.due}
            j, h = _jobs_for(a, read.participants.get(aid, []), read.terms.get(aid, []), e.side, "reminder", values)
            jobs += j
            held += h
        if limit is not None and len(jobs) >= limit:
            return jobs[:limit], held
    return jobs, held


def late_writers(session: Session, arrangement_ids: Sequence[int], today: dt.date) -> dict[int, WorkRow]:
    """Whom each arrangement's chaser goes to: the latest exchange on its work list (the look-back and the
    older ones: one rule, :func:`rules.outstanding_exchanges`) that is overdue, past its chase date and
    chaseable. A first letter always is; a reply is only when the letter it answers came (or was never
    expected): while that letter is awaited the first writer is chased for it instead (it is on the list
    itself), and when it was marked missed there is nothing to reply to, so nobody is chased for the reply."""
    rows = [w for older in (True, False) for w in work_rows_in(session, today, older=older,
                                                               arrangement_ids=arrangement_ids)]
    awaited = {(w.arrangement_id, w.due, w.side) for w in rows}
    missed = {(aid, due, side) for aid, due, side in session.execute(
        select(MissedExchange.arrangement_id, MissedExchange.due, MissedExchange.side)
        .where(MissedExchange.arrangement_id.in_(sorted(set(arrangement_ids)))))}
    forwarded = passed_on(session, arrangement_ids)
    out: dict[int, WorkRow] = {}
    for w in rows:  # oldest first: the latest one wins
        if w.state != "overdue" or w.chase_on > today:
            continue
        if not w.first:
            letter = (w.arrangement_id, rules.add_months(w.due, -1), rules.other_side(w.side))
            if letter in awaited or letter in missed:
                continue
            # the letter came in but was not passed on (withheld, held on file, not yet decided): its reader
            # never had it, so nobody is asked for a reply to it
            if not rules.is_received(rules.Expected(letter[1], letter[2], True), forwarded.get(w.arrangement_id, ())):
                continue
        out[w.arrangement_id] = w
    return out


def arrangement_jobs(session: Session, kind: str, arrangement_ids: Sequence[int],
                     today: dt.date) -> tuple[list[LetterJob], list[HeldLetter]]:
    """Confirmation, review invitation or chaser letters for chosen arrangements (both sides / the writer)."""
    arrs, parts, terms = _load(session, list(arrangement_ids))
    jobs: list[LetterJob] = []
    held: list[HeldLetter] = []
    late = late_writers(session, arrangement_ids, today) if kind == "chaser" else {}
    for aid in arrangement_ids:
        a = arrs.get(aid)
        if a is None:
            continue
        months = rules.parse_months(a.exchange_months)
        values: dict[str, object] = {
            "reference": a.reference, "months": rules.months_text(months) or "the agreed months",
            "may_send": a.may_send, "review_date": long_date(a.review_date) if a.review_date else "soon"}
        sides = [rules.ADOPTIVE, rules.BIRTH]
        if kind == "chaser":
            due = late.get(aid)
            if due is None:
                continue
            values["due_date"] = long_date(due.due)
            sides = [due.side]
        for side in sides:
            values["first_writer_text"] = ("You write first, at the start of the month." if a.first_writer == side
                                           else "You will receive a letter first and may reply.")
            j, h = _jobs_for(a, parts.get(aid, []), terms.get(aid, []), side, kind, dict(values))
            jobs += j
            held += h
    return jobs, held


def full_stop(text: str) -> str:
    """``text`` ending with a full stop (or the ! or ? it has), for a sentence typed without one."""
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def typed_reason(text: str) -> str:
    """A reason typed in the Reason box as the letter shows it: its lines kept (a list of points typed or
    pasted with bullets stays a list, as an ADM letter keeps its pasted reasons), spaces and tabs inside a
    line made single spaces, a run of blank lines one paragraph break, and one full stop at the end."""
    paragraphs: list[list[str]] = [[]]
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return full_stop("\n\n".join("\n".join(lines) for lines in paragraphs if lines))


def _item_writers(item: Item, a: Arrangement, parts: list[Participant]) -> list[Participant]:
    """Who a letter about a birth-side item goes to: the birth relative recorded as its writer, or the
    arrangement's only birth relative. With several and none recorded it is refused: writing to all of
    them would tell each about another's letter (and quote it)."""
    if item.participant_id is not None:
        return [p for p in parts if p.id == item.participant_id]
    typed = item.writer.strip().lower()
    if len(parts) <= 1 and (not parts or not typed or parts[0].name.strip().lower() == typed):
        return parts  # the only birth relative, and the item names nobody else
    raise Conflict(f"Item {item.id} ({a.reference}): who wrote it is not recorded"
                   + (f" (it is signed \"{item.writer.strip()}\")" if typed else "")
                   + f", and the arrangement has {len(parts)} birth relative{'s' * (len(parts) != 1)}; the letter "
                   "was not produced. Choose who wrote it in the item window (From (writer)), then make the letter "
                   "again.")


def return_reason_leaks(session: Session, item: Item, reason: str) -> list[str]:
    """The reason an item is returned for is printed in the letter to its writer, and an outcome is final:
    what that letter's own leak check would find in it (to refuse it while it can be reworded). With the
    writer not yet known, no reader's words are allowed."""
    arrs, parts, terms = _load(session, [item.arrangement_id])
    a = arrs[item.arrangement_id]
    side = rules.writer_side(item.direction)
    found = parts.get(a.id, [])
    try:
        writers = _item_writers(item, a, found) if side == rules.BIRTH else found
    except Conflict:
        writers = []
    jobs = _jobs_for(a, writers, terms.get(a.id, []), side, "returned", {})[0] or [
        LetterJob(a.id, "returned", side, (), {}, a.reference, _forbidden(side, a, found, terms.get(a.id, [])),
                  known=_known(side, a), addresses=_addresses(side, a, found, terms.get(a.id, [])))]
    text = RenderedLetterText("", "", (reason,), "")
    return _named_once({t for job in jobs for t in leaked_terms(text, job.recipient, job.forbidden, job.known,
                                                                 job.addresses)})


def _named_once(terms: set[str]) -> list[str]:
    """Each name found once, in order: a term whose words lie within a longer one found (``Quinn`` and
    ``hazel`` beside ``Hazel Quinn``) or that differs from another only in case is said once, as the longest."""
    kept: list[str] = []
    for term in sorted(terms, key=lambda t: (-len(t), t)):
        words = term.casefold().split()
        if not any(_has_run(k.casefold().split(), words) for k in kept):
            kept.append(term)
    return sorted(kept, key=str.casefold)


def _has_run(words: list[str], run: list[str]) -> bool:
    return any(words[i:i + len(run)] == run for i in range(len(words) - len(run) + 1))


def item_jobs(session: Session, kind: str, item_ids: Sequence[int]) -> tuple[list[LetterJob], list[HeldLetter]]:
    """Acknowledgements or returned-for-changes letters, to each item's writer: the adopters, or the birth
    relative recorded as its writer. What an acknowledgement says follows the item's status (a withheld
    item is not promised to be passed on, and its reason is never quoted); a returned letter is only for an
    item returned to its writer."""
    items = list(session.scalars(select(Item).where(Item.id.in_(list(item_ids))).order_by(Item.id)))
    arrs, parts, terms = _load(session, sorted({i.arrangement_id for i in items}))
    jobs: list[LetterJob] = []
    held: list[HeldLetter] = []
    for item in items:
        a = arrs[item.arrangement_id]
        if item.status == rules.LOGGED_IN_ERROR:
            raise Conflict(f"Item {item.id} ({a.reference}) was logged in error: no letter is written about it. "
                           "Leave it out of the letters.")
        if kind == "returned" and item.status != "returned":
            raise Conflict(f"Item {item.id} ({a.reference}) is {item.status}, not returned to its writer: a "
                           "returned-for-changes letter is only for an item whose outcome is \"returned\".")
        if kind == "returned" and not item.reason:
            raise ValidationError(f"Item {item.id}: record why it was returned before writing the letter.", "reason")
        side = rules.writer_side(item.direction)
        # who the item is for has no address to post it to (the birth relatives, or the adopters): not yet
        # passed on, or held, it is not promised "as soon as possible"; passed on (by hand, by e-mail) it was
        if side == rules.ADOPTIVE:
            no_reader = not any(p.address.strip() for p in parts.get(a.id, []) if p.active)
        else:
            no_reader = not a.adopters_address.strip()
        forwarding, next_steps = ACK_WORDING.get(item.status, (FORWARD_TEXT, CHANGES_TEXT))
        if no_reader and item.status in ("received", "screened", "held"):
            forwarding = HELD_TEXT if side == rules.ADOPTIVE else HELD_FAMILY_TEXT
        # typed on several lines, or a list of points with bullets: its lines kept in the letter
        reason = typed_reason(item.reason) if kind == "returned" else ""
        values: dict[str, object] = {
            "reference": a.reference, "item_type": ITEM_WORDS.get(item.item_type, item.item_type),
            "received_on": long_date(item.received_on), "reason": reason,
            "forwarding_text": forwarding, "next_steps_text": next_steps}
        writers = _item_writers(item, a, parts.get(a.id, [])) if side == rules.BIRTH else parts.get(a.id, [])
        j, h = _jobs_for(a, writers, terms.get(a.id, []), side, kind, values)
        typed = ((TYPED_REASON, " ".join(reason.split())),) if reason else ()  # found as the leak check reads it
        jobs += [replace(job, typed=typed, item_id=item.id) for job in j]
        held += h
    return jobs, held


def _item_versions(session: Session, ids: set[int]) -> dict[int, int]:
    return {int(i): int(v) for i, v in session.execute(
        select(Item.id, Item.row_version).where(Item.id.in_(sorted(ids))))} if ids else {}


def _check_items_unchanged(session: Session, read: dict[int, int]) -> None:
    """The items an item letter is about, locked (id order) as its sent-list is recorded and checked to be
    as they were read: a reason reworded, a writer corrected or an outcome changed while the letters were
    made would leave the record saying what the letter never said (second review). Nothing is recorded
    and no file is written; the letters are made again from what is stored now."""
    if not read:
        return
    from adoption_desktop.core.concurrency import last_saved, when_text

    for item in session.scalars(select(Item).where(Item.id.in_(sorted(read))).order_by(Item.id)
                                .with_for_update().execution_options(populate_existing=True)):
        if int(item.row_version) != read[item.id]:
            who, at = last_saved(session, item)
            raise Conflict(f"{who} changed item {item.id} at {when_text(at)}, while its letter was being made; "
                           "nothing was recorded and no file was written. Make the letters again.")


def check_item_letters(db: Database, actor: Principal, kind: str, item_ids: Sequence[int]) -> None:
    """What :func:`write_batch` would refuse for these items' letters (not returned, no reason recorded, the
    writer not known), said before the person is asked where to save the file (letterbox trial: the file
    was chosen first, then refused). Reads only; the batch checks again when it is made."""
    require(actor, Permission.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        item_jobs(session, kind, item_ids)


def write_batch(db: Database, actor: Principal, kind: str, out: Path, *, month: str | None = None,
                months: Sequence[str] = (), arrangement_ids: Sequence[int] = (), item_ids: Sequence[int] = (), today: dt.date | None = None,
                limit: int | None = None, progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None, signed_by: Principal | None = None,
                before_output: Callable[[], object] | None = None) -> BatchResult:
    """One merged PDF for the batch; the sent-list is recorded only after the file is written.

    Reminders are for ``month`` (YYYY-MM) or for each of ``months``; ``limit`` caps the batch. The letters
    are signed by the account ``signed_by`` (never named by full name) or else by ``actor``, who must hold
    ``letterbox.edit`` (:func:`letterbox_signer`: refused before anything is read). An ``actor`` without
    it gets the file (a copy signed by ``signed_by``) with nothing recorded as sent (``BatchResult.not_recorded_by``).
    ``before_output()`` is called once the letters are read, checked for leaks and drawn in memory, before
    anything is written (file, sent-list, audit) or returned; it may raise to stop with nothing written
    (a headless export confirms its sign-in there)."""
    require(actor, Permission.LETTERBOX_VIEW)
    if kind not in KINDS:
        raise ValidationError(f"Letter kind: choose one of {', '.join(KINDS)}.", "kind")
    today = today or dt.date.today()
    with db.session(actor, write=False) as session:
        signatory, signatory_title = letterbox_signer(session, actor, signed_by)  # before anything is read
        head = letterhead(session, area="letterbox")
        template = load_template(f"letterbox_{kind}")  # the agency's own version (in this session)
        jobs: list[LetterJob] = []
        held: list[HeldLetter] = []
        read_versions: dict[int, int] = {}  # the items the letters are about, as read (item letters)
        reminder_months = list(months or [month or f"{today:%Y-%m}"])
        if kind == "reminder":
            # printed reminders are recorded as sent: a month far ahead printed now makes its real run a reprint
            from adoption_desktop.core.settings_service import get_setting
            from adoption_desktop.letterbox.settings import REMINDER_DAYS_BEFORE

            rules.check_reminder_months(reminder_months, today, int(get_setting(session, REMINDER_DAYS_BEFORE)))
            rows = read_for_reminders(session, reminder_months)
        elif kind in ("acknowledgement", "returned"):
            jobs, held = item_jobs(session, kind, item_ids)
            read_versions = _item_versions(session, {j.item_id for j in jobs if j.item_id is not None})
        else:
            jobs, held = arrangement_jobs(session, kind, arrangement_ids, today)
        cal = calendar(session)
        reply_date = reply_by(session, today, cal)
    db.start_page_check()  # a deferred check of the file's pages (unless the caller started it) runs while
    if kind == "reminder":  # the letters are made (the reminders' jobs from the rows read, then the drawing)
        jobs, held = reminder_jobs_from(rows, reminder_months, limit=limit)
    token = uuid.uuid4().hex[:6]
    if kind == "reminder":  # named for its (first) month; record_reminders names each month's batch the same way
        first_due = jobs[0].values["due_on"] if jobs else None
        batch = reminder_batch(f"{first_due:%Y-%m}" if isinstance(first_due, dt.date) else reminder_months[0],
                               today, token)
    else:
        batch = f"{kind}-{today:%Y%m%d}-{token}"
    shown_months = tuple(reminder_months) if kind == "reminder" else ()
    if not jobs:
        if before_output is not None:
            before_output()
        return BatchResult(None, 0, batch, tuple(held), months=shown_months)

    def letters() -> list[Letter]:
        out_letters = []
        for job in jobs:
            # a reminder printed ahead asks for the letter by the exchange's due date, not by a date before
            # the month it is due in (the confirmation letter says the first writer writes at its start)
            # (on a working day: "by 1 January" is a bank holiday, "by Monday 4 January" is when post is opened)
            due_on = job.values.get("due_on")
            send_by = (max(reply_date, cal.next_working_day(due_on)) if isinstance(due_on, dt.date)
                       else reply_date)
            rendered = template.render({**job.values, "reply_by": long_date(send_by)}, wording=LETTER_WORDING)
            try:
                check_no_leak(rendered, job.recipient, job.forbidden, job.typed, job.known, job.addresses)
            except TemplateTextLeaks as exc:  # which template: the administrator rewords it
                raise TemplateTextLeaks(f"{exc} The template is \"{_template_title(template.name)}\" "
                                        f"({template.version_label}).", exc.terms, exc.paragraph) from exc
            except TypedTextLeaks as exc:  # a reason recorded before it was checked: say how to reword it
                if job.item_id is None or exc.where != TYPED_REASON:
                    raise
                raise TypedTextLeaks(f"{exc} " + REWORD_HINT.format(item=job.item_id, reference=job.reference),
                                     exc.where, job.item_id) from exc
            out_letters.append(Letter(job.recipient, rendered, today, job.reference, signatory,
                                      signatory_title))
        return out_letters

    recorded: dict[str, RecordedMonth] = {}  # a copy only: its months already recorded as sent
    # the file gets its name only once the sent-list and its audit entry are committed: a failed or
    # interrupted commit leaves nothing at ``out``
    with output_file(out) as tmp:
        count = write_letters(tmp, letters(), head, title=KINDS[kind], total=len(jobs), progress=progress,
                              cancelled=cancelled, before_save=before_output)
        if actor.can(Permission.LETTERBOX_EDIT):
            with db.session(actor) as session:
                _check_items_unchanged(session, read_versions)
                if kind == "reminder":
                    again, earlier, printed, since, reprints = recorded_reminders(session, jobs, today, token)
                    recorded_in = _recorded_batches(session, jobs, today, token)
                else:
                    record_letters_sent(session, [(j.arrangement_id, kind, j.side, j.item_id, j.participant_id)
                                                  for j in jobs], today, batch)
        else:  # the copy only (signed by a coordinator, checked above): audited, each month's batch by name,
            with db.session(actor) as session:  # so that a coordinator's print of the month can say so
                # a month already recorded as sent: this copy is an extra, not the first (read as it is audited)
                if kind == "reminder":
                    recorded = {r.month: r for r in recorded_before(session, jobs)}
                for name, n, month_of in _printed_batches(jobs, kind, batch, today, token):
                    r = recorded.get(month_of)
                    extra = (f"; already recorded as sent in {', '.join(b.batch for b in r.earlier)}: an extra copy"
                             if r is not None else "")
                    audit.record(session, "letterbox_letters_printed", "letterbox_letters_sent", name,
                                 detail=f"{n} letters (not recorded as sent: no edit permission{extra})")
    if not actor.can(Permission.LETTERBOX_EDIT):
        return BatchResult(Path(out), count, batch, tuple(held), not_recorded_by=actor.full_name,
                           months=shown_months, recorded_before=tuple(recorded.values()))
    if kind == "reminder":
        return BatchResult(Path(out), count, batch, tuple(held), again, earlier, months=shown_months,
                           printed_before=printed, printed_since=since, recorded=recorded_in,
                           reprint_batches=reprints)
    return BatchResult(Path(out), count, batch, tuple(held), recorded=(batch,))


def _template_title(name: str) -> str:
    """A letterbox template as the Templates tab lists it ("letterbox_reminder" -> "Letterbox: reminder")."""
    area, _, rest = name.partition("_")
    return f"Letterbox: {rest.replace('_', ' ')}" if area == "letterbox" and rest else name


#: the title a letterbox letter's signer is printed with when their user record has no job title: the role
#: they act in for the letterbox (only a coordinator is "Letterbox coordinator"; an administrator who signs
#: gets no title rather than one they do not hold)
LETTERBOX_ROLE_TITLES = {Role.LETTERBOX_COORDINATOR: "Letterbox coordinator"}


class CannotSign(ValidationError):
    """The person who would sign a batch of letterbox letters does not hold ``letterbox.edit``: nothing
    was read or written. ``who``: their name as said ("Avery Ashcombe (admin)")."""

    def __init__(self, who: str, to_do: str) -> None:
        super().__init__(f"{who} does not hold letterbox.edit, so cannot sign these letters; nothing was "
                         f"written. {to_do}", "signed_by")
        self.who = who


def letterbox_signer(session: Session, actor: Principal, signed_by: Principal | None) -> tuple[str, str]:
    """Who signs a batch of letterbox letters and the title printed under their name.

    The signatory must hold ``letterbox.edit`` whoever they are: the account ``signed_by`` (read again by
    its id: enabled, its roles in effect now) or else ``actor``; refused (:class:`CannotSign`) otherwise.
    Never looked up by full name: two accounts may share one (a coordinator and a counsellor both "Sam
    Brook"), and the letter must carry the named account's own title. The title is the person's own job
    title, or the role they act in for the letterbox (:data:`LETTERBOX_ROLE_TITLES`), or none: never a
    default job they may not hold (user trial: an administrator's letters were signed "Letterbox
    coordinator")."""
    from adoption_desktop.core.security.service import signer_by_id, signer_for

    if signed_by is None:
        if not actor.can(Permission.LETTERBOX_EDIT):
            raise CannotSign(actor.display, "Ask a letterbox coordinator to print them, or to be named as the "
                                            "one who signs them.")
        signer = signer_for(session, actor)
    else:
        found = signer_by_id(session, signed_by.user_id)
        if found is None or not found.principal.can(Permission.LETTERBOX_EDIT):
            raise CannotSign(signed_by.display, "Name a letterbox coordinator who signs them.")
        signer = found
    return signer.principal.full_name, signer.title(LETTERBOX_ROLE_TITLES)


def _printed_batches(jobs: Sequence[LetterJob], kind: str, batch: str, on: dt.date,
                     token: str) -> list[tuple[str, int, str]]:
    """The batches a print that is not recorded is audited as, with their letters and month (``YYYY-MM``,
    "" for letters other than reminders): reminders by their month (named as :func:`record_reminders`
    names a month's batch), other letters as one."""
    if kind != "reminder":
        return [(batch, len(jobs), "")]
    return [(reminder_batch(month, on, token), len(month_jobs), month)
            for month, month_jobs in _by_month(jobs).items()]


def printed_only(session: Session, months: Sequence[str]) -> tuple[PrintedCopy, ...]:
    """The copies of ``months``' reminders printed by someone who could not record them
    (``letterbox_letters_printed`` entries for each month's batch), earliest first, each marked
    ``after_recorded`` when it was printed after the month's reminders were first recorded as sent (read
    from the log's order, the ``letterbox_letters_sent`` entries of the months' batches). One query."""
    from sqlalchemy import or_

    from adoption_desktop.core.audit.models import AuditEntry
    from adoption_desktop.core.security.models import User

    keys = {month_key(m): m for m in months}
    if not keys:
        return ()
    rows = list(session.execute(
        select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.at, AuditEntry.actor, User.full_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.action.in_(("letterbox_letters_printed", "letterbox_letters_sent")),
               AuditEntry.entity == "letterbox_letters_sent",
               or_(*(AuditEntry.entity_id.like(reminder_batches_like(m)) for m in keys.values())))
        .order_by(AuditEntry.seq)))
    out = []
    recorded: set[str] = set()  # the months recorded as sent so far, in the log's order
    void = voided_batches(session, [str(r[1]) for r in rows if r[0] == "letterbox_letters_sent"])
    for action, entity_id, at, login, name in rows:
        month = keys.get(batch_month_key(str(entity_id)) or "")
        if month is None:
            continue
        if action == "letterbox_letters_sent":
            if str(entity_id) in void:  # voided as not posted: the month is not recorded by it
                continue
            recorded.add(month)
        else:
            out.append(PrintedCopy(month, str(name or login or "someone"),
                                   _naive_utc(at) if isinstance(at, str) and at else None,
                                   after_recorded=month in recorded))
    return tuple(out)


def _recorded_batches(session: Session, jobs: Sequence[LetterJob], on: dt.date, token: str) -> tuple[str, ...]:
    """The month batches of this print (:func:`record_reminders`' names) that recorded letters as sent."""
    from sqlalchemy import func

    from adoption_desktop.letterbox.models import LetterSent

    names = [reminder_batch(month, on, token) for month in _by_month(jobs)]
    found = {str(b) for b, in session.execute(select(LetterSent.batch).where(LetterSent.batch.in_(names))
                                              .group_by(LetterSent.batch).having(func.count() > 0))}
    return tuple(n for n in names if n in found)


def _reminder_key(job: LetterJob) -> ReminderKey:
    return job.arrangement_id, job.side, job.participant_id


def _by_month(jobs: Sequence[LetterJob]) -> dict[str, list[LetterJob]]:
    by_month: dict[str, list[LetterJob]] = {}
    for job in jobs:
        due = job.values["due_on"]
        assert isinstance(due, dt.date)  # every reminder's job carries its exchange's due date
        by_month.setdefault(f"{due:%Y-%m}", []).append(job)
    return by_month


def record_reminders(session: Session, jobs: Sequence[LetterJob], on: dt.date, token: str
                     ) -> tuple[int, tuple[SentBatch, ...], tuple[PrintedCopy, ...], tuple[PrintedCopy, ...]]:
    """:func:`recorded_reminders` without the names of the reprints' batches."""
    again, earlier, printed, since, _reprints = recorded_reminders(session, jobs, on, token)
    return again, earlier, printed, since


def recorded_reminders(session: Session, jobs: Sequence[LetterJob], on: dt.date, token: str
                       ) -> tuple[int, tuple[SentBatch, ...], tuple[PrintedCopy, ...], tuple[PrintedCopy, ...],
                                  tuple[str, ...]]:
    """The sent-list of a batch of reminders, a batch for each month (:func:`sent_list.reminder_batch`): a
    reminder the sent-list already holds for its month (the same arrangement, side and birth relative) is
    a reprint, audited as one (``letterbox_letters_reprinted``, the month's batch, how many and which
    batch first recorded them) and not recorded as sent again, so the figures count it once; the others
    are recorded as sent (a family added since the first print). Read in the transaction that records.
    Returns how many were reprints, the batches that first recorded them (who, when), and the copies of a
    month with nothing recorded yet that were printed by someone who could not record them
    (:func:`printed_only`, read in the same transaction): this batch is the month's first, and says so;
    and the copies of a month already recorded printed so after it was recorded (the same query): a
    reprint says so, as they are extras that may have been posted too. Last, the names of this print's
    batches audited as reprints (a month printed again): the name a refusal to void the first batch gives,
    so the print says it (user trial: the refusal named a batch the person had never seen)."""
    by_month = _by_month(jobs)
    already = reminders_sent_for(session, list(by_month))
    copies = printed_only(session, list(by_month))
    printed = tuple(c for c in copies if not already[c.month])
    since = tuple(c for c in copies if already[c.month] and c.after_recorded)
    again = 0
    first: dict[str, list[int]] = {}
    reprints: list[str] = []
    for month, month_jobs in by_month.items():
        batch = reminder_batch(month, on, token)
        done = already[month]
        new = [j for j in month_jobs if _reminder_key(j) not in done]
        record_letters_sent(session, [(j.arrangement_id, "reminder", j.side, None, j.participant_id) for j in new],
                            on, batch)
        repeated = [j for j in month_jobs if _reminder_key(j) in done]
        if repeated:
            batches = sorted({done[_reminder_key(j)] for j in repeated})
            extras = [c for c in since if c.month == month]
            also = (f"; {plural(len(extras), 'copy', 'copies')} printed since by "
                    f"{', '.join(dict.fromkeys(c.by for c in extras))} and not recorded" if extras else "")
            audit.record(session, "letterbox_letters_reprinted", "letterbox_letters_sent", batch,
                         detail=f"{plural(len(repeated), 'reminder')} for {month} printed again (first recorded in "
                                f"{', '.join(batches)}): not recorded as sent again{also}")
            again += len(repeated)
            reprints.append(batch)
            for key, b in done.items():
                if b in batches:
                    first.setdefault(b, []).append(key[0])
    return again, tuple(sent_batches(session, first)) if first else (), printed, since, tuple(reprints)


def recorded_before(session: Session, jobs: Sequence[LetterJob]) -> tuple[RecordedMonth, ...]:
    """For a copy printed by someone who cannot record letters: the months of ``jobs`` whose reminders
    the sent-list already holds (the copy of them is an extra), with the batches that recorded them (who,
    when) and how many of the copy's letters they cover. Read in the transaction that audits the copy."""
    by_month = _by_month(jobs)
    already = reminders_sent_for(session, list(by_month))
    out = []
    for month, month_jobs in by_month.items():
        done = already[month]
        if not done:
            continue
        found: dict[str, list[int]] = {}
        for key, b in done.items():
            found.setdefault(b, []).append(key[0])
        extra = sum(1 for j in month_jobs if _reminder_key(j) in done)
        out.append(RecordedMonth(month, tuple(sent_batches(session, found)), extra, len(month_jobs) - extra))
    return tuple(out)


def export_xlsx(db: Database, actor: Principal, register: str, path: Path, headers: Sequence[str],
                rows: Callable[[int, int], Sequence[Sequence[object]]], total: int, *,
                progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None, page: int = 2000) -> int:
    """The current view of ``register`` (``rows(offset, limit)``, already filtered and sorted) into one
    .xlsx, streamed in pages (openpyxl write-only); text is always written as text, never as a formula
    (``core.documents.spreadsheet_safety``). Audited. Returns the number of rows written."""
    import openpyxl

    from adoption_desktop.core.documents.spreadsheet_safety import xlsx_row

    require(actor, Permission.LETTERBOX_VIEW)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Register")
    ws.append(xlsx_row(ws, list(headers)))
    done = 0
    while done < total:
        if cancelled and cancelled():
            from adoption_desktop.core.documents.pdf import Cancelled

            raise Cancelled()
        chunk = rows(done, page)
        if not chunk:
            break
        for r in chunk:
            ws.append(xlsx_row(ws, r))
        done += len(chunk)
        if progress:
            progress(done, total)
    with output_file(path) as tmp:  # the file gets its name only once its audit entry is committed
        wb.save(tmp)
        with db.session(actor) as session:
            audit.record(session, "export", "letterbox_register", register,
                         detail=f"{done} rows of the {register} register to {Path(path).name}")
    return done
