"""Pure rules of birth-records counselling: statutory flags, ages, waiting-list priority, chase dates.

No database and no Qt here. Statute is code (with its citation); local practice (the chase interval,
the "older applicant" age) arrives as arguments read from settings by the service.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from adoption_desktop.core.workdays import WorkingCalendar

# --- statute --------------------------------------------------------------------------------------

#: Children Act 1975 s.26 came into force on 12 November 1975 (re-enacted as Adoption Act 1976 s.51(7)):
#: a person adopted *before* that date must attend an interview with a counsellor before the Registrar
#: General gives them the information to obtain their original birth certificate. Preserved for
#: pre-commencement adoptions by Adoption and Children Act 2002 Sch 2 para 1 (and s.79).
COUNSELLING_DATE = dt.date(1975, 11, 12)

#: Adoption and Children Act 2002 commenced on 30 December 2005 (SI 2005/2213 and SI 2005/2897). Adoptions
#: made before that date are "pre-commencement adoptions": disclosure runs under the intermediary-services
#: rules (Adoption Information and Intermediary Services (Pre-Commencement Adoptions) Regulations 2005),
#: with the Adoption Contact Register and vetoes; later adoptions use ss.56-65 of the 2002 Act.
COMMENCEMENT_DATE = dt.date(2005, 12, 30)

#: An adopted person may apply for their birth-record information at 18 (Adoption Act 1976 s.51(1);
#: Adoption and Children Act 2002 s.60(2)(a) and Sch 2 para 1). Family Law Reform Act 1969 s.9: a person
#: attains an age at the start of the anniversary of their birth; a 29 February birthday falls on
#: 1 March in a common year.
ADULT_AGE = 18


def counselling_required(adoption_order: dt.date | None, adopted_before_1975: bool | None = None) -> bool:
    """Counselling interview required before release: adopted before 12 November 1975 (CA 1975 s.26).

    ``adoption_order`` None: the date is not known (yet). Then ``adopted_before_1975`` is what is known
    without it (True: before 12 November 1975, False: on or after that day, None: not known), and only a
    known False makes the interview optional: releasing the records without the statutory interview to
    someone adopted before that day would be unlawful, so a date not known counts as before it. With a
    date, ``adopted_before_1975`` is ignored (the date decides)."""
    if adoption_order is not None:
        return adoption_order < COUNSELLING_DATE
    return adopted_before_1975 is not False


#: born before this day, a person was 18 on 12 November 1975 at the latest (an age is reached at the start of
#: the birthday, FLRA 1969 s.9): an adoption order is made only for a child (under 18 from 1 January 1970,
#: Family Law Reform Act 1969 s.1; under 21 before), so theirs was made before 12 November 1975
ADULT_BY_COUNSELLING_DATE = dt.date(1957, 11, 13)


def adoption_age_limit(order: dt.date) -> int:
    """The age from which nobody can have been adopted by an order made on ``order``: 21 before 1 January 1970
    (an "infant" was under 21), 19 since (under 18 from 1970 under the 1958 and 1976 Acts; the 2002 Act lets
    an order be made up to 19 where the application was made before 18, s.47(9): the lenient bound is
    used, so a lawful order is never refused)."""
    return 21 if order < dt.date(1970, 1, 1) else 19


def before_1975_from_birth(born: dt.date) -> bool | None:
    """What the date of birth alone says about an adoption before 12 November 1975: born on or after that day,
    adopted after it (an adoption follows the birth); born on or before 12 November 1957, adopted before it (see
    :data:`ADULT_BY_COUNSELLING_DATE`); otherwise nothing (None)."""
    if born >= COUNSELLING_DATE:
        return False
    if born < ADULT_BY_COUNSELLING_DATE:
        return True
    return None


def known_before_1975(adoption_order: dt.date | None, answer: bool | None, born: dt.date) -> bool | None:
    """What is stored beside an adoption order date: nothing when the date is known (the date decides);
    without it, what the date of birth says (:func:`before_1975_from_birth`: a 24-year-old whose order
    date is not known is not brought forward as a possible pre-1975 adoption), else the answer given."""
    if adoption_order is not None:
        return None
    from_birth = before_1975_from_birth(born)
    return answer if from_birth is None else from_birth


def pre_commencement(adoption_order: dt.date) -> bool:
    """Adopted before 30 December 2005, the commencement of the Adoption and Children Act 2002."""
    return adoption_order < COMMENCEMENT_DATE


def pre_commencement_known(adoption_order: dt.date | None, adopted_before_1975: bool | None = None) -> bool | None:
    """:func:`pre_commencement` when it is known: with no adoption order date only an adoption known to be
    before 12 November 1975 is known to be before 30 December 2005; otherwise None (not known)."""
    if adoption_order is not None:
        return pre_commencement(adoption_order)
    return True if adopted_before_1975 else None


#: the session outcome that is the counselling interview (Adoption Act 1976 s.51(7)): a session booked is not
#: an interview until it is recorded as held (UT1: a booked session that never took place counted once its
#: day had passed); cancelled and did-not-attend sessions never are
HELD = "held"
#: the outcomes that say the session took place or was missed: only for a day on or before today
PAST_ONLY_OUTCOMES = frozenset({"held", "did_not_attend"})
BOOKED = "Booked"
NOT_RECORDED = "Not recorded"


def session_status(held_on: dt.date, outcome: str | None, today: dt.date, labels: dict[str, str]) -> str:
    """What a session is now: its recorded outcome (``labels`` names it), else booked (today or later) or not
    recorded (a past session no one has marked held, cancelled or did not attend)."""
    if outcome:
        return labels.get(outcome, outcome)
    return BOOKED if held_on >= today else NOT_RECORDED


def shared_without_interview(required: bool, sessions: Iterable[dt.date],
                             sharings: Iterable[dt.date]) -> tuple[dt.date, ...]:
    """The days records were shared with no counselling session held on or before them (``sessions``: the
    days of the sessions recorded as held, :data:`HELD`), when the interview
    is required (the test recording a sharing applies): possible only after the fact, when the adoption order
    date (or the answer) entered later shows an adoption before 12 November 1975. It stays a fact of the
    case: a session held later (or booked) does not make the earlier sharing one with the interview."""
    if not required:
        return ()
    first = min(sessions, default=None)
    return tuple(sorted(d for d in set(sharings) if first is None or d < first))


def birthday_in(born: dt.date, year: int) -> dt.date:
    """The anniversary of ``born`` in ``year``; 29 February is 1 March in a common year (FLRA 1969 s.9)."""
    if born.month == 2 and born.day == 29 and not _calendar.isleap(year):
        return dt.date(year, 3, 1)
    return born.replace(year=year)


def age_on(born: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day``."""
    years = day.year - born.year
    if day < birthday_in(born, day.year):
        years -= 1
    return years


def adult_from(born: dt.date) -> dt.date:
    """The 18th birthday: the first day an application can be accepted."""
    return birthday_in(born, born.year + ADULT_AGE)


def under_age_message(born: dt.date, on: dt.date) -> str | None:
    """A clear refusal when the applicant is under 18 on ``on``; None when they may apply."""
    if age_on(born, on) >= ADULT_AGE:
        return None
    eligible = adult_from(born)
    return (f"Applicant's date of birth: the applicant is under 18 on {on:%d/%m/%Y}. An adopted person can "
            f"apply for their birth records from their 18th birthday ({eligible:%d/%m/%Y}); the referral "
            "cannot be accepted before then (Adoption Act 1976 s.51; Adoption and Children Act 2002 s.60).")


@dataclass(frozen=True)
class CaseFlags:
    counselling_required: bool
    #: None: not known (the adoption order date is not known)
    pre_commencement: bool | None
    #: False: the adoption order date is not known, so the flags rest on ``adopted_before_1975``
    order_date_known: bool = True
    #: with the date not known: adopted before 12 November 1975 as far as is known (None: not known)
    adopted_before_1975: bool | None = None

    @property
    def labels(self) -> list[str]:
        out = []
        if self.counselling_required:
            if self.order_date_known:
                out.append("Counselling required before release (adopted before 12/11/1975)")
            elif self.adopted_before_1975:
                out.append("Counselling required before release (adopted before 12/11/1975 as far as is "
                           "known; adoption order date not known)")
            else:
                out.append("Counselling required before release (adoption order date not known: treated as "
                           "before 12/11/1975)")
        elif not self.order_date_known:
            out.append("Adoption order date not known (adopted on or after 12/11/1975 as far as is known)")
        if self.pre_commencement is None:
            out.append("Pre-commencement (before 30/12/2005) or post-2005: not known (adoption order date not known)")
        else:
            out.append("Pre-commencement adoption (intermediary rules)" if self.pre_commencement
                       else "Post-2005 adoption (ACA 2002 ss.56-65)")
        return out

    @property
    def short(self) -> str:
        if not self.order_date_known:
            if self.adopted_before_1975 is None:
                return "Order date not known"
            return "Pre-1975 (no date)" if self.adopted_before_1975 else "Post-1975 (no date)"
        parts = []
        if self.counselling_required:
            parts.append("Pre-1975")
        parts.append("Pre-2005" if self.pre_commencement else "Post-2005")
        return ", ".join(parts)


def flags_for(adoption_order: dt.date | None, adopted_before_1975: bool | None = None) -> CaseFlags:
    """The case's flags; with no adoption order date they rest on ``adopted_before_1975`` (see
    :func:`counselling_required`)."""
    if adoption_order is not None:
        return CaseFlags(counselling_required(adoption_order), pre_commencement(adoption_order))
    return CaseFlags(counselling_required(None, adopted_before_1975),
                     pre_commencement_known(None, adopted_before_1975), False, adopted_before_1975)


# --- waiting-list priority (local practice; documented in docs/counselling.md) ---------------------

@dataclass(frozen=True)
class PriorityInput:
    case_id: int
    referral_date: dt.date
    adoption_order: dt.date | None  # None: not known
    applicant_born: dt.date
    #: with no adoption order date: adopted before 12 November 1975 as far as is known (None: not known)
    adopted_before_1975: bool | None = None


@dataclass(frozen=True)
class Priority:
    case_id: int
    rank: int  # 1 = first
    brought_forward: int  # how many reasons brought the case forward (0, 1 or 2)
    reasons: tuple[str, ...]
    short: str = ""

    @property
    def text(self) -> str:
        return "; ".join(self.reasons)


def priority_reasons(item: PriorityInput, today: dt.date, older_age: int) -> tuple[int, tuple[str, ...]]:
    reasons: list[str] = []
    forward = 0
    if counselling_required(item.adoption_order, item.adopted_before_1975):
        forward += 1
        if item.adoption_order is not None:
            reasons.append(f"Brought forward: adopted before 12/11/1975 ({item.adoption_order:%d/%m/%Y})")
        elif item.adopted_before_1975:
            reasons.append("Brought forward: adopted before 12/11/1975 as far as is known (adoption order "
                           "date not known)")
        else:
            reasons.append("Brought forward: adoption order date not known, treated as before 12/11/1975")
    age = age_on(item.applicant_born, today)
    if age >= older_age:
        forward += 1
        reasons.append(f"Brought forward: applicant aged {age} ({older_age} or over)")
    waited = (today - item.referral_date).days
    reasons.append(f"Referred {item.referral_date:%d/%m/%Y} (waiting {waited} days)")
    return forward, tuple(reasons)


def short_reasons(item: PriorityInput, today: dt.date, older_age: int) -> str:
    """The same reasons in a few words, for a list column beside the Referred column (so the date is
    not repeated: a case brought forward says why, any other waits in referral order). Adopted before 1975
    reads the same whether its order date is known or not: the Adopted column beside it shows the date or
    "Not known" (trial: "adopted pre-1975 (date not known); aged 83" was cut off at 1366 px)."""
    parts = []
    if counselling_required(item.adoption_order, item.adopted_before_1975):
        parts.append("adopted pre-1975" if item.adoption_order is not None or item.adopted_before_1975
                     else "order date unknown")
    age = age_on(item.applicant_born, today)
    if age >= older_age:
        parts.append(f"aged {age}")  # the threshold is in the full reasons (tooltip, case summary)
    return "; ".join(parts) if parts else "in referral order"


def order_waiting_list(items: Iterable[PriorityInput], today: dt.date, older_age: int) -> list[Priority]:
    """The documented order: cases with more reasons to bring forward first (adopted before
    12 November 1975, or the adoption order date not known unless known to be later; applicant aged
    ``older_age`` or over), then the earliest referral, then case number."""
    keyed = []
    for item in items:
        forward, reasons = priority_reasons(item, today, older_age)
        keyed.append(((-forward, item.referral_date, item.case_id), forward, reasons, item.case_id,
                      short_reasons(item, today, older_age)))
    keyed.sort(key=lambda k: k[0])
    return [Priority(case_id, rank, forward, reasons, short)
            for rank, (_k, forward, reasons, case_id, short) in enumerate(keyed, start=1)]


# --- records requests ----------------------------------------------------------------------------

def chase_due(sent: dt.date, cal: WorkingCalendar, working_days: int) -> dt.date:
    """When to chase a records request: ``working_days`` working days after it was sent (or last chased)."""
    return cal.add_working_days(sent, working_days)


def request_overdue(due: dt.date | None, received: dt.date | None, today: dt.date) -> bool:
    return received is None and due is not None and today > due


# --- figures -------------------------------------------------------------------------------------

def wait_days(referral: dt.date, allocated: dt.date | None, today: dt.date) -> int:
    return ((allocated or today) - referral).days


def left_waiting_list(referral: dt.date, allocated: dt.date | None, closed: dt.date | None) -> str | None:
    """How a case left the waiting list, for its summary in place of its waiting-list position ("Allocated on
    04/12/2026 after 12 days on the waiting list"); ``None`` while it is still waiting. A case closed without
    being allocated waited until its closure (as :func:`wait_days` counts it in the lists)."""
    left = allocated or closed
    if left is None:
        return None
    days = wait_days(referral, allocated, left)
    waited = f"after {days} day{'' if days == 1 else 's'} on the waiting list"
    if allocated is not None:
        return f"Allocated on {allocated:%d/%m/%Y} {waited}"
    return f"Closed on {left:%d/%m/%Y} {waited}, without being allocated"


def median_and_max(values: Sequence[int]) -> tuple[float | None, int | None]:
    if not values:
        return None, None
    return float(statistics.median(values)), max(values)


def case_status(allocated_on: dt.date | None, closed_on: dt.date | None) -> str:
    """Waiting (referred, not yet allocated), Allocated (open) or Closed."""
    if closed_on:
        return "Closed"
    return "Allocated" if allocated_on else "Waiting"
