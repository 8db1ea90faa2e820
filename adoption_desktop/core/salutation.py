"""How a letter greets a person: the name they wish to be addressed by.

Every record a letter goes to a person from has a ``salutation`` field (birth relative, adopters of a
letterbox arrangement, ADM decision addressee, adopted adult in counselling). What is typed there is
used as written ("Dear Auntie Jo,"), less a leading "Dear" and a trailing comma the person typed with it
(:func:`bare_salutation`: the letter adds both, and "Dear Ms Sandford," typed gave "Dear Dear Ms Sandford,,";
every service that stores a salutation cleans it with :func:`clean_salutation`, and every letter reads it
through :func:`salutation_for` or :func:`bare_salutation`, so one stored before that still prints once). When it is empty the letter uses :func:`default_salutation` of the
person's name:

* a name that starts with a title ("Mrs Ada Heronmere", "Dr P. Quill") gives title + surname
  ("Mrs Heronmere", "Dr Quill"); a couple "Mr and Mrs Tom Heronmere" gives "Mr and Mrs Heronmere", and
  "Ms Ann Reed and Mr Bo Lane" gives "Ms Reed and Mr Lane";
* a name without a title gives the full name ("Will Heronmere"): we never guess a title (Mr, Mrs, Ms
  or Mx) from a first name. The form's hint tells the officer to type the salutation the person asked
  for, so the full name is only the fallback.
"""

from __future__ import annotations

import re

from adoption_desktop.core.text_input import clean_name

TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Rev", "Revd", "Reverend", "Sir", "Dame",
          "Lady", "Lord", "Father", "Sister", "Canon", "Rabbi", "Imam")
_TITLE_KEYS = {t.lower() for t in TITLES}


#: "Dear" typed before the name (any case, with or without a comma after it), not a name that starts with it
#: ("Dearbhla")
_DEAR = re.compile(r"^dear(?=[\s,]|$)[\s,]*", re.IGNORECASE)


def bare_salutation(text: str | None) -> str:
    """What follows "Dear" in a letter, from what was typed: spaces collapsed, a leading "Dear" (any case)
    and trailing commas dropped, as the letter's own "Dear ${salutation}," adds both ("Dear Ms Sandford," →
    "Ms Sandford"; "dear Nan" → "Nan"; "Dear" alone → "", the default greeting)."""
    words = " ".join((text or "").split())
    return _DEAR.sub("", words).rstrip(", ").strip()


def clean_salutation(value: str | None, field: str, *, max_length: int | None = 120) -> str:
    """A salutation as stored: :func:`~adoption_desktop.core.text_input.clean_name` (one line, no formula
    start, at most ``max_length``), then :func:`bare_salutation`. The one cleaner of every salutation field
    (ADM decisions and their corrections, letterbox adopters and birth relatives, counselling applicants)."""
    return bare_salutation(clean_name(value, field, max_length=max_length))


def _title(word: str) -> str | None:
    w = word.strip(".,")
    return w if w.lower() in _TITLE_KEYS else None


def _one(name: str) -> str | None:
    """Title + surname of one person's name, or None when it has no title."""
    words = name.split()
    if len(words) < 2 or _title(words[0]) is None:
        return None
    return f"{_title(words[0])} {words[-1].strip(',')}"


def default_salutation(name: str) -> str:
    """Title + surname when the name carries a title, else the full name (see the module's docstring)."""
    name = " ".join(name.split())
    if not name:
        return ""
    words = name.split()
    # "Mr and Mrs Tom Heronmere": titles joined by "and"/"&" share one surname
    if len(words) >= 4 and _title(words[0]) and words[1].lower() in ("and", "&") and _title(words[2]):
        return f"{_title(words[0])} and {_title(words[2])} {words[-1]}"
    parts = re.split(r"\s+(?:and|&)\s+", name)
    if len(parts) == 2:
        first, second = _one(parts[0]), _one(parts[1])
        if first and second:
            return f"{first} and {second}"
    return _one(name) or name


def salutation_from_lines(lines: list[str]) -> str:
    """The default salutation of an address block whose first lines are people's names ("Mr Will
    Heronmere" / "Mrs Ada Heronmere" / "4 Larch Close" ...): every leading line that is a titled name
    counts ("Mr and Mrs Heronmere"; "Ms Reed and Mr Lane"); else the first line as :func:`default_salutation`
    reads it."""
    people: list[tuple[str, str]] = []
    for line in lines:
        one = _one(" ".join(line.split()))
        if one is None:
            break
        title, surname = one.split(" ", 1)
        people.append((title, surname))
    if len(people) >= 2:
        if len({s for _t, s in people}) == 1:
            return " and ".join(t for t, _s in people) + f" {people[0][1]}"
        return " and ".join(f"{t} {s}" for t, s in people)
    return default_salutation(lines[0]) if lines else ""


def salutation_for(stored: str | None, name: str, fallback: str = "Sir or Madam") -> str:
    """What follows "Dear": the stored salutation, else the default from ``name``, else ``fallback``."""
    return bare_salutation(stored) or default_salutation(name) or fallback
