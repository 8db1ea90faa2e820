"""Letterbox rules: exchange months, expected exchanges, reminders, chasers and status (pure logic)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.months import add_months
from adoption_desktop.core.wording import plural
from adoption_desktop.core.workdays import WorkingCalendar

ADOPTIVE, BIRTH = "adoptive", "birth"
TO_BIRTH, TO_ADOPTIVE = "adoptive_to_birth", "birth_to_adoptive"
DIRECTIONS = {TO_BIRTH: "Adoptive → birth", TO_ADOPTIVE: "Birth → adoptive"}
ITEM_TYPES = ("letter", "card", "photo", "drawing", "email")
#: the kinds of item that are words: one with no text typed, pasted or read from its scan is screened only
#: as read by eye (``service.screen_item``)
WORDED_TYPES = ("letter", "email")


def no_words(text: str) -> bool:
    """Nothing a reader sees: only spaces, line breaks and invisible characters (control, format and
    zero-width), which the text's cleaning removes. The service and the item window ask the same."""
    return not any(not unicodedata.category(ch).startswith(("C", "Z")) for ch in text)
#: an item logged by mistake (against the wrong arrangement, a letter that never came, logged twice): it stays in
#: the register, marked so with who, when and why, and no longer counts as received anywhere (the work list,
#: the chasers and reminders, My work, the figures); final, as an outcome is (``service.mark_logged_in_error``)
LOGGED_IN_ERROR = "logged in error"
ITEM_STATUSES = ("received", "screened", "forwarded", "returned", "withheld", "held", LOGGED_IN_ERROR)
OUTCOMES = ("forwarded", "returned", "withheld", "held")
#: an item still being worked (no outcome, not logged in error): how it was logged may still be corrected
OPEN_STATUSES = ("received", "screened")

#: an item's history as its window lists it: each step recorded (``ItemEvent.action``) in words
STEP_LABELS = {
    "received": "Logged", "writer": "Writer named", "channel": "Channel changed", "screened": "Screened",
    "finding_decided": "Finding decided", "second_checked": "Second check", "forwarded": "Forwarded",
    "returned": "Returned", "withheld": "Withheld", "held": "Held on file",
    "reason_reworded": "Reason reworded", "attached": "File attached", "text_read": "Text read from scan",
    "text_typed": "Text typed", "redacted_copy": "Redacted copy made", "email_draft": "E-mail draft made",
    "log_corrected": "Logging corrected", "logged_in_error": "Logged in error", "correction_note": "Correction note",
}


def step_label(action: str) -> str:
    """A history step in words; a step this version does not know (a newer one's) shows as recorded."""
    return STEP_LABELS.get(action, action.replace("_", " ").capitalize())


def after_outcome(item_id: int, status: str, what: str, nothing: str) -> str:
    """The refusal of a step that would add to what an item with an outcome holds (a file attached, the letter
    screened again): ``what`` is not done ("nothing more is attached to it …"), then what to do instead. Never
    "a new item": that is another letter received, counted as an exchange and acknowledged again (user trial,
    8 December 2026). A returned item's letter comes back as its corrected version; anything else missed is said
    in a correction note."""
    instead = ("The letter the writer sends back is logged as its corrected version (Log corrected version…), "
               "with its own documents and screening." if status == "returned" else
               "If something was missed, say what and what was done in a correction note on the item (Put a "
               "mistake right… → Add correction note…).")
    return f"Item {item_id} already has an outcome ({status}), so {what}. {instead} {nothing}"


STORED_STATUSES = ("active", "suspended", "ended")
_MONTHS = {m.lower(): n for n, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): n for n, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9


def parse_months(value: str) -> tuple[int, ...]:
    """``"3, 9"``, ``"March/September"``, ``"Mar Sep"`` -> (3, 9). Empty -> ()."""
    out: list[int] = []
    for part in re.split(r"[\s,;/&+]+|\band\b", str(value or "").strip()):
        p = part.strip().lower().rstrip(".")
        if not p:
            continue
        if p.isdigit() and 1 <= int(p) <= 12:
            out.append(int(p))
        elif p in _MONTHS:
            out.append(_MONTHS[p])
        else:
            raise ValidationError(
                f"Exchange months: {part!r} is not a month. Use month names or numbers 1-12, e.g. "
                "'March, September'.", "exchange_months")
    return tuple(sorted(set(out)))


def months_text(months: tuple[int, ...]) -> str:
    return ", ".join(calendar.month_name[m] for m in months)


#: words of a line naming people that are never a surname: titles, joining words, "the … family"
_NOT_A_SURNAME = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "the", "family", "household"})
#: what joins two people in a line naming them ("Ella Pebbleby and Sam Hartley", "Ella & Sam Hartley")
_PEOPLE_SPLIT = re.compile(r"\s*(?:\band\b|&|\+|,|;|/)\s*", re.IGNORECASE)


def surnames_in(names: str) -> list[str]:
    """The surnames in a line naming one or more people, in order, each once: the last word of each person
    named with two words or more ("Ella Pebbleby and Sam Hartley" -> Pebbleby, Hartley; "Ella and Sam
    Hartley" -> Hartley, "Ella" being a first name), or the one word after a title ("Mr and Mrs Hartley").
    Titles and "the … family" are left out; a double-barrelled name is one word ("Hartley-Pebbleby"). A line
    with no such person ("Hartley", "Ella and Sam") gives its last word, as may be the surname alone."""
    out: dict[str, None] = {}
    last = ""
    for person in _PEOPLE_SPLIT.split(names):
        words = [w.strip(".,") for w in person.split()]
        named = [w.removesuffix("'s").removesuffix("’s") for w in words
                 if w and w.lower().strip("'’") not in _NOT_A_SURNAME]
        titled = len(named) < len([w for w in words if w])
        if len(named) >= 2 or (named and titled):
            out.setdefault(named[-1], None)
        last = named[-1] if named else last
    return list(out) or ([last] if last else [])


def other_side(side: str) -> str:
    return BIRTH if side == ADOPTIVE else ADOPTIVE


def writer_side(direction: str) -> str:
    return ADOPTIVE if direction == TO_BIRTH else BIRTH


def eighteenth_birthday(dob: dt.date) -> dt.date:
    """The arrangement ends at the child's 18th birthday (29 February -> 1 March)."""
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:
        return dt.date(dob.year + 18, 3, 1)


def computed_status(stored: str, *, today: dt.date, last_exchange: dt.date | None,
                    start_date: dt.date | None, child_dob: dt.date | None,
                    inactive_after_months: int = 24) -> str:
    """active / suspended / ended / inactive (no exchange for ``inactive_after_months``)."""
    if stored == "ended" or (child_dob is not None and today >= eighteenth_birthday(child_dob)):
        return "ended"
    if stored == "suspended":
        return "suspended"
    since = last_exchange or start_date
    if since is not None and add_months(since, inactive_after_months) <= today:
        return "inactive"
    return "active"


@dataclass(frozen=True)
class Expected:
    """One expected item: who writes and by when."""

    due: dt.date
    side: str  # the side expected to write
    first: bool  # the first letter of the exchange (False: the reply)

    @property
    def direction(self) -> str:
        return TO_BIRTH if self.side == ADOPTIVE else TO_ADOPTIVE

    @property
    def opened(self) -> dt.date:
        """The 1st of its exchange's month: the first letter's due date (a reply is due a month later). The
        pattern in effect on this day (:func:`pattern_on`) is the one that expected it."""
        return self.due if self.first else add_months(self.due, -1)


@dataclass(frozen=True)
class Pattern:
    """What an agreement expects: the exchange months, who writes first and whether a reply is expected."""

    months: tuple[int, ...]
    first_writer: str = ADOPTIVE
    replies_expected: bool = True


@dataclass(frozen=True)
class PatternChange:
    """The agreement's pattern changed on ``effective_from``: ``before`` was in effect until the day before.
    An arrangement whose pattern never changed has none; its stored pattern applies from its start."""

    effective_from: dt.date
    before: Pattern


def pattern_periods(current: Pattern, changes: Collection[PatternChange]
                    ) -> list[tuple[dt.date | None, dt.date | None, Pattern]]:
    """The agreement's history as periods ``(from, until, pattern)``, ``from`` inclusive and ``until``
    exclusive (``None``: unbounded), earliest first: each change's ``before`` up to its date, the current
    pattern from the latest change on. The pattern in effect for a date is the one whose effective-from date
    is the latest on or before it."""
    out: list[tuple[dt.date | None, dt.date | None, Pattern]] = []
    since: dt.date | None = None
    for change in sorted(changes, key=lambda c: c.effective_from):
        if since is None or change.effective_from > since:
            out.append((since, change.effective_from, change.before))
            since = change.effective_from
    out.append((since, None, current))
    return out


def pattern_on(current: Pattern, changes: Collection[PatternChange], day: dt.date) -> Pattern:
    """The pattern in effect on ``day``."""
    for since, until, pattern in pattern_periods(current, changes):
        if (since is None or since <= day) and (until is None or day < until):
            return pattern
    return current


def scheduled_exchanges(current: Pattern, changes: Collection[PatternChange], year: int, *,
                        start: dt.date | None = None, end: dt.date | None = None) -> list[Expected]:
    """:func:`expected_exchanges` for ``year`` under the agreement's history: each exchange as the pattern in
    effect on its month's 1st (:attr:`Expected.opened`) sets it out. A month added is expected only from the
    change on; a month taken away stays expected (and overdue, unanswered) before it."""
    out: list[Expected] = []
    for since, until, p in pattern_periods(current, changes):
        out += [e for e in expected_exchanges(p.months, year, first_writer=p.first_writer,
                                              replies_expected=p.replies_expected, start=start, end=end)
                if (since is None or e.opened >= since) and (until is None or e.opened < until)]
    return sorted(out, key=lambda e: (e.due, not e.first))


def expected_exchanges(months: tuple[int, ...], year: int, *, first_writer: str = ADOPTIVE,
                       replies_expected: bool = True, start: dt.date | None = None,
                       end: dt.date | None = None) -> list[Expected]:
    """The first writer is due at the start of each exchange month; a reply, when expected, by the start
    of the following month. Items outside ``start``..``end`` (agreement start, 18th birthday) are dropped."""
    out: list[Expected] = []
    for m in months:
        first = dt.date(year, m, 1)
        out.append(Expected(first, first_writer, True))
        if replies_expected:
            out.append(Expected(add_months(first, 1), other_side(first_writer), False))
    return sorted((e for e in out if (start is None or e.due >= start) and (end is None or e.due < end)),
                  key=lambda e: (e.due, not e.first))


def reminder_date(due: dt.date, days_before: int = 14, cal: WorkingCalendar | None = None) -> dt.date:
    """``days_before`` days before ``due``; with the agency's calendar ``cal``, the working day on or before
    it (a reminder is never planned for a Sunday or a bank holiday, and never later than planned)."""
    day = due - dt.timedelta(days=days_before)
    if cal is not None:
        while not cal.is_working_day(day):
            day -= dt.timedelta(days=1)
    return day


def next_reminder_month(today: dt.date, days_before: int = 14) -> dt.date:
    """The 1st of the earliest month, from this month on, whose reminders are not past: the month's
    exchanges fall due on its 1st and their reminders go ``days_before`` days earlier
    (:func:`reminder_date`), today or later. Usually next month (December's reminders went on 17 November)."""
    month = today.replace(day=1)
    while reminder_date(month, days_before) < today:
        month = add_months(month, 1)
    return month


#: how many months after the current one a month's reminders may be printed (``latest_reminder_month``)
REMINDER_MONTHS_AHEAD = 3


def latest_reminder_month(today: dt.date, days_before: int = 14) -> dt.date:
    """The 1st of the last month whose reminders may be printed today: ``REMINDER_MONTHS_AHEAD`` months after
    the current one, or the next month whose reminders are not past (:func:`next_reminder_month`) when a long
    ``days_before`` puts that later. Printed reminders are recorded as sent, so a month printed further ahead
    (a trial printed February 2028's in December 2026) would make the real run, when it comes, a reprint."""
    return max(add_months(today.replace(day=1), REMINDER_MONTHS_AHEAD), next_reminder_month(today, days_before))


def check_reminder_months(months: Sequence[str], today: dt.date, days_before: int = 14) -> None:
    """Refuse (:class:`ValidationError`) a month after :func:`latest_reminder_month`, saying why and from
    when its reminders can be printed."""
    latest = latest_reminder_month(today, days_before)
    for month in months:
        start = month_bounds(month)[0]
        if start > latest:
            words = f"{start:%B %Y}"
            raise ValidationError(
                f"Reminders for {words} cannot be printed yet: letters are recorded as sent when printed, so "
                f"printing them now would make the real run in {words} a reprint. Print them from "
                f"{add_months(start, -REMINDER_MONTHS_AHEAD):%B %Y}.", "month")


def chaser_date(due: dt.date, after_days: int = 21, cal: WorkingCalendar | None = None) -> dt.date:
    """``after_days`` days after ``due``; with the agency's calendar ``cal``, the first working day on or
    after it (a chase is never planned for a weekend or a bank holiday, and never earlier than planned)."""
    day = due + dt.timedelta(days=after_days)
    return cal.next_working_day(day) if cal is not None else day


def work_state(due: dt.date, today: dt.date, *, received: bool, due_soon_days: int = 30) -> str:
    """'received', 'overdue', 'this month', 'due soon' or 'later'."""
    if received:
        return "received"
    if (due.year, due.month) == (today.year, today.month):
        return "this month"  # exchanges fall due on the 1st: the whole month is the exchange month
    if due < today:
        return "overdue"
    if due <= today + dt.timedelta(days=due_soon_days):
        return "due soon"
    return "later"


#: the work list's "Show" choices, in the order offered: (state shown, label); "" shows every exchange on the
#: list. The states are :func:`work_state`'s that the work list holds ("later" is never listed).
WORK_LIST_SHOWS: tuple[tuple[str, str], ...] = (
    ("", "All exchanges"), ("overdue", "Overdue only"), ("this month", "Due this month"), ("due soon", "Due soon"))
_SHOWN_WORDS = {"overdue": "overdue", "this month": "due this month", "due soon": "due soon"}


def shown_on_work_list(state: str, show: str) -> bool:
    """Whether an exchange in ``state`` is listed while the work list shows ``show`` (a key of
    :data:`WORK_LIST_SHOWS`)."""
    return not show or state == show


def work_list_count(states: Collection[str], show: str) -> str:
    """The line under the work list: how many exchanges are listed, of how many, and what each state counts
    ("12 exchanges: 5 overdue, 4 due this month, 3 due soon"; "Showing 5 of 12 exchanges: overdue only")."""
    total = len(states)
    if not total:
        return "No exchange is overdue or due soon."
    if not show:
        counts = [f"{sum(1 for s in states if s == key)} {words}" for key, words in _SHOWN_WORDS.items()]
        return f"{plural(total, 'exchange')}: {', '.join(counts)}."
    shown = sum(1 for s in states if s == show)
    label = dict(WORK_LIST_SHOWS)[show].lower()
    if not shown:
        return f"No exchange on the list is {_SHOWN_WORDS[show]} ({plural(total, 'exchange')} in all): " \
               "choose All exchanges under Show to see them."
    return f"Showing {shown:,} of {plural(total, 'exchange')}: {label}."


def received_key(direction: str, day: dt.date) -> tuple[str, int]:
    """How a received item is matched to an expected exchange: its direction and month (as a month number)."""
    return direction, day.year * 12 + day.month


def is_received(e: Expected, received: Collection[tuple[str, int]]) -> bool:
    """An expected exchange counts as received when an item in its direction arrived in the month before its
    due month, the due month or the month after (writers are early and late)."""
    direction, month = received_key(e.direction, e.due)
    return ((direction, month) in received or (direction, month - 1) in received
            or (direction, month + 1) in received)


def outstanding_exchanges(months: tuple[int, ...], *, today: dt.date, since: dt.date, until: dt.date,
                          received: Collection[tuple[str, int]], first_writer: str = ADOPTIVE,
                          replies_expected: bool = True, start: dt.date | None = None, end: dt.date | None = None,
                          due_soon_days: int = 30, missed: Collection[tuple[dt.date, str]] = (),
                          changes: Collection[PatternChange] = ()) -> list[tuple[Expected, str]]:
    """The one rule behind the work list, the chasers and the overdue counts: every exchange expected
    (:func:`expected_exchanges`) and due from ``since`` to ``until`` that has not been received
    (:func:`is_received`; ``received`` holds :func:`received_key` of the arrangement's items), with its
    :func:`work_state`, leaving out those marked missed (``missed``: their due date and writing side).
    Nothing past is dropped for its age: an exchange not received nor marked missed stays overdue, however
    long ago it fell due, for as far back as ``since`` reaches.

    ``months``, ``first_writer`` and ``replies_expected`` are the pattern in effect now; ``changes`` its
    history (:class:`PatternChange`): each exchange is expected as the pattern in effect on its month's 1st
    sets it out (:func:`scheduled_exchanges`), so a month added is not overdue before the change and one taken
    away stays owed before it."""
    # expected_exchanges' items for each year, made only for the ones not received (the work list runs this
    # for every active arrangement each time it is shown)
    lo, hi = max(since, start) if start else since, min(until, end - dt.timedelta(days=1)) if end else until
    out: list[tuple[Expected, str]] = []
    current = Pattern(months, first_writer, replies_expected)
    for opened_from, opened_until, p in (pattern_periods(current, changes) if changes else [(None, None, current)]):
        lowest = opened_from.year * 12 + opened_from.month + (opened_from.day > 1) if opened_from else 0
        beyond = opened_until.year * 12 + opened_until.month + (opened_until.day > 1) if opened_until else 1 << 30
        writers = ((p.first_writer, TO_BIRTH if p.first_writer == ADOPTIVE else TO_ADOPTIVE, 0, True),) + (
            ((other_side(p.first_writer), TO_ADOPTIVE if p.first_writer == ADOPTIVE else TO_BIRTH, 1, False),)
            if p.replies_expected else ())
        for year in range(lo.year - 1, hi.year + 1):
            for m in p.months:
                first_month = year * 12 + m  # received_key's month numbers
                if not lowest <= first_month < beyond:
                    continue  # this exchange's month is another pattern's
                for side, direction, later, first in writers:
                    n = first_month + later
                    if ((direction, n) in received or (direction, n - 1) in received
                            or (direction, n + 1) in received):
                        continue
                    due = dt.date((n - 1) // 12, (n - 1) % 12 + 1, 1)
                    if lo <= due <= hi and (due, side) not in missed:
                        out.append((Expected(due, side, first), ""))
    out.sort(key=lambda p: (p[0].due, not p[0].first))
    return [(e, work_state(e.due, today, received=False, due_soon_days=due_soon_days)) for e, _ in out]


def overdue_for(due: dt.date, today: dt.date) -> str:
    """How long an exchange has been overdue, as a coordinator says it: "12 days", "3 months", "2 years 1 month"."""
    days = (today - due).days
    if days <= 0:
        return ""
    months = (today.year - due.year) * 12 + today.month - due.month - (today.day < due.day)
    if months < 1:
        return f"{days} day{'s' * (days != 1)}"
    years, months = divmod(months, 12)
    parts = ([f"{years} year{'s' * (years != 1)}"] if years else []) + (
        [f"{months} month{'s' * (months != 1)}"] if months else [])
    return " ".join(parts)


def month_bounds(month: str, *, label: str = "Month") -> tuple[dt.date, dt.date]:
    """``"2026-03"`` -> (1 March 2026, 1 April 2026); a refusal begins with ``label`` (``--month``)."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", month.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValidationError(f"{label}: {month!r} is not a month; write it as YYYY-MM, e.g. 2026-03.", "month")
    from adoption_desktop.core.text_input import EARLIEST_YEAR, LATEST_YEAR

    if not EARLIEST_YEAR <= int(m.group(1)) <= LATEST_YEAR:
        raise ValidationError(f"{label}: {month.strip()} is not a likely month; give one between {EARLIEST_YEAR} and "
                              f"{LATEST_YEAR}.", "month")
    start = dt.date(int(m.group(1)), int(m.group(2)), 1)
    return start, add_months(start, 1)


def missing_essentials(*, child_birth_name: str, child_adoptive_name: str, child_dob: dt.date | None,
                       adopters_name: str, birth_relatives: int, exchange_months: str) -> list[str]:
    """What an active arrangement lacks to be worked (letterbox trial: one saved as active with only its
    reference): the child's names (screening protects them), date of birth (the agreement ends at 18),
    the adopters and a birth relative (who writes, who is written to) and the exchange months (the work
    list and reminders). In words, in the form's order; empty when nothing is missing."""
    missing = []
    if not child_birth_name.strip():
        missing.append("the child's birth name")
    if not child_adoptive_name.strip():
        missing.append("the child's adoptive name")
    if child_dob is None:
        missing.append("the child's date of birth")
    if not adopters_name.strip():
        missing.append("the adopters' names")
    if not exchange_months.strip():
        missing.append("the exchange months")
    if birth_relatives == 0:
        missing.append("a birth relative")
    return missing


def past_reminder_months(months: list[str], today: dt.date) -> list[str]:
    """The months (``YYYY-MM``, as given) whose exchanges fell due before today's month began: their
    reminders can only arrive late (letterbox trial: ``export reminders`` took last March without a word).
    They are still written (a lost batch may be printed again), and said."""
    this_month = today.replace(day=1)
    return [m for m in months if month_bounds(m)[0] < this_month]


def sent_by_email(method: str) -> bool:
    """Whether an outcome's method ("email", "e-mail", "E mail to adopters") sends the item by e-mail, which
    only an arrangement agreed to use the e-mail facility may."""
    return re.search(r"\be[\s-]?mail", method.lower()) is not None


def sent_by_post(method: str) -> bool:
    """Whether an outcome's method ("post", "recorded delivery", "posted 2nd class") sends the item by post,
    which needs the recipient's address; e-mail, collection by hand and the like do not."""
    text = method.lower()
    if sent_by_email(text):  # sent without an address
        return False
    words = set(re.findall(r"[a-z]+", text))
    return bool(words & {"post", "posted", "postal", "recorded", "royal", "mail", "mailed", "class", "delivery",
                         "delivered", "signed", "tracked", "courier"}) or bool(
        re.search(r"\b(1st|2nd|first|second)[\s-]class\b", text))


def post_without_address(direction: str, method: str, adopters_address: str,
                         birth_addresses: Collection[str]) -> str | None:
    """The side an item would be recorded as posted to with no address to post it to (``ADOPTIVE`` or
    ``BIRTH``), else ``None``: forwarding by post (:func:`sent_by_post`) needs the recipients' address, the
    adopters' for an item to the adoptive side, at least one of the (active) birth relatives' for one to the
    birth side. Other methods (handed over, collected, e-mail) need none, and the writer's address never
    counts."""
    if not sent_by_post(method):
        return None
    if direction == TO_ADOPTIVE:
        return None if adopters_address.strip() else ADOPTIVE
    return None if any(a.strip() for a in birth_addresses) else BIRTH



def start_before_birth(child_dob: dt.date | None, start_date: dt.date | None) -> str | None:
    """The refusal of an arrangement dated to start before the child was born (the form, the import)."""
    if child_dob and start_date and start_date < child_dob:
        return (f"Start date: {start_date:%d/%m/%Y} is before the child's date of birth ({child_dob:%d/%m/%Y}); "
                "check both dates.")
    return None


# --- the people on an arrangement ------------------------------------------------------------------------
#: a birth relative's relationship to the child, as the register records it (the form, the import)
RELATIONSHIPS = ("birth mother", "birth father", "birth grandmother", "birth grandfather",
                 "birth great-grandmother", "birth great-grandfather", "birth aunt", "birth uncle", "birth sister",
                 "birth brother", "birth sibling", "older sibling", "younger sibling", "half-sibling", "birth cousin",
                 "step-parent", "former foster carer", "other relative")
#: other ways a register writes them (the "birth" is understood): the stored value is the known one
_RELATIONSHIP_WORDS = {
    "mother": "birth mother", "mum": "birth mother", "father": "birth father", "dad": "birth father",
    "grandmother": "birth grandmother", "grandma": "birth grandmother", "nan": "birth grandmother",
    "grandfather": "birth grandfather", "grandad": "birth grandfather", "granddad": "birth grandfather",
    "great-grandmother": "birth great-grandmother", "great-grandfather": "birth great-grandfather",
    "aunt": "birth aunt", "auntie": "birth aunt", "uncle": "birth uncle", "sister": "birth sister",
    "brother": "birth brother", "sibling": "birth sibling", "half sibling": "half-sibling",
    "half-sister": "half-sibling", "half-brother": "half-sibling", "half sister": "half-sibling",
    "half brother": "half-sibling", "cousin": "birth cousin", "stepmother": "step-parent",
    "stepfather": "step-parent", "step-mother": "step-parent", "step-father": "step-parent",
    "foster carer": "former foster carer", "other": "other relative", "other birth relative": "other relative",
}


def _relationship_key(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


def relationship_value(text: str, *, label: str = "Relationship") -> str:
    """The relationship as stored: one of :data:`RELATIONSHIPS` ("Mother", "birth  Mother" and "aunt" are
    read as "birth mother" and "birth aunt"), or "" when none is given. Anything else is refused, naming the
    nearest known one (a typo such as "birth mothr") and the list: the form, the service and the import
    check it the same way."""
    key = _relationship_key(text)
    if not key:
        return ""
    if key in RELATIONSHIPS:
        return key
    known = _RELATIONSHIP_WORDS.get(key) or _RELATIONSHIP_WORDS.get(key.removeprefix("birth ").strip())
    if known:
        return known
    import difflib

    near = difflib.get_close_matches(key, [*RELATIONSHIPS, *_RELATIONSHIP_WORDS], n=1, cutoff=0.75)
    guess = f" Did you mean {(_RELATIONSHIP_WORDS.get(near[0]) or near[0])!r}?" if near else ""
    raise ValidationError(f"{label}: {text.strip()!r} is not a relationship the register knows.{guess} Use one "
                          f"of: {', '.join(RELATIONSHIPS)}.", "relationship")


def coordinator_login(text: str, accounts: Mapping[str, str], *, label: str = "Coordinator") -> str:
    """The coordinator as stored: the login of one of ``accounts`` (login → full name: the enabled users who
    may keep the letterbox), named by login or by full name, case aside; "" when none is given. Anything
    else (a typo, someone with no account) is refused with the accounts that may be named."""
    key = " ".join(text.split()).casefold()
    if not key:
        return ""
    for login, full_name in accounts.items():
        if key in (login.casefold(), " ".join(full_name.split()).casefold()):
            return login
    choices = ", ".join(f"{login} ({name})" if name and name != login else login
                        for login, name in sorted(accounts.items(), key=lambda p: p[0].casefold()))
    hint = f" Choose one of: {choices}." if choices else " No enabled account may keep the letterbox yet."
    raise ValidationError(f"{label}: {text.strip()!r} is not the user name of a letterbox coordinator (an enabled "
                          f"account that may keep the letterbox).{hint}", "coordinator")



# --- what an agreement's own terms must agree on (the form, the service, the import) ----------------------
def exchange_months_value(value: str) -> tuple[int, ...]:
    """:func:`parse_months`, refusing a month given twice ("March, March", "3, 3", "Mar, March"), which is a
    slip (another month meant?) and was silently read as one exchange, and text that names no month (", ",
    "and"), read as none (letterbox trial). Empty: no months (not known yet: the essentials' question)."""
    months = parse_months(value)
    named: dict[int, str] = {}
    for part in re.split(r"[\s,;/&+]+|\band\b", str(value or "").strip()):
        p = part.strip().lower().rstrip(".")
        if not p:
            continue
        month = int(p) if p.isdigit() else _MONTHS[p]
        if month in named:
            raise ValidationError(
                f"Exchange months: {calendar.month_name[month]} is given twice ({named[month]!r} and "
                f"{part.strip()!r}); give each exchange month once, e.g. 'March, September'.", "exchange_months")
        named[month] = part.strip()
    if not months and str(value or "").strip():
        raise ValidationError(f"Exchange months: {str(value).strip()!r} names no month; give the month(s) the "
                              "agreement names, e.g. 'March, September'.", "exchange_months")
    return months


@dataclass(frozen=True)
class AgreementTerms:
    """What :func:`agreement_problems` judges of an arrangement: its dates, exchange months (as typed or
    stored) and stored status."""

    child_dob: dt.date | None
    start_date: dt.date | None
    review_date: dt.date | None
    exchange_months: str
    status: str = "active"

    def months(self) -> tuple[int, ...] | str:
        """The months, or the text as it is when it is not months (stored before months were checked)."""
        try:
            return parse_months(self.exchange_months)
        except ValidationError:
            return self.exchange_months.strip()


def review_before_start(start_date: dt.date | None, review_date: dt.date | None) -> str | None:
    """The refusal of a review dated before the agreement starts (it showed as "review overdue" at once)."""
    if start_date and review_date and review_date < start_date:
        return (f"Review date: {review_date:%d/%m/%Y} is before the start date ({start_date:%d/%m/%Y}); an "
                "agreement is reviewed after it starts. Check both dates.")
    return None


def start_at_eighteen(child_dob: dt.date | None, start_date: dt.date | None) -> str | None:
    """The refusal of an arrangement starting on or after the child's 18th birthday: the agreement "runs until
    the child is 18" (domain notes), so it would be ended from its first day."""
    if child_dob and start_date and start_date >= eighteenth_birthday(child_dob):
        return (f"Start date: {start_date:%d/%m/%Y} is on or after the child's 18th birthday "
                f"({eighteenth_birthday(child_dob):%d/%m/%Y}); a letterbox agreement runs until the child is 18. "
                "Check the start date and the child's date of birth.")
    return None


def no_exchange_months(months: tuple[int, ...] | str, status: str) -> str | None:
    """The refusal of an active arrangement with no exchange month: nothing would ever be expected of it, so
    the work list, the reminders and the chasers would pass it by without a word."""
    if status == "active" and not months:
        return ("Exchange months: give the month(s) the agreement names, e.g. 'March, September'; an active "
                "arrangement with none is never expected, reminded or chased.")
    return None


def reactivated_at_eighteen(child_dob: dt.date | None, today: dt.date) -> str | None:
    """The refusal of an arrangement made active again (from suspended or ended) once the child is 18: the
    agreement "runs until the child is 18" (domain notes), so it would show as ended at once and nothing
    would be expected of it."""
    if child_dob and today >= eighteenth_birthday(child_dob):
        return (f"Status: the child turned 18 on {eighteenth_birthday(child_dob):%d/%m/%Y}; a letterbox agreement "
                "runs until the child is 18, so this arrangement cannot be made active again. Leave it suspended "
                "or ended.")
    return None


def agreement_problems(terms: AgreementTerms, stored: Collection[AgreementTerms] = (), *,
                       today: dt.date | None = None) -> list[tuple[str, str]]:
    """``(field, message)`` for each rule the agreement breaks, most harmful first: a review before the start,
    an active arrangement whose exchange pattern names no month, a start on or after the child's 18th
    birthday. A rule is judged only when one of its values differs from every version in ``stored`` (the
    arrangement as saved; an undo's version put back): an arrangement saved before these rules still opens and
    saves other changes. A change of status is such a change: an arrangement made active again (its stored
    status suspended or ended) is judged as an active one — refused with no exchange month, or (``today``
    given) once the child is 18."""
    def changed(*names: str) -> bool:
        def values(t: AgreementTerms) -> tuple[object, ...]:
            return tuple(t.months() if n == "exchange_months" else getattr(t, n) for n in names)
        return all(values(terms) != values(s) for s in stored)

    out: list[tuple[str, str]] = []
    said = review_before_start(terms.start_date, terms.review_date)
    if said and changed("start_date", "review_date"):
        out.append(("review_date", said))
    said = no_exchange_months(terms.months(), terms.status)
    # months not known yet (a new arrangement left blank, one saved so before) are the essentials' question
    # (``missing_essentials``: the form asks once, then saves); refused are months written that name none
    # (", ", "and") and an active arrangement's months taken away, the pattern left empty
    reactivated = bool(stored) and terms.status == "active" and changed("status")
    at_eighteen = reactivated_at_eighteen(terms.child_dob, today) if reactivated and today is not None else None
    if at_eighteen:  # said first: months given would not make it active either
        out.append(("status", at_eighteen))
    if said and reactivated:  # what to do next is said: the months first, then active; or leave it as it was
        was = next((s.status for s in stored if s.status != "active"), "suspended")
        out.append(("exchange_months", "Exchange months: the arrangement names no exchange month, so it cannot be "
                                       "made active again: an active arrangement with none is never expected, "
                                       "reminded or chased. Add the month(s) its agreement names to Exchange "
                                       "months first, e.g. 'March, September', and make it active with them in "
                                       f"the same change; or leave it {was}."))
    elif said and (terms.exchange_months.strip() or (stored and all(s.months() for s in stored))):
        out.append(("exchange_months", said))
    said = start_at_eighteen(terms.child_dob, terms.start_date)
    if said and changed("child_dob", "start_date"):
        out.append(("start_date", said))
    return out
