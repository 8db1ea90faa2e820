"""What the screening assistant reports: the kinds of finding, :class:`Finding` and the reasons a coordinator
reads (pure: no database, no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field

PROTECTED = "protected term"
POSTCODE = "postcode"
PHONE = "phone"
EMAIL = "email"
URL = "url"
SOCIAL = "social handle"
STREET = "street address"
INSTITUTION = "institution"
PLACE = "place"
VEHICLE = "vehicle registration"
DOB = "date of birth"
DISGUISED = "disguised word"
SURNAME = "surname"
KINDS = (PROTECTED, POSTCODE, PHONE, EMAIL, URL, SOCIAL, STREET, INSTITUTION, PLACE, VEHICLE, DOB, DISGUISED, SURNAME)
_PRIORITY = {k: n for n, k in enumerate((PROTECTED, SURNAME, EMAIL, URL, POSTCODE, PHONE, DOB, VEHICLE, STREET,
                                         INSTITUTION, SOCIAL, PLACE, DISGUISED))}


@dataclass(frozen=True)
class Finding:
    """One span to look at. Equality and hashing use ``start``, ``end``, ``kind`` and ``text`` only (the
    contract before reasons were added), so findings compare as they always did."""

    start: int
    end: int
    kind: str
    text: str
    reason: str = field(default="", compare=False)
    kinds: tuple[str, ...] = field(default=(), compare=False)
    reasons: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.kinds:
            object.__setattr__(self, "kinds", (self.kind,))
        if not self.reasons and self.reason:
            object.__setattr__(self, "reasons", (self.reason,))


REASONS = {
    PROTECTED: "a protected term: a name or detail the other side must not learn",
    POSTCODE: "a postcode",
    PHONE: "a phone number",
    EMAIL: "an e-mail address",
    URL: "a web address",
    SOCIAL: "a social-media or gaming account",
    STREET: "a street or address",
    INSTITUTION: "a school, club, workplace or other place where someone can be found",
    PLACE: "a town, village or area",
    VEHICLE: "a vehicle registration",
    DOB: "a date of birth with the year",
    DISGUISED: "a word written with look-alike letters from another alphabet: a name someone may be hiding",
    SURNAME: "a surname (before 'family'): a family's name the other side may not know",
}


_SAINT_REASON = "a saint's name: usually a school or church"


def _f(start: int, end: int, kind: str, text: str, reason: str = "") -> Finding:
    return Finding(start, end, kind, text[start:end], reason or REASONS[kind])

