"""Password hashing with argon2id (argon2-cffi defaults; tests may lower the cost)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
_dummy_hash: str | None = None  # a hash of nothing anyone knows, made with the current hasher

MIN_PASSWORD_LENGTH = 10


def set_hasher(hasher: PasswordHasher) -> None:
    global _hasher, _dummy_hash
    _hasher = hasher
    _dummy_hash = None


def verify_nothing(password: str) -> None:
    """Spend the time one :func:`verify_password` takes, against a fixed hash no password matches: a
    sign-in for a user name that does not exist (or is disabled) then takes as long as one with a wrong
    password, so timing does not tell which user names exist."""
    global _dummy_hash
    if _dummy_hash is None:
        import secrets

        _dummy_hash = _hasher.hash(secrets.token_hex(32))
    verify_password(_dummy_hash, password)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str, label: str = "Password", user_inputs: Iterable[str] = ()) -> str | None:
    """A message naming the fix (beginning with ``label``: the field, or where the command line read the
    password from), or None when the password is acceptable: a new password (a user created, a password
    reset or changed), never one typed to sign in. At least :data:`MIN_PASSWORD_LENGTH` characters and
    as hard to guess as a new database passphrase (zxcvbn's score at least
    :data:`~adoption_desktop.core.security.strength.MIN_SCORE`, with ``user_inputs`` — the person's
    user name and full name — as the first guesses): "password12" or "demo-password" is refused."""
    from adoption_desktop.core.security.strength import guessable_problem

    if len(password) < MIN_PASSWORD_LENGTH:
        return (f"{label}: use at least {MIN_PASSWORD_LENGTH} characters; three or four unrelated words "
                "are easy to remember and hard to guess.")
    if password.strip() != password:
        return f"{label}: remove spaces at the start or end."
    words = name_words(user_inputs)
    problem = guessable_problem(password, words, label=label)
    if problem is None and made_of_names(password, words):
        return (f"{label}: it is made of the person's own user name or name, which anyone guesses first; three "
                "or four unrelated words are easy to remember and hard to guess.")
    return problem


#: letters a password may add to the person's names and still be refused as made of them ("jadmin-jadminx")
STRAY_LETTERS = 2
#: ... when it is built on a name at least this long: short names are read only whole ("Medal pedal 4731"
#: for Ed Al is m + ed + al and p + ed + al, two letters besides the names, and is not made of them)
LONG_NAME = 4


def made_of_names(password: str, words: Iterable[str]) -> bool:
    """True when ``password`` is nothing but the person's names (``words``, lower case), repeated or joined by
    digits, spaces and signs: "jadmin-jadmin", "JoAdmin2026!". zxcvbn rated "jadmin-jadmin" 3 of 4 even with
    "jadmin" among its first guesses (user trial ut28: the first administrator's password was so).

    The names are read in their places from left to right: a name inside another word is not the name
    ("medal" is not "ed" and "al", for Ed Al; review: taking each name out wherever it occurred, two-letter
    names left so few letters of "Medal pedal 4731" that it was refused). Up to :data:`STRAY_LETTERS`
    letters besides the names are still "made of the names" when the reading uses a name of at least
    :data:`LONG_NAME` letters ("jadmin-jadminx", "JoAdminxy2026!": review of the first reading, which let
    them through)."""
    text = password.lower()
    names = [w for w in dict.fromkeys(words) if w]
    if not any(ch.isalpha() for ch in text):
        return False  # no letters, so no name (zxcvbn judges digits and signs alone)
    # longest[i][k]: text[:i] read as names, digits, signs and k other letters, with the longest name used
    # (-1: no such reading)
    longest = [[-1] * (STRAY_LETTERS + 1) for _ in range(len(text) + 1)]
    longest[0][0] = 0
    for i in range(len(text)):
        for k, used in enumerate(longest[i]):
            if used < 0:
                continue
            if not text[i].isalpha():
                longest[i + 1][k] = max(longest[i + 1][k], used)
            elif k < STRAY_LETTERS:
                longest[i + 1][k + 1] = max(longest[i + 1][k + 1], used)
            for name in names:
                if text.startswith(name, i):
                    longest[i + len(name)][k] = max(longest[i + len(name)][k], used, len(name))
    end = longest[len(text)]
    return end[0] >= 0 or any(used >= LONG_NAME for used in end[1:])


def name_words(names: Iterable[str]) -> list[str]:
    """The names and each of their parts ("zoe.olund", "Zoe Olund" → also "zoe", "olund"): zxcvbn matches
    a user input only as a whole word of the password."""
    words: list[str] = []
    for name in names:
        words += [name, *(part for part in re.split(r"[\s._@-]+", name) if len(part) > 1)]
    return list(dict.fromkeys(w.lower() for w in words if w))
